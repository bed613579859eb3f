"""What a branch changes against its target: per-file +/- counts and the unified diff text (read-only queries)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from git import Repo

from gastown_tui.gitops._core import open_target, run, succeeds
from gastown_tui.town.paths import RigPaths

MAX_DIFF_CHARS = 400_000  # a diff view of a vendored tree must not freeze a UI: cut, and say so
MAX_UNTRACKED = 50        # new files of a live polecat shown in full; more would be a build directory


@dataclass(frozen=True)
class FileChange:
    """One changed file: path, lines added and removed (None for binary files)."""

    path: str
    added: int | None
    removed: int | None


@dataclass(frozen=True)
class BranchDiff:
    """The change of `head` against its merge base with `base`: files with counts and the unified diff."""

    base: str
    head: str
    files: tuple[FileChange, ...]
    text: str
    truncated: bool = False


def _commit(repo: Repo, ref: str) -> str | None:
    """The sha `ref` names, or None."""
    if not ref or ref.startswith("-") or not succeeds(repo, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}"):
        return None
    return run(repo, "rev-parse", "--verify", f"{ref}^{{commit}}")


def _parse_numstat(out: str) -> tuple[FileChange, ...]:
    """`git diff --numstat -z` records: 'added\\tremoved\\tpath' ('-' counts for binary files)."""
    files = []
    parts = out.split("\0")
    i = 0
    while i < len(parts):
        rec = parts[i]
        i += 1
        if not rec:
            continue
        added, removed, path = (rec.split("\t", 2) + ["", ""])[:3]
        if not path:  # a rename: the old and new paths follow as two NUL-terminated fields
            path = parts[i + 1] if i + 1 < len(parts) else ""
            i += 2
        files.append(FileChange(path, None if added == "-" else int(added), None if removed == "-" else int(removed)))
    return tuple(files)


def _make(base: str, head: str, numstat: str, text: str) -> BranchDiff:
    """A BranchDiff, its text cut at MAX_DIFF_CHARS on a line boundary."""
    truncated = len(text) > MAX_DIFF_CHARS
    if truncated:
        text = text[:MAX_DIFF_CHARS].rsplit("\n", 1)[0]
    return BranchDiff(base, head, _parse_numstat(numstat), text + "\n" if text else "", truncated)


def branch_diff(target: RigPaths | Path | str, base: str, head: str) -> BranchDiff | None:
    """The diff of `head` against `base`'s merge base with it (what a merge would bring); None if a ref is missing."""
    with open_target(target) as repo:
        base_sha, head_sha = _commit(repo, base), _commit(repo, head)
        if base_sha is None or head_sha is None:
            return None
        fork = run(repo, "merge-base", base_sha, head_sha) if succeeds(repo, "merge-base", base_sha, head_sha) \
            else base_sha
        numstat = run(repo, "diff", "--numstat", "-z", "-M", fork, head_sha, "--")
        text = run(repo, "diff", "--no-color", "--no-ext-diff", "-M", fork, head_sha, "--")
    return _make(base_sha, head_sha, numstat, text)


def worktree_diff(worktree: Path | str, base: str) -> BranchDiff | None:
    """A live polecat's work: its commits since `base`, uncommitted changes, and new files not yet added (shown as
    added from nothing; the polecat's index is never touched)."""
    with open_target(worktree) as repo:
        base_sha = _commit(repo, base)
        head_sha = _commit(repo, "HEAD")
        if base_sha is None or head_sha is None:
            return None
        fork = run(repo, "merge-base", base_sha, head_sha) if succeeds(repo, "merge-base", base_sha, head_sha) \
            else base_sha
        numstat = run(repo, "diff", "--numstat", "-z", "-M", fork, "--")
        text = run(repo, "diff", "--no-color", "--no-ext-diff", "-M", fork, "--")
        untracked = run(repo, "ls-files", "-z", "--others", "--exclude-standard").split("\0")
        for path in [p for p in untracked if p][:MAX_UNTRACKED]:
            extra_stat, extra_text = _new_file(repo, path)
            numstat += ("\0" if numstat else "") + extra_stat
            text += ("\n" if text else "") + extra_text
    return _make(fork, head_sha, numstat, text)


def _new_file(repo: Repo, path: str) -> tuple[str, str]:
    """numstat record and diff text of an untracked file against nothing (`git diff --no-index` exits 1)."""
    args = ["diff", "--no-index", "--no-color", "--no-ext-diff", "--", "/dev/null", path]
    stat = repo.git.execute(["git", *args[:1], "--numstat", *args[1:]], with_exceptions=False)
    text = repo.git.execute(["git", *args], with_exceptions=False, strip_newline_in_stdout=True)
    counts = str(stat).split("\t")
    added, removed = (counts[0], counts[1]) if len(counts) >= 3 else ("-", "-")
    return f"{added}\t{removed}\t{path}", str(text)
