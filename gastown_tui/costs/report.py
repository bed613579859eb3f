"""Typed usage rows computed from the usage tables: per agent, bead, convoy, rig or day, with the estimated cost
at list price (None when a model has no price: unknown, never guessed) and context use per agent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gastown_tui.costs import store
from gastown_tui.costs.config import CostsConfig, load_config
from gastown_tui.costs.transcript import Tokens
from gastown_tui.town.paths import TownPaths

BY = ("agent", "bead", "convoy", "rig", "day")
TOWN_LEVEL = "(town)"   # the rig column of town-level agents (Mayor, Deacon, Dogs)
NO_BEAD = "(no bead)"   # turns taken with nothing on the hook


@dataclass(frozen=True)
class UsageRow:
    """Tokens and estimated cost of one group of turns (`key` is an address, bead, convoy, rig or day)."""

    key: str
    tokens: Tokens
    cost: float | None   # dollars at list price; None if any turn's model is not priced
    turns: int
    label: str = ""      # a title, where the key has one

    def to_dict(self) -> dict[str, Any]:
        """JSON form (`cost_usd` null means unknown)."""
        out: dict[str, Any] = {"key": self.key, "turns": self.turns, **self.tokens.to_dict(),
                               "cost_usd": None if self.cost is None else round(self.cost, 6),
                               "estimate": "list price"}
        if self.label:
            out["label"] = self.label
        return out


@dataclass(frozen=True)
class AgentUsage:
    """What the agent list shows per agent: tokens, cost, context use of the latest turn."""

    agent: str
    known: bool               # False: the runtime reports no usage ("unknown" in the UI)
    tokens: Tokens = field(default_factory=Tokens)
    cost: float | None = None
    turns: int = 0
    model: str = ""
    context_tokens: int = 0
    context_window: int = 0

    @property
    def context_pct(self) -> float | None:
        """Context in use as a percentage of the model's window (None if unknown)."""
        if not self.known or not self.context_window or not self.turns:
            return None
        return 100.0 * self.context_tokens / self.context_window


BeadUsage = UsageRow     # a row keyed by bead id (usage_by(..., "bead"), bead_usage)
ConvoyUsage = UsageRow   # a row keyed by convoy id, labelled with its title (convoy_usage)


def turn_cost(config: CostsConfig, model: str, tokens: Tokens) -> float | None:
    """Dollars for `tokens` on `model` at list price, or None if the model is not priced."""
    price = config.price_for(model)
    if price is None:
        return None
    return (tokens.input * price.input + tokens.output * price.output + tokens.cache_read * price.cache_read
            + tokens.cache_write * price.cache_write) / 1_000_000


@dataclass
class _Acc:
    tokens: Tokens = field(default_factory=Tokens)
    cost: float | None = 0.0
    turns: int = 0

    def add(self, tokens: Tokens, cost: float | None, turns: int) -> None:
        self.tokens = self.tokens + tokens
        self.cost = None if cost is None or self.cost is None else self.cost + cost
        self.turns += turns


def _grouped(ledger: Any, column: str, since: float | None) -> list[tuple[str, str, Tokens, int]]:
    """(key, model, tokens, turns) per key and model."""
    assert column in ("agent", "bead", "rig", "day")
    where, args = ("WHERE ts >= ?", (since,)) if since is not None else ("", ())
    rows = store.conn_of(ledger).execute(
        f"SELECT {column}, model, sum(input), sum(output), sum(cache_read), sum(cache_write), count(*) "
        f"FROM usage_turns {where} GROUP BY {column}, model", args).fetchall()
    return [(str(r[0]), str(r[1]), store.tokens_of(r, 2), int(r[6])) for r in rows]


def usage_by(town: TownPaths, ledger: Any, by: str, *, since: float | None = None) -> list[UsageRow]:
    """Rows grouped `by` agent|bead|convoy|rig|day, most expensive (then most tokens) first."""
    config = load_config(town)
    acc: dict[str, _Acc] = {}
    if by == "convoy":
        from gastown_tui.convoys import convoys_tracking

        for bead, model, tokens, turns in _grouped(ledger, "bead", since):
            convoys = [c.id for c in convoys_tracking(ledger, bead)] if bead and ledger.exists(bead) else []
            for convoy in convoys or ["(no convoy)"]:
                acc.setdefault(convoy, _Acc()).add(tokens, turn_cost(config, model, tokens), turns)
    else:
        for key, model, tokens, turns in _grouped(ledger, by, since):
            name = key or (TOWN_LEVEL if by == "rig" else NO_BEAD if by == "bead" else key)
            acc.setdefault(name, _Acc()).add(tokens, turn_cost(config, model, tokens), turns)
    rows = [UsageRow(k, a.tokens, a.cost, a.turns, _label(ledger, by, k)) for k, a in acc.items()]
    return sorted(rows, key=lambda r: (-(r.cost or 0.0), -r.tokens.total, r.key))


def _label(ledger: Any, by: str, key: str) -> str:
    """The bead or convoy title for a key, '' otherwise."""
    if by in ("bead", "convoy") and ledger.exists(key):
        return str(ledger.get(key).title)
    return ""


def total(rows: list[UsageRow]) -> UsageRow:
    """The sum of rows (cost None if any row's cost is unknown)."""
    acc = _Acc()
    for row in rows:
        acc.add(row.tokens, row.cost, row.turns)
    return UsageRow("total", acc.tokens, acc.cost, acc.turns)


def bead_usage(town: TownPaths, ledger: Any, bead_ids: list[str]) -> UsageRow:
    """Usage of a set of beads together (a convoy's tracked beads)."""
    config = load_config(town)
    acc = _Acc()
    if bead_ids:
        marks = ",".join("?" * len(bead_ids))
        for r in store.conn_of(ledger).execute(
                f"SELECT model, sum(input), sum(output), sum(cache_read), sum(cache_write), count(*) FROM usage_turns "
                f"WHERE bead IN ({marks}) GROUP BY model", bead_ids).fetchall():
            tokens = store.tokens_of(r, 1)
            acc.add(tokens, turn_cost(config, str(r[0]), tokens), int(r[5]))
    return UsageRow(",".join(bead_ids), acc.tokens, acc.cost, acc.turns)


def convoy_usage(town: TownPaths, ledger: Any, convoy_id: str) -> UsageRow:
    """Usage of every bead a convoy tracks."""
    from gastown_tui.convoys import tracked_ids

    row = bead_usage(town, ledger, list(tracked_ids(ledger, convoy_id)))
    return UsageRow(convoy_id, row.tokens, row.cost, row.turns, str(ledger.get(convoy_id).title))


def agent_usage(town: TownPaths, ledger: Any, agents: list[tuple[str, str]]) -> list[AgentUsage]:
    """Per (address, runtime name): totals and the context use of its latest turn; 'unknown' runtimes say so."""
    from gastown_tui.agents.runtimes import load_runtimes

    config = load_config(town)
    runtimes = load_runtimes(town.town_toml)
    conn = store.conn_of(ledger)
    out: list[AgentUsage] = []
    for address, runtime_name in agents:
        runtime = runtimes.get(runtime_name)
        if runtime is None or runtime.usage == "unknown":
            out.append(AgentUsage(address, known=False))
            continue
        acc = _Acc()
        for r in conn.execute("SELECT model, sum(input), sum(output), sum(cache_read), sum(cache_write), count(*) "
                              "FROM usage_turns WHERE agent = ? GROUP BY model", (address,)).fetchall():
            tokens = store.tokens_of(r, 1)
            acc.add(tokens, turn_cost(config, str(r[0]), tokens), int(r[5]))
        last = conn.execute("SELECT model, input, output, cache_read, cache_write FROM usage_turns WHERE agent = ? "
                            "ORDER BY ts DESC LIMIT 1", (address,)).fetchone()
        model = str(last[0]) if last else ""
        price = config.price_for(model) if model else None
        context = store.tokens_of(last, 1).context if last else 0
        out.append(AgentUsage(address, True, acc.tokens, acc.cost if acc.turns else 0.0, acc.turns, model, context,
                              price.context if price else 0))
    return out


def landing_line(ledger: Any, convoy_id: str) -> str:
    """The `Cost:` line of a convoy's landing mail (transcripts read first, so the total is current)."""
    from gastown_tui.costs.ingest import ingest

    town = ledger.paths
    ingest(town, ledger)
    row = convoy_usage(town, ledger, convoy_id)
    t = row.tokens
    if not row.turns:
        return "Cost: no model usage recorded (unknown for runtimes without usage records)"
    money = "unknown (a model has no list price)" if row.cost is None else f"${row.cost:.4f}"
    return (f"Cost: {money}, estimate at list price; {t.total} tokens ({t.input} input, {t.output} output, "
            f"{t.cache_read} cache read, {t.cache_write} cache write) in {row.turns} turns")
