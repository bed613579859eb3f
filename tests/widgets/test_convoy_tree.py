"""ConvoyTree: convoys with progress, tracked beads with status, cursor kept across refreshes."""

from __future__ import annotations

from textual.app import App, ComposeResult

from widgets.convoy_tree import ConvoyInfo, ConvoyTree, TrackedBead

CONVOYS = [
    ConvoyInfo("hq-cv1", "Add dark mode", "open", (
        TrackedBead("wy-b2k", "Design colours", "closed"),
        TrackedBead("wy-c3l", "CSS variables", "in_progress", "nux"),
        TrackedBead("wy-e5n", "Theme toggle", "blocked"),
    )),
    ConvoyInfo("hq-cv2", "Fix login", "open", (TrackedBead("wy-f6o", "Repro bug", "open"),)),
]


class TreeApp(App[None]):
    """Harness: one ConvoyTree; records bead/convoy highlights."""

    def __init__(self) -> None:
        super().__init__()
        self.beads: list[tuple[str, str]] = []
        self.convoys: list[str] = []

    def compose(self) -> ComposeResult:
        yield ConvoyTree()

    def on_mount(self) -> None:
        self.query_one(ConvoyTree).set_convoys(CONVOYS)

    def on_convoy_tree_bead_highlighted(self, message: ConvoyTree.BeadHighlighted) -> None:
        self.beads.append((message.bead_id, message.convoy_id))

    def on_convoy_tree_convoy_highlighted(self, message: ConvoyTree.ConvoyHighlighted) -> None:
        self.convoys.append(message.convoy_id)


def test_progress_counts_closed_beads() -> None:
    assert CONVOYS[0].progress == (1, 3)


def test_labels_carry_status_glyph_and_assignee() -> None:
    assert ConvoyTree.bead_label(CONVOYS[0].beads[1]).plain == "◐ wy-c3l CSS variables @nux"
    assert ConvoyTree.convoy_label(CONVOYS[0]).plain == "◆ hq-cv1 Add dark mode 1/3"


async def test_navigation_posts_bead_and_convoy_messages_and_refresh_keeps_cursor() -> None:
    app = TreeApp()
    async with app.run_test(size=(60, 12)) as pilot:
        tree = app.query_one(ConvoyTree)
        tree.focus()
        await pilot.pause()
        assert app.convoys[-1] == "hq-cv1"
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.beads[-1] == ("wy-c3l", "hq-cv1")
        updated = [ConvoyInfo(c.id, c.title, c.status, c.beads) for c in CONVOYS]
        updated[0] = ConvoyInfo("hq-cv1", "Add dark mode", "open", CONVOYS[0].beads[:2] + (
            TrackedBead("wy-e5n", "Theme toggle", "ready"),))
        tree.set_convoys(updated)
        await pilot.pause()
        assert tree.cursor_node is not None and tree.cursor_node.data == ("bead", "wy-c3l")
