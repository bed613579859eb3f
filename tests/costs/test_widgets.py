"""The agent list and convoy tree show usage only when the caller gives it (so existing views are unchanged)."""

from __future__ import annotations

from widgets.agent_list import AgentInfo, AgentList
from widgets.convoy_tree import ConvoyInfo, ConvoyTree, TrackedBead


def test_agent_row_shows_cost_tokens_and_context_when_given() -> None:
    """Cost, a compact token count and context %; a rate-limited agent has its own glyph."""
    plain = AgentList.prompt(1, AgentInfo("app/polecats/nux", "nux", "app", "polecat", "working")).plain
    assert plain == "1 ● nux working"
    row = AgentList.prompt(2, AgentInfo("app/polecats/nux", "nux", "app", "polecat", "rate-limited", cost="$0.4200",
                                        tokens=123_456, context_pct=41.6))
    assert row.plain == "2 ⏳ nux rate-limited $0.4200 123.5kt ctx 42%"  # the glyph #15 settled on
    unknown = AgentList.prompt(3, AgentInfo("app/crew/joe", "joe", "app", "crew", "idle", cost="unknown"))
    assert unknown.plain == "3 ○ joe idle unknown"


def test_convoy_row_shows_its_total_and_an_open_breaker() -> None:
    """The total follows the progress; an open breaker is flagged in red."""
    beads = (TrackedBead("ap-1", "one", "closed"), TrackedBead("ap-2", "two", "open"))
    assert ConvoyTree.convoy_label(ConvoyInfo("hq-c", "Pair", beads=beads)).plain == "◆ hq-c Pair 1/2"
    label = ConvoyTree.convoy_label(ConvoyInfo("hq-c", "Pair", beads=beads, cost="$0.0158", breaker_open=True))
    assert label.plain == "⛔ hq-c Pair 1/2 $0.0158 budget!"
    assert any("red" in str(span.style) for span in label.spans)
