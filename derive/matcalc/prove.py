"""A symbolic prover for the engine's algebraic steps: both sides to one normal form.

The normal form of a matrix expression is a sum of ``coefficient × (product of factors)``
with every product multiplied out, transposes pushed onto the leaves ((AB)ᵀ = BᵀAᵀ,
(A^e)ᵀ = (Aᵀ)^e, (A⁻¹)ᵀ = (Aᵀ)⁻¹), identities dropped and runs of powers of one matrix
merged (A^i A^j = A^(i+j)).  A scalar (or 1×1) expression is a sum of
``coefficient × tr(product)``, each trace in the least of its cyclic rotations and of the
rotations of its transpose (tr(ABC) = tr(CAB) = tr(CᵀBᵀAᵀ)); a 1×1 product is its own trace.

Every rewrite is an identity, so equal normal forms prove the step for all values (where
both sides are defined).  Anything outside these rules (a product of two traces, a
Hadamard product with a sum inside, an elementwise function of a sum) is kept as an
opaque atom: the prover then only answers "no proof", and the numeric check decides.
It runs in the checker's bounded worker (``Prover`` protocol: return a method or None).
"""

from __future__ import annotations

from itertools import product as cartesian
from typing import Any

import sympy as sp

from ..symbols import MatSum
from .traceform import transpose

MAX_TERMS = 2000

Key = tuple[Any, ...]
Form = dict[Key, sp.Expr]


class _GiveUp(Exception):
    """The expression is outside what the normal form covers."""


def _is_matrix(e: sp.Basic) -> bool:
    return bool(getattr(e, "is_Matrix", False))


def _leaf_form(e: sp.Basic) -> sp.Basic:
    """Transposes pushed onto leaves, recursively."""
    if isinstance(e, sp.Transpose):
        inner = e.arg
        if isinstance(inner, sp.Transpose):
            return _leaf_form(inner.arg)
        if isinstance(inner, sp.MatPow):  # also Inverse: (A^e)ᵀ = (Aᵀ)^e
            return sp.MatPow(_leaf_form(sp.Transpose(inner.base)), inner.exp) if not isinstance(inner, sp.Inverse) \
                else sp.Inverse(_leaf_form(sp.Transpose(inner.arg)))
        pushed = transpose(inner)
        if isinstance(pushed, sp.Transpose):
            return sp.Transpose(_leaf_form(pushed.arg)) if not isinstance(pushed.arg, sp.MatrixSymbol) else pushed
        return _leaf_form(pushed)
    return e


def _products(e: sp.Basic) -> list[tuple[sp.Expr, list[sp.Basic]]]:
    """e (a matrix) as Σ coefficient × product of factors (factors: leaves or opaque atoms)."""
    e = _leaf_form(e)
    if isinstance(e, sp.MatAdd):
        out = [t for a in e.args for t in _products(a)]
    elif isinstance(e, sp.MatMul):
        coeff, mats = e.as_coeff_matrices()
        parts = [_products(m) for m in mats]
        count = 1
        for p in parts:
            count *= len(p)
        if count > MAX_TERMS:
            raise _GiveUp
        out = []
        for combo in cartesian(*parts):
            c = coeff
            factors: list[sp.Basic] = []
            for ci, fi in combo:
                c = c * ci
                factors.extend(fi)
            out.append((c, factors))
    elif isinstance(e, (sp.Identity,)):
        out = [(sp.Integer(1), [])]
    elif isinstance(e, sp.ZeroMatrix):
        out = []
    elif isinstance(e, sp.Transpose) and isinstance(e.arg, (sp.MatAdd, sp.MatMul)):
        raise _GiveUp  # pragma: no cover - _leaf_form pushes these
    else:
        out = [(sp.Integer(1), [e])]
    if len(out) > MAX_TERMS:
        raise _GiveUp
    return out


def _merge_powers(factors: list[sp.Basic]) -> list[sp.Basic]:
    """A^i A^j → A^(i+j); A^0 → dropped (identities)."""
    runs: list[list[Any]] = []  # [base, exponent]
    for f in factors:
        if isinstance(f, sp.Identity):
            continue
        base, exp = (f.base, f.exp) if isinstance(f, sp.MatPow) else (f, sp.Integer(1))
        if runs and runs[-1][0] == base:
            runs[-1][1] = sp.expand(runs[-1][1] + exp)
        else:
            runs.append([base, exp])
    out = []
    for base, exp in runs:
        if exp == 0:
            continue
        out.append(base if exp == 1 else sp.MatPow(base, exp))
    return out


def _key(factors: list[sp.Basic]) -> Key:
    return tuple(sp.default_sort_key(f) for f in factors)


def _add(form: Form, key: Key, coeff: sp.Expr) -> None:
    form[key] = sp.expand(form.get(key, sp.Integer(0)) + coeff)


def matrix_form(e: sp.Basic) -> Form:
    """The normal form of a matrix expression (no trace rotations)."""
    form: Form = {}
    for c, factors in _products(e):
        merged = _merge_powers(factors)
        _add(form, ("M",) + _key(merged), c)
    return {k: v for k, v in form.items() if v != 0}


def _trace_key(factors: list[sp.Basic]) -> Key:
    merged = _merge_powers(factors)
    if not merged:
        return ("T",)
    flipped = [_leaf_form(sp.Transpose(f)) for f in reversed(merged)]
    best = None
    for seq in (merged, flipped):
        for r in range(len(seq)):
            rot = seq[r:] + seq[:r]
            k = _key(_merge_powers(rot))
            if best is None or k < best:
                best = k
    return ("T",) + best


def scalar_form(e: sp.Basic) -> Form:
    """The normal form of a scalar (or 1×1) expression: Σ coefficient × tr(product)."""
    form: Form = {}
    for coeff, trace in _scalar_terms(e):
        if trace is None:
            _add(form, ("S",), coeff)
            continue
        for c, factors in _products(trace):
            _add(form, _trace_key(factors), coeff * c)
    return {k: v for k, v in form.items() if v != 0}


def _scalar_terms(e: sp.Basic) -> list[tuple[sp.Expr, sp.Basic | None]]:
    """e as Σ coefficient × tr(M) (M None: a plain scalar term)."""
    if _is_matrix(e):
        if e.shape != (1, 1):
            raise _GiveUp
        return [(sp.Integer(1), e)]
    if isinstance(e, sp.Add):
        return [t for a in e.args for t in _scalar_terms(a)]
    if isinstance(e, sp.Trace):
        return [(sp.Integer(1), e.arg)]
    if isinstance(e, sp.Mul):
        traced = [a for a in e.args if a.has(sp.Trace) or _is_matrix(a)]
        if len(traced) > 1:
            raise _GiveUp  # a product of traces is outside the normal form
        rest = sp.Mul(*[a for a in e.args if a not in traced])
        if not traced:
            return [(e, None)]
        return [(rest * c, m) for c, m in _scalar_terms(traced[0])]
    if e.has(sp.Trace):
        raise _GiveUp
    return [(e, None)]


def _same(a: Form, b: Form) -> bool:
    keys = set(a) | set(b)
    return all(sp.expand(a.get(k, 0) - b.get(k, 0)) == 0 for k in keys)


def prove_normal_form(lhs: sp.Basic, rhs: sp.Basic) -> str | None:
    """Prover: "proved" when both sides have the same normal form (see the module doc)."""
    try:
        if _is_matrix(lhs) and _is_matrix(rhs) and lhs.shape != (1, 1):
            if lhs.has(MatSum) or rhs.has(MatSum):
                return None
            return "same normal form (products multiplied out, transposes on leaves, powers merged)" \
                if _same(matrix_form(lhs), matrix_form(rhs)) else None
        if lhs.has(MatSum) or rhs.has(MatSum):
            return None
        if _same(scalar_form(lhs), scalar_form(rhs)):
            return "same trace normal form (multiplied out; cyclic and transpose invariance of the trace)"
        return None
    except _GiveUp:
        return None
