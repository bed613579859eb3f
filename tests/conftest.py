"""Shared test fixtures: an isolated environment (HOME, git identity) so tests never touch the user's config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give every test its own HOME and a fixed git identity; clear any inherited town or agent identity."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(key, "Test Overseer")
    for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(key, "overseer@example.com")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("GT_TOWN", "GT_RIG", "GT_ROLE", "GT_AGENT", "BD_ACTOR", "GT_SESSION"):
        monkeypatch.delenv(key, raising=False)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test Overseer\n\temail = overseer@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    return home


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            prog: str = "gt", input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `gt`/`gastown` as a real subprocess (same interpreter) and capture its output."""
    code = f"from gastown_tui.cli.main import run; import sys; sys.exit(run({prog!r}, sys.argv[1:]))"
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=full_env, text=True,
                          capture_output=True, input=input, timeout=timeout)
