"""Fuzzing formula TOML (hypothesis): random documents and mutated shipped formulas go through parse, check and
cook; the only exceptions allowed out are GastownError subclasses (a clear, located message), never a crash."""

from __future__ import annotations

import re
from pathlib import Path

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gastown_tui.errors import GastownError
from gastown_tui.formulas import FormulaLibrary, check, cook, parse_formula_text
from gastown_tui.formulas.cook import check_all
from gastown_tui.formulas.search import SHIPPED_DIR

SHIPPED = sorted(Path(SHIPPED_DIR).glob("*.formula.toml"))
LIBRARY = FormulaLibrary([SHIPPED_DIR])
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Mostly well-typed documents (so fuzzing reaches checking, expansion and cooking), with a wrong value now and then.
_valid_names = st.sampled_from(["a", "b", "c", "design", "test", "x.y", "gate-a", "v", "n"])
_bad_names = st.sampled_from(["", "{{v}}", "../up", "a b", "\u00fc", "a/b", "\x00"])
names = st.integers(0, 12).flatmap(lambda k: _bad_names if k == 6 else _valid_names)
texts = st.one_of(names, st.text(max_size=30), st.just("{{a}} and {{missing}}"),
                  st.sampled_from(["{{v}} == 'x'", "!{{v}}", "{{v}}", "{{n}} > 2", "{{v}} != ''", "1..3",
                                   "1..{{n}}", "{{n}}*2", "1..", "", "0..100000", "3..1"]))
wrong = st.one_of(st.integers(-10**12, 10**12), st.booleans(), st.floats(allow_nan=False), st.lists(names, max_size=2))


def sometimes_wrong(right: st.SearchStrategy) -> st.SearchStrategy:
    """`right` most of the time, some other TOML type otherwise."""
    # (hypothesis favours boundary draws, so the rare branch sits in the middle of the range)
    return st.integers(0, 60).flatmap(lambda k: wrong if k == 31 else right)


def _step(children: st.SearchStrategy) -> st.SearchStrategy:
    """A step table: an id plus a handful of the keys the parser knows."""
    loop = st.fixed_dictionaries({}, optional={
        "count": sometimes_wrong(st.integers(-2, 5)), "max": sometimes_wrong(st.integers(-1, 5)),
        "range": sometimes_wrong(texts), "var": sometimes_wrong(names), "until": sometimes_wrong(texts),
        "body": children})
    return st.fixed_dictionaries({"id": sometimes_wrong(names), "title": sometimes_wrong(texts)}, optional={
        "description": sometimes_wrong(texts),
        "needs": sometimes_wrong(st.lists(names, max_size=3)), "depends_on": st.lists(names, max_size=2),
        "type": sometimes_wrong(st.sampled_from(["task", "epic", "gate", "bug", "nope", "parallel"])),
        "priority": sometimes_wrong(st.integers(-1, 6)), "labels": sometimes_wrong(st.lists(texts, max_size=2)),
        "condition": sometimes_wrong(texts),
        "waits_for": sometimes_wrong(st.sampled_from(["all-children", "x", "any-children",
                                                                                  "children-of(a)"])),
        "expand": sometimes_wrong(st.sampled_from(["rule-of-five", "missing", "shiny"])),
        "expand_vars": st.dictionaries(names, texts, max_size=2),
        "gate": sometimes_wrong(st.dictionaries(st.sampled_from(["type", "id", "await_id", "timeout"]), texts,
                                                max_size=3)),
        "assignee": sometimes_wrong(texts), "children": children, "loop": sometimes_wrong(loop),
        "parallel": sometimes_wrong(st.booleans()), "interactive": sometimes_wrong(st.booleans()),
        "agent": sometimes_wrong(texts), "output": sometimes_wrong(texts),
        "on_complete": sometimes_wrong(st.fixed_dictionaries({}, optional={
            "for_each": sometimes_wrong(st.sampled_from(["output.files", "files", "output"])),
            "bond": sometimes_wrong(names), "sequential": st.booleans()}))})


steps = st.recursive(st.lists(st.fixed_dictionaries({"id": names, "title": texts}), max_size=2),
                     lambda inner: st.lists(_step(inner), max_size=4), max_leaves=10)
var_def = st.one_of(texts, st.booleans(), st.integers(), st.fixed_dictionaries({}, optional={
    "description": sometimes_wrong(texts), "required": sometimes_wrong(st.booleans()),
    "default": sometimes_wrong(texts), "enum": sometimes_wrong(st.lists(texts, max_size=3)),
    "pattern": sometimes_wrong(st.sampled_from(["^[a-z]+$", "(", "[", ".*", "a{99999999}"])),
    "type": sometimes_wrong(st.sampled_from(["string", "int", "bool", "nope"])),
    "required_unless": sometimes_wrong(st.lists(names, max_size=2))}))
legs = st.lists(st.fixed_dictionaries({"id": sometimes_wrong(names)}, optional={
    "title": sometimes_wrong(texts), "focus": texts, "agent": sometimes_wrong(texts),
    "review_only": sometimes_wrong(st.booleans())}), max_size=3)
advice_step = st.fixed_dictionaries({"id": sometimes_wrong(st.sampled_from(["{step.id}-pre", "post", "a"])),
                                     "title": texts})
advice = st.lists(st.fixed_dictionaries({"target": sometimes_wrong(st.sampled_from(["*", "a", "d*", "zz"]))},
                                        optional={"before": advice_step, "after": advice_step,
                                                  "around": st.fixed_dictionaries({}, optional={
                                                      "before": st.lists(advice_step, max_size=2),
                                                      "after": st.lists(advice_step, max_size=2)})}), max_size=2)
documents = st.fixed_dictionaries(
    {"formula": sometimes_wrong(names), "steps": steps},
    optional={"description": sometimes_wrong(texts), "version": sometimes_wrong(st.integers(0, 3)),
              "type": sometimes_wrong(st.sampled_from(["workflow"] * 5 + ["expansion", "aspect", "convoy", "no"])),
              "extends": sometimes_wrong(st.lists(st.sampled_from(["shiny", "rule-of-five", "missing", "fuzz"]),
                                                  max_size=2)),
              "pour": sometimes_wrong(st.booleans()), "phase": sometimes_wrong(st.sampled_from(["liquid", "vapor"])),
              "vars": st.dictionaries(names, var_def, max_size=3), "template": steps,
              "legs": sometimes_wrong(legs), "aspects": sometimes_wrong(st.one_of(legs, st.lists(names, max_size=2))),
              "synthesis": sometimes_wrong(st.fixed_dictionaries({}, optional={
                  "title": texts, "depends_on": sometimes_wrong(st.lists(names, max_size=2))})),
              "inputs": st.dictionaries(names, var_def, max_size=2), "agent": sometimes_wrong(texts),
              "review_only": sometimes_wrong(st.booleans()), "prompts": st.dictionaries(names, texts, max_size=2),
              "output": sometimes_wrong(st.fixed_dictionaries({}, optional={
                  "directory": texts, "leg_pattern": texts, "synthesis": texts})),
              "advice": sometimes_wrong(advice),
              "compose": st.fixed_dictionaries({"expand": st.lists(st.fixed_dictionaries(
                  {"target": sometimes_wrong(names), "with": sometimes_wrong(st.sampled_from(
                      ["rule-of-five", "missing", "shiny"]))},
                  optional={"vars": st.dictionaries(names, texts, max_size=2)}), max_size=2)}, optional={
                  "map": st.lists(st.fixed_dictionaries({"select": sometimes_wrong(st.sampled_from(["*", "a*", "q"])),
                                                         "with": st.sampled_from(["rule-of-five", "missing"])}),
                                  max_size=1),
                  "branch": st.lists(st.fixed_dictionaries({"from": sometimes_wrong(names),
                                                            "steps": sometimes_wrong(st.lists(names, max_size=2))},
                                                           optional={"join": names}), max_size=1),
                  "hooks": st.lists(st.fixed_dictionaries({"trigger": texts, "attach": names}), max_size=1),
                  "aspects": sometimes_wrong(st.lists(st.sampled_from(["missing", "shiny", "fuzz"]), max_size=1))})})


def exercise(text: str, values: dict[str, str] | None = None) -> None:
    """Parse, check and cook `text`; GastownError is the only acceptable failure (anything else fails the test)."""
    try:
        formula = parse_formula_text(text, "fuzz.formula.toml")
        for problem in check_all(formula, loader=LIBRARY.load):  # every problem is a located one-liner
            assert problem.one_line() and "\n" not in str(problem)
        check(formula, loader=LIBRARY.load)
        if formula.type == "workflow":
            vars_given = {name: (values or {}).get(name, "3") for name in formula.vars}
            cook(formula, vars_given, loader=LIBRARY.load)
    except GastownError as exc:
        assert exc.one_line(), "an error must say something"
    except RecursionError:  # pragma: no cover - reported as a bug if ever hit
        raise AssertionError("recursion blew up on fuzzed input") from None


@FUZZ
@given(documents)
def test_random_formula_documents_fail_only_with_gastown_errors(doc: dict) -> None:
    exercise(tomlkit.dumps(doc))


@FUZZ
@given(st.text(max_size=400))
def test_random_text_fails_only_with_gastown_errors(text: str) -> None:
    exercise(text)


def _mutate(text: str, data: st.DataObject) -> str:
    """Apply 1-4 line/token mutations to a formula's text."""
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        kind = data.draw(st.sampled_from(["drop", "dup", "swap", "token", "insert", "truncate", "retype"]))
        if kind == "drop":
            del lines[i]
        elif kind == "dup":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "token":
            tokens = re.split(r"(\W)", lines[i])
            k = data.draw(st.integers(0, len(tokens) - 1))
            tokens[k] = data.draw(st.sampled_from(['"x"', "1", "[]", "{}", "true", "[[steps]]", "=", '"',
                                                   "needs", "{{feature}}", "\x00", "\u202e", "-1"]))
            lines[i] = "".join(tokens)
        elif kind == "insert":
            lines.insert(i, data.draw(st.sampled_from([
                'needs = ["design", "design"]', 'needs = ["nope"]', 'id = "design"', "[[steps.children]]",
                'condition = "{{feature}} =="', "priority = 99", '[steps.loop]\nrange = "1..{{feature}}"',
                'extends = ["shiny"]', 'type = "expansion"', "[vars.x]\nrequired = 3", 'gate = "x"'])))
        elif kind == "truncate":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
        else:
            lines[i] = re.sub(r'"[^"]*"', "42", lines[i], count=1)
    return "\n".join(lines) + "\n"


@FUZZ
@given(st.sampled_from(SHIPPED), st.data())
def test_mutated_shipped_formulas_fail_only_with_gastown_errors(path: Path, data: st.DataObject) -> None:
    exercise(_mutate(path.read_text(), data),
             {"feature": data.draw(st.text(max_size=20)), "n": data.draw(st.sampled_from(["3", "-1", "x", "99999"]))})


def test_every_shipped_formula_checks_clean() -> None:
    assert SHIPPED, "no shipped formulas found"
    for path in SHIPPED:
        formula = parse_formula_text(path.read_text(), path)
        check(formula, loader=LIBRARY.load)  # the mutations above start from valid documents
