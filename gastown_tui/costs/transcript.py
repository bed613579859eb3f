"""Claude Code session transcripts (`<config>/projects/<cwd-slug>/<session-id>.jsonl`): one line -> one record.

Assistant lines carry `message.id`, `message.model` and `message.usage`; a reply with several content blocks is
written as several lines repeating the same id and usage, and a resumed or forked session copies earlier lines
(same message ids) into its file. So a turn is keyed by its message id and counted once, wherever it appears.
API failures are written as synthetic assistant lines (`isApiErrorMessage`, model `<synthetic>`, zero usage): those
that name a rate limit or an overload become `RateLimitHit`s, never turns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

SYNTHETIC_MODEL = "<synthetic>"
_LIMIT = re.compile(r"\b429\b|rate[_ ]limit|overloaded|\b529\b", re.IGNORECASE)
_RETRY = re.compile(r"retry(?:ing)?(?:-after| after| in)?\s*(\d+(?:\.\d+)?)\s*(?:s\b|sec|seconds)", re.IGNORECASE)


@dataclass(frozen=True)
class Tokens:
    """Token counts of one turn, or a sum of turns."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0

    @property
    def total(self) -> int:
        """Every token billed, cache reads and writes included."""
        return self.input + self.output + self.cache_read + self.cache_write

    @property
    def context(self) -> int:
        """Tokens the model saw as its prompt (input + cache read + cache write): the context in use."""
        return self.input + self.cache_read + self.cache_write

    def __add__(self, other: Tokens) -> Tokens:
        return Tokens(self.input + other.input, self.output + other.output, self.cache_read + other.cache_read,
                      self.cache_write + other.cache_write)

    def to_dict(self) -> dict[str, int]:
        """JSON form, with the total."""
        return {"input": self.input, "output": self.output, "cache_read": self.cache_read,
                "cache_write": self.cache_write, "total": self.total}


@dataclass(frozen=True)
class Turn:
    """One billed model response read from a transcript."""

    message_id: str
    request_id: str
    session_id: str
    ts: float
    model: str
    cwd: str
    git_branch: str
    tokens: Tokens


@dataclass(frozen=True)
class RateLimitHit:
    """A rate-limit or overload error the runtime recorded (it gave up retrying that request)."""

    session_id: str
    ts: float
    cwd: str
    detail: str
    retry_after: float | None   # seconds, when the error text says


def parse_ts(text: object) -> float:
    """ISO-8601 timestamp (Claude writes `...Z`) -> epoch seconds; 0.0 if absent or malformed."""
    if not isinstance(text, str) or not text:
        return 0.0
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0


def _int(value: object) -> int:
    """A token count; anything that is not a non-negative integer counts as 0 (never a guess)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _text_of(content: object) -> str:
    """The text blocks of a message's content."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def parse_line(line: str | bytes) -> Turn | RateLimitHit | None:
    """The record one transcript line holds, or None (user lines, attachments, bad JSON, usage-less lines)."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    if not isinstance(raw, dict) or raw.get("type") != "assistant":
        return None
    message = raw.get("message")
    if not isinstance(message, dict):
        return None
    session, cwd, ts = str(raw.get("sessionId") or ""), str(raw.get("cwd") or ""), parse_ts(raw.get("timestamp"))
    if raw.get("isApiErrorMessage") or message.get("model") == SYNTHETIC_MODEL:
        text = _text_of(message.get("content")) or str(raw.get("error") or "")
        status = raw.get("apiErrorStatus")
        if status not in (429, 529) and raw.get("error") != "rate_limit" and not _LIMIT.search(text):
            return None
        retry = _RETRY.search(text)
        return RateLimitHit(session, ts, cwd, text[:200], float(retry.group(1)) if retry else None)
    usage = message.get("usage")
    message_id = message.get("id")
    if not isinstance(usage, dict) or not isinstance(message_id, str) or not message_id:
        return None
    tokens = Tokens(_int(usage.get("input_tokens")), _int(usage.get("output_tokens")),
                    _int(usage.get("cache_read_input_tokens")), _int(usage.get("cache_creation_input_tokens")))
    return Turn(message_id, str(raw.get("requestId") or ""), session, ts, str(message.get("model") or ""), cwd,
                str(raw.get("gitBranch") or ""), tokens)
