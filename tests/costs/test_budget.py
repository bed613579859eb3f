"""The budget breaker in code: a tiny per-convoy budget opens mid-convoy (no new sling, one escalation, nudges
refused), and raising it resumes work. Real town, real ledger and git, real transcript lines (fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gastown_tui.agents.sling import sling
from gastown_tui.convoys import create_convoy
from gastown_tui.costs.budget import (
    BudgetExceeded,
    allows_nudge,
    breaker_states,
    evaluate,
    open_breakers,
    raise_limit,
)
from gastown_tui.costs.ingest import ingest
from gastown_tui.costs.report import convoy_usage
from gastown_tui.mail import inbox
from gastown_tui.town.paths import TownPaths
from tests.agents.conftest import cli
from tests.costs.conftest import RESUMED, relocate, write_transcript


def _set_budget(town: TownPaths, text: str) -> None:
    town.town_toml.write_text(town.town_toml.read_text() + f"\n[budget]\n{text}\n")


def _work(town: TownPaths, claude_dir: Path, address: str, bead: str, lines: list[str]) -> None:
    """Real transcript lines as the polecat at `address` would write them while working on `bead`."""
    name = address.rsplit("/", 1)[1]
    cwd = town.rig("app").polecat(name)
    write_transcript(claude_dir, cwd, f"{bead}-session", relocate(lines, cwd, f"polecat/{name}/{bead}"))


def _escalations(ledger) -> list:
    return [m for m in inbox(ledger, "overseer", include_read=True) if m.subject.startswith("[HIGH] Budget")]


def test_a_tiny_convoy_budget_opens_mid_convoy_and_raising_it_resumes(town, ledger, claude_dir: Path) -> None:
    """First bead slung and worked; its spend crosses the convoy budget; the second sling is refused once the
    breaker is open, with exactly one escalation; the agent under it gets no nudge; `raise` lets the sling go."""
    _set_budget(town, "convoy = 0.005")
    first = ledger.create("first", prefix="ap").id
    second = ledger.create("second", prefix="ap").id
    convoy = create_convoy(ledger, "Tiny", [first, second], actor="overseer").id
    worker = sling(town, ledger, first, "app", actor="overseer").address  # no engine: the start is queued

    _work(town, claude_dir, worker, first, RESUMED.read_text().splitlines())
    with pytest.raises(BudgetExceeded, match=f"convoy budget {convoy} is exceeded"):
        sling(town, ledger, second, "app", actor="overseer")
    assert ledger.get(second).status == "open" and not ledger.get(second).assignee  # nothing half-slung
    spent = convoy_usage(town, ledger, convoy).cost
    assert spent is not None and spent > 0.005
    assert open_breakers(ledger) == [("convoy", convoy)]
    (escalation,) = _escalations(ledger)
    assert f"${spent:.4f} of $0.0050" in escalation.body, escalation.body
    ok, reason = allows_nudge(ledger, worker)
    assert not ok and convoy in reason
    # Trying again, and patrols evaluating again, raise nothing new.
    for _ in range(2):
        with pytest.raises(BudgetExceeded):
            sling(town, ledger, second, "app", actor="overseer")
        evaluate(town, ledger)
    assert len(_escalations(ledger)) == 1
    kinds = [json.loads(line)["kind"] for line in town.events.read_text().splitlines()]
    assert kinds.count("budget.open") == 1

    raise_limit(town, ledger, "convoy", convoy, 1.0, actor="overseer")
    assert open_breakers(ledger) == [] and allows_nudge(ledger, worker) == (True, "")
    assert sling(town, ledger, second, "app", actor="overseer").bead_id == second


def test_eighty_percent_mails_the_overseer_once(town, ledger, claude_dir: Path) -> None:
    """Spend between warn_at and the limit: one warning mail, no breaker; more evaluations add no mail."""
    lines = RESUMED.read_text().splitlines()
    bead = ledger.create("work", prefix="ap").id
    worker = sling(town, ledger, bead, "app", actor="overseer").address
    _work(town, claude_dir, worker, bead, lines)
    ingest(town, ledger)
    assert evaluate(town, ledger) == []  # no budget set: nothing to evaluate
    _set_budget(town, "bead = 0.0085\nwarn_at = 0.8")
    (state,) = evaluate(town, ledger)
    assert state.state == "warned" and 0.8 <= state.ratio < 1.0, state.describe()
    evaluate(town, ledger)
    warnings = [m for m in inbox(ledger, "overseer", include_read=True) if m.subject.startswith("Budget at")]
    assert len(warnings) == 1 and bead in warnings[0].subject
    assert open_breakers(ledger) == []


def test_budget_cli_status_raise_and_reset(town, ledger, claude_dir: Path) -> None:
    """`gt budget` shows the open breaker; `reset` closes it; a bad scope or amount is one clear line."""
    _set_budget(town, "bead = 0.001")
    bead = ledger.create("work", prefix="ap").id
    worker = sling(town, ledger, bead, "app", actor="overseer").address
    _work(town, claude_dir, worker, bead, RESUMED.read_text().splitlines())
    status = json.loads(cli(town, "budget", "status", "--json").stdout)
    assert [(b["scope"], b["key"], b["state"]) for b in status["budgets"]] == [("bead", bead, "open")]
    result = cli(town, "budget", "raise", "bead", bead, "--to", "0.002")
    assert result.returncode == 1 and "still open" in result.stdout  # not enough: it stays open
    assert cli(town, "budget", "reset", "bead", bead).returncode == 0
    assert open_breakers(ledger) == []
    bad = cli(town, "budget", "raise", "bead", bead, "--to", "-1")
    assert bad.returncode != 0 and "positive" in bad.stderr and "Traceback" not in bad.stderr
    town.town_toml.write_text(town.town_toml.read_text().replace("bead = 0.001", "bead = \"lots\""))
    bad = cli(town, "budget")
    assert bad.returncode != 0 and "budget.bead" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_breaker_states_is_read_only(town, ledger, claude_dir: Path) -> None:
    """The UI's view of the budgets sends no mail and opens nothing; evaluate() then does, once."""
    _set_budget(town, "bead = 0.001")
    bead = ledger.create("work", prefix="ap").id
    worker = sling(town, ledger, bead, "app", actor="overseer").address
    _work(town, claude_dir, worker, bead, RESUMED.read_text().splitlines())
    ingest(town, ledger)
    (before,) = breaker_states(town, ledger)
    assert before.state == "ok" and before.ratio > 1 and _escalations(ledger) == []
    evaluate(town, ledger)
    (after,) = breaker_states(town, ledger)
    assert after.state == "open" and after.escalation and len(_escalations(ledger)) == 1


def test_a_day_budget_covers_every_agent_and_bead(town, ledger, claude_dir: Path) -> None:
    """Today's breaker refuses any sling and any nudge, the Mayor's included; a reset counts from zero again."""
    import time

    from gastown_tui.agents.registry import ensure_agent
    from gastown_tui.costs.attribution import local_day
    from gastown_tui.costs.budget import reset
    from gastown_tui.records import parse_address

    _set_budget(town, "day = 0.001")
    ensure_agent(ledger, parse_address("mayor/"))
    now = time.time()
    write_transcript(claude_dir, town.mayor_dir, "m",
                     relocate(RESUMED.read_text().splitlines(), town.mayor_dir, at=now))
    other = ledger.create("other", prefix="ap").id
    with pytest.raises(BudgetExceeded, match="day budget"):
        sling(town, ledger, other, "app", actor="overseer")
    assert not allows_nudge(ledger, "mayor/")[0]
    today = local_day(now)
    assert open_breakers(ledger) == [("day", today)]
    reset(town, ledger, "day", today, actor="overseer")
    assert allows_nudge(ledger, "mayor/") == (True, "")


async def test_a_bad_budget_table_keeps_the_deacon_running_and_refuses_slings(town, ledger) -> None:
    """A typo in [budget] is named in the deacon's heartbeat summary; slings refuse with the same one line."""
    from gastown_tui.clock import FakeClock
    from gastown_tui.errors import InvalidInput
    from gastown_tui.patrols.context import PatrolContext
    from gastown_tui.patrols.dispatch import LedgerDispatch
    from gastown_tui.patrols.usage import deacon_usage

    _set_budget(town, 'convoy = "five"')
    ctx = PatrolContext(town=town, ledger=ledger, clock=FakeClock(), dispatch=LedgerDispatch(ledger))
    assert deacon_usage(ctx) == "usage not read: town.toml: budget.convoy: expected a non-negative number, got 'five'"
    with pytest.raises(InvalidInput, match="budget.convoy"):
        sling(town, ledger, ledger.create("w", prefix="ap").id, "app", actor="overseer")
