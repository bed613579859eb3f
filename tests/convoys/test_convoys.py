"""Convoys on a real ledger: create, track, auto-convoy, status box, completion only after merge, reopen."""

from __future__ import annotations

from pathlib import Path

import pytest

from gastown_tui.convoys import (
    add_to_convoy, check_completion, convoy_status, create_convoy, ensure_convoy, list_convoys, render_box,
    tracked_ids,
)
from gastown_tui.errors import InvalidInput
from gastown_tui.ledger import Ledger
from gastown_tui.records import LABEL_CONVOY, LABEL_MERGE_REQUEST
from gastown_tui.town.paths import TownPaths


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    """A bare ledger in a temporary town directory."""
    root = tmp_path / "town"
    root.mkdir()
    (root / "town.toml").write_text('name = "t"\n')
    led = Ledger.open(TownPaths(root))
    yield led
    led.shutdown()


def _mr(ledger: Ledger, bead_id: str, status: str = "open") -> str:
    """A merge request for `bead_id`."""
    mr = ledger.create(f"Merge: {bead_id}", issue_type="merge-request", labels=[LABEL_MERGE_REQUEST],
                       metadata={"source_issue": bead_id, "branch": f"polecat/x/{bead_id}", "rig": "alpha"})
    if status == "closed":
        ledger.close(mr.id, reason="merged")
    return mr.id


def test_create_tracks_cross_prefix_beads_without_blocking(ledger: Ledger) -> None:
    a = ledger.create("A", prefix="al")
    b = ledger.create("B", prefix="be")
    convoy = create_convoy(ledger, "Dark mode", [a.id, b.id])
    assert convoy.issue_type == "convoy" and LABEL_CONVOY in convoy.labels and convoy.id.startswith("hq-")
    assert tracked_ids(ledger, convoy.id) == [a.id, b.id]
    assert {r.id for r in ledger.ready()} >= {a.id, b.id}  # tracks is non-blocking
    assert [c.id for c in list_convoys(ledger)] == [convoy.id]


def test_ensure_convoy_reuses_or_creates(ledger: Ledger) -> None:
    a = ledger.create("Fix login")
    cid = ensure_convoy(ledger, a.id)
    assert ledger.get(cid).title == "Work: Fix login"
    assert ensure_convoy(ledger, a.id) == cid
    ledger.close(cid, reason="x")
    assert ensure_convoy(ledger, a.id) == cid and ledger.get(cid).status == "open"  # re-slung work reopens it


def test_completion_waits_for_merge_not_close(ledger: Ledger) -> None:
    a = ledger.create("A")
    b = ledger.create("B")
    convoy = create_convoy(ledger, "Two things", [a.id, b.id])
    ledger.close(a.id, reason="merged")
    _mr(ledger, b.id)                 # b has an MR still in the queue...
    ledger.close(b.id, reason="done")  # ...and is closed anyway: closed but not merged
    assert check_completion(ledger) == []
    assert ledger.get(convoy.id).status == "open"
    status = convoy_status(ledger, convoy.id)
    assert [t.state for t in status.tracked] == ["landed", "closed-unmerged"]
    for mr in ledger.list(labels=[LABEL_MERGE_REQUEST]):
        ledger.close(mr.id, reason="merged")
    landed = check_completion(ledger)
    assert [c.id for c in landed] == [convoy.id]
    assert ledger.get(convoy.id).status == "closed"
    assert "Convoy landed" in landed[0].subject and a.id in landed[0].body and "Duration:" in landed[0].body


def test_closed_without_mr_counts_as_done(ledger: Ledger) -> None:
    a = ledger.create("Investigate")
    convoy = create_convoy(ledger, "Spike", [a.id])
    ledger.close(a.id, reason="no code changes")
    status = convoy_status(ledger, convoy.id)
    assert [t.state for t in status.tracked] == ["no-changes"]  # done, but not shown as a merge
    assert (status.landed, status.no_changes, status.complete) == (0, 1, True)
    box = render_box(status)
    assert "(closed, no changes)" in box and "✓" not in box and "1 closed with no changes" in box
    assert [c.id for c in check_completion(ledger)] == [convoy.id]


def test_merged_bead_with_where_it_landed_counts_as_landed(ledger: Ledger) -> None:
    a = ledger.create("Feature")
    convoy = create_convoy(ledger, "Ship", [a.id])
    ledger.close(a.id, reason="merged: pushed 0123456789 to origin/main")
    assert [t.state for t in convoy_status(ledger, convoy.id).tracked] == ["landed"]
    landed = check_completion(ledger)
    assert "pushed 0123456789 to origin/main" in landed[0].body


def test_adding_to_closed_convoy_reopens_it(ledger: Ledger) -> None:
    a = ledger.create("A")
    convoy = create_convoy(ledger, "C", [a.id])
    ledger.close(a.id, reason="merged")
    check_completion(ledger)
    assert ledger.get(convoy.id).status == "closed"
    b = ledger.create("B")
    add_to_convoy(ledger, convoy.id, [b.id])
    assert ledger.get(convoy.id).status == "open"
    assert tracked_ids(ledger, convoy.id) == [a.id, b.id]
    with pytest.raises(InvalidInput):
        add_to_convoy(ledger, a.id, [b.id])  # not a convoy


def test_status_box_shows_progress_and_swarms(ledger: Ledger) -> None:
    a = ledger.create("Design dark theme colors")
    b = ledger.create("Implement CSS variables")
    c = ledger.create("Update component styles")
    d = ledger.create("Add theme toggle")
    ledger.add_dep(d.id, c.id)
    convoy = create_convoy(ledger, "Add dark mode support", [a.id, b.id, c.id, d.id])
    ledger.close(a.id, reason="merged")
    ledger.close(b.id, reason="merged")
    ledger.update(c.id, status="hooked", assignee="alpha/polecats/nux")
    status = convoy_status(ledger, convoy.id)
    box = render_box(status)
    assert f'CONVOY: {convoy.id} "Add dark mode support"' in box
    assert "✓" in box and "(in progress) @alpha/polecats/nux" in box and "(pending)" in box
    assert "Swarms: 2 completed, 1 active" in box
    assert status.to_dict()["landed"] == 2 and status.to_dict()["total"] == 4
