"""Run a convoy formula: one bead per leg slung to its own polecat, a synthesis bead that waits for every leg.

`start_convoy_formula` creates, in one transaction, a convoy tracking a bead per leg and the synthesis bead
(`blocks` edges on the legs it depends on, all by default), then feeds it. `feed` slings the ready, unassigned beads
of formula convoys within the town's polecat capacity (the rest wait for the next feed, as the deacon's
stranded-convoys step does); the synthesis is ready only once its legs closed, and is slung with the legs' outputs
(`output.directory` + `leg_pattern`) appended to its description. `review_only` legs are marked so `gt done`
closes them without a merge request.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gastown_tui.errors import InvalidInput
from gastown_tui.formulas.cook import var_values
from gastown_tui.formulas.schema import Formula, Leg
from gastown_tui.formulas.validate import check_formula, check_vars_given
from gastown_tui.town.paths import TownPaths

_PLACEHOLDER = re.compile(r"\{\{\s*\.?([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")  # {{name}} and Go's {{.name}}
DEFAULT_DIR = ".gastown/convoys/{{convoy}}"
MAX_INLINE = 20_000  # bytes of one leg's output copied into the synthesis description


@dataclass(frozen=True)
class LegBead:
    """A leg as run: its bead, runtime, review-only flag and output file."""

    leg: str
    bead: str
    agent: str | None
    review_only: bool
    output: str


@dataclass(frozen=True)
class ConvoyRun:
    """What `gt formula run` created and slung."""

    convoy: str
    formula: str
    rig: str
    legs: tuple[LegBead, ...]
    synthesis: str
    result: str
    slung: tuple[str, ...] = ()
    queued: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


def render(text: str, values: dict[str, str]) -> str:
    """Substitute `{{name}}` / `{{.name}}` (dotted names like `leg.id` included); unknown ones stay literal."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _inside_town(town: TownPaths, relative: str, field: str) -> Path:
    """`relative` resolved under the town root; refuse a path that escapes it."""
    root = town.root.resolve()
    path = (root / relative).resolve()
    if path != root and root not in path.parents:
        raise InvalidInput(f"{field}: {relative!r} is outside the town")
    return path


def _leg_text(formula: Formula, leg: Leg, values: dict[str, str], review_only: bool) -> str:
    parts = [formula.prompts.get("base", ""), f"Focus: {leg.focus}" if leg.focus else "", leg.description,
             f"Write your output to: {values['output']}",
             "Review only: make no commits; your output file is the result." if review_only else ""]
    return render("\n\n".join(p.strip() for p in parts if p.strip()), values)


def start_convoy_formula(town: TownPaths, ledger: Any, formula: Formula, vars: dict[str, str], rig: str, *,
                         actor: str, loader: Any = None, preset: str | None = None) -> ConvoyRun:
    """Create the convoy, leg beads and synthesis bead for `formula` in rig `rig`, then feed it.

    A workflow with `execution = "distributed"` runs too: one bead per step, each slung when ready (distributed.py).
    """
    from gastown_tui.convoys import add_to_convoy, create_convoy
    from gastown_tui.town import load_rig_config

    check_formula(formula)
    if formula.type == "workflow" and formula.execution == "distributed":
        from gastown_tui.formulas.distributed import start_distributed
        convoy_id, steps = start_distributed(town, ledger, formula, vars, rig, actor=actor, loader=loader)
        slung, queued = feed(town, ledger, actor=actor, convoy=convoy_id)
        beads = tuple(LegBead(step, bead, None, False, "") for step, bead in steps)
        return ConvoyRun(convoy_id, formula.name, rig, beads, "", "", tuple(slung), tuple(queued))
    parts = formula.legs if formula.type == "convoy" else formula.aspects if formula.type == "aspect" else []
    if not parts:
        raise formula.loc_of("type").error("type", f"{formula.name} is a {formula.type} formula; gt formula run "
                                           "runs convoy formulas, aspect formulas with [[aspects]] and workflows "
                                           "with execution = \"distributed\" (sling other workflows with gt sling)")
    if preset is not None:
        if preset not in formula.presets:
            known = ", ".join(sorted(formula.presets)) or "none"
            raise InvalidInput(f"formula {formula.name} has no preset {preset!r} (presets: {known})")
        parts = [leg for leg in parts if leg.id in formula.presets[preset]]
    check_vars_given(formula, vars)
    prefix = load_rig_config(town.rig(rig)).prefix
    values = var_values(formula, vars)
    output = formula.output
    legs: list[LegBead] = []
    with ledger.transaction():
        convoy = create_convoy(ledger, render(f"{formula.name}: {formula.description.strip().splitlines()[0]}"
                                              if formula.description.strip() else formula.name, values)[:200],
                               actor=actor)
        values["convoy"] = convoy.id
        directory = _inside_town(town, render(output.directory if output and output.directory else DEFAULT_DIR,
                                              values), "output.directory")
        pattern = output.leg_pattern if output else "{{leg.id}}.md"
        for leg in parts:
            review_only = formula.review_only if leg.review_only is None else leg.review_only
            leg_values = {**values, "leg.id": leg.id, "leg.title": leg.title, "leg.focus": leg.focus}
            leg_values["output"] = str(_inside_town(town, str(directory / render(pattern, leg_values)),
                                                    "output.leg_pattern"))
            agent = leg.agent or formula.agent
            bead = ledger.create(render(leg.title, leg_values), prefix=prefix, actor=actor,
                                 description=_leg_text(formula, leg, leg_values, review_only),
                                 metadata={"formula": formula.name, "convoy_role": "leg", "leg": leg.id,
                                           "runtime": agent, "review_only": review_only,
                                           "output": leg_values["output"], "convoy": convoy.id})
            legs.append(LegBead(leg.id, bead.id, agent, review_only, leg_values["output"]))
        synthesis = formula.synthesis
        result = str(_inside_town(town, str(directory / render(output.synthesis if output else "synthesis.md",
                                                               values)), "output.synthesis"))
        depends = [d for d in (synthesis.depends_on if synthesis and synthesis.depends_on else
                               [leg.leg for leg in legs]) if d in {leg.leg for leg in legs}]
        inputs = "\n".join(f"- {leg.leg}: {leg.output}" for leg in legs if leg.leg in depends)
        synth_values = {**values, "output": result, "legs.outputs": " ".join(
            leg.output for leg in legs if leg.leg in depends)}
        text = "\n\n".join(p for p in (render(synthesis.description if synthesis else "", synth_values).strip(),
                                       f"Inputs (the legs' outputs):\n{inputs}",
                                       f"Write the result to: {result}") if p)
        synth = ledger.create(render(synthesis.title if synthesis else "Synthesis", synth_values), prefix=prefix,
                              description=text, actor=actor,
                              metadata={"formula": formula.name, "convoy_role": "synthesis", "output": result,
                                        "runtime": formula.agent, "convoy": convoy.id,
                                        "review_only": formula.review_only})
        by_leg = {leg.leg: leg.bead for leg in legs}
        for name in depends:
            ledger.add_dep(synth.id, by_leg[name], "blocks", actor=actor)
        add_to_convoy(ledger, convoy.id, [*(leg.bead for leg in legs), synth.id], actor=actor)
        meta = dict(ledger.get(convoy.id).metadata or {})
        meta.update(formula=formula.name, rig=rig, synthesis=synth.id, result=result)
        ledger.update(convoy.id, metadata=meta, actor=actor)
    directory.mkdir(parents=True, exist_ok=True)
    slung, queued = feed(town, ledger, actor=actor, convoy=convoy.id)
    return ConvoyRun(convoy.id, formula.name, rig, tuple(legs), synth.id, result, tuple(slung), tuple(queued))


def feed(town: TownPaths, ledger: Any, *, actor: str, convoy: str | None = None) -> tuple[list[str], list[str]]:
    """Sling the ready, unassigned beads of open formula convoys within capacity; (slung `bead→agent`, queued)."""
    from gastown_tui.agents.sling import sling
    from gastown_tui.convoys import list_convoys, tracked_ids
    from gastown_tui.patrols.dispatch import LedgerDispatch
    from gastown_tui.town import load_town_config

    ready = {b.id for b in ledger.ready(unassigned=True)}
    todo: list[tuple[str, str]] = []
    for bead in list_convoys(ledger):
        meta = bead.metadata or {}
        if (meta.get("synthesis") or meta.get("formula_run")) and (convoy is None or bead.id == convoy):
            todo += [(b, str(meta["rig"])) for b in tracked_ids(ledger, bead.id) if b in ready]
    room = max(0, load_town_config(town).max_polecats - LedgerDispatch(ledger).active_polecats())
    slung = []
    prepare_syntheses(ledger, actor=actor)
    for bead_id, rig in todo[:room]:
        work = ledger.get(bead_id)
        result = sling(town, ledger, bead_id, rig, actor=actor, runtime=(work.metadata or {}).get("runtime"))
        slung.append(f"{bead_id}→{result.address}")
    return slung, [b for b, _ in todo[room:]]


def prepare_syntheses(ledger: Any, *, actor: str) -> list[str]:
    """Give every ready synthesis bead its legs' outputs before anyone slings it (the deacon calls this too)."""
    prepared = []
    for bead in ledger.ready(unassigned=True):
        if (bead.metadata or {}).get("convoy_role") == "synthesis" and "## Leg outputs" not in bead.description:
            _add_leg_outputs(ledger, bead.id, actor)
            prepared.append(bead.id)
    return prepared


def _add_leg_outputs(ledger: Any, synth_id: str, actor: str) -> None:
    """Put the closed legs' outputs (file contents, close reasons) into the synthesis bead's description."""
    bead = ledger.get(synth_id)
    if "## Leg outputs" in bead.description:
        return
    sections = []
    for dep in bead.dependencies:
        if dep.type != "blocks":
            continue
        leg = ledger.get(dep.depends_on_id)
        path = Path(str((leg.metadata or {}).get("output", "")))
        try:
            body = path.read_text(encoding="utf-8", errors="replace")[:MAX_INLINE] if path.is_file() else "(missing)"
        except OSError as exc:
            body = f"(unreadable: {exc.strerror})"
        sections.append(f"### {leg.title} ({leg.id}, {leg.close_reason or leg.status})\n{path}\n\n{body.strip()}")
    ledger.update(synth_id, description=f"{bead.description}\n\n## Leg outputs\n\n" + "\n\n".join(sections),
                  actor=actor)
