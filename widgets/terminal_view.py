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

Optional source features, used when present: ``encode_key(key, character)`` and ``kitty_keyboard_flags`` (keys go
through the emulator's encoder once the child enabled the kitty keyboard protocol), ``take_clipboard()`` (OSC 52
writes; copied with ``App.copy_to_clipboard`` only while this view has focus, dropped otherwise) and a ``link``
on cells (OSC 8 targets, drawn as Rich links).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from widgets.terminal_keys import encode_key, mouse_event_bytes, paste_bytes
from widgets.terminal_render import CellLike, ModesLike, ScreenSource, cells_to_strip

RELEASE_KEY = "ctrl+backslash"
"""The chord that gives focus back (Escape belongs to the agent)."""


__all__ = ["RELEASE_KEY", "TerminalView", "ScreenSource", "CellLike", "ModesLike", "cells_to_strip",
           "encode_key", "paste_bytes", "mouse_event_bytes"]


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
        self._line_width = -1  # the width during one render_lines call
        self._seen_scrolled = source.scrolled_off if source is not None else 0
        self.clipboard_copies = 0
        """OSC 52 writes passed to ``App.copy_to_clipboard``."""
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
        if source is None:
            return
        self._take_clipboard(source)
        if not self.display or not self.is_on_screen:
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

    def _take_clipboard(self, source: ScreenSource) -> None:
        """OSC 52: the child's clipboard writes reach the Overseer's clipboard only from the focused pane."""
        take = getattr(source, "take_clipboard", None)
        if take is None:
            return
        texts = take()
        if texts and self.has_focus:
            self.app.copy_to_clipboard(texts[-1])
            self.clipboard_copies += 1

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
    def render_lines(self, crop: Region) -> list[Strip]:
        """Look the width up once per render: ``self.size`` walks the compositor map, per line it was ~10% of CPU."""
        self._line_width = self.size.width
        try:
            return super().render_lines(crop)
        finally:
            self._line_width = -1

    def render_line(self, y: int) -> Strip:
        """Line API: the strip for view row ``y`` (cached per row; rebuilt only when invalidated)."""
        width = self._line_width if self._line_width >= 0 else self.size.width
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
        source = self._source
        encoder = getattr(source, "encode_key", None)
        kitty: int = getattr(source, "kitty_keyboard_flags", 0)
        if encoder is not None and kitty:
            data = encoder(event.key, event.character)  # the child pushed kitty flags: the emulator's encoder
        else:
            app_cursor = bool(source is not None and source.modes.app_cursor_keys)
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
