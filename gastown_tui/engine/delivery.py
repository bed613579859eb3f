"""Typing a message into an agent's PTY: paste (bracketed when the agent enabled it), Enter, verify, retry once.

Only called when the agent is idle and the Overseer is not typing in its pane (the caller checks). Verification:
the text shows up on screen, or the agent turns busy (its UserPromptSubmit hook fired / screen says working).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from gastown_tui.agents.nudges import sanitize

if TYPE_CHECKING:
    from gastown_tui.engine.sessions import AgentSession

ENTER = b"\r"
PASTE_SETTLE_SECONDS = 0.3   # let the agent's input widget take the paste before Enter
VERIFY_SECONDS = 5.0     # a hook runtime reports its turn through `gt hookevent` (a process start) + a feed poll
POLL_SECONDS = 0.1
TURN_EVENTS = ("user-prompt-submit", "stop")  # hook events that prove a turn started after our Enter


def _snippet(text: str) -> str:
    """A short piece of the first line, enough to recognise the text on screen."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:24]


def _accepted(session: "AgentSession", snippet: str, hook_before: float, output_before: float | None) -> bool:
    """True if the agent visibly took the input after Enter.

    Runtimes with turn hooks must show it through their own UserPromptSubmit (or a busy screen): the echo of
    typed text alone proves nothing, it is there before Enter. Others: new output after Enter with the text shown.
    """
    # A Stop newer than our Enter counts too: a fast turn's UserPromptSubmit and Stop can arrive in one feed
    # poll, leaving only the Stop for us to see (seen with real Claude Code against an instant model).
    if session.hook is not None and session.hook.ts > hook_before and session.hook.event in TURN_EVENTS:
        return True
    verdict = session.compute(time.time())
    if verdict.state == "working" and verdict.source == "screen":
        return True
    if session.plan.runtime.has_turn_hooks:
        return False
    last = session.pty.last_output_at
    moved = last is not None and (output_before is None or last > output_before)
    return moved and (not snippet or any(snippet in line for line in session.display()))


async def type_into(session: "AgentSession", text: str) -> tuple[bool, int]:
    """Deliver `text` + Enter; returns (verified, attempts). Multi-line text goes as one (bracketed) paste."""
    clean = sanitize(text).strip("\n")
    snippet = _snippet(clean)
    hook_before = session.hook.ts if session.hook is not None else 0.0
    if "\n" in clean:
        session.pty.paste(clean)
    else:
        session.pty.write(clean.encode())
    await asyncio.sleep(PASTE_SETTLE_SECONDS)
    for attempt in (1, 2):
        output_before = session.pty.last_output_at  # after the echo of the typed text
        session.pty.write(ENTER)
        deadline = time.monotonic() + VERIFY_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            if not session.alive:
                return False, attempt
            if _accepted(session, snippet, hook_before, output_before):
                return True, attempt
    return False, 2
