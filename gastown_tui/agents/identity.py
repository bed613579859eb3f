"""Who an agent is on disk and in its environment: working directory, branch, and the identity variables.

Every role has one address (records.Address); from it follow the working directory (Mayor `mayor/`, Crew
`<rig>/crew/<name>`, Polecats `<rig>/polecats/<name>`, Dogs `dogs/<name>`), the branch a polecat works on
(`polecat/<name>/<bead-id>`), and the environment a session starts with (GT_TOWN, GT_RIG, GT_ROLE, GT_AGENT,
BD_ACTOR, GT_SESSION, GT_BEAD). The environment is set before the process starts, never typed in later.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gastown_tui.errors import InvalidInput
from gastown_tui.names import validate_bead_id
from gastown_tui.records import Address, parse_address
from gastown_tui.town.paths import TownPaths

# Variables a parent Claude Code session sets that would make a nested agent refuse to start or misreport itself.
_SCRUB = ("CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "GT_BEAD", "GT_SESSION", "GT_AGENT", "GT_ROLE", "GT_RIG",
          "BD_ACTOR", "GT_RUNTIME", "GT_CLAUDE_SESSION")


def agent_cwd(town: TownPaths, address: Address) -> Path:
    """The working directory of the agent at `address`."""
    if address.role == "mayor":
        return town.mayor_dir
    if address.role == "deacon":
        return town.root / "deacon"
    if address.role == "dog":
        return town.root / "dogs" / address.name
    if address.role == "overseer":
        raise InvalidInput("the overseer is a person, not an agent session")
    rig = town.rig(address.rig)
    if address.role == "polecat":
        return rig.polecat(address.name)
    if address.role == "crew":
        return rig.crew(address.name)
    if address.role == "refinery":
        return rig.refinery
    return rig.root / address.role  # witness: a plain directory, no worktree


def polecat_branch(address: Address, bead_id: str) -> str:
    """The branch a polecat works on for one bead: `polecat/<name>/<bead-id>`."""
    return f"polecat/{address.name}/{validate_bead_id(bead_id)}"


def new_session_id() -> str:
    """A fresh session id (a UUID, so runtimes that accept a pre-assigned conversation id can use it as is)."""
    import uuid  # deferred: uuid imports platform (~2 ms of every `gt` call); only a new session needs one

    return str(uuid.uuid4())


def gt_bin_dir() -> str:
    """Directory holding the `gt` console script of this installation (put first on agents' PATH)."""
    return str(Path(sys.executable).parent)


def agent_env(town: TownPaths, address: Address, *, session_id: str, bead_id: str | None = None,
              runtime: str = "", base: dict[str, str] | None = None, extra: dict[str, str] | None = None
              ) -> dict[str, str]:
    """The full environment for an agent session: the base environment plus identity and a usable PATH."""
    env = dict(os.environ if base is None else base)
    for key in _SCRUB:
        env.pop(key, None)
    env.update(extra or {})
    env.update({
        "GT_TOWN": str(town.root),
        "GT_RIG": address.rig,
        "GT_ROLE": address.role,
        "GT_AGENT": str(address),
        "BD_ACTOR": str(address),
        "GT_SESSION": session_id,
        "GT_RUNTIME": runtime,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "PATH": os.pathsep.join([gt_bin_dir(), env.get("PATH", os.defpath)]),
        "PYTHONUNBUFFERED": "1",
    })
    if address.name:
        env["GT_NAME"] = address.name
    if bead_id:
        env["GT_BEAD"] = bead_id
    return env


def address_from_env(env: dict[str, str] | None = None) -> Address | None:
    """The calling agent's address from GT_AGENT (or BD_ACTOR), or None for the Overseer at a shell."""
    source = os.environ if env is None else env
    text = source.get("GT_AGENT") or source.get("BD_ACTOR") or ""
    if not text or text == "overseer":
        return None
    try:
        return parse_address(text)
    except InvalidInput:
        return None


def require_agent(explicit: str | None = None) -> Address:
    """The address given, else the caller's own (GT_AGENT); InvalidInput if neither is known."""
    if explicit:
        return parse_address(explicit)
    address = address_from_env()
    if address is None:
        raise InvalidInput("no agent given and GT_AGENT is not set (run inside an agent session or name one)")
    return address


def actor_name() -> str:
    """The acting identity for ledger writes: the agent's address, else 'overseer'."""
    address = address_from_env()
    return str(address) if address else "overseer"
