"""Agents killed at random mid-work; the witness patrol finds every one dead and restarts it with its hook, leaves
the live ones alone, and all the work still reaches a merge request. In-process engine (so the test can kill
sessions and run the patrol through the scheduler), FakeClock for patrol time, real PTYs and git."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from gastown_tui.agents.sling import sling
from gastown_tui.clock import FakeClock
from gastown_tui.engine import Engine
from gastown_tui.events import iter_events
from gastown_tui.records import LABEL_MERGE_REQUEST
from tests.agents.conftest import async_wait_until, gated_bead

pytestmark = pytest.mark.slow
AGENTS = 12


async def test_witness_restarts_every_killed_polecat(town, ledger) -> None:
    beads = [gated_bead(ledger, f"Job {n}", output=f"out{n}.txt") for n in range(AGENTS)]
    holders = {b.id: sling(town, ledger, b.id, "app", actor="overseer", start=False).address for b in beads}
    clock = FakeClock(time.time())
    engine = Engine(town, clock, ledger=ledger)
    await engine.start()
    try:
        for address in holders.values():
            await engine.sessions.spawn(address, topic="assigned")

        def waiting(address: str) -> bool:
            session = engine.sessions.live(address)
            return bool(session and any("$GT_TOWN/.gastown/go" in line for line in session.display()))

        await async_wait_until(lambda: all(waiting(a) for a in holders.values()), 90)
        victims = sorted(random.Random(os.getpid()).sample(sorted(holders.values()), AGENTS // 2))
        killed = {a: engine.sessions.live(a) for a in victims}
        for session in killed.values():
            os.killpg(session.pty.pid, signal.SIGKILL)  # the agent and its shell, mid-work
        await async_wait_until(lambda: not any(engine.sessions.live(a) for a in victims), 30)

        await clock.advance(120)  # past the witness's spawn grace (a scheduled witness run may start here too)
        outcome = await engine.scheduler.run_now("witness:app")
        assert outcome.result in ("ok", "skipped"), outcome  # skipped: the scheduled run holds the patrol lock

        def restarted() -> list[str]:
            return sorted(e.data["address"] for e in iter_events(town.events, {"witness.restart"}))

        await async_wait_until(lambda: len(restarted()) >= len(victims), 60)
        assert restarted() == victims  # every dead one, once, and none of the live ones
        restarts = list(iter_events(town.events, {"witness.restart"}))
        assert all(e.data["bead"] == next(b for b, a in holders.items() if a == e.data["address"]) for e in restarts)
        for address in victims:
            session = engine.sessions.live(address)
            assert session is not None and session is not killed[address]
        await async_wait_until(lambda: all(waiting(a) for a in victims), 90)  # back at work on the same hook

        (town.runtime / "go").touch()
        await async_wait_until(lambda: {m.metadata.get("source_issue") for m in ledger.list(
            labels=[LABEL_MERGE_REQUEST], include_closed=True)} >= set(holders), 180)
    finally:
        await engine.stop()
    mrs = ledger.list(labels=[LABEL_MERGE_REQUEST], include_closed=True)
    assert sorted(m.metadata["source_issue"] for m in mrs) == sorted(holders)
    assert {m.metadata["source_issue"]: m.metadata["worker"] for m in mrs} == holders
