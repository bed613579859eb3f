"""``TerminalScreen``: the one small interface the rest of Gas Town uses for a VT screen, over libghostty-vt.

The library parses, keeps the grid, reflows on resize and answers queries; this class adds what callers need:
rows as ``Cell`` lists read through a render state (only dirty rows are decoded again), dirty rows held back while
a DEC 2026 synchronized frame is open (the library's render hold, with our 0.5 s timeout), queued replies and
clipboard writes, mode flags, and scrollback bounded to the configured line count. One re-entrant lock per
screen is taken for every use, so the engine may feed from another thread.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

from pyghostty import lib  # type: ignore[import-untyped]

from gastown_tui.terminal.cells import Cell, Modes, SearchHit
from gastown_tui.terminal.ghostty import Callbacks, Native
from gastown_tui.terminal.history import History, find_all
from gastown_tui.terminal.keys import KeyEncoder
from gastown_tui.terminal.rowread import RowReader, reusable

SYNC_TIMEOUT = 0.5  # seconds a DEC 2026 frame may hold repaints (xterm/foot use 150 ms-1 s)
GRAPHEME_CLUSTERING = 2027  # width policy: see MEASUREMENTS.md
_MOUSE = (1000, 1002, 1003, 1006)


class TerminalScreen:
    """A VT screen: feed bytes in, read rows of ``Cell``s, dirty rows, modes, replies and scrollback out."""

    def __init__(self, cols: int = 80, rows: int = 24, scrollback: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        cols, rows = max(1, cols), max(1, rows)
        self.lock = threading.RLock()
        self._cb = Callbacks()
        self._cb.size = (cols, rows)
        self._n = Native(cols, rows, scrollback, self._cb)
        self._finalizer = weakref.finalize(self, self._n.free)
        ref = weakref.WeakMethod(self._hold_changed)

        def on_hold(held: bool) -> None:  # through a weak reference: no screen <-> native callback cycle
            method = ref()
            if method is not None:
                method(held)

        self._cb.on_hold = on_hold
        self._n.set_mode_default(GRAPHEME_CLUSTERING, True)
        self._reader = RowReader(self._n, self._n.main)
        self._history = History(self._n, scrollback)
        self._cols, self._rows = cols, rows
        self._clock = clock
        self._stale = True
        self._dirty: set[int] = set(range(rows))
        self._cache: dict[int, list[Cell]] = {}
        # row -> (row id, packed cells, whether the packed cells alone determine the Cells) as last verified
        self._raws: dict[int, tuple[tuple[int, int], list[int], bool]] = {}
        self._text: list[str] | None = None  # display, until the next feed or resize
        self._suspects: set[int] = set()  # rows the library marked dirty, not yet compared with what we have
        self._cursor: tuple[int, int, bool] | None = None  # until the next feed or resize
        self._modes: Modes | None = None
        self._held_since: float | None = None
        self.sync_timeout = SYNC_TIMEOUT
        self._keys: KeyEncoder | None = None

    # -- input -------------------------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """Parse child output; replies to queries are queued for ``take_replies``."""
        if not data:
            return
        with self.lock:
            if not self._finalizer.alive:
                raise RuntimeError("TerminalScreen used after close()")
            self._n.write(data)
            self._stale = True
            self._cursor = self._modes = self._text = None
            if self._n.get16(lib.GHOSTTY_TERMINAL_DATA_COLS) != self._cols:  # DECCOLM: the pane sets the width
                self._n.resize(self._cols, self._rows)
                self._invalidate()

    def feed_text(self, text: str) -> None:
        """Parse already-decoded output (tests, synthetic content)."""
        self.feed(text.encode("utf-8", "surrogateescape"))

    def _hold_changed(self, held: bool) -> None:
        """The library opened or closed a synchronized frame (called inside ``feed``, lock held)."""
        if held:
            self._sync(force=True)  # capture the last complete frame: it stays on screen while the next is drawn
            self._held_since = self._clock()
        else:
            self._held_since = None
            self._stale = True

    def _holding(self) -> bool:
        since = self._held_since
        return since is not None and self._clock() - since < self.sync_timeout

    def _sync(self, force: bool = False) -> None:
        """Bring the render state up to date and harvest its dirty rows (not while a frame is held)."""
        if not (self._stale or force) or (not force and self._holding()):
            return
        if not self._finalizer.alive:
            raise RuntimeError("TerminalScreen used after close()")
        view = self._n.main
        view.update(self._n.t)
        self._reader.reset()
        dirty = view.dirty_rows()
        view.clean()
        self._suspects.update(y for y in dirty if y < self._rows)  # verified when rows are read
        self._history.observe(self._alt())
        self._stale = False

    def _verify(self) -> None:
        """Turn rows the library marked dirty into real changes, reusing the Cells of rows that only moved."""
        suspects = self._suspects
        if not suspects:
            return
        cache, raws, out = self._cache, self._raws, self._dirty
        # Rows keep their id when output scrolls them: a dirty row whose id and packed cells were seen elsewhere
        # before is the same row moved, and its Cells are reused instead of decoded again.
        by_id = {raws[y][0]: (raws[y][1], cells, raws[y][2]) for y, cells in cache.items() if y in raws}
        for y in sorted(suspects):
            rid, vals = self._reader.raw(y)
            old = raws.get(y)
            if old is not None and old[0] == rid and old[1] == vals and old[2]:
                continue  # the library also marks rows the cursor merely crossed: report real changes only
            prev = by_id.get(rid)
            if prev is not None and prev[0] == vals and prev[2]:
                cache[y] = prev[1]  # moved, not changed: its packed cells say everything, reuse its Cells
                raws[y] = (rid, vals, True)
            else:  # decode now, while the row iterator is on this row (seeking back costs a walk from the top)
                cache[y] = self._reader.read(y, self._cols, vals)
                raws[y] = (rid, vals, reusable(vals))
            out.add(y)
        suspects.clear()

    def _invalidate(self) -> None:
        """After a size change: every row is new."""
        self._cache.clear()
        self._raws.clear()
        self._suspects.clear()
        self._dirty = set(range(self._rows))
        self._stale = True
        self._history.forget()

    def resize(self, cols: int, rows: int) -> None:
        """Change the size (the PTY host resizes the child at the same time); the primary screen reflows."""
        cols, rows = max(1, cols), max(1, rows)
        with self.lock:
            if (cols, rows) == (self._cols, self._rows):
                return
            self._sync(force=True)  # settle the scrolled-off count before reflow renumbers the rows
            alt = self._alt()
            before = self._history.scrolled_off(alt)
            self._cols, self._rows = cols, rows
            self._n.resize(cols, rows)
            self._cursor = self._modes = self._text = None
            self._invalidate()
            if not alt:
                self._history.rebase(before)

    # -- output ------------------------------------------------------------------------------------------
    def take_replies(self) -> bytes:
        """Bytes the terminal must send back to the child (DA, DSR, CPR, DECRQM, XTVERSION, OSC 10/11, size)."""
        with self.lock:
            replies = self._cb.replies
            if not replies:
                return b""
            self._cb.replies = []
            return b"".join(replies)

    def take_clipboard(self) -> list[str]:
        """Texts the child asked to put on the clipboard (OSC 52) since the last call, oldest first."""
        with self.lock:
            texts, self._cb.clipboard = self._cb.clipboard, []
            return texts

    def take_dirty(self) -> set[int]:
        """Rows changed since the last call; empty while a DEC 2026 frame is open (until it times out)."""
        with self.lock:
            if self._holding():
                return set()
            self._sync()
            self._verify()
            dirty, self._dirty = self._dirty, set()
            return {y for y in dirty if y < self._rows}

    @property
    def frame_pending(self) -> bool:
        """True while a synchronized frame holds dirty rows back (the host may poll again after the timeout)."""
        return self._held_since is not None

    def row(self, y: int) -> list[Cell]:
        """Cells of visible row ``y`` (exactly ``cols`` of them; a wide char is followed by a "" stub)."""
        with self.lock:
            self._sync()
            if self._suspects:
                self._verify()
            cells = self._cache.get(y)
            if cells is None:
                if not 0 <= y < self._rows:
                    raise IndexError(y)
                if not self._finalizer.alive:
                    raise RuntimeError("TerminalScreen used after close()")
                cells = self._cache[y] = self._reader.read(y, self._cols)
            return list(cells)

    @property
    def display(self) -> list[str]:
        """Visible rows as text, trailing blanks cut (wide characters' stubs omitted); one formatter call per
        change, so the engine's screen monitor can read every session each tick."""
        with self.lock:
            if self._holding():  # mid-frame (DEC 2026): the last whole frame, as the rows show it
                return ["".join([c.data for c in self.row(y)]).rstrip() for y in range(self._rows)]
            if self._text is None:
                if not self._finalizer.alive:
                    raise RuntimeError("TerminalScreen used after close()")
                self._text = self._n.screen_text(self._cols, self._rows)
            return list(self._text)

    @property
    def cursor(self) -> tuple[int, int, bool]:
        """(x, y, visible); x is clamped to the last column while a wrap is pending."""
        with self.lock:
            if self._cursor is None:
                n = self._n
                x = n.get16(lib.GHOSTTY_TERMINAL_DATA_CURSOR_X)
                y = n.get16(lib.GHOSTTY_TERMINAL_DATA_CURSOR_Y)
                self._cursor = (min(x, self._cols - 1), min(y, self._rows - 1),
                                n.get_bool(lib.GHOSTTY_TERMINAL_DATA_CURSOR_VISIBLE))
            return self._cursor

    @property
    def title(self) -> str:
        """Window title from OSC 0/2."""
        with self.lock:
            return self._n.title()

    @property
    def cols(self) -> int:
        """Width in columns."""
        return self._cols

    @property
    def rows(self) -> int:
        """Height in rows."""
        return self._rows

    @property
    def modes(self) -> Modes:
        """Current mode flags."""
        with self.lock:
            if self._modes is not None:
                return self._modes
            m = self._n.mode
            self._modes = Modes(
                bracketed_paste=m(2004), mouse_tracking=m(1000) or m(1002) or m(1003), mouse_sgr=m(1006),
                app_cursor_keys=m(1), alt_screen=self._alt(), synchronized=m(2026), focus_events=m(1004),
                cursor_visible=self._n.get_bool(lib.GHOSTTY_TERMINAL_DATA_CURSOR_VISIBLE),
            )
            return self._modes

    def _alt(self) -> bool:
        return self._n.get_u32(lib.GHOSTTY_TERMINAL_DATA_ACTIVE_SCREEN) == lib.GHOSTTY_TERMINAL_SCREEN_ALTERNATE

    @property
    def mouse_modes(self) -> frozenset[int]:
        """Which of 1000/1002/1003/1006 the child enabled."""
        with self.lock:
            return frozenset(m for m in _MOUSE if self._n.mode(m))

    @property
    def kitty_keyboard_flags(self) -> int:
        """The kitty keyboard protocol flags the child pushed (0: legacy xterm keys)."""
        with self.lock:
            return self._n.get_u32(lib.GHOSTTY_TERMINAL_DATA_KITTY_KEYBOARD_FLAGS) & 0xFF

    def encode_key(self, key: str, character: str | None = None) -> bytes | None:
        """Bytes for a key (Textual-style name) as the child's modes want it, kitty keyboard protocol included."""
        with self.lock:
            if self._keys is None:
                self._keys = KeyEncoder()
                weakref.finalize(self, self._keys.free)
            return self._keys.encode(self._n.t, key, character)

    # -- scrollback --------------------------------------------------------------------------------------
    @property
    def scrollback_lines(self) -> int:
        """How many lines the scrollback holds now (bounded by the ``scrollback`` argument)."""
        with self.lock:
            return self._history.lines()

    @property
    def scrolled_off(self) -> int:
        """Lines ever pushed into scrollback (monotonic; lets a scrolled-back view stay anchored)."""
        with self.lock:
            self._sync(force=not self._holding() and self._stale)
            return self._history.scrolled_off(self._alt())

    def history_row(self, index: int) -> list[Cell]:
        """Cells of scrollback line ``index`` (0 = oldest), padded to the current width."""
        with self.lock:
            self._sync()
            return list(self._history.row(index, self._cols, self._rows))

    def history_text(self, index: int) -> str:
        """Text of scrollback line ``index`` (0 = oldest), trailing blanks cut."""
        with self.lock:
            self._sync()
            return self._history.text(index, self._rows)

    def search(self, text: str, ignore_case: bool = True) -> list[SearchHit]:
        """Find ``text`` in scrollback then the visible rows, oldest first."""
        if not text:
            return []
        with self.lock:
            self._sync()
            lines = self._history.texts(self._rows) + self.display
        return find_all(lines, text, ignore_case)

    def compact(self, budget: int = 2000) -> int:
        """Compress idle scrollback pages (call when the session is idle). Returns 0 when nothing is left."""
        with self.lock:
            return 1 if self._n.compress(full=budget >= 2000) else 0

    def clear_scrollback(self) -> None:
        """Forget the scrollback (as ED 3 does)."""
        self.feed(b"\x1b[3J")

    def close(self) -> None:
        """Free the native terminal now (garbage collection does it otherwise); the screen is unusable after."""
        with self.lock:
            self._finalizer()

