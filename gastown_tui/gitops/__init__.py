"""Git operations on rigs, for agents, the refinery and `gastown rig`: GitPython with list arguments, never a shell.

A rig keeps one bare clone, `<rig>/repo.git`; the refinery, polecats and crew work in linked worktrees of it.
Worktrees share refs with the bare repository, so a commit on a checked-out branch updates `refs/heads/<branch>`
in repo.git at once: "pushing" a branch is a verification (see `push_branch`). The default branch is the branch
the bare repository's HEAD points at (set at `rig add`). Every function refuses paths outside the rig directory
(resolved, so `..` and symlinks cannot escape) and raises GastownError subclasses with one-line messages:
InvalidInput (bad path/branch), NotFound, Conflict (dirty, unmerged, checked out elsewhere), GitFailed (git said no).

Public API:

    # worktrees
    add_worktree(rig: RigPaths, path, branch: str, base: str | None = None) -> Path
    remove_worktree(rig: RigPaths, path, force: bool = False) -> None
    discard_worktree(rig: RigPaths, path) -> None   # registered or half-made by a killed add; branch kept
    list_worktrees(rig: RigPaths) -> list[Worktree]          # Worktree(path, head, branch, locked, prunable)
    has_uncommitted(worktree) -> bool
    commit_all(worktree, message: str) -> str | None          # sha, or None when nothing changed
    push_branch(worktree, branch: str) -> str                 # ref now == worktree HEAD; returns the sha
    head_sha(worktree_or_rig) -> str ; current_branch(worktree) -> str | None
    # branches
    default_branch(rig) -> str ; branch_exists(rig, branch) -> bool ; list_branches(rig, pattern="*") -> list[str]
    delete_branch(rig, branch, force: bool = False) -> None
    is_merged(rig, branch, into) -> bool                      # ancestry, or patch-equivalent after a rebase merge
    unmerged_branches(rig, pattern="polecat/*", into=None) -> list[str]
    merge_base(target, a, b) -> str | None ; commits_ahead(target, ref, base) -> int
    log_oneline(target, ref="HEAD", n=10) -> list[LogEntry]   # LogEntry(sha, subject); target = rig or worktree
    # refinery
    rebase_onto(worktree, branch, onto) -> RebaseResult       # RebaseResult(ok, conflicts, head)
    fast_forward(refinery_worktree, default_branch, branch_tip_sha) -> bool
    reset_hard(worktree, ref, *, clean=True) -> None ; checkout(worktree, ref, *, detach=False) -> None
    # creating a rig's repository
    clone_bare(rig, source, branch=None) -> str ; set_default_branch(rig, branch) ; fetch_source(rig)
    # the upstream (repo.git's origin) and landing on it: never a force push
    upstream_of(source) -> str | None ; is_url(source) -> bool ; set_upstream(rig, url) ; upstream_url(rig) -> str
    fetch_upstream(rig) ; tracking_sha(rig, branch) -> str | None ; remote_sha(rig, branch) -> str | None
    push(rig, sha, branch) -> PushResult                      # PushResult(ok, rejected, error)
    push_refused(rig, url, branch) -> str                     # dry run: '' if the remote would take a push
    # diffs
    branch_diff(target, base, head) -> BranchDiff | None      # BranchDiff(base, head, files, text, truncated)
    worktree_diff(worktree, base) -> BranchDiff | None        # a live polecat: commits + uncommitted changes

Refinery recipe: `r = rebase_onto(rig.refinery, "polecat/ace/gt-1", default)`; if `r.ok`, run the gates on the
detached tip, then `fast_forward(rig.refinery, default, r.head)`; on red gates `checkout(rig.refinery, default)`
(or `reset_hard`); afterwards `delete_branch(rig, branch)` works because `is_merged` recognises rebased commits.
"""

from __future__ import annotations

from gastown_tui.gitops._core import GitFailed, default_branch
from gastown_tui.gitops.branches import (
    LogEntry, branch_exists, commits_ahead, delete_branch, is_merged, list_branches, log_oneline, merge_base,
    push_branch, unmerged_branches,
)
from gastown_tui.gitops.clone import clone_bare, fetch_source, normalize_source, set_default_branch
from gastown_tui.gitops.diffs import BranchDiff, FileChange, branch_diff, worktree_diff
from gastown_tui.gitops.refinery import RebaseResult, checkout, fast_forward, rebase_onto, reset_hard
from gastown_tui.gitops.remote import (
    PushResult, fetch_upstream, is_url, push, push_refused, remote_sha, set_upstream, tracking_sha, upstream_of,
    upstream_url,
)
from gastown_tui.gitops.worktrees import (
    Worktree, add_worktree, commit_all, current_branch, discard_worktree, has_uncommitted, head_sha, list_worktrees,
    remove_worktree,
)

__all__ = [
    "BranchDiff", "FileChange", "GitFailed", "LogEntry", "PushResult", "RebaseResult", "Worktree", "add_worktree",
    "branch_diff", "branch_exists", "checkout", "clone_bare", "commit_all", "commits_ahead", "current_branch",
    "default_branch", "delete_branch", "discard_worktree", "fast_forward", "fetch_source", "fetch_upstream",
    "has_uncommitted",
    "head_sha", "is_merged", "is_url", "list_branches", "list_worktrees", "log_oneline", "merge_base",
    "normalize_source", "push", "push_branch", "push_refused", "rebase_onto", "remote_sha", "remove_worktree",
    "reset_hard", "set_default_branch", "set_upstream", "tracking_sha", "unmerged_branches", "upstream_of",
    "upstream_url", "worktree_diff",
]
