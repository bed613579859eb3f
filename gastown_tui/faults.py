"""Crash-safety helpers shared by the all-or-nothing commands: fault points for the drills, process liveness.

`fault_point("sling:worktree")` SIGKILLs the current process when GT_FAULT names that step, so a drill can stop a
command exactly between two of its writes and check what is left; unset, it is one dict lookup.
"""

from __future__ import annotations

import os
import signal


def fault_point(step: str) -> None:
    """Kill this process here when GT_FAULT names `step`."""
    if os.environ.get("GT_FAULT") == step:
        os.kill(os.getpid(), signal.SIGKILL)


def pid_alive(pid: int) -> bool:
    """True if a process with `pid` exists (ours or another user's)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
