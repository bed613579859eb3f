"""What 'landed' means for a tracked bead: delivered in its rig's landing mode, not merely closed.

Gas Town's convoys fired "complete" as soon as every issue was *closed*, before the refinery had merged anything
(gastown #4387, #3681). Here a bead has landed only when it is closed AND no merge request for it is still pending:
either the refinery closed it with reason `merged...` (pushed to the upstream, PR merged, or merged locally: the
refinery closes it only then), or it was finished without code (no MR ever opened), which is its own state,
"closed with no changes", so a spike that changed nothing never reads like a merge.
"""

from __future__ import annotations

from typing import Any

from gastown_tui.convoys.model import field_of
from gastown_tui.records import LABEL_MERGE_REQUEST

MERGED = "merged"
# Bead states shown in convoy status, in display order of progress.
STATE_LANDED = "landed"
STATE_MERGING = "merging"      # an MR is in the refinery queue
STATE_WORKING = "working"      # hooked / in progress on an agent
STATE_READY = "ready"          # open, unblocked, nobody on it (stranded if it stays so)
STATE_BLOCKED = "blocked"      # open, waiting for its blockers
STATE_CLOSED_UNMERGED = "closed-unmerged"  # closed, but its MR has not merged yet
STATE_NO_CHANGES = "no-changes"            # closed with nothing to merge: done, but nothing landed


def merge_requests(ledger: Any, *, include_closed: bool = False) -> list[Any]:
    """Merge-request beads (persistent or wisp)."""
    return ledger.list(labels=[LABEL_MERGE_REQUEST], include_closed=include_closed, ephemeral=None)


def mr_meta(mr: Any) -> dict[str, Any]:
    """The metadata dict of a merge request (branch, target, source_issue, worker, rig, commit_sha, ...)."""
    return dict(field_of(mr, "metadata") or {})


def open_mrs_by_source(ledger: Any) -> dict[str, list[Any]]:
    """Open merge requests grouped by the bead they would land."""
    grouped: dict[str, list[Any]] = {}
    for mr in merge_requests(ledger):
        source = mr_meta(mr).get("source_issue")
        if source and field_of(mr, "status") != "closed":
            grouped.setdefault(str(source), []).append(mr)
    return grouped


def has_landed(bead: Any, open_mrs: dict[str, list[Any]]) -> bool:
    """True if `bead` is closed and nothing of it is still waiting to merge."""
    if field_of(bead, "status") != "closed":
        return False
    if str(field_of(bead, "close_reason") or "").startswith(MERGED):
        return True
    return not open_mrs.get(str(bead.id))


def bead_state(bead: Any, open_mrs: dict[str, list[Any]], ready_ids: set[str]) -> str:
    """One of the STATE_* values for a tracked bead."""
    if has_landed(bead, open_mrs):
        return STATE_LANDED if str(field_of(bead, "close_reason") or "").startswith(MERGED) else STATE_NO_CHANGES
    if field_of(bead, "status") == "closed":
        return STATE_CLOSED_UNMERGED
    if open_mrs.get(str(bead.id)):
        return STATE_MERGING
    if field_of(bead, "status") in ("hooked", "in_progress"):
        return STATE_WORKING
    if str(bead.id) in ready_ids:
        return STATE_READY
    return STATE_BLOCKED
