"""The rig's upstream ("origin" of repo.git): where it is, fetching it, and pushing to it without ever forcing.

Landing pushes a gated commit with `git push origin <sha>:refs/heads/<branch>`. There is no `--force` anywhere in
this module: a remote that moved answers "rejected (non-fast-forward / fetch first)", which the refinery handles by
refetching, rebasing and re-gating. Every other refusal (read-only remote, hook declined, network) is a PushResult
with git's one line, so the caller keeps the MR queued and retries later.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gastown_tui.errors import InvalidInput
from gastown_tui.gitops._core import (
    _LOCATION_VARS,
    GitFailed,
    check_branch_name,
    rig_repo,
    run,
    succeeds,
)
from gastown_tui.town.paths import RigPaths

REMOTE = "origin"
# Never wait for a password or a host-key prompt in an engine thread or a test: fail with git's message instead.
_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_SSH_COMMAND": "ssh -o BatchMode=yes"}


@dataclass(frozen=True)
class PushResult:
    """Outcome of a push: ok, rejected because the remote moved (refetch and retry), or failed with one line."""

    ok: bool
    rejected: bool = False
    error: str = ""


def is_url(source: str) -> bool:
    """True for a git URL (scheme://… or scp-like host:path), False for a local path."""
    host = source.split(":", 1)[0]
    return "://" in source or (":" in source and "/" not in host and len(host) > 1 and not os.path.exists(source))


def _is_bare(path: Path) -> bool:
    """True if `path` is a bare repository (HEAD and objects/ at its top, no .git)."""
    return not (path / ".git").exists() and (path / "HEAD").is_file() and (path / "objects").is_dir()


def upstream_of(source: str) -> str | None:
    """Where work from a rig cloned from `source` lands: a URL or bare repo is itself the upstream; a working clone
    lands on its own `origin` (the remote its owner pushes to); a working clone with no remote has none (None)."""
    if is_url(source):
        return source
    path = Path(source).expanduser().resolve()
    if _is_bare(path):
        return str(path)
    proc = subprocess.run(["git", "-C", str(path), "config", "--get", f"remote.{REMOTE}.url"], text=True,
                          capture_output=True, check=False, env={**os.environ, **_NO_PROMPT})
    url = proc.stdout.strip()
    if proc.returncode != 0 or not url:
        return None
    if is_url(url):
        return url
    # a relative path in the clone's config is relative to the clone itself, not to our cwd
    return str((path / url).resolve()) if not os.path.isabs(url) else url


def set_upstream(rig: RigPaths, url: str) -> None:
    """Point repo.git's `origin` at `url` (the remote landing pushes to and the refinery fetches from)."""
    if not url or url.startswith("-"):
        raise InvalidInput(f"invalid upstream {url!r}")
    with rig_repo(rig) as repo:
        run(repo, "remote", "set-url", REMOTE, url)


def upstream_url(rig: RigPaths) -> str:
    """The URL of repo.git's `origin` ('' when there is none)."""
    with rig_repo(rig) as repo:
        return run(repo, "config", "--get", f"remote.{REMOTE}.url") if succeeds(
            repo, "config", "--get", f"remote.{REMOTE}.url") else ""


def fetch_upstream(rig: RigPaths) -> None:
    """Fetch origin's branches into refs/remotes/origin/* (local branches are never overwritten); GitFailed."""
    with rig_repo(rig) as repo:
        run(repo, "fetch", "--quiet", "--prune", REMOTE, f"+refs/heads/*:refs/remotes/{REMOTE}/*", env=_NO_PROMPT)


def tracking_sha(rig: RigPaths, branch: str) -> str | None:
    """The sha of refs/remotes/origin/<branch> as last fetched, or None."""
    with rig_repo(rig) as repo:
        ref = f"refs/remotes/{REMOTE}/{check_branch_name(repo, branch)}"
        return run(repo, "rev-parse", "--verify", ref) if succeeds(repo, "rev-parse", "--verify", "-q", ref) else None


def remote_sha(rig: RigPaths, branch: str) -> str | None:
    """What the remote itself says refs/heads/<branch> is now (ls-remote), or None if it has no such branch."""
    with rig_repo(rig) as repo:
        out = run(repo, "ls-remote", REMOTE, f"refs/heads/{check_branch_name(repo, branch)}", env=_NO_PROMPT)
    return out.split()[0] if out.strip() else None


def _push_error(stdout: str, stderr: str) -> tuple[bool, str]:
    """(rejected-because-remote-moved, one line) from `git push --porcelain`: its `!` status line, with the
    remote's own message when it gave one ("remote: this repository is read-only")."""
    status = [ln.split("\t") for ln in stdout.splitlines() if ln.startswith("!")]
    reason = status[0][-1].strip() if status else ""
    moved = any(word in reason for word in ("non-fast-forward", "fetch first", "stale info"))
    said = [ln.strip().removeprefix("remote:").strip() for ln in stderr.splitlines() if ln.startswith("remote:")]
    said = [ln for ln in said if ln]
    fatal = [ln.strip() for ln in stderr.splitlines() if ln.startswith(("fatal:", "error:"))]
    parts = [reason, said[0] if said else ""] if reason else [fatal[0] if fatal else "push failed"]
    return moved, ": ".join(p for p in parts if p).removeprefix("fatal: ").removeprefix("error: ")


def push(rig: RigPaths, sha: str, branch: str) -> PushResult:
    """`git push origin <sha>:refs/heads/<branch>` (never forced), then verify the remote now has `sha` there."""
    with rig_repo(rig) as repo:
        check_branch_name(repo, branch)
        if sha.startswith("-") or not succeeds(repo, "cat-file", "-e", f"{sha}^{{commit}}"):
            raise InvalidInput(f"no commit {sha!r} to push in rig {rig.name!r}")
    # plain subprocess: the porcelain status (stdout) and the remote's words (stderr) are both needed verbatim
    env = {k: v for k, v in os.environ.items() if k not in _LOCATION_VARS} | _NO_PROMPT
    proc = subprocess.run(["git", "--git-dir", str(rig.bare_repo), "push", "--porcelain", REMOTE,
                           f"{sha}:refs/heads/{branch}"], text=True, capture_output=True, env=env,
                          stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        moved, line = _push_error(proc.stdout, proc.stderr)
        return PushResult(ok=False, rejected=moved, error=line)
    try:
        now = remote_sha(rig, branch)
    except GitFailed as exc:
        return PushResult(ok=False, error=f"pushed, but the remote could not be read back: {exc.one_line()}")
    if now != sha:
        return PushResult(ok=False, rejected=True, error=f"remote {branch} is {str(now)[:12]} after the push, "
                                                         f"not {sha[:12]}")
    return PushResult(ok=True)


def push_refused(rig: RigPaths, url: str, branch: str, *, timeout: float = 30.0) -> str:
    """Why `url` would refuse our push of `branch` ('' when it would take it): a dry run that authenticates and asks
    the remote, writing nothing. A non-fast-forward answer counts as pushable: landing fetches and rebases first."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCATION_VARS} | _NO_PROMPT
    try:
        proc = subprocess.run(["git", "--git-dir", str(rig.bare_repo), "push", "--dry-run", "--porcelain", url,
                               f"refs/heads/{branch}:refs/heads/{branch}"], text=True, capture_output=True,
                              env=env, stdin=subprocess.DEVNULL, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"no answer from {url} within {timeout:g}s"
    if proc.returncode == 0:
        return ""
    moved, line = _push_error(proc.stdout, proc.stderr)
    return "" if moved else line

