"""Which agents have an earlier session a séance can ask: session ids per agent, read from the feed incrementally.

The séance command asks an agent's latest session other than the live one (`agents.seance.past_sessions`); the
TUI checks the same before it opens the dialog. Reading the whole feed every snapshot would cost ~the feed's size,
so each feed file is read once from where the last read stopped (a shrunk file, e.g. rotated, is read again).
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from gastown_tui.engine.api.rows import AgentRow

_lock = threading.Lock()
_seen: dict[Path, tuple[int, dict[str, list[str]]]] = {}
"""feed file -> (bytes read, address -> its session ids in start order)."""


def session_ids(events_file: Path) -> dict[str, tuple[str, ...]]:
    """Every recorded session id per agent address (from `session.start` feed lines), oldest first."""
    from gastown_tui.events import read_events

    with _lock:
        offset, ids = _seen.get(events_file, (0, {}))
        try:
            size = events_file.stat().st_size
        except OSError:
            size = 0
        if size < offset:  # the feed was replaced: start over
            offset, ids = 0, {}
        events, offset = read_events(events_file, offset)
        for event in events:
            if event.kind != "session.start":
                continue
            address, sid = str(event.data.get("address") or ""), str(event.data.get("session_id") or "")
            if address and sid and sid not in ids.setdefault(address, []):
                ids[address].append(sid)
        _seen[events_file] = (offset, ids)
        return {address: tuple(found) for address, found in ids.items()}


def with_previous_sessions(rows: tuple[AgentRow, ...], ids: dict[str, tuple[str, ...]]) -> tuple[AgentRow, ...]:
    """The rows with `has_previous_session` set: a recorded session other than the live one exists."""
    out = []
    for row in rows:
        earlier = any(sid != row.session_id for sid in ids.get(row.address, ()))
        out.append(dataclasses.replace(row, has_previous_session=earlier) if earlier else row)
    return tuple(out)
