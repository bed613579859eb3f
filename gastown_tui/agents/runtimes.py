"""Agent runtimes as data: built-in presets from `data/runtimes.yaml`, overridden by `[runtimes.<name>]` in town.toml.

A runtime says how to start an agent program (command, autonomy flags, how the first prompt is passed), how to
resume or fork a stored conversation, whether it supports hooks, and which screen rules describe its UI.
"""

from __future__ import annotations

import functools
import sys
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from gastown_tui.agents.datafiles import read_data
from gastown_tui.errors import InvalidInput, NotFound, read_text

DEFAULT_RUNTIME = "claude"
PROMPT_MODES = ("arg", "flag", "stdin", "none")
HOOK_MODES = ("claude", "self", "none")
USAGE_SOURCES = ("claude-transcripts", "unknown")
_LIST_FIELDS = ("command", "args", "prompt_flag", "resume", "fork", "print", "session_id_flag", "settings_flag",
                "process_names")


@dataclass(frozen=True)
class Runtime:
    """One agent runtime: everything needed to build its argv and read its screen."""

    name: str
    command: tuple[str, ...]
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    prompt_mode: str = "arg"
    prompt_flag: tuple[str, ...] = ()
    resume: tuple[str, ...] = ()
    fork: tuple[str, ...] = ()
    print: tuple[str, ...] = ()
    session_id_flag: tuple[str, ...] = ()
    settings_flag: tuple[str, ...] = ()
    hooks: str = "none"
    process_names: tuple[str, ...] = ()
    screen: str | dict[str, Any] = "shell"
    ready_delay: float = 3.0
    accepts_typing: bool = True   # False for plain shells: a typed nudge would be executed as a command
    usage: str = "unknown"        # where token usage is read: claude-transcripts, or unknown (never estimated)

    @property
    def supports_resume(self) -> bool:
        """True if a stored conversation can be resumed."""
        return bool(self.resume)

    @property
    def supports_fork(self) -> bool:
        """True if a stored conversation can be forked (needed for `gt seance --talk`)."""
        return bool(self.resume and self.fork and self.print)

    @property
    def has_turn_hooks(self) -> bool:
        """True if the runtime reports turn boundaries through `gt hookevent` (so nudges can wait for them)."""
        return self.hooks in ("claude", "self")


def _expand(items: tuple[str, ...], values: dict[str, str]) -> list[str]:
    """Substitute `{placeholders}` in each argv element (plain replace: values are never parsed by a shell)."""
    out = []
    for item in items:
        for key, value in values.items():
            item = item.replace("{" + key + "}", value)
        out.append(item)
    return out


def build_argv(runtime: Runtime, *, prompt: str | None = None, resume_id: str | None = None,
               session_id: str | None = None, settings_file: Path | None = None) -> list[str]:
    """The argv that starts `runtime` interactively, resuming `resume_id` if given, else with the first prompt."""
    values = {"python": sys.executable}
    argv = _expand(runtime.command, values) + _expand(runtime.args, values)
    if settings_file is not None and runtime.settings_flag:
        argv += _expand(runtime.settings_flag, {"settings_file": str(settings_file)})
    if resume_id and runtime.resume:
        argv += _expand(runtime.resume, {"session_id": resume_id})
    elif session_id and runtime.session_id_flag:
        argv += _expand(runtime.session_id_flag, {"session_id": session_id})
    if prompt:
        if runtime.prompt_mode == "arg":
            argv.append(prompt)
        elif runtime.prompt_mode == "flag":
            argv += [*runtime.prompt_flag, prompt]
    return argv


def build_fork_argv(runtime: Runtime, session_id: str, question: str) -> list[str]:
    """The argv that asks a forked copy of conversation `session_id` one question, non-interactively."""
    if not runtime.supports_fork:
        raise InvalidInput(f"runtime {runtime.name!r} cannot fork a stored session (no resume/fork/print flags)")
    values = {"python": sys.executable, "session_id": session_id, "prompt": question}
    return (_expand(runtime.command, values) + _expand(runtime.args, values) + _expand(runtime.resume, values)
            + _expand(runtime.fork, values) + _expand(runtime.print, values))


def _coerce(source: str, name: str, raw: dict[str, Any], base: Runtime | None) -> Runtime:
    """Validate one runtime table and merge it over `base`; errors name the file and the field."""
    if not isinstance(raw, dict):
        raise InvalidInput(f"{source}: runtime {name!r} must be a table")
    known = {f.name for f in fields(Runtime)} - {"name"}
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{source}: runtimes.{name}.{key}"
        if key not in known:
            raise InvalidInput(f"{where}: unknown field (known: {', '.join(sorted(known))})")
        if key in _LIST_FIELDS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidInput(f"{where}: must be a list of strings")
            value = tuple(value)
        elif key == "env":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise InvalidInput(f"{where}: must be a table of strings")
        elif key == "prompt_mode" and value not in PROMPT_MODES:
            raise InvalidInput(f"{where}: must be one of {', '.join(PROMPT_MODES)}, not {value!r}")
        elif key == "hooks" and value not in HOOK_MODES:
            raise InvalidInput(f"{where}: must be one of {', '.join(HOOK_MODES)}, not {value!r}")
        elif key == "accepts_typing" and not isinstance(value, bool):
            raise InvalidInput(f"{where}: must be true or false")
        elif key == "ready_delay" and not isinstance(value, (int, float)):
            raise InvalidInput(f"{where}: must be a number of seconds")
        elif key == "usage" and value not in USAGE_SOURCES:
            raise InvalidInput(f"{where}: must be one of {', '.join(USAGE_SOURCES)}, not {value!r}")
        elif key == "screen" and not isinstance(value, (str, dict)):
            raise InvalidInput(f"{where}: must be a rule-set name or a table of rules")
        changes[key] = value
    if base is not None:
        return replace(base, **changes)
    if not changes.get("command"):
        raise InvalidInput(f"{source}: runtimes.{name}.command: required for a new runtime")
    return Runtime(name=name, **changes)


def builtin_runtimes() -> dict[str, Runtime]:
    """The presets shipped in `gastown_tui/data/runtimes.yaml` (a fresh dict; the Runtime values are frozen)."""
    return dict(_parsed_presets())


@functools.cache
def _parsed_presets() -> dict[str, Runtime]:
    """Parse the shipped presets once per process: every spawn needs them, and YAML parsing dominated engine start
    with 30 agents (measured by the TUI performance work)."""
    raw = yaml.safe_load(read_data("runtimes.yaml")) or {}
    return {name: _coerce("runtimes.yaml", name, table, None) for name, table in raw.items()}


def town_runtime_tables(town_toml: Path) -> dict[str, Any]:
    """The raw `[runtimes]` table of a town.toml (empty if the file or table is missing)."""
    if not town_toml.is_file():
        return {}
    try:
        data = tomllib.loads(read_text(town_toml))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{town_toml}: {exc}") from None
    tables = data.get("runtimes", {})
    if not isinstance(tables, dict):
        raise InvalidInput(f"{town_toml}: runtimes must be a table of [runtimes.<name>] tables")
    return tables


def load_runtimes(town_toml: Path | None = None) -> dict[str, Runtime]:
    """Presets merged with the town's `[runtimes.<name>]` entries (same name: field-by-field override)."""
    result = builtin_runtimes()
    if town_toml is not None:
        for name, table in town_runtime_tables(town_toml).items():
            result[name] = _coerce(str(town_toml), name, table, result.get(name))
    return result


def get_runtime(name: str, town_toml: Path | None = None) -> Runtime:
    """One runtime by name, or NotFound listing the known names."""
    runtimes = load_runtimes(town_toml)
    if name not in runtimes:
        raise NotFound(f"unknown runtime {name!r} (known: {', '.join(sorted(runtimes))})")
    return runtimes[name]


def default_runtime_name(town_toml: Path | None) -> str:
    """The town's default runtime (`default_runtime = ...` in town.toml), else `claude`."""
    if town_toml is None or not town_toml.is_file():
        return DEFAULT_RUNTIME
    try:
        data = tomllib.loads(read_text(town_toml))
    except tomllib.TOMLDecodeError:
        return DEFAULT_RUNTIME
    value = data.get("default_runtime")
    return value if isinstance(value, str) and value else DEFAULT_RUNTIME


DEFAULT_DIALOGS = frozenset({"trust", "bypass-permissions", "connect"})


def allowed_dialogs(town_toml: Path | None) -> set[str]:
    """Start-up dialogs the engine may answer (town.toml `[agents] dialogs = [...]`; default: trust, bypass, connect).

    The API-key question is not answered by default: using a key is the Overseer's decision.
    """
    if town_toml is None or not town_toml.is_file():
        return set(DEFAULT_DIALOGS)
    try:
        data = tomllib.loads(read_text(town_toml))
    except tomllib.TOMLDecodeError:
        return set(DEFAULT_DIALOGS)
    agents = data.get("agents", {})
    value = agents.get("dialogs") if isinstance(agents, dict) else None
    if not isinstance(value, list):
        return set(DEFAULT_DIALOGS)
    return {str(v) for v in value}
