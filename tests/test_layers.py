"""The layering rules of DESIGN.md, enforced: domain code never imports Textual; widgets never import gastown_tui."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(name: str) -> str:
    return name.split(".")[0]


def test_domain_never_imports_textual() -> None:
    offenders = []
    for path in (REPO_ROOT / "gastown_tui").rglob("*.py"):
        if "ui" in path.relative_to(REPO_ROOT / "gastown_tui").parts[:1]:
            continue
        rel = path.relative_to(REPO_ROOT)
        bad = {m for m in _imported_modules(path) if _top(m) in {"textual", "widgets"}}
        # the only allowed doorway to the UI is the lazy import of gastown_tui.ui from the tui/demo commands
        if bad:
            offenders.append(f"{rel}: {sorted(bad)}")
    assert not offenders, "domain modules import UI code:\n" + "\n".join(offenders)


def test_widgets_never_import_gastown_tui() -> None:
    offenders = []
    for path in (REPO_ROOT / "widgets").rglob("*.py"):
        bad = {m for m in _imported_modules(path) if _top(m) == "gastown_tui"}
        if bad:
            offenders.append(f"{path.relative_to(REPO_ROOT)}: {sorted(bad)}")
    assert not offenders, "widgets import the domain:\n" + "\n".join(offenders)


def test_layer_check_catches_a_violation(tmp_path: Path) -> None:
    """The checker itself works: a file importing textual is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("from textual.app import App\nimport os\n")
    assert "textual.app" in _imported_modules(bad)


def test_import_contracts_hold() -> None:
    """The import-linter contracts in pyproject.toml (ui -> engine.api only, domain never imports the engine...)."""
    import shutil
    import subprocess
    import sys

    tool = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([tool, "--no-cache"], cwd=REPO_ROOT, text=True, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout
