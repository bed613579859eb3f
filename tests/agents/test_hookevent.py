"""`gt hookevent` as Claude's command hooks call it: JSON on stdin, identity in the environment."""

from __future__ import annotations

import json

from gastown_tui.agents.registry import get_agent
from gastown_tui.events import iter_events
from gastown_tui.records import parse_address
from tests.agents.conftest import cli

AGENT = "app/crew/max"


def test_session_start_prints_prime_and_records_claude_session(town, ledger) -> None:
    bead = ledger.create("Crew work", prefix="ap", description="the details")
    assert cli(town, "hook", "attach", bead.id, agent=AGENT).returncode == 0
    payload = {"session_id": "c1a2b3", "transcript_path": "/x.jsonl", "source": "startup",
               "hook_event_name": "SessionStart"}
    result = cli(town, "hookevent", "SessionStart", agent=AGENT, input=json.dumps(payload))
    assert result.returncode == 0, result.stderr
    assert f"ATTACHED WORK: {bead.id}" in result.stdout and "crew member max" in result.stdout
    meta = get_agent(ledger, parse_address(AGENT)).metadata
    assert meta["conversation_id"] == "c1a2b3" and meta["last_hook"]["event"] == "session-start"
    hooks = [e for e in iter_events(town.events, {"agent.hook"}) if e.data["address"] == AGENT]
    assert hooks[-1].data["conversation_id"] == "c1a2b3"


def test_turn_events_set_state(town, ledger) -> None:
    address = parse_address(AGENT)
    for event, state in (("UserPromptSubmit", "working"), ("Stop", "idle"), ("user-prompt-submit", "working")):
        assert cli(town, "hookevent", event, agent=AGENT, input="{}").returncode == 0
        assert get_agent(ledger, address).metadata["agent_state"] == state
    permission = {"message": "Claude needs your permission to use Bash", "notification_type": "permission_prompt"}
    assert cli(town, "hookevent", "Notification", agent=AGENT, input=json.dumps(permission)).returncode == 0
    assert get_agent(ledger, address).metadata["agent_state"] == "permission-prompt"
    idle = {"message": "Claude is waiting for your input", "notification_type": "idle_prompt"}
    assert cli(town, "hookevent", "Notification", agent=AGENT, input=json.dumps(idle)).returncode == 0
    assert get_agent(ledger, address).metadata["agent_state"] == "idle"


def test_hookevent_outside_gas_town_and_bad_event(town) -> None:
    quiet = cli(town, "hookevent", "Stop", input="not json")  # no GT_AGENT: a user's own session
    assert quiet.returncode == 0 and quiet.stdout == ""
    bad = cli(town, "hookevent", "Explode", agent=AGENT, input="{}")
    assert bad.returncode != 0 and "unknown hook event" in bad.stderr
