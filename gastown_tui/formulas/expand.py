"""Resolution passes run by cook: `extends`, `compose.expand` / step `expand`, loops, conditions, `{{var}}` text.

Every pass works on deep copies, so a Formula loaded once (and cached by the search path) is never mutated.
"""

from __future__ import annotations

import ast
import copy
import json
import operator
import re
from collections.abc import Callable, Mapping

from gastown_tui.errors import NotFound
from gastown_tui.formulas.clone import clone_formula
from gastown_tui.formulas.schema import Formula, Loc, Step
from gastown_tui.formulas.validate import walk_steps

Loader = Callable[[str], Formula]
_VAR_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SINGLE_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_OPS: dict[type, Callable[[int, int], int]] = {ast.Add: operator.add, ast.Sub: operator.sub,
                                               ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
                                               ast.Div: operator.floordiv, ast.Pow: operator.pow}
MAX_ITERATIONS = 1024


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Replace `{{name}}` for every name in `values`; unknown placeholders stay as literal text."""
    if "{{" not in text:
        return text
    return _VAR_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def truthy(value: str) -> bool:
    """Condition truth: non-empty and not `false` / `0`."""
    return value.strip().lower() not in ("", "false", "0")


def eval_condition(cond: str, values: Mapping[str, str]) -> bool | None:
    """Evaluate `{{v}}`, `!{{v}}`, `{{v}} == x`, `{{v}} != x`; None when a var is still unresolved."""
    text = substitute(cond.strip(), values)
    if _VAR_RE.search(text):
        return None
    for op in ("==", "!="):
        if op in text:
            left, right = (s.strip().strip("'\"") for s in text.split(op, 1))
            return (left == right) == (op == "==")
    if text.startswith("!"):
        return not truthy(text[1:])
    return truthy(text)


def _arith(expr: str) -> int:
    """Evaluate integer arithmetic (`+ - * / ^`, parentheses) without eval()."""
    def ev(node: ast.AST) -> int:
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Pow) and right > 20:
                raise ValueError("exponent too large")
            return _OPS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        raise ValueError(f"not integer arithmetic: {expr!r}")
    try:
        return ev(ast.parse(expr.replace("^", "**"), mode="eval").body)
    except (SyntaxError, ZeroDivisionError) as exc:
        raise ValueError(f"bad expression {expr!r}: {exc}") from None


def eval_range(spec: str, values: Mapping[str, str], loc: Loc, field: str) -> list[int]:
    """`"a..b"` with `{var}` references -> the inclusive list of integers, else a located error."""
    text = _SINGLE_RE.sub(lambda m: values.get(m.group(1), m.group(0)), substitute(spec, values))
    if ".." not in text:
        raise loc.error(field, f"range {spec!r} must look like 'START..END'")
    try:
        start, end = (_arith(part.strip()) for part in text.split("..", 1))
    except ValueError as exc:
        raise loc.error(field, f"bad range {spec!r}: {exc}") from None
    if end < start:
        raise loc.error(field, f"bad range {spec!r}: end {end} is before start {start}")
    if end - start + 1 > MAX_ITERATIONS:
        raise loc.error(field, f"bad range {spec!r}: {end - start + 1} iterations (max {MAX_ITERATIONS})")
    return list(range(start, end + 1))


def rename_needs(steps: list[Step], renames: Mapping[str, list[str]]) -> None:
    """Rewrite `needs` everywhere: a replaced step id becomes the ids that now finish it."""
    for step in steps:
        new: list[str] = []
        for need in step.needs:
            for target in renames.get(need, [need]):
                if target not in new:
                    new.append(target)
        step.needs = new
        rename_needs(step.children, renames)
        if step.loop:
            rename_needs(step.loop.body, renames)


def _sinks(block: list[Step]) -> list[str]:
    """Ids in `block` that no other step of the block needs (where the block finishes)."""
    needed = {n for s in block for n in s.needs}
    return [s.id for s in block if s.id not in needed]


def resolve_extends(formula: Formula, loader: Loader, _stack: tuple[str, ...] = ()) -> Formula:
    """A copy of `formula` with its `extends` parents merged in (child vars/steps override by name/id)."""
    if not formula.extends:
        return clone_formula(formula)
    merged = clone_formula(formula)
    merged.vars, merged.steps, merged.expand_rules = {}, [], []
    for parent_name in formula.extends:
        loc = formula.loc_of("extends")
        if parent_name in _stack or parent_name == formula.name:
            raise loc.error("extends", f"cycle: {' -> '.join([*_stack, formula.name, parent_name])}")
        try:
            parent = loader(parent_name)
        except NotFound:
            raise loc.error("extends", f"formula {parent_name!r} not found") from None
        parent = resolve_extends(parent, loader, (*_stack, formula.name))
        merged.vars.update(parent.vars)
        _merge_steps(merged.steps, parent.steps)
        merged.expand_rules.extend(parent.expand_rules)
        merged.description = merged.description or parent.description
        for attr in ("advice", "map_rules", "branch_rules", "hook_rules", "compose_aspects"):
            getattr(merged, attr)[:0] = copy.deepcopy(getattr(parent, attr))  # parents' composition first
        merged.pour = parent.pour if merged.pour is None else merged.pour
        merged.phase = merged.phase or parent.phase
    merged.vars.update(copy.deepcopy(formula.vars))
    _merge_steps(merged.steps, copy.deepcopy(formula.steps))
    merged.expand_rules.extend(copy.deepcopy(formula.expand_rules))
    merged.extends = []
    return merged


def _merge_steps(into: list[Step], new: list[Step]) -> None:
    """Append `new` steps; a step whose id already exists replaces it in place."""
    index = {s.id: i for i, s in enumerate(into)}
    for step in new:
        if step.id in index:
            into[index[step.id]] = step
        else:
            index[step.id] = len(into)
            into.append(step)


def find_step(steps: list[Step], step_id: str) -> tuple[list[Step], int] | None:
    """The sibling list holding `step_id` and its index, searching children too."""
    for i, step in enumerate(steps):
        if step.id == step_id:
            return steps, i
        found = find_step(step.children, step_id)
        if found:
            return found
    return None


def apply_expansions(formula: Formula, loader: Loader) -> None:
    """Apply `compose.expand` rules and step-level `expand` in place, merging the expansions' vars."""
    rules = [(r.target, r.with_, r.vars, r.loc, "compose.expand") for r in formula.expand_rules]
    rules += [(s.id, s.expand, s.expand_vars, s.field_loc("expand"), f"steps.{s.id}.expand")
              for s in walk_steps(formula.steps) if s.expand]
    for target, with_, rule_vars, loc, field in rules:
        found = find_step(formula.steps, target)
        if found is None:
            raise loc.error(f"{field}.target" if field == "compose.expand" else field, f"names no step: {target!r}")
        try:
            expansion = loader(with_)
        except NotFound:
            raise loc.error(f"{field}.with" if field == "compose.expand" else field,
                            f"formula {with_!r} not found") from None
        if not expansion.template:
            raise loc.error(field, f"formula {with_!r} is not an expansion (it has no [[template]] steps)")
        siblings, index = found
        block = expand_template(siblings[index], expansion, rule_vars)
        for name, var in expansion.vars.items():
            formula.vars.setdefault(name, copy.deepcopy(var))
        siblings[index:index + 1] = block
        rename_needs(formula.steps, {target: _sinks(block)})


def expand_template(target: Step, expansion: Formula, rule_vars: Mapping[str, str]) -> list[Step]:
    """The template steps of `expansion` instantiated for `target` (`{target}`, `{target.title}`, ...)."""
    marks = {"{target}": target.id, "{target.id}": target.id, "{target.title}": target.title,
             "{target.description}": target.description}

    def fill(text: str) -> str:
        for mark, value in marks.items():
            text = text.replace(mark, value)
        return substitute(text, rule_vars)

    block = copy.deepcopy(expansion.template)
    ids = {s.id: fill(s.id) for s in block}
    for step in block:
        internal = [n for n in step.needs if n in ids]
        step.id, step.title = ids[step.id], fill(step.title)
        step.description, step.acceptance, step.notes = (fill(step.description), fill(step.acceptance),
                                                        fill(step.notes))
        step.needs = [ids.get(n, fill(n)) for n in step.needs]
        if not internal:  # an entry step of the block inherits what the target waited for
            step.needs = [*target.needs, *step.needs]
        step.labels = [*target.labels, *(l for l in step.labels if l not in target.labels)]
        step.metadata.setdefault("expanded_from", target.id)
    return block


def apply_controls(steps: list[Step], values: Mapping[str, str],
                   cond_values: Mapping[str, str] | None = None) -> list[Step]:
    """Drop steps whose condition is false and unroll count/range loops (`until` runs once, labelled).

    `values` feed loop ranges; `cond_values` (default: `values`) feed conditions, so compile mode can keep a
    condition on an unset var for pour time.
    """
    cond_values = values if cond_values is None else cond_values
    out: list[Step] = []
    renames: dict[str, list[str]] = {}
    dropped: set[str] = set()
    for step in steps:
        if step.condition is not None and eval_condition(step.condition, cond_values) is False:
            dropped.add(step.id)
            continue
        step.children = apply_controls(step.children, values, cond_values)
        if step.loop is None:
            out.append(step)
            continue
        block = _unroll(step, values)
        renames[step.id] = _sinks(block)
        out.extend(block)
    for step in out:  # a need on a dropped step is simply satisfied
        step.needs = [n for n in step.needs if n not in dropped]
    rename_needs(out, renames)
    return out


def _unroll(step: Step, values: Mapping[str, str]) -> list[Step]:
    """The iterations of a loop step, chained: iteration k+1 starts after iteration k finishes."""
    loop = step.loop
    assert loop is not None
    field = f"steps.{step.id}.loop"
    if loop.count is not None:
        iterations = list(range(1, loop.count + 1))
    elif loop.range is not None:
        iterations = eval_range(loop.range, values, loop.field_loc("range"), f"{field}.range")
    else:
        iterations = [1]
    template = copy.deepcopy(loop.body) if loop.body else [_loopless(step)]
    prefix_ids = bool(loop.body)
    block: list[Step] = []
    previous_sinks: list[str] = list(step.needs)
    for k, value in enumerate(iterations, start=1):
        # only the loop's own variable is substituted here; formula vars wait for the cook's final pass
        local = {**({loop.var: str(value)} if loop.var else {}), "index": str(k)}
        ids = {b.id: (f"{step.id}.iter{k}.{b.id}" if prefix_ids else f"{step.id}.iter{k}") for b in template}
        iteration: list[Step] = []
        for body in copy.deepcopy(template):
            internal = [n for n in body.needs if n in ids]
            body.needs = [ids.get(n, n) for n in body.needs]
            if not internal:
                body.needs = [*previous_sinks, *(n for n in body.needs if n not in previous_sinks)]
            body.id = ids[body.id]
            _prefix_children(body.children, f"{step.id}.iter{k}")
            body.title = _SINGLE_RE.sub(lambda m: local.get(m.group(1), m.group(0)), substitute(body.title, local))
            body.description = substitute(body.description, local)
            if loop.until is not None:
                body.labels.append("loop:" + json.dumps({"until": loop.until, "max": loop.max}, sort_keys=True))
            iteration.append(body)
        previous_sinks = _sinks(iteration)
        block.extend(iteration)
    return block


def _prefix_children(children: list[Step], prefix: str) -> None:
    """Give nested children of a loop body per-iteration ids (and rewrite needs among them to match)."""
    nested = list(walk_steps(children))
    renamed = {c.id: f"{prefix}.{c.id}" for c in nested}
    for child in nested:
        child.id = renamed[child.id]
        child.needs = [renamed.get(n, n) for n in child.needs]


def _loopless(step: Step) -> Step:
    """A copy of `step` without its loop (the body of a loop that has no explicit `body`)."""
    body = copy.deepcopy(step)
    body.loop, body.needs = None, []
    return body


__all__ = ["substitute", "eval_condition", "eval_range", "resolve_extends", "apply_expansions",
           "apply_controls", "expand_template", "truthy", "rename_needs", "find_step"]
