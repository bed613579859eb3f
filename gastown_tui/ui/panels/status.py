"""The status header: town name and the counts the Overseer scans first (agents, convoys, queue, mail)."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.widgets import Static

from gastown_tui.ui.port import TownSnapshot


def plural(count: int, noun: str) -> str:
    """'1 convoy', '2 convoys'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def status_text(town: str, snap: TownSnapshot) -> Text:
    """One line: town │ agents by state (working, idle, waiting, stuck, dead) │ convoys │ queue │ unread."""
    states = Counter(agent.state for agent in snap.agents)
    open_convoys = sum(1 for convoy in snap.convoys if convoy.status != "closed")
    queued = sum(1 for mr in snap.merge_queue if mr.status not in ("merged",))
    unread = sum(1 for mail in snap.mail if mail.unread)
    text = Text.assemble((" Gas Town ", "bold reverse"), " ", (town, "bold"), "  │ ")
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
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


class StatusHeader(Static):
    """One-line header; updated from each snapshot (no clock, no timer)."""

    def show(self, town: str, snap: TownSnapshot) -> None:
        """Redraw from a snapshot."""
        self.update(status_text(town, snap))
