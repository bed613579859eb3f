"""A TOML file bound to its path: load/save with tomlkit (comments and layout kept) and typed, validated getters.

Every bad value is reported as InvalidInput naming the file and the dotted field, e.g.
`town.toml: scheduler.max_polecats: expected an integer, got "x"`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.toml_document import TOMLDocument

from gastown_tui.errors import InvalidInput, NotFound, read_text
from gastown_tui.names import validate_prefix

_MISSING = object()


def show(value: Any) -> str:
    """A value as it would read in TOML-ish text: strings double-quoted, the rest as Python shows it."""
    value = value.unwrap() if hasattr(value, "unwrap") else value
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _umask() -> int:
    """The process umask (reading it requires setting it; restored at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class TomlFile:
    """A TOML document bound to its path and a display name used in error messages."""

    def __init__(self, path: Path, doc: TOMLDocument, label: str) -> None:
        """Wrap an already parsed document (use `load` to read one from disk)."""
        self.path, self.doc, self.label = path, doc, label

    @classmethod
    def load(cls, path: Path, label: str | None = None) -> "TomlFile":
        """Parse `path`; NotFound if missing, InvalidInput with the line on a syntax error."""
        label = label or path.name
        try:
            text = read_text(path)  # invalid UTF-8 is named with the file and byte offset
        except FileNotFoundError:
            raise NotFound(f"{label}: file not found ({path})") from None
        try:
            return cls(path, tomlkit.parse(text), label)
        except ParseError as exc:
            raise InvalidInput(f"{label}: line {exc.line}: invalid TOML: {' '.join(str(exc).split())}") from None

    def save(self) -> None:
        """Write atomically (temp file + rename) so a crash never leaves half a config."""
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(tomlkit.dumps(self.doc))
            # mkstemp makes 0600; keep the file's mode, or the usual umask-filtered 0666 for a new file
            os.chmod(tmp, self.path.stat().st_mode & 0o7777 if self.path.exists() else 0o666 & ~_umask())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def error(self, field: str, problem: str) -> InvalidInput:
        """An InvalidInput naming this file and `field`."""
        return InvalidInput(f"{self.label}: {field}: {problem}")

    def raw(self, field: str, default: Any = _MISSING) -> Any:
        """The plain Python value at dotted `field` (tables as dicts); `default` if absent, else InvalidInput."""
        node: Any = self.doc
        for part in field.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is _MISSING:
                    raise self.error(field, "missing")
                return default
            node = node[part]
        return node.unwrap() if hasattr(node, "unwrap") else node

    def set(self, field: str, value: Any) -> None:
        """Set dotted `field`, creating tables on the way; comments and the rest of the layout stay as they were."""
        *tables, key = field.split(".")
        node: Any = self.doc
        for part in tables:
            if part not in node:
                node[part] = tomlkit.table()
            node = node[part]
            if not isinstance(node, dict):
                raise self.error(field, f"{part!r} is not a table")
        node[key] = value

    def string(self, field: str, default: Any = _MISSING, *, allow_empty: bool = True) -> str:
        """A string field."""
        value = self.raw(field, default)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise self.error(field, f"expected a {'non-empty ' if not allow_empty else ''}string, got {show(value)}")
        return value

    def integer(self, field: str, default: Any = _MISSING, *, minimum: int | None = None) -> int:
        """An integer field (booleans are not integers here), optionally at least `minimum`."""
        value = self.raw(field, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(field, f"expected an integer, got {show(value)}")
        if minimum is not None and value < minimum:
            raise self.error(field, f"expected an integer >= {minimum}, got {value}")
        return value

    def seconds(self, field: str, default: Any = _MISSING) -> float:
        """A positive duration in seconds (integer or float)."""
        value = self.raw(field, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise self.error(field, f"expected a positive number of seconds, got {show(value)}")
        return float(value)

    def table(self, field: str, default: Any = _MISSING) -> dict[str, Any]:
        """A table field as a plain dict."""
        value = self.raw(field, default)
        if not isinstance(value, dict):
            raise self.error(field, f"expected a table, got {show(value)}")
        return dict(value)

    def prefix_value(self, field: str, default: Any = _MISSING) -> str:
        """A bead-id prefix field, validated."""
        value = self.string(field, default)
        try:
            return validate_prefix(value)
        except InvalidInput as exc:
            raise self.error(field, str(exc)) from None
