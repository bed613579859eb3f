"""The scripted policies on request bodies shaped like the ones Claude Code 2.1.197 sends (no CLI needed)."""

from __future__ import annotations

from typing import Any

from policy import SEANCE_PREFIX, GasTownPolicy, Task, bash, read_conversation, role_of
from stub_api import Text, ToolUse

SYSTEM = [{"type": "text", "text": "Env\n - Primary working directory: /town/calc/polecats/furiosa\n - Platform: linux"}]
REMINDER = {"type": "text", "text": "<system-reminder>\nToday's date is 2026-11-24.\n</system-reminder>\n\n"}
BEACON = "[GAS TOWN] polecat furiosa (rig: calc) <- overseer • 2026-11-24T10:00 • assigned:ca-abc12\nRun `gt prime`."
HOOK_OUT = "ca-abc12 [hooked] Fix the failing add test\n"


def body(*messages: dict[str, Any]) -> dict[str, Any]:
    """A main-turn request body."""
    return {"system": SYSTEM, "tools": [{"name": "Bash"}], "messages": list(messages), "stream": True}


def user(*blocks: Any) -> dict[str, Any]:
    """A user message."""
    return {"role": "user", "content": list(blocks)}


def call(tool_id: str, tool: ToolUse) -> dict[str, Any]:
    """An assistant message with one tool call."""
    return {"role": "assistant", "content": [{"type": "tool_use", "id": tool_id, "name": tool.name,
                                              "input": tool.input}]}


def result(tool_id: str, text: str) -> dict[str, Any]:
    """A user message carrying a tool result."""
    return user({"type": "tool_result", "tool_use_id": tool_id, "content": text, "is_error": False})


def policy() -> GasTownPolicy:
    """A town policy with one task: fix add()."""
    return GasTownPolicy(tasks=[Task("failing add test", [ToolUse("Edit", {"file_path": "calc.py",
                                                                             "old_string": "a - b",
                                                                             "new_string": "a + b"})])])


def test_conversation_separates_prompts_from_hook_context() -> None:
    """Typed prompts, hook output (system entry) and the cwd are told apart."""
    conv = read_conversation(body(
        user(REMINDER, {"type": "text", "text": BEACON}),
        {"role": "system", "content": "SessionStart:startup hook success: role polecat"}))
    assert conv.prompts == [BEACON]
    assert any(t.startswith("SessionStart:startup hook success") for t in conv.context)
    assert conv.cwd == "/town/calc/polecats/furiosa"
    assert role_of(conv) == "polecat"


def test_polecat_walks_hook_change_tests_commit_done() -> None:
    """The polecat script, step by step, with Read inserted before Edit and absolute paths."""
    p = policy()
    msgs: list[dict[str, Any]] = [user(REMINDER, {"type": "text", "text": BEACON})]
    outputs = {"gt hook": HOOK_OUT}
    commands = []
    for n in range(10):
        reply = p(body(*msgs))
        block = reply.blocks[0]
        if isinstance(block, Text):
            break
        commands.append(block.input.get("command") or f"{block.name} {block.input['file_path']}")
        msgs += [call(f"t{n}", block), result(f"t{n}", outputs.get(block.input.get("command", ""), "ok"))]
    assert commands == ["gt hook", "Read /town/calc/polecats/furiosa/calc.py",
                        "Edit /town/calc/polecats/furiosa/calc.py", "python -m pytest -q",
                        'git add -A && git commit -q -m "failing add test (ca-abc12)"', "gt done"]


def test_polecat_resumes_where_it_stopped_and_redoes_a_call_without_result() -> None:
    """After a resume the script continues at the first unfinished step."""
    p = policy()
    msgs = [user(REMINDER, {"type": "text", "text": BEACON}),
            call("t0", bash("gt hook")), result("t0", HOOK_OUT),
            user({"type": "text", "text": "Continue from where you left off."})]
    assert p(body(*msgs)).blocks[0].name == "Read"


def test_seance_question_is_answered_from_the_earlier_conversation() -> None:
    """A question after finished work gets the séance answer naming the bead."""
    msgs = [user(REMINDER, {"type": "text", "text": BEACON}),
            call("t0", bash("gt hook")), result("t0", HOOK_OUT),
            call("t1", bash('git add -A && git commit -q -m "fix (ca-abc12)"')), result("t1", ""),
            call("t2", bash("gt done")), result("t2", "submitted"),
            {"role": "assistant", "content": [{"type": "text", "text": "done"}]},
            user({"type": "text", "text": "What did you change?"})]
    text = policy()(body(*msgs)).blocks[0]
    assert isinstance(text, Text) and text.text.startswith(SEANCE_PREFIX) and "ca-abc12" in text.text


def test_mayor_answers_with_text() -> None:
    """The Mayor only talks."""
    beacon = "[GAS TOWN] mayor <- overseer • 2026-11-24T10:00 • cold-start\nRun `gt prime`."
    reply = GasTownPolicy()(body(user({"type": "text", "text": beacon})))
    assert isinstance(reply.blocks[0], Text) and "Mayor" in reply.blocks[0].text


def test_failed_gt_done_is_retried_then_reported() -> None:
    """A failing `gt done` is issued again, and after three failures the polecat reports instead of looping."""
    p = policy()
    msgs: list[dict[str, Any]] = [user(REMINDER, {"type": "text", "text": BEACON})]
    commands = []
    for n in range(12):
        block = p(body(*msgs)).blocks[0]
        if isinstance(block, Text):
            break
        command = block.input.get("command", block.name)
        commands.append(command)
        failed = command == "gt done"
        msgs += [call(f"t{n}", block), user({"type": "tool_result", "tool_use_id": f"t{n}", "is_error": failed,
                                             "content": "Exit code 1" if failed else HOOK_OUT})]
    assert commands.count("gt done") == 3 and commands[-1] == "gt done", commands
    assert isinstance(block, Text) and "keeps failing" in block.text
