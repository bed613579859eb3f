"""Parse the convoy fields (inputs, prompts, output, legs, synthesis, aspects) and composition (compose, advice).

Split from parser.py so each stays small; every problem still names `file:line: field`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gastown_tui.formulas.parse_util import Ctx, opt_bool, opt_str, str_list, want
from gastown_tui.formulas.schema import (AdviceRule, BranchRule, ExpandRule, Formula, HookRule, Leg, MapRule,
                                         Output, Step, Synthesis, VarDef)

VarParser = Callable[..., VarDef]
StepParser = Callable[[Ctx, tuple[Any, ...], str, Any], Step]


def _table(ctx: Ctx, data: dict[str, Any], key: str) -> dict[str, Any]:
    return want(ctx, (key,), key, data.get(key, {}), dict, "a table")


def _tables(ctx: Ctx, path: tuple[Any, ...], name: str, value: Any) -> list[dict[str, Any]]:
    """An array of tables (each element checked)."""
    want(ctx, path, name, value, list, "an array of tables")
    for i, item in enumerate(value):
        want(ctx, path + (i,), name, item, dict, "a table")
    return value


def _leg(ctx: Ctx, path: tuple[Any, ...], kind: str, raw: dict[str, Any]) -> Leg:
    """One `[[legs]]` / `[[aspects]]` entry."""
    if "id" not in raw:
        raise ctx.fail(path, f"{kind}.id", "missing id")
    leg_id = want(ctx, path + ("id",), f"{kind}.id", raw["id"], str, "a string")
    name = f"{kind}.{leg_id}"
    return Leg(id=leg_id, title=opt_str(ctx, path, name, raw, "title", leg_id),
               focus=opt_str(ctx, path, name, raw, "focus", ""),
               description=opt_str(ctx, path, name, raw, "description", ""),
               agent=opt_str(ctx, path, name, raw, "agent", None),
               review_only=opt_bool(ctx, path, name, raw, "review_only", None), loc=ctx.loc(path + ("id",)))


def parse_convoy(ctx: Ctx, data: dict[str, Any], formula: Formula, parse_var: VarParser,
                 parse_step: StepParser) -> None:
    """Top-level Gas Town fields: agent, review_only, execution, inputs, prompts, output, legs, synthesis,
    aspects (tables: analysis aspects; strings: aspect formulas to weave) and advice."""
    formula.agent = opt_str(ctx, (), "", data, "agent", None)
    formula.review_only = opt_bool(ctx, (), "", data, "review_only", False)
    formula.execution = opt_str(ctx, (), "", data, "execution", "local")
    for name, raw in _table(ctx, data, "inputs").items():
        formula.vars.setdefault(name, parse_var(ctx, name, raw, "inputs"))  # inputs are the convoy's vars
    for name, text in _table(ctx, data, "prompts").items():
        formula.prompts[name] = want(ctx, ("prompts", name), f"prompts.{name}", text, str, "a string")
    if "output" in data:
        raw = _table(ctx, data, "output")
        formula.output = Output(directory=opt_str(ctx, ("output",), "output", raw, "directory", ""),
                                leg_pattern=opt_str(ctx, ("output",), "output", raw, "leg_pattern", "{{leg.id}}.md"),
                                synthesis=opt_str(ctx, ("output",), "output", raw, "synthesis", "synthesis.md"))
    for i, raw in enumerate(_tables(ctx, ("legs",), "legs", data.get("legs", []))):
        formula.legs.append(_leg(ctx, ("legs", i), "legs", raw))
    for name, raw in _table(ctx, data, "presets").items():
        want(ctx, ("presets", name), f"presets.{name}", raw, dict, "a table")
        formula.presets[name] = str_list(ctx, ("presets", name, "legs"), f"presets.{name}.legs", raw.get("legs", []))
    if "synthesis" in data:
        raw = _table(ctx, data, "synthesis")
        formula.synthesis = Synthesis(
            title=opt_str(ctx, ("synthesis",), "synthesis", raw, "title", "Synthesis"),
            description=opt_str(ctx, ("synthesis",), "synthesis", raw, "description", ""),
            depends_on=str_list(ctx, ("synthesis", "depends_on"), "synthesis.depends_on", raw.get("depends_on", [])),
            loc=ctx.loc(("synthesis",)))
    aspects = data.get("aspects", [])
    want(ctx, ("aspects",), "aspects", aspects, list, "an array")
    for i, item in enumerate(aspects):
        if isinstance(item, str):
            formula.compose_aspects.append(item)
        else:
            want(ctx, ("aspects", i), "aspects", item, dict, "a table or an aspect formula name")
            formula.aspects.append(_leg(ctx, ("aspects", i), "aspects", item))
    for i, raw in enumerate(_tables(ctx, ("advice",), "advice", data.get("advice", []))):
        formula.advice.append(_advice(ctx, ("advice", i), raw, parse_step))


def _advice(ctx: Ctx, path: tuple[Any, ...], raw: dict[str, Any], parse_step: StepParser) -> AdviceRule:
    """One `[[advice]]`: `target` glob plus `before` / `after` steps or `around = {before = [...], after = [...]}`."""
    if "target" not in raw:
        raise ctx.fail(path, "advice.target", "missing target (a step id or glob such as *.implement)")
    rule = AdviceRule(target=want(ctx, path + ("target",), "advice.target", raw["target"], str, "a string"),
                      loc=ctx.loc(path))
    for side in ("before", "after"):
        if side in raw:
            getattr(rule, side).append(parse_step(ctx, path + (side,), f"advice.{side}", raw[side]))
    if "around" in raw:
        around = want(ctx, path + ("around",), "advice.around", raw["around"], dict, "a table")
        for side in ("before", "after"):
            items = around.get(side, [])
            items = [items] if isinstance(items, dict) else items
            want(ctx, path + ("around", side), f"advice.around.{side}", items, list, "an array of steps")
            getattr(rule, side).extend(parse_step(ctx, path + ("around", side, i), f"advice.around.{side}[{i}]", s)
                                       for i, s in enumerate(items))
    if not rule.before and not rule.after:
        raise ctx.fail(path, "advice", "give before, after or around steps")
    return rule


def _rule_vars(ctx: Ctx, path: tuple[Any, ...], name: str, raw: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in want(ctx, path + ("vars",), f"{name}.vars", raw.get("vars", {}), dict,
                                       "a table").items()}


def _required(ctx: Ctx, path: tuple[Any, ...], name: str, raw: dict[str, Any], *keys: str) -> list[str]:
    out = []
    for key in keys:
        if key not in raw:
            raise ctx.fail(path, f"{name}.{key}", "missing")
        out.append(want(ctx, path + (key,), f"{name}.{key}", raw[key], str, "a string"))
    return out


def parse_compose(ctx: Ctx, data: dict[str, Any], formula: Formula, parse_step: StepParser) -> None:
    """`[compose]`: expand, map, branch, hooks, aspects; bond_points and gate are kept as metadata."""
    compose = _table(ctx, data, "compose")
    for i, raw in enumerate(_tables(ctx, ("compose", "expand"), "compose.expand", compose.get("expand", []))):
        path = ("compose", "expand", i)
        target, with_ = _required(ctx, path, "compose.expand", raw, "target", "with")
        formula.expand_rules.append(ExpandRule(target, with_, _rule_vars(ctx, path, "compose.expand", raw),
                                               ctx.loc(path)))
    for i, raw in enumerate(_tables(ctx, ("compose", "map"), "compose.map", compose.get("map", []))):
        path = ("compose", "map", i)
        select, with_ = _required(ctx, path, "compose.map", raw, "select", "with")
        formula.map_rules.append(MapRule(select, with_, _rule_vars(ctx, path, "compose.map", raw), ctx.loc(path)))
    for i, raw in enumerate(_tables(ctx, ("compose", "branch"), "compose.branch", compose.get("branch", []))):
        path = ("compose", "branch", i)
        (from_,) = _required(ctx, path, "compose.branch", raw, "from")
        steps = str_list(ctx, path + ("steps",), "compose.branch.steps", raw.get("steps", []))
        if not steps:
            raise ctx.fail(path, "compose.branch.steps", "name at least one step to run in parallel")
        formula.branch_rules.append(BranchRule(from_, steps, opt_str(ctx, path, "compose.branch", raw, "join", None),
                                               ctx.loc(path)))
    for i, raw in enumerate(_tables(ctx, ("compose", "hooks"), "compose.hooks", compose.get("hooks", []))):
        path = ("compose", "hooks", i)
        trigger, attach = _required(ctx, path, "compose.hooks", raw, "trigger", "attach")
        formula.hook_rules.append(HookRule(trigger, attach, opt_str(ctx, path, "compose.hooks", raw, "at", None),
                                           _rule_vars(ctx, path, "compose.hooks", raw), ctx.loc(path)))
    formula.compose_aspects += str_list(ctx, ("compose", "aspects"), "compose.aspects", compose.get("aspects", []))
    other = {k: v for k, v in compose.items() if k not in ("expand", "map", "branch", "hooks", "aspects")}
    if other:
        formula.metadata["compose"] = other
