"""Run every doctor check in order; one failing check is reported as a finding, never stops the others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gastown_tui.doctor import checks_env, checks_town
from gastown_tui.doctor.model import Finding
from gastown_tui.town.paths import TownPaths


def run_checks(town: TownPaths, ledger: Any) -> list[Finding]:
    """Every check's findings, in a fixed order (machine first, then the town)."""
    from gastown_tui.control_socket import engine_running

    engine_up = engine_running(town)
    checks: list[tuple[str, Callable[[], list[Finding]]]] = [
        ("runtime", lambda: checks_env.check_runtimes(town, ledger)),
        ("hooks", lambda: checks_env.check_hooks(town)),
        ("git", lambda: checks_env.check_git_identity(town)),
        ("permissions", lambda: checks_town.check_permissions(town)),
        ("engine", lambda: checks_town.check_engine(town)),
        ("ledger", lambda: checks_town.check_ledger(town, ledger)),
        ("half-made", lambda: checks_town.check_half_made(town, ledger)),
        ("worktrees", lambda: checks_town.check_worktrees(town, ledger)),
        ("processes", lambda: checks_town.check_orphans(town, engine_up)),
        ("disk", lambda: checks_env.check_disk(town)),
        ("gt cost", checks_env.check_bytecode),
    ]
    out: list[Finding] = []
    for name, check in checks:
        try:
            out += check()
        except Exception as exc:  # noqa: BLE001 - a broken check is itself a finding
            out.append(Finding(name, "error", f"check failed: {type(exc).__name__}: {exc}"[:200],
                               "report this; rerun with GT_DEBUG=1"))
    return out
