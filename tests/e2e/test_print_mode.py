"""Claude Code in print mode (`claude -p`) against the stub: the smallest proof the harness works."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from policy import echo, read_conversation
from stub_api import StubApi

pytestmark = pytest.mark.e2e


def test_print_mode_prints_the_scripted_text(claude_bin: Path, claude_env: dict[str, str], stub: StubApi,
                                              tmp_path: Path) -> None:
    """`claude -p hello` sends the prompt to the stub and prints exactly what the stub streamed."""
    stub.policy = echo("Hello from the scripted model.")
    result = subprocess.run([str(claude_bin), "-p", "hello"], cwd=tmp_path, env=claude_env, text=True,
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Hello from the scripted model."
    turns = stub.main_turns()
    assert len(turns) == 1
    conv = read_conversation(turns[0])
    assert conv.prompts == ["hello"]
    assert conv.cwd == str(tmp_path)
