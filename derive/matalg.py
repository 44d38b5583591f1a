"""Matrix algebra SymPy leaves undone: contracting scalar sub-products of matrix terms.

SymPy expands (I + c u v^T)(I + u v^T) into terms such as ``c u v^T u v^T`` but does not
know that the 1 x 1 product ``v^T u`` is the scalar s, nor that ``R^{-1} R = I`` inside a
longer product.  :func:`contract` expands an expression, cancels adjacent ``X^{-1} X`` /
``X X^{-1}`` pairs, replaces every occurrence of a given run of factors (a 1 x 1 product
such as v^T u or Q^* R P) by a scalar symbol, and collects like terms as
``Σ coefficient · matrix``.  Rank-one powers (dplr-power) and the Woodbury identity
(s4-kernel) are derived with it.
"""

from __future__ import annotations

from typing import Callable, Sequence

import sympy as sp


def flatten_term(term: sp.Basic) -> tuple[sp.Expr, list[sp.Basic]]:
    """A product term as (scalar coefficient, list of matrix factors), nested MatMuls opened."""
    if isinstance(term, sp.MatMul):
        coeff, mats = sp.Integer(1), []
        for a in term.args:
            if isinstance(a, sp.MatrixExpr):
                c2, m2 = flatten_term(a)
                coeff *= c2
                mats.extend(m2)
            else:
                coeff *= a
        return coeff, mats
    if isinstance(term, sp.MatrixExpr):
        return sp.Integer(1), [term]
    return term, []


def _cancel_inverses(mats: list[sp.Basic]) -> list[sp.Basic]:
    out: list[sp.Basic] = []
    for m in mats:
        if isinstance(m, sp.Identity):
            continue
        if out and ((isinstance(m, sp.Inverse) and m.arg == out[-1]) or
                    (isinstance(out[-1], sp.Inverse) and out[-1].arg == m)):
            out.pop()
            continue
        out.append(m)
    return out


def contract(expr: sp.Basic, rules: Sequence[tuple[Sequence[sp.Basic], sp.Expr]]) -> sp.Basic:
    """Expand ``expr``, cancel inverse pairs, replace each run of factors in ``rules``
    (``[((Transpose(v), u), s), ...]``) by its scalar, and collect like terms."""
    expanded = expr.expand() if isinstance(expr, sp.MatrixExpr) else sp.expand(expr)
    groups: dict[tuple[sp.Basic, ...], sp.Expr] = {}
    order: list[tuple[sp.Basic, ...]] = []
    shape = expr.shape
    for term in sp.MatAdd.make_args(expanded):
        coeff, mats = flatten_term(term)
        mats = _cancel_inverses(mats)
        changed = True
        while changed:
            changed = False
            for pattern, scalar in rules:
                k = len(pattern)
                for i in range(len(mats) - k + 1):
                    if tuple(mats[i:i + k]) == tuple(pattern):
                        mats = mats[:i] + mats[i + k:]
                        coeff *= scalar
                        changed = True
                        break
            mats = _cancel_inverses(mats)
        key = tuple(mats) if mats else (sp.Identity(shape[0]),)
        if key not in groups:
            order.append(key)
            groups[key] = sp.Integer(0)
        groups[key] += coeff
    terms = []
    for key in order:
        coeff = sp.factor(sp.expand(groups[key]))
        if coeff == 0:
            continue
        mat = sp.MatMul(*key) if len(key) > 1 else key[0]
        terms.append(mat if coeff == 1 else sp.MatMul(coeff, mat))
    if not terms:
        return sp.ZeroMatrix(*shape)
    return sp.MatAdd(*terms) if len(terms) > 1 else terms[0]


def coefficient_of(expr: sp.Basic, matrix: sp.Basic) -> sp.Expr:
    """The scalar multiplying ``matrix`` in a contracted sum (0 if absent)."""
    target = tuple(_cancel_inverses(flatten_term(matrix)[1])) or (matrix,)
    total = sp.Integer(0)
    for term in sp.MatAdd.make_args(expr):
        coeff, mats = flatten_term(term)
        if tuple(mats) == target:
            total += coeff
    return total


def contraction_prover(rules: Sequence[tuple[Sequence[sp.Basic], sp.Expr]],
                       text: str) -> Callable[[sp.Basic, sp.Basic], str | None]:
    """A prover for Builder steps: lhs - rhs contracts to zero under ``rules``."""

    def prove(lhs: sp.Basic, rhs: sp.Basic) -> str | None:
        diff = contract(sp.MatAdd(lhs, sp.MatMul(-1, rhs)), rules)
        if isinstance(diff, sp.ZeroMatrix):
            return f"the difference's normal form with {text} is zero"
        if all(sp.simplify(flatten_term(t)[0]) == 0 for t in sp.MatAdd.make_args(diff)):
            return f"every coefficient of the difference's normal form ({text}) is zero"
        return None

    return prove
