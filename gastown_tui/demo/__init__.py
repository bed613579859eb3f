"""The demo town: a real town with a small sample Python project as a rig, beads with runnable work, a convoy.

Public API (no Textual; `gastown demo` opens the TUI on it):

    demo = build_demo_town(root)      # DemoTown: .paths, .source, .beads (key -> id), .convoy, .autosling
"""

from gastown_tui.demo.town import DemoTown, build_demo_town

__all__ = ["DemoTown", "build_demo_town"]
