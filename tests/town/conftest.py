"""Fixtures for town/rig/gitops tests: a small source repository and a rig made from it (real git, no network)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gastown_tui import gitops
from gastown_tui.town.paths import RigPaths


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` and return stdout stripped (test helper; raises on failure)."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, text=True, capture_output=True).stdout.strip()


def make_source(path: Path, branch: str = "main") -> Path:
    """A non-bare repository with two commits on `branch` and a second branch `dev` with one more commit."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", branch)
    (path / "README.md").write_text("hello\n")
    git(path, "add", "README.md")
    git(path, "commit", "-q", "-m", "first")
    (path / "app.py").write_text("print('hi')\n")
    git(path, "add", "app.py")
    git(path, "commit", "-q", "-m", "second")
    git(path, "checkout", "-q", "-b", "dev")
    (path / "dev.txt").write_text("dev\n")
    git(path, "add", "dev.txt")
    git(path, "commit", "-q", "-m", "dev work")
    git(path, "checkout", "-q", branch)
    return path


@pytest.fixture
def source_repo(tmp_path: Path) -> Path:
    """A source repository with two commits on main (and a `dev` branch)."""
    return make_source(tmp_path / "src")


@pytest.fixture
def rig(tmp_path: Path, source_repo: Path) -> RigPaths:
    """A bare-cloned rig with its refinery worktree on main (no town around it: gitops needs none)."""
    paths = RigPaths(tmp_path / "town" / "app")
    paths.root.mkdir(parents=True)
    branch = gitops.clone_bare(paths, str(source_repo))
    gitops.add_worktree(paths, paths.refinery, branch)
    return paths
