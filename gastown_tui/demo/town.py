"""Build the demo town: install, add the sample rig (scripted runtime, unittest gate, quick patrols), beads, convoy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gastown_tui.demo.sample import BEADS, DEPENDS, TEST_GATE, write_sample_project
from gastown_tui.town.paths import TownPaths

RIG = "greeter"
PREFIX = "gr"
DEMO_PATROLS = {"refinery": 10, "witness": 30, "deacon": 60}
"""Patrol intervals in seconds: quick, so merges and convoy progress show up while you watch."""
AUTOSLING = ("farewell", "readme")
"""Beads slung as soon as the engine is up, so agents are already working when the screen opens."""


@dataclass
class DemoTown:
    """What `build_demo_town` made."""

    paths: TownPaths
    source: Path
    beads: dict[str, str] = field(default_factory=dict)
    """Bead key (see sample.BEADS) -> bead id."""
    convoy: str = ""
    rig: str = RIG

    @property
    def autosling(self) -> list[str]:
        """Bead ids to sling to the rig at start."""
        return [self.beads[key] for key in AUTOSLING]


def build_demo_town(root: Path) -> DemoTown:
    """Make `<root>/town` (a real town) with rig `greeter` from `<root>/src/greeter`; returns what was made."""
    from gastown_tui.convoys import create_convoy
    from gastown_tui.ledger import Ledger
    from gastown_tui.town import add_rig, install_town

    source = write_sample_project(root / "src" / RIG)
    town = install_town(root / "town", name="demo").town
    add_rig(town, RIG, str(source), prefix=PREFIX)
    _configure(town)
    demo = DemoTown(town, source)
    ledger = Ledger.open(town)
    try:
        for key, (title, description) in BEADS.items():
            demo.beads[key] = str(ledger.create(title, prefix=PREFIX, description=description, actor="overseer").id)
        for bead, blocker in DEPENDS:
            ledger.add_dep(demo.beads[bead], demo.beads[blocker], "blocks", actor="overseer")
        demo.convoy = str(create_convoy(ledger, "Friendlier greeter", list(demo.beads.values()),
                                        actor="overseer").id)
    finally:
        ledger.shutdown()
    return demo


def _configure(town: TownPaths) -> None:
    """Scripted agents, quick patrols, and the unittest gate."""
    from gastown_tui.town import get_rig, load_town_config

    config = load_town_config(town)
    config.set("default_runtime", "scripted")
    for patrol, seconds in DEMO_PATROLS.items():
        config.set(f"patrols.{patrol}", seconds)
    config.save()
    rig = get_rig(town, RIG)
    rig.config.set("gates.test", TEST_GATE)
    rig.config.save()
