"""Ledger damage drills: a full disk, a corrupt JSONL line and a corrupt SQLite store.

Full disk: we run as root, so chmod cannot make writes fail; instead the CLI child gets RLIMIT_FSIZE (prlimit) far
below the store's size, so every SQLite write past that offset fails with EFBIG (Python ignores SIGXFSZ) -- the same
error path as ENOSPC. Replacing the store with a directory makes even opening it fail.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gastown_tui.errors import LedgerError
from gastown_tui.ledger import Ledger
from gastown_tui.ledger.recovery import check_store, rebuild_from_jsonl
from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli


def gt(town: TownPaths, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI against `town`."""
    return run_cli(*args, env={"GT_TOWN": str(town.root)})


def limited_gt(town: TownPaths, fsize: int, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child whose files may not grow past `fsize` bytes (a disk that is full)."""
    code = "from gastown_tui.cli.main import run; import sys; sys.exit(run('gt', sys.argv[1:]))"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    env = {**os.environ, "GT_TOWN": str(town.root)}
    return subprocess.run([sys.executable, "-c", code, *args], env=env, text=True, capture_output=True,
                          timeout=120, preexec_fn=limit, check=False)


def assert_one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """Non-zero exit, exactly one line on stderr, no traceback; returns that line."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def integrity(db: Path) -> str:
    """`PRAGMA integrity_check` of a store."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def seeded(town: TownPaths, n: int = 5) -> list[str]:
    """Create `n` beads (one with a comment and a label), export and commit them; returns their ids."""
    with Ledger.open(town) as ledger:
        ids = [ledger.create(f"Seed {i}", prefix="hq", description=f"body {i}").id for i in range(n)]
        ledger.comment(ids[0], "first comment", author="drill")
        ledger.add_label(ids[1], "area:drill")
        ledger.commit("drill: seed")
    return ids


@pytest.mark.parametrize("args", [("bd", "create", "x" * 400, "-d", "y" * 100_000), ("bd", "create", "small")])
def test_full_disk_gives_one_clear_line_and_corrupts_nothing(bare_town: TownPaths, args: tuple[str, ...]) -> None:
    ids = seeded(bare_town)
    size = bare_town.state_db.stat().st_size
    proc = limited_gt(bare_town, 4096, *args)
    line = assert_one_line_error(proc)
    assert line.startswith("gt: error:") and ("disk" in line or "I/O" in line or "full" in line), line
    assert size > 4096  # the limit really is below the store: the write had to fail
    assert integrity(bare_town.state_db) == "ok"
    listed = gt(bare_town, "bd", "list", "--json", "-n", "0")
    assert listed.returncode == 0, listed.stderr
    assert sorted(b["id"] for b in json.loads(listed.stdout)) == sorted(ids)  # nothing lost, nothing half-written


def test_full_disk_during_export_keeps_the_old_jsonl(bare_town: TownPaths) -> None:
    seeded(bare_town)
    jsonl = bare_town.jsonl_for_prefix("hq")
    before = jsonl.read_bytes()
    assert gt(bare_town, "bd", "create", "Not yet exported", "-d", "z" * 5000).returncode == 0
    # The store may grow (checkpoint) but the JSONL rewrite is bigger than the limit: the atomic write must fail.
    proc = limited_gt(bare_town, len(before) + 100, "ledger", "export")
    assert_one_line_error(proc)
    assert jsonl.read_bytes() == before  # atomic: the old file is intact, no half-written ledger
    assert not [p for p in jsonl.parent.iterdir() if p.name not in (".gitkeep", "hq.jsonl")]  # no temp left
    assert gt(bare_town, "ledger", "export").returncode == 0  # and it works once there is room


def test_store_replaced_by_a_directory_is_a_clear_error(bare_town: TownPaths) -> None:
    seeded(bare_town)
    for suffix in ("", "-wal", "-shm"):
        path = bare_town.state_db.with_name("state.db" + suffix)
        if path.exists():
            path.unlink()
    bare_town.state_db.mkdir()
    line = assert_one_line_error(gt(bare_town, "bd", "list"))
    assert "state.db" in line
    assert check_store(bare_town.state_db) is not None


def test_corrupt_jsonl_line_is_named_and_the_rest_survives(bare_town: TownPaths) -> None:
    ids = seeded(bare_town)
    jsonl = bare_town.jsonl_for_prefix("hq")
    lines = jsonl.read_text().splitlines()
    lines[2] = lines[2][: len(lines[2]) // 2]  # a torn line, as a bad merge or a crash mid-write leaves it
    jsonl.write_text("\n".join(lines) + "\n")
    proc = gt(bare_town, "ledger", "import")
    assert proc.returncode != 0
    assert f"{jsonl}:3:" in proc.stderr and "Traceback" not in proc.stderr
    # The good lines stay readable, and an export over the damaged file is refused (it would drop line 3's bead).
    listed = gt(bare_town, "bd", "list", "--json", "-n", "0")
    assert set(ids) <= {b["id"] for b in json.loads(listed.stdout)}
    assert f"{jsonl}:3:" in listed.stderr  # every command warns, naming file:line
    assert gt(bare_town, "bd", "create", "after damage").returncode == 0
    export = gt(bare_town, "ledger", "export")
    assert export.returncode != 0 and f"{jsonl}:3:" in export.stderr
    assert jsonl.read_text().splitlines()[2] == lines[2]  # the damaged file was not overwritten


def corrupt_header(db: Path) -> None:
    """Overwrite SQLite's 16-byte magic header and the page-size field (a store that is no longer a database)."""
    with db.open("r+b") as handle:
        handle.write(b"NOT A SQLITE DB!\xff\xff")


def test_corrupt_store_is_detected_with_a_clear_error(bare_town: TownPaths) -> None:
    seeded(bare_town)
    corrupt_header(bare_town.state_db)
    assert check_store(bare_town.state_db) is not None
    line = assert_one_line_error(gt(bare_town, "bd", "list"))
    assert "state.db" in line and "gastown ledger rebuild" in line
    with pytest.raises(LedgerError):
        Ledger.open(bare_town)
    rebuilt = gt(bare_town, "ledger", "rebuild")  # the command the message names really does it
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert gt(bare_town, "bd", "list").returncode == 0


def test_corrupt_store_is_rebuilt_from_jsonl_and_git(bare_town: TownPaths) -> None:
    ids = seeded(bare_town, n=6)
    jsonl = bare_town.jsonl_for_prefix("hq")
    committed = jsonl.read_text().splitlines()
    # Newer work that was exported but not committed must survive too (the working tree wins where newer).
    with Ledger.open(bare_town) as ledger:
        ledger.update(ids[3], status="in_progress", assignee="app/polecats/nux")
        late = ledger.create("Exported, not committed", prefix="hq").id
        ledger.export_jsonl()
    # And a line torn in the working tree comes back from git HEAD.
    lines = jsonl.read_text().splitlines()
    torn = next(i for i, text in enumerate(lines) if f'"{ids[5]}"' in text)
    lines[torn] = lines[torn][:20]
    jsonl.write_text("\n".join(lines) + "\n")
    corrupt_header(bare_town.state_db)
    shutil.copy(bare_town.state_db, bare_town.root / "damaged-copy")

    report = rebuild_from_jsonl(bare_town)
    assert report.problem and report.moved_to is not None
    assert (report.moved_to / "state.db").read_bytes() == (bare_town.root / "damaged-copy").read_bytes()
    assert any(f"{jsonl}:{torn + 1}:" in e for e in report.errors)
    assert report.from_git == ["hq.jsonl"]
    assert check_store(bare_town.state_db) is None and integrity(bare_town.state_db) == "ok"
    with Ledger.open(bare_town) as ledger:
        assert {b.id for b in ledger.list(include_closed=True, ephemeral=False)} >= {*ids, late}
        assert ledger.get(ids[3]).status == "in_progress"  # newer working-tree copy won over HEAD
        assert ledger.get(ids[5]).title == "Seed 5"  # torn line recovered from git
        assert [c.text for c in ledger.get(ids[0]).comments] == ["first comment"]
        assert "area:drill" in ledger.get(ids[1]).labels
    assert len(committed) == 6
    listed = gt(bare_town, "bd", "list", "--json", "-n", "0")
    assert listed.returncode == 0 and late in listed.stdout


def test_rebuild_refuses_a_healthy_store(bare_town: TownPaths) -> None:
    seeded(bare_town)
    with pytest.raises(LedgerError, match="integrity check"):
        rebuild_from_jsonl(bare_town)
    report = rebuild_from_jsonl(bare_town, force=True)
    assert report.moved_to is not None and report.beads == 5


def test_jsonl_line_with_nul_title_is_a_line_error_not_a_crash(bare_town: TownPaths) -> None:
    seeded(bare_town)
    jsonl = bare_town.jsonl_for_prefix("hq")
    with jsonl.open("a") as handle:
        handle.write(json.dumps({"id": "hq-nul", "title": "\x00x", "status": "open", "priority": 2,
                                 "issue_type": "task", "created_at": "2026-11-24T10:00:00Z",
                                 "updated_at": "2026-11-24T10:00:00Z"}) + "\n")
    proc = gt(bare_town, "bd", "list")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert f"{jsonl}:6:" in proc.stderr  # five seeded lines, then the bad one


def test_corrupt_data_pages_give_one_line_and_rebuild_recovers(bare_town: TownPaths) -> None:
    # A valid header with damaged data pages opens fine; the damage shows up only when a query touches it.
    with Ledger.open(bare_town) as ledger:
        ids = [ledger.create(f"Bulky {i}", prefix="hq", description="x" * 3000).id for i in range(40)]
        ledger.export_jsonl()
    db = bare_town.state_db
    pages = db.stat().st_size // 4096
    with db.open("r+b") as handle:
        for page in range(pages // 2, pages):  # page 1 (header and schema) stays intact
            handle.seek(page * 4096 + 8)
            handle.write(bytes(range(256)) + b"\xff" * 44)
    assert check_store(db) is not None
    for args in (("bd", "list", "--all", "-n", "0"), ("bd", "search", "Bulky"), ("bd", "show", ids[-1])):
        proc = gt(bare_town, *args)
        assert "Traceback" not in proc.stderr, proc.stderr[-1500:]
        if proc.returncode != 0:
            assert "ledger store" in assert_one_line_error(proc)
    report = rebuild_from_jsonl(bare_town)
    assert report.moved_to is not None and report.beads == 40
    with Ledger.open(bare_town) as ledger:
        assert {b.id for b in ledger.list(include_closed=True, ephemeral=False)} == set(ids)
