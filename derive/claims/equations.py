"""Stage 7, *judge* (equality hypotheses): an equation the document assumes (``L = 2^N``, the
line before a step ``w(\\sigma^2 + \\lambda) = \\sigma^2``) honoured exactly when sampling, by
solving it for one of its names and setting that name from the others' values.

Only two solutions are taken, both exact and cheap: the name alone on one side of the equation
(and absent from the other), or an equation linear in the name with a coefficient that is not
identically zero.  Nothing here parses text: the equation is the bound SymPy expression.

Which name: one the claim does not use is best (the hypothesis then only asks that its value
exist, so it does not constrain the claim at all: ``L = 2^N`` beside a claim about ``N``); then a
real scalar the claim uses; an integer name (an index) only where the value is an integer at
the instance (checked there, see :class:`derive.claims.sampling.HypothesisProblem`).  A
dimension is never solved for (the matrices are drawn at their sizes before)."""

from __future__ import annotations

from typing import Iterable

import sympy as sp
from sympy.core.sympify import _sympify  # strict: never parses a string
from sympy.matrices.expressions.matexpr import MatrixExpr

MAX_OPS = 60  # an equation larger than this is not solved (every check stays bounded)


def _linear_solution(expr: sp.Basic, sym: sp.Symbol) -> sp.Basic | None:
    """``sym`` from ``expr = 0`` where ``expr`` is a polynomial of degree 1 in ``sym``."""
    try:
        poly = sp.Poly(expr, sym)
    except (sp.PolynomialError, sp.GeneratorsError, TypeError, ValueError):
        return None
    if poly.degree() != 1:
        return None
    c1, c0 = poly.all_coeffs()
    if sym in c1.free_symbols or sym in c0.free_symbols or c1.is_zero or sp.expand(c1) == 0:
        return None
    return sp.together(-c0 / c1)


def holds_identically(lhs: sp.Basic, rhs: sp.Basic) -> bool:
    """Whether ``lhs = rhs`` holds for every value of its names once the document's definitions
    are substituted (``L = 2^N`` where the scope already reads L as 2^N): honoured by every
    instance, nothing to solve."""
    if lhs == rhs:
        return True
    if isinstance(lhs, MatrixExpr) or isinstance(rhs, MatrixExpr):
        return False
    lhs, rhs = _sympify(lhs), _sympify(rhs)
    if sp.count_ops(lhs) + sp.count_ops(rhs) > MAX_OPS:
        return False
    try:
        return sp.expand(lhs - rhs) == 0
    except (TypeError, ValueError):
        return False


def solve_for_one(lhs: sp.Basic, rhs: sp.Basic, claim_symbols: set, allowed: Iterable[sp.Basic],
                  fixed: Iterable[sp.Basic] = ()) -> tuple[sp.Symbol, sp.Basic] | None:
    """A (name, value) pair with ``name = value`` equivalent to ``lhs = rhs`` where the value is
    defined; None where no name qualifies.  ``allowed``: the names that may be solved for (see
    :func:`solvable_names`); ``fixed``: names an earlier equation already sets."""
    if isinstance(lhs, MatrixExpr) or isinstance(rhs, MatrixExpr):
        # a vector or matrix alone on one side, of the other side's shape: a = u + \mu u
        for one, other in ((lhs, rhs), (rhs, lhs)):
            if isinstance(one, sp.MatrixSymbol) and one in allowed and one not in fixed and other == 0:
                return one, sp.ZeroMatrix(*one.shape)  # p = 0 (from \\|p\\| = 0): the zero of its shape
            if isinstance(one, sp.MatrixSymbol) and one in allowed and one not in fixed \
                    and isinstance(other, MatrixExpr) and one not in other.free_symbols \
                    and one.shape == other.shape:
                return one, other
        return None
    lhs, rhs = _sympify(lhs), _sympify(rhs)  # SymPy objects (numbers as Python ints): never a string
    if sp.count_ops(lhs) + sp.count_ops(rhs) > MAX_OPS:
        return None
    fixed, allowed = set(fixed), set(allowed)
    names = [s for s in (lhs.free_symbols | rhs.free_symbols) if s in allowed and s not in fixed]
    # absent from the claim first, then real before integer, then a stable order
    names.sort(key=lambda s: (s in claim_symbols, bool(s.is_integer), str(s)))
    # w = \sigma^2 / (\sigma^2 + \lambda) is linear in \lambda once the fraction is cleared; a value
    # that zeroes the cleared denominator fails the equation's own check at the instance
    cleared = sp.expand(sp.numer(sp.together(lhs - rhs)))
    for sym in names:
        if lhs == sym and sym not in rhs.free_symbols:
            return sym, rhs
        if rhs == sym and sym not in lhs.free_symbols:
            return sym, lhs
        value = _linear_solution(cleared, sym)
        if value is not None:
            return sym, value
    return None


def _base_and_subscript(key: str) -> tuple[str, str]:
    """``\\tilde{w}_{ij}`` -> (``\\tilde{w}``, ``ij``); a name without a subscript -> (name, "")."""
    depth = 0
    for i, ch in enumerate(key):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "_" and depth == 0:
            return key[:i], key[i + 1:].strip("{}")
    return key, ""


_LABELS = ("\\min", "\\max")


def solvable_names(symbols: dict, claim_symbols: set, dims: set) -> set:
    """The scalar names an equation may be solved for.  A plain name (``L``, ``\\lambda``, ``x_0``)
    may.  An entry with a letter index (``\\tilde{w}_{ij}``) is read as a scalar of its own, so
    setting it says nothing about another member of its family (``\\tilde{w}_{jj}``: the same
    entry where i = j) or about a matrix that holds it: it may be solved for only where the claim
    itself uses it, uses no other member of its family and no matrix."""
    infos = [i for i in symbols.values() if i.kind in ("scalar", "index") and isinstance(i.sympy, sp.Symbol)
             or i.kind == "matrix" and isinstance(i.sympy, sp.MatrixSymbol)]
    has_matrix = any(i.kind in ("matrix", "seq") for i in symbols.values())  # (it may hold an entry)
    bases = [_base_and_subscript(k)[0] for k in symbols]
    out = set()
    for info in infos:
        if info.sympy in dims:
            continue
        base, sub = _base_and_subscript(info.key)
        # \lambda_{\max}, \lambda_{\min}: a label, not an index (no family member it could equal)
        letters = any(ch.isalpha() for ch in sub) and sub not in _LABELS
        if not letters or (info.sympy in claim_symbols and not has_matrix and bases.count(base) == 1):
            out.add(info.sympy)
    return out
