"""CPU cost of one `gt` call, and latency when 40 agents call `gt` at once.

Agents call `gt` from every hook, so each call's CPU is paid by the whole town. Each row runs the real console
script in a fresh temporary town and reads the child's CPU (user + sys) from `RUSAGE_CHILDREN`, so waiting on a
loaded machine does not count. Targets: <= 60 ms CPU for `gt bd show` and `gt hookevent`, p99 <= 5 s wall for
40 concurrent callers.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CPU_TARGET_MS = 60.0
CONCURRENT_TARGET_S = 5.0
CALLERS = 40


@dataclass(frozen=True)
class CpuRow:
    """Median CPU of one command over `runs` calls."""

    command: str
    cpu_ms: float
    wall_ms: float
    runs: int
    target_ms: float | None


@dataclass(frozen=True)
class ConcurrentRow:
    """Wall-time percentiles of `callers` simultaneous `gt` calls."""

    callers: int
    p50_s: float
    p99_s: float
    failures: int


def gt_program() -> list[str]:
    """argv prefix that runs the installed `gt` console script (what agents run), else the module."""
    script = Path(sys.executable).parent / "gt"
    if script.is_file():
        return [str(script)]
    found = shutil.which("gt")
    return [found] if found else [sys.executable, "-m", "gastown_tui.cli.main"]


def _make_town(root: Path) -> tuple[dict[str, str], str]:
    """A scratch town with one bead; returns (environment for `gt`, bead id)."""
    from gastown_tui.ledger import Ledger
    from gastown_tui.town import install_town

    town = install_town(root / "town", name="bench").town
    with Ledger.open(town) as ledger:
        bead = ledger.create("bench bead", description="Measured by gastown bench.").id
    env = dict(os.environ, GT_TOWN=str(town.root), GT_AGENT="mayor", BD_ACTOR="mayor", GT_ROLE="mayor")
    # As installed: bytecode cached. With PYTHONDONTWRITEBYTECODE every call recompiles each module (~45 ms CPU).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env, bead


def commands(bead: str) -> list[tuple[str, list[str], str]]:
    """(label, argv after `gt`, stdin) of the measured calls."""
    return [("gt --help", ["--help"], ""), ("gt bd show", ["bd", "show", bead], ""),
            ("gt hookevent stop", ["hookevent", "stop"], '{"hook_event_name": "Stop"}'),
            ("gt prime", ["prime"], "")]


def _one(argv: list[str], env: dict[str, str], stdin: str) -> tuple[float, float, int]:
    """(CPU ms, wall ms, exit code) of one call (CPU from RUSAGE_CHILDREN: valid when calls are not concurrent)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, input=stdin, text=True, capture_output=True, timeout=120,
                          check=False)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000
    return cpu, wall, proc.returncode


def cpu_rows(runs: int = 7) -> tuple[list[CpuRow], ConcurrentRow]:
    """Median CPU per command, then the 40-caller latency row, in one scratch town."""
    with tempfile.TemporaryDirectory(prefix="gt-cli-bench-") as tmp:
        env, bead = _make_town(Path(tmp))
        program = gt_program()
        rows = []
        for _label, args, stdin in commands(bead):  # warm-up: writes the bytecode caches an install would have
            _one(program + args, env, stdin)
        for label, args, stdin in commands(bead):
            samples = [_one(program + args, env, stdin) for _ in range(runs)]
            failed = [code for _cpu, _wall, code in samples if code != 0]
            if failed:
                raise RuntimeError(f"{label} exited {failed[0]}")
            target = CPU_TARGET_MS if label in ("gt bd show", "gt hookevent stop") else None
            rows.append(CpuRow(label, statistics.median(s[0] for s in samples),
                               statistics.median(s[1] for s in samples), runs, target))
        return rows, concurrent_row(program, env, bead)


def concurrent_row(program: list[str], env: dict[str, str], bead: str, callers: int = CALLERS) -> ConcurrentRow:
    """`callers` agents calling `gt` at the same moment (a round-robin of the measured commands)."""
    calls = commands(bead)

    def call(n: int) -> tuple[float, int]:
        _label, args, stdin = calls[n % len(calls)]
        start = time.perf_counter()
        proc = subprocess.run(program + args, env=env, input=stdin, text=True, capture_output=True, timeout=300,
                              check=False)
        return time.perf_counter() - start, proc.returncode

    with ThreadPoolExecutor(max_workers=callers) as pool:
        results = list(pool.map(call, range(callers)))
    walls = sorted(w for w, _code in results)
    p99 = walls[min(len(walls) - 1, round(0.99 * (len(walls) - 1)))]
    return ConcurrentRow(callers, statistics.median(walls), p99, sum(1 for _w, code in results if code != 0))


def main() -> None:
    """Print the rows (for a quick look without the whole `gastown bench`)."""
    rows, conc = cpu_rows()
    for row in rows:
        target = f" (target <= {row.target_ms:.0f} ms)" if row.target_ms else ""
        print(f"{row.command:20} CPU {row.cpu_ms:6.1f} ms  wall {row.wall_ms:6.1f} ms{target}")
    print(f"{conc.callers} concurrent callers: p50 {conc.p50_s:.2f} s, p99 {conc.p99_s:.2f} s, "
          f"{conc.failures} failed (target p99 <= {CONCURRENT_TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
