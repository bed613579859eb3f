"""Rows of ``Cell``s out of a libghostty-vt render state: packed cells decoded in bulk, styles looked up once.

A row is read as one borrowed array of packed 64-bit cells (``CELLS_RAW``), not cell by cell through grid refs
(~0.6 s a frame). Plain cells (default style, no link) map straight from their packed value to a shared ``Cell``
through a process-wide cache; a styled cell costs one style lookup per distinct style id in its row (ids are
page-local, so that cache lives for one row only). Graphemes and hyperlinks are fetched only for cells that have
them.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from pyghostty import ffi, lib  # type: ignore[import-untyped]

from gastown_tui.terminal.cells import BLANK, Cell, index_colour
from gastown_tui.terminal.ghostty import Native, RenderView, sized

_KEY = (1 << 44) - 1 | (1 << 45)  # content, style id, width and the hyperlink bit: what a cell's look depends on
_PLAIN: dict[int, Cell] = {}  # packed value (style id 0, no link) -> Cell, shared by every terminal
_STYLED_MASK = (0xFFFF << 26) | (1 << 45) | 3  # style id, hyperlink, content tag: anything but a plain code point

_ROW_CELLS = lib.GHOSTTY_RENDER_STATE_ROW_DATA_CELLS
_ROW_RAW = lib.GHOSTTY_RENDER_STATE_ROW_DATA_CELLS_RAW
_ROW_ID = lib.GHOSTTY_RENDER_STATE_ROW_DATA_ID
_UNIQUE = 1 | 1 << 45  # tag bit 0 (a grapheme cluster; also set by rgb-only cells) or a link


def reusable(vals: list[int]) -> bool:
    """True when a row's packed cells fully determine its Cells (no graphemes, no links; conservative)."""
    return not (reduce(or_, vals, 0) & _UNIQUE)
_CELL_STYLE = lib.GHOSTTY_RENDER_STATE_ROW_CELLS_DATA_STYLE
_G_LEN = lib.GHOSTTY_RENDER_STATE_ROW_CELLS_DATA_GRAPHEMES_LEN
_G_BUF = lib.GHOSTTY_RENDER_STATE_ROW_CELLS_DATA_GRAPHEMES_BUF
_PALETTE = lib.GHOSTTY_STYLE_COLOR_PALETTE
_RGB = lib.GHOSTTY_STYLE_COLOR_RGB


def _colour(c: Any) -> str:
    """A GhosttyStyleColor as a Rich colour string."""
    if c.tag == _PALETTE:
        return index_colour(c.value.palette)
    if c.tag == _RGB:
        rgb = c.value.rgb
        return f"#{rgb.r:02x}{rgb.g:02x}{rgb.b:02x}"
    return "default"


class RowReader:
    """Reads viewport rows of one render state; keeps its row iterator's position between calls."""

    def __init__(self, native: Native, view: RenderView) -> None:
        self.t = native.t
        self.v = view
        self._pos = -1  # iterator row, -1 = needs a fresh iterator
        self._g_len = ffi.new("uint32_t*")
        self._g_buf = ffi.new("uint32_t[64]")
        self._ref = ffi.new("GhosttyGridRef*")
        self._uri = ffi.new("uint8_t[4096]")
        self._uri_len = ffi.new("size_t*")
        self._link_fn: Any = None
        self._id = ffi.new("GhosttyRenderStateRowId*")

    def reset(self) -> None:
        """The render state was updated: iterators and borrowed rows are invalid."""
        self._pos = -1

    def _seek(self, y: int) -> None:
        n = self.v
        if self._pos < 0 or y < self._pos:
            res = lib.ghostty_render_state_get(n.rs, lib.GHOSTTY_RENDER_STATE_DATA_ROW_ITERATOR, n.out_rows)
            if res:
                raise RuntimeError(f"libghostty-vt row iterator failed ({res})")
            self._pos = -1
        nxt = lib.ghostty_render_state_row_iterator_next
        while self._pos < y:
            if not nxt(n.rows_it):
                raise IndexError(y)
            self._pos += 1

    def raw(self, y: int) -> tuple[tuple[int, int], list[int]]:
        """(row id, packed cells) of render-state row ``y``: enough to tell whether a row changed or moved."""
        self._seek(y)
        n = self.v
        lib.ghostty_render_state_row_get(n.rows_it, _ROW_ID, self._id)
        view = n.view
        if lib.ghostty_render_state_row_get(n.rows_it, _ROW_RAW, view) or not view.len:
            return (0, 0), []
        return (self._id.bits[0], self._id.bits[1]), ffi.unpack(view.ptr, view.len)

    def read(self, y: int, cols: int, vals: list[int] | None = None) -> list[Cell]:
        """Cells of render-state row ``y``, exactly ``cols`` of them (``vals``: its packed cells, if read)."""
        self._seek(y)
        n = self.v
        if vals is None:
            view = n.view
            if lib.ghostty_render_state_row_get(n.rows_it, _ROW_RAW, view):
                return [BLANK] * cols
            vals = ffi.unpack(view.ptr, view.len) if view.len else []
        plain = _PLAIN
        out: list[Cell] = []
        append = out.append
        local: dict[int, Cell] | None = None
        styles: dict[int, tuple[Any, ...]] | None = None
        for x, v in enumerate(vals):
            k = v & _KEY
            c = plain.get(k)
            if c is None:
                if local is None:
                    local, styles = {}, {}
                    lib.ghostty_render_state_row_get(n.rows_it, _ROW_CELLS, n.out_cells)
                c = local.get(k)
                if c is None:
                    c = self._decode(x, y, v, styles)  # type: ignore[arg-type]
                    if v & _STYLED_MASK == 0 and len(plain) < 65536:
                        plain[k] = c
                    elif not (v & 3 == 1 or v >> 45 & 1):  # graphemes and links differ per cell
                        local[k] = c
            append(c)
        if len(out) != cols:  # never hand out a row of the wrong width (render state lagging a resize)
            out = out[:cols] + [BLANK] * (cols - len(out))
        return out

    def read_text(self, y: int, vals: list[int] | None = None, strip: bool = True) -> str:
        """Text of render-state row ``y`` as ``"".join(cell.char ...)`` would give it, trailing blanks cut
        unless ``strip`` is false (search and ``display`` read many rows: no Cells are built)."""
        self._seek(y)
        n = self.v
        if vals is None:
            view = n.view
            if lib.ghostty_render_state_row_get(n.rows_it, _ROW_RAW, view) or not view.len:
                return ""
            vals = ffi.unpack(view.ptr, view.len)
        if not reduce(or_, vals, 0) & (1 | 3 << 42):  # no graphemes, no wide cells, no colour-only cells
            text = "".join([chr(v >> 2 & 0x1FFFFF) for v in vals]).replace("\0", " ")  # 0: an empty cell
            return text.rstrip() if strip else text
        chars = []
        for x, v in enumerate(vals):
            tag = v & 3
            wide = v >> 42 & 3
            if wide == 2:
                continue  # a wide character's spacer
            if tag == 0 and wide != 3:
                cp = v >> 2 & 0x1FFFFF
                chars.append(chr(cp) if cp else " ")
            elif tag == 1 and wide != 3:
                lib.ghostty_render_state_row_get(n.rows_it, _ROW_CELLS, n.out_cells)
                chars.append(self._graphemes(x))
            else:
                chars.append(" ")
        text = "".join(chars)
        return text.rstrip() if strip else text

    def _decode(self, x: int, y: int, v: int, styles: dict[int, tuple[Any, ...]]) -> Cell:
        """Decode one packed cell (slow path: anything not already cached)."""
        tag = v & 3
        sid = v >> 26 & 0xFFFF
        wide = v >> 42 & 3
        tail = styles.get(sid)
        if tail is None:
            tail = styles[sid] = self._style(x) if sid else BLANK[1:10]
        if tag >= 2:  # a blank cell carrying only a background colour (erase with a coloured background)
            bg = (index_colour(v >> 2 & 0xFF) if tag == 2
                  else f"#{v >> 2 & 0xFF:02x}{v >> 10 & 0xFF:02x}{v >> 18 & 0xFF:02x}")
            return BLANK._replace(bg=bg)
        if wide == 2:
            ch = ""
        elif wide == 3:
            ch = " "
        elif tag == 1:
            ch = self._graphemes(x)
        else:
            cp = v >> 2 & 0x1FFFFF
            ch = chr(cp) if cp else " "
        link = self._link(x, y) if v >> 45 & 1 else ""
        return tuple.__new__(Cell, (ch, *tail, link, wide == 1))

    def _style(self, x: int) -> tuple[Any, ...]:
        """Cell fields after ``data`` for the style of cell ``x`` of the current row."""
        cells = self.v.cells
        lib.ghostty_render_state_row_cells_select(cells, x)
        st = self.v.style
        lib.ghostty_render_state_row_cells_get(cells, _CELL_STYLE, st)
        return (_colour(st.fg_color), _colour(st.bg_color), bool(st.bold), bool(st.italic), st.underline != 0,
                bool(st.strikethrough), bool(st.inverse), bool(st.blink), bool(st.faint))

    def _graphemes(self, x: int) -> str:
        """The full grapheme cluster of cell ``x``."""
        cells = self.v.cells
        lib.ghostty_render_state_row_cells_select(cells, x)
        lib.ghostty_render_state_row_cells_get(cells, _G_LEN, self._g_len)
        count = min(int(self._g_len[0]), 64)
        if not count:
            return " "
        lib.ghostty_render_state_row_cells_get(cells, _G_BUF, self._g_buf)
        return "".join(chr(c) for c in self._g_buf[0:count])

    def _link(self, x: int, y: int) -> str:
        """The OSC 8 target of viewport cell (x, y) (read from the terminal, which matches the render state)."""
        if self._link_fn is None:
            self._link_fn = ffi.cast("GhosttyResult(*)(GhosttyTerminal, GhosttyPointS, GhosttyGridRef*)",
                                     ffi.addressof(lib, "ghostty_terminal_grid_ref"))
        pt = ffi.new("GhosttyPointS*")
        pt.tag = lib.GHOSTTY_POINT_TAG_VIEWPORT
        pt.value.x, pt.value.y = x, y
        ref = sized("GhosttyGridRef")
        if self._link_fn(self.t, pt[0], ref):
            return ""
        if lib.ghostty_grid_ref_hyperlink_uri(ref, self._uri, len(self._uri), self._uri_len):
            return ""
        return bytes(ffi.buffer(self._uri, self._uri_len[0])).decode("utf-8", "replace")
