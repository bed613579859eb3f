"""``FixedScreen``: pyte's ``Screen`` with every fix we need, in one place.

pyte 0.8.2 keeps the cursor/erase/insert/delete/tab/charset logic; this subclass replaces what is slow or missing:
a fast ``draw`` (ASCII runs written as one dict update through a per-style cell cache; tmux's width policy for
wide, combining, VS16 and ZWJ code points), alternate screen (47/1047/1049), SU/SD, REP, bounded scrollback of lines
scrolled off the top of the main screen, private-mode flags (DECCKM, mouse, bracketed paste, DEC 2026, focus),
tmux-like resize and DECCOLM, ED 3 clearing only the history, and replies queued as bytes instead of dropped.
"""

from __future__ import annotations

import copy
from collections import deque
from typing import Any

import pyte
from pyte import modes as mo
from pyte.screens import Margins
from pyte import charsets as cs

from gastown_tui.terminal.cells import BLANK, ZWJ, Cell, char_width

_PASSTHROUGH = {5, 6, 7, 25}  # private modes pyte itself implements (DECSCNM, DECOM, DECAWM, DECTCEM)
_ALT = {47, 1047, 1049}
_REVERSE_BLANK = BLANK._replace(reverse=True)


class Row(list):  # type: ignore[type-arg]
    """A screen row: a list of cells plus ``extent``, an upper bound of the columns ever written.

    Cells at or after ``extent`` are still the blank the row was made with, so pushing the row to history trims
    its blank tail in O(1) instead of scanning 200 columns per scrolled line.
    """

    __slots__ = ("extent",)
    extent: int


_TEMPLATES: dict[tuple[Cell, int], list[Cell]] = {}


def _row(cell: Cell, n: int) -> Row:
    """A row of ``n`` copies of ``cell`` (extent 0 only when the cell is the plain blank)."""
    template = _TEMPLATES.get((cell, n))
    if template is None:
        if len(_TEMPLATES) > 64:
            _TEMPLATES.clear()
        template = _TEMPLATES[(cell, n)] = [cell] * n
    row = Row(template)  # one copy, no Python-level __init__: this runs once per scrolled line
    row.extent = 0 if cell is BLANK else n
    return row


class _CellMap(dict):  # type: ignore[type-arg]
    """char -> Cell for one style; cells are shared so a row is a list of references, not new tuples."""

    def __init__(self, attrs: Cell) -> None:
        super().__init__()
        self.attrs = attrs
        self.runs: dict[str, list[Cell]] = {}  # whole runs ("INFO ", "] ") repeat in logs: one slice copy

    def __missing__(self, ch: str) -> Cell:
        cell = self[ch] = self.attrs._replace(data=ch)
        return cell


class FixedScreen(pyte.Screen):
    """A pyte screen that is fast on logs and speaks what agent TUIs send (see module docstring)."""

    def __init__(self, columns: int, lines: int, history: int = 10_000) -> None:
        self.history: deque[list[Cell]] = deque(maxlen=max(0, history))  # trimmed rows, oldest first
        self.private_modes: set[int] = set()
        self.replies: list[bytes] = []
        self.in_alt = False
        self._main_buffer: Any = None
        self._alt_saved: tuple[Any, ...] | None = None
        self._maps: dict[Cell, _CellMap] = {}
        self._last_attrs: Cell | None = None
        self._last_map: _CellMap | None = None
        self._join_at: tuple[int, int, int] | None = None  # (y, x of last grapheme, cursor x after it)
        self._last_char = " "
        self.scrolled_off = 0  # total lines ever pushed to history (lets a scrolled-back view stay anchored)
        super().__init__(columns, lines)

    # -- state -------------------------------------------------------------------------------------------
    @property
    def default_char(self) -> Cell:  # type: ignore[override]
        """Blank cell in the default style (reverse under DECSCNM)."""
        return _REVERSE_BLANK if mo.DECSCNM in self.mode else BLANK

    def _new_buffer(self) -> list[list[Cell]]:
        """A blank row store: a list of rows, each a list of exactly ``columns`` cells."""
        blank = self.default_char
        return [_row(blank, self.columns) for _ in range(self.lines)]

    def reset(self) -> None:
        """RIS: pyte's reset plus our own state (rows are lists, so scrolling is a list rotation)."""
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

    # -- drawing -----------------------------------------------------------------------------------------
    def _cells(self) -> _CellMap:
        """The cell cache for the cursor's current style (one-entry memo avoids hashing attrs per run)."""
        attrs = self.cursor.attrs
        if attrs is self._last_attrs:
            return self._last_map  # type: ignore[return-value]
        cmap = self.cells_for(attrs)
        self._last_attrs, self._last_map = attrs, cmap
        return cmap

    def cells_for(self, attrs: Cell) -> _CellMap:
        """The shared char -> Cell cache of one style (the parser keeps it next to its SGR cache entries)."""
        cmap = self._maps.get(attrs)
        if cmap is None:
            if len(self._maps) > 1024:
                self._maps.clear()
            cmap = self._maps[attrs] = _CellMap(attrs)
        return cmap

    def _update_fast(self) -> None:
        """Recompute whether draw may skip charset translation and insert mode."""
        self._fast = (not self.charset and self.g0_charset is cs.LAT1_MAP
                      and mo.IRM not in self.mode)

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
        """DECRC (restores charsets too, so the draw fast-path flag is recomputed)."""
        super().restore_cursor()
        self._update_fast()

    def carriage_return_linefeed(self) -> None:
        """CR LF in one call (the commonest pair in any log)."""
        self.cursor.x = 0
        self.index()

    def draw(self, data: str) -> None:
        """Print text at the cursor: ASCII runs take the fast path, the rest goes grapheme by grapheme."""
        cur = self.cursor
        x = cur.x
        end = x + len(data)
        if end <= self.columns and self._fast and data.isascii():
            # fast path: the run fits on the current line
            line = self.buffer[cur.y]
            if x and line[x].data == "":
                line[x - 1] = line[x - 1]._replace(data=" ")
            cmap = self._last_map if cur.attrs is self._last_attrs else self._cells()
            cells = cmap.runs.get(data)  # type: ignore[union-attr]
            if cells is None:
                cells = list(map(cmap.__getitem__, data))  # type: ignore[union-attr]
                if len(data) < 64 and len(cmap.runs) < 512:  # type: ignore[union-attr]
                    cmap.runs[data] = cells  # type: ignore[union-attr]
            line[x:end] = cells
            if end >= line.extent:
                line.extent = end  # beyond the old extent there can be no wide-char stub to fix
            elif line[end].data == "":
                line[end] = line[end]._replace(data=" ")
            cur.x = end
            self.dirty.add(cur.y)
            self._join_at = (cur.y, end - 1, end)
            self._last_char = data
            return
        if self.charset or self.g0_charset is not cs.LAT1_MAP:
            data = data.translate(self.g1_charset if self.charset else self.g0_charset)
        if data.isascii():
            self._draw_ascii(data)
            return
        for run in _split_ascii(data):
            if run.isascii():
                self._draw_ascii(run)
            else:
                for ch in run:
                    self._draw_char(ch)

    def _draw_ascii(self, data: str) -> None:
        """Write a run of width-1 characters, wrapping at the margin (DECAWM) as a VT does."""
        cur = self.cursor
        cols = self.columns
        buf = self.buffer
        get = self._cells().__getitem__
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
            line = buf[cur.y]
            end = x + k
            if x and line[x].data == "":
                line[x - 1] = line[x - 1]._replace(data=" ")  # we overwrite the right half of a wide char
            line[x:end] = map(get, data[i:i + k] if (i or k < n) else data)
            if end > line.extent:
                line.extent = end
            if end < cols and line[end].data == "":
                line[end] = line[end]._replace(data=" ")  # we overwrote the left half of a wide char
            cur.x = end
            i += k
            self.dirty.add(cur.y)
        self._join_at = (cur.y, cur.x - 1, cur.x)
        self._last_char = data

    def _draw_char(self, ch: str) -> None:
        """Write one non-ASCII code point under the tmux width policy."""
        w = char_width(ch)
        cur = self.cursor
        join = self._join_at
        if join is not None and join[0] == cur.y and join[2] == cur.x:
            line = self.buffer[cur.y]
            prev = line[join[1]]
            if w == 0 or (w == 2 and prev.data.endswith(ZWJ)):
                line[join[1]] = prev._replace(data=prev.data + ch)
                self.dirty.add(cur.y)
                return
        if w <= 0:
            return  # zero-width with nothing to join, or unprintable
        cols = self.columns
        if w > cols:
            return
        if cur.x + w > cols:
            if mo.DECAWM in self.mode:
                self.dirty.add(cur.y)
                self.index()
                cur.x = 0
            else:
                cur.x = cols - w
        if mo.IRM in self.mode:
            self.insert_characters(w)
        x = cur.x
        line = self.buffer[cur.y]
        cmap = self._cells()
        if x and line[x].data == "":
            line[x - 1] = line[x - 1]._replace(data=" ")
        line[x] = cmap[ch]
        if w == 2:
            line[x + 1] = cmap[""]
        end = x + w
        if end > line.extent:
            line.extent = end
        if end < cols and line[end].data == "":
            line[end] = line[end]._replace(data=" ")
        cur.x = end
        self.dirty.add(cur.y)
        self._join_at = (cur.y, x, end)
        self._last_char = ch

    def repeat_last(self, count: int) -> None:
        """REP (CSI b): print the last graphic character again ``count`` times."""
        self.draw(self._last_char[-1] * max(1, min(count, 65535)))

    # -- scrolling and history ---------------------------------------------------------------------------
    def _push_history(self, line: list[Cell]) -> None:
        """Store a line that scrolled off the top as a compact tuple of shared cells (trailing blanks cut)."""
        self.scrolled_off += 1
        lo = min(line.extent, len(line))
        while lo and line[lo - 1] == BLANK:
            lo -= 1
        del line[lo:]  # the row left the screen for good: trim it in place instead of copying it
        self.history.append(line)

    def _scroll_up(self, top: int, bottom: int, count: int) -> None:
        """Move rows top..bottom up by ``count``; rows leaving the top of the main screen go to history."""
        buf = self.buffer
        count = min(count, bottom - top + 1)
        blank = self._scroll_blank()
        for _ in range(count):
            line = buf.pop(top)
            if top == 0 and not self.in_alt and self.history.maxlen:
                self._push_history(line)
            buf.insert(bottom, _row(blank, self.columns))
        self.dirty.update(range(top, bottom + 1))

    def _scroll_blank(self) -> Cell:
        """The cell new lines are made of: the cursor's background when it has one (BCE), else blank."""
        attrs = self.cursor.attrs
        return attrs if attrs is not BLANK and attrs.bg != "default" else self.default_char

    def _scroll_down(self, top: int, bottom: int, count: int) -> None:
        """Move rows top..bottom down by ``count``, blank rows appear at the top."""
        buf = self.buffer
        count = min(count, bottom - top + 1)
        blank = self.cursor.attrs if self.cursor.attrs.bg != "default" else self.default_char
        for _ in range(count):
            del buf[bottom]
            buf.insert(top, _row(blank, self.columns))
        self.dirty.update(range(top, bottom + 1))

    def insert_lines(self, count: int | None = None) -> None:
        """IL: insert blank lines at the cursor row, inside the scroll region."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if top <= self.cursor.y <= bottom:
            self._scroll_down(self.cursor.y, bottom, count or 1)
            self.carriage_return()

    def delete_lines(self, count: int | None = None) -> None:
        """DL: delete lines at the cursor row, inside the scroll region (never feeds history)."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if top <= self.cursor.y <= bottom:
            buf = self.buffer
            count = min(count or 1, bottom - self.cursor.y + 1)
            blank = self.cursor.attrs if self.cursor.attrs.bg != "default" else self.default_char
            for _ in range(count):
                del buf[self.cursor.y]
                buf.insert(bottom, _row(blank, self.columns))
            self.dirty.update(range(self.cursor.y, bottom + 1))
            self.carriage_return()

    def insert_characters(self, count: int | None = None) -> None:
        """ICH: shift the rest of the line right."""
        x = min(self.cursor.x, self.columns - 1)
        count = min(count or 1, self.columns - x)
        line = self.buffer[self.cursor.y]
        line[x:x] = [self.cursor.attrs] * count
        del line[self.columns:]
        line.extent = self.columns if self.cursor.attrs is not BLANK else min(self.columns, line.extent + count)
        self.dirty.add(self.cursor.y)

    def delete_characters(self, count: int | None = None) -> None:
        """DCH: shift the rest of the line left, blanks enter at the right."""
        x = min(self.cursor.x, self.columns - 1)
        count = min(count or 1, self.columns - x)
        line = self.buffer[self.cursor.y]
        del line[x:x + count]
        line.extend([self.cursor.attrs] * count)
        if self.cursor.attrs is not BLANK:
            line.extent = self.columns
        self.dirty.add(self.cursor.y)

    def erase_characters(self, count: int | None = None) -> None:
        """ECH: blank ``count`` cells from the cursor."""
        x = min(self.cursor.x, self.columns - 1)
        end = min(x + (count or 1), self.columns)
        self._fill(self.buffer[self.cursor.y], x, end)

    def erase_in_line(self, how: int = 0, private: bool = False) -> None:
        """EL 0/1/2 with the cursor's background (BCE)."""
        x = min(self.cursor.x, self.columns - 1)
        start, end = {0: (x, self.columns), 1: (0, x + 1), 2: (0, self.columns)}.get(how, (0, 0))
        self._fill(self.buffer[self.cursor.y], start, end)

    def _fill(self, line: Row, start: int, end: int) -> None:
        """Erase cells start..end of a row with the cursor's style."""
        attrs = self.cursor.attrs
        line[start:end] = [attrs] * (end - start)
        if attrs is not BLANK and end > line.extent:
            line.extent = end
        self.dirty.add(self.cursor.y)

    def alignment_display(self) -> None:
        """DECALN: fill the screen with E."""
        e = self.default_char._replace(data="E")
        self.buffer = [_row(e, self.columns) for _ in range(self.lines)]
        self.dirty.update(range(self.lines))

    def index(self) -> None:
        """IND/LF: move down, scrolling the region (and feeding history) at its bottom."""
        margins = self.margins
        top, bottom = (0, self.lines - 1) if margins is None else margins
        y = self.cursor.y
        if y == bottom:
            if top == 0 and margins is None:  # the common full-screen scroll, inlined
                buf = self.buffer
                line = buf.pop(0)
                if not self.in_alt and self.history.maxlen:
                    self._push_history(line)
                buf.append(_row(self._scroll_blank(), self.columns))
                dirty = self.dirty
                if len(dirty) < self.lines:
                    dirty.update(range(self.lines))
            else:
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

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        """ED; 3 clears the scrollback only (xterm), and default-style erases just drop rows."""
        if how == 3:
            self.history.clear()
            return
        y = self.cursor.y
        rows = {0: range(y + 1, self.lines), 1: range(y), 2: range(self.lines)}.get(how, range(0))
        for r in rows:
            self.buffer[r] = _row(self.cursor.attrs, self.columns)
        self.dirty.update(rows)
        if how in (0, 1):
            self.erase_in_line(how)

    # -- modes -------------------------------------------------------------------------------------------
    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        """SM / DECSET."""
        if not kwargs.get("private"):
            super().set_mode(*modes)
            self._update_fast()
            return
        for m in modes:
            if m == 5:
                self._set_screen_reverse(True)
            elif m in _PASSTHROUGH:
                super().set_mode(m, private=True)
            elif m == 3:  # DECCOLM: like tmux, clear and home but keep our real width
                self.erase_in_display(2)
                self.cursor_position()
            elif m in _ALT:
                self._enter_alt(save=m == 1049)
            elif m == 1048:
                self._save_alt_cursor()
            else:
                self.private_modes.add(m)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        """RM / DECRST."""
        if not kwargs.get("private"):
            super().reset_mode(*modes)
            self._update_fast()
            return
        for m in modes:
            if m == 5:
                self._set_screen_reverse(False)
            elif m in _PASSTHROUGH:
                super().reset_mode(m, private=True)
            elif m == 3:
                self.erase_in_display(2)
                self.cursor_position()
            elif m in _ALT:
                self._leave_alt(clear=m != 47, restore=m == 1049)
            elif m == 1048:
                self._restore_alt_cursor()
            else:
                self.private_modes.discard(m)

    def _set_screen_reverse(self, on: bool) -> None:
        """DECSCNM: flip every cell's reverse flag (rare; vttest uses it)."""
        if (mo.DECSCNM in self.mode) == on:
            return
        (self.mode.add if on else self.mode.discard)(mo.DECSCNM)
        self.buffer = [Row([c._replace(reverse=on) for c in line]) for line in self.buffer]
        for line in self.buffer:
            line.extent = self.columns
        self.cursor.attrs = self.cursor.attrs._replace(reverse=on)
        self.dirty.update(range(self.lines))

    def _save_alt_cursor(self) -> None:
        self._alt_saved = (copy.copy(self.cursor), self.g0_charset, self.g1_charset, self.charset)

    def _restore_alt_cursor(self) -> None:
        if self._alt_saved is not None:
            cursor, self.g0_charset, self.g1_charset, self.charset = self._alt_saved
            self.cursor = copy.copy(cursor)
            self._update_fast()
            self.ensure_hbounds()
            self.ensure_vbounds()

    def _enter_alt(self, save: bool) -> None:
        """Switch to a fresh alternate buffer (history is never fed from it)."""
        if save:
            self._save_alt_cursor()
        if self.in_alt:
            if save:
                self.buffer = self._new_buffer()
            return
        self._main_buffer = self.buffer
        self.buffer = self._new_buffer()
        self.in_alt = True
        self._join_at = None
        self.dirty.update(range(self.lines))

    def _leave_alt(self, clear: bool, restore: bool) -> None:
        """Back to the main buffer, which was kept untouched."""
        if self.in_alt:
            self.buffer = self._main_buffer
            self._main_buffer = None
            self.in_alt = False
            self._join_at = None
            self.dirty.update(range(self.lines))
        if restore:
            self._restore_alt_cursor()

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
            push = excess - below
            for _ in range(push):
                line = self.buffer.pop(0)
                if not self.in_alt and self.history.maxlen:
                    self._push_history(line)
            self.cursor.y -= push
        else:
            self.buffer.extend(_row(blank, self.columns) for _ in range(lines - self.lines))
        buffers = [self.buffer] + ([self._main_buffer] if self._main_buffer is not None else [])
        if self._main_buffer is not None:
            del self._main_buffer[lines:]
            self._main_buffer.extend(_row(blank, self.columns) for _ in range(lines - len(self._main_buffer)))
        for buf in buffers:
            for line in buf:
                if columns < len(line):
                    del line[columns:]
                else:
                    line.extend([blank] * (columns - len(line)))
                    if blank is not BLANK:
                        line.extent = columns
                line.extent = min(line.extent, columns)
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
    def row_text(self, y: int) -> str:
        """Visible text of one row (a wide character's stub contributes nothing)."""
        return "".join([c.data for c in self.buffer[y]])

    @property
    def display(self) -> list[str]:  # type: ignore[override]
        """All visible rows as text."""
        return [self.row_text(y) for y in range(self.lines)]


def _split_ascii(data: str) -> list[str]:
    """Split text into alternating ASCII / non-ASCII runs."""
    return _RUNS.findall(data)


import re  # noqa: E402  (kept next to its only use)

_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")
