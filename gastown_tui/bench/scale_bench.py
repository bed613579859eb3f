"""Scale benchmark (not a test): `ready` and a `gt` call at 10k/100k beads, and memory per live agent session.

`python -m gastown_tui.bench.scale_bench [--sizes 10000,100000] [--sessions 30] [--seconds 10]`

Ledger numbers come from `ledger_bench.bench_size` (same synthetic town, same timings). Memory per session: start
`--sessions` PtySessions running the TUI bench's streamer at 20 KB/s each for `--seconds`, then divide the growth of
this process (Python heap by tracemalloc, and RSS) by the number of sessions: what one agent costs the engine,
screen and scrollback included, not counting the agent's own process.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LedgerRow:
    """One ledger measurement."""

    what: str
    beads: int
    ms: float
    note: str


def ledger_rows(sizes: list[int]) -> list[LedgerRow]:
    """`ready` (limit 100 and full), and the wall time of a `gt bd show` process, per size."""
    from gastown_tui.bench.ledger_bench import bench_size

    keep = {"ready", "ready (full list)", "gt bd show", "import JSONL"}
    out = []
    with tempfile.TemporaryDirectory(prefix="gt-scale-bench-") as tmp:
        for n in sizes:
            out += [LedgerRow(what, beads, ms, note) for what, beads, ms, note in bench_size(n, Path(tmp))
                    if what in keep]
    return out


def _rss() -> int:
    """Resident set size of this process in bytes."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    import resource

    return pages * resource.getpagesize()


async def _sessions(count: int, seconds: float, rate_file: Path) -> tuple[float, float, int]:
    """(heap bytes per session, RSS bytes per session, scrollback lines per session) after streaming."""
    from gastown_tui.bench.tui_bench import streamer_argv
    from gastown_tui.terminal import PtySession

    gc.collect()
    tracemalloc.start()
    heap0, rss0 = tracemalloc.get_traced_memory()[0], _rss()
    sessions = [PtySession(streamer_argv(rate_file, plain=True), cols=100, rows=30, scrollback=10_000) for _ in range(count)]
    for session in sessions:
        await session.start()
    rate_file.write_text("20000")
    await asyncio.sleep(seconds)
    rate_file.write_text("0")
    await asyncio.sleep(0.5)
    gc.collect()
    heap, rss = tracemalloc.get_traced_memory()[0] - heap0, _rss() - rss0
    tracemalloc.stop()
    lines = sum(s.screen.scrollback_lines for s in sessions) // count
    await asyncio.gather(*(s.stop(grace=1) for s in sessions), return_exceptions=True)
    return heap / count, rss / count, lines


def session_memory(count: int, seconds: float) -> tuple[float, float, int]:
    """Memory per live session (see module docstring)."""
    with tempfile.TemporaryDirectory(prefix="gt-mem-bench-") as tmp:
        rate_file = Path(tmp) / "rate"
        rate_file.write_text("0")
        return asyncio.run(_sessions(count, seconds, rate_file))


def main(argv: list[str] | None = None) -> int:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    for row in ledger_rows([int(s) for s in args.sizes.split(",")]):
        print(f"{row.what:<20}{row.beads:>9,}{row.ms:>10.1f} ms  {row.note}")
    start = time.perf_counter()
    heap, rss, lines = session_memory(args.sessions, args.seconds)
    print(f"memory per session: {heap / 1e6:.2f} MB heap, {rss / 1e6:.2f} MB RSS, {lines} scrollback lines "
          f"({args.sessions} sessions, {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
