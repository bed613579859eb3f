"""Helpers for driving a program in our PtySession or in a detached tmux, and waiting on what its screen shows."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

try:
    from gastown_tui.terminal import PtySession
except ImportError:  # the package may not re-export it yet; the module is the documented home
    from gastown_tui.terminal.session import PtySession


def screen_text(session: PtySession) -> str:
    """The visible screen as text, trailing spaces trimmed."""
    return "\n".join(line.rstrip() for line in session.screen.display)


async def wait_screen(session: PtySession, *patterns: str, timeout: float = 30.0,
                      absent: Sequence[str] = ()) -> str:
    """Wait until every regex in `patterns` matches the screen (and none of `absent`); return the screen."""
    deadline = time.monotonic() + timeout
    while True:
        text = screen_text(session)
        if all(re.search(p, text, re.M) for p in patterns) and not any(re.search(p, text, re.M) for p in absent):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"screen never showed {patterns!r} (absent {list(absent)!r}) within "
                                 f"{timeout}s; alive={session.alive}; screen:\n{text}")
        await asyncio.sleep(0.1)


async def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 30.0, every: float = 0.2) -> None:
    """Poll a condition (cheap, no side effects) until true, else fail naming `what`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(every)


async def type_line(session: PtySession, text: str) -> None:
    """Type text, then Enter a moment later (Enter in the same burst is read as part of a paste)."""
    session.write(text.encode())
    await asyncio.sleep(0.4)
    session.write(b"\r")


IDLE_PATTERNS = (r"^❯( |$)", r"⏵⏵ bypass permissions on")


class TmuxPane:
    """A detached tmux server of our own (`-L <unique>`, no config) holding one pane running `argv`."""

    def __init__(self, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], cols: int, rows: int) -> None:
        self.socket = f"gt-e2e-{uuid.uuid4().hex[:10]}"
        self.argv, self.cwd, self.env, self.cols, self.rows = list(argv), cwd, dict(env), cols, rows

    def _tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a tmux command against this pane's private server."""
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], env=self.env, text=True,
                              capture_output=True, timeout=15)

    def start(self) -> TmuxPane:
        """Start the server and the pane at exactly cols×rows."""
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is needed for the fidelity comparison: apt-get install tmux (.ci/run does)")
        result = self._tmux("new-session", "-d", "-x", str(self.cols), "-y", str(self.rows), "-c", str(self.cwd),
                            *self.argv)
        if result.returncode != 0:
            raise RuntimeError(f"tmux new-session failed: {result.stderr}")
        return self

    def capture(self) -> str:
        """The visible pane as text, trailing spaces trimmed."""
        out = self._tmux("capture-pane", "-p").stdout
        lines = out.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines += [""] * (self.rows - len(lines))
        return "\n".join(line.rstrip() for line in lines)

    async def wait(self, *patterns: str, timeout: float = 30.0) -> str:
        """Wait until every regex matches the pane."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.capture()
            if all(re.search(p, text, re.M) for p in patterns):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"tmux pane never showed {patterns!r}; pane:\n{text}")
            await asyncio.sleep(0.2)

    def send_line(self, text: str) -> None:
        """Type text literally, then Enter a moment later (as type_line does for our PtySession)."""
        self._tmux("send-keys", "-l", text)
        time.sleep(0.4)
        self._tmux("send-keys", "Enter")

    def kill(self) -> None:
        """Stop this tmux server only (by its own socket name)."""
        self._tmux("kill-server")
