"""`gt seance`: find an agent's predecessor sessions in the activity feed and ask one of them a question.

Sessions are found from `session.start` events (written by the engine at spawn) and `agent.hook` session-start
events (which carry the runtime's own conversation id, e.g. Claude's). `--talk` runs the runtime's resume + fork +
print flags non-interactively in the agent's working directory, so the predecessor's memory answers without
being changed.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from typing import Any

from gastown_tui.agents.identity import agent_cwd, agent_env, new_session_id
from gastown_tui.agents.runtimes import build_fork_argv, get_runtime
from gastown_tui.errors import Ambiguous, NotFound
from gastown_tui.events import iter_events
from gastown_tui.records import Address
from gastown_tui.town.paths import TownPaths

TALK_TIMEOUT = 300.0


@dataclass
class PastSession:
    """One predecessor session of an agent."""

    session_id: str
    started: float
    runtime: str
    conversation_id: str = ""
    bead: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"session_id": self.session_id, "conversation_id": self.conversation_id, "runtime": self.runtime,
                "started": self.started, "bead": self.bead}


def past_sessions(town: TownPaths, address: Address) -> list[PastSession]:
    """Every recorded session of `address`, oldest first."""
    found: dict[str, PastSession] = {}
    for event in iter_events(town.events, {"session.start", "agent.hook"}):
        data = event.data
        if data.get("address") != str(address):
            continue
        sid = str(data.get("session_id") or data.get("session") or "")
        if not sid:
            continue
        if event.kind == "session.start":
            found.setdefault(sid, PastSession(sid, event.ts, str(data.get("runtime", ""))))
            found[sid].bead = str(data.get("bead") or "")
            found[sid].conversation_id = found[sid].conversation_id or str(data.get("conversation_id") or "")
        elif data.get("event") == "session-start" and data.get("conversation_id"):
            entry = found.setdefault(sid, PastSession(sid, event.ts, ""))
            entry.conversation_id = str(data["conversation_id"])
    return sorted(found.values(), key=lambda s: s.started)


def owner_of_session(town: TownPaths, ident: str) -> Address:
    """The agent whose recorded session (or conversation) id starts with `ident`, so `gt seance --talk ID`
    works without naming the agent; NotFound / Ambiguous when the feed names none or several."""
    from gastown_tui.records import parse_address

    owners: set[str] = set()
    for event in iter_events(town.events, {"session.start", "agent.hook"}):
        data = event.data
        ids = (str(data.get("session_id") or data.get("session") or ""), str(data.get("conversation_id") or ""))
        if data.get("address") and any(i and i.startswith(ident) for i in ids):
            owners.add(str(data["address"]))
    if not owners:
        raise NotFound(f"no session {ident!r} in the activity feed (see `gt seance AGENT`)")
    if len(owners) > 1:
        raise Ambiguous(f"session {ident!r} matches sessions of several agents: {', '.join(sorted(owners))}")
    return parse_address(owners.pop())


def find_session(town: TownPaths, address: Address, ident: str) -> PastSession:
    """The past session whose session id or conversation id starts with `ident`."""
    sessions = past_sessions(town, address)
    # a session id names one session; a conversation id may be shared by sessions that resumed it
    matches = [s for s in sessions if s.session_id.startswith(ident)]
    if not matches:
        matches = [s for s in sessions if s.conversation_id and s.conversation_id.startswith(ident)][-1:]
    if not matches:
        raise NotFound(f"no session {ident!r} of {address} in the activity feed (see `gt seance`)")
    if len(matches) > 1:
        raise Ambiguous(f"session {ident!r} is ambiguous: {', '.join(m.session_id for m in matches)}")
    return matches[0]


def talk(town: TownPaths, address: Address, ident: str, question: str, *, runtime_name: str | None = None) -> str:
    """Ask a forked copy of a predecessor session `question`; returns its answer (stdout)."""
    past = find_session(town, address, ident)
    runtime = get_runtime(runtime_name or past.runtime or "claude", town.town_toml)
    argv = build_fork_argv(runtime, past.conversation_id or past.session_id, question)
    env = agent_env(town, address, session_id=new_session_id(), runtime=runtime.name, extra=runtime.env)
    env["GT_SEANCE"] = past.session_id
    cwd = agent_cwd(town, address)
    try:
        done = subprocess.run(argv, cwd=cwd if cwd.is_dir() else town.root, env=env, text=True,
                              capture_output=True, timeout=TALK_TIMEOUT, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise NotFound(f"runtime {runtime.name!r} is not installed ({argv[0]} not found)") from None
    except subprocess.TimeoutExpired:
        raise NotFound(f"the seance with {past.session_id} did not answer within {TALK_TIMEOUT:.0f}s") from None
    return done.stdout if done.returncode == 0 else done.stdout + done.stderr
