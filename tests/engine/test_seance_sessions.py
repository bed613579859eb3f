"""Which agents a séance can ask: session ids per agent read from a real feed file, incrementally."""

from __future__ import annotations

from pathlib import Path

from gastown_tui import events as feed
from gastown_tui.engine.api.rows import AgentRow
from gastown_tui.engine.handlers.seance import session_ids, with_previous_sessions

NUX = "demo/polecats/nux"


def test_session_ids_read_incrementally_and_restart_on_a_new_feed(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    assert session_ids(events) == {}
    feed.emit(events, "session.start", actor="engine", address=NUX, session_id="s1")
    feed.emit(events, "nudge", actor="overseer", address=NUX, session_id="not-a-start")
    assert session_ids(events) == {NUX: ("s1",)}
    feed.emit(events, "session.start", actor="engine", address=NUX, session_id="s2")
    feed.emit(events, "session.start", actor="engine", address=NUX, session_id="s2")  # logged twice: one session
    assert session_ids(events) == {NUX: ("s1", "s2")}
    events.write_text("")  # replaced (rotated): what it said before no longer counts
    feed.emit(events, "session.start", actor="engine", address="demo/polecats/slit", session_id="t1")
    assert session_ids(events) == {"demo/polecats/slit": ("t1",)}


def test_previous_session_means_one_other_than_the_live_one() -> None:
    live = AgentRow(NUX, "nux", "demo", "polecat", "working", session_id="s2")
    fresh = AgentRow("demo/polecats/slit", "slit", "demo", "polecat", "working", session_id="t1")
    off = AgentRow("demo/polecats/furiosa", "furiosa", "demo", "polecat", "off")
    ids = {NUX: ("s1", "s2"), "demo/polecats/slit": ("t1",), "demo/polecats/furiosa": ("f1",)}
    rows = with_previous_sessions((live, fresh, off), ids)
    assert [r.has_previous_session for r in rows] == [True, False, True]
