"""The base classes every API dataclass builds on: Command[R] (answered by R), Result, Event, and Failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from gastown_tui.engine.api.wire import wire

R = TypeVar("R", bound="Result", covariant=True)


@dataclass(frozen=True)
class Result:
    """Base of everything a command answers with."""


@dataclass(frozen=True)
class Command(Generic[R]):
    """Base of every command; `R` is the result type its handler returns (typed end to end by `call`)."""


@dataclass(frozen=True)
class Event:
    """Base of everything the engine pushes to subscribers (domain events and pane updates)."""


@wire
@dataclass(frozen=True)
class Done(Result):
    """A command that has nothing to say beyond success."""


@wire
@dataclass(frozen=True)
class Created(Result):
    """A command that made something: its id."""

    id: str


@wire
@dataclass(frozen=True)
class Failure(Result):
    """A command failed: the GastownError subclass name and its one-line message."""

    kind: str
    message: str
