"""Who a transcript turn belongs to: the agent (from the session's working directory inside the town) and the bead
on its hook at that moment (a polecat's branch `polecat/<name>/<bead>` names it exactly; other roles use the hook
recorded on their agent bead when the turn is read, which ingestion runs often enough to follow)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from gastown_tui.errors import GastownError
from gastown_tui.records import Address, parse_address
from gastown_tui.town.paths import TownPaths

_BRANCH = re.compile(r"^polecat/[^/]+/(?P<bead>[a-z][a-z0-9]*-[a-z0-9.]+)$")


SLUG_MAX = 200  # Claude Code cuts longer project names and appends a hash of the full path


def _js_hash(text: str) -> int:
    """Java-style 32-bit string hash over UTF-16 code units (`h = h*31 + c`), as Claude Code computes it."""
    h = 0
    units = text.encode("utf-16-le")
    for i in range(0, len(units), 2):
        h = (h * 31 + int.from_bytes(units[i:i + 2], "little")) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def slug(path: Path | str) -> str:
    """Claude Code's project directory name for a cwd: every character that is not a letter or digit becomes '-';
    names over 200 characters are cut and get `-<base36 hash of the path>` appended."""
    text = str(path)
    name = re.sub(r"[^A-Za-z0-9]", "-", text)
    return name if len(name) <= SLUG_MAX else f"{name[:SLUG_MAX]}-{_base36(abs(_js_hash(text)))}"


def address_for_cwd(town: TownPaths, cwd: str) -> Address | None:
    """The agent whose working directory holds `cwd` (None outside the town or in no agent's directory)."""
    try:
        parts = Path(cwd).resolve().relative_to(town.root.resolve()).parts
    except ValueError:
        return None
    candidates: list[str] = []
    if parts[:1] in (("mayor",), ("deacon",)):
        candidates.append(parts[0] + "/")
    elif len(parts) >= 2 and parts[0] == "dogs":
        candidates.append(f"dogs/{parts[1]}")
    elif len(parts) >= 3 and parts[1] in ("polecats", "crew"):
        candidates.append(f"{parts[0]}/{parts[1]}/{parts[2]}")
    elif len(parts) >= 2 and parts[1] in ("refinery", "witness"):
        candidates.append(f"{parts[0]}/{parts[1]}")
    for text in candidates:
        try:
            return parse_address(text)
        except GastownError:
            return None
    return None


def local_day(ts: float) -> str:
    """The local calendar day of a timestamp (budgets and `--by day` follow the Overseer's clock)."""
    return time.strftime("%Y-%m-%d", time.localtime(ts))


class Attributor:
    """Maps turns to (agent, rig, bead, runtime); caches agent beads for one ingestion pass."""

    def __init__(self, town: TownPaths, ledger: Any) -> None:
        self.town = town
        self.ledger = ledger
        self._meta: dict[str, dict[str, Any]] = {}

    def _agent_meta(self, address: Address) -> dict[str, Any]:
        """The agent bead's metadata ({} if it has none)."""
        key = str(address)
        if key not in self._meta:
            from gastown_tui.agents.registry import get_agent

            try:
                agent = get_agent(self.ledger, address)
            except GastownError:
                agent = None
            self._meta[key] = dict(getattr(agent, "metadata", None) or {}) if agent is not None else {}
        return self._meta[key]

    def attribute(self, cwd: str, git_branch: str, ts: float) -> dict[str, str] | None:
        """Attribution columns for a turn, or None if the turn is not this town's."""
        address = address_for_cwd(self.town, cwd)
        if address is None:
            return None
        meta = self._agent_meta(address)
        match = _BRANCH.match(git_branch)
        bead = match.group("bead") if match and address.role == "polecat" else str(meta.get("hook_bead") or "")
        return {"agent": str(address), "rig": address.rig, "bead": bead, "day": local_day(ts),
                "runtime": str(meta.get("runtime") or "claude")}
