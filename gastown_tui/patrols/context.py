"""What patrol step handlers may use: the town, the ledger, a clock, and two narrow views of the engine.

The engine (sessions, sling, mail) is defined elsewhere; patrols depend only on these Protocols so their logic is
testable with small fakes and runs unchanged against the real engine, or in-process with no engine at all
(`sessions=None`: nothing is restarted or nudged, only reported).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from gastown_tui.clock import Clock
from gastown_tui.town.paths import TownPaths


class SessionsView(Protocol):
    """The engine's live sessions as the witness needs them, by agent address (`rig/polecats/name`)."""

    def alive(self, address: str) -> bool:
        """True if the agent's session (PTY process) is running."""
        ...

    def started_at(self, address: str) -> float | None:
        """When the current session was spawned (seconds since the epoch), None if there is none."""
        ...

    def last_output_at(self, address: str) -> float | None:
        """When the session last produced output."""
        ...

    async def restart(self, address: str, *, reason: str) -> None:
        """Respawn the agent's session with its hook (the beacon tells it to resume)."""
        ...

    async def nudge(self, address: str, text: str) -> None:
        """Deliver a nudge (queued by the engine until the agent is idle and nobody is typing)."""
        ...

    async def dismiss_dialogs(self, address: str) -> bool:
        """Answer a known startup dialog via the runtime's screen rules; True if one was answered."""
        ...


class Dispatch(Protocol):
    """Outgoing actions that belong to the agents package: mail, escalation, sling, capacity."""

    def mail(self, to: str, subject: str, body: str, *, sender: str) -> str:
        """Send mail; returns the message bead id."""
        ...

    def escalate(self, subject: str, body: str, *, severity: str, source: str, dedupe_key: str | None = None) -> str:
        """Raise an escalation to the Overseer (deduplicated by `dedupe_key` while one is open); returns its id."""
        ...

    def sling(self, bead_id: str, rig: str) -> str:
        """Hook `bead_id` onto a (new or idle) polecat of `rig` and start it; returns the agent address."""
        ...

    def wake(self, address: str, bead_id: str) -> None:
        """Start (or nudge) an agent whose hook just got work back (rework)."""
        ...

    def active_polecats(self) -> int:
        """Polecats currently holding work or running (for the capacity governor)."""
        ...


@dataclass
class PatrolContext:
    """Everything a patrol's step handlers are given."""

    town: TownPaths
    ledger: Any
    clock: Clock
    dispatch: Dispatch
    sessions: SessionsView | None = None
    engine: Any = None
    wall_offset: float | None = None  # engine clock minus wall clock, fixed when the context is made

    def __post_init__(self) -> None:
        # Anchored once: ledger and PTY timestamps are wall time; patrol policy runs on the engine clock, so a
        # FakeClock advanced by 600 s makes a heartbeat written just now look 600 s old, as it would in real life.
        if self.wall_offset is None:
            self.wall_offset = self.clock.now() - time.time()

    def clock_time(self, wall: float | None) -> float | None:
        """A wall-clock timestamp (ledger, PTY) on the engine clock."""
        return None if wall is None else wall + (self.wall_offset or 0.0)

    @property
    def events(self) -> Path:
        """The activity feed file."""
        return self.town.events
