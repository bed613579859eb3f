"""Creating a rig's bare repository from a source (git URL or local path) and choosing its default branch."""

from __future__ import annotations

import os
from pathlib import Path

from git import Repo
from git.exc import GitCommandError

from gastown_tui.errors import InvalidInput, NotFound
from gastown_tui.gitops._core import GitFailed, _last_line, check_branch_name, rig_repo, run, succeeds
from gastown_tui.town.paths import RigPaths

# A clone must never sit waiting for a password in an engine thread or a test: fail instead.
_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0"}


def normalize_source(source: str) -> str:
    """A local path becomes absolute (so the clone's origin keeps working from any cwd); URLs pass unchanged."""
    if not source or source.startswith("-"):
        raise InvalidInput(f"invalid source {source!r}")
    host = source.split(":", 1)[0]
    scp_like = ":" in source and "/" not in host and len(host) > 1  # user@host:path or host:path, not C:\\
    if "://" in source or (scp_like and not os.path.exists(source)):
        return source
    path = Path(source).expanduser()
    if not path.exists():
        raise NotFound(f"source {source!r} does not exist")
    if not ((path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())):
        raise InvalidInput(f"source {source!r} is not a git repository")
    return str(path.resolve())


def clone_bare(rig: RigPaths, source: str, branch: str | None = None) -> str:
    """Bare-clone `source` into `<rig>/repo.git`, make `branch` (or the source's HEAD branch) its HEAD; return it."""
    if rig.bare_repo.exists():
        raise InvalidInput(f"rig {rig.name!r} already has a repository at {rig.bare_repo}")
    url = normalize_source(source)
    try:
        Repo.clone_from(url, str(rig.bare_repo), bare=True, env=_NO_PROMPT).close()
    except GitCommandError as exc:
        raise GitFailed(f"cannot clone {source!r}: {_last_line(exc)}") from None
    with rig_repo(rig) as repo:
        if branch is None:
            if not succeeds(repo, "symbolic-ref", "-q", "HEAD"):
                raise NotFound(f"source {source!r} has no default branch; pass --branch")
            branch = run(repo, "symbolic-ref", "-q", "HEAD").removeprefix("refs/heads/")
        check_branch_name(repo, branch)
        if not succeeds(repo, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}"):
            raise NotFound(f"source {source!r} has no branch {branch!r}")
        set_default_branch(rig, branch)
    return branch


def set_default_branch(rig: RigPaths, branch: str) -> None:
    """Point the bare repository's HEAD at `branch`; gitops reads the default branch from there."""
    with rig_repo(rig) as repo:
        check_branch_name(repo, branch)
        run(repo, "symbolic-ref", "HEAD", f"refs/heads/{branch}")


def fetch_source(rig: RigPaths) -> None:
    """Fetch the source's branches into the bare repo's remote-tracking refs (never overwriting local branches)."""
    with rig_repo(rig) as repo:
        run(repo, "fetch", "--quiet", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*", env=_NO_PROMPT)
