"""Independent references for linear state-space models: run the recurrence.

Used by every SSM derivation as the definition the closed forms are checked against
(never the derived kernel itself).
"""

from __future__ import annotations

from typing import Any

import mpmath


def lti_run(A: Any, B: Any, C: Any, D: Any, inputs: list[Any]) -> tuple[list[Any], list[Any]]:
    """States and outputs of x_{k+1} = A x_k + B u_k, y_k = C x_k + D u_k from x_0 = 0
    (mpmath matrices; ``inputs`` are q x 1 columns)."""
    xs = [mpmath.zeros(A.rows, 1)]
    ys = []
    for uk in inputs:
        ys.append(C * xs[-1] + D * uk)
        xs.append(A * xs[-1] + B * uk)
    return xs, ys


def impulse_response(A: Any, B: Any, C: Any, D: Any, lag: int) -> Any:
    """y_lag (p x q) for a unit impulse at time 0 in each input channel: the kernel K_lag."""
    out = mpmath.matrix(C.rows, B.cols)
    for col in range(B.cols):
        e = mpmath.zeros(B.cols, 1)
        e[col] = 1
        _, ys = lti_run(A, B, C, D, [e] + [mpmath.zeros(B.cols, 1)] * lag)
        for row in range(C.rows):
            out[row, col] = ys[lag][row]
    return out
