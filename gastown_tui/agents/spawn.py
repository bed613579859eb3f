"""Planning a session start: argv, environment, working directory and beacon prompt for one agent.

Pure planning (no process is started here), so tests can check exactly what would run — e.g. that a Claude agent
with a stored conversation id is resumed with `--resume <id>`.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gastown_tui.agents.claude_settings import write_settings
from gastown_tui.agents.datafiles import render_template
from gastown_tui.agents.hooks import hooked_bead
from gastown_tui.agents.identity import agent_cwd, agent_env, new_session_id
from gastown_tui.agents.registry import agent_meta, ensure_agent, update_agent
from gastown_tui.agents.runtimes import (
    Runtime,
    build_argv,
    default_runtime_name,
    get_runtime,
)
from gastown_tui.errors import RuntimeMissing
from gastown_tui.records import Address
from gastown_tui.town.paths import TownPaths


@dataclass(frozen=True)
class SpawnPlan:
    """Everything needed to start one session of an agent."""

    address: Address
    runtime: Runtime
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    session_id: str
    prompt: str
    bead_id: str | None = None
    resume_id: str | None = None          # conversation resumed, if any
    conversation_id: str | None = None    # conversation id known before start (pre-assigned or resumed)
    settings_file: Path | None = None


def recipient_label(address: Address) -> str:
    """How the beacon names the agent (not as a path, so models do not treat it as one)."""
    if address.rig and address.name:
        return f"{address.role} {address.name} (rig: {address.rig})"
    if address.rig:
        return f"{address.role} (rig: {address.rig})"
    return f"{address.role} {address.name}".strip()


def beacon(address: Address, *, sender: str, topic: str, bead_id: str | None, now: float | None = None) -> str:
    """The startup beacon: who, from whom, when, why, and what to do first (GUPP)."""
    when = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() if now is None else now))
    if bead_id:
        instructions = (f"Work is on your hook: {bead_id}. Run `gt prime` for your role, the bead and its current "
                        "step, then begin at once (GUPP: no confirmation needed).")
    else:
        instructions = "Run `gt prime` to load your context, then check `gt hook` and `gt mail inbox`."
    return render_template("beacon", recipient=recipient_label(address), sender=sender, when=when,
                           topic=f"{topic}:{bead_id}" if bead_id else topic, instructions=instructions).strip()


# What to tell a user to install, by runtime name (the program name is shown when a runtime is not listed).
PRODUCTS = {"claude": "Claude Code", "codex": "the Codex CLI", "gemini": "the Gemini CLI", "opencode": "OpenCode",
            "aider": "aider"}
FAILED_STATE = "failed"


def missing_program(runtime: Runtime, path: str | None = None) -> str | None:
    """The one-line reason `runtime` cannot start here (its program is not on PATH), or None if it can."""
    program = build_argv(runtime)[0] if runtime.command else ""
    if not program:
        return f"runtime {runtime.name!r} names no command"
    found = shutil.which(program, path=path if path is not None else os.environ.get("PATH"))
    if found:
        return None
    product = PRODUCTS.get(runtime.name, program)
    return f"{program}: not found on PATH; install {product} or re-sling with --runtime NAME"


def require_program(runtime: Runtime, path: str | None = None) -> None:
    """RuntimeMissing (one line) unless `runtime`'s program can be started; nothing is created before this."""
    reason = missing_program(runtime, path)
    if reason:
        raise RuntimeMissing(reason)


def effective_runtime(town: TownPaths, meta: dict[str, Any], explicit: str | None = None) -> Runtime:
    """The runtime an agent will start with: `explicit`, else its record's, else the town default."""
    name = explicit or meta.get("runtime") or default_runtime_name(town.town_toml)
    return get_runtime(str(name), town.town_toml)


def mark_failed(ledger: Any, address: Address, reason: str) -> None:
    """Record that the agent's session cannot start (state `failed`, one-line `failure`); its hook is kept."""
    update_agent(ledger, address, agent_state=FAILED_STATE, failure=reason, failed_at=time.time())


def ensure_startable(ledger: Any, plan: SpawnPlan) -> None:
    """Before starting `plan`: RuntimeMissing (one line) if its program is not installed, with the agent recorded
    as `failed` and the reason (the town carries on without it); a previous failure is cleared otherwise."""
    reason = missing_program(plan.runtime)
    if reason:
        mark_failed(ledger, plan.address, reason)
        raise RuntimeMissing(f"cannot start {plan.address}: {reason}")
    if agent_meta(ledger.get(plan.address.agent_id)).get("failure"):
        update_agent(ledger, plan.address, failure=None, failed_at=None)


def plan_spawn(town: TownPaths, ledger: Any, address: Address, *, topic: str = "assigned", resume: bool = True,
               sender: str = "overseer", runtime_name: str | None = None) -> SpawnPlan:
    """Plan a session for `address`: its runtime (agent record, else town default), hook, beacon, resume id."""
    agent = ensure_agent(ledger, address)
    meta = agent_meta(agent)
    runtime = effective_runtime(town, meta, runtime_name)
    work = hooked_bead(ledger, address)
    bead_id = work.id if work is not None else None
    session_id = new_session_id()
    stored = meta.get("conversation_id") if resume and runtime.supports_resume else None
    resume_id = str(stored) if stored else None
    conversation_id = resume_id or (session_id if runtime.session_id_flag else None)
    settings_file = write_settings(town, address) if runtime.hooks == "claude" else None
    prompt = beacon(address, sender=sender, topic=topic, bead_id=bead_id)
    argv = build_argv(runtime, prompt=prompt if runtime.prompt_mode in ("arg", "flag") else None,
                      resume_id=resume_id, session_id=session_id, settings_file=settings_file)
    env = agent_env(town, address, session_id=session_id, bead_id=bead_id, runtime=runtime.name,
                    extra=runtime.env)
    return SpawnPlan(address, runtime, argv, env, agent_cwd(town, address), session_id, prompt, bead_id,
                     resume_id, conversation_id, settings_file)
