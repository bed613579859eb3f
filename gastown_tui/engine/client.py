"""The CLI side of the control socket (legacy op protocol): `request`, `engine_running`, and `subscribe`.

The transport lives in `gastown_tui.control_socket` (domain code uses it without importing the engine); typed
clients use `gastown_tui.engine.api`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from gastown_tui.control_socket import EngineBusy, connect_socket, engine_running, request
from gastown_tui.errors import EngineNotRunning
from gastown_tui.town.paths import TownPaths

__all__ = ["EngineBusy", "EngineNotRunning", "engine_running", "request", "subscribe"]


def subscribe(paths: TownPaths, *, output: bool = False, timeout: float | None = None) -> Iterator[dict[str, Any]]:
    """Yield the engine's bus events (as dicts with `type`) until the engine stops or the caller stops iterating."""
    sock = connect_socket(paths.engine_sock)
    sock.settimeout(timeout)
    try:
        sock.sendall((json.dumps({"op": "subscribe", "output": output}) + "\n").encode())
        with sock.makefile("rb") as lines:
            for line in lines:
                yield json.loads(line)["event"]
    finally:
        sock.close()
