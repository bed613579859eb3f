"""`gastown install`: layout, idempotence, refusal of a non-empty non-town directory."""

from __future__ import annotations

import stat
from pathlib import Path

from gastown_tui.town import install_town, load_town_config
from tests.conftest import run_cli
from tests.town.conftest import git


def test_install_creates_the_layout(tmp_path: Path) -> None:
    town = tmp_path / "town"
    result = run_cli("install", str(town), "--name", "Bartertown", prog="gastown")
    assert result.returncode == 0, result.stderr
    for rel in ("town.toml", ".gitignore", ".beads/.gitkeep", "mayor", ".gastown", ".git"):
        assert (town / rel).exists(), rel
    assert stat.S_IMODE((town / ".gastown").stat().st_mode) == 0o700
    assert git(town, "branch", "--show-current") == "main"
    tracked = set(git(town, "ls-files").splitlines())
    assert tracked == {".beads/.gitkeep", ".gitignore", "mayor/.gitkeep", "town.toml"}
    assert git(town, "status", "--porcelain") == ""
    config = load_town_config(town).validate()
    assert (config.name, config.prefix, config.default_runtime, config.max_polecats) == ("Bartertown", "hq",
                                                                                        "claude", 8)
    assert set(config.patrol_intervals) == {"witness", "refinery", "deacon"}
    assert config.runtimes == {}
    text = (town / "town.toml").read_text()
    assert "# Add a runtime" in text and "[runtimes]" in text
    ignored = (town / ".gitignore").read_text()
    for pattern in (".gastown/", "repo.git/", "refinery/", "polecats/", "crew/"):
        assert pattern in ignored


def test_second_install_changes_nothing(tmp_path: Path) -> None:
    town = tmp_path / "town"
    install_town(town)
    head = git(town, "rev-parse", "HEAD")
    before = (town / "town.toml").read_text()
    again = run_cli("install", str(town), prog="gastown")
    assert again.returncode == 0, again.stderr
    assert "already a town" in again.stdout
    assert git(town, "rev-parse", "HEAD") == head
    assert git(town, "status", "--porcelain") == ""
    assert (town / "town.toml").read_text() == before


def test_second_install_restores_missing_pieces_only(tmp_path: Path) -> None:
    town = tmp_path / "town"
    install_town(town)
    (town / ".beads" / ".gitkeep").unlink()
    config = load_town_config(town)
    config.set("scheduler.max_polecats", 3)
    config.save()  # a user's uncommitted edit must not be swept into install's commit
    result = install_town(town)
    assert result.created == [town / ".beads" / ".gitkeep"]
    assert git(town, "status", "--porcelain") == "M town.toml"


def test_install_refuses_non_empty_non_town(tmp_path: Path) -> None:
    target = tmp_path / "stuff"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = run_cli("install", str(target), prog="gastown")
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "not empty" in result.stderr and str(target) in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_install_into_existing_empty_dir_and_bad_prefix(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert install_town(empty).changed
    bad = run_cli("install", str(tmp_path / "other"), "--prefix", "Bad!", prog="gastown")
    assert bad.returncode != 0 and "invalid prefix" in bad.stderr
    assert not (tmp_path / "other").exists()
    clash = run_cli("install", str(empty), "--name", "different", prog="gastown")
    assert clash.returncode != 0 and "already the town" in clash.stderr
