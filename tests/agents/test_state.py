"""Layered state detection: hooks first, then screen rules, then output activity — and the explanation."""

from __future__ import annotations

from gastown_tui.agents.screen_rules import classify_screen, rules_for
from gastown_tui.agents.state import HookSignal, decide

CLAUDE_IDLE = ["● Done.", "✻ Brewed for 0s", "─" * 40, "❯ ", "─" * 40, "  ⏵⏵ bypass permissions on (shift+tab to cycle)"]
CLAUDE_BUSY = ["● Bash(ls)", "✻ Pondering… (esc to interrupt)", "─" * 40, "❯ ", "─" * 40]
BYPASS = ["WARNING: Claude Code running in Bypass Permissions mode", "1. No, exit", "2. Yes, I accept"]


def test_claude_screens() -> None:
    rules = rules_for("claude")
    assert classify_screen(rules, CLAUDE_IDLE).state == "idle"
    assert classify_screen(rules, CLAUDE_BUSY).state == "working"
    verdict = classify_screen(rules, BYPASS)
    assert verdict.state == "dialog" and verdict.dialog.name == "bypass-permissions"
    assert verdict.dialog.answer == ("\x1b[B", "\r")
    trust = classify_screen(rules, ["Do you trust the files in this folder?", "1. Yes, proceed"])
    assert trust.dialog.name == "trust"
    assert classify_screen(rules, ["Detected a custom API key in your environment"]).dialog.name == "api-key"


def test_other_runtimes() -> None:
    assert classify_screen(rules_for("codex"), ["› "]).state == "idle"
    assert classify_screen(rules_for("scripted"), ["scripted: working on x", "scripted> "]).state == "idle"
    assert classify_screen(rules_for("scripted"), ["scripted> ", "scripted: working on x"]).state == "working"
    assert classify_screen(rules_for("shell"), ["$ ls", "a b", "$ "]).state == "idle"


def _decide(**kw):  # noqa: ANN003, ANN202
    base = dict(alive=True, exited_at=None, started_at=100.0, now=200.0, hook=None, rules=rules_for("claude"),
                display=[], last_output_at=150.0)
    base.update(kw)
    return decide(**base)


def test_layers_in_order() -> None:
    assert _decide(alive=False, exited_at=190.0).source == "process"
    hook = HookSignal("user-prompt-submit", 195.0)
    verdict = _decide(hook=hook, display=CLAUDE_BUSY)
    assert (verdict.state, verdict.source) == ("working", "hook")
    assert "user-prompt-submit" in verdict.explain(200.0) and "5s ago" in verdict.explain(200.0)
    assert _decide(hook=HookSignal("stop", 195.0)).state == "idle"
    # a permission prompt on screen beats a 'working' hook (hooks do not report approvals)
    waiting = _decide(hook=hook, display=["Do you want to proceed?", "1. Yes"])
    assert (waiting.state, waiting.source) == ("permission-prompt", "screen")
    # Esc interrupts send no Stop: an idle screen, quiet for long, overrides a stale 'working' hook
    stale = _decide(hook=HookSignal("user-prompt-submit", 100.0), display=CLAUDE_IDLE, last_output_at=120.0)
    assert (stale.state, stale.source) == ("idle", "screen") and "stale" in stale.detail
    assert _decide(display=CLAUDE_IDLE).source == "screen"
    assert _decide(rules=None, last_output_at=199.0).state == "working"
    quiet = _decide(rules=None, last_output_at=150.0)
    assert (quiet.state, quiet.source) == ("idle", "activity")
    assert _decide(rules=None, last_output_at=None, now=101.0).state == "starting"
    assert _decide(hook=HookSignal("notification", 195.0, "Claude needs your permission to use Bash")).state \
        == "permission-prompt"


def test_needs_you_states() -> None:
    """waiting-input, permission-prompt and errored, each from its own signal and explainable."""
    question = _decide(display=["Which colour?", "1. Red", "Enter to select · ↑/↓ to navigate · Esc to cancel"])
    assert (question.state, question.source) == ("waiting-input", "screen")
    asked = _decide(hook=HookSignal("notification", 195.0, "elicitation_dialog"), display=CLAUDE_IDLE,
                    last_output_at=150.0)
    assert (asked.state, asked.source) == ("waiting-input", "hook")
    errored = _decide(alive=False, exited_at=190.0, exit_status=2)
    assert errored.state == "errored" and "status 2" in errored.explain(200.0)
    assert _decide(alive=False, exited_at=190.0, exit_status=0).state == "dead"
    stopped = _decide(alive=False, exited_at=190.0, exit_status=-15)
    assert stopped.state == "dead" and "signal 15" in stopped.detail
    # no hook fires when a prompt is answered: output after the notification with no prompt on screen wins
    prompt = HookSignal("notification", 180.0, "Claude needs your permission to use Bash")
    answered = _decide(hook=prompt, display=CLAUDE_BUSY, last_output_at=190.0)
    assert (answered.state, answered.source) == ("working", "screen") and "answered" in answered.detail
    assert _decide(hook=prompt, display=CLAUDE_BUSY, last_output_at=170.0).state == "permission-prompt"


def test_scripted_permission_prompt_screen() -> None:
    rules = rules_for("scripted")
    from gastown_tui.agents.scripted_agent import PERMISSION_PROMPT
    assert classify_screen(rules, ["scripted: permission needed: Bash(make)", PERMISSION_PROMPT]).state \
        == "permission"
    assert rules.approve == ("1\r",) and rules.deny == ("\x1b\r",)
    assert rules_for("claude").approve == ("1",) and rules_for("claude").deny == ("\x1b",)
