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
    """`gastown install` + `gastown rig add` through the library, then set the default runtime."""
    from gastown_tui.town import add_rig, install_town, load_town_config

    result = install_town(root, name="testtown")
    town = result.town
    add_rig(town, rig, str(source), prefix="ap")
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
