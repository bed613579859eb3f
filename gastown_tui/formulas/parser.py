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
from gastown_tui.formulas.schema import (ExpandRule, Formula, FormulaError, Loc, Loop, Step, VarDef)

_TOP_KEYS = {"formula", "description", "version", "type", "vars", "steps", "template", "extends", "compose",
             "pour", "phase"}
_STEP_KEYS = {"id", "title", "description", "notes", "type", "priority", "labels", "assignee", "needs",
              "depends_on", "acceptance", "condition", "children", "gate", "loop", "waits_for", "expand",
              "expand_vars", "metadata"}
_VAR_KEYS = {"description", "default", "required", "enum", "pattern", "type"}
_TOML_ERR_RE = re.compile(r"\(at line (\d+), column \d+\)")


class _Ctx:
    """Parsing context: the source name and the key -> line index."""

    def __init__(self, source: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.source = source
        self.lines = lines
        # parent path -> {last key: line}, built once: scanning `lines` per step was quadratic (10k steps: 150 s)
        self.children: dict[tuple[Any, ...], dict[Any, int]] = {}
        for key, line in lines.items():
            if key:
                self.children.setdefault(key[:-1], {})[key[-1]] = line

    def field_lines(self, path: tuple[Any, ...]) -> dict[str, int]:
        """The lines of the keys directly under `path` (a step's or loop's own fields)."""
        return {str(k): v for k, v in self.children.get(path, {}).items()}

    def loc(self, path: tuple[Any, ...]) -> Loc:
        """Location of `path`, or of its nearest parent with a known line."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return Loc(self.source, self.lines[path[:end]])
        return Loc(self.source, 1)

    def fail(self, path: tuple[Any, ...], name: str, problem: str) -> FormulaError:
        """An error located at `path`, naming field `name`."""
        return self.loc(path).error(name, problem)


def _want(ctx: _Ctx, path: tuple[Any, ...], name: str, value: Any, kind: type | tuple[type, ...],
          what: str) -> Any:
    """Return `value` if it has type `kind` (bools are not ints), else raise a located error."""
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        raise ctx.fail(path, name, f"must be {what}, got {type(value).__name__} {value!r}")
    return value


def _str_list(ctx: _Ctx, path: tuple[Any, ...], name: str, value: Any) -> list[str]:
    """A list of strings (a single string is accepted as a one-element list)."""
    if isinstance(value, str):
        return [value]
    _want(ctx, path, name, value, list, "a list of strings")
    for item in value:
        _want(ctx, path, name, item, str, "a list of strings")
    return list(value)


def _parse_var(ctx: _Ctx, name: str, raw: Any) -> VarDef:
    """One `[vars]` entry: shorthand string default or a table."""
    path = ("vars", name)
    loc = ctx.loc(path)
    field = f"vars.{name}"
    if isinstance(raw, (str, int, bool)) and not isinstance(raw, dict):
        return VarDef(name=name, default=str(raw).lower() if isinstance(raw, bool) else str(raw), loc=loc)
    _want(ctx, path, field, raw, dict, 'a string default or a table')
    var = VarDef(name=name, loc=loc)
    var.description = _want(ctx, path + ("description",), f"{field}.description", raw.get("description", ""),
                            str, "a string")
    if "default" in raw:
        default = raw["default"]
        _want(ctx, path + ("default",), f"{field}.default", default, (str, int, bool), "a string")
        var.default = str(default).lower() if isinstance(default, bool) else str(default)
    var.required = _want(ctx, path + ("required",), f"{field}.required", raw.get("required", False), bool,
                         "true or false")
    if "enum" in raw:
        var.enum = [str(v) for v in _want(ctx, path + ("enum",), f"{field}.enum", raw["enum"], list, "a list")]
    if "pattern" in raw:
        var.pattern = _want(ctx, path + ("pattern",), f"{field}.pattern", raw["pattern"], str, "a string")
    var.type = _want(ctx, path + ("type",), f"{field}.type", raw.get("type", "string"), str, "a string")
    return var


def _parse_loop(ctx: _Ctx, path: tuple[Any, ...], field: str, raw: Any) -> Loop:
    """A step's `loop` table."""
    _want(ctx, path, field, raw, dict, "a table")
    loop = Loop(loc=ctx.loc(path))
    loop.field_lines = ctx.field_lines(path)
    for key, kind, what in (("count", int, "an integer"), ("max", int, "an integer"), ("range", str, "a string"),
                            ("var", str, "a string"), ("until", str, "a string")):
        if key in raw:
            setattr(loop, key, _want(ctx, path + (key,), f"{field}.{key}", raw[key], kind, what))
    body = raw.get("body", [])
    _want(ctx, path + ("body",), f"{field}.body", body, list, "an array of steps")
    loop.body = [_parse_step(ctx, path + ("body", i), f"{field}.body[{i}]", item) for i, item in enumerate(body)]
    return loop


def _parse_step(ctx: _Ctx, path: tuple[Any, ...], field: str, raw: Any) -> Step:
    """One `[[steps]]` (or template / children / loop body) entry."""
    _want(ctx, path, field, raw, dict, "a table")
    if "id" not in raw:
        raise ctx.fail(path, f"{field}.id", "missing step id")
    step_id = _want(ctx, path + ("id",), f"{field}.id", raw["id"], str, "a string")
    field = f"steps.{step_id}" if field.startswith("steps[") else f"{field.rsplit('[', 1)[0]}.{step_id}"
    step = Step(id=step_id, loc=ctx.loc(path))
    step.field_lines = ctx.field_lines(path)

    def get(key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        return _want(ctx, path + (key,), f"{field}.{key}", raw[key], kind, what) if key in raw else default

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
    for key in ("labels", "needs", "depends_on"):
        if key in raw:
            values = _str_list(ctx, path + (key,), f"{field}.{key}", raw[key])
            if key == "labels":
                step.labels = values
            else:
                step.needs.extend(v for v in values if v not in step.needs)
    if "depends_on" in raw and "needs" not in step.field_lines:
        step.field_lines["needs"] = step.field_lines.get("depends_on", step.loc.line)
    children = get("children", list, "an array of steps", [])
    step.children = [_parse_step(ctx, path + ("children", i), f"{field}.children[{i}]", c)
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
    ctx = _Ctx(source, index_lines(text))
    if "formula" not in data:
        raise ctx.fail((), "formula", "missing formula name (add formula = \"<name>\")")
    name = _want(ctx, ("formula",), "formula", data["formula"], str, "a string")
    formula = Formula(name=name, source=Path(source) if source != "<string>" else None,
                      loc=Loc(source, ctx.lines.get(("formula",), 1)), field_lines=ctx.lines)
    formula.description = _want(ctx, ("description",), "description", data.get("description", ""), str,
                                "a string")
    formula.version = _want(ctx, ("version",), "version", data.get("version", 1), int, "an integer")
    raw_type = data.get("type")
    if raw_type is None:  # inferred like Gas Town: template -> expansion, legs -> convoy, aspects -> aspect
        raw_type = ("expansion" if "template" in data and "steps" not in data else
                    "convoy" if "legs" in data else "aspect" if "aspects" in data or "advice" in data else
                    "workflow")
    formula.type = _want(ctx, ("type",), "type", raw_type, str, "a string")
    formula.extends = _str_list(ctx, ("extends",), "extends", data.get("extends", []))
    if "pour" in data:
        formula.pour = _want(ctx, ("pour",), "pour", data["pour"], bool, "true or false")
    if "phase" in data:
        formula.phase = _want(ctx, ("phase",), "phase", data["phase"], str, "a string")
    vars_raw = _want(ctx, ("vars",), "vars", data.get("vars", {}), dict, "a table")
    formula.vars = {n: _parse_var(ctx, n, v) for n, v in vars_raw.items()}
    for key in ("steps", "template"):
        raw_steps = _want(ctx, (key,), key, data.get(key, []), list, "an array of tables")
        setattr(formula, key, [_parse_step(ctx, (key, i), f"{key}[{i}]", s) for i, s in enumerate(raw_steps)])
    compose = _want(ctx, ("compose",), "compose", data.get("compose", {}), dict, "a table")
    for i, rule in enumerate(_want(ctx, ("compose", "expand"), "compose.expand", compose.get("expand", []), list,
                                   "an array of tables")):
        path = ("compose", "expand", i)
        _want(ctx, path, "compose.expand", rule, dict, "a table")
        for key in ("target", "with"):
            if key not in rule:
                raise ctx.fail(path, f"compose.expand.{key}", "missing")
            _want(ctx, path + (key,), f"compose.expand.{key}", rule[key], str, "a string")
        rule_vars = _want(ctx, path + ("vars",), "compose.expand.vars", rule.get("vars", {}), dict, "a table")
        formula.expand_rules.append(ExpandRule(target=rule["target"], with_=rule["with"],
                                               vars={k: str(v) for k, v in rule_vars.items()}, loc=ctx.loc(path)))
    other_compose = {k: v for k, v in compose.items() if k != "expand"}
    if other_compose:
        formula.metadata["compose"] = other_compose
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
