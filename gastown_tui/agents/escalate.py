"""`gt escalate`: raise a problem to the Overseer — an escalation record plus Overseer mail.

The escalation is a message bead to `overseer` labelled `gt:escalation` and `severity:<level>` (the same shape
the patrols' LedgerDispatch.escalate writes), so the Overseer's inbox and the escalation list are one query.
"""

from __future__ import annotations

from typing import Any

from gastown_tui import events as feed
from gastown_tui.errors import InvalidInput
from gastown_tui.records import LABEL_ESCALATION, LABEL_MESSAGE, TOWN_PREFIX
from gastown_tui.town.paths import TownPaths

SEVERITIES = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2}


def escalate(town: TownPaths, ledger: Any, severity: str, message: str, *, sender: str, body: str = "",
             bead: str | None = None) -> str:
    """Create the escalation (as Overseer mail) and return its id."""
    level = severity.upper()
    if level not in SEVERITIES:
        raise InvalidInput(f"invalid severity {severity!r}: use CRITICAL, HIGH or MEDIUM")
    subject = " ".join(message.split())[:200]
    if not subject:
        raise InvalidInput("an escalation needs a message")
    text = body or message
    if bead:
        text += f"\n\nBead: {bead}"
    title = f"[{level}] {subject}"
    for open_one in ledger.list(labels=[LABEL_ESCALATION], assignee="overseer"):
        if open_one.title == title and (open_one.metadata or {}).get("sender") == sender:
            ledger.comment(open_one.id, f"raised again by {sender}", author=sender)
            return str(open_one.id)  # an agent retrying the same failure raises it once, not every time
    created = ledger.create(title, prefix=TOWN_PREFIX, description=text, issue_type="message",
                            assignee="overseer", priority=SEVERITIES[level],
                            labels=[LABEL_MESSAGE, LABEL_ESCALATION, f"severity:{level.lower()}", f"from:{sender}",
                                    "source:agent"],
                            metadata={"severity": level.lower(), "sender": sender, "bead": bead or ""},
                            actor=sender)
    ledger.add_label(created.id, f"thread:{created.id}")
    feed.emit(town.events, "escalation", actor=sender, bead=created.id, severity=level.lower(), subject=subject)
    feed.emit(town.events, "mail.sent", actor=sender, to="overseer", message=created.id, subject=created.title)
    return str(created.id)
