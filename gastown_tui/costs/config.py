"""The town's cost settings from town.toml: `[budget]`, `[prices."<model>"]` and `[costs]`, with the shipped
price table (`data/prices.yaml`) underneath. Re-read only when town.toml changes (idle patrols stay cheap)."""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gastown_tui.agents.datafiles import read_data
from gastown_tui.errors import InvalidInput
from gastown_tui.town.paths import TownPaths

SCOPES = ("day", "convoy", "bead")
PRICE_FIELDS = ("input", "output", "cache_read", "cache_write")
DEFAULT_WARN_AT = 0.8
DEFAULT_BACKOFF = 60.0
COSTS_FIELDS = ("claude_dirs", "rate_limit_backoff")


@dataclass(frozen=True)
class Price:
    """List price of one model in dollars per million tokens, and its context window."""

    input: float
    output: float
    cache_read: float
    cache_write: float
    context: int = 200_000


@dataclass(frozen=True)
class CostsConfig:
    """Budgets in dollars per scope (absent = no limit), the warning ratio, prices, transcript directories."""

    budgets: dict[str, float] = field(default_factory=dict)
    warn_at: float = DEFAULT_WARN_AT
    prices: dict[str, Price] = field(default_factory=dict)
    claude_dirs: tuple[Path, ...] = ()
    rate_limit_backoff: float = DEFAULT_BACKOFF   # seconds to wait after a rate limit that names no retry time

    def price_for(self, model: str) -> Price | None:
        """The price of the longest table key `model` starts with; None when the model is not priced."""
        best = max((k for k in self.prices if model.startswith(k)), key=len, default=None)
        return self.prices[best] if best is not None else None


def _number(where: str, value: Any) -> float:
    """A non-negative number, else InvalidInput naming the field."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidInput(f"{where}: expected a non-negative number, got {value!r}")
    return float(value)


def _price(where: str, raw: Any, base: Price | None) -> Price:
    """One price table (fields missing from an override keep the shipped value)."""
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: must be a table with {', '.join(PRICE_FIELDS)}")
    values: dict[str, Any] = dict(base.__dict__) if base is not None else {}
    for key, value in raw.items():
        if key not in (*PRICE_FIELDS, "context"):
            raise InvalidInput(f"{where}.{key}: unknown field (known: {', '.join(PRICE_FIELDS)}, context)")
        values[key] = int(_number(f"{where}.{key}", value)) if key == "context" else _number(f"{where}.{key}", value)
    missing = [k for k in PRICE_FIELDS if k not in values]
    if missing:
        raise InvalidInput(f"{where}: missing {', '.join(missing)}")
    return Price(**values)


@functools.cache
def shipped_prices() -> dict[str, Price]:
    """The price table shipped in data/prices.yaml."""
    raw = yaml.safe_load(read_data("prices.yaml")) or {}
    return {str(model): _price(f"prices.yaml: {model}", table, None) for model, table in raw.items()}


def claude_dirs(extra: list[str]) -> tuple[Path, ...]:
    """Where Claude Code keeps its project transcripts: `[costs] claude_dirs`, else CLAUDE_CONFIG_DIR or ~/.claude."""
    if extra:
        return tuple(Path(os.path.expanduser(p)) / "projects" for p in extra)
    base = os.environ.get("CLAUDE_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".claude")
    return (Path(base) / "projects",)


def parse_config(data: dict[str, Any], source: str = "town.toml") -> CostsConfig:
    """Build the config from a parsed town.toml; bad values raise InvalidInput naming the field."""
    budget = data.get("budget", {}) or {}
    if not isinstance(budget, dict):
        raise InvalidInput(f"{source}: budget must be a table")
    budgets: dict[str, float] = {}
    warn_at = DEFAULT_WARN_AT
    for key, value in budget.items():
        if key == "warn_at":
            warn_at = _number(f"{source}: budget.warn_at", value)
            if not 0 < warn_at < 1:
                raise InvalidInput(f"{source}: budget.warn_at: expected a fraction between 0 and 1, got {value!r}")
        elif key in SCOPES:
            budgets[key] = _number(f"{source}: budget.{key}", value)
        else:
            raise InvalidInput(f"{source}: budget.{key}: unknown field (known: {', '.join(SCOPES)}, warn_at)")
    prices = dict(shipped_prices())
    overrides = data.get("prices", {}) or {}
    if not isinstance(overrides, dict):
        raise InvalidInput(f'{source}: prices must be a table of [prices."<model>"] tables')
    for model, table in overrides.items():
        prices[model] = _price(f"{source}: prices.{model}", table, prices.get(model))
    costs = data.get("costs", {}) or {}
    if not isinstance(costs, dict):
        raise InvalidInput(f"{source}: costs must be a table")
    unknown = sorted(set(costs) - set(COSTS_FIELDS))
    if unknown:
        raise InvalidInput(f"{source}: costs.{unknown[0]}: unknown field (known: {', '.join(COSTS_FIELDS)})")
    dirs = costs.get("claude_dirs", [])
    if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
        raise InvalidInput(f"{source}: costs.claude_dirs: expected a list of paths")
    backoff = _number(f"{source}: costs.rate_limit_backoff", costs.get("rate_limit_backoff", DEFAULT_BACKOFF))
    return CostsConfig(budgets, warn_at, prices, claude_dirs(dirs), backoff)


_cache: dict[Path, tuple[float, str, CostsConfig]] = {}


def load_config(town: TownPaths) -> CostsConfig:
    """The town's cost settings (cached until town.toml's mtime or CLAUDE_CONFIG_DIR changes)."""
    path = town.town_toml
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        mtime = 0.0
    env = os.environ.get("CLAUDE_CONFIG_DIR", "") + "|" + os.environ.get("HOME", "")
    hit = _cache.get(path)
    if hit is not None and hit[0] == mtime and hit[1] == env:
        return hit[2]
    try:
        data = tomllib.loads(path.read_text()) if mtime else {}
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: {exc}") from None
    config = parse_config(data)
    _cache[path] = (mtime, env, config)
    return config
