"""The whole loop with the real Claude Code CLI: sling → polecats work → gt done → refinery → convoy → mail.

Every agent is the real `claude` binary in the engine's PTYs, talking to the scripted stub API; everything else
(town, ledger, git, engine, patrols) is the real thing. Patrols are run on demand (`gt patrol run ...`) instead of
waiting for their intervals.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import API_KEY
from policy import SEANCE_PREFIX, GasTownPolicy, read_conversation
from stub_api import StubApi
from tasks import CALC_TASKS, FEATURE_TITLE, FIX_TITLE
from town import Town

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

ID = re.compile(r"\b[a-z][a-z0-9]{1,7}-[a-z0-9]{3,12}\b")


def create_bead(town: Town, title: str, description: str) -> str:
    """`gt bd create` in the calc rig; returns the new id."""
    out = town.gt("bd", "create", title, "--prefix", "ca", "-d", description, "--silent").stdout.strip()
    assert ID.fullmatch(out), f"unexpected bd create output {out!r}"
    return out


def first_id(text: str) -> str:
    """The first bead id in a command's output."""
    match = ID.search(text)
    assert match, f"no bead id in {text!r}"
    return match.group(0)


def bead(town: Town, bead_id: str) -> Any:
    """The bead as stored now."""
    return town.read(lambda ledger: ledger.get(bead_id))


def has_merge_request(town: Town, bead_id: str) -> bool:
    """True once `gt done` has queued a merge request for `bead_id`."""
    from gastown_tui.convoys.landing import merge_requests, mr_meta

    def check(ledger: Any) -> bool:
        """Any merge request (open or merged) whose source issue is the bead."""
        return any(mr_meta(mr).get("source_issue") == bead_id for mr in merge_requests(ledger, include_closed=True))

    return town.read(check)


def start_mayor(town: Town) -> None:
    """Start the Mayor's session: its agent record (domain API, no CLI creates it yet), then engine `spawn`."""
    from gastown_tui.agents.registry import ensure_agent
    from gastown_tui.records import parse_address

    town.read(lambda ledger: ensure_agent(ledger, parse_address("mayor/"), actor="overseer"))
    town.request("spawn", address="mayor/", topic="cold-start")


def pid_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def exits(town: Town, agent: str) -> list[Any]:
    """Exit statuses of the agent's sessions so far (from the feed)."""
    return [e.get("exit_status") for e in town.events() if e.get("kind") == "session.exit"
            and e.get("address") == agent]


def sling(town: Town, bead_id: str, target: str = "calc") -> str:
    """`gt sling BEAD TARGET`; returns the address of the agent that got it."""
    out = town.gt("sling", bead_id, target).stdout
    match = re.search(r" to (\S+/polecats/\S+)", out)
    assert match, f"unexpected sling output {out!r}"
    return match.group(1)


def turns_from(stub: StubApi, marker: str) -> list[Any]:
    """Main-turn requests whose conversation mentions `marker` (one agent's requests in a shared stub)."""
    out = []
    for body in stub.main_turns():
        if marker in read_conversation(body).all_text():
            out.append(body)
    return out


def wait_for_done(town: Town, *bead_ids: str, timeout: float = 60) -> None:
    """Wait until each bead has a merge request (its polecat ran `gt done`)."""
    for bead_id in bead_ids:
        town.wait(lambda: has_merge_request(town, bead_id), f"gt done / a merge request for {bead_id}", timeout)


# ---------------------------------------------------------------------------------------------------------------

def test_convoy_of_two_beads_lands_on_main_with_real_claude_code(make_town: Callable[..., Town],
                                                                   stub: StubApi) -> None:
    """Mayor + two polecats on real Claude Code; the refinery merges both; the deacon closes the convoy and mails."""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town = make_town()
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
    log = town.main_log("calc")
    assert log[-1] == "calc: add and subtract"
    assert any(s.startswith("calc: add() adds") and fix in s for s in log), log
    assert any(s.startswith("calc: multiply() with a test") and feature in s for s in log), log
    # Main is green with both changes: a fresh clone of the rig's main passes the project's tests.
    clone = town.root.parent / "main-clone"
    town.git("clone", "-q", "--branch", "main", str(town.root / "calc" / "repo.git"), str(clone))
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=clone,
                           capture_output=True, text=True, timeout=60)
    assert tests.returncode == 0 and "3 passed" in tests.stdout, tests.stdout + tests.stderr

    town.gt("patrol", "run", "deacon")
    town.wait(lambda: bead(town, convoy).status == "closed", "the deacon to close the convoy", 30)

    from gastown_tui.mail.mailbox import inbox

    mail = town.read(lambda ledger: inbox(ledger, "overseer", include_read=True))
    landed = [m for m in mail if m.subject == "Convoy landed: Calc fixes"]
    assert len(landed) == 1, [(m.subject, m.body) for m in mail]
    assert convoy in landed[0].body and f"{fix} {FIX_TITLE} (merged)" in landed[0].body, landed[0].body
    assert f"{feature} {FEATURE_TITLE} (merged)" in landed[0].body, landed[0].body

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


def test_startup_dialogs_are_answered_by_the_engine(make_town: Callable[..., Town], stub: StubApi,
                                                     unseeded_claude_env: dict[str, str]) -> None:
    """With a config that never saw the trust and API-key dialogs, the engine's screen rules answer them."""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town = make_town(unseeded_claude_env)
    town.allow_dialogs(["trust", "api-key", "bypass-permissions", "connect"])
    town.start_engine()
    fix = create_bead(town, FIX_TITLE, "Make add() return a + b.")
    agent = sling(town, fix)
    # Declining the key (the dialog's default) leaves Claude "Not logged in": fail fast and say so.
    town.wait(lambda: has_merge_request(town, fix) or "Not logged in" in town.peek(agent),
              "gt done (or Claude showing 'Not logged in')", 60)
    screen = town.peek(agent)
    assert "Not logged in" not in screen, "the API-key dialog was answered 'No' (Claude is not logged in):\n" + screen
    dialogs = {e.get("dialog") for e in town.events() if e.get("kind") == "agent.dialog"}
    assert {"trust", "api-key"} <= dialogs, dialogs
    # The key was accepted (not the dialog's default "No"), and the folder trusted, in Claude's own config.
    state = json.loads((Path(unseeded_claude_env["HOME"]) / ".claude.json").read_text())
    assert API_KEY[-20:] in state["customApiKeyResponses"]["approved"], state.get("customApiKeyResponses")
    # No bypass warning to answer: the engine's --settings file sets skipDangerousModePermissionPrompt.


def test_bypass_warning_is_answered_by_the_engine(make_town: Callable[..., Town], stub: StubApi,
                                                  unseeded_claude_env: dict[str, str]) -> None:
    """Without the settings file that skips it, Claude shows the Bypass Permissions warning; the engine accepts."""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town = make_town(unseeded_claude_env)
    town.allow_dialogs(["trust", "api-key", "bypass-permissions", "connect"])
    # No --settings: the town's hook file is what sets skipDangerousModePermissionPrompt, so drop it here.
    town.set_runtime("claude", settings_flag=[])
    town.start_engine()
    fix = create_bead(town, FIX_TITLE, "Make add() return a + b.")
    agent = sling(town, fix)

    def stuck() -> bool:
        """Claude exited ("No, exit" chosen), is logged out (key declined), or still shows the warning."""
        screen = town.peek(agent)
        answered = [e["ts"] for e in town.events() if e.get("dialog") == "bypass-permissions"]
        return (exits(town, agent) != [] or "Not logged in" in screen
                or ("Bypass Permissions mode" in screen and bool(answered) and time.time() - answered[-1] > 10))

    town.wait(lambda: has_merge_request(town, fix) or stuck(), "gt done after trust, API-key and bypass dialogs", 60)
    dialogs = [e.get("dialog") for e in town.events() if e.get("kind") == "agent.dialog"]
    assert {"trust", "api-key", "bypass-permissions"} <= set(dialogs), dialogs
    assert not exits(town, agent), (f"Claude Code exited (status {exits(town, agent)}) after the engine answered "
                                    f"the bypass warning: 'No, exit' was chosen. Last screen:\n{town.peek(agent)}")
    assert has_merge_request(town, fix), "a start-up dialog was not answered as intended:\n" + town.peek(agent)
    settings = json.loads((Path(unseeded_claude_env["HOME"]) / ".claude.json").read_text())
    assert settings.get("bypassPermissionsModeAccepted") is True, sorted(settings)


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
    answer = town.gt("seance", agent, "--talk", conversation, "-p", "What did you work on?", timeout=60).stdout
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
