"""What the refinery writes on MRs between gating and landing: each MR's gate verdict, and the human-review hold.

The gate verdict (pass / fail with the failing command's last lines / conflict with the files) is kept in the MR's
metadata so `gt mq`, the Queue tab and the diff view can show it without re-running anything. With
`review = "human"`, only the approved prefix of a green stack lands: unapproved MRs are held as awaiting review,
approved ones stacked after a held MR go back to the queue and are re-stacked without it on the next run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gastown_tui.patrols.batch import BatchResult
from gastown_tui.patrols.merge_queue import (
    APPROVED,
    AWAITING_REVIEW,
    MergeRequest,
    hold,
    release,
    set_meta,
)

if TYPE_CHECKING:
    from gastown_tui.patrols.refinery import RefineryPatrol

TAIL_LINES = 15  # lines of a failing gate's output kept on the MR for the queue view


def record_gates(ref: RefineryPatrol, result: BatchResult, mrs: dict[str, MergeRequest]) -> None:
    """Write each MR's gate verdict into its metadata, for `gt mq show` and the Queue tab."""
    ledger = ref.ctx.ledger
    for mr_id, sha in result.good:
        if mr_id in mrs:
            set_meta(ledger, mr_id, ref.actor, gates={"result": "pass", "sha": sha}, land_error="")
    for mr_id, outcome in result.bad.items():
        if mr_id in mrs:
            tail = "\n".join(outcome.output.rstrip().splitlines()[-TAIL_LINES:])
            set_meta(ledger, mr_id, ref.actor, gates={"result": "fail", "gate": outcome.gate, "kind": outcome.kind,
                                                      "command": outcome.command, "tail": tail})
    for mr_id, files in result.conflicts.items():
        if mr_id in mrs:
            set_meta(ledger, mr_id, ref.actor, gates={"result": "conflict", "files": list(files)})


def hold_for_review(ref: RefineryPatrol, result: BatchResult, mrs: dict[str, MergeRequest]) -> list[str]:
    """Keep only the approved prefix of `result.good`; hold unapproved MRs, requeue approved ones stacked after
    them. Returns the beads now awaiting review."""
    keep: list[tuple[str, str]] = []
    waiting: list[str] = []
    for mr_id, sha in result.good:
        mr = mrs.get(mr_id)
        if mr is None:
            continue
        if mr.land_state == APPROVED and not waiting:
            keep.append((mr_id, sha))
        elif mr.land_state == APPROVED:
            release(ref.ctx.ledger, mr)
        else:
            hold(ref.ctx.ledger, mr, AWAITING_REVIEW, review_sha=sha, review_target=mr.target or ref.default())
            waiting.append(mr.source_issue or mr.id)
            ref._emit("merge.awaiting_review", mr=mr.id, bead=mr.source_issue, sha=sha)
            # the Overseer is the only one who can move it on: tell them once, with the commands to do so
            ref.ctx.dispatch.mail("overseer", f"Review: {mr.source_issue or mr.id} ({ref.rig})",
                                  f"MR: {mr.id}\nBead: {mr.source_issue}\nBranch: {mr.branch}\nWorker: {mr.worker}\n"
                                  f"Gates: green at {sha[:10]}\n\nSee it: gt mq show {mr.id} --diff\n"
                                  f"Decide: gt mq approve {mr.id}  |  gt mq reject {mr.id} -m \"what to change\"",
                                  sender=ref.actor)
    result.good = keep
    return waiting
