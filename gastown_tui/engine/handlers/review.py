"""Handlers for the review API (`api/review.py`): the merge-request snapshot part, diffs, approve / reject, doctor.

Ledger and git work run in a worker thread (diffs of a large branch take a while; the engine loop keeps serving
panes). Approving also runs the rig's refinery at once, so an approved MR lands without waiting for its interval.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from gastown_tui.engine.api.review import (
    ApproveMr, DiffResult, DoctorReport, DoctorRow, FileStatRow, GateRow, MergeRequestRow, MrDiff, PolecatDiff,
    RejectMr, ReviewDone, RunDoctor,
)
from gastown_tui.engine.dispatch import HandlerContext, handles
from gastown_tui.engine.handlers.snapshot import snapshot_part
from gastown_tui.errors import NotFound

_log = logging.getLogger(__name__)
QUEUE_LIMIT = 500
"""Most MRs sent in a snapshot (open ones first, then the most recently closed)."""


def mr_row(detail: Any) -> MergeRequestRow:
    """A patrols.review.MergeRequestDetail as its wire row."""
    g = detail.gates
    return MergeRequestRow(
        detail.id, detail.bead_id, detail.bead_title, detail.acceptance, detail.rig, detail.branch, detail.target,
        detail.worker, detail.state, detail.age_s, GateRow(g.result, g.gate, g.command, g.tail, tuple(g.files)),
        detail.land_mode, detail.review, detail.pr_url, detail.pr_number, detail.landed, detail.land_error,
        detail.close_reason)


def diff_result(data: Any, mr: MergeRequestRow | None = None) -> DiffResult:
    """A patrols.review.DiffData as its wire result."""
    files = tuple(FileStatRow(f.path, f.added, f.removed) for f in data.files)
    return DiffResult(data.base, data.head, files, data.text, data.truncated, mr)


@snapshot_part("merge_requests")
def merge_requests(paths: Any, ledger: Any) -> tuple[MergeRequestRow, ...]:
    """Open MRs (oldest first), then closed ones (newest first) up to QUEUE_LIMIT in all."""
    from gastown_tui.patrols.review import list_merge_requests

    every = list_merge_requests(ledger, paths, include_closed=True)
    done = ("merged", "rework", "closed")
    open_rows = [mr_row(d) for d in every if d.state not in done]
    closed = sorted((d for d in every if d.state in done), key=lambda d: d.age_s)
    return tuple(open_rows + [mr_row(d) for d in closed])[:QUEUE_LIMIT]


@handles(MrDiff)
async def mr_diff(ctx: HandlerContext, cmd: MrDiff) -> DiffResult:
    """The MR's detail and its branch diff, read in a thread."""
    from gastown_tui.patrols import review

    def read() -> DiffResult:
        detail = review.get_mr(ctx.ledger, ctx.paths, cmd.id)
        return diff_result(review.mr_diff(ctx.paths, detail), mr_row(detail))
    return await asyncio.to_thread(read)


@handles(PolecatDiff)
async def polecat_diff(ctx: HandlerContext, cmd: PolecatDiff) -> DiffResult:
    """A live polecat's worktree against the rig's default branch (rig and name checked against the town)."""
    from gastown_tui.names import validate_name
    from gastown_tui.patrols import review
    from gastown_tui.town import list_rigs

    validate_name("polecat", cmd.name)
    if cmd.rig not in {rig.name for rig in list_rigs(ctx.paths)}:
        raise NotFound(f"no rig {cmd.rig!r}")
    return diff_result(await asyncio.to_thread(review.polecat_diff, ctx.paths, cmd.rig, cmd.name))


@handles(ApproveMr)
async def approve_mr(ctx: HandlerContext, cmd: ApproveMr) -> ReviewDone:
    """Approve in a thread, then run `refinery:<rig>` now (it rebases, re-gates and lands)."""
    from gastown_tui.patrols import review

    detail = await asyncio.to_thread(review.approve, ctx.ledger, ctx.paths, cmd.id)
    text = f"Approved {detail.id} ({detail.bead_id}): the {detail.rig} refinery lands it now"
    patrol = f"refinery:{detail.rig}"
    try:
        await ctx.engine.scheduler.run_now(patrol)
    except Exception as exc:  # noqa: BLE001 - approved anyway: the next scheduled run lands it
        _log.info("could not run %s now: %s", patrol, exc)
        text = f"Approved {detail.id} ({detail.bead_id}): it lands on the next {patrol} run"
    return ReviewDone(detail.id, detail.state, text)


@handles(RejectMr)
async def reject_mr(ctx: HandlerContext, cmd: RejectMr) -> ReviewDone:
    """Reject with the note, through the engine's patrol context (the polecat is woken to rework)."""
    from gastown_tui.patrols import review
    from gastown_tui.patrols.registry import offline_context

    patrol_ctx = getattr(ctx.engine, "patrol_context", None) or offline_context(ctx.paths, ctx.ledger)
    outcome = await asyncio.to_thread(review.reject, patrol_ctx, cmd.id, cmd.note)
    mr_id = ctx.ledger.resolve(cmd.id)
    return ReviewDone(mr_id, "rework", f"Rejected {mr_id}: rework with your note, bead {outcome}")


@handles(RunDoctor)
async def run_doctor(ctx: HandlerContext, _cmd: RunDoctor) -> DoctorReport:
    """Every doctor check, in a thread; only the problems are returned."""
    from gastown_tui.doctor import problems, run_checks

    found = await asyncio.to_thread(lambda: problems(run_checks(ctx.paths, ctx.ledger)))
    return DoctorReport(tuple(DoctorRow(f.check, f.level, f.line()) for f in found))
