"""Execute one patrol run: pour (or resume) its wisp, run each open step's Python handler, close steps as they go.

Handlers are plain callables taking the `Run` (sync ones run in a worker thread so git and gate subprocesses never
block the engine's loop). Data that later steps need is kept in `run.data`, saved to the root wisp's metadata after
every step, so a resumed run sees what the crashed one had found. A handler that raises closes its step with an
`error:` reason and the run goes on (a persistent bug must not wedge the patrol at one step forever); cancellation
(engine stop, crash) leaves the step open so the next run resumes there.
"""

from __future__ import annotations

import asyncio
import fcntl
import inspect
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gastown_tui.convoys.model import field_of
from gastown_tui.scheduler import RESULT_ERROR, RESULT_OK, RunReport
from gastown_tui.events import emit
from gastown_tui.patrols.wisp import find_open_run, ordered_steps, pour_run, step_id_of

log = logging.getLogger(__name__)
RESULT_SKIPPED = "skipped"

StepHandler = Callable[["Run"], Any]


@dataclass
class PatrolSpec:
    """A patrol: its name, formula, fallback step order, step handlers, and the context its handlers use."""

    name: str
    formula: str
    steps: list[str]
    handlers: dict[str, StepHandler]
    context: Any = None
    actor: str = "deacon/"
    variables: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    """What a step handler gets: the patrol's context, the run's persisted data, and a place for notes."""

    spec: PatrolSpec
    ledger: Any
    root_id: str
    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def ctx(self) -> Any:
        """The patrol's context object (PatrolContext for the built-in patrols)."""
        return self.spec.context

    def note(self, text: str) -> None:
        """Add a line to the run summary."""
        self.notes.append(text)

    def save(self) -> None:
        """Persist `data` into the root wisp (called after each step; handlers may call it mid-step)."""
        with self.ledger.transaction():
            root = self.ledger.get(self.root_id)
            meta = dict(field_of(root, "metadata") or {})
            meta["state"] = self.data
            self.ledger.update(self.root_id, metadata=meta, actor=self.spec.actor)


async def _call(handler: StepHandler, run: Run) -> Any:
    """Await an async handler; run a sync one in a thread."""
    if inspect.iscoroutinefunction(handler):
        return await handler(run)
    result = await asyncio.to_thread(handler, run)
    if inspect.isawaitable(result):
        return await result
    return result


def _emit(events: Path | None, kind: str, actor: str, **data: Any) -> None:
    """Feed event, never fatal (the feed is for watching, not for correctness)."""
    if events is None:
        return
    try:
        emit(events, kind, actor=actor, **data)
    except OSError:
        log.exception("writing feed event %s", kind)


@contextmanager
def patrol_lock(lock_dir: Path | None, name: str) -> Iterator[bool]:
    """Exclusive, non-blocking flock per patrol (engine and `gt patrol run` must never run one patrol twice at
    once: two refinery runs would rebase in the same worktree); yields False when another holder has it."""
    if lock_dir is None:
        yield True
        return
    from gastown_tui.town.paths import private_dir

    private_dir(lock_dir)
    fd = os.open(lock_dir / f"patrol-{name.replace(':', '-')}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


async def execute_run(ledger: Any, spec: PatrolSpec, *, events: Path | None = None, use_formulas: bool = True,
                      lock_dir: Path | None = None) -> RunReport:
    """Run patrol `spec` once (skipped if another process is running it): see `_execute`."""
    with patrol_lock(lock_dir, spec.name) as mine:
        if not mine:
            return RunReport(RESULT_SKIPPED, "already running in another process")
        return await _execute(ledger, spec, events=events, use_formulas=use_formulas)


async def _execute(ledger: Any, spec: PatrolSpec, *, events: Path | None, use_formulas: bool) -> RunReport:
    """Run patrol `spec` once: resume its open wisp or pour a new one, then walk the open steps in order."""
    root = await asyncio.to_thread(find_open_run, ledger, spec.name)
    resumed = root is not None
    if root is None:
        root = await asyncio.to_thread(pour_run, ledger, spec.name, spec.formula, spec.steps,
                                       variables=spec.variables, actor=spec.actor, use_formulas=use_formulas)
    run = Run(spec, ledger, root.id, dict((field_of(root, "metadata") or {}).get("state") or {}))
    _emit(events, "patrol.run_start", spec.actor, patrol=spec.name, run=root.id, resumed=resumed)
    errors: list[str] = []
    for step in await asyncio.to_thread(ordered_steps, ledger, root.id):
        if step.status == "closed":
            continue
        step_id = step_id_of(step)
        handler = spec.handlers.get(step_id)
        if handler is None:
            await asyncio.to_thread(ledger.close, step.id, reason="skipped: no handler", actor=spec.actor)
            continue
        if step.status != "in_progress":
            await asyncio.to_thread(ledger.update, step.id, status="in_progress", actor=spec.actor)
        try:
            summary = await _call(handler, run)
            reason = f"done: {summary}" if summary else "done"
        except asyncio.CancelledError:
            raise  # leave the step open: the next run resumes here
        except Exception as exc:  # noqa: BLE001 - recorded on the step and in the run result
            log.exception("patrol %s step %s failed", spec.name, step_id)
            reason = f"error: {type(exc).__name__}: {exc}"
            errors.append(f"{step_id}: {exc}")
        await asyncio.to_thread(run.save)
        await asyncio.to_thread(ledger.close, step.id, reason=reason[:500], actor=spec.actor)
        _emit(events, "patrol.step_done", spec.actor, patrol=spec.name, run=root.id, step=step_id, reason=reason)
    result = RESULT_ERROR if errors else RESULT_OK
    summary = "; ".join(errors) if errors else "; ".join(run.notes) or "nothing to do"
    await asyncio.to_thread(ledger.close, root.id, reason=f"{result}: {summary}"[:500], actor=spec.actor)
    _emit(events, "patrol.run_done", spec.actor, patrol=spec.name, run=root.id, result=result, summary=summary)
    return RunReport(result, summary[:300], root.id)
