"""Recovering from a damaged live store: check it, move it aside, rebuild it from `.beads/*.jsonl` and git.

SQLite is only the live copy; the durable ledger is the JSONL committed to the town repo. So a store that fails
its integrity check is never patched in place: it is moved to `.gastown/corrupt-<stamp>/` (kept for forensics,
never deleted) and a fresh store is built from the working-tree JSONL, with the last committed JSONL (`git show
HEAD:.beads/<file>`) merged underneath, so a JSONL line that was damaged in the working tree but committed earlier
still comes back. Import merges per bead by `updated_at`, so the newer of the two copies wins.

What a rebuild cannot bring back: wisps (patrol runs, nudges, most mail) live only in SQLite, and persistent
changes made after the last export. Both are reported, not hidden.

CLI hook (not wired here): `gastown ledger rebuild` calling `rebuild_from_jsonl(find_town())` and printing
`RebuildReport.summary()`; the corrupt-store LedgerError message already names that command.
"""

from __future__ import annotations

import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from gastown_tui.errors import LedgerError
from gastown_tui.ledger.model import ImportReport
from gastown_tui.town.paths import TownPaths

_SIDECARS = ("", "-wal", "-shm")


@dataclass
class RebuildReport:
    """What a rebuild did: where the old store went and what each import found."""

    moved_to: Path | None
    problem: str | None
    reports: list[ImportReport] = field(default_factory=list)
    from_git: list[str] = field(default_factory=list)
    beads: int = 0

    @property
    def errors(self) -> list[str]:
        """Every `file:line: problem` met while importing (the lines that were not recovered from that copy)."""
        return [e for r in self.reports for e in r.errors]

    def summary(self) -> str:
        """One paragraph for the CLI."""
        lines = [f"rebuilt the ledger store: {self.beads} persistent beads"]
        if self.moved_to is not None:
            lines.append(f"old store moved to {self.moved_to} ({self.problem or 'replaced on request'})")
        if self.from_git:
            lines.append(f"merged the committed copy of {', '.join(self.from_git)} from git HEAD")
        lines += [f"warning: {e}" for e in self.errors]
        return "\n".join(lines)


def check_store(db_path: Path) -> str | None:
    """None if the store opens and passes `PRAGMA quick_check`; else a one-line description of the damage."""
    if not db_path.exists():
        return None
    if db_path.is_dir():
        return f"{db_path} is a directory, not a SQLite file"
    try:
        # Read-only URI: checking must never create a WAL or touch the damaged file.
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return f"cannot open {db_path}: {exc}"
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        return f"{db_path}: {exc}"
    finally:
        conn.close()
    verdict = "; ".join(str(r[0]) for r in rows[:3])
    return None if verdict == "ok" else f"{db_path}: integrity check failed: {verdict}"


def _move_aside(db_path: Path) -> Path:
    """Move the store and its WAL/SHM into a fresh `corrupt-<stamp>` directory next to it; returns that directory."""
    target = db_path.parent / time.strftime("corrupt-%Y%m%dT%H%M%S")
    n = 0
    while target.exists():
        n += 1
        target = db_path.parent / f"{time.strftime('corrupt-%Y%m%dT%H%M%S')}-{n}"
    target.mkdir(mode=0o700)
    for suffix in _SIDECARS:
        part = db_path.with_name(db_path.name + suffix)
        if part.exists() or part.is_symlink():
            part.rename(target / part.name)
    return target


def _committed_jsonl(root: Path) -> dict[str, bytes]:
    """`.beads/*.jsonl` as committed at HEAD (empty if the town has no commits or no git)."""
    try:
        names = subprocess.run(["git", "ls-tree", "--name-only", "HEAD", "--", ".beads/"], cwd=root,
                               capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return {}
    out: dict[str, bytes] = {}
    for name in names.stdout.splitlines() if names.returncode == 0 else []:
        if not name.endswith(".jsonl"):
            continue
        shown = subprocess.run(["git", "show", f"HEAD:{name}"], cwd=root, capture_output=True, timeout=30,
                               check=False)
        if shown.returncode == 0:
            out[Path(name).name] = shown.stdout
    return out


def rebuild_from_jsonl(town: TownPaths | Path | str, *, force: bool = False) -> RebuildReport:
    """Move a damaged (or, with `force`, any) store aside and rebuild it from the JSONL and git HEAD.

    Raises LedgerError if the store is healthy and `force` is not given (a rebuild drops wisps).
    """
    from gastown_tui.ledger.api import Ledger

    paths = town if isinstance(town, TownPaths) else TownPaths(Path(town))
    problem = check_store(paths.state_db)
    if problem is None and not force:
        raise LedgerError(f"ledger store {paths.state_db} passed its integrity check; not rebuilding "
                          "(pass force=True to rebuild anyway)")
    moved = _move_aside(paths.state_db) if paths.state_db.exists() else None
    report = RebuildReport(moved, problem)
    committed = _committed_jsonl(paths.root)
    with Ledger.open(paths) as ledger:  # fresh schema + import of every working-tree JSONL
        report.reports += ledger.import_reports
        with tempfile.TemporaryDirectory(prefix="gt-rebuild-") as tmp:
            for name, data in sorted(committed.items()):
                copy = Path(tmp) / name
                copy.write_bytes(data)
                # The committed copy fills in beads the working tree lost; newer working-tree beads still win.
                imported = ledger.import_jsonl(copy, prefix=copy.stem)
                if imported.created or imported.updated:
                    report.from_git.append(name)
                report.reports.append(imported)
        report.beads = ledger.count(ephemeral=False, include_closed=True)
    return report
