"""Terminal features over the socket, end to end (real engine, real shell PTY, real TUI widget): an OSC 8 link in
a pane reaches the client's TerminalView as a Rich link, wide cells keep their width, an OSC 52 write in the
focused pane reaches App.copy_to_clipboard, and kitty keys are encoded by the engine's terminal."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.widgets import Button

import gastown_tui.engine.api as api
from gastown_tui.engine import Engine
from tests.agents.conftest import async_wait_until
from tests.engine.test_api_socket import MAYOR, engine  # noqa: F401 - fixture
from widgets.terminal_view import TerminalView, cells_to_strip

LINK = "https://example.com/pr/7"


class PaneApp(App[None]):
    """One remote pane and a button to move focus to."""

    def __init__(self, screen: api.RemoteScreen, client: api.SocketClient) -> None:
        super().__init__()
        self.screen_source, self.client = screen, client
        self.copies: list[str] = []

    def compose(self) -> ComposeResult:
        yield TerminalView(self.screen_source, writer=self._write, id="term")
        yield Button("other", id="other")

    def _write(self, data: bytes) -> None:
        asyncio.get_running_loop().create_task(self.client.call(api.TypeKeys(MAYOR, data)))

    def copy_to_clipboard(self, text: str) -> None:
        self.copies.append(text)
        super().copy_to_clipboard(text)


async def test_links_wide_cells_clipboard_and_kitty_keys_cross_the_socket(engine: Engine, town) -> None:  # noqa: F811
    client = await api.SocketClient.connect(town.engine_sock, name="tui")
    loop = asyncio.get_running_loop()

    def send_key(key: str, character: str) -> None:
        loop.create_task(client.call(api.TypeKeys(MAYOR, b"", key, character)))

    screen = api.RemoteScreen(await client.call(api.ViewPane(MAYOR, 60, 12)), on_key=send_key)
    app = PaneApp(screen, client)

    async def follow() -> None:
        async for event in client.events():
            if isinstance(event, api.PaneUpdate) and event.address == MAYOR:
                screen.apply(event)
                app.query_one(TerminalView).post_message(TerminalView.Output())

    task = loop.create_task(follow())
    text = lambda: "\n".join(screen.display)  # noqa: E731
    try:
        async with app.run_test() as pilot:
            view = app.query_one(TerminalView)
            view.focus()
            await pilot.pause()
            await client.call(api.TypeKeys(MAYOR, (f"printf 'see \\033]8;;{LINK}\\033\\\\PR 7\\033]8;;\\033\\\\ "
                                                   "\\346\\227\\245|\\n'\r").encode()))
            await async_wait_until(lambda: "PR 7" in text() and "|" in text().split("PR 7")[-1], 10)
            y = next(i for i, line in enumerate(screen.display) if "see PR 7" in line)
            row = screen.row(y)
            assert [c.link for c in row[4:8]] == [LINK] * 4 and row[3].link == "" and row[8].link == ""
            wide = next(x for x, c in enumerate(row) if c.char == "\u65e5")
            assert row[wide].width == 2 and row[wide + 1].width == 0 and row[wide + 2].char == "|"
            linked = [(s.text, s.style.link) for s in cells_to_strip(row) if s.style is not None and s.style.link]
            assert linked == [("PR 7", LINK)]  # a Rich link on exactly its cells, in the client's widget

            await client.call(api.TypeKeys(MAYOR, b"printf '\\033]52;c;Y29waWVkIQ==\\007'\r"))  # "copied!"
            await async_wait_until(lambda: app.copies == ["copied!"], 10)
            assert view.clipboard_copies == 1

            await client.call(api.TypeKeys(MAYOR, b"printf '\\033[>1u'; cat -v\r"))
            await async_wait_until(lambda: screen.kitty_keyboard_flags == 1, 10)
            await pilot.press("escape")  # the view hands the key name over; the engine's terminal encodes it
            await client.call(api.TypeKeys(MAYOR, b"\r"))
            await async_wait_until(lambda: "^[[27u" in text(), 10)
            await client.call(api.TypeKeys(MAYOR, b"\x04"))  # end cat, then pop the flags: keys are legacy again
            await async_wait_until(lambda: text().rstrip().endswith("$"), 10)
            await client.call(api.TypeKeys(MAYOR, b"printf '\\033[<u'\r"))
            await async_wait_until(lambda: screen.kitty_keyboard_flags == 0, 10)
    finally:
        await client.close()
        await task
