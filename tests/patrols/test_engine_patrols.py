"""The real Engine schedules the town's patrols; a pause written by another process (the CLI) is honoured."""

from __future__ import annotations

import asyncio
import time

from gastown_tui.clock import FakeClock
from gastown_tui.engine import Engine
from gastown_tui.patrols.state import LedgerStateStore

from .conftest import Town


async def wait_idle(engine: Engine) -> None:
    """Let woken patrol runs start and finish (their git/ledger work runs in threads)."""
    for _ in range(5):
        await asyncio.sleep(0.05)
    deadline = time.monotonic() + 60
    while any(row.running for row in engine.scheduler.status()) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def test_engine_runs_patrols_and_honours_cli_pause(town: Town) -> None:
    clock = FakeClock(time.time())
    engine = Engine(town.paths, clock, ledger=town.ledger, control=False, recover=False)
    await engine.start()
    try:
        assert engine.scheduler.names() == ["deacon", "refinery:alpha", "witness:alpha"]
        LedgerStateStore(town.ledger).set_paused("refinery:alpha", True)  # as `gt patrol pause` does
        await wait_idle(engine)
        await clock.advance(60)
        await wait_idle(engine)
        ran = {h.patrol for h in LedgerStateStore(town.ledger).history()}
        assert "witness:alpha" in ran and "refinery:alpha" not in ran
        LedgerStateStore(town.ledger).set_paused("refinery:alpha", False)
        await clock.advance(30)
        await wait_idle(engine)
        history = LedgerStateStore(town.ledger).history("refinery:alpha")
        assert history and history[-1].result == "ok"
        await clock.advance(300)
        await wait_idle(engine)
        assert LedgerStateStore(town.ledger).history("deacon")[-1].result == "ok"
    finally:
        await engine.stop()
