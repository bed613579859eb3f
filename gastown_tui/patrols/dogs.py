"""Dogs: maintenance formulas that need judgment, run by agent sessions on demand (`gt patrol dog FORMULA`).

Reliability-critical chores (GC, export, commit) stay in Python in the deacon; a Dog gets work that needs an agent
(e.g. `mol-convoy-feed` when ordering needs reading the beads). A task bead describing the job is slung to the first
free dog of a small kennel with the formula as its molecule; with no engine running, its start is queued.
"""

from __future__ import annotations

from typing import Any

from gastown_tui.errors import Conflict
from gastown_tui.events import emit
from gastown_tui.records import TOWN_PREFIX
from gastown_tui.town.paths import TownPaths

KENNEL = ("alpha", "bravo", "charlie", "delta")  # Gas Town keeps at most four dogs


def free_dog(ledger: Any) -> str:
    """Address of the first dog with nothing on its hook; Conflict when all four are busy."""
    for name in KENNEL:
        address = f"dogs/{name}"
        if not ledger.list(status="hooked", assignee=address) and not ledger.list(status="in_progress",
                                                                                 assignee=address):
            return address
    raise Conflict(f"all {len(KENNEL)} dogs are busy; try again later")


def dispatch_dog(town: TownPaths, ledger: Any, formula: str, *, variables: dict[str, str] | None = None,
                 dog: str | None = None, actor: str = "deacon/") -> dict[str, Any]:
    """Create the job bead and sling it with `formula` to `dog` (or a free dog); returns what was done."""
    from gastown_tui.agents.sling import sling  # noqa: PLC0415

    address = f"dogs/{dog}" if dog else free_dog(ledger)
    job = ledger.create(f"Dog job: {formula}", prefix=TOWN_PREFIX, actor=actor,
                        description=f"Run the maintenance formula {formula} and report with `gt done`.",
                        labels=["gt:dog-job"], metadata={"formula": formula, "vars": dict(variables or {})})
    result = sling(town, ledger, job.id, address, actor=actor, formula=formula, vars=dict(variables or {}))
    emit(town.events, "dog.dispatched", actor=actor, dog=address, formula=formula, bead=job.id)
    return {"bead": job.id, "dog": address, "formula": formula, **result.to_dict()}
