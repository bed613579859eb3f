"""Freezing the start-up heap takes it out of every later collection (the reason the app does it)."""

from __future__ import annotations

import gc

from gastown_tui.gc_tuning import freeze_startup_heap


def test_freeze_moves_survivors_out_of_reach_and_later_garbage_is_still_collected() -> None:
    keep = [{"n": i} for i in range(10_000)]
    try:
        frozen = freeze_startup_heap()
        assert frozen >= len(keep)
        assert not gc.is_finalized(keep)  # still alive, just not scanned
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # new garbage (a reference cycle) is still found
    finally:
        gc.unfreeze()
