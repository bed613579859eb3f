"""`gastown bench`: run the sub-benchmarks and print one table whose ratios are all measured in this run.

Not part of the test suite. `--quick` uses small sizes (about a minute); the full run uses the sizes the targets are
stated for (30 agents at ~20 KB/s each, 10k and 100k beads, a 40 MB terminal log) and takes several minutes.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Sizes:
    """How big each sub-benchmark runs."""

    log_mb: float
    pyte_mb: float
    agents: int
    beads: int
    seconds: float
    keys: int
    ledger_sizes: tuple[int, ...]
    sessions: int
    session_seconds: float
    settle: float


QUICK = Sizes(log_mb=4, pyte_mb=0.5, agents=6, beads=1000, seconds=2, keys=15, ledger_sizes=(2000,), sessions=6,
              session_seconds=2, settle=7)
FULL = Sizes(log_mb=40, pyte_mb=2, agents=30, beads=10_000, seconds=10, keys=100, ledger_sizes=(10_000, 100_000),
             sessions=30, session_seconds=10, settle=12)


@dataclass
class Row:
    """One line of the table."""

    what: str
    value: str
    compare: str = ""
    ratio: str = ""
    note: str = ""


def machine() -> str:
    """One line: CPUs, RAM, Python, OS."""
    try:
        with open("/proc/meminfo") as handle:
            kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = "RAM unknown"
    return (f"nproc {os.cpu_count()}, {ram}, Python {platform.python_version()}, {platform.system()} "
            f"{platform.release()}, {platform.machine()}")


def _fmt(value: float | None, unit: str, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f} {unit}"


def _ratio(a: float | None, b: float | None) -> str:
    return "" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def terminal_rows(sizes: Sizes) -> list[Row]:
    """Terminal feed vs tmux and stock pyte, full-frame cost, idle memory (rows built by terminal_bench)."""
    from gastown_tui.bench import terminal_bench as tb

    return [Row(*row) for row in tb.bench_rows(sizes.log_mb, sizes.pyte_mb)]


def tui_rows(sizes: Sizes) -> list[Row]:
    """First paint, bytes/s to the terminal (idle, active) and key-to-screen latency: the app vs tmux."""
    from gastown_tui.bench import tui_bench

    app, local, tmux = tui_bench.run_all(sizes.agents, sizes.beads, sizes.seconds, sizes.keys, sizes.settle)
    n = sizes.agents
    tmux_p50, tmux_p99 = (tmux.p(50), tmux.p(99)) if tmux else (None, None)
    count = f"{len(app.latencies_ms)}/{app.keys_sent} keys"
    rows = [
        Row(f"key-to-screen p50 ({n} agents x 20 KB/s), socket", _fmt(app.p(50), "ms"),
            f"in-process {_fmt(local.p(50), 'ms')}", _ratio(app.p(50), local.p(50)),
            f"2x2 layout, 200x60 outer PTY; {count}; tmux {_fmt(tmux_p50, 'ms', 2)}"),
        Row(f"key-to-screen p99 ({n} agents x 20 KB/s), socket", _fmt(app.p(99), "ms"),
            f"in-process {_fmt(local.p(99), 'ms')}", _ratio(app.p(99), local.p(99)),
            f"target: <= in-process and <= 30 ms quiet; tmux p99 {_fmt(tmux_p99, 'ms', 2)}"),
        Row("  engine's share: key -> PaneUpdate at a bare client", _fmt(app.engine_p(50), "ms"),
            f"p99 {_fmt(app.engine_p(99), 'ms')}", "", "same agents active; the rest of key-to-screen is the TUI"),
        Row(f"socket bytes/s to one client, {n} idle", _fmt(app.socket_idle_bps, "B/s", 0), "target ~0", "",
            "a client viewing the 4 visible panes"),
        Row(f"socket bytes/s to one client, {n} active", _fmt(app.socket_active_bps, "B/s", 0),
            f"agents write {4 * 20_000:,} B/s", _ratio(app.socket_active_bps, 4 * 20_000.0),
            "4 viewed panes x 20 KB/s of output; rows coalesced <= 60/s per pane"),
        Row(f"bytes/s to own terminal, {n} idle", _fmt(app.idle_bps, "B/s", 0),
            f"in-process {_fmt(local.idle_bps, 'B/s', 0)}", "",
            f"tmux {_fmt(tmux.idle_bps if tmux else None, 'B/s', 0)}; target: near 0"),
        Row(f"bytes/s to own terminal, {n} active", _fmt(app.active_bps, "B/s", 0),
            f"in-process {_fmt(local.active_bps, 'B/s', 0)}", _ratio(app.active_bps, local.active_bps),
            f"tmux {_fmt(tmux.active_bps if tmux else None, 'B/s', 0)}; 4 panes visible"),
        Row(f"first paint ({n} agents, {sizes.beads:,} beads), socket", _fmt(app.first_paint_s, "s", 2),
            f"in-process {_fmt(local.first_paint_s, 's', 2)}", _ratio(app.first_paint_s, local.first_paint_s),
            "spawn of `gastown tui` -> footer on screen; engine already running"),
        Row(f"first live pane ({n} agents), socket", _fmt(app.first_live_s, "s", 2),
            f"in-process {_fmt(local.first_live_s, 's', 2)}", _ratio(app.first_live_s, local.first_live_s),
            "spawn -> agent output in a pane (socket: attach to the running engine; in-process: engine start)"),
    ]
    for note in app.notes + local.notes + (tmux.notes if tmux else []):
        rows.append(Row("  (problem)", "", "", "", note.splitlines()[0]))
    return rows


def scale_rows(sizes: Sizes) -> list[Row]:
    """`ready` and a `gt` call at each ledger size, and memory per session."""
    from gastown_tui.bench.ledger_bench import TARGETS_MS
    from gastown_tui.bench.scale_bench import ledger_rows, session_memory

    rows = []
    for r in ledger_rows(list(sizes.ledger_sizes)):
        if r.what == "import JSONL":
            continue
        target = TARGETS_MS.get((r.what, r.beads))
        label = {"gt bd show": "wall time of one `gt bd show`", "ready": "`ready` (limit 100)",
                 "ready (full list)": "`ready` (full list)"}.get(r.what, r.what)
        rows.append(Row(f"{label} at {r.beads:,} beads", _fmt(r.ms, "ms"),
                        f"target <= {target:.0f} ms" if target else "", _ratio(r.ms, target), r.note))
    heap, rss, lines = session_memory(sizes.sessions, sizes.session_seconds)
    rows.append(Row("memory per live session", _fmt(heap / 1e6, "MB", 2), f"RSS {_fmt(rss / 1e6, 'MB', 2)}", "",
                    f"{sizes.sessions} sessions x 20 KB/s for {sizes.session_seconds:g} s, {lines} scrollback lines"
                    " each; engine side only"))
    return rows


def idle_rows(sizes: Sizes) -> list[Row]:
    """Model calls, CPU and RSS of the engine with idle agents (gastown_tui.bench.idle_bench)."""
    from gastown_tui.bench.idle_bench import bench_rows

    return bench_rows(sizes.agents, quick=sizes is QUICK)  # type: ignore[return-value]


def cli_rows(_sizes: Sizes) -> list[Row]:
    """CPU per `gt` call and latency of 40 concurrent callers (gastown_tui/bench/cli_bench.py)."""
    from gastown_tui.bench.cli_bench import CONCURRENT_TARGET_S, cpu_rows

    rows, conc = cpu_rows()
    out = [Row(f"CPU of one `{r.command}`", _fmt(r.cpu_ms, "ms"), f"target <= {r.target_ms:.0f} ms" if r.target_ms
               else "", _ratio(r.cpu_ms, r.target_ms), f"median of {r.runs}; wall {r.wall_ms:.0f} ms")
           for r in rows]
    out.append(Row(f"{conc.callers} concurrent `gt` callers p50 / p99", f"{conc.p50_s:.2f} / {conc.p99_s:.2f} s",
                   f"target p99 <= {CONCURRENT_TARGET_S:.0f} s", _ratio(conc.p99_s, CONCURRENT_TARGET_S),
                   f"{conc.failures} failed; round-robin of the four commands"))
    return out


def run(quick: bool, out: TextIO = sys.stdout) -> int:
    """Run every sub-benchmark and print the table."""
    sizes = QUICK if quick else FULL
    print(f"gastown bench ({'quick' if quick else 'full'}) -- {machine()}", file=out, flush=True)
    rows: list[Row] = []
    steps: list[tuple[str, Callable[[Sizes], list[Row]]]] = [("terminal", terminal_rows), ("tui", tui_rows),
                                                              ("scale", scale_rows), ("idle", idle_rows),
                                                              ("gt cli", cli_rows)]
    for name, step in steps:
        start = time.perf_counter()
        try:
            rows += step(sizes)
        except Exception as exc:  # noqa: BLE001 - one broken sub-benchmark must not hide the others
            rows.append(Row(f"{name} benchmark", "FAILED", "", "", f"{type(exc).__name__}: {exc}"))
        print(f"  {name}: {time.perf_counter() - start:.0f} s", file=out, flush=True)
    widths = [max(len(getattr(r, f)) for r in rows + [Row("measurement", "value", "compared with", "ratio")])
              for f in ("what", "value", "compare", "ratio")]
    header = Row("measurement", "value", "compared with", "ratio", "note")
    for r in [header, *rows]:
        print(f"{r.what:<{widths[0]}}  {r.value:>{widths[1]}}  {r.compare:<{widths[2]}}  {r.ratio:>{widths[3]}}  "
              f"{r.note}".rstrip(), file=out)
    return 0
