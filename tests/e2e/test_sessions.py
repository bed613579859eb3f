"""Agent sessions on real Claude Code: nudges at turn boundaries, séance, and resuming after the engine is killed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from policy import SEANCE_PREFIX, GasTownPolicy, read_conversation
from steps import create_bead, pid_alive, sling, turns_from, wait_for_done
from stub_api import StubApi
from tasks import CALC_TASKS, FIX_TITLE
from town import Town

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def test_nudge_to_a_busy_polecat_waits_for_the_turn_boundary_then_seance(make_town: Callable[..., Town],
                                                              stub: StubApi) -> None:
    """A nudge sent while Claude runs a slow tool is queued and delivered after the turn, uninterrupted; then
    `gt seance --talk` asks a fork of that finished conversation a question through the stub."""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS, slow_command="sleep 4")
    town = make_town()
    town.start_engine()
    fix = create_bead(town, FIX_TITLE, "Make add() return a + b.")
    agent = sling(town, fix)
    town.wait(lambda: "sleep 4" in stub.sent_commands(), "the polecat to start its slow command", 30)
    result = town.gt("nudge", agent, "Overseer says: remember the changelog")
    # Layered state saw the turn in progress (UserPromptSubmit hook, no Stop yet), so the nudge waits.
    assert "queued" in result.stdout and "working" in result.stdout, result.stdout + result.stderr

    wait_for_done(town, fix, timeout=90)
    town.wait(lambda: bool(turns_from(stub, "remember the changelog")), "the nudge to reach the model", 30)
    conv = read_conversation(turns_from(stub, "remember the changelog")[0])
    # The slow command ran to completion (no Escape / interrupt), and the turn went on to `gt done`.
    sleep = next(c for c in conv.calls if c.command == "sleep 4")
    assert sleep.result is not None and "interrupt" not in sleep.result.lower(), sleep.result
    done_at = conv.events.index(("call", next(i for i, c in enumerate(conv.calls) if c.command == "gt done")))
    nudge_at = next(i for i, (kind, n) in enumerate(conv.events)
                    if kind == "prompt" and "remember the changelog" in conv.prompts[n])
    assert nudge_at > done_at, conv.events
    assert conv.prompts[-1].startswith("[nudge from overseer]"), conv.prompts
    kinds = town.event_kinds()
    assert kinds.index("nudge.queued") < kinds.index("done") < kinds.index("nudge.delivered"), kinds
    town.wait(lambda: "Nudge received" in town.peek(agent),
              "the polecat's answer to the nudge on its screen", 20)
    town.wait(lambda: next(r for r in town.request("status") if r["address"] == agent)["state"] == "idle",
              "the polecat to be idle again after answering", 30)

    starts = [e for e in town.events() if e.get("kind") == "session.start" and e.get("address") == agent]
    conversation = starts[-1].get("conversation_id") or starts[-1].get("session_id")
    assert conversation in town.gt("seance", agent).stdout
    before = len(stub.main_turns())
    # The Overseer's form (gastown.md §2.7): the session id alone names the predecessor; no agent, no GT_AGENT.
    answer = town.gt("seance", "--talk", conversation, "-p", "What did you work on?", timeout=60).stdout
    assert answer.startswith(SEANCE_PREFIX) and fix in answer and "1 commit(s)" in answer, answer
    # The fork asked through the stub with the whole earlier conversation in front of the question.
    asked = read_conversation(stub.main_turns()[before])
    assert asked.prompts[-1] == "What did you work on?" and "gt done" in [c.command for c in asked.calls]


def test_sigkilled_engine_resumes_the_polecat_conversation(make_town: Callable[..., Town],
                                                                       stub: StubApi) -> None:
    """Kill -9 the engine mid-task; a new engine resumes the polecat's conversation (--resume) and it finishes."""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS, slow_command="sleep 20")
    town = make_town()
    town.start_engine()
    fix = create_bead(town, FIX_TITLE, "Make add() return a + b.")
    agent = sling(town, fix)
    town.wait(lambda: "sleep 20" in stub.sent_commands(), "the polecat to be mid-task (running sleep 20)", 30)
    time.sleep(1.0)  # let the CLI start the command
    old_pid = next(row["pid"] for row in town.request("status") if row["address"] == agent)
    before = len(stub.main_turns())
    town.kill_engine()
    # Its Claude Code loses the terminal with it (SIGHUP), so two sessions never work one worktree at once.
    town.wait(lambda: not pid_alive(old_pid), f"the old Claude Code (pid {old_pid}) to exit", 15)

    # The killed `sleep 20` never returned, so the resumed session would run it again; script it without.
    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town.start_engine()
    wait_for_done(town, fix, timeout=90)
    resumed = [b for b in stub.main_turns()[before:] if fix in read_conversation(b).all_text()]
    assert resumed, "no request from the resumed polecat reached the stub"
    conv = read_conversation(resumed[-1])
    # The resumed conversation carries the turn from before the kill: the beacon and the first `gt hook`.
    assert any("[GAS TOWN] polecat" in p for p in conv.prompts), conv.prompts
    assert any(c.command == "gt hook" for c in conv.calls)
    starts = [e for e in town.events() if e.get("kind") == "session.start" and e.get("address") == agent]
    assert len(starts) >= 2 and starts[-1].get("resumed") is True, starts

    # It carried on from where it was: the hook was read once, before the kill, never again.
    assert [c.command for c in conv.calls].count("gt hook") == 1, [c.command for c in conv.calls]
    assert town.main_log("calc", f"polecat/{agent.rsplit('/', 1)[-1]}/{fix}")[0].startswith("calc: add() adds")
