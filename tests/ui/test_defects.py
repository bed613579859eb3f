"""One test per small defect of issue 15 (fake engine: these tests are about the UI)."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.widgets import DataTable

from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.messages import Notice, SessionEnded
from gastown_tui.ui.panels.status import status_text
from gastown_tui.ui.panels.terminals import PaneTerminal
from gastown_tui.ui.port import TownSnapshot
from textual.screen import ModalScreen
from tests.ui.fake_engine import FakeEngine
from widgets.convoy_tree import ConvoyInfo

AppFactory = Callable[..., GastownApp]
SIZE = (120, 36)


async def test_keys_right_after_i_go_to_the_pane(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app(layout="1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")  # patrols tab: `p` there pauses the deacon
        await pilot.pause()
        app.show_agent("demo/polecats/nux")
        await pilot.pause()
        # i and p queued together, as a fast typist sends them: p must reach the agent, not pause a patrol
        app.post_message(events.Key("i", "i"))
        app.post_message(events.Key("p", "p"))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.focused, PaneTerminal)
        assert ("write", ("demo/polecats/nux", b"p")) in engine.calls
        assert not any(name == "pause_patrol" for name, _ in engine.calls)


async def test_palette_quit_asks_first(make_app: AppFactory, engine: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("quit")  # what the palette's system "Quit" command and ctrl+q call
        await pilot.pause()
        # a question is on screen (yes/no today, detach/stop/cancel once the engine runs on its own), not an exit
        assert app.is_running and app.return_code is None and len(app.screen_stack) == 2
        assert isinstance(app.screen, ModalScreen)


async def test_toasts_show_square_brackets_literally(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(Notice("Sling", "Created '[red]x[/red] [b]bold'"))
        await pilot.pause()
        shown = [str(n.message) for n in app._notifications]
        assert shown == ["Created '[red]x[/red] [b]bold'"]
        assert all(not n.markup for n in app._notifications)


async def test_clean_session_exit_is_not_an_alarm(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(SessionEnded("demo/polecats/nux", "0"))
        app.post_message(SessionEnded("demo/polecats/slit", "137"))
        await pilot.pause()
        notes = list(app._notifications)
        assert [(n.title, n.severity) for n in notes] == [("Session ended", "information"),
                                                          ("Session failed", "warning")]
        assert "status 137" in notes[1].message


def test_status_header_singular_convoy() -> None:
    one = status_text("t", TownSnapshot(convoys=[ConvoyInfo("hq-cv1", "x")])).plain
    two = status_text("t", TownSnapshot(convoys=[ConvoyInfo("a", "x"), ConvoyInfo("b", "y")])).plain
    assert "1 convoy " in one and "1 convoys" not in one
    assert "2 convoys" in two


async def test_footer_names_ctrl_g_in_a_terminal(make_app: AppFactory) -> None:
    app = make_app(layout="1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "i")
        await pilot.pause()
        keys = {b.binding.action: b.binding.key_display for b in app.active_bindings.values()}
        assert keys.get("release_focus") == "ctrl+g"
        await pilot.press("ctrl+backslash")  # the old chord still releases
        await pilot.pause()
        assert not isinstance(app.focused, PaneTerminal)


async def test_down_moves_the_patrols_selection(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        table = app.query_one("#patrol-table", DataTable)
        assert app.focused is table
        await pilot.press("down")
        assert table.cursor_row == 1


async def test_feed_filter_key(make_app: AppFactory, engine: FakeEngine) -> None:
    from widgets.activity_feed import ActivityFeed, FeedEntry
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        feed = app.query_one(ActivityFeed)
        feed.add_entries([FeedEntry("10:03:00", "deacon", "patrol.step_done", "survey") for _ in range(5)])
        await pilot.pause()
        before = len(feed.lines)
        assert before == 4 and feed.entries_hidden == 5
        await pilot.press("F")
        await pilot.pause()
        assert feed.show_noise and len(feed.lines) == before + 5
        await pilot.press("F")
        await pilot.pause()
        assert len(feed.lines) == before
