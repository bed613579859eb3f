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
_POLECAT_RE = re.compile(r"^[a-z][a-z0-9_-]*/polecats/[a-z][a-z0-9_-]*$")


class LedgerDispatch:
    """Dispatch backed by the ledger; `sling` delegates to `sling_fn` (the agents package or the engine)."""

    def __init__(self, ledger: Any, *, sling_fn: SlingFn | None = None) -> None:
        self.ledger = ledger
        self.sling_fn = sling_fn

    def mail(self, to: str, subject: str, body: str, *, sender: str) -> str:
        """Store a message bead for `to`."""
        bead = self.ledger.create(subject[:500], prefix=TOWN_PREFIX, description=body, issue_type="message",
                                  assignee=to, labels=[LABEL_MESSAGE, f"from:{sender}"], actor=sender)
        return str(bead.id)

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

    def active_polecats(self) -> int:
        """Distinct polecats holding hooked or in-progress work."""
        holders = {b.assignee for status in ("hooked", "in_progress") for b in self.ledger.list(status=status)
                   if b.assignee and _POLECAT_RE.match(str(b.assignee))}
        return len(holders)
