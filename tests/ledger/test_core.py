"""Core semantics of the ledger API on a real SQLite file: ids, fields, readiness, claims, deps, wisps, JSONL."""

from __future__ import annotations

import json
import os
import stat

import pytest

from gastown_tui.errors import Ambiguous, Conflict, InvalidInput, NotFound
from gastown_tui.ledger import Ledger
from gastown_tui.ledger.ids import adaptive_length
from gastown_tui.town.paths import TownPaths


def test_store_files_are_private_and_in_wal(ledger: Ledger, town: TownPaths) -> None:
    assert stat.S_IMODE(os.stat(town.runtime).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(town.state_db).st_mode) == 0o600
    assert ledger.store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ledger.store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_ids_hash_child_molecule_wisp_and_explicit(ledger: Ledger) -> None:
    epic = ledger.create("Epic", issue_type="epic", actor="a")
    assert epic.id.startswith("hq-") and len(epic.id) == len("hq-") + 3
    assert [ledger.create(f"c{i}", parent=epic.id).id for i in range(3)] == [f"{epic.id}.{n}" for n in (1, 2, 3)]
    assert ledger.get(f"{epic.id}.1").parent_id == epic.id
    assert ledger.create("m", issue_type="molecule").id.startswith("hq-mol-")
    assert ledger.create("w", ephemeral=True).id.startswith("hq-wisp-")
    assert ledger.create("rig bead", prefix="gt").id.startswith("gt-")
    assert ledger.create("convoy", id="hq-cv-abcd", issue_type="convoy").prefix == "hq"
    with pytest.raises(Conflict):
        ledger.create("again", id="hq-cv-abcd")
    # Adaptive length thresholds from beads' birthday-bound formula.
    assert [adaptive_length(n) for n in (0, 160, 200, 1000, 6000)] == [3, 3, 4, 5, 6]


def test_validation_and_priority_forms(ledger: Ledger) -> None:
    assert ledger.create("p", priority="P0").priority == 0
    with pytest.raises(InvalidInput):
        ledger.create("bad", priority=5)
    with pytest.raises(InvalidInput):
        ledger.create("bad", issue_type="nonsense")
    bead = ledger.create("ok", issue_type="feat")  # alias
    assert bead.issue_type == "feature"
    with pytest.raises(InvalidInput):
        ledger.update(bead.id, status="done-ish")
    with pytest.raises(InvalidInput):
        ledger.create("")


def test_resolve_partial_ids(ledger: Ledger) -> None:
    ledger.create("x", id="hq-abc1")
    ledger.create("y", id="hq-abc2")
    assert ledger.resolve("hq-abc1") == "hq-abc1"
    assert ledger.resolve("abc1") == "hq-abc1"
    assert ledger.resolve("c2") == "hq-abc2"
    with pytest.raises(Ambiguous, match="hq-abc1, hq-abc2"):
        ledger.resolve("abc")
    with pytest.raises(NotFound):
        ledger.resolve("zzz")


def test_update_close_reopen_and_audit(ledger: Ledger) -> None:
    bead = ledger.create("t", actor="alice", custom_field={"k": 1})
    assert bead.extra == {"custom_field": {"k": 1}}
    bead = ledger.update(bead.id, actor="bob", title="t2", priority="P1", notes="n")
    assert (bead.title, bead.priority, bead.notes) == ("t2", 1, "n")
    closed = ledger.close(bead.id, reason="done", actor="bob")
    assert closed.status == "closed" and closed.closed_at and closed.close_reason == "done"
    reopened = ledger.reopen(bead.id, actor="carol")
    assert reopened.status == "open" and reopened.closed_at is None and reopened.close_reason is None
    kinds = [e.event_type for e in ledger.audit(bead.id)]
    assert kinds == ["created", "updated", "closed", "reopened"]


def test_claim_is_atomic_and_idempotent(ledger: Ledger) -> None:
    bead = ledger.create("work")
    claimed = ledger.claim(bead.id, "alice")
    assert (claimed.status, claimed.assignee) == ("in_progress", "alice") and claimed.started_at
    assert ledger.claim(bead.id, "alice").assignee == "alice"  # retry-safe
    with pytest.raises(Conflict, match="already claimed by alice"):
        ledger.claim(bead.id, "bob")
    assert [e.event_type for e in ledger.audit(bead.id)].count("claimed") == 1


def test_ready_claim_takes_highest_priority_unassigned(ledger: Ledger) -> None:
    ledger.create("low", priority=3)
    high = ledger.create("high", priority=1)
    ledger.create("taken", priority=0, assignee="zed")
    got = ledger.ready_claim("alice")
    assert got is not None and got.id == high.id and got.assignee == "alice"


def test_readiness_blocks_parent_child_and_transitive(ledger: Ledger) -> None:
    blocker = ledger.create("blocker")
    epic = ledger.create("epic", issue_type="epic")
    child = ledger.create("child", parent=epic.id)
    grandchild = ledger.create("grandchild", parent=child.id)
    ready_ids = {b.id for b in ledger.ready()}
    assert {epic.id, child.id, grandchild.id, blocker.id} <= ready_ids  # epic with open children is ready
    ledger.add_dep(epic.id, blocker.id)  # blocking the epic blocks its whole subtree
    assert {b.id for b in ledger.ready()} == {blocker.id}
    blocked = {b.bead.id: b.blocked_by for b in ledger.blocked()}
    assert blocked == {epic.id: [blocker.id], child.id: [epic.id], grandchild.id: [child.id]}
    ledger.close(blocker.id)
    assert {b.id for b in ledger.ready()} == {epic.id, child.id, grandchild.id}
    ledger.reopen(blocker.id)
    assert ledger.get(grandchild.id).is_blocked
    ledger.remove_dep(epic.id, blocker.id)
    assert not ledger.get(grandchild.id).is_blocked


def test_ready_excludes_types_ephemeral_deferred_and_non_open(ledger: Ledger) -> None:
    ok = ledger.create("task")
    for kind in ("merge-request", "gate", "molecule", "message", "agent", "role", "rig", "convoy"):
        ledger.create(kind, issue_type=kind)
    ledger.create("wisp", ephemeral=True)
    later = ledger.create("deferred parent", defer_until="2999-01-01T00:00:00Z")
    ledger.create("hidden child", parent=later.id)
    ledger.create("wip", status="in_progress")
    assert [b.id for b in ledger.ready()] == [ok.id]
    assert len(ledger.ready(include_ephemeral=True)) == 2


def test_waits_for_gate(ledger: Ledger) -> None:
    spawner = ledger.create("spawner")
    a = ledger.create("a", parent=spawner.id)
    b = ledger.create("b", parent=spawner.id)
    all_gate = ledger.create("all")
    any_gate = ledger.create("any")
    ledger.add_dep(all_gate.id, spawner.id, "waits-for")
    ledger.add_dep(any_gate.id, spawner.id, "waits-for", metadata={"gate": "any-children"})
    assert ledger.get(all_gate.id).is_blocked and ledger.get(any_gate.id).is_blocked
    ledger.close(a.id)
    assert ledger.get(all_gate.id).is_blocked and not ledger.get(any_gate.id).is_blocked
    assert ledger.blockers(all_gate.id) == [spawner.id] and ledger.blockers(any_gate.id) == []
    ledger.close(b.id)
    assert not ledger.get(all_gate.id).is_blocked


def test_cycles_refused_and_detected(ledger: Ledger) -> None:
    a, b, c = (ledger.create(n).id for n in "abc")
    ledger.add_dep(a, b)
    ledger.add_dep(b, c)
    with pytest.raises(Conflict, match=f"{c} -> {a} -> {b} -> {c}"):
        ledger.add_dep(c, a)
    with pytest.raises(Conflict, match="cycle"):
        ledger.add_dep(a, a)
    assert ledger.cycles() == []
    ledger.add_dep(c, a, "related")  # non-blocking edges are not cycle-checked
    epic = ledger.create("epic").id
    child = ledger.create("child", parent=epic).id
    with pytest.raises(Conflict, match=f"{epic} -> {child} -> {epic}"):
        ledger.add_dep(epic, child, "parent-child")  # a bead cannot become its own ancestor
    # A cycle that slipped in through an import is reported by cycles().
    with ledger.transaction() as conn:
        conn.execute("INSERT INTO dependencies(issue_id, depends_on_id, type, created_at) VALUES (?, ?, 'blocks', '')",
                     (c, b))
    cycles = ledger.cycles()
    assert len(cycles) == 1 and set(cycles[0]) == {b, c} and cycles[0][0] == cycles[0][-1]


def test_transaction_nesting_joins_and_rolls_back(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError):
        with ledger.transaction():
            ledger.create("one", id="hq-one")
            ledger.create("two", id="hq-two")
            raise RuntimeError("boom")
    assert not ledger.exists("hq-one") and not ledger.exists("hq-two")
    with ledger.transaction():
        ledger.create("kept", id="hq-kept")
        with pytest.raises(Conflict):
            ledger.create("dup", id="hq-kept")  # inner failure rolls back only the inner block
    assert ledger.exists("hq-kept")


def test_labels_comments_search_children_tree(ledger: Ledger) -> None:
    epic = ledger.create("Parser epic", issue_type="epic")
    child = ledger.create("Lexer", parent=epic.id, description="tokenise input")
    ledger.add_label(child.id, "area:parser")
    ledger.add_label(child.id, "area:parser")
    ledger.add_label(child.id, "p")
    ledger.remove_label(child.id, "p")
    comment = ledger.comment(child.id, "looks good", author="rev")
    assert len(comment.id) == 36
    bead = ledger.get(child.id)
    assert bead.labels == ["area:parser"] and bead.comments[0].text == "looks good"
    assert [b.id for b in ledger.list(labels=["area:parser"])] == [child.id]
    assert [b.id for b in ledger.search("tokenise")] == [child.id]
    assert [b.id for b in ledger.children(epic.id)] == [child.id]
    tree = ledger.dep_tree(epic.id, "up")
    assert [(n.id, n.depth, n.dep_type) for n in tree] == [(epic.id, 0, None), (child.id, 1, "parent-child")]


def test_wisps_never_exported_and_gc(ledger: Ledger, town: TownPaths) -> None:
    keep = ledger.create("persistent")
    old = ledger.create("old heartbeat", ephemeral=True, issue_type="event")
    done = ledger.create("finished wisp", ephemeral=True)
    fresh = ledger.create("fresh wisp", ephemeral=True)
    mol = ledger.create("patrol", ephemeral=True, issue_type="molecule")
    step = ledger.create("step", parent=mol.id, ephemeral=True)
    ledger.add_label(old.id, "gt:heartbeat")
    ledger.comment(old.id, "beat")
    ledger.close(done.id)
    ledger.close(step.id)
    with ledger.transaction() as conn:  # age one wisp
        conn.execute("UPDATE issues SET updated_unix = updated_unix - 7200 WHERE id = ?", (old.id,))
    ledger.export_jsonl()
    text = town.jsonl_for_prefix("hq").read_text()
    assert keep.id in text and "wisp" not in text
    mail = ledger.create("unread mail", ephemeral=True, labels=["gt:message"])
    with ledger.transaction() as conn:  # age the mail too: unread mail is never collected
        conn.execute("UPDATE issues SET updated_unix = updated_unix - 7200 WHERE id = ?", (mail.id,))
    assert ledger.gc_wisps(3600) == 1
    assert not ledger.exists(old.id)
    assert ledger.exists(done.id)  # closed but recent: kept as history until it ages out
    assert ledger.exists(fresh.id) and ledger.exists(step.id) and ledger.exists(mail.id)
    assert ledger.store.conn.execute("SELECT COUNT(*) FROM labels WHERE issue_id = ?", (old.id,)).fetchone()[0] == 0
    ledger.close(mol.id)
    with ledger.transaction() as conn:  # the molecule and its steps age out together
        conn.execute("UPDATE issues SET updated_unix = updated_unix - 7200 WHERE ephemeral = 1 AND id != ?",
                     (mail.id,))
    assert ledger.gc_wisps(3600) == 4
    assert ledger.exists(mail.id)


def test_export_import_roundtrip_and_dirty_tracking(ledger: Ledger, town: TownPaths) -> None:
    a = ledger.create("a", labels=["x"], unknown_key="kept")
    b = ledger.create("b", prefix="gt")
    ledger.add_dep(a.id, b.id)
    written = ledger.export_jsonl()
    assert sorted(p.name for p in written) == ["gt.jsonl", "hq.jsonl"]
    assert ledger.export_jsonl() == []  # nothing dirty
    ledger.update(b.id, title="b2")
    assert [p.name for p in ledger.export_jsonl()] == ["gt.jsonl"]
    line = json.loads(town.jsonl_for_prefix("hq").read_text())
    assert line["unknown_key"] == "kept" and line["dependencies"][0]["depends_on_id"] == b.id
    # Someone edits the file (git pull): the next open absorbs it before anything else.
    edited = dict(line, title="edited elsewhere", updated_at="2999-01-01T00:00:00Z")
    town.jsonl_for_prefix("hq").write_text(json.dumps(edited) + "\n")
    with Ledger.open(town) as again:
        assert again.get(a.id).title == "edited elsewhere"


def test_meta_and_delete(ledger: Ledger) -> None:
    ledger.meta_set("engine.cursor", "42")
    assert ledger.meta_get("engine.cursor") == "42"
    ledger.meta_set("engine.cursor", None)
    assert ledger.meta_get("engine.cursor") is None
    blocker = ledger.create("blocker")
    dependent = ledger.create("dependent")
    ledger.add_dep(dependent.id, blocker.id)
    ledger.delete(blocker.id)
    assert not ledger.get(dependent.id).is_blocked and ledger.get(dependent.id).dependencies == []
    with pytest.raises(NotFound):
        ledger.get(blocker.id)


def test_bad_line_in_town_jsonl_is_reported_and_blocks_export(town: TownPaths) -> None:
    town.beads_dir.mkdir()
    good = {"id": "hq-good", "title": "fine", "status": "open", "priority": 2, "issue_type": "task",
            "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}
    town.jsonl_for_prefix("hq").write_text(json.dumps(good) + "\n{not json\n")
    with Ledger.open(town) as ledger:
        assert ledger.exists("hq-good")
        assert ledger.import_reports[0].errors[0].endswith("hq.jsonl:2: invalid JSON (Expecting property name "
                                                           "enclosed in double quotes at column 2)")
        ledger.create("new")
        with pytest.raises(Exception, match="refusing to export"):
            ledger.export_jsonl()  # would silently drop the bad line's bead
        assert "{not json" in town.jsonl_for_prefix("hq").read_text()


def test_feed_events_after_commit_only(ledger: Ledger, town: TownPaths) -> None:
    from gastown_tui.events import iter_events

    bead = ledger.create("fed", actor="mayor")
    ledger.claim(bead.id, "polecat/nux")
    ledger.close(bead.id, reason="merged", actor="refinery")
    ledger.create("quiet wisp", ephemeral=True)
    with pytest.raises(RuntimeError):
        with ledger.transaction():
            ledger.create("rolled back", id="hq-gone")
            raise RuntimeError
    seen = [(e.kind, e.data["bead"], e.actor) for e in iter_events(town.events)]
    assert seen == [("bead.created", bead.id, "mayor"), ("bead.claimed", bead.id, "polecat/nux"),
                    ("bead.closed", bead.id, "refinery")]


def test_export_refused_inside_a_transaction(ledger: Ledger, town: TownPaths) -> None:
    from gastown_tui.errors import LedgerError

    with pytest.raises(LedgerError, match="inside a transaction"):
        with ledger.transaction():
            ledger.create("not yet committed")
            ledger.export_jsonl()
    assert not town.jsonl_for_prefix("hq").exists()


def test_text_that_cannot_be_stored_or_exported_is_refused(ledger: Ledger, town: TownPaths) -> None:
    for bad in ("\x00 starts with NUL", "bad \udcff title"):
        with pytest.raises(InvalidInput):
            ledger.create(bad)
    with pytest.raises(InvalidInput):
        ledger.create("ok", description="bad \udcff")
    bead = ledger.create("ok")
    with pytest.raises(InvalidInput):
        ledger.comment(bead.id, "bad \udcff")
    with pytest.raises(InvalidInput):
        ledger.update(bead.id, metadata={"k": "bad \udcff"})
    path = town.root / "incoming.jsonl"
    path.write_text('{"id":"x-1","title":"\\u0000x"}\n{"id":"x-2","title":"a\\udcffb"}\n{"id":"x-3","title":"ok"}\n')
    report = ledger.import_jsonl(path)
    assert report.errors[0] == f"{path}:1: 'title' contains a NUL character"
    assert report.errors[1].startswith(f"{path}:2: text is not valid Unicode")
    assert ledger.exists("x-3") and not ledger.exists("x-1") and not ledger.exists("x-2")
    ledger.export_jsonl()


def test_id_length_grows_with_the_number_of_ids(ledger: Ledger) -> None:
    with ledger.transaction():  # 200 existing top-level ids: past the 3-character threshold (~163)
        for n in range(200):
            ledger.create(f"bulk {n}", id=f"hq-{n:04d}")
    assert len(ledger.create("next").id) == len("hq-") + 4
    for bead in ledger.list(limit=None)[:150]:
        ledger.delete(bead.id)
    assert len(ledger.create("after deletes").id) == len("hq-") + 3


def test_export_waits_for_another_threads_transaction(ledger: Ledger) -> None:
    """A transaction open in one thread makes export in another thread wait, not fail."""
    import threading

    ledger.create("before")
    inside = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        with ledger.transaction():
            ledger.create("written while export waits")
            inside.set()
            release.wait(5)

    def export() -> None:
        try:
            ledger.export_jsonl()
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever escaped
            errors.append(exc)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(5)
    exporter = threading.Thread(target=export)
    exporter.start()
    exporter.join(0.3)
    assert exporter.is_alive()  # blocked behind the open transaction
    release.set()
    holder.join(5)
    exporter.join(5)
    assert not errors
    assert "written while export waits" in ledger.paths.jsonl_for_prefix("hq").read_text()
