"""Convoy completion: close every open convoy whose tracked work has all landed, and say what landed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gastown_tui.convoys.landing import open_mrs_by_source
from gastown_tui.convoys.model import list_convoys
from gastown_tui.convoys.progress import ConvoyStatus, all_landed, convoy_status, human_duration, parse_ts
from gastown_tui.costs.report import landing_line

LANDED_REASON = "landed: all tracked work merged"


@dataclass(frozen=True)
class LandedConvoy:
    """A convoy the check just closed, with the mail-ready summary."""

    id: str
    title: str
    duration_s: float
    subject: str
    body: str
    notify: str


def _summary(status: ConvoyStatus, duration_s: float, cost: str = "") -> str:
    """Mail body: `Key: value` lines, blank line, then the beads that landed (Gas Town protocol style)."""
    lines = [f"Convoy: {status.id}", f"Beads: {status.total}", f"Duration: {human_duration(duration_s)}",
             *([cost] if cost else []), ""]
    lines += [f"- {t.id} {t.title} ({t.close_reason or 'closed'})" for t in status.tracked]
    return "\n".join(lines)


def check_completion(ledger: Any, *, actor: str = "deacon/") -> list[LandedConvoy]:
    """Close each open convoy whose tracked beads have all landed; return what was closed.

    Each convoy is re-checked and closed inside one transaction, so a bead reopened between the scan and the close
    (rework) keeps the convoy open.
    """
    landed: list[LandedConvoy] = []
    for convoy in list_convoys(ledger):
        with ledger.transaction():
            open_mrs = open_mrs_by_source(ledger)
            current = ledger.get(convoy.id)
            if current.status == "closed" or not all_landed(ledger, convoy.id, open_mrs):
                continue
            closed = ledger.close(convoy.id, reason=LANDED_REASON, actor=actor)
        status = convoy_status(ledger, convoy.id, open_mrs=open_mrs, ready_ids=set())
        start = parse_ts(str(getattr(closed, "created_at", "") or ""))
        end = parse_ts(str(getattr(closed, "closed_at", "") or ""))
        duration = (end - start) if start is not None and end is not None else 0.0
        notify = str((getattr(closed, "metadata", None) or {}).get("notify") or "overseer")
        body = _summary(status, duration, landing_line(ledger, convoy.id))
        result = (getattr(closed, "metadata", None) or {}).get("result")
        if result:  # a convoy formula's synthesis output: the landing mail names it
            body = f"Result: {result}\n{body}"
        landed.append(LandedConvoy(convoy.id, convoy.title, duration, f"Convoy landed: {convoy.title}", body, notify))
    return landed
