"""Tokens, cost, context, budgets and rate limits, from the runtimes' own records (no model calls).

Public API (domain functions; all take a TownPaths and/or a Ledger):

    transcript.parse_line(line) -> Turn | RateLimitHit | None ; Tokens(input, output, cache_read, cache_write)
    ingest.ingest(town, ledger) -> IngestReport          # incremental: byte offsets per file in state.db
    report.usage_by(town, ledger, by, since=) -> list[UsageRow]   # by: agent|bead|convoy|rig|day
    report.convoy_usage(town, ledger, convoy_id) -> UsageRow ; report.bead_usage(town, ledger, ids) -> UsageRow
    report.agent_usage(town, ledger, [(address, runtime)]) -> list[AgentUsage]   # context_pct, known=False
    budget.evaluate(town, ledger) -> list[BreakerState]  # 80% warning once, 100% opens + one escalation
    budget.allows_sling(ledger, bead_id) -> (bool, reason) ; budget.allows_nudge(ledger, address) -> (bool, reason)
    budget.breaker_states(town, ledger) -> list[BreakerState]   # read-only, for the UI ("breaker open")
    budget.open_breakers(ledger) -> list[(scope, key)] ; budget.reset(...) ; budget.raise_limit(...)
    budget.guard_sling(town, ledger, bead_id, runtime, force=) # raises BudgetExceeded (agents.sling calls it)
    ratelimit.record_limit(...) ; active_limit(ledger, agent) ; runtime_backoff(ledger, runtime) -> float | None
    config.load_config(town) -> CostsConfig             # [budget], [prices."<model>"], [costs] in town.toml

town.toml:
    [budget]            day = 20.0, convoy = 5.0, bead = 2.0 (dollars; each optional), warn_at = 0.8
    [prices."<model>"]  input, output, cache_read, cache_write ($ per million tokens), context (tokens)
    [costs]             claude_dirs = ["~/.claude"] (config dirs holding projects/), rate_limit_backoff = 60 (s)

Costs are estimates at list price (data/prices.yaml, overridable in town.toml); an unpriced model or a runtime
without usage records gives None / "unknown", never a made-up number.
"""
