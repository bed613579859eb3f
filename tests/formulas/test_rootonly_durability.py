"""A 129-step root-only wisp (`pour = false`, shipped towers-of-hanoi-7) survives 10 SIGKILLs of its walker.

One bead carries the whole step list; the walker uses the same functions as `gt mol current/step claim/step done`.
It sleeps inside its transactions too, so kills land mid-write as well as between writes. Every step must end done
exactly once, in order, with the transitions in the feed.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time

import gastown_tui.formulas as F
from gastown_tui.events import iter_events
from gastown_tui.ledger import Ledger
from gastown_tui.ledger.model import to_unix
from gastown_tui.town.paths import TownPaths

WALKER = r'''
import sys, time
from gastown_tui.ledger import Ledger
from gastown_tui.formulas import claim_step, current_step, step_done

town, mol, actor = sys.argv[1:4]
ledger = Ledger.open(town)
real = ledger.update  # a root-only step transition is one metadata update on the root
def slow(*args, **kwargs):
    time.sleep(0.01)
    out = real(*args, **kwargs)
    time.sleep(0.01)
    return out
ledger.update = slow
print("ready", flush=True)
while True:
    step = current_step(ledger, mol, actor)
    if step is None:
        break
    time.sleep(0.01)
    claim_step(ledger, mol, step.bead_id, actor)
    time.sleep(0.01)
    step_done(ledger, mol, step.bead_id, actor)
'''

KILLS = 10


def _start(town: TownPaths, mol_id: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", WALKER, str(town.root), mol_id, "walker"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_hanoi_129_root_only_survives_ten_kills(town: TownPaths) -> None:
    with Ledger.open(town) as ledger:
        mol = F.pour(ledger, "towers-of-hanoi-7", {}, ephemeral=True, actor="overseer")
        mol_id = mol.id
        assert mol.root_only and len(mol.steps) == 129
        assert ledger.children(mol_id) == []  # one bead: no step beads were materialised
        expected = [s.step_id for s in mol.steps]
    rng = random.Random(129)
    kills = 0
    progress = []
    while kills < KILLS:
        proc = _start(town, mol_id)
        time.sleep(rng.uniform(0.05, 0.5))
        assert proc.poll() is None, "the walker finished before it could be killed 10 times"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        with Ledger.open(town) as ledger:
            progress.append(F.molecule_status(ledger, mol_id).counts()["done"])
    assert progress[-1] > 0 and progress == sorted(progress)  # each restart resumed, none went backwards
    proc = _start(town, mol_id)
    assert proc.wait(timeout=120) == 0

    with Ledger.open(town) as ledger:
        root = ledger.get(mol_id)
        mol = F.molecule_status(ledger, mol_id)
        assert mol.complete and root.status == "closed" and mol.counts()["done"] == 129
        data = root.metadata["root_only"]
        assert data["done_order"] == expected  # every step once, in order
        state = data["state"]
        for before, after in zip(expected, expected[1:], strict=False):
            assert to_unix(state[after]["started_at"]) >= to_unix(state[before]["closed_at"])
    events = [e for e in iter_events(town.events) if e.kind.startswith("mol.") and e.data.get("mol") == mol_id]
    kinds = [e.kind for e in events]
    assert kinds.count("mol.poured") == 1 and kinds.count("mol.completed") == 1
    first_done: dict[str, int] = {}
    for index, event in enumerate(events):
        if event.kind == "mol.step_done":
            first_done.setdefault(event.data["step_id"], index)
    assert sorted(first_done, key=first_done.__getitem__) == expected


def test_root_only_walked_with_the_same_gt_mol_commands(town: TownPaths) -> None:
    from tests.conftest import run_cli

    env = {"GT_TOWN": str(town.root), "GT_AGENT": "app/polecats/nux", "BD_ACTOR": "app/polecats/nux"}
    poured = run_cli("mol", "wisp", "towers-of-hanoi-7", "--json", env=env)
    assert poured.returncode == 0, poured.stderr
    mol = json.loads(poured.stdout)
    assert mol["root_only"] and mol["progress"]["total"] == 129 and mol["progress"]["ready"] == 1
    current = run_cli("mol", "current", mol["id"], env=env)
    assert f"next: setup  {mol['id']}#setup" in current.stdout
    claimed = run_cli("mol", "step", "claim", "--mol", mol["id"], env=env)
    assert claimed.returncode == 0 and "claimed: setup" in claimed.stdout, claimed.stderr
    done = run_cli("mol", "step", "done", f"{mol['id']}#setup", env=env)  # the `<root>#<step>` form
    assert done.returncode == 0, done.stderr
    assert "done: setup" in done.stdout and "next: move-1" in done.stdout
    again = run_cli("mol", "step", "done", f"{mol['id']}#setup", env=env)
    assert again.returncode != 0 and "already done" in again.stderr
    status = run_cli("mol", "status", mol["id"], env=env)
    assert "progress: 1/129 done" in status.stdout
    with Ledger.open(town) as ledger:
        assert ledger.children(mol["id"]) == []  # still one bead
        digest = F.squash(ledger, mol["id"], actor="overseer")
        assert "1/129 steps done" in ledger.get(digest).description and not ledger.exists(mol["id"])


def test_pour_flags_override_the_formula(town: TownPaths) -> None:
    from tests.conftest import run_cli

    env = {"GT_TOWN": str(town.root)}
    shown = run_cli("formula", "show", "towers-of-hanoi-7", env=env)
    assert "pour: false (root-only" in shown.stdout
    poured = run_cli("mol", "pour", "towers-of-hanoi-7", "--materialize", "--json", env=env)
    assert poured.returncode == 0, poured.stderr
    mol = json.loads(poured.stdout)
    assert not mol["root_only"] and mol["steps"][0]["bead_id"] == mol["id"] + ".1"
    text = run_cli("mol", "pour", "release", "--var", "version=1.0.0", "--root-only", env=env)
    assert text.returncode == 0 and text.stdout.startswith("poured root-only molecule"), text.stderr
    both = run_cli("mol", "pour", "release", "--root-only", "--materialize", env=env)
    assert both.returncode != 0 and "not allowed with" in both.stderr
