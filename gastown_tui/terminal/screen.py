"""``TerminalScreen``: the one small interface the rest of Gas Town uses for a VT screen.

It wraps ``FixedScreen`` (pyte + fixes) and the regex ``Parser`` and adds what callers need: dirty rows held back
while a DEC 2026 synchronized frame is open (with a timeout so a child that never closes its frame still paints),
queued replies, mode flags, and scrollback with search.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from gastown_tui.terminal.cells import BLANK, Cell
from gastown_tui.terminal.parser import Parser
from gastown_tui.terminal.pyte_fixes import FixedScreen

SYNC_TIMEOUT = 0.5  # seconds a DEC 2026 frame may hold repaints (xterm/foot use 150 ms-1 s)


@dataclass(frozen=True)
class Modes:
    """Snapshot of the terminal modes a host or widget acts on."""

    bracketed_paste: bool
    mouse_tracking: bool
    mouse_sgr: bool
    app_cursor_keys: bool
    alt_screen: bool
    synchronized: bool
    focus_events: bool
    cursor_visible: bool


@dataclass(frozen=True)
class SearchHit:
    """One match: ``line`` indexes ``scrollback_lines + display`` (0 = oldest history line)."""

    line: int
    column: int
    text: str


class TerminalScreen:
    """A VT screen: feed bytes in, read rows of ``Cell``s, dirty rows, modes, replies and scrollback out."""

    def __init__(self, cols: int = 80, rows: int = 24, scrollback: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._screen = FixedScreen(cols, rows, history=scrollback)
        self._parser = Parser(self._screen)
        self._clock = clock
        self._sync_since: float | None = None
        self.sync_timeout = SYNC_TIMEOUT

    # -- input -------------------------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """Parse child output; replies to queries are queued for ``take_replies``."""
        self._parser.feed(data)
        self._track_sync()

    def feed_text(self, text: str) -> None:
        """Parse already-decoded output (tests, synthetic content)."""
        self._parser.feed_text(text)
        self._track_sync()

    def _track_sync(self) -> None:
        """Remember when a synchronized frame opened, for the hold timeout."""
        if 2026 in self._screen.private_modes:
            if self._sync_since is None:
                self._sync_since = self._clock()
        else:
            self._sync_since = None

    def resize(self, cols: int, rows: int) -> None:
        """Change the size (the PTY host resizes the child at the same time)."""
        self._screen.resize(rows, cols)

    # -- output ------------------------------------------------------------------------------------------
    def take_replies(self) -> bytes:
        """Bytes the terminal must send back to the child (DA, DSR, CPR, DECRQM, OSC colour answers)."""
        replies = self._screen.replies
        if not replies:
            return b""
        self._screen.replies = []
        return b"".join(replies)

    def take_dirty(self) -> set[int]:
        """Rows changed since the last call; empty while a DEC 2026 frame is open (until it times out)."""
        if self._sync_since is not None and self._clock() - self._sync_since < self.sync_timeout:
            return set()
        screen = self._screen
        dirty = {y for y in screen.dirty if 0 <= y < screen.lines}
        screen.dirty = set()
        return dirty

    @property
    def frame_pending(self) -> bool:
        """True while a synchronized frame holds dirty rows back (the host may poll again after the timeout)."""
        return self._sync_since is not None

    def row(self, y: int) -> list[Cell]:
        """Cells of visible row ``y`` (exactly ``cols`` of them; a wide char is followed by a "" stub)."""
        return self._screen.row_cells(y)

    def history_row(self, index: int) -> list[Cell]:
        """Cells of scrollback line ``index`` (0 = oldest), padded to the current width."""
        cells = self._screen.history_cells(index)[: self.cols]
        return cells + [BLANK] * (self.cols - len(cells))

    @property
    def display(self) -> list[str]:
        """Visible rows as text (stubs of wide characters omitted, as in pyte)."""
        return self._screen.display

    @property
    def cursor(self) -> tuple[int, int, bool]:
        """(x, y, visible); x is clamped to the last column while a wrap is pending."""
        c = self._screen.cursor
        return min(c.x, self._screen.columns - 1), c.y, not c.hidden

    @property
    def title(self) -> str:
        """Window title from OSC 0/2."""
        return self._screen.title

    @property
    def cols(self) -> int:
        """Width in columns."""
        return self._screen.columns

    @property
    def rows(self) -> int:
        """Height in rows."""
        return self._screen.lines

    @property
    def modes(self) -> Modes:
        """Current mode flags."""
        s = self._screen
        pm = s.private_modes
        return Modes(
            bracketed_paste=2004 in pm,
            mouse_tracking=bool(pm & {1000, 1002, 1003}),
            mouse_sgr=1006 in pm,
            app_cursor_keys=1 in pm,
            alt_screen=s.in_alt,
            synchronized=2026 in pm,
            focus_events=1004 in pm,
            cursor_visible=not s.cursor.hidden,
        )

    @property
    def mouse_modes(self) -> frozenset[int]:
        """Which of 1000/1002/1003/1006 the child enabled."""
        return frozenset(self._screen.private_modes & {1000, 1002, 1003, 1006})

    # -- scrollback --------------------------------------------------------------------------------------
    @property
    def scrollback_lines(self) -> int:
        """How many lines the scrollback holds now (bounded by the ``scrollback`` argument)."""
        return len(self._screen.history)

    @property
    def scrolled_off(self) -> int:
        """Lines ever pushed into scrollback (monotonic; lets a scrolled-back view stay anchored)."""
        return self._screen.scrolled_off

    def history_text(self, index: int) -> str:
        """Text of scrollback line ``index`` (0 = oldest), trailing blanks cut."""
        return self._screen.history_text(index)

    def search(self, text: str, ignore_case: bool = True) -> list[SearchHit]:
        """Find ``text`` in scrollback then the visible rows, oldest first."""
        needle = text.lower() if ignore_case else text
        hits: list[SearchHit] = []
        lines = [self.history_text(i) for i in range(self.scrollback_lines)] + [r.rstrip() for r in self.display]
        for n, line in enumerate(lines):
            hay = line.lower() if ignore_case else line
            start = hay.find(needle)
            while start >= 0 and needle:
                hits.append(SearchHit(n, start, line))
                start = hay.find(needle, start + 1)
        return hits

    def compact(self, budget: int = 2000) -> int:
        """Compress recent scrollback lines (about 3x smaller); call when the session is idle. Returns lines left."""
        return self._screen.compact_history(budget)

    def clear_scrollback(self) -> None:
        """Forget the scrollback (as ED 3 does)."""
        self._screen.erase_in_display(3)
