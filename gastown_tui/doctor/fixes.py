"""The safe fixes `gastown doctor --fix` applies: ones that never lose work (they finish or undo half-made
commands, tighten modes, drop stale files and merged branches). Everything else is listed with what to do."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gastown_tui.doctor.model import Finding
from gastown_tui.town.paths import TownPaths


def apply_fixes(town: TownPaths, ledger: Any, findings: list[Finding]) -> list[str]:
    """Apply the safe fix of each finding that has one (each kind of repair once); returns one line per action."""
    done: list[str] = []
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        key = (finding.fix, finding.target if finding.fix != "repair" else "")
        if not finding.fix or key in seen:
            continue
        seen.add(key)
        done.append(_apply(town, ledger, finding))
    return done


def _apply(town: TownPaths, ledger: Any, finding: Finding) -> str:
    """Run one fix; returns what it did."""
    from gastown_tui.errors import GastownError

    try:
        if finding.fix == "chmod":
            path = Path(finding.target)
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
            return f"chmod {'700' if path.is_dir() else '600'} {path}"
        if finding.fix == "remove-socket":
            Path(finding.target).unlink(missing_ok=True)
            return f"removed stale {finding.target}"
        if finding.fix == "export-ledger":
            written = ledger.export_jsonl(full=True)
            return f"exported the ledger ({len(written)} file(s) rewritten)"
        if finding.fix == "repair":
            from gastown_tui.agents.repair import repair_town

            repairs = repair_town(town, ledger, actor="doctor")
            return "; ".join(f"{r.action} {r.address}: {r.detail}" for r in repairs) or "nothing left to repair"
        if finding.fix == "rewrite-settings":
            import json

            from gastown_tui.agents.claude_settings import settings_document

            Path(finding.target).write_text(json.dumps(settings_document(), indent=2))
            return f"rewrote {finding.target}"
        if finding.fix == "prune":
            from gastown_tui.gitops._core import (  # prune is not in gitops' public API yet
                rig_repo,
                run,
            )

            with rig_repo(town.rig(finding.target)) as repo:
                run(repo, "worktree", "prune")
            return f"pruned worktrees of rig {finding.target}"
        if finding.fix == "delete-branch":
            from gastown_tui import gitops

            rig, _, branch = finding.target.partition(":")
            gitops.delete_branch(town.rig(rig), branch)  # not forced: refuses anything unmerged
            return f"deleted merged branch {branch} of rig {rig}"
    except (GastownError, OSError) as exc:
        return f"could not {finding.fix} {finding.target}: {exc}"
    return f"unknown fix {finding.fix!r}"
