"""Worktrees of a rig's bare repository: add, list, remove, and the state of one worktree (dirty, HEAD, commit)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from git import Repo

from gastown_tui.errors import Conflict, InvalidInput, NotFound
from gastown_tui.gitops._core import (
    check_branch_name, default_branch, fence, open_target, open_worktree, resolve, rig_repo, run, succeeds,
)
from gastown_tui.town.paths import RigPaths


@dataclass(frozen=True)
class Worktree:
    """One linked worktree of a rig (the bare repository itself is never listed)."""

    path: Path
    head: str | None
    branch: str | None  # short name ("polecat/ace/gt-abc"), None when detached
    locked: bool = False
    prunable: bool = False  # its directory is gone; `git worktree prune` would drop it

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form."""
        return {"path": str(self.path), "head": self.head, "branch": self.branch,
                "locked": self.locked, "prunable": self.prunable}


def _parse_porcelain(text: str) -> list[Worktree]:
    """Parse `git worktree list --porcelain` (blank-line separated records of `key value` lines)."""
    result: list[Worktree] = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, _, value = line.partition(" ")
            fields[key] = value
        if "worktree" not in fields or "bare" in fields:
            continue
        branch = fields.get("branch")
        result.append(Worktree(
            path=Path(fields["worktree"]), head=fields.get("HEAD"),
            branch=branch.removeprefix("refs/heads/") if branch else None,
            locked="locked" in fields, prunable="prunable" in fields,
        ))
    return result


def list_worktrees(rig: RigPaths) -> list[Worktree]:
    """Every linked worktree of the rig's bare repository (refinery, polecats, crew), in git's order."""
    with rig_repo(rig) as repo:
        return _parse_porcelain(run(repo, "worktree", "list", "--porcelain"))


def add_worktree(rig: RigPaths, path: Path | str, branch: str, base: str | None = None) -> Path:
    """Create a worktree at `path` on `branch`; a new branch starts at `base` (default: the default branch tip).

    An existing branch is checked out as it is (a respawned polecat finds its earlier commits) and `base` is then
    ignored. Git refuses a branch that is already checked out in another worktree; that is reported as Conflict.
    """
    target = fence(rig, path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise Conflict(f"cannot add worktree at {target}: it exists and is not an empty directory")
    with rig_repo(rig) as repo:
        check_branch_name(repo, branch)
        if succeeds(repo, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}"):
            args = ["worktree", "add", str(target), branch]
        else:
            start = base or default_branch(rig)
            if not succeeds(repo, "rev-parse", "--verify", "--quiet", f"{start}^{{commit}}"):
                raise NotFound(f"cannot create branch {branch!r}: base {start!r} is not a commit in rig {rig.name!r}")
            args = ["worktree", "add", "-b", branch, str(target), start]
        for other in _parse_porcelain(run(repo, "worktree", "list", "--porcelain")):
            if other.branch == branch:
                raise Conflict(f"branch {branch!r} is already checked out in {other.path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        run(repo, *args)
    return target


def has_uncommitted(worktree: Path | str) -> bool:
    """True if the worktree has staged, unstaged or untracked (not ignored) changes."""
    with open_worktree(worktree) as (repo, _rig):
        return bool(run(repo, "status", "--porcelain", "--untracked-files=normal"))


def head_sha(path: RigPaths | Path | str) -> str:
    """The full sha of HEAD in a rig worktree, or of the bare repository's HEAD when given repo.git or a RigPaths."""
    with open_target(path) as repo:
        return run(repo, "rev-parse", "--verify", "HEAD")


def current_branch(worktree: Path | str) -> str | None:
    """The branch checked out in the worktree, or None when HEAD is detached."""
    with open_worktree(worktree) as (repo, _rig):
        ref = run(repo, "symbolic-ref", "--quiet", "HEAD") if succeeds(repo, "symbolic-ref", "-q", "HEAD") else ""
    return ref.removeprefix("refs/heads/") or None


def commit_all(worktree: Path | str, message: str) -> str | None:
    """Stage everything (`add -A`) and commit with `message`; the new sha, or None when there was nothing to commit."""
    if not message.strip():
        raise InvalidInput("commit message must not be empty")
    with open_worktree(worktree) as (repo, _rig):
        run(repo, "add", "-A")
        if succeeds(repo, "diff", "--cached", "--quiet"):
            return None
        # `-m` and the message are separate arguments, so a message starting with '-' is never read as an option
        run(repo, "commit", "--quiet", "-m", message)
        return run(repo, "rev-parse", "HEAD")


def _unpushed(repo: Repo) -> bool:
    """True if HEAD is detached at commits that no branch contains (removing the worktree would orphan them)."""
    if succeeds(repo, "symbolic-ref", "-q", "HEAD") or not succeeds(repo, "rev-parse", "-q", "--verify", "HEAD"):
        return False
    return not run(repo, "for-each-ref", "--contains", "HEAD", "--format=%(refname)", "refs/heads/")


def discard_worktree(rig: RigPaths, path: Path | str) -> None:
    """Remove a worktree nothing ran in, whether git registered it or a killed `git worktree add` left it half made:
    its directory (fenced inside the rig) and git's administrative entry go; its branch stays."""
    import shutil

    target = fence(rig, path)
    if target in {resolve(w.path) for w in list_worktrees(rig)}:
        remove_worktree(rig, target, force=True)
    elif target.exists():
        shutil.rmtree(target)
    with rig_repo(rig) as repo:
        run(repo, "worktree", "prune")  # a half-made add may have left an entry pointing nowhere


def remove_worktree(rig: RigPaths, path: Path | str, force: bool = False) -> None:
    """Remove the worktree at `path` and its administrative files; its branch (and so its commits) stays.

    Refuses while the worktree has uncommitted changes or detached commits on no branch, unless `force`.
    A worktree whose directory is already gone is pruned.
    """
    target = fence(rig, path)
    known = {resolve(w.path): w for w in list_worktrees(rig)}
    if target not in known:
        raise NotFound(f"no worktree of rig {rig.name!r} at {target}")
    if target.is_dir() and not force:
        with open_worktree(target) as (repo, _rig):
            if run(repo, "status", "--porcelain", "--untracked-files=normal"):
                raise Conflict(f"worktree {target} has uncommitted changes (use force to discard them)")
            if _unpushed(repo):
                raise Conflict(f"worktree {target} has commits on no branch (use force to discard them)")
    with rig_repo(rig) as repo:
        if target.is_dir():
            # twice --force also removes a locked worktree; only reached when the caller asked for force or it is clean
            run(repo, "worktree", "remove", *(["--force", "--force"] if force else []), str(target))
        run(repo, "worktree", "prune")
