"""The wire format: every registered API dataclass round-trips; bad lines fail with one clear line."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gastown_tui.engine.api as api
from gastown_tui.engine.api.base import Command
from gastown_tui.engine.dispatch import handled_commands

TYPES = sorted(api.registered().items())
JSON_SCALARS = st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=20)
JSON = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _strategy(cls: type) -> st.SearchStrategy[object]:
    # dict[str, Any] fields (FeedEvent.data) hold JSON values; everything else hypothesis derives from the hints.
    st.register_type_strategy(dict, st.dictionaries(st.text(max_size=8), JSON, max_size=3))
    return st.from_type(cls)


def _has_nan(value: object) -> bool:
    """NaN != NaN, at any depth (rows nest in results: AgentRows.agents[i].since)."""
    if isinstance(value, float):
        return value != value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_has_nan(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, (tuple, list)):
        return any(_has_nan(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nan(item) for item in value.values())
    return False


@pytest.mark.parametrize(("tag", "cls"), TYPES, ids=[tag for tag, _ in TYPES])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_type_round_trips(tag: str, cls: type, data: st.DataObject) -> None:
    value = data.draw(_strategy(cls).filter(lambda v: not _has_nan(v)))
    line = api.encode(value, id=5)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    envelope = api.decode(line)
    assert envelope.id == 5 and type(envelope.message) is cls
    assert envelope.message == value


def test_defaults_are_left_out_and_bytes_are_base64() -> None:
    raw = json.loads(api.encode(api.TypeKeys("demo/polecats/nux", b"\x1b[A")))
    assert raw == {"v": 1, "t": "TypeKeys", "d": {"address": "demo/polecats/nux", "data": "G1tB"}}
    raw = json.loads(api.encode(api.Nudge("a", "hi"), id=3))
    assert "sender" not in raw["d"] and raw["id"] == 3


@pytest.mark.parametrize(("line", "needle"), [
    (b'{"v": 2, "t": "Ping", "d": {}}', "wire version 2"),
    (b'{"v": 1, "t": "Nope", "d": {}}', "unknown message type 'Nope'"),
    (b'{"v": 1, "t": "Nudge", "d": {"address": "a"}}', "missing field 'message'"),
    (b'{"v": 1, "t": "Peek", "d": {"address": "a", "lines": "x"}}', "expected int"),
    (b'{"v": 1, "t": "TypeKeys", "d": {"address": "a", "data": "!!"}}', "base64"),
    (b"[1]", "must be a JSON object"),
    (b"{nope", "not JSON"),
])
def test_bad_lines_fail_with_one_line(line: bytes, needle: str) -> None:
    with pytest.raises(api.WireError) as info:
        api.decode(line)
    assert needle in info.value.one_line() and "\n" not in info.value.one_line()


def test_unregistered_types_are_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Stray:
        x: int = 0

    with pytest.raises(TypeError, match="not a registered wire type"):
        api.encode(Stray())


def test_every_command_has_a_handler() -> None:
    commands = {cls for _, cls in TYPES if issubclass(cls, Command)}
    missing = sorted(cls.__name__ for cls in commands - handled_commands())
    assert not missing, f"commands without a handler: {missing}"
