"""Parser, validator and cook: schema fields, line numbers in errors, vars, conditions, loops, extends, compose."""

from __future__ import annotations

import pytest

from gastown_tui.formulas import FormulaError, FormulaLibrary, check, cook, parse_formula_text

BASE = '''formula = "demo"
description = "demo {{who}}"
version = 2
custom_top = "kept"

[vars]
who = "world"

[vars.mode]
description = "how"
default = "fast"
enum = ["fast", "slow"]

[vars.ticket]
required = true
pattern = "T-[0-9]+"

[[steps]]
id = "start"
title = "Start {{ticket}} for {{who}}"
labels = ["a"]
priority = 1
parallel = true

[[steps]]
id = "slow-only"
title = "Only when slow"
condition = "{{mode}} == slow"
needs = ["start"]

[[steps]]
id = "finish"
title = "Finish {{undeclared}}"
needs = ["start", "slow-only"]
'''


def parse(text: str):
    return parse_formula_text(text, "demo.formula.toml")


def test_parse_fields_and_unknown_keys_kept() -> None:
    f = parse(BASE)
    assert f.name == "demo" and f.version == 2 and f.type == "workflow"
    assert f.vars["who"].default == "world" and f.vars["ticket"].required
    assert f.vars["mode"].enum == ["fast", "slow"]
    assert f.metadata["custom_top"] == "kept"
    assert f.steps[0].parallel is True  # a schema field now, not kept metadata
    assert f.steps[0].loc.line == 18


def test_cook_substitutes_and_filters_conditions() -> None:
    proto = cook(parse(BASE), {"ticket": "T-1"})
    assert [s.id for s in proto.steps] == ["start", "finish"]
    assert proto.step("start").title == "Start T-1 for world"
    assert proto.step("finish").title == "Finish {{undeclared}}"  # undeclared placeholders stay literal
    assert proto.step("finish").needs == ["start"]  # the need on a dropped step is satisfied
    slow = cook(parse(BASE), {"ticket": "T-2", "mode": "slow"})
    assert [s.id for s in slow.steps] == ["start", "slow-only", "finish"]


def test_compile_mode_keeps_placeholders_and_undecided_conditions() -> None:
    proto = cook(parse(BASE))
    assert proto.mode == "compile"
    assert proto.step("start").title == "Start {{ticket}} for {{who}}"
    assert proto.step("slow-only").condition == "{{mode}} == slow"


@pytest.mark.parametrize("given, field, line", [
    ({"ticket": "T-1", "nope": "x"}, "vars.nope", 6),
    ({}, "vars.ticket", 14),
    ({"ticket": "bad"}, "vars.ticket", 14),
    ({"ticket": "T-1", "mode": "medium"}, "vars.mode", 9),
])
def test_var_errors_name_file_line_field(given: dict, field: str, line: int) -> None:
    with pytest.raises(FormulaError) as info:
        cook(parse(BASE), given)
    assert str(info.value).startswith(f"demo.formula.toml:{line}: {field}: ")


@pytest.mark.parametrize("text, line, field, problem", [
    ('formula = "demo"\n[[steps]]\nid = "a"\ntitle = "A"\nneeds = ["b"]\n', 5, "steps.a.needs", "names no step"),
    ('formula = "demo"\n[[steps]]\nid = "a"\ntitle = "A"\n[[steps]]\nid = "a"\ntitle = "B"\n', 6, "steps.a.id",
     "duplicate"),
    ('formula = "demo"\n[[steps]]\nid = "a"\ntitle = "A"\nneeds = ["b"]\n[[steps]]\nid = "b"\ntitle = "B"\n'
     'needs = ["a"]\n', 0, "needs", "cycle"),
    ('formula = "demo"\n[[steps]]\nid = "a"\ntitle = "A"\n[steps.loop]\nrange = "5..1"\nvar = "i"\n', 6,
     "steps.a.loop.range", "bad range"),
    ('formula = "demo"\n[[steps]]\nid = "a"\ntitle = "A"\npriority = 9\n', 5, "steps.a.priority", "not in 0-4"),
    ('formula = "demo"\ntype = "weird"\n[[steps]]\nid = "a"\ntitle = "A"\n', 2, "type", "unknown type"),
    ('formula = "demo"\n[[steps]]\nid = "a"\ntitle = = "A"\n', 4, "toml", ""),
    ('formula = "demo"\n[vars.x]\nrequired_unless = ["nope"]\n[[steps]]\nid = "a"\ntitle = "A"\n', 2,
     "vars.x.required_unless", "names no variable"),
])
def test_bad_formulas(text: str, line: int, field: str, problem: str) -> None:
    with pytest.raises(FormulaError) as info:
        check(parse(text))
    err = info.value
    assert err.source == "demo.formula.toml"
    if line:
        assert err.line == line, str(err)
    assert err.field.endswith(field) and problem in err.problem, str(err)
    assert "\n" not in str(err)


def test_loops_count_range_until() -> None:
    text = '''formula = "demo"
[vars]
disks = "2"
[[steps]]
id = "setup"
title = "Setup"
[[steps]]
id = "move"
title = "Move {i}"
needs = ["setup"]
[steps.loop]
range = "1..2^{disks}-1"
var = "i"
[[steps]]
id = "rounds"
title = "Round"
needs = ["move"]
[steps.loop]
count = 2
[[steps.loop.body]]
id = "a"
title = "A"
[[steps.loop.body]]
id = "b"
title = "B"
needs = ["a"]
[[steps]]
id = "poll"
title = "Poll"
needs = ["rounds"]
[steps.loop]
until = "{{done}}"
max = 5
'''
    proto = cook(parse(text), {})
    ids = [s.id for s in proto.steps]
    assert ids == ["setup", "move.iter1", "move.iter2", "move.iter3", "rounds.iter1.a", "rounds.iter1.b",
                   "rounds.iter2.a", "rounds.iter2.b", "poll.iter1"]
    assert proto.step("move.iter1").needs == ["setup"] and proto.step("move.iter3").title == "Move 3"
    assert proto.step("move.iter2").needs == ["move.iter1"]
    assert proto.step("rounds.iter1.a").needs == ["move.iter3"]
    assert proto.step("rounds.iter2.a").needs == ["rounds.iter1.b"]
    assert proto.step("poll.iter1").needs == ["rounds.iter2.b"]
    assert any(label.startswith("loop:") for label in proto.step("poll.iter1").labels)
    assert len(cook(parse(text), {"disks": "3"}).steps) == 1 + 7 + 4 + 1


def test_children_gates_and_epics() -> None:
    text = '''formula = "demo"
[[steps]]
id = "build"
title = "Build"
[[steps.children]]
id = "left"
title = "Left"
[[steps.children]]
id = "right"
title = "Right"
needs = ["left"]
[[steps]]
id = "ship"
title = "Ship"
needs = ["build"]
gate = { type = "timer", timeout = "1h" }
'''
    proto = cook(parse(text), {})
    assert proto.step("build").type == "epic"
    assert proto.step("left").parent == "build" and proto.step("right").needs == ["left"]
    assert proto.step("gate-ship").type == "gate" and "gate-ship" in proto.step("ship").needs


def test_extends_and_compose(tmp_path) -> None:
    (tmp_path / "base.formula.toml").write_text(
        'formula = "base"\n[vars]\nx = "1"\n[[steps]]\nid = "a"\ntitle = "A"\n[[steps]]\nid = "b"\ntitle = "B"\n'
        'needs = ["a"]\n[[steps]]\nid = "c"\ntitle = "C"\nneeds = ["b"]\n')
    (tmp_path / "twice.formula.toml").write_text(
        'formula = "twice"\ntype = "expansion"\n[[template]]\nid = "{target}.one"\ntitle = "One of {target.title}"\n'
        '[[template]]\nid = "{target}.two"\ntitle = "Two"\nneeds = ["{target}.one"]\n')
    (tmp_path / "child.formula.toml").write_text(
        'formula = "child"\nextends = ["base"]\n[[steps]]\nid = "c"\ntitle = "C overridden"\nneeds = ["b"]\n'
        '[[compose.expand]]\ntarget = "b"\nwith = "twice"\n')
    lib = FormulaLibrary([tmp_path])
    proto = cook(lib.load("child"), {}, loader=lib.load)
    assert [s.id for s in proto.steps] == ["a", "b.one", "b.two", "c"]
    assert proto.step("b.one").needs == ["a"] and proto.step("b.one").title == "One of B"
    assert proto.step("c").needs == ["b.two"] and proto.step("c").title == "C overridden"
    (tmp_path / "orphan.formula.toml").write_text('formula = "orphan"\n\nextends = ["nope"]\n')
    with pytest.raises(FormulaError, match=r"orphan.formula.toml:3: extends: formula 'nope' not found"):
        cook(lib.load("orphan"), {}, loader=lib.load)


@pytest.mark.parametrize("cond, values, expected", [
    ("{{v}}", {"v": "yes"}, True), ("{{v}}", {"v": "false"}, False), ("{{v}}", {"v": "0"}, False),
    ("!{{v}}", {"v": ""}, True), ("{{v}} == x", {"v": "x"}, True), ("{{v}} != x", {"v": "x"}, False),
    ("{{v}} == 'x'", {"v": "x"}, True), ("{{v}}", {}, None),
])
def test_conditions(cond: str, values: dict, expected: bool | None) -> None:
    from gastown_tui.formulas.expand import eval_condition
    assert eval_condition(cond, values) is expected


def test_range_arithmetic_and_limits() -> None:
    from gastown_tui.formulas.expand import eval_range
    from gastown_tui.formulas.schema import Loc
    loc = Loc("f.formula.toml", 3)
    assert eval_range("1..2^{n}", {"n": "3"}, loc, "r") == list(range(1, 9))
    assert eval_range("{a}*2..(3+1)*2", {"a": "2"}, loc, "r") == [4, 5, 6, 7, 8]
    for bad in ("1..", "1..__import__('os')", "1..{missing}", "1..99999", "3"):
        with pytest.raises(FormulaError, match=r"^f.formula.toml:3: r: "):
            eval_range(bad, {}, loc, "r")
