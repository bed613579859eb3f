"""Step fields with a run-time meaning: waits_for (fan-in), interactive (sent to a person, never walked by a
polecat), on_complete (bond a formula per item of a step's result). Real ledger, walked through the same functions
`gt mol` uses (and the CLI for --result)."""

from __future__ import annotations

import json

import pytest

import gastown_tui.formulas as F
from gastown_tui.errors import InvalidInput
from gastown_tui.ledger import Ledger
from gastown_tui.mail import inbox
from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli

from .conftest import write_formula

FANIN = '''formula = "fanin"
{pour}
[[steps]]
id = "survey"
title = "Survey"
[[steps.children]]
id = "c1"
title = "Part 1"
[[steps.children]]
id = "c2"
title = "Part 2"
[[steps]]
id = "first"
title = "Act on the first result"
needs = ["survey"]
waits_for = "any-children"
[[steps]]
id = "all"
title = "Summarise all results"
needs = ["survey"]
waits_for = "all-children"
[[steps]]
id = "tally"
title = "Tally"
waits_for = "children-of(survey)"
'''


@pytest.mark.parametrize("pour", ["", "pour = false"], ids=["materialised", "root-only"])
def test_waits_for_any_and_all_children(town: TownPaths, ledger: Ledger, pour: str) -> None:
    write_formula(town, "fanin", FANIN.replace("{pour}", pour))
    mol = F.pour(ledger, "fanin", {}, actor="o")
    assert mol.root_only == bool(pour)
    def ready() -> list[str]:
        return sorted(s.step_id for s in F.ready_steps(ledger, mol.id))
    assert ready() == ["c1", "c2"], ready()  # fan-in steps wait for the children
    F.step_done(ledger, mol.id, "c1", actor="o")
    assert "first" in ready() and "all" not in ready()  # any child done opens `first`; `all` still waits
    F.step_done(ledger, mol.id, "c2", actor="o")
    assert "all" in ready()


def test_interactive_step_goes_to_its_person_with_the_reason(town: TownPaths, ledger: Ledger) -> None:
    write_formula(town, "ask", '''formula = "ask"
[[steps]]
id = "build"
title = "Build"
[[steps]]
id = "approve"
title = "Approve the release"
interactive = true
needs = ["build"]
[[steps]]
id = "pick"
title = "Pick a name"
interactive = true
agent = "mayor/"
needs = ["build"]
[[steps]]
id = "ship"
title = "Ship"
needs = ["approve", "pick"]
''')
    mol = F.pour(ledger, "ask", {}, actor="o")
    assert mol.step("approve").assignee == "overseer" and mol.step("pick").assignee == "mayor/"
    assert not inbox(ledger, "overseer")  # not ready yet: nothing sent
    F.step_done(ledger, mol.id, actor="app/polecats/nux")  # the polecat closes `build`
    mails = inbox(ledger, "overseer")
    assert len(mails) == 1 and "Approve the release" in mails[0].subject
    assert "Reason: interactive step" in mails[0].body and mol.step("approve").bead_id in mails[0].body
    assert any("Pick a name" in m.subject for m in inbox(ledger, "mayor/"))
    # the polecat walking the molecule never gets them
    assert F.current_step(ledger, mol.id, "app/polecats/nux") is None
    with pytest.raises(Exception, match="no step of yours"):
        F.step_done(ledger, mol.id, actor="app/polecats/nux")
    F.step_done(ledger, mol.id, actor="overseer")
    F.step_done(ledger, mol.id, actor="mayor/")
    assert [s.step_id for s in F.ready_steps(ledger, mol.id)] == ["ship"]


def test_on_complete_bonds_a_formula_per_item(town: TownPaths, ledger: Ledger) -> None:
    write_formula(town, "review-file", '''formula = "review-file"
[vars.path]
required = true
[[steps]]
id = "read"
title = "Review {{path}}"
''')
    write_formula(town, "scan", '''formula = "scan"
[[steps]]
id = "list"
title = "List changed files"
[steps.on_complete]
for_each = "output.files"
bond = "review-file"
vars = { path = "{item.path}" }
sequential = true
''')
    mol = F.pour(ledger, "scan", {}, actor="o")
    step = mol.step("list")
    result = {"files": [{"path": "a.py"}, {"path": "b.py"}, {"path": "c.py"}]}
    done = run_cli("mol", "step", "done", step.bead_id, "--mol", mol.id, "--result", json.dumps(result),
                   env={"GT_TOWN": str(town.root)})
    assert done.returncode == 0, done.stderr
    bonded = [m for m in F.list_molecules(ledger) if m.formula == "review-file"]
    assert sorted(m.steps[0].title for m in bonded) == ["Review a.py", "Review b.py", "Review c.py"]
    assert all(ledger.get(m.id).metadata["attached_to"] == step.bead_id for m in bonded)
    blocked = [m for m in bonded if ledger.get(m.id).is_blocked]
    assert len(blocked) == 2  # sequential: only the first runs now
    bad = run_cli("mol", "step", "done", "--mol", mol.id, "--result", "{nope", env={"GT_TOWN": str(town.root)})
    assert bad.returncode != 0 and "--result: not readable JSON" in bad.stderr and "Traceback" not in bad.stderr


def test_on_complete_without_the_list_is_one_clear_error(town: TownPaths, ledger: Ledger) -> None:
    write_formula(town, "scan", '''formula = "scan"
[[steps]]
id = "list"
title = "List"
on_complete = { for_each = "output.files", bond = "x" }
''')
    mol = F.pour(ledger, "scan", {}, actor="o")
    with pytest.raises(InvalidInput, match="has no 'output.files'"):
        F.step_done(ledger, mol.id, "list", actor="o", result={"other": 1})
    assert F.molecule_status(ledger, mol.id).step("list").state != "done"  # the transaction rolled back


def test_compose_hooks_bond_a_formula_when_the_work_matches(town: TownPaths, ledger: Ledger) -> None:
    write_formula(town, "threat-model", '''formula = "threat-model"
[[steps]]
id = "model"
title = "Threat model"
''')
    write_formula(town, "work", '''formula = "work"
[[compose.hooks]]
trigger = "label:security"
attach = "threat-model"
at = "submit"
[[steps]]
id = "implement"
title = "Implement"
[[steps]]
id = "submit"
title = "Submit"
needs = ["implement"]
''')
    plain = ledger.create("Plain work")
    F.pour(ledger, "work", {}, attach_to=plain.id, actor="o")
    assert not [m for m in F.list_molecules(ledger) if m.formula == "threat-model"]  # no trigger, no bond
    risky = ledger.create("Risky work", labels=["security"])
    mol = F.pour(ledger, "work", {}, attach_to=risky.id, actor="o")
    (bonded,) = [m for m in F.list_molecules(ledger) if m.formula == "threat-model"]
    assert bonded.attached_to == risky.id
    F.step_done(ledger, mol.id, "implement", actor="o")
    assert F.ready_steps(ledger, mol.id) == []  # submit waits for the bonded threat model
    F.step_done(ledger, bonded.id, "model", actor="o")
    assert [s.step_id for s in F.ready_steps(ledger, mol.id)] == ["submit"]
