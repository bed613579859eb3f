"""Refusals of the new schema fields: each names file:line: field: problem on one line (gt formula check)."""

from __future__ import annotations

import pytest

from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli

from .conftest import write_formula

STEP = '[[steps]]\nid = "a"\ntitle = "A"\n'
CASES = {
    "synthesis-unknown-leg": ('type = "convoy"\n[[legs]]\nid = "x"\n[synthesis]\ndepends_on = ["y"]\n', 5,
                              "synthesis.depends_on: names no leg: 'y'"),
    "preset-unknown-leg": ('type = "convoy"\n[[legs]]\nid = "x"\n[presets.fast]\nlegs = ["y"]\n', 5,
                           "presets.fast.legs: names no leg: 'y'"),
    "convoy-without-legs": ('type = "convoy"\n', 1, "legs: a convoy formula needs at least one [[legs]] entry"),
    "leg-without-id": ('type = "convoy"\n[[legs]]\ntitle = "T"\n', 3, "legs.id: missing id"),
    "leg-review-only-type": ('type = "convoy"\n[[legs]]\nid = "x"\nreview_only = "yes"\n', 5,
                             "legs.x.review_only: must be true or false"),
    "map-matches-nothing": (f'[[compose.map]]\nselect = "zz*"\nwith = "rule-of-five"\n{STEP}', 2,
                            "compose.map.select: matches no step: 'zz*'"),
    "branch-unknown-step": (f'[[compose.branch]]\nfrom = "a"\nsteps = ["nope"]\n{STEP}', 2,
                            "compose.branch: names no step: 'nope'"),
    "branch-without-steps": (f'[[compose.branch]]\nfrom = "a"\n{STEP}', 2,
                             "compose.branch.steps: name at least one step"),
    "hook-without-attach": (f'[[compose.hooks]]\ntrigger = "label:x"\n{STEP}', 2, "compose.hooks.attach: missing"),
    "advice-without-target": (f'[[advice]]\nbefore = {{ id = "b", title = "B" }}\n{STEP}', 2,
                              "advice.target: missing target"),
    "advice-without-steps": (f'[[advice]]\ntarget = "a"\n{STEP}', 2, "advice: give before, after or around steps"),
    "interactive-type": (f'{STEP}interactive = "sometimes"\n', 5, "steps.a.interactive: must be true or false"),
    "on-complete-type": (f'{STEP}on_complete = "later"\n', 5, "steps.a.on_complete: must be a table"),
    "parallel-type": (f'{STEP}parallel = 1\n', 5, "steps.a.parallel: must be true or false"),
    "required-unless-type": (f'[vars.v]\nrequired_unless = 3\n{STEP}', 3,
                             "vars.v.required_unless: must be a list of strings"),
    "execution-type": (f'execution = 3\n{STEP}', 2, "execution: must be a string"),
    "agent-type": (f'agent = 3\n{STEP}', 2, "agent: must be a string"),
    "prompts-type": (f'[prompts]\nbase = 3\n{STEP}', 3, "prompts.base: must be a string"),
}


@pytest.mark.parametrize("body, line, message", list(CASES.values()), ids=list(CASES))
def test_refused_with_file_line_field(town: TownPaths, body: str, line: int, message: str) -> None:
    path = write_formula(town, "bad", f'formula = "bad"\n{body}')
    result = run_cli("formula", "check", str(path), env={"GT_TOWN": str(town.root)})
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"gt: error: {path}:{line}: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
