"""The main flow, end to end with real PTYs, real git and the scripted runtime: sling -> work -> gt done -> MR."""

from __future__ import annotations

import json
import subprocess

from gastown_tui.records import LABEL_MERGE_REQUEST
from tests.agents.conftest import agent_rows, cli, wait_until


def test_sling_polecat_works_and_opens_merge_request(town, ledger, engine_proc) -> None:
    bead = ledger.create("Write hello", prefix="ap",
                         description="Say hello in a file.\n```sh\necho hello > hello.txt\n```\n")
    result = cli(town, "sling", bead.id, "app", "--json")
    assert result.returncode == 0, result.stderr
    slung = json.loads(result.stdout)
    assert slung["agent"] == "app/polecats/nux"
    assert slung["branch"] == f"polecat/nux/{bead.id}"
    assert slung["start"] == "started"
    assert slung["molecule"] and slung["convoy"]

    mrs = wait_until(lambda: ledger.list(labels=[LABEL_MERGE_REQUEST]), 60)
    mr = mrs[0]
    meta = mr.metadata
    assert meta["source_issue"] == bead.id and meta["worker"] == "app/polecats/nux" and meta["rig"] == "app"
    assert meta["branch"] == slung["branch"] and meta["target"] == "main"
    bare = town.rig("app").bare_repo
    tip = subprocess.run(["git", "--git-dir", str(bare), "rev-parse", meta["branch"]], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert tip == meta["commit_sha"]
    content = subprocess.run(["git", "--git-dir", str(bare), "show", f"{meta['branch']}:hello.txt"],
                             capture_output=True, text=True, check=True).stdout
    assert content == "hello\n"

    work = ledger.get(bead.id)
    assert work.status == "in_progress" and work.metadata["merge_request"] == mr.id
    assert not ledger.list(status="hooked", assignee="app/polecats/nux")
    inbox = cli(town, "mail", "inbox", "--as", "app/refinery", "--json")
    assert any(m["subject"].startswith("MERGE_READY") for m in json.loads(inbox.stdout))
    wait_until(lambda: agent_rows(town)["app/polecats/nux"]["state"] == "idle", 20)
    peek = cli(town, "peek", "app/polecats/nux")
    assert f"done: {bead.id} -> merge request {mr.id}" in peek.stdout
    engine_proc.stop()  # without an engine, peek rebuilds the screen from the session's transcript
    offline = cli(town, "peek", "app/polecats/nux", "--json")
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout)["source"] == "transcript"
    assert any(f"merge request {mr.id}" in line for line in json.loads(offline.stdout)["lines"])


def test_sling_without_engine_queues_the_start(town, ledger) -> None:
    bead = ledger.create("Queued work", prefix="ap", description="nothing to run")
    result = cli(town, "sling", bead.id, "--json")  # no target: the rig with the bead's prefix
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["start"] == "queued"
    assert ledger.get(bead.id).status == "hooked"
    pending = [b for b in ledger.list(labels=["gt:pending-op"], ephemeral=True) if b.status != "closed"]
    assert len(pending) == 1 and pending[0].metadata["op"] == "start"


def test_two_slings_get_two_polecats(town, ledger) -> None:
    first = ledger.create("One", prefix="ap")
    second = ledger.create("Two", prefix="ap")
    a = json.loads(cli(town, "sling", first.id, "app", "--json").stdout)
    b = json.loads(cli(town, "sling", second.id, "app", "--json").stdout)
    assert a["agent"] != b["agent"]
    again = cli(town, "sling", first.id, "app")
    assert again.returncode != 0 and "already hooked" in again.stderr


def test_reused_polecat_gets_a_fresh_session_for_new_work(town, ledger, engine_proc) -> None:
    first = ledger.create("First", prefix="ap", description="```sh\necho one > one.txt\n```")
    assert cli(town, "sling", first.id, "app").returncode == 0
    wait_until(lambda: ledger.list(labels=[LABEL_MERGE_REQUEST]), 60)
    wait_until(lambda: agent_rows(town)["app/polecats/nux"]["state"] == "idle", 30)
    old_session = agent_rows(town)["app/polecats/nux"]["session_id"]
    second = ledger.create("Second", prefix="ap", description="```sh\necho two > two.txt\n```")
    result = json.loads(cli(town, "sling", second.id, "app", "--json").stdout)
    assert result["agent"] == "app/polecats/nux" and result["branch"] == f"polecat/nux/{second.id}"
    mrs = wait_until(lambda: len(ledger.list(labels=[LABEL_MERGE_REQUEST])) == 2
                     and ledger.list(labels=[LABEL_MERGE_REQUEST]), 60)
    assert {mr.metadata["source_issue"] for mr in mrs} == {first.id, second.id}
    assert agent_rows(town)["app/polecats/nux"]["session_id"] != old_session
    bare = town.rig("app").bare_repo
    files = subprocess.run(["git", "--git-dir", str(bare), "ls-tree", "--name-only", f"polecat/nux/{second.id}"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert "two.txt" in files and "one.txt" not in files  # the new branch starts from main


def test_sling_to_crew_creates_its_worktree_and_done_opens_mr(town, ledger, engine_proc) -> None:
    bead = ledger.create("Crew job", prefix="ap", description="```sh\necho crew > crew.txt\n```")
    result = cli(town, "sling", bead.id, "app/crew/max", "--json", "--formula", "mol-polecat-work")
    assert result.returncode == 0, result.stderr
    assert (town.rig("app").crew("max") / "README.md").exists()
    mrs = wait_until(lambda: ledger.list(labels=[LABEL_MERGE_REQUEST]), 60)
    assert mrs[0].metadata["branch"] == "crew/max" and mrs[0].metadata["worker"] == "app/crew/max"
    explain = cli(town, "agents", "explain", "max", "--json")
    assert explain.returncode == 0, explain.stderr
    row = json.loads(explain.stdout)
    assert row["address"] == "app/crew/max" and row["source"] in ("hook", "screen", "activity", "process")
    assert "decided by" in row["explain"]


def test_sling_a_formula_by_name_and_done_without_code_changes(town, ledger, engine_proc) -> None:
    result = cli(town, "sling", "mol-polecat-work", "app", "--var", "test_command=true", "--json")
    assert result.returncode == 0, result.stderr
    slung = json.loads(result.stdout)
    bead = ledger.get(slung["bead"])
    assert bead.title.startswith("mol-polecat-work") and bead.id.startswith("ap-")
    closed = wait_until(lambda: (b := ledger.get(bead.id)).status == "closed" and b, 60)
    assert closed.close_reason == "no code changes"
    assert not ledger.list(labels=[LABEL_MERGE_REQUEST])


def test_dog_runs_its_job_in_its_own_directory_and_done_closes_it(town, ledger, engine_proc) -> None:
    job = ledger.create("Dog job: tidy", description="```sh\npwd > where.txt\n```")
    result = cli(town, "sling", job.id, "dogs/alpha", "--json")
    assert result.returncode == 0, result.stderr
    closed = wait_until(lambda: (b := ledger.get(job.id)).status == "closed" and b, 60)
    assert closed.close_reason == "done by dogs/alpha"
    where = (town.root / "dogs" / "alpha" / "where.txt").read_text().strip()
    assert where == str((town.root / "dogs" / "alpha").resolve())


def test_done_completes_the_attached_molecule(town, ledger) -> None:
    from gastown_tui.formulas import molecule_status

    bead = ledger.create("Hand-made work", prefix="ap")
    slung = json.loads(cli(town, "sling", bead.id, "app", "--json").stdout)  # no engine: start queued
    worktree = town.rig("app").polecat("nux")
    (worktree / "manual.txt").write_text("done by hand\n")  # uncommitted: gt done must commit it
    done = cli(town, "done", "--json", agent="app/polecats/nux")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["committed_stray_work"] and result["merge_request"]
    mol = molecule_status(ledger, slung["molecule"])
    assert mol.status == "closed" and all(step.state == "done" for step in mol.steps)
    again = cli(town, "done", agent="app/polecats/nux")
    assert again.returncode != 0 and "nothing is on" in again.stderr


def test_sling_with_a_formula_that_declares_no_issue_var(town, ledger) -> None:
    """Sling offers `issue`/`rig` only to formulas that declare them; others pour with just their own vars."""
    bead = ledger.create("design the login page", prefix="ap")
    result = cli(town, "sling", bead.id, "app", "--formula", "shiny", "--var", "feature=login", "--json")
    assert result.returncode == 0, result.stderr
    mol_id = json.loads(result.stdout)["molecule"]
    mol = ledger.get(mol_id)
    assert mol.metadata["formula"] == "shiny" and mol.metadata["attached_to"] == bead.id
    # an undeclared var given by the user is still refused, with nothing hooked
    other = ledger.create("another", prefix="ap")
    bad = cli(town, "sling", other.id, "app", "--formula", "shiny", "--var", "nosuch=1")
    assert bad.returncode != 0 and "nosuch" in bad.stderr and "Traceback" not in bad.stderr
    assert ledger.get(other.id).status == "open"
