"""Convoys: delivery units that track beads across rigs until every one is merged.

Public API:

    ensure_convoy(ledger, bead_id, *, actor=None) -> str      # convoy tracking the bead; auto-creates "Work: <title>"
    create_convoy(ledger, name, bead_ids=(), *, actor=None, auto=False, notify="overseer") -> Bead
    add_to_convoy(ledger, convoy_id, bead_ids, *, actor=None) -> Bead   # reopens a closed convoy
    close_convoy(ledger, convoy_id, *, reason=..., actor=None) -> Bead
    list_convoys(ledger, *, include_closed=False) -> list[Bead]
    tracked_ids(ledger, convoy_id) -> list[str] ; convoys_tracking(ledger, bead_id) -> list[Bead]
    convoy_status(ledger, convoy_id) -> ConvoyStatus            # tracked beads, states, landed/active counts
    render_box(status) -> str                                   # the article's convoy box
    check_completion(ledger, *, actor="deacon/") -> list[LandedConvoy]   # close convoys whose work all merged
    has_landed(bead, open_mrs) ; open_mrs_by_source(ledger)     # 'merged, not merely closed'
"""

from gastown_tui.convoys.completion import LandedConvoy, check_completion
from gastown_tui.convoys.landing import has_landed, open_mrs_by_source
from gastown_tui.convoys.model import (
    add_to_convoy, close_convoy, convoys_tracking, create_convoy, ensure_convoy, get_convoy, is_convoy, list_convoys,
    tracked_ids,
)
from gastown_tui.convoys.progress import ConvoyStatus, TrackedBead, convoy_status, render_box

__all__ = [
    "ConvoyStatus", "LandedConvoy", "TrackedBead", "add_to_convoy", "check_completion", "close_convoy",
    "convoy_status", "convoys_tracking", "create_convoy", "ensure_convoy", "get_convoy", "has_landed", "is_convoy",
    "list_convoys", "open_mrs_by_source", "render_box", "tracked_ids",
]
