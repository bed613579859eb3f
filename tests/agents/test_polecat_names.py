"""The polecat name pool never runs out: after the data file's names come numbered generations."""

from __future__ import annotations

from gastown_tui.agents.datafiles import polecat_names
from gastown_tui.agents.polecats import _unused_names
from gastown_tui.names import validate_name


def test_pool_names_come_first_then_numbered_generations() -> None:
    pool = polecat_names()
    assert _unused_names(set(), want=3) == pool[:3]
    taken = set(pool)
    extra = _unused_names(taken, want=len(pool) + 2)
    assert extra[: len(pool)] == [f"{n}2" for n in pool]
    assert extra[len(pool):] == [f"{pool[0]}3", f"{pool[1]}3"]
    assert all(validate_name("polecat", n) for n in extra)  # every generated name is a safe path/branch part


def test_forty_busy_names_still_leave_fresh_ones() -> None:
    pool = polecat_names()
    taken = set(pool) | {f"{n}2" for n in pool[:12]}
    fresh = _unused_names(taken)
    assert fresh and not (set(fresh) & taken)
