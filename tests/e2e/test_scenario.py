"""The whole loop with the real Claude Code CLI: sling → polecats work → gt done → refinery → convoy → mail.

Every agent is the real `claude` binary in the engine's PTYs, talking to the scripted stub API; everything else
(town, ledger, git, engine, patrols) is the real thing. Patrols are run on demand (`gt patrol run ...`) instead of
waiting for their intervals.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from policy import GasTownPolicy, read_conversation
from steps import bead, create_bead, first_id, sling, start_mayor, turns_from, wait_for_done
from stub_api import StubApi
from tasks import CALC_TASKS, FEATURE_TITLE, FIX_TITLE
from town import Town, origin_of

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def test_convoy_of_two_beads_lands_on_main_with_real_claude_code(make_town: Callable[..., Town],
                                                                   stub: StubApi) -> None:
    """Mayor + two polecats on real Claude Code; the refinery pushes both to the project's bare origin; the deacon
    closes the convoy and mails where each bead went."""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town = make_town()
    origin = origin_of(town.root.parent / "calc-src")
    assert "Landing: push" in town.rig_add_output and str(origin) in town.rig_add_output, town.rig_add_output
    town.start_engine()

    # The Mayor runs real Claude Code too and answers with text.
    start_mayor(town)
    town.wait(lambda: any("[GAS TOWN] mayor" in read_conversation(b).all_text() for b in stub.main_turns()),
              "the Mayor's first turn at the stub", 30)

    fix = create_bead(town, FIX_TITLE, "test_add fails: add() subtracts. Make add() return a + b.")
    feature = create_bead(town, FEATURE_TITLE, "Add calc.multiply(a, b) with a test in test_multiply.py.")
    convoy = first_id(town.gt("convoy", "create", "Calc fixes", fix, feature).stdout)

    assert sling(town, fix) != sling(town, feature)
    wait_for_done(town, fix, feature, timeout=120)

    town.gt("patrol", "run", "refinery:calc")
    town.wait(lambda: bead(town, fix).status == "closed" and bead(town, feature).status == "closed",
              "the refinery to merge both and close their beads", 30)
    # Landed where the project lives: both commits are on origin/main (the rig's repo.git follows it).
    log = town.git("--git-dir", str(origin), "log", "--format=%s", "main").splitlines()
    assert town.main_log("calc") == log
    assert log[-1] == "calc: add and subtract"
    assert any(s.startswith("calc: add() adds") and fix in s for s in log), log
    assert any(s.startswith("calc: multiply() with a test") and feature in s for s in log), log
    # Main is green with both changes: a fresh clone of origin's main passes the project's tests.
    clone = town.root.parent / "main-clone"
    town.git("clone", "-q", "--branch", "main", str(origin), str(clone))
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=clone,
                           capture_output=True, text=True, timeout=60)
    assert tests.returncode == 0 and "3 passed" in tests.stdout, tests.stdout + tests.stderr

    town.gt("patrol", "run", "deacon")
    town.wait(lambda: bead(town, convoy).status == "closed", "the deacon to close the convoy", 30)

    from gastown_tui.mail.mailbox import inbox

    mail = town.read(lambda ledger: inbox(ledger, "overseer", include_read=True))
    landed = [m for m in mail if m.subject == "Convoy landed: Calc fixes"]
    assert len(landed) == 1, [(m.subject, m.body) for m in mail]
    for bead_id, title in ((fix, FIX_TITLE), (feature, FEATURE_TITLE)):  # the mail says where each bead went
        assert f"{bead_id} {title} (merged: pushed " in landed[0].body and " to origin/main)" in landed[0].body, \
            landed[0].body
    assert convoy in landed[0].body

    kinds = town.event_kinds()
    for kind, count in (("sling", 2), ("done", 2), ("merge.merged", 2), ("convoy.landed", 1)):
        assert kinds.count(kind) == count, (kind, kinds)
    assert kinds.index("convoy.landed") > max(i for i, k in enumerate(kinds) if k == "merge.merged")

    # The Mayor's real Claude Code session shows the scripted answer.
    assert "Mayor here." in town.peek("mayor/")
    # A nudge to the idle Mayor is typed in at once; two lines go as one bracketed paste, i.e. one prompt.
    before = len(stub.main_turns())
    result = town.gt("nudge", "mayor", "Convoy landed.\nPlease tell the Overseer.")
    assert "delivered" in result.stdout and "not verified" not in result.stdout, result.stdout
    town.wait(lambda: any("Please tell the Overseer." in p for b in stub.main_turns()[before:]
                          for p in read_conversation(b).prompts[-1:]), "the Mayor's nudge at the stub", 30)
    prompt = next(read_conversation(b).prompts[-1] for b in stub.main_turns()[before:])
    assert prompt.endswith("Convoy landed.\nPlease tell the Overseer."), prompt

    # Each polecat followed the protocol through real tool calls, seen by the stub.
    for bead_id in (fix, feature):
        turns = turns_from(stub, bead_id)
        commands = [c.command for c in read_conversation(turns[-1]).calls if c.command]
        assert commands[0] == "gt hook" and commands[-1] == "gt done", commands
        assert "python -m pytest -q" in commands
        # The SessionStart hook (`gt hookevent` → gt prime) put the role context in front of the model.
        first = read_conversation(turns[0])
        assert any(t.lstrip().startswith("SessionStart:startup hook success:") and "role:polecat" in t
                   for t in first.context), first.context[:3]
