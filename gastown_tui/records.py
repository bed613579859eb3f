"""Conventions for Gas Town records kept as beads (agents, hooks, mail, convoys, merge requests, escalations).

Follows `reference/beads.md` §7: typed with labels (and custom issue types), so one query language and one view
serve them all. Every package uses these constants rather than spelling strings itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gastown_tui.errors import InvalidInput
from gastown_tui.names import validate_name, validate_rig_name

TOWN_PREFIX = "hq"

# Custom issue types Gas Town registers on top of the beads built-ins.
CUSTOM_TYPES = ("agent", "role", "rig", "convoy", "slot", "queue", "event", "message", "molecule", "gate",
                "merge-request")

# Labels that mark record kinds.
LABEL_AGENT = "gt:agent"
LABEL_MESSAGE = "gt:message"
LABEL_MERGE_REQUEST = "gt:merge-request"
LABEL_ESCALATION = "gt:escalation"
LABEL_CONVOY = "gt:convoy"
LABEL_HANDOFF = "gt:handoff"
LABEL_NUDGE = "gt:nudge"

# Statuses beyond the beads defaults that Gas Town uses.
STATUS_HOOKED = "hooked"

# Roles.
ROLES = ("overseer", "mayor", "deacon", "dog", "witness", "refinery", "polecat", "crew")

_ADDRESS_RE = re.compile(r"^(?:(mayor|deacon|overseer)/?|([a-z][a-z0-9_-]*)/(witness|refinery)|"
                         r"([a-z][a-z0-9_-]*)/(polecats|crew)/([a-z][a-z0-9_-]*)|dogs/([a-z][a-z0-9_-]*))$")


@dataclass(frozen=True)
class Address:
    """A mail / agent address: `mayor/`, `deacon/`, `overseer`, `<rig>/witness`, `<rig>/refinery`,
    `<rig>/polecats/<name>`, `<rig>/crew/<name>`, `dogs/<name>`."""

    role: str
    rig: str = ""
    name: str = ""

    def __str__(self) -> str:
        if self.role in ("mayor", "deacon"):
            return f"{self.role}/"
        if self.role == "overseer":
            return "overseer"
        if self.role in ("witness", "refinery"):
            return f"{self.rig}/{self.role}"
        if self.role == "dog":
            return f"dogs/{self.name}"
        return f"{self.rig}/{'polecats' if self.role == 'polecat' else 'crew'}/{self.name}"

    @property
    def agent_id(self) -> str:
        """The stable bead id of this agent's identity record (e.g. `hq-mayor`, `hq-myrig-polecat-nux`)."""
        if self.role in ("mayor", "deacon", "overseer"):
            return f"{TOWN_PREFIX}-{self.role}"
        if self.role == "dog":
            return f"{TOWN_PREFIX}-dog-{self.name}"
        if self.role in ("witness", "refinery"):
            return f"{TOWN_PREFIX}-{self.rig}-{self.role}"
        return f"{TOWN_PREFIX}-{self.rig}-{self.role}-{self.name}"


def parse_address(text: str) -> Address:
    """Parse an address string, raising InvalidInput with the accepted forms if it is not one."""
    match = _ADDRESS_RE.match(text.strip())
    if not match:
        raise InvalidInput(
            f"invalid address {text!r}: use mayor/, deacon/, overseer, <rig>/witness, <rig>/refinery, "
            "<rig>/polecats/<name>, <rig>/crew/<name> or dogs/<name>"
        )
    town_role, rig_a, rig_role, rig_b, group, name, dog = match.groups()
    if town_role:
        return Address(town_role)
    if rig_a:
        return Address(rig_role, rig=validate_rig_name(rig_a))
    if dog:
        return Address("dog", name=validate_name("dog", dog))
    role = "polecat" if group == "polecats" else "crew"
    return Address(role, rig=validate_rig_name(rig_b), name=validate_name(role, name))
