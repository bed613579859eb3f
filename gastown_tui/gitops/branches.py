"""Branches of a rig's bare repository: existence, merged-ness, deletion, 'push', and read-only history queries."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from git import Repo

from gastown_tui.errors import Conflict, NotFound
from gastown_tui.gitops._core import (
    GitFailed, check_branch_name, default_branch, open_target, open_worktree, resolve, rig_repo, run, succeeds,
)
from gastown_tui.gitops.worktrees import list_worktrees
from gastown_tui.town.paths import RigPaths


@dataclass(frozen=True)
class LogEntry:
    """One commit in `log_oneline` output."""

    sha: str
    subject: str


def _sha(repo: Repo, ref: str) -> str:
    """The commit sha `ref` names, or NotFound."""
    if ref.startswith("-"):
        raise NotFound(f"no commit named {ref!r}")
    try:
        return run(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitFailed:
        raise NotFound(f"no commit named {ref!r}") from None


def branch_exists(rig: RigPaths, branch: str) -> bool:
    """True if `refs/heads/<branch>` exists in the rig's repository."""
    with rig_repo(rig) as repo:
        return succeeds(repo, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}")


def list_branches(rig: RigPaths, pattern: str = "*") -> list[str]:
    """Local branch names matching the glob `pattern` ('*' also matches '/'), sorted."""
    with rig_repo(rig) as repo:
        refs = run(repo, "for-each-ref", "--format=%(refname)", "refs/heads/").splitlines()
    # full refnames, stripped by hand: `refname:short` turns into "heads/x" when a tag shares the name
    return sorted(name for ref in refs if fnmatchcase(name := ref.removeprefix("refs/heads/"), pattern))


def _merged(repo: Repo, branch: str, into: str) -> bool:
    """Ancestry, or else every commit of `branch` has a patch-equivalent in `into` (true after rebase-and-merge)."""
    if succeeds(repo, "merge-base", "--is-ancestor", branch, into):
        return True
    # `git cherry` marks each commit of branch not in into: '-' has an equivalent upstream, '+' does not
    lines = run(repo, "cherry", into, branch).splitlines()
    return all(line.startswith("-") for line in lines)


def is_merged(rig: RigPaths, branch: str, into: str) -> bool:
    """True if all of `branch`'s work is on `into`: by ancestry or, after the refinery's rebase, by patch identity."""
    with rig_repo(rig) as repo:
        return _merged(repo, _sha(repo, branch), _sha(repo, into))


def unmerged_branches(rig: RigPaths, pattern: str = "polecat/*", into: str | None = None) -> list[str]:
    """Branches matching `pattern` whose work is not on `into` (default: the rig's default branch)."""
    into = into or default_branch(rig)
    names = list_branches(rig, pattern)
    with rig_repo(rig) as repo:
        target = _sha(repo, into)
        return [name for name in names if name != into and not _merged(repo, f"refs/heads/{name}", target)]


def delete_branch(rig: RigPaths, branch: str, force: bool = False) -> None:
    """Delete a branch; refuses the default branch, a checked-out branch, and (unless `force`) unmerged work."""
    if branch == default_branch(rig):
        raise Conflict(f"refusing to delete {branch!r}: it is the default branch of rig {rig.name!r}")
    for tree in list_worktrees(rig):
        if tree.branch == branch:
            raise Conflict(f"refusing to delete {branch!r}: it is checked out in {tree.path}")
    with rig_repo(rig) as repo:
        if not succeeds(repo, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}"):
            raise NotFound(f"no branch {branch!r} in rig {rig.name!r}")
        if not force and not _merged(repo, f"refs/heads/{branch}", _sha(repo, default_branch(rig))):
            raise Conflict(f"refusing to delete {branch!r}: it has work not merged into {default_branch(rig)!r}")
        run(repo, "update-ref", "-d", f"refs/heads/{branch}")


def push_branch(worktree: Path | str, branch: str) -> str:
    """Make `refs/heads/<branch>` point at the worktree's HEAD in the rig's repository; returns that sha.

    A worktree shares refs with the bare repo.git, so committing on a checked-out branch already updated the ref:
    then this only verifies it. From a detached HEAD or another branch it behaves like `git push origin
    HEAD:<branch>`: it creates the branch or fast-forwards it, refusing a non-fast-forward or a branch that is
    checked out in another worktree (moving it would leave that worktree inconsistent).
    """
    with open_worktree(worktree) as (repo, rig):
        check_branch_name(repo, branch)
        head = _sha(repo, "HEAD")
        ref = f"refs/heads/{branch}"
        exists = succeeds(repo, "show-ref", "--verify", "--quiet", ref)
        old = run(repo, "rev-parse", "--verify", ref) if exists else ""
        if old == head:
            return head
        here = resolve(worktree)
        for tree in list_worktrees(rig):
            if tree.branch == branch and resolve(tree.path) != here:
                raise Conflict(f"cannot push to {branch!r}: it is checked out in {tree.path}")
        if exists and not succeeds(repo, "merge-base", "--is-ancestor", old, head):
            raise Conflict(f"cannot push to {branch!r}: not a fast-forward of {old[:12]}")
        # compare-and-swap: fails if someone moved the ref since we read it ("" = must not exist yet)
        run(repo, "update-ref", "-m", "gastown push_branch", ref, head, old)
        return head


def merge_base(target: RigPaths | Path | str, a: str, b: str) -> str | None:
    """The best common ancestor of `a` and `b`, or None if they share no history."""
    with open_target(target) as repo:
        sha_a, sha_b = _sha(repo, a), _sha(repo, b)
        return run(repo, "merge-base", sha_a, sha_b) if succeeds(repo, "merge-base", sha_a, sha_b) else None


def commits_ahead(target: RigPaths | Path | str, ref: str, base: str) -> int:
    """How many commits `ref` has that `base` does not (0 means nothing new to merge)."""
    with open_target(target) as repo:
        return int(run(repo, "rev-list", "--count", f"{_sha(repo, base)}..{_sha(repo, ref)}"))


def log_oneline(target: RigPaths | Path | str, ref: str = "HEAD", n: int = 10) -> list[LogEntry]:
    """The last `n` commits reachable from `ref`, newest first."""
    with open_target(target) as repo:
        out = run(repo, "log", f"--max-count={max(0, int(n))}", "--format=%H%x00%s", _sha(repo, ref), "--")
    return [LogEntry(*line.split("\0", 1)) for line in out.splitlines() if line]
