"""Find the town's engine or start one in the background (`ensure_engine`), from any client, without engine code.

The engine is started as `python -m gastown_tui --town ROOT engine run --daemon` in its own session (setsid: no
controlling terminal, so an SSH drop's SIGHUP never reaches it), stdin from /dev/null, output appended to
`.gastown/logs/engine.log` (0600). Two clients starting one at the same moment are fine: the engine's lock lets
one win, and both then attach to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from gastown_tui.control_socket import EngineBusy
from gastown_tui.errors import EngineNotRunning
from gastown_tui.engine.api.commands import Ping
from gastown_tui.engine.api.rows import EngineInfo
from gastown_tui.engine.api.socket_client import call_sync
from gastown_tui.errors import GastownError

START_TIMEOUT = 30.0
"""Seconds a fresh engine may take to answer its first ping."""


def socket_path(town_root: Path) -> Path:
    """The town's control socket."""
    return town_root / ".gastown" / "engine.sock"


def log_path(town_root: Path) -> Path:
    """Where a background engine writes its log."""
    return town_root / ".gastown" / "logs" / "engine.log"


def ping(town_root: Path, timeout: float = 5.0) -> EngineInfo | None:
    """The running engine's info, or None if no engine runs (a busy engine counts as running)."""
    try:
        return call_sync(socket_path(town_root), Ping(), timeout=timeout)
    except EngineNotRunning:
        return None
    except EngineBusy:
        return EngineInfo(0, str(town_root))


def crashed(town_root: Path) -> bool:
    """A socket file is left but nobody listens: the engine died without stopping (a clean stop removes it)."""
    sock = socket_path(town_root)
    return sock.exists() and ping(town_root, timeout=2.0) is None


def private_log_dir(town_root: Path) -> Path:
    """Create `.gastown/logs` with mode 0700 whatever the umask (logs hold what agents print); returns it."""
    logs = log_path(town_root).parent
    for directory in (logs.parent, logs):
        directory.mkdir(mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask, and an older town may have made it 0755
    return logs


def start_engine(town_root: Path, *, extra_args: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """Start a background engine for the town (returns at once)."""
    log = log_path(town_root)
    private_log_dir(town_root)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        argv = [sys.executable, "-m", "gastown_tui", "--town", str(town_root), "engine", "run", "--daemon",
                *extra_args]
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=fd, stderr=fd, start_new_session=True,
                                close_fds=True, cwd=str(town_root))
    finally:
        os.close(fd)


def ensure_engine(town_root: Path, *, timeout: float = START_TIMEOUT,
                  extra_args: tuple[str, ...] = ()) -> tuple[EngineInfo, bool]:
    """Ping the town's engine, starting one if none answers; returns (info, started_by_us)."""
    info = ping(town_root)
    if info is not None:
        return info, False
    process = start_engine(town_root, extra_args=extra_args)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = ping(town_root, timeout=2.0)
        if info is not None:
            return info, True
        code = process.poll()
        if code is not None:
            info = ping(town_root, timeout=2.0)  # lost a start race: another engine won the lock
            if info is not None:
                return info, False
            raise GastownError(f"the engine exited with status {code} while starting; see {log_path(town_root)}: "
                               f"{_last_line(log_path(town_root))}")
        time.sleep(0.05)
    raise GastownError(f"the engine did not answer within {timeout:.0f}s of starting; see {log_path(town_root)}")


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1][-200:] if lines else ""
