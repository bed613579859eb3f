"""Handoff keeps the hook across a fresh session; séance finds the predecessor session and talks to it."""

from __future__ import annotations

import json

from gastown_tui.records import LABEL_MERGE_REQUEST
from tests.agents.conftest import agent_rows, cli, gated_bead, wait_until


def test_handoff_keeps_hook_and_seance_finds_predecessor(town, ledger, engine_proc) -> None:
    bead = gated_bead(ledger, "Long job")
    assert cli(town, "sling", bead.id, "app").returncode == 0
    first = wait_until(lambda: agent_rows(town)["app/polecats/nux"].get("session_id"), 30)

    result = cli(town, "handoff", "-m", "halfway: the loop waits for the go file", "--json",
                 agent="app/polecats/nux")
    assert result.returncode == 0, result.stderr
    handoff = json.loads(result.stdout)
    assert handoff["hook"] == bead.id and handoff["restart"] == "scheduled by the engine"

    second = wait_until(lambda: (sid := agent_rows(town)["app/polecats/nux"].get("session_id")) != first and sid, 30)
    assert second and second != first
    hooked = ledger.get(bead.id)
    assert hooked.status == "hooked" and hooked.assignee == "app/polecats/nux"
    prime = json.loads(cli(town, "prime", "--json", agent="app/polecats/nux").stdout)
    assert prime["bead"]["id"] == bead.id
    assert "halfway: the loop waits for the go file" in prime["handoff"]

    sessions = json.loads(cli(town, "seance", "app/polecats/nux", "--json").stdout)
    assert [s["session_id"] for s in sessions] == [first, second]
    assert sessions[0]["bead"] == bead.id
    talk = cli(town, "seance", "app/polecats/nux", "--talk", first[:8], "-p", "what were you doing?")
    assert talk.returncode == 0, talk.stderr
    assert f"séance with session {first}" in talk.stdout
    assert bead.id in talk.stdout and "what were you doing?" in talk.stdout
    # The Overseer may name the session alone: its agent is found from the feed.
    by_id = cli(town, "seance", "--talk", second[:8], "-p", "and then?")
    assert by_id.returncode == 0, by_id.stderr
    # the second session resumed the first one's conversation, so that conversation answers
    assert "of app/polecats/nux" in by_id.stdout and bead.id in by_id.stdout and "and then?" in by_id.stdout
    unknown = cli(town, "seance", "--talk", "zzzzzzzz", "-p", "anyone?")
    assert unknown.returncode != 0 and "zzzzzzzz" in unknown.stderr and "Traceback" not in unknown.stderr

    (town.runtime / "go").touch()
    mrs = wait_until(lambda: ledger.list(labels=[LABEL_MERGE_REQUEST]), 60)
    assert mrs[0].metadata["source_issue"] == bead.id


def test_hook_attach_show_clear(town, ledger) -> None:
    bead = ledger.create("Crew task", prefix="ap")
    crew = "app/crew/max"
    assert "nothing on" in cli(town, "hook", agent=crew).stdout
    attach = cli(town, "hook", "attach", bead.id, agent=crew)
    assert attach.returncode == 0, attach.stderr
    assert bead.id in cli(town, "hook", agent=crew).stdout
    other = ledger.create("Another", prefix="ap")
    busy = cli(town, "hook", "attach", other.id, agent=crew)
    assert busy.returncode != 0 and "already has" in busy.stderr
    cleared = cli(town, "hook", "clear", agent=crew)
    assert cleared.returncode == 0 and ledger.get(bead.id).status == "open"
