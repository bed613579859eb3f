"""Money and limits end to end with the real Claude Code CLI: usage counted to the token from its transcripts,
the convoy's landing mail with the total, and 429s that show `rate-limited` and then recover with no bead lost
or double-assigned. The stub serves distinct known usage per response and answers some requests with 429."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Self

import pytest
from policy import GasTownPolicy
from steps import bead, create_bead, first_id, sling, wait_for_done
from stub_api import StubApi
from tasks import CALC_TASKS, FEATURE_TITLE, FIX_TITLE
from town import Town

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]
FIELDS = {"input": "input_tokens", "output": "output_tokens", "cache_read": "cache_read_input_tokens",
          "cache_write": "cache_creation_input_tokens"}


def _served_for(stub: StubApi, cwd: Path) -> dict[str, int]:
    """Sum of the usage the stub served to conversation turns of the session running in `cwd`."""
    out = dict.fromkeys(FIELDS, 0)
    for served in stub.served:
        if served.main and Path(served.cwd) == cwd:
            for ours, theirs in FIELDS.items():
                out[ours] += served.usage.to_dict()[theirs]
    return out


class StateWatch:
    """Polls an agent's recorded state (the engine writes each change to the agent bead) in a thread."""

    def __init__(self, town: Town, address: str) -> None:
        self.town, self.address, self.seen = town, address, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from gastown_tui.agents.registry import get_agent
        from gastown_tui.errors import GastownError
        from gastown_tui.records import parse_address

        while not self._stop.wait(0.2):
            try:
                state = self.town.read(lambda ledger: (get_agent(ledger, parse_address(self.address)).metadata
                                                       or {}).get("agent_state"))
            except GastownError:  # the agent bead does not exist yet
                state = None
            if not self.seen or self.seen[-1] != state:
                self.seen.append(state)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def test_costs_to_the_token_landing_total_and_429s_recover(make_town: Callable[..., Town], stub: StubApi) -> None:
    """Two polecats on real Claude Code; the first one's first requests get 429s (it retries after 3 s)."""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town = make_town()
    town.start_engine()
    fix = create_bead(town, FIX_TITLE, "test_add fails: add() subtracts. Make add() return a + b.")
    feature = create_bead(town, FEATURE_TITLE, "Add calc.multiply(a, b) with a test in test_multiply.py.")
    convoy = first_id(town.gt("convoy", "create", "Calc fixes", fix, feature).stdout)

    stub.limit_next(2, retry_after=3)
    fix_agent = sling(town, fix)
    with StateWatch(town, fix_agent) as watch:
        feature_agent = sling(town, feature)
        wait_for_done(town, fix, feature, timeout=150)
    assert len(stub.rate_limited) == 2
    assert "rate-limited" in watch.seen, watch.seen
    assert watch.seen.index("rate-limited") < len(watch.seen) - 1, watch.seen  # and it moved on from there

    town.gt("patrol", "run", "refinery:calc")
    town.wait(lambda: bead(town, fix).status == "closed" and bead(town, feature).status == "closed",
              "the refinery to merge both", 60)
    town.gt("patrol", "run", "deacon")
    town.wait(lambda: bead(town, convoy).status == "closed", "the deacon to close the convoy", 30)

    # gt costs --by bead --json equals, to the token, what the stub served each polecat's session.
    rows = {r["key"]: r for r in town.gt_json("costs", "--by", "bead")["rows"]}
    for bead_id, agent in ((fix, fix_agent), (feature, feature_agent)):
        cwd = town.root / agent.split("/")[0] / "polecats" / agent.split("/")[-1]
        expected = _served_for(stub, cwd)
        assert expected["output"] > 0, (bead_id, expected)
        assert {k: rows[bead_id][k] for k in FIELDS} == expected, (bead_id, rows[bead_id], expected)
        assert rows[bead_id]["cost_usd"] > 0

    # The landing mail carries the convoy total.
    from gastown_tui.mail.mailbox import inbox

    mail = town.read(lambda ledger: inbox(ledger, "overseer", include_read=True))
    (landed,) = [m for m in mail if m.subject == "Convoy landed: Calc fixes"]
    total = sum(rows[b]["total"] for b in (fix, feature))
    cost = sum(rows[b]["cost_usd"] for b in (fix, feature))
    assert f"Cost: ${cost:.4f}, estimate at list price; {total} tokens" in landed.body, landed.body

    # No bead lost or double-assigned: each slung once, done once, merged once, to one agent.
    events = town.events()
    kinds = [e.get("kind") for e in events]
    assert kinds.count("sling") == 2 and kinds.count("done") == 2 and kinds.count("merge.merged") == 2, kinds
    assert {e["bead"]: e["agent"] for e in events if e.get("kind") == "sling"} == {fix: fix_agent,
                                                                                    feature: feature_agent}
    log = town.main_log("calc")
    assert sum(fix in s for s in log) == 1 and sum(feature in s for s in log) == 1, log
    assert json.loads(town.gt("costs", "--json").stdout)["usage_unknown_agents"] == []


def test_a_tiny_convoy_budget_stops_new_slings_until_raised(make_town: Callable[..., Town], stub: StubApi) -> None:
    """The first bead's spend crosses the convoy budget: the deacon slings nothing more, `gt sling` refuses, one
    escalation; `gt budget raise` and the next deacon run sling the second bead and its agent starts on it.

    (The freed polecat gets the second bead in its resumed conversation, which the scripted policy does not play
    to the end; the scenario test covers landing. Here the point is that work resumes once the breaker closes.)"""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town = make_town()
    toml = town.root / "town.toml"
    toml.write_text(toml.read_text() + "\n[budget]\nconvoy = 0.001\n")
    town.start_engine()
    fix = create_bead(town, FIX_TITLE, "test_add fails: add() subtracts. Make add() return a + b.")
    feature = create_bead(town, FEATURE_TITLE, "Add calc.multiply(a, b) with a test in test_multiply.py.")
    convoy = first_id(town.gt("convoy", "create", "Calc fixes", fix, feature).stdout)
    sling(town, fix)
    wait_for_done(town, fix, timeout=120)

    town.gt("patrol", "run", "deacon")  # reads the transcripts, opens the breaker, then feeds the convoy: refused
    refused = town.gt("sling", feature, "calc", check=False)
    assert refused.returncode != 0 and f"convoy budget {convoy} is exceeded" in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
    assert bead(town, feature).status == "open" and not bead(town, feature).assignee
    status = town.gt_json("budget", "status")
    (breaker,) = [b for b in status["budgets"] if b["scope"] == "convoy"]
    assert breaker["key"] == convoy and breaker["state"] == "open" and breaker["spent_usd"] > 0.001

    town.gt("patrol", "run", "deacon")
    from gastown_tui.mail.mailbox import inbox

    mail = town.read(lambda ledger: inbox(ledger, "overseer", include_read=True))
    assert len([m for m in mail if m.subject == f"[HIGH] Budget exceeded: convoy {convoy}"]) == 1
    assert next(e for e in town.events() if e.get("kind") == "budget.open")["key"] == convoy
    assert not [e for e in town.events() if e.get("kind") == "convoy.fed"]

    town.gt("budget", "raise", "convoy", convoy, "--to", "10")
    before = len(stub.main_turns())
    town.gt("patrol", "run", "deacon")
    fed = [e for e in town.events() if e.get("kind") == "convoy.fed"]
    assert [e["bead"] for e in fed] == [feature], fed
    assert bead(town, feature).status in ("hooked", "in_progress")
    town.wait(lambda: any(feature in json.dumps(b) for b in stub.main_turns()[before:]),
              "the agent's first model turn on the second bead", 60)
    assert town.gt_json("budget", "status")["budgets"][0]["state"] in ("ok", "warned")


def test_a_429_the_cli_gives_up_on_is_waited_out_then_the_witness_resumes_it(make_town: Callable[..., Town],
                                                                             stub: StubApi) -> None:
    """With the CLI's own retries off, a 429 ends the polecat's turn (a synthetic error line in its transcript):
    the engine's witness shows it rate-limited and leaves it alone until the retry time, then resumes it once; the
    bead lands, slung once, done once, merged once, and a sling meanwhile is refused (runtime backoff)."""
    from gastown_tui.costs.ingest import ingest
    from gastown_tui.costs.ratelimit import limit_history
    from gastown_tui.town.paths import TownPaths

    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town = make_town()
    town.set_runtime("claude", env={"IS_SANDBOX": "1", "CLAUDE_CODE_MAX_RETRIES": "0"})
    toml = town.root / "town.toml"
    # The witness runs in the engine (only there does it see sessions), every 2 s; the 429 names no retry time.
    text = toml.read_text().replace("witness = 86400", "witness = 2")
    toml.write_text(text + "\n[costs]\nrate_limit_backoff = 8\n")
    town.start_engine()
    fix = create_bead(town, FIX_TITLE, "test_add fails: add() subtracts. Make add() return a + b.")
    stub.limit_next(1)
    agent = sling(town, fix)

    def hits() -> list:
        return town.read(lambda ledger: (ingest(TownPaths(town.root), ledger), limit_history(ledger, agent))[1])

    town.wait(lambda: bool(hits()), "the 429 in the polecat's transcript", 60)
    (hit,) = hits()
    assert hit.source == "transcript" and "429" in hit.detail and hit.retry_at - hit.since == 8

    def surveyed_limited() -> bool:
        return any(e.get("kind") == "witness.survey" and str(e["polecats"].get(agent, "")).startswith("rate-limited")
                   for e in town.events())

    town.wait(surveyed_limited, "the engine's witness to show the polecat rate-limited", 20)
    refused = town.gt("sling", create_bead(town, FEATURE_TITLE, "Add calc.multiply."), "calc", check=False)
    assert refused.returncode != 0 and "rate-limited until" in refused.stderr, refused.stderr
    town.wait(lambda: any(e.get("kind") == "witness.resume" for e in town.events()), "the witness's resume", 30)
    events = town.events()
    resume = next(e for e in events if e.get("kind") == "witness.resume")
    assert resume["address"] == agent and resume["ts"] >= hit.retry_at, (resume, hit)
    assert not [e for e in events if e.get("kind") in ("witness.nudge", "witness.restart")]
    wait_for_done(town, fix, timeout=120)
    town.gt("patrol", "run", "refinery:calc")
    town.wait(lambda: bead(town, fix).status == "closed", "the refinery to merge the fix", 60)
    kinds = town.event_kinds()
    assert kinds.count("sling") == 1 and kinds.count("done") == 1 and kinds.count("merge.merged") == 1, kinds
    assert kinds.count("witness.resume") == 1 and len(stub.rate_limited) == 1
    assert sum(fix in s for s in town.main_log("calc")) == 1
