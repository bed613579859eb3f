"""Formula authoring: `gt formula new` writes a commented skeleton that checks clean; `gt formula check DIR`
reports every problem of every file (not only the first), one `file:line: field: problem` line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli


@pytest.mark.parametrize("kind, count", [("workflow", "3 steps"), ("convoy", "2 steps")])
def test_new_writes_a_skeleton_that_checks_clean(town: TownPaths, kind: str, count: str) -> None:
    env = {"GT_TOWN": str(town.root)}
    made = run_cli("formula", "new", "my-flow", "--type", kind, env=env)
    assert made.returncode == 0, made.stderr
    path = town.root / "formulas" / "my-flow.formula.toml"
    text = path.read_text()
    assert text.startswith("#") and 'formula = "my-flow"' in text and text.count("#") >= 8  # commented
    checked = run_cli("formula", "check", "my-flow", env=env)
    assert checked.returncode == 0 and f"ok    my-flow  ({count})" in checked.stdout, checked.stderr
    again = run_cli("formula", "new", "my-flow", env=env)
    assert again.returncode != 0 and "already exists" in again.stderr and path.read_text() == text
    bad = run_cli("formula", "new", "../escape", env=env)
    assert bad.returncode != 0 and "invalid formula name" in bad.stderr and "Traceback" not in bad.stderr


def test_check_dir_reports_every_problem_in_every_file(tmp_path: Path) -> None:
    (tmp_path / "one.formula.toml").write_text(
        'formula = "one"\nversion = 0\n[vars.x]\ntype = "float"\n[[steps]]\nid = "a"\npriority = 9\ntitle = "A"\n'
        '[[steps]]\nid = "a"\ntitle = "B"\n')
    (tmp_path / "two.formula.toml").write_text('formula = "two"\n[[steps]]\nid = "a"\ntitle = = "A"\n')
    (tmp_path / "three.formula.toml").write_text('formula = "three"\n[[steps]]\nid = "a"\ntitle = "A"\n')
    (tmp_path / "four.formula.toml").write_text(
        'formula = "four"\ntype = "convoy"\n[[legs]]\nid = "x"\n[[legs]]\nid = "x"\n[synthesis]\n'
        'depends_on = ["y"]\n')
    result = run_cli("formula", "check", str(tmp_path))
    assert result.returncode == 1
    errors = [line.removeprefix("gt: error: ").replace(str(tmp_path) + "/", "")
              for line in result.stderr.splitlines()]
    assert errors == [
        "four.formula.toml:6: legs.x.id: duplicate leg id",
        "one.formula.toml:2: version: must be >= 1",
        "one.formula.toml:3: vars.x.type: unknown type 'float' (use string, int, bool)",
        "one.formula.toml:7: steps.a.priority: 9 is not in 0-4",
        "one.formula.toml:10: steps.a.id: duplicate step id (first defined at line 5)",
        "two.formula.toml:4: toml: Invalid value",
    ]
    assert "ok    three  (1 steps)" in result.stdout and "1/4 formulas ok, 6 problems" in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    none = run_cli("formula", "check", str(empty))
    assert none.returncode != 0 and "no *.formula.toml files" in none.stderr
