"""A Dispatch that works on the ledger alone: mail and escalations as beads, sling through a pluggable function.

Mail follows the Gas Town convention (`reference/beads.md` §7): a bead titled with the subject, body in the
description, assignee = recipient address, labels `gt:message` and `from:<sender>`. Escalations are such mail to the
Overseer with label `gt:escalation` and `severity:<level>`; an open escalation with the same dedupe key is reused,
so a patrol that meets the same problem every minute raises it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from gastown_tui.convoys.model import field_of
from gastown_tui.errors import Conflict
from gastown_tui.records import LABEL_ESCALATION, LABEL_MESSAGE, TOWN_PREFIX

SlingFn = Callable[[str, str], str]
WakeFn = Callable[[str, str], None]
_POLECAT_RE = re.compile(r"^[a-z][a-z0-9_-]*/polecats/[a-z][a-z0-9_-]*$")


class LedgerDispatch:
    """Dispatch backed by the ledger; `sling` delegates to `sling_fn` (the agents package or the engine)."""

    def __init__(self, ledger: Any, *, sling_fn: SlingFn | None = None, wake_fn: WakeFn | None = None) -> None:
        self.ledger = ledger
        self.sling_fn = sling_fn
        self.wake_fn = wake_fn

    def mail(self, to: str, subject: str, body: str, *, sender: str) -> str:
        """Send mail through the mail package."""
        from gastown_tui.mail import send  # noqa: PLC0415

        return str(send(self.ledger, to, subject[:200], body, sender=sender, events_file=self.ledger.paths.events).id)

    def escalate(self, subject: str, body: str, *, severity: str = "medium", source: str = "patrol",
                 dedupe_key: str | None = None) -> str:
        """Raise (or find the open) escalation to the Overseer."""
        with self.ledger.transaction():
            if dedupe_key:
                for bead in self.ledger.list(labels=[LABEL_ESCALATION]):
                    if (field_of(bead, "metadata") or {}).get("dedupe_key") == dedupe_key:
                        return str(bead.id)
            bead = self.ledger.create(subject[:500], prefix=TOWN_PREFIX, description=body, issue_type="message",
                                      assignee="overseer", priority=1 if severity in ("high", "critical") else 2,
                                      labels=[LABEL_MESSAGE, LABEL_ESCALATION, f"severity:{severity}",
                                              f"source:{source}", f"from:{source}"],
                                      metadata={"dedupe_key": dedupe_key, "severity": severity}, actor=source)
        return str(bead.id)

    def sling(self, bead_id: str, rig: str) -> str:
        """Sling through the configured function; Conflict when there is none (no engine to start agents)."""
        if self.sling_fn is None:
            raise Conflict(f"cannot sling {bead_id} to {rig}: no engine is running to start a polecat")
        return self.sling_fn(bead_id, rig)

    def wake(self, address: str, bead_id: str) -> None:
        """Start (or nudge) an agent whose hook just got work back; a no-op without a wake function."""
        if self.wake_fn is not None:
            self.wake_fn(address, bead_id)

    def active_polecats(self) -> int:
        """Distinct polecats holding work on their hook (work waiting in the merge queue frees the slot)."""
        holders = {b.assignee for status in ("hooked", "in_progress") for b in self.ledger.list(status=status)
                   if b.assignee and _POLECAT_RE.match(str(b.assignee)) and is_on_hook(b)}
        return len(holders)


def is_on_hook(bead: Any) -> bool:
    """True if the bead is being worked on: hooked, or in progress and not yet handed in with `gt done`.

    After `gt done` a bead stays `in_progress` with metadata `merge_request` until the refinery merges it; its
    polecat is finished with it, so neither the witness nor the capacity governor may count it as held.
    """
    if bead.status == "hooked":
        return True
    meta = field_of(bead, "metadata") or {}
    return bead.status == "in_progress" and not meta.get("merge_request") and not meta.get("done_at")
