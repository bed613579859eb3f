"""'Closed with no changes' has its own glyph and colour in the convoy tree and the bead graph (not a ✓)."""

from __future__ import annotations

from widgets.convoy_tree import ConvoyInfo, ConvoyTree, TrackedBead
from widgets.dag_view import STATE_GLYPHS, DagView


def test_convoy_tree_marks_no_changes_apart_from_landed() -> None:
    convoy = ConvoyInfo("hq-1", "Spike", "open", (TrackedBead("a-1", "Look into it", "no-changes"),
                                                   TrackedBead("a-2", "Fix it", "landed")))
    spike, fix = (ConvoyTree.bead_label(b) for b in convoy.beads)
    assert spike.plain.startswith("⊘ ") and fix.plain.startswith("✓ ")
    assert spike.spans[0].style != fix.spans[0].style
    assert convoy.progress == (2, 2)  # nothing left to do: the convoy can land


def test_dag_has_a_no_changes_state() -> None:
    assert STATE_GLYPHS["no-changes"] == "⊘"
    assert "dag-view--no-changes" in DagView.COMPONENT_CLASSES
