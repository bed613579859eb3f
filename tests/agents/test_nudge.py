"""Nudges: a busy agent's nudge is queued and arrives at its turn boundary, never mid-turn."""

from __future__ import annotations

import json

from gastown_tui.events import iter_events
from tests.agents.conftest import agent_rows, cli, gated_bead, wait_until


def working_by_hook(town, address: str) -> bool:
    """True once the agent's own UserPromptSubmit hook says it is working."""
    row = agent_rows(town).get(address, {})
    return (row.get("state"), row.get("source")) == ("working", "hook")


def test_nudge_to_busy_agent_waits_for_turn_boundary(town, ledger, engine_proc) -> None:
    bead = gated_bead(ledger, "Slow work")
    assert cli(town, "sling", bead.id, "app").returncode == 0
    wait_until(lambda: working_by_hook(town, "app/polecats/nux"), 30)

    result = cli(town, "nudge", "app/polecats/nux", "please also update the README", "--json")
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["queued"] and not outcome["delivered"]
    assert "working" in outcome["reason"]
    # still mid-turn: nothing typed into the agent yet
    assert "nudge received" not in cli(town, "peek", "app/polecats/nux").stdout

    (town.runtime / "go").touch()  # let the turn finish
    wait_until(lambda: "nudge received: [nudge from overseer] please also update the README"
               in cli(town, "peek", "app/polecats/nux").stdout, 60)

    wait_until(lambda: any(e.kind == "nudge.delivered" for e in iter_events(town.events)), 20)
    events = list(iter_events(town.events))
    stop = min(e.ts for e in events if e.kind == "agent.hook" and e.data.get("event") == "stop"
               and e.data.get("address") == "app/polecats/nux")
    delivered = [e for e in events if e.kind == "nudge.delivered" and e.data.get("address") == "app/polecats/nux"]
    done = [e for e in events if e.kind == "done"]
    assert delivered and done
    assert delivered[0].ts >= stop and delivered[0].ts >= done[0].ts


def test_nudge_idle_agent_is_delivered_at_once(town, ledger, engine_proc) -> None:
    bead = ledger.create("Quick", prefix="ap", description="```sh\necho quick > quick.txt\n```")
    assert cli(town, "sling", bead.id, "app").returncode == 0
    wait_until(lambda: ledger.list(labels=["gt:merge-request"]), 60)
    wait_until(lambda: agent_rows(town)["app/polecats/nux"]["state"] == "idle", 30)
    result = cli(town, "nudge", "nux", "line one\nline two", "--json")  # bare name resolves; multi-line paste
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["delivered"] and outcome["verified"]
    screen = cli(town, "peek", "app/polecats/nux").stdout
    assert "nudge received: [nudge from overseer] line one" in screen
    assert "line two" in screen


def test_queued_nudge_without_engine_is_drained_by_hook(town, ledger) -> None:
    bead = ledger.create("Anything", prefix="ap")
    assert cli(town, "sling", bead.id, "app").returncode == 0  # start queued: no engine
    result = cli(town, "nudge", "app/polecats/nux", "hello later", "--json")
    assert json.loads(result.stdout)["queued"]
    hook = cli(town, "hookevent", "user-prompt-submit", agent="app/polecats/nux", input="{}")
    assert "[nudge from overseer] hello later" in hook.stdout
    again = cli(town, "hookevent", "user-prompt-submit", agent="app/polecats/nux", input="{}")
    assert "hello later" not in again.stdout  # drained once


def test_stale_nudges_expire_instead_of_arriving(town, ledger) -> None:
    import time

    from gastown_tui.agents.nudges import NUDGE_TTL_SECONDS, drain_nudges, queue_nudge
    from gastown_tui.records import parse_address

    address = parse_address("app/crew/max")
    old = queue_nudge(ledger, address, "old news", sender="overseer")
    later = time.time() + NUDGE_TTL_SECONDS + 60
    fresh = queue_nudge(ledger, address, "fresh", sender="overseer")
    assert [n.text for n in drain_nudges(ledger, address, actor="test")] == ["old news", "fresh"]
    again_old = queue_nudge(ledger, address, "stale", sender="overseer")
    assert drain_nudges(ledger, address, actor="test", now=later) == []
    assert ledger.get(again_old).close_reason == "expired"
    assert ledger.get(old).close_reason == ledger.get(fresh).close_reason == "delivered"
