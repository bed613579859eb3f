"""`gt agents start`: long-lived agents (the Mayor, crew) can be started with nothing slung to them."""

from __future__ import annotations

import json

from tests.agents.conftest import EngineProcess, agent_rows, cli, wait_until


def test_start_mayor_without_engine_queues_then_engine_spawns_it(town, ledger, tmp_path) -> None:
    queued = cli(town, "agents", "start", "mayor", "--json")
    assert queued.returncode == 0, queued.stderr
    assert json.loads(queued.stdout)["start"] == "queued"
    assert (town.root / "mayor").is_dir()

    engine = EngineProcess(town, tmp_path / "engine.log").start()  # the queued start is delivered at start
    try:
        wait_until(lambda: agent_rows(town).get("mayor/", {}).get("state") not in (None, "dead", "off"), 60)
    finally:
        engine.stop()


def test_start_crew_with_engine_running_gets_a_worktree_and_a_live_session(town, ledger, engine_proc) -> None:
    # engine_proc is already started: a second start() replaced the fixture's process handle, so teardown
    # stopped only the second (refused) engine and the first one outlived every test run
    result = cli(town, "agents", "start", "app/crew/max", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["start"] == "started"
    assert (town.root / "app" / "crew" / "max" / "README.md").is_file()  # a worktree of the rig
    wait_until(lambda: agent_rows(town).get("app/crew/max", {}).get("state") not in (None, "dead", "off"), 60)


def test_start_refuses_polecats_bad_addresses_and_unknown_runtimes(town) -> None:
    for args, needle in ((("app/polecats/nux",), "gt sling"), (("../evil",), "invalid address"),
                         (("mayor", "--runtime", "nosuch"), "nosuch")):
        result = cli(town, "agents", "start", *args)
        assert result.returncode != 0 and needle in result.stderr and "Traceback" not in result.stderr, args
