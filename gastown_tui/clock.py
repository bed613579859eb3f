"""Time as a dependency: the engine and patrols take a Clock so tests drive time instead of sleeping."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """What time-dependent code needs: the current time and a way to wait until later."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        """Seconds since the epoch, from the system."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Really wait."""
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock tests advance by hand; sleepers wake when `advance` passes their deadline."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        """The fake current time."""
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Suspend until `advance` moves the clock past now + seconds."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + max(0.0, seconds), future))
        await future

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking due sleepers in deadline order and letting them run."""
        target = self._now + seconds
        while True:
            due = sorted(((d, f) for d, f in self._sleepers if d <= target and not f.done()), key=lambda item: item[0])
            if not due:
                break
            deadline, future = due[0]
            self._now = max(self._now, deadline)
            self._sleepers = [(d, f) for d, f in self._sleepers if f is not future]
            future.set_result(None)
            for _ in range(5):  # let the woken task run to its next await
                await asyncio.sleep(0)
        self._now = target
        await asyncio.sleep(0)
