"""FormDialog: the one base class that owns the keyboard contract of every form.

Tab / Shift+Tab / Down / Up move between fields; Enter in any one-line field submits (so it does in the last one;
a short form is one line and Enter), Ctrl+S submits from anywhere, a multi-line field included; Escape cancels. Validation runs inline before closing and the
dialog stays open with what was typed. A dialog closes exactly once: keys queued behind the closing one (a
double Enter, Enters after a long paste) are dropped instead of dismissing a screen that is already gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static, TextArea

Values = dict[str, str]
"""Field name -> entered text."""
Validator = Callable[[Values], str | None]
"""Returns an error message for bad input, None when the form may close."""

MAX_LINE = 500
"""Default longest one-line field (titles, subjects): longer text is refused inline, not cut."""


@dataclass(frozen=True)
class Field:
    """One form field: an Input (one line) or a TextArea (`multiline`)."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    multiline: bool = False
    suggestions: Sequence[str] = field(default_factory=tuple)
    max_length: int = MAX_LINE
    """Longest accepted text (0: no limit); checked inline on submit so a long paste is kept, not truncated."""


def length_error(spec: Field, value: str) -> str | None:
    """'Title is longer than 500 characters (501).' or None."""
    if spec.max_length and len(value) > spec.max_length:
        return f"{spec.label} is longer than {spec.max_length} characters ({len(value)})."
    return None


class FormDialog(ModalScreen[Values | None]):
    """Title, fields, an inline error line, and OK/Cancel, with the keyboard contract in the module docstring."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without doing anything", id="dialog-cancel"),
        Binding("ctrl+s", "submit", "Submit", tooltip="Check and submit the form", id="dialog-submit"),
        Binding("tab", "next_field", "Next field", show=False, tooltip="Move to the next field", id="dialog-next"),
        Binding("shift+tab", "previous_field", "Previous field", show=False, tooltip="Move to the previous field",
                id="dialog-previous"),
        # Down/Up only reach the screen from one-line fields and buttons: a TextArea keeps them for its lines.
        Binding("down", "next_field", "Next field", show=False, tooltip="Move to the next field",
                id="dialog-down"),
        Binding("up", "previous_field", "Previous field", show=False, tooltip="Move to the previous field",
                id="dialog-up"),
    ]

    def __init__(self, title: str, fields: Sequence[Field], validate: Validator, *, ok_label: str = "OK",
                 blink: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.form_title = title
        self.fields = list(fields)
        self.validate = validate
        self.ok_label = ok_label
        self.blink = blink
        self.rejections = 0
        """How many submits were refused (tests assert on it)."""
        self.closed = False
        """Set by the first submit/cancel that closes the dialog; later keys are ignored."""

    def compose(self) -> ComposeResult:
        """Title, labelled fields, error line, buttons."""
        with Vertical(id="form"):
            yield Static(self.form_title, id="form-title", markup=False)
            for spec in self.fields:
                yield Label(spec.label, classes="form-label", markup=False)
                if spec.multiline:
                    area = TextArea(spec.value, id=f"field-{spec.name}", soft_wrap=True, classes="form-text")
                    area.cursor_blink = self.blink
                    yield area
                else:
                    suggester = SuggestFromList(spec.suggestions, case_sensitive=True) if spec.suggestions else None
                    box = Input(spec.value, placeholder=spec.placeholder, id=f"field-{spec.name}",
                                suggester=suggester, classes="form-input")
                    box.cursor_blink = self.blink
                    yield box
            yield Label("", id="form-error", markup=False)
            with Horizontal(id="form-buttons"):
                multiline = any(spec.multiline for spec in self.fields)
                yield Static("Tab next field · Ctrl+S submits · Esc cancels" if multiline
                             else "Tab next field · Enter submits · Esc cancels", id="form-hint")
                yield Button(self.ok_label, variant="primary", id="form-ok")
                yield Button("Cancel", id="form-cancel")

    def on_mount(self) -> None:
        """Focus the first empty field (else the first field)."""
        widgets = self.field_widgets()
        empty = [w for w, spec in zip(widgets, self.fields) if not spec.value]
        (empty or widgets)[0].focus()

    def field_widgets(self) -> list[Widget]:
        """The input widgets, in field order."""
        return [self.query_one(f"#field-{spec.name}") for spec in self.fields]

    def _focus_order(self) -> list[Widget]:
        return [*self.field_widgets(), self.query_one("#form-ok"), self.query_one("#form-cancel")]

    def _move(self, delta: int) -> None:
        order = self._focus_order()
        current = self.focused
        index = order.index(current) if current in order else -delta
        order[(index + delta) % len(order)].focus()

    def action_next_field(self) -> None:
        """Focus the next field (wrapping through the buttons)."""
        self._move(1)

    def action_previous_field(self) -> None:
        """Focus the previous field."""
        self._move(-1)

    def values(self) -> Values:
        """What is in the fields now, stripped."""
        out: Values = {}
        for spec, widget in zip(self.fields, self.field_widgets()):
            text = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
            out[spec.name] = text.strip()
        return out

    def show_error(self, error: str) -> None:
        """Show a refusal on the inline error line (the dialog stays open)."""
        label = self.query_one("#form-error", Label)
        label.update(error)
        label.add_class("-shown")

    def action_submit(self) -> None:
        """Validate; show the error inline and stay open, or close with the values (once)."""
        if self.closed:
            return
        values = self.values()
        error = next((e for spec in self.fields if (e := length_error(spec, values[spec.name]))), None)
        error = error or self.validate(values)
        if error:
            self.rejections += 1
            self.show_error(error)
            return
        self.closed = True
        self.dismiss(values)

    def action_cancel(self) -> None:
        """Close without a result (once)."""
        if self.closed:
            return
        self.closed = True
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a one-line field submits the form."""
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """OK submits, Cancel cancels."""
        event.stop()
        if event.button.id == "form-ok":
            self.action_submit()
        else:
            self.action_cancel()


def require(*names: str) -> Validator:
    """A validator that refuses empty values for `names` ("Message is empty")."""

    def check(values: Values) -> str | None:
        for name in names:
            if not values.get(name):
                return f"{name.replace('_', ' ').capitalize()} is empty."
        return None

    return check


def all_of(*validators: Validator) -> Validator:
    """The first error of several validators."""

    def check(values: Values) -> str | None:
        for validator in validators:
            error = validator(values)
            if error:
                return error
        return None

    return check
