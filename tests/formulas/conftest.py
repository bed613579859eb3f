"""Fixtures for formula/molecule tests: a bare test town (town.toml + git init) and an open ledger."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gastown_tui.ledger import Ledger
from gastown_tui.town.paths import TownPaths


@pytest.fixture
def town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TownPaths:
    """A minimal town: empty town.toml, a git repo, a town `formulas/` dir; GT_TOWN points at it."""
    root = tmp_path / "town"
    root.mkdir()
    (root / "town.toml").write_text("")
    (root / "formulas").mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.setenv("GT_TOWN", str(root))
    return TownPaths(root)


@pytest.fixture
def ledger(town: TownPaths) -> Iterator[Ledger]:
    """The town's ledger, closed after the test."""
    led = Ledger.open(town)
    try:
        yield led
    finally:
        led.shutdown()


def write_formula(town: TownPaths, name: str, text: str) -> Path:
    """Write `<town>/formulas/<name>.formula.toml` and return its path."""
    path = town.root / "formulas" / f"{name}.formula.toml"
    path.write_text(text)
    return path
