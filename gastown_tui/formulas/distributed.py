"""`execution = "distributed"` workflows: each step handed to a fresh polecat instead of one session walking all.

`gt formula run NAME RIG` on such a workflow cooks it, then creates one bead per work step (epic containers are
dropped: their children carry the order) with `blocks` edges from `needs`, all tracked by one convoy. The same
feed as convoy legs slings each step when it becomes ready, within capacity; a step that needs a step with an
`output` is told which files to expect (the cook already wrote that into its description).
"""

from __future__ import annotations

from typing import Any

from gastown_tui.formulas.cook import cook
from gastown_tui.formulas.schema import Formula
from gastown_tui.town.paths import TownPaths


def start_distributed(town: TownPaths, ledger: Any, formula: Formula, vars: dict[str, str], rig: str, *,
                      actor: str, loader: Any = None) -> tuple[str, list[tuple[str, str]]]:
    """Create the convoy and one bead per step; returns (convoy id, [(step id, bead id)] in formula order)."""
    from gastown_tui.convoys import add_to_convoy, create_convoy
    from gastown_tui.town import load_rig_config

    proto = cook(formula, vars, loader=loader, mode="runtime")
    prefix = load_rig_config(town.rig(rig)).prefix
    containers = {s.parent for s in proto.steps if s.parent}
    work = [s for s in proto.steps if s.id not in containers]
    inherited = {s.id: list(s.needs) for s in proto.steps}  # a child also waits for its containers' needs
    by_id = {s.id: s for s in proto.steps}
    beads: list[tuple[str, str]] = []
    with ledger.transaction():
        convoy = create_convoy(ledger, f"{formula.name} (distributed): {proto.title}"[:200], actor=actor)
        ids: dict[str, str] = {}
        for step in work:
            bead = ledger.create(step.title, prefix=prefix, description=step.description, actor=actor,
                                 acceptance_criteria=step.acceptance,
                                 metadata={**step.metadata, "formula": formula.name, "convoy_role": "step",
                                           "step_id": step.id, "convoy": convoy.id,
                                           "runtime": step.metadata.get("agent") or formula.agent})
            ids[step.id] = bead.id
            beads.append((step.id, bead.id))
        for step in work:
            needs, parent = list(step.needs), step.parent
            while parent:  # waits for what its containers wait for
                needs += inherited.get(parent, [])
                parent = by_id[parent].parent
            for need in dict.fromkeys(needs):
                for target in _leaves(need, proto.steps, containers):  # a container is done when its leaves are
                    ledger.add_dep(ids[step.id], ids[target], "blocks", actor=actor)
        add_to_convoy(ledger, convoy.id, [b for _, b in beads], actor=actor)
        meta = dict(ledger.get(convoy.id).metadata or {})
        meta.update(formula=formula.name, rig=rig, formula_run="distributed")
        ledger.update(convoy.id, metadata=meta, actor=actor)
    return convoy.id, beads


def _leaves(step_id: str, steps: list[Any], containers: set[str]) -> list[str]:
    """`step_id` itself, or every work step below it when it is a container."""
    if step_id not in containers:
        return [step_id]
    out: list[str] = []
    for child in (s for s in steps if s.parent == step_id):
        out += _leaves(child.id, steps, containers)
    return out
