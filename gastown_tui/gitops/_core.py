"""Shared plumbing for gitops: opening repositories, running git with list arguments, and the rig fence."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from git import Repo
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from gastown_tui.errors import GastownError, InvalidInput, NotFound
from gastown_tui.town.paths import RigPaths

BARE_REPO_NAME = "repo.git"


class GitFailed(GastownError):
    """A git command failed for a reason that is not a refusal of ours (message: the command and git's last line)."""


def _last_line(exc: GitCommandError) -> str:
    """The most useful line of git's stderr (its first fatal/error line, else the last line), for a one-line error."""
    text = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
    lines = [ln.strip().strip("'").strip() for ln in text.replace("stderr:", "").splitlines()]
    lines = [ln for ln in lines if ln]
    # git's own verdict is the 'fatal:'/'error:' line; the first one is the specific cause, hints come after
    verdicts = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    line = verdicts[0] if verdicts else (lines or [f"exit status {exc.status}"])[-1]
    return line.removeprefix("fatal: ").removeprefix("error: ")


def run(repo: Repo, *args: str, env: dict[str, str] | None = None) -> str:
    """Run `git <args>` in `repo` (list arguments, no shell); stdout without the trailing newline, or GitFailed."""
    try:
        return str(repo.git.execute(["git", *args], env=env))
    except GitCommandError as exc:
        where = repo.working_tree_dir or repo.git_dir
        raise GitFailed(f"git {args[0]} failed in {where}: {_last_line(exc)}") from exc


def succeeds(repo: Repo, *args: str) -> bool:
    """True if `git <args>` exits 0 (for predicates like `merge-base --is-ancestor`)."""
    try:
        repo.git.execute(["git", *args])
    except GitCommandError:
        return False
    return True


# Set by git while it runs hooks (and by some tools); inherited, they would point our commands at another repository.
_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
                  "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX")


def pin_environment(repo: Repo) -> None:
    """Override inherited git location variables with this repository's own locations.

    GitPython always starts git with a copy of os.environ and cannot unset a variable (git rejects empty values),
    so each inherited one is replaced by the value that names this repository (or a harmless equivalent).
    """
    inherited = [name for name in _LOCATION_VARS if name in os.environ]
    if not inherited:
        return
    git_dir = str(resolve(repo.git_dir))
    common = resolve(repo.common_dir)
    values = {
        "GIT_DIR": git_dir, "GIT_INDEX_FILE": str(Path(git_dir) / "index"), "GIT_COMMON_DIR": str(common),
        "GIT_OBJECT_DIRECTORY": str(common / "objects"), "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(common / "objects"),
        "GIT_NAMESPACE": "", "GIT_PREFIX": "",
        "GIT_WORK_TREE": str(resolve(repo.working_tree_dir)) if repo.working_tree_dir and not repo.bare else "",
    }
    if "GIT_WORK_TREE" in inherited and not values["GIT_WORK_TREE"]:
        # a bare repository has no work tree; GIT_DIR pinned to it makes git ignore a stray work tree setting
        values["GIT_WORK_TREE"] = git_dir
    repo.git.update_environment(**{name: values[name] for name in inherited})


@contextmanager
def open_repo(path: Path) -> Iterator[Repo]:
    """Open the repository at exactly `path` (never a parent: the town repo must not be picked up by accident)."""
    try:
        repo = Repo(str(path), search_parent_directories=False)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise NotFound(f"not a git repository or worktree: {path}") from None
    pin_environment(repo)
    try:
        yield repo
    finally:
        repo.close()  # GitPython keeps cat-file helpers alive; 30 agents would leak them


def resolve(path: Path | str) -> Path:
    """Absolute, symlink-free form of `path` (the fence compares resolved paths so '..' and links cannot escape)."""
    return Path(os.path.realpath(Path(path).expanduser()))


def inside(root: Path, path: Path) -> bool:
    """True if resolved `path` lies strictly below resolved `root`."""
    root, path = resolve(root), resolve(path)
    return path != root and path.is_relative_to(root)


def fence(rig: RigPaths, path: Path | str) -> Path:
    """Return resolved `path` if it lies inside the rig directory (and not in repo.git), else refuse."""
    resolved = resolve(path)
    if not inside(rig.root, resolved):
        raise InvalidInput(f"refusing to touch {path}: it is outside rig {rig.name!r} ({rig.root})")
    if resolved == resolve(rig.bare_repo) or inside(rig.bare_repo, resolved):
        raise InvalidInput(f"refusing to touch {path}: it is inside the rig's bare repository")
    return resolved


@contextmanager
def rig_repo(rig: RigPaths) -> Iterator[Repo]:
    """Open the rig's bare repository (NotFound if the rig has none)."""
    if not rig.bare_repo.is_dir():
        raise NotFound(f"rig {rig.name!r} has no repository at {rig.bare_repo}")
    with open_repo(rig.bare_repo) as repo:
        yield repo


def rig_of_worktree(repo: Repo, given: Path | str) -> RigPaths:
    """The rig owning worktree `repo`: its common dir must be `<rig>/repo.git` and the worktree inside `<rig>/`."""
    if repo.bare or not repo.working_tree_dir:
        raise InvalidInput(f"{given} is a bare repository, not a worktree")
    common = resolve(repo.common_dir)
    if common.name != BARE_REPO_NAME:
        raise InvalidInput(f"refusing to touch {given}: it is not a worktree of a rig's repo.git")
    rig = RigPaths(common.parent)
    fence(rig, repo.working_tree_dir)
    return rig


@contextmanager
def open_worktree(path: Path | str) -> Iterator[tuple[Repo, RigPaths]]:
    """Open the worktree whose top level is `path`, checking it belongs to a rig; yields (repo, rig)."""
    with open_repo(resolve(path)) as repo:
        yield repo, rig_of_worktree(repo, path)


@contextmanager
def open_target(target: RigPaths | Path | str) -> Iterator[Repo]:
    """Open a rig's bare repo (RigPaths) or one of its worktrees (a path), fenced to the rig either way."""
    if isinstance(target, RigPaths):
        with rig_repo(target) as repo:
            yield repo
        return
    with open_repo(resolve(target)) as repo:
        if not repo.bare:
            rig_of_worktree(repo, target)
        elif resolve(repo.git_dir).name != "repo.git":
            raise InvalidInput(f"refusing to touch {target}: it is not a rig's repo.git")
        yield repo


def check_branch_name(repo: Repo, branch: str) -> str:
    """Return `branch` if git accepts it as a branch name (and it cannot be read as an option), else refuse."""
    if not branch or branch.startswith("-") or not succeeds(repo, "check-ref-format", "--branch", branch):
        raise InvalidInput(f"invalid branch name {branch!r}")
    return branch


def default_branch(rig: RigPaths) -> str:
    """The rig's default branch: the branch the bare repository's HEAD points at (set at `rig add`)."""
    with rig_repo(rig) as repo:
        ref = run(repo, "symbolic-ref", "--quiet", "HEAD")
    return ref.removeprefix("refs/heads/")
