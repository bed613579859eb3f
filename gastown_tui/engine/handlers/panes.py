"""Handlers: viewing panes, scrollback pages, and keys/paste/mouse/resize from clients."""

from __future__ import annotations

from gastown_tui.engine.api.base import Done
from gastown_tui.engine.api.panes import (
    FocusPane, GetScrollback, MouseInput, PaneSnapshot, Paste, ResizePane, ScrollbackPage, TypeKeys, UnviewPane,
    ViewPane,
)
from gastown_tui.engine.dispatch import HandlerContext, handles
from gastown_tui.engine.pane_codec import encode_row
from gastown_tui.errors import NotFound

MAX_PAGE = 1000


def _live(ctx: HandlerContext, address: str):  # type: ignore[no-untyped-def]
    session = ctx.engine.sessions.live(address)
    if session is None:
        raise NotFound(f"{address} has no running session")
    return session


@handles(ViewPane)
async def view_pane(ctx: HandlerContext, cmd: ViewPane) -> PaneSnapshot:
    """Snapshot now, updates after."""
    return ctx.panes.view(ctx.client_id, cmd.address, cmd.cols, cmd.rows)


@handles(FocusPane)
async def focus_pane(ctx: HandlerContext, cmd: FocusPane) -> Done:
    """The client's current pane gets the fast update rate."""
    ctx.panes.set_focus(ctx.client_id, cmd.address)
    return Done()


@handles(UnviewPane)
async def unview_pane(ctx: HandlerContext, cmd: UnviewPane) -> Done:
    """No more updates for this pane to this client."""
    ctx.panes.unview(ctx.client_id, cmd.address)
    return Done()


@handles(GetScrollback)
async def get_scrollback(ctx: HandlerContext, cmd: GetScrollback) -> ScrollbackPage:
    """History lines [start, start+count)."""
    session = ctx.engine.sessions.get(cmd.address)
    if session is None:
        raise NotFound(f"{cmd.address} has no session in this engine")
    screen = session.screen
    total = screen.scrollback_lines
    start = max(0, cmd.start)
    end = min(total, start + max(0, min(cmd.count, MAX_PAGE)))
    return ScrollbackPage(cmd.address, start, tuple(encode_row(i, screen.history_row(i)) for i in range(start, end)),
                          total)


@handles(TypeKeys)
async def type_keys(ctx: HandlerContext, cmd: TypeKeys) -> Done:
    """Keystrokes: the nudge guard sees them (whichever client typed), the typist's size applies."""
    session = _live(ctx, cmd.address)
    ctx.engine.note_user_typing(cmd.address)
    ctx.panes.typed(ctx.client_id, cmd.address)
    data = cmd.data
    if cmd.key:  # a key name: encoded by the terminal itself, for the kitty keyboard flags the child pushed
        data = session.screen.encode_key(cmd.key, cmd.character or None) or b""
    if data:
        session.write(data)
    return Done()


@handles(Paste)
async def paste(ctx: HandlerContext, cmd: Paste) -> Done:
    """Pasted text (bracketed if the child asked)."""
    session = _live(ctx, cmd.address)
    ctx.engine.note_user_typing(cmd.address)
    ctx.panes.typed(ctx.client_id, cmd.address)
    session.pty.paste(cmd.text)
    return Done()


@handles(MouseInput)
async def mouse_input(ctx: HandlerContext, cmd: MouseInput) -> Done:
    """A mouse report for the child."""
    _live(ctx, cmd.address).write(cmd.data)
    return Done()


@handles(ResizePane)
async def resize_pane(ctx: HandlerContext, cmd: ResizePane) -> Done:
    """The client's pane size, through the size policy."""
    if cmd.cols > 0 and cmd.rows > 0:
        ctx.panes.resize(ctx.client_id, cmd.address, cmd.cols, cmd.rows)
    return Done()
