"""`.gastown/` is private whatever the umask: under umask 000, install, a sling (Claude settings written), a
patrol lock and an engine start leave every directory under it 0700 and no file there group/world-writable."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from gastown_tui.agents.claude_settings import write_settings
from gastown_tui.clock import FakeClock
from gastown_tui.engine import Engine
from gastown_tui.ledger import Ledger
from gastown_tui.patrols.runs import patrol_lock
from gastown_tui.records import parse_address
from gastown_tui.town import install_town
from gastown_tui.town.paths import private_dir


def modes(root: Path) -> dict[str, int]:
    """Relative path -> permission bits of everything under `root` (root included)."""
    out = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        if not path.is_symlink():
            out[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return out


async def test_runtime_dir_is_private_under_umask_000(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        town = install_town(tmp_path / "town", name="private").town
        write_settings(town, parse_address("mayor/"))
        with patrol_lock(town.runtime / "locks", "witness:app"):
            pass
        with Ledger.open(town) as ledger:
            engine = Engine(town, FakeClock(time.time()), ledger=ledger, patrols=False)
            await engine.start()
            await engine.stop()
    finally:
        os.umask(old)
    found = modes(town.runtime)
    dirs = {p: m for p, m in found.items() if (town.runtime / p).is_dir()}
    assert "settings" in dirs and "locks" in dirs
    assert all(m == 0o700 for m in dirs.values()), dirs
    loose = {p: oct(m) for p, m in found.items() if m & 0o022}
    assert not loose, loose


def test_private_dir_sets_every_missing_parent(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        private_dir(tmp_path / "a" / "b" / "c")
    finally:
        os.umask(old)
    assert [stat.S_IMODE((tmp_path / p).stat().st_mode) for p in ("a", "a/b", "a/b/c")] == [0o700] * 3
