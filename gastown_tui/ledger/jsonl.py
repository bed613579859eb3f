"""JSONL persistence: byte-stable encoding, import (merge by id, last writer wins) and atomic export.

Encoding matches what beads' Go encoder writes (compact separators, UTF-8, `<`, `>`, `&`, U+2028/9 escaped) and
keys follow the Go struct order, so importing a real beads file and exporting it gives the same bytes back.

Import policy for malformed input: each bad line is reported as `file:line: problem` and skipped; all the good
lines land together in the caller's single transaction (never half a line, never half a file). A file with bad lines
is not marked as absorbed, and exporting over it is refused, so the bad line's bead is never silently dropped.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import defaultdict
from pathlib import Path

from gastown_tui.ledger import ids as idmod
from gastown_tui.ledger.model import (COLUMNS, COMMENT_KEYS, DEP_KEYS, Bead, Comment, Dependency, ImportReport,
                                      ordered, to_unix)
from gastown_tui.ledger.schema import validate_status, validate_type

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCALARS = tuple(c for c in COLUMNS if c not in ("id",))


def encode(obj: dict[str, Any]) -> str:
    """One JSONL line (without newline), byte-compatible with beads' Go encoder."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    if any(ch in text for ch in _GO_ESCAPES):
        text = "".join(_GO_ESCAPES.get(ch, ch) for ch in text)
    return text


def sha256(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    import hashlib  # deferred: loading OpenSSL costs ~2 ms of every `gt` call; only a changed JSONL is hashed

    return hashlib.sha256(data).hexdigest()


def _check(raw: Any) -> dict[str, Any]:
    """Validate one parsed line (loosely, as beads' import does); return it or raise ValueError saying why."""
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    if not isinstance(raw.get("id"), str) or not raw["id"]:
        raise ValueError("missing or empty 'id'")
    title = raw.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= 500:
        raise ValueError("'title' must be a string of 1-500 characters")
    if "\x00" in title:
        raise ValueError("'title' contains a NUL character")
    for key, validator in (("status", validate_status), ("issue_type", validate_type)):
        if key in raw:
            try:
                validator(raw[key], importing=True)
            except Exception as exc:  # InvalidInput: re-worded as a line problem
                raise ValueError(str(exc)) from None
    if "priority" in raw and (isinstance(raw["priority"], bool) or not isinstance(raw["priority"], int)
                              or not 0 <= raw["priority"] <= 4):
        raise ValueError(f"invalid priority {raw['priority']!r} (0-4)")
    for key, kind in (("labels", str), ("dependencies", dict), ("comments", dict)):
        value = raw.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, kind) for v in value)):
            raise ValueError(f"'{key}' must be a list of {'strings' if kind is str else 'objects'}")
    for dep in raw.get("dependencies") or []:
        if not isinstance(dep.get("depends_on_id"), str) or not dep["depends_on_id"]:
            raise ValueError("a dependency lacks 'depends_on_id'")
    for key in ("description", "design", "acceptance_criteria", "notes"):
        if key in raw and not isinstance(raw[key], str):
            raise ValueError(f"'{key}' must be a string")
    return raw


def parse_file(path: Path, data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Parse every line; return (line number, object) for good lines and `file:line: problem` for bad ones."""
    good: list[tuple[int, dict[str, Any]]] = []
    errors: list[str] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            good.append((number, _check(json.loads(line))))
        except UnicodeDecodeError as exc:
            errors.append(f"{path}:{number}: not UTF-8 ({exc.reason})")
        except json.JSONDecodeError as exc:
            errors.append(f"{path}:{number}: invalid JSON ({exc.msg} at column {exc.colno})")
        except ValueError as exc:
            errors.append(f"{path}:{number}: {exc}")
    return good, errors


def import_records(conn: sqlite3.Connection, path: Path, records: list[tuple[int, dict[str, Any]]],
                   report: ImportReport, prefix_hint: str | None) -> list[str]:
    """Merge parsed records into the store (caller's transaction); return the ids created or changed.

    Per bead, the newer `updated_at` wins (ties go to the file); the winner's labels, dependencies and comments
    replace the loser's. Beads in the store but absent from the file are kept (they may be new local work).
    """
    prefixes = idmod.known_prefixes(conn)
    touched: list[str] = []
    for number, raw in records:
        try:
            line_hash = sha256(encode(ordered(raw)).encode())
        except UnicodeEncodeError:  # a \udcxx escape decodes to a lone surrogate: it could never be exported
            report.errors.append(f"{path}:{number}: text is not valid Unicode (lone surrogate escape)")
            continue
        bead_id = raw["id"]
        row = conn.execute("SELECT content_hash, updated_unix FROM issues WHERE id = ?", (bead_id,)).fetchone()
        incoming_unix = to_unix(raw.get("updated_at")) or 0.0
        if row is not None:
            if row[0] == line_hash:
                report.unchanged += 1
                continue
            if row[1] > incoming_unix:
                report.skipped_older += 1
                continue
        prefix = prefix_hint if prefix_hint and bead_id.startswith(prefix_hint + "-") \
            else idmod.prefix_of(bead_id, prefixes)
        _write_record(conn, raw, prefix, line_hash, exists=row is not None)
        touched.append(bead_id)
        if row is None:
            report.created += 1
        else:
            report.updated += 1
    return touched


def _write_record(conn: sqlite3.Connection, raw: dict[str, Any], prefix: str, line_hash: str, *,
                  exists: bool) -> None:
    """Insert or replace one bead with its labels, dependencies and comments."""
    bead_id = raw["id"]
    known = set(COLUMNS) | {"labels", "dependencies", "comments"}
    extra = {k: v for k, v in raw.items() if k not in known}
    values: dict[str, Any] = {c: raw.get(c) for c in _SCALARS}
    for key in ("description", "design", "acceptance_criteria", "notes"):
        values[key] = values[key] or ""
    values["status"] = raw.get("status") or "open"
    values["priority"] = raw.get("priority", 2)
    values["issue_type"] = raw.get("issue_type") or "task"
    values["ephemeral"] = 1 if raw.get("ephemeral") else 0
    if raw.get("ephemeral") not in (None, True):
        extra["ephemeral"] = raw["ephemeral"]  # keep an explicit `false` exactly as written
    values["metadata"] = json.dumps(raw["metadata"]) if "metadata" in raw else None
    values["created_at"] = raw.get("created_at") or raw.get("updated_at") or ""
    values["updated_at"] = raw.get("updated_at") or values["created_at"]
    row = {**values, "id": bead_id, "prefix": prefix, "extra": json.dumps(extra) if extra else None,
           "content_hash": line_hash, "created_unix": to_unix(values["created_at"]) or 0.0,
           "updated_unix": to_unix(values["updated_at"]) or 0.0, "defer_unix": to_unix(values["defer_until"])}
    if exists:
        for table in ("labels", "dependencies", "comments"):
            conn.execute(f"DELETE FROM {table} WHERE issue_id = ?", (bead_id,))
        conn.execute(f"UPDATE issues SET {', '.join(f'{k} = :{k}' for k in row if k != 'id')} WHERE id = :id", row)
    else:
        conn.execute(f"INSERT INTO issues ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row)
    conn.executemany("INSERT OR IGNORE INTO labels(issue_id, label, seq) VALUES (?, ?, ?)",
                     [(bead_id, label, n) for n, label in enumerate(raw.get("labels") or [])])
    for n, dep in enumerate(raw.get("dependencies") or []):
        dep_extra = {k: v for k, v in dep.items() if k not in DEP_KEYS}
        metadata = dep.get("metadata")
        conn.execute(
            "INSERT OR REPLACE INTO dependencies(issue_id, depends_on_id, type, created_at, created_by, metadata, "
            "thread_id, extra, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (bead_id, dep["depends_on_id"], dep.get("type") or "blocks", dep.get("created_at") or "",
             dep.get("created_by"), metadata if isinstance(metadata, str) or metadata is None else json.dumps(metadata),
             dep.get("thread_id"), json.dumps(dep_extra) if dep_extra else None, n))
    for n, comment in enumerate(raw.get("comments") or []):
        c_extra = {k: v for k, v in comment.items() if k not in COMMENT_KEYS}
        conn.execute("INSERT OR REPLACE INTO comments(id, issue_id, author, text, created_at, extra, seq) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (comment.get("id", n), bead_id, comment.get("author") or "", comment.get("text") or "",
                      comment.get("created_at") or "", json.dumps(c_extra) if c_extra else None, n))


def load_beads(conn: sqlite3.Connection, where: str, params: Any = ()) -> list[Bead]:
    """Load beads matching an SQL condition on `issues` (aliased `i`), with labels, dependencies and comments."""
    beads = [Bead.from_row(r) for r in conn.execute(f"SELECT i.* FROM issues i WHERE {where}", params)]
    if not beads:
        return beads
    by_id = {b.id: b for b in beads}
    labels: dict[str, list[str]] = defaultdict(list)
    deps: dict[str, list[Dependency]] = defaultdict(list)
    comments: dict[str, list[Comment]] = defaultdict(list)
    # Drive the part queries from the ids we already have (one JSON array parameter), not by re-running `where`.
    sub, sub_params = "IN (SELECT value FROM json_each(?))", (json.dumps(list(by_id)),)
    for r in conn.execute(f"SELECT issue_id, label FROM labels WHERE issue_id {sub} ORDER BY issue_id, seq, label",
                          sub_params):
        labels[r[0]].append(r[1])
    for r in conn.execute(f"SELECT * FROM dependencies WHERE issue_id {sub} ORDER BY issue_id, seq, created_at, "
                          "depends_on_id", sub_params):
        deps[r["issue_id"]].append(Dependency.from_row(r))
    for r in conn.execute(f"SELECT * FROM comments WHERE issue_id {sub} ORDER BY issue_id, seq, created_at",
                          sub_params):
        comments[r["issue_id"]].append(Comment.from_row(r))
    for bead_id, bead in by_id.items():
        bead.labels, bead.dependencies, bead.comments = labels[bead_id], deps[bead_id], comments[bead_id]
    return beads


def render(conn: sqlite3.Connection, prefix: str) -> bytes:
    """The full JSONL content for `prefix`: persistent beads sorted by id, one per line."""
    beads = load_beads(conn, "i.prefix = ? AND i.ephemeral = 0", (prefix,))
    beads.sort(key=lambda b: b.id)
    return "".join(encode(b.to_dict()) + "\n" for b in beads).encode()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temp file in the same directory and os.replace (readers never see half)."""
    import tempfile  # deferred (with `random`, which it imports): reads never write a file

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
