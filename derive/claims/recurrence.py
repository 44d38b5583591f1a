"""A recurrence the document defines, evaluated by running it (the bind stage's sequence node).

``m_0 = 0, m_t = \\beta m_{t-1} + (1-\\beta) g_t`` defines ``m_t`` for every t, but a claim about
``m_t`` with a symbolic ``t`` (the unrolled closed form) cannot be expanded structurally: the
expansion never bottoms out.  The binder builds a :class:`Recurrence` instead: the index, the
step body written in a step variable and placeholders for the previous values, and the initial
values.  The numeric evaluator runs the recurrence from its first value up to the sampled index,
so the claim is compared with the definition itself (an independent reference), never with a
closed form.  Runs are bounded (:data:`MAX_STEPS`); a longer one is "undecided" with the reason.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..numeric import EvaluationError, Evaluator, evaluator

MAX_STEPS = 5_000  # longest recurrence run on one instance


def _check_args(index: sp.Basic, var: sp.Symbol, body: sp.Basic, prevs: sp.Tuple, start: sp.Integer,
                inits: sp.Tuple, free: sp.Basic = sp.false) -> None:
    if len(prevs) != len(inits) or not prevs:
        raise ValueError("a recurrence needs one initial value per previous value it uses")


class _Run:
    """What both kinds share: the arguments and their order."""

    def __new__(cls, index, var, body, prevs, start, inits, free=False):
        prevs, inits = sp.Tuple(*prevs), sp.Tuple(*inits)
        _check_args(index, var, body, prevs, sp.Integer(start), inits)
        return super().__new__(cls, sp.sympify(index), var, body, prevs, sp.Integer(start), inits,
                               sp.true if free else sp.false)

    @property
    def index(self) -> sp.Basic:
        return self.args[0]


class Recurrence(_Run, sp.Expr):
    """``x_index`` of ``x_k = body(k, x_{k-1}, …, x_{k-d})`` with ``x_start … x_{start+d-1}`` given.

    ``prevs[c-1]`` stands for ``x_{k-c}`` in ``body``; ``inits[i]`` is ``x_{start+i}``; ``free``: the
    document gives no initial value (``x_0`` is any start), so a claim is read for the members the
    rule determines (``x_k = A^k x_0 / \\|A^k x_0\\|`` for k >= 1), not for the start itself."""

    def _latex(self, printer: Any) -> str:
        return r"\operatorname{rec}\left(" + printer._print(self.index) + r"\right)"


class MatRecurrence(_Run, MatrixExpr):
    """A vector- or matrix-valued :class:`Recurrence` (``e_{t+1} = (I - \\eta H) e_t``)."""

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[2].shape


def recurrence(index: sp.Basic, var: sp.Symbol, body: sp.Basic, prevs: list[sp.Basic], start: int,
               inits: list[sp.Basic], free: bool = False) -> sp.Basic:
    """The node of the right kind for ``body`` (scalar or matrix)."""
    cls = MatRecurrence if isinstance(body, MatrixExpr) else Recurrence
    return cls(index, var, body, prevs, start, inits, free)


@evaluator(Recurrence, MatRecurrence)
def _run(ev: Evaluator, e: sp.Basic) -> Any:
    index, var, body, prevs, start, inits, free = e.args
    n = ev(index)
    try:
        n = int(n)
    except (TypeError, ValueError):
        raise EvaluationError("a recurrence's index is not an integer") from None
    first = int(start)
    depth = len(prevs)
    if n < first:
        raise EvaluationError(f"index {n} comes before the recurrence's first value (index {first})")
    if n - first > MAX_STEPS:
        raise EvaluationError(f"running the recurrence to index {n} takes more than {MAX_STEPS} steps")
    if free == sp.true and n < first + depth:
        raise EvaluationError(f"index {n} is the recurrence's free start; the claim is read for the members "
                              "its rule determines")
    history = [ev(v) for v in inits]
    if n < first + depth:
        return history[n - first]
    saved = {s: ev.bound[s] for s in (var, *prevs) if s in ev.bound}
    try:
        for k in range(first + depth, n + 1):
            ev.bound[var] = k
            for c, p in enumerate(prevs, start=1):
                ev.bound[p] = history[-c]
            history.append(ev(body))
            del history[0]
    finally:
        for s in (var, *prevs):
            ev.bound.pop(s, None)
        ev.bound.update(saved)
    return history[-1]


MAX_LIMIT_STEPS = 5_000  # plain iterations towards a recurrence's limit on one instance


class RecurrenceLimit(_Run, sp.Expr):
    """``x_\\infty``: the limit of ``x_k = body(x_{k-1}, …)`` run from its initial values (the
    ``index`` slot is unused).  Evaluated by iterating until successive values agree to the
    working precision; a run that does not settle within :data:`MAX_LIMIT_STEPS` is "undecided"."""

    def _latex(self, printer: Any) -> str:
        return r"\operatorname{rec}\left(\infty\right)"


def recurrence_limit(var: sp.Symbol, body: sp.Basic, prevs: list[sp.Basic], start: int,
                     inits: list[sp.Basic], free: bool = False) -> sp.Basic:
    if isinstance(body, MatrixExpr):
        raise ValueError("the limit of a vector recurrence is not evaluated")
    return RecurrenceLimit(sp.Integer(0), var, body, prevs, start, inits, free)


@evaluator(RecurrenceLimit)
def _run_to_limit(ev: Evaluator, e: sp.Basic) -> Any:
    """Iterate until the steps shrink and contract (the run is near an attracting fixed point), then
    finish a first-order recurrence with Steffensen steps at higher precision (quadratic convergence
    to that same point), and accept the value only if it is a fixed point to the working precision."""
    import mpmath

    _index, var, body, prevs, start, inits, _free = e.args
    depth = len(prevs)
    saved = {s_: ev.bound[s_] for s_ in (var, *prevs) if s_ in ev.bound}

    def step(k: int, history: list) -> Any:
        ev.bound[var] = k
        for c, p in enumerate(prevs, start=1):
            ev.bound[p] = history[-c]
        value = ev(body)
        if not isinstance(value, (mpmath.mpf, mpmath.mpc)) or not mpmath.isfinite(value):
            raise EvaluationError("the recurrence leaves the numbers on the way to its limit")
        return value

    dps = mpmath.mp.dps
    try:
        with mpmath.workdps(dps + 20):
            history = [ev(v) for v in inits]
            k, last, near, ratios = int(start) + depth, None, False, []
            fine = mpmath.mpf(10) ** (-(dps + 10))
            for k in range(k, k + MAX_LIMIT_STEPS):
                value = step(k, history)
                delta = abs(value - history[-1])
                scale = max(1, abs(value))
                history = history[1:] + [value]
                if delta <= fine * scale:
                    return +value
                if last:
                    ratios = ratios[-2:] + [delta / last]
                # the linear regime of an attracting point: steps shrink by a steady factor below 1
                steady = len(ratios) == 3 and max(ratios) < 1 and max(ratios) - min(ratios) < mpmath.mpf(10) ** -3
                if depth == 1 and (steady or last is not None and delta <= mpmath.mpf(10) ** -8 * scale
                                   and delta < last):
                    near = True
                    break
                last = delta
            if not near:
                raise EvaluationError(f"the recurrence does not settle to a limit within {MAX_LIMIT_STEPS} steps")
            x = history[-1]
            for _ in range(60):  # Steffensen: x - (f(x) - x)^2 / (f(f(x)) - 2 f(x) + x)
                fx = step(k, [x])
                ffx = step(k, [fx])
                den = ffx - 2 * fx + x
                if den == 0 or abs(fx - x) <= fine * max(1, abs(x)):
                    break
                x = x - (fx - x) ** 2 / den
            fx = step(k, [x])
            if abs(fx - x) > fine * max(1, abs(x)) * 10 ** 5:
                raise EvaluationError("the recurrence's limit could not be pinned down to the working precision")
            h = mpmath.mpf(10) ** (-(dps // 2)) * max(1, abs(x))
            if abs((step(k, [x + h]) - fx) / h) >= 1:  # a repelling fixed point is no limit of the run
                raise EvaluationError("the recurrence's fixed point near the run is not attracting")
            return +x
    finally:
        for s_ in (var, *prevs):
            ev.bound.pop(s_, None)
        ev.bound.update(saved)
