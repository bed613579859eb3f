"""Claude Code's start-up dialogs (trust, API key, Bypass Permissions) answered by the engine's screen rules.

The Claude config is not pre-seeded (only onboarding is marked done, which offline it must be), so the real
dialogs appear in the engine's PTY and only the engine can get the agent to work.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import API_KEY
from policy import GasTownPolicy
from steps import create_bead, exits, has_merge_request, sling
from stub_api import StubApi
from tasks import CALC_TASKS, FIX_TITLE
from town import Town

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


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
    # Accepting is remembered by Claude Code 2.1.197 in ~/.claude/settings.json.
    settings = json.loads((Path(unseeded_claude_env["HOME"]) / ".claude" / "settings.json").read_text())
    assert settings.get("skipDangerousModePermissionPrompt") is True, settings
