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
from typing import Any, Callable, Mapping

import sympy as sp

from ..derivation import Builder, Derivation
from ..errors import DeriveError
from ..problem import Index, Problem
from .nodes import FDGradient, FDHessVec, MatDiff, ScalarDiff, diff_node
from .prove import prove_normal_form
from .rules import RuleContext, rule_for
from .tidy import (Assumptions, apply_one_hot, apply_symmetric, cancel_reciprocals, combine_powers, drop_ones,
                   factor_common, factor_scalars, normal_transposes, softmax_form, sum_constant_terms)
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

    def __repr__(self) -> str:
        from ..emit.text import text

        return f"<GradientResult ∂f/∂{self.wrt.name} = {text(self.gradient)}>"

    def _repr_latex_(self) -> str:
        from ..emit.latex import latex

        return rf"$\displaystyle \frac{{\partial f}}{{\partial {latex(self.wrt)}}} = {latex(self.gradient)}$"


class _Recorder:
    """Builder.step with the engine's defaults: the default prover cannot see through
    d(·) nodes, so steps get :func:`prove_normal_form` or none; optional per-step problem."""

    def __init__(self, b: Builder, problem: Problem | None) -> None:
        self.b = b
        self.problem = problem

    def __call__(self, lhs: sp.Basic, rhs: sp.Basic, reason: str, how: str, *, algebraic: bool = False) -> None:
        # algebraic rewrites (expansion, trace moves, tidying) may be proved by the normal
        # form; differential rules, assumptions and the finite-difference read-off are numeric
        kw: dict[str, Any] = {"prover": prove_normal_form if algebraic else None, "how": how}
        if self.problem is not None:
            kw["problem"] = self.problem
        self.b.step(lhs, rhs, reason, **kw)


class _Differentiator:
    def __init__(self, b: _Recorder | None, wrt: sp.MatrixSymbol, dX: sp.MatrixSymbol) -> None:
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
            self.b(ctx.d(expr), rhs, reason, "differential rule")
        holes = {h: self(h.args[0]) for h in rhs.atoms(MatDiff, ScalarDiff)}
        return rhs.xreplace(holes)


def differential(f: sp.Basic, X: sp.MatrixSymbol, b: Builder | None = None, *,
                 problem: Problem | None = None) -> sp.Basic:
    """``df`` along ``direction(X)``; records the rule steps into ``b`` when given
    (checked on ``problem`` when given, else on the builder's problem)."""
    dX = direction(X)
    rec = _Recorder(b, problem) if b is not None else None
    df = _Differentiator(rec, X, dX)(f)
    if rec is not None and df != rhs_of_last(b):
        rec(diff_node(f, X, dX), df, "substitute the differentials of the parts", "differential rules")
    return df


def rhs_of_last(b: Builder) -> sp.Basic | None:
    return b.steps[-1].rhs if b.steps else None


def _sum(terms: list[sp.Basic]) -> sp.Basic:
    if all(getattr(t, "is_Matrix", False) for t in terms):
        return terms[0] if len(terms) == 1 else sp.MatAdd(*terms)
    return sp.Add(*[sp.Trace(t) if getattr(t, "is_Matrix", False) else t for t in terms])


def _inner(G: sp.Basic, dX: sp.MatrixSymbol) -> sp.Expr:
    """⟨G, dX⟩ written as tr(Gᵀ dX)."""
    return sp.Trace(mat_mul(transpose(G), dX))


def gradient(b: Builder, f: sp.Basic, X: sp.MatrixSymbol, *, assumptions: Assumptions = Assumptions(),
             reference: sp.Basic | None = None, reference_reason: str | None = None,
             what: str = "f", problem: Problem | None = None) -> GradientResult:
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
    df = differential(f, X, b, problem=problem)
    step = _Recorder(b, problem)

    terms = expand_terms(df, dX)
    expanded = _sum(terms)
    if expanded != df:
        step(df, expanded, "distribute products, traces and transposes over the sums that contain d" + X.name,
             "expand", algebraic=True)
    cancelled = [cancel_hadamard(t) for t in terms]
    if cancelled != terms:
        new = _sum(cancelled)
        step(expanded, new, "entrywise: u^∘−1 ⊙ (diag(u) v) = v and u^∘−1 ⊙ (u c) = 1 c", "cancel_hadamard")
        expanded = new
    cancelled = [t for t in cancelled if not (t == 0 or isinstance(t, sp.ZeroMatrix))]

    parts = []
    for t in cancelled:
        pb = Pullback(dX)
        Gi = pb.term(t)
        parts.append(Gi)
        if len(cancelled) <= 8 and t != _inner(Gi, dX):  # tr(X⁻¹ dX) is already in trace form
            step(t, _inner(Gi, dX), "trace form: " + "; ".join(pb.moves), "pullback", algebraic=True)
    raw = sp.MatAdd(*parts).doit(deep=False) if len(parts) > 1 else parts[0]
    if len(parts) > 1 or len(cancelled) > 8:  # one term: the trace-form step above already says it
        step(expanded, _inner(raw, dX), "collect: Σ tr(G_iᵀ dX) = tr((Σ G_i)ᵀ dX)", "pullback", algebraic=True)

    G = raw
    rewrites: list[tuple[str, Callable[[sp.Basic], sp.Basic]]] = [
        ("an entry and its reciprocal cancel: u ⊙ u^∘−1 = 1", cancel_reciprocals),
        ("an all-ones factor of a Hadamard product drops out: 1 ⊙ E = E", drop_ones),
        ("exp(a) / (1ᵀ exp(a)) = softmax(a)", softmax_form),
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
    rewrites.append(("factor a common scalar out of a sum", factor_scalars))
    rewrites.append(("factor common factors out of the sum", factor_common))
    # products re-canonicalised while factoring may turn (X⁻¹)ᵀ back into (Xᵀ)⁻¹
    rewrites.append(("write the transpose outermost: (Aᵀ)⁻¹ = (A⁻¹)ᵀ", normal_transposes))
    for reason, fn in rewrites:
        new = fn(G)
        if new != G:
            step(G, new, reason, getattr(fn, "__name__", "rewrite"), algebraic=not reason.startswith("assumption"))
            G = new

    lhs = reference if reference is not None else FDGradient(f, X)
    step(lhs, G, reference_reason or f"read off the gradient, checked against mpmath central differences of f "
         f"entry by entry: d{what} = tr(Gᵀ d{X.name})", "read off")
    return GradientResult(f, X, df, raw, G)


def hessian_vector(b: Builder, f: sp.Basic, X: sp.MatrixSymbol, V: sp.MatrixSymbol, G: sp.Basic, *,
                   assumptions: Assumptions = Assumptions(), problem: Problem | None = None) -> GradientResult:
    """∇²f[V] as the gradient of φ(X) = ⟨∇f(X), V⟩ = tr(Gᵀ V) (seed 002's identity
    ∂²f v = ∂[x ↦ ∂f(x)·v]); the final step is checked against mixed central differences
    of f itself (:class:`FDHessVec`), not of the derived G."""
    phi = sp.Trace(mat_mul(transpose(G), V))
    return gradient(b, phi, X, assumptions=assumptions, reference=FDHessVec(f, X, V), what="φ", problem=problem,
                    reference_reason=(f"∇²f[{V.name}] = ∂φ/∂{X.name} (checked against mixed central "
                                      "differences of f itself)"))


def derive_gradient(f: sp.Basic, X: sp.MatrixSymbol, *, assumptions: Assumptions = Assumptions(),
                    kinds: Mapping[sp.MatrixSymbol, str] | None = None, indices: tuple[Index, ...] = (),
                    name: str = "grad") -> tuple[GradientResult, Derivation]:
    """The Python API without a catalogue entry: ∂f/∂X and its (not yet checked) derivation.

    The problem samples every symbol of f (random sizes 2..5, the kinds f needs; ``kinds``
    adds e.g. ``{y: "one-hot"}``); call ``derivation.check()`` to check every step::

        res, d = derive_gradient(sp.Trace(A * X), X)
        res.gradient            # Aᵀ
        d.check().status        # "verified"

    ``f`` may also be text in ``derive grad``'s language (``"tr(A X)"``, with X a name or
    the MatrixSymbol); :func:`derive.derive_gradient` is the same with the checks run.
    """
    if isinstance(f, str):
        from .language import parse

        parsed = parse(f)
        X = parsed.symbol(X if isinstance(X, str) else X.name)
        f, kinds = parsed.expr, {**parsed.kinds, **(kinds or {})}
    b = Builder(name, _standalone_problem(name, f, X, [direction(X)], assumptions, kinds, indices))
    result = gradient(b, f, X, assumptions=assumptions)
    return result, b.build()


def derive_hessian_vector(f: sp.Basic, X: sp.MatrixSymbol, V: sp.MatrixSymbol, *,
                          assumptions: Assumptions = Assumptions(),
                          kinds: Mapping[sp.MatrixSymbol, str] | None = None, indices: tuple[Index, ...] = (),
                          name: str = "hvp") -> tuple[GradientResult, GradientResult, Derivation]:
    """∂f/∂X and the Hessian-vector product ∇²f[V] (V shaped like X), with one derivation."""
    if V.shape != X.shape or V == X or f.has(V):
        raise DeriveError(f"the direction {V.name} must be a new symbol shaped like {X.name}")
    problem = _standalone_problem(name, f, X, [direction(X), V], assumptions, kinds, indices)
    b = Builder(name, problem)
    g = gradient(b, f, X, assumptions=assumptions)
    h = hessian_vector(b, f, X, V, g.gradient, assumptions=assumptions)
    return g, h, b.build()


def _standalone_problem(name: str, f: sp.Basic, X: sp.MatrixSymbol, extra: list, assumptions: Assumptions,
                        kinds: Mapping[sp.MatrixSymbol, str] | None, indices: tuple[Index, ...]) -> Problem:
    from .problem import gradient_problem

    kinds = dict(kinds or {})
    for y in assumptions.one_hot:
        kinds.setdefault(y, "one-hot")
    for a in assumptions.symmetric:
        kinds.setdefault(a, "symmetric")
    return gradient_problem(name, f"∂f/∂{X.name}", f"The gradient of f with respect to {X.name}.",
                            [f, *extra], kinds=kinds, indices=indices, assumptions=tuple(assumptions.describe()))
