"""Backlog tab, "needs you" list with approve/deny, stable agent numbers, alerts (fake engine: UI only)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import DataTable, Input

from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.messages import TownChanged
from gastown_tui.ui.overseer_port import Waiting
from gastown_tui.ui.panels.alerts import AlertSettings, read_alerts
from gastown_tui.ui.panels.terminals import TerminalDeck
from gastown_tui.ui.screens.bead_details import BeadDetails
from gastown_tui.ui.screens.form import FormDialog
from gastown_tui.ui.screens.needs_you import NeedsYouScreen
from tests.ui.conftest import utc_hms
from tests.ui.fake_engine import NOW
from tests.ui.overseer_fake import OverseerFake
from widgets.backlog import BacklogView
from widgets.needs_you import NeedsYouList

SIZE = (120, 36)


@pytest.fixture
def fake() -> OverseerFake:
    """Fake engine: these tests are about the UI."""
    return OverseerFake()


def make(fake: OverseerFake, **kwargs: object) -> GastownApp:
    app = GastownApp(fake, now=lambda: NOW, time_format=utc_hms, keymap={}, blink=False, **kwargs)  # type: ignore[arg-type]
    app.animation_level = "none"
    app.alert_settings = AlertSettings()
    return app


def shown_ids(app: GastownApp) -> list[str]:
    return [item.id for item in app.query_one(BacklogView).shown]


async def test_backlog_filter_sort_details_and_sling(fake: OverseerFake) -> None:
    app = make(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B")
        await pilot.pause()
        assert shown_ids(app) == ["de-g7p", "de-d4m", "de-e5n", "hq-h8q"]  # priority first
        await pilot.press("slash", *"demo open")
        await pilot.pause()
        assert shown_ids(app) == ["de-g7p", "de-d4m"]  # every term must match
        await pilot.press("escape", "o")  # back to the table, next sort column (id)
        await pilot.pause()
        view = app.query_one(BacklogView)
        assert view.sort == "id" and shown_ids(app) == ["de-d4m", "de-g7p"]
        assert "2 of 4 open · sorted by ID" in str(view.query_one("#backlog-caption").render())
        assert view.selected_id == "de-g7p"  # the cursor stays on its bead through a re-sort
        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, BeadDetails) and app.screen.item.id == "de-d4m"
        assert "[b]x[/b]" in str(app.screen.query_one("#details-text").render())  # markup shown literally
        await pilot.press("s")  # sling from the details
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog) and dialog.query_one("#field-bead", Input).value == "de-d4m"
        await pilot.press(*"demo/polecats/furiosa", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake.command_calls() == [("sling", ("de-d4m", "demo/polecats/furiosa"))]


async def test_s_in_the_backlog_slings_the_row_under_the_cursor(fake: OverseerFake) -> None:
    app = make(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B")
        await pilot.pause()
        app.query_one("#backlog-table", DataTable).focus()
        await pilot.press("down", "s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert app.screen.query_one("#field-bead", Input).value == "de-d4m"


async def test_needs_you_counter_list_and_approve(fake: OverseerFake) -> None:
    app = make(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "⚑ 2 need you (!)" in str(app.query_one("#status").render())
        await pilot.press("exclamation_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NeedsYouScreen)
        items = screen.query_one(NeedsYouList).items
        assert [(i.name, i.state, i.waited, i.number) for i in items] == [
            ("nux", "permission-prompt", "5m", 2), ("slit", "waiting-input", "30s", 1)]  # oldest first
        await pilot.press("down", "y")  # slit waits on a question: y must not type into it
        await pilot.pause()
        assert fake.command_calls() == []
        await pilot.press("up", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake.command_calls() == [("answer_permission", ("demo/polecats/nux", True))]
        assert [i.name for i in screen.query_one(NeedsYouList).items] == ["slit"]  # refreshed in place
        assert isinstance(app.screen, NeedsYouScreen)  # the list stays open for the next one
        assert "⚑ 1 needs you" in str(app.query_one("#status").render())
        await pilot.press("enter")  # open slit's pane
        await pilot.pause()
        assert not isinstance(app.screen, NeedsYouScreen)
        assert app.query_one(TerminalDeck).current_address == "demo/polecats/slit"


async def test_deny_sends_deny(fake: OverseerFake) -> None:
    app = make(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.press("n")
        await app.workers.wait_for_complete()
        assert fake.command_calls() == [("answer_permission", ("demo/polecats/nux", False))]


async def test_stable_numbers_jump_and_titles(fake: OverseerFake) -> None:
    app = make(fake, layout="1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        deck = app.query_one(TerminalDeck)
        assert deck.current_address == "demo/polecats/slit"  # number 1 is the first to appear, not 'mayor'
        assert str(deck.panes[0].query_one(".pane-title").render()).startswith(" 1 ")
        await pilot.press("3")
        await pilot.pause()
        assert deck.current_address == "mayor"


async def test_a_new_waiting_agent_alerts(fake: OverseerFake) -> None:
    app = make(fake)
    rang: list[str] = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        app.alert_settings = AlertSettings(bell=True, desktop="osc9")
        app.bell = lambda: rang.append("bell")  # type: ignore[method-assign]
        fake.waiting.append(Waiting("demo/polecats/furiosa", "furiosa", "errored",
                                    "process: exited with status 2", NOW - 5))
        app.post_message(TownChanged())
        await pilot.pause()
        await pilot.pause()
        assert rang == ["bell"]
        titles = [n.title for n in app._notifications]
        assert "Needs you: errored" in titles


def test_alert_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text('[alerts]\nbell = true\ndesktop = "osc777"\n')
    settings, problems = read_alerts(path)
    assert settings == AlertSettings(True, "osc777") and problems == []
    assert settings.desktop_sequence("Gas Town", "nux\x07 needs; you") == \
        "\x1b]777;notify;Gas Town;nux  needs, you\x07"
    assert AlertSettings(desktop="osc9").desktop_sequence("T", "b") == "\x1b]9;T: b\x07"
    path.write_text('[alerts]\ndesktop = "loud"\n')
    assert read_alerts(path)[1] == [f"{path}: alerts.desktop must be one of off, osc9, osc777"]
