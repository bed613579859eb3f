"""The nudge queue: nudges that could not be typed now wait as wisps (label `gt:nudge`, assignee = recipient).

They are drained at the agent's next turn boundary — by the agent itself through the UserPromptSubmit hook
(`gt hookevent user-prompt-submit` prints them into its context), or by the engine typing them in once the agent
is idle. Draining closes the wisps inside one transaction, so a nudge is delivered once.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from dataclasses import dataclass
from typing import Any

from gastown_tui.records import LABEL_NUDGE, Address

MAX_NUDGE_CHARS = 4000
NUDGE_TTL_SECONDS = 30 * 60
# Control characters that could drive the agent's terminal (ESC sequences, CR, BS, DEL); newlines and tabs survive.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Nudge:
    """One queued nudge."""

    id: str
    sender: str
    text: str
    created_at: str = ""


def _unix(stamp: str) -> float | None:
    """Seconds since the epoch of an RFC 3339 stamp as the ledger writes it (None if unreadable)."""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def sanitize(text: str) -> str:
    """Make text safe to type into a terminal: drop control characters, tabs to spaces, bounded length."""
    text = text.replace("\r\n", "\n").replace("\t", " ")
    return _CONTROL.sub("", text)[:MAX_NUDGE_CHARS]


def format_nudge(sender: str, text: str) -> str:
    """How a nudge reads to the agent: attributed, and marked as a background note."""
    return f"[nudge from {sender}] {text}"


def queue_nudge(ledger: Any, address: Address, text: str, *, sender: str) -> str:
    """Queue a nudge for `address`; returns the wisp id."""
    bead = ledger.create(f"nudge for {address}", description=sanitize(text), assignee=str(address),
                         labels=[LABEL_NUDGE], ephemeral=True, metadata={"sender": sender}, actor=sender)
    return bead.id


def pending_nudges(ledger: Any, address: Address) -> list[Nudge]:
    """Queued nudges for `address`, oldest first."""
    beads = ledger.list(labels=[LABEL_NUDGE], assignee=str(address), ephemeral=True)
    beads = sorted((b for b in beads if b.status != "closed"), key=lambda b: (b.created_at, b.id))
    return [Nudge(b.id, str((b.metadata or {}).get("sender", "")), b.description, b.created_at) for b in beads]


def drain_nudges(ledger: Any, address: Address, *, actor: str, now: float | None = None) -> list[Nudge]:
    """Claim and close every queued nudge for `address` (one transaction); returns the live ones oldest first.

    Nudges older than NUDGE_TTL_SECONDS are closed as `expired` instead: an hour-old "check the README" read out of
    context does more harm than good (Gas Town uses the same 30-minute TTL)."""
    now = time.time() if now is None else now
    fresh = []
    with ledger.transaction():
        for nudge in pending_nudges(ledger, address):
            created = _unix(nudge.created_at) or now
            expired = now - created > NUDGE_TTL_SECONDS
            ledger.close(nudge.id, reason="expired" if expired else "delivered", actor=actor)
            if not expired:
                fresh.append(nudge)
    return fresh
