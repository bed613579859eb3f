"""The shipped formulas: all pass `gt formula check`; shiny-enterprise expands; patrol step ids are stable."""

from __future__ import annotations

import json

from gastown_tui.formulas import SHIPPED_DIR, FormulaLibrary, cook
from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli

EXPECTED = {"mol-polecat-work", "mol-witness-patrol", "mol-refinery-patrol", "mol-deacon-patrol", "mol-convoy-feed",
            "shiny", "rule-of-five", "shiny-enterprise", "release", "security-audit", "shiny-secure", "code-review",
            "towers-of-hanoi-7"}


def test_every_shipped_formula_passes_check(town: TownPaths) -> None:
    result = run_cli("formula", "check", "--json", cwd=town.root)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert EXPECTED <= {r["name"] for r in rows}
    assert all(r["ok"] for r in rows), rows
    names = {p.name[: -len(".formula.toml")] for p in SHIPPED_DIR.glob("*.formula.toml")}
    assert EXPECTED <= names


def test_shiny_enterprise_cooks_to_expanded_steps(town: TownPaths) -> None:
    result = run_cli("cook", "shiny-enterprise", "--var", "feature=login", "--json", cwd=town.root)
    assert result.returncode == 0, result.stderr
    steps = {s["id"]: s for s in json.loads(result.stdout)["steps"]}
    assert list(steps) == ["design", "implement.draft", "implement.refine-1", "implement.refine-2",
                           "implement.refine-3", "implement.refine-4", "review", "test", "submit"]
    assert steps["implement.draft"]["needs"] == ["design"]
    assert steps["review"]["needs"] == ["implement.refine-4"]
    assert steps["implement.draft"]["title"] == "Draft: Implement login"


def test_patrol_step_ids_for_the_patrol_engine() -> None:
    lib = FormulaLibrary([SHIPPED_DIR])
    ids = {name: [s.id for s in cook(lib.load(name), {}, loader=lib.load).steps]
           for name in ("mol-witness-patrol", "mol-refinery-patrol", "mol-deacon-patrol")}
    assert ids["mol-witness-patrol"] == ["survey-polecats", "restart-dead", "nudge-idle", "cleanup-done", "escalate"]
    assert ids["mol-refinery-patrol"] == ["scan-queue", "rebase", "run-gates", "merge", "rework"]
    assert set(ids["mol-deacon-patrol"]) == {"heartbeat", "convoy-completion", "stranded-convoys", "capacity",
                                             "wisp-gc", "ledger-commit", "orphans"}


def test_release_has_twenty_steps_with_parallel_siblings() -> None:
    lib = FormulaLibrary([SHIPPED_DIR])
    proto = cook(lib.load("release"), {"version": "1.2.3"}, loader=lib.load)
    assert len(proto.steps) == 20
    by_needs: dict[tuple[str, ...], list[str]] = {}
    for step in proto.steps:
        by_needs.setdefault(tuple(step.needs), []).append(step.id)
    assert any(len(group) > 1 for group in by_needs.values())  # siblings that become ready together


def test_town_formula_shadows_shipped(town: TownPaths) -> None:
    (town.root / "formulas" / "shiny.formula.toml").write_text(
        'formula = "shiny"\n[[steps]]\nid = "only"\ntitle = "Only"\n')
    result = run_cli("formula", "list", "--json", cwd=town.root)
    rows = [r for r in json.loads(result.stdout) if r["name"] == "shiny"]
    assert [(r["origin"], r["shadowed"]) for r in rows] == [("town", False), ("shipped", True)]
    shown = run_cli("formula", "show", "shiny", "--json", cwd=town.root)
    assert [s["id"] for s in json.loads(shown.stdout)["steps"]] == ["only"]


def test_shiny_secure_weaves_the_security_audit_aspect(town: TownPaths) -> None:
    result = run_cli("cook", "shiny-secure", "--var", "feature=login", "--json", cwd=town.root)
    assert result.returncode == 0, result.stderr
    steps = [s["id"] for s in json.loads(result.stdout)["steps"]]
    assert steps == ["design", "implement-threat-model", "implement", "implement-security-scan", "review", "test",
                     "submit-secrets-check", "submit"]


def test_slinging_a_convoy_formula_says_how_to_run_it(town: TownPaths) -> None:
    result = run_cli("cook", "code-review", "--var", "target=main", cwd=town.root)
    assert result.returncode != 0 and "run it with gt formula run NAME RIG" in result.stderr
