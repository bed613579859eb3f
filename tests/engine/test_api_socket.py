"""The typed API over the real socket: calls, typed failures, live panes for two clients, the size policy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

import gastown_tui.engine.api as api
from gastown_tui.agents.registry import ensure_agent
from gastown_tui.engine import Engine
from gastown_tui.errors import NotFound
from gastown_tui.records import parse_address
from tests.agents.conftest import async_wait_until

MAYOR = "mayor/"


@pytest.fixture
async def engine(town, ledger) -> AsyncIterator[Engine]:
    """A real engine (socket on) with a shell Mayor running; always stopped."""
    town.mayor_dir.mkdir(exist_ok=True)
    ensure_agent(ledger, parse_address(MAYOR), runtime="shell")
    eng = Engine(town, ledger=ledger, patrols=False, recover=False)
    await eng.start()
    try:
        await eng.sessions.spawn(parse_address(MAYOR))
        yield eng
    finally:
        await eng.stop()


class Watcher:
    """Collects one client's events in the background and keeps a RemoteScreen per viewed pane."""

    def __init__(self, client: api.SocketClient) -> None:
        self.client = client
        self.events: list[api.Event] = []
        self.screens: dict[str, api.RemoteScreen] = {}
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def view(self, address: str, cols: int = 80, rows: int = 24) -> api.RemoteScreen:
        snapshot = await self.client.call(api.ViewPane(address, cols, rows))
        self.screens[address] = api.RemoteScreen(snapshot)
        return self.screens[address]

    async def _run(self) -> None:
        async for event in self.client.events():
            self.events.append(event)
            if isinstance(event, api.PaneUpdate) and event.address in self.screens:
                self.screens[event.address].apply(event)

    def text(self, address: str) -> str:
        return "\n".join(self.screens[address].display)

    async def close(self) -> None:
        await self.client.close()
        await self.task


async def test_calls_and_typed_failures(engine: Engine, town) -> None:
    client = await api.SocketClient.connect(town.engine_sock)
    try:
        info = await client.call(api.Ping())
        assert isinstance(info, api.EngineInfo) and info.town == str(town.root)
        snap = await client.snapshot()
        assert snap.town_name == "testtown" and snap.live_sessions == 1
        status = await client.call(api.GetStatus())
        assert [row.address for row in status.agents if row.role == "mayor"] == [MAYOR]
        with pytest.raises(NotFound, match="unknown agent .nobody-here."):
            await client.call(api.Nudge("nobody-here", "hi"))
        # many calls in flight on one connection come back matched to their requests
        pongs = await asyncio.gather(*(client.call(api.Peek(MAYOR, lines=n)) for n in range(1, 20)))
        assert all(len(p.lines) <= n for n, p in zip(range(1, 20), pongs))
    finally:
        await client.close()


async def test_two_clients_see_what_one_types(engine: Engine, town) -> None:
    one = Watcher(await api.SocketClient.connect(town.engine_sock, name="one"))
    two = Watcher(await api.SocketClient.connect(town.engine_sock, name="two"))
    try:
        await one.view(MAYOR)
        await two.view(MAYOR)
        await one.client.call(api.TypeKeys(MAYOR, b"echo TYPED-IN-ONE-$((6*7))\r"))
        await async_wait_until(lambda: "TYPED-IN-ONE-42" in two.text(MAYOR), 10)
        await async_wait_until(lambda: "TYPED-IN-ONE-42" in one.text(MAYOR), 10)
        # the client's copy equals the engine's own screen, row for row
        await asyncio.sleep(0.3)
        engine_rows = [line.rstrip() for line in engine.sessions.get(MAYOR).display()]
        assert [line.rstrip() for line in two.screens[MAYOR].display] == engine_rows
        # the nudge guard saw the keystrokes of client one
        assert engine.user_typing(MAYOR)
    finally:
        await one.close()
        await two.close()


async def test_idle_pane_sends_nothing(engine: Engine, town) -> None:
    watcher = Watcher(await api.SocketClient.connect(town.engine_sock))
    try:
        await watcher.view(MAYOR)
        await watcher.client.call(api.TypeKeys(MAYOR, b"echo quiet\r"))
        await async_wait_until(lambda: "quiet" in watcher.text(MAYOR), 10)
        await asyncio.sleep(1.0)  # the shell settles (prompt redraws)
        before = watcher.client.bytes_in
        await asyncio.sleep(1.5)
        assert watcher.client.bytes_in == before, "an idle pane must not send updates"
    finally:
        await watcher.close()


async def test_size_policy_most_recent_typist(engine: Engine, town) -> None:
    one = Watcher(await api.SocketClient.connect(town.engine_sock, name="one"))
    two = Watcher(await api.SocketClient.connect(town.engine_sock, name="two"))
    try:
        screen = engine.sessions.get(MAYOR).screen
        await one.view(MAYOR, 100, 30)
        await one.client.call(api.TypeKeys(MAYOR, b" "))
        await two.view(MAYOR, 70, 20)  # two has not typed: one's size stays
        assert (screen.cols, screen.rows) == (100, 30)
        await two.client.call(api.TypeKeys(MAYOR, b" "))  # two types: its size applies
        assert (screen.cols, screen.rows) == (70, 20)
        await async_wait_until(lambda: one.screens[MAYOR].cols == 70, 5)
        await two.close()  # the typist left: the next resize from one applies
        await one.client.call(api.ResizePane(MAYOR, 90, 25))
        assert (screen.cols, screen.rows) == (90, 25)
    finally:
        await one.close()
        if two.client.connected:
            await two.close()


async def test_engine_death_ends_the_event_stream(town, ledger) -> None:
    eng = Engine(town, ledger=ledger, patrols=False, recover=False)
    await eng.start()
    client = await api.SocketClient.connect(town.engine_sock)
    try:
        await eng.stop()
        events = [event async for event in client.events()]
        assert isinstance(events[-1], api.EngineLost)
        with pytest.raises(api.EngineNotRunning):
            await client.call(api.Ping())
    finally:
        await client.close()
        await eng.stop()
    with pytest.raises(api.EngineNotRunning, match="not running"):
        await api.SocketClient.connect(town.engine_sock)


async def test_unfocused_panes_update_at_the_background_rate(engine: Engine, town) -> None:
    """A pane this client does not focus gets at most 10 updates/s; the focused one up to 60/s."""
    watcher = Watcher(await api.SocketClient.connect(town.engine_sock))
    try:
        await watcher.view(MAYOR)
        await watcher.client.call(api.FocusPane("elsewhere"))
        await watcher.client.call(api.TypeKeys(MAYOR, b"for i in $(seq 1 400); do echo line $i; sleep 0.005; done\r"))
        await async_wait_until(lambda: "line 5" in watcher.text(MAYOR), 10)
        start = len(watcher.events)
        await asyncio.sleep(1.0)
        background = sum(1 for e in watcher.events[start:] if isinstance(e, api.PaneUpdate))
        await watcher.client.call(api.FocusPane(MAYOR))
        start = len(watcher.events)
        await asyncio.sleep(1.0)
        focused = sum(1 for e in watcher.events[start:] if isinstance(e, api.PaneUpdate))
        assert background <= 11 and focused > background, (background, focused)
        assert focused <= 61
    finally:
        await watcher.close()


async def test_scrollback_pages_come_on_demand(engine: Engine, town) -> None:
    watcher = Watcher(await api.SocketClient.connect(town.engine_sock))
    try:
        screen = await watcher.view(MAYOR, 80, 24)
        await watcher.client.call(api.TypeKeys(MAYOR, b"for i in $(seq 1 300); do echo hist-$i; done\r"))
        await async_wait_until(lambda: "hist-300" in watcher.text(MAYOR), 15)
        await async_wait_until(lambda: screen.scrollback_lines > 250, 5)
        asked: list[int] = []

        def need(start: int) -> None:
            asked.append(start)

            async def fetch() -> None:
                screen.add_history(await watcher.client.call(api.GetScrollback(MAYOR, start, 200)))
            asyncio.get_running_loop().create_task(fetch())

        screen.on_need_history = need
        index = screen.scrollback_lines - 5
        assert "".join(c.char for c in screen.history_row(index)).strip() == ""  # not fetched yet: blank, asked
        await async_wait_until(lambda: "".join(c.char for c in screen.history_row(index)).strip(), 5)
        local = engine.sessions.get(MAYOR).screen
        assert "".join(c.char for c in screen.history_row(index)) == "".join(c.char for c in local.history_row(index))
        assert asked == [index - index % 200]  # one page request for the whole page
    finally:
        await watcher.close()
