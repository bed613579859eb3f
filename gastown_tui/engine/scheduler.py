"""The patrol scheduler lives in `gastown_tui.scheduler` (patrols use its types without importing the engine)."""

from gastown_tui.scheduler import (
    RESULT_ERROR, RESULT_OK, MemoryStateStore, PatrolStateStore, PatrolStatus, RunOutcome, RunReport, Scheduler,
)

__all__ = ["RESULT_ERROR", "RESULT_OK", "MemoryStateStore", "PatrolStateStore", "PatrolStatus", "RunOutcome",
           "RunReport", "Scheduler"]
