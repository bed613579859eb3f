"""The runtime presets the sling dialog offers: a snapshot part (built-in presets plus town.toml's, default first)."""

from __future__ import annotations

from typing import Any

from gastown_tui.engine.handlers.snapshot import snapshot_part


@snapshot_part("runtimes")
def runtime_names(paths: Any, _ledger: Any) -> tuple[str, ...]:
    """Preset names, the town's default runtime first (runs in the snapshot's read thread)."""
    from gastown_tui.agents.runtimes import default_runtime_name, load_runtimes

    names = sorted(load_runtimes(paths.town_toml))
    default = default_runtime_name(paths.town_toml)
    return tuple(dict.fromkeys([default, *names])) if default in names else tuple(names)
