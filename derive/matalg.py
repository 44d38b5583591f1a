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


# --- functional calculus of one matrix ------------------------------------------------------------

class _NotAFunctionOf(Exception):
    pass


def _scalar_image(expr: sp.Basic, matrix: sp.MatrixSymbol, a: sp.Symbol) -> sp.Expr:
    """The scalar function f(a) of a matrix expression f(M) built only from M, I, scalars,
    sums, products, integer powers, inverses and MatSums (all of which commute with M)."""
    from .symbols import MatSum

    if expr == matrix:
        return a
    if isinstance(expr, sp.Identity):
        return sp.Integer(1)
    if isinstance(expr, sp.ZeroMatrix):
        return sp.Integer(0)
    if not isinstance(expr, sp.MatrixExpr):
        if any(isinstance(x, sp.MatrixExpr) for x in sp.preorder_traversal(expr)):
            raise _NotAFunctionOf(expr)
        return expr
    if isinstance(expr, sp.MatAdd):
        return sp.Add(*[_scalar_image(t, matrix, a) for t in expr.args])
    if isinstance(expr, sp.MatMul):
        return sp.Mul(*[_scalar_image(t, matrix, a) for t in expr.args])
    if isinstance(expr, sp.MatPow):
        return _scalar_image(expr.base, matrix, a) ** expr.exp
    if isinstance(expr, sp.Inverse):
        return 1 / _scalar_image(expr.arg, matrix, a)
    if isinstance(expr, MatSum):
        j, lo, hi = expr.limits
        return sp.Sum(_scalar_image(expr.term, matrix, a), (j, lo, hi))
    raise _NotAFunctionOf(expr)


def _strip(expr: sp.Basic, left: sp.Basic | None, right: sp.Basic | None) -> sp.Basic:
    """C f(M) B -> f(M): remove ``left`` from the front and ``right`` from the back of every
    product (also inside MatSum terms); raises when a term does not have that shape."""
    from .symbols import MatSum

    if isinstance(expr, sp.MatAdd):
        return sp.MatAdd(*[_strip(t, left, right) for t in expr.args])
    if isinstance(expr, MatSum):
        j, lo, hi = expr.limits
        return MatSum(_strip(expr.term, left, right), (j, lo, hi))
    coeff, mats = flatten_term(expr)
    if left is not None:
        if not mats or mats[0] != left:
            raise _NotAFunctionOf(expr)
        mats = mats[1:]
    if right is not None:
        if not mats or mats[-1] != right:
            raise _NotAFunctionOf(expr)
        mats = mats[:-1]
    if any(m in (left, right) for m in mats):
        raise _NotAFunctionOf(expr)
    n = (left.shape[1] if left is not None else right.shape[0])
    body = sp.MatMul(*mats) if len(mats) > 1 else (mats[0] if mats else sp.Identity(n))
    return body if coeff == 1 else sp.MatMul(coeff, body)


def functional_calculus_prover(matrix: sp.MatrixSymbol, *, left: sp.Basic | None = None,
                               right: sp.Basic | None = None,
                               substitutions: dict[sp.Basic, sp.Basic] | None = None,
                               given: str = "") -> Callable[[sp.Basic, sp.Basic], str | None]:
    """A prover for ``left f(M) right = left g(M) right``: every factor between the outer
    ones is a polynomial, power, inverse or sum in the one matrix M, so all of them commute
    and the identity holds iff f(a) = g(a) as rational functions of a scalar a (wherever the
    inverses exist).  ``substitutions`` first expand symbols defined as functions of M
    (e.g. Abar = (I - Δ/2 A)^{-1}(I + Δ/2 A)); ``given`` names an assumption that a
    substitution encodes (e.g. "z^L = 1"), quoted in the method."""

    def prove(lhs: sp.Basic, rhs: sp.Basic) -> str | None:
        a = sp.Dummy("a")
        try:
            sides = []
            for side in (lhs, rhs):
                if substitutions:
                    side = side.xreplace(substitutions)
                core = _strip(side, left, right)
                sides.append(_scalar_image(core, matrix, a))
        except _NotAFunctionOf:
            return None
        diff = sides[0] - sides[1]
        diff = diff.doit()
        if isinstance(diff, sp.Piecewise):  # a summed geometric series: keep its generic branch
            diff = diff.args[-1][0]
        diff = diff.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[-1][0])
        if sp.simplify(sp.together(diff)) == 0:
            cond = f", given {given}" if given else ""
            return f"functional calculus of {matrix}: equal as rational functions of one scalar{cond}"
        return None

    return prove
