"""Shared pieces of the formula parser: the located-error context and type checks that name `file:line: field`."""

from __future__ import annotations

from typing import Any

from gastown_tui.formulas.schema import FormulaError, Loc


class Ctx:
    """Parsing context: the source name and the key -> line index."""

    def __init__(self, source: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.source = source
        self.lines = lines
        # parent path -> {last key: line}, built once: scanning `lines` per step was quadratic (10k steps: 150 s)
        self.children: dict[tuple[Any, ...], dict[Any, int]] = {}
        for key, line in lines.items():
            if key:
                self.children.setdefault(key[:-1], {})[key[-1]] = line

    def field_lines(self, path: tuple[Any, ...]) -> dict[str, int]:
        """The lines of the keys directly under `path` (a step's or loop's own fields)."""
        return {str(k): v for k, v in self.children.get(path, {}).items()}

    def loc(self, path: tuple[Any, ...]) -> Loc:
        """Location of `path`, or of its nearest parent with a known line."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return Loc(self.source, self.lines[path[:end]])
        return Loc(self.source, 1)

    def fail(self, path: tuple[Any, ...], name: str, problem: str) -> FormulaError:
        """An error located at `path`, naming field `name`."""
        return self.loc(path).error(name, problem)


def want(ctx: Ctx, path: tuple[Any, ...], name: str, value: Any, kind: type | tuple[type, ...],
          what: str) -> Any:
    """Return `value` if it has type `kind` (bools are not ints), else raise a located error."""
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        raise ctx.fail(path, name, f"must be {what}, got {type(value).__name__} {value!r}")
    return value


def str_list(ctx: Ctx, path: tuple[Any, ...], name: str, value: Any) -> list[str]:
    """A list of strings (a single string is accepted as a one-element list)."""
    if isinstance(value, str):
        return [value]
    want(ctx, path, name, value, list, "a list of strings")
    for item in value:
        want(ctx, path, name, item, str, "a list of strings")
    return list(value)


def opt_bool(ctx: Ctx, path: tuple[Any, ...], name: str, raw: dict[str, Any], key: str, default: Any) -> Any:
    """`raw[key]` as a bool (located error otherwise), or `default` when absent."""
    field = f"{name}.{key}" if name else key
    return want(ctx, path + (key,), field, raw[key], bool, "true or false") if key in raw else default


def opt_str(ctx: Ctx, path: tuple[Any, ...], name: str, raw: dict[str, Any], key: str, default: Any) -> Any:
    """`raw[key]` as a string (located error otherwise), or `default` when absent."""
    field = f"{name}.{key}" if name else key
    return want(ctx, path + (key,), field, raw[key], str, "a string") if key in raw else default
