"""`gt patrol` and `gt convoy` as real subprocesses against a real town."""

from __future__ import annotations

import json

from tests.conftest import run_cli

from .conftest import Town


def gt(town: Town, *args: str) -> str:
    """Run gt in the town; fail the test on a non-zero exit."""
    proc = run_cli(*args, cwd=town.paths.root)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc.stdout


def test_patrol_status_pause_run_history(town: Town) -> None:
    rows = json.loads(gt(town, "patrol", "status", "--json"))
    assert [r["name"] for r in rows] == ["deacon", "witness:alpha", "refinery:alpha"]
    gt(town, "patrol", "pause", "refinery:alpha")
    rows = {r["name"]: r for r in json.loads(gt(town, "patrol", "status", "--json"))}
    assert rows["refinery:alpha"]["paused"] and not rows["deacon"]["paused"]
    report = json.loads(gt(town, "patrol", "run", "deacon", "--json"))
    assert report["result"] == "ok" and report["run"]
    report = json.loads(gt(town, "patrol", "run", "witness:alpha", "--json"))
    assert report["result"] == "ok"
    history = json.loads(gt(town, "patrol", "history", "--json"))
    assert [h["patrol"] for h in history] == ["deacon", "witness:alpha"]
    rows = {r["name"]: r for r in json.loads(gt(town, "patrol", "status", "--json"))}
    assert rows["deacon"]["last_result"] == "ok"
    text = gt(town, "patrol", "status")
    assert "paused" in text and "deacon" in text
    proc = run_cli("patrol", "run", "nosuch", cwd=town.paths.root)
    assert proc.returncode != 0 and "no patrol 'nosuch'" in proc.stderr


def test_convoy_commands(town: Town) -> None:
    a = town.bead("Design colours", "alpha")
    b = town.bead("Toggle", "alpha")
    made = json.loads(gt(town, "convoy", "create", "Dark mode", a.id, "--json"))
    assert made["total"] == 1 and made["status"] == "open"
    gt(town, "convoy", "add", made["id"], b.id)
    status = json.loads(gt(town, "convoy", "status", made["id"], "--json"))
    assert [t["id"] for t in status["tracked"]] == [a.id, b.id]
    box = gt(town, "convoy", "status")
    assert "CONVOY:" in box and "Swarms: 0 completed, 0 active" in box
    assert made["id"] in gt(town, "convoy", "list")
    gt(town, "convoy", "close", made["id"])
    assert json.loads(gt(town, "convoy", "list", "--json")) == []
    assert json.loads(gt(town, "convoy", "list", "--all", "--json"))[0]["status"] == "closed"
