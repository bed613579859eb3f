"""Validation of names and ids that become paths, branches or addresses, so nothing escapes the town."""

from __future__ import annotations

import re

from gastown_tui.errors import InvalidInput

# Lower-case start, then letters, digits, '-' and '_'; no dots, slashes or spaces, so a name is always one path
# component and one git ref component, and never needs quoting.
_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_PREFIX_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_BEAD_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")

RESERVED = frozenset({"mayor", "deacon", "overseer", "witness", "refinery", "polecats", "crew", "dogs", "gastown"})


def validate_name(kind: str, name: str) -> str:
    """Return `name` if it is a safe rig/agent name, else raise InvalidInput naming the kind and the value."""
    if not _NAME_RE.match(name or ""):
        raise InvalidInput(
            f"invalid {kind} name {name!r}: use 1-40 characters a-z, 0-9, '-' or '_', starting with a letter"
        )
    return name


def validate_rig_name(name: str) -> str:
    """A rig name is a safe name that does not shadow a town-level directory."""
    validate_name("rig", name)
    if name in RESERVED or name.startswith("."):
        raise InvalidInput(f"invalid rig name {name!r}: it is reserved")
    return name


def validate_prefix(prefix: str) -> str:
    """Return `prefix` if it is a valid bead id prefix (like 'gt' or 'my-app')."""
    if not _PREFIX_RE.match(prefix or "") or len(prefix) > 20:
        raise InvalidInput(f"invalid prefix {prefix!r}: use lower-case letters and digits, optionally joined by '-'")
    return prefix


def validate_bead_id(bead_id: str) -> str:
    """Return `bead_id` if it could be a bead id (or a prefix of one); refuse path separators and the like."""
    if not _BEAD_ID_RE.match(bead_id or "") or ".." in bead_id:
        raise InvalidInput(f"invalid bead id {bead_id!r}")
    return bead_id
