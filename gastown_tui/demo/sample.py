"""The sample project the demo rig manages, and the beads whose ```sh blocks the scripted agents run."""

from __future__ import annotations

import subprocess
from pathlib import Path

FILES: dict[str, str] = {
    "README.md": "# greeter\n\nA tiny library that greets people.\n",
    "greeter/__init__.py": (
        '"""Greetings."""\n\n\n'
        "def greet(name: str) -> str:\n"
        '    """Say hello."""\n'
        '    return f"Hello, {name}!"\n'
    ),
    "tests/__init__.py": "",
    "tests/test_greet.py": (
        "import unittest\n\nfrom greeter import greet\n\n\n"
        "class GreetTest(unittest.TestCase):\n"
        "    def test_greet(self) -> None:\n"
        '        self.assertEqual(greet("Ada"), "Hello, Ada!")\n'
    ),
}
"""The project at its first commit."""

TEST_GATE = "python3 -m unittest discover -s tests -t ."
"""The rig's test gate: stdlib only, so the demo needs nothing installed."""


def _append(path: str, text: str) -> str:
    return f"cat >> {path} <<'PY'\n{text}PY\n"


def _write(path: str, text: str) -> str:
    return f"cat > {path} <<'PY'\n{text}PY\n"


def _work(summary: str, script: str) -> str:
    return f"{summary}\n\n```sh\n{script}{TEST_GATE}\n```\n"


BEADS: dict[str, tuple[str, str]] = {
    "farewell": ("Add a farewell function", _work(
        "Add `farewell(name)` next to `greet`, with a test.",
        _append("greeter/__init__.py", '\n\ndef farewell(name: str) -> str:\n    """Say goodbye."""\n'
                                       '    return f"Goodbye, {name}!"\n')
        + _write("tests/test_farewell.py", "import unittest\n\nfrom greeter import farewell\n\n\n"
                                           "class FarewellTest(unittest.TestCase):\n"
                                           "    def test_farewell(self) -> None:\n"
                                           '        self.assertEqual(farewell("Ada"), "Goodbye, Ada!")\n'))),
    "readme": ("Document greet in the README", _work(
        "Add a usage section to the README.",
        "printf '\\n## Usage\\n\\n    from greeter import greet\\n    greet(\"Ada\")\\n' >> README.md\n")),
    "shout": ("Shout the farewell", _work(
        "Add `greeter.shout.shout_farewell(name)` built on `farewell` (needs the farewell bead merged first).",
        _write("greeter/shout.py", '"""Loud greetings."""\n\nfrom greeter import farewell\n\n\n'
                                   'def shout_farewell(name: str) -> str:\n    """Say goodbye, loudly."""\n'
                                   "    return farewell(name).upper()\n")
        + _write("tests/test_shout.py", "import unittest\n\nfrom greeter.shout import shout_farewell\n\n\n"
                                        "class ShoutTest(unittest.TestCase):\n"
                                        "    def test_shout(self) -> None:\n"
                                        '        self.assertEqual(shout_farewell("Ada"), "GOODBYE, ADA!")\n'))),
    "crowd": ("Greet a crowd", _work(
        "Add `greeter.crowd.greet_all(names)` returning one line per name, with a test.",
        _write("greeter/crowd.py", '"""Greeting many people."""\n\nfrom greeter import greet\n\n\n'
                                   'def greet_all(names: list[str]) -> str:\n    """Greet everyone."""\n'
                                   '    return "\\n".join(greet(n) for n in names)\n')
        + _write("tests/test_crowd.py", "import unittest\n\nfrom greeter.crowd import greet_all\n\n\n"
                                        "class CrowdTest(unittest.TestCase):\n"
                                        "    def test_crowd(self) -> None:\n"
                                        '        self.assertEqual(greet_all(["A", "B"]), "Hello, A!\\nHello, B!")\n'))),
}
"""key -> (title, description with the ```sh block the scripted agent runs). Each bead touches its own files, so
the refinery merges them in any order without conflicts."""

DEPENDS: list[tuple[str, str]] = [("shout", "farewell")]
"""(bead, blocker): `shout` waits for `farewell`."""


def git(cwd: Path, *args: str) -> str:
    """Run git (list arguments, never a shell) and return stdout."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, text=True, capture_output=True).stdout.strip()


def write_sample_project(path: Path) -> Path:
    """Create the sample project as a git repository with one commit on `main`."""
    path.mkdir(parents=True)
    for name, text in FILES.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "-c", "user.name=Gas Town Demo", "-c", "user.email=demo@gastown.invalid", "commit", "-q", "-m",
        "greeter: first version")
    return path
