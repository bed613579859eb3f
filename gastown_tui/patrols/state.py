"""Ledger-backed patrol state: pause flags, next-run times and run history in the ledger's meta table.

The engine's scheduler and the `gt patrol` commands (separate processes) share this, so a pause typed at the
shell is honoured by the running engine and `gt patrol status` shows what the engine last did.
"""

from __future__ import annotations

import json
from typing import Any

from gastown_tui.scheduler import RunOutcome

HISTORY_KEEP = 200  # outcomes kept in meta (the run wisps themselves are GC'd by age)
_PAUSED = "patrol.paused"
_HISTORY = "patrol.history"
_NEXT = "patrol.next"


class LedgerStateStore:
    """PatrolStateStore on `ledger.meta_get` / `ledger.meta_set` (JSON values)."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger

    def _read(self, key: str, default: Any) -> Any:
        """JSON value stored under `key`, or `default`."""
        raw = self.ledger.meta_get(key)
        if raw in (None, ""):
            return default
        try:
            return json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return default

    def _write(self, key: str, value: Any) -> None:
        """Store `value` as JSON under `key`."""
        self.ledger.meta_set(key, json.dumps(value, sort_keys=True))

    def is_paused(self, name: str) -> bool:
        """True if the patrol is paused."""
        return name in self._read(_PAUSED, [])

    def set_paused(self, name: str, paused: bool) -> None:
        """Persist the pause flag (read-modify-write in one transaction)."""
        with self.ledger.transaction():
            names = set(self._read(_PAUSED, []))
            (names.add if paused else names.discard)(name)
            self._write(_PAUSED, sorted(names))

    def paused_names(self) -> list[str]:
        """Every paused patrol."""
        return list(self._read(_PAUSED, []))

    def record(self, outcome: RunOutcome) -> None:
        """Append one outcome, keeping the newest HISTORY_KEEP."""
        with self.ledger.transaction():
            runs = self._read(_HISTORY, [])
            runs.append(outcome.to_dict())
            self._write(_HISTORY, runs[-HISTORY_KEEP:])

    def history(self, name: str | None = None, limit: int = 50) -> list[RunOutcome]:
        """Recent outcomes, newest last."""
        runs = [RunOutcome.from_dict(r) for r in self._read(_HISTORY, [])]
        return [r for r in runs if name is None or r.patrol == name][-limit:]

    def set_next(self, name: str, when: float, interval: float) -> None:
        """Persist the next run time and interval of a patrol."""
        with self.ledger.transaction():
            table = self._read(_NEXT, {})
            table[name] = {"next_run": when, "interval": interval}
            self._write(_NEXT, table)

    def next_runs(self) -> dict[str, dict[str, float]]:
        """Next run time and interval per patrol, as last written by a scheduler."""
        return dict(self._read(_NEXT, {}))
