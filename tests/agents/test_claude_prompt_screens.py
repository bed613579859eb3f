"""The claude screen rules against screens Claude Code 2.1.197 really showed a polecat (permission mode default).

The screens in `screens/claude-2.1.197/` were captured from the engine (`peek`) by tests/e2e/test_permission.py:
the prompts for a Bash command, an Edit and a Write (option 3 now reads "No"; the older "No, and tell Claude what
to do differently" is gone), and the idle prompt after a denied Edit. The keys the rules give (approve "1", deny
Esc) were proved in that end-to-end test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gastown_tui.agents.screen_rules import classify_screen, rules_for
from gastown_tui.agents.state import HookSignal, decide

SCREENS = Path(__file__).parent / "screens" / "claude-2.1.197"


def _screen(name: str) -> list[str]:
    return (SCREENS / f"{name}.txt").read_text().splitlines()


@pytest.mark.parametrize("name,question,subject", [
    ("permission-bash", "Do you want to proceed?", "Bash command: gt hook"),
    ("permission-edit", "Do you want to make this edit to calc.py?", "Edit file: calc.py"),
    ("permission-write", "Do you want to create test_multiply.py?", "Create file: test_multiply.py"),
])
def test_real_permission_prompts_are_permission_with_the_question(name: str, question: str, subject: str) -> None:
    """Each real prompt classifies as permission; the verdict quotes Claude's question and what it is about."""
    rules = rules_for("claude")
    verdict = classify_screen(rules, _screen(name))
    assert verdict.state == "permission", verdict
    assert verdict.rule.endswith(f'on "{question}" ({subject})'), verdict.rule
    # ...and it outranks the 'working' hook of the turn, as the engine decides it
    state = decide(alive=True, exited_at=None, started_at=0.0, now=10.0, rules=rules, display=_screen(name),
                   hook=HookSignal("user-prompt-submit", 5.0), last_output_at=9.0)
    assert (state.state, state.source) == ("permission-prompt", "screen")
    assert rules.approve == ("1",) and rules.deny == ("\x1b",)


def test_the_screen_after_a_denied_edit_is_idle_not_a_prompt() -> None:
    """After Esc: "User rejected update to calc.py" and the empty input box: idle, so the list drops the agent."""
    verdict = classify_screen(rules_for("claude"), _screen("after-deny"))
    assert verdict.state == "idle", verdict
