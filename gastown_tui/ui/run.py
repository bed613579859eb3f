"""Open the TUI on a town: build the in-process Engine, wrap it in an EnginePort, run GastownApp until quit."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable
from typing import Any

from gastown_tui.town.paths import TownPaths
from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.engine_port import EnginePort

GC_YOUNG_THRESHOLD = 10_000
"""Allocations between young-generation collections (CPython's default is 700)."""

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
    gc.freeze()  # imported modules are permanent: no full collection needs to walk them (see GastownApp)
    # 30 streaming agents allocate fast; with the default 700 every 2 s ended in a ~80 ms full collection (the
    # key-latency p99). Young collections of 10k objects take ~1 ms; full ones now come every ~30 s.
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    app.run()
    return int(app.return_code or 0)
