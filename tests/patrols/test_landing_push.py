"""land = "push" against a real bare "origin": gated commits end on origin/main, never forced, never lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gastown_tui.patrols.merge_queue import MergeRequest
from gastown_tui.town.config import load_rig_config

from .conftest import GATE, git, push_from_other, set_gates
from .test_refinery import run_refinery

PY = sys.executable


def origin_log(origin: Path) -> list[str]:
    """Subjects on origin/main, newest first."""
    return git(origin, "log", "--format=%s", "main").splitlines()


def test_rig_added_from_a_clone_lands_on_the_clones_origin(pushed) -> None:  # type: ignore[no-untyped-def]
    town, origin, rig = pushed
    assert rig.config.land == "push" and rig.config.upstream == str(origin.resolve())
    assert git(town.rig("alpha").bare_repo, "config", "remote.origin.url") == str(origin.resolve())
    assert f"pushed to {origin.resolve()}" in rig.summary()["lands"]


async def test_three_beads_end_on_origin_main_over_a_moving_remote(pushed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    town, origin, _rig = pushed
    beads = [town.bead(f"Feature {i}", "alpha") for i in range(3)]
    for i, bead in enumerate(beads):
        branch = town.work("alpha", f"p{i}", bead.id, {f"f{i}.txt": f"{i}\n"}, message=f"feature {i}")
        town.mr("alpha", bead, branch, f"alpha/polecats/p{i}")

    await run_refinery(town, batch_size=1)
    # someone else pushes between two refinery runs ...
    other1 = push_from_other(tmp_path, origin, "other1.txt", "x\n")
    await run_refinery(town, batch_size=1)
    # ... and someone pushes while the third MR's gates run: the push is rejected, refetched, re-gated, pushed
    marker = tmp_path / "raced"
    race = tmp_path / "race.py"
    race.write_text(
        "import os, subprocess, sys\n"
        f"marker = {str(marker)!r}\n"
        "if not os.path.exists(marker):\n"
        "    open(marker, 'w').close()\n"
        f"    other = {str(tmp_path / 'other')!r}\n"
        "    env = {k: v for k, v in os.environ.items() if not k.startswith('GIT_')}\n"
        "    run = lambda *a: subprocess.run(['git', *a], cwd=other, check=True, env=env, capture_output=True)\n"
        "    run('pull', '-q', '--ff-only')\n"
        "    open(os.path.join(other, 'other2.txt'), 'w').write('y\\n')\n"
        "    run('add', '-A')\n"
        "    run('-c', 'user.name=Other', '-c', 'user.email=o@x', 'commit', '-q', '-m', 'other: other2.txt')\n"
        "    run('push', '-q', 'origin', 'main')\n"
        "sys.exit(1 if 'bug' in open('app.txt').read() else 0)\n")
    set_gates(town.rig("alpha"), {"test": [PY, str(race)]})
    await run_refinery(town, batch_size=1)

    subjects = origin_log(origin)
    assert subjects[:5] == ["feature 2", "other: other2.txt", "feature 1", "other: other1.txt", "feature 0"]
    assert git(origin, "merge-base", "--is-ancestor", other1, "main") == ""  # not lost
    for bead in beads:
        closed = town.ledger.get(bead.id)
        assert closed.status == "closed" and closed.close_reason.startswith("merged: pushed "), closed.close_reason
        assert closed.close_reason.endswith(" to origin/main")
    # each landed commit is green: run the gate at every one of them in a fresh clone of origin
    check = tmp_path / "check"
    git(tmp_path, "clone", "-q", str(origin), str(check))
    for sha in git(origin, "rev-list", "main", "-n", "5").splitlines():
        git(check, "checkout", "-q", sha)
        assert subprocess.run(GATE, cwd=check, check=False).returncode == 0  # noqa: ASYNC221 - a test, no loop to share
    events = [json.loads(line) for line in town.paths.events.read_text().splitlines()]
    kinds = [e.get("kind") or e.get("event") for e in events]
    assert kinds.count("merge.push_rejected") == 1
    gated = {e.get("sha") for e in events if (e.get("kind") or e.get("event")) == "merge.gates"}
    log = [line.split(" ", 1) for line in git(origin, "log", "--format=%H %s", "main").splitlines()]
    landed = [sha for sha, subject in log if subject.startswith("feature")]
    assert len(landed) == 3 and set(landed) <= gated  # each pushed commit had its own green gate run
    assert git(town.rig("alpha").bare_repo, "rev-parse", "main") == git(origin, "rev-parse", "main")


async def test_conflicting_upstream_commit_becomes_rework(pushed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    town, origin, _rig = pushed
    bead = town.bead("Change line 2", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"app.txt": "line1\nNUX\nline3\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")
    theirs = push_from_other(tmp_path, origin, "app.txt", "line1\nTHEIRS\nline3\n")
    await run_refinery(town)
    assert git(origin, "rev-parse", "main") == theirs  # upstream untouched
    assert town.ledger.get(mr.id).close_reason.startswith("rework: conflict")
    to, subject, body = town.dispatch.mails[-1]
    assert to == "alpha/polecats/nux" and "REWORK_REQUEST" in subject and "app.txt" in body
    assert town.ledger.get(bead.id).status == "hooked"


async def test_read_only_remote_keeps_everything_and_next_patrol_retries(pushed) -> None:  # type: ignore[no-untyped-def]
    town, origin, _rig = pushed
    hook = origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'this repository is read-only' >&2\nexit 1\n")
    hook.chmod(0o755)
    before_origin = git(origin, "rev-parse", "main")
    before_local = git(town.rig("alpha").bare_repo, "rev-parse", "main")
    bead = town.bead("Feature", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"feature.txt": "hi\n"})
    mr = town.mr("alpha", bead, branch, "alpha/polecats/nux")

    await run_refinery(town)
    kept = town.ledger.get(mr.id)
    assert kept.status == "open" and town.ledger.get(bead.id).status == "hooked"
    error = kept.metadata["land_error"]
    assert "\n" not in error and "pre-receive hook declined" in error and "read-only" in error, error
    assert git(origin, "rev-parse", "main") == before_origin
    assert git(town.rig("alpha").bare_repo, "rev-parse", "main") == before_local
    assert MergeRequest.from_bead(kept).branch == branch and git(town.rig("alpha").bare_repo, "rev-parse", branch)

    hook.unlink()  # the remote is writable again: the next patrol lands it, no one had to do anything
    await run_refinery(town)
    assert town.ledger.get(mr.id).close_reason.startswith("merged: pushed")
    assert "feature.txt" in git(origin, "ls-tree", "--name-only", "main").splitlines()
    assert load_rig_config(town.rig("alpha")).land == "push"


async def test_unreachable_upstream_claims_nothing_and_says_why(pushed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    town, origin, _rig = pushed
    config = load_rig_config(town.rig("alpha"))
    config.set("upstream", str(tmp_path / "moved-away.git"))
    config.save()
    bead = town.bead("Feature", "alpha")
    mr = town.mr("alpha", bead, town.work("alpha", "nux", bead.id, {"f.txt": "f\n"}), "alpha/polecats/nux")
    await run_refinery(town)
    kept = town.ledger.get(mr.id)
    assert kept.status == "open" and "moved-away.git" in kept.metadata["land_error"]
    assert "\n" not in kept.metadata["land_error"]
    config.set("upstream", str(origin.resolve()))  # the Overseer fixes rig.toml; origin follows it
    config.save()
    await run_refinery(town)
    assert town.ledger.get(mr.id).close_reason.startswith("merged: pushed")


async def test_mr_target_is_honoured(pushed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    town, origin, _rig = pushed
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    git(other, "push", "-q", "origin", "main:release")
    main_before = git(origin, "rev-parse", "main")
    bead = town.bead("Backport", "alpha")
    branch = town.work("alpha", "nux", bead.id, {"fix.txt": "fix\n"}, message="backport fix")
    town.ledger.update(bead.id, status="hooked", assignee="alpha/polecats/nux")
    mr = town.ledger.create(f"Merge: {bead.id}", issue_type="merge-request", labels=["gt:merge-request"],
                            metadata={"branch": branch, "target": "release", "source_issue": bead.id,
                                      "worker": "alpha/polecats/nux", "rig": "alpha", "commit_sha": ""})
    await run_refinery(town)
    assert town.ledger.get(mr.id).close_reason.endswith("to origin/release")
    assert origin_log(origin)[0] == "initial" and git(origin, "rev-parse", "main") == main_before
    assert git(origin, "log", "-1", "--format=%s", "release") == "backport fix"
