"""Rework: an MR that conflicts or fails its gates goes back to the polecat that made it, with the evidence.

The MR is closed (reason `rework: ...`), the source bead is re-hooked to its worker, and the worker gets a
`REWORK_REQUEST` mail naming the conflicting files or the failing gate's output; the witness nudges it if it sits
idle with the hook. A worker that is unknown gets the bead slung to a fresh polecat instead. After MAX_REWORKS
rounds the bead is escalated: bouncing the same work forever is not completion.
"""

from __future__ import annotations

import logging
from typing import Any

from gastown_tui.errors import Conflict, GastownError, InvalidInput, NotFound
from gastown_tui.events import emit
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.merge_queue import (
    MAX_REWORKS,
    MergeRequest,
    park,
    refinery_address,
    set_meta,
)

_log = logging.getLogger(__name__)


def send_back(ctx: PatrolContext, mr: MergeRequest, why: str, detail: str) -> str:
    """Return MR `mr`'s work to a polecat (or escalate after too many rounds); returns what was done."""
    ledger = ctx.ledger
    actor = refinery_address(mr.rig)
    source = ledger.get(mr.source_issue) if mr.source_issue else None
    rounds = int(((source.metadata or {}) if source is not None else {}).get("rework_count") or 0) + 1
    body = (f"MR: {mr.id}\nBead: {mr.source_issue}\nBranch: {mr.branch}\nReason: {why}\nRound: {rounds}\n\n"
            f"Rebase your branch onto the default branch, fix this, commit, and run `gt done` again.\n\n{detail}")
    if source is None or rounds > MAX_REWORKS:
        esc = ctx.dispatch.escalate(f"REWORK_LIMIT: {mr.source_issue or mr.id} ({mr.rig})",
                                    f"Reworked {rounds - 1} time(s) already.\n\n{body}", severity="high",
                                    source=actor, dedupe_key=f"rework-limit:{mr.id}")
        park(ledger, mr, esc, "rework limit")
        return "escalated"
    with ledger.transaction():
        set_meta(ledger, mr.id, actor, rework_reason=why)
        ledger.close(mr.id, reason=f"rework: {why}"[:200], actor=actor)
        if source.status == "closed":
            ledger.reopen(source.id, actor=actor)
        set_meta(ledger, source.id, actor, rework_count=rounds, last_rework=why)
        worker = mr.worker if mr.worker and _rehook(ledger, source.id, mr.worker, actor) else ""
        if not worker:
            ledger.update(source.id, status="open", assignee=None, actor=actor)
    if worker:
        ctx.dispatch.mail(worker, f"REWORK_REQUEST: {mr.source_issue} ({why})", body, sender=actor)
        try:
            ctx.dispatch.wake(worker, source.id)
        except GastownError as exc:  # the witness restarts or nudges it on its next patrol
            _log.info("could not wake %s for rework of %s (%s); the witness will", worker, source.id,
                      exc.one_line())
        outcome = f"re-hooked to {worker}"
    else:
        try:
            outcome = f"slung to {ctx.dispatch.sling(source.id, mr.rig)}"
        except GastownError as exc:
            ctx.dispatch.escalate(f"REWORK_UNASSIGNED: {source.id} ({mr.rig})", f"{exc}\n\n{body}",
                                  source=actor, dedupe_key=f"rework-unassigned:{mr.id}")
            outcome = "left open, escalated"
    try:
        emit(ctx.events, "merge.rework", actor=actor, rig=mr.rig, mr=mr.id, bead=mr.source_issue, why=why,
             outcome=outcome)
    except OSError as exc:
        _log.warning("feed line for rework of %s not written: %s", mr.id, exc)
    return outcome


def _rehook(ledger: Any, bead_id: str, worker: str, actor: str) -> bool:
    """Put the bead back on its worker's hook; False if that agent took other work meanwhile."""
    from gastown_tui.agents.hooks import hook_bead  # noqa: PLC0415
    from gastown_tui.records import parse_address  # noqa: PLC0415

    try:
        hook_bead(ledger, bead_id, parse_address(worker), actor=actor)
    except NotFound:  # no agent record (older data): hook the bead by its own fields
        ledger.update(bead_id, status="hooked", assignee=worker, actor=actor)
    except (Conflict, InvalidInput):
        return False
    return True
