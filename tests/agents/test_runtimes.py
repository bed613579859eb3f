"""Runtimes as data: presets, town overrides, argv building, loader errors that name the file and field."""

from __future__ import annotations

import sys

import pytest

from gastown_tui.agents.runtimes import (
    allowed_dialogs, build_argv, build_fork_argv, builtin_runtimes, default_runtime_name, get_runtime, load_runtimes,
)
from gastown_tui.errors import InvalidInput, NotFound


def test_presets_cover_the_known_runtimes() -> None:
    presets = builtin_runtimes()
    assert set(presets) >= {"claude", "codex", "gemini", "opencode", "aider", "shell", "scripted"}
    claude = presets["claude"]
    assert claude.hooks == "claude" and claude.prompt_mode == "arg" and claude.supports_fork
    assert "--dangerously-skip-permissions" in claude.args
    assert presets["codex"].prompt_mode == "none" and not presets["codex"].has_turn_hooks
    assert presets["scripted"].has_turn_hooks


def test_argv_for_prompt_modes() -> None:
    presets = builtin_runtimes()
    assert build_argv(presets["claude"], prompt="go", session_id="S")[-3:] == ["--session-id", "S", "go"]
    assert build_argv(presets["gemini"], prompt="go")[-2:] == ["-i", "go"]
    assert "go" not in build_argv(presets["codex"], prompt="go")
    scripted = build_argv(presets["scripted"], prompt="$(touch x)")
    assert scripted[0] == sys.executable and scripted[-1] == "$(touch x)"  # one argv element, never a shell
    fork = build_fork_argv(presets["claude"], "abc", "why?")
    assert fork[-5:] == ["--resume", "abc", "--fork-session", "-p", "why?"]
    with pytest.raises(InvalidInput):
        build_fork_argv(presets["codex"], "abc", "why?")


def test_town_overrides_and_new_runtimes(tmp_path) -> None:
    toml = tmp_path / "town.toml"
    toml.write_text('default_runtime = "mine"\n[runtimes.claude]\nargs = ["--model", "opus"]\n'
                    '[runtimes.mine]\ncommand = ["my-agent", "--yes"]\nprompt_mode = "stdin"\n'
                    '[runtimes.mine.screen]\nidle = ["^> $"]\n[agents]\ndialogs = ["trust"]\n')
    runtimes = load_runtimes(toml)
    assert runtimes["claude"].args == ("--model", "opus") and runtimes["claude"].hooks == "claude"
    assert runtimes["mine"].command == ("my-agent", "--yes") and runtimes["mine"].screen == {"idle": ["^> $"]}
    assert default_runtime_name(toml) == "mine"
    assert allowed_dialogs(toml) == {"trust"}
    assert "api-key" not in allowed_dialogs(None)


@pytest.mark.parametrize("body, words", [
    ('[runtimes.x]\nargs = ["a"]\n', "runtimes.x.command: required"),
    ('[runtimes.claude]\nprompt_mode = "telepathy"\n', "runtimes.claude.prompt_mode"),
    ('[runtimes.claude]\nflavour = 1\n', "runtimes.claude.flavour: unknown field"),
    ('[runtimes.claude]\nargs = "--x"\n', None),
    ('[runtimes.claude]\nargs = [1]\n', "runtimes.claude.args: must be a list of strings"),
])
def test_loader_errors_name_file_and_field(tmp_path, body: str, words: str | None) -> None:
    toml = tmp_path / "town.toml"
    toml.write_text(body)
    if words is None:
        assert load_runtimes(toml)["claude"].args == ("--x",)
        return
    with pytest.raises(InvalidInput) as err:
        load_runtimes(toml)
    assert str(toml) in str(err.value) and words in str(err.value)


def test_unknown_runtime() -> None:
    with pytest.raises(NotFound, match="unknown runtime 'nope'"):
        get_runtime("nope")
