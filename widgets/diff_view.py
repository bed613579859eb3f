"""DiffView: review one change: a header (title, acceptance, gate output), the changed files with +/- counts, and a
syntax-coloured unified diff, scrollable and keyboard-only; `a` / `r` post Approve / Reject for the screen to act on.

Generic: it knows diffs, not merge requests. The screen gives it a DiffContent (an opaque `ref` it hands back in
the messages) and decides what approving or rejecting means (and asks for the rejection note).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

__all__ = ["DiffContent", "DiffFile", "DiffView"]


@dataclass(frozen=True)
class DiffFile:
    """One changed file: path and lines added/removed (None for a binary file)."""

    path: str
    added: int | None = None
    removed: int | None = None


@dataclass(frozen=True)
class DiffContent:
    """Everything the view shows; `ref` identifies the change in the Approve/Reject messages."""

    ref: str
    title: str
    text: str
    files: tuple[DiffFile, ...] = ()
    subtitle: str = ""
    acceptance: str = ""
    gate_ok: bool | None = None      # None: not gated yet
    gate_output: str = ""
    can_review: bool = True          # False: a live polecat's work or a landed MR (a/r do nothing)
    truncated: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def file_line(f: DiffFile, width: int = 0) -> Text:
    """'+12 -3 path' with green/red counts ('bin' for binary files)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if f.added is None:
        text.append(" bin ", "dim")
    else:
        text.append(f"+{f.added}", "green").append(" ").append(f"-{f.removed}", "red")
    text.append(" " + f.path)
    return text


def hunk_offsets(text: str) -> dict[str, int]:
    """Line number of each file's `diff --git a/X b/Y` header, keyed by the new path Y."""
    offsets: dict[str, int] = {}
    for number, line in enumerate(text.splitlines()):
        if line.startswith("diff --git a/") and " b/" in line:
            offsets.setdefault(line.rsplit(" b/", 1)[1], number)
    return offsets


class DiffView(Widget):
    """Header, file list and diff of one change; `a`/`r` post Approve/Reject; Enter on a file jumps to it."""

    DEFAULT_CSS = """
    DiffView { layout: vertical; height: 1fr; }
    DiffView > #diff-header { height: auto; max-height: 8; padding: 0 1; background: $boost; }
    DiffView > Horizontal { height: 1fr; }
    DiffView #diff-files { width: 30; max-width: 40%; height: 1fr; border: none; }
    DiffView #diff-scroll { width: 1fr; height: 1fr; }
    DiffView #diff-text { width: auto; min-width: 100%; }
    """

    BINDINGS = [
        Binding("a", "approve", "Approve", tooltip="Approve this change: it lands on the next refinery run"),
        Binding("r", "reject", "Reject", tooltip="Reject with a note: the polecat gets rework mail"),
        Binding("tab", "switch_pane", "Files/diff", show=False, tooltip="Move between the file list and the diff"),
        Binding("j", "scroll_diff(1)", "Down", show=False, tooltip="Scroll the diff down"),
        Binding("k", "scroll_diff(-1)", "Up", show=False, tooltip="Scroll the diff up"),
        Binding("space", "scroll_diff(20)", "Page", show=False, tooltip="Scroll the diff a page down"),
    ]

    @dataclass
    class Approve(Message):
        """The reviewer approved the change `ref`."""

        view: DiffView
        ref: str

        @property
        def control(self) -> DiffView:
            """The DiffView that sent this."""
            return self.view

    @dataclass
    class Reject(Message):
        """The reviewer rejected the change `ref` (the screen asks for the note)."""

        view: DiffView
        ref: str

        @property
        def control(self) -> DiffView:
            """The DiffView that sent this."""
            return self.view

    def __init__(self, content: DiffContent | None = None, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._content = content
        self._offsets: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="diff-header")
        with Horizontal():
            yield OptionList(id="diff-files")
            with VerticalScroll(id="diff-scroll", can_focus=True):
                yield Static(id="diff-text")

    def on_mount(self) -> None:
        if self._content is not None:
            self.set_content(self._content)

    @property
    def content(self) -> DiffContent | None:
        """What the view shows now."""
        return self._content

    def set_content(self, content: DiffContent) -> None:
        """Show `content` (header, files, diff) and put the cursor on the first file."""
        self._content = content
        self._offsets = hunk_offsets(content.text)
        self.query_one("#diff-header", Static).update(self._header(content))
        files = self.query_one("#diff-files", OptionList)
        files.clear_options()
        files.add_options([Option(file_line(f), id=f"f{i}") for i, f in enumerate(content.files)])
        if content.files:
            files.highlighted = 0
        body = Syntax(content.text or "(no changes)\n", "diff", theme="ansi_dark", word_wrap=False,
                      background_color="default")
        self.query_one("#diff-text", Static).update(body)
        self.query_one("#diff-scroll", VerticalScroll).scroll_home(animate=False)

    @staticmethod
    def _header(c: DiffContent) -> Text:
        """Title, subtitle, totals, acceptance and gate verdict (output tail) as one Text."""
        added = sum(f.added or 0 for f in c.files)
        removed = sum(f.removed or 0 for f in c.files)
        text = Text.assemble((c.title, "bold"), "  ", (c.subtitle, "dim"), no_wrap=False)
        text.append(f"\n{len(c.files)} file(s) ").append(f"+{added}", "green").append(" ").append(f"-{removed}", "red")
        if c.truncated:
            text.append("  (diff cut: too large to show whole)", "yellow")
        if c.gate_ok is not None:
            text.append("   gates ").append("✓ pass" if c.gate_ok else "✗ fail", "green" if c.gate_ok else "bold red")
        if c.can_review:
            text.append("   a approve · r reject", "dim")
        if c.acceptance:
            text.append("\nAcceptance: ", "bold").append(c.acceptance.strip())
        if c.gate_output and not c.gate_ok:
            text.append("\n" + "\n".join(c.gate_output.rstrip().splitlines()[-3:]), "red")
        for note in c.notes:
            text.append("\n" + note, "dim")
        return text

    @on(OptionList.OptionSelected, "#diff-files")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        """Enter on a file scrolls the diff to its header."""
        event.stop()
        if self._content is None or event.option_index >= len(self._content.files):
            return
        line = self._offsets.get(self._content.files[event.option_index].path)
        if line is not None:
            self.query_one("#diff-scroll", VerticalScroll).scroll_to(y=line, animate=False)

    def action_scroll_diff(self, lines: int) -> None:
        """Scroll the diff by `lines` (negative: up)."""
        scroll = self.query_one("#diff-scroll", VerticalScroll)
        scroll.scroll_to(y=max(0, scroll.scroll_y + lines), animate=False)

    def action_switch_pane(self) -> None:
        """Focus the other pane (file list <-> diff)."""
        files = self.query_one("#diff-files", OptionList)
        (self.query_one("#diff-scroll", VerticalScroll) if files.has_focus else files).focus()

    def action_approve(self) -> None:
        """Post Approve for the screen (nothing when this change cannot be reviewed)."""
        if self._content is not None and self._content.can_review:
            self.post_message(self.Approve(self, self._content.ref))

    def action_reject(self) -> None:
        """Post Reject for the screen (nothing when this change cannot be reviewed)."""
        if self._content is not None and self._content.can_review:
            self.post_message(self.Reject(self, self._content.ref))
