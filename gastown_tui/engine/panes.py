"""PaneHub: which client views which pane, coalesced row updates to viewers, and the multi-client size policy.

The hub is the only reader of a live screen's dirty rows (`take_dirty`). Output notices mark a pane pending; a
pane some viewer focuses is flushed at most every 1/60 s (`MAX_ROWS_PER_SECOND`), other viewed panes at most
every 1/10 s (a TUI repaints those no faster; decoding 4 streaming panes at 60/s cost it key latency), and a
flush with no changed row and an unmoved cursor sends nothing, so idle panes cost no bytes. Size policy: see
`engine.api.panes`.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from gastown_tui.engine.api.panes import (
    BACKGROUND_ROWS_PER_SECOND, MAX_ROWS_PER_SECOND, PaneClosed, PaneModes,
    PaneSnapshot, PaneUpdate,
)
from gastown_tui.engine.pane_codec import encode_modes, encode_row

if TYPE_CHECKING:
    from gastown_tui.engine.dispatch import Dispatcher

INTERVAL = 1.0 / MAX_ROWS_PER_SECOND
MAX_CLIPBOARD_CHARS = 1 << 20
"""A bigger OSC 52 write is dropped (it would be one enormous line on the wire to every viewer)."""
BACKGROUND_INTERVAL = 1.0 / BACKGROUND_ROWS_PER_SECOND


def _take_clipboard(screen: Any) -> tuple[str, ...]:
    """The screen's pending OSC 52 texts (a screen without the feature has none)."""
    take = getattr(screen, "take_clipboard", None)
    texts = take() if take is not None else []
    return tuple(text for text in texts if len(text) <= MAX_CLIPBOARD_CHARS)


class PaneState:
    """What the hub remembers per pane."""

    def __init__(self) -> None:
        self.viewers: set[int] = set()
        self.sizes: dict[int, tuple[int, int]] = {}
        self.last_typist: int | None = None
        self.screen: Any = None
        self.last_flush = float("-inf")
        self.cursor: tuple[int, int, bool] | None = None
        self.modes: PaneModes | None = None  # the modes last sent: a mode change alone (kitty flags, paste) is news too
        self.scheduled = False
        self.seq = 0


class PaneHub:
    """Pane viewing for every client of one engine."""

    def __init__(self, engine: Any, dispatcher: Dispatcher) -> None:
        self.engine = engine
        self.dispatcher = dispatcher
        self.panes: dict[str, PaneState] = {}
        self.focus: dict[int, str] = {}
        """Each client's current pane."""
        self.updates_sent = 0
        self._closed = False

    def _state(self, address: str) -> PaneState:
        return self.panes.setdefault(address, PaneState())

    def _screen(self, address: str) -> Any:
        session = self.engine.sessions.get(address)
        return session.screen if session is not None else None

    # -- viewing ----------------------------------------------------------------------------------------------
    def view(self, client_id: int, address: str, cols: int, rows: int) -> PaneSnapshot:
        """Add a viewer and answer with the whole screen."""
        from gastown_tui.errors import NotFound

        screen = self._screen(address)
        if screen is None:
            raise NotFound(f"{address} has no session in this engine")
        state = self._state(address)
        state.viewers.add(client_id)
        if cols > 0 and rows > 0:
            self.resize(client_id, address, cols, rows)
            screen = self._screen(address)
        if state.screen is not screen:
            state.screen = screen
            screen.take_dirty()
            _take_clipboard(screen)  # writes made while nobody watched are stale: never copy them later
        state.seq += 1
        x, y, visible = screen.cursor
        state.cursor = (x, y, visible)
        state.modes = encode_modes(screen)
        return PaneSnapshot(address, screen.cols, screen.rows,
                            tuple(encode_row(i, screen.row(i)) for i in range(screen.rows)), x, y,
                            state.modes, screen.scrollback_lines, screen.scrolled_off,
                            str(getattr(screen, "title", "") or ""), state.seq)

    def unview(self, client_id: int, address: str) -> None:
        """Remove a viewer (its size claim goes with it)."""
        state = self.panes.get(address)
        if state is not None:
            state.viewers.discard(client_id)
            state.sizes.pop(client_id, None)
            if state.last_typist == client_id:
                state.last_typist = None

    def set_focus(self, client_id: int, address: str) -> None:
        """The client's current pane changed; a pane that gained focus is flushed at once."""
        if address:
            self.focus[client_id] = address
            self.output(address)
        else:
            self.focus.pop(client_id, None)

    def _interval(self, address: str, state: PaneState) -> float:
        # a viewer that never said which pane is current gets every pane fast (older clients, tests)
        fast = any(self.focus.get(client, address) == address for client in state.viewers)
        return INTERVAL if fast else BACKGROUND_INTERVAL

    def forget_client(self, client_id: int) -> None:
        """A client went away: it views nothing any more."""
        self.focus.pop(client_id, None)
        for address in list(self.panes):
            self.unview(client_id, address)

    # -- size policy: the most recent typist's size ------------------------------------------------------------
    def resize(self, client_id: int, address: str, cols: int, rows: int) -> None:
        """Remember the client's size; apply it unless another viewer typed more recently."""
        state = self._state(address)
        state.sizes[client_id] = (cols, rows)
        if state.last_typist in (None, client_id) or state.last_typist not in state.viewers:
            self._apply(address, cols, rows)

    def typed(self, client_id: int, address: str) -> None:
        """A client typed into the pane: it becomes the typist and its size applies."""
        state = self._state(address)
        if state.last_typist != client_id:
            state.last_typist = client_id
            size = state.sizes.get(client_id)
            if size is not None:
                self._apply(address, *size)

    def _apply(self, address: str, cols: int, rows: int) -> None:
        session = self.engine.sessions.live(address)
        if session is None or (session.screen.cols, session.screen.rows) == (cols, rows):
            return
        session.resize(cols, rows)
        self.output(address)

    # -- updates ----------------------------------------------------------------------------------------------
    def output(self, address: str) -> None:
        """New output on a pane: flush now or at the next 1/60 s slot."""
        state = self.panes.get(address)
        if state is None or not state.viewers or state.scheduled or self._closed:
            return
        wait = state.last_flush + self._interval(address, state) - time.monotonic()
        state.scheduled = True
        if wait <= 0:
            asyncio.get_running_loop().call_soon(self._flush, address)
        else:
            asyncio.get_running_loop().call_later(wait, self._flush, address)

    def _flush(self, address: str) -> None:
        state = self.panes.get(address)
        if state is None:
            return
        state.scheduled = False
        state.last_flush = time.monotonic()
        screen = self._screen(address)
        if screen is None or not state.viewers:
            return
        if screen is not state.screen:
            self.replaced(address)
            return
        if getattr(screen, "frame_pending", False):
            self.output(address)  # a synchronized frame is open: look again next slot
        dirty = screen.take_dirty()
        clipboard = _take_clipboard(screen)
        x, y, visible = screen.cursor
        modes = encode_modes(screen)
        if not dirty and not clipboard and state.cursor == (x, y, visible) and state.modes == modes:
            return
        state.cursor = (x, y, visible)
        state.modes = modes
        state.seq += 1
        update = PaneUpdate(address, screen.cols, screen.rows,
                            tuple(encode_row(i, screen.row(i)) for i in sorted(dirty) if i < screen.rows), x, y,
                            modes, screen.scrollback_lines, screen.scrolled_off, state.seq, clipboard)
        for client_id in list(state.viewers):
            self.dispatcher.send(client_id, update)
        self.updates_sent += 1

    def replaced(self, address: str) -> None:
        """The pane's session started or ended: viewers re-view to get the new screen."""
        state = self.panes.get(address)
        if state is None:
            return
        state.screen = None
        for client_id in list(state.viewers):
            self.dispatcher.send(client_id, PaneClosed(address))
        state.viewers.clear()

    def close(self) -> None:
        """No more updates (the engine is stopping)."""
        self._closed = True
