"""FormDialog: a small modal form that validates inline and only closes with values that passed validation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static, TextArea

Values = dict[str, str]
"""Field name -> entered text."""
Validator = Callable[[Values], str | None]
"""Returns an error message for bad input, None when the form may close."""


@dataclass(frozen=True)
class Field:
    """One form field: an Input (one line) or a TextArea (`multiline`)."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    multiline: bool = False
    suggestions: Sequence[str] = field(default_factory=tuple)


class FormDialog(ModalScreen[Values | None]):
    """Title, fields, an inline error line, and OK/Cancel. Escape cancels; Enter in a one-line field submits."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without doing anything", id="dialog-cancel"),
        Binding("ctrl+s", "submit", "Submit", tooltip="Check and submit the form", id="dialog-submit"),
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

    def compose(self) -> ComposeResult:
        """Title, labelled fields, error line, buttons."""
        with Vertical(id="form"):
            yield Static(self.form_title, id="form-title")
            for spec in self.fields:
                yield Label(spec.label, classes="form-label")
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
            yield Label("", id="form-error")
            with Horizontal(id="form-buttons"):
                multiline = any(spec.multiline for spec in self.fields)
                yield Static("Ctrl+S submits · Esc cancels" if multiline else "Enter submits · Esc cancels",
                             id="form-hint")
                yield Button(self.ok_label, variant="primary", id="form-ok")
                yield Button("Cancel", id="form-cancel")

    def on_mount(self) -> None:
        """Focus the first empty field (else the first field)."""
        widgets = [self.query_one(f"#field-{spec.name}") for spec in self.fields]
        empty = [w for w, spec in zip(widgets, self.fields) if not spec.value]
        (empty or widgets)[0].focus()

    def values(self) -> Values:
        """What is in the fields now, stripped."""
        out: Values = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            text = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
            out[spec.name] = text.strip()
        return out

    def action_submit(self) -> None:
        """Validate; show the error inline and stay open, or close with the values."""
        values = self.values()
        error = self.validate(values)
        if error:
            self.rejections += 1
            self.query_one("#form-error", Label).update(error)
            self.query_one("#form-error", Label).add_class("-shown")
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        """Close without a result."""
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
