"""Running the engine (`gastown engine run`, foreground or `--daemon`): start, wait, stop.

Both ways ignore SIGHUP: the engine owns every agent, and a closed terminal or SSH drop must not take them down.
It stops on SIGTERM or SIGINT (Ctrl+C in a foreground run), or when a client sends StopEngine.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from gastown_tui.town.paths import TownPaths

log = logging.getLogger(__name__)


async def _main(town: TownPaths, patrols: bool, daemon: bool) -> None:
    """Start the engine and keep it up until a stop signal or a StopEngine command."""
    from gastown_tui.engine.engine import Engine

    engine = Engine(town, patrols=patrols)
    await engine.start()
    from gastown_tui.gc_tuning import freeze_startup_heap, tune_for_interactive

    freeze_startup_heap()  # the ledger and sessions loaded at start live for the whole run: keep GC off them
    # The engine now carries every keystroke's echo (it left the TUI's process, and its GC tuning with it): with
    # default thresholds its collections stalled echoes by up to ~0.8 s (bench p99) while 30 agents streamed.
    tune_for_interactive()
    mode = "background" if daemon else "foreground"
    print(f"engine running ({mode}, pid {os.getpid()}) for {town.root} (socket {town.engine_sock})", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # A handler, not SIG_IGN: an ignored signal stays ignored across exec, so every agent spawned afterwards
    # would ignore SIGHUP too and outlive its PTY when the engine dies. A handler resets to default on exec.
    loop.add_signal_handler(signal.SIGHUP, lambda: log.warning("SIGHUP ignored: the agents keep running"))
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(engine.stopped.wait())]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await engine.stop()
        if engine.ledger is not None:
            engine.ledger.shutdown()
        print(f"engine stopped ({engine.stop_reason or 'signal'})", flush=True)


def run_engine(town: TownPaths, *, patrols: bool = True, log_level: str = "WARNING", daemon: bool = False) -> int:
    """Blocking entry point; returns the exit code."""
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.WARNING), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_main(town, patrols, daemon))
    return 0
