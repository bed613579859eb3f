"""land = "pr" with a recording `gh` on PATH: the branch is pushed to the real bare origin, a PR is opened, and the
bead closes only after `gh` reports the PR merged. The stand-in is the one fake here: the test is about our flow,
not GitHub; git, the remote and the ledger are real."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from gastown_tui.patrols.deacon import STEPS as DEACON_STEPS
from gastown_tui.patrols.deacon import DeaconPatrol
from gastown_tui.patrols.runs import PatrolSpec, execute_run
from gastown_tui.town.config import load_rig_config
from tests.conftest import run_cli

from .conftest import git
from .test_refinery import run_refinery

GH = """#!{python}
import json, os, sys
log, state = {log!r}, {state!r}
with open(log, "a") as fh:
    fh.write(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd()}}) + "\\n")
if sys.argv[1:3] == ["pr", "create"]:
    open(state, "w").write("OPEN")
    print("https://github.com/acme/calc/pull/7")
elif sys.argv[1:3] == ["pr", "view"]:
    s = open(state).read().strip()
    print(json.dumps({{"state": s, "mergedAt": "2026-01-01T00:00:00Z" if s == "MERGED" else None}}))
else:
    sys.exit("gh stand-in: unexpected " + " ".join(sys.argv[1:]))
"""


@pytest.fixture
def gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A recording `gh` first on PATH; returns (argument log, PR state file)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log, state = tmp_path / "gh-calls.jsonl", tmp_path / "gh-state"
    script = bindir / "gh"
    script.write_text(GH.format(python=sys.executable, log=str(log), state=str(state)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{__import__('os').environ['PATH']}")
    return log, state


async def run_deacon(town) -> None:  # type: ignore[no-untyped-def]
    """One deacon run (no ledger commit)."""
    patrol = DeaconPatrol(town.ctx, commit=False)
    spec = PatrolSpec("deacon", "mol-deacon-patrol", DEACON_STEPS, patrol.handlers(), town.ctx, actor="deacon/")
    report = await execute_run(town.ledger, spec, events=town.paths.events)
    assert report.result == "ok", report.summary


async def test_pr_opens_and_bead_closes_only_when_the_pr_merges(pushed, gh, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    town, origin, _rig = pushed
    log, state = gh
    config = load_rig_config(town.rig("alpha"))
    config.set("land", "pr")
    config.save()
    bead = town.bead("Add feature", "alpha", description="Adds feature.txt")
    branch = town.work("alpha", "nux", bead.id, {"feature.txt": "hi\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    before = git(origin, "rev-parse", "main")

    await run_refinery(town)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls[0]["argv"][:6] == ["pr", "create", "--base", "main", "--head", branch]
    assert f"({bead.id})" in calls[0]["argv"][calls[0]["argv"].index("--title") + 1]
    pushed_sha = git(origin, "rev-parse", f"refs/heads/{branch}")  # the gated branch is on the remote
    assert git(origin, "rev-parse", "main") == before  # main is the host's to change, not ours
    held = town.ledger.get(mr.id)
    assert held.metadata["pr_url"] == "https://github.com/acme/calc/pull/7" and held.metadata["pr_number"] == 7
    assert held.status == "in_progress" and town.ledger.get(bead.id).status != "closed"
    shown = run_cli("bd", "show", bead.id, cwd=town.paths.root).stdout
    assert "ref: https://github.com/acme/calc/pull/7" in shown

    await run_refinery(town)  # a held PR is not re-queued, re-pushed or re-opened
    await run_deacon(town)    # still OPEN
    assert sum(1 for c in log.read_text().splitlines() if '"create"' in c) == 1
    assert town.ledger.get(bead.id).status != "closed"

    # the host merges the PR (fast-forward of main to the pushed branch), and the stand-in now says MERGED
    git(origin, "update-ref", "refs/heads/main", pushed_sha, before)
    state.write_text("MERGED")
    await run_deacon(town)
    closed = town.ledger.get(bead.id)
    assert closed.status == "closed" and closed.close_reason == "merged: PR https://github.com/acme/calc/pull/7"
    assert town.ledger.get(mr.id).status == "closed"
    views = [json.loads(c)["argv"] for c in log.read_text().splitlines() if '"view"' in c]
    assert views[-1] == ["pr", "view", "7", "--json", "state,mergedAt"]


async def test_closed_unmerged_pr_goes_back_to_the_overseer(pushed, gh) -> None:  # type: ignore[no-untyped-def]
    town, origin, _rig = pushed
    log, state = gh
    config = load_rig_config(town.rig("alpha"))
    config.set("land", "pr")
    config.save()
    bead = town.bead("Add feature", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"feature.txt": "hi\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    state.write_text("CLOSED")
    await run_deacon(town)
    assert town.ledger.get(mr.id).status == "blocked" and town.ledger.get(bead.id).status != "closed"
    assert any("PR_CLOSED" in subject for subject, _ in town.dispatch.escalations)

    # the polecat redoes the work with rewritten history; the old PR branch is never force-pushed over
    tree = town.rig("alpha").polecat("nux")
    git(tree, "reset", "-q", "--hard", "HEAD~1")
    town.work("alpha", "nux", bead.id, {"feature.txt": "hello\n"}, message="feature, second try")
    again = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    created = [json.loads(c)["argv"] for c in log.read_text().splitlines() if '"create"' in c]
    assert created[-1][created[-1].index("--head") + 1] == f"{branch}-v2"
    assert git(origin, "log", "-1", "--format=%s", f"refs/heads/{branch}") == "work"  # the first round, kept
    assert town.ledger.get(again.id).metadata["pr_branch"] == f"{branch}-v2"


async def test_without_gh_the_branch_is_pushed_and_the_overseer_gets_the_compare_url(pushed, tmp_path: Path,
                                                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    town, origin, _rig = pushed
    empty = tmp_path / "nogh"
    empty.mkdir()
    (empty / "git").symlink_to(__import__("shutil").which("git"))
    monkeypatch.setenv("PATH", str(empty))
    config = load_rig_config(town.rig("alpha"))
    config.set("land", "pr")
    config.set("upstream", str(origin))
    config.save()
    bead = town.bead("Add feature", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"feature.txt": "hi\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    await run_refinery(town)
    assert git(origin, "rev-parse", f"refs/heads/{branch}")
    to, subject, body = town.dispatch.mails[-1]
    assert to == "overseer" and "Open a pull request" in subject and f"branch {branch}" in body
    sha = git(origin, "rev-parse", f"refs/heads/{branch}")
    git(origin, "update-ref", "refs/heads/main", sha)  # someone merged it by hand
    await run_deacon(town)
    assert town.ledger.get(mr.id).close_reason == f"merged: branch {branch} merged"
