"""`gastown rig add` SIGKILLed at each write step: the rig is never listed half-made, a retry of the same command
succeeds, and the engine's start removes (or, killed after the commit, finishes) what was left. Unsafe git
transports are refused before anything is created. Real subprocesses and git."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from gastown_tui.clock import FakeClock
from gastown_tui.engine import Engine
from gastown_tui.town.rigs import list_rigs
from tests.agents.conftest import make_source
from tests.conftest import run_cli

STEPS = ("rig-add:dir", "rig-add:cloned", "rig-add:configured", "rig-add:committed")
CODE = "from gastown_tui.cli.main import run; import sys; sys.exit(run('gastown', sys.argv[1:]))"


def rig_add(town, source, fault: str = "") -> subprocess.CompletedProcess[str]:
    """`gastown rig add web SOURCE` as a subprocess, killed at `fault`."""
    env = dict(os.environ, GT_TOWN=str(town.root), GT_FAULT=fault)
    return subprocess.run([sys.executable, "-c", CODE, "rig", "add", "web", str(source), "--prefix", "wb"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def git_status(town) -> str:
    """`git status --porcelain` of the town repository."""
    return subprocess.run(["git", "status", "--porcelain"], cwd=town.root, capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("step", STEPS)
async def test_rig_add_killed_at_each_step(town, ledger, tmp_path, step) -> None:
    source = make_source(tmp_path / "web-src")
    before = git_status(town)
    assert rig_add(town, source, step).returncode == -signal.SIGKILL
    names = [r.name for r in list_rigs(town)]
    assert "web" not in names  # never listed half-made
    engine = Engine(town, FakeClock(time.time()), ledger=ledger, patrols=False, control=False)
    await engine.start()
    await engine.stop()
    status = git_status(town)
    if step == "rig-add:committed":  # only the marker was missing: the repair finished the rig
        assert [r.name for r in list_rigs(town)] == ["app", "web"] and status == before
    else:
        assert not (town.root / "web").exists() and status == before
        retry = rig_add(town, source)
        assert retry.returncode == 0, retry.stderr
        assert [r.name for r in list_rigs(town)] == ["app", "web"]


def test_retry_after_a_kill_needs_no_engine(town, tmp_path) -> None:
    source = make_source(tmp_path / "web-src")
    assert rig_add(town, source, "rig-add:cloned").returncode == -signal.SIGKILL
    retry = rig_add(town, source)
    assert retry.returncode == 0, retry.stderr


@pytest.mark.parametrize("source", ["ext::sh -c touch% /tmp/gt-pwned", "fd::17", "ftp://example.invalid/x.git",
                                    "foo::https://example.invalid/x"])
def test_unsafe_transports_are_refused_before_anything_is_made(town, source) -> None:
    result = run_cli("--town", str(town.root), "rig", "add", "evil", source, prog="gastown")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unsafe git transport" in lines[0], result.stderr
    assert not (town.root / "evil").exists()
