"""``FixedScreen``: pyte's ``Screen`` with every fix we need, in one place.

pyte 0.8.2 keeps the cursor/erase/insert/delete/tab/charset logic; this subclass replaces what is slow or missing:
a fast ``draw`` (ASCII runs written as one dict update through a per-style cell cache; tmux's width policy for
wide, combining, VS16 and ZWJ code points), alternate screen (47/1047/1049), SU/SD, REP, bounded scrollback of lines
scrolled off the top of the main screen, private-mode flags (DECCKM, mouse, bracketed paste, DEC 2026, focus),
tmux-like resize and DECCOLM, ED 3 clearing only the history, and replies queued as bytes instead of dropped.
"""

from __future__ import annotations

import copy
from collections import defaultdict, deque
from typing import Any

import pyte
from pyte import modes as mo
from pyte.screens import Margins, StaticDefaultDict
from pyte import charsets as cs

from gastown_tui.terminal.cells import BLANK, ZWJ, Cell, char_width

Line = StaticDefaultDict  # dict[int, Cell] with a static default
_PASSTHROUGH = {5, 6, 7, 25}  # private modes pyte itself implements (DECSCNM, DECOM, DECAWM, DECTCEM)
_ALT = {47, 1047, 1049}
_REVERSE_BLANK = BLANK._replace(reverse=True)


class _CellMap(dict):  # type: ignore[type-arg]
    """char -> Cell for one style; cells are shared so a row is a list of references, not new tuples."""

    def __init__(self, attrs: Cell) -> None:
        super().__init__()
        self.attrs = attrs

    def __missing__(self, ch: str) -> Cell:
        cell = self[ch] = self.attrs._replace(data=ch)
        return cell


class FixedScreen(pyte.Screen):
    """A pyte screen that is fast on logs and speaks what agent TUIs send (see module docstring)."""

    def __init__(self, columns: int, lines: int, history: int = 10_000) -> None:
        self.history: deque[tuple[Cell, ...]] = deque(maxlen=max(0, history))
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

    def _new_buffer(self) -> Any:
        """An empty row store: y -> line dict, rows created on first touch."""
        return defaultdict(lambda: StaticDefaultDict(self.default_char))

    def reset(self) -> None:
        """RIS: pyte's reset plus our own state."""
        if getattr(self, "in_alt", False):
            self.buffer = self._main_buffer
            self.in_alt = False
        super().reset()
        self.cursor.attrs = self.default_char
        self.private_modes = set()
        self._join_at = None

    def write_process_input(self, data: str) -> None:
        """Queue a reply to the child (DA, DSR, CPR...) instead of dropping it."""
        self.replies.append(data.encode())

    # -- drawing -----------------------------------------------------------------------------------------
    def _cells(self) -> _CellMap:
        """The cell cache for the cursor's current style (one-entry memo avoids hashing attrs per run)."""
        attrs = self.cursor.attrs
        if attrs is self._last_attrs:
            return self._last_map  # type: ignore[return-value]
        cmap = self._maps.get(attrs)
        if cmap is None:
            if len(self._maps) > 1024:
                self._maps.clear()
            cmap = self._maps[attrs] = _CellMap(attrs)
        self._last_attrs, self._last_map = attrs, cmap
        return cmap

    def draw(self, data: str) -> None:
        """Print text at the cursor: ASCII runs take the fast path, the rest goes grapheme by grapheme."""
        table = self.g1_charset if self.charset else self.g0_charset
        if table is not cs.LAT1_MAP:
            data = data.translate(table)
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
        dirty = self.dirty
        get = self._cells().__getitem__
        awm = mo.DECAWM in self.mode
        irm = mo.IRM in self.mode
        i, n = 0, len(data)
        while i < n:
            x = cur.x
            if x >= cols:
                if awm:
                    dirty.add(cur.y)
                    self.index()
                    x = cur.x = 0
                else:
                    x = cols - 1
                    i = n - 1  # without autowrap only the last character survives in the last column
            chunk = data[i:i + cols - x] if (i or n > cols - x) else data
            k = len(chunk)
            if irm:
                self.insert_characters(k)
            line = buf[cur.y]
            if x and x in line and line[x].data == "":
                line[x - 1] = line[x - 1]._replace(data=" ")  # we overwrite the right half of a wide char
            line.update(zip(range(x, x + k), map(get, chunk)))
            end = x + k
            if end in line and line[end].data == "":
                line[end] = line[end]._replace(data=" ")  # we overwrote the left half of a wide char
            cur.x = end
            i += k
            dirty.add(cur.y)
        self._join_at = (cur.y, cur.x - 1, cur.x)
        self._last_char = data[-1]

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
        if x and x in line and line[x].data == "":
            line[x - 1] = line[x - 1]._replace(data=" ")
        line[x] = cmap[ch]
        if w == 2:
            line[x + 1] = cmap[""]
        end = x + w
        if end in line and line[end].data == "":
            line[end] = line[end]._replace(data=" ")
        cur.x = end
        self.dirty.add(cur.y)
        self._join_at = (cur.y, x, end)
        self._last_char = ch

    def repeat_last(self, count: int) -> None:
        """REP (CSI b): print the last graphic character again ``count`` times."""
        self.draw(self._last_char * max(1, min(count, 65535)))

    # -- scrolling and history ---------------------------------------------------------------------------
    def _push_history(self, line: Any) -> None:
        """Store a line that scrolled off the top as a compact tuple of shared cells (trailing blanks cut)."""
        self.scrolled_off += 1
        if not line:
            self.history.append(())
            return
        n = min(max(line) + 1, self.columns)
        cells = tuple(map(line.__getitem__, range(n)))
        while n and cells[n - 1] == BLANK:
            n -= 1
        self.history.append(cells[:n])

    def _scroll_up(self, top: int, bottom: int, count: int) -> None:
        """Move rows top..bottom up by ``count``; rows leaving the top of the main screen go to history."""
        buf = self.buffer
        count = min(count, bottom - top + 1)
        if top == 0 and not self.in_alt and self.history.maxlen:
            for y in range(count):
                self._push_history(buf.get(y))
        for y in range(top, bottom + 1):
            src = y + count
            if src <= bottom and src in buf:
                buf[y] = buf[src]
            else:
                buf.pop(y, None)
        self.dirty.update(range(top, bottom + 1))

    def _scroll_down(self, top: int, bottom: int, count: int) -> None:
        """Move rows top..bottom down by ``count``, blank rows appear at the top."""
        buf = self.buffer
        count = min(count, bottom - top + 1)
        for y in range(bottom, top - 1, -1):
            src = y - count
            if src >= top and src in buf:
                buf[y] = buf[src]
            else:
                buf.pop(y, None)
        self.dirty.update(range(top, bottom + 1))

    def index(self) -> None:
        """IND/LF: move down, scrolling the region (and feeding history) at its bottom."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if self.cursor.y == bottom:
            self._scroll_up(top, bottom, 1)
        elif self.cursor.y < self.lines - 1:
            self.cursor.y += 1

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
        if how == 2 and self.cursor.attrs == self.default_char:
            self.buffer.clear()
            self.dirty.update(range(self.lines))
            return
        super().erase_in_display(how, *args, **kwargs)

    # -- modes -------------------------------------------------------------------------------------------
    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        """SM / DECSET."""
        if not kwargs.get("private"):
            super().set_mode(*modes)
            return
        for m in modes:
            if m in _PASSTHROUGH:
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
            return
        for m in modes:
            if m in _PASSTHROUGH:
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

    def _save_alt_cursor(self) -> None:
        self._alt_saved = (copy.copy(self.cursor), self.g0_charset, self.g1_charset, self.charset)

    def _restore_alt_cursor(self) -> None:
        if self._alt_saved is not None:
            cursor, self.g0_charset, self.g1_charset, self.charset = self._alt_saved
            self.cursor = copy.copy(cursor)
            self.ensure_hbounds()
            self.ensure_vbounds()

    def _enter_alt(self, save: bool) -> None:
        """Switch to a fresh alternate buffer (history is never fed from it)."""
        if save:
            self._save_alt_cursor()
        if self.in_alt:
            if save:
                self.buffer.clear()
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
        """Resize like tmux: shrinking drops blank rows below the cursor first, then pushes top rows to history."""
        lines = lines or self.lines
        columns = columns or self.columns
        if lines == self.lines and columns == self.columns:
            return
        if lines < self.lines:
            excess = self.lines - lines
            below = min(excess, self.lines - 1 - self.cursor.y)
            for y in range(self.lines - below, self.lines):
                self.buffer.pop(y, None)
            push = excess - below
            if push:
                self._scroll_up(0, self.lines - 1, push)
                self.cursor.y -= push
            if self._main_buffer is not None:
                for y in range(lines, self.lines):
                    self._main_buffer.pop(y, None)
        if columns < self.columns:
            for buf in (self.buffer, self._main_buffer or {}):
                for line in buf.values():
                    for x in [k for k in line if k >= columns]:
                        del line[x]
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
        line = self.buffer.get(y)
        if not line:
            return " " * self.columns
        return "".join([line[x].data for x in range(self.columns)])

    @property
    def display(self) -> list[str]:  # type: ignore[override]
        """All visible rows as text."""
        return [self.row_text(y) for y in range(self.lines)]


def _split_ascii(data: str) -> list[str]:
    """Split text into alternating ASCII / non-ASCII runs."""
    return _RUNS.findall(data)


import re  # noqa: E402  (kept next to its only use)

_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")
