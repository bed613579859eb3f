"""A real town for the scenario tests: install, a rig with a small Python project, the engine as a process, `gt`.

The engine runs as its own process (`gastown engine`), as it would under the TUI's supervisor, so a test can
SIGKILL it; commands go through the real `gt`/`gastown` console scripts with the test's environment.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from gastown_tui.terminal.screen import TerminalScreen

BIN = Path(sys.executable).parent
T = TypeVar("T")

CALC_PY = '''"""A tiny calculator."""


def add(a, b):
    """Sum of a and b."""
    return a - b


def subtract(a, b):
    """Difference of a and b."""
    return a - b


# More operations go below.
'''

TEST_CALC_PY = '''from calc import add, subtract


def test_add():
    assert add(2, 3) == 5


def test_subtract():
    assert subtract(5, 3) == 2
'''


def origin_of(project: Path) -> Path:
    """The bare "origin" repository `make_calc_project` publishes the project to."""
    return project.parent / f"{project.name}-origin.git"


def make_calc_project(path: Path, env: Mapping[str, str]) -> Path:
    """A developer's working clone on `main` with a failing test (add subtracts) and a missing feature (no
    multiply), pushed to a bare "origin" next to it (`origin_of(path)`): the rig lands there in push mode."""
    path.mkdir(parents=True)
    (path / "calc.py").write_text(CALC_PY)
    (path / "test_calc.py").write_text(TEST_CALC_PY)
    (path / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n")
    origin = origin_of(path)
    for argv in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                 ["git", "commit", "-q", "-m", "calc: add and subtract"],
                 ["git", "init", "-q", "--bare", "-b", "main", str(origin)],
                 ["git", "remote", "add", "origin", str(origin)], ["git", "push", "-q", "-u", "origin", "main"]):
        subprocess.run(argv, cwd=path, env=dict(env), check=True, capture_output=True)
    return path


def render_transcript(path: Path, cols: int = 100, rows: int = 30) -> str:
    """Replay a PTY transcript through our TerminalScreen: the last screen the session showed."""
    screen = TerminalScreen(cols, rows)
    screen.feed(path.read_bytes())
    return "\n".join(line.rstrip() for line in screen.display)


class Town:
    """One town under test: paths, CLI runners, the engine process, ledger and feed readers, waits."""

    def __init__(self, root: Path, env: Mapping[str, str]) -> None:
        self.root = root
        self.env = dict(env, GT_TOWN=str(root))
        self.engine: subprocess.Popen[bytes] | None = None
        self.engine_log = root.parent / f"{root.name}-engine.log"
        self.cli_log: list[str] = []
        self.rig_add_output = ""

    # -- commands ----------------------------------------------------------------------------------------------
    def run(self, prog: str, *args: str, check: bool = True, timeout: float = 60,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """Run `gastown`/`gt` with the town's environment; a failure shows the command's output."""
        argv = [str(BIN / prog), *args]
        result = subprocess.run(argv, cwd=cwd or self.root, env=self.env, text=True, capture_output=True,
                                timeout=timeout)
        self.cli_log.append(f"$ {prog} {' '.join(args)}  -> {result.returncode}\n{result.stdout}{result.stderr}")
        if check and result.returncode != 0:
            raise AssertionError(f"{prog} {' '.join(args)} exited {result.returncode}\n"
                                 f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return result

    def gt(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """Run `gt ARGS`."""
        return self.run("gt", *args, **kwargs)

    def gt_json(self, *args: str, **kwargs: Any) -> Any:
        """Run `gt ARGS --json` and parse stdout."""
        return json.loads(self.gt(*args, "--json", **kwargs).stdout)

    def gastown(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """Run `gastown ARGS`."""
        return self.run("gastown", *args, **kwargs)

    def git(self, *args: str) -> str:
        """git against the rig's bare repository or any path (-C given by the caller)."""
        return subprocess.run(["git", *args], env=self.env, text=True, capture_output=True, check=True).stdout

    # -- setup -------------------------------------------------------------------------------------------------
    @classmethod
    def install(cls, root: Path, env: Mapping[str, str]) -> Town:
        """`gastown install ROOT`."""
        town = cls(root, env)
        town.run("gastown", "install", str(root), cwd=root.parent)
        return town

    def add_rig(self, name: str, source: Path, gate: str = "python -m pytest -q") -> Path:
        """`gastown rig add NAME SOURCE`, then set its test gate in rig.toml."""
        self.rig_add_output = self.gastown("rig", "add", name, str(source)).stdout
        rig_toml = self.root / name / "rig.toml"
        text = rig_toml.read_text()
        rig_toml.write_text(text.replace('test = ""', f'test = "{gate}"', 1))
        return self.root / name

    def patrols_on_demand(self) -> None:
        """Push patrol intervals out of a test's reach: patrols run only when the test says `gt patrol run`."""
        toml = self.root / "town.toml"
        text = toml.read_text()
        for name in ("witness", "refinery", "deacon"):
            text = re.sub(rf"(?m)^{name} = \d+$", f"{name} = 86400", text)
        toml.write_text(text)

    def set_runtime(self, name: str, **fields: Any) -> None:
        """Override fields of a runtime preset in town.toml (`[runtimes.<name>]`)."""
        import tomlkit

        toml = self.root / "town.toml"
        doc = tomlkit.parse(toml.read_text())
        doc.setdefault("runtimes", tomlkit.table())[name] = fields
        toml.write_text(tomlkit.dumps(doc))

    def allow_dialogs(self, names: list[str]) -> None:
        """Let the engine answer these start-up dialogs (town.toml `[agents] dialogs`)."""
        toml = self.root / "town.toml"
        toml.write_text(toml.read_text() + f"\n[agents]\ndialogs = {json.dumps(names)}\n")

    # -- the engine --------------------------------------------------------------------------------------------
    def start_engine(self, timeout: float = 20) -> subprocess.Popen[bytes]:
        """Start `gastown engine` (headless) and wait for its control socket."""
        sock = self.root / ".gastown" / "engine.sock"
        log = self.engine_log.open("ab")
        self.engine = subprocess.Popen([str(BIN / "gastown"), "--town", str(self.root), "engine", "run",
                                        "--log-level", "INFO"], cwd=self.root, env=self.env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.wait(lambda: self._engine_alive() and sock.exists() and self._engine_answers(),
                  "the engine's control socket", timeout)
        return self.engine

    def _engine_alive(self) -> bool:
        """True while the engine runs; an engine that died during start fails the test with its log."""
        if self.engine is not None and self.engine.poll() is not None:
            raise AssertionError(f"engine exited with {self.engine.returncode}:\n{self.tail(self.engine_log)}")
        return True

    def _engine_answers(self) -> bool:
        """The control socket answers a harmless query."""
        return self.gastown("engine", "status", check=False, timeout=10).returncode == 0

    def request(self, op: str, **args: Any) -> Any:
        """One control-socket request to the running engine (ops: spawn, nudge, peek, status, ...)."""
        from gastown_tui.engine.client import request
        from gastown_tui.town.paths import TownPaths

        return request(TownPaths(self.root), op, timeout=30, **args)

    def peek(self, address: str) -> str:
        """The agent's current screen, from the engine."""
        return "\n".join(self.request("peek", address=address, lines=30)["lines"])

    def kill_engine(self) -> None:
        """SIGKILL the engine process alone (its agents lose their terminal, as in a real crash)."""
        assert self.engine is not None
        os.kill(self.engine.pid, signal.SIGKILL)
        self.engine.wait(10)

    def stop_engine(self) -> None:
        """Stop the engine politely, then by force; also end any agent processes left in its session group."""
        if self.engine is None:
            return
        if self.engine.poll() is None:
            self.engine.send_signal(signal.SIGTERM)
            try:
                self.engine.wait(10)
            except subprocess.TimeoutExpired:
                self.engine.kill()
                self.engine.wait(5)
        self.engine = None

    # -- reading state -----------------------------------------------------------------------------------------
    def ledger(self) -> Any:
        """A fresh Ledger handle (close it with `.shutdown()` or use as a context manager)."""
        from gastown_tui.ledger import Ledger
        from gastown_tui.town.paths import TownPaths

        return Ledger.open(TownPaths(self.root))

    def read(self, fn: Callable[[Any], T]) -> T:
        """Run `fn(ledger)` on a short-lived ledger handle."""
        ledger = self.ledger()
        try:
            return fn(ledger)
        finally:
            ledger.shutdown()

    def events(self) -> list[dict[str, Any]]:
        """The activity feed, oldest first."""
        path = self.root / ".gastown" / "events.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def event_kinds(self) -> list[str]:
        """Kinds of every feed event, in order."""
        return [e.get("kind", "") for e in self.events()]

    def main_log(self, rig: str, branch: str = "main") -> list[str]:
        """Subjects of the rig's default branch, newest first (from the bare repository every worktree shares)."""
        out = self.git("--git-dir", str(self.root / rig / "repo.git"), "log", "--format=%s", branch)
        return out.splitlines()

    def screens(self) -> str:
        """Every agent transcript replayed to its last screen (failure diagnostics)."""
        parts = []
        for path in sorted((self.root / ".gastown" / "transcripts").glob("*.log")):
            try:
                parts.append(f"--- {path.name} ---\n{render_transcript(path)}")
            except Exception as exc:  # diagnostics must not raise
                parts.append(f"--- {path.name} --- <render failed: {exc!r}>")
        return "\n".join(parts) or "<no transcripts>"

    @staticmethod
    def tail(path: Path, chars: int = 4000) -> str:
        """The end of a log file."""
        return path.read_text(errors="replace")[-chars:] if path.exists() else "<missing>"

    def wait(self, predicate: Callable[[], bool], what: str, timeout: float = 45, every: float = 0.5) -> None:
        """Poll until `predicate()` is true, else fail naming what never happened."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            time.sleep(every)
