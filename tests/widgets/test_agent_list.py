"""AgentList: grouping headers, numbering, 'why' line, highlight/selection messages."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import OptionList, Static

from widgets.agent_list import AgentInfo, AgentList

AGENTS = [
    AgentInfo("demo/polecats/nux", "nux", "demo", "polecat", "working", "hook: PreToolUse 2s ago", "de-a1"),
    AgentInfo("mayor", "mayor", "", "mayor", "idle", "Stop hook 1m ago"),
    AgentInfo("demo/witness", "witness", "demo", "witness", "stuck", "no output for 10m"),
]


class AgentApp(App[None]):
    """Harness: one AgentList; records highlights and selections."""

    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[str] = []
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield AgentList()

    def on_mount(self) -> None:
        self.query_one(AgentList).set_agents(AGENTS)

    def on_agent_list_agent_highlighted(self, message: AgentList.AgentHighlighted) -> None:
        self.highlighted.append(message.address)

    def on_agent_list_agent_selected(self, message: AgentList.AgentSelected) -> None:
        self.selected.append(message.address)


def test_order_puts_town_agents_first() -> None:
    assert [a.name for a in AgentList.ordered(AGENTS)] == ["mayor", "nux", "witness"]


async def test_headers_skip_and_why_follows_highlight() -> None:
    app = AgentApp()
    async with app.run_test(size=(50, 14)) as pilot:
        agents = app.query_one(AgentList)
        options = app.query_one(OptionList)
        options.focus()
        await pilot.pause()
        assert agents.selected_address == "mayor"
        assert "Stop hook" in str(app.query_one("#agent-why", Static).render())
        await pilot.press("down")  # skips the disabled "demo · polecat" header
        await pilot.press("enter")
        await pilot.pause()
        assert agents.selected_address == "demo/polecats/nux"
        assert app.selected == ["demo/polecats/nux"]
        assert "PreToolUse" in str(app.query_one("#agent-why", Static).render())
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts[0] == "town · mayor"
        assert "demo · polecat" in prompts and "demo · witness" in prompts


async def test_set_agents_same_data_is_a_no_op() -> None:
    app = AgentApp()
    async with app.run_test(size=(50, 14)) as pilot:
        agents = app.query_one(AgentList)
        agents.select_address("demo/witness")
        await pilot.pause()
        agents.set_agents(list(reversed(AGENTS)))
        await pilot.pause()
        assert agents.selected_address == "demo/witness"
