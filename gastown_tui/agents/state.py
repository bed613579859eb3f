"""Layered, explainable agent state: hook events first, then screen rules, then output activity.

States: starting, working, idle, waiting (a start-up dialog town policy does not answer), waiting-input (the agent
asked the Overseer something), permission-prompt (it waits for approve/deny of a tool use), errored (its process
exited with a non-zero status), rate-limited (a 429/overload: the runtime waits to retry, or gave up until a
retry time), dead (exited cleanly). Every verdict names the signal that decided it and when, so
`gt agents explain` and the UI can say *why* an agent is shown as it is.

The "needs you" states (NEEDS_YOU) come from Claude Code's Notification hook (its message or notification_type),
from the `permission` / `waiting` / `rate_limited` screen rules, from the exit status, and (rate-limited) from a
429 recorded in the transcript.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:  # screen rules load YAML: `gt hookevent` needs only the hook layer, so they load on first use
    from gastown_tui.agents.screen_rules import ScreenRules

STATES = ("starting", "working", "idle", "waiting", "waiting-input", "permission-prompt", "errored", "rate-limited",
          "dead")
NEEDS_YOU = ("permission-prompt", "waiting-input", "waiting", "errored", "rate-limited")
"""States in which an agent cannot go on without the Overseer (the "needs you" list), most urgent first; a
rate-limited agent resumes by itself after its retry time, so it comes last."""
# Hook event -> state. Notification is refined by its payload (permission prompts wait for a human).
HOOK_STATES = {"session-start": "starting", "user-prompt-submit": "working", "stop": "idle",
               "notification": "waiting-input", "session-end": "dead"}
# Claude Code Notification payloads: notification_type (newer versions) or the message text (all versions).
_PERMISSION_WORDS = ("permission", "approv", "permission_prompt")
# "Claude is waiting for your input" (idle_prompt) is Claude's 60 s reminder at an empty prompt: idle, not a question.
_INPUT_WORDS = ("question", "elicitation", "needs your input", "asks you")
QUIET_SECONDS = 5.0       # no output for this long counts as quiet
STALE_HOOK_SECONDS = 10.0  # a 'working' hook contradicted by an idle screen this long is stale (Esc interrupts)


SCREEN_STATES = {"permission": "permission-prompt", "waiting": "waiting-input", "dialog": "waiting"}
"""Screen verdicts that outrank the hook: what is on screen now beats the last turn boundary."""


@dataclass(frozen=True)
class HookSignal:
    """The last hook event of the current session."""

    event: str
    ts: float
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    """An agent state and its explanation."""

    state: str
    source: str   # process | hook | screen | activity | usage
    detail: str
    ts: float     # when the deciding signal was observed
    retry_at: float | None = None   # rate-limited: when the runtime (or the witness) retries

    def explain(self, now: float) -> str:
        """One human sentence: the state, the signal that decided it, how long ago."""
        ago = max(0.0, now - self.ts)
        return f"{self.state}: decided by {self.source} ({self.detail}), {ago:.0f}s ago"


def hook_state(signal: HookSignal) -> str:
    """State implied by one hook event."""
    if signal.event == "notification":
        text = signal.detail.lower()
        if any(word in text for word in _PERMISSION_WORDS):
            return "permission-prompt"
        return "waiting-input" if any(word in text for word in _INPUT_WORDS) else "idle"
    return HOOK_STATES.get(signal.event, "working")


def decide(*, alive: bool, exited_at: float | None, started_at: float, now: float, hook: HookSignal | None,
           rules: ScreenRules | None, display: list[str], last_output_at: float | None,
           ready_delay: float = 3.0, exit_status: int | None = None, limited_until: float | None = None) -> Verdict:
    """Combine the layers into one verdict (see the module docstring for the order).

    `limited_until` is the retry time of a rate limit recorded from the transcript (costs.ratelimit.active_limit).
    """
    if not alive:
        # A positive status is the agent failing; a signal (negative) is almost always us stopping it (engine stop,
        # re-sling, handoff), and None is unknown: both stay plain "dead".
        if exit_status is not None and exit_status > 0:
            return Verdict("errored", "process", f"the session's process exited with status {exit_status}",
                           exited_at or now)
        how = f"was stopped by signal {-exit_status}" if exit_status is not None and exit_status < 0 else "has exited"
        return Verdict("dead", "process", f"the session's process {how}", exited_at or now)
    from gastown_tui.agents.screen_rules import classify_screen

    screen = classify_screen(rules, display) if rules is not None else None
    output_ts = last_output_at or started_at
    quiet = now - output_ts
    if screen is not None and screen.state == "rate-limited":
        retry = now + screen.retry_in if screen.retry_in is not None else None
        return Verdict("rate-limited", "screen", screen.rule, output_ts, retry)
    if limited_until is not None and limited_until > now:
        return Verdict("rate-limited", "usage", "a 429/overload in the transcript", now, limited_until)
    if screen is not None and screen.state in SCREEN_STATES:
        return Verdict(SCREEN_STATES[screen.state], "screen", screen.rule, output_ts)
    if hook is not None:
        state = hook_state(hook)
        # no hook fires when a prompt is answered: new output without the prompt on screen says so
        if (screen is not None and state in ("permission-prompt", "waiting-input")
                and screen.state in ("working", "idle") and output_ts > hook.ts):
            return Verdict(str(screen.state), "screen", f"{screen.rule} (prompt answered since hook {hook.event})",
                           output_ts)
        stale = (state == "working" and screen is not None and screen.state == "idle"
                 and quiet >= STALE_HOOK_SECONDS and now - hook.ts >= STALE_HOOK_SECONDS)
        if not stale:
            return Verdict(state, "hook", f"last hook event {hook.event}", hook.ts)
        return Verdict("idle", "screen", f"{screen.rule} (hook {hook.event} is stale)", output_ts)
    if screen is not None and screen.state in ("working", "idle"):
        return Verdict(screen.state, "screen", screen.rule, output_ts)
    if now - started_at < ready_delay and last_output_at is None:
        return Verdict("starting", "activity", "no output yet", started_at)
    if quiet < QUIET_SECONDS:
        return Verdict("working", "activity", f"output {quiet:.1f}s ago", output_ts)
    return Verdict("idle", "activity", f"quiet for {quiet:.0f}s", output_ts)
