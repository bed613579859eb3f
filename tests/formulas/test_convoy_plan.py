"""Convoy and aspect formulas without an engine: capacity, per-leg agent, review_only, refusals.

A real town (real git, real ledger); with no engine running, sling queues each start in the ledger, which is
enough to see who got what. The end-to-end run on scripted polecats is test_convoy_run.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gastown_tui.ledger import Ledger
from gastown_tui.town import load_town_config
from gastown_tui.town.paths import TownPaths
from tests.agents.conftest import agent_rows, cli, make_source, make_town

ASPECTS = '''formula = "lenses"
type = "aspect"
agent = "shell"

[prompts]
base = "You look at the plan through one lens."

[output]
directory = ".lenses"

[[aspects]]
id = "speed"
title = "Speed lens"
agent = "scripted"
description = "Time every path."

[[aspects]]
id = "cost"
title = "Cost lens"
review_only = true

[[aspects]]
id = "risk"
title = "Risk lens"

[synthesis]
title = "All lenses"
depends_on = ["speed", "cost"]

[presets.quick]
description = "one lens only"
legs = ["speed"]
'''


@pytest.fixture
def rig_town(tmp_path: Path) -> TownPaths:
    """Rig `app`, scripted default runtime, capacity 2 polecats, the lenses formula in town formulas."""
    town = make_town(tmp_path / "town", make_source(tmp_path / "src"))
    config = load_town_config(town)
    config.set("scheduler.max_polecats", 2)
    config.save()
    (town.root / "formulas").mkdir(exist_ok=True)
    (town.root / "formulas" / "lenses.formula.toml").write_text(ASPECTS)
    return town


def test_capacity_agents_and_review_only(rig_town: TownPaths) -> None:
    town = rig_town
    shown = cli(town, "formula", "show", "lenses")
    assert shown.returncode == 0, shown.stderr
    result = cli(town, "formula", "run", "lenses", "app", "--json")
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    legs = {leg["leg"]: leg for leg in run["legs"]}
    assert len(run["slung"]) == 2 and len(run["queued"]) == 1  # capacity 2: the third leg waits
    assert legs["speed"]["agent"] == "scripted" and legs["cost"]["agent"] == "shell"  # per-leg, else formula's
    assert legs["cost"]["review_only"] and not legs["speed"]["review_only"]
    assert Path(legs["risk"]["output"]) == (town.root / ".lenses" / "risk.md").resolve()
    rows = agent_rows(town)
    runtimes = {rows[item.split("→")[1]]["runtime"] for item in run["slung"]}
    assert runtimes == {"scripted", "shell"}
    with Ledger.open(town) as ledger:
        synth = ledger.get(run["synthesis"])
        blockers = sorted(d.depends_on_id for d in synth.dependencies if d.type == "blocks")
        assert blockers == sorted([legs["speed"]["bead"], legs["cost"]["bead"]])  # depends_on, not every leg
        assert "risk" not in synth.description and "speed: " in synth.description
        assert ledger.get(legs["cost"]["bead"]).metadata["review_only"] is True
        speed = ledger.get(legs["speed"]["bead"]).description
        assert speed.startswith("You look at the plan through one lens.\n\nTime every path.\n\nWrite your output to: ")
    again = cli(town, "formula", "feed", "--json")
    assert json.loads(again.stdout) == {"slung": [], "queued": [legs["risk"]["bead"]]}  # still no room


def test_refusals_are_one_clear_line(rig_town: TownPaths) -> None:
    town = rig_town
    (town.root / "formulas" / "escape.formula.toml").write_text(
        ASPECTS.replace('formula = "lenses"', 'formula = "escape"').replace('".lenses"', '"../../etc"'))
    for args, message in ((("formula", "run", "shiny", "app"), "runs convoy formulas"),
                          (("formula", "run", "escape", "app"), "output.directory: '../../etc' is outside the town"),
                          (("formula", "run", "lenses", "nosuchrig"), "nosuchrig"),
                          (("formula", "run", "code-review", "app"), ":7: inputs.target: required variable not set")):
        result = cli(town, *args)
        assert result.returncode != 0 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    with Ledger.open(town) as ledger:
        assert not ledger.list(issue_type="convoy")  # nothing half-made


def test_distributed_workflow_hands_each_step_to_a_fresh_polecat(rig_town: TownPaths) -> None:
    town = rig_town
    (town.root / "formulas" / "relay.formula.toml").write_text('''formula = "relay"
execution = "distributed"
[[steps]]
id = "design"
title = "Design"
output = "design.md"
[[steps]]
id = "build"
title = "Build"
needs = ["design"]
[[steps]]
id = "docs"
title = "Docs"
needs = ["design"]
''')
    result = cli(town, "formula", "run", "relay", "app", "--json")
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    beads = {leg["leg"]: leg["bead"] for leg in run["legs"]}
    assert [s.split("→")[0] for s in run["slung"]] == [beads["design"]] and not run["queued"]  # only what is ready
    with Ledger.open(town) as ledger:
        assert "Inputs from earlier steps: design.md" in ledger.get(beads["build"]).description
        ledger.close(beads["design"], reason="done", actor="app/polecats/nux")
    fed = json.loads(cli(town, "formula", "feed", "--json").stdout)
    assert sorted(s.split("→")[0] for s in fed["slung"]) == sorted([beads["build"], beads["docs"]])
    workers = {s.split("→")[1] for s in fed["slung"]}
    assert len(workers) == 2  # each step on its own polecat
    bad = cli(town, "formula", "check", str(town.root / "formulas" / "relay.formula.toml"))
    assert bad.returncode == 0
    (town.root / "formulas" / "relay.formula.toml").write_text(
        'formula = "relay"\nexecution = "everywhere"\n[[steps]]\nid = "a"\ntitle = "A"\n')
    bad = cli(town, "formula", "check", "relay")
    assert bad.returncode == 1 and "relay.formula.toml:2: execution: unknown execution 'everywhere'" in bad.stderr


def test_a_preset_runs_only_its_legs(rig_town: TownPaths) -> None:
    result = cli(rig_town, "formula", "run", "lenses", "app", "--preset", "quick", "--json")
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert [leg["leg"] for leg in run["legs"]] == ["speed"] and len(run["slung"]) == 1
    with Ledger.open(rig_town) as ledger:
        synth = ledger.get(run["synthesis"])
        assert [d.depends_on_id for d in synth.dependencies if d.type == "blocks"] == [run["legs"][0]["bead"]]
    bad = cli(rig_town, "formula", "run", "lenses", "app", "--preset", "nope")
    assert bad.returncode != 0 and "has no preset 'nope' (presets: quick)" in bad.stderr
