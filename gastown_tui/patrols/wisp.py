"""Patrol-run wisps: pour one per run from the patrol's formula, find an unfinished one, list its steps in order.

A run is an ephemeral molecule: a root bead (label `gt:patrol-run`, metadata `patrol`, `state`) with one child bead
per formula step chained by `blocks` edges. Steps are closed as they complete, so after a crash the next run of the
same patrol finds the open root and resumes at the first open step.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from gastown_tui.convoys.model import field_of

log = logging.getLogger(__name__)

LABEL_PATROL_RUN = "gt:patrol-run"


def patrol_label(name: str) -> str:
    """The label that ties run wisps to one patrol (names like 'refinery:rig1' are fine in labels)."""
    return f"patrol:{name}"


def step_id_of(bead: Any) -> str:
    """The formula step id a step bead was made from."""
    meta = field_of(bead, "metadata") or {}
    for key in ("step_id", "step", "formula_step"):
        if meta.get(key):
            return str(meta[key])
    location = field_of(bead, "source_location") or (field_of(bead, "extra") or {}).get("source_location")
    if location:
        return str(location).rsplit(".", 1)[-1]
    return str(field_of(bead, "title", ""))


def find_open_run(ledger: Any, name: str) -> Any | None:
    """The unfinished run wisp of patrol `name`, if a previous run crashed or was cancelled."""
    runs = [b for b in ledger.list(labels=[patrol_label(name)], ephemeral=True)
            if b.status != "closed" and LABEL_PATROL_RUN in (b.labels or ())]
    return min(runs, key=lambda b: (b.created_at, b.id)) if runs else None


def _pour_with_formulas(ledger: Any, formula: str, variables: dict[str, str], actor: str) -> Any | None:
    """Pour the wisp from its formula; None (fall back to the built-in steps) when the formula is broken."""
    from gastown_tui.formulas import FormulaLibrary, pour, search_path  # noqa: PLC0415 - loads the ledger layer

    try:
        town = getattr(ledger, "paths", None)  # town formulas may override the shipped patrol formulas
        library = FormulaLibrary(search_path(town)) if town is not None else None
        result = pour(ledger, formula, vars=variables, ephemeral=True, actor=actor, library=library)
    except Exception:  # noqa: BLE001 - a missing/broken formula must not stop the patrol; fall back to built-in steps
        log.exception("pouring %s failed; using the patrol's built-in step list", formula)
        return None
    return ledger.get(result.id)


def pour_run(ledger: Any, name: str, formula: str, steps: Sequence[str], *, variables: dict[str, str] | None = None,
             actor: str = "deacon/", use_formulas: bool = True) -> Any:
    """Create the run wisp for patrol `name` and return its root bead."""
    variables = dict(variables or {})
    with ledger.transaction():
        root = _pour_with_formulas(ledger, formula, variables, actor) if use_formulas else None
        if root is None:
            root = ledger.create(f"Patrol {name}", prefix="hq", issue_type="molecule", ephemeral=True, actor=actor,
                                 metadata={"patrol": name, "formula": formula, "state": {}})
            previous = None
            for index, step in enumerate(steps):
                child = ledger.create(step, parent=root.id, ephemeral=True, actor=actor,
                                      metadata={"step_id": step, "order": index})
                if previous is not None:
                    ledger.add_dep(child.id, previous, "blocks", actor=actor)
                previous = child.id
        meta = dict(field_of(root, "metadata") or {})
        meta.update(patrol=name, formula=formula)
        meta.setdefault("state", {})
        ledger.update(root.id, metadata=meta, actor=actor)
        ledger.add_label(root.id, LABEL_PATROL_RUN)
        ledger.add_label(root.id, patrol_label(name))
    return ledger.get(root.id)


def ordered_steps(ledger: Any, root_id: str) -> list[Any]:
    """The run's step beads in execution order (topological over `blocks` edges, ties by declared order)."""
    children = list(ledger.children(root_id))
    ids = {c.id for c in children}
    blockers: dict[str, set[str]] = {c.id: set() for c in children}
    for child in children:
        for dep in ledger.dependencies(child.id):
            target = str(field_of(dep, "depends_on_id"))
            if target in ids and field_of(dep, "type", "blocks") == "blocks":
                blockers[child.id].add(target)

    def rank(bead: Any) -> tuple[int, str]:
        order = (field_of(bead, "metadata") or {}).get("order")
        return (int(order) if isinstance(order, int) else 10_000, str(bead.id))

    done: list[Any] = []
    placed: set[str] = set()
    pending = sorted(children, key=rank)
    while pending:
        ready = [c for c in pending if blockers[c.id] <= placed] or pending[:1]  # a cycle: take declared order
        first = ready[0]
        done.append(first)
        placed.add(first.id)
        pending.remove(first)
    return done
