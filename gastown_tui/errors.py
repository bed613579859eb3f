"""User-facing errors: one clear line, a non-zero exit, never a traceback."""

from __future__ import annotations


class GastownError(Exception):
    """An error caused by user or agent input; the CLI prints its message on one line and exits non-zero."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def one_line(self) -> str:
        """The message squeezed onto a single line."""
        return " ".join(str(self).split())


class NotFound(GastownError):
    """A named thing (bead, rig, agent, formula, town) does not exist."""


class Ambiguous(GastownError):
    """A partial id or name matches more than one thing; the message lists the candidates."""


class InvalidInput(GastownError):
    """A value failed validation (status, priority, name, TOML field, ...)."""


class Conflict(GastownError):
    """The operation conflicts with current state (cycle, already claimed, unmerged work, ...)."""


class LedgerError(GastownError):
    """The ledger itself failed (corrupt store, disk full); never to be read as 'no work'."""

    exit_code = 3


class EngineNotRunning(GastownError):
    """No engine answers on the town's control socket (no socket, or nobody listening on it)."""
