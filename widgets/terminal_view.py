"""``TerminalView``: a line-API widget that shows a VT screen and turns keys, paste and mouse into child input.

The screen comes in through the ``ScreenSource`` protocol (structurally satisfied by
``gastown_tui.terminal.TerminalScreen``; this package never imports gastown_tui). The host tells the view that
output arrived by posting ``TerminalView.Output`` (``can_replace``: any rate coalesces to one repaint) or calling
``refresh_rows``; the view then takes the dirty rows and refreshes only those lines. Strips are cached per row and,
for changed rows, by content (scrolling moves rows without rebuilding them). A hidden view does no work; it repaints
fully when shown.

Wiring (the UI bridge does this; the engine never touches widgets):

    view = TerminalView(screen, writer=send_bytes)         # or no writer: handle TerminalView.Input messages
    on output from the session      -> view.post_message(TerminalView.Output())   # any rate
    on TerminalView.Resized(c, r)   -> session.resize(c, r)
    on TerminalView.ReleaseFocus    -> move focus elsewhere

Focus: while focused every key goes to the child, Escape included (agents use it). ``ctrl+\\`` (RELEASE_KEY) gives
focus back by posting ``TerminalView.ReleaseFocus``; it is free in Claude Code and rarely used in vim, and in a
plain tty it would send SIGQUIT, which nobody wants to hit by accident. Shift+PageUp/PageDown and the mouse wheel
scroll the scrollback (the wheel goes to the child instead when it enabled SGR mouse reporting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

RELEASE_KEY = "ctrl+backslash"
"""The chord that gives focus back (Escape belongs to the agent)."""

_CSI_KEYS = {"up": "A", "down": "B", "right": "C", "left": "D", "home": "H", "end": "F"}
_TILDE_KEYS = {"insert": 2, "delete": 3, "pageup": 5, "pagedown": 6, "f5": 15, "f6": 17, "f7": 18, "f8": 19,
               "f9": 20, "f10": 21, "f11": 23, "f12": 24}
_SS3_F = {"f1": "P", "f2": "Q", "f3": "R", "f4": "S"}
_SIMPLE = {"enter": b"\r", "tab": b"\t", "shift+tab": b"\x1b[Z", "backspace": b"\x7f", "escape": b"\x1b",
           "ctrl+h": b"\x08", "ctrl+space": b"\x00", "ctrl+@": b"\x00", "shift+enter": b"\x1b\r",
           "ctrl+backslash": b"\x1c", "ctrl+right_square_bracket": b"\x1d", "ctrl+circumflex_accent": b"\x1e",
           "ctrl+underscore": b"\x1f", "ctrl+minus": b"\x1f", "ctrl+backspace": b"\x08"}
_MODS = {"shift": 1, "alt": 2, "meta": 2, "ctrl": 4}


def encode_key(key: str, character: str | None, app_cursor: bool = False) -> bytes | None:
    """xterm bytes for a Textual key (None: nothing to send). Shift+Enter sends ESC CR, Claude Code's newline."""
    if key in _SIMPLE:
        return _SIMPLE[key]
    *mods, base = key.split("+")
    if base in _CSI_KEYS or base in _TILDE_KEYS or base in _SS3_F:
        code = 1 + sum(_MODS.get(m, 0) for m in mods)
        if base in _TILDE_KEYS:
            n = _TILDE_KEYS[base]
            return f"\x1b[{n};{code}~".encode() if code > 1 else f"\x1b[{n}~".encode()
        final = _CSI_KEYS.get(base) or _SS3_F[base]
        if code > 1:
            return f"\x1b[1;{code}{final}".encode()
        if base in _SS3_F or (app_cursor and base in _CSI_KEYS):
            return f"\x1bO{final}".encode()
        return f"\x1b[{final}".encode()
    if mods == ["ctrl"] and len(base) == 1 and base.isalpha():
        return bytes([ord(base.lower()) - 96])
    if mods and mods[0] == "alt":  # alt+x: ESC prefix, then the key without alt
        rest = encode_key("+".join(mods[1:] + [base]), character, app_cursor)
        if rest is None and (character or len(base) == 1):
            rest = (character or base).encode()
        return b"\x1b" + rest if rest is not None else None
    if character and character.isprintable():
        return character.encode()
    return None


def paste_bytes(text: str, bracketed: bool) -> bytes:
    """Pasted text as the child expects it: newlines as CR, framed when bracketed paste is on."""
    body = text.replace("\r\n", "\r").replace("\n", "\r")
    if not bracketed:
        return body.encode()
    return b"\x1b[200~" + body.replace("\x1b[201~", "").encode() + b"\x1b[201~"


def mouse_event_bytes(button: int, x: int, y: int, press: bool) -> bytes:
    """An SGR (1006) mouse report; x and y are 0-based cell coordinates."""
    return f"\x1b[<{button};{x + 1};{y + 1}{'M' if press else 'm'}".encode()



class CellLike(Protocol):
    """One cell as the view needs it (colours are Rich colour strings or "default")."""

    char: str
    fg: str
    bg: str
    bold: bool
    italic: bool
    underline: bool
    reverse: bool
    strikethrough: bool
    dim: bool
    blink: bool
    width: int


class ModesLike(Protocol):
    """The mode flags the view acts on."""

    bracketed_paste: bool
    app_cursor_keys: bool
    mouse_tracking: bool
    mouse_sgr: bool


@runtime_checkable
class ScreenSource(Protocol):
    """What the view reads from a terminal screen."""

    cols: int
    rows: int
    scrollback_lines: int
    scrolled_off: int

    def row(self, y: int) -> Sequence[CellLike]: ...
    def history_row(self, index: int) -> Sequence[CellLike]: ...
    def take_dirty(self) -> set[int]: ...
    @property
    def cursor(self) -> tuple[int, int, bool]: ...
    @property
    def modes(self) -> ModesLike: ...


@lru_cache(maxsize=4096)
def _glyph(char: str, width: int) -> str:
    """Text that really covers ``width`` columns in Rich (a VS16 cluster tmux keeps 1 wide loses its VS16)."""
    if not char:
        return ""
    if cell_len(char) == width:
        return char
    base = char[0]
    return base if cell_len(base) == width else " " * width


@lru_cache(maxsize=2048)
def _style(fg: str, bg: str, bold: bool, italic: bool, underline: bool, reverse: bool, strike: bool,
           dim: bool, blink: bool) -> Style:
    """Rich style for a cell's attributes (Textual downgrades colours on 16-colour terminals)."""
    return Style(color=None if fg == "default" else fg, bgcolor=None if bg == "default" else bg,
                 bold=bold or None, italic=italic or None, underline=underline or None, reverse=reverse or None,
                 strike=strike or None, dim=dim or None, blink=blink or None)


def cells_to_strip(cells: Sequence[CellLike], cursor_x: int = -1) -> Strip:
    """Merge runs of equally styled cells into segments; the cursor cell is drawn reversed."""
    segments: list[Segment] = []
    run: list[str] = []
    run_key: tuple[object, ...] | None = None
    for x, c in enumerate(cells):
        key = (c.fg, c.bg, c.bold, c.italic, c.underline, c.reverse != (x == cursor_x), c.strikethrough,
               c.dim, c.blink)
        if key != run_key:
            if run:
                segments.append(Segment("".join(run), _style(*run_key)))  # type: ignore[misc]
            run, run_key = [], key
        run.append(_glyph(c.char, c.width))
    if run:
        segments.append(Segment("".join(run), _style(*run_key)))  # type: ignore[misc]
    return Strip(segments, len(cells))


class TerminalView(Widget, can_focus=True):
    """Shows a ``ScreenSource`` and sends input to the child through ``writer`` or ``TerminalView.Input``."""

    BINDINGS = [
        Binding(RELEASE_KEY, "release_focus", "Leave terminal", id="terminal.release_focus", priority=True),
        Binding("shift+pageup", "scroll_history(-1)", "Scroll back", show=False, id="terminal.scroll_back"),
        Binding("shift+pagedown", "scroll_history(1)", "Scroll forward", show=False, id="terminal.scroll_forward"),
    ]

    DEFAULT_CSS = """
    TerminalView { width: 1fr; height: 1fr; }
    """

    scroll_back: var[int] = var(0)
    """Lines scrolled back into history (0 = live view)."""

    @dataclass
    class Input(Message):
        """Bytes for the child (posted when no writer callback was given)."""

        view: TerminalView
        data: bytes

        @property
        def control(self) -> TerminalView:
            return self.view

    @dataclass
    class ReleaseFocus(Message):
        """The user pressed the release chord: the app should move focus elsewhere."""

        view: TerminalView

        @property
        def control(self) -> TerminalView:
            return self.view

    @dataclass
    class Resized(Message):
        """The view's size changed: the host should resize the PTY and screen to ``cols`` x ``rows``."""

        view: TerminalView
        cols: int
        rows: int

        @property
        def control(self) -> TerminalView:
            return self.view

    class Output(Message):
        """The screen has new output; post at any rate, queued copies coalesce into one."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, TerminalView.Output)

    def __init__(self, source: ScreenSource | None = None, writer: Callable[[bytes], None] | None = None, *,
                 name: str | None = None, id: str | None = None, classes: str | None = None,
                 disabled: bool = False) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._source = source
        self._writer = writer
        self._rows: dict[int, tuple[tuple[object, ...], Strip]] = {}  # view row -> (key, strip)
        self._by_content: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self._cursor_at: tuple[int, int] | None = None
        self._frame_timer: Timer | None = None
        self._seen_scrolled = source.scrolled_off if source is not None else 0
        self.strip_builds = 0
        """How many strips were built (cache misses); tests use it to prove only dirty rows are redrawn."""

    # -- source and output -------------------------------------------------------------------------------
    @property
    def source(self) -> ScreenSource | None:
        """The screen shown."""
        return self._source

    def attach(self, source: ScreenSource | None, writer: Callable[[bytes], None] | None = None) -> None:
        """Show another screen (and send input to another writer)."""
        self._source = source
        self._writer = writer
        self._seen_scrolled = source.scrolled_off if source is not None else 0
        self.scroll_back = 0
        self.repaint()

    def repaint(self) -> None:
        """Forget cached rows and redraw everything."""
        self._rows.clear()
        if self._source is not None:
            self._source.take_dirty()
        self.refresh()

    def on_terminal_view_output(self, message: TerminalView.Output) -> None:
        """Coalesced output notification: pull dirty rows."""
        message.stop()
        self.pull()

    def pull(self) -> None:
        """Take the screen's dirty rows and refresh just those lines (nothing while hidden)."""
        source = self._source
        if source is None or not self.display or not self.is_on_screen:
            return
        dirty = source.take_dirty()
        if getattr(source, "frame_pending", False):
            # a DEC 2026 frame is open: change nothing (not even the cursor) until it ends; look again even if
            # no more output arrives, since the screen releases a frame that never ends after its timeout
            if self._frame_timer is None:
                self._frame_timer = self.set_timer(0.1, self._frame_check)
            if not dirty:
                return
        if self.scroll_back:
            pushed = source.scrolled_off - self._seen_scrolled
            if pushed:  # keep a scrolled-back view anchored on the same history lines
                self.scroll_back = min(self.scroll_back + pushed, source.scrollback_lines)
            self._seen_scrolled = source.scrolled_off
            if dirty or pushed:
                self._rows.clear()
                self.refresh()
            return
        self._seen_scrolled = source.scrolled_off
        x, y, visible = source.cursor
        cursor = (x, y) if visible and self.has_focus else None
        if cursor != self._cursor_at:
            dirty |= {p[1] for p in (cursor, self._cursor_at) if p is not None}
        self.refresh_rows(dirty)

    def _frame_check(self) -> None:
        self._frame_timer = None
        self.pull()

    def refresh_rows(self, rows: Iterable[int]) -> None:
        """Invalidate and repaint the given screen rows."""
        width = self.size.width
        regions = []
        for y in rows:
            self._rows.pop(y, None)
            regions.append(Region(0, y, width, 1))
        if regions:
            self.refresh(*regions)

    def on_show(self) -> None:
        """Shown again (tab switch, zoom): repaint everything, as hidden views skipped their updates."""
        self.repaint()

    def on_resize(self, event: events.Resize) -> None:
        """Tell the host the new size; it resizes PTY and screen together."""
        self._rows.clear()
        self.post_message(self.Resized(self, event.size.width, event.size.height))

    def on_focus(self) -> None:
        """Show the cursor; report focus-in if the child asked for focus events (mode 1004)."""
        self._report_focus(b"\x1b[I")
        self.pull()

    def on_blur(self) -> None:
        """Hide the cursor; report focus-out if the child asked for focus events."""
        self._report_focus(b"\x1b[O")
        self.pull()

    def _report_focus(self, data: bytes) -> None:
        modes = self._source.modes if self._source is not None else None
        if modes is not None and getattr(modes, "focus_events", False):
            if self._writer is not None:
                self._writer(data)
            else:
                self.post_message(self.Input(self, data))

    def watch_scroll_back(self) -> None:
        self._rows.clear()
        self.refresh()

    # -- rendering ---------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        """Line API: the strip for view row ``y`` (cached per row; rebuilt only when invalidated)."""
        width = self.size.width
        source = self._source
        if source is None or y >= source.rows:
            return Strip.blank(width)
        if getattr(source, "frame_pending", False):  # mid-frame (DEC 2026): keep showing the last whole frame
            held = self._rows.get(y)
            if held is not None:
                return held[1]
        cursor_x = -1
        if self.scroll_back:
            index = source.scrollback_lines - self.scroll_back + y
            if index < source.scrollback_lines:
                cells: Sequence[CellLike] = source.history_row(index)
            else:
                cells = source.row(index - source.scrollback_lines)
        else:
            cx, cy, visible = source.cursor
            if visible and self.has_focus and cy == y:
                cursor_x = cx
                self._cursor_at = (cx, cy)
            elif self._cursor_at is not None and self._cursor_at[1] == y and not (visible and self.has_focus):
                self._cursor_at = None
            cells = source.row(y)
        slot_key = (cursor_x, width, self.scroll_back)
        cached = self._rows.get(y)
        if cached is not None and cached[0] == slot_key:
            return cached[1]
        content_key = (tuple(cells), cursor_x, width)
        strip = self._by_content.get(content_key)
        if strip is None:
            self.strip_builds += 1
            strip = cells_to_strip(cells, cursor_x).adjust_cell_length(width)
            self._by_content[content_key] = strip
        self._rows[y] = (slot_key, strip)
        return strip

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._source.cols if self._source is not None else container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._source.rows if self._source is not None else container.height

    # -- input -------------------------------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        """Send bytes to the child (writer callback, else an ``Input`` message)."""
        if not data:
            return
        if self.scroll_back:
            self.scroll_back = 0  # typing returns to the live view, as in tmux copy mode
        if self._writer is not None:
            self._writer(data)
        else:
            self.post_message(self.Input(self, data))

    async def _on_key(self, event: events.Key) -> None:
        """Every key goes to the child (bindings with priority, like the release chord, ran already)."""
        if event.key in ("shift+pageup", "shift+pagedown"):
            return  # handled by bindings
        app_cursor = bool(self._source is not None and self._source.modes.app_cursor_keys)
        data = encode_key(event.key, event.character, app_cursor)
        if data is not None:
            event.stop()
            event.prevent_default()
            self.send(data)

    def on_paste(self, event: events.Paste) -> None:
        """Paste, framed as bracketed paste when the child asked for it."""
        event.stop()
        bracketed = bool(self._source is not None and self._source.modes.bracketed_paste)
        self.send(paste_bytes(event.text, bracketed))

    def action_release_focus(self) -> None:
        """Give focus back to the app."""
        self.post_message(self.ReleaseFocus(self))

    def action_scroll_history(self, pages: int) -> None:
        """Scroll the scrollback by pages (negative: back in time)."""
        if self._source is None:
            return
        step = max(1, self.size.height - 1) * pages
        self.scroll_back = max(0, min(self.scroll_back - step, self._source.scrollback_lines))

    def _mouse_to_child(self) -> bool:
        modes = self._source.modes if self._source is not None else None
        return bool(modes is not None and modes.mouse_tracking and modes.mouse_sgr and not self.scroll_back)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        if self._mouse_to_child():
            self.send(mouse_event_bytes(64, event.x, event.y, True))
        elif self._source is not None:
            self.scroll_back = min(self.scroll_back + 3, self._source.scrollback_lines)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        if self._mouse_to_child():
            self.send(mouse_event_bytes(65, event.x, event.y, True))
        else:
            self.scroll_back = max(0, self.scroll_back - 3)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if self._mouse_to_child():
            self.send(mouse_event_bytes(max(0, event.button - 1), event.x, event.y, True))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._mouse_to_child():
            self.send(mouse_event_bytes(max(0, event.button - 1), event.x, event.y, False))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Motion reports: with a button held under 1002, any motion under 1003."""
        if not self._mouse_to_child() or self._source is None:
            return
        modes = self._source.mouse_modes if hasattr(self._source, "mouse_modes") else frozenset()
        if 1003 in modes or (1002 in modes and event.button):
            button = (event.button - 1 if event.button else 3) + 32
            self.send(mouse_event_bytes(button, event.x, event.y, True))
