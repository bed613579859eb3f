"""The real beads v0.40 ledger (679 issues): complete import, byte-identical round trips, beads ready semantics."""

from __future__ import annotations

import json
import shutil

import pytest

from gastown_tui.ledger import Ledger
from gastown_tui.town.paths import TownPaths
from tests.ledger.conftest import REAL_JSONL


def _expected() -> dict[str, int]:
    """Count issues and their embedded parts straight from the file."""
    counts = {"issues": 0, "labels": 0, "dependencies": 0, "comments": 0, "dangling": 0}
    lines = [json.loads(line) for line in REAL_JSONL.read_text().splitlines() if line.strip()]
    ids = {o["id"] for o in lines}
    for obj in lines:
        counts["issues"] += 1
        for key in ("labels", "dependencies", "comments"):
            counts[key] += len(obj.get(key) or [])
        counts["dangling"] += sum(d["depends_on_id"] not in ids for d in obj.get("dependencies") or [])
    return counts


@pytest.fixture
def real(town: TownPaths) -> Ledger:
    """A town whose `.beads/bd.jsonl` is the real file, opened (so imported by import-if-changed)."""
    town.beads_dir.mkdir()
    shutil.copyfile(REAL_JSONL, town.jsonl_for_prefix("bd"))
    opened = Ledger.open(town)
    yield opened
    opened.shutdown()


def test_import_keeps_every_issue_label_dependency_comment(real: Ledger) -> None:
    expected = _expected()
    assert expected["issues"] == 679
    report = real.import_reports[0]
    assert (report.created, report.errors) == (679, [])
    conn = real.store.conn
    for table, key in (("issues", "issues"), ("labels", "labels"), ("dependencies", "dependencies"),
                       ("comments", "comments")):
        assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == expected[key], table
    # Dependencies to ids outside the file are kept too (the file happens to have none dangling; count anyway).
    outside = conn.execute("SELECT COUNT(*) FROM dependencies WHERE depends_on_id NOT IN (SELECT id FROM issues)")
    assert outside.fetchone()[0] == expected["dangling"]
    assert len(real.list(status="tombstone")) == 251
    assert real.get("bd-6df0").comments[0].id == 1  # integer comment ids stay integers


def test_roundtrip_is_byte_identical_and_keeps_unknown_keys(real: Ledger, town: TownPaths, tmp_path) -> None:
    path = town.jsonl_for_prefix("bd")
    assert real.export_jsonl(full=True) == []  # already identical to the original: not rewritten
    assert path.read_bytes() == REAL_JSONL.read_bytes()
    # Export to a second town, re-import there, export again: same bytes.
    from tests.ledger.conftest import make_town

    other = make_town(tmp_path / "other")
    with Ledger.open(other) as second:
        report = second.import_jsonl(path, prefix="bd")
        assert report.created == 679
        second.export_jsonl(full=True)
    assert other.jsonl_for_prefix("bd").read_bytes() == REAL_JSONL.read_bytes()
    tomb = json.loads(next(line for line in path.read_text().splitlines() if '"tombstone"' in line))
    assert {"deleted_at", "deleted_by", "delete_reason", "original_type"} <= set(tomb)
    # A local change re-exports only that line; unknown keys on the changed bead survive it.
    real.update(tomb["id"], notes="touched")
    real.export_jsonl()
    changed = [a for a, b in zip(REAL_JSONL.read_text().splitlines(), path.read_text().splitlines()) if a != b]
    assert len(changed) == 1 and json.loads(changed[0])["id"] == tomb["id"]
    again = json.loads(next(line for line in path.read_text().splitlines() if tomb["id"] in line[:40]))
    assert again["deleted_by"] == tomb["deleted_by"] and again["notes"] == "touched"


def test_ready_and_blocked_follow_beads_semantics(real: Ledger) -> None:
    ready = {b.id for b in real.ready(limit=None)}
    assert real.ready_ids() == [b.id for b in real.ready()]
    blocked = {b.bead.id: b.blocked_by for b in real.blocked()}
    # bd-lfak (open epic) `blocks`-depends on bd-umbf, which is open: blocked; bd-umbf itself is ready.
    assert blocked == {"bd-lfak": ["bd-umbf"]}
    assert "bd-lfak" not in ready and "bd-umbf" in ready
    # bd-tggf (open epic): all eight of its `blocks` targets are closed -> ready.
    assert "bd-tggf" in ready
    # bd-hlsw: an epic with open children (bd-hlsw.3, .4) is itself ready, and so are the children.
    assert {"bd-hlsw", "bd-hlsw.3", "bd-hlsw.4"} <= ready
    # bd-077e only has a `discovered-from` edge to an open bead: non-blocking -> ready.
    assert "bd-077e" in ready
    # bd-mol-408 `blocks` on a tombstoned bead: deleted blockers are satisfied -> ready.
    assert "bd-mol-408" in ready
    # Record types, deferred and pinned beads never show up.
    assert not ready & {"bd-7xrg", "bd-1slh", "bd-n6fm"}
    assert all(real.get(i).status == "open" for i in ready)
    # A child of a blocked parent is blocked, transitively, and is released with its parent.
    child = real.create("new work under the blocked epic", parent="bd-lfak")
    grandchild = real.create("deeper", parent=child.id)
    assert child.id == "bd-lfak.1" and real.get(grandchild.id).is_blocked
    assert real.blockers(grandchild.id) == [child.id]
    real.close("bd-umbf", reason="done")
    assert {"bd-lfak", child.id, grandchild.id} <= {b.id for b in real.ready(limit=None)}
