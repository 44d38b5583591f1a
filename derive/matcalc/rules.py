"""The differential rules: one function per node kind, each returning ``d(node)`` in terms
of the differentials of its children (left as :func:`~derive.matcalc.nodes.diff_node`
placeholders, so that each rule application is a step that can be checked on its own).

Rules (A, B constant; U, V matrix functions of X; u a scalar function):

* d(U + V) = dU + dV,  d(c U) = c dU,  d(U V) = dU V + U dV       (sum, product)
* d(Uᵀ) = (dU)ᵀ,  d tr U = tr dU                                  (linear maps)
* d(U⁻¹) = −U⁻¹ dU U⁻¹                                            (inverse)
* d det U = det U · tr(U⁻¹ dU),  d log u = du / u                  (determinant, log)
* d(U^m) = Σ_{j=0}^{m−1} U^j dU U^{m−1−j}  (m a positive integer, also symbolic)
* d(U ⊙ V) = dU ⊙ V + U ⊙ dV,  d f(U) = f'(U) ⊙ dU                 (Hadamard, elementwise)
* d softmax(a) = (diag(s) − s sᵀ) da  with s = softmax(a)
* d‖U‖ = tr(Uᵀ dU) / ‖U‖,  d u^p = p u^{p−1} du
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from ..errors import DeriveError
from ..symbols import MatSum
from .nodes import Elementwise, Norm, Softmax, diff_node

Rule = Callable[[sp.Basic, "RuleContext"], tuple[sp.Basic, str]]


class RuleContext:
    """The variable X, its direction dX, and a fresh summation index for d(U^m)."""

    def __init__(self, wrt: sp.MatrixSymbol, direction: sp.MatrixSymbol) -> None:
        self.wrt = wrt
        self.direction = direction
        self._counter = 0

    def d(self, expr: sp.Basic) -> sp.Basic:
        return diff_node(expr, self.wrt, self.direction)

    def depends(self, expr: sp.Basic) -> bool:
        return expr.has(self.wrt)

    def fresh_index(self) -> sp.Symbol:
        self._counter += 1
        return sp.Symbol(f"j{self._counter}" if self._counter > 1 else "j", integer=True, nonnegative=True)


def _product(factors: list[sp.Basic], ctx: RuleContext, matrix: bool) -> sp.Basic:
    terms = []
    for i, f in enumerate(factors):
        if not ctx.depends(f):
            continue
        new = list(factors)
        new[i] = ctx.d(f)
        terms.append(sp.MatMul(*new) if matrix else sp.Mul(*new))
    if matrix:
        return terms[0] if len(terms) == 1 else sp.MatAdd(*terms)
    return sp.Add(*terms)


def _rule_matadd(e: sp.MatAdd, ctx: RuleContext) -> tuple[sp.Basic, str]:
    terms = [ctx.d(a) for a in e.args if ctx.depends(a)]
    return (terms[0] if len(terms) == 1 else sp.MatAdd(*terms)), "sum rule: d(U + V) = dU + dV"


def _rule_add(e: sp.Add, ctx: RuleContext) -> tuple[sp.Basic, str]:
    return sp.Add(*[ctx.d(a) for a in e.args if ctx.depends(a)]), "sum rule: d(u + v) = du + dv"


def _rule_matmul(e: sp.MatMul, ctx: RuleContext) -> tuple[sp.Basic, str]:
    factors = list(e.args)
    moving = [f for f in factors if ctx.depends(f)]
    reason = ("constant factors: d(A U B) = A dU B" if len(moving) == 1
              else "product rule: d(U V) = dU V + U dV")
    return _product(factors, ctx, matrix=True), reason


def _rule_mul(e: sp.Mul, ctx: RuleContext) -> tuple[sp.Basic, str]:
    factors = list(e.args)
    moving = [f for f in factors if ctx.depends(f)]
    reason = "constant factor: d(c u) = c du" if len(moving) == 1 else "product rule: d(u v) = du v + u dv"
    return _product(factors, ctx, matrix=False), reason


def _rule_transpose(e: sp.Transpose, ctx: RuleContext) -> tuple[sp.Basic, str]:
    return sp.Transpose(ctx.d(e.arg)), "transpose: d(Uᵀ) = (dU)ᵀ"


def _rule_trace(e: sp.Trace, ctx: RuleContext) -> tuple[sp.Basic, str]:
    return sp.Trace(ctx.d(e.arg)), "trace is linear: d tr U = tr dU"


def _rule_inverse(e: sp.Inverse, ctx: RuleContext) -> tuple[sp.Basic, str]:
    inv = sp.Inverse(e.arg)
    return sp.MatMul(-1, inv, ctx.d(e.arg), inv), "inverse: d(U⁻¹) = −U⁻¹ dU U⁻¹"


def _rule_det(e: sp.Determinant, ctx: RuleContext) -> tuple[sp.Basic, str]:
    u = e.arg
    return (sp.Mul(sp.Determinant(u), sp.Trace(sp.MatMul(sp.Inverse(u), ctx.d(u)))),
            "determinant (Jacobi): d det U = det U · tr(U⁻¹ dU)")


def _rule_matpow(e: sp.MatPow, ctx: RuleContext) -> tuple[sp.Basic, str]:
    base, m = e.base, e.exp
    if m == -1:
        inv = sp.Inverse(base)
        return sp.MatMul(-1, inv, ctx.d(base), inv), "inverse: d(U⁻¹) = −U⁻¹ dU U⁻¹"
    if m.is_Integer and int(m) >= 1:
        mm = int(m)
        terms = [sp.MatMul(*[f for f in (_power(base, i), ctx.d(base), _power(base, mm - 1 - i)) if f is not None])
                 for i in range(mm)]
        return sp.MatAdd(*terms), f"power (product rule {mm} times): d(U^m) = Σ_j U^j dU U^(m−1−j)"
    if m.is_Integer:
        raise DeriveError(f"matrix power with exponent {m} is not supported (use inv() and positive powers)")
    if not (m.is_integer and m.is_positive):
        raise DeriveError(f"the exponent {m} of a matrix power must be a positive integer symbol")
    j = ctx.fresh_index()
    term = sp.MatMul(sp.MatPow(base, j), ctx.d(base), sp.MatPow(base, m - 1 - j))
    return MatSum(term, (j, 0, m - 1)), "power, symbolic exponent: d(U^m) = Σ_{j=0}^{m−1} U^j dU U^(m−1−j)"


def _power(base: sp.Basic, i: int) -> sp.Basic | None:
    """U^i for a concrete i ≥ 0, with U^0 = I left out of the product (None) and U^1 = U."""
    return None if i == 0 else base if i == 1 else sp.MatPow(base, i)


def _rule_hadamard(e: sp.HadamardProduct, ctx: RuleContext) -> tuple[sp.Basic, str]:
    terms = []
    for i, f in enumerate(e.args):
        if ctx.depends(f):
            new = list(e.args)
            new[i] = ctx.d(f)
            terms.append(sp.HadamardProduct(*new))
    return (terms[0] if len(terms) == 1 else sp.MatAdd(*terms)), "Hadamard product rule: d(U ⊙ V) = dU ⊙ V + U ⊙ dV"


def _rule_hadamard_power(e: sp.HadamardPower, ctx: RuleContext) -> tuple[sp.Basic, str]:
    base, p = e.base, e.exp
    if ctx.depends(p):
        raise DeriveError("an entrywise power with an exponent that depends on the variable is not supported")
    deriv = sp.MatMul(p, sp.HadamardPower(base, p - 1)) if p != 2 else sp.MatMul(2, base)
    return sp.HadamardProduct(deriv, ctx.d(base)), "entrywise power: d(U^∘p) = p U^∘(p−1) ⊙ dU"


def _rule_elementwise(e: Elementwise, ctx: RuleContext) -> tuple[sp.Basic, str]:
    return sp.HadamardProduct(e.derivative(), ctx.d(e.arg)), f"elementwise function: d {e.fname}(U) = {e.fname}'(U) ⊙ dU"


def _rule_softmax(e: Softmax, ctx: RuleContext) -> tuple[sp.Basic, str]:
    s = e
    jac = sp.MatAdd(sp.DiagMatrix(s), sp.MatMul(-1, s, sp.Transpose(s)))
    return sp.MatMul(jac, ctx.d(e.arg)), "softmax: d softmax(a) = (diag(s) − s sᵀ) da, s = softmax(a)"


def _rule_norm(e: Norm, ctx: RuleContext) -> tuple[sp.Basic, str]:
    u = e.arg
    return (sp.Mul(sp.Trace(sp.MatMul(sp.Transpose(u), ctx.d(u))), sp.Pow(e, -1)),
            "norm: d‖U‖ = tr(Uᵀ dU) / ‖U‖")


def _rule_pow(e: sp.Pow, ctx: RuleContext) -> tuple[sp.Basic, str]:
    base, p = e.base, e.exp
    if ctx.depends(p):
        if ctx.depends(base):
            raise DeriveError("u^v with both u and v depending on the variable is not supported")
        return sp.Mul(e, sp.log(base), ctx.d(p)), "exponential: d(c^u) = c^u log c du"
    return sp.Mul(p, sp.Pow(base, p - 1), ctx.d(base)), "power: d(u^p) = p u^(p−1) du"


def _rule_log(e: sp.log, ctx: RuleContext) -> tuple[sp.Basic, str]:
    u = e.args[0]
    return sp.Mul(sp.Pow(u, -1), ctx.d(u)), "logarithm: d log u = du / u"


def _rule_exp(e: sp.exp, ctx: RuleContext) -> tuple[sp.Basic, str]:
    return sp.Mul(e, ctx.d(e.args[0])), "exponential: d exp u = exp u du"


RULES: tuple[tuple[type, Rule], ...] = (
    (sp.MatAdd, _rule_matadd),
    (sp.MatMul, _rule_matmul),
    (sp.Transpose, _rule_transpose),
    (sp.Inverse, _rule_inverse),
    (sp.MatPow, _rule_matpow),
    (sp.HadamardProduct, _rule_hadamard),
    (sp.HadamardPower, _rule_hadamard_power),
    (Elementwise, _rule_elementwise),
    (Softmax, _rule_softmax),
    (sp.Add, _rule_add),
    (sp.Mul, _rule_mul),
    (sp.Trace, _rule_trace),
    (sp.Determinant, _rule_det),
    (Norm, _rule_norm),
    (sp.Pow, _rule_pow),
    (sp.log, _rule_log),
    (sp.exp, _rule_exp),
)


def rule_for(expr: sp.Basic) -> Rule:
    """The rule for ``expr``'s node class (most specific class first, as in the table)."""
    for cls, rule in RULES:
        if isinstance(expr, cls):
            return rule
    raise DeriveError(f"no differential rule for {type(expr).__name__} ({expr})")
