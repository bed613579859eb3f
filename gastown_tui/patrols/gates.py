"""The rig's gate commands (`[gates]` in rig.toml): load them and run them in a worktree with a timeout.

A gate is an argv list or a string split with `shlex.split`; it never goes through a shell of ours. Each gate runs
in its own process group so a timeout kills the whole tree (a hung test runner's children too). The outcome says
which gate failed and how, because the refinery treats the kinds differently: a red gate is the branch's fault
(rework), a missing command or a timeout is something the Overseer must look at (escalation).
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gastown_tui.errors import InvalidInput
from gastown_tui.town.paths import RigPaths

OK = "ok"
RED = "red"            # the command ran and exited non-zero
MISSING = "missing"    # the command could not be started (not installed, not executable)
TIMEOUT = "timeout"    # killed after the rig's gate_timeout
OUTPUT_KEEP = 4000     # characters of output kept for rework mail


@dataclass(frozen=True)
class Gate:
    """One gate: its name and argv."""

    name: str
    argv: list[str]


@dataclass(frozen=True)
class GateOutcome:
    """Result of running the gates once: kind (ok/red/missing/timeout), the gate concerned, tail of output."""

    kind: str
    gate: str = ""
    output: str = ""
    command: str = ""

    @property
    def ok(self) -> bool:
        """True when every gate passed."""
        return self.kind == OK

    def describe(self) -> str:
        """One line for summaries and mail subjects."""
        return "gates green" if self.ok else f"gate {self.gate!r} {self.kind} ({self.command})"


def parse_gate(name: str, value: Any) -> Gate | None:
    """A Gate from a rig.toml value (string or list of strings); None for an empty command."""
    if isinstance(value, str):
        try:
            argv = shlex.split(value)
        except ValueError as exc:
            raise InvalidInput(f"rig.toml [gates] {name}: cannot split {value!r}: {exc}") from None
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        argv = list(value)
    else:
        raise InvalidInput(f"rig.toml [gates] {name}: use a command string or a list of strings")
    return Gate(name, argv) if argv else None


def load_gates(rig: RigPaths) -> tuple[list[Gate], float]:
    """The rig's gates in file order and the per-gate timeout in seconds."""
    from gastown_tui.town.config import load_rig_config  # noqa: PLC0415 - keep import light for gate tests

    config = load_rig_config(rig)
    raw = config.table("gates", {}) or {}
    gates = [g for name, value in raw.items() if (g := parse_gate(str(name), _plain(value))) is not None]
    return gates, float(config.gate_timeout)


def _plain(value: Any) -> Any:
    """tomlkit items to plain Python values."""
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if callable(unwrap) else value


def _tail(text: str) -> str:
    """The last OUTPUT_KEEP characters (failures print their summary at the end)."""
    return text if len(text) <= OUTPUT_KEEP else "…" + text[-OUTPUT_KEEP:]


def run_gate(gate: Gate, cwd: Path, timeout: float) -> GateOutcome:
    """Run one gate in `cwd`; kill its process group on timeout."""
    command = shlex.join(gate.argv)
    env = dict(os.environ)
    env.pop("GIT_DIR", None)  # gates run against the worktree, never a git dir inherited from a hook
    try:
        proc = subprocess.Popen(gate.argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        return GateOutcome(MISSING, gate.name, f"cannot start {gate.argv[0]!r}: {exc.strerror or exc}", command)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, _ = proc.communicate()
        text = out.decode("utf-8", "replace")
        return GateOutcome(TIMEOUT, gate.name, _tail(text + f"\n[killed after {timeout:g}s]"), command)
    text = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        return GateOutcome(RED, gate.name, _tail(text + f"\n[exit status {proc.returncode}]"), command)
    return GateOutcome(OK, gate.name, _tail(text), command)


def run_gates(gates: list[Gate], cwd: Path, timeout: float) -> GateOutcome:
    """Run every gate in order, stopping at the first that does not pass."""
    for gate in gates:
        outcome = run_gate(gate, cwd, timeout)
        if not outcome.ok:
            return outcome
    return GateOutcome(OK)
