"""The hot `gt` calls (every agent hook runs one) keep their deferred imports deferred: each module listed costs 2-5 ms
of CPU per call, and a top-level import added back anywhere on the path silently undoes the cut."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gastown_tui.bench.cli_bench import _make_town, commands

# Loaded only when a call needs them (a warning logged, a bead created, a comment, a busy store, an engine request;
# typing only for type checkers).
DEFERRED = ("logging", "socket", "hashlib", "uuid", "platform", "tempfile", "random", "shutil", "typing", "threading")
_RUN_GT = "import sys; from gastown_tui.cli.main import gt_main; sys.argv[0] = 'gt'; gt_main()"


def _imported(args: list[str], env: dict[str, str], stdin: str, cwd: Path) -> set[str]:
    """Names of the modules a `gt` call imported (from -X importtime, which lists each first import)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", _RUN_GT, *args], env=env, input=stdin,
                          text=True, capture_output=True, timeout=60, check=False, cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert len(lines) > 50, "no import timings: -X importtime did not run"
    return {line.rsplit("|", 1)[1].strip() for line in lines}


@pytest.mark.parametrize("label", ["gt bd show", "gt hookevent stop", "gt prime"])
def test_hot_gt_calls_do_not_import_the_deferred_modules(tmp_path: Path, label: str) -> None:
    env, bead = _make_town(tmp_path)
    (_label, args, stdin), = [c for c in commands(bead) if c[0] == label]
    imported = _imported(args, env, stdin, tmp_path)
    assert "gastown_tui.ledger.api" in imported  # the call did open the ledger (the check is not vacuous)
    assert sorted(set(DEFERRED) & imported) == []


def test_a_create_still_loads_what_it_defers(tmp_path: Path) -> None:
    """The deferred imports run where they are needed: creating a bead hashes its id (hashlib)."""
    env, _bead = _make_town(tmp_path)
    imported = _imported(["bd", "create", "a second bead"], env, "", tmp_path)
    assert "hashlib" in imported
