"""`gastown rig add|list|show|remove` against real git: local path and file:// sources, names, cleanup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gastown_tui import gitops
from gastown_tui.town import install_town
from gastown_tui.town.paths import TownPaths
from gastown_tui.town.rigs import derive_prefix
from tests.conftest import run_cli
from tests.town.conftest import git


@pytest.fixture
def town(tmp_path: Path) -> TownPaths:
    """A freshly installed town."""
    return install_town(tmp_path / "town").town


def rig_cli(town: TownPaths, *args: str):  # noqa: ANN201 - CompletedProcess
    """Run `gastown --town <town> rig ...`."""
    return run_cli("--town", str(town.root), "rig", *args, prog="gastown")


def _entries(path: Path) -> set[str]:
    return {p.name for p in path.iterdir()}


def test_add_from_local_path(town: TownPaths, source_repo: Path) -> None:
    result = rig_cli(town, "add", "my-app", str(source_repo))
    assert result.returncode == 0, result.stderr
    rig = town.rig("my-app")
    assert (rig.bare_repo / "HEAD").is_file() and (rig.refinery / "app.py").is_file()
    assert gitops.current_branch(rig.refinery) == "main"
    assert [e.subject for e in gitops.log_oneline(rig, "main", 5)] == ["second", "first"]
    assert "Add rig my-app" in git(town.root, "log", "-1", "--format=%s")
    assert git(town.root, "ls-files", "my-app") == "my-app/rig.toml"
    assert git(town.root, "status", "--porcelain") == ""  # clone and worktrees are ignored
    shown = json.loads(rig_cli(town, "show", "my-app", "--json").stdout)
    assert shown["prefix"] == "ma" and shown["default_branch"] == "main"
    assert shown["source"] == str(source_repo.resolve())
    assert shown["gates"] == {"test": "", "lint": "", "build": ""} and shown["gate_timeout"] == 600
    assert [w["branch"] for w in shown["worktrees"]] == ["main"]
    assert shown["unmerged_branches"] == []
    assert shown["paths"]["refinery"] == str(rig.refinery)


def test_add_from_file_url_with_branch_and_list(town: TownPaths, source_repo: Path) -> None:
    url = source_repo.resolve().as_uri()
    result = rig_cli(town, "add", "devrig", url, "--branch", "dev", "--prefix", "dv")
    assert result.returncode == 0, result.stderr
    assert rig_cli(town, "add", "app", str(source_repo)).returncode == 0
    rig = town.rig("devrig")
    assert gitops.default_branch(rig) == "dev"
    assert gitops.current_branch(rig.refinery) == "dev" and (rig.refinery / "dev.txt").is_file()
    listed = json.loads(rig_cli(town, "list", "--json").stdout)
    assert [(r["name"], r["prefix"], r["default_branch"]) for r in listed] == [
        ("app", "ap", "main"), ("devrig", "dv", "dev")]
    assert listed[1]["source"] == url
    assert "devrig" in rig_cli(town, "list").stdout


def test_prefix_unique_and_derived(town: TownPaths, source_repo: Path) -> None:
    assert rig_cli(town, "add", "alpha", str(source_repo)).returncode == 0
    dup = rig_cli(town, "add", "beta", str(source_repo), "--prefix", "al")
    assert dup.returncode != 0 and "prefix 'al' is already used" in dup.stderr
    assert not (town.root / "beta").exists()
    town_prefix = rig_cli(town, "add", "gamma", str(source_repo), "--prefix", "hq")
    assert town_prefix.returncode != 0
    assert derive_prefix("my-app", set()) == "ma"
    assert derive_prefix("gastown", {"ga"}) == "ga2"
    assert derive_prefix("x", set()) == "x"


def test_remove_refuses_unmerged_then_forced(town: TownPaths, source_repo: Path) -> None:
    assert rig_cli(town, "add", "app", str(source_repo)).returncode == 0
    rig = town.rig("app")
    tree = gitops.add_worktree(rig, rig.polecat("x"), "polecat/x/bead")
    (tree / "work.txt").write_text("w\n")
    gitops.commit_all(tree, "polecat work")
    shown = json.loads(rig_cli(town, "show", "app", "--json").stdout)
    assert shown["unmerged_branches"] == ["polecat/x/bead"]
    refused = rig_cli(town, "remove", "app")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "unmerged work" in refused.stderr and "polecat/x/bead" in refused.stderr
    assert rig.bare_repo.is_dir() and tree.is_dir()
    forced = rig_cli(town, "remove", "app", "--force")
    assert forced.returncode == 0, forced.stderr
    assert not rig.root.exists()
    assert git(town.root, "ls-files", "app") == "" and git(town.root, "status", "--porcelain") == ""
    assert "Remove rig app" in git(town.root, "log", "-1", "--format=%s")


def test_remove_refuses_dirty_worktree_and_allows_clean_rig(town: TownPaths, source_repo: Path) -> None:
    assert rig_cli(town, "add", "app", str(source_repo)).returncode == 0
    rig = town.rig("app")
    (rig.refinery / "scratch.txt").write_text("uncommitted")
    refused = rig_cli(town, "remove", "app")
    assert refused.returncode != 0 and "uncommitted changes in refinery" in refused.stderr
    (rig.refinery / "scratch.txt").unlink()
    assert rig_cli(town, "remove", "app").returncode == 0
    assert not rig.root.exists()


@pytest.mark.parametrize("name", ["../evil", "a/b", ".x", "mayor", "Upper", ""])
def test_bad_names_refused(town: TownPaths, source_repo: Path, name: str) -> None:
    before_town, before_parent = _entries(town.root), _entries(town.root.parent)
    result = rig_cli(town, "add", name, str(source_repo))
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "invalid rig name" in result.stderr
    assert _entries(town.root) == before_town and _entries(town.root.parent) == before_parent
    assert rig_cli(town, "show", name).returncode != 0


def test_bad_source_leaves_nothing(town: TownPaths, tmp_path: Path, source_repo: Path) -> None:
    before = _entries(town.root)
    plain = tmp_path / "plain"
    plain.mkdir()
    cases = [str(tmp_path / "missing"), str(plain), (tmp_path / "missing").as_uri()]
    for source in cases:
        result = rig_cli(town, "add", "app", source)
        assert result.returncode != 0, source
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert _entries(town.root) == before, source
    assert "does not exist" in rig_cli(town, "add", "app", cases[0]).stderr
    assert "not a git repository" in rig_cli(town, "add", "app", cases[1]).stderr
    missing_branch = rig_cli(town, "add", "app", str(source_repo), "--branch", "nope")
    assert missing_branch.returncode != 0 and "no branch 'nope'" in missing_branch.stderr
    assert _entries(town.root) == before
    assert git(town.root, "status", "--porcelain") == ""


def test_existing_rig_and_unknown_rig(town: TownPaths, source_repo: Path) -> None:
    assert rig_cli(town, "add", "app", str(source_repo)).returncode == 0
    again = rig_cli(town, "add", "app", str(source_repo))
    assert again.returncode != 0 and "already exists" in again.stderr
    assert (town.root / "app" / "rig.toml").is_file()  # the failed add did not clean up the real rig
    unknown = rig_cli(town, "show", "nope")
    assert unknown.returncode != 0 and "no rig named 'nope' (rigs: app)" in unknown.stderr
    assert rig_cli(town, "remove", "nope").returncode != 0


def test_rig_commands_outside_a_town(tmp_path: Path) -> None:
    result = run_cli("rig", "list", cwd=tmp_path, prog="gastown")
    assert result.returncode != 0 and "no town found" in result.stderr


def test_human_output(town: TownPaths, source_repo: Path) -> None:
    added = rig_cli(town, "add", "app", str(source_repo))
    assert "Added rig app (prefix ap, branch main)" in added.stdout
    shown = rig_cli(town, "show", "app").stdout
    assert "prefix ap" in shown and "worktree" in shown and "refinery" in shown
    installed = run_cli("install", str(town.root), "--json", prog="gastown")
    assert json.loads(installed.stdout) == {"town": str(town.root), "changed": False, "created": []}
