"""The in-process event bus: synchronous fan-out of DomainEvents to subscribers on the engine's loop."""

from __future__ import annotations

import logging
from collections.abc import Callable

from gastown_tui.engine.events import DomainEvent

log = logging.getLogger(__name__)

Subscriber = Callable[[DomainEvent], None]


class EventBus:
    """Publish/subscribe; a failing subscriber is logged and never stops delivery to the others."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self.published = 0

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(event)` for every future event; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: DomainEvent) -> None:
        """Deliver `event` to every subscriber, in subscription order."""
        self.published += 1
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:  # a UI bug must not take the engine down
                log.exception("bus subscriber %r failed on %s", callback, type(event).__name__)
