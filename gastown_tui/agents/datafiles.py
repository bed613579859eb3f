"""Access to the data files shipped in `gastown_tui/data/` (runtimes, screen rules, names, role templates)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_path(name: str) -> Path:
    """Path of a shipped data file, e.g. `runtimes.yaml` or `roles/polecat.md`."""
    return DATA_DIR / name


@cache
def read_data(name: str) -> str:
    """Text of a shipped data file (cached: the files never change at run time)."""
    return data_path(name).read_text(encoding="utf-8")


def polecat_names() -> list[str]:
    """The polecat name pool, in allocation order."""
    lines = (line.strip() for line in read_data("polecat_names.txt").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def render_template(template: str, **values: str) -> str:
    """Render `roles/<template>.md` with `$var` substitution; unknown placeholders are left as they are."""
    return Template(read_data(f"roles/{template}.md")).safe_substitute(values)
