"""Keeping SQLite and `.beads/*.jsonl` in step: import-if-changed (content hash), export of dirty prefixes, commit.

Rule from beads' data-loss history: never export a store that has not absorbed the current JSONL. Every export
runs import-if-changed first, inside the same write transaction, and refuses to overwrite a file with bad lines.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from gastown_tui.errors import LedgerError
from gastown_tui.ledger import ids, jsonl, readiness
from gastown_tui.ledger.model import ImportReport
from gastown_tui.town.paths import TownPaths

_META = "jsonl:"


def _stat_key(path: Path) -> tuple[int, int] | None:
    """(size, mtime_ns) of `path`, or None if it is missing."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


def _stored(conn: sqlite3.Connection, path: Path) -> dict[str, object]:
    """What we recorded about `path` the last time we imported or exported it."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_META + path.name,)).fetchone()
    return json.loads(row[0]) if row else {}


def _record(conn: sqlite3.Connection, path: Path, digest: str) -> None:
    """Remember `path`'s content hash (and stat, to skip re-hashing an untouched file)."""
    size, mtime_ns = _stat_key(path) or (0, 0)
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                 (_META + path.name, json.dumps({"sha256": digest, "size": size, "mtime_ns": mtime_ns})))


def stale_files(conn: sqlite3.Connection, paths: TownPaths) -> list[Path]:
    """JSONL files whose size or mtime differ from what we recorded (cheap: no reading, no hashing)."""
    if not paths.beads_dir.is_dir():
        return []
    stale = []
    for path in sorted(paths.beads_dir.glob("*.jsonl")):
        stored = _stored(conn, path)
        if [stored.get("size"), stored.get("mtime_ns")] != list(_stat_key(path) or ()):
            stale.append(path)
    return stale


def import_file(conn: sqlite3.Connection, path: Path, *, prefix_hint: str | None,
                record_hash: bool) -> ImportReport:
    """Import one JSONL file in the caller's transaction: good lines land, bad lines are reported."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerError(f"cannot read {path}: {exc.strerror}") from exc
    report = ImportReport(path)
    good, report.errors = jsonl.parse_file(path, data)
    touched = jsonl.import_records(conn, path, good, report, prefix_hint)
    if touched:
        readiness.refresh_all(conn)
        ids.forget_counts(conn)
    if record_hash and not report.errors:
        _record(conn, path, jsonl.sha256(data))
    return report


def import_if_changed(conn: sqlite3.Connection, paths: TownPaths) -> list[ImportReport]:
    """Import every `.beads/<prefix>.jsonl` whose content hash differs from the one recorded (caller's tx)."""
    reports = []
    for path in stale_files(conn, paths):
        data = path.read_bytes()
        if _stored(conn, path).get("sha256") == jsonl.sha256(data):
            _record(conn, path, jsonl.sha256(data))  # touched (git checkout), not changed
            continue
        reports.append(import_file(conn, path, prefix_hint=path.stem, record_hash=True))
    return reports


def export(conn: sqlite3.Connection, paths: TownPaths, *, full: bool = False) -> list[Path]:
    """Rewrite the JSONL of every dirty prefix (all with `full`); unchanged content is not rewritten.

    Returns the files actually written. Caller holds the write transaction, so no writer can slip in between
    the import check and the write.
    """
    bad = [r for r in import_if_changed(conn, paths) if r.errors]
    if bad:
        raise LedgerError(f"refusing to export over {bad[0].path}, which has malformed lines: {bad[0].errors[0]}")
    prefixes = {r[0] for r in conn.execute("SELECT prefix FROM dirty_prefixes")}
    with_beads = {r[0] for r in conn.execute("SELECT DISTINCT prefix FROM issues WHERE ephemeral = 0")}
    # A prefix whose file is missing is exported even if not dirty (first export, or someone deleted the file).
    prefixes |= {p for p in with_beads if full or not paths.jsonl_for_prefix(p).exists()}
    if full and paths.beads_dir.is_dir():
        prefixes |= {p.stem for p in paths.beads_dir.glob("*.jsonl")}
    written = []
    for prefix in sorted(prefixes):
        path = paths.jsonl_for_prefix(prefix)
        data = jsonl.render(conn, prefix)
        if not data and not path.exists():
            continue
        current = path.read_bytes() if path.exists() else None
        if current != data:
            jsonl.write_atomic(path, data)
            written.append(path)
        _record(conn, path, jsonl.sha256(data))
    conn.execute("DELETE FROM dirty_prefixes")
    return written


def git_commit(root: Path, message: str) -> str | None:
    """`git add .beads && git commit` in the town repo; return the new commit sha, or None if nothing changed."""
    import git  # GitPython is slow to import: only commands that commit pay for it

    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise LedgerError(f"town {root} is not a git repository: {exc}") from exc
    beads = os.path.join(root, ".beads")
    if not os.path.isdir(beads):
        return None
    repo.git.add("--all", "--", ".beads")
    if repo.head.is_valid() and not repo.index.diff("HEAD", paths=[".beads"]):
        return None  # "nothing to commit" is the normal case for a quiet town
    if not repo.head.is_valid() and not list(repo.index.entries):
        return None
    repo.git.commit("-m", message, "--", ".beads")
    return repo.head.commit.hexsha
