"""`gt bd` and `gastown ledger` through real processes: happy paths, and one-line errors for bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli
from tests.ledger.conftest import REAL_JSONL


def gt(town: TownPaths, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `gt` inside the town."""
    return run_cli(*args, cwd=town.root, env=env or None)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Non-zero exit, exactly one line on stderr, no traceback, containing every needle."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_create_show_update_close_ready_json(town: TownPaths) -> None:
    made = gt(town, "bd", "create", "Fix the parser", "-t", "bug", "-p", "P1", "-l", "parser,urgent", "--json",
              BD_ACTOR="crew/max")
    assert made.returncode == 0, made.stderr
    bead = json.loads(made.stdout)
    assert (bead["issue_type"], bead["priority"], bead["labels"], bead["created_by"]) == \
        ("bug", 1, ["parser", "urgent"], "crew/max")
    blocker = json.loads(gt(town, "bd", "create", "Blocker", "--json").stdout)["id"]
    dep = gt(town, "bd", "create", "Needs it", "--deps", f"blocks:{blocker}", "--silent")
    needs = dep.stdout.strip()
    assert json.loads(gt(town, "bd", "blocked", "--json").stdout)[0]["blocked_by"] == [blocker]
    ready = [b["id"] for b in json.loads(gt(town, "bd", "ready", "--json").stdout)]
    assert ready == [bead["id"], blocker]
    shown = json.loads(gt(town, "bd", "show", needs[3:], "--json").stdout)  # partial id
    assert shown["id"] == needs and shown["blocked_by"] == [blocker]
    claimed = gt(town, "bd", "update", bead["id"], "--claim", "--json", "--actor", "polecat/nux")
    assert json.loads(claimed.stdout)["assignee"] == "polecat/nux"
    taken = gt(town, "bd", "update", bead["id"], "--claim", "--actor", "polecat/ace")
    assert_one_line_error(taken, "already claimed by polecat/nux")
    assert gt(town, "bd", "close", blocker, "--reason", "done").returncode == 0
    assert needs in gt(town, "bd", "ready").stdout
    got = json.loads(gt(town, "bd", "ready", "--claim", "--json", GT_AGENT="rig/polecats/toast").stdout)
    assert got["id"] == needs and got["assignee"] == "rig/polecats/toast"
    assert gt(town, "bd", "comment", needs, "on it").returncode == 0
    assert gt(town, "bd", "label", "add", needs, "x").returncode == 0
    assert json.loads(gt(town, "bd", "label", "list", needs, "--json").stdout) == ["x"]
    tree = json.loads(gt(town, "bd", "dep", "tree", needs, "--json").stdout)
    assert [n["id"] for n in tree] == [needs, blocker]
    assert json.loads(gt(town, "bd", "search", "parser", "--json").stdout)[0]["id"] == bead["id"]


def test_ledger_export_and_commit(town: TownPaths) -> None:
    gt(town, "bd", "create", "persisted")
    gt(town, "bd", "create", "wisp", "--ephemeral")
    committed = run_cli("ledger", "commit", cwd=town.root, prog="gastown")
    assert committed.returncode == 0 and committed.stdout.startswith("committed"), committed.stderr
    assert "persisted" in town.jsonl_for_prefix("hq").read_text()
    assert "wisp" not in town.jsonl_for_prefix("hq").read_text()
    log = subprocess.run(["git", "log", "--oneline", "--", ".beads"], cwd=town.root, capture_output=True, text=True)
    assert len(log.stdout.splitlines()) == 1
    again = run_cli("ledger", "commit", cwd=town.root, prog="gastown")
    assert again.returncode == 0 and "nothing to commit" in again.stdout


def test_malformed_jsonl_line_named_and_other_lines_kept(town: TownPaths, tmp_path: Path) -> None:
    lines = REAL_JSONL.read_text().splitlines()[:20]
    lines[16] = lines[16].replace('","', '" "', 1)  # break line 17: a missing comma
    lines[4] = '{"id": "bd-x", "title": "t", "priority": 9}'  # a bad priority on line 5
    bad = tmp_path / "bd.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    result = gt(town, "bd", "import", str(bad))
    line = assert_one_line_error(result, f"{bad}:5:", "priority", "1 more bad line")
    assert "Traceback" not in line
    listed = json.loads(gt(town, "bd", "list", "--all", "--json", "-n", "100").stdout)
    assert len(listed) == 18  # everything but the two bad lines
    result = gt(town, "bd", "import", str(bad), "--json")
    assert any(e.startswith(f"{bad}:17: invalid JSON (Expecting ','") for e in json.loads(result.stdout)["errors"])


@pytest.mark.parametrize("args, needles", [
    (("bd", "show", "hq-nope"), ("no bead found", "hq-nope")),
    (("bd", "update", "nope", "--status", "open"), ("no bead found",)),
    (("bd", "show", "abc"), ("ambiguous", "hq-abc1", "hq-abc2")),
    (("bd", "dep", "add", "hq-abc2", "hq-abc1"), ("cycle", "hq-abc2 -> hq-abc1 -> hq-abc2")),
    (("bd", "update", "hq-abc1", "--status", "finished"), ("invalid status", "finished")),
    (("bd", "create", "x", "-p", "P7"), ("invalid priority", "P7")),
    (("bd", "create", "x", "-t", "storyline"), ("invalid issue type", "storyline")),
    (("bd", "dep", "add", "hq-abc1", "hq-zzz9"), ("no bead", "hq-zzz9")),
])
def test_bad_input_is_one_line_error(town: TownPaths, args: tuple[str, ...], needles: tuple[str, ...]) -> None:
    for bead_id in ("hq-abc1", "hq-abc2"):
        assert gt(town, "bd", "create", bead_id, "--id", bead_id).returncode == 0
    assert gt(town, "bd", "dep", "add", "hq-abc1", "hq-abc2").returncode == 0
    assert_one_line_error(gt(town, *args), *needles)


def test_ledger_rebuild_restores_a_corrupt_store_from_jsonl(town: TownPaths) -> None:
    made = gt(town, "bd", "create", "survives", "--silent").stdout.strip()
    assert run_cli("ledger", "export", cwd=town.root, prog="gastown").returncode == 0
    for suffix in ("", "-wal", "-shm"):
        Path(str(town.state_db) + suffix).unlink(missing_ok=True)
    town.state_db.write_bytes(b"this is not a database" * 100)
    assert_one_line_error(gt(town, "bd", "list"), "damaged")
    rebuilt = run_cli("ledger", "rebuild", cwd=town.root, prog="gastown")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert made in gt(town, "bd", "show", made).stdout
