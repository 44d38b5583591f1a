"""Differentials of trace polynomials in one matrix variable, and linear stationarity solves.

A small, rule-based layer used until the matrix-calculus engine (``derive.matcalc``)
lands.  It works on SymPy ``MatrixSymbol`` expressions for symbolic sizes:

* :func:`differential` applies the product rule ``d(AB) = dA B + A dB``, ``d(A^T) = (dA)^T``,
  linearity and ``d(tr A) = tr(dA)``; constants have zero differential; a node with an
  ``_eval_differential(var, dvar)`` method supplies its own rule (the chain rule of a
  gradient node, for example).
* :func:`gradient_from_differential` brings a differential that is linear in ``dX`` to
  the form ``tr(G^T dX)`` with the rules ``tr(A^T) = tr(A)`` and ``tr(AB) = tr(BA)``,
  and returns ``G`` (the identification rule ``dL = tr(G^T dX)  ⇔  ∂L/∂X = G``).
* :func:`solve_linear` solves ``Σ_i c_i L_i X R_i + C = 0`` for ``X`` when every term
  has ``L_i = I`` (then ``X = -C (Σ c_i R_i)^{-1}``) or every term has ``R_i = I``.

Every rule raises ``ValueError`` when its hypothesis fails (a term not linear in the
variable, mixed sides), so a rule is never applied where it does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["LinearTerm", "differential", "gradient_from_differential", "linear_terms", "solve_linear",
           "trace_terms"]


def _is_const(expr: sp.Basic, var: sp.MatrixSymbol) -> bool:
    return not expr.has(var)


def differential(expr: sp.Basic, var: sp.MatrixSymbol, dvar: sp.MatrixSymbol) -> sp.Basic:
    """``d expr`` when ``var`` moves by ``dvar`` (product rule, linearity, transpose, trace)."""
    if _is_const(expr, var):
        if getattr(expr, "is_Matrix", False):
            return sp.ZeroMatrix(*expr.shape)
        return sp.Integer(0)
    if expr == var:
        return dvar
    hook = getattr(expr, "_eval_differential", None)
    if hook is not None:  # nodes such as ∇F(θ) supply their own rule (d∇F(θ) = H dθ)
        return hook(var, dvar)
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        return type(expr)(*[differential(a, var, dvar) for a in expr.args]).doit()
    if isinstance(expr, (sp.MatMul, sp.Mul)):
        args = list(expr.args)
        terms = []
        for i, a in enumerate(args):
            if _is_const(a, var):
                continue
            da = differential(a, var, dvar)
            terms.append(type(expr)(*(args[:i] + [da] + args[i + 1:])))
        if not terms:
            return sp.Integer(0)
        return (sp.MatAdd(*terms) if getattr(expr, "is_Matrix", False) else sp.Add(*terms)).doit()
    if isinstance(expr, sp.Transpose):
        return sp.Transpose(differential(expr.arg, var, dvar)).doit()
    if isinstance(expr, sp.Trace):
        return sp.Trace(differential(expr.arg, var, dvar))
    raise ValueError(f"no differential rule for {type(expr).__name__}")


def trace_terms(expr: sp.Basic) -> list[tuple[sp.Expr, tuple[sp.Basic, ...]]]:
    """Write a scalar built from traces as ``Σ c_k tr(F_k1 F_k2 ...)`` (expanded)."""
    expr = sp.expand(expr)
    out: list[tuple[sp.Expr, tuple[sp.Basic, ...]]] = []
    for term in sp.Add.make_args(expr):
        coeff, rest = sp.Integer(1), []
        for f in sp.Mul.make_args(term):
            if isinstance(f, sp.Trace):
                rest.append(f)
            else:
                coeff *= f
        if len(rest) != 1:
            raise ValueError(f"term {term} is not a multiple of one trace")
        inner = rest[0].arg.expand().doit()
        for piece in (inner.args if isinstance(inner, sp.MatAdd) else (inner,)):
            c, mm = piece.as_coeff_mmul()
            factors = tuple(mm.args) if isinstance(mm, sp.MatMul) else (mm,)
            out.append((sp.expand(coeff * c), factors))
    return out


def _transpose_word(factors: tuple[sp.Basic, ...]) -> tuple[sp.Basic, ...]:
    return tuple(sp.Transpose(f).doit() for f in reversed(factors))


def gradient_from_differential(dL: sp.Basic, dvar: sp.MatrixSymbol) -> sp.Basic:
    """``G`` with ``dL = tr(G^T dX)``: each trace is turned (``tr(A) = tr(A^T)``) so that
    ``dX`` appears untransposed, then rotated (``tr(AB) = tr(BA)``) to ``tr(dX · rest)``;
    ``G^T`` is the sum of the rests."""
    rests = []
    for coeff, word in trace_terms(dL):
        hits = [i for i, f in enumerate(word) if f.has(dvar)]
        if len(hits) != 1 or word[hits[0]] not in (dvar, sp.Transpose(dvar)):
            raise ValueError("the differential is not linear in the variable")
        if word[hits[0]] != dvar:
            word = _transpose_word(word)
            hits = [word.index(dvar)]
        i = hits[0]
        rotated = word[i + 1:] + word[:i]
        rest = sp.MatMul(*rotated) if rotated else sp.Identity(dvar.shape[0])
        rests.append(coeff * rest)
    return sp.Transpose(sp.MatAdd(*rests)).doit()


@dataclass(frozen=True)
class LinearTerm:
    """``coeff · left · X · right`` (left/right ``None`` for the identity)."""

    coeff: sp.Expr
    left: sp.Basic | None
    right: sp.Basic | None


def linear_terms(expr: sp.Basic, var: sp.MatrixSymbol) -> tuple[list[LinearTerm], list[sp.Basic]]:
    """Split an expanded matrix expression into terms ``c L X R`` and constant terms."""
    expr = expr.expand().doit()
    lin: list[LinearTerm] = []
    const: list[sp.Basic] = []
    for piece in (expr.args if isinstance(expr, sp.MatAdd) else (expr,)):
        if not piece.has(var):
            const.append(piece)
            continue
        c, mm = piece.as_coeff_mmul()
        factors = list(mm.args) if isinstance(mm, sp.MatMul) else [mm]
        hits = [i for i, f in enumerate(factors) if f.has(var)]
        if len(hits) != 1 or factors[hits[0]] != var:
            raise ValueError(f"term {piece} is not linear in {var}")
        i = hits[0]
        left = sp.MatMul(*factors[:i]).doit() if i else None
        right = sp.MatMul(*factors[i + 1:]).doit() if i + 1 < len(factors) else None
        lin.append(LinearTerm(sp.sympify(c), left, right))
    return lin, const


def solve_linear(expr: sp.Basic, var: sp.MatrixSymbol) -> sp.Basic:
    """Solve ``expr = 0`` for ``var`` when ``expr`` is linear in it with all coefficients on
    one side: ``X·(Σ c_i R_i) = -C`` gives ``X = -C (Σ c_i R_i)^{-1}`` (and mirrored)."""
    lin, const = linear_terms(expr, var)
    if not lin:
        raise ValueError(f"{var} does not occur")
    rows, cols = var.shape
    C = sp.MatAdd(*const).doit() if const else sp.ZeroMatrix(*expr.shape)
    if all(t.left is None for t in lin):
        coef = sp.MatAdd(*[t.coeff * (t.right if t.right is not None else sp.Identity(cols)) for t in lin]).doit()
        return sp.MatMul(-1, C, sp.Inverse(coef)).doit() if const else sp.ZeroMatrix(rows, cols)
    if all(t.right is None for t in lin):
        coef = sp.MatAdd(*[t.coeff * (t.left if t.left is not None else sp.Identity(rows)) for t in lin]).doit()
        return sp.MatMul(-1, sp.Inverse(coef), C).doit() if const else sp.ZeroMatrix(rows, cols)
    raise ValueError(f"{var} has coefficients on both sides; not solvable by this rule")
