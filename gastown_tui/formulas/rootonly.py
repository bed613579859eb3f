"""Root-only molecules (`pour = false`): ONE bead carries the step list and each step's progress.

The original's default wisp: steps are not materialised as beads; the root's metadata holds them (`root_only`:
`steps` in walking order, `state` per step id, `done_order`). The same walk functions read and write it, each
transition in one ledger transaction on the root, so a walker killed at any point resumes at its step.
Readiness is derived: a step is ready when it is open, every step it needs is done and so is every need of its
containers; a container (a step with children) is done when all its children are done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gastown_tui.errors import InvalidInput
from gastown_tui.formulas.interactive import owner
from gastown_tui.ledger.model import now_iso

if TYPE_CHECKING:
    from gastown_tui.formulas.cook import ProtoStep
    from gastown_tui.formulas.walk import Molecule
    from gastown_tui.ledger import Bead, Ledger

KEY = "root_only"
SEP = "#"  # a root-only step's id for commands: `<root>#<step id>`


def is_root_only(bead: "Bead") -> bool:
    """True when `bead` is the root of a root-only molecule."""
    return bool((bead.metadata or {}).get(KEY))


def step_records(steps: list["ProtoStep"]) -> list[dict[str, Any]]:
    """The per-step data the root carries (what `gt mol current` shows and readiness needs)."""
    return [{"id": s.id, "title": s.title, "description": s.description, "acceptance": s.acceptance,
             "type": s.type, "needs": list(s.needs), "parent": s.parent, "assignee": s.assignee,
             "labels": list(s.labels), "metadata": dict(s.metadata), "waits_for": s.waits_for} for s in steps]


def initial_meta(steps: list["ProtoStep"]) -> dict[str, Any]:
    """The `root_only` metadata of a freshly poured molecule: every step open."""
    return {"steps": step_records(steps), "state": {}, "done_order": []}


def load(root: "Bead") -> "Molecule":
    """The molecule view of a root-only root: StepStates derived from its metadata."""
    from gastown_tui.formulas.walk import Molecule, StepState

    meta = root.metadata or {}
    data = meta[KEY]
    records: list[dict[str, Any]] = data["steps"]
    state: dict[str, dict[str, Any]] = data["state"]
    by_id = {r["id"]: r for r in records}
    kids: dict[str, list[str]] = {}
    for rec in records:
        if rec.get("parent"):
            kids.setdefault(rec["parent"], []).append(rec["id"])
    done: dict[str, bool] = {}

    def is_done(step_id: str) -> bool:
        if step_id not in done:  # containers first resolve their children (ids ordered parents first)
            children = kids.get(step_id)
            done[step_id] = (all(is_done(c) for c in children) if children
                             else state.get(step_id, {}).get("status") == "closed")
        return done[step_id]

    for rec in reversed(records):  # children before parents keeps is_done's recursion shallow
        is_done(rec["id"])

    def satisfied(rec: dict[str, Any], need: str) -> bool:
        waits = rec.get("waits_for") or ""
        spawner = waits[len("children-of("):-1] if waits.startswith("children-of(") else (rec.get("needs") or [""])[0]
        if waits and need == spawner and kids.get(need):  # fan-in on the spawner's children
            finished = [done[c] for c in kids[need]]
            return any(finished) if waits == "any-children" else all(finished)
        return need not in by_id or done[need]

    def waits(step_id: str) -> bool:
        rec: dict[str, Any] | None = by_id[step_id]
        while rec is not None:
            waits_on = list(rec.get("needs", []))
            if (rec.get("waits_for") or "").startswith("children-of("):
                waits_on.append(rec["waits_for"][len("children-of("):-1])  # the spawner, even when not a need
            if not all(satisfied(rec, n) for n in waits_on):
                return True
            rec = by_id.get(rec.get("parent") or "")
        return False

    steps = []
    for order, rec in enumerate(records):
        own = state.get(rec["id"], {})
        container = rec["id"] in kids
        if done[rec["id"]]:
            label, status = "done", "closed"
        elif own.get("status") == "in_progress":
            label, status = "in_progress", "in_progress"
        elif waits(rec["id"]):
            label, status = "blocked", "open"
        else:
            label, status = "ready", "open"
        children = kids.get(rec["id"], [])
        steps.append(StepState(
            bead_id=f"{root.id}{SEP}{rec['id']}", step_id=rec["id"], title=rec["title"], state=label,
            status=status, issue_type="epic" if container else rec.get("type", "task"),
            assignee=own.get("assignee") or rec.get("assignee") or owner(rec.get("metadata", {})),
            needs=list(rec.get("needs", [])),
            parent=rec.get("parent"), order=order, description=rec.get("description", ""),
            acceptance=rec.get("acceptance", ""), closed_at=own.get("closed_at"),
            interactive=bool(rec.get("metadata", {}).get("interactive")),
            children_done=sum(1 for c in children if done[c]), children_total=len(children)))
    return Molecule(id=root.id, title=root.title, formula=str(meta.get("formula", "")), status=root.status,
                    ephemeral=root.ephemeral, steps=steps, attached_to=meta.get("attached_to"), root_only=True)


def mark(ledger: "Ledger", root_id: str, step_id: str, status: str, actor: str, reason: str = "") -> None:
    """Record a step as `in_progress` (claimed by `actor`) or `closed`, in the caller's transaction."""
    if status not in ("in_progress", "closed"):
        raise InvalidInput(f"unknown root-only step status {status!r}")
    meta = dict(ledger.get(root_id).metadata or {})
    data = dict(meta[KEY])
    state = dict(data["state"])
    entry = dict(state.get(step_id, {}))
    stamp = now_iso()
    if status == "in_progress":
        entry.update(status=status, assignee=actor, started_at=stamp)
    else:
        entry.update(status=status, closed_at=stamp, closed_by=actor, reason=reason or "done")
        entry.setdefault("started_at", stamp)
        data["done_order"] = [*data.get("done_order", []), step_id]
    state[step_id] = entry
    data["state"] = state
    meta[KEY] = data
    ledger.update(root_id, metadata=meta, actor=actor)


__all__ = ["KEY", "SEP", "initial_meta", "is_root_only", "load", "mark", "step_records"]
