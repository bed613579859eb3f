"""Running the engine headless in the foreground (`gastown engine run`): start, wait for a signal, stop."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from gastown_tui.town.paths import TownPaths


async def _main(town: TownPaths, patrols: bool) -> None:
    """Start the engine and keep it up until SIGINT or SIGTERM."""
    from gastown_tui.engine.engine import Engine

    engine = Engine(town, patrols=patrols)
    await engine.start()
    from gastown_tui.gc_tuning import freeze_startup_heap

    freeze_startup_heap()  # the ledger and sessions loaded at start live for the whole run: keep GC off them
    print(f"engine running for {town.root} (socket {town.engine_sock})", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await engine.stop()
        if engine.ledger is not None:
            engine.ledger.shutdown()


def run_engine(town: TownPaths, *, patrols: bool = True, log_level: str = "WARNING") -> int:
    """Blocking entry point; returns the exit code."""
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.WARNING), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_main(town, patrols))
    return 0
