"""Clock-driven engine policy with a FakeClock: GUPP nudges an agent idle since start with work on its hook;
nudges wait while the Overseer types in the pane and are delivered once the pane is quiet."""

from __future__ import annotations

from gastown_tui.agents.hooks import hook_bead
from gastown_tui.agents.registry import ensure_agent
from gastown_tui.clock import FakeClock
from gastown_tui.engine import Engine
from gastown_tui.events import iter_events
from gastown_tui.records import parse_address
from tests.agents.conftest import async_wait_until

ADDRESS = parse_address("app/crew/max")


READER = """
[runtimes.reader]
command = ["{python}", "-c", "while True:\\n    print('reader> ', end='', flush=True)\\n    print('got:', input())"]
prompt_mode = "none"
screen = { lines = 1, idle = ["^reader> ?$"] }
"""


def _reader_agent_with_work(town, ledger) -> str:  # noqa: ANN001
    """A crew agent on a tiny line-reading runtime (defined in town.toml), with work on its hook."""
    with town.town_toml.open("a") as fh:
        fh.write(READER)
    town.rig("app").crew("max").mkdir(parents=True)
    ensure_agent(ledger, ADDRESS, runtime="reader")
    bead = ledger.create("Idle work", prefix="ap")
    hook_bead(ledger, bead.id, ADDRESS, actor="overseer")
    return bead.id


def _screen_has(session, text: str) -> bool:  # noqa: ANN001
    return any(text in line for line in session.display())


async def test_gupp_nudges_an_agent_idle_with_work(town, ledger) -> None:
    bead_id = _reader_agent_with_work(town, ledger)
    clock = FakeClock()
    engine = Engine(town, clock, ledger=ledger, patrols=False, control=False)
    await engine.start()  # recovery spawns the agent: it holds hooked work
    try:
        session = engine.sessions.live(ADDRESS)
        assert session is not None and session.plan.bead_id == bead_id
        await async_wait_until(lambda: session.verdict and session.verdict.state == "idle", 40)
        await clock.advance(10)
        await async_wait_until(lambda: True, 0.1)
        assert not session.gupp_nudged  # too early
        await clock.advance(40)
        await async_wait_until(lambda: _screen_has(session, "got: GUPP: work is on your hook"), 40)
        assert any(e.kind == "gupp.nudge" for e in iter_events(town.events))
    finally:
        await engine.stop()


async def test_nudge_waits_while_overseer_types(town, ledger) -> None:
    _reader_agent_with_work(town, ledger)
    clock = FakeClock()
    engine = Engine(town, clock, ledger=ledger, patrols=False, control=False)
    engine.gupp_delay = 10_000  # keep GUPP out of this test
    await engine.start()
    try:
        session = engine.sessions.live(ADDRESS)
        await async_wait_until(lambda: session.verdict and session.verdict.state == "idle", 40)
        engine.note_user_typing(ADDRESS)
        result = await engine.nudge(str(ADDRESS), "hello from-the-mayor")
        assert result["queued"] and "typing" in result["reason"]
        await async_wait_until(lambda: True, 0.6)
        assert not _screen_has(session, "from-the-mayor")
        await clock.advance(3)
        await async_wait_until(lambda: _screen_has(session, "got: [nudge from overseer] hello from-the-mayor"), 40)
    finally:
        await engine.stop()


async def test_shell_runtime_never_gets_typed_messages(town, ledger, tmp_path) -> None:
    marker = tmp_path / "pwned"
    town.rig("app").crew("max").mkdir(parents=True)
    ensure_agent(ledger, ADDRESS, runtime="shell")
    bead = ledger.create("Work for a shell", prefix="ap")
    hook_bead(ledger, bead.id, ADDRESS, actor="overseer")
    clock = FakeClock()
    engine = Engine(town, clock, ledger=ledger, patrols=False, control=False)
    await engine.start()
    try:
        session = engine.sessions.live(ADDRESS)
        await async_wait_until(lambda: session.verdict and session.verdict.state == "idle", 40)
        result = await engine.nudge(str(ADDRESS), f"$(touch {marker}); touch {marker}")
        assert result["queued"] and "takes no typed messages" in result["reason"]
        await clock.advance(120)  # past GUPP too
        await async_wait_until(lambda: True, 1.0)
        assert not marker.exists()
        assert not _screen_has(session, "GUPP") and not _screen_has(session, "nudge from")
    finally:
        await engine.stop()
