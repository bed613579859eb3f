"""TUI benchmark (not a test): the real app in an outer pseudo-terminal we own, against tmux showing the same panes.

`python -m gastown_tui.bench.tui_bench [--agents 30] [--beads 10000] [--seconds 10]`

The app is measured twice in one run: attached to the town's engine daemon over the socket (the product), and
with the engine on the app's own loop through an InProcessClient (the design it replaced), so ratios compare
like with like; for the socket side, bytes/s a client receives over the socket is measured too.

A town gets `--agents` polecats over two rigs, each hooked to a bead and running a streamer runtime (a `python -c`
program: coloured log lines at a rate read from `.gastown/bench-rate`, bytes/s, so idle/active is switched live;
row 1 is a status line outside its scroll region where it prints `KEY[<byte>]` for every key it receives), plus
`--beads` synthetic beads. Then, for `gastown tui --layout 2x2` and for a tmux client attached to a 2x2 split of the
same streamers (the other panes in a second window), both at 200x60 in a PTY this process reads:

* first paint: spawn -> the app's footer is on the outer screen;
* bytes/s written to the outer terminal with every agent idle (rate 0) and active (rate 20 KB/s each);
* key-to-screen latency: write one key to the outer PTY, time until `KEY[k]` is on the emulated outer screen.

The outer output is read by a thread and fed at once to our TerminalScreen, so latency is not quantised by batching.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

COLS, ROWS = 200, 60
RATE_FILE = "bench-rate"
STREAMER = r'''
import os, select, sys, time, tty
rate_file = sys.argv[1]
plain = sys.argv[2:] == ["plain"]  # no status line: the log scrolls the whole screen (into scrollback)
try:
    tty.setraw(0)  # keys arrive one by one and the kernel does not echo them: the program draws them
except Exception:
    pass
out = os.write
words = b"alpha beta gamma delta request handler worker session bead convoy merged queue patrol".split()
colours = [b"\x1b[32mINFO \x1b[0m", b"\x1b[33mWARN \x1b[0m", b"\x1b[1;31mERROR\x1b[0m", b"\x1b[2mDEBUG\x1b[0m"]
size, rate, n, next_tick, next_poll, budget = None, 0.0, 0, time.monotonic(), 0.0, 0.0
while True:
    now = time.monotonic()
    if now >= next_poll:
        try:
            rate = float(open(rate_file).read() or 0)
        except (OSError, ValueError):
            rate = 0.0
        next_poll = now + 0.5
        current = os.get_terminal_size(1)
        if current != size:  # (re)claim row 1 as the status line; the log scrolls below it
            size = current
            if not plain:
                out(1, b"\x1b[2J\x1b[2;%dr\x1b[%d;1H" % (size.lines, size.lines))
    ready, _, _ = select.select([0], [], [], max(0.0, min(next_tick, next_poll) - now))
    if ready:
        data = os.read(0, 64)
        if not data:
            break
        out(1, b"\x1b7\x1b[1;1HKEY[" + data[-1:] + b"]\x1b[K\x1b8")
        continue
    if time.monotonic() >= next_tick:
        budget += rate * 0.05
        chunk = []
        while budget > 0:
            n += 1
            line = b"2026-11-24 10:%02d:%02d.%03d %s \x1b[36mmod%d\x1b[0m: %s\r\n" % (
                n // 6000 % 60, n // 100 % 60, n % 1000, colours[n % 4], n % 20,
                b" ".join(words[(n * 7 + k) % len(words)] for k in range(3 + n % 9)))
            if n % 7 == 0:
                line = line[:-2] + b" \x1b[38;2;%d;%d;%dmrgb\x1b[0m\r\n" % (n % 256, n * 3 % 256, n * 7 % 256)
            chunk.append(line)
            budget -= len(line)
        if chunk:
            out(1, b"".join(chunk))
        next_tick += 0.05
        if next_tick < time.monotonic() - 1:
            next_tick = time.monotonic()
'''


def streamer_argv(rate_file: Path, *, plain: bool = False) -> list[str]:
    """argv of one streamer (the town runtime and tmux get the same program); `plain`: no status line."""
    return [sys.executable, "-c", STREAMER, str(rate_file), *(["plain"] if plain else [])]


def set_rate(town_root: Path, bytes_per_s: float) -> None:
    """Tell every streamer of the town how fast to write (they poll the file twice a second)."""
    (town_root / ".gastown" / RATE_FILE).write_text(str(bytes_per_s))


# ---- the town ---------------------------------------------------------------------------------------------------
def build_town(root: Path, agents: int, beads: int) -> Path:
    """A town with two rigs, `agents` hooked polecats on the streamer runtime (not started) and `beads` beads."""
    from gastown_tui.agents.sling import sling
    from gastown_tui.bench.ledger_bench import synth_jsonl
    from gastown_tui.ledger import Ledger
    from gastown_tui.town import add_rig, install_town, load_town_config

    town = install_town(root / "town", name="bench").town
    for rig, prefix in (("alpha", "al"), ("beta", "be")):
        src = root / f"src-{rig}"
        src.mkdir()
        for args in (["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "initial"]):
            subprocess.run(["git", *args], cwd=src, check=True, capture_output=True,
                           env={**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b",
                                "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@b"})
        add_rig(town, rig, str(src), prefix=prefix)
    config = load_town_config(town)
    config.set("default_runtime", "bench-streamer")
    config.set("scheduler.max_polecats", agents + 5)
    config.save()
    # [runtimes.bench-streamer] appended as text: a nested table with a long string is simplest this way.
    runtime = {"command": streamer_argv(town.runtime / RATE_FILE), "prompt_mode": "none", "hooks": "none",
               "process_names": ["python3", "python"], "screen": "shell", "accepts_typing": False}
    with town.town_toml.open("a") as handle:
        handle.write("\n[runtimes.bench-streamer]\n")
        for key, value in runtime.items():
            handle.write(f"{key} = {json.dumps(value)}\n")
    set_rate(town.root, 0)
    with Ledger.open(town) as ledger:
        if beads:
            source = root / "synth.jsonl"
            # The synthetic mix labels some beads gt:agent; an agent record whose title is not an address stops
            # the engine from starting (reported bug), so relabel them: this bench measures the UI, not that.
            source.write_bytes(synth_jsonl(beads).replace(b'"gt:agent"', b'"area:agents"'))
            ledger.import_jsonl(source, prefix="bd")
        for n in range(agents):
            rig, prefix = (("alpha", "al"), ("beta", "be"))[n % 2]
            bead = ledger.create(f"Stream {n}", prefix=prefix)
            sling(town, ledger, bead.id, rig, actor="overseer", start=False)
    return town.root


# ---- an outer terminal we own -----------------------------------------------------------------------------------
@dataclass
class Outer:
    """A program in a 200x60 PTY; a thread reads its output, counts bytes and emulates the screen."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path | None = None
    bytes_total: int = 0
    first_byte_at: float | None = None
    _watch: tuple[str, threading.Event, list[float]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Outer:
        """Spawn and start reading."""
        from ptyprocess import PtyProcess

        from gastown_tui.terminal import TerminalScreen

        self.screen = TerminalScreen(COLS, ROWS, scrollback=0)
        self.started_at = time.perf_counter()
        self.proc = PtyProcess.spawn(self.argv, env=self.env, cwd=str(self.cwd) if self.cwd else None,
                                     dimensions=(ROWS, COLS))
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        return self

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.proc.fd, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            with self._lock:
                self.first_byte_at = self.first_byte_at or now
                self.bytes_total += len(data)
                self.screen.feed(data)
                watch = self._watch
                if watch is not None and any(watch[0] in line for line in self.screen.display):
                    watch[2].append(now)
                    self._watch = None
                    watch[1].set()

    def text(self) -> str:
        """The emulated outer screen."""
        with self._lock:
            return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float) -> float | None:
        """Seconds from spawn until `needle` is on the screen (None on timeout)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if needle in self.text():
                return time.perf_counter() - self.started_at
            time.sleep(0.01)
        return None

    def key_latency(self, key: bytes, timeout: float = 5.0) -> float | None:
        """Write `key`; seconds until `KEY[<key>]` is on the outer screen (None on timeout)."""
        done, stamp = threading.Event(), []
        with self._lock:
            self._watch = (f"KEY[{key.decode()}]", done, stamp)
        start = time.perf_counter()
        os.write(self.proc.fd, key)
        if not done.wait(timeout):
            with self._lock:
                self._watch = None
            return None
        return stamp[0] - start

    def rate(self, seconds: float) -> float:
        """Bytes per second the program writes to its terminal over the next `seconds`."""
        with self._lock:
            before = self.bytes_total
        time.sleep(seconds)
        with self._lock:
            return (self.bytes_total - before) / seconds

    def stop(self) -> None:
        """Terminate (then kill) the program."""
        try:
            self.proc.terminate(force=True)
        except Exception:  # noqa: BLE001 - already gone
            pass


def _env(town_root: Path) -> dict[str, str]:
    return {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8",
            "GT_TOWN": str(town_root)}


def _latencies(outer: Outer, samples: int) -> list[float]:
    """`samples` key-to-screen latencies (ms), keys a..z in turn at jittered ~15 Hz."""
    rng = random.Random(7)
    out = []
    letters = "abcdefghijklmnopqrstuvwxyz"
    for n in range(samples):
        value = outer.key_latency(letters[n % 26].encode())
        if value is not None:
            out.append(value * 1000)
        time.sleep(0.04 + rng.random() * 0.05)
    return out


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


@dataclass
class Result:
    """What one side (app through the socket, app in-process, or tmux) measured."""

    name: str
    first_paint_s: float | None = None
    first_output_s: float | None = None
    first_live_s: float | None = None
    """Spawn -> an agent's output in a pane (for the socket app: attaching to the running engine included)."""
    idle_bps: float = 0.0
    active_bps: float = 0.0
    socket_idle_bps: float | None = None
    socket_active_bps: float | None = None
    """Bytes/s one attached client (viewing the 4 visible panes) receives from the engine."""
    latencies_ms: list[float] = field(default_factory=list)
    engine_latencies_ms: list[float] = field(default_factory=list)
    """Socket side only: key -> PaneUpdate at a bare client (the engine's share, no UI)."""
    keys_sent: int = 0
    notes: list[str] = field(default_factory=list)

    def p(self, q: float) -> float | None:
        """Latency percentile in ms."""
        return percentile(self.latencies_ms, q) if self.latencies_ms else None

    def engine_p(self, q: float) -> float | None:
        """Engine-only latency percentile in ms."""
        return percentile(self.engine_latencies_ms, q) if self.engine_latencies_ms else None


GASTOWN = "from gastown_tui.cli.main import gastown_main; gastown_main()"
IN_PROCESS = "from gastown_tui.bench.tui_bench import in_process_main; in_process_main()"


def in_process_main() -> None:
    """`python -c IN_PROCESS TOWN`: the app with the engine on its own loop (the old design), for comparison.

    Same app, same ClientPort; the port's client is an InProcessClient on the engine's dispatcher instead of a
    socket, and the engine starts and stops with the app.
    """
    import asyncio

    from gastown_tui.engine import Engine, api
    from gastown_tui.gc_tuning import freeze_startup_heap, tune_for_interactive
    from gastown_tui.town.paths import TownPaths
    from gastown_tui.ui.app import GastownApp
    from gastown_tui.ui.bridge import local_hms
    from gastown_tui.ui.engine_port import ClientPort

    engine = Engine(TownPaths(Path(sys.argv[1])))

    async def connect() -> api.EngineClient:
        await engine.start()
        await asyncio.sleep(0)
        return api.InProcessClient(engine.dispatcher)

    class OwnEngine(ClientPort):
        async def stop(self) -> None:
            await super().stop()
            await engine.stop()

    app = GastownApp(OwnEngine(connect, time_format=local_hms), layout="2x2", freeze_heap=True)
    freeze_startup_heap()
    tune_for_interactive()
    app.run()


def socket_rate(sock: Path, addresses: list[str], seconds: float) -> float:
    """Bytes/s a client viewing `addresses` receives from the engine over `seconds` (after the snapshots)."""
    import asyncio

    from gastown_tui.engine import api

    async def measure() -> float:
        client = await api.SocketClient.connect(sock, name="bench")
        try:
            for address in addresses:
                await client.call(api.ViewPane(address, 98, 28))
            drain = asyncio.get_running_loop().create_task(_drain(client))
            await asyncio.sleep(0.5)
            before = client.bytes_in
            await asyncio.sleep(seconds)
            rate = (client.bytes_in - before) / seconds
            drain.cancel()
            return rate
        finally:
            await client.close()
    return asyncio.run(measure())


def engine_key_latency(sock: Path, address: str, samples: int) -> list[float]:
    """Key-to-PaneUpdate latencies (ms) at a bare socket client: the engine's share of key-to-screen (no UI)."""
    import asyncio

    from gastown_tui.engine import api

    async def measure() -> list[float]:
        client = await api.SocketClient.connect(sock, name="bench-keys")
        screen = api.RemoteScreen(await client.call(api.ViewPane(address)))
        await client.call(api.FocusPane(address))
        waiting: list[tuple[str, asyncio.Future[float], float]] = []

        async def follow() -> None:
            async for event in client.events():
                if isinstance(event, api.PaneUpdate) and event.address == address:
                    screen.apply(event)
                    text = "\n".join(screen.display)
                    for needle, future, started in waiting:
                        if needle in text and not future.done():
                            future.set_result((time.perf_counter() - started) * 1000)
        task = asyncio.get_running_loop().create_task(follow())
        out = []
        try:
            for n in range(samples):
                key = "abcdefghijklmnopqrstuvwxyz"[n % 26]
                future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
                waiting[:] = [(f"KEY[{key}]", future, time.perf_counter())]
                await client.call(api.TypeKeys(address, key.encode()))
                try:
                    out.append(await asyncio.wait_for(future, 5))
                except asyncio.TimeoutError:
                    pass
                await asyncio.sleep(0.05)
        finally:
            task.cancel()
            await client.close()
        return out
    return asyncio.run(measure())


async def _drain(client: object) -> None:
    async for _ in client.events():  # type: ignore[attr-defined]
        pass


def bench_app(town_root: Path, agents: int, seconds: float, samples: int, settle: float = 12.0, *,
              in_process: bool = False) -> Result:
    """The real app with every agent of the town running: attached to the engine daemon over the socket (the
    engine is started first and keeps running), or with the engine inside the app (`in_process`)."""
    from gastown_tui.engine import api
    from gastown_tui.engine.api.daemon import ensure_engine, socket_path

    result = Result("gastown tui (in-process engine)" if in_process else "gastown tui (socket)")
    sock = socket_path(town_root)
    expected = _starts(town_root) + agents  # every agent is (re)started by the engine this side uses
    if not in_process:
        ensure_engine(town_root)
        _wait_sessions(town_root, expected, 90)
    set_rate(town_root, 20_000)  # agents print at once: first_live is the first agent text in a pane
    code = IN_PROCESS if in_process else GASTOWN
    argv = [sys.executable, "-c", code, str(town_root)] if in_process else \
        [sys.executable, "-c", code, "--town", str(town_root), "tui", "--layout", "2x2"]
    outer = Outer(argv, _env(town_root)).start()
    try:
        result.first_paint_s = outer.wait_for("Sling", 60)  # the footer: the first full frame is on screen
        result.first_output_s = outer.first_byte_at - outer.started_at if outer.first_byte_at else None
        result.first_live_s = outer.wait_for("INFO", 90)
        _wait_sessions(town_root, expected, 90)
        set_rate(town_root, 0)
        # Agents that printed at start-up turn from working to idle after a quiet spell; that repaint is a state
        # change, not idle output, so wait it out before measuring steady idle.
        time.sleep(settle)
        visible = [] if in_process else _visible_agents(sock, 4)
        result.idle_bps = outer.rate(seconds)
        if not in_process:
            result.socket_idle_bps = socket_rate(sock, visible, seconds)
        set_rate(town_root, 20_000)
        time.sleep(1.5)
        result.active_bps = outer.rate(seconds)
        if not in_process:
            result.socket_active_bps = socket_rate(sock, visible, seconds)
        os.write(outer.proc.fd, b"i")  # focus the current terminal pane: keys now go to that agent
        time.sleep(0.5)
        result.keys_sent = samples
        result.latencies_ms = _latencies(outer, samples)
        if not result.latencies_ms:
            result.notes.append("no key reached the screen; last screen:\n" + outer.text()[-3000:])
        if not in_process and visible:
            result.engine_latencies_ms = engine_key_latency(sock, visible[-1], samples)
    finally:
        set_rate(town_root, 0)
        outer.stop()
        if not in_process:
            try:
                api.call_sync(sock, api.StopEngine())
            except Exception:  # noqa: BLE001 - already gone
                pass
            _wait_engine_gone(town_root)
    return result


def _visible_agents(sock: Path, count: int) -> list[str]:
    """The first `count` agents (what a 2x2 layout shows)."""
    from gastown_tui.engine import api

    rows = api.call_sync(sock, api.GetStatus()).agents
    return [row.address for row in rows if row.pid][:count]


def _wait_engine_gone(town_root: Path, timeout: float = 30.0) -> None:
    """Until the engine's lock is free (its agents are stopped too)."""
    import fcntl

    lock = town_root / ".gastown" / "engine.lock"
    deadline = time.time() + timeout
    while time.time() < deadline and lock.exists():
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
        time.sleep(0.1)


def _starts(town_root: Path) -> int:
    """session.start events in the town's feed so far."""
    events = town_root / ".gastown" / "events.jsonl"
    lines = events.read_text().splitlines() if events.exists() else []
    return sum(1 for line in lines if '"session.start"' in line)


def _wait_sessions(town_root: Path, count: int, timeout: float) -> None:
    """Until `count` session.start events are in the feed."""
    deadline = time.time() + timeout
    while time.time() < deadline and _starts(town_root) < count:
        time.sleep(0.2)


def bench_tmux(town_root: Path, agents: int, seconds: float, samples: int) -> Result | None:
    """tmux with the same streamers: a 2x2 split in the visible window, the rest in a second window."""
    if shutil.which("tmux") is None:
        return None
    result = Result("tmux 2x2")
    sock = f"gtbench-{uuid.uuid4().hex[:8]}"
    base = ["tmux", "-L", sock, "-f", "/dev/null"]
    rate_file = town_root / ".gastown" / RATE_FILE
    cmd = " ".join(f"'{a}'" if a != STREAMER else "\"$GT_STREAMER\"" for a in streamer_argv(rate_file))
    env = {**_env(town_root), "GT_STREAMER": STREAMER}
    def run(*a: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*base, *a], env=env, check=True, capture_output=True)
    try:
        run("new-session", "-d", "-s", "bench", "-x", str(COLS), "-y", str(ROWS), cmd)
        run("set-option", "-g", "status", "on")
        run("split-window", "-h", "-t", "bench:0", cmd)
        run("split-window", "-v", "-t", "bench:0.0", cmd)
        run("split-window", "-v", "-t", "bench:0.2", cmd)
        run("new-window", "-d", "-t", "bench:1", cmd)
        for _ in range(agents - 5):
            run("split-window", "-d", "-t", "bench:1", cmd)
            run("select-layout", "-t", "bench:1", "tiled")
        run("select-pane", "-t", "bench:0.0")
        outer = Outer([*base, "attach-session", "-t", "bench"], env).start()
        try:
            result.first_paint_s = outer.wait_for("[bench]", 30)
            set_rate(town_root, 0)
            time.sleep(2.5)
            result.idle_bps = outer.rate(seconds)
            set_rate(town_root, 20_000)
            time.sleep(1.5)
            result.active_bps = outer.rate(seconds)
            result.keys_sent = samples
            result.latencies_ms = _latencies(outer, samples)
        finally:
            set_rate(town_root, 0)
            outer.stop()
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, check=False)
    return result


def run_all(agents: int, beads: int, seconds: float, samples: int,
            settle: float = 12.0) -> tuple[Result, Result, Result | None]:
    """Build a town, measure the app through the socket, the app with the engine in-process, then tmux."""
    with tempfile.TemporaryDirectory(prefix="gt-tui-bench-") as tmp:
        town_root = build_town(Path(tmp), agents, beads)
        app = bench_app(town_root, agents, seconds, samples, settle)
        local = bench_app(town_root, agents, seconds, samples, settle, in_process=True)
        tmux = bench_tmux(town_root, agents, seconds, samples)
    return app, local, tmux


def main(argv: list[str] | None = None) -> int:
    """Run and print both sides."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=30)
    parser.add_argument("--beads", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args(argv)
    for r in run_all(args.agents, args.beads, args.seconds, args.samples):
        if r is None:
            continue
        print(f"{r.name}: first paint {r.first_paint_s}, first live {r.first_live_s}, idle {r.idle_bps:.0f} B/s, "
              f"active {r.active_bps:.0f} B/s, socket idle {r.socket_idle_bps} active {r.socket_active_bps} B/s, "
              f"latency p50 {r.p(50)} p99 {r.p(99)} ms ({len(r.latencies_ms)}/{r.keys_sent}); engine only p50 "
              f"{r.engine_p(50)} p99 {r.engine_p(99)} ms")
        for note in r.notes:
            print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
