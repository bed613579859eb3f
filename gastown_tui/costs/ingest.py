"""Incremental, resumable reading of Claude Code transcripts into the usage tables.

Only this town's project directories are opened (Claude names them after the session's cwd, and every agent's cwd
is inside the town). Each file is read from its stored offset to its last complete line; a file that was replaced
(new inode) or shrank is read again from the start, which is safe because turns are keyed by message id.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gastown_tui.costs import store
from gastown_tui.costs.attribution import SLUG_MAX, Attributor, slug
from gastown_tui.costs.config import load_config
from gastown_tui.costs.transcript import RateLimitHit, Turn, parse_line
from gastown_tui.town.paths import TownPaths

MAX_CHUNK = 8 * 1024 * 1024  # bytes read per file per pass: a huge backlog is absorbed over several passes


@dataclass(frozen=True)
class IngestReport:
    """What one pass read."""

    files: int        # transcript files looked at
    read_bytes: int
    new_turns: int
    rate_limits: int


def transcript_files(town: TownPaths, dirs: tuple[Path, ...]) -> list[Path]:
    """This town's transcript files (`<dir>/<slug of a cwd under the town>/*.jsonl`)."""
    prefix = slug(town.root.resolve())
    if len(prefix) >= SLUG_MAX:  # agents' names are cut to SLUG_MAX chars (plus a hash): match on the cut part
        prefix = prefix[:SLUG_MAX]

    def ours(name: str) -> bool:
        return name == prefix or name.startswith(prefix if len(prefix) == SLUG_MAX else prefix + "-")

    found: list[Path] = []
    for base in dirs:
        try:
            projects = [e for e in os.scandir(base) if e.is_dir() and ours(e.name)]
        except FileNotFoundError:
            continue
        for project in projects:
            found += sorted(Path(project.path).glob("*.jsonl"))
    return found


def _read_new(path: Path, inode: int, offset: int) -> tuple[int, int, bytes] | None:
    """(inode, start, complete-lines bytes) past the stored offset, or None when nothing new."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    start = offset if st.st_ino == inode and st.st_size >= offset else 0
    if st.st_size == start:
        return None
    with path.open("rb") as fh:
        fh.seek(start)
        data = fh.read(MAX_CHUNK)
    end = data.rfind(b"\n")
    if end < 0:
        return None  # a line still being written
    return st.st_ino, start, data[: end + 1]


def ingest(town: TownPaths, ledger: Any, *, now: float | None = None) -> IngestReport:
    """Read every new complete transcript line of this town; store turns and rate-limit hits."""
    from gastown_tui.costs.ratelimit import record_limit

    config = load_config(town)
    files = transcript_files(town, config.claude_dirs)
    attributor = Attributor(town, ledger)
    total_bytes = new_turns = limits = 0
    stamp = time.time() if now is None else now
    for path in files:
        inode, offset = store.file_offset(ledger, str(path))
        chunk = _read_new(path, inode, offset)
        if chunk is None:
            continue
        ino, start, data = chunk
        rows: list[tuple[Turn, dict[str, str]]] = []
        for line in data.splitlines():
            record = parse_line(line)
            if record is None:
                continue
            who = attributor.attribute(record.cwd, getattr(record, "git_branch", ""), record.ts or stamp)
            if who is None:
                continue
            if isinstance(record, RateLimitHit):
                limits += record_limit(ledger, who["agent"], who["runtime"], record.ts or stamp, "transcript",
                                       record.detail, record.retry_after, default=config.rate_limit_backoff)
            else:
                rows.append((record, who))
        total_bytes += len(data)
        new_turns += store.store_turns(ledger, str(path), ino, start, start + len(data), rows, stamp)
    return IngestReport(len(files), total_bytes, new_turns, limits)
