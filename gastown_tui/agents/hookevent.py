"""`gt hookevent EVENT`: what runtime hooks call at session start and turn boundaries (Claude's command hooks; the
scripted agent calls it itself). Records the event on the agent bead and in the feed (state layer 1), and prints
what the agent should see: prime context at session start, queued nudges and a mail notice at prompt submit.
"""

from __future__ import annotations

import json
import os
import time

from gastown_tui import events as feed
from gastown_tui.agents.registry import ensure_agent, update_agent
from gastown_tui.agents.state import HOOK_STATES, HookSignal, hook_state
from gastown_tui.errors import InvalidInput
from gastown_tui.records import Address
from gastown_tui.town.paths import TownPaths

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

EVENTS = tuple(HOOK_STATES) + ("pre-compact",)
MAX_PAYLOAD = 1_000_000  # characters of hook JSON read; a runtime's payload is a few KB
_ALIASES = {"SessionStart": "session-start", "UserPromptSubmit": "user-prompt-submit", "Stop": "stop",
            "Notification": "notification", "SessionEnd": "session-end", "PreCompact": "pre-compact"}


def normalize_event(name: str) -> str:
    """Accept our names and Claude's (SessionStart, ...); InvalidInput otherwise."""
    event = _ALIASES.get(name, name)
    if event not in EVENTS:
        raise InvalidInput(f"unknown hook event {name!r} (known: {', '.join(EVENTS)})")
    return event


def parse_payload(text: str) -> dict[str, Any]:
    """The hook's stdin JSON (Claude sends session_id, transcript_path, source, message...); {} if absent, bad,
    over MAX_PAYLOAD or nested too deeply to parse (a hook must never break the agent's turn)."""
    if len(text) > MAX_PAYLOAD:
        return {}
    try:
        value = json.loads(text) if text.strip() else {}
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def record_hook_event(town: TownPaths, ledger: Any, address: Address, event: str, payload: dict[str, Any],
                      *, session: str | None = None, now: float | None = None) -> str:
    """Record `event` for `address` and return the text to print for the agent."""
    ts = time.time() if now is None else now
    session = session if session is not None else os.environ.get("GT_SESSION", "")
    detail = str(payload.get("message") or payload.get("notification_type") or payload.get("source") or "")[:200]
    ensure_agent(ledger, address)
    # drain before announcing the turn: a nudge queued after the engine saw this turn start waits for the next one
    text = turn_start_notice(ledger, address) if event == "user-prompt-submit" else ""
    changes: dict[str, Any] = {"last_hook": {"event": event, "ts": ts, "session": session, "detail": detail},
                               "last_activity": ts,
                               "agent_state": hook_state(HookSignal(event, ts, detail))}
    conversation = payload.get("session_id")
    if isinstance(conversation, str) and conversation:
        changes["conversation_id"] = conversation
    update_agent(ledger, address, **changes)
    feed.emit(town.events, "agent.hook", actor=str(address), address=str(address), event=event, session=session,
              detail=detail, conversation_id=conversation if isinstance(conversation, str) else "")
    if event == "session-start":
        from gastown_tui.agents.prime import prime_context  # only at session start: keep `gt hookevent stop` cheap

        return prime_context(town, ledger, address).render()
    return text


def turn_start_notice(ledger: Any, address: Address) -> str:
    """Queued nudges (drained now, so each is seen once) and a count of unread mail."""
    from gastown_tui.agents.nudges import drain_nudges, format_nudge
    from gastown_tui.mail.mailbox import inbox

    lines = [format_nudge(n.sender, n.text) for n in drain_nudges(ledger, address, actor=str(address))]
    unread = inbox(ledger, str(address))
    if unread:
        lines.append(f"You have {len(unread)} unread message(s): `gt mail inbox`.")
    if not lines:
        return ""
    body = "\n".join(lines)
    return f"<system-reminder>\nBackground notes for you (continue your current work unless they say otherwise):\n" \
           f"{body}\n</system-reminder>\n"
