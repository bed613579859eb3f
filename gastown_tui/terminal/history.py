"""Scrollback for ``TerminalScreen``: rows read a viewport page at a time, and a monotonic scrolled-off count.

Reading history rows one by one through grid refs costs ~2.4 ms a row, so a page is read by scrolling the
viewport to it, capturing it in a second render state (the main one keeps tracking the live screen) and decoding
its rows; the viewport goes back to the bottom before the lock is released. Decoded rows are cached by their
absolute line number (lines ever scrolled off before them + position), which stays valid as new output arrives.

libghostty-vt has no "lines ever scrolled off" counter and prunes whole pages, so the count is kept here: a
tracked grid ref sits on the newest history line, and how far it moved up since the last look is how many lines
were pruned. The library keeps a little more than the configured line count (page granularity); only the newest
``limit`` lines are exposed.
"""

from __future__ import annotations

from typing import Any

from pyghostty import ffi, lib  # type: ignore[import-untyped]

from gastown_tui.terminal.cells import BLANK, Cell, SearchHit
from gastown_tui.terminal.ghostty import Native
from gastown_tui.terminal.rowread import RowReader

CACHE_ROWS = 4096  # decoded history rows kept (a few screens of scrolling back)
TEXT_ROWS = 65536  # history row texts kept for search (strings: a 10k-line scrollback fits several times)
_track = ffi.cast("GhosttyResult(*)(GhosttyTerminal, GhosttyPointS, GhosttyTrackedGridRef*)",
                  ffi.addressof(lib, "ghostty_terminal_grid_ref_track"))


class History:
    """Paged, cached access to one terminal's scrollback."""

    def __init__(self, native: Native, limit: int) -> None:
        self.n = native
        self.limit = max(0, limit)
        self.reader = RowReader(native, native.aside)
        self.pruned = 0
        self._anchor: Any = None
        self._anchor_y = -1
        self._total = 0  # the primary screen's scrollback rows at the last look
        self._rows: dict[int, list[Cell]] = {}
        self._texts: dict[int, str] = {}
        self._pt = ffi.new("GhosttyPointS*")
        self._coord = ffi.new("GhosttyPointCoordinate*")
        self._out_ref = ffi.new("GhosttyTrackedGridRef*")
        self._bar = ffi.new("GhosttyTerminalScrollbar*")

    def total(self) -> int:
        """Lines the library holds in scrollback (a little over ``limit`` at most)."""
        return self.n.get_size(lib.GHOSTTY_TERMINAL_DATA_SCROLLBACK_ROWS)

    def lines(self) -> int:
        """Lines exposed: the newest ``limit``."""
        return min(self.total(), self.limit)

    def scrolled_off(self, alt: bool) -> int:
        """Lines ever pushed into scrollback (pruned ones included); the alternate screen reports none of its own,
        so while it is shown the primary screen's last count stands."""
        return self.pruned + (self._total if alt else self.total())

    def rebase(self, before: int) -> None:
        """After a reflow renumbered the rows: keep the count continuous (reflow pushes nothing off)."""
        self.pruned = before - self.total()

    # -- the scrolled-off anchor -------------------------------------------------------------------------
    def observe(self, alt: bool) -> None:
        """Count lines pruned since the last look and move the anchor to the newest history line."""
        if alt:  # the alternate screen has no scrollback; the primary one is untouched meanwhile
            return
        total = self._total = self.total()
        anchor = self._anchor
        if anchor is not None:
            if lib.ghostty_tracked_grid_ref_has_value(anchor) and not lib.ghostty_tracked_grid_ref_point(
                    anchor, lib.GHOSTTY_POINT_TAG_SCREEN, self._coord):
                self.pruned += max(0, self._anchor_y - int(self._coord.y))
            else:  # the anchor line itself was pruned (or ED 3 cleared it): at least everything up to it went
                self.pruned += self._anchor_y + 1
            if self._anchor_y == total - 1 and lib.ghostty_tracked_grid_ref_has_value(anchor):
                return
            lib.ghostty_tracked_grid_ref_free(anchor)
            self._anchor = None
        self._set_anchor(total)

    def _set_anchor(self, total: int) -> None:
        if total <= 0:
            return
        pt = self._pt
        pt.tag = lib.GHOSTTY_POINT_TAG_SCREEN
        pt.value.x, pt.value.y = 0, total - 1
        if not _track(self.n.t, pt[0], self._out_ref):
            self._anchor, self._anchor_y = self._out_ref[0], total - 1

    def forget(self) -> None:
        """After a reflow or reset: drop cached rows and re-anchor without counting anything as pruned."""
        self._rows.clear()
        self._texts.clear()
        if self._anchor is not None:
            lib.ghostty_tracked_grid_ref_free(self._anchor)
            self._anchor = None

    # -- rows ----------------------------------------------------------------------------------------------
    def row(self, index: int, cols: int, rows: int) -> list[Cell]:
        """Cells of exposed line ``index`` (0 = oldest), exactly ``cols`` wide."""
        total = self.total()
        lines = min(total, self.limit)
        if not 0 <= index < lines:
            raise IndexError(index)
        self.observe(False)  # keys need an up-to-date pruned count (the screen may not have synced: DEC 2026)
        screen_row = total - lines + index
        key = self.pruned + screen_row
        cells = self._rows.get(key)
        if cells is None or len(cells) != cols:
            self._load(screen_row - screen_row % rows, total, cols, rows)
            cells = self._rows.get(key)
        return cells if cells is not None else [BLANK] * cols

    def texts(self, rows: int) -> list[str]:
        """Text of every exposed line, oldest first (text-only pages, read once and cached)."""
        total = self.total()
        lines = min(total, self.limit)
        if lines:
            self.observe(False)
        first = total - lines
        texts = self._texts
        out = []
        for r in range(first, total):
            text = texts.get(self.pruned + r)
            if text is None:
                self._load(r - r % rows, total, 0, rows)
                text = texts.get(self.pruned + r, "")
            out.append(text)
        return out

    def text(self, index: int, rows: int) -> str:
        """Text of exposed line ``index`` (0 = oldest), trailing blanks cut."""
        total = self.total()
        lines = min(total, self.limit)
        if not 0 <= index < lines:
            raise IndexError(index)
        self.observe(False)
        r = total - lines + index
        text = self._texts.get(self.pruned + r)
        if text is None:
            self._load(r - r % rows, total, 0, rows)
            text = self._texts.get(self.pruned + r, "")
        return text

    def _load(self, start: int, total: int, cols: int, rows: int) -> None:
        """Scroll the viewport to screen row ``start``, capture and decode that page (cells, or text when
        ``cols`` is 0), scroll back."""
        n = self.n
        view = n.aside
        store: dict[int, Any] = self._rows if cols else self._texts
        try:
            n.scroll_to_row(start)
            lib.ghostty_terminal_get(n.t, lib.GHOSTTY_TERMINAL_DATA_SCROLLBAR, self._bar)
            top = int(self._bar.offset)  # the viewport may stop short of ``start`` near the bottom
            view.update(n.t)
            self.reader.reset()
            cap = CACHE_ROWS if cols else TEXT_ROWS
            if len(store) > cap:
                for key in list(store)[: cap // 2]:  # oldest inserted first
                    del store[key]
            read = self.reader.read
            read_text = self.reader.read_text
            for y in range(rows):
                r = top + y
                if r >= total:
                    break
                store[self.pruned + r] = read(y, cols) if cols else read_text(y)
        finally:
            n.scroll_to_row(None)


def find_all(lines: list[str], text: str, ignore_case: bool) -> list[SearchHit]:
    """Every occurrence of ``text`` in ``lines`` (overlapping ones too), in order."""
    needle = text.lower() if ignore_case else text
    hits: list[SearchHit] = []
    for n, line in enumerate(lines):
        hay = line.lower() if ignore_case else line
        start = hay.find(needle)
        while start >= 0:
            hits.append(SearchHit(n, start, line))
            start = hay.find(needle, start + 1)
    return hits
