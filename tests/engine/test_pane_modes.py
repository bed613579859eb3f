"""A pane whose output changes only its modes (kitty keyboard flags, bracketed paste) still sends an update: a
program that pushes kitty flags and prints nothing visible must not leave viewers encoding keys the old way.

The screen and the hub are real; the engine and the dispatcher are stand-ins that only look a session up and record
what the hub sends (this test is about the hub's flush decision, not about sockets)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from gastown_tui.engine.api import PaneUpdate
from gastown_tui.engine.panes import PaneHub
from gastown_tui.terminal import TerminalScreen


class Recorder:
    """Collects what the hub sends to clients."""

    def __init__(self) -> None:
        self.sent: list[object] = []

    def send(self, _client_id: int, event: object) -> None:
        self.sent.append(event)


async def test_a_mode_only_change_is_sent_and_an_idle_flush_is_not() -> None:
    screen = TerminalScreen(40, 5)
    engine = SimpleNamespace(sessions=SimpleNamespace(get=lambda _address: SimpleNamespace(screen=screen)))
    recorder = Recorder()
    hub = PaneHub(engine, recorder)  # type: ignore[arg-type]
    hub.view(1, "app/polecats/nux", 0, 0)

    hub._flush("app/polecats/nux")
    assert recorder.sent == []  # nothing changed: no bytes

    screen.feed(b"\x1b[>1u")  # kitty flags pushed; no row, cursor or clipboard change
    hub._flush("app/polecats/nux")
    updates = [e for e in recorder.sent if isinstance(e, PaneUpdate)]
    assert len(updates) == 1 and updates[0].modes.kitty_flags == 1 and updates[0].lines == ()

    screen.feed(b"\x1b[?2004h")  # bracketed paste on
    hub._flush("app/polecats/nux")
    assert recorder.sent[-1].modes.bracketed_paste is True  # type: ignore[attr-defined]
    hub._flush("app/polecats/nux")
    assert len(recorder.sent) == 2
    await asyncio.sleep(0)
