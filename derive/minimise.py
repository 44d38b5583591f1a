"""Numerical minimisation in mpmath, for independent references ("minimise the loss").

:func:`newton_minimise` treats the loss as a black box: gradient and Hessian come from
central differences of the loss values alone (no closed form, no normal equations), and
Newton steps are taken from zero.  For a quadratic loss the central differences are exact
up to rounding, so a few steps reach the minimiser to nearly the working precision; the
caller should work with guard digits (e.g. ``mpmath.workdps(dps + 20)``).
"""

from __future__ import annotations

from typing import Any, Callable

import mpmath

__all__ = ["newton_minimise"]


def newton_minimise(f: Callable[[Any], Any], rows: int, cols: int, *, iters: int = 3,
                    h: Any = None) -> Any:
    """Minimise ``f`` over ``rows x cols`` mpmath matrices by Newton's method with
    finite-difference gradient and Hessian; returns the minimiser (an mpmath matrix)."""
    N = rows * cols
    h = mpmath.mpf(10) ** -8 if h is None else h

    def shaped(w: Any) -> Any:
        return mpmath.matrix([[w[i * cols + j] for j in range(cols)] for i in range(rows)])

    def at(w: Any) -> Any:
        return f(shaped(w))

    w = mpmath.zeros(N, 1)
    e = []
    for i in range(N):
        ei = mpmath.zeros(N, 1)
        ei[i] = h
        e.append(ei)
    for _ in range(iters):
        g = mpmath.matrix([(at(w + e[i]) - at(w - e[i])) / (2 * h) for i in range(N)])
        H = mpmath.matrix(N, N)
        f0 = at(w)
        for i in range(N):
            H[i, i] = (at(w + e[i]) - 2 * f0 + at(w - e[i])) / h**2
            for j in range(i):
                H[i, j] = H[j, i] = (at(w + e[i] + e[j]) - at(w + e[i] - e[j]) - at(w - e[i] + e[j])
                                     + at(w - e[i] - e[j])) / (4 * h**2)
        w = w - mpmath.lu_solve(H, g)
    return shaped(w)
