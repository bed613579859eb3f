"""The versioned wire format: every API dataclass as one JSON line, `{"v": 1, "t": <tag>, "d": <fields>}`.

A request adds `"id": <int>`; its reply carries `"re": <that id>` and either the result's tag and fields or
`"t": "Failure"`. Lines without `id`/`re` are events. Tags are class names, registered by `@wire`. Fields are
encoded from the dataclass's type hints: str/int/float/bool/None as JSON, `bytes` as base64 text, tuples as
arrays, `dict[str, X]` as objects, nested dataclasses as objects (a field typed with a union of dataclasses
carries its own `{"t", "d"}`). Decoding checks the version and the tag and raises `WireError` (one line) on
anything else, so a newer client talking to an older engine fails clearly instead of misreading fields.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from gastown_tui.errors import GastownError

WIRE_VERSION = 1
"""Bump when a field changes meaning or is removed; adding a field with a default is not a new version."""
MAX_LINE = 8 << 20
"""The largest line either side accepts (a full 300x100 pane snapshot is ~100 kB)."""

T = TypeVar("T")
_REGISTRY: dict[str, type[Any]] = {}
_HINTS: dict[type[Any], dict[str, Any]] = {}


class WireError(GastownError):
    """A line that is not a valid message of this wire version."""


def wire(cls: type[T]) -> type[T]:
    """Register a frozen dataclass under its class name (decorate every command, result, row and event)."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} must be a dataclass to go on the wire")
    existing = _REGISTRY.get(cls.__name__)
    if existing is not None and existing is not cls:
        raise TypeError(f"wire tag {cls.__name__!r} is already taken by {existing.__module__}")
    _REGISTRY[cls.__name__] = cls
    return cls


def registered() -> dict[str, type[Any]]:
    """Tag -> class for every registered type (tests round-trip all of them)."""
    return dict(_REGISTRY)


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def to_data(value: Any) -> Any:
    """A dataclass (or field value) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (tuple, list)):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def _tagged(value: Any) -> dict[str, Any]:
    return {"t": type(value).__name__, "d": to_data(value)}


def _union_of_dataclasses(args: tuple[Any, ...]) -> bool:
    real = [a for a in args if a is not type(None)]
    return len(real) > 1 and all(dataclasses.is_dataclass(a) for a in real)


def _encode_field(value: Any, hint: Any) -> Any:
    """Like to_data, but a value under a union-of-dataclasses hint keeps its tag."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType) and _union_of_dataclasses(typing.get_args(hint)):
        return None if value is None else _tagged(value)
    if origin is tuple and value is not None:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return [_encode_field(item, args[0]) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encode_obj(value)
    return to_data(value)


def _encode_obj(value: Any) -> dict[str, Any]:
    """Fields equal to their default are left out (the decoder fills them in): pane rows stay small."""
    hints = _hints(type(value))
    out = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if f.default is not dataclasses.MISSING and type(item) is type(f.default) and item == f.default:
            continue
        out[f.name] = _encode_field(item, hints[f.name])
    return out


def from_data(hint: Any, data: Any) -> Any:
    """Rebuild a value of type `hint` from JSON data (WireError on a mismatch)."""
    if hint is Any or hint is object:
        return data
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        if _union_of_dataclasses(args):
            if not isinstance(data, dict) or data.get("t") not in _REGISTRY:
                raise WireError(f"expected a tagged object, got {data!r:.80}")
            return from_data(_REGISTRY[data["t"]], data.get("d"))
        real = [a for a in args if a is not type(None)]
        return from_data(real[0], data)
    if origin is typing.Literal:
        if data not in args:
            raise WireError(f"{data!r:.40} is not one of {args}")
        return data
    if origin is tuple:
        if not isinstance(data, list):
            raise WireError(f"expected an array, got {type(data).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_data(args[0], item) for item in data)
        return tuple(from_data(a, item) for a, item in zip(args, data, strict=True))
    if origin is dict:
        if not isinstance(data, dict):
            raise WireError(f"expected an object, got {type(data).__name__}")
        return {str(k): from_data(args[1] if args else Any, v) for k, v in data.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(data, dict):
            raise WireError(f"{hint.__name__} needs an object, got {type(data).__name__}")
        hints = _hints(hint)
        kwargs = {}
        for f in dataclasses.fields(hint):
            if f.name in data:
                kwargs[f.name] = from_data(hints[f.name], data[f.name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise WireError(f"{hint.__name__} is missing field {f.name!r}")
        return hint(**kwargs)
    return _scalar(hint, data)


_SCALARS: dict[Any, Callable[[Any], bool]] = {
    str: lambda d: isinstance(d, str), bool: lambda d: isinstance(d, bool),
    int: lambda d: isinstance(d, int) and not isinstance(d, bool),
    float: lambda d: isinstance(d, (int, float)) and not isinstance(d, bool),
    type(None): lambda d: d is None,
}


def _scalar(hint: Any, data: Any) -> Any:
    if hint is bytes:
        if not isinstance(data, str):
            raise WireError("expected base64 text for bytes")
        try:
            return base64.b64decode(data, validate=True)
        except ValueError:
            raise WireError("bad base64 in a bytes field") from None
    check = _SCALARS.get(hint)
    if check is None:
        raise WireError(f"no wire encoding for {hint!r}")
    if not check(data):
        raise WireError(f"expected {getattr(hint, '__name__', hint)}, got {type(data).__name__}")
    return float(data) if hint is float else data


@dataclasses.dataclass(frozen=True)
class Envelope:
    """One decoded line: the message, and the request id (`id`) or the id it answers (`re`)."""

    message: Any
    id: int | None = None
    re: int | None = None


def encode(message: Any, *, id: int | None = None, re: int | None = None) -> bytes:
    """One wire line (with the trailing newline) for a registered dataclass."""
    tag = type(message).__name__
    if _REGISTRY.get(tag) is not type(message):
        raise TypeError(f"{tag} is not a registered wire type (decorate it with @wire)")
    line: dict[str, Any] = {"v": WIRE_VERSION, "t": tag, "d": _encode_obj(message)}
    if id is not None:
        line["id"] = id
    if re is not None:
        line["re"] = re
    return json.dumps(line, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def decode(line: bytes | str) -> Envelope:
    """Parse one wire line; WireError names what was wrong."""
    if len(line) > MAX_LINE:
        raise WireError(f"line of {len(line)} bytes exceeds the {MAX_LINE} byte limit")
    try:
        raw = json.loads(line)
    except ValueError as exc:
        raise WireError(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise WireError("a wire line must be a JSON object")
    if raw.get("v") != WIRE_VERSION:
        raise WireError(f"wire version {raw.get('v')!r} is not supported (this side speaks {WIRE_VERSION})")
    tag = raw.get("t")
    cls = _REGISTRY.get(tag) if isinstance(tag, str) else None
    if cls is None:
        raise WireError(f"unknown message type {tag!r}")
    ids = {k: raw[k] for k in ("id", "re") if isinstance(raw.get(k), int)}
    return Envelope(from_data(cls, raw.get("d", {})), ids.get("id"), ids.get("re"))
