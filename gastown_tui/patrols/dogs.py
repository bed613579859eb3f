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
    from gastown_tui.agents.sling import sling, start_agent  # noqa: PLC0415
    from gastown_tui.formulas import FormulaLibrary, pour, search_path  # noqa: PLC0415
    from gastown_tui.records import parse_address  # noqa: PLC0415

    address = f"dogs/{dog}" if dog else free_dog(ledger)
    values = dict(variables or {})
    job = ledger.create(f"Dog job: {formula}", prefix=TOWN_PREFIX, actor=actor,
                        description=f"Run the maintenance formula {formula} and report with `gt done`.",
                        labels=["gt:dog-job"], metadata={"formula": formula, "vars": values})
    # Hook first without a molecule, then pour the formula with exactly its own variables (sling would add
    # `issue`/`rig`, which maintenance formulas do not declare), then start the dog.
    result = sling(town, ledger, job.id, address, actor=actor, start=False)
    try:
        mol = pour(ledger, formula, values, attach_to=job.id, actor=actor, library=FormulaLibrary(search_path(town)))
    except Exception:
        from gastown_tui.agents.hooks import clear_hook  # noqa: PLC0415

        clear_hook(ledger, parse_address(address), actor=actor)
        ledger.close(job.id, reason="formula could not be poured", actor=actor)
        raise
    started, detail = start_agent(town, ledger, parse_address(address), job.id, actor=actor)
    emit(town.events, "dog.dispatched", actor=actor, dog=address, formula=formula, bead=job.id, molecule=mol.id)
    return {**result.to_dict(), "bead": job.id, "dog": address, "formula": formula, "molecule": str(mol.id),
            "start": started, **detail}
