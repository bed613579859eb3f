"""The pinned libghostty-vt binding (through ``pyghostty``'s cffi handles): checks, options and small wrappers.

Everything that touches ``ffi``/``lib`` for a terminal's lifetime lives here, so the rest of the package reads
plain Python values. The packed-cell layout is checked against the library's own type manifest at import: a
different build fails with one clear error instead of drawing garbage. Nothing here takes a lock; the owner
(``TerminalScreen``) holds its lock around every call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyghostty  # type: ignore[import-untyped]
from pyghostty import ffi, lib  # type: ignore[import-untyped]
from pyghostty.core import init_sized  # type: ignore[import-untyped]

PINNED_VERSION = "0.1.3"

# Bit layout of GhosttyCell (a packed u64) that rowread.py decodes by hand.
CELL_LAYOUT = {"content_tag": (0, 2), "content": (2, 24), "style_id": (26, 16), "wide": (42, 2),
               "protected": (44, 1), "hyperlink": (45, 1), "semantic_content": (46, 2)}

# The library prunes whole pages, so a byte budget (not a line cap, which frees and re-maps a page on every
# scrolled page and halves throughput) is sized from the configured line count and the current width.
ROW_BYTES = 64  # per-row overhead on top of 8 bytes a cell (row header, styles, graphemes), measured generously
PAGE_SLACK = 1 << 20  # pruning is page-granular: room for one more page so ``limit`` lines always fit
CLIPBOARD_PENDING = 4  # OSC 52 writes kept until the view takes them
CLIPBOARD_MAX_BYTES = 1 << 20  # larger OSC 52 writes are refused by the library


def scrollback_budget(lines: int, cols: int) -> int:
    """Bytes of scrollback that hold at least ``lines`` rows ``cols`` wide."""
    return max(1, lines) * (cols * 8 + ROW_BYTES) + PAGE_SLACK

# The union-by-value workaround: ABI-mode cffi cannot pass GhosttyTerminalScrollViewport (a tagged union) by
# value; a layout-identical struct twin has the same calling convention (a >16-byte composite goes on the stack).
ffi.cdef("typedef struct { GhosttyTerminalScrollViewportTag tag; uint64_t value[2]; } GtScrollViewportS;")
if (ffi.sizeof("GtScrollViewportS"), ffi.alignof("GtScrollViewportS")) != (
        ffi.sizeof("GhosttyTerminalScrollViewport"), ffi.alignof("GhosttyTerminalScrollViewport")):
    raise ImportError("libghostty-vt: GhosttyTerminalScrollViewport layout changed; update gastown_tui.terminal")
_grid_ref = ffi.cast("GhosttyResult(*)(GhosttyTerminal, GhosttyPointS, GhosttyGridRef*)",
                     ffi.addressof(lib, "ghostty_terminal_grid_ref"))
_scroll_viewport = ffi.cast("void(*)(GhosttyTerminal, GtScrollViewportS)",
                            ffi.addressof(lib, "ghostty_terminal_scroll_viewport"))


def check_library() -> None:
    """Fail with one clear line when the installed pyghostty/libghostty-vt is not the build we were tested on."""
    if pyghostty.__version__ != PINNED_VERSION:
        raise ImportError(f"gastown needs pyghostty=={PINNED_VERSION}, found {pyghostty.__version__}")
    manifest = json.loads(ffi.string(lib.ghostty_type_json()).decode())
    bits = manifest["types"]["GhosttyCell"]["bits"]
    found = {name: (spec["lsb"], spec["width"]) for name, spec in bits.items()}
    if found != CELL_LAYOUT or manifest["abi"].get("endian") != "little":
        raise ImportError(f"libghostty-vt packed cell layout changed: {found}")


check_library()


def _ok(res: int, what: str) -> None:
    if res:
        raise RuntimeError(f"libghostty-vt {what} failed ({res})")


def sized(ctype: str) -> Any:
    """A zeroed struct with its ``size`` fields set, nested ones included (the C API's sized-struct convention)."""
    return init_sized(ctype)


class Callbacks:
    """The Python side of a terminal's callbacks (kept alive as long as the terminal)."""

    def __init__(self) -> None:
        self.replies: list[bytes] = []
        self.clipboard: list[str] = []
        self.on_hold: Callable[[bool], None] = lambda held: None
        self.size: tuple[int, int] = (80, 24)
        self.held = False  # a DEC 2026 synchronized frame is open (the library's render hold)


def _set(term: Any, opt: int, value: Any) -> None:
    _ok(lib.ghostty_terminal_set(term, opt, value), f"terminal_set {opt}")


class Native:
    """One libghostty-vt terminal plus the render state we read it through."""

    def __init__(self, cols: int, rows: int, scrollback: int, cb: Callbacks) -> None:
        self.cb = cb
        handle = ffi.new("GhosttyTerminal*")
        _ok(lib.ghostty_terminal_new(ffi.NULL, handle, cols, rows), "terminal_new")
        self.t = handle[0]
        self.scrollback = scrollback
        self._set_budget(cols)
        _set(self.t, lib.GHOSTTY_TERMINAL_OPT_CLIPBOARD_WRITE_MAX_BYTES, ffi.new("size_t*", CLIPBOARD_MAX_BYTES))
        for opt, rgb in ((lib.GHOSTTY_TERMINAL_OPT_COLOR_FOREGROUND, (255, 255, 255)),
                         (lib.GHOSTTY_TERMINAL_OPT_COLOR_BACKGROUND, (0, 0, 0))):
            _set(self.t, opt, ffi.new("GhosttyColorRgb*", dict(zip("rgb", rgb))))
        self._callbacks = [  # cffi callbacks must outlive the terminal: keep references
            self._install(lib.GHOSTTY_TERMINAL_OPT_WRITE_PTY, "GhosttyTerminalWritePtyFn", self._write_pty),
            self._install(lib.GHOSTTY_TERMINAL_OPT_DEVICE_ATTRIBUTES, "GhosttyTerminalDeviceAttributesFn",
                          self._device_attributes),
            self._install(lib.GHOSTTY_TERMINAL_OPT_SIZE, "GhosttyTerminalSizeFn", self._size),
            self._install(lib.GHOSTTY_TERMINAL_OPT_RENDER_HOLD, "GhosttyTerminalRenderHoldFn", self._hold),
            self._install(lib.GHOSTTY_TERMINAL_OPT_CLIPBOARD_WRITE, "GhosttyTerminalClipboardWriteFn",
                          self._clipboard_write),
        ]
        self.main = RenderView()
        self.aside = RenderView()  # scrollback pages are read through a second render state
        self._u16 = ffi.new("uint16_t*")
        self._u64 = ffi.new("uint64_t*")
        self._bool = ffi.new("bool*")
        self._mode = ffi.new("GhosttyTerminalModeConfig*")
        self._str = ffi.new("GhosttyString*")
        self._scroll = ffi.new("GtScrollViewportS*")
        self._pt = ffi.new("GhosttyPointS*")
        self._size_t = ffi.new("size_t*")
        self._sel = sized("GhosttySelection")
        self._text = ffi.new("uint8_t[]", 1 << 16)
        self._fmt = sized("GhosttyTerminalSelectionFormatOptions")
        self._fmt.emit = lib.GHOSTTY_FORMATTER_FORMAT_PLAIN
        self._fmt.unwrap, self._fmt.trim, self._fmt.selection = False, True, self._sel

    def _install(self, opt: int, ctype: str, fn: Callable[..., Any]) -> Any:
        handle = ffi.callback(ctype, fn)
        _set(self.t, opt, handle)
        return handle

    # -- callbacks (run inside vt_write, under the owner's lock) -------------------------------------------
    def _write_pty(self, _t: Any, _u: Any, data: Any, n: int) -> None:
        self.cb.replies.append(bytes(ffi.buffer(data, n)))

    @staticmethod
    def _device_attributes(_t: Any, _u: Any, out: Any) -> bool:
        out.primary.conformance_level = 1  # "VT100 with advanced video" (?1;2c), what xterm/tmux answer
        out.primary.features[0] = 2
        out.primary.num_features = 1
        out.secondary.device_type, out.secondary.firmware_version, out.secondary.rom_cartridge = 1, 10, 0
        return True

    def _size(self, _t: Any, _u: Any, out: Any) -> bool:
        cols, rows = self.cb.size
        out.columns, out.rows, out.cell_width, out.cell_height = cols, rows, 8, 16
        return True

    def _hold(self, _t: Any, _u: Any, held: bool) -> None:
        self.cb.held = bool(held)
        self.cb.on_hold(bool(held))

    def _clipboard_write(self, _t: Any, _u: Any, write: Any) -> None:
        text = None
        for i in range(write.contents_len):
            content = write.contents[i]
            mime = ffi.unpack(ffi.cast("char*", content.mime.ptr), content.mime.len).decode("utf-8", "replace")
            if mime.startswith("text/plain") or text is None:
                text = ffi.unpack(ffi.cast("char*", content.data.ptr), content.data.len).decode("utf-8", "replace")
        if text:
            del self.cb.clipboard[:-(CLIPBOARD_PENDING - 1)]  # an unwatched pane keeps only its newest writes
            self.cb.clipboard.append(text)
        reply = sized("GhosttyClipboardWriteReply")
        reply.result = lib.GHOSTTY_CLIPBOARD_WRITE_RESULT_SUCCESS
        write.reply(write, reply)

    # -- terminal ------------------------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Parse child output (cffi releases the GIL for the call)."""
        lib.ghostty_terminal_vt_write(self.t, data, len(data))

    def get16(self, key: int) -> int:
        """A uint16 terminal datum."""
        _ok(lib.ghostty_terminal_get(self.t, key, self._u16), f"terminal_get {key}")
        return int(self._u16[0])

    def get_bool(self, key: int) -> bool:
        """A bool terminal datum."""
        _ok(lib.ghostty_terminal_get(self.t, key, self._bool), f"terminal_get {key}")
        return bool(self._bool[0])

    def get_u32(self, key: int) -> int:
        """A 32-bit (enum) terminal datum."""
        out = ffi.new("uint32_t*")
        _ok(lib.ghostty_terminal_get(self.t, key, out), f"terminal_get {key}")
        return int(out[0])

    def get_size(self, key: int) -> int:
        """A size_t terminal datum."""
        _ok(lib.ghostty_terminal_get(self.t, key, self._u64), f"terminal_get {key}")
        return int(self._u64[0])

    def mode(self, n: int, ansi: bool = False) -> bool:
        """Whether DEC private mode ``n`` (or ANSI mode with ``ansi``) is set."""
        self._mode.mode = (n & 0x7FFF) | (ansi << 15)  # ghostty_mode_new's packing (a static inline in C)
        _ok(lib.ghostty_terminal_get(self.t, lib.GHOSTTY_TERMINAL_DATA_MODE, self._mode), f"mode {n}")
        return bool(self._mode.value)

    def set_mode_default(self, n: int, on: bool) -> None:
        """Set a DEC private mode now and as the value a full reset (RIS) restores (pins the width policy)."""
        self._mode.mode = n & 0x7FFF
        self._mode.value = on
        _set(self.t, lib.GHOSTTY_TERMINAL_OPT_MODE_DEFAULT, self._mode)

    def title(self) -> str:
        """The window title (OSC 0/2)."""
        _ok(lib.ghostty_terminal_get(self.t, lib.GHOSTTY_TERMINAL_DATA_TITLE, self._str), "title")
        s = self._str[0]
        return ffi.unpack(ffi.cast("char*", s.ptr), s.len).decode("utf-8", "replace") if s.len else ""

    def _set_budget(self, cols: int) -> None:
        self._budget_cols = cols
        budget = scrollback_budget(self.scrollback, cols)
        _set(self.t, lib.GHOSTTY_TERMINAL_OPT_SCROLLBACK_MAX_BYTES, ffi.new("size_t*", budget))

    def screen_text(self, cols: int, rows: int) -> list[str]:
        """The active screen as plain text rows, trailing blanks cut, in one formatter call (~30 µs for 100x30;
        decoding the rows in Python costs ~20x that, and the engine reads every session's text each tick)."""
        sel = self._sel
        for end, (x, y) in ((sel.start, (0, 0)), (sel.end, (cols - 1, rows - 1))):
            pt = self._pt
            pt.tag = lib.GHOSTTY_POINT_TAG_ACTIVE
            pt.value.x, pt.value.y = x, y
            _ok(_grid_ref(self.t, pt[0], ffi.addressof(end)), "grid_ref")
        opts = self._fmt
        n = self._size_t
        while True:
            res = lib.ghostty_terminal_selection_format_buf(self.t, opts[0], self._text, len(self._text), n)
            if res != lib.GHOSTTY_OUT_OF_SPACE:
                break
            self._text = ffi.new("uint8_t[]", int(n[0]) * 2)
        _ok(res, "selection_format_buf")
        lines = bytes(ffi.buffer(self._text, n[0])).decode("utf-8", "replace").split("\n")[:rows]
        return lines + [""] * (rows - len(lines))

    def resize(self, cols: int, rows: int) -> None:
        """Resize (reflowing the primary screen); the scrollback budget follows the width."""
        if cols > self._budget_cols:  # never shrink it: rows already kept at the old width would be pruned
            self._set_budget(cols)
        self.cb.size = (cols, rows)
        _ok(lib.ghostty_terminal_resize(self.t, cols, rows, 8, 16), "resize")

    def scroll_to_row(self, row: int | None) -> None:
        """Scroll the viewport so screen row ``row`` is at its top (None: back to the active area)."""
        s = self._scroll
        if row is None:
            s.tag = lib.GHOSTTY_SCROLL_VIEWPORT_BOTTOM
            s.value[0] = 0
        else:
            s.tag = lib.GHOSTTY_SCROLL_VIEWPORT_ROW
            s.value[0] = row
        _scroll_viewport(self.t, s[0])

    def compress(self, full: bool) -> bool:
        """Compress idle pages; True when there is more to do."""
        out = ffi.new("GhosttyTerminalCompressionResult*")
        mode = lib.GHOSTTY_TERMINAL_COMPRESSION_MODE_FULL if full else lib.GHOSTTY_TERMINAL_COMPRESSION_MODE_INCREMENTAL
        _ok(lib.ghostty_terminal_compress(self.t, mode, out), "compress")
        return bool(out[0] == lib.GHOSTTY_TERMINAL_COMPRESSION_RESULT_PENDING)

    def free(self) -> None:
        """Release the native objects."""
        self.main.free()
        self.aside.free()
        lib.ghostty_terminal_free(self.t)


class RenderView:
    """A render state with its row iterator and row-cells handles (one per consumer of viewport snapshots)."""

    def __init__(self) -> None:
        state = ffi.new("GhosttyRenderState*")
        _ok(lib.ghostty_render_state_new(ffi.NULL, state), "render_state_new")
        self.rs = state[0]
        it = ffi.new("GhosttyRenderStateRowIterator*")
        _ok(lib.ghostty_render_state_row_iterator_new(ffi.NULL, it), "row_iterator_new")
        self.rows_it = it[0]
        cells = ffi.new("GhosttyRenderStateRowCells*")
        _ok(lib.ghostty_render_state_row_cells_new(ffi.NULL, cells), "row_cells_new")
        self.cells = cells[0]
        self.out_rows = ffi.new("GhosttyRenderStateRowIterator*", self.rows_it)
        self.out_cells = ffi.new("GhosttyRenderStateRowCells*", self.cells)
        self.view = ffi.new("GhosttyCellsView*")
        self.style = sized("GhosttyStyle")
        self._u16 = ffi.new("uint16_t*")

    def update(self, t: Any) -> None:
        """Capture terminal ``t``'s viewport (accumulates dirty rows until ``clean``)."""
        _ok(lib.ghostty_render_state_update(self.rs, t), "render_state_update")

    def dirty_rows(self) -> list[int]:
        """Viewport rows marked dirty (all of them after a full invalidation)."""
        _ok(lib.ghostty_render_state_get(self.rs, lib.GHOSTTY_RENDER_STATE_DATA_ROW_ITERATOR, self.out_rows),
            "row_iterator")
        out: list[int] = []
        y = self._u16
        while lib.ghostty_render_state_row_iterator_next_dirty(self.rows_it, y):
            out.append(int(y[0]))
        return out

    def clean(self) -> None:
        """Mark every dirty row consumed."""
        _ok(lib.ghostty_render_state_clean(self.rs), "render_state_clean")

    def free(self) -> None:
        """Release the native objects."""
        lib.ghostty_render_state_row_cells_free(self.cells)
        lib.ghostty_render_state_row_iterator_free(self.rows_it)
        lib.ghostty_render_state_free(self.rs)
