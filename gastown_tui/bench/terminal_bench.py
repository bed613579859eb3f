"""Terminal benchmark (not a test): ``python -m gastown_tui.bench.terminal_bench [--mb 40]``; ``gastown bench``
prints the same rows (``bench_rows``).

From one run on one machine: feed throughput of our TerminalScreen (libghostty-vt) and of tmux, both per CPU
second, on a deterministic coloured log; stock pyte on a prefix as the reference line (only with the ``bench``
extra installed); the cost of building a full 200x60 frame (rows decoded from the emulator, then Strips); and the
memory of an idle screen holding 10k lines of scrollback once compacted (RSS, measured in a fresh process).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from gastown_tui.terminal import TerminalScreen

COLS, ROWS = 200, 60
CHUNK = 65536
_LEVELS = [("\x1b[32m", "INFO "), ("\x1b[33m", "WARN "), ("\x1b[1;31m", "ERROR"), ("\x1b[2m", "DEBUG")]
_WORDS = ("alpha beta gamma delta request handler worker session bead convoy merged queue patrol refinery "
          "witness deacon polecat sling nudge hook").split()
BenchRow = tuple[str, str, str, str, str]  # what, value, compared with, ratio, note (run.py's table columns)


def coloured_log(size: int, seed: int = 1) -> bytes:
    """A deterministic agent-style log: timestamps, levels, module names, 16/256/true colour, some Unicode."""
    rng = random.Random(seed)
    out: list[str] = []
    total = i = 0
    while total < size:
        colour, level = _LEVELS[rng.randrange(4)]
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(3, 14)))
        line = (f"2026-11-24 10:{i // 6000 % 60:02d}:{i // 100 % 60:02d}.{i % 1000:03d} {colour}{level}\x1b[0m "
                f"\x1b[36mgastown.mod{rng.randrange(20)}\x1b[0m: {words}")
        if i % 7 == 0:
            line += f" \x1b[38;2;{rng.randrange(256)};{rng.randrange(256)};{rng.randrange(256)}mrgb\x1b[0m"
        if i % 11 == 0:
            line += f" \x1b[38;5;{rng.randrange(256)}m256\x1b[0m"
        if i % 13 == 0:
            line += " \u2714 done \u4e2d\u6587"
        line += "\r\n"
        out.append(line)
        total += len(line.encode())
        i += 1
    return "".join(out).encode()


def _timed(feed: Callable[[bytes], None], data: bytes) -> float:
    """MB per CPU second for feeding ``data`` in PTY-sized chunks."""
    gc.collect()
    start = time.process_time()  # CPU time: the cores are shared, wall time would measure the neighbours
    for i in range(0, len(data), CHUNK):
        feed(data[i:i + CHUNK])
    return len(data) / (time.process_time() - start) / 1e6


def bench_ours(data: bytes) -> float:
    """Our TerminalScreen (10k lines of scrollback)."""
    screen = TerminalScreen(COLS, ROWS, scrollback=10_000)
    try:
        return _timed(screen.feed, data)
    finally:
        screen.close()


def bench_pyte(data: bytes) -> float | None:
    """Stock pyte ``Screen`` behind pyte's ByteStream (the emulator we replaced), if the bench extra is installed."""
    try:
        pyte = importlib.import_module("pyte")
    except ImportError:
        return None
    screen = pyte.Screen(COLS, ROWS)
    return _timed(pyte.ByteStream(screen).feed, data)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_tmux(path: Path, size: int) -> float | None:
    """MB per CPU second of the tmux server while a pane ``cat``s the file (the server's own CPU time)."""
    if shutil.which("tmux") is None or not Path("/proc/self/stat").exists():
        return None
    sock = f"gtbench-{uuid.uuid4().hex[:8]}"
    base = ["tmux", "-L", sock, "-f", "/dev/null"]
    env = dict(os.environ, LANG="C.UTF-8")
    try:
        subprocess.run([*base, "new-session", "-d", "-x", str(COLS), "-y", str(ROWS),
                        (f"tmux -L {sock} wait-for gtbench-go; cat {path}; tmux -L {sock} wait-for -S gtbench-done;"
                         " sleep 30")], env=env, check=True)
        pid = int(subprocess.run([*base, "display", "-p", "#{pid}"], env=env, capture_output=True, text=True,
                                 check=True).stdout.strip())
        before = _cpu_seconds(pid)
        subprocess.run([*base, "wait-for", "-S", "gtbench-go"], env=env, check=True)
        subprocess.run([*base, "wait-for", "gtbench-done"], env=env, check=True, timeout=600)
        return size / (_cpu_seconds(pid) - before) / 1e6
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, check=False)


def bench_frame(data: bytes, runs: int = 20) -> tuple[float, float]:
    """CPU ms for a full 200x60 frame: (rows decoded from the emulator, rows turned into Strips)."""
    # The bench is a developer tool, not domain code: it may load the widget module to time the real renderer.
    render = importlib.import_module("widgets.terminal_render")
    screen = TerminalScreen(COLS, ROWS)
    screen.feed(data[:400_000])
    decode = strips = 0.0
    for _ in range(runs):
        screen.resize(COLS - 1, ROWS)  # a resize invalidates every row: the next read decodes the whole frame
        screen.resize(COLS, ROWS)
        start = time.process_time()
        rows = [screen.row(y) for y in range(ROWS)]
        decode += time.process_time() - start
        render._glyph.cache_clear()
        render._style.cache_clear()
        start = time.process_time()
        for cells in rows:
            render.cells_to_strip(cells).adjust_cell_length(COLS)
        strips += time.process_time() - start
    screen.close()
    return decode / runs * 1000, strips / runs * 1000


_MEMORY_PROBE = """
import gc, sys
from gastown_tui.bench.terminal_bench import coloured_log, COLS, ROWS
from gastown_tui.terminal import TerminalScreen
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096
lines, k = int(sys.argv[1]), int(sys.argv[2])
data = b"\\r\\n".join(coloured_log(lines * 300).split(b"\\r\\n")[: lines + ROWS]) + b"\\r\\n"
gc.collect()
base = rss()
screens = [TerminalScreen(COLS, ROWS, scrollback=lines) for _ in range(k)]
for s in screens:
    s.feed(data)
raw = rss() - base
for s in screens:
    while s.compact(budget=2000):
        pass
gc.collect()
print(raw / k, (rss() - base) / k, screens[0].scrollback_lines)
"""


def bench_memory(lines: int = 10_000, screens: int = 4) -> tuple[float, float, int]:
    """(bytes right after the flood, bytes once idle and compacted, lines held) per screen, RSS in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(lines), str(screens)], capture_output=True,
                         text=True, check=True, timeout=600).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def bench_rows(log_mb: float, pyte_mb: float) -> list[BenchRow]:
    """The terminal rows of ``gastown bench``, all measured in this run."""
    data = coloured_log(int(log_mb * 1e6))
    ours = bench_ours(data)
    pyte = bench_pyte(data[: int(pyte_mb * 1e6)])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "coloured.log"
        path.write_bytes(data)
        tmux = bench_tmux(path, len(data))
    decode, strips = bench_frame(data)
    raw, idle, held = bench_memory()
    size = f"{len(data) / 1e6:.0f} MB coloured log, {COLS}x{ROWS}, per CPU second"
    def mbs(v: float | None) -> str:
        return "n/a" if v is None else f"{v:,.2f} MB/s"
    return [
        ("terminal feed: ours vs tmux", mbs(ours), f"tmux {mbs(tmux)}", _ratio(ours, tmux),
         f"{size}; tmux = its server's CPU time; target >= 2x"),
        ("terminal feed: stock pyte (reference)", mbs(pyte), f"ours {mbs(ours)}", _ratio(ours, pyte),
         f"pyte 0.8.2 on a {pyte_mb:g} MB prefix" if pyte is not None else "pyte not installed (.[bench] extra)"),
        (f"full frame {COLS}x{ROWS}: rows + Strips", f"{decode + strips:.1f} ms", f"rows {decode:.1f} ms",
         "", f"Strips {strips:.1f} ms; CPU time, cold caches, every row decoded after a resize"),
        (f"memory per idle screen, {held:,} lines", f"{idle / 1e6:.2f} MB", "target <= 3 MB",
         _ratio(idle, 3e6), f"RSS, {COLS} cols, compacted; {raw / 1e6:.1f} MB right after the flood"),
    ]


def _ratio(a: float | None, b: float | None) -> str:
    return "" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def main(argv: list[str] | None = None) -> int:
    """Run everything and print one report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=40.0, help="size of the coloured log (MB)")
    parser.add_argument("--pyte-mb", type=float, default=2.0, help="prefix fed to stock pyte (MB)")
    args = parser.parse_args(argv)
    print(f"terminal bench: python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    for what, value, compare, ratio, note in bench_rows(args.mb, args.pyte_mb):
        print(f"{what:<40} {value:>14}  {compare:<22} {ratio:>7}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
