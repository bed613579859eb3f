"""AgentList: agents grouped by rig and role, with state glyphs and the reason for the highlighted agent's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

__all__ = ["AgentInfo", "AgentList"]

STATE_GLYPHS: dict[str, tuple[str, str]] = {
    "working": ("●", "green"), "idle": ("○", "blue"), "waiting": ("?", "yellow bold"), "stuck": ("!", "red bold"),
    "dead": ("✗", "red"), "starting": ("…", "dim"), "permission-prompt": ("⚑", "yellow bold"),
    "waiting-input": ("?", "yellow bold"), "errored": ("✗", "red bold"), "rate-limited": ("⏳", "magenta"),
    "failed": ("⊘", "red bold"),
}
"""Glyph and style per agent state: glyph first so state reads in monochrome."""


SHORT_STATES: dict[str, str] = {"permission-prompt": "permission", "waiting-input": "question"}
"""Shorter labels where a narrow column would cut the state off (the why line says it in full)."""


@dataclass(frozen=True)
class AgentInfo:
    """An agent as the list shows it."""

    address: str
    """Unique address, e.g. 'demo/polecats/nux'."""
    name: str
    rig: str
    role: str
    state: str = "idle"
    why: str = ""
    """Why the state was chosen (hook event, screen rule, output activity …)."""
    hook: str = ""
    """Bead id on the agent's hook, if any."""
    cost: str = ""
    """Spend so far, formatted by the caller (e.g. '$0.42', 'unknown'); empty shows nothing."""
    tokens: int | None = None
    """Tokens billed so far (None: not shown)."""
    context_pct: float | None = None
    """Context in use as % of the model's window for a live agent (None: unknown, not shown)."""


def _tokens(count: int | None) -> str:
    """Compact token count: 950, 12.3k, 4.1M."""
    if count is None:
        return ""
    if count < 1000:
        return f"{count}t"
    return f"{count / 1000:.1f}kt" if count < 1_000_000 else f"{count / 1_000_000:.1f}Mt"


def _context(pct: float | None) -> str:
    """Context use, e.g. 'ctx 45%'."""
    return "" if pct is None else f"ctx {pct:.0f}%"


class AgentList(Vertical):
    """Grouped agent list; posts AgentHighlighted on move and AgentSelected on Enter."""

    DEFAULT_CSS = """
    AgentList { height: auto; }
    AgentList > OptionList, AgentList > OptionList:focus { height: auto; max-height: 100%; border: none; }
    AgentList > #agent-why { height: 1; color: $text-muted; padding: 0 1; }
    """

    @dataclass
    class AgentHighlighted(Message):
        """The cursor is on an agent."""

        agent_list: AgentList
        address: str

        @property
        def control(self) -> AgentList:
            """The AgentList that sent this."""
            return self.agent_list

    @dataclass
    class AgentSelected(Message):
        """An agent was chosen (Enter)."""

        agent_list: AgentList
        address: str

        @property
        def control(self) -> AgentList:
            """The AgentList that sent this."""
            return self.agent_list

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._agents: tuple[AgentInfo, ...] = ()
        self._by_address: dict[str, AgentInfo] = {}
        self.numbers: dict[str, int] = {}
        """Stable jump numbers by address (from the town); agents missing here are numbered by list position."""

    def compose(self) -> ComposeResult:
        """The list and the one-line 'why' under it."""
        yield OptionList(id="agent-options")
        yield Static("", id="agent-why")

    @property
    def agents(self) -> tuple[AgentInfo, ...]:
        """The agents in display order (numbering for jump-to-agent follows this order)."""
        return self._agents

    @property
    def selected_address(self) -> str | None:
        """Address of the highlighted agent."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    @staticmethod
    def prompt(number: int, agent: AgentInfo) -> Text:
        """One agent row: jump number, state glyph, name, state (short, so it fits a narrow column unwrapped)."""
        glyph, style = STATE_GLYPHS.get(agent.state, ("·", ""))
        label = SHORT_STATES.get(agent.state, agent.state)
        text = Text.assemble((f"{number} " if number <= 9 else "  ", "dim"), (glyph + " ", style), agent.name,
                             (f" {label}", style))
        usage = [part for part in (agent.cost, _tokens(agent.tokens), _context(agent.context_pct)) if part]
        if usage:
            text.append(" " + " ".join(usage), "dim")
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text

    @staticmethod
    def ordered(agents: Sequence[AgentInfo]) -> tuple[AgentInfo, ...]:
        """Display order: town-level agents first, then by rig, role, name."""
        return tuple(sorted(agents, key=lambda a: (a.rig != "", a.rig, a.role, a.name)))

    def set_agents(self, agents: Sequence[AgentInfo]) -> None:
        """Replace the list (grouped by rig/role headers); the highlight stays on the same agent."""
        ordered = self.ordered(agents)
        if ordered == self._agents:
            return
        options = self.query_one(OptionList)
        keep = self.selected_address
        self._agents = ordered
        self._by_address = {agent.address: agent for agent in ordered}
        rows: list[Option] = []
        group: tuple[str, str] | None = None
        for position, agent in enumerate(ordered, start=1):
            number = self.number_of(agent.address) or position
            if (agent.rig, agent.role) != group:
                group = (agent.rig, agent.role)
                title = f"{agent.rig or 'town'} · {agent.role}"
                rows.append(Option(Text(title, style="bold dim"), disabled=True))
            rows.append(Option(self.prompt(number, agent), id=agent.address))
        options.clear_options()
        options.add_options(rows)
        if keep in self._by_address:
            options.highlighted = options.get_option_index(keep)
        elif ordered:
            options.highlighted = options.get_option_index(ordered[0].address)
        self._show_why(self.selected_address)

    def number_of(self, address: str) -> int:
        """The agent's jump number (stable when the town gave numbers, else its list position)."""
        if self.numbers:
            return self.numbers.get(address, 0)
        addresses = [agent.address for agent in self._agents]
        return addresses.index(address) + 1 if address in addresses else 0

    def address_of(self, number: int) -> str | None:
        """Which agent jump number `number` shows."""
        return next((a.address for a in self._agents if self.number_of(a.address) == number), None)

    def set_numbers(self, numbers: dict[str, int]) -> None:
        """Use the town's stable numbers (order of first appearance) instead of list positions."""
        if numbers != self.numbers:
            self.numbers = dict(numbers)
            agents, self._agents = self._agents, ()
            self.set_agents(agents)

    def select_address(self, address: str) -> None:
        """Move the highlight to an agent."""
        if address in self._by_address:
            options = self.query_one(OptionList)
            options.highlighted = options.get_option_index(address)

    def _show_why(self, address: str | None) -> None:
        agent = self._by_address.get(address or "")
        why = self.query_one("#agent-why", Static)
        if agent is None:
            why.update("")
            return
        text = Text.assemble(("why: ", "dim"), agent.why or agent.state, no_wrap=True, overflow="ellipsis")
        if agent.hook:
            text.append(f" · hook {agent.hook}", "cyan")
        why.update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Show the reason and tell the owner."""
        event.stop()
        self._show_why(event.option.id)
        if event.option.id:
            self.post_message(self.AgentHighlighted(self, event.option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter chooses the agent."""
        event.stop()
        if event.option.id:
            self.post_message(self.AgentSelected(self, event.option.id))
