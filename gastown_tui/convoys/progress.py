"""Convoy progress: per-bead state, counts, swarm numbers, and the text box shown by `gt convoy status`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from gastown_tui.convoys.landing import (
    STATE_BLOCKED, STATE_CLOSED_UNMERGED, STATE_LANDED, STATE_MERGING, STATE_NO_CHANGES, STATE_READY, STATE_WORKING,
    has_landed, open_mrs_by_source,
)
from gastown_tui.convoys.landing import bead_state as _bead_state
from gastown_tui.convoys.model import field_of, get_convoy, tracked_ids
from gastown_tui.errors import NotFound

_MARKS = {STATE_LANDED: "✓", STATE_MERGING: "(merging)", STATE_WORKING: "(in progress)", STATE_READY: "(ready)",
          STATE_BLOCKED: "(pending)", STATE_CLOSED_UNMERGED: "(closed, not merged)",
          STATE_NO_CHANGES: "(closed, no changes)",
          "missing": "(missing)"}


@dataclass
class TrackedBead:
    """One tracked bead as the convoy sees it."""

    id: str
    title: str
    state: str
    status: str
    assignee: str | None = None
    close_reason: str | None = None


@dataclass
class ConvoyStatus:
    """A convoy with its tracked beads and progress."""

    id: str
    title: str
    status: str
    tracked: list[TrackedBead] = field(default_factory=list)
    created_at: str = ""
    closed_at: str | None = None

    @property
    def total(self) -> int:
        """Number of tracked beads."""
        return len(self.tracked)

    @property
    def landed(self) -> int:
        """Tracked beads delivered (pushed, PR merged, or merged locally)."""
        return sum(1 for t in self.tracked if t.state == STATE_LANDED)

    @property
    def no_changes(self) -> int:
        """Tracked beads closed with nothing to merge (done, but nothing landed)."""
        return sum(1 for t in self.tracked if t.state == STATE_NO_CHANGES)

    @property
    def active(self) -> int:
        """Swarms at work: beads hooked on an agent or waiting in the merge queue."""
        return sum(1 for t in self.tracked if t.state in (STATE_WORKING, STATE_MERGING))

    @property
    def complete(self) -> bool:
        """True when there is tracked work and all of it has landed or closed with no changes."""
        return self.total > 0 and self.landed + self.no_changes == self.total

    def to_dict(self) -> dict[str, Any]:
        """JSON shape for `--json`."""
        data = asdict(self)
        data.update(total=self.total, landed=self.landed, no_changes=self.no_changes, active=self.active,
                    complete=self.complete)
        return data


def convoy_status(ledger: Any, convoy_id: str, *, open_mrs: dict[str, list[Any]] | None = None,
                  ready_ids: set[str] | None = None) -> ConvoyStatus:
    """Compute the status of one convoy (pass `open_mrs`/`ready_ids` to share the queries across convoys)."""
    convoy = get_convoy(ledger, convoy_id)
    open_mrs = open_mrs_by_source(ledger) if open_mrs is None else open_mrs
    ready_ids = set(ledger.ready_ids()) if ready_ids is None else ready_ids
    status = ConvoyStatus(id=convoy.id, title=convoy.title, status=convoy.status,
                          created_at=str(field_of(convoy, "created_at", "")),
                          closed_at=field_of(convoy, "closed_at"))
    for bead_id in tracked_ids(ledger, convoy.id):
        try:
            bead = ledger.get(bead_id)
        except NotFound:
            status.tracked.append(TrackedBead(bead_id, "(not in this ledger)", "missing", "unknown"))
            continue
        status.tracked.append(TrackedBead(bead.id, bead.title, _bead_state(bead, open_mrs, ready_ids), bead.status,
                                          field_of(bead, "assignee"), field_of(bead, "close_reason")))
    return status


def all_landed(ledger: Any, convoy_id: str, open_mrs: dict[str, list[Any]]) -> bool:
    """True when the convoy tracks something and every tracked bead has landed (missing beads never land)."""
    ids = tracked_ids(ledger, convoy_id)
    if not ids:
        return False
    for bead_id in ids:
        try:
            if not has_landed(ledger.get(bead_id), open_mrs):
                return False
        except NotFound:
            return False
    return True


def parse_ts(text: str | None) -> float | None:
    """Seconds since the epoch from an RFC3339 timestamp, or None."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def human_duration(seconds: float) -> str:
    """'1h 05m', '3m 12s', '40s'."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def render_box(status: ConvoyStatus, width: int | None = None, *, max_width: int = 100) -> str:
    """The convoy box of the Gas Town article: title, status, tracked beads with marks, swarm counts."""
    word = "Landed" if status.status == "closed" and status.complete else (
        "Closed" if status.status == "closed" else ("In Progress" if status.landed or status.active else "Pending"))
    lines = [f"CONVOY: {status.id} \"{status.title}\"", None,
             f"Status: {word}  ({status.landed}/{status.total} landed"
             + (f", {status.no_changes} closed with no changes)" if status.no_changes else ")"), "Tracked Issues:"]
    for i, t in enumerate(status.tracked):
        branch = "└──" if i == len(status.tracked) - 1 else "├──"
        who = f" @{t.assignee}" if t.assignee and t.state in (STATE_WORKING, STATE_MERGING) else ""
        lines.append(f"  {branch} {t.id} \"{t.title}\" {_MARKS.get(t.state, t.state)}{who}")
    lines.append(f"Swarms: {status.landed} completed, {status.active} active")
    if width is None:  # fit the longest line, within the terminal-friendly maximum
        width = min(max_width, max(64, *(len(line) + 4 for line in lines if line is not None)))
    inner = width - 4
    out = ["┌" + "─" * (width - 2) + "┐"]
    for line in lines:
        if line is None:
            out.append("├" + "─" * (width - 2) + "┤")
            continue
        text = line if len(line) <= inner else line[: inner - 1] + "…"
        out.append("│ " + text.ljust(inner) + " │")
    out.append("└" + "─" * (width - 2) + "┘")
    return "\n".join(out)
