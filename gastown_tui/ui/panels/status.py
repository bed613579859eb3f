"""The status header: town name and the counts the Overseer scans first (agents, convoys, queue, mail)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from gastown_tui.ui.costs_view import breaker_badge
from gastown_tui.ui.port import TownSnapshot


def plural(count: int, noun: str) -> str:
    """'1 convoy', '2 convoys'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def stall_reason(snap: TownSnapshot, fmt: Callable[[float], str]) -> str:
    """Why nothing moves while ready beads wait: 'deacon slings 2 ready at 12:04' (or that it is paused)."""
    if any(agent.state == "working" for agent in snap.agents):
        return ""
    ready = sum(1 for convoy in snap.convoys if convoy.status != "closed" for bead in convoy.beads
                if bead.status in ("open", "ready") and not bead.assignee)
    if not ready:
        return ""
    deacon = next((p for p in snap.patrols if p.name == "deacon"), None)
    if deacon is None:
        return f"{ready} ready, no deacon: s slings"
    if deacon.paused or deacon.next_run is None:
        return f"{ready} ready, deacon paused: s slings"
    return f"deacon slings {ready} ready at {fmt(deacon.next_run)}"


IN_QUEUE = ("queued", "landing", "awaiting-review", "approved", "blocked")
"""MR states still in a refinery's hands (a PR or pushed branch waits on the forge, not the queue)."""


def status_text(town: str, snap: TownSnapshot, fmt: Callable[[float], str] | None = None,
                needs_you: int = 0) -> Text:
    """One line: town │ agents by state (working, idle, waiting, stuck, dead) │ convoys │ queue │ unread."""
    states = Counter(agent.state for agent in snap.agents)
    open_convoys = sum(1 for convoy in snap.convoys if convoy.status != "closed")
    queued = sum(1 for mr in snap.merge_queue if mr.state in IN_QUEUE)
    unread = sum(1 for mail in snap.mail if mail.unread)
    text = Text.assemble((" Gas Town ", "bold reverse"), " ", (town, "bold"), "  │ ")
    if needs_you:  # first, where the eye lands: agents that cannot go on without the Overseer
        text.append(f"⚑ {needs_you} need{'s' if needs_you == 1 else ''} you (!) ", "bold reverse yellow")
        text.append("│ ")
    badge = breaker_badge(snap)
    if badge is not None:  # up front too: while a budget breaker is open nothing new is slung or nudged under it
        text.append_text(badge)
        text.append(" │ ")
    text.append(f"● {states['working']} working ", "green")
    text.append(f"○ {states['idle']} idle ", "blue")
    if states["waiting"]:
        text.append(f"? {states['waiting']} waiting ", "yellow")
    text.append(f"! {states['stuck']} stuck ", "red" if states["stuck"] else "dim")
    if states["dead"]:
        text.append(f"✗ {states['dead']} dead ", "red")
    text.append("│ ")
    text.append(f"◆ {plural(open_convoys, 'convoy')} ", "blue")  # magenta reads as red on many 16-colour themes
    text.append(f"⇄ {queued} queued ", "cyan")
    text.append(f"✉ {unread} unread", "bold yellow" if unread else "dim")
    reason = stall_reason(snap, fmt) if fmt is not None else ""
    if reason:
        text.append(f" │ ⏸ {reason}", "yellow")
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


class StatusHeader(Static):
    """One-line header; updated from each snapshot (no clock, no timer)."""

    def __init__(self, time_format: Callable[[float], str] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.time_format = time_format
        self.needs_you = 0
        self._last: tuple[str, TownSnapshot] = ("", TownSnapshot())

    def show(self, town: str, snap: TownSnapshot) -> None:
        """Redraw from a snapshot."""
        self._last = (town, snap)
        self.update(status_text(town, snap, self.time_format, self.needs_you))

    def set_needs_you(self, count: int) -> None:
        """How many agents need the Overseer (redraws only when it changed)."""
        if count != self.needs_you:
            self.needs_you = count
            self.show(*self._last)
