"""The town's own git repository: create it, and commit exactly the files a command changed."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from git import Repo
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from gastown_tui.errors import GastownError, InvalidInput
from gastown_tui.gitops._core import pin_environment
from gastown_tui.town.paths import TownPaths

# Used only when neither the environment nor git config gives an identity, so install works on a fresh machine.
_FALLBACK_IDENTITY = ("Gas Town", "gastown@localhost")
_LOCK_RETRIES = 20


class TownRepoError(GastownError):
    """A git operation on the town repository failed."""


def init_repo(town: TownPaths) -> bool:
    """`git init -b main` in the town root; False (and nothing done) if it already is a repository."""
    if (town.root / ".git").exists():
        return False
    Repo.init(str(town.root), initial_branch="main").close()
    return True


@contextmanager
def _open(town: TownPaths) -> Iterator[Repo]:
    """Open the town repository itself (never a parent), or TownRepoError saying how to fix it."""
    try:
        repo = Repo(str(town.root), search_parent_directories=False)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise TownRepoError(
            f"the town {town.root} is not a git repository (run: gastown install {town.root})") from None
    try:
        pin_environment(repo)  # a `gt` run from a git hook must still commit to the town repo
        yield repo
    finally:
        repo.close()


def _identity_args(repo: Repo) -> list[str]:
    """`-c user.name=… -c user.email=…` if git has no identity configured, else nothing."""
    args: list[str] = []
    for key, fallback in zip(("user.name", "user.email"), _FALLBACK_IDENTITY):
        try:
            repo.git.execute(["git", "config", "--get", key])
        except GitCommandError:
            args += ["-c", f"{key}={fallback}"]
    return args


def _git(repo: Repo, *args: str) -> str:
    """Run git in the town repo, retrying while another process holds index.lock (agents commit concurrently)."""
    for attempt in range(_LOCK_RETRIES):
        try:
            return str(repo.git.execute(["git", *args]))
        except GitCommandError as exc:
            stderr = str(exc.stderr)
            if "index.lock" in stderr and attempt < _LOCK_RETRIES - 1:
                time.sleep(0.1 * (attempt + 1))
                continue
            last = [ln for ln in stderr.splitlines() if ln.strip()]
            raise TownRepoError(f"git {args[0]} failed in the town repository: "
                                f"{last[-1].strip() if last else exc.status}") from None
    raise AssertionError("unreachable")


def _relative(town: TownPaths, paths: Sequence[Path]) -> list[str]:
    """`paths` relative to the town root; InvalidInput for any path outside the town."""
    root = town.root.resolve()
    rel = []
    for path in paths:
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(root) or resolved == root:
            raise InvalidInput(f"refusing to commit {path}: it is not a file inside the town {root}")
        rel.append(str(resolved.relative_to(root)))
    return rel


def commit_paths(town: TownPaths, paths: Sequence[Path], message: str) -> str | None:
    """Stage and commit only `paths` (added, changed or deleted) in the town repo; the sha, or None if unchanged.

    Committing with an explicit pathspec leaves anything else someone has staged alone.
    """
    rel = _relative(town, paths)
    with _open(town) as repo:
        _git(repo, "add", "--all", "--", *rel)
        has_head = bool(repo.git.execute(["git", "rev-parse", "--verify", "--quiet", "HEAD"],
                                         with_exceptions=False))
        if has_head:
            changed = _git(repo, "diff", "--cached", "--name-only", "HEAD", "--", *rel)
        else:
            changed = _git(repo, "diff", "--cached", "--name-only", "--", *rel) or \
                _git(repo, "ls-files", "--", *rel)
        if not changed:
            return None
        _git(repo, *_identity_args(repo), "commit", "--quiet", "--no-verify", "-m", message, "--", *rel)
        return _git(repo, "rev-parse", "HEAD")


def is_clean(town: TownPaths, paths: Sequence[Path] = ()) -> bool:
    """True if `paths` (default: everything) have no uncommitted changes in the town repo."""
    rel = _relative(town, paths)
    with _open(town) as repo:
        return not _git(repo, "status", "--porcelain", "--", *rel)
