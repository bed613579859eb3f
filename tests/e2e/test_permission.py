"""A real Claude Code permission prompt, answered through the engine API (the "needs you" list's path).

The polecat runs Claude Code 2.1.197 WITHOUT bypass mode (permission mode default). Its user settings allow the
Bash commands of the Gas Town loop (gt, git, the tests), so the one tool call that asks is the Edit of calc.py.
The engine must show the agent as permission-prompt with a reason; `AnswerPermission` sends the runtime's keys
from screen_rules.yaml (approve "1", deny Esc), exactly as the TUI's list does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policy import GasTownPolicy
from steps import create_bead, has_merge_request, sling
from stub_api import StubApi
from tasks import CALC_TASKS, FIX_TITLE
from town import Town

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

ALLOWED = ["Bash(gt:*)", "Bash(git:*)", "Bash(python -m pytest:*)"]


def _no_bypass_town(make_town: Callable[..., Town], claude_env: dict[str, str]) -> Town:
    """A town whose claude runs in the default permission mode, with the loop's Bash commands pre-allowed."""
    settings = Path(claude_env["HOME"]) / ".claude" / "settings.json"
    data = json.loads(settings.read_text())
    data["permissions"] = {"allow": ALLOWED, "defaultMode": "default"}
    settings.write_text(json.dumps(data))
    town = make_town()
    town.set_runtime("claude", args=[])  # no --dangerously-skip-permissions
    town.start_engine()
    return town


def _row(town: Town, address: str) -> Any:
    """The agent's live row (state and why) from the engine's typed API."""
    from gastown_tui.engine.api import GetStatus
    from gastown_tui.engine.api.socket_client import call_sync

    rows = call_sync(town.root / ".gastown" / "engine.sock", GetStatus()).agents
    return next((r for r in rows if r.address == address), None)


def _answer(town: Town, address: str, approve: bool) -> Any:
    """`AnswerPermission` over the engine socket, as the TUI's "needs you" list sends it."""
    from gastown_tui.engine.api.overseer import AnswerPermission
    from gastown_tui.engine.api.socket_client import call_sync

    return call_sync(town.root / ".gastown" / "engine.sock", AnswerPermission(address, approve))


def _worktree_calc(town: Town, agent: str) -> str:
    """calc.py as the polecat's worktree holds it now."""
    name = agent.rsplit("/", 1)[-1]
    hits = [p for p in (town.root / "calc").rglob("calc.py") if name in p.parts and "repo.git" not in p.parts]
    return hits[0].read_text() if hits else ""


def _wait_prompt(town: Town, agent: str) -> Any:
    """Wait until the engine says permission-prompt; return that row."""
    seen: list[Any] = []

    def at_prompt() -> bool:
        row = _row(town, agent)
        seen.append(row)
        return row is not None and row.state == "permission-prompt"

    town.wait(at_prompt, f"{agent} in state permission-prompt (last row {seen[-1:]})\n{town.peek(agent)}"
              if seen else "permission-prompt", 90)
    return seen[-1]


def test_approve_a_real_permission_prompt(make_town: Callable[..., Town], stub: StubApi,
                                           claude_env: dict[str, str]) -> None:
    """Edit asks; the engine shows permission-prompt with the reason; approve via the API; the edit lands."""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town = _no_bypass_town(make_town, claude_env)
    fix = create_bead(town, FIX_TITLE, "Make add() return a + b.")
    agent = sling(town, fix)
    row = _wait_prompt(town, agent)
    screen = town.peek(agent)
    assert "Do you want to make this edit to calc.py?" in screen, screen
    assert 'on "Do you want to make this edit to calc.py?" (Edit file: calc.py)' in row.why, row  # the reason
    assert "return a - b" in _worktree_calc(town, agent), "the edit ran before anyone approved it"
    started = time.monotonic()
    answered = _answer(town, agent, True)
    assert answered.keys == "1" and answered.approved
    town.wait(lambda: "return a + b" in _worktree_calc(town, agent), "the approved Edit changed calc.py", 30)
    took = time.monotonic() - started
    town.wait(lambda: has_merge_request(town, fix), "gt done after the approval", 90)
    town.wait(lambda: (_row(town, agent) or row).state in ("idle", "working", "off", "done"),
              "the agent leaving permission-prompt", 30)
    kinds = [e for e in town.events() if e.get("kind") == "overseer.permission"]
    assert len(kinds) == 1 and kinds[0]["approved"] is True, kinds
    print(f"approve -> edit on disk in {took:.2f}s; why={row.why!r}")


def test_deny_a_real_permission_prompt(make_town: Callable[..., Town], stub: StubApi,
                                        claude_env: dict[str, str]) -> None:
    """Deny (Esc) rejects the Edit: calc.py keeps its bug, Claude stops and waits for the Overseer, no gt done."""
    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    town = _no_bypass_town(make_town, claude_env)
    fix = create_bead(town, FIX_TITLE, "Make add() return a + b.")
    agent = sling(town, fix)
    _wait_prompt(town, agent)
    answered = _answer(town, agent, False)
    assert answered.keys == "\x1b" and not answered.approved
    # Claude Code records the rejection and ends the turn without a Stop hook: the screen rule (idle prompt) wins
    # over the stale 'working' hook after STALE_HOOK_SECONDS, so the agent leaves the "needs you" list as idle.
    town.wait(lambda: "User rejected update to calc.py" in town.peek(agent), "Claude showing the rejected edit", 30)
    town.wait(lambda: (_row(town, agent) or answered).state == "idle", "the agent idle after the deny", 40)
    assert "return a - b" in _worktree_calc(town, agent)
    assert not has_merge_request(town, fix)


def test_every_prompt_of_a_bead_is_answered_from_the_api(make_town: Callable[..., Town], stub: StubApi,
                                                          claude_env: dict[str, str], tmp_path: Path) -> None:
    """Nothing pre-allowed: Bash, Edit and Write each ask in Claude's own words; approving each lands the work.

    This checks the claude screen rules against every kind of prompt Claude Code 2.1.197 shows a polecat.
    """
    from tasks import FEATURE_TITLE

    stub.policy = GasTownPolicy(tasks=CALC_TASKS)
    settings = Path(claude_env["HOME"]) / ".claude" / "settings.json"
    settings.write_text(json.dumps(dict(json.loads(settings.read_text()), permissions={"defaultMode": "default"})))
    town = make_town()
    town.set_runtime("claude", args=[])
    town.start_engine()
    feature = create_bead(town, FEATURE_TITLE, "Add multiply(a, b) with a test.")
    agent = sling(town, feature)
    asked: list[str] = []
    deadline = time.monotonic() + 150
    while not has_merge_request(town, feature):
        assert time.monotonic() < deadline, f"no gt done after approving {asked}:\n{town.peek(agent)}"
        row = _row(town, agent)
        if row is not None and row.state == "permission-prompt":
            asked.append(row.why)
            dump = tmp_path.parent / f"prompt-{len(asked)}.txt"
            dump.write_text(town.peek(agent))
            _answer(town, agent, True)

            def moved_on(answered: Any = row) -> bool:
                """The prompt closed, or the screen changed since (the next tool's prompt may follow at once)."""
                now = _row(town, agent) or answered
                return (now.state != "permission-prompt" or now.since != answered.since
                        or has_merge_request(town, feature))

            town.wait(moved_on, f"the approved prompt closing ({row.why})", 30)
        time.sleep(0.3)
    text = "\n".join(asked)
    assert '"Do you want to proceed?" (Bash command: gt hook)' in text, asked   # Bash: gt hook ... gt done
    assert "(Bash command: gt done)" in text, asked
    assert "make this edit to calc.py" in text, asked          # Edit
    assert "create test_multiply.py" in text, asked            # Write
    print(f"{len(asked)} prompts approved:\n" + text)
