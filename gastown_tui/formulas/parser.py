"""Parse `.formula.toml` text into a `Formula`, with type checks that name `file:line: field: problem`.

Unknown keys are kept (formula `metadata`, step `metadata`) rather than rejected: Gas Town's formulas carry fields
(`squash`, `legs`, `advice`, ...) that this implementation does not execute, and they must still load.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from gastown_tui.formulas.lines import index_lines
from gastown_tui.formulas.parse_extra import parse_compose, parse_convoy
from gastown_tui.formulas.parse_util import Ctx, opt_bool, opt_str, str_list, want
from gastown_tui.formulas.schema import Formula, FormulaError, Loc, Loop, Step, VarDef

_TOP_KEYS = {"formula", "description", "version", "type", "vars", "steps", "template", "extends", "compose",
             "pour", "phase", "agent", "review_only", "execution", "inputs", "prompts", "output", "legs",
             "synthesis", "aspects", "advice", "presets"}
_STEP_KEYS = {"id", "title", "description", "notes", "type", "priority", "labels", "assignee", "needs",
              "depends_on", "acceptance", "condition", "children", "gate", "loop", "waits_for", "expand",
              "expand_vars", "metadata", "parallel", "interactive", "agent", "output", "on_complete"}
_VAR_KEYS = {"description", "default", "required", "enum", "pattern", "type", "required_unless"}
_TOML_ERR_RE = re.compile(r"\(at line (\d+), column \d+\)")


def parse_var(ctx: Ctx, name: str, raw: Any, table: str = "vars") -> VarDef:
    """One `[vars]` (or convoy `[inputs]`) entry: shorthand string default or a table."""
    path = (table, name)
    loc = ctx.loc(path)
    field = f"{table}.{name}"
    if isinstance(raw, (str, int, bool)) and not isinstance(raw, dict):
        return VarDef(name=name, default=str(raw).lower() if isinstance(raw, bool) else str(raw), loc=loc,
                      table=table)
    want(ctx, path, field, raw, dict, 'a string default or a table')
    var = VarDef(name=name, loc=loc, table=table)
    var.description = want(ctx, path + ("description",), f"{field}.description", raw.get("description", ""),
                            str, "a string")
    if "default" in raw:
        default = raw["default"]
        want(ctx, path + ("default",), f"{field}.default", default, (str, int, bool), "a string")
        var.default = str(default).lower() if isinstance(default, bool) else str(default)
    var.required = want(ctx, path + ("required",), f"{field}.required", raw.get("required", False), bool,
                         "true or false")
    if "enum" in raw:
        var.enum = [str(v) for v in want(ctx, path + ("enum",), f"{field}.enum", raw["enum"], list, "a list")]
    if "pattern" in raw:
        var.pattern = want(ctx, path + ("pattern",), f"{field}.pattern", raw["pattern"], str, "a string")
    var.type = want(ctx, path + ("type",), f"{field}.type", raw.get("type", "string"), str, "a string")
    if "required_unless" in raw:
        var.required_unless = str_list(ctx, path + ("required_unless",), f"{field}.required_unless",
                                       raw["required_unless"])
    return var


def _parse_loop(ctx: Ctx, path: tuple[Any, ...], field: str, raw: Any) -> Loop:
    """A step's `loop` table."""
    want(ctx, path, field, raw, dict, "a table")
    loop = Loop(loc=ctx.loc(path))
    loop.field_lines = ctx.field_lines(path)
    for key, kind, what in (("count", int, "an integer"), ("max", int, "an integer"), ("range", str, "a string"),
                            ("var", str, "a string"), ("until", str, "a string")):
        if key in raw:
            setattr(loop, key, want(ctx, path + (key,), f"{field}.{key}", raw[key], kind, what))
    body = raw.get("body", [])
    want(ctx, path + ("body",), f"{field}.body", body, list, "an array of steps")
    loop.body = [parse_step(ctx, path + ("body", i), f"{field}.body[{i}]", item) for i, item in enumerate(body)]
    return loop


def parse_step(ctx: Ctx, path: tuple[Any, ...], field: str, raw: Any) -> Step:
    """One `[[steps]]` (or template / children / loop body) entry."""
    want(ctx, path, field, raw, dict, "a table")
    if "id" not in raw:
        raise ctx.fail(path, f"{field}.id", "missing step id")
    step_id = want(ctx, path + ("id",), f"{field}.id", raw["id"], str, "a string")
    field = f"steps.{step_id}" if field.startswith("steps[") else f"{field.rsplit('[', 1)[0]}.{step_id}"
    step = Step(id=step_id, loc=ctx.loc(path))
    step.field_lines = ctx.field_lines(path)

    def get(key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        return want(ctx, path + (key,), f"{field}.{key}", raw[key], kind, what) if key in raw else default

    step.title = get("title", str, "a string", "")
    step.description = get("description", str, "a string", "")
    step.notes = get("notes", str, "a string", "")
    step.type = get("type", str, "a string", "task")
    step.priority = get("priority", int, "an integer 0-4", 2)
    step.assignee = get("assignee", str, "a string", None)
    step.acceptance = get("acceptance", str, "a string", "")
    step.condition = get("condition", str, "a string", None)
    step.waits_for = get("waits_for", str, "a string", None)
    step.expand = get("expand", str, "a formula name", None)
    step.expand_vars = {k: str(v) for k, v in get("expand_vars", dict, "a table", {}).items()}
    step.gate = get("gate", dict, "a table", None)
    step.metadata = dict(get("metadata", dict, "a table", {}))
    step.parallel = opt_bool(ctx, path, field, raw, "parallel", False)
    step.interactive = opt_bool(ctx, path, field, raw, "interactive", False)
    step.agent = opt_str(ctx, path, field, raw, "agent", None)
    step.output = opt_str(ctx, path, field, raw, "output", "")
    step.on_complete = get("on_complete", dict, "a table", None)
    for key in ("labels", "needs", "depends_on"):
        if key in raw:
            values = str_list(ctx, path + (key,), f"{field}.{key}", raw[key])
            if key == "labels":
                step.labels = values
            else:
                step.needs.extend(v for v in values if v not in step.needs)
    if "depends_on" in raw and "needs" not in step.field_lines:
        step.field_lines["needs"] = step.field_lines.get("depends_on", step.loc.line)
    children = get("children", list, "an array of steps", [])
    step.children = [parse_step(ctx, path + ("children", i), f"{field}.children[{i}]", c)
                     for i, c in enumerate(children)]
    if "loop" in raw:
        step.loop = _parse_loop(ctx, path + ("loop",), f"{field}.loop", raw["loop"])
    for key, value in raw.items():
        if key not in _STEP_KEYS:
            step.metadata[key] = value  # unknown keys (parallel, interactive, on_complete, ...) kept, not fatal
    return step


def parse_formula_text(text: str, source: str | Path = "<string>") -> Formula:
    """Parse formula TOML text; `source` names the file in error messages."""
    source = str(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_ERR_RE.search(str(exc))
        line = int(match.group(1)) if match else 1
        raise FormulaError(source, line, "toml", _TOML_ERR_RE.sub("", str(exc)).strip()) from None
    ctx = Ctx(source, index_lines(text))
    if "formula" not in data:
        raise ctx.fail((), "formula", "missing formula name (add formula = \"<name>\")")
    name = want(ctx, ("formula",), "formula", data["formula"], str, "a string")
    formula = Formula(name=name, source=Path(source) if source != "<string>" else None,
                      loc=Loc(source, ctx.lines.get(("formula",), 1)), field_lines=ctx.lines)
    formula.description = want(ctx, ("description",), "description", data.get("description", ""), str,
                                "a string")
    formula.version = want(ctx, ("version",), "version", data.get("version", 1), int, "an integer")
    raw_type = data.get("type")
    if raw_type is None:  # inferred like Gas Town: template -> expansion, legs -> convoy, aspects -> aspect
        raw_type = ("workflow" if "steps" in data else "expansion" if "template" in data else
                    "convoy" if "legs" in data else "aspect" if "aspects" in data or "advice" in data else
                    "workflow")
    formula.type = want(ctx, ("type",), "type", raw_type, str, "a string")
    formula.extends = str_list(ctx, ("extends",), "extends", data.get("extends", []))
    if "pour" in data:
        formula.pour = want(ctx, ("pour",), "pour", data["pour"], bool, "true or false")
    if "phase" in data:
        formula.phase = want(ctx, ("phase",), "phase", data["phase"], str, "a string")
    vars_raw = want(ctx, ("vars",), "vars", data.get("vars", {}), dict, "a table")
    formula.vars = {n: parse_var(ctx, n, v) for n, v in vars_raw.items()}
    for key in ("steps", "template"):
        raw_steps = want(ctx, (key,), key, data.get(key, []), list, "an array of tables")
        setattr(formula, key, [parse_step(ctx, (key, i), f"{key}[{i}]", s) for i, s in enumerate(raw_steps)])
    parse_convoy(ctx, data, formula, parse_var, parse_step)
    parse_compose(ctx, data, formula, parse_step)
    formula.metadata.update({k: v for k, v in data.items() if k not in _TOP_KEYS})
    return formula


def parse_formula_file(path: Path) -> Formula:
    """Read and parse one `.formula.toml` file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FormulaError(path, 1, "file", f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise FormulaError(path, 1, "file", "not UTF-8 text") from None
    return parse_formula_text(text, path)
