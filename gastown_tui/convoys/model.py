"""Convoys as beads: create, track, ensure (auto-convoy), close and reopen.

A convoy is a town bead (`hq-` prefix) with `issue_type=convoy`, label `gt:convoy`, and one `tracks` dependency
per tracked bead. `tracks` is non-blocking and may point at a bead of any rig, so a convoy never delays its work.
"""

from __future__ import annotations

from typing import Any

from gastown_tui.errors import InvalidInput, NotFound
from gastown_tui.records import LABEL_CONVOY, TOWN_PREFIX

TRACKS = "tracks"
CONVOY_TYPE = "convoy"


def field_of(obj: Any, name: str, default: Any = None) -> Any:
    """Read `name` from a record that may be a dataclass or a dict (ledger records are read defensively)."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _dep_type(dep: Any) -> str:
    """The type of a dependency record ('type' in the beads JSON shape, 'dep_type' in some APIs)."""
    return str(field_of(dep, "type", None) or field_of(dep, "dep_type", "blocks"))


def is_convoy(bead: Any) -> bool:
    """True if the bead is a convoy record."""
    return field_of(bead, "issue_type") == CONVOY_TYPE or LABEL_CONVOY in (field_of(bead, "labels") or ())


def tracked_ids(ledger: Any, convoy_id: str) -> list[str]:
    """Ids of the beads a convoy tracks, in the order they were added."""
    deps = ledger.dependencies(convoy_id)
    return [str(field_of(d, "depends_on_id")) for d in deps if _dep_type(d) == TRACKS]


def convoys_tracking(ledger: Any, bead_id: str) -> list[Any]:
    """Every convoy bead (open or closed) that tracks `bead_id`."""
    found: list[Any] = []
    for dep in ledger.dependents(bead_id):
        # dependents may hand back dependency records or the dependent beads themselves
        source = field_of(dep, "issue_id") or field_of(dep, "id")
        if field_of(dep, "issue_id") is not None and _dep_type(dep) != TRACKS:
            continue
        try:
            bead = ledger.get(str(source))
        except NotFound:
            continue
        if is_convoy(bead):
            found.append(bead)
    return found


def get_convoy(ledger: Any, convoy_id: str) -> Any:
    """The convoy bead `convoy_id` (partial ids resolved); NotFound / InvalidInput if it is not a convoy."""
    bead = ledger.get(ledger.resolve(convoy_id))
    if not is_convoy(bead):
        raise InvalidInput(f"{bead.id} is a {bead.issue_type}, not a convoy")
    return bead


def create_convoy(ledger: Any, name: str, bead_ids: list[str] | tuple[str, ...] = (), *, actor: str | None = None,
                  auto: bool = False, notify: str = "overseer") -> Any:
    """Create a convoy named `name` tracking `bead_ids` (each must exist); returns the convoy bead."""
    from gastown_tui.faults import fault_point

    resolved = [ledger.resolve(b) for b in bead_ids]  # every bead must exist before anything is created
    with ledger.transaction():  # the convoy and all its `tracks` edges commit together, or nothing does
        convoy = ledger.create(name, prefix=TOWN_PREFIX, issue_type=CONVOY_TYPE, labels=[LABEL_CONVOY],
                               actor=actor, metadata={"auto": auto, "notify": notify})
        fault_point("convoy:created")
        for bead_id in resolved:
            ledger.add_dep(convoy.id, bead_id, TRACKS, actor=actor)
    return ledger.get(convoy.id)


def add_to_convoy(ledger: Any, convoy_id: str, bead_ids: list[str] | tuple[str, ...], *,
                  actor: str | None = None) -> Any:
    """Track more beads; a closed convoy reopens because it now has unfinished work."""
    with ledger.transaction():
        convoy = get_convoy(ledger, convoy_id)
        already = set(tracked_ids(ledger, convoy.id))
        for raw in bead_ids:
            bead_id = ledger.resolve(raw)
            if bead_id == convoy.id:
                raise InvalidInput("a convoy cannot track itself")
            if bead_id not in already:
                ledger.add_dep(convoy.id, bead_id, TRACKS, actor=actor)
                already.add(bead_id)
        if convoy.status == "closed":
            ledger.reopen(convoy.id, actor=actor)
    return ledger.get(convoy.id)


def ensure_convoy(ledger: Any, bead_id: str, *, actor: str | None = None) -> str:
    """Id of a convoy tracking `bead_id`, creating an auto-convoy ("Work: <title>") if none tracks it.

    An open convoy is preferred; a closed one that tracks the bead is reopened, because slinging the bead again means
    its work is not finished.
    """
    with ledger.transaction():
        bead = ledger.get(bead_id)
        existing = convoys_tracking(ledger, bead.id)
        for convoy in existing:
            if convoy.status != "closed":
                return str(convoy.id)
        if existing:
            ledger.reopen(existing[0].id, actor=actor)
            return str(existing[0].id)
        return str(create_convoy(ledger, f"Work: {bead.title}"[:500], [bead.id], actor=actor, auto=True).id)


def close_convoy(ledger: Any, convoy_id: str, *, reason: str = "closed by overseer",
                 actor: str | None = None) -> Any:
    """Close a convoy by hand (the deacon closes landed convoys itself)."""
    convoy = get_convoy(ledger, convoy_id)
    return ledger.close(convoy.id, reason=reason, actor=actor)


def list_convoys(ledger: Any, *, include_closed: bool = False) -> list[Any]:
    """Convoy beads, oldest first."""
    beads = ledger.list(issue_type=CONVOY_TYPE, include_closed=include_closed)
    return sorted(beads, key=lambda b: (str(field_of(b, "created_at", "")), str(b.id)))
