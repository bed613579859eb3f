"""ActivityFeed: a bounded, append-only log of events built on RichLog (line API, cheap at any rate)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import RichLog

__all__ = ["ActivityFeed", "FeedEntry"]

KIND_STYLES: dict[str, str] = {"error": "red", "warn": "yellow", "done": "green", "merge": "green", "mail": "cyan",
                               "sling": "magenta", "nudge": "blue", "patrol": "dim"}
"""Style per kind prefix (the part before the first dot), ANSI names so 16-colour terminals map them right."""


NOISE_PREFIXES: tuple[str, ...] = ("patrol.step",)
"""Kinds hidden unless the noise filter is off: patrol steps were ~80% of a busy town's feed."""


def is_noise(kind: str) -> bool:
    """Is this kind routine chatter (hidden by default)?"""
    return kind.startswith(NOISE_PREFIXES)


@dataclass(frozen=True)
class FeedEntry:
    """One line of the feed; `when` is preformatted by the caller (no clock in the widget)."""

    when: str
    actor: str
    kind: str
    text: str


class ActivityFeed(RichLog):
    """Newest at the bottom; keeps at most `max_lines`; follows the tail unless the user scrolled up.

    Routine kinds (`is_noise`) are hidden until `show_noise` is set; the entries are kept either way, so toggling
    redraws the same history. The actor column is as wide as the longest actor seen (6-16 columns).
    """

    DEFAULT_CSS = """
    ActivityFeed { background: $surface; scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, max_lines: int = 2000, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(max_lines=max_lines, wrap=False, markup=False, highlight=False, auto_scroll=True,
                         name=name, id=id, classes=classes)
        self.entries_added = 0
        """Total entries ever added (the visible log is bounded, this count is not)."""
        self.entries_hidden = 0
        """Entries currently filtered out as noise."""
        self.show_noise = False
        self._kept: deque[FeedEntry] = deque(maxlen=max_lines)
        self._actor_width = 6

    def format_entry(self, entry: FeedEntry) -> Text:
        """One feed line: time, actor, kind, text."""
        style = KIND_STYLES.get(entry.kind.split(".")[0], "")
        width = self._actor_width
        text = Text.assemble((f"{entry.when} ", "dim"), (f"{entry.actor:<{width}.{width}} ", "bold"),
                             (f"{entry.kind:<16.16} ", style), entry.text)
        text.no_wrap = True
        return text

    def add_entry(self, entry: FeedEntry) -> None:
        """Append one entry (drawn unless it is hidden noise)."""
        self.entries_added += 1
        self._kept.append(entry)
        if len(entry.actor) > self._actor_width and self._actor_width < 16:
            self._actor_width = min(16, len(entry.actor))
            self._redraw()
            return
        if is_noise(entry.kind) and not self.show_noise:
            self.entries_hidden += 1
            return
        self.write(self.format_entry(entry), shrink=False)

    def add_entries(self, entries: list[FeedEntry]) -> None:
        """Append many entries (one refresh for the batch)."""
        for entry in entries:
            self.add_entry(entry)

    def set_show_noise(self, show: bool) -> None:
        """Show or hide routine entries, redrawing the kept history."""
        if show != self.show_noise:
            self.show_noise = show
            self._redraw()

    def _redraw(self) -> None:
        self.clear()
        self.entries_hidden = 0
        for entry in self._kept:
            if is_noise(entry.kind) and not self.show_noise:
                self.entries_hidden += 1
            else:
                self.write(self.format_entry(entry), shrink=False)
