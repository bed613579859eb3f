"""ActivityFeed: a bounded, append-only log of events built on RichLog (line API, cheap at any rate)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import RichLog

__all__ = ["ActivityFeed", "FeedEntry"]

KIND_STYLES: dict[str, str] = {"error": "red", "warn": "yellow", "done": "green", "merge": "green", "mail": "cyan",
                               "sling": "magenta", "nudge": "blue", "patrol": "dim"}
"""Style per kind prefix (the part before the first dot), ANSI names so 16-colour terminals map them right."""


@dataclass(frozen=True)
class FeedEntry:
    """One line of the feed; `when` is preformatted by the caller (no clock in the widget)."""

    when: str
    actor: str
    kind: str
    text: str


class ActivityFeed(RichLog):
    """Newest at the bottom; keeps at most `max_lines`; follows the tail unless the user scrolled up."""

    DEFAULT_CSS = """
    ActivityFeed { background: $surface; scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, max_lines: int = 2000, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(max_lines=max_lines, wrap=False, markup=False, highlight=False, auto_scroll=True,
                         name=name, id=id, classes=classes)
        self.entries_added = 0
        """Total entries ever added (the visible log is bounded, this count is not)."""

    @staticmethod
    def format_entry(entry: FeedEntry) -> Text:
        """One feed line: time, actor, kind, text."""
        style = KIND_STYLES.get(entry.kind.split(".")[0], "")
        text = Text.assemble((f"{entry.when} ", "dim"), (f"{entry.actor:<16.16} ", "bold"),
                             (f"{entry.kind:<16.16} ", style), entry.text)
        text.no_wrap = True
        return text

    def add_entry(self, entry: FeedEntry) -> None:
        """Append one entry."""
        self.entries_added += 1
        self.write(self.format_entry(entry), shrink=False)

    def add_entries(self, entries: list[FeedEntry]) -> None:
        """Append many entries (one refresh for the batch)."""
        for entry in entries:
            self.add_entry(entry)
