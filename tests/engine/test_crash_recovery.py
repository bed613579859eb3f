"""Crash recovery: SIGKILL the engine while three polecats hold hooked work; the restart respawns each with its
hook, loses no bead and assigns none twice. A Claude agent would be resumed with its stored conversation id."""

from __future__ import annotations

import json
import os
import signal
import time

from gastown_tui.agents.registry import ensure_agent, update_agent
from gastown_tui.agents.spawn import plan_spawn
from gastown_tui.events import iter_events
from gastown_tui.records import LABEL_MERGE_REQUEST, parse_address
from tests.agents.conftest import EngineProcess, agent_rows, cli, gated_bead, wait_until


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _starts(town, address: str) -> list:
    return [e for e in iter_events(town.events, {"session.start"}) if e.data.get("address") == address]


def test_sigkill_engine_respawns_polecats_with_their_hooks(town, ledger, tmp_path) -> None:
    engine = EngineProcess(town, tmp_path / "engine.log").start()
    beads = [gated_bead(ledger, f"Job {n}", output=f"out{n}.txt") for n in range(3)]
    holders = {}
    for bead in beads:
        result = cli(town, "sling", bead.id, "app", "--json")
        assert result.returncode == 0, result.stderr
        holders[bead.id] = json.loads(result.stdout)["agent"]
    assert len(set(holders.values())) == 3
    wait_until(lambda: all(agent_rows(town)[a]["state"] == "working" for a in holders.values()), 30)

    old_pids = [agent_rows(town)[a]["pid"] for a in holders.values()]
    engine.kill(signal.SIGKILL)
    wait_until(lambda: not any(_alive(pid) for pid in old_pids), 20)  # the PTY hang-up took the agents down
    assert cli(town, "agents", "--json").returncode == 0  # offline view works without an engine
    for bead in beads:
        fresh = ledger.get(bead.id)
        assert (fresh.status, fresh.assignee) == ("hooked", holders[bead.id])

    engine = EngineProcess(town, tmp_path / "engine2.log").start()
    try:
        for address in holders.values():
            wait_until(lambda a=address: len(_starts(town, a)) == 2, 30)
            restart = _starts(town, address)[-1]
            assert restart.data["resumed"] is True and restart.data["bead"] in holders
        rows = agent_rows(town)
        assert all(rows[a]["state"] != "off" for a in holders.values())
        (town.runtime / "go").touch()
        mrs = wait_until(lambda: len(ledger.list(labels=[LABEL_MERGE_REQUEST])) == 3
                         and ledger.list(labels=[LABEL_MERGE_REQUEST]), 90)
    finally:
        engine.stop()
    time.sleep(2)
    mrs = ledger.list(labels=[LABEL_MERGE_REQUEST])
    assert len(mrs) == 3  # no second MR from a session that should have died
    by_source = {mr.metadata["source_issue"]: mr.metadata["worker"] for mr in mrs}
    assert by_source == holders  # every bead merged-requested once, by the polecat that held it
    for address in holders.values():
        assert not ledger.list(status="hooked", assignee=address)


def test_claude_agent_is_resumed_with_its_stored_session_id(town, ledger) -> None:
    address = parse_address("app/crew/max")
    town.rig("app").crew("max").mkdir(parents=True)
    ensure_agent(ledger, address, runtime="claude")
    update_agent(ledger, address, conversation_id="0b5d7c1e-1111-2222-3333-444455556666")
    plan = plan_spawn(town, ledger, address, topic="restart")
    argv = plan.argv
    assert argv[0] == "claude" and "--dangerously-skip-permissions" in argv
    i = argv.index("--resume")
    assert argv[i + 1] == "0b5d7c1e-1111-2222-3333-444455556666"
    settings = argv[argv.index("--settings") + 1]
    assert settings.startswith(str(town.agent_settings))
    hooks = json.loads(open(settings).read())["hooks"]
    assert set(hooks) >= {"SessionStart", "UserPromptSubmit", "Stop", "Notification"}
    assert hooks["SessionStart"][0]["hooks"][0]["command"].endswith("hookevent session-start")
    assert plan.env["GT_AGENT"] == "app/crew/max" and plan.env["GT_ROLE"] == "crew"
    assert plan.env["BD_ACTOR"] == "app/crew/max" and plan.env["GT_SESSION"] == plan.session_id

    fresh = parse_address("app/crew/ace")
    town.rig("app").crew("ace").mkdir(parents=True)
    ensure_agent(ledger, fresh, runtime="claude")
    first = plan_spawn(town, ledger, fresh).argv
    assert "--resume" not in first and first[first.index("--session-id") + 1]
    assert first[-1].startswith("[GAS TOWN] crew ace (rig: app)")  # beacon as the positional first prompt
