"""Agents and GUPP: identity, runtimes, hooks, sling, prime, nudges, handoff, done, séance, escalation.

Domain functions (the CLI in `cli/agent_cmd.py` is a thin layer over these; all take a TownPaths and a Ledger):

    runtimes.load_runtimes(town_toml) / get_runtime(name, town_toml) -> Runtime   # presets + [runtimes.<name>]
    runtimes.build_argv(runtime, prompt=, resume_id=, session_id=, settings_file=) ; build_fork_argv(...)
    screen_rules.rules_for(runtime.screen) ; classify_screen(rules, display) -> ScreenVerdict
    state.decide(...) -> Verdict(state, source, detail, ts)   # hook > screen > activity; .explain(now)
    identity.agent_cwd(town, address) ; agent_env(town, address, session_id=, bead_id=) ; polecat_branch(...)
    registry.ensure_agent(ledger, address, runtime=) ; get_agent ; update_agent(ledger, address, **meta)
             heartbeat(ledger, address) ; list_agents(ledger) ; find_agent(ledger, text) -> Address
    hooks.hook_bead(ledger, bead_id, address, actor=, force=False) ; hooked_bead(ledger, address) ; clear_hook
    sling.sling(town, ledger, bead, target=None, actor=, formula=, vars=, runtime=, force=, start=True)
          -> SlingResult ; sling_formula(...) ; start_agent(town, ledger, address, bead_id, actor=)
    spawn.plan_spawn(town, ledger, address, topic=, resume=True) -> SpawnPlan(argv, env, cwd, session_id, ...)
          ensure_startable(ledger, plan)   # RuntimeMissing + agent marked `failed` with `failure` (one line)
          missing_program(runtime) -> reason | None ; require_program(runtime) ; mark_failed(ledger, address, why)
    lease.take_lease / note_made / release_lease / current_lease / stale_leases   # one actor per agent at a time
    repair.repair_town(town, ledger) -> [Repair]   # engine start: undo killed slings, unhook homeless work, rigs
    prime.prime_context(town, ledger, address) -> PrimeContext (.render(), .to_dict())
    hookevent.record_hook_event(town, ledger, address, event, payload) -> text for the agent
    nudges.queue_nudge / pending_nudges / drain_nudges ; pending.queue_op / pending_ops / finish_op
    nudging.nudge / handoff / peek / agent_rows / explain      # engine if running, else ledger fallbacks
    done.done(town, ledger, address, notes=) -> DoneResult      # see done.py for the bead status after done
    handoff.write_handoff / latest_handoff ; seance.past_sessions / talk ; escalate.escalate
    polecats.candidates / prepare_worktree / ensure_workdir

Agent beads: id `Address.agent_id` (e.g. `hq-app-polecat-nux`), type `agent`, status `pinned`, label `gt:agent`,
metadata: address, role, rig, name, runtime, worktree, branch, hook_bead, session_id, conversation_id, pid,
agent_state (`failed` when its runtime cannot start; `failure` says why), state_source,
last_hook {event, ts, session, detail}, last_activity, last_done, lease {holder, pid, at, bead, made} while a
sling or a patrol acts on it.
"""
