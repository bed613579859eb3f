"""`RemoteScreen`: a pane's screen on the client side, rebuilt from PaneSnapshot/PaneUpdate; a ScreenSource.

`widgets.terminal_view.TerminalView` reads it exactly like a local TerminalScreen: rows of cells, dirty rows,
cursor, modes, scrollback counters. History rows come from pages fetched on demand (`history_row` of a line not
fetched yet returns blanks and asks `on_need_history(start)` once; the page's arrival marks the view dirty).
Cells carry their OSC 8 `link`; OSC 52 writes wait in `take_clipboard()` for the view (which copies them only
while focused). While the child uses the kitty keyboard protocol, `encode_key` hands the key name to `on_key`
(the client sends it as `TypeKeys.key`, the engine encodes it) and returns b"" so the view sends no bytes itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from gastown_tui.engine.api.panes import (
    BLINK, BOLD, DIM, ITALIC, REVERSE, STRIKE, UNDERLINE, PaneModes, PaneRow, PaneSnapshot, PaneUpdate, Run,
    ScrollbackPage,
)

HISTORY_PAGE = 200
"""Scrollback lines fetched per request."""


class ViewCell(NamedTuple):
    """One cell as TerminalView reads it (CellLike)."""

    char: str = " "
    fg: str = "default"
    bg: str = "default"
    bold: bool = False
    italic: bool = False
    underline: bool = False
    reverse: bool = False
    strikethrough: bool = False
    dim: bool = False
    blink: bool = False
    width: int = 1
    link: str = ""


BLANK = ViewCell()
STUB = ViewCell(char="", width=0)


@lru_cache(maxsize=8192)
def run_cells(run: Run) -> tuple[ViewCell, ...]:
    """The cells of one run (a wide cell brings its stub); cached: scrolled rows repeat the same runs."""
    a = run.attrs
    style = (run.fg, run.bg, bool(a & BOLD), bool(a & ITALIC), bool(a & UNDERLINE), bool(a & REVERSE),
             bool(a & STRIKE), bool(a & DIM), bool(a & BLINK))
    if run.cell == 0:
        return tuple(ViewCell(ch, *style, 1, run.link) for ch in run.text)
    first = ViewCell(run.text, *style, run.cell, run.link)
    return (first, STUB._replace(bg=run.bg, reverse=style[5])) if run.cell == 2 else (first,)


def row_cells(row: PaneRow, cols: int) -> list[ViewCell]:
    """A row's cells, padded or cut to exactly `cols`."""
    cells: list[ViewCell] = []
    for run in row.runs:
        cells.extend(run_cells(run))
    if len(cells) < cols:
        cells.extend([BLANK] * (cols - len(cells)))
    return cells[:cols]


class RemoteScreen:
    """The client's copy of one pane (see the module docstring)."""

    def __init__(self, snapshot: PaneSnapshot, on_need_history: Callable[[int], None] | None = None,
                 on_key: Callable[[str, str], None] | None = None) -> None:
        self.address = snapshot.address
        self.on_need_history = on_need_history
        self.on_key = on_key
        self._clipboard: list[str] = []
        self._history: dict[int, list[ViewCell]] = {}
        self._asked: set[int] = set()
        self.apply(snapshot)

    def apply(self, update: PaneSnapshot | PaneUpdate) -> None:
        """Take a snapshot (all rows) or an update (changed rows; a size change resets the grid)."""
        full = isinstance(update, PaneSnapshot)
        if full or (update.cols, update.rows) != (getattr(self, "cols", -1), getattr(self, "rows", -1)):
            self.cols, self.rows = update.cols, update.rows
            self._grid: list[list[ViewCell]] = [[BLANK] * self.cols for _ in range(self.rows)]
            self._dirty: set[int] = set(range(self.rows))
        for line in update.lines:
            if 0 <= line.y < self.rows:
                self._grid[line.y] = row_cells(line, self.cols)
                self._dirty.add(line.y)
        if full and update.lines:
            self._dirty = set(range(self.rows))
        if update.scrolled_off != getattr(self, "scrolled_off", update.scrolled_off):
            self._history.clear()  # indexes shifted (lines were dropped from the front of the history)
            self._asked.clear()
        self.scrolled_off = update.scrolled_off
        self.scrollback_lines = update.scrollback_lines
        self._cursor = (update.cursor_x, update.cursor_y, update.modes.cursor_visible)
        self._modes = update.modes
        self.seq = update.seq
        if isinstance(update, PaneUpdate) and update.clipboard:
            self._clipboard.extend(update.clipboard)

    def add_history(self, page: ScrollbackPage) -> None:
        """A fetched page of scrollback."""
        for offset, line in enumerate(page.lines):
            self._history[page.start + offset] = row_cells(line, self.cols)
        self._dirty.update(range(self.rows))  # the view repaints the history it shows

    # -- ScreenSource ------------------------------------------------------------------------------------------

    def row(self, y: int) -> list[ViewCell]:
        """Screen row y."""
        return self._grid[y] if 0 <= y < self.rows else [BLANK] * self.cols

    def history_row(self, index: int) -> list[ViewCell]:
        """Scrollback line `index` (0 = oldest); blank until its page arrives."""
        cells = self._history.get(index)
        if cells is not None:
            return cells
        start = index - index % HISTORY_PAGE
        if start not in self._asked and self.on_need_history is not None:
            self._asked.add(start)
            self.on_need_history(start)
        return [BLANK] * self.cols

    def take_dirty(self) -> set[int]:
        """Rows changed since the last call."""
        dirty, self._dirty = self._dirty, set()
        return dirty

    @property
    def cursor(self) -> tuple[int, int, bool]:
        """(x, y, visible)."""
        return self._cursor

    @property
    def modes(self) -> PaneModes:
        """The pane's modes."""
        return self._modes

    def take_clipboard(self) -> list[str]:
        """OSC 52 texts the child wrote since the last call, oldest first."""
        texts, self._clipboard = self._clipboard, []
        return texts

    @property
    def kitty_keyboard_flags(self) -> int:
        """The kitty keyboard flags the child pushed; only honoured when the key can reach the engine (`on_key`)."""
        return self._modes.kitty_flags if self.on_key is not None else 0

    def encode_key(self, key: str, character: str | None = None) -> bytes | None:
        """Kitty keys are encoded engine-side: hand the key to `on_key`; b"" tells the view the key is taken."""
        if self.on_key is None:
            return None
        self.on_key(key, character or "")
        return b""

    @property
    def display(self) -> list[str]:
        """Rows as text (tests compare it with the engine's own screen)."""
        return ["".join(cell.char for cell in row) for row in self._grid]
