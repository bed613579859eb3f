"""Idle means idle: with nothing happening, no timer runs and nothing is re-read (fake engine: UI only)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from gastown_tui.ui.app import GastownApp


def active_timers(app: GastownApp) -> list[str]:
    """Names of timers that are running (not paused) anywhere in the app."""
    nodes = [app, *app.screen_stack, *app.screen.walk_children(with_self=False)]
    return [f"{type(node).__name__}:{timer.name}" for node in nodes for timer in list(node._timers)
            if timer._task is not None and timer._active.is_set()]


async def test_idle_app_runs_no_timers_and_reads_nothing(make_app: Callable[..., GastownApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        snapshots, posted = app.snapshots_taken, app.bridge.posted
        await asyncio.sleep(0.5)
        await pilot.pause()
        assert active_timers(app) == []
        assert app.snapshots_taken == snapshots and app.bridge.posted == posted
