"""The vector form of the adjoints: entrywise terms become Hadamard expressions (``EW``),
linear edges become ``W^\\top \\bar{a}``, weight gradients ``Σ_t \\bar{a}^{(t)} v^{(t-k)\\top}``.

It is read off the same edges as the scalar form; the checker evaluates it at H > 1.
"""

from __future__ import annotations

import sympy as sp

from ..symbols import MatSeq, MatSum
from .cell import T, t
from .engine import Reverse, bar
from .functions import EW


def seq_vec(rev: Reverse, name: str, index: sp.Expr) -> MatSeq:
    return MatSeq(name, index, rev.cell.size(name), 1)


def weight_matrix(rev: Reverse, weight: str) -> sp.MatrixSymbol:
    rows, cols = rev.cell.weight_shape(weight)
    return sp.MatrixSymbol(weight, rows, cols)


def adjoint_vector(rev: Reverse, var: str) -> sp.MatrixExpr:
    """\\bar{var}^{(t)} as a matrix expression (Hadamard terms collected into one EW)."""
    entrywise = []
    linear = []
    if var == rev.cell.output:
        entrywise.append(rev.loss_partial)
    for e in rev.consumers(var):
        if e.weight is None:
            entrywise.append(sp.Function(bar(e.consumer))(t + e.lag) * e.partial.subs(t, t + e.lag))
        else:
            linear.append(sp.MatMul(sp.Transpose(weight_matrix(rev, e.weight)),
                                    seq_vec(rev, bar(e.consumer), t + e.lag)))
    terms: list[sp.MatrixExpr] = []
    if entrywise:
        terms.append(EW(sp.Add(*entrywise), rev.cell.size(var)))
    terms.extend(linear)
    return terms[0] if len(terms) == 1 else sp.MatAdd(*terms)


def weight_gradient_vector(rev: Reverse, weight: str) -> MatSum:
    (we,) = [w for w in rev.weight_edges if w.weight == weight]
    term = sp.MatMul(seq_vec(rev, bar(we.consumer), t), sp.Transpose(seq_vec(rev, we.var, t - we.lag)))
    return MatSum(term, (t, 1, T))
