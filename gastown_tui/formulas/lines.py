"""A light line index for TOML: key path -> line number, so formula errors can name `file:line`.

tomllib gives values but no positions; rather than a second full parser we scan headers (`[a.b]`, `[[a.b]]`) and
`key = value` lines, tracking array-of-tables indices the way TOML resolves them (a header component naming an
array of tables refers to its last element). Multi-line strings are skipped so their content never looks like keys.
"""

from __future__ import annotations

import re
from typing import Any

Path_ = tuple[Any, ...]

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY_RE = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=(.*)$")
_PART_RE = re.compile(r"""\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*(?:\.|$)""")


def _split_key(text: str) -> list[str]:
    """Split a dotted TOML key into its components, unquoting quoted parts."""
    parts = []
    for match in _PART_RE.finditer(text):
        part = match.group(1)
        if part[:1] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return parts


def _opens_multiline(value: str) -> str | None:
    """The delimiter of a multi-line string opened (and not closed) in `value`, else None."""
    for delim in ('"""', "'''"):
        idx = value.find(delim)
        if idx >= 0 and value.find(delim, idx + 3) < 0:
            return delim
    return None


def index_lines(text: str) -> dict[Path_, int]:
    """Map every table header and key path in `text` to the 1-based line where it is defined."""
    lines: dict[Path_, int] = {}
    aot_counts: dict[Path_, int] = {}
    current: Path_ = ()
    in_string: str | None = None

    def resolve(parts: list[str]) -> Path_:
        path: Path_ = ()
        for part in parts:
            path = path + (part,)
            if path in aot_counts:
                path = path + (aot_counts[path] - 1,)
        return path

    for lineno, raw in enumerate(text.splitlines(), start=1):
        if in_string:
            if in_string in raw:
                in_string = None
            continue
        header = _HEADER_RE.match(raw)
        if header and not _KEY_RE.match(raw):
            parts = _split_key(header.group(2))
            if header.group(1) == "[[":
                base = resolve(parts[:-1]) + (parts[-1],)
                aot_counts[base] = aot_counts.get(base, 0) + 1
                lines.setdefault(base, lineno)
                current = base + (aot_counts[base] - 1,)
            else:
                current = resolve(parts)
            lines[current] = lineno
            continue
        key = _KEY_RE.match(raw)
        if key:
            path = current + tuple(_split_key(key.group(1)))
            lines.setdefault(path, lineno)
            in_string = _opens_multiline(key.group(2))
    return lines
