"""Composition passes after `extends` and `compose.expand`: `compose.map`, `compose.branch`, aspects (advice).

* map: every step whose id matches the `select` glob is expanded with the named expansion formula.
* branch: the listed steps run in parallel after `from` (each needs it), and `join` waits for all of them.
* aspects: advice from the formula's own `[[advice]]` and from each aspect formula named in `compose.aspects`
  (or top-level `aspects = ["name"]`) is woven around matching steps: `before` steps run first (the target now
  needs them), `after` steps run next (whatever needed the target now needs them); `around` is both. Advice
  matches only steps that existed before the pass, so advice never advises advice.
"""

from __future__ import annotations

import copy
import fnmatch

from gastown_tui.errors import NotFound
from gastown_tui.formulas.expand import Loader, apply_expansions, find_step, rename_needs
from gastown_tui.formulas.schema import AdviceRule, ExpandRule, Formula, Step
from gastown_tui.formulas.validate import walk_steps


def apply_maps(formula: Formula, loader: Loader) -> None:
    """`compose.map`: one expansion per step whose id matches a rule's glob."""
    if not formula.map_rules:
        return
    formula.expand_rules = [ExpandRule(s.id, rule.with_, rule.vars, rule.loc) for rule in formula.map_rules
                            for s in list(walk_steps(formula.steps)) if fnmatch.fnmatchcase(s.id, rule.select)]
    if not formula.expand_rules:
        rule = formula.map_rules[0]
        raise rule.loc.error("compose.map.select", f"matches no step: {rule.select!r}")
    apply_expansions(formula, loader)


def apply_branches(formula: Formula) -> None:
    """`compose.branch`: fork after `from`, join at `join`."""
    for rule in formula.branch_rules:
        for name in (rule.from_, *rule.steps, *([rule.join] if rule.join else [])):
            if find_step(formula.steps, name) is None:
                raise rule.loc.error("compose.branch", f"names no step: {name!r}")
        for name in rule.steps:
            siblings, index = find_step(formula.steps, name)  # type: ignore[misc]
            step = siblings[index]
            step.needs = [rule.from_, *(n for n in step.needs if n != rule.from_ and n not in rule.steps)]
        if rule.join:
            siblings, index = find_step(formula.steps, rule.join)  # type: ignore[misc]
            join = siblings[index]
            join.needs = [*join.needs, *(s for s in rule.steps if s not in join.needs)]


def advice_rules(formula: Formula, loader: Loader) -> list[AdviceRule]:
    """The formula's own advice plus that of every aspect formula it names."""
    rules = list(formula.advice)
    for name in formula.compose_aspects:
        loc = formula.loc_of("compose", "aspects") if ("compose", "aspects") in formula.field_lines \
            else formula.loc_of("aspects")
        try:
            aspect = loader(name)
        except NotFound:
            raise loc.error("aspects", f"aspect formula {name!r} not found") from None
        if not aspect.advice:
            raise loc.error("aspects", f"formula {name!r} has no [[advice]] to weave")
        rules.extend(aspect.advice)
    return rules


def _instantiate(advice: Step, target: Step, rule: AdviceRule, where: str) -> Step:
    """A copy of an advice step for `target`: `{step.id}` / `{step.title}` filled, id made unique."""
    step = copy.deepcopy(advice)
    marks = {"{step.id}": target.id, "{step.title}": target.title, "{target}": target.id}
    for attr in ("id", "title", "description", "acceptance"):
        text = getattr(step, attr)
        for mark, value in marks.items():
            text = text.replace(mark, value)
        setattr(step, attr, text)
    if step.id == advice.id:  # no placeholder in the id: name it after its target so each weave is unique
        step.id = f"{target.id}.{advice.id}"
    step.needs = []
    step.labels = [*step.labels, f"aspect:{where}"]
    step.metadata = {**step.metadata, "advice": rule.target, "advice_for": target.id, "advice_at": where}
    return step


def weave_aspects(formula: Formula, loader: Loader) -> None:
    """Weave every advice rule into the steps that existed before this pass."""
    rules = advice_rules(formula, loader)
    if not rules:
        return
    originals = [s.id for s in walk_steps(formula.steps)]
    for rule in rules:
        for target_id in originals:
            if not fnmatch.fnmatchcase(target_id, rule.target):
                continue
            siblings, index = find_step(formula.steps, target_id)  # type: ignore[misc]
            target = siblings[index]
            before = [_instantiate(a, target, rule, "before") for a in rule.before]
            after = [_instantiate(a, target, rule, "after") for a in rule.after]
            previous = list(target.needs)
            for step in before:  # a chain: target's needs -> before... -> target
                step.needs = previous
                previous = [step.id]
            if after:
                rename_needs(formula.steps, {target_id: [after[-1].id]})
            target.needs = previous
            previous = [target_id]
            for step in after:
                step.needs = previous
                previous = [step.id]
            siblings[index:index + 1] = [*before, target, *after]
