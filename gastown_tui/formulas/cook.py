"""Cook: formula (+ vars) -> Proto, the in-memory template subgraph that pour turns into beads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from gastown_tui.formulas.expand import (Loader, apply_controls, apply_expansions, eval_condition,
                                         resolve_extends, substitute)
from gastown_tui.formulas.schema import Formula, FormulaError, Step, VarDef
from gastown_tui.formulas.search import sibling_first
from gastown_tui.formulas.weave import apply_branches, apply_maps, weave_aspects
from gastown_tui.formulas.validate import check_formula, formula_checks, check_graph, check_unique_ids, check_vars_given

Mode = Literal["compile", "runtime"]


@dataclass
class ProtoStep:
    """One step of a proto: becomes one child bead of the molecule root."""

    id: str
    title: str
    description: str = ""
    notes: str = ""
    acceptance: str = ""
    type: str = "task"
    priority: int = 2
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None
    needs: list[str] = field(default_factory=list)
    parent: str | None = None  # id of the epic step it is a child of
    condition: str | None = None  # kept only when it could not be decided at cook time (compile mode)
    gate: dict[str, Any] | None = None
    waits_for: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # "file:line" of the step's definition

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return asdict(self)


@dataclass
class Proto:
    """A cooked formula: root fields plus steps in file order (parents before children)."""

    id: str
    formula: str
    title: str
    description: str
    steps: list[ProtoStep]
    vars: dict[str, str] = field(default_factory=dict)  # the values substituted (runtime mode)
    var_defs: dict[str, VarDef] = field(default_factory=dict)
    mode: Mode = "runtime"
    pour: bool | None = None
    phase: str | None = None
    source: str = ""
    formula_obj: Formula | None = field(default=None, repr=False)

    def step(self, step_id: str) -> ProtoStep:
        """The step with id `step_id` (KeyError if absent)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (what `gt cook --json` prints)."""
        return {"id": self.id, "formula": self.formula, "title": self.title, "description": self.description,
                "mode": self.mode, "vars": self.vars, "pour": self.pour, "phase": self.phase,
                "source": self.source,
                "var_defs": {n: {k: v for k, v in asdict(d).items() if k != "loc"} for n, d in self.var_defs.items()},
                "steps": [s.to_dict() for s in self.steps]}


def var_values(formula: Formula, given: dict[str, str]) -> dict[str, str]:
    """Defaults overlaid with the given values."""
    values = {n: v.default for n, v in formula.vars.items() if v.default is not None}
    values.update(given)
    return values


def resolve(formula: Formula, loader: Loader | None) -> Formula:
    """Check the file, then merge `extends` parents and apply expansions (a new Formula; input untouched)."""
    check_formula(formula)
    loader = sibling_first(formula, loader or _no_loader)
    resolved = resolve_extends(formula, loader)
    apply_expansions(resolved, loader)
    apply_maps(resolved, loader)
    apply_branches(resolved)
    weave_aspects(resolved, loader)
    check_unique_ids(resolved.steps)
    check_graph(resolved.steps)
    return resolved


def cook(formula: Formula, vars: dict[str, str] | None = None, *, loader: Loader | None = None,
         mode: Mode | None = None) -> Proto:
    """Cook `formula` into a Proto.

    Runtime mode (the default when `vars` are given) checks every var and substitutes `{{var}}`; compile mode
    keeps placeholders and conditions on unset vars, for persisting a reusable proto. `loader` finds the
    formulas named by `extends` / `compose.expand` (e.g. `FormulaLibrary.load`).
    """
    given = dict(vars or {})
    mode = mode or ("runtime" if vars is not None else "compile")
    resolved = resolve(formula, loader)
    if formula.type != "workflow":
        article = "an" if formula.type[:1] in "aeiou" else "a"
        how = {"convoy": "run it with gt formula run NAME RIG", "aspect": "weave it with compose.aspects"}.get(
            formula.type, "expansions apply through compose.expand")
        raise formula.loc_of("type").error("type", f"{formula.name} is {article} {formula.type} formula; only "
                                           f"workflow formulas cook ({how})")
    check_vars_given(resolved, given, require=(mode == "runtime"))
    values = var_values(resolved, given)
    text_values = values if mode == "runtime" else given
    steps = apply_controls(resolved.steps, values, cond_values=text_values)
    check_graph(steps)
    proto_steps: list[ProtoStep] = []
    _flatten(steps, None, text_values, proto_steps)
    _add_inputs(proto_steps)
    # without a `title` var the root is named after the formula and the vars given, so molecules tell apart
    shown = ", ".join(f"{k}={v}" for k, v in given.items() if len(v) <= 40)
    title = "{{title}}" if "title" in resolved.vars else f"{resolved.name} ({shown})" if shown else resolved.name
    description = "{{desc}}" if "desc" in resolved.vars else resolved.description
    return Proto(id=resolved.name, formula=resolved.name, title=substitute(title, text_values),
                 description=substitute(description, text_values), steps=proto_steps,
                 vars=values if mode == "runtime" else given, var_defs=resolved.vars, mode=mode,
                 pour=resolved.pour, phase=resolved.phase, source=str(formula.loc.source), formula_obj=resolved)


def _flatten(steps: list[Step], parent: str | None, values: dict[str, str], out: list[ProtoStep]) -> None:
    """Append ProtoSteps for `steps` and their children; gates become sibling `gate-<step>` steps."""
    for step in steps:
        undecided = step.condition if step.condition and eval_condition(step.condition, values) is None else None
        needs = list(step.needs)
        if step.gate is not None:
            gate_id = f"gate-{step.id}"
            gate = step.gate
            out.append(ProtoStep(id=gate_id, title=f"Gate: {gate.get('type')} for {step.id}", type="gate",
                                 parent=parent, gate=dict(gate), labels=["gate"], source=str(step.loc),
                                 metadata={"await_type": gate.get("type"),
                                           "await_id": gate.get("await_id", gate.get("id")),
                                           "timeout": gate.get("timeout")}))
            needs.append(gate_id)
        labels = list(step.labels)
        if step.waits_for:
            labels.append(f"gate:{step.waits_for}")
        out.append(ProtoStep(
            id=step.id, title=substitute(step.title, values), description=substitute(step.description, values),
            notes=substitute(step.notes, values), acceptance=substitute(step.acceptance, values),
            type="epic" if step.children else "task" if step.type == "parallel" else step.type,
            priority=step.priority, labels=labels,
            assignee=substitute(step.assignee, values) if step.assignee else None, needs=needs, parent=parent,
            condition=undecided, gate=step.gate, waits_for=step.waits_for, metadata=_step_meta(step, values),
            source=str(step.loc)))
        _flatten(step.children, step.id, values, out)


def _add_inputs(steps: list[ProtoStep]) -> None:
    """A step whose needs produce artifacts (`output`) is told which files to expect (GetStepInputs)."""
    outputs = {s.id: s.metadata["output"] for s in steps if s.metadata.get("output")}
    for step in steps:
        inputs = [outputs[n] for n in step.needs if n in outputs]
        if inputs:
            step.metadata["inputs"] = inputs
            step.description = (f"{step.description.rstrip()}\n\n" if step.description.strip() else "") + \
                "Inputs from earlier steps: " + ", ".join(inputs)


def _step_meta(step: Step, values: dict[str, str]) -> dict[str, Any]:
    """The step's metadata plus the Gas Town step fields the walker and dispatch read at run time."""
    meta = dict(step.metadata)
    if step.parallel:
        meta["parallel"] = True
    if step.type == "parallel":
        meta["container"] = "parallel"
    if step.interactive:
        meta["interactive"] = True
    for key, value in (("agent", step.agent), ("output", step.output)):
        if value:
            meta[key] = substitute(value, values)
    if step.on_complete:
        meta["on_complete"] = dict(step.on_complete)
    return meta


def _no_loader(name: str) -> Formula:
    """Loader used when none is given: every reference is missing."""
    from gastown_tui.errors import NotFound
    raise NotFound(f"formula {name!r} not found")


def check_all(formula: Formula, loader: Loader | None = None) -> list[FormulaError]:
    """Every problem of one parsed file: each independent field check, then (if those pass) the full check."""
    problems: list[FormulaError] = []
    for run in formula_checks(formula):
        try:
            run()
        except FormulaError as exc:
            problems.append(exc)
    if not problems:
        try:
            check(formula, loader)
        except FormulaError as exc:
            problems.append(exc)
    return problems


def check(formula: Formula, loader: Loader | None = None) -> Proto | None:
    """Everything `gt formula check` verifies: fields, vars, extends/compose, loops, ids, needs, cycles.

    Workflows are cooked in compile mode (required vars need no values); expansion formulas have their template
    graph checked. Returns the proto for workflows, None for other types. Raises FormulaError on the first problem.
    """
    if formula.type == "expansion":
        check_formula(formula)
        check_graph(formula.template, "template")
        return None
    if formula.type in ("aspect", "convoy"):
        check_formula(formula)  # their advice / legs are kept as metadata, not executed here
        return None
    return cook(formula, None, loader=loader, mode="compile")
