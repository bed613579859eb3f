"""PtySession: spawning, I/O, resize, replies, transcript, exit status, and robustness under bad or huge output."""

from __future__ import annotations

import asyncio
import random
import signal
import stat
import sys
import time
from pathlib import Path

import pytest

from gastown_tui.terminal import PtySession, TerminalScreen

pytestmark = pytest.mark.timeout(30)
PY = sys.executable


async def run_to_exit(argv: list[str], timeout: float = 10, **kw: object) -> PtySession:
    session = PtySession(argv, **kw)  # type: ignore[arg-type]
    await session.start()
    status = await session.wait(timeout)
    assert status is not None, "child did not exit"
    return session


async def wait_for(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


class LagMeter:
    """A ticker task that records the worst event-loop lag while it runs.

    ``worst`` is measured in this thread's CPU time, so it counts time our own callbacks hold the loop but not
    time the OS gave our 2 shared cores to other processes; ``worst_wall`` (wall clock) is kept as a coarse guard
    against sleeping syscalls on the loop (such as ptyprocess's 0.1 s sleep in close()).
    """

    def __init__(self, period: float = 0.005) -> None:
        self.period = period
        self.worst = 0.0
        self.worst_wall = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            wall, cpu = time.perf_counter(), time.thread_time()
            await asyncio.sleep(self.period)
            self.worst_wall = max(self.worst_wall, time.perf_counter() - wall - self.period)
            self.worst = max(self.worst, time.thread_time() - cpu)

    def check(self) -> None:
        """Assert the loop was never blocked by us for more than 50 ms."""
        assert self.worst < 0.05, f"event loop blocked for {self.worst * 1000:.0f} ms of CPU"
        assert self.worst_wall < 0.25, f"event loop stalled for {self.worst_wall * 1000:.0f} ms (wall clock)"

    def __enter__(self) -> LagMeter:
        # The app and the engine freeze their start-up heap (gastown_tui.gc_tuning) so a full collection never
        # walks it; do the same here, or the test would time pytest's own heap being collected (100-200 ms late
        # in a full run), not the session host.
        from gastown_tui.gc_tuning import freeze_startup_heap

        freeze_startup_heap()
        self._task = asyncio.ensure_future(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def test_output_exit_status_callbacks_and_transcript(tmp_path: Path) -> None:
    outputs: list[bytes] = []
    exited: list[int | None] = []
    transcript = tmp_path / "logs" / "t.log"
    session = await run_to_exit([PY, "-c", "print('hello'); import sys; sys.exit(7)"], transcript=transcript,
                                on_output=lambda s, d: outputs.append(d),
                                on_exit=lambda s: exited.append(s.exit_status))
    assert session.exit_status == 7 and exited == [7] and not session.alive
    assert session.screen.display[0].rstrip() == "hello"
    assert b"hello" in b"".join(outputs) and session.last_output_at is not None
    assert stat.S_IMODE(transcript.stat().st_mode) == 0o600
    assert transcript.read_bytes() == b"hello\r\n"


async def test_environment_and_cwd(tmp_path: Path) -> None:
    code = "import os; print(os.environ['TERM'], os.environ['COLORTERM'], os.environ['GT_AGENT'], os.getcwd())"
    session = await run_to_exit([PY, "-c", code], env={"GT_AGENT": "nux"}, cwd=tmp_path, cols=120)
    assert session.screen.display[0].split() == ["xterm-256color", "truecolor", "nux", str(tmp_path)]


async def test_child_that_exits_at_once_and_signals() -> None:
    assert (await run_to_exit(["true"])).exit_status == 0
    session = PtySession(["sleep", "30"])
    await session.start()
    session.signal(signal.SIGTERM)
    assert await session.wait(5) == -signal.SIGTERM
    with pytest.raises(FileNotFoundError):
        await PtySession(["/nonexistent/program"]).start()


async def test_write_echo_resize_and_stop() -> None:
    session = PtySession(["sh"], cols=50, rows=8, env={"PS1": "$ "})
    await session.start()
    session.write(b"stty size\r")
    await wait_for(lambda: any("8 50" in line for line in session.screen.display))
    session.resize(70, 12)
    assert (session.screen.cols, session.screen.rows) == (70, 12)
    session.write(b"stty size\r")
    await wait_for(lambda: any("12 70" in line for line in session.screen.display))
    assert await session.stop(grace=2) is not None and not session.alive


async def test_replies_reach_the_child() -> None:
    code = ("import sys,tty,os; tty.setraw(0); os.write(1, b'\\x1b[3;7H\\x1b[6n'); r=b''\n"
            "while not r.endswith(b'R'): r += os.read(0, 1)\n"
            "os.write(1, b'\\r\\ngot ' + r[1:])")
    session = await run_to_exit([PY, "-c", code])
    assert any("got [3;7R" in line for line in session.screen.display)


async def test_paste_is_bracketed_when_enabled() -> None:
    code = ("import sys,tty,os; tty.setraw(0); os.write(1, b'\\x1b[?2004hready'); r=b''\n"
            "while not r.endswith(b'\\x1b[201~'): r += os.read(0, 64)\n"
            "os.write(1, b'\\r\\n' + repr(r).encode())")
    session = PtySession([PY, "-c", code])
    await session.start()
    await wait_for(lambda: session.screen.modes.bracketed_paste)
    session.paste("a\nb")
    await session.wait(5)
    assert any(r"\x1b[200~a\rb\x1b[201~" in line for line in session.screen.display)


async def test_invalid_utf8_unknown_escapes_and_a_1mb_line() -> None:
    junk = (b"\xff\xfe\xc3(\xe2\x82 ok \x1b[?9999h\x1b[999;999;999z\x1bP1$r\x1b\\\x1b]777;notify;x\x07"
            b"\x1b[>4;2m\x1b[=5u\x1b[?u\x1b[2 q\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b%G\x1b[38;2m\x1b[48:5m")
    code = (f"import sys; sys.stdout.buffer.write({junk!r}); sys.stdout.buffer.write(b'y' * 1_000_000 + b'\\n');"
            "sys.stdout.flush()")
    with LagMeter() as lag:
        session = await run_to_exit([PY, "-c", code], cols=100, rows=30, timeout=20, scrollback=20_000)
    assert session.exit_status == 0
    first = session.screen.history_text(0)
    assert "\ufffd" in first and "ok" in first and "link" in first
    assert session.screen.scrollback_lines == 1_000_000 // 100 - 28
    assert set(session.screen.display[-2].rstrip()) == {"y"}
    lag.check()


async def test_flood_never_blocks_the_loop() -> None:
    session = PtySession(["yes", "flood of output from an agent"], cols=120, rows=40, scrollback=2000)
    await session.start()
    with LagMeter() as lag:
        await asyncio.sleep(2.0)
    await session.stop(grace=2)
    assert session.screen.scrollback_lines == 2000
    lag.check()


def test_random_bytes_never_crash_the_screen() -> None:
    rng = random.Random(2026)
    alphabet = b"\x1b[];?:0123456789mHJKABCDhlrSTPX@LMbcn\x07\x08\t\n\r\x0e\x0f\x9b\xc3\xa9\xe4\xb8\xad\xf0\x9f"
    screen = TerminalScreen(30, 8, scrollback=50)
    for _ in range(200):
        screen.feed(bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 600))))
        screen.take_dirty()
        screen.take_replies()
        rows = screen.rows
        assert len(screen.display) == rows
        assert all(len(screen.row(y)) == screen.cols for y in range(rows))
        if rng.random() < 0.05:
            screen.resize(rng.randrange(5, 40), rng.randrange(2, 12))
