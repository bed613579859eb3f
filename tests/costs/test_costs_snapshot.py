"""Costs on the engine's snapshot, over the real socket: an agent's spend, tokens and context use, its convoy's
spend with the breaker open, and the open breaker for the header. Real town, ledger, transcripts (fixtures)."""

from __future__ import annotations

import re
from pathlib import Path

import gastown_tui.engine.api as api
from gastown_tui.agents.registry import ensure_agent
from gastown_tui.agents.sling import sling
from gastown_tui.convoys import create_convoy
from gastown_tui.costs.budget import evaluate
from gastown_tui.costs.report import convoy_usage
from gastown_tui.engine import Engine
from gastown_tui.records import parse_address
from tests.costs.conftest import RESUMED
from tests.costs.test_budget import _set_budget, _work

NO_USAGE = '\n[runtimes.plain]\ncommand = ["sh"]\nprompt_mode = "none"\nusage = "unknown"\n'


async def test_snapshot_carries_agent_costs_convoy_spend_and_the_open_breaker(town, ledger, claude_dir: Path) -> None:
    _set_budget(town, "convoy = 0.005")
    town.town_toml.write_text(town.town_toml.read_text() + NO_USAGE)
    ensure_agent(ledger, parse_address("app/crew/sam"), runtime="plain")
    first = ledger.create("first", prefix="ap").id
    convoy = create_convoy(ledger, "Tiny", [first], actor="overseer").id
    worker = sling(town, ledger, first, "app", actor="overseer").address
    _work(town, claude_dir, worker, first, RESUMED.read_text().splitlines())

    eng = Engine(town, ledger=ledger, patrols=False, recover=False)
    await eng.start()
    client = await api.SocketClient.connect(town.engine_sock)
    try:
        snap = await client.snapshot()  # the first snapshot ingests the transcript (no ingest was run before)
        agents = {row.address: row for row in snap.costs.agents}
        mine = agents[worker]
        assert re.fullmatch(r"\$\d+\.\d{4}", mine.cost) and float(mine.cost[1:]) > 0.005, mine
        assert mine.tokens is not None and mine.tokens > 1000
        assert mine.context_pct is not None and 0 < mine.context_pct < 100
        assert agents["app/crew/sam"].cost == "unknown" and agents["app/crew/sam"].tokens is None
        (row,) = [c for c in snap.costs.convoys if c.id == convoy]
        assert row.cost == f"${convoy_usage(town, ledger, convoy).cost:.4f}" and not row.breaker_open
        assert snap.costs.open_breakers == ()

        evaluate(town, ledger)  # the patrols' job: the breaker opens
        snap = await client.snapshot()
        (row,) = [c for c in snap.costs.convoys if c.id == convoy]
        assert row.breaker_open
        (breaker,) = snap.costs.open_breakers
        assert (breaker.scope, breaker.key) == ("convoy", convoy) and "of $0.0050" in breaker.detail
    finally:
        await client.close()
        await eng.stop()
