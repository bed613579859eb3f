"""Costs in the TUI: the engine's TownSnapshot.costs joined onto agent and convoy rows (the production join,
`ui.costs_view.with_costs`, on the fake engine's data: this is about the UI), the header's breaker badge, and an
SVG snapshot of the dashboard with an open breaker and costs in the agent list."""

from __future__ import annotations

import pytest

import gastown_tui.engine.api as api
from gastown_tui.ui.costs_view import breaker_badge, with_costs
from gastown_tui.ui.panels.status import StatusHeader
from gastown_tui.ui.port import TownSnapshot
from tests.ui.fake_engine import FakeEngine
from tests.ui.test_snapshots import SIZES, settle, snapshots_in_screenshots  # noqa: F401 - autouse fixture
from widgets.agent_list import AgentList
from widgets.convoy_tree import ConvoyTree

COSTS = api.CostsView(
    agents=(api.AgentCost("demo/polecats/nux", "$0.4213", 182_400, 41.5),
            api.AgentCost("demo/polecats/slit", "$1.0377", 512_000, 88.0),
            api.AgentCost("demo/witness", "unknown")),
    convoys=(api.ConvoyCost("hq-cv1", "$1.4590", True), api.ConvoyCost("hq-cv2", "$0.2100")),
    open_breakers=(api.BreakerRow("convoy", "hq-cv1", "convoy hq-cv1: $1.4590 of $1.0000 (146%), open"),),
)


class CostsFake(FakeEngine):
    """The fake engine's town with the engine's cost rows joined on, as ClientPort.to_ui does."""

    def snapshot(self) -> TownSnapshot:
        return with_costs(super().snapshot(), COSTS)


@pytest.fixture
def engine() -> FakeEngine:
    """Fake engine with costs: this test is about the UI."""
    return CostsFake()


def test_join_fills_rows_by_address_and_id_and_leaves_the_rest() -> None:
    snap = CostsFake().snapshot()
    agents = {a.address: a for a in snap.agents}
    assert (agents["demo/polecats/nux"].cost, agents["demo/polecats/nux"].tokens,
            agents["demo/polecats/nux"].context_pct) == ("$0.4213", 182_400, 41.5)
    assert agents["demo/witness"].cost == "unknown" and agents["demo/witness"].tokens is None
    assert agents["mayor"].cost == "" and agents["mayor"].context_pct is None  # no row: nothing shown
    convoys = {c.id: c for c in snap.convoys}
    assert convoys["hq-cv1"].breaker_open and convoys["hq-cv1"].cost == "$1.4590"
    assert not convoys["hq-cv2"].breaker_open
    badge = breaker_badge(snap)
    assert badge is not None and badge.plain == "⛔ breaker open: convoy hq-cv1"
    assert breaker_badge(FakeEngine().snapshot()) is None
    two = with_costs(FakeEngine().snapshot(), api.CostsView(open_breakers=(api.BreakerRow("day", "2026-12-06"),
                                                                           api.BreakerRow("bead", "de-c3l"))))
    assert breaker_badge(two).plain == "⛔ 2 breakers open"  # type: ignore[union-attr]


async def test_dashboard_shows_the_breaker_and_agent_costs(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        header = str(app.query_one(StatusHeader).render())
        assert header.index("⛔ breaker open: convoy hq-cv1") < header.index("working")  # where the eye lands
        rows = [str(AgentList.prompt(1, a)) for a in app.query_one(AgentList).agents]
        assert any("nux" in r and "$0.4213" in r and "182.4k" in r for r in rows), rows
        tree = app.query_one(ConvoyTree)
        labels = [str(node.label) for node in tree.root.children]
        assert any("hq-cv1" in label or "Add dark mode" in label for label in labels if "$1.4590" in label), labels


@pytest.mark.parametrize("size", SIZES, ids=[f"costs_breaker_{w}x{h}" for w, h in SIZES])
def test_costs_snapshot(snap_compare, make_app, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), run_before=settle, terminal_size=size)
