"""Molecules in the ledger: one-transaction pour, walking, protos round trip, wisps, squash, burn, hook, feed."""

from __future__ import annotations

import json

import pytest

import gastown_tui.formulas as F
from gastown_tui.errors import Conflict
from gastown_tui.events import iter_events
from gastown_tui.ledger import Ledger
from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli
from tests.formulas.conftest import write_formula

EPIC = '''formula = "epicky"
[[steps]]
id = "plan"
title = "Plan"
[[steps]]
id = "build"
title = "Build"
needs = ["plan"]
[[steps.children]]
id = "left"
title = "Left"
[[steps.children]]
id = "right"
title = "Right"
[[steps]]
id = "ship"
title = "Ship"
needs = ["build"]
'''


def _all_ids(ledger: Ledger) -> set[str]:
    return {b.id for b in ledger.list(include_closed=True)}


def test_pour_is_one_transaction(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _all_ids(ledger)
    calls = {"n": 0}
    real_add_dep = ledger.add_dep

    def failing_add_dep(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:  # mid-pour: root and all steps exist, some edges too
            raise RuntimeError("injected failure")
        return real_add_dep(*args, **kwargs)

    monkeypatch.setattr(ledger, "add_dep", failing_add_dep)
    with pytest.raises(RuntimeError, match="injected"):
        F.pour(ledger, "release", {"version": "1.0.0"})
    assert calls["n"] == 5
    assert _all_ids(ledger) == before
    assert not list(iter_events(ledger.paths.events, {"mol.poured"}))
    monkeypatch.setattr(ledger, "add_dep", real_add_dep)
    mol = F.pour(ledger, "release", {"version": "1.0.0"})
    assert len(mol.steps) == 20 and ledger.get(mol.id).issue_type == "molecule"


def test_parallel_siblings_become_ready_together(ledger: Ledger) -> None:
    mol = F.pour(ledger, "release", {"version": "2.0.0"}, actor="tester")
    assert [s.step_id for s in F.ready_steps(ledger, mol.id)] == ["preflight"]
    nxt = F.step_done(ledger, mol.id, actor="tester")
    assert [s.step_id for s in nxt] == ["run-tests", "lint"]
    F.step_done(ledger, mol.id, "lint", actor="tester")
    assert [s.step_id for s in F.ready_steps(ledger, mol.id)] == ["run-tests"]
    with pytest.raises(Conflict, match="blocked"):
        F.step_done(ledger, mol.id, "bump-version", actor="tester")
    with pytest.raises(Conflict, match="already done"):
        F.step_done(ledger, mol.id, "lint", actor="tester")
    kinds = [e.kind for e in iter_events(ledger.paths.events) if e.kind.startswith("mol.")]
    assert kinds == ["mol.poured", "mol.step_done", "mol.step_done"]


def test_epic_steps_show_progress_and_close_themselves(town: TownPaths, ledger: Ledger) -> None:
    write_formula(town, "epicky", EPIC)
    mol = F.pour(ledger, "epicky", {})
    assert [s.step_id for s in F.ready_steps(ledger, mol.id)] == ["plan"]  # children wait for the epic's needs
    F.step_done(ledger, mol.id, "plan")
    assert [s.step_id for s in F.ready_steps(ledger, mol.id)] == ["left", "right"]
    F.step_done(ledger, mol.id, "left")
    nxt = F.step_done(ledger, mol.id, "right")
    assert [s.step_id for s in nxt] == ["ship"]
    status = F.molecule_status(ledger, mol.id)
    assert status.step("build").state == "done"
    assert status.counts() == {"total": 4, "done": 3, "in_progress": 0, "ready": 1, "blocked": 0}
    F.step_done(ledger, mol.id)
    assert ledger.get(mol.id).status == "closed"
    assert any(e.kind == "mol.completed" for e in iter_events(ledger.paths.events))


def test_persisted_proto_poured_twice_is_independent(town: TownPaths) -> None:
    cooked = run_cli("cook", "shiny", "--persist", "--json", cwd=town.root)
    assert cooked.returncode == 0, cooked.stderr
    proto_id = json.loads(cooked.stdout)["persisted_id"]
    with Ledger.open(town) as led:
        root = led.get(proto_id)
        assert root.extra.get("is_template") is True and "template" in root.labels
        assert not led.ready(include_ephemeral=True)  # a template is never ready work
    mols = []
    for feature in ("login", "logout"):
        out = run_cli("mol", "pour", proto_id, "--var", f"feature={feature}", "--json", cwd=town.root)
        assert out.returncode == 0, out.stderr
        mols.append(json.loads(out.stdout))
    a, b = mols
    assert a["id"] != b["id"]
    assert a["steps"][0]["title"] == "Design login" and b["steps"][0]["title"] == "Design logout"
    done = run_cli("mol", "step", "done", "design", "--mol", a["id"], "--json", cwd=town.root)
    assert done.returncode == 0, done.stderr
    assert [s["step_id"] for s in json.loads(done.stdout)["next"]] == ["implement"]
    sa = json.loads(run_cli("mol", "status", a["id"], "--json", cwd=town.root).stdout)
    sb = json.loads(run_cli("mol", "status", b["id"], "--json", cwd=town.root).stdout)
    assert sa["progress"]["done"] == 1 and sb["progress"]["done"] == 0
    assert [s["state"] for s in sb["steps"]] == ["ready", "blocked", "blocked", "blocked", "blocked"]
    missing = run_cli("mol", "pour", proto_id, cwd=town.root)
    assert missing.returncode != 0 and "vars.feature: required variable not set" in missing.stderr


def test_wisps_never_exported_and_gc_by_age(town: TownPaths, ledger: Ledger) -> None:
    mol = F.pour(ledger, "shiny", {"feature": "kept"})
    wisp = F.pour(ledger, "mol-witness-patrol", {"rig": "r1"}, ephemeral=True)
    assert wisp.id.startswith("hq-wisp-") and mol.id.startswith("hq-mol-")
    ledger.export_jsonl()
    exported = "".join(p.read_text() for p in town.beads_dir.glob("*.jsonl"))
    assert mol.id in exported and wisp.id not in exported
    keep = run_cli("mol", "wisp", "gc", "--age", "1h", cwd=town.root)
    assert keep.returncode == 0 and "removed 0" in keep.stdout
    with ledger.transaction() as conn:  # age the wisp by two days
        conn.execute("UPDATE issues SET updated_unix = updated_unix - 172800 WHERE ephemeral = 1")
    gone = run_cli("mol", "wisp", "gc", "--age", "1d", "--json", cwd=town.root)
    assert gone.returncode == 0 and json.loads(gone.stdout)["removed"] == 6
    assert not ledger.exists(wisp.id) and ledger.exists(mol.id)
    bad = run_cli("mol", "wisp", "gc", "--age", "soon", cwd=town.root)
    assert bad.returncode != 0 and "invalid duration" in bad.stderr


def test_squash_and_burn(ledger: Ledger) -> None:
    wisp = F.pour(ledger, "shiny", {"feature": "w"}, ephemeral=True)
    F.step_done(ledger, wisp.id)
    digest = F.squash(ledger, wisp.id)
    d = ledger.get(digest)
    assert d.status == "closed" and not d.ephemeral and d.title.startswith("Digest:")
    assert "[x] design" in d.description and "[ ] submit" in d.description
    assert not ledger.exists(wisp.id) and not ledger.exists(wisp.steps[0].bead_id)
    mol = F.pour(ledger, "shiny", {"feature": "p"})
    digest2 = F.squash(ledger, mol.id, summary="shipped early")
    assert ledger.get(mol.id).status == "closed" and all(ledger.get(s.bead_id).status == "closed" for s in mol.steps)
    assert ledger.get(digest2).description == "shipped early"
    burnt = F.pour(ledger, "shiny", {"feature": "b"})
    F.burn(ledger, burnt.id)
    assert ledger.get(burnt.id).close_reason == "abandoned (burned)"
    vapour = F.pour(ledger, "shiny", {"feature": "v"}, ephemeral=True)
    F.burn(ledger, vapour.id)
    assert not ledger.exists(vapour.id)
    kinds = [e.kind for e in iter_events(ledger.paths.events) if e.kind in ("mol.squashed", "mol.burned")]
    assert kinds == ["mol.squashed", "mol.squashed", "mol.burned", "mol.burned"]


def test_current_finds_molecule_of_hooked_bead(town: TownPaths, ledger: Ledger) -> None:
    agent = "rig1/polecats/nux"
    work = ledger.create("Fix the login bug", issue_type="bug")
    ledger.update(work.id, status="hooked", assignee=agent)
    mol = F.pour(ledger, "mol-polecat-work", {"issue": work.id}, attach_to=work.id)
    assert ledger.get(mol.id).metadata["attached_to"] == work.id
    assert F.find_molecule(ledger, agent) == mol.id
    env = {"GT_AGENT": agent, "BD_ACTOR": agent}
    cur = run_cli("mol", "current", "--json", cwd=town.root, env=env)
    assert cur.returncode == 0, cur.stderr
    assert json.loads(cur.stdout)["step"]["step_id"] == "load-context"
    claim = run_cli("mol", "step", "claim", cwd=town.root, env=env)
    assert claim.returncode == 0 and "load-context" in claim.stdout
    done = run_cli("mol", "step", "done", cwd=town.root, env=env)
    assert done.returncode == 0 and "next: understand" in done.stdout
    nobody = run_cli("mol", "current", cwd=town.root, env={"GT_AGENT": "rig1/polecats/other",
                                                           "BD_ACTOR": "rig1/polecats/other"})
    assert nobody.returncode != 0 and "no molecule on rig1/polecats/other's hook" in nobody.stderr
    events = [e for e in iter_events(town.events) if e.kind.startswith("mol.")]
    assert [e.kind for e in events] == ["mol.poured", "mol.step_claimed", "mol.step_done"]
    assert events[1].actor == agent and events[1].data["step_id"] == "load-context"
    assert events[2].data["mol"] == mol.id
