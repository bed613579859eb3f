"""Checks on formulas: field values, variable declarations and values, step ids, `needs` and cycles."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from gastown_tui.formulas.schema import (FORMULA_TYPES, PHASES, STEP_TYPES, VAR_TYPES, Formula, Loc, Step,
                                         VarDef)

_WAITS_RE = re.compile(r"^(all-children|any-children|children-of\([A-Za-z0-9_.{}-]+\))$")
_STEP_ID_RE = re.compile(r"^[A-Za-z0-9_{}][A-Za-z0-9_.{}-]*$")
EXTRA_STEP_TYPES = ("gate", "molecule", "decision", "message")


def walk_steps(steps: Iterable[Step]) -> Iterator[Step]:
    """Every step, its children and its loop body, depth first."""
    for step in steps:
        yield step
        yield from walk_steps(step.children)
        if step.loop:
            yield from walk_steps(step.loop.body)


def check_var_def(var: VarDef) -> None:
    """A declaration is consistent: known type, no required+default, default fits enum/pattern/type."""
    field = f"{var.table}.{var.name}"
    if var.type not in VAR_TYPES:
        raise var.loc.error(f"{field}.type", f"unknown type {var.type!r} (use {', '.join(VAR_TYPES)})")
    # required + default is accepted, as the original does: the default satisfies the requirement
    if var.pattern is not None:
        try:
            re.compile(var.pattern)
        except re.error as exc:
            raise var.loc.error(f"{field}.pattern", f"invalid regular expression: {exc}") from None
    if var.default is not None:
        check_var_value(var, var.default)


def check_var_value(var: VarDef, value: str) -> None:
    """`value` is acceptable for `var` (enum, pattern, type), else a located error."""
    field = f"{var.table}.{var.name}"
    if var.enum and value not in var.enum:
        raise var.loc.error(field, f"value {value!r} is not one of {', '.join(var.enum)}")
    if var.pattern is not None and not re.fullmatch(var.pattern, value):
        raise var.loc.error(field, f"value {value!r} does not match pattern {var.pattern!r}")
    if var.type == "int" and not re.fullmatch(r"-?\d+", value):
        raise var.loc.error(field, f"value {value!r} is not an integer")
    if var.type == "bool" and value.lower() not in ("true", "false", "1", "0", "yes", "no", ""):
        raise var.loc.error(field, f"value {value!r} is not a boolean")


def check_vars_given(formula: Formula, given: Mapping[str, str], *, require: bool = True) -> None:
    """Given vars are declared and valid; with `require`, every required var is given."""
    for name, value in given.items():
        var = formula.vars.get(name)
        if var is None:
            declared = ", ".join(sorted(formula.vars)) or "none"
            var_lines = [line for key, line in formula.field_lines.items() if key[:1] == ("vars",)]
            loc = Loc(formula.loc.source, min(var_lines)) if var_lines else formula.loc_of("vars")
            raise loc.error(f"vars.{name}", f"unknown variable (declared: {declared})")
        check_var_value(var, value)
    if require:
        for var in formula.vars.values():
            if missing_required(var, given):
                raise var.loc.error(f"{var.table}.{var.name}", f"required variable not set (pass --var {var.name}=...)")


def missing_required(var: VarDef, given: Mapping[str, str]) -> bool:
    """True when `var` must be given and is not: required, no default, and none of `required_unless` given."""
    if var.name in given or var.default is not None:
        return False
    if var.required_unless:
        return not any(given.get(other) for other in var.required_unless)
    return var.required


def check_step(step: Step) -> None:
    """One step's own fields are valid (type, priority, title, waits_for, gate, loop shape)."""
    field = f"steps.{step.id}"
    if not _STEP_ID_RE.match(step.id):
        raise step.field_loc("id").error(f"{field}.id", "use letters, digits, '-', '_' and '.'")
    if step.type not in STEP_TYPES + EXTRA_STEP_TYPES:
        raise step.field_loc("type").error(f"{field}.type", f"unknown type {step.type!r} (use {', '.join(STEP_TYPES)})")
    if not 0 <= step.priority <= 4:
        raise step.field_loc("priority").error(f"{field}.priority", f"{step.priority} is not in 0-4")
    if not step.title and not step.expand:
        raise step.loc.error(f"{field}.title", "missing title")
    if step.waits_for and not _WAITS_RE.match(step.waits_for):
        raise step.field_loc("waits_for").error(
            f"{field}.waits_for", "use all-children, any-children or children-of(<step>)")
    if step.gate is not None and not isinstance(step.gate.get("type"), str):
        raise step.field_loc("gate").error(f"{field}.gate", "missing gate type")
    if step.loop:
        loop, lf = step.loop, f"{field}.loop"
        kinds = [k for k in ("count", "range", "until") if getattr(loop, k) is not None]
        if len(kinds) != 1:
            raise loop.loc.error(lf, "give exactly one of count, range (+ var) or until (+ max)")
        if loop.count is not None and not 1 <= loop.count <= 1000:
            raise loop.field_loc("count").error(f"{lf}.count", f"{loop.count} is not in 1-1000")
        if loop.range is not None and not loop.var:
            raise loop.loc.error(f"{lf}.var", "a range loop needs var = \"<name>\"")
        if loop.until is not None and (loop.max is None or loop.max < 1):
            raise loop.field_loc("max").error(f"{lf}.max", "an until loop needs max >= 1")


def check_unique_ids(steps: Iterable[Step], field: str = "steps") -> None:
    """No two steps (children included) share an id; a loop body is its own scope (ids get an iteration prefix)."""
    seen: dict[str, Step] = {}

    def visit(level: Iterable[Step]) -> None:
        for step in level:
            if step.id in seen:
                first = seen[step.id].loc
                raise step.field_loc("id").error(f"{field}.{step.id}.id",
                                                 f"duplicate step id (first defined at line {first.line})")
            seen[step.id] = step
            visit(step.children)
            if step.loop:
                check_unique_ids(step.loop.body, f"{field}.{step.id}.loop.body")

    visit(steps)


def formula_checks(formula: Formula) -> list[Callable[[], None]]:
    """The independent field-level checks of one file, each raising on its problem (so all can be reported)."""
    checks: list[Callable[[], None]] = [lambda: _check_head(formula)]
    checks += [lambda v=var: check_var_def(v) for var in formula.vars.values()]  # type: ignore[misc]
    checks += [lambda s=step: check_step(s) for step in walk_steps([*formula.steps, *formula.template])]  # type: ignore[misc]
    checks += [lambda: check_unique_ids(formula.steps), lambda: check_unique_ids(formula.template, "template"),
               lambda: _check_kind(formula)]
    return checks


def check_formula(formula: Formula) -> None:
    """Field-level checks of one parsed file (before extends/compose are resolved); raises the first problem."""
    for run in formula_checks(formula):
        run()


def _check_head(formula: Formula) -> None:
    """Name, type, version and phase."""
    if not formula.name.strip():
        raise formula.loc.error("formula", "empty name")
    if formula.source is not None and formula.source.name.endswith(".formula.toml"):
        stem = formula.source.name[: -len(".formula.toml")]
        if stem != formula.name:
            raise formula.loc.error("formula", f"name {formula.name!r} does not match the file name {stem!r}")
    if formula.type not in FORMULA_TYPES:
        raise formula.loc_of("type").error("type", f"unknown type {formula.type!r} (use {', '.join(FORMULA_TYPES)})")
    if formula.version < 1:
        raise formula.loc_of("version").error("version", "must be >= 1")
    if formula.execution not in ("local", "distributed"):
        raise formula.loc_of("execution").error("execution", f"unknown execution {formula.execution!r} (use local "
                                                "or distributed)")
    if formula.phase is not None and formula.phase not in PHASES:
        raise formula.loc_of("phase").error("phase", f"unknown phase {formula.phase!r} (use liquid or vapor)")


def _check_kind(formula: Formula) -> None:
    """What each formula type needs, and `required_unless` names."""
    if formula.type == "workflow" and not formula.steps and not formula.extends:
        raise formula.loc.error("steps", "a workflow formula needs at least one [[steps]] entry")
    if formula.type == "expansion" and not formula.template:
        raise formula.loc.error("template", "an expansion formula needs at least one [[template]] entry")
    if formula.type == "convoy":
        check_convoy(formula)
    if formula.type == "aspect" and not formula.advice and not formula.aspects:
        raise formula.loc.error("advice", "an aspect formula needs [[advice]] (or [[aspects]]) entries")
    for var in formula.vars.values():
        for other in var.required_unless:
            if other not in formula.vars:
                raise var.loc.error(f"{var.table}.{var.name}.required_unless", f"names no variable: {other!r}")


def check_convoy(formula: Formula) -> None:
    """A convoy has legs with unique ids, and its synthesis depends only on legs."""
    if not formula.legs:
        raise formula.loc_of("legs").error("legs", "a convoy formula needs at least one [[legs]] entry")
    seen: set[str] = set()
    for leg in formula.legs:
        if not _STEP_ID_RE.match(leg.id):
            raise leg.loc.error(f"legs.{leg.id}.id", "use letters, digits, '-', '_' and '.'")
        if leg.id in seen:
            raise leg.loc.error(f"legs.{leg.id}.id", "duplicate leg id")
        seen.add(leg.id)
    for name, members in formula.presets.items():
        for member in members:
            if member not in seen:
                raise formula.loc_of("presets", name).error(f"presets.{name}.legs", f"names no leg: {member!r}")
    if formula.synthesis:
        for dep in formula.synthesis.depends_on:
            if dep not in seen:
                raise formula.synthesis.loc.error("synthesis.depends_on", f"names no leg: {dep!r}")


def check_graph(steps: list[Step], field: str = "steps") -> None:
    """Every `needs` names a step of the (expanded) tree and nothing waits on itself, directly or not.

    "Done" edges: a step waits for its `needs`; an epic for its children; a child also for its ancestors' `needs`
    (it cannot start before its parent could), so a child needing its own parent is reported as a cycle.
    """
    by_id: dict[str, Step] = {}
    edges: dict[str, list[str]] = {}

    def collect(level: list[Step], inherited: list[str]) -> None:
        for step in level:
            by_id.setdefault(step.id, step)
            edges[step.id] = [*step.needs, *inherited, *(c.id for c in step.children)]
            collect(step.children, [*inherited, *step.needs])

    collect(steps, [])
    for step in by_id.values():
        for need in step.needs:
            if need not in by_id:
                raise step.field_loc("needs").error(f"{field}.{step.id}.needs", f"names no step: {need!r}")
    state: dict[str, int] = {}  # 1 = on the DFS path, 2 = done
    # iterative DFS: a 10,000-step chain must not hit Python's recursion limit
    for start in edges:
        if start in state:
            continue
        path: list[str] = [start]
        iters = [iter(edges[start])]
        state[start] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
                continue
            if state.get(nxt) == 1:
                node = path[-1]
                cycle = [*path[path.index(nxt):], nxt]
                culprit = by_id[node]
                raise culprit.field_loc("needs").error(f"{field}.{culprit.id}.needs",
                                                       f"dependency cycle: {' -> '.join(cycle)}")
            if nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(edges[nxt]))
