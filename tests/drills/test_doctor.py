"""`gastown doctor` finds what faults leave behind, one line each, and `--fix` repairs the safe ones: a sling killed
half-way, a world-writable directory under .gastown/, a stale engine socket, JSONL that no longer matches SQLite,
a merged polecat branch nobody uses. Real CLI subprocesses, real git and ledger."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from tests.agents.conftest import cli, git
from tests.drills.leftovers import sling_outcome


def doctor(town, *args: str) -> tuple[int, dict]:
    """`gastown doctor --json ARGS` -> (exit code, parsed output)."""
    result = cli(town, "doctor", "--json", *args, prog="gastown")
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_clean_town_has_no_errors(town) -> None:
    code, report = doctor(town)
    assert code == 0, report
    assert not [f for f in report["findings"] if f["level"] == "error"]
    plain = cli(town, "doctor", prog="gastown")
    assert all(len(line) <= 300 for line in plain.stdout.splitlines())


def test_doctor_finds_and_fixes_what_faults_leave(town, ledger) -> None:
    bead = ledger.create("Half slung", prefix="ap")
    env = dict(os.environ, GT_TOWN=str(town.root), GT_FAULT="sling:worktree")
    code = "from gastown_tui.cli.main import run; import sys; sys.exit(run('gt', sys.argv[1:]))"
    killed = subprocess.run([sys.executable, "-c", code, "sling", bead.id, "app"], env=env, capture_output=True,
                            timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL
    loose = town.runtime / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    town.engine_sock.write_text("")  # a socket path left by a dead engine
    ledger.export_jsonl()
    town.jsonl_for_prefix("ap").write_bytes(b"")  # JSONL no longer holds what SQLite has
    git(town.rig("app").bare_repo, "branch", "polecat/old/ap-000", "main")  # merged, unused

    code_before, before = doctor(town)
    checks = {f["check"] for f in before["findings"]}
    assert code_before == 1
    assert {"half-made", "permissions", "engine", "ledger", "branches"} <= checks, before
    assert all(len(f["message"]) <= 200 for f in before["findings"])

    code_after, after = doctor(town, "--fix")
    assert code_after == 0, after
    assert not {"half-made", "permissions", "engine", "ledger", "branches"} & {f["check"] for f in after["findings"]}
    assert len(after["fixed"]) >= 5
    assert sling_outcome(town, ledger, bead.id) == "open"  # the killed sling was undone, the bead is free
    assert oct(loose.stat().st_mode & 0o777) == "0o700"
    assert not town.engine_sock.exists() and bead.id in town.jsonl_for_prefix("ap").read_text()
