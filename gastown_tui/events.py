"""The activity feed: `.gastown/events.jsonl`, one JSON object per line, appended safely by many processes.

Every process (agents calling `gt`, the engine, patrols) appends here; the engine tails the file and turns new
lines into in-process events for the UI bridge. Appends take an exclusive flock so lines never interleave.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class Event:
    """One feed entry: what happened (`kind`, e.g. 'mol.step_done'), when, who did it, and details."""

    kind: str
    ts: float
    actor: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """Serialise as one compact JSON line (no trailing newline)."""
        return json.dumps({"kind": self.kind, "ts": self.ts, "actor": self.actor, **self.data}, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> "Event":
        """Parse one feed line."""
        raw = json.loads(line)
        kind = raw.pop("kind")
        ts = raw.pop("ts")
        actor = raw.pop("actor", "")
        return cls(kind=kind, ts=ts, actor=actor, data=raw)


def default_actor() -> str:
    """The acting identity from the environment (agents have BD_ACTOR / GT_AGENT), else 'overseer'."""
    return os.environ.get("BD_ACTOR") or os.environ.get("GT_AGENT") or "overseer"


def emit(events_file: Path, kind: str, *, actor: str | None = None, ts: float | None = None, **data: Any) -> Event:
    """Append one event to the feed file and return it; creates the file (mode 0600) if needed."""
    event = Event(kind=kind, ts=time.time() if ts is None else ts, actor=actor or default_actor(), data=data)
    line = (event.to_json() + "\n").encode()
    events_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(events_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            os.write(fd, line)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return event


def read_events(events_file: Path, offset: int = 0) -> tuple[list[Event], int]:
    """Read complete event lines from byte `offset`; return them and the offset after the last complete line.

    A partial last line (a writer mid-append) is left for the next call; an unparsable line is skipped.
    """
    if not events_file.exists():
        return [], offset
    with events_file.open("rb") as fh:
        fh.seek(offset)
        chunk = fh.read()
    end = chunk.rfind(b"\n")
    if end < 0:
        return [], offset
    events: list[Event] = []
    for raw in chunk[: end + 1].splitlines():
        try:
            events.append(Event.from_json(raw.decode("utf-8", "replace")))
        except (ValueError, KeyError, TypeError):
            continue
    return events, offset + end + 1


def iter_events(events_file: Path, kinds: set[str] | None = None) -> Iterator[Event]:
    """Iterate over every event in the feed, optionally only the given kinds."""
    events, _ = read_events(events_file, 0)
    for event in events:
        if kinds is None or event.kind in kinds:
            yield event
