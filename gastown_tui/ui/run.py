"""Open the TUI on a town: find or start the town's engine (a background daemon), attach, run until detach."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from gastown_tui.engine import api
from gastown_tui.engine.api.daemon import ensure_engine, socket_path
from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.bridge import local_hms
from gastown_tui.ui.engine_port import ClientPort

HANGUP_GRACE = 2.0
"""Seconds a TUI whose terminal hung up may take to exit cleanly before it just exits."""
OnStarted = Callable[[ClientPort], Awaitable[Any]]
"""Called once attached (the demo slings its first beads here)."""


def run_tui(town_root: Path, *, on_started: OnStarted | None = None, layout: str | None = None,
            stop_engine_on_exit: bool = False, engine_args: tuple[str, ...] = (),
            before_run: Callable[[], None] | None = None) -> int:
    """Attach a GastownApp to the town's engine (starting it if none runs); returns the exit code."""
    ensure_engine(town_root, extra_args=engine_args)

    async def connect() -> api.EngineClient:
        return await api.SocketClient.connect(socket_path(town_root), name="tui")

    port = ClientPort(connect, time_format=local_hms, on_started=on_started, stop_engine_on_exit=stop_engine_on_exit)
    app = GastownApp(port, layout=layout, freeze_heap=True)
    app.restart_engine = lambda: ensure_engine(town_root, extra_args=engine_args)

    def hangup(_signum: int, _frame: object) -> None:
        # A lost terminal is a detach. This handler may interrupt the loop while it holds a lock, so it only
        # schedules the exit; and the terminal is gone, so if restoring it hangs, leave anyway after a moment
        # (nothing is lost: the engine and the agents live in their own session).
        loop = app._loop
        if loop is not None:
            loop.call_soon_threadsafe(app.exit)
        watchdog = threading.Timer(HANGUP_GRACE, os._exit, args=(0,))
        watchdog.daemon = True
        watchdog.start()

    signal.signal(signal.SIGHUP, hangup)
    if before_run is not None:
        before_run()
    app.run()
    return int(app.return_code or 0)
