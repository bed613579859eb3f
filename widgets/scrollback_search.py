"""Search and copy mode over a terminal's scrollback: a frozen copy of the pane's lines (history + screen), `/`
search with every hit highlighted and n/N to jump, and a keyboard line selection copied with OSC 52.

Reads only the ``ScreenSource`` protocol (``history_row``, ``row``), so it works on a local screen and on the
engine API's RemoteScreen alike (history pages the remote screen has not fetched read as blank lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from widgets.terminal_render import ScreenSource

__all__ = ["CopyModeScreen", "Hit", "ScrollbackLines", "find_hits", "lines_of"]

HIT = Style(color="black", bgcolor="yellow")
CURRENT_HIT = Style(color="black", bgcolor="bright_green", bold=True)
SELECTED = Style(reverse=True)
CURSOR_LINE = Style(bgcolor="grey23")


@dataclass(frozen=True)
class Hit:
    """One match: line index (0 = oldest history line), column, length."""

    line: int
    column: int
    length: int


def lines_of(source: ScreenSource) -> list[str]:
    """History then screen rows as text, trailing blanks cut."""
    rows = [source.history_row(i) for i in range(source.scrollback_lines)]
    rows += [source.row(y) for y in range(source.rows)]
    return ["".join(cell.char or " " for cell in cells if cell.width != 0).rstrip() for cells in rows]


def find_hits(lines: Sequence[str], needle: str) -> list[Hit]:
    """Every case-insensitive occurrence of `needle`, oldest first."""
    if not needle:
        return []
    low = needle.lower()
    hits = []
    for n, line in enumerate(lines):
        start = line.lower().find(low)
        while start >= 0:
            hits.append(Hit(n, start, len(needle)))
            start = line.lower().find(low, start + 1)
    return hits


class ScrollbackLines(ScrollView, can_focus=True, inherit_bindings=False):
    """The frozen lines with hits highlighted, a cursor line, and an optional selected range."""

    DEFAULT_CSS = """
    ScrollbackLines { height: 1fr; }
    """

    def __init__(self, lines: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = list(lines)
        self.hits: list[Hit] = []
        self.current: int = -1
        """Index into hits of the hit the cursor is on (-1: none)."""
        self.cursor = max(0, len(self.lines) - 1)
        self.select_from: int | None = None
        """Where the selection started (None: no selection)."""
        self.virtual_size = Size(max((len(line) for line in self.lines), default=0), len(self.lines))

    def selection(self) -> tuple[int, int] | None:
        """(first, last) selected line, inclusive."""
        if self.select_from is None:
            return None
        return min(self.select_from, self.cursor), max(self.select_from, self.cursor)

    def move_to(self, line: int) -> None:
        """Put the cursor on `line` and scroll it into view (centred when it jumps far)."""
        self.cursor = max(0, min(line, len(self.lines) - 1))
        top, height = int(self.scroll_y), self.size.height or 1
        if not top <= self.cursor < top + height:
            self.scroll_to(y=max(0, self.cursor - height // 2), animate=False)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """One line: plain text with hit/selection/cursor styles."""
        index = int(self.scroll_y) + y
        width = self.size.width
        if index >= len(self.lines):
            return Strip.blank(width)
        text = self.lines[index][int(self.scroll_x):]
        base = Style()
        chosen = self.selection()
        if chosen and chosen[0] <= index <= chosen[1]:
            base = SELECTED
        elif index == self.cursor:
            base = CURSOR_LINE
        styles = [base] * len(text)
        for number, hit in enumerate(self.hits):
            if hit.line == index:
                start = hit.column - int(self.scroll_x)
                for x in range(max(0, start), min(len(text), start + hit.length)):
                    styles[x] = CURRENT_HIT if number == self.current else HIT
        segments: list[Segment] = []
        for char, style in zip(text, styles):
            if segments and segments[-1].style == style:
                segments[-1] = Segment(segments[-1].text + char, style)
            else:
                segments.append(Segment(char, style))
        return Strip(segments).extend_cell_length(width, base).crop(0, width)


class CopyModeScreen(ModalScreen[str | None]):
    """Search (/, n, N) and copy (v or Space to select, y or Enter to copy) over a pane's scrollback."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", tooltip="Leave copy mode", id="copy.close"),
        Binding("slash", "search", "Search", tooltip="Search the scrollback", id="copy.search", key_display="/"),
        Binding("n", "next_hit(1)", "Next hit", tooltip="Jump to the next hit", id="copy.next"),
        Binding("N", "next_hit(-1)", "Previous hit", tooltip="Jump to the previous hit", id="copy.previous"),
        Binding("up,k", "move(-1)", "Up", show=False, id="copy.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="copy.down"),
        Binding("pageup,shift+pageup", "page(-1)", "Page up", show=False, id="copy.page-up"),
        Binding("pagedown,shift+pagedown", "page(1)", "Page down", show=False, id="copy.page-down"),
        Binding("g,home", "edge(0)", "Top", show=False, id="copy.top"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="copy.bottom"),
        Binding("v,space", "select", "Select", tooltip="Start or drop a line selection", id="copy.select"),
        Binding("y,enter", "copy", "Copy", tooltip="Copy the selected lines (or the cursor line)", id="copy.copy"),
    ]

    def __init__(self, title: str, lines: Sequence[str], *, search: bool = False, blink: bool = True) -> None:
        super().__init__(id="copy-mode")
        self.title_text = title
        self.lines = list(lines)
        self.start_in_search = search
        self.blink = blink
        self.copied: str | None = None
        self.closed = False

    def compose(self) -> ComposeResult:
        """Title, lines, search line, status."""
        with Vertical(id="copy-box"):
            yield Static(self.title_text, id="copy-title", markup=False)
            yield ScrollbackLines(self.lines, id="copy-lines")
            box = Input(placeholder="search the scrollback (Enter: go, Esc: back)", id="copy-search")
            box.cursor_blink = self.blink
            yield box
            yield Static("", id="copy-status", markup=False)

    def on_mount(self) -> None:
        """Start at the bottom (the live end), in the search line if asked."""
        view = self.query_one(ScrollbackLines)
        view.move_to(len(self.lines) - 1)
        self._status()
        if self.start_in_search:
            self.query_one("#copy-search", Input).focus()
        else:
            view.focus()

    @property
    def view(self) -> ScrollbackLines:
        """The lines widget."""
        return self.query_one(ScrollbackLines)

    def _status(self, extra: str = "") -> None:
        view = self.view
        hits = f"hit {view.current + 1}/{len(view.hits)}" if view.hits else "no hits" if self._needle() else ""
        chosen = view.selection()
        parts = [f"line {view.cursor + 1}/{len(self.lines)}", hits,
                 f"{chosen[1] - chosen[0] + 1} lines selected" if chosen else "",
                 extra or "/ search · n/N hits · v select · y copy · Esc close"]
        self.query_one("#copy-status", Static).update(" · ".join(p for p in parts if p))

    def _needle(self) -> str:
        return self.query_one("#copy-search", Input).value

    def on_input_changed(self, event: Input.Changed) -> None:
        """Highlight as you type; the cursor goes to the last hit at or before it (searching backwards)."""
        event.stop()
        view = self.view
        view.hits = find_hits(self.lines, event.value)
        before = [n for n, hit in enumerate(view.hits) if hit.line <= view.cursor]
        view.current = before[-1] if before else (0 if view.hits else -1)
        if view.current >= 0:
            view.move_to(view.hits[view.current].line)
        view.refresh()
        self._status()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search line: back to the lines (n/N jump)."""
        event.stop()
        self.view.focus()

    def on_key(self, event: events.Key) -> None:
        """Escape in the search line returns to the lines instead of closing."""
        if event.key == "escape" and self.query_one("#copy-search", Input).has_focus:
            event.stop()
            event.prevent_default()
            self.view.focus()

    def action_search(self) -> None:
        """Type a search."""
        self.query_one("#copy-search", Input).focus()

    def action_next_hit(self, delta: int) -> None:
        """Jump to the next (1) or previous (-1) hit, wrapping."""
        view = self.view
        if not view.hits:
            return
        view.current = (view.current + delta) % len(view.hits)
        view.move_to(view.hits[view.current].line)
        self._status()

    def action_move(self, delta: int) -> None:
        """Cursor up/down a line."""
        self.view.move_to(self.view.cursor + delta)
        self._status()

    def action_page(self, delta: int) -> None:
        """Cursor up/down a page."""
        self.view.move_to(self.view.cursor + delta * max(1, self.view.size.height - 1))
        self._status()

    def action_edge(self, end: int) -> None:
        """Top (0) or bottom (1)."""
        self.view.move_to(len(self.lines) - 1 if end else 0)
        self._status()

    def action_select(self) -> None:
        """Start a selection at the cursor, or drop it."""
        view = self.view
        view.select_from = None if view.select_from is not None else view.cursor
        view.refresh()
        self._status()

    def action_copy(self) -> None:
        """Copy the selection (or the cursor line) to the clipboard through the outer terminal (OSC 52)."""
        view = self.view
        first, last = view.selection() or (view.cursor, view.cursor)
        text = "\n".join(self.lines[first:last + 1])
        self.app.copy_to_clipboard(text)
        self.copied = text
        view.select_from = None
        view.refresh()
        self._status(f"copied {last - first + 1} line(s)")

    def action_close(self) -> None:
        """Leave (once)."""
        if not self.closed:
            self.closed = True
            self.dismiss(self.copied)
