"""`compose.hooks`: when a molecule is poured onto work that matches a trigger, bond another formula to it.

`[[compose.hooks]] trigger = "label:security" attach = "security-review" at = "submit"`: pouring this formula
attached to a bead labelled `security` also pours `security-review` (attached to the same bead), and step `submit`
waits for that molecule to finish. Triggers: `label:<name>`, `type:<issue type>`, `priority:<n>` or
`priority:<lo>-<hi>`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gastown_tui.errors import InvalidInput

if TYPE_CHECKING:
    from gastown_tui.formulas.schema import HookRule
    from gastown_tui.ledger import Ledger


def matches(trigger: str, bead: Any) -> bool:
    """True when `bead` satisfies `trigger`; InvalidInput for a trigger of unknown form."""
    kind, _, value = trigger.partition(":")
    if kind == "label":
        return value in (bead.labels or [])
    if kind == "type":
        return bead.issue_type == value
    if kind == "priority":
        low, _, high = value.partition("-")
        try:
            return int(low) <= int(bead.priority) <= int(high or low)
        except ValueError:
            pass
    raise InvalidInput(f"compose.hooks.trigger {trigger!r}: use label:<name>, type:<type> or priority:<lo>-<hi>")


def apply_hooks(ledger: "Ledger", rules: list["HookRule"], work_id: str, step_beads: dict[str, str], *,
                ephemeral: bool, actor: str, library: Any) -> list[str]:
    """Pour each matching hook's formula onto `work_id`; its `at` step waits for it. Returns bonded ids."""
    from gastown_tui.formulas.molecule import pour

    work = ledger.get(work_id)
    bonded = []
    for rule in rules:
        if not matches(rule.trigger, work):
            continue
        if rule.at is not None and rule.at not in step_beads:
            raise rule.loc.error("compose.hooks.at", f"names no step: {rule.at!r}")
        mol = pour(ledger, rule.attach, dict(rule.vars), ephemeral=ephemeral, attach_to=work_id, actor=actor,
                   library=library)
        if rule.at is not None:
            ledger.add_dep(step_beads[rule.at], mol.id, "blocks", actor=actor)
        bonded.append(mol.id)
    return bonded
