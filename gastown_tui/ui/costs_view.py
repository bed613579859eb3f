"""Costs in the TUI: join the engine's TownSnapshot.costs onto the agent and convoy rows, and the header's
"breaker open" badge. Pure functions over typed data (the engine computed every figure; nothing is read here)."""

from __future__ import annotations

import dataclasses

from rich.text import Text

from gastown_tui.engine import api
from gastown_tui.ui.port import TownSnapshot


def with_costs(snap: TownSnapshot, costs: api.CostsView) -> TownSnapshot:
    """The snapshot with each agent's cost/tokens/context, each convoy's spend and breaker, and the open breakers."""
    agents = {row.address: row for row in costs.agents}
    convoys = {row.id: row for row in costs.convoys}
    out_agents = []
    for agent in snap.agents:
        usage = agents.get(agent.address)
        out_agents.append(agent if usage is None else dataclasses.replace(
            agent, cost=usage.cost, tokens=usage.tokens, context_pct=usage.context_pct))
    out_convoys = []
    for convoy in snap.convoys:
        spend = convoys.get(convoy.id)
        out_convoys.append(convoy if spend is None else dataclasses.replace(
            convoy, cost=spend.cost, breaker_open=spend.breaker_open))
    return dataclasses.replace(snap, agents=out_agents, convoys=out_convoys,
                               open_breakers=tuple(row.detail or f"{row.scope} {row.key}" for row in
                                                   costs.open_breakers))


def breaker_badge(snap: TownSnapshot) -> Text | None:
    """'⛔ breaker open: convoy hq-cv1' (or '⛔ 2 breakers open'), red; None when every breaker is closed."""
    opened = list(snap.open_breakers)
    if not opened:
        return None
    what = f"breaker open: {opened[0].split(':')[0]}" if len(opened) == 1 else f"{len(opened)} breakers open"
    return Text(f"⛔ {what}", "bold reverse red")
