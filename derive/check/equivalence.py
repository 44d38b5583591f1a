"""The equivalence checker every derivation step and every claim goes through.

Numeric first: both sides are evaluated with mpmath at ``dps`` digits on random
instances of the problem (the boundary of the claim's index range first, then interior
points away from special values); any disagreement beyond the tolerance refutes, with
the instance shrunk to small numbers where possible.  Then a time-bounded symbolic
attempt in a worker process may upgrade "verified" to "proved".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable

import mpmath
import sympy as sp

from ..numeric import EvaluationError, evaluate, is_matrix, relative_difference
from ..problem import Instance, Problem
from ..verdict import PROVED, REFUTED, UNDECIDED, VERIFIED, Verdict
from .symbolic import prove_equal
from .worker import BoundedCall, Timeout

Prover = Callable[[sp.Basic, sp.Basic], "str | None"]


@dataclass(frozen=True)
class CheckSettings:
    """How hard to check: instances, digits, tolerance exponent, symbolic time limit."""

    instances: int = 12
    dps: int = 50
    seed: int = 0
    symbolic_timeout: float = 5.0
    shrink_tries: int = 12

    @property
    def tolerance(self) -> Any:
        # half the working digits: robust to cancellation in inverses and long sums,
        # still 25 orders of magnitude below any genuine mistake
        return mpmath.mpf(10) ** (-(self.dps // 2))


def index_ranges(condition: sp.Basic | None, problem: Problem) -> dict[sp.Symbol, tuple[int, int]]:
    """Narrow the problem's index ranges by a claim's condition such as ``ℓ >= 1``."""
    ranges = {idx.symbol: (idx.low, idx.high) for idx in problem.indices}
    if condition is None or condition is sp.true:
        return ranges
    parts = condition.args if isinstance(condition, sp.And) else (condition,)
    for rel in parts:
        if not isinstance(rel, sp.core.relational.Relational):
            continue
        lhs, rhs, op = rel.lhs, rel.rhs, rel.rel_op
        if lhs not in ranges and rhs in ranges:
            lhs, rhs = rhs, lhs
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[op]
        if lhs not in ranges or not rhs.is_Integer:
            continue
        lo, hi = ranges[lhs]
        c = int(rhs)
        if op == ">=":
            lo = max(lo, c)
        elif op == ">":
            lo = max(lo, c + 1)
        elif op == "<=":
            hi = min(hi, c)
        elif op == "<":
            hi = min(hi, c - 1)
        elif op == "==":
            lo = hi = c
        ranges[lhs] = (lo, max(lo, hi))
    return ranges


def _values_json(v: Any) -> Any:
    from ..problem import _describe_value

    return _describe_value(v, 15)


def _compare(lhs: sp.Basic, rhs: sp.Basic, inst: Instance) -> Any:
    left = evaluate(lhs, inst.values, inst.sequences, inst.dps)
    right = evaluate(rhs, inst.values, inst.sequences, inst.dps)
    # a literal 0 on one side (B u_1 = 0, \nabla f = 0) is the zero of the other side's shape
    if rhs == 0 and is_matrix(left):
        right = mpmath.zeros(left.rows, left.cols)
    elif lhs == 0 and is_matrix(right):
        left = mpmath.zeros(right.rows, right.cols)
    with mpmath.workdps(inst.dps):
        return relative_difference(left, right), left, right


def check_equal(lhs: sp.Basic, rhs: sp.Basic, problem: Problem, *,
                condition: sp.Basic | None = None,
                settings: CheckSettings = CheckSettings(),
                prover: Prover | None = prove_equal,
                claim: str = "") -> Verdict:
    """Judge ``lhs = rhs`` on ``problem`` (under ``condition``) and return a Verdict."""
    rng = random.Random(settings.seed)
    ranges = index_ranges(condition, problem)
    boundary = {sym: lo for sym, (lo, _) in ranges.items()}
    tol = settings.tolerance
    # the prover starts now, in its own process, and works on another core while the instances
    # are drawn; its time limit counts from its own start
    proving = BoundedCall(prover, lhs, rhs) if prover is not None else None
    try:
        return _check_instances(lhs, rhs, problem, settings, claim, rng, ranges, boundary, tol, proving)
    finally:
        if proving is not None:
            proving.cancel()


def _check_instances(lhs, rhs, problem, settings, claim, rng, ranges, boundary, tol, proving) -> Verdict:
    worst = mpmath.mpf(0)
    done = 0
    errors: list[str] = []
    for i in range(settings.instances):
        fixed = boundary if i == 0 else None
        try:
            inst = problem.sample(rng, settings.dps, fixed=fixed, ranges=ranges)
            diff, left, right = _compare(lhs, rhs, inst)
        except EvaluationError as exc:
            errors.append(str(exc))
            if "shapes" in str(exc):
                return Verdict(REFUTED, f"refuted: {exc}", claim=claim, instances=done + 1,
                               dps=settings.dps, reason=str(exc),
                               counterexample={"instance": inst.describe()})
            continue
        done += 1
        worst = max(worst, diff)
        if diff > tol:
            return _refuted(lhs, rhs, problem, inst, diff, left, right, ranges, boundary if i == 0 else None,
                            settings, claim, done)
    if done == 0:
        reason = errors[0] if errors else "no instance could be evaluated"
        return Verdict(UNDECIDED, f"undecided: {reason}", claim=claim, dps=settings.dps, reason=reason)
    max_rel = float(worst)
    scope = (f"verified on {done} random instances ({_range_text(ranges)}) at {settings.dps} digits, "
             f"max relative difference {max_rel:.1e}{_sizes_text(problem)}")
    if proving is not None:
        try:
            method = proving.result(settings.symbolic_timeout)
        except Timeout:
            method = None
        except RuntimeError:
            method = None
        if method:
            return Verdict(PROVED, f"proved symbolically ({method}); also {scope}", claim=claim,
                           instances=done, dps=settings.dps, max_rel_diff=max_rel, method=method)
    return Verdict(VERIFIED, scope, claim=claim, instances=done, dps=settings.dps, max_rel_diff=max_rel)


def _sizes_text(problem: Problem) -> str:
    """The sizes the dimensions were drawn from (", sizes n in {2, 3, 4}"): a claim about a
    length written with an ellipsis holds for those sizes, not for every size."""
    dims = getattr(problem, "dims", ())
    if not dims or getattr(problem, "name", "") != "generic":  # a document's claim (derive check) only
        return ""
    return ", sizes " + "; ".join(f"{d.symbol} in {{{', '.join(map(str, d.choices))}}}"
                                  for d in dims[:6])


def _range_text(ranges: dict[sp.Symbol, tuple[int, int]]) -> str:
    if not ranges:
        return "random values"
    return ", ".join(f"{sp.pretty(s)} in {lo}..{hi}" for s, (lo, hi) in ranges.items())


def _refuted(lhs, rhs, problem, inst, diff, left, right, ranges, fixed, settings, claim, done) -> Verdict:
    """Build the refutation, first trying to shrink the instance to small numbers."""
    rng = random.Random(settings.seed + 7919)
    for _ in range(settings.shrink_tries):
        try:
            small = problem.sample(rng, settings.dps, small=True, fixed=fixed, ranges=ranges)
            d2, l2, r2 = _compare(lhs, rhs, small)
        except EvaluationError:
            continue
        if d2 > settings.tolerance:
            inst, diff, left, right = small, d2, l2, r2
            break
    counter = {
        "instance": inst.describe(),
        "lhs": _values_json(left),
        "rhs": _values_json(right),
        "relative_difference": mpmath.nstr(diff, 6),
    }
    return Verdict(REFUTED, f"refuted: the sides differ by {mpmath.nstr(diff, 3)} (relative) on an instance",
                   claim=claim, instances=done, dps=settings.dps, max_rel_diff=float(diff),
                   counterexample=counter)
