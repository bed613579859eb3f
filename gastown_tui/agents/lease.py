"""Per-agent leases: at most one multi-step change (a sling, a witness clean-up) works on an agent at a time.

A lease is a small record in the agent bead's metadata (`lease`), taken and released in ledger transactions
(BEGIN IMMEDIATE), so two processes can never both hold it. It names the holder's pid: a lease whose process is
gone is stale (the holder was killed mid-way) and may be taken over; `repair` uses the journal it carries
(`made`: what the holder had created so far) to undo a half-made sling.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from gastown_tui.agents.registry import (
    agent_meta,
    ensure_agent,
    get_agent,
    update_agent,
)
from gastown_tui.errors import Conflict
from gastown_tui.faults import pid_alive
from gastown_tui.records import Address

LEASE_KEY = "lease"
MAX_AGE = 900.0   # a lease older than this is stale even if its pid was reused by another process


class AgentLeased(Conflict):
    """Another live process holds the agent's lease."""


@dataclass(frozen=True)
class Lease:
    """One agent lease: who holds it, for what, and what it has made so far."""

    holder: str            # "sling" | "witness-cleanup" | ...
    pid: int
    at: float
    bead: str = ""
    made: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Metadata form."""
        return {"holder": self.holder, "pid": self.pid, "at": self.at, "bead": self.bead, "made": dict(self.made)}

    @staticmethod
    def from_meta(raw: Any) -> Lease | None:
        """The lease stored in agent metadata, or None when there is none (or it is unreadable)."""
        if not isinstance(raw, dict):
            return None
        try:
            return Lease(str(raw["holder"]), int(raw["pid"]), float(raw["at"]), str(raw.get("bead") or ""),
                         {str(k): str(v) for k, v in dict(raw.get("made") or {}).items()})
        except (KeyError, TypeError, ValueError):
            return None

    def live(self, now: float | None = None) -> bool:
        """True while the holder process exists and the lease is younger than MAX_AGE."""
        if (time.time() if now is None else now) - self.at > MAX_AGE:
            return False
        return pid_alive(self.pid)


def current_lease(ledger: Any, address: Address) -> Lease | None:
    """The agent's lease, live or stale, or None."""
    return Lease.from_meta(agent_meta(get_agent(ledger, address)).get(LEASE_KEY))


def take_lease(ledger: Any, address: Address, holder: str, *, bead: str = "") -> Lease:
    """Take the agent's lease (creating the agent record if needed); AgentLeased if a live process holds it.

    Callers that must re-check state under the lease do so inside the same `ledger.transaction()` around this call.
    """
    with ledger.transaction():
        ensure_agent(ledger, address)
        held = current_lease(ledger, address)
        if held is not None and held.live() and held.pid != os.getpid():
            raise AgentLeased(f"{address} is busy: {held.holder} (pid {held.pid}) is working on it")
        if held is not None and held.pid == os.getpid() and held.live():
            raise AgentLeased(f"{address} is busy: {held.holder} in this process is working on it")
        lease = Lease(holder, os.getpid(), time.time(), bead)
        update_agent(ledger, address, **{LEASE_KEY: lease.to_dict()})
    return lease


def note_made(ledger: Any, address: Address, what: str, value: str) -> None:
    """Journal, before making it, one thing the lease holder is about to create (so repair knows to look)."""
    with ledger.transaction():
        lease = current_lease(ledger, address)
        if lease is None or lease.pid != os.getpid():
            raise AgentLeased(f"{address}: lease lost while working on it")
        made = dict(lease.made, **{what: value})
        update_agent(ledger, address, **{LEASE_KEY: Lease(lease.holder, lease.pid, lease.at, lease.bead,
                                                          made).to_dict()})


def release_lease(ledger: Any, address: Address, **changes: Any) -> None:
    """Drop our lease, applying `changes` to the agent record in the same transaction."""
    with ledger.transaction():
        update_agent(ledger, address, **{LEASE_KEY: None}, **changes)


def stale_leases(ledger: Any) -> list[tuple[Address, Lease]]:
    """Every agent whose lease's holder is gone (killed mid-way)."""
    from gastown_tui.agents.registry import agent_address, list_agents

    out = []
    for bead in list_agents(ledger):
        lease = Lease.from_meta(agent_meta(bead).get(LEASE_KEY))
        if lease is not None and not lease.live():
            out.append((agent_address(bead), lease))
    return out
