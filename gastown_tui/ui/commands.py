"""Command palette providers: every app binding as a command, and 'jump to agent <name>' for each agent."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gastown_tui.ui.bindings import APP_BINDINGS
from gastown_tui.ui.screens.help import key_label

if TYPE_CHECKING:
    from gastown_tui.ui.app import GastownApp


class ActionsProvider(Provider):
    """One palette entry per binding (jump-N collapsed into the agent provider), with its key as help."""

    def _entries(self) -> list[tuple[str, str, str]]:
        app = cast("GastownApp", self.app)
        entries = []
        for binding in APP_BINDINGS:
            if (binding.id or "").startswith("jump-"):
                continue
            keys = key_label(app.keymap.get(binding.id or "", binding.key))
            entries.append((binding.description, binding.action, f"{binding.tooltip} · key {keys}"))
        return entries

    async def discover(self) -> Hits:
        """The main commands, shown before anything is typed."""
        for text, action, help_text in self._entries():
            yield DiscoveryHit(text, partial(self.app.run_action, action), text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy-match command names and tooltips."""
        matcher = self.matcher(query)
        for text, action, help_text in self._entries():
            score = max(matcher.match(text), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self.app.run_action, action), text=text,
                          help=help_text)


class AgentsProvider(Provider):
    """'Agent: <name>' shows that agent in the current pane."""

    async def search(self, query: str) -> Hits:
        """Match agent names and addresses."""
        app = cast("GastownApp", self.app)
        matcher = self.matcher(query)
        for agent in app.agent_order():
            text = f"Agent: {agent.name} ({agent.state})"
            score = max(matcher.match(text), matcher.match(agent.address))
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(app.show_agent, agent.address), text=text,
                          help=agent.why or agent.address)
