"""``FixedScreen``: pyte's ``Screen`` with every fix we need, in one place.

pyte 0.8.2 keeps cursor movement, margins, tabs, charsets and DECSC/DECRC. This subclass replaces the row store
(``rows.Row``: parallel character/style lists, so drawing is slice assignment, not a cell object per character),
``draw`` (tmux 3.3a's width policy for wide, combining, VS16 and ZWJ code points), scrolling with a bounded
scrollback of lines leaving the top of the main screen, SU/SD/REP, line and character editing, tmux-like resize,
and replies queued as bytes. Line/character editing and erasing: ``editing.EditingMixin``; modes and the alternate
screen: ``modes.ModesMixin``.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

import pyte
from pyte import charsets as cs
from pyte import modes as mo
from pyte.screens import Margins

from gastown_tui.terminal.cells import BLANK, ZWJ, Cell, char_width
from gastown_tui.terminal.editing import EditingMixin
from gastown_tui.terminal.modes import ModesMixin
from gastown_tui.terminal.rows import CellMaps, HistoryLine, Row, blank_row, compact, line_parts, line_text

_REVERSE_BLANK = BLANK._replace(reverse=True)
_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


class FixedScreen(EditingMixin, ModesMixin, pyte.Screen):
    """A pyte screen that is fast on logs and speaks what agent TUIs send (see module docstring)."""

    def __init__(self, columns: int, lines: int, history: int = 10_000) -> None:
        self.history: deque[HistoryLine] = deque(maxlen=max(0, history))  # oldest first
        self._raw_history = 0  # newest history entries not yet compacted
        self.private_modes: set[int] = set()
        self.replies: list[bytes] = []
        self.in_alt = False
        self._main_buffer: Any = None
        self._alt_saved: tuple[Any, ...] | None = None
        self.maps = CellMaps()
        self._join_at: tuple[int, int, int] | None = None  # (y, x of last grapheme, cursor x after it)
        self._last_char = " "
        self._fast = True
        self.scrolled_off = 0  # total lines ever pushed to history (lets a scrolled-back view stay anchored)
        super().__init__(columns, lines)

    # -- state -------------------------------------------------------------------------------------------
    @property
    def default_char(self) -> Cell:  # type: ignore[override]
        """Blank cell in the default style (reverse under DECSCNM)."""
        return _REVERSE_BLANK if mo.DECSCNM in self.mode else BLANK

    def _new_buffer(self) -> list[Row]:
        """A blank row store."""
        return [blank_row(self.default_char, self.columns) for _ in range(self.lines)]

    def reset(self) -> None:
        """RIS: pyte's reset plus our own state."""
        self.in_alt = False
        self._main_buffer = None
        super().reset()
        self.buffer = self._new_buffer()
        self.cursor.attrs = self.default_char
        self.private_modes = set()
        self._join_at = None
        self._update_fast()

    def write_process_input(self, data: str) -> None:
        """Queue a reply to the child (DA, DSR, CPR...) instead of dropping it."""
        self.replies.append(data.encode())

    def _update_fast(self) -> None:
        """Whether text may skip charset translation and insert mode (the parser's inlined fast path)."""
        self._fast = not self.charset and self.g0_charset is cs.LAT1_MAP and mo.IRM not in self.mode

    def define_charset(self, code: str, mode: str) -> None:
        """SCS: designate G0/G1."""
        super().define_charset(code, mode)
        self._update_fast()

    def shift_in(self) -> None:
        """SI: G0."""
        self.charset = 0
        self._update_fast()

    def shift_out(self) -> None:
        """SO: G1."""
        self.charset = 1
        self._update_fast()

    def restore_cursor(self) -> None:
        """DECRC (restores charsets too)."""
        super().restore_cursor()
        self._update_fast()

    # -- drawing -----------------------------------------------------------------------------------------
    def draw(self, data: str) -> None:
        """Print text at the cursor: ASCII runs go in slices, the rest code point by code point."""
        if self.charset or self.g0_charset is not cs.LAT1_MAP:
            data = data.translate(self.g1_charset if self.charset else self.g0_charset)
        if data.isascii():
            self._draw_ascii(data)
            return
        for run in _RUNS.findall(data):
            if run.isascii():
                self._draw_ascii(run)
            else:
                for ch in run:
                    self._draw_char(ch)

    def _draw_ascii(self, data: str) -> None:
        """Write width-1 characters, wrapping at the margin (DECAWM) as a VT does."""
        cur = self.cursor
        cols = self.columns
        i, n = 0, len(data)
        while i < n:
            x = cur.x
            if x >= cols:
                if mo.DECAWM in self.mode:
                    self.dirty.add(cur.y)
                    self.index()
                    x = cur.x = 0
                else:
                    x = cols - 1
                    i = n - 1  # without autowrap only the last character survives in the last column
            k = min(n - i, cols - x)
            if mo.IRM in self.mode:
                self.insert_characters(k)
            self._put(self.buffer[cur.y], x, data[i:i + k], k)
            cur.x = x + k
            i += k
        self._join_at = (cur.y, cur.x - 1, cur.x)
        self._last_char = data

    def _put(self, row: Row, x: int, text: str | list[str], width: int) -> None:
        """Store ``text`` (``width`` cells) at ``x`` in the cursor's style, repairing split wide characters."""
        end = x + width
        chars = row.chars
        if x and x < row.extent and chars[x] == "":
            chars[x - 1] = " "  # we overwrite the right half of a wide character
        chars[x:end] = text
        row.styles[x:end] = [self.cursor.attrs] * width
        if end >= row.extent:
            row.extent = end
        elif chars[end] == "":
            chars[end] = " "  # we overwrote the left half of a wide character
        self.dirty.add(self.cursor.y)

    def _draw_char(self, ch: str) -> None:
        """Write one non-ASCII code point under the tmux width policy."""
        w = char_width(ch)
        cur = self.cursor
        join = self._join_at
        if join is not None and join[0] == cur.y and join[2] == cur.x:
            chars = self.buffer[cur.y].chars
            prev = chars[join[1]]
            if w == 0 or (w == 2 and prev.endswith(ZWJ)):
                chars[join[1]] = prev + ch
                self.dirty.add(cur.y)
                return
        if w <= 0 or w > self.columns:
            return  # zero-width with nothing to join, or unprintable
        if cur.x + w > self.columns:
            if mo.DECAWM in self.mode:
                self.dirty.add(cur.y)
                self.index()
                cur.x = 0
            else:
                cur.x = self.columns - w
        if mo.IRM in self.mode:
            self.insert_characters(w)
        x = cur.x
        self._put(self.buffer[cur.y], x, [ch, ""] if w == 2 else [ch], w)
        cur.x = x + w
        self._join_at = (cur.y, x, cur.x)
        self._last_char = ch

    def repeat_last(self, count: int = 1) -> None:
        """REP (CSI b): print the last graphic character again ``count`` times."""
        self.draw(self._last_char[-1] * max(1, min(count or 1, 65535)))

    # -- scrolling and history ---------------------------------------------------------------------------
    def _push_history(self, row: Row) -> Row | None:
        """Keep a row that left the top of the main screen (as is: it is never drawn on again).

        Returns the raw row the bounded history dropped, if any, so the caller can reuse it as the new blank
        line: during a flood that saves three allocations per line and much of the garbage collector's work.
        """
        history = self.history
        if self.in_alt or not history.maxlen:
            return None
        self.scrolled_off += 1
        dropped = history.popleft() if len(history) == history.maxlen else None
        history.append(row)
        self._raw_history = min(self._raw_history + 1, len(history))
        return dropped if isinstance(dropped, Row) else None

    def compact_history(self, budget: int = 2000) -> int:
        """Compress up to ``budget`` of the newest raw history lines (call when idle); return how many are left."""
        history = self.history
        n = min(self._raw_history, budget)
        start = len(history) - self._raw_history
        for i in range(start, start + n):
            line = history[i]
            if isinstance(line, Row):
                history[i] = compact(line)
        self._raw_history -= n
        return self._raw_history

    def _blank(self) -> Cell:
        """The style of new blank lines: the cursor's background when it has one (BCE), else plain."""
        attrs = self.cursor.attrs
        return attrs if attrs is not BLANK and attrs.bg != "default" else self.default_char

    def _scroll_up(self, top: int, bottom: int, count: int) -> None:
        """Move rows top..bottom up by ``count``; rows leaving the top of the screen go to history."""
        buf = self.buffer
        blank = self._blank()
        for _ in range(min(count, bottom - top + 1)):
            row = buf.pop(top)
            if top == 0:
                self._push_history(row)
            buf.insert(bottom, blank_row(blank, self.columns))
        self.dirty.update(range(top, bottom + 1))

    def _scroll_down(self, top: int, bottom: int, count: int) -> None:
        """Move rows top..bottom down by ``count``; blank rows appear at the top."""
        buf = self.buffer
        blank = self._blank()
        for _ in range(min(count, bottom - top + 1)):
            del buf[bottom]
            buf.insert(top, blank_row(blank, self.columns))
        self.dirty.update(range(top, bottom + 1))

    def carriage_return_linefeed(self) -> None:
        """CR LF in one call (the commonest pair in any log); the full-screen scroll is inlined."""
        cur = self.cursor
        cur.x = 0
        lines = self.lines
        if cur.y != lines - 1 or self.margins is not None or cur.attrs is not BLANK:
            self.index()
            return
        buf = self.buffer
        row = self._push_history(buf.pop(0))
        if row is None:
            row = blank_row(BLANK, self.columns)
        else:
            row.recycle(self.columns)
        buf.append(row)
        if len(self.dirty) < lines:
            self.dirty.update(range(lines))

    def index(self) -> None:
        """IND/LF: move down, scrolling the region (and feeding history) at its bottom."""
        margins = self.margins
        top, bottom = (0, self.lines - 1) if margins is None else margins
        y = self.cursor.y
        if y == bottom:
            self._scroll_up(top, bottom, 1)
        elif y < self.lines - 1:
            self.cursor.y = y + 1

    def reverse_index(self) -> None:
        """RI: move up, scrolling the region down at its top."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if self.cursor.y == top:
            self._scroll_down(top, bottom, 1)
        elif self.cursor.y > 0:
            self.cursor.y -= 1

    def scroll_up(self, count: int = 1) -> None:
        """SU (CSI S): scroll the region up."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        self._scroll_up(top, bottom, count or 1)

    def scroll_down(self, count: int = 1) -> None:
        """SD (CSI T): scroll the region down."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        self._scroll_down(top, bottom, count or 1)

    def set_margins(self, top: int | None = None, bottom: int | None = None) -> None:
        """DECSTBM: 0 or missing means the screen edge; the cursor always goes home."""
        top = top or 1
        bottom = min(bottom or self.lines, self.lines)
        if bottom - top >= 1:
            self.margins = None if (top, bottom) == (1, self.lines) else Margins(top - 1, bottom - 1)
            self.cursor_position()

    # -- size --------------------------------------------------------------------------------------------
    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        """Resize like tmux: shrinking drops rows below the cursor first, then pushes top rows to history."""
        lines = lines or self.lines
        columns = columns or self.columns
        if lines == self.lines and columns == self.columns:
            return
        blank = self.default_char
        if lines < self.lines:
            excess = self.lines - lines
            below = min(excess, self.lines - 1 - self.cursor.y)
            del self.buffer[self.lines - below:]
            for _ in range(excess - below):
                self._push_history(self.buffer.pop(0))
            self.cursor.y -= excess - below
        buffers = [self.buffer] + ([self._main_buffer] if self._main_buffer is not None else [])
        for buf in buffers:
            del buf[lines:]
            buf.extend(blank_row(blank, self.columns) for _ in range(lines - len(buf)))
            for row in buf:
                n = len(row.chars)
                if columns < n:
                    del row.chars[columns:]
                    del row.styles[columns:]
                    row.extent = min(row.extent, columns)
                else:
                    row.chars.extend([" "] * (columns - n))
                    row.styles.extend([blank] * (columns - n))
        old_cols = self.columns
        self.lines, self.columns = lines, columns
        self.margins = None
        if columns > old_cols:
            self.tabstops.update(range(old_cols - old_cols % 8 + 8, columns, 8))
        self.tabstops = {t for t in self.tabstops if t < columns}
        self.cursor.x = min(self.cursor.x, columns - 1)
        self.cursor.y = min(max(self.cursor.y, 0), lines - 1)
        self._join_at = None
        self.dirty.update(range(lines))

    # -- reading -----------------------------------------------------------------------------------------
    def row_cells(self, y: int) -> list[Cell]:
        """Cells of visible row ``y``."""
        row = self.buffer[y]
        return self.maps.cells(row.chars, row.styles)

    def history_cells(self, index: int) -> list[Cell]:
        """Cells of history line ``index`` (0 = oldest), unpadded."""
        chars, styles = line_parts(self.history[index])
        return self.maps.cells(chars, styles)

    def history_text(self, index: int) -> str:
        """Text of history line ``index``."""
        return line_text(self.history[index])

    def row_text(self, y: int) -> str:
        """Visible text of one row (a wide character's stub contributes nothing)."""
        return "".join(self.buffer[y].chars)

    @property
    def display(self) -> list[str]:  # type: ignore[override]
        """All visible rows as text."""
        return [self.row_text(y) for y in range(self.lines)]
