"""The merge queue of one rig: merge-request beads, ordered by priority then age, and what happens to each.

An MR bead (label `gt:merge-request`, created by `gt done`) carries metadata branch, target, source_issue, worker,
rig, commit_sha. The refinery claims MRs it is working on (status in_progress, assignee `<rig>/refinery`), so an MR
whose run crashed is picked up again by the next run. Every exit path closes the MR with a reason (merged, rework)
or parks it as `blocked` with an escalation: an MR is never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gastown_tui.convoys.landing import merge_requests
from gastown_tui.convoys.model import field_of

MAX_REWORKS = 3  # after this many rework rounds an MR is escalated instead of bounced again

# metadata `land_state` of an MR between "gates green" and "closed": held MRs are not re-queued by the refinery
AWAITING_REVIEW = "awaiting-review"   # review = "human": green, waiting for the Overseer's approve/reject
APPROVED = "approved"                 # approved; the next refinery run lands it
PR_OPEN = "pr-open"                   # land = "pr": a pull request is open; the deacon polls it
BRANCH_PUSHED = "branch-pushed"       # land = "pr" without `gh`: branch pushed, the Overseer opens the PR
HELD = (AWAITING_REVIEW, PR_OPEN, BRANCH_PUSHED)


@dataclass(frozen=True)
class MergeRequest:
    """A merge request as the refinery reads it."""

    id: str
    branch: str
    target: str
    source_issue: str
    worker: str
    rig: str
    priority: int
    created_at: str
    status: str
    retry_count: int = 0
    commit_sha: str = ""
    land_state: str = ""

    @classmethod
    def from_bead(cls, bead: Any) -> "MergeRequest":
        """Read an MR bead's metadata."""
        meta = dict(field_of(bead, "metadata") or {})
        return cls(id=str(bead.id), branch=str(meta.get("branch") or ""), target=str(meta.get("target") or ""),
                   source_issue=str(meta.get("source_issue") or ""), worker=str(meta.get("worker") or ""),
                   rig=str(meta.get("rig") or ""), priority=int(field_of(bead, "priority", 2) or 2),
                   created_at=str(field_of(bead, "created_at", "")), status=str(bead.status),
                   retry_count=int(meta.get("retry_count") or 0), commit_sha=str(meta.get("commit_sha") or ""),
                   land_state=str(meta.get("land_state") or ""))


def refinery_address(rig: str) -> str:
    """The refinery's agent address for `rig`."""
    return f"{rig}/refinery"


def queue(ledger: Any, rig: str, *, held: bool = True) -> list[MergeRequest]:
    """Open MRs of `rig` plus those this refinery had claimed (a crashed run), best first. `held=False` leaves out
    MRs waiting on a person or a host (awaiting review, an open PR): what the refinery itself may take next."""
    me = refinery_address(rig)
    mrs = []
    for bead in merge_requests(ledger):
        mr = MergeRequest.from_bead(bead)
        if mr.rig != rig or (not held and mr.land_state in HELD):
            continue
        if mr.status == "open" or (mr.status == "in_progress" and field_of(bead, "assignee") == me):
            mrs.append(mr)
    return sorted(mrs, key=lambda m: (m.priority, m.created_at, m.id))


def claim(ledger: Any, mr: MergeRequest) -> None:
    """Mark the MR as being processed by this rig's refinery."""
    if mr.status != "in_progress":
        ledger.update(mr.id, status="in_progress", assignee=refinery_address(mr.rig), actor=refinery_address(mr.rig))


def release(ledger: Any, mr: MergeRequest) -> None:
    """Put a claimed MR back in the queue untouched (the default branch moved; try again next run)."""
    ledger.update(mr.id, status="open", assignee=None, actor=refinery_address(mr.rig))


def set_meta(ledger: Any, bead_id: str, actor: str, **fields: Any) -> None:
    """Merge `fields` into a bead's metadata."""
    with ledger.transaction():
        meta = dict(field_of(ledger.get(bead_id), "metadata") or {})
        meta.update(fields)
        ledger.update(bead_id, metadata=meta, actor=actor)


def hold(ledger: Any, mr: MergeRequest, state: str, **fields: Any) -> None:
    """Keep a claimed MR out of the queue in `state` (one of HELD) until a person or the PR poll decides."""
    actor = refinery_address(mr.rig)
    with ledger.transaction():
        set_meta(ledger, mr.id, actor, land_state=state, **fields)
        ledger.update(mr.id, status="in_progress", assignee=actor, actor=actor)


def park(ledger: Any, mr: MergeRequest, escalation_id: str, why: str) -> None:
    """Take an MR out of the queue as `blocked`, pointing at the escalation that explains it."""
    actor = refinery_address(mr.rig)
    with ledger.transaction():
        set_meta(ledger, mr.id, actor, escalation=escalation_id, blocked_reason=why)
        ledger.update(mr.id, status="blocked", assignee=None, actor=actor)
