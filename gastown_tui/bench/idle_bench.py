"""Idle benchmark (not a test): what the engine and its patrols cost when there is nothing to do.

`python -m gastown_tui.bench.idle_bench [--agents 30] [--seconds 600] [--patrol-every S]`

A town with `--agents` hooked polecats on an idle program (the TUI bench's streamer at 0 B/s), the engine started
as its own process, and every model endpoint pointed at a loopback counter (ANTHROPIC_BASE_URL, and the OpenAI and
Gemini base URLs): any HTTP request the engine or a patrol made would be counted. Over the window it reports
those model calls (target 0), the engine's CPU (user+system seconds over wall seconds), its RSS, the patrol runs
that completed (so "idle" includes real patrol work) and child processes other than the agents (polled 4 times a
second, so very short-lived ones can be missed; the number is a lower bound).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass(frozen=True)
class IdleResult:
    """One idle window."""

    agents: int
    seconds: float
    model_calls: int
    cpu_pct: float          # engine user+system time over wall time, percent of one core
    rss_mb: float
    patrol_runs: int
    other_children: int     # distinct non-agent child pids seen during the window (lower bound)


class _Counter(BaseHTTPRequestHandler):
    """Counts every request; answers 503 so nothing could ever proceed on its answer."""

    hits = 0
    lock = threading.Lock()

    def _count(self) -> None:
        with _Counter.lock:
            _Counter.hits += 1
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_HEAD = _count

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    """Resident set size of a process in MB."""
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 1e6


def _children(pid: int) -> set[int]:
    """Direct children of `pid`."""
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(") ", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def _configure(town_root: Path, patrol_every: float | None) -> None:
    """Patrol intervals for the window (None keeps the town defaults)."""
    from gastown_tui.town import load_town_config

    if patrol_every is None:
        return
    config = load_town_config(town_root)
    for patrol in ("witness", "refinery", "deacon"):
        config.set(f"patrols.{patrol}", int(patrol_every))
    config.save()


def measure(agents: int, seconds: float, patrol_every: float | None = None) -> IdleResult:
    """Build the town, run the engine idle for `seconds` after its agents are up, and measure."""
    from gastown_tui.bench.tui_bench import build_town

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    _Counter.hits = 0
    with tempfile.TemporaryDirectory(prefix="gt-idle-bench-") as tmp:
        root = build_town(Path(tmp), agents, 0)
        _configure(root, patrol_every)
        env = dict(os.environ, GT_TOWN=str(root), ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY="idle-bench",
                   OPENAI_BASE_URL=url, GOOGLE_GEMINI_BASE_URL=url, CLAUDE_CONFIG_DIR=str(Path(tmp) / "claude"))
        log = (Path(tmp) / "engine.log").open("wb")
        engine = subprocess.Popen([str(Path(sys.executable).parent / "gastown"), "--town", str(root), "engine",
                                   "run"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while len(_children(engine.pid)) < agents and time.monotonic() < deadline:
                if engine.poll() is not None:
                    raise RuntimeError(f"engine exited {engine.returncode}")
                time.sleep(0.5)
            time.sleep(3)  # start-up settles (first patrol runs, GUPP checks)
            agents_pids = _children(engine.pid)
            feed = root / ".gastown" / "events.jsonl"
            feed_start = feed.stat().st_size if feed.exists() else 0
            hits0, cpu0, t0 = _Counter.hits, _cpu_seconds(engine.pid), time.monotonic()
            others: set[int] = set()
            while time.monotonic() - t0 < seconds:
                others |= _children(engine.pid) - agents_pids
                time.sleep(0.25)
            wall = time.monotonic() - t0
            cpu = _cpu_seconds(engine.pid) - cpu0
            rss = _rss_mb(engine.pid)
            hits = _Counter.hits - hits0
            with feed.open("rb") as handle:
                handle.seek(feed_start)
                runs = handle.read().count(b'"kind": "patrol.run_done"')
        finally:
            engine.send_signal(signal.SIGTERM)
            try:
                engine.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(engine.pid, signal.SIGKILL)
                engine.wait(5)
            log.close()
            server.shutdown()
            server.server_close()
    return IdleResult(agents, wall, hits, 100.0 * cpu / wall, rss, runs, len(others))


def main(argv: list[str] | None = None) -> int:
    """Run one window and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--patrol-every", type=float, default=None, help="patrol interval in seconds for the run")
    args = parser.parse_args(argv)
    r = measure(args.agents, args.seconds, args.patrol_every)
    print(f"{r.agents} idle agents, {r.seconds:.0f} s: model calls {r.model_calls}, engine CPU {r.cpu_pct:.2f}% "
          f"of a core, RSS {r.rss_mb:.1f} MB, {r.patrol_runs} patrol runs, {r.other_children} other child processes")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def bench_rows(agents: int, *, quick: bool) -> list[object]:
    """Rows for `gastown bench`: quick = 20 s with patrols every 5 s; full = 10 minutes at the town's intervals."""
    from gastown_tui.bench.run import Row

    seconds, every = (20.0, 5.0) if quick else (600.0, None)
    r = measure(agents, seconds, every)
    window = f"{agents} idle agents, {r.seconds:.0f} s, {r.patrol_runs} patrol runs"
    return [Row("model calls by engine + patrols, idle", str(r.model_calls), "target 0", "", window),
            Row(f"engine CPU, {agents} idle agents", f"{r.cpu_pct:.2f} %", "of one core", "", window),
            Row(f"engine RSS, {agents} idle agents", f"{r.rss_mb:.1f} MB", "", "",
                f"{r.other_children} non-agent child processes seen (polled 4/s)")]
