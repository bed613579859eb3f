"""``PtySession``: one child process in a pseudo-terminal, read without blocking the asyncio loop.

The child is spawned with pexpect (so the PTY has the pane's real size before the first frame, and the tty keeps its
normal echo: the child, not us, decides what to echo). The master fd is made non-blocking and watched with
``loop.add_reader``; output is batched for ``batch_delay`` (~12 ms), appended to the transcript, fed to the
``TerminalScreen`` in time-boxed slices (a flood never blocks the loop for long) and announced via ``on_output``.
Screen replies (DA/DSR/CPR) are written back. Reading pauses while too much output is queued, which blocks the
child's writes: natural back-pressure.
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal as _signal
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pexpect

from gastown_tui.terminal.screen import TerminalScreen

READ_SIZE = 65536
FEED_SLICE = 4096  # bytes parsed between clock checks
FEED_BUDGET = 0.008  # seconds of parsing per loop turn before yielding
HIGH_WATER = 1 << 20  # stop reading above this much queued output (the child blocks: back-pressure)
IDLE_COMPACT = 1.0  # seconds of quiet before the rest of the scrollback is compressed
ECHO_WINDOW = 0.25  # seconds after a write during which output is treated as its echo and not batched


def child_env(env: Mapping[str, str] | None) -> dict[str, str]:
    """The child's environment: the caller's dict, PATH kept, a 256/true-colour xterm, a UTF-8 locale."""
    out = dict(os.environ if env is None else env)
    out.setdefault("PATH", os.environ.get("PATH", os.defpath))
    out["TERM"] = "xterm-256color"
    out["COLORTERM"] = "truecolor"
    if not any(out.get(k) for k in ("LC_ALL", "LC_CTYPE", "LANG")):
        out["LANG"] = "C.UTF-8"  # without a UTF-8 locale many programs fall back to ASCII output
    return out


class PtySession:
    """A child process in a PTY, with its screen, transcript, callbacks and exit status."""

    def __init__(self, argv: Sequence[str], *, cwd: str | Path | None = None, env: Mapping[str, str] | None = None,
                 cols: int = 80, rows: int = 24, transcript: Path | None = None, scrollback: int = 10_000,
                 batch_delay: float = 0.012, clock: Callable[[], float] = time.monotonic,
                 on_output: Callable[[PtySession, bytes], None] | None = None,
                 on_exit: Callable[[PtySession], None] | None = None) -> None:
        if not argv:
            raise ValueError("argv must name a program")
        self.argv = list(argv)
        self.cwd = str(cwd) if cwd is not None else None
        self.env = child_env(env)
        self.screen = TerminalScreen(cols, rows, scrollback=scrollback)
        self.transcript_path = transcript
        self.batch_delay = batch_delay
        self.on_output = on_output
        self.on_exit = on_exit
        self.last_output_at: float | None = None
        self.exit_status: int | None = None  # exit code, or -signal number, once the child is reaped
        self._clock = clock
        self._child: pexpect.spawn | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fd = -1
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._backlog = b""
        self._flush_handle: asyncio.Handle | None = None
        self._flush_now = False  # the pending flush was scheduled with call_soon (not a batch timer)
        self._compact_handle: asyncio.Handle | None = None
        self._reading = False
        self._eof = False
        self._outbox = bytearray()
        self.typed_at = -1.0  # time.monotonic() of the last write: output right after it is the echo
        self._transcript = None
        self._exited = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------------------------
    async def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Spawn the child and start watching its output."""
        self._loop = loop or asyncio.get_running_loop()
        if self.transcript_path is not None:
            # 0700: transcripts hold everything the agent printed (tokens, paths, code); private to the user
            self.transcript_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.transcript_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.fchmod(fd, 0o600)  # also when the file already existed with wider permissions
            self._transcript = os.fdopen(fd, "ab", buffering=0)
        try:
            self._child = pexpect.spawn(self.argv[0], self.argv[1:], env=self.env, cwd=self.cwd, encoding=None,
                                        dimensions=(self.screen.rows, self.screen.cols))
        except pexpect.ExceptionPexpect as exc:  # "command was not found or was not executable"
            raise FileNotFoundError(str(exc)) from exc
        self._child.ptyproc.delayafterclose = 0  # ptyprocess sleeps 0.1 s in close() by default: not on our loop
        self._child.ptyproc.delayafterterminate = 0
        self._fd = self._child.child_fd
        os.set_blocking(self._fd, False)
        self._resume_reading()

    @property
    def pid(self) -> int | None:
        """Child process id (None before start)."""
        return self._child.pid if self._child is not None else None

    @property
    def alive(self) -> bool:
        """True until the child has exited and been reaped."""
        return self._child is not None and self.exit_status is None and not self._exited.is_set()

    async def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the child to exit; return its status (None on timeout)."""
        try:
            await asyncio.wait_for(self._exited.wait(), timeout)
        except asyncio.TimeoutError:
            return None
        return self.exit_status

    def signal(self, sig: int) -> None:
        """Send a signal to the child's process group (it is a session leader, so that is its job)."""
        if self._child is None or not self.alive:
            return
        try:
            os.killpg(self._child.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(self._child.pid, sig)
            except ProcessLookupError:
                pass

    def terminate(self, force: bool = False) -> None:
        """Ask the child to stop (SIGHUP + SIGTERM, as a closing terminal does) or kill it (``force``)."""
        if force:
            self.signal(_signal.SIGKILL)
        else:
            self.signal(_signal.SIGHUP)
            self.signal(_signal.SIGTERM)

    async def stop(self, grace: float = 2.0) -> int | None:
        """Terminate, wait ``grace`` seconds, then kill; return the exit status."""
        self.terminate()
        status = await self.wait(grace)
        if status is None and self.alive:
            self.terminate(force=True)
            status = await self.wait(grace)
        return status

    # -- input -------------------------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Send bytes to the child (queued without blocking if the PTY is full)."""
        if not data or self._fd < 0 or self._eof:
            return
        self.typed_at = time.monotonic()
        self._outbox += data
        self._drain_outbox()

    def paste(self, text: str) -> None:
        """Paste text: framed as bracketed paste if the child enabled mode 2004; newlines become CR."""
        body = text.replace("\r\n", "\r").replace("\n", "\r")
        if self.screen.modes.bracketed_paste:
            body = body.replace("\x1b[201~", "")  # the payload must not be able to end the paste early
            self.write(b"\x1b[200~" + body.encode() + b"\x1b[201~")
        else:
            self.write(body.encode())

    def resize(self, cols: int, rows: int) -> None:
        """Resize the PTY (the child gets SIGWINCH) and the screen together."""
        cols, rows = max(1, cols), max(1, rows)
        if (cols, rows) == (self.screen.cols, self.screen.rows):
            return
        self.screen.resize(cols, rows)
        if self._child is not None and not self._eof:
            try:
                self._child.setwinsize(rows, cols)
            except OSError:
                pass

    def _drain_outbox(self) -> None:
        """Write as much queued input as the PTY takes; wait for writability for the rest."""
        assert self._loop is not None
        try:
            while self._outbox:
                n = os.write(self._fd, self._outbox)
                del self._outbox[:n]
        except BlockingIOError:
            pass
        except OSError:
            self._outbox.clear()
        if self._outbox:
            self._loop.add_writer(self._fd, self._drain_outbox)
        else:
            self._loop.remove_writer(self._fd)

    # -- output ------------------------------------------------------------------------------------------
    def _resume_reading(self) -> None:
        if not self._reading and not self._eof and self._loop is not None:
            self._loop.add_reader(self._fd, self._on_readable)
            self._reading = True

    def _pause_reading(self) -> None:
        if self._reading and self._loop is not None:
            self._loop.remove_reader(self._fd)
            self._reading = False

    def _on_readable(self) -> None:
        """Read what is there (never blocks); schedule one batched flush."""
        try:
            data = os.read(self._fd, READ_SIZE)
        except BlockingIOError:
            return
        except OSError as exc:  # EIO: the child side closed
            if exc.errno not in (errno.EIO, errno.EBADF):
                raise
            data = b""
        if not data:
            self._on_eof()
            return
        self._pending.append(data)
        self._pending_size += len(data)
        if self._pending_size + len(self._backlog) > HIGH_WATER:
            self._pause_reading()
        assert self._loop is not None
        if self.echo_expected():
            # Someone is typing: show the echo now instead of waiting out the batch (the key-to-screen path).
            if self._flush_handle is not None and not self._flush_now:
                self._flush_handle.cancel()
                self._flush_handle = None
            if self._flush_handle is None:
                self._flush_handle = self._loop.call_soon(self._flush)
                self._flush_now = True
        elif self._flush_handle is None:
            self._flush_handle = self._loop.call_later(self.batch_delay, self._flush)
            self._flush_now = False

    def echo_expected(self) -> bool:
        """True shortly after input was written: the next output is probably its echo."""
        return time.monotonic() - self.typed_at < ECHO_WINDOW

    def _flush(self) -> None:
        """Feed batched output to the screen in time-boxed slices, then notify."""
        assert self._loop is not None
        self._flush_handle = None
        if self._pending:
            chunk = b"".join(self._pending)
            self._pending.clear()
            self._pending_size = 0
            if self._transcript is not None:
                self._transcript.write(chunk)
            self._backlog += chunk
        deadline = time.perf_counter() + FEED_BUDGET
        fed = bytearray()
        while self._backlog and time.perf_counter() < deadline:
            piece, self._backlog = self._backlog[:FEED_SLICE], self._backlog[FEED_SLICE:]
            self.screen.feed(piece)
            fed += piece
        replies = self.screen.take_replies()
        if replies:
            self.write(replies)
        if fed:
            self.last_output_at = self._clock()
            if self.on_output is not None:
                self.on_output(self, bytes(fed))
        if fed:
            self._schedule_compaction()
        if self._backlog:
            self._flush_handle = self._loop.call_soon(self._flush)  # yield to the loop, continue next turn
            self._flush_now = True
        elif self._eof:
            self._finish()
        elif self._pending_size < HIGH_WATER:
            self._resume_reading()

    def _schedule_compaction(self) -> None:
        """Compress new scrollback once output has been quiet for IDLE_COMPACT seconds."""
        assert self._loop is not None
        if self._compact_handle is not None:
            self._compact_handle.cancel()
        self._compact_handle = self._loop.call_later(IDLE_COMPACT, self._compact)

    def _compact(self) -> None:
        """Compress scrollback in small steps (a few ms each) until done."""
        assert self._loop is not None
        self._compact_handle = None
        if self.screen.compact(budget=1000):
            self._compact_handle = self._loop.call_later(0.01, self._compact)

    def _on_eof(self) -> None:
        """The PTY closed: flush what is left, then reap the child."""
        self._pause_reading()
        self._eof = True
        if self._flush_handle is None:
            assert self._loop is not None
            self._flush_handle = self._loop.call_soon(self._flush)

    def _finish(self) -> None:
        """Reap the child (polling briefly if it has closed the PTY but not exited yet)."""
        assert self._loop is not None and self._child is not None
        if self._child.isalive():
            self._loop.call_later(0.02, self._finish)
            return
        if self._child.signalstatus is not None:
            self.exit_status = -self._child.signalstatus
        else:
            self.exit_status = self._child.exitstatus if self._child.exitstatus is not None else 0
        self._loop.remove_writer(self._fd)
        try:
            self._child.close(force=False)
        except Exception:  # noqa: BLE001 - already reaped; closing the fd is all that is left
            pass
        if self._transcript is not None:
            self._transcript.close()
        self._exited.set()
        if self.on_exit is not None:
            self.on_exit(self)
