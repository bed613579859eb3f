"""Handlers: costs on the snapshot (agent usage, convoy spend and breakers, open breakers), read in the snapshot's
worker thread; new transcript usage is ingested at most every INGEST_SECONDS (ingest only stats unchanged files)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from gastown_tui.engine.api.costs import AgentCost, BreakerRow, ConvoyCost, CostsView, money
from gastown_tui.engine.handlers.snapshot import snapshot_part

log = logging.getLogger(__name__)
INGEST_SECONDS = 10.0
_ingest_lock = threading.Lock()
_last_ingest: dict[str, float] = {}   # town root -> wall time of its last ingest


def _maybe_ingest(paths: Any, ledger: Any, now: float) -> None:
    """Read new transcript lines when the last read is older than INGEST_SECONDS (one reader at a time)."""
    from gastown_tui.costs.ingest import ingest

    key = str(paths.root)
    if now - _last_ingest.get(key, float("-inf")) < INGEST_SECONDS or not _ingest_lock.acquire(blocking=False):
        return
    try:
        _last_ingest[key] = now
        ingest(paths, ledger, now=now)
    except Exception:  # noqa: BLE001 - a bad transcript must not blank the whole snapshot
        log.exception("costs: ingest failed")
    finally:
        _ingest_lock.release()


def _agent_costs(paths: Any, ledger: Any) -> tuple[AgentCost, ...]:
    from gastown_tui.agents.registry import agent_address, agent_meta, list_agents
    from gastown_tui.costs.report import agent_usage

    agents = [(str(agent_address(bead)), str(agent_meta(bead).get("runtime") or "")) for bead in list_agents(ledger)]
    out = []
    for usage in agent_usage(paths, ledger, agents):
        if not usage.known:
            out.append(AgentCost(usage.agent, "unknown"))
            continue
        pct = usage.context_pct
        out.append(AgentCost(usage.agent, money(usage.cost) if usage.turns else "",
                             usage.tokens.total if usage.turns else None, round(pct, 1) if pct is not None else None))
    return tuple(out)


def _convoy_costs(paths: Any, ledger: Any, open_keys: set[tuple[str, str]]) -> tuple[ConvoyCost, ...]:
    from gastown_tui.convoys import list_convoys
    from gastown_tui.costs.report import convoy_usage

    out = []
    for bead in list_convoys(ledger, include_closed=True):
        usage = convoy_usage(paths, ledger, bead.id)
        out.append(ConvoyCost(bead.id, money(usage.cost) if usage.turns else "", ("convoy", bead.id) in open_keys))
    return tuple(out)


@snapshot_part("costs")
def costs(paths: Any, ledger: Any) -> CostsView:
    """Everything cost-related the TUI shows (read-only: no breaker transitions, no mail)."""
    from gastown_tui.costs.budget import breaker_states, open_breakers

    now = time.time()
    _maybe_ingest(paths, ledger, now)
    opened = open_breakers(ledger, now=now)
    open_keys = set(opened)
    figures = {(s.scope, s.key): s.describe() for s in breaker_states(paths, ledger, now=now)} if opened else {}
    rows = tuple(BreakerRow(scope, key, figures.get((scope, key), f"{scope} {key}: open")) for scope, key in opened)
    return CostsView(_agent_costs(paths, ledger), _convoy_costs(paths, ledger, open_keys), rows)
