"""The differential engine: gradient of a scalar function of matrices, every step recorded.

``gradient(b, f, X)`` records into the :class:`~derive.Builder` ``b``:

1. one step per differential rule applied, ``d(U) = rule(U)`` with the children's
   differentials left as ``d(·)`` nodes (checked as directional derivatives: each ``d(·)``
   evaluates by mpmath central differences along a random direction dX);
2. the assembled differential ``df`` (the children substituted);
3. ``df`` with products distributed over sums, then with the entrywise cancellations;
4. each term brought to ``tr(G_iᵀ dX)`` by cyclic moves / transposes / the Hadamard move,
   and the sum collected to ``tr(Gᵀ dX)``;
5. each readability rewrite of G (powers combined, a summand free of the index summed,
   assumptions such as 1ᵀy = 1, common factors);
6. ``∂f/∂X = G`` checked against mpmath central differences of f entry by entry.

The steps are checked when the derivation is (``Derivation.check``); the engine itself only
derives.  SymPy's own ``diff`` is not used: it returns an elementwise power for
``tr(A^ℓ)`` with symbolic ℓ (SymPy issue 15650) and has no Hadamard rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from ..derivation import Builder
from ..errors import DeriveError
from .nodes import FDGradient, FDHessVec, MatDiff, ScalarDiff, diff_node
from .rules import RuleContext, rule_for
from .tidy import (Assumptions, apply_one_hot, apply_symmetric, combine_powers, factor_common,
                   normal_transposes, sum_constant_terms)
from .traceform import Pullback, cancel_hadamard, expand_terms, mat_mul, transpose

MAX_RULE_STEPS = 120  # differential rule applications per gradient (bounds the work on big input)


def direction(X: sp.MatrixSymbol) -> sp.MatrixSymbol:
    """The direction symbol dX (same shape as X) that the problem must sample."""
    return sp.MatrixSymbol(f"d{X.name}", *X.shape)


@dataclass(frozen=True)
class GradientResult:
    """What the engine derived: the differential, its terms, the raw and the final gradient."""

    f: sp.Basic
    wrt: sp.MatrixSymbol
    differential: sp.Basic
    raw: sp.Basic
    gradient: sp.Basic


class _Differentiator:
    def __init__(self, b: Builder | None, wrt: sp.MatrixSymbol, dX: sp.MatrixSymbol) -> None:
        self.b = b
        self.ctx = RuleContext(wrt, dX)
        self.count = 0

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        ctx = self.ctx
        if expr == ctx.wrt:
            return ctx.direction
        if not ctx.depends(expr):
            return sp.ZeroMatrix(*expr.shape) if getattr(expr, "is_Matrix", False) else sp.Integer(0)
        self.count += 1
        if self.count > MAX_RULE_STEPS:
            raise DeriveError(f"the expression needs more than {MAX_RULE_STEPS} differential rules")
        rhs, reason = rule_for(expr)(expr, ctx)
        if self.b is not None:
            self.b.step(ctx.d(expr), rhs, reason, prover=None, how="differential rule")
        holes = {h: self(h.args[0]) for h in rhs.atoms(MatDiff, ScalarDiff)}
        return rhs.xreplace(holes)


def differential(f: sp.Basic, X: sp.MatrixSymbol, b: Builder | None = None) -> sp.Basic:
    """``df`` along ``direction(X)``; records the rule steps into ``b`` when given."""
    dX = direction(X)
    df = _Differentiator(b, X, dX)(f)
    if b is not None:
        b.step(diff_node(f, X, dX), df, "substitute the differentials of the parts", prover=None,
               how="differential rules")
    return df


def _sum(terms: list[sp.Basic]) -> sp.Basic:
    if all(getattr(t, "is_Matrix", False) for t in terms):
        return terms[0] if len(terms) == 1 else sp.MatAdd(*terms)
    return sp.Add(*[sp.Trace(t) if getattr(t, "is_Matrix", False) else t for t in terms])


def _inner(G: sp.Basic, dX: sp.MatrixSymbol) -> sp.Expr:
    return sp.Trace(mat_mul(transpose(G), dX)) if dX.shape[0] != 1 or dX.shape[1] != 1 else \
        sp.Trace(sp.MatMul(sp.Transpose(G), dX))


def gradient(b: Builder, f: sp.Basic, X: sp.MatrixSymbol, *, assumptions: Assumptions = Assumptions(),
             reference: sp.Basic | None = None, reference_reason: str | None = None,
             what: str = "f") -> GradientResult:
    """Derive ∂f/∂X by differentials, recording every step into ``b`` (see the module doc).

    ``reference`` replaces the final check's left side (default: mpmath central differences
    of f, ``FDGradient(f, X)``), e.g. a Hessian-vector product by mixed differences of the loss.
    """
    if not f.has(X):
        raise DeriveError(f"{what} does not depend on {X.name}")
    shape = getattr(f, "shape", (1, 1))
    if shape != (1, 1):
        raise DeriveError(f"{what} must be a scalar, but it has shape {shape[0]}×{shape[1]}")
    dX = direction(X)
    df = differential(f, X, b)

    terms = expand_terms(df, dX)
    expanded = _sum(terms)
    if expanded != df:
        b.step(df, expanded, "distribute products, traces and transposes over the sums that contain d" + X.name, prover=None, how="expand")
    cancelled = [cancel_hadamard(t) for t in terms]
    if cancelled != terms:
        new = _sum(cancelled)
        b.step(expanded, new, "entrywise: u^∘−1 ⊙ (diag(u) v) = v and u^∘−1 ⊙ (u c) = 1 c", prover=None,
               how="cancel_hadamard")
        expanded = new
    cancelled = [t for t in cancelled if not (t == 0 or isinstance(t, sp.ZeroMatrix))]

    parts = []
    for t in cancelled:
        pb = Pullback(dX)
        Gi = pb.term(t)
        parts.append(Gi)
        if len(cancelled) <= 8:
            b.step(t, _inner(Gi, dX), "trace form: " + "; ".join(pb.moves), prover=None, how="pullback")
    raw = sp.MatAdd(*parts).doit(deep=False) if len(parts) > 1 else parts[0]
    b.step(expanded, _inner(raw, dX), "collect: Σ tr(G_iᵀ dX) = tr((Σ G_i)ᵀ dX)", prover=None, how="pullback")

    G = raw
    rewrites: list[tuple[str, Callable[[sp.Basic], sp.Basic]]] = [
        ("combine powers of the same matrix", combine_powers),
        ("the summand does not depend on the index: Σ_{j=a}^{b} T = (b − a + 1) T", sum_constant_terms),
        ("write the transpose outermost: (Aᵀ)^e = (A^e)ᵀ, (Aᵀ)⁻¹ = (A⁻¹)ᵀ", normal_transposes),
    ]
    if assumptions.one_hot:
        names = ", ".join(sorted(y.name for y in assumptions.one_hot))
        rewrites.append((f"assumption: {names} one-hot, so 1ᵀ{names} = 1",
                         lambda g: apply_one_hot(g, assumptions.one_hot)))
    if assumptions.symmetric:
        names = ", ".join(sorted(a.name for a in assumptions.symmetric))
        rewrites.append((f"assumption: {names} symmetric, so Aᵀ = A",
                         lambda g: apply_symmetric(g, assumptions.symmetric)))
    rewrites.append(("factor common factors out of the sum", factor_common))
    for reason, fn in rewrites:
        new = fn(G)
        if new != G:
            b.step(G, new, reason, prover=None, how=fn.__name__ if hasattr(fn, "__name__") else "rewrite")
            G = new

    lhs = reference if reference is not None else FDGradient(f, X)
    b.step(lhs, G, reference_reason or f"read off ∂{what}/∂{X.name} from d{what} = tr(Gᵀ d{X.name}) "
           "(checked against mpmath central differences of f, entry by entry)", prover=None, how="read off")
    return GradientResult(f, X, df, raw, G)


def hessian_vector(b: Builder, f: sp.Basic, X: sp.MatrixSymbol, V: sp.MatrixSymbol, G: sp.Basic, *,
                   assumptions: Assumptions = Assumptions()) -> GradientResult:
    """∇²f[V] as the gradient of φ(X) = ⟨∇f(X), V⟩ = tr(Gᵀ V) (seed 002's identity
    ∂²f v = ∂[x ↦ ∂f(x)·v]); the final step is checked against mixed central differences
    of f itself (:class:`FDHessVec`), not of the derived G."""
    phi = sp.Trace(mat_mul(transpose(G), V))
    return gradient(b, phi, X, assumptions=assumptions, reference=FDHessVec(f, X, V), what="φ",
                    reference_reason=(f"∇²f[{V.name}] = ∂φ/∂{X.name} (checked against mixed central "
                                      "differences of f itself)"))
