"""Linear-time helpers for pouring big molecules: a dependency order of proto steps, and step bead ids at any depth."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar


class _Needy(Protocol):
    id: str
    needs: list[str]


N = TypeVar("N", bound=_Needy)


def dependency_order(steps: Sequence[N]) -> list[N]:
    """`steps` ordered so every step comes after the steps it needs (file order among equals; Kahn's algorithm).

    The graph was already checked acyclic by cook; anything left over (a need outside `steps`) keeps file order.
    """
    by_id = {s.id: s for s in steps}
    waiting = {s.id: sum(1 for n in s.needs if n in by_id) for s in steps}
    dependents: dict[str, list[str]] = {}
    for step in steps:
        for need in step.needs:
            if need in by_id:
                dependents.setdefault(need, []).append(step.id)
    queue = deque(s.id for s in steps if waiting[s.id] == 0)
    out: list[N] = []
    while queue:
        step_id = queue.popleft()
        out.append(by_id[step_id])
        for nxt in dependents.get(step_id, []):
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                queue.append(nxt)
    placed = {s.id for s in out}
    return out + [s for s in steps if s.id not in placed]


class ChildIds:
    """Hands out `<parent>.N` ids for a fresh molecule, to any depth.

    The ledger's own child numbering scans every sibling (quadratic for a 10,000-step molecule) and stops at 3
    levels; a molecule's ids are all new, so pour numbers them itself and passes them as explicit ids.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self._last: dict[str, int] = {}

    def next(self, parent: str) -> str:
        """The next free child id under `parent` (a bead this molecule created, or the root)."""
        number = self._last.get(parent, 0) + 1
        self._last[parent] = number
        return f"{parent}.{number}"


def waits_gate(step: Any) -> tuple[str | None, str]:
    """(spawner step id, "all-children" | "any-children") of a `waits_for` step; (None, "") without one.

    `children-of(X)` names the spawner; otherwise it is the step's first `needs` entry, as in the original.
    """
    waits = getattr(step, "waits_for", None)
    if not waits:
        return None, ""
    if waits.startswith("children-of("):
        return waits[len("children-of("):-1], "all-children"
    return (step.needs[0] if step.needs else None), waits
