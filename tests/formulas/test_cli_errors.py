"""Bad input through the real CLI: one line `file:line: field: problem`, non-zero exit, no traceback."""

from __future__ import annotations

import pytest

from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli
from tests.formulas.conftest import write_formula

GOOD = 'formula = "good"\n[vars.name]\nrequired = true\n[[steps]]\nid = "a"\ntitle = "A {{name}}"\n'

CASES = {
    # name: (formula text, CLI args after the formula name, expected "line: field" fragment)
    "unknown-var": (GOOD, ["mol", "pour", "{f}", "--var", "name=x", "--var", "colour=red"], ":2: vars.colour:"),
    "missing-var": (GOOD, ["mol", "pour", "{f}"], ":2: vars.name: required variable not set"),
    "cycle": ('formula = "{f}"\n[[steps]]\nid = "a"\ntitle = "A"\nneeds = ["b"]\n[[steps]]\nid = "b"\n'
              'title = "B"\nneeds = ["a"]\n', ["formula", "check", "{f}"], "needs: dependency cycle"),
    "duplicate": ('formula = "{f}"\n[[steps]]\nid = "a"\ntitle = "A"\n[[steps]]\nid = "a"\ntitle = "A2"\n',
                  ["cook", "{f}"], ":6: steps.a.id: duplicate step id"),
    "unknown-need": ('formula = "{f}"\n[[steps]]\nid = "a"\ntitle = "A"\nneeds = ["ghost"]\n',
                     ["mol", "wisp", "{f}"], ":5: steps.a.needs: names no step: 'ghost'"),
    "bad-range": ('formula = "{f}"\n[[steps]]\nid = "a"\ntitle = "A"\n[steps.loop]\nvar = "i"\nrange = "1..x"\n',
                  ["formula", "check", "{f}"], ":7: steps.a.loop.range: bad range"),
    "missing-extends": ('formula = "{f}"\nextends = ["no-such-formula"]\n', ["cook", "{f}"],
                        ":2: extends: formula 'no-such-formula' not found"),
    "toml-syntax": ('formula = "{f}"\n[[steps]]\nid = "a"\ntitle = "unterminated\n', ["formula", "show", "{f}"],
                    ":4: toml: "),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_one_line_error(town: TownPaths, case: str) -> None:
    name = f"bad-{case}"
    text, args, fragment = CASES[case]
    path = write_formula(town, name, text.replace('"good"', f'"{name}"').replace("{f}", name))
    result = run_cli(*[a.replace("{f}", name) for a in args], cwd=town.root)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith(f"gt: error: {path}:"), lines[0]
    assert fragment in lines[0], lines[0]
    if args[0] == "mol":  # nothing was poured
        listing = run_cli("mol", "list", "--json", cwd=town.root)
        assert listing.returncode == 0 and listing.stdout.strip() == "[]"
