"""A sling that cannot succeed is refused before anything is created: missing runtime program, busy agent."""

from __future__ import annotations

import shutil

import pytest

from gastown_tui.records import LABEL_AGENT
from tests.agents.conftest import cli
from tests.drills.leftovers import sling_outcome


def test_sling_to_a_missing_runtime_is_refused_with_one_line_and_nothing_made(town, ledger) -> None:
    bead = ledger.create("Needs codex", prefix="ap")
    agents_before = len(ledger.list(labels=[LABEL_AGENT], include_closed=True))
    result = cli(town, "sling", bead.id, "app", "--runtime", "codex")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["gt: error: codex: not found on PATH; install the Codex CLI or re-sling with --runtime NAME"]
    assert sling_outcome(town, ledger, bead.id) == "open"  # no hook, branch, worktree, molecule or convoy
    assert len(ledger.list(labels=[LABEL_AGENT], include_closed=True)) == agents_before


@pytest.mark.skipif(shutil.which("claude") is not None, reason="Claude Code is installed on this machine")
def test_default_claude_runtime_missing_names_claude_code(town, ledger) -> None:
    from gastown_tui.town import load_town_config

    config = load_town_config(town)
    config.set("default_runtime", "claude")
    config.save()
    bead = ledger.create("Needs claude", prefix="ap")
    result = cli(town, "sling", bead.id, "app")
    assert result.returncode == 1
    assert result.stderr.strip() == ("gt: error: claude: not found on PATH; install Claude Code or re-sling with "
                                     "--runtime NAME")
    assert sling_outcome(town, ledger, bead.id) == "open"


def test_sling_to_a_busy_agent_creates_nothing(town, ledger) -> None:
    first, second = ledger.create("First", prefix="ap"), ledger.create("Second", prefix="ap")
    assert cli(town, "sling", first.id, "app/polecats/nux").returncode == 0
    result = cli(town, "sling", second.id, "app/polecats/nux")
    assert result.returncode == 1 and "already has" in result.stderr and len(result.stderr.splitlines()) == 1
    assert sling_outcome(town, ledger, second.id) == "open"
    assert sling_outcome(town, ledger, first.id) == "complete"
