"""Fidelity harness: run one program in our PtySession+screen and in a detached tmux pane, compare the text.

Both sides get the same argv, size, environment and key bytes (tmux through ``send-keys -H``); after each step we
wait until both screens have been stable for a short while, then compare row by row with trailing spaces stripped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gastown_tui.terminal import PtySession

STABLE_FOR = 0.35  # seconds without change that count as "settled"
SETTLE_TIMEOUT = 6.0

HAVE_TMUX = shutil.which("tmux") is not None


def fidelity_env(home: Path) -> dict[str, str]:
    """A small, identical environment for both sides."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "SHELL": "/bin/sh",
        "LESSHISTFILE": "-",
        "PAGER": "cat",
    }


@dataclass
class TmuxPane:
    """A detached tmux server with one pane of a fixed size."""

    argv: Sequence[str]
    cols: int
    rows: int
    env: dict[str, str]
    cwd: Path
    socket: str = field(default_factory=lambda: f"gtfid-{uuid.uuid4().hex[:10]}")

    def _tmux(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], env=self.env,
                             capture_output=True, text=True, timeout=10, cwd=self.cwd)
        return out.stdout

    def start(self) -> None:
        """Start the server and the pane (TERM like ours; the pane outlives nothing: we kill the server)."""
        cmd = " ".join(_quote(a) for a in self.argv)
        self._tmux("start-server", ";", "set", "-g", "default-terminal", "xterm-256color", ";",
                   "new-session", "-d", "-x", str(self.cols), "-y", str(self.rows), "-c", str(self.cwd),
                   "-e", "COLORTERM=truecolor", cmd)

    def send(self, data: bytes) -> None:
        """Send raw bytes as if typed."""
        if data:
            self._tmux("send-keys", "-H", *[f"{b:02x}" for b in data])

    def capture(self) -> list[str]:
        """The visible rows, trailing spaces stripped, padded to ``rows``."""
        lines = self._tmux("capture-pane", "-p").split("\n")
        lines = [line.rstrip() for line in lines[: self.rows]]
        return lines + [""] * (self.rows - len(lines))

    def capture_styled(self) -> str:
        """The visible rows with their SGR attributes (``capture-pane -e``), raw."""
        return self._tmux("capture-pane", "-e", "-p")

    def capture_all(self) -> list[str]:
        """Scrollback then visible rows, trailing spaces stripped, trailing blank rows dropped."""
        lines = [line.rstrip() for line in self._tmux("capture-pane", "-p", "-S", "-").split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def resize(self, cols: int, rows: int) -> None:
        """Resize the window (and pane); tmux reflows and sends SIGWINCH."""
        self._tmux("resize-window", "-x", str(cols), "-y", str(rows))
        self.cols, self.rows = cols, rows

    def close(self) -> None:
        """Kill the server (and the program)."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def ours(session: PtySession) -> list[str]:
    """Our visible rows, trailing spaces stripped."""
    return [line.rstrip() for line in session.screen.display]


class SideBySide:
    """One program in both terminals; ``step(keys)`` sends keys and returns both settled screens."""

    def __init__(self, argv: Sequence[str], cols: int, rows: int, home: Path, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.env = env or fidelity_env(home)
        self.cwd = cwd or home
        self.session = PtySession(argv, cwd=self.cwd, env=self.env, cols=cols, rows=rows)
        self.tmux = TmuxPane(argv, cols, rows, self.env, self.cwd)

    async def __aenter__(self) -> SideBySide:
        await self.session.start()
        self.tmux.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.tmux.close()
        if self.session.alive:
            await self.session.stop(grace=1.0)

    async def step(self, keys: bytes = b"", settle: float = STABLE_FOR) -> tuple[list[str], list[str]]:
        """Send ``keys`` to both, wait until both are stable, return (ours, tmux)."""
        self.session.write(keys)
        self.tmux.send(keys)
        return await self.settled(settle)

    async def resize(self, cols: int, rows: int, settle: float = STABLE_FOR) -> tuple[list[str], list[str]]:
        """Resize both sides, wait until both are stable, return (ours, tmux)."""
        self.session.resize(cols, rows)
        self.tmux.resize(cols, rows)
        return await self.settled(settle)

    async def settled(self, settle: float = STABLE_FOR) -> tuple[list[str], list[str]]:
        """Poll both screens until neither changed for ``settle`` seconds (or the timeout)."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        last: tuple[list[str], list[str]] | None = None
        since = time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            now = (ours(self.session), self.tmux.capture())
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= settle:
                break
        assert last is not None
        return last


def ours_all(session: PtySession) -> list[str]:
    """Our scrollback then visible rows, like ``TmuxPane.capture_all``."""
    screen = session.screen
    lines = [screen.history_text(i) for i in range(screen.scrollback_lines)] + ours(session)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def diff(a: list[str], b: list[str]) -> str:
    """Row-by-row difference for assertion messages."""
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            out.append(f"row {i}:\n  ours: {x!r}\n  tmux: {y!r}")
    return "\n".join(out)
