"""Open the TUI on a town: build the in-process Engine, wrap it in an EnginePort, run GastownApp until quit."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable
from typing import Any

from gastown_tui.town.paths import TownPaths
from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.engine_port import EnginePort

GC_THRESHOLDS = (10_000, 3, 40)
"""gc.set_threshold for the app (CPython's default is 700, 10, 10)."""

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
    # 30 streaming agents allocate fast: the defaults ended in a ~80 ms full collection every ~2 s (the key-latency
    # p99). Measured: young collections of 10k objects take a few ms, middle ones (<= 30k) <= ~18 ms (50 ms
    # with 10 young per middle), and full ones wait for ~1.2M net allocations instead of ~70k.
    gc.set_threshold(*GC_THRESHOLDS)
    app.run()
    return int(app.return_code or 0)
