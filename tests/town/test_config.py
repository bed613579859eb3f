"""town.toml / rig.toml: comments survive edits; bad values are named by file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gastown_tui.errors import InvalidInput
from gastown_tui.town import get_rig, install_town, load_rig_config, load_town_config
from gastown_tui.town.rigs import add_rig
from tests.conftest import run_cli


def test_edit_keeps_comments(tmp_path: Path) -> None:
    town = install_town(tmp_path / "town").town
    path = town.town_toml
    path.write_text(path.read_text().replace("max_polecats = 8", "max_polecats = 8  # my own note"))
    config = load_town_config(town)
    config.set("scheduler.max_polecats", 12)
    config.set("patrols.witness", 90)
    config.set("runtimes.mine", {"command": ["mine", "--yes"]})
    config.save()
    text = path.read_text()
    assert "# Most polecats running at once across all rigs." in text
    assert "# Add a runtime (or override a preset)" in text
    assert "# my own note" in text
    again = load_town_config(town)
    assert again.max_polecats == 12 and again.patrol_interval("witness") == 90.0
    assert again.runtimes == {"mine": {"command": ["mine", "--yes"]}}


def test_bad_value_names_file_and_field(tmp_path: Path) -> None:
    town = install_town(tmp_path / "town").town
    path = town.town_toml
    path.write_text(path.read_text().replace("max_polecats = 8", 'max_polecats = "x"'))
    with pytest.raises(InvalidInput) as err:
        _ = load_town_config(town).max_polecats
    assert str(err.value) == 'town.toml: scheduler.max_polecats: expected an integer, got "x"'
    path.write_text(path.read_text().replace('max_polecats = "x"', "max_polecats = true"))
    with pytest.raises(InvalidInput, match="scheduler.max_polecats: expected an integer, got True"):
        load_town_config(town).validate()
    path.write_text(path.read_text().replace("max_polecats = true", "max_polecats = 4").replace(
        "deacon = 300", "deacon = -1"))
    with pytest.raises(InvalidInput, match="town.toml: patrols.deacon: expected a positive number"):
        load_town_config(town).validate()
    # the same error through a CLI command that reads the file: one line, no traceback
    result = run_cli("install", str(town.root), prog="gastown")
    assert result.returncode != 0 and "town.toml: patrols.deacon" in result.stderr
    assert "Traceback" not in result.stderr


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    town = install_town(tmp_path / "town").town
    town.town_toml.write_text('name = "x"\nprefix = \n')
    with pytest.raises(InvalidInput, match=r"^town.toml: line 2: invalid TOML"):
        load_town_config(town)


def test_rig_config_gates(tmp_path: Path, source_repo: Path) -> None:
    town = install_town(tmp_path / "town").town
    rig = add_rig(town, "app", str(source_repo))
    config = load_rig_config(rig.paths)
    assert config.gates == {"test": "", "lint": "", "build": ""}
    assert config.gate_commands == [] and config.gate_timeout == 600
    config.set("gates.test", "pytest -q")
    config.save()
    assert "# Commands the refinery runs" in rig.paths.rig_toml.read_text()
    assert get_rig(town, "app").config.gate_commands == [("test", "pytest -q")]
    config.set("gates.lint", ["ruff", "check", "."])
    config.set("gates.build", 3)
    config.save()
    with pytest.raises(InvalidInput, match="^app/rig.toml: gates.build: expected a command string or a list"):
        load_rig_config(rig.paths).validate()
    config.set("gates.build", "")
    assert config.gate_commands == [("test", "pytest -q"), ("lint", ["ruff", "check", "."])]
    config.set("gate_timeout", "soon")
    config.save()
    with pytest.raises(InvalidInput, match='^app/rig.toml: gate_timeout: expected an integer, got "soon"$'):
        load_rig_config(rig.paths).validate()
