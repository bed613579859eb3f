"""Merge requests as the Overseer reviews them: typed rows and details, diffs, and the approve/reject decisions.

Everything here is computed from the ledger and git and crosses into the engine API / UI as frozen dataclasses.
`approve` marks an MR awaiting review as approved and puts it back in the queue: the refinery's next run rebases,
re-gates and lands it (so an approval never lands stale or untested work). `reject` is rework with the Overseer's
note: the MR closes, the bead goes back on its polecat's hook and the polecat gets REWORK_REQUEST mail with the note.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from gastown_tui import gitops
from gastown_tui.convoys.landing import merge_requests
from gastown_tui.convoys.model import field_of
from gastown_tui.convoys.progress import parse_ts
from gastown_tui.errors import Conflict, GastownError, InvalidInput, NotFound
from gastown_tui.patrols.merge_queue import (
    APPROVED,
    AWAITING_REVIEW,
    MergeRequest,
    release,
    set_meta,
)
from gastown_tui.records import LABEL_MERGE_REQUEST
from gastown_tui.town.paths import TownPaths


@dataclass(frozen=True)
class GateResult:
    """The refinery's last verdict on an MR: pass, fail (gate, command, output tail), conflict (files) or pending."""

    result: str = "pending"
    gate: str = ""
    command: str = ""
    tail: str = ""
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergeRequestDetail:
    """One MR for the Queue tab, `gt mq show` and the diff view's header."""

    id: str
    bead_id: str
    bead_title: str
    acceptance: str
    rig: str
    branch: str
    target: str
    worker: str
    state: str          # queued, landing, awaiting-review, approved, pr-open, branch-pushed, blocked, merged, rework
    age_s: float
    gates: GateResult
    land_mode: str      # push, pr, local
    review: str         # none, human
    pr_url: str = ""
    pr_number: int | None = None
    landed: str = ""    # where it went ("pushed abc to origin/main", "PR ...", "local")
    land_error: str = ""
    close_reason: str = ""


@dataclass(frozen=True)
class FileStat:
    """One changed file with lines added and removed (None for binary)."""

    path: str
    added: int | None
    removed: int | None


@dataclass(frozen=True)
class DiffData:
    """A branch's change against its target: files with counts and the unified diff text."""

    base: str
    head: str
    files: tuple[FileStat, ...]
    text: str
    truncated: bool = False


def _rig_config(town: TownPaths, rig: str) -> Any:
    """rig.toml of `rig`, or None when the rig is gone."""
    from gastown_tui.town.config import load_rig_config  # noqa: PLC0415

    try:
        return load_rig_config(town.rig(rig))
    except GastownError:
        return None


def _state(bead: Any, meta: dict[str, Any]) -> str:
    """The MR's state word."""
    status = str(field_of(bead, "status"))
    if status == "closed":
        reason = str(field_of(bead, "close_reason") or "")
        return "merged" if reason.startswith("merged") else ("rework" if reason.startswith("rework") else "closed")
    if status == "blocked":
        return "blocked"
    if meta.get("land_state") in (AWAITING_REVIEW, APPROVED, "pr-open", "branch-pushed"):
        return str(meta["land_state"])
    return "landing" if status == "in_progress" else "queued"


def detail_of(ledger: Any, town: TownPaths, bead: Any, now: float | None = None) -> MergeRequestDetail:
    """The MergeRequestDetail of MR bead `bead`."""
    meta = dict(field_of(bead, "metadata") or {})
    mr = MergeRequest.from_bead(bead)
    source = None
    if mr.source_issue:
        try:
            source = ledger.get(mr.source_issue)
        except NotFound:
            source = None
    gates = meta.get("gates") or {}
    config = _rig_config(town, mr.rig)
    created = parse_ts(mr.created_at)
    return MergeRequestDetail(
        id=mr.id, bead_id=mr.source_issue, bead_title=str(field_of(source, "title", "") or ""),
        acceptance=str(field_of(source, "acceptance_criteria", "") or ""), rig=mr.rig, branch=mr.branch,
        target=mr.target or (config.default_branch if config is not None else ""), worker=mr.worker,
        state=_state(bead, meta), age_s=max(0.0, (now or time.time()) - created) if created else 0.0,
        gates=GateResult(str(gates.get("result") or "pending"), str(gates.get("gate") or ""),
                         str(gates.get("command") or ""), str(gates.get("tail") or ""),
                         tuple(str(f) for f in gates.get("files") or ())),
        land_mode=config.land if config is not None else "local",
        review=config.review if config is not None else "none",
        pr_url=str(meta.get("pr_url") or ""),
        pr_number=int(meta["pr_number"]) if str(meta.get("pr_number") or "").isdigit() else None,
        landed=str(meta.get("landed") or ""), land_error=str(meta.get("land_error") or ""),
        close_reason=str(field_of(bead, "close_reason") or ""))


def list_merge_requests(ledger: Any, town: TownPaths, *, rig: str | None = None,
                        include_closed: bool = False) -> list[MergeRequestDetail]:
    """Every MR (open by default; held ones included), oldest first."""
    now = time.time()
    rows = [detail_of(ledger, town, b, now) for b in merge_requests(ledger, include_closed=include_closed)]
    return sorted((r for r in rows if rig is None or r.rig == rig), key=lambda r: (-r.age_s, r.id))


def get_mr(ledger: Any, town: TownPaths, mr_id: str) -> MergeRequestDetail:
    """The MR `mr_id` (partial ids resolved); InvalidInput if the bead is not a merge request."""
    bead = ledger.get(ledger.resolve(mr_id))
    if LABEL_MERGE_REQUEST not in (field_of(bead, "labels") or ()):
        raise InvalidInput(f"{bead.id} is not a merge request")
    return detail_of(ledger, town, bead)


def _typed(diff: gitops.BranchDiff | None) -> DiffData | None:
    """gitops' diff as the typed DiffData."""
    if diff is None:
        return None
    return DiffData(diff.base, diff.head, tuple(FileStat(f.path, f.added, f.removed) for f in diff.files),
                    diff.text, diff.truncated)


def mr_diff(town: TownPaths, mr: MergeRequestDetail) -> DiffData:
    """The MR's branch against its target (origin/<target> when the rig lands upstream); NotFound if gone."""
    paths = town.rig(mr.rig)
    base = mr.target
    if mr.land_mode != "local" and gitops.tracking_sha(paths, mr.target):
        base = f"refs/remotes/origin/{mr.target}"
    diff = _typed(gitops.branch_diff(paths, base, mr.branch)) if gitops.branch_exists(paths, mr.branch) else None
    if diff is None:
        raise NotFound(f"the branch {mr.branch or '(none)'} of {mr.id} is no longer in rig {mr.rig!r}")
    return diff


def polecat_diff(town: TownPaths, rig: str, name: str) -> DiffData:
    """A live polecat's work so far (commits and uncommitted changes) against the rig's default branch."""
    paths = town.rig(rig)
    tree = paths.polecat(name)
    if not tree.is_dir():
        raise NotFound(f"polecat {rig}/polecats/{name} has no worktree")
    diff = _typed(gitops.worktree_diff(tree, gitops.default_branch(paths)))
    if diff is None:
        raise NotFound(f"polecat {rig}/polecats/{name}: no commit to compare")
    return diff


def approve(ledger: Any, town: TownPaths, mr_id: str, *, actor: str = "overseer") -> MergeRequestDetail:
    """Approve an MR awaiting review: it re-enters the queue as approved and lands on the refinery's next run."""
    with ledger.transaction():
        bead = ledger.get(ledger.resolve(mr_id))
        mr = MergeRequest.from_bead(bead)
        if mr.land_state != AWAITING_REVIEW or mr.status == "closed":
            raise Conflict(f"{bead.id} is not awaiting review (state: {_state(bead, dict(bead.metadata or {}))})")
        set_meta(ledger, bead.id, actor, land_state=APPROVED, reviewed_by=actor, review_note="")
        release(ledger, mr)
    return get_mr(ledger, town, bead.id)


def reject(ctx: Any, mr_id: str, note: str, *, actor: str = "overseer") -> str:
    """Reject an MR awaiting review: rework mail with `note` to its polecat; returns what happened to the bead."""
    from gastown_tui.patrols.rework import send_back  # noqa: PLC0415

    if not note.strip():
        raise InvalidInput("a rejection needs a note saying what to change")
    ledger = ctx.ledger
    bead = ledger.get(ledger.resolve(mr_id))
    mr = MergeRequest.from_bead(bead)
    if mr.land_state != AWAITING_REVIEW or mr.status == "closed":
        raise Conflict(f"{bead.id} is not awaiting review (state: {_state(bead, dict(bead.metadata or {}))})")
    set_meta(ledger, bead.id, actor, reviewed_by=actor, review_note=note.strip())
    return send_back(ctx, mr, "rejected in review", f"Review note from {actor}:\n{note.strip()}")
