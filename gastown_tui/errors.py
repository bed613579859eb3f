"""User-facing errors: one clear line, a non-zero exit, never a traceback."""

from __future__ import annotations

# How much of a user's value an error line may echo, and how long a whole error line may get.
ECHO_LIMIT = 200
LINE_LIMIT = 280


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` cut to `limit` characters, ending in "…" when something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def squeeze(text: str) -> str:
    """`text` on one line: whitespace runs collapsed, any word longer than ECHO_LIMIT clipped, and the whole line
    cut at LINE_LIMIT (a 100 KB value pasted by an agent must not come back as a 100 KB error)."""
    line = " ".join(clip(word) for word in str(text).split())
    return clip(line, LINE_LIMIT)


class GastownError(Exception):
    """An error caused by user or agent input; the CLI prints its message on one line and exits non-zero."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def one_line(self) -> str:
        """The message squeezed onto a single line, long echoed values cut with "…"."""
        return squeeze(str(self))


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


class RuntimeMissing(GastownError):
    """An agent's runtime program is not installed (not on PATH): that agent cannot start, the town carries on."""


def decode_utf8(data: bytes, source: object) -> str:
    """`data` decoded as UTF-8, or InvalidInput naming `source` and the byte offset of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: invalid UTF-8 at byte offset {exc.start}") from None


def read_text(path: object) -> str:
    """A text file the town reads, decoded strictly as UTF-8 (bad bytes are reported with file and offset)."""
    from pathlib import Path

    return decode_utf8(Path(str(path)).read_bytes(), path)


class EngineNotRunning(GastownError):
    """No engine answers on the town's control socket (no socket, or nobody listening on it)."""
