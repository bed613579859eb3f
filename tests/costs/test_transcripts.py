"""Transcript parsing and incremental ingestion on real Claude Code 2.1.197 lines (tests/costs/fixtures, recorded
against the e2e stub: a fresh session, its resume, a fork of it, and a resume whose requests got 429s)."""

from __future__ import annotations

from pathlib import Path

from gastown_tui.costs.ingest import ingest
from gastown_tui.costs.ratelimit import active_limit, limit_history
from gastown_tui.costs.report import usage_by
from gastown_tui.costs.transcript import RateLimitHit, Tokens, Turn, parse_line
from tests.costs.conftest import FORKED, RESUMED, relocate, served, write_transcript


def _tokens(usage: dict[str, int]) -> Tokens:
    return Tokens(usage["input_tokens"], usage["output_tokens"], usage["cache_read_input_tokens"],
                  usage["cache_creation_input_tokens"])


def test_lines_parse_to_the_usage_the_stub_served() -> None:
    """Every assistant line's usage equals what the stub sent for that message; other lines give nothing."""
    truth = served()
    records = [parse_line(line) for line in RESUMED.read_text().splitlines()]
    turns = [r for r in records if isinstance(r, Turn)]
    assert {t.message_id for t in turns} == {"msg_000002", "msg_000003", "msg_000005", "msg_000006"}
    assert len(turns) == 6  # replies with text + tool_use are written as two lines with the same id
    for turn in turns:
        assert turn.tokens == _tokens(truth[turn.message_id])
        assert turn.model == "claude-sonnet-4-5-20250929" and turn.ts > 0
    hits = [r for r in records if isinstance(r, RateLimitHit)]
    assert len(hits) == 1 and "429" in hits[0].detail
    assert parse_line("not json") is None and parse_line('{"type": "user"}') is None


def test_resumed_and_forked_sessions_count_each_turn_once(town, ledger, claude_dir: Path) -> None:
    """The fork copies the history (same message ids) into a new file: the sum is over distinct turns only."""
    cwd = town.rig("app").polecat("nux")
    branch = "polecat/nux/ap-abc"
    write_transcript(claude_dir, cwd, "resumed", relocate(RESUMED.read_text().splitlines(), cwd, branch))
    write_transcript(claude_dir, cwd, "forked", relocate(FORKED.read_text().splitlines(), cwd, branch))
    report = ingest(town, ledger)
    truth = served()
    assert report.files == 2 and report.new_turns == len(truth) == 6
    expected = sum((_tokens(u) for u in truth.values()), Tokens())
    rows = usage_by(town, ledger, "bead")
    assert [(r.key, r.tokens, r.turns) for r in rows] == [("ap-abc", expected, 6)]
    assert ingest(town, ledger).read_bytes == 0  # nothing new: no re-reading


def test_ingestion_is_incremental_and_waits_for_complete_lines(town, ledger, claude_dir: Path) -> None:
    """Half a file, then the rest with a torn last line, then its end: totals match one full read, no duplicates."""
    cwd = town.rig("app").polecat("nux")
    lines = relocate(RESUMED.read_text().splitlines(), cwd, "polecat/nux/ap-abc")
    half = len(lines) // 2
    path = write_transcript(claude_dir, cwd, "s1", lines[:half])
    first = ingest(town, ledger)
    assert first.read_bytes == path.stat().st_size
    with path.open("a") as fh:  # the rest, with the last line still being written
        fh.write("".join(line + "\n" for line in lines[half:-1]) + lines[-1][:40])
    ingest(town, ledger)
    with path.open("a") as fh:
        fh.write(lines[-1][40:] + "\n")
    ingest(town, ledger)
    truth = served()
    want = sum((_tokens(truth[m]) for m in ("msg_000002", "msg_000003", "msg_000005", "msg_000006")), Tokens())
    assert usage_by(town, ledger, "agent")[0].tokens == want


def test_turns_go_to_the_agent_of_the_cwd_and_never_outside_the_town(town, ledger, claude_dir: Path,
                                                                      tmp_path: Path) -> None:
    """Mayor turns carry no bead; a session outside the town is not read at all."""
    lines = RESUMED.read_text().splitlines()
    write_transcript(claude_dir, town.mayor_dir, "m", relocate(lines, town.mayor_dir))
    elsewhere = tmp_path / "elsewhere"
    write_transcript(claude_dir, elsewhere, "x", relocate(FORKED.read_text().splitlines(), elsewhere))
    assert ingest(town, ledger).files == 1
    assert [r.key for r in usage_by(town, ledger, "agent")] == ["mayor/"]
    assert [r.key for r in usage_by(town, ledger, "bead")] == ["(no bead)"]
    assert [r.key for r in usage_by(town, ledger, "rig")] == ["(town)"]


def test_a_429_in_the_transcript_rate_limits_the_agent_until_its_retry_time(town, ledger, claude_dir: Path) -> None:
    """The synthetic API-error line becomes one rate-limit hit (read twice, stored once)."""
    cwd = town.rig("app").polecat("nux")
    write_transcript(claude_dir, cwd, "s", relocate(RESUMED.read_text().splitlines(), cwd))
    assert ingest(town, ledger).rate_limits == 1
    (hit,) = limit_history(ledger, "app/polecats/nux")
    assert hit.retry_at > hit.since and hit.source == "transcript"
    assert active_limit(ledger, "app/polecats/nux", now=hit.since + 1) is not None
    assert active_limit(ledger, "app/polecats/nux", now=hit.retry_at + 1) is None


def test_project_directory_names_match_claude_code_for_long_paths() -> None:
    """Recorded from Claude Code 2.1.197: a 302-character cwd (with an é) gets a 200-character name plus a hash."""
    from gastown_tui.costs.attribution import slug

    cwd = Path("/tmp/costs_fx/long").joinpath(*(["a_very-long.directory name é"] * 9), "town", "calc", "polecats",
                                               "nux")
    assert slug(cwd) == ("-tmp-costs-fx-long-a-very-long-directory-name---a-very-long-directory-name---a-very-long-"
                         "directory-name---a-very-long-directory-name---a-very-long-directory-name---a-very-long-"
                         "directory-name---a-very--696kj1")
    assert slug("/srv/town/app/polecats/nux") == "-srv-town-app-polecats-nux"
