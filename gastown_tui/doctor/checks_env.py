"""Doctor checks of the machine around the town: runtime programs, hooks, git identity, disk, bytecode caching."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from gastown_tui.doctor.model import Finding
from gastown_tui.town.paths import TownPaths

VERSION_TIMEOUT_S = 5.0
DISK_WARN_BYTES = 2 * 1024**3
DISK_ERROR_BYTES = 256 * 1024**2


def runtimes_in_use(town: TownPaths, ledger: Any) -> set[str]:
    """The town's default runtime and every runtime named on an agent record."""
    from gastown_tui.agents.registry import agent_meta, list_agents
    from gastown_tui.agents.runtimes import default_runtime_name

    names = {default_runtime_name(town.town_toml)}
    names |= {str(agent_meta(b).get("runtime")) for b in list_agents(ledger) if agent_meta(b).get("runtime")}
    return names


def check_runtimes(town: TownPaths, ledger: Any) -> list[Finding]:
    """Each runtime in use: its program is on PATH, and which version it reports."""
    from gastown_tui.agents.runtimes import build_argv, get_runtime
    from gastown_tui.agents.spawn import missing_program
    from gastown_tui.errors import GastownError

    out = []
    for name in sorted(runtimes_in_use(town, ledger)):
        try:
            runtime = get_runtime(name, town.town_toml)
        except GastownError as exc:
            out.append(Finding("runtime", "error", exc.one_line(), "fix town.toml or re-sling with --runtime NAME"))
            continue
        reason = missing_program(runtime)
        if reason:
            out.append(Finding("runtime", "error", reason, f"install it, or set default_runtime in {town.town_toml}"))
            continue
        program = build_argv(runtime)[0]
        out.append(Finding("runtime", "ok", f"{name}: {program} {program_version(program)}".rstrip()))
    return out


def program_version(program: str) -> str:
    """`program --version`'s first line ('' if it has none or takes too long)."""
    if os.path.basename(program).startswith("python") or os.path.basename(program) in ("bash", "sh"):
        return ""
    try:
        proc = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=VERSION_TIMEOUT_S,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "(version unknown)"
    first = (proc.stdout or proc.stderr).strip().splitlines()
    return f"({first[0][:80]})" if first else ""


def check_hooks(town: TownPaths) -> list[Finding]:
    """Runtime hooks call `gt`: it must resolve, and each written Claude settings file must be current."""
    import json

    from gastown_tui.agents.claude_settings import gt_command, settings_document

    out = []
    program = gt_command()[0]
    if not (os.path.isfile(program) or shutil.which(program)):
        out.append(Finding("hooks", "error", f"hooks call {program!r}, which does not exist", "reinstall gastown"))
    current = settings_document()
    stale = []
    for path in sorted(town.agent_settings.glob("*.claude.json")) if town.agent_settings.is_dir() else []:
        try:
            if json.loads(path.read_text()) != current:
                stale.append(path)
        except (OSError, ValueError):
            stale.append(path)
    for path in stale:
        out.append(Finding("hooks", "warn", f"{path.name} is not the current hook settings", "rewrite it",
                           fix="rewrite-settings", target=str(path)))
    if not out:
        out.append(Finding("hooks", "ok", f"hooks call {program}"))
    return out


def check_git_identity(town: TownPaths) -> list[Finding]:
    """Commits by gt done and the refinery need user.name and user.email."""
    out = []
    for key in ("user.name", "user.email"):
        proc = subprocess.run(["git", "config", key], cwd=town.root, capture_output=True, text=True, timeout=10,
                              check=False)
        if not proc.stdout.strip():
            out.append(Finding("git", "error", f"git {key} is not set", f"git config --global {key} VALUE"))
    return out or [Finding("git", "ok", "git identity set")]


def check_disk(town: TownPaths) -> list[Finding]:
    """Free space where the town lives (worktrees, transcripts and the ledger grow there)."""
    free = shutil.disk_usage(town.root).free
    text = f"{free / 1024**3:.1f} GiB free at {town.root}"
    if free < DISK_ERROR_BYTES:
        return [Finding("disk", "error", text, "free space: agents and git will fail")]
    if free < DISK_WARN_BYTES:
        return [Finding("disk", "warn", text, "free space soon (old transcripts: .gastown/transcripts)")]
    return [Finding("disk", "ok", text)]


def check_bytecode() -> list[Finding]:
    """PYTHONDONTWRITEBYTECODE makes every `gt` call recompile its modules (about 45 ms of CPU per call)."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return [Finding("gt cost", "warn", "PYTHONDONTWRITEBYTECODE is set: every gt call recompiles its modules",
                        "unset it in the shell that starts gastown")]
    return [Finding("gt cost", "ok", "bytecode caching on")]
