"""ClientPort (the TUI's port) on a real background engine: reads come from the engine, commands go through it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from gastown_tui.demo.town import RIG
from gastown_tui.engine import api
from gastown_tui.errors import GastownError
from gastown_tui.ui.engine_port import ClientPort, SnapshotReady
from tests.daemon.conftest import Daemon


async def until(check: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Let the loop run until `check()` is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
async def port(engine_daemon: Daemon) -> AsyncIterator[ClientPort]:
    """An attached ClientPort (detached at the end; the daemon fixture stops the engine)."""
    async def connect() -> api.EngineClient:
        return await api.SocketClient.connect(engine_daemon.sock)

    port = ClientPort(connect, time_format=lambda ts: "12:00:00")
    events: list[object] = []
    port.subscribe(events.append)
    port.events = events  # type: ignore[attr-defined]
    await port.start()
    yield port
    await port.stop()


async def test_snapshot_graph_and_targets_come_from_the_engine(port: ClientPort, engine_daemon: Daemon) -> None:
    demo = engine_daemon.demo
    snap = port.snapshot()
    assert port.town_name == "demo"
    assert [c.title for c in snap.convoys] == ["Friendlier greeter"]
    tracked = {b.id: b.status for b in snap.convoys[0].beads}
    assert set(tracked) == set(demo.beads.values())
    assert tracked[demo.beads["shout"]] == "blocked"
    assert port.bead_graph(demo.convoy) == ([], [])  # not read yet: empty now, SnapshotReady when it arrives
    await until(lambda: port.bead_graph(demo.convoy)[0], "the graph")
    nodes, edges = port.bead_graph(demo.convoy)
    assert {n.id for n in nodes} == set(demo.beads.values())
    assert (demo.beads["farewell"], demo.beads["shout"]) in edges
    assert RIG in port.sling_targets()
    assert any(e.kind == "bead.created" and e.when == "12:00:00" for e in port.recent_feed())


async def test_commands_round_trip_and_refresh(port: ClientPort) -> None:
    events: list[object] = port.events  # type: ignore[attr-defined]
    bead = await port.new_bead("Wave goodbye", "details", RIG)
    assert bead.startswith("gr-")
    with pytest.raises(GastownError, match="no rig 'no-such-rig'"):
        await port.new_bead("x", "", "no-such-rig")
    convoy = await port.new_convoy("Waves", [bead])
    await until(lambda: any(c.id == convoy for c in port.snapshot().convoys), "the new convoy in the snapshot")
    assert any(isinstance(e, SnapshotReady) for e in events)
    await port.send_mail("mayor/", "status?", "How is it going?")


async def test_sling_streams_the_agents_pane(port: ClientPort, engine_daemon: Daemon) -> None:
    demo = engine_daemon.demo
    await port.sling(demo.beads["farewell"], RIG)
    await until(lambda: any(a.address.startswith("greeter/polecats/") for a in port.snapshot().agents), "a polecat")
    address = next(a.address for a in port.snapshot().agents if a.address.startswith("greeter/polecats/"))
    port.screen(address)  # starts viewing
    await until(lambda: port.screen(address) is not None, "the pane snapshot")
    screen = port.screen(address)
    assert screen is not None
    await until(lambda: any("scripted" in line for line in screen.display), "the agent's output")
    # what the client shows is what the engine's own screen holds (peek reads the engine's TerminalScreen)
    await asyncio.sleep(0.5)
    engine_lines = (await asyncio.to_thread(engine_daemon.call, api.Peek(address, 200))).lines
    client_lines = [line.rstrip() for line in screen.display]
    while client_lines and not client_lines[-1]:
        client_lines.pop()
    assert client_lines[-len(engine_lines):] == list(engine_lines)
    assert port.live_sessions() >= 1
