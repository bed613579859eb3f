"""Shared test fixtures: an isolated environment (HOME, git identity) so tests never touch the user's config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give every test its own HOME and a fixed git identity; clear any inherited town or agent identity."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(key, "Test Overseer")
    for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(key, "overseer@example.com")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("GT_TOWN", "GT_RIG", "GT_ROLE", "GT_AGENT", "BD_ACTOR", "GT_SESSION"):
        monkeypatch.delenv(key, raising=False)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test Overseer\n\temail = overseer@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    return home


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            prog: str = "gt", input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `gt`/`gastown` as a real subprocess (same interpreter) and capture its output."""
    code = f"from gastown_tui.cli.main import run; import sys; sys.exit(run({prog!r}, sys.argv[1:]))"
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=full_env, text=True,
                          capture_output=True, input=input, timeout=timeout)


# ---- the leftover-process guard ------------------------------------------------------------------------------
# Every process a test starts inherits this marker through its environment (tmux servers, engines, agents, and
# their children even after they are reparented). At the end of the session any process still carrying it
# outlived its test: it is listed, killed, and the run fails.
RUN_MARKER = "GT_TEST_RUN"
LEFTOVER_GRACE_S = 5.0


def marked_processes(marker: str) -> list[tuple[int, str]]:
    """(pid, command line) of live processes whose environment carries `GT_TEST_RUN=<marker>`, except this one."""
    needle = f"{RUN_MARKER}={marker}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if needle not in handle.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone, or not ours to read
            continue
        if "multiprocessing.resource_tracker" in cmdline and _parent(int(entry)) == os.getpid():
            continue  # the runner's own multiprocessing helper: it exits when this interpreter closes its pipe
        found.append((int(entry), cmdline[:200]))
    return found


def _parent(pid: int) -> int:
    """The parent pid of `pid` (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return int(handle.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def pytest_sessionstart(session: pytest.Session) -> None:
    """Mark this run so the processes its tests start can be found at the end."""
    import uuid

    os.environ[RUN_MARKER] = uuid.uuid4().hex


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a process started by a test is still alive (after a short grace for ones exiting)."""
    import signal
    import time

    marker = os.environ.get(RUN_MARKER)
    if not marker or not os.path.isdir("/proc"):
        return
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    left = marked_processes(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = marked_processes(marker)
    if not left:
        return
    for pid, _cmd in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    report = "\n".join(f"  pid {pid}: {cmd}" for pid, cmd in left)
    print(f"\nERROR: {len(left)} process(es) started by tests outlived them (killed now):\n{report}", file=sys.stderr)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
