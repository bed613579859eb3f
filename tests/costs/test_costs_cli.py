"""`gt costs`: grouping, --since, --json equal to the served usage, prices overridable, unknown runtimes."""

from __future__ import annotations

import json
from pathlib import Path

from gastown_tui.agents.registry import ensure_agent, update_agent
from gastown_tui.agents.sling import sling
from gastown_tui.costs.config import load_config
from gastown_tui.costs.ingest import ingest
from gastown_tui.costs.report import agent_usage, turn_cost
from gastown_tui.costs.transcript import Tokens
from gastown_tui.records import parse_address
from tests.agents.conftest import cli
from tests.costs.conftest import FORKED, RESUMED, relocate, served, write_transcript


def _served_total() -> dict[str, int]:
    out = {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
    for u in served().values():
        out["input"] += u["input_tokens"]
        out["output"] += u["output_tokens"]
        out["cache_read"] += u["cache_read_input_tokens"]
        out["cache_write"] += u["cache_creation_input_tokens"]
    return out


def test_costs_by_bead_json_equals_the_served_usage(town, ledger, claude_dir: Path) -> None:
    """Two sessions (resumed + forked) of one polecat: `gt costs --by bead --json` sums to what the stub served."""
    bead = ledger.create("work", prefix="ap").id
    worker = sling(town, ledger, bead, "app", actor="overseer").address
    name = worker.rsplit("/", 1)[1]
    cwd = town.rig("app").polecat(name)
    for fixture in (RESUMED, FORKED):
        write_transcript(claude_dir, cwd, fixture.stem, relocate(fixture.read_text().splitlines(), cwd,
                                                                  f"polecat/{name}/{bead}"))
    result = cli(town, "costs", "--by", "bead", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (row,) = data["rows"]
    assert row["key"] == bead and row["label"] == "work" and row["turns"] == 6
    assert {k: row[k] for k in _served_total()} == _served_total()
    assert data["total"]["cost_usd"] == row["cost_usd"] and row["estimate"] == "list price"
    by_convoy = json.loads(cli(town, "costs", "--by", "convoy", "--json").stdout)["rows"]
    assert [r["total"] for r in by_convoy] == [row["total"]] and by_convoy[0]["key"].startswith("hq-")
    day = json.loads(cli(town, "costs", "--by", "day", "--json").stdout)["rows"]
    assert len(day) == 1 and day[0]["total"] == row["total"]
    later = json.loads(cli(town, "costs", "--since", "2099-01-01", "--json").stdout)
    assert later["rows"] == [] and later["total"]["total"] == 0
    text = cli(town, "costs").stdout
    assert worker in text and "estimate at list price" in text
    bad = cli(town, "costs", "--since", "yesterday-ish")
    assert bad.returncode != 0 and "--since" in bad.stderr and "Traceback" not in bad.stderr


def test_prices_are_list_prices_and_town_toml_overrides_them(town) -> None:
    """Sonnet 4.5 at $3/$15/$0.30/$3.75 per MTok; an override changes it; an unpriced model is unknown."""
    tokens = Tokens(1_000_000, 1_000_000, 1_000_000, 1_000_000)
    assert turn_cost(load_config(town), "claude-sonnet-4-5-20250929", tokens) == 3 + 15 + 0.30 + 3.75
    assert turn_cost(load_config(town), "some-local-model", tokens) is None
    town.town_toml.write_text(town.town_toml.read_text() + '\n[prices."some-local-model"]\ninput = 1\noutput = 2\n'
                              'cache_read = 0\ncache_write = 0\n[prices."claude-sonnet-4-5"]\noutput = 10\n')
    assert turn_cost(load_config(town), "some-local-model", tokens) == 3
    assert turn_cost(load_config(town), "claude-sonnet-4-5-20250929", tokens) == 3 + 10 + 0.30 + 3.75


def test_agent_usage_gives_context_use_and_unknown_for_runtimes_without_records(town, ledger,
                                                                                 claude_dir: Path) -> None:
    """Context % is the last turn's prompt over the model window; a shell agent is unknown, not zero."""
    mayor, shell = parse_address("mayor/"), parse_address("app/crew/joe")
    ensure_agent(ledger, mayor)
    ensure_agent(ledger, shell)
    update_agent(ledger, shell, runtime="shell")
    write_transcript(claude_dir, town.mayor_dir, "m", relocate(RESUMED.read_text().splitlines(), town.mayor_dir))
    ingest(town, ledger)
    usage = {u.agent: u for u in agent_usage(town, ledger, [("mayor/", "claude"), ("app/crew/joe", "shell")])}
    last = served()["msg_000006"]
    context = last["input_tokens"] + last["cache_read_input_tokens"] + last["cache_creation_input_tokens"]
    assert usage["mayor/"].turns == 4 and usage["mayor/"].context_tokens == context
    assert usage["mayor/"].context_pct == 100.0 * context / 200_000
    assert not usage["app/crew/joe"].known and usage["app/crew/joe"].context_pct is None
    assert usage["app/crew/joe"].cost is None
