"""Engine basics: start/stop, lock, control socket mode, spawning a session with identity env."""

from __future__ import annotations

import os
import stat

import pytest

from gastown_tui.agents.registry import ensure_agent
from gastown_tui.engine import Engine
from gastown_tui.errors import Conflict
from gastown_tui.records import parse_address
from tests.agents.conftest import async_wait_until


async def test_engine_socket_is_private_and_single(town, ledger) -> None:
    engine = Engine(town, ledger=ledger, patrols=False)
    await engine.start()
    try:
        mode = stat.S_IMODE(os.stat(town.engine_sock).st_mode)
        assert mode == 0o600
        with pytest.raises(Conflict):
            await Engine(town, ledger=ledger, patrols=False).start()
    finally:
        await engine.stop()
    assert not town.engine_sock.exists()


async def test_spawn_shell_session_with_identity(town, ledger) -> None:
    address = parse_address("mayor/")
    town.mayor_dir.mkdir(exist_ok=True)
    ensure_agent(ledger, address, runtime="shell")
    engine = Engine(town, ledger=ledger, patrols=False, control=False)
    seen = []
    engine.bus.subscribe(seen.append)
    await engine.start()
    try:
        session = await engine.sessions.spawn(address)
        assert session.alive
        session.write(b"echo AGENT=$GT_AGENT ROLE=$GT_ROLE\r")
        await async_wait_until(lambda: any("AGENT=mayor/ ROLE=mayor" in line for line in session.display()), 10)
        await async_wait_until(lambda: session.verdict is not None and session.verdict.state == "idle", 40)
        assert any(type(e).__name__ == "SessionStarted" for e in seen)
        assert any(type(e).__name__ == "AgentStateChanged" for e in seen)
    finally:
        await engine.stop()
    assert not session.alive


async def test_subscribe_streams_bus_events_over_the_socket(town, ledger) -> None:
    import asyncio

    from gastown_tui.engine.client import subscribe

    engine = Engine(town, ledger=ledger, patrols=False)
    await engine.start()
    try:
        stream = subscribe(town, timeout=10)
        first = await asyncio.to_thread(next, stream)
        assert first["type"] == "Subscribed"
        town.mayor_dir.mkdir(exist_ok=True)
        ensure_agent(ledger, parse_address("mayor/"), runtime="shell")
        await engine.sessions.spawn("mayor/")
        event = await asyncio.to_thread(next, stream)
        assert event["type"] == "SessionStarted" and event["address"] == "mayor/"
        stream.close()
    finally:
        await engine.stop()
