"""A private tmux server (`-L <unique>`, no user config) for driving `gastown` like a user over SSH would."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable

GASTOWN = f"{sys.executable} -c 'from gastown_tui.cli.main import gastown_main; gastown_main()'"


class Tmux:
    """One private tmux server running one command in one window."""

    def __init__(self, width: int, height: int, command: str, env: dict[str, str]) -> None:
        self.socket = f"gastown-drill-{uuid.uuid4().hex[:10]}"
        self.env = env
        self.run("new-session", "-d", "-x", str(width), "-y", str(height), command)

    def run(self, *args: str) -> str:
        """A tmux command on this server."""
        done = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], env=self.env, text=True,
                              capture_output=True, timeout=30)
        return done.stdout

    def pane_pid(self) -> int:
        """The pid of the command in the window (the TUI, started with exec)."""
        return int(self.run("display-message", "-p", "#{pane_pid}").strip() or 0)

    def keys(self, *keys: str, pause: float = 0.3) -> None:
        """Send tmux key names one by one."""
        for key in keys:
            self.run("send-keys", key)
            time.sleep(pause)

    def type(self, text: str) -> None:
        """Send literal text."""
        self.run("send-keys", "-l", text)

    def screen(self) -> str:
        """The visible screen as text."""
        return self.run("capture-pane", "-p")

    def screen_with_escapes(self) -> str:
        """The visible screen with SGR escapes (to check the colour depth in use)."""
        return self.run("capture-pane", "-p", "-e")

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 60.0, poll: float = 0.05) -> str:
        """Poll the screen until `check` is true; fail with the last screen otherwise."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(poll)
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{screen}")

    def kill(self) -> None:
        """Kill the server: every client and the window's process get SIGHUP, as on an SSH drop."""
        self.run("kill-server")
