"""Interactive steps: never worked by a polecat; the Overseer (or the step's `agent`) is told when one is ready.

At pour an interactive step is assigned to its person (`agent`, default the Overseer) and labelled `interactive`;
walkers skip it unless it is theirs. When it becomes ready its person gets mail saying which step, of which
molecule, and why it was sent to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gastown_tui.formulas.walk import Molecule, StepState
    from gastown_tui.ledger import Ledger

OVERSEER = "overseer"
LABEL = "interactive"


def owner(metadata: dict[str, Any]) -> str | None:
    """Who does an interactive step (None for an ordinary step)."""
    if not metadata.get("interactive"):
        return None
    return str(metadata.get("agent") or OVERSEER)


def notify_ready(ledger: "Ledger", mol: "Molecule", steps: list["StepState"], actor: str) -> list[str]:
    """Mail the owner of each interactive step in `steps` (the newly ready ones); returns the message ids."""
    from gastown_tui.mail import send

    sent = []
    for step in steps:
        if not step.interactive:
            continue
        to = step.assignee or OVERSEER
        body = (f"Molecule: {mol.id} ({mol.formula})\nStep: {step.step_id} ({step.bead_id})\n"
                f"Reason: interactive step: it needs a person, so it is never dispatched to a polecat.\n"
                f"Close it with: gt mol step done {step.bead_id}\n\n{step.description}").strip()
        message = send(ledger, to, f"Interactive step ready: {step.title}"[:200], body, sender=actor,
                       events_file=ledger.paths.events)
        sent.append(str(message.id))
    return sent
