"""Bead ids: adaptive-length base-36 hash ids, `<parent>.N` child ids, and partial-id resolution (beads §2)."""

from __future__ import annotations

import math
import re
import sqlite3
import time

from gastown_tui.errors import Ambiguous, Conflict, InvalidInput, NotFound

MIN_LENGTH, MAX_LENGTH = 3, 8
MAX_COLLISION_PROB = 0.25
MAX_HIERARCHY_DEPTH = 3
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
PREFIX_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_ID_CHARS_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


def validate_prefix(prefix: str) -> str:
    """A prefix is lower-case letters/digits, hyphen-separated (e.g. `hq`, `gt`, `beads-vscode`)."""
    if not PREFIX_RE.match(prefix or "") or len(prefix) > 30:
        raise InvalidInput(f"invalid id prefix {prefix!r}: lower-case letters and digits, e.g. 'hq' or 'gt'")
    return prefix


def validate_explicit_id(bead_id: str) -> str:
    """Explicit ids (`--id`) must be non-empty, at most 200 chars, and free of spaces and odd characters."""
    if not _ID_CHARS_RE.match(bead_id or "") or len(bead_id) > 200:
        raise InvalidInput(f"invalid bead id {bead_id!r}: letters, digits, '-', '.', '_' or ':' only")
    return bead_id


def _bytes_for_length(length: int) -> int:
    """How many digest bytes feed a suffix of `length` base-36 digits (beads' table)."""
    return 2 if length <= 3 else 3 if length == 4 else 4 if length <= 6 else 5


def hash_suffix(title: str, description: str, creator: str, created_ns: int, nonce: int, length: int) -> str:
    """The base-36 suffix of `length` digits from SHA-256(title|description|creator|created_ns|nonce)."""
    import hashlib  # deferred: loading OpenSSL costs ~2 ms of every `gt` call, and only creating a bead hashes

    digest = hashlib.sha256(f"{title}|{description}|{creator}|{created_ns}|{nonce}".encode()).digest()
    number = int.from_bytes(digest[:_bytes_for_length(length)], "big")
    digits = []
    while number:
        number, rem = divmod(number, 36)
        digits.append(_ALPHABET[rem])
    text = "".join(reversed(digits)) or "0"
    return text.rjust(length, "0")[-length:]


def adaptive_length(count: int) -> int:
    """Smallest length whose birthday-bound collision probability for `count` ids stays under the limit."""
    for length in range(MIN_LENGTH, MAX_LENGTH + 1):
        if 1 - math.exp(-(count * count) / (2 * 36 ** length)) <= MAX_COLLISION_PROB:
            return length
    return MAX_LENGTH


def _exists(conn: sqlite3.Connection, bead_id: str) -> bool:
    return conn.execute("SELECT 1 FROM issues WHERE id = ?", (bead_id,)).fetchone() is not None


def new_hash_id(conn: sqlite3.Connection, stem: str, title: str, description: str, creator: str) -> str:
    """A fresh `<stem>-<hash>` id, checked free inside the caller's write transaction (so it cannot race).

    The number of existing top-level ids under the stem (which sets the length) is cached in `meta` and bumped on
    each create: counting 100k ids on every create cost ~10 ms under the write lock. Imports and deletes drop the
    cache; a slightly stale count only shifts the length, since every candidate is checked for existence anyway.
    """
    key = f"idcount:{stem}"
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        count = conn.execute("SELECT COUNT(*) FROM issues WHERE id >= ? AND id < ? AND instr(id, '.') = 0",
                             (stem + "-", stem + "-\U0010ffff")).fetchone()[0]
    else:
        count = int(row[0])
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, str(count + 1)))
    created_ns = time.time_ns()
    for length in range(adaptive_length(count), MAX_LENGTH + 1):
        for nonce in range(10):
            candidate = f"{stem}-{hash_suffix(title, description, creator, created_ns, nonce, length)}"
            if not _exists(conn, candidate):
                return candidate
    raise Conflict(f"could not find a free id under {stem!r} after trying every length")


def new_child_id(conn: sqlite3.Connection, parent_id: str) -> str:
    """The next `<parent>.N`: one past the larger of the stored counter and the highest existing sibling."""
    if parent_id.count(".") >= MAX_HIERARCHY_DEPTH:
        raise InvalidInput(f"cannot nest under {parent_id}: at most {MAX_HIERARCHY_DEPTH} levels of child ids")
    row = conn.execute("SELECT last_child FROM child_counters WHERE parent_id = ?", (parent_id,)).fetchone()
    highest = row[0] if row else 0
    for (child,) in conn.execute("SELECT id FROM issues WHERE id >= ? AND id < ?",
                                 (parent_id + ".", parent_id + ".\U0010ffff")):
        tail = child[len(parent_id) + 1:]
        if tail.isdigit():
            highest = max(highest, int(tail))
    number = highest + 1
    conn.execute("INSERT INTO child_counters(parent_id, last_child) VALUES (?, ?) "
                 "ON CONFLICT(parent_id) DO UPDATE SET last_child = excluded.last_child", (parent_id, number))
    return f"{parent_id}.{number}"


def known_prefixes(conn: sqlite3.Connection) -> list[str]:
    """Every prefix in use, longest first (so `beads-vscode` is tried before `beads`)."""
    rows = conn.execute("SELECT DISTINCT prefix FROM issues").fetchall()
    return sorted((r[0] for r in rows), key=lambda p: (-len(p), p))


def prefix_of(bead_id: str, prefixes: list[str]) -> str:
    """The prefix an id belongs to: the longest known prefix it starts with, else its first hyphen segment."""
    for prefix in prefixes:
        if bead_id.startswith(prefix + "-"):
            return prefix
    head = bead_id.split("-", 1)[0]
    return head.lower() if PREFIX_RE.match(head.lower()) else "bd"


def resolve(conn: sqlite3.Connection, text: str, default_prefix: str) -> str:
    """Resolve what the user typed to one id: exact, then `<prefix>-text`, then unique substring of a hash part."""
    typed = (text or "").strip()
    if not typed:
        raise InvalidInput("empty bead id")
    if _exists(conn, typed):
        return typed
    prefixes = known_prefixes(conn) or [default_prefix]
    for prefix in dict.fromkeys([default_prefix, *prefixes]):
        if _exists(conn, f"{prefix}-{typed}"):
            return f"{prefix}-{typed}"
    fragment = typed
    for prefix in prefixes:
        if typed.startswith(prefix + "-"):
            fragment = typed[len(prefix) + 1:]
            break
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute("SELECT id, prefix FROM issues WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 200",
                        (f"%{escaped}%",)).fetchall()
    matches = [bead_id for bead_id, prefix in rows if fragment in bead_id[len(prefix) + 1:]]
    exact = [bead_id for bead_id, prefix in rows if bead_id[len(prefix) + 1:] == fragment]
    if len(exact) == 1:
        return exact[0]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no bead found matching {typed!r}")
    shown = ", ".join(matches[:10]) + (f", ... ({len(matches)} in all)" if len(matches) > 10 else "")
    raise Ambiguous(f"ambiguous id {typed!r} matches {shown}; use more characters")


def forget_counts(conn: sqlite3.Connection) -> None:
    """Drop the cached id counts (after bulk imports or deletes change how many ids exist)."""
    conn.execute("DELETE FROM meta WHERE key LIKE 'idcount:%'")
