"""Shared fixtures for agent and engine tests: a real town with one rig (real git), scripted runtime by default."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gastown_tui.town.paths import TownPaths


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd`; stdout stripped."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, text=True, capture_output=True).stdout.strip()


def make_source(path: Path) -> Path:
    """A small project repository with one commit on main."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "README.md").write_text("demo project\n")
    git(path, "add", "README.md")
    git(path, "commit", "-q", "-m", "initial")
    return path


def make_town(root: Path, source: Path, *, runtime: str = "scripted", rig: str = "app") -> TownPaths:
    """A town made the way a user makes one: `gastown install` + `gastown rig add` (real CLI), then the default
    runtime set in town.toml (comments kept)."""
    from gastown_tui.town import load_town_config
    from tests.conftest import run_cli

    for args in (("install", str(root), "--name", "testtown"), ("--town", str(root), "rig", "add", rig,
                                                                  str(source), "--prefix", "ap")):
        result = run_cli(*args, prog="gastown")
        assert result.returncode == 0, result.stderr
    town = TownPaths(root)
    config = load_town_config(town)
    config.set("default_runtime", runtime)
    config.save()
    return town


@pytest.fixture
def town(tmp_path: Path) -> TownPaths:
    """A town with rig `app` (prefix `ap`) whose default runtime is the scripted agent."""
    source = make_source(tmp_path / "src")
    return make_town(tmp_path / "town", source)


@pytest.fixture
def ledger(town: TownPaths):  # noqa: ANN201 - Ledger
    """The town's ledger, closed after the test."""
    from gastown_tui.ledger import Ledger

    led = Ledger.open(town)
    yield led
    led.shutdown()


def wait_until(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.1) -> object:
    """Poll `predicate` until it returns something truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {predicate}")


async def async_wait_until(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.1) -> object:
    """Async version of wait_until (lets the engine's loop run while waiting)."""
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {predicate}")


def gt_env(town: TownPaths, **extra: str) -> dict[str, str]:
    """Environment for running `gt` against `town` (optionally as an agent)."""
    return {"GT_TOWN": str(town.root), **extra}


PYTHON = sys.executable


def cli(town: TownPaths, *args: str, agent: str | None = None, input: str | None = None,
        prog: str = "gt", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real CLI against `town`, optionally as an agent (GT_AGENT / BD_ACTOR set)."""
    from tests.conftest import run_cli

    env = {"GT_TOWN": str(town.root)}
    if agent:
        env.update(GT_AGENT=agent, BD_ACTOR=agent)
    return run_cli(*args, env=env, prog=prog, input=input, timeout=timeout)


class EngineProcess:
    """`gastown engine run` as a real subprocess (so tests can SIGKILL it)."""

    def __init__(self, town: TownPaths, log: Path) -> None:
        self.town, self.log = town, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "EngineProcess":
        """Launch and wait until the control socket answers."""
        import os

        from gastown_tui.engine.client import engine_running

        env = dict(os.environ, GT_TOWN=str(self.town.root))
        code = "from gastown_tui.cli.main import run; import sys; sys.exit(run('gastown', sys.argv[1:]))"
        self.proc = subprocess.Popen([PYTHON, "-c", code, "engine", "run", "--no-patrols", "--log-level", "INFO"],
                                     env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_until(lambda: engine_running(self.town) or self.proc.poll() is not None, 30)
        assert self.proc.poll() is None, self.log.read_text()[-3000:]
        return self

    def kill(self, sig: int) -> None:
        """Send `sig` to the engine process and reap it."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        self.proc.wait(30)

    def stop(self) -> None:
        """SIGTERM if still running."""
        import signal

        if self.proc is not None and self.proc.poll() is None:
            self.kill(signal.SIGTERM)


@pytest.fixture
def engine_proc(town: TownPaths, tmp_path: Path):  # noqa: ANN201 - EngineProcess
    """A running headless engine for `town` (stopped after the test)."""
    engine = EngineProcess(town, tmp_path / "engine.log").start()
    yield engine
    engine.stop()


def gated_bead(ledger, title: str, *, gate: str = "go", output: str = "out.txt"):  # noqa: ANN001, ANN201
    """A rig bead whose scripted work waits for `$GT_TOWN/.gastown/<gate>` before writing `output`."""
    script = (f'while [ ! -f "$GT_TOWN/.gastown/{gate}" ]; do sleep 0.2; done\n'
              f'echo "$GT_AGENT" > {output}\n')
    return ledger.create(title, prefix="ap", description=f"Gated work.\n```sh\n{script}```\n")


def agent_rows(town: TownPaths) -> dict[str, dict]:
    """`gt agents --json` keyed by address."""
    import json

    result = cli(town, "agents", "--json")
    assert result.returncode == 0, result.stderr
    return {row["address"]: row for row in json.loads(result.stdout)}
