"""Review rows and commands: merge requests with their gate verdicts, diffs, approve / reject, doctor problems.

`merge_requests` and `doctor` ride on `TownSnapshot`; the snapshot parts and the command handlers live in
`gastown_tui.engine.handlers.review` (git and ledger work run in a thread there, off the engine loop).
"""

from __future__ import annotations

from dataclasses import dataclass

from gastown_tui.engine.api.base import Command, Result
from gastown_tui.engine.api.wire import wire


@wire
@dataclass(frozen=True)
class GateRow:
    """The refinery's last verdict on an MR: pass, fail (gate, command, output tail), conflict (files) or pending."""

    result: str = "pending"
    gate: str = ""
    command: str = ""
    tail: str = ""
    files: tuple[str, ...] = ()


@wire
@dataclass(frozen=True)
class MergeRequestRow:
    """One merge request as the Queue tab and the diff header show it (patrols.review.MergeRequestDetail)."""

    id: str
    bead_id: str
    bead_title: str = ""
    acceptance: str = ""
    rig: str = ""
    branch: str = ""
    target: str = ""
    worker: str = ""
    state: str = "queued"
    """queued, landing, awaiting-review, approved, pr-open, branch-pushed, blocked, merged, rework, closed."""
    age_s: float = 0.0
    gates: GateRow = GateRow()
    land_mode: str = "local"
    review: str = "none"
    pr_url: str = ""
    pr_number: int | None = None
    landed: str = ""
    land_error: str = ""
    close_reason: str = ""


@wire
@dataclass(frozen=True)
class FileStatRow:
    """One changed file with lines added and removed (None for binary)."""

    path: str
    added: int | None = None
    removed: int | None = None


@wire
@dataclass(frozen=True)
class DiffResult(Result):
    """A branch's change against its base: files with counts and the unified diff (cut when too large)."""

    base: str
    head: str
    files: tuple[FileStatRow, ...] = ()
    text: str = ""
    truncated: bool = False
    mr: MergeRequestRow | None = None
    """The MR the diff belongs to (None for a live polecat's work)."""


@wire
@dataclass(frozen=True)
class DoctorRow:
    """One problem `gastown doctor` found, as one line (the TUI shows them once at start)."""

    check: str
    status: str
    line: str


@wire
@dataclass(frozen=True)
class MrDiff(Command[DiffResult]):
    """The diff of merge request `id` against its target (partial ids resolved)."""

    id: str


@wire
@dataclass(frozen=True)
class PolecatDiff(Command[DiffResult]):
    """A live polecat's work so far (commits and uncommitted changes) against the rig's default branch."""

    rig: str
    name: str


@wire
@dataclass(frozen=True)
class ReviewDone(Result):
    """What a review decision did: the MR's new state and one line for the Overseer."""

    id: str
    state: str
    text: str


@wire
@dataclass(frozen=True)
class ApproveMr(Command[ReviewDone]):
    """Approve an MR awaiting review; the rig's refinery runs at once to rebase, re-gate and land it."""

    id: str


@wire
@dataclass(frozen=True)
class RejectMr(Command[ReviewDone]):
    """Reject an MR awaiting review: rework mail with `note` to its polecat (an empty note is refused)."""

    id: str
    note: str


@wire
@dataclass(frozen=True)
class DoctorReport(Result):
    """The problems `gastown doctor` finds now (empty: all checks ok)."""

    problems: tuple[DoctorRow, ...] = ()


@wire
@dataclass(frozen=True)
class RunDoctor(Command[DoctorReport]):
    """Run every doctor check in the engine (off its loop) and return the problems; nothing is fixed."""
