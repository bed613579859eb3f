"""Identity: where each role works, its branch, and the environment a session starts with."""

from __future__ import annotations

import pytest

from gastown_tui.agents.identity import agent_cwd, agent_env, polecat_branch
from gastown_tui.errors import InvalidInput
from gastown_tui.records import parse_address
from gastown_tui.town.paths import TownPaths


def test_working_directories_by_role(tmp_path) -> None:
    town = TownPaths(tmp_path)
    assert agent_cwd(town, parse_address("mayor/")) == tmp_path / "mayor"
    assert agent_cwd(town, parse_address("app/crew/max")) == tmp_path / "app" / "crew" / "max"
    assert agent_cwd(town, parse_address("app/polecats/nux")) == tmp_path / "app" / "polecats" / "nux"
    assert agent_cwd(town, parse_address("dogs/alpha")) == tmp_path / "dogs" / "alpha"
    assert agent_cwd(town, parse_address("app/refinery")) == tmp_path / "app" / "refinery"
    with pytest.raises(InvalidInput):
        agent_cwd(town, parse_address("overseer"))


def test_branch_and_environment(tmp_path) -> None:
    town = TownPaths(tmp_path)
    nux = parse_address("app/polecats/nux")
    assert polecat_branch(nux, "ap-x1y") == "polecat/nux/ap-x1y"
    with pytest.raises(InvalidInput):
        polecat_branch(nux, "../../etc")
    env = agent_env(town, nux, session_id="S1", bead_id="ap-x1y", runtime="claude",
                    base={"PATH": "/usr/bin", "CLAUDECODE": "1", "GT_AGENT": "mayor/"})
    assert env["GT_TOWN"] == str(tmp_path) and env["GT_RIG"] == "app" and env["GT_ROLE"] == "polecat"
    assert env["GT_AGENT"] == env["BD_ACTOR"] == "app/polecats/nux"
    assert env["GT_SESSION"] == "S1" and env["GT_BEAD"] == "ap-x1y" and env["GT_RUNTIME"] == "claude"
    assert "CLAUDECODE" not in env  # a parent Claude session must not make the child refuse to start
    assert env["PATH"].split(":")[0].endswith("bin") and env["PATH"].endswith("/usr/bin")
    mayor = agent_env(town, parse_address("mayor/"), session_id="S2", base={})
    assert mayor["GT_RIG"] == "" and "GT_BEAD" not in mayor
