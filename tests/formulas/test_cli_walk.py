"""The `gt mol` / `gt formula` commands end to end: text and JSON output, two agents, search path, check-all."""

from __future__ import annotations

import json

from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli
from tests.formulas.conftest import write_formula


def _json(*args: str, town: TownPaths, env: dict[str, str] | None = None) -> dict:
    result = run_cli(*args, "--json", cwd=town.root, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_walk_text_output_and_squash(town: TownPaths) -> None:
    poured = run_cli("mol", "wisp", "shiny", "--var", "feature=search", cwd=town.root)
    assert poured.returncode == 0, poured.stderr
    mol = poured.stdout.split()[2]
    assert poured.stdout.startswith(f"poured wisp {mol}") and "ready: design" in poured.stdout
    cur = run_cli("mol", "current", mol, cwd=town.root)
    assert cur.stdout.startswith("next: design") and "acceptance:" in cur.stdout
    nxt = run_cli("mol", "next", mol, "--claim", cwd=town.root)
    assert nxt.stdout.startswith("claimed: design")
    assert run_cli("mol", "current", mol, cwd=town.root).stdout.startswith("current: design")
    done = run_cli("mol", "step", "done", "--mol", mol, cwd=town.root)
    assert "done: design" in done.stdout and "next: implement" in done.stdout
    status = run_cli("mol", "status", mol, cwd=town.root)
    assert "progress: 1/5 done" in status.stdout and "[x] design" in status.stdout and "[.] review" in status.stdout
    listed = run_cli("mol", "wisp", "list", cwd=town.root)
    assert mol in listed.stdout
    squashed = run_cli("mol", "squash", mol, cwd=town.root)
    assert squashed.returncode == 0 and squashed.stdout.startswith(f"squashed {mol} -> ")
    gone = run_cli("mol", "status", mol, cwd=town.root)
    assert gone.returncode != 0 and len(gone.stderr.strip().splitlines()) == 1


def test_two_agents_never_close_each_others_steps(town: TownPaths) -> None:
    alice = {"BD_ACTOR": "r/polecats/alice", "GT_AGENT": "r/polecats/alice"}
    bob = {"BD_ACTOR": "r/polecats/bob", "GT_AGENT": "r/polecats/bob"}
    mol = _json("mol", "pour", "release", "--var", "version=0.1.0", town=town)["id"]
    _json("mol", "step", "done", "--mol", mol, town=town, env=alice)  # preflight
    a = _json("mol", "step", "claim", "--mol", mol, town=town, env=alice)["step"]
    b = _json("mol", "step", "claim", "--mol", mol, town=town, env=bob)["step"]
    assert {a["step_id"], b["step_id"]} == {"run-tests", "lint"}  # parallel siblings, one each
    stolen = run_cli("mol", "step", "done", a["step_id"], "--mol", mol, cwd=town.root, env=bob)
    assert stolen.returncode != 0 and "claimed by r/polecats/alice" in stolen.stderr
    mine = _json("mol", "step", "done", "--mol", mol, town=town, env=bob)
    assert [s["step_id"] for s in mine["done"]] == [b["step_id"]] and mine["next"] == []
    final = _json("mol", "step", "done", "--mol", mol, town=town, env=alice)
    assert [s["step_id"] for s in final["next"]] == ["bump-version"]


def test_rig_formulas_shadow_town_and_shipped(town: TownPaths) -> None:
    rig = town.root / "rig1"
    (rig / "formulas").mkdir(parents=True)
    (rig / "rig.toml").write_text('name = "rig1"\n')
    (rig / "formulas" / "shiny.formula.toml").write_text('formula = "shiny"\n[[steps]]\nid = "rig-step"\ntitle = "R"\n')
    write_formula(town, "shiny", 'formula = "shiny"\n[[steps]]\nid = "town-step"\ntitle = "T"\n')
    from_rig = _json("cook", "shiny", town=town, env={"GT_RIG": "rig1"})
    assert [s["id"] for s in from_rig["steps"]] == ["rig-step"]
    from_cwd = run_cli("cook", "shiny", "--json", cwd=rig)
    assert [s["id"] for s in json.loads(from_cwd.stdout)["steps"]] == ["rig-step"]
    from_town = _json("cook", "shiny", town=town)
    assert [s["id"] for s in from_town["steps"]] == ["town-step"]


def test_check_all_reports_every_broken_formula(town: TownPaths) -> None:
    write_formula(town, "broken", 'formula = "broken"\n[[steps]]\nid = "a"\n')
    result = run_cli("formula", "check", cwd=town.root)
    assert result.returncode == 1
    assert "broken.formula.toml:2: steps.a.title: missing title" in result.stderr
    assert "ok    shiny" in result.stdout and "formulas ok" in result.stdout
    assert "Traceback" not in result.stderr
    named = run_cli("formula", "check", "shiny", "release", cwd=town.root)
    assert named.returncode == 0 and "2/2 formulas ok" in named.stdout
    expansion = run_cli("cook", "rule-of-five", cwd=town.root)
    assert expansion.returncode != 0 and "type: rule-of-five is an expansion formula" in expansion.stderr


def test_burn_and_persist_conflict(town: TownPaths) -> None:
    mol = _json("mol", "pour", "shiny", "--var", "feature=x", town=town)["id"]
    assert _json("mol", "burn", mol, town=town) == {"mol": mol, "burned": True}
    status = _json("mol", "status", mol, town=town)
    assert status["status"] == "closed" and status["progress"]["done"] == 5
    wisp = _json("mol", "wisp", "shiny", "--var", "feature=y", town=town)["id"]
    assert run_cli("mol", "burn", wisp, cwd=town.root).stdout.strip() == f"burned {wisp}"
    assert run_cli("mol", "status", wisp, cwd=town.root).returncode != 0
    assert run_cli("cook", "shiny", "--persist", cwd=town.root).returncode == 0
    again = run_cli("cook", "shiny", "--persist", cwd=town.root)
    assert again.returncode != 0 and "already exists (use --force" in again.stderr
    forced = run_cli("cook", "shiny", "--persist", "--force", cwd=town.root)
    assert forced.returncode == 0 and "persisted as hq-proto-shiny" in forced.stdout
