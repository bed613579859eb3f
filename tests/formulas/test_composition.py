"""Composition and step fields at run time: aspects, compose.map/branch, parallel containers and steps, extends
next to the file, required + default, required_unless, child ids at any depth. Each formula is poured into a real
ledger and walked; the assertions are about which steps are ready when."""

from __future__ import annotations

import pytest

import gastown_tui.formulas as F
from gastown_tui.errors import InvalidInput
from gastown_tui.ledger import Ledger
from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli

from .conftest import write_formula

AUDIT = '''formula = "audit"
type = "aspect"
[[advice]]
target = "implement"
[advice.around]
before = [{ id = "{step.id}-prescan", title = "Pre-scan for {step.title}" }]
after = [{ id = "{step.id}-postscan", title = "Post-scan for {step.title}" }]
'''

SECURE = '''formula = "secure"
[compose]
aspects = ["audit"]
[[advice]]
target = "sub*"
[advice.before]
id = "announce"
title = "Announce the submit"
[[steps]]
id = "design"
title = "Design"
[[steps]]
id = "implement"
title = "Implement"
needs = ["design"]
[[steps]]
id = "submit"
title = "Submit"
needs = ["implement"]
'''


def walk(ledger: Ledger, mol_id: str) -> list[list[str]]:
    """Close every ready step, round by round; the step ids ready in each round."""
    rounds = []
    while True:
        ready = F.ready_steps(ledger, mol_id)
        if not ready:
            return rounds
        rounds.append(sorted(s.step_id for s in ready))
        for step in ready:
            F.step_done(ledger, mol_id, step.bead_id, actor="walker")


def test_aspects_woven_before_after_around_and_shown(town: TownPaths, ledger: Ledger) -> None:
    write_formula(town, "audit", AUDIT)
    write_formula(town, "secure", SECURE)
    mol = F.pour(ledger, "secure", {}, actor="overseer")
    assert walk(ledger, mol.id) == [["design"], ["implement-prescan"], ["implement"], ["implement-postscan"],
                                    ["submit.announce"], ["submit"]]
    assert F.molecule_status(ledger, mol.id).complete
    shown = run_cli("formula", "show", "secure", env={"GT_TOWN": str(town.root)})
    assert shown.returncode == 0, shown.stderr
    assert "implement-prescan  [task]  Pre-scan for Implement" in shown.stdout
    assert "(aspect before implement)" in shown.stdout and "(aspect after implement)" in shown.stdout
    assert "(aspect before submit)" in shown.stdout


def test_missing_aspect_formula_is_refused_with_its_line(town: TownPaths) -> None:
    path = write_formula(town, "secure", SECURE)
    result = run_cli("formula", "check", str(path), env={"GT_TOWN": str(town.root)})
    assert result.returncode == 1
    assert "secure.formula.toml:3: aspects: aspect formula 'audit' not found" in result.stderr


def test_compose_map_and_branch(town: TownPaths, ledger: Ledger) -> None:
    write_formula(town, "twice", '''formula = "twice"
type = "expansion"
[[template]]
id = "{target}.draft"
title = "Draft {target.title}"
[[template]]
id = "{target}.polish"
title = "Polish {target.title}"
needs = ["{target}.draft"]
''')
    write_formula(town, "fan", '''formula = "fan"
[[compose.map]]
select = "doc-*"
with = "twice"
[[compose.branch]]
from = "start"
steps = ["left", "right"]
join = "end"
[[steps]]
id = "start"
title = "Start"
[[steps]]
id = "left"
title = "Left"
[[steps]]
id = "right"
title = "Right"
[[steps]]
id = "end"
title = "End"
[[steps]]
id = "doc-api"
title = "API docs"
needs = ["end"]
''')
    mol = F.pour(ledger, "fan", {}, actor="overseer")
    assert walk(ledger, mol.id) == [["start"], ["left", "right"], ["end"], ["doc-api.draft"], ["doc-api.polish"]]


def test_parallel_container_and_parallel_steps(town: TownPaths, ledger: Ledger) -> None:
    write_formula(town, "par", '''formula = "par"
[[steps]]
id = "prep"
title = "Prep"
[[steps]]
id = "checks"
title = "All checks"
type = "parallel"
needs = ["prep"]
[[steps.children]]
id = "lint"
title = "Lint"
[[steps.children]]
id = "test"
title = "Test"
[[steps]]
id = "a"
title = "A"
parallel = true
needs = ["checks"]
[[steps]]
id = "b"
title = "B"
parallel = true
needs = ["checks"]
''')
    mol = F.pour(ledger, "par", {}, actor="overseer")
    container = mol.step("checks")
    assert container.issue_type == "epic"
    F.step_done(ledger, mol.id, "prep", actor="w")
    assert sorted(s.step_id for s in F.ready_steps(ledger, mol.id)) == ["lint", "test"]  # children together
    F.step_done(ledger, mol.id, "lint", actor="w")
    assert F.molecule_status(ledger, mol.id).step("checks").state != "done"
    F.step_done(ledger, mol.id, "test", actor="w")
    status = F.molecule_status(ledger, mol.id)
    assert status.step("checks").state == "done"  # closed when all its children closed
    assert sorted(s.step_id for s in F.ready_steps(ledger, mol.id)) == ["a", "b"]


def test_extends_finds_the_parent_next_to_the_file(tmp_path) -> None:
    (tmp_path / "base.formula.toml").write_text('formula = "base"\n[[steps]]\nid = "a"\ntitle = "A"\n')
    child = tmp_path / "kid.formula.toml"
    child.write_text('formula = "kid"\nextends = ["base"]\n[[steps]]\nid = "b"\ntitle = "B"\nneeds = ["a"]\n')
    result = run_cli("formula", "check", str(child))
    assert result.returncode == 0 and "ok    kid  (2 steps)" in result.stdout, result.stderr


def test_required_with_default_and_required_unless(town: TownPaths, ledger: Ledger) -> None:
    write_formula(town, "vars", '''formula = "vars"
[vars.branch]
required = true
default = "main"
[vars.issue]
required_unless = ["pr"]
[vars.pr]
description = "a pull request number"
[[steps]]
id = "a"
title = "Work on {{branch}} for {{issue}}{{pr}}"
''')
    with pytest.raises(InvalidInput, match="vars.issue: required variable not set"):
        F.pour(ledger, "vars", {}, actor="o")
    mol = F.pour(ledger, "vars", {"pr": "42"}, actor="o")  # pr given: issue is not required
    assert mol.steps[0].title == "Work on main for {{issue}}42"  # the default satisfied `required`


def test_child_ids_to_any_depth(town: TownPaths, ledger: Ledger) -> None:
    depth = 6
    text = 'formula = "deep"\n'
    for level in range(depth):
        header = "[[steps" + ".children" * level + "]]"
        text += f'{header}\nid = "l{level}"\ntitle = "Level {level}"\n'
    write_formula(town, "deep", text)
    mol = F.pour(ledger, "deep", {}, actor="o")
    leaf = mol.step(f"l{depth - 1}")
    assert leaf.bead_id == mol.id + ".1" * depth  # <root>.1.1.1.1.1.1
    F.step_done(ledger, mol.id, leaf.bead_id, actor="o")
    assert F.molecule_status(ledger, mol.id).complete  # every container closed in turn


def test_step_output_reaches_the_steps_that_need_it_and_pour_true_materialises(town: TownPaths,
                                                                              ledger: Ledger) -> None:
    write_formula(town, "art", '''formula = "art"
pour = true
[[steps]]
id = "design"
title = "Design"
output = "design.md"
[[steps]]
id = "build"
title = "Build"
description = "Build it."
needs = ["design"]
''')
    mol = F.pour(ledger, "art", {}, actor="o")
    assert not mol.root_only and len(ledger.children(mol.id)) == 2  # pour = true: one bead per step
    build = ledger.get(mol.step("build").bead_id)
    assert build.description == "Build it.\n\nInputs from earlier steps: design.md"
    assert build.metadata["inputs"] == ["design.md"] and ledger.get(mol.step("design").bead_id).metadata[
        "output"] == "design.md"
