"""Fixtures for the costs tests: a real town and ledger, a private Claude config dir, real transcript lines."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gastown_tui.costs.attribution import slug
from gastown_tui.town.paths import TownPaths
from tests.agents.conftest import make_source, make_town

FIXTURES = Path(__file__).parent / "fixtures"
RESUMED = FIXTURES / "resumed-session.jsonl"
FORKED = FIXTURES / "forked-session.jsonl"


@pytest.fixture
def town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TownPaths:
    """A town with rig `app` (prefix `ap`) whose agents use the `claude` runtime.

    Sling refuses a runtime whose program is not on PATH (issue 18). These tests are about budgets, not about
    starting Claude Code (no engine runs; starts are only queued), so a stand-in `claude` that does nothing is put
    on PATH for the precondition check."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "claude"
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ.get('PATH', '')}")
    return make_town(tmp_path / "town", make_source(tmp_path / "src"), runtime="claude")


@pytest.fixture
def ledger(town: TownPaths) -> Iterator[Any]:
    """The town's ledger, closed after the test."""
    from gastown_tui.ledger import Ledger

    led = Ledger.open(town)
    yield led
    led.shutdown()


@pytest.fixture
def claude_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CLAUDE_CONFIG_DIR for this test (where ingestion looks for projects/<slug>/<session>.jsonl)."""
    path = tmp_path / "claude-config"
    (path / "projects").mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(path))
    return path


def relocate(lines: list[str], cwd: Path, branch: str = "", session: str | None = None,
             at: float | None = None) -> list[str]:
    """Real transcript lines as if written by a session in `cwd` on `branch` (at wall time `at`, if given)."""
    from datetime import UTC, datetime

    out = []
    for line in lines:
        raw = json.loads(line)
        if at is not None and "timestamp" in raw:
            raw["timestamp"] = datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")
        if "cwd" in raw:
            raw["cwd"] = str(cwd)
        if "gitBranch" in raw and branch:
            raw["gitBranch"] = branch
        if session is not None and "sessionId" in raw:
            raw["sessionId"] = session
        out.append(json.dumps(raw))
    return out


def write_transcript(claude_dir: Path, cwd: Path, name: str, lines: list[str], *, append: bool = False) -> Path:
    """Write (or append) lines to `<claude>/projects/<slug(cwd)>/<name>.jsonl`, as Claude Code does."""
    folder = claude_dir / "projects" / slug(cwd)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.jsonl"
    with path.open("a" if append else "w") as fh:
        fh.write("".join(line + "\n" for line in lines))
    return path


def served() -> dict[str, dict[str, int]]:
    """Usage the stub served per message id when the fixtures were recorded."""
    return {s["id"]: s["usage"] for s in json.loads((FIXTURES / "served.json").read_text())}
