"""Bad input through the real CLI: one clear line, non-zero exit, no traceback — and shell metacharacters in
titles, messages and mail are never executed anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.agents.conftest import agent_rows, cli, wait_until

NASTY = "$(touch {m}) `touch {m}` ; touch {m} ; rm -rf {m}.dir && echo pwned | tee {m} $HOME \\ ' \" |& >"


def _clean(result) -> None:  # noqa: ANN001
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unknown_agent_rig_and_bead(town, ledger) -> None:
    bead = ledger.create("Real work", prefix="ap")
    result = cli(town, "nudge", "app/polecats/ghost", "hello")
    _clean(result)
    assert "unknown agent" in result.stderr
    result = cli(town, "nudge", "nobody", "hello")
    _clean(result)
    assert "unknown agent" in result.stderr
    result = cli(town, "sling", bead.id, "nosuchrig")
    _clean(result)
    assert "unknown rig" in result.stderr
    result = cli(town, "sling", "ap-zzzzzz", "app")
    _clean(result)
    assert "ap-zzzzzz" in result.stderr
    result = cli(town, "peek", "app/crew/nobody")
    _clean(result)
    result = cli(town, "agents", "explain", "ghost")
    _clean(result)
    result = cli(town, "escalate", "-s", "URGENT", "help")
    _clean(result)
    assert "severity" in result.stderr
    result = cli(town, "done", agent="app/polecats/nux")
    _clean(result)
    result = cli(town, "sling", bead.id, "app", agent="app/polecats/nux")
    _clean(result)
    assert "polecats cannot sling" in result.stderr
    assert ledger.get(bead.id).status == "open"  # nothing was hooked by any failed command


def test_slinging_a_closed_bead_is_refused(town, ledger) -> None:
    bead = ledger.create("Finished", prefix="ap")
    ledger.close(bead.id, reason="done already")
    result = cli(town, "sling", bead.id, "app")
    _clean(result)
    assert "closed" in result.stderr
    assert not ledger.list(status="hooked")


def test_nudging_a_dead_agent(town, ledger, engine_proc) -> None:
    bead = ledger.create("Work", prefix="ap", description="```sh\necho x > x.txt\n```")
    assert cli(town, "sling", bead.id, "app").returncode == 0
    wait_until(lambda: agent_rows(town)["app/polecats/nux"]["state"] in ("idle", "working"), 30)
    from gastown_tui.engine.client import request

    request(town, "kill", address="app/polecats/nux")
    wait_until(lambda: agent_rows(town)["app/polecats/nux"]["state"] == "dead", 20)
    result = cli(town, "nudge", "app/polecats/nux", "are you there?")
    _clean(result)
    assert "not running" in result.stderr


@pytest.mark.parametrize("where", ["title", "nudge", "mail", "escalate"])
def test_shell_metacharacters_are_never_executed(town, ledger, engine_proc, tmp_path: Path, where: str) -> None:
    marker = tmp_path / "pwned"
    nasty = NASTY.format(m=marker)
    bead = ledger.create(f"Fix {nasty}", prefix="ap",
                         description=f"Outside the fence: {nasty}\n```sh\necho safe > safe.txt\n```\n")
    assert cli(town, "sling", bead.id, "app").returncode == 0
    mrs = wait_until(lambda: ledger.list(labels=["gt:merge-request"]), 60)
    wait_until(lambda: agent_rows(town)["app/polecats/nux"]["state"] == "idle", 30)
    if where == "nudge":
        assert cli(town, "nudge", "app/polecats/nux", nasty).returncode == 0
        wait_until(lambda: "nudge received" in cli(town, "peek", "app/polecats/nux").stdout, 30)
    elif where == "mail":
        sent = cli(town, "mail", "send", "app/polecats/nux", "-s", nasty, "-m", nasty, "--json")
        assert sent.returncode == 0, sent.stderr
        reply = cli(town, "mail", "reply", json.loads(sent.stdout)["id"], "-m", nasty, agent="app/polecats/nux")
        assert reply.returncode == 0, reply.stderr
        assert cli(town, "prime", agent="app/polecats/nux").returncode == 0
    elif where == "escalate":
        assert cli(town, "escalate", "-s", "HIGH", nasty, agent="app/polecats/nux").returncode == 0
    assert cli(town, "peek", "app/polecats/nux").returncode == 0
    assert not marker.exists()
    assert mrs[0].title == f"Merge: {bead.id}"
    log = cli(town, "seance", "app/polecats/nux")
    assert log.returncode == 0 and not marker.exists()
