"""Scripted "models" for the stub API: deterministic agents that decide from what they read in the conversation.

A policy is a function from the request body to a `Reply`. Everything is derived from the conversation itself
(prompts, hook output, tool results), never from hidden state, so a resumed conversation (`--resume`) continues
where it stopped and the same transcript always gets the same answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stub_api import Reply, Text, ToolUse

BEAD_ID = re.compile(r"\b([a-z][a-z0-9]{1,7}-[a-z0-9]{3,12}(?:\.\d+)*)\b")
CWD_LINE = re.compile(r"Primary working directory: (\S+)")
SEANCE_PREFIX = "Séance answer:"
GT_RETRIES = 3
REMINDER = "<system-reminder>"


@dataclass
class Call:
    """A tool call the assistant made, with its result if one came back."""

    id: str
    name: str
    input: dict[str, Any]
    result: str | None = None
    is_error: bool = False

    @property
    def command(self) -> str:
        """The Bash command ('' for other tools)."""
        return str(self.input.get("command", "")) if self.name == "Bash" else ""


@dataclass
class Conversation:
    """What a policy can see: prompts typed by a person or the engine, hook context, tool calls and results."""

    prompts: list[str] = field(default_factory=list)        # user text that is neither a reminder nor a result
    context: list[str] = field(default_factory=list)        # every user text, reminders and hook output included
    calls: list[Call] = field(default_factory=list)
    events: list[tuple[str, int]] = field(default_factory=list)  # ("prompt", i) / ("call", i) in order
    cwd: str = ""

    @property
    def last_event(self) -> tuple[str, int] | None:
        """The newest prompt or tool call."""
        return self.events[-1] if self.events else None

    def all_text(self) -> str:
        """Everything the user side said, for marker searches."""
        return "\n".join(self.context + [c.result or "" for c in self.calls])

    def calls_since_prompt(self, prompt_index: int) -> list[Call]:
        """Tool calls made after the given prompt."""
        start = self.events.index(("prompt", prompt_index))
        return [self.calls[i] for kind, i in self.events[start:] if kind == "call"]


def _block_text(block: Any) -> str:
    """Text of a content block or tool_result content (string or list of blocks)."""
    if isinstance(block, str):
        return block
    if isinstance(block, list):
        return "\n".join(_block_text(b) for b in block)
    if isinstance(block, dict):
        if block.get("type") == "text":
            return str(block.get("text", ""))
        if "content" in block:
            return _block_text(block["content"])
    return ""


def _is_context(text: str) -> bool:
    """Reminders and hook output the CLI adds around a prompt (not something typed)."""
    stripped = text.lstrip()
    return (stripped.startswith(REMINDER) or "hook success:" in stripped[:80] or stripped.startswith("Caveat:")
            or stripped.startswith("<local-command") or stripped.startswith("<command-"))


def read_conversation(body: dict[str, Any]) -> Conversation:
    """Parse a Messages API request body into a Conversation."""
    conv = Conversation()
    match = CWD_LINE.search(json.dumps(body.get("system", "")))
    conv.cwd = match.group(1).replace("\\n", "") if match else ""
    by_id: dict[str, Call] = {}
    for message in body.get("messages", []):
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        if message.get("role") == "assistant":
            for block in blocks:
                if block.get("type") == "tool_use":
                    call = Call(block["id"], block["name"], dict(block.get("input") or {}))
                    by_id[call.id] = call
                    conv.calls.append(call)
                    conv.events.append(("call", len(conv.calls) - 1))
            continue
        if message.get("role") == "system":
            # Fresh sessions carry SessionStart hook output ("SessionStart:startup hook success: ...") as a
            # system entry; resumed ones carry it in a user <system-reminder>. Both are context, not prompts.
            conv.context.extend(t for t in (_block_text(b) for b in blocks) if t)
            continue
        if message.get("role") != "user":
            continue
        for block in blocks:
            if block.get("type") == "tool_result":
                call = by_id.get(block.get("tool_use_id", ""))
                if call is not None:
                    call.result = _block_text(block.get("content"))
                    call.is_error = bool(block.get("is_error"))
                continue
            text = _block_text(block)
            if not text:
                continue
            conv.context.append(text)
            if not _is_context(text):
                conv.prompts.append(text)
                conv.events.append(("prompt", len(conv.prompts) - 1))
    return conv


def bash(command: str, description: str = "") -> ToolUse:
    """A Bash tool call."""
    return ToolUse("Bash", {"command": command, "description": description or command[:60]})


def text_reply(text: str) -> Reply:
    """End the turn with text."""
    return Reply([Text(text)])


def echo(text: str) -> Callable[[dict[str, Any]], Reply]:
    """A policy that always answers the same text."""
    return lambda body: text_reply(text)


def scripted(steps: Sequence[ToolUse], final: str, delay_for: Callable[[int], float] | None = None
             ) -> Callable[[dict[str, Any]], Reply]:
    """Run fixed tool calls after the latest prompt, one per request, then end the turn with `final`."""

    def policy(body: dict[str, Any]) -> Reply:
        """The next scripted step, or the final text."""
        conv = read_conversation(body)
        done = len(conv.calls_since_prompt(len(conv.prompts) - 1)) if conv.prompts else 0
        if done < len(steps):
            return Reply([steps[done]], delay=delay_for(done) if delay_for else 0.0)
        return text_reply(final)

    return policy


# --- Gas Town roles ---------------------------------------------------------------------------------------------

@dataclass
class Task:
    """What a polecat does for a bead whose title contains `match`: tool calls (paths relative to the worktree)."""

    match: str
    actions: list[ToolUse]
    commit_message: str = ""


def _absolute(tool: ToolUse, cwd: str) -> ToolUse:
    """Make Write/Edit/Read file paths absolute (the CLI refuses relative ones)."""
    path = tool.input.get("file_path")
    if path and not path.startswith("/") and cwd:
        return ToolUse(tool.name, dict(tool.input, file_path=f"{cwd.rstrip('/')}/{path}"))
    return tool


def _expand(actions: Sequence[ToolUse], cwd: str) -> list[ToolUse]:
    """Insert the Read the CLI requires before an Edit of a file (it refuses edits of unread files)."""
    out: list[ToolUse] = []
    for action in actions:
        action = _absolute(action, cwd)
        if action.name == "Edit":
            out.append(ToolUse("Read", {"file_path": action.input["file_path"]}))
        out.append(action)
    return out


# The beacon "[GAS TOWN] polecat nux (rig: calc) <- ..." or gt prime's "[GAS TOWN] role:polecat agent:...".
BEACON_ROLE = re.compile(r"\[GAS TOWN\]\s+(?:role:)?(\w+)")


def role_of(conv: Conversation) -> str:
    """mayor / polecat / ..., from the beacon's recipient, else from words in the context."""
    for text in conv.context:
        match = BEACON_ROLE.search(text)
        if match:
            return match.group(1).lower()
    text = conv.all_text().lower()
    if re.search(r"\bpolecat\b", text):
        return "polecat"
    if re.search(r"\bmayor\b", text):
        return "mayor"
    return "unknown"


def is_gastown_prompt(prompt: str) -> bool:
    """A beacon or startup nudge from the engine (as opposed to a question or a delivered nudge)."""
    return "[GAS TOWN]" in prompt or "gt hook" in prompt or "gt prime" in prompt


def seance_answer(conv: Conversation, question: str) -> str:
    """The fixed answer a predecessor gives: what it worked on (proves the earlier conversation was seen)."""
    beads = sorted({m for c in conv.calls if c.command.startswith("gt done") or "commit" in c.command
                    for m in BEAD_ID.findall(c.command)})
    commits = [c.command for c in conv.calls if "git commit" in c.command]
    words = " ".join(re.findall(r"[A-Za-z0-9]+", question)[:8])
    return f"{SEANCE_PREFIX} you asked '{words}'. I worked on {', '.join(beads) or 'nothing'}; " \
           f"{len(commits)} commit(s); last command: {conv.calls[-1].command if conv.calls else 'none'}."


@dataclass
class GasTownPolicy:
    """Plays the Mayor, polecats and séance answers of one town, keyed by markers in the conversation."""

    tasks: list[Task] = field(default_factory=list)
    mayor_reply: str = "Mayor here. The convoy is moving; polecats are on it."
    test_command: str = "python -m pytest -q"
    slow_command: str | None = None   # e.g. "sleep 3" right after `gt hook`: holds the turn open
    delay: float = 0.0

    def __call__(self, body: dict[str, Any]) -> Reply:
        """Decide the next assistant message."""
        conv = read_conversation(body)
        if not conv.prompts:
            return text_reply("Waiting for instructions.")
        last_prompt = conv.prompts[-1]
        role = role_of(conv)
        if role == "polecat" and not is_gastown_prompt(last_prompt) and "?" in last_prompt \
                and conv.last_event == ("prompt", len(conv.prompts) - 1):
            return text_reply(seance_answer(conv, last_prompt))
        if role == "polecat":
            return self.polecat(conv)
        if role == "mayor":
            return text_reply(self.mayor_reply)
        return text_reply("Nothing to do.")

    def plan(self, conv: Conversation, hook_output: str) -> list[ToolUse]:
        """The polecat's whole plan once it has read its hook."""
        task = next((t for t in self.tasks if t.match.lower() in hook_output.lower()), None)
        if task is None:
            return []
        bead = BEAD_ID.findall(hook_output)
        bead_id = bead[0] if bead else "work"
        message = f"{task.commit_message or task.match} ({bead_id})"
        return [*_expand(task.actions, conv.cwd),
                bash(self.test_command, "Run the project's tests"),
                bash(f"git add -A && git commit -q -m {json.dumps(message)}", "Commit the change"),
                bash("gt done", "Submit the work to the merge queue")]

    def polecat(self, conv: Conversation) -> Reply:
        """gt hook → change → tests → commit → gt done → text; resumable because it counts finished calls."""
        # Work is counted over the whole conversation so a resumed session carries on instead of restarting;
        # a call that never got a result (killed mid-call) or was interrupted is simply issued again.
        finished = [c for c in conv.calls if c.result is not None and "interrupted" not in (c.result or "")[:200]]
        # A failed `gt` command is tried again (as an agent would), a few times, then reported; failing project
        # tests are not retried (the other bead's bug can make them fail on this branch).
        failed_gt = [c for c in finished if c.is_error and c.command.startswith("gt ")]
        if len(failed_gt) >= GT_RETRIES:
            return text_reply(f"`{failed_gt[-1].command}` keeps failing:\n{failed_gt[-1].result}")
        finished = [c for c in finished if not (c.is_error and c.command.startswith("gt "))]
        prefix = [bash("gt hook", "Show the work on my hook")]
        if self.slow_command:
            prefix.append(bash(self.slow_command, "Wait for the build"))
        hook_calls = [c for c in finished if c.command.strip() == "gt hook"]
        steps = list(prefix)
        if hook_calls:
            steps += self.plan(conv, hook_calls[-1].result or "")
        done_calls = [c for c in finished if c.command.strip().startswith("gt done")]
        if done_calls:
            last = conv.prompts[-1]
            if conv.last_event == ("prompt", len(conv.prompts) - 1) and "nudge" in last.lower():
                return text_reply(f"Nudge received after my work was submitted: {last.strip()[:200]}")
            return text_reply("Work submitted with gt done; my hook is clear.")
        if hook_calls and len(steps) == len(prefix):
            return text_reply(f"No task I know matches my hook:\n{hook_calls[-1].result}")
        index = _progress(steps, finished)
        if index < len(steps):
            return Reply([steps[index]], delay=self.delay)
        return text_reply("Work submitted with gt done; my hook is clear.")


def _same(step: ToolUse, call: Call) -> bool:
    """Whether a finished call is this step (same tool and the same command/path)."""
    if step.name != call.name:
        return False
    key = "command" if step.name == "Bash" else "file_path"
    return step.input.get(key) == call.input.get(key)


def _progress(steps: list[ToolUse], finished: list[Call]) -> int:
    """Index of the first step not yet finished, matching steps to finished calls in order."""
    position = 0
    for call in finished:
        if position < len(steps) and _same(steps[position], call):
            position += 1
    return position
