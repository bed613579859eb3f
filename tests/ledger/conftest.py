"""Fixtures for ledger tests: a minimal real town (town.toml + git init) and a Ledger opened on it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gastown_tui.ledger import Ledger
from gastown_tui.town.paths import TownPaths
from tests.conftest import SHARED_DATA

REAL_JSONL = SHARED_DATA / "beads-v0.40-issues.jsonl"


def make_town(root: Path) -> TownPaths:
    """A directory with an empty town.toml in a fresh git repository (all a ledger needs)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "town.toml").write_text("")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return TownPaths(root)


@pytest.fixture
def town(tmp_path: Path) -> TownPaths:
    """A fresh minimal town."""
    return make_town(tmp_path / "town")


@pytest.fixture
def ledger(town: TownPaths) -> Iterator[Ledger]:
    """A ledger on the fresh town, closed after the test."""
    with Ledger.open(town) as opened:
        yield opened
