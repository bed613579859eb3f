"""Operations the refinery merges with: rebase a branch onto the default branch, fast-forward, reset, checkout."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from git import Repo

from gastown_tui.errors import Conflict, NotFound
from gastown_tui.gitops._core import GitFailed, open_worktree, run, succeeds


@dataclass(frozen=True)
class RebaseResult:
    """Outcome of `rebase_onto`: ok with the new tip, or the conflicting paths (the rebase was aborted)."""

    ok: bool
    conflicts: list[str] = field(default_factory=list)
    head: str | None = None  # the rebased tip when ok


def _require_clean(repo: Repo, what: str) -> None:
    """Refuse to start an operation that would mix with (or destroy) uncommitted changes."""
    if run(repo, "status", "--porcelain", "--untracked-files=normal"):
        raise Conflict(f"cannot {what} in {repo.working_tree_dir}: the worktree has uncommitted changes")


def _commit(repo: Repo, ref: str) -> str:
    """The sha of commit `ref`, or NotFound."""
    if ref.startswith("-"):
        raise NotFound(f"no commit named {ref!r} in {repo.working_tree_dir}")
    try:
        return run(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitFailed:
        raise NotFound(f"no commit named {ref!r} in {repo.working_tree_dir}") from None


def _symbolic_head(repo: Repo) -> str | None:
    """The branch HEAD is on ('refs/heads/x'), or None when detached."""
    return run(repo, "symbolic-ref", "-q", "HEAD") if succeeds(repo, "symbolic-ref", "-q", "HEAD") else None


def _conflicted_paths(repo: Repo) -> list[str]:
    """Paths with unresolved conflicts in the index."""
    return sorted(set(run(repo, "diff", "--name-only", "--diff-filter=U").splitlines()))


def rebase_onto(worktree: Path | str, branch: str, onto: str) -> RebaseResult:
    """Rebase `branch`'s commits onto `onto` in `worktree`; on conflict abort and put the worktree back as it was.

    If `branch` is checked out in `worktree` (a polecat rebasing its own work) the branch itself moves. Otherwise
    (the refinery: the polecat's worktree still holds the branch, and git forbids checking a branch out twice) the
    rebase runs on a detached HEAD and the branch ref is untouched: the result's `head` is what to fast-forward to.
    """
    with open_worktree(worktree) as (repo, _rig):
        _require_clean(repo, "rebase")
        _commit(repo, branch)
        onto_sha = _commit(repo, onto)
        original = _symbolic_head(repo) or _commit(repo, "HEAD")
        if original != f"refs/heads/{branch}":
            run(repo, "checkout", "--quiet", "--detach", branch)
        if succeeds(repo, "rebase", "--quiet", onto_sha):
            return RebaseResult(ok=True, head=_commit(repo, "HEAD"))
        conflicts = _conflicted_paths(repo)
        if not succeeds(repo, "rebase", "--abort"):
            run(repo, "reset", "--quiet", "--hard")  # the rebase never started; just make sure nothing is left
        # abort returns to where the rebase started; go back to where the caller was (e.g. the default branch)
        if original != f"refs/heads/{branch}":
            run(repo, "checkout", "--quiet", original.removeprefix("refs/heads/"))
        return RebaseResult(ok=False, conflicts=conflicts or ["(rebase failed without conflicted paths)"])


def checkout(worktree: Path | str, ref: str, *, detach: bool = False) -> None:
    """Switch a clean worktree to branch `ref` (or to `ref` detached)."""
    with open_worktree(worktree) as (repo, _rig):
        _require_clean(repo, "checkout")
        _commit(repo, ref)
        run(repo, "checkout", "--quiet", *(["--detach"] if detach else []), ref)


def fast_forward(refinery_worktree: Path | str, default_branch: str, branch_tip_sha: str) -> bool:
    """Fast-forward `default_branch` to `branch_tip_sha` in the refinery worktree, leaving it on that branch.

    True if the default branch now contains the tip (moved, or already there); False if it is not a fast-forward
    (the default branch moved meanwhile: rebase again), in which case nothing changes.
    """
    with open_worktree(refinery_worktree) as (repo, _rig):
        _require_clean(repo, "fast-forward")
        tip = _commit(repo, branch_tip_sha)
        _commit(repo, default_branch)
        if _symbolic_head(repo) != f"refs/heads/{default_branch}":
            run(repo, "checkout", "--quiet", default_branch)
        if succeeds(repo, "merge-base", "--is-ancestor", tip, "HEAD"):
            return True
        if not succeeds(repo, "merge-base", "--is-ancestor", "HEAD", tip):
            return False
        run(repo, "merge", "--quiet", "--ff-only", tip)
        return True


def reset_hard(worktree: Path | str, ref: str, *, clean: bool = True) -> None:
    """`git reset --hard <ref>` in the worktree and (with `clean`) remove untracked, not-ignored files."""
    with open_worktree(worktree) as (repo, _rig):
        sha = _commit(repo, ref)
        succeeds(repo, "rebase", "--abort")  # a half-done rebase would survive the reset; no-op when none
        run(repo, "reset", "--quiet", "--hard", sha)
        if clean:
            run(repo, "clean", "-fdq")
