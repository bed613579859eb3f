"""Costs in the engine: a rate limit seen on screen is recorded (and read back per tick into the state), and an
open budget breaker holds every nudge path (Nudge, queued drain, GUPP) with its reason on the feed and the bus."""

from __future__ import annotations

import time

from gastown_tui.agents.hooks import hook_bead
from gastown_tui.agents.registry import ensure_agent
from gastown_tui.clock import FakeClock
from gastown_tui.costs import budget
from gastown_tui.costs.ratelimit import active_limit, limit_history
from gastown_tui.engine import Engine
from gastown_tui.engine.events import NudgeQueued
from gastown_tui.events import iter_events
from gastown_tui.records import parse_address
from tests.agents.conftest import async_wait_until
from tests.engine.test_gupp_typing import ADDRESS, _reader_agent_with_work, _screen_has

LIMITED = """
[runtimes.limited]
command = ["{python}", "-c", "import time\\nprint('API rate limit hit, retrying in 30s', flush=True)\\ntime.sleep(60)"]
prompt_mode = "none"
screen = { lines = 3, idle = ["^limited> ?$"], rate_limited = ["retrying in (?P<retry>\\\\d+)s"] }
"""


async def test_a_rate_limit_on_screen_is_recorded_once_and_kept_by_the_state(town, ledger) -> None:
    with town.town_toml.open("a") as fh:
        fh.write(LIMITED)
    address = parse_address("app/crew/lim")
    town.rig("app").crew("lim").mkdir(parents=True)
    ensure_agent(ledger, address, runtime="limited")
    bead = ledger.create("Limited work", prefix="ap")
    hook_bead(ledger, bead.id, address, actor="overseer")
    engine = Engine(town, FakeClock(), ledger=ledger, patrols=False, control=False)
    await engine.start()
    try:
        session = engine.sessions.live(address)
        assert session is not None
        await async_wait_until(lambda: session.verdict is not None and session.verdict.state == "rate-limited", 40)
        await engine.monitor.tick()
        limit = active_limit(ledger, str(address))
        assert limit is not None and limit.source == "screen" and limit.runtime == "limited"
        assert 25 < limit.retry_at - time.time() <= 30
        assert session.limited_until == limit.retry_at  # read back once per tick, not per row
        await engine.monitor.tick()
        assert len(limit_history(ledger, str(address))) == 1  # still limited: no second record
    finally:
        await engine.stop()


async def test_an_open_breaker_holds_nudges_and_gupp_until_it_closes(town, ledger) -> None:
    bead_id = _reader_agent_with_work(town, ledger)
    budget._save(ledger, "bead", bead_id, warned=time.time(), opened=time.time())  # the state evaluate() leaves
    clock = FakeClock()
    engine = Engine(town, clock, ledger=ledger, patrols=False, control=False)
    seen: list[object] = []
    engine.bus.subscribe(seen.append)
    await engine.start()
    try:
        session = engine.sessions.live(ADDRESS)
        assert session is not None
        await async_wait_until(lambda: session.verdict is not None and session.verdict.state == "idle"
                               and session.beacon_sent and not engine.monitor.delivering(str(ADDRESS)), 40)
        answer = await engine.nudge(str(ADDRESS), "hello there")
        assert answer["queued"] and "not nudging app/crew/max" in answer["reason"] and bead_id in answer["reason"]
        await clock.advance(120)  # GUPP is due as well
        for _ in range(3):
            await engine.monitor.tick()
        # the start-up beacon is the spawn's prompt, not a nudge: only GUPP and the queued nudge are held
        assert not _screen_has(session, "hello there") and not _screen_has(session, "GUPP: work is on your hook")
        assert not session.gupp_nudged
        held = [e for e in iter_events(town.events) if e.kind == "nudge.held"]
        assert len(held) == 1 and bead_id in str(held[0].data.get("reason"))  # published once, not per tick
        assert sum(isinstance(e, NudgeQueued) and bead_id in e.reason for e in seen) == 2  # Nudge + held
        budget.reset(town, ledger, "bead", bead_id, actor="overseer")
        await engine.monitor.tick()
        await async_wait_until(lambda: _screen_has(session, "hello there"), 40)
    finally:
        await engine.stop()
