"""The patrol scheduler: asyncio, injectable clock; per patrol an interval, next run, last result, pause and run-now.

The scheduler knows nothing about formulas or the ledger: a patrol is a name, an interval and an async `run`
callable (the patrols package makes each run a wisp of its formula). Pause flags, outcomes and next-run times go
to a `PatrolStateStore`, so `gt patrol pause` in another process is honoured on the next tick and `gt patrol status`
can show what the engine did. Each patrol runs in its own task; a per-patrol lock keeps a run-now from overlapping
a scheduled run of the same patrol.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from gastown_tui.clock import Clock

log = logging.getLogger(__name__)

RESULT_OK = "ok"
RESULT_ERROR = "error"


@dataclass(frozen=True)
class RunReport:
    """What a patrol run says about itself: result word, a one-line summary, and the run's wisp id."""

    result: str = RESULT_OK
    summary: str = ""
    run_id: str | None = None


@dataclass(frozen=True)
class RunOutcome:
    """One finished run as kept in history."""

    patrol: str
    started: float
    finished: float
    result: str
    summary: str = ""
    run_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "RunOutcome":
        """Inverse of `to_dict` (unknown keys ignored)."""
        return cls(str(raw["patrol"]), float(raw["started"]), float(raw["finished"]), str(raw["result"]),
                   str(raw.get("summary", "")), raw.get("run_id"))


class PatrolStateStore(Protocol):
    """Where pause flags, next-run times and run history live (the ledger's meta table in a real town)."""

    def is_paused(self, name: str) -> bool:
        """True if the patrol is paused."""
        ...

    def set_paused(self, name: str, paused: bool) -> None:
        """Persist the pause flag."""
        ...

    def record(self, outcome: RunOutcome) -> None:
        """Append a finished run to the history."""
        ...

    def history(self, name: str | None = None, limit: int = 50) -> list[RunOutcome]:
        """Recent runs, newest last (all patrols when `name` is None)."""
        ...

    def set_next(self, name: str, when: float, interval: float) -> None:
        """Persist when the patrol will next run and its interval."""
        ...


class MemoryStateStore:
    """A process-local store (used until the engine binds the ledger-backed one, and in tests)."""

    def __init__(self) -> None:
        self.paused: set[str] = set()
        self.runs: list[RunOutcome] = []
        self.next: dict[str, tuple[float, float]] = {}

    def is_paused(self, name: str) -> bool:
        """True if paused."""
        return name in self.paused

    def set_paused(self, name: str, paused: bool) -> None:
        """Set or clear the pause flag."""
        (self.paused.add if paused else self.paused.discard)(name)

    def record(self, outcome: RunOutcome) -> None:
        """Keep the run."""
        self.runs.append(outcome)

    def history(self, name: str | None = None, limit: int = 50) -> list[RunOutcome]:
        """Recent runs, newest last."""
        return [r for r in self.runs if name is None or r.patrol == name][-limit:]

    def set_next(self, name: str, when: float, interval: float) -> None:
        """Remember the next run time."""
        self.next[name] = (when, interval)


RunFn = Callable[[], Awaitable[RunReport]]


@dataclass
class PatrolStatus:
    """A row of `gt patrol status`."""

    name: str
    interval: float
    next_run: float
    paused: bool
    running: bool
    last_result: str | None = None
    last_summary: str = ""
    last_finished: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


@dataclass
class _Entry:
    """Scheduler bookkeeping for one patrol."""

    name: str
    interval: float
    run: RunFn
    next_run: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    running: bool = False
    task: asyncio.Task[None] | None = None


class Scheduler:
    """Runs registered patrols on their intervals with an injectable clock."""

    def __init__(self, clock: Clock, store: PatrolStateStore | None = None) -> None:
        self.clock = clock
        self.store: PatrolStateStore = store or MemoryStateStore()
        self._entries: dict[str, _Entry] = {}
        self._started = False
        self._listeners: list[Callable[[RunOutcome], None]] = []

    def set_store(self, store: PatrolStateStore) -> None:
        """Use `store` for pause flags and history from now on (the engine binds the ledger-backed one)."""
        self.store = store

    def on_outcome(self, callback: Callable[[RunOutcome], None]) -> None:
        """Call `callback` after every run (the engine forwards outcomes to its bus)."""
        self._listeners.append(callback)

    def register(self, name: str, interval: float, run: RunFn, *, first_delay: float | None = None) -> None:
        """Add a patrol; its first run is after `first_delay` (default: one interval)."""
        if interval <= 0:
            raise ValueError(f"patrol {name!r}: interval must be positive")
        delay = interval if first_delay is None else first_delay
        entry = _Entry(name, float(interval), run, self.clock.now() + delay)
        self._entries[name] = entry
        self.store.set_next(name, entry.next_run, entry.interval)
        if self._started:
            entry.task = asyncio.get_running_loop().create_task(self._loop(entry), name=f"patrol:{name}")

    def names(self) -> list[str]:
        """Registered patrol names, sorted."""
        return sorted(self._entries)

    def _entry(self, name: str) -> _Entry:
        """The entry for `name`, or KeyError listing the known patrols."""
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(f"no patrol {name!r} (known: {', '.join(self.names()) or 'none'})") from None

    def set_interval(self, name: str, seconds: float) -> None:
        """Change a patrol's interval; the next run moves accordingly."""
        entry = self._entry(name)
        entry.next_run += seconds - entry.interval
        entry.interval = float(seconds)
        self.store.set_next(name, entry.next_run, entry.interval)

    async def start(self) -> None:
        """Start one loop task per registered patrol."""
        if self._started:
            return
        self._started = True
        loop = asyncio.get_running_loop()
        for entry in self._entries.values():
            entry.task = loop.create_task(self._loop(entry), name=f"patrol:{entry.name}")

    async def stop(self) -> None:
        """Cancel the loops (a run in progress is cancelled; its open step resumes next time)."""
        self._started = False
        tasks = [e.task for e in self._entries.values() if e.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for entry in self._entries.values():
            entry.task = None

    def pause(self, name: str) -> None:
        """Stop scheduled runs of `name` (persisted); run-now still works."""
        self._entry(name)
        self.store.set_paused(name, True)

    def resume(self, name: str) -> None:
        """Resume scheduled runs of `name`."""
        self._entry(name)
        self.store.set_paused(name, False)

    def is_paused(self, name: str) -> bool:
        """True if `name` is paused (read from the store each time, so another process can pause it)."""
        try:
            return self.store.is_paused(name)
        except Exception:  # noqa: BLE001 - a store hiccup must not stop the loop; treat as not paused
            log.exception("reading pause flag of %s", name)
            return False

    async def run_now(self, name: str) -> RunOutcome:
        """Run `name` once now (waits for a run already in progress first) and return its outcome."""
        return await self._execute(self._entry(name))

    def status(self) -> list[PatrolStatus]:
        """One row per patrol: interval, next run, paused, running, last result."""
        rows = []
        for name in self.names():
            entry = self._entries[name]
            last = self.store.history(name, 1)
            rows.append(PatrolStatus(name, entry.interval, entry.next_run, self.is_paused(name), entry.running,
                                     last[-1].result if last else None, last[-1].summary if last else "",
                                     last[-1].finished if last else None))
        return rows

    def history(self, name: str | None = None, limit: int = 50) -> list[RunOutcome]:
        """Recent runs from the store, newest last."""
        return self.store.history(name, limit)

    async def _loop(self, entry: _Entry) -> None:
        """Sleep until the entry is due, then run it unless paused; forever."""
        while True:
            delay = entry.next_run - self.clock.now()
            if delay > 0:
                await self.clock.sleep(delay)
                continue  # re-check: a run-now may have moved next_run while we slept
            if self.is_paused(entry.name):
                entry.next_run = self.clock.now() + entry.interval
                self.store.set_next(entry.name, entry.next_run, entry.interval)
                continue
            await self._execute(entry)

    async def _execute(self, entry: _Entry) -> RunOutcome:
        """Run the patrol under its lock, record the outcome, schedule the next run."""
        async with entry.lock:
            entry.running = True
            started = self.clock.now()
            try:
                report = await entry.run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - one broken patrol must not kill the scheduler
                log.exception("patrol %s failed", entry.name)
                report = RunReport(RESULT_ERROR, f"{type(exc).__name__}: {exc}")
            finally:
                entry.running = False
            outcome = RunOutcome(entry.name, started, self.clock.now(), report.result, report.summary,
                                 report.run_id)
            entry.next_run = self.clock.now() + entry.interval
            self.store.record(outcome)
            self.store.set_next(entry.name, entry.next_run, entry.interval)
        for callback in self._listeners:
            try:
                callback(outcome)
            except Exception:  # noqa: BLE001 - listeners are observers only
                log.exception("patrol outcome listener failed")
        return outcome
