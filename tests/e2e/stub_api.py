"""A loopback stub of the Anthropic Messages API that streams scripted replies to the real Claude Code CLI."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MODEL = "claude-sonnet-4-5-20250929"
_CWD = re.compile(r"Primary working directory: ([^\\\s]+)")  # names the agent in a shared request log


@dataclass
class Text:
    """A text content block of a scripted reply."""

    text: str


@dataclass
class ToolUse:
    """A tool_use content block of a scripted reply (Bash, Write, Edit, Read, ...)."""

    name: str
    input: dict[str, Any]


@dataclass
class Reply:
    """One scripted assistant message: blocks, plus an optional pause before streaming (to hold a turn open)."""

    blocks: list[Text | ToolUse]
    delay: float = 0.0


@dataclass
class Request:
    """One logged request."""

    method: str
    path: str
    body: Any
    at: float = field(default_factory=time.time)

    @property
    def is_main_turn(self) -> bool:
        """A conversation request (has tools), as opposed to title generation or probes."""
        return isinstance(self.body, dict) and bool(self.body.get("tools"))


Policy = Callable[[dict[str, Any]], Reply]


@dataclass(frozen=True)
class Usage:
    """Token usage the stub reports for one response (what a real API bills)."""

    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int

    def to_dict(self) -> dict[str, int]:
        """The Messages API `usage` object."""
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "cache_read_input_tokens": self.cache_read_input_tokens,
                "cache_creation_input_tokens": self.cache_creation_input_tokens}


@dataclass(frozen=True)
class Served:
    """One successful response and the usage it reported (the ground truth for cost tests)."""

    message_id: str
    usage: Usage
    main: bool          # a conversation turn (with tools), not title generation
    cwd: str            # the agent's working directory, from the system prompt ('' if absent)
    text: str           # everything the conversation said so far (for marker searches)


def default_usage(serial: int) -> Usage:
    """Distinct, known usage per response: a miscount of any field or any turn changes the sums."""
    return Usage(input_tokens=100 + 7 * serial, output_tokens=20 + 3 * serial,
                 cache_read_input_tokens=1000 + 50 * serial, cache_creation_input_tokens=200 + 11 * serial)


def default_policy(body: dict[str, Any]) -> Reply:
    """Answer anything with a short text (used when a test scripts nothing)."""
    return Reply([Text("OK.")])


class StubApi:
    """The stub server: `start()`, `url`, `requests`, `log_path`, `policy` (swap at will), `stop()`."""

    def __init__(self, log_path: Path, policy: Policy = default_policy) -> None:
        self.log_path = log_path
        self.policy: Policy = policy
        self.requests: list[Request] = []
        self.replies: list[Reply] = []  # what the policy answered to main turns, in order
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.usage: Callable[[int], Usage] = default_usage
        self.served: list[Served] = []
        self.rate_limited: list[Request] = []  # main-turn requests answered 429
        self._serial = itertools.count(1)
        self._limit_next = 0                   # main-turn requests still to answer with 429
        self.retry_after = 2                   # seconds, sent as retry-after with every 429

    def limit_next(self, count: int, retry_after: int = 2) -> None:
        """Answer the next `count` main-turn requests with HTTP 429 rate_limit_error (retry-after seconds)."""
        with self._lock:
            self._limit_next = count
            self.retry_after = retry_after

    def take_limit(self, request: Request) -> bool:
        """True (and counted) if this main-turn request must get a 429."""
        with self._lock:
            if self._limit_next <= 0:
                return False
            self._limit_next -= 1
            self.rate_limited.append(request)
            return True

    def serve_usage(self, message_id: str, body: dict[str, Any], main: bool) -> Usage:
        """The usage for the next response, remembered in `served`."""
        usage = self.usage(next(self._serial))
        cwd = _CWD.search(json.dumps(body.get("system", "")))
        text = json.dumps(body.get("messages", []), ensure_ascii=False)
        with self._lock:
            self.served.append(Served(message_id, usage, main, cwd.group(1) if cwd else "", text))
        return usage

    @property
    def url(self) -> str:
        """Base URL for ANTHROPIC_BASE_URL."""
        assert self._server is not None, "stub not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StubApi:
        """Bind 127.0.0.1 on an ephemeral port and serve in a daemon thread."""
        stub = self

        class Handler(_Handler):
            """The handler bound to this stub."""

            owner = stub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="stub-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def next_id(self, prefix: str) -> str:
        """A unique id such as msg_0001 or toolu_0002."""
        return f"{prefix}_{next(self._ids):06d}"

    def record(self, method: str, path: str, body: Any) -> Request:
        """Keep the request in memory and append it to the JSONL log."""
        request = Request(method, path, body)
        with self._lock:
            self.requests.append(request)
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(json.dumps({"at": request.at, "method": method, "path": path, "body": body}) + "\n")
        return request

    def main_turns(self) -> list[dict[str, Any]]:
        """Bodies of conversation requests (with tools), oldest first."""
        with self._lock:
            return [r.body for r in self.requests if r.is_main_turn]

    def sent_commands(self) -> list[str]:
        """Bash commands the stub has told the CLI to run (a call is in flight as soon as it is here)."""
        with self._lock:
            return [b.input.get("command", "") for r in self.replies for b in r.blocks
                    if isinstance(b, ToolUse) and b.name == "Bash"]

    def unknown_paths(self) -> list[str]:
        """Paths the CLI called that the stub does not model (for diagnostics)."""
        with self._lock:
            return [f"{r.method} {r.path}" for r in self.requests if not r.path.startswith("/v1/messages")]

    def summary(self, last: int = 30) -> str:
        """A readable digest of the last requests for failure reports."""
        with self._lock:
            requests = list(self.requests)[-last:]
        lines = [f"stub log: {self.log_path} ({len(self.requests)} requests)"]
        for r in requests:
            if isinstance(r.body, dict) and "messages" in r.body:
                tools = len(r.body.get("tools") or [])
                last_msg = r.body["messages"][-1] if r.body["messages"] else {}
                cwd = _CWD.search(json.dumps(r.body.get("system", "")))
                where = f" cwd=…/{'/'.join(cwd.group(1).split('/')[-2:])}" if cwd else ""
                lines.append(f"  {r.method} {r.path} tools={tools}{where} last={_short(last_msg)}")
            else:
                lines.append(f"  {r.method} {r.path}")
        lines.extend(f"  ERROR {e}" for e in self.errors)
        return "\n".join(lines)


def _short(message: Any, limit: int = 240) -> str:
    """One line describing a message for the digest."""
    text = json.dumps(message, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_side_request(body: dict[str, Any]) -> bool:
    """Title generation and similar small requests: no tools offered."""
    return not body.get("tools")


class _Handler(BaseHTTPRequestHandler):
    """Routes: POST /v1/messages (SSE or JSON), count_tokens, and permissive answers for anything else."""

    owner: StubApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr access log (the JSONL log has everything)."""

    def _body(self) -> Any:
        """The request body, parsed as JSON when it is JSON."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode("utf-8", "replace")

    def _json(self, status: int, payload: Any) -> None:
        """A complete JSON response."""
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        """Connectivity probes."""
        self.owner.record("HEAD", self.path, None)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        """Any GET (health, settings, feature flags): an empty JSON object."""
        self.owner.record("GET", self.path, None)
        self._json(200, {})

    def do_POST(self) -> None:  # noqa: N802
        """Messages get a scripted reply; count_tokens a plausible count; anything else an empty object."""
        body = self._body()
        self.owner.record("POST", self.path, body)
        path = self.path.split("?", 1)[0]
        if path == "/v1/messages/count_tokens":
            self._json(200, {"input_tokens": len(json.dumps(body)) // 4})
        elif path == "/v1/messages" and isinstance(body, dict):
            if not is_side_request(body) and self.owner.take_limit(self.owner.requests[-1]):
                self._rate_limit()
                return
            self._messages(body)
        else:
            self._json(200, {})

    def _rate_limit(self) -> None:
        """HTTP 429 as the real API sends it: a retry-after header and a rate_limit_error body."""
        data = json.dumps({"type": "error", "error": {"type": "rate_limit_error",
                                                      "message": "Number of request tokens has exceeded your "
                                                                 "per-minute rate limit (stub)"}}).encode()
        self.send_response(429)
        self.send_header("Content-Type", "application/json")
        self.send_header("retry-after", str(self.owner.retry_after))
        self.send_header("anthropic-ratelimit-requests-remaining", "0")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _messages(self, body: dict[str, Any]) -> None:
        """Answer a Messages request: a short title for side requests, else whatever the policy says."""
        try:
            reply = Reply([Text("Scripted session")]) if is_side_request(body) else self.owner.policy(body)
        except Exception as exc:  # a policy bug must show up in the report, not hang the CLI
            self.owner.errors.append(f"policy raised {exc!r}")
            reply = Reply([Text(f"stub policy error: {exc!r}")])
        if not is_side_request(body):
            with self.owner._lock:
                self.owner.replies.append(reply)
        if reply.delay:
            time.sleep(reply.delay)
        message = self._message(reply)
        usage = self.owner.serve_usage(message["id"], body, main=not is_side_request(body))
        message["usage"] = usage.to_dict()
        if body.get("stream"):
            self._stream(message)
        else:
            self._json(200, message)

    def _message(self, reply: Reply) -> dict[str, Any]:
        """The reply as a complete Messages API message object."""
        content: list[dict[str, Any]] = []
        for block in reply.blocks:
            if isinstance(block, Text):
                content.append({"type": "text", "text": block.text})
            else:
                content.append({"type": "tool_use", "id": self.owner.next_id("toolu"), "name": block.name,
                                "input": block.input})
        stop = "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn"
        return {"id": self.owner.next_id("msg"), "type": "message", "role": "assistant", "model": MODEL,
                "content": content, "stop_reason": stop, "stop_sequence": None,
                "usage": {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 0,
                          "cache_read_input_tokens": 0}}

    def _stream(self, message: dict[str, Any]) -> None:
        """Server-sent events, as the real API streams them; the connection closes at the end."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        # As the real API streams it: input and cache counts up front, the final output count in message_delta.
        start = dict(message, content=[], stop_reason=None, usage=dict(message["usage"], output_tokens=1))
        self._event("message_start", {"type": "message_start", "message": start})
        for index, block in enumerate(message["content"]):
            if block["type"] == "text":
                self._event("content_block_start", {"type": "content_block_start", "index": index,
                                                    "content_block": {"type": "text", "text": ""}})
                self._event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                    "delta": {"type": "text_delta", "text": block["text"]}})
            else:
                self._event("content_block_start", {"type": "content_block_start", "index": index,
                                                    "content_block": {"type": "tool_use", "id": block["id"],
                                                                      "name": block["name"], "input": {}}})
                self._event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                    "delta": {"type": "input_json_delta",
                                                              "partial_json": json.dumps(block["input"])}})
            self._event("content_block_stop", {"type": "content_block_stop", "index": index})
        self._event("message_delta", {"type": "message_delta",
                                      "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                                      "usage": {"output_tokens": message["usage"]["output_tokens"]}})
        self._event("message_stop", {"type": "message_stop"})

    def _event(self, name: str, data: dict[str, Any]) -> None:
        """One server-sent event, flushed at once (the CLI renders as it streams)."""
        self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()
