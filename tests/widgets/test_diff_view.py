"""DiffView: header, files with +/- counts, coloured diff; keyboard-only review (a/r, Enter jumps, j/k scroll).

Snapshots at 80×24 and 200×50 (pytest-textual-snapshot), compared against screenshots/diff_view_*.svg like the other
main views.
"""

from __future__ import annotations

import pytest
import pytest_textual_snapshot

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import OptionList

from widgets.diff_view import DiffContent, DiffFile, DiffView, hunk_offsets


DIFF = (
    "diff --git a/calc.py b/calc.py\n"
    "index 1111111..2222222 100644\n"
    "--- a/calc.py\n"
    "+++ b/calc.py\n"
    "@@ -1,9 +1,13 @@\n"
    ' """A tiny calculator."""\n'
    " \n"
    " \n"
    " def add(a, b):\n"
    '     """Sum of a and b."""\n'
    "-    return a - b\n"
    "+    return a + b\n"
    " \n"
    "+\n"
    "+def multiply(a, b):\n"
    '+    """Product of a and b."""\n'
    "+    return a * b\n"
    "+\n"
    "diff --git a/test_calc.py b/test_calc.py\n"
    "index 3333333..4444444 100644\n"
    "--- a/test_calc.py\n"
    "+++ b/test_calc.py\n"
    "@@ -1,4 +1,8 @@\n"
    "-from calc import add, subtract\n"
    "+from calc import add, multiply, subtract\n"
    " \n"
    "+\n"
    "+def test_multiply():\n"
    "+    assert multiply(3, 4) == 12\n"
    "diff --git a/notes.txt b/notes.txt\n"
    "new file mode 100644\n"
    "--- /dev/null\n"
    "+++ b/notes.txt\n"
    "@@ -0,0 +1,30 @@\n" + "".join(f"+note {i}\n" for i in range(30))
)
CONTENT = DiffContent(
    ref="gt-mr1", title="ca-7k2 Fix add, add multiply", subtitle="calc · polecat/nux/ca-7k2 → main · push · 3m",
    text=DIFF, files=(DiffFile("calc.py", 6, 1), DiffFile("test_calc.py", 4, 1), DiffFile("notes.txt", 30, 0)),
    acceptance="add(2, 3) == 5 and multiply(3, 4) == 12; the test suite passes.", gate_ok=True,
    gate_output="4 passed in 0.02s",
)


class DiffApp(App[None]):
    """Harness: one DiffView; records the messages it posts."""

    def __init__(self, content: DiffContent = CONTENT) -> None:
        super().__init__()
        self.content = content
        self.decisions: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield DiffView(self.content)

    def on_mount(self) -> None:
        self.query_one("#diff-files", OptionList).focus()

    def on_diff_view_approve(self, message: DiffView.Approve) -> None:
        self.decisions.append(("approve", message.ref))

    def on_diff_view_reject(self, message: DiffView.Reject) -> None:
        self.decisions.append(("reject", message.ref))


def test_hunk_offsets_find_each_file() -> None:
    assert hunk_offsets(DIFF) == {"calc.py": 0, "test_calc.py": 18, "notes.txt": 29}


async def test_keys_approve_reject_jump_and_scroll_at_80x24() -> None:
    app = DiffApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scroll = app.query_one("#diff-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0  # the diff is taller than the screen: it scrolls
        await pilot.press("down", "down", "enter")  # third file: notes.txt
        await pilot.pause()
        assert scroll.scroll_y == 29
        await pilot.press("k", "k")
        await pilot.pause()
        assert scroll.scroll_y == 27
        await pilot.press("tab")
        assert scroll.has_focus
        await pilot.press("a", "r")
        await pilot.pause()
    assert app.decisions == [("approve", "gt-mr1"), ("reject", "gt-mr1")]


async def test_live_polecat_diff_cannot_be_approved() -> None:
    app = DiffApp(DiffContent("ca-live", "nux at work", DIFF, CONTENT.files, can_review=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "r")
        await pilot.pause()
        header = str(app.query_one("#diff-header").render())
    assert app.decisions == [] and "a approve" not in header


async def test_failed_gate_output_shows_in_the_header() -> None:
    red = DiffContent("gt-mr2", "ca-9 Broken", DIFF, CONTENT.files, gate_ok=False,
                      gate_output="collected 2 items\nFAILED test_calc.py::test_add\n[exit status 1]")
    app = DiffApp(red)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = str(app.query_one("#diff-header").render())
    assert "✗ fail" in header and "FAILED test_calc.py::test_add" in header and "[exit status 1]" in header


@pytest.fixture
def snapshots_in_screenshots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compare against the committed screenshots/<id>.svg, like every other main view (tests/ui/test_snapshots.py)."""
    from tests.ui.test_snapshots import ScreenshotsSVG

    monkeypatch.setattr(pytest_textual_snapshot, "SVGImageExtension", ScreenshotsSVG)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["diff_view_80x24", "diff_view_200x50"])
def test_snapshot(snapshots_in_screenshots: None, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(DiffApp(), terminal_size=size, run_before=_settle)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """run_before hook: let the view lay out."""
    await pilot.pause()
