"""Costs on the snapshot: per-agent spend, tokens and context use, per-convoy spend and breaker, open breakers.

The engine computes them off every UI loop (`engine/handlers/costs.py`, a snapshot part) and the UI joins them to
its agent and convoy rows by address / convoy id. Money is pre-formatted (`$0.0123`, or `unknown` when the
agent's runtime keeps no usage records) so every client shows the same figure; costs are list-price estimates.
"""

from __future__ import annotations

from dataclasses import dataclass

from gastown_tui.engine.api.wire import wire


@wire
@dataclass(frozen=True)
class AgentCost:
    """One agent's usage: formatted cost ('' before its first turn), tokens billed, context in use (% of window)."""

    address: str
    cost: str = ""
    tokens: int | None = None
    context_pct: float | None = None


@wire
@dataclass(frozen=True)
class ConvoyCost:
    """One convoy's spend over its tracked beads, and whether its budget breaker is open."""

    id: str
    cost: str = ""
    breaker_open: bool = False


@wire
@dataclass(frozen=True)
class BreakerRow:
    """An open budget breaker: scope (day | convoy | bead), its key, and the one-line figures."""

    scope: str
    key: str
    detail: str = ""


@wire
@dataclass(frozen=True)
class CostsView:
    """TownSnapshot.costs: everything cost-related the TUI shows, computed in the engine."""

    agents: tuple[AgentCost, ...] = ()
    convoys: tuple[ConvoyCost, ...] = ()
    open_breakers: tuple[BreakerRow, ...] = ()


def money(cost: float | None) -> str:
    """The one money format of the TUI: `$0.0123`; None (a runtime without usage records) is `unknown`."""
    return "unknown" if cost is None else f"${cost:.4f}"
