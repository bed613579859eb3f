"""Drill fixtures: the agent/engine town fixtures (real git, scripted runtime) and a bare ledger-only town."""

from __future__ import annotations

from pathlib import Path

import pytest

from gastown_tui.town.paths import TownPaths
from tests.agents.conftest import ledger, town  # noqa: F401 - fixtures


@pytest.fixture
def bare_town(tmp_path: Path) -> TownPaths:
    """A freshly installed town with no rigs (the ledger is all these drills need)."""
    from gastown_tui.town import install_town

    return install_town(tmp_path / "bare", name="drilltown").town
