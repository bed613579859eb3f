"""Fixtures for patrol tests: a real town with real rigs (git), a ledger, and a recording dispatch."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gastown_tui import gitops
from gastown_tui.clock import FakeClock
from gastown_tui.ledger import Ledger
from gastown_tui.patrols.context import PatrolContext
from gastown_tui.patrols.dispatch import LedgerDispatch
from gastown_tui.records import LABEL_MERGE_REQUEST
from gastown_tui.town.install import install_town
from gastown_tui.town.paths import RigPaths, TownPaths
from gastown_tui.town.rigs import add_rig


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` and return stdout."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def make_source(path: Path, files: dict[str, str]) -> Path:
    """A source repository with one commit on main holding `files`."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


def set_gates(rig: RigPaths, gates: dict[str, Any], timeout: int = 30) -> None:
    """Rewrite the rig's [gates] table and gate_timeout."""
    from gastown_tui.town.config import load_rig_config

    config = load_rig_config(rig)
    config.set("gate_timeout", timeout)
    table = config.doc["gates"]
    for key in list(table.keys()):
        del table[key]
    for name, cmd in gates.items():
        table[name] = cmd
    config.save()


class RecordingDispatch(LedgerDispatch):
    """LedgerDispatch that also remembers what it did (slings hook to a made-up polecat unless given a sling_fn)."""

    def __init__(self, ledger: Any, **kw: Any) -> None:
        super().__init__(ledger, **kw)
        self.mails: list[tuple[str, str, str]] = []
        self.escalations: list[tuple[str, str]] = []
        self.slung: list[tuple[str, str]] = []

    def mail(self, to: str, subject: str, body: str, *, sender: str) -> str:
        """Record and store."""
        self.mails.append((to, subject, body))
        return super().mail(to, subject, body, sender=sender)

    def escalate(self, subject: str, body: str, *, severity: str = "medium", source: str = "patrol",
                 dedupe_key: str | None = None) -> str:
        """Record and store."""
        self.escalations.append((subject, body))
        return super().escalate(subject, body, severity=severity, source=source, dedupe_key=dedupe_key)

    def sling(self, bead_id: str, rig: str) -> str:
        """Record; hook to a made-up polecat."""
        self.slung.append((bead_id, rig))
        if self.sling_fn is not None:
            return str(self.sling_fn(bead_id, rig))
        address = f"{rig}/polecats/fresh"
        self.ledger.update(bead_id, status="hooked", assignee=address)
        return address


@dataclass
class Town:
    """A test town: paths, ledger, context, and helpers to make polecat work and merge requests."""

    paths: TownPaths
    ledger: Ledger
    ctx: PatrolContext
    dispatch: RecordingDispatch
    clock: FakeClock

    def rig(self, name: str) -> RigPaths:
        """Paths of rig `name`."""
        return self.paths.rig(name)

    def work(self, rig: str, polecat: str, bead_id: str, files: dict[str, str], *, message: str = "work") -> str:
        """Commit `files` on branch polecat/<name>/<bead> in a polecat worktree; returns the branch."""
        paths = self.rig(rig)
        branch = f"polecat/{polecat}/{bead_id}"
        tree = paths.polecat(polecat)
        if not tree.exists():
            gitops.add_worktree(paths, tree, branch)
        for name, text in files.items():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_text(text)
        gitops.commit_all(tree, message)
        return branch

    def bead(self, title: str, rig: str, **kw: Any) -> Any:
        """A work bead in `rig`'s prefix."""
        from gastown_tui.town.config import load_rig_config

        return self.ledger.create(title, prefix=load_rig_config(self.rig(rig)).prefix, **kw)

    def mr(self, rig: str, bead: Any, branch: str, worker: str, *, priority: int = 2) -> Any:
        """A merge-request bead as `gt done` makes it."""
        self.ledger.update(bead.id, status="hooked", assignee=worker)
        return self.ledger.create(f"Merge: {bead.id}", issue_type="merge-request", labels=[LABEL_MERGE_REQUEST],
                                  priority=priority,
                                  metadata={"branch": branch, "target": "main", "source_issue": bead.id,
                                            "worker": worker, "rig": rig, "commit_sha": ""})

    def main_file(self, rig: str, name: str) -> str | None:
        """Content of `name` on the rig's main branch (None if absent)."""
        repo = self.rig(rig).bare_repo
        proc = subprocess.run(["git", "show", f"main:{name}"], cwd=repo, capture_output=True, text=True)
        return proc.stdout if proc.returncode == 0 else None


# The project's own test: app.txt must never contain "bug" (the push tests check it at every landed commit).
GATE = [sys.executable, "-c", "import sys; sys.exit(1 if 'bug' in open('app.txt').read() else 0)"]


def make_origin(tmp: Path) -> tuple[Path, Path]:
    """A bare "origin" holding one commit, and a developer's working clone of it (the rig's source)."""
    seed = make_source(tmp / "seed", {"README.md": "calc\n", "app.txt": "line1\nline2\nline3\n"})
    origin = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(seed), str(origin))
    dev = tmp / "dev"
    git(tmp, "clone", "-q", str(origin), str(dev))
    return origin, dev


def push_from_other(tmp: Path, origin: Path, name: str, text: str, who: str = "other") -> str:
    """Someone else commits `name` and pushes it to origin/main; returns the commit."""
    other = tmp / who
    if not other.exists():
        git(tmp, "clone", "-q", str(origin), str(other))
    git(other, "pull", "-q", "--ff-only")
    (other / name).write_text(text)
    git(other, "add", "-A")
    git(other, "-c", "user.name=Other", "-c", "user.email=o@x", "commit", "-q", "-m", f"other: {name}")
    git(other, "push", "-q", "origin", "main")
    return git(other, "rev-parse", "HEAD")


@pytest.fixture
def pushed(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A town whose rig `alpha` was added from a working clone of a bare origin (so it lands by push)."""
    origin, dev = make_origin(tmp_path)
    root = tmp_path / "town"
    install_town(root, "testtown")
    paths = TownPaths(root)
    rig = add_rig(paths, "alpha", str(dev))
    ledger = Ledger.open(paths)
    dispatch = RecordingDispatch(ledger)
    town = Town(paths, ledger, PatrolContext(town=paths, ledger=ledger, clock=FakeClock(), dispatch=dispatch),
                dispatch, FakeClock())
    set_gates(town.rig("alpha"), {"test": GATE})
    yield town, origin, rig
    ledger.shutdown()


def build_town(tmp: Path, rigs: tuple[str, ...] = ("alpha",)) -> Town:
    """Install a town and add `rigs`, each cloned from a small source repo."""
    root = tmp / "town"
    install_town(root, "testtown")
    paths = TownPaths(root)
    for name in rigs:
        src = make_source(tmp / f"src-{name}", {"README.md": f"{name}\n", "app.txt": "line1\nline2\nline3\n"})
        add_rig(paths, name, str(src))
    ledger = Ledger.open(paths)
    clock = FakeClock()
    dispatch = RecordingDispatch(ledger)
    ctx = PatrolContext(town=paths, ledger=ledger, clock=clock, dispatch=dispatch)
    return Town(paths, ledger, ctx, dispatch, clock)


@pytest.fixture
def town(tmp_path: Path) -> Town:
    """A one-rig test town."""
    t = build_town(tmp_path)
    yield t
    t.ledger.shutdown()
