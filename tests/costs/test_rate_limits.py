"""Rate limits: `rate-limited` from the screen (the runtime retrying) or the transcript (it gave up), never counted
as stuck by the witness, resumed once after the retry time, and new slings backing off town-wide meanwhile.

The witness runs on a FakeClock with the fake sessions view of tests/patrols (the engine is not what is tested);
transcripts, ledger and git are real."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from gastown_tui.agents.screen_rules import classify_screen, rules_for
from gastown_tui.agents.state import decide
from gastown_tui.costs.budget import BudgetExceeded, guard_sling
from gastown_tui.costs.ingest import ingest
from gastown_tui.costs.ratelimit import active_limit, runtime_backoff
from tests.costs.conftest import RESUMED, relocate, write_transcript
from tests.patrols.conftest import Town, build_town
from tests.patrols.test_witness import FakeSessions, run_witness

RETRYING = ["● Bash(pytest -q)", "✻ Thinking… (esc to interrupt)",
            "  ⎿  API error · Retrying in 7 seconds… (attempt 2/10)", "─" * 40, "❯ ", "─" * 40]


def test_screen_and_transcript_both_give_rate_limited_with_a_retry_time() -> None:
    """The retry countdown on Claude's screen beats its spinner; a transcript hit holds until its retry time."""
    rules = rules_for("claude")
    verdict = classify_screen(rules, RETRYING)
    assert verdict.state == "rate-limited" and verdict.retry_in == 7.0
    state = decide(alive=True, exited_at=None, started_at=0.0, now=100.0, hook=None, rules=rules, display=RETRYING,
                   last_output_at=99.0)
    assert (state.state, state.retry_at) == ("rate-limited", 107.0)
    idle = ["❯ ", "⏵⏵ bypass permissions on"]
    held = decide(alive=True, exited_at=None, started_at=0.0, now=100.0, hook=None, rules=rules, display=idle,
                  last_output_at=50.0, limited_until=160.0)
    assert (held.state, held.source, held.retry_at) == ("rate-limited", "usage", 160.0)
    after = decide(alive=True, exited_at=None, started_at=0.0, now=200.0, hook=None, rules=rules, display=idle,
                   last_output_at=50.0, limited_until=160.0)
    assert after.state == "idle"


def _limited_lines(cwd: Path, wall: float) -> list[str]:
    """The fixture's synthetic 429 line (and the turns before it), stamped at `wall`."""
    return relocate(RESUMED.read_text().splitlines(), cwd, "polecat/nux/x", at=wall)


@pytest.fixture
def ptown(tmp_path: Path, claude_dir: Path):
    """A patrol test town (rig alpha), transcripts read from this test's CLAUDE_CONFIG_DIR."""
    t = build_town(tmp_path)
    yield t
    t.ledger.shutdown()


async def test_witness_holds_a_rate_limited_polecat_then_resumes_it_once(ptown: Town, claude_dir: Path) -> None:
    """Quiet long enough to count as stalled, but rate-limited: no nudge, restart or escalation; after the retry
    time one resume nudge; later runs do not repeat it."""
    sessions = FakeSessions(ptown.clock)
    address = "alpha/polecats/nux"
    bead = ptown.bead("Work", "alpha")
    ptown.ledger.update(bead.id, status="hooked", assignee=address)
    sessions.live[address] = ptown.clock.now()
    await ptown.clock.advance(1000)
    hit_at = ptown.clock.now() - (ptown.ctx.wall_offset or 0.0)  # "now" on the wall clock the transcript uses
    write_transcript(claude_dir, ptown.rig("alpha").polecat("nux"), "s",
                     _limited_lines(ptown.rig("alpha").polecat("nux"), hit_at))
    await run_witness(ptown, sessions)
    survey = [json.loads(x) for x in ptown.paths.events.read_text().splitlines()
              if json.loads(x)["kind"] == "witness.survey"][-1]
    assert survey["polecats"][address].startswith("rate-limited"), survey
    assert sessions.nudges == [] and sessions.restarts == [] and ptown.dispatch.escalations == []
    assert runtime_backoff(ptown.ledger, "claude") is not None
    with pytest.raises(BudgetExceeded, match="rate-limited"):
        guard_sling(ptown.paths, ptown.ledger, bead.id, "claude")

    await ptown.clock.advance(61)  # past the retry time (60 s: the error named none)
    await run_witness(ptown, sessions)
    resumes = [text for a, text in sessions.nudges if "rate limit" in text]
    assert len(resumes) == 1 and bead.id in resumes[0]
    await ptown.clock.advance(30)
    await run_witness(ptown, sessions)
    assert len([t for _, t in sessions.nudges if "rate limit" in t]) == 1
    assert active_limit(ptown.ledger, address, now=hit_at + 61) is None


def test_sling_backoff_ends_at_the_retry_time(ptown: Town, claude_dir: Path) -> None:
    """The runtime-wide backoff lasts until the latest retry time, and --force overrides it."""
    cwd = ptown.rig("alpha").polecat("nux")
    write_transcript(claude_dir, cwd, "s", _limited_lines(cwd, time.time()))
    ingest(ptown.paths, ptown.ledger)
    until = runtime_backoff(ptown.ledger, "claude")
    assert until is not None and 55 < until - time.time() <= 60
    assert runtime_backoff(ptown.ledger, "claude", now=until + 1) is None
    assert runtime_backoff(ptown.ledger, "codex") is None
    guard_sling(ptown.paths, ptown.ledger, "al-x", "claude", force=True)  # no raise


async def test_a_limit_seen_on_screen_holds_the_polecat_and_backs_off_slings(ptown: Town) -> None:
    """The engine wrote `rate-limited` (screen) on the agent bead: the witness neither nudges nor restarts it, and
    records a backoff for its runtime."""
    from gastown_tui.agents.registry import ensure_agent, update_agent
    from gastown_tui.records import parse_address

    sessions = FakeSessions(ptown.clock)
    address = "alpha/polecats/nux"
    bead = ptown.bead("Work", "alpha")
    ptown.ledger.update(bead.id, status="hooked", assignee=address)
    ensure_agent(ptown.ledger, parse_address(address))
    update_agent(ptown.ledger, parse_address(address), agent_state="rate-limited", state_source="screen",
                 runtime="claude")
    sessions.live[address] = ptown.clock.now()
    await ptown.clock.advance(1000)
    await run_witness(ptown, sessions)
    assert sessions.nudges == [] and sessions.restarts == [] and ptown.dispatch.escalations == []
    wall_now = ptown.clock.now() - (ptown.ctx.wall_offset or 0.0)
    assert runtime_backoff(ptown.ledger, "claude", now=wall_now) is not None
    await run_witness(ptown, sessions)  # still limited: no second record while the first holds
    from gastown_tui.costs.ratelimit import limit_history

    assert len(limit_history(ptown.ledger, address)) == 1
