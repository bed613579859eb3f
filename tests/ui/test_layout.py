"""Default layout from live agents and width; at 80x24 a tab replaces the terminals (fake engine: UI only)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.panels.layout import deck_width, default_layout
from gastown_tui.ui.panels.status import stall_reason
from gastown_tui.ui.panels.terminals import TerminalDeck
from gastown_tui.ui.port import PatrolRow, TownSnapshot
from tests.ui.conftest import utc_hms
from tests.ui.fake_engine import AGENTS, NOW, FakeEngine
from widgets.agent_list import AgentInfo
from widgets.convoy_tree import ConvoyInfo, TrackedBead

AppFactory = Callable[..., GastownApp]


@pytest.mark.parametrize("size,live,expected", [
    ((200, 50), 2, "2x1"), ((200, 50), 6, "2x2"), ((200, 50), 1, "1"), ((120, 36), 4, "1"),
    ((80, 24), 6, "1"), ((300, 80), 12, "3x3"), ((200, 20), 6, "2x1"),
])
def test_default_layout(size: tuple[int, int], live: int, expected: str) -> None:
    assert default_layout(*size, live) == expected


def test_panes_never_narrower_than_50_columns() -> None:
    for width in range(80, 320, 7):
        cols = {"1": 1, "2x1": 2, "2x2": 2, "3x3": 3}[default_layout(width, 60, 9)]
        assert deck_width(width) // cols >= 50 or cols == 1


async def test_two_agents_at_200x50_fill_a_2x1(make_app: AppFactory, engine: FakeEngine) -> None:
    engine.agents = [AGENTS[3], AGENTS[4]]
    app = make_app(layout=None)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        await pilot.pause()
        deck = app.query_one(TerminalDeck)
        assert deck.layout_name == "2x1"
        assert deck.slots == ["demo/polecats/nux", "demo/polecats/slit"]


async def test_80x24_tab_replaces_the_terminal(make_app: AppFactory) -> None:
    app = make_app(layout=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        deck = app.query_one(TerminalDeck)
        assert deck.display and deck.size.width >= 50
        await pilot.press("t")
        await pilot.pause()
        right = app.query_one("#right")
        assert not deck.display  # the tab took the terminal's place …
        assert right.size.width >= 80 - 24 - 2  # … at full width, not 34 columns next to a 20-column terminal
        await pilot.press("3")  # showing an agent brings the terminals back
        await pilot.pause()
        assert deck.display and not app.screen.has_class("-show-right")


def test_stall_reason_names_the_deacons_next_run() -> None:
    ready = ConvoyInfo("hq-cv1", "x", "open", (TrackedBead("de-1", "a"), TrackedBead("de-2", "b")))
    idle = [AgentInfo("demo/polecats/nux", "nux", "demo", "polecat", "idle")]
    deacon = PatrolRow("deacon", 300, NOW + 120)
    snap = TownSnapshot(agents=idle, convoys=[ready], patrols=[deacon])
    assert stall_reason(snap, utc_hms) == f"deacon slings 2 ready at {utc_hms(NOW + 120)}"
    paused = dataclasses.replace(snap, patrols=[dataclasses.replace(deacon, paused=True)])
    assert stall_reason(paused, utc_hms) == "2 ready, deacon paused: s slings"
    working = dataclasses.replace(snap, agents=[dataclasses.replace(idle[0], state="working")])
    assert stall_reason(working, utc_hms) == ""


async def test_patrols_columns_stay_readable_at_80x24(make_app: AppFactory) -> None:
    app = make_app(layout=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        table = app.query_one("#patrol-table")
        widths = {str(col.label): col.get_render_width(table) for col in table.columns.values()}
        assert all(width >= 6 for width in widths.values()), widths
        assert "Next run" in widths
        assert utc_hms(NOW + 120)[:5] in str(table.get_row("deacon"))
