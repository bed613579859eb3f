"""The command dialogs (sling, nudge, séance, new bead, new convoy, compose, reply) and the yes/no confirm."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from gastown_tui.ui.screens.form import Field, FormDialog, Validator, Values, all_of, require

MAX_TEXT = 20_000
"""Longest message, question, description or body (a pasted log fits; a runaway paste is refused inline)."""


def known(name: str, choices: Sequence[str], what: str, *, optional: bool = False) -> Validator:
    """Refuse a value that is not one of `choices`, naming a few valid ones."""

    def check(values: Values) -> str | None:
        value = values.get(name, "")
        if optional and not value:
            return None
        if value not in choices:
            hint = ", ".join(list(choices)[:4]) + (" …" if len(choices) > 4 else "")
            return f"Unknown {what} '{value}'." + (f" Try: {hint}" if hint else "")
        return None

    return check


def sling_dialog(bead_id: str, targets: Sequence[str], target: str = "", *, blink: bool = True,
                 beads: Sequence[str] = (), runtimes: Sequence[str] = ()) -> FormDialog:
    """Sling a bead: the bead id (completed from the open beads) and a target that must be a known agent or rig;
    with `runtimes` (preset names, the default first), an optional runtime that must be one of them."""
    fields = [Field("bead", "Bead", bead_id, "bead id", suggestions=beads),
              Field("target", "Target (agent or rig)", target, "e.g. " + " or ".join(list(targets)[:2]) if targets
                    else "no rigs or agents yet", suggestions=targets)]
    if runtimes:
        fields.append(Field("runtime", "Runtime", "", f"blank: default ({runtimes[0]}); or " +
                            ", ".join(runtimes[1:4]), suggestions=runtimes))
    return FormDialog(
        "Sling a bead onto an agent's hook", fields,
        all_of(require("bead", "target"), known("target", targets, "target"),
               known("runtime", runtimes, "runtime", optional=True)),
        ok_label="Sling", blink=blink, id="sling-dialog")


def nudge_dialog(agent: str, agents: Sequence[str], *, blink: bool = True) -> FormDialog:
    """Nudge an agent: a known agent and a non-empty message."""
    return FormDialog(
        "Nudge an agent (delivered when it is idle)",
        [Field("agent", "Agent", agent, suggestions=agents), Field("message", "Message", "", "what to tell it", max_length=MAX_TEXT)],
        all_of(require("agent"), known("agent", agents, "agent"), require("message")),
        ok_label="Nudge", blink=blink, id="nudge-dialog")


def has_earlier_session(askable: Callable[[str], bool] | None) -> Validator:
    """Refuse an agent with no earlier session (the engine would refuse it only after the dialog closed)."""

    def check(values: Values) -> str | None:
        agent = values.get("agent", "")
        if askable is not None and agent and not askable(agent):
            return f"{agent} has no earlier session to ask."
        return None

    return check


def seance_dialog(agent: str, agents: Sequence[str], *, blink: bool = True,
                  askable: Callable[[str], bool] | None = None) -> FormDialog:
    """Séance: ask an agent's predecessor session a question (`askable`: does it have one; None: not known)."""
    return FormDialog(
        "Séance: ask the predecessor session",
        [Field("agent", "Agent", agent, suggestions=agents),
         Field("question", "Question", "", "what do you want to know", max_length=MAX_TEXT)],
        all_of(require("agent"), known("agent", agents, "agent"), has_earlier_session(askable), require("question")),
        ok_label="Ask", blink=blink, id="seance-dialog")


def new_bead_dialog(rigs: Sequence[str], rig: str = "", *, blink: bool = True) -> FormDialog:
    """New bead: a title, optional description and rig."""
    return FormDialog(
        "New bead",
        [Field("title", "Title", "", "what needs doing"), Field("description", "Description", "", "details", max_length=MAX_TEXT),
         Field("rig", "Rig", rig, "rig name (blank: town)", suggestions=rigs)],
        all_of(require("title"), known("rig", rigs, "rig", optional=True)),
        ok_label="Create", blink=blink, id="bead-dialog")


def known_beads(name: str, exists: Callable[[str], bool]) -> Validator:
    """Refuse space-separated bead ids that `exists` does not know, naming them."""

    def check(values: Values) -> str | None:
        unknown = [bead for bead in values.get(name, "").split() if not exists(bead)]
        return f"Unknown bead id(s): {' '.join(unknown)}." if unknown else None

    return check


def new_convoy_dialog(bead_ids: str, exists: Callable[[str], bool] = lambda _bead: True, *,
                      suggestions: Sequence[str] = (), blink: bool = True) -> FormDialog:
    """New convoy: a title and the bead ids it tracks (each must exist: checked before closing)."""
    return FormDialog(
        "New convoy",
        [Field("title", "Title", "", "the delivery, e.g. 'Add dark mode'"),
         Field("beads", "Beads (space-separated ids)", bead_ids, suggestions=suggestions, max_length=MAX_TEXT)],
        all_of(require("title"), known_beads("beads", exists)), ok_label="Create", blink=blink, id="convoy-dialog")


def compose_dialog(to: str, recipients: Sequence[str], *, blink: bool = True) -> FormDialog:
    """Compose mail from the Overseer."""
    return FormDialog(
        "Compose mail",
        [Field("to", "To", to, "agent address", suggestions=recipients), Field("subject", "Subject"),
         Field("body", "Body", multiline=True, max_length=MAX_TEXT)],
        all_of(require("to", "subject", "body"), known("to", recipients, "recipient")),
        ok_label="Send", blink=blink, id="compose-dialog")


def reply_dialog(subject: str, *, blink: bool = True) -> FormDialog:
    """Reply to a message in the inbox."""
    return FormDialog(f"Reply: {subject}", [Field("body", "Body", multiline=True, max_length=MAX_TEXT)],
                      require("body"),
                      ok_label="Send", blink=blink, id="reply-dialog")


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; y/Enter confirms, n/Escape declines."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", tooltip="Confirm", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", tooltip="Decline", id="confirm-no"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No", id: str | None = None) -> None:
        super().__init__(id=id)
        self.question = question
        self.yes_label, self.no_label = yes, no

    def compose(self) -> ComposeResult:
        """Question and two buttons."""
        with Vertical(id="form"):
            yield Static(self.question, id="form-title")
            with Horizontal(id="form-buttons"):
                yield Button(f"{self.yes_label} (y)", variant="error", id="confirm-yes")
                yield Button(f"{self.no_label} (n)", id="confirm-no")

    def on_mount(self) -> None:
        """Default to the safe answer."""
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, value: bool) -> None:
        """Close with the answer."""
        self.dismiss(value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons answer too."""
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")
