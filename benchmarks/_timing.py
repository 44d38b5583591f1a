"""Shared timing helper for the benchmark scripts: best-of-k wall time after a warm-up."""

from __future__ import annotations

import time
from typing import Any, Callable


def best_time(fn: Callable[[], Any], repeats: int = 5, budget_s: float = 5.0) -> float:
    """Best of ``repeats`` runs (fewer if the budget runs out), after one warm-up call."""
    fn()
    best = float("inf")
    spent = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        spent += dt
        if spent > budget_s:
            break
    return best


def rel_err(x: Any, ref: Any) -> float:
    import numpy as np

    x, ref = np.asarray(x), np.asarray(ref)
    return float(np.max(np.abs(x - ref)) / np.max(np.abs(ref)))
