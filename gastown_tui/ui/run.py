"""Open the TUI on a town: build the in-process Engine, wrap it in an EnginePort, run GastownApp until quit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gastown_tui.gc_tuning import freeze_startup_heap, tune_for_interactive
from gastown_tui.town.paths import TownPaths
from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.engine_port import EnginePort

OnStarted = Callable[[EnginePort], Awaitable[Any]]
"""Called once the engine is up (the demo slings its first beads here)."""


def run_tui(paths: TownPaths, *, on_started: OnStarted | None = None, layout: str | None = None) -> int:
    """Run the app on `paths` with a live engine; returns the exit code."""
    from gastown_tui.engine import Engine

    engine = Engine(paths)
    port = EnginePort(engine)
    if on_started is not None:
        hook = on_started
        port.on_started = lambda: hook(port)
    app = GastownApp(port, layout=layout, freeze_heap=True)
    freeze_startup_heap()  # imported modules are permanent: no full collection needs to walk them
    tune_for_interactive()
    app.run()
    return int(app.return_code or 0)
