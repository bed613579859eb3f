"""`gt handoff`: end this session on purpose — leave notes in a pinned handoff bead, get a fresh session, same hook.

The notes bead (label `gt:handoff`, status pinned, assignee = the agent) is shown by the successor's `gt prime`;
an older one is closed when a newer one is written. The restart itself is done by the engine (or queued for it).
"""

from __future__ import annotations


from gastown_tui.records import LABEL_HANDOFF, Address

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

HANDOFF_STATUS = "pinned"


def _open_handoffs(ledger: Any, address: Address) -> list[Any]:
    """Pinned handoff beads of `address`, oldest first."""
    beads = ledger.list(labels=[LABEL_HANDOFF], assignee=str(address), status=HANDOFF_STATUS)
    return sorted(beads, key=lambda b: (b.created_at, b.id))


def latest_handoff(ledger: Any, address: Address) -> str | None:
    """The notes of the newest pinned handoff for `address`, or None."""
    beads = _open_handoffs(ledger, address)
    return (beads[-1].description or "(no notes)") if beads else None


def write_handoff(ledger: Any, address: Address, notes: str, *, hook: str | None, session_id: str = "") -> Any:
    """Pin a new handoff bead for `address` (closing older ones) and return it."""
    with ledger.transaction():
        for old in _open_handoffs(ledger, address):
            ledger.close(old.id, reason="superseded by a newer handoff", actor=str(address))
        text = notes.strip() or "(no notes)"
        if hook:
            text += f"\n\nHook: {hook} (still yours: continue it)"
        return ledger.create(f"{address} Handoff", description=text, status=HANDOFF_STATUS, assignee=str(address),
                             labels=[LABEL_HANDOFF], metadata={"hook": hook or "", "from_session": session_id},
                             actor=str(address))
