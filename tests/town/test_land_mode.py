"""Which upstream a rig lands on, chosen at `rig add` and said out loud (real git repositories, no network)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from gastown_tui.errors import InvalidInput
from gastown_tui.town import install_town
from gastown_tui.town.config import load_rig_config
from gastown_tui.town.land_mode import choose, compare_url
from gastown_tui.town.paths import TownPaths
from tests.conftest import run_cli
from tests.town.conftest import git, make_source


@pytest.fixture
def town(tmp_path: Path) -> TownPaths:
    """A freshly installed town."""
    return install_town(tmp_path / "town").town


def rig_cli(town: TownPaths, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `gastown --town <town> rig ...`."""
    return run_cli("--town", str(town.root), "rig", *args, prog="gastown")


def test_choice_per_kind_of_source(tmp_path: Path) -> None:
    lonely = make_source(tmp_path / "lonely")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(lonely), str(bare))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    relative = tmp_path / "rel"
    git(tmp_path, "clone", "-q", str(bare), str(relative))
    git(relative, "remote", "set-url", "origin", "../bare.git")

    assert choose(str(lonely)).land == "local" and choose(str(lonely)).upstream == ""
    assert choose(str(bare.resolve())) == choose(str(bare.resolve()), "push")
    assert choose(str(bare.resolve())).upstream == str(bare.resolve())
    assert choose(str(clone)).upstream == str(bare.resolve()) and choose(str(clone)).land == "push"
    assert choose(str(relative)).upstream == str(bare.resolve())  # relative to the clone, not to our cwd
    url = "https://github.com/acme/calc.git"
    assert (choose(url).land, choose(url).upstream) == ("push", url)
    assert choose(str(clone), "pr").land == "pr" and choose(str(clone), "local").land == "local"
    with pytest.raises(InvalidInput, match="has no remote to push to"):
        choose(str(lonely), "push")
    assert "compare/main...polecat/nux/ca-1" in compare_url("git@github.com:acme/calc.git", "main",
                                                             "polecat/nux/ca-1")


def test_rig_add_from_a_clone_says_it_pushes_to_the_clones_origin(town: TownPaths, tmp_path: Path) -> None:
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(make_source(tmp_path / "seed")), str(bare))
    clone = tmp_path / "calc"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    added = rig_cli(town, "add", "calc", str(clone))
    assert added.returncode == 0, added.stderr
    assert f"Landing: push. Merged work is pushed to {bare.resolve()} (main)." in added.stdout
    config = load_rig_config(town.rig("calc"))
    assert (config.land, config.upstream, config.review) == ("push", str(bare.resolve()), "none")
    assert git(town.rig("calc").bare_repo, "config", "remote.origin.url") == str(bare.resolve())
    assert "landing   push" in rig_cli(town, "show", "calc").stdout


def test_rig_add_without_a_remote_lands_locally_and_prints_the_pull_command(town: TownPaths, tmp_path: Path) -> None:
    src = make_source(tmp_path / "calc")
    added = rig_cli(town, "add", "calc", str(src))
    assert added.returncode == 0, added.stderr
    assert "Landing: local." in added.stdout
    pull = shlex.join(["git", "-C", str(src.resolve()), "pull", str(town.rig("calc").bare_repo), "main"])
    assert pull in added.stdout
    # the printed command really brings merged work into the clone
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(town.rig("calc").bare_repo), str(work))
    (work / "new.txt").write_text("merged\n")
    git(work, "add", "-A")
    git(work, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "-m", "merged work")
    git(work, "push", "-q", "origin", "main:landed")  # main itself is checked out in the refinery worktree
    git(town.rig("calc").bare_repo, "update-ref", "refs/heads/main", git(work, "rev-parse", "HEAD"))
    subprocess.run(shlex.split(pull), check=True, capture_output=True)
    assert (src / "new.txt").read_text() == "merged\n"


def test_bad_land_values_are_one_line_errors(town: TownPaths, tmp_path: Path) -> None:
    src = make_source(tmp_path / "calc")
    refused = rig_cli(town, "add", "calc", str(src), "--land", "push")
    assert refused.returncode != 0 and "has no remote to push to" in refused.stderr
    assert "Traceback" not in refused.stderr and not (town.root / "calc").exists()
    assert rig_cli(town, "add", "calc", str(src)).returncode == 0
    toml = town.rig("calc").rig_toml
    toml.write_text(toml.read_text().replace('land = "local"', 'land = "teleport"'))
    shown = rig_cli(town, "show", "calc")
    assert shown.returncode != 0 and "land: expected one of 'push', 'pr', 'local'" in shown.stderr
    assert "Traceback" not in shown.stderr and len(shown.stderr.strip().splitlines()) == 1


def test_an_upstream_that_would_refuse_the_push_lands_locally_with_a_note(town: TownPaths, tmp_path: Path) -> None:
    clone = make_source(tmp_path / "calc")
    git(clone, "remote", "add", "origin", str(tmp_path / "gone.git"))  # the owner's remote no longer exists
    added = rig_cli(town, "add", "calc", str(clone))
    assert added.returncode == 0, added.stderr
    assert "Landing: local." in added.stdout and "would not take a push" in added.stdout
    config = load_rig_config(town.rig("calc"))
    assert (config.land, config.upstream) == ("local", str((tmp_path / "gone.git").resolve()))
    forced = rig_cli(town, "add", "calc2", str(clone), "--land", "push")  # asked for explicitly: as asked
    assert forced.returncode == 0 and "Landing: push." in forced.stdout
