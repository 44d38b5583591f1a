"""purification: self-supervised linear purification (HW8 Problem 3).

L(W) = ‖X − WX‖_F² + λ‖W‖_F², X ∈ R^{m×n} (n > m), X = UΣVᵀ, λ > 0.

(b) The matrix-calculus engine (``derive.matcalc``) takes the differential rule by rule and
pulls it back to ``dL = tr(Gᵀ dW)``; the stationarity condition ``G = 0`` is collected and
solved for W (``derive.tracediff.solve_linear``): Ŵ = XXᵀ(XXᵀ + λI)^{-1}.  Substituting X = UΣVᵀ and cancelling
UᵀU = I, VᵀV = I gives Ŵ = U ΣΣᵀ(ΣΣᵀ + λI)^{-1} Uᵀ = U diag(σ_i²/(σ_i² + λ)) Uᵀ.
(a) The seed's 2 x 4 data: exact losses and the λ set by SymPy's inequality solver.
(c) The λ interval for the seed's singular values, intersected from solution sets.

The independent reference minimises the loss numerically: Newton's method on the loss
as a black box, with gradient and Hessian from mpmath central differences (exact for a
quadratic up to rounding), not the normal equations.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

import mpmath
import sympy as sp
from sympy.solvers.inequalities import reduce_rational_inequalities

from derive import Builder, Dim, Entry, Index, Notation, Part, Problem, register
from derive.minimise import newton_minimise
from derive.matcalc import Norm, direction
from derive.matcalc import gradient as matcalc_gradient
from derive.tracediff import differential, linear_terms, solve_linear
from derive.verdict import PROVED, REFUTED, VERIFIED, Verdict

SOURCE = "shared/seeds/000_80f9949d48b7a298.txt, Problem 3"

# --- symbols -------------------------------------------------------------------------------------
m, n = sp.symbols("m n", integer=True, positive=True)
lam = sp.Symbol("lambda", positive=True)
X = sp.MatrixSymbol("X", m, n)
W = sp.MatrixSymbol("W", m, m)
dW = direction(W)  # the engine's direction symbol dW, sampled by the problem
U = sp.MatrixSymbol("U", m, m)
V = sp.MatrixSymbol("V", n, n)
Sig = sp.MatrixSymbol("Sigma", m, n)
sigma = sp.Symbol("sigma", positive=True)
SIG3 = sp.symbols("sigma_1:4", positive=True)
k0 = sp.Symbol("k", integer=True, nonnegative=True)  # dummy index of the reference quantities

Lseq = sp.Function("L")          # L(0): the loss at the sampled W, from the definition
d2Lseq = sp.Function("d2L")      # d2L(0): d²/dt² L(W + t dW) (mpmath differentiation)


def W_hat() -> Any:
    from derive.symbols import MatSeq

    return MatSeq("What", 0, m, m)


# --- the reference: the loss, its directional derivatives, and its numerical minimiser ----------

def loss(Xm: Any, Wm: Any, lam_: Any) -> Any:
    """‖X − WX‖_F² + λ‖W‖_F² as sums of squared entries (the definition)."""
    R = Xm - Wm * Xm
    rec = mpmath.fsum(R[i, j] ** 2 for i in range(R.rows) for j in range(R.cols))
    reg = mpmath.fsum(Wm[i, j] ** 2 for i in range(Wm.rows) for j in range(Wm.cols))
    return rec + lam_ * reg


def _sample(s, sizes) -> dict[Any, Any]:
    mm, nn = sizes[m], sizes[n]
    Um, Vm = s.matrix(mm, mm, "orthogonal"), s.matrix(nn, nn, "orthogonal")
    sig = sorted((s.positive(0.2, 2.0) for _ in range(mm)), reverse=True)
    S = mpmath.zeros(mm, nn)
    for i in range(mm):
        S[i, i] = sig[i]
    vals = {U: Um, V: Vm, Sig: S, X: Um * S * Vm.T, W: s.matrix(mm, mm), dW: s.matrix(mm, mm),
            lam: s.positive(0.1, 2.0), "sigma": sig}
    for i, sym in enumerate(SIG3):
        vals[sym] = sig[i] if i < mm else s.positive(0.2, 2.0)
    return vals


def _reference(vals, dps) -> dict[str, Any]:
    Xm, Wm, dWm, lam_ = vals[X], vals[W], vals[dW], vals[lam]
    mm = Xm.rows
    f = lambda Wx: loss(Xm, Wx, lam_)  # noqa: E731

    def extra(fn: Callable[[], Any]) -> Callable[[int], Any]:
        # 20 guard digits for the differences, rounded back to the instance precision
        def run(_i: int) -> Any:
            with mpmath.workdps(dps + 20):
                value = fn()
            return value

        return run

    return {
        "L": extra(lambda: f(Wm)),
        "dL": extra(lambda: mpmath.diff(lambda t: f(Wm + t * dWm), 0)),
        "d2L": extra(lambda: mpmath.diff(lambda t: f(Wm + t * dWm), 0, 2)),
        "What": extra(lambda: newton_minimise(f, mm, mm)),
    }


PROBLEM = Problem(
    name="purification",
    title="Self-supervised linear purification",
    statement=("Minimise L(W) = ‖X − WX‖_F² + λ‖W‖_F² over W ∈ R^{m×m} for X ∈ R^{m×n}, n > m, "
               "with SVD X = UΣVᵀ, λ > 0."),
    dims=(Dim(m, (2, 3)), Dim(n, (4, 5))),
    indices=(Index(k0, 0, 0),),
    sample_values=_sample,
    reference=_reference,
    notation=(
        Notation("X", X, "data matrix (m x n), sampled as U Σ Vᵀ with σ_i ~ U(0.2, 2)"),
        Notation("W", W, "a square linear encoder (m x m), entries U(-1, 1)"),
        Notation(r"\lambda", lam, "ridge weight, λ ~ U(0.1, 2)"),
        Notation("U", U, "left singular vectors (orthogonal m x m)"),
        Notation("V", V, "right singular vectors (orthogonal n x n)"),
        Notation(r"\Sigma", Sig, "singular values on the diagonal (m x n)"),
        Notation(r"\widehat{W}", W_hat(), "minimiser of L (Newton on the loss with finite differences)"),
        Notation(r"\mathcal{L}(W)", Lseq(0), "the loss at W (sum of squared entries)"),
    ),
    assumptions=("n > m", "λ > 0", "U, V orthogonal", "σ_1 ≥ … ≥ σ_m ≥ 0"),
    parts=(
        Part("a", "Losses of W^(α) = I and W^(β) = diag(1, 0) on the seed's X; λ where L(W^(α)) > L(W^(β))."),
        Part("b", "The minimiser Ŵ, in terms of X and in terms of the SVD."),
        Part("c", "λ such that σ = (10, 8, 4, 1, 0.5, 0.36, 0.16, 0.01) keeps ≥ 80% of the first three "
                  "directions and ≤ 50% of the others."),
    ),
    source=SOURCE,
    # format strings over the (dummy) index: literal braces doubled
    latex_names=(("What", r"\widehat{{W}}"), ("L", r"\mathcal{{L}}(W)"), ("dL", r"\mathrm{{d}}\mathcal{{L}}"),
                 ("d2L", r"\mathrm{{d}}^2\mathcal{{L}}")),
)


# --- part (b): stationarity and the minimiser ---------------------------------------------------------

def cancel_orthogonal(expr: sp.Basic, Q: sp.MatrixSymbol) -> sp.Basic:
    """Remove adjacent ``Qᵀ Q`` and ``Q Qᵀ`` in every product (Q square orthogonal)."""
    Qt = sp.Transpose(Q)

    def fix(mm: sp.MatMul) -> sp.Basic:
        coeff, rest = mm.as_coeff_mmul()
        args = list(rest.args) if isinstance(rest, sp.MatMul) else [rest]
        out: list[sp.Basic] = []
        for a in args:
            if out and {out[-1], a} == {Q, Qt} and out[-1] != a:
                out.pop()
                continue
            out.append(a)
        if not out:
            return coeff * sp.Identity(Q.shape[0])
        return coeff * sp.MatMul(*out) if coeff != 1 else (sp.MatMul(*out) if len(out) > 1 else out[0])

    return expr.replace(lambda e: isinstance(e, sp.MatMul), fix)


def derive_minimiser(b: Builder) -> None:
    b.part = "b"
    L = Norm(X - W * X) ** 2 + lam * Norm(W) ** 2
    b.step(Lseq(0), L, "the loss, as defined", prover=None)
    # the matrix-calculus engine records every differential rule, the pull-back to
    # tr(Gᵀ dW) and the final check of G against mpmath central differences of L
    G = matcalc_gradient(b, L, W, what="L").gradient
    b.result("gradient", G)
    # second differential: d(tr(Gᵀ dW)) with dW fixed = tr(dGᵀ dW); positive for λ > 0
    dG = differential(G, W, dW)
    second = sp.Trace(dG.T * dW)
    b.step(d2Lseq(0), second, "d²L = tr(dGᵀ dW) = 2 tr(dW (XXᵀ + λI) dWᵀ) > 0 for dW ≠ 0: L is strictly "
           "convex, so the stationary point is the minimiser", prover=None, how="derive.tracediff.differential")
    half = sp.MatMul(sp.S.Half, G).expand().doit()
    lin, const = linear_terms(half, W)
    coef = sp.MatAdd(*[t.coeff * (t.right if t.right is not None else sp.Identity(m)) for t in lin]).doit()
    factored = sp.MatAdd(W * coef, *const)
    b.step(sp.MatMul(sp.S.Half, G), factored, "collect the terms linear in W: ½G = W(XXᵀ + λI) − XXᵀ",
           how="derive.tracediff.linear_terms")
    What = solve_linear(half, W)
    b.result("W_hat", What)
    b.step(W_hat(), What, "stationarity G = 0 solved for W (XXᵀ + λI is SPD, hence invertible, for λ > 0)",
           prover=None, how="derive.tracediff.solve_linear")
    # the SVD form
    svd = {X: U * Sig * V.T}
    gram = (X * X.T).xreplace(svd).doit()
    b.step(X * X.T, gram, "substitute X = UΣVᵀ", how="xreplace")
    gram2 = cancel_orthogonal(gram, V)
    b.step(gram, gram2, "VᵀV = I (V orthogonal)", prover=None, how="cancel_orthogonal")
    shifted = gram2 + lam * sp.Identity(m)
    inner = cancel_orthogonal((U.T * shifted * U).expand().doit(), U)
    b.step(U.T * shifted * U, inner, "Uᵀ(UΣΣᵀUᵀ + λI)U = ΣΣᵀ + λI (UᵀU = I)", prover=None,
           how="cancel_orthogonal")
    b.step(shifted, U * inner * U.T, "so XXᵀ + λI = U(ΣΣᵀ + λI)Uᵀ (UUᵀ = I)", prover=None)
    inv = sp.refine(sp.Inverse(U * inner * U.T).doit(), sp.Q.orthogonal(U))
    b.step(sp.Inverse(U * inner * U.T), inv, "(U M Uᵀ)⁻¹ = U M⁻¹ Uᵀ for orthogonal U",
           prover=None, how="Inverse.doit, refine(Q.orthogonal)")
    product = cancel_orthogonal((gram2 * inv).doit(), U)
    b.result("W_hat_svd_matrix", product)
    b.step(W_hat(), product, "Ŵ = UΣΣᵀUᵀ · U(ΣΣᵀ + λI)⁻¹Uᵀ and UᵀU = I", prover=None,
           how="cancel_orthogonal")
    # ΣΣᵀ = diag(σ_i²): the middle factor entrywise, from SymPy's inverse of an explicit diagonal
    S3 = sp.diag(*[s**2 for s in SIG3])
    middle = sp.simplify(S3 * (S3 + lam * sp.eye(3)).inv())
    S3i = sp.ImmutableMatrix(S3)
    b.step(sp.MatMul(S3i, sp.Inverse(sp.MatAdd(S3i, lam * sp.Identity(3))), evaluate=False), middle,
           "ΣΣᵀ = diag(σ_i²): the middle factor is diagonal (explicit inverse, shown for m = 3)", how="inv, simplify")
    entries = {sp.simplify(middle[i, i].subs(SIG3[i], sigma)) for i in range(3)}
    if len(entries) != 1:
        raise RuntimeError("the diagonal entries do not follow one law")
    scaling = entries.pop()
    b.result("scaling", scaling)
    b.answer("Ŵ (SVD form)", scaling,
             rf"\widehat{{W}} = U \operatorname{{diag}}\left({_latex(scaling.subs(sigma, sp.Symbol('sigma_i')))}\right)"
             r" U^\top",
             f"Ŵ = U diag({sp.sstr(scaling).replace('sigma', 'σ_i').replace('lambda', 'λ')}) U^T",
             check=lambda: _check_svd_form(scaling))


def _latex(expr: sp.Basic) -> str:
    from derive.emit.latex import latex

    return latex(expr)


def _check_svd_form(scaling: sp.Expr, instances: int = 6, seed: int = 3) -> Verdict:
    """U diag(scaling(σ_i)) Uᵀ against the numerical minimiser of the loss."""
    import random

    rng = random.Random(seed)
    worst = mpmath.mpf(0)
    f = sp.lambdify((sigma, lam), scaling, "mpmath")
    with mpmath.workdps(40):
        for _ in range(instances):
            inst = PROBLEM.sample(rng, 40)
            v = inst.values
            mid = mpmath.diag([f(s, v[lam]) for s in v["sigma"]])
            closed = v[U] * mid * v[U].T
            ref = inst.sequences["What"](0)
            diff = max(abs(closed[i, j] - ref[i, j]) for i in range(ref.rows) for j in range(ref.cols))
            scale = max(abs(ref[i, j]) for i in range(ref.rows) for j in range(ref.cols))
            worst = max(worst, diff / scale)
    if worst < mpmath.mpf(10) ** -20:
        return Verdict(VERIFIED, f"U diag(σ_i²/(σ_i²+λ)) U^T equals the numerical minimiser of the loss on "
                       f"{instances} random instances at 40 digits (max relative difference {float(worst):.1e})",
                       instances=instances, dps=40, max_rel_diff=float(worst), method="Newton on the loss")
    return Verdict(REFUTED, "the SVD form differs from the minimiser", max_rel_diff=float(worst))


# --- part (a): the seed's worked example, exact ------------------------------------------------------

SEED_X = (("-2.17", "1.98", "2.41", "-2.03"), ("0.02", "-0.01", "0.01", "-0.02"))
lam_r = sp.Symbol("lambda", real=True)


def seed_X() -> sp.Matrix:
    return sp.Matrix([[sp.Rational(s) for s in row] for row in SEED_X])


W_ALPHA, W_BETA = sp.eye(2), sp.diag(1, 0)


def losses(Wm: sp.Matrix, Xm: sp.Matrix) -> tuple[sp.Rational, sp.Rational]:
    """(‖X − WX‖_F², ‖W‖_F²) exactly, from the trace form tr(A Aᵀ)."""
    R = Xm - Wm * Xm
    return (R * R.T).trace(), (Wm * Wm.T).trace()


def _fraction_losses(Wrows: tuple[tuple[int, ...], ...]) -> tuple[Fraction, Fraction]:
    """Independent check: plain Python fractions, entry by entry."""
    Xf = [[Fraction(s) for s in row] for row in SEED_X]
    rec = Fraction(0)
    for i in range(2):
        for j in range(4):
            wx = sum(Fraction(Wrows[i][k]) * Xf[k][j] for k in range(2))
            rec += (Xf[i][j] - wx) ** 2
    reg = sum(Fraction(w) ** 2 for row in Wrows for w in row)
    return rec, reg


def _check_losses(values: tuple) -> Verdict:
    ref = _fraction_losses(((1, 0), (0, 1))) + _fraction_losses(((1, 0), (0, 0)))
    if tuple(Fraction(int(v.p), int(v.q)) for v in values) == ref:
        return Verdict(PROVED, "equal to the losses recomputed entry by entry in exact rational arithmetic "
                       "(Python fractions)", method="exact arithmetic")
    return Verdict(REFUTED, "differs from the exact recomputation", counterexample={"derived": [str(v) for v in values],
                   "recomputed": [str(v) for v in ref]})


def _sample_points(boundary: list[Fraction]) -> list[Fraction]:
    pts = {Fraction(0), Fraction(1, 10**6), Fraction(10**6)}
    for b0 in boundary:
        for eps in (Fraction(0), Fraction(1, 10**9), Fraction(-1, 10**9), Fraction(1, 7), Fraction(-1, 7)):
            pts.add(b0 + eps)
    for i in range(1, 60):
        pts.add(Fraction(i * i, 37))
    return sorted(p for p in pts if p >= 0)


def _check_lambda_set(interval: sp.Set) -> Verdict:
    alpha = _fraction_losses(((1, 0), (0, 1)))
    beta = _fraction_losses(((1, 0), (0, 0)))
    pts = _sample_points([Fraction(1, 1000)])
    for x in pts:
        truth = alpha[0] + x * alpha[1] > beta[0] + x * beta[1]
        if bool(interval.contains(sp.Rational(x.numerator, x.denominator))) != truth:
            return Verdict(REFUTED, f"membership disagrees with the losses at λ = {x}",
                           counterexample={"lambda": str(x)})
    return Verdict(VERIFIED, f"membership agrees with L(W^(α)) > L(W^(β)) evaluated exactly at {len(pts)} rational "
                   "λ ≥ 0, including 1/1000 and 1/1000 ± 10^-9", instances=len(pts), method="exact sampling")


def derive_example(b: Builder) -> None:
    b.part = "a"
    Xs = seed_X()
    ra, ga = losses(W_ALPHA, Xs)
    rb, gb = losses(W_BETA, Xs)
    values = (ra, ga, rb, gb)
    b.answer("losses (reconstruction, regularisation) for W^(α), W^(β)", values,
             rf"W^{{(\alpha)}}: ({_latex(ra)}, {_latex(ga)}),\quad W^{{(\beta)}}: ({_latex(rb)}, {_latex(gb)})",
             f"W^(α): reconstruction {ra}, regularisation {ga}; W^(β): reconstruction {rb}, regularisation {gb}",
             check=lambda: _check_losses(values))
    La, Lb = ra + lam_r * ga, rb + lam_r * gb
    L_a, L_b = sp.Symbol("L_alpha"), sp.Symbol("L_beta")  # print as L_{α}, L_{β}
    example = _scalar_problem({L_a: ((1, 0), (0, 1)), L_b: ((1, 0), (0, 0))})
    b.step(L_a, La, "L at W(α) = I: reconstruction + λ · regularisation", prover=None, problem=example)
    b.step(L_b, Lb, "L at W(β) = diag(1, 0): reconstruction + λ · regularisation", prover=None, problem=example)
    b.step(L_a - L_b, sp.expand(La - Lb), "the difference, whose sign decides (a)(ii)", prover=None, problem=example)
    ineq = sp.solve_univariate_inequality(sp.Gt(La, Lb), lam_r, relational=False)
    ineq = ineq.intersect(sp.Interval(0, sp.oo))
    b.result("lambda_set_a", ineq)
    reduced = sp.reduce_inequalities([sp.Gt(La, Lb), sp.Ge(lam_r, 0)], lam_r)
    b.answer("λ with L(W^(α)) > L(W^(β))", ineq, _latex(ineq),
             f"λ ∈ {_interval_text(ineq)}  (reduce_inequalities: {reduced})", check=lambda: _check_lambda_set(ineq))


def _scalar_problem(defs: dict[sp.Symbol, tuple[tuple[int, ...], ...]]) -> Problem:
    """A problem for steps about the exact example: λ ~ U(0.0001, 3); each named loss is
    computed from its W entry by entry in exact fractions (independently of SymPy)."""

    def sample(s, sizes):
        lam_v = s.positive(0.0001, 3.0)
        vals: dict[Any, Any] = {lam_r: lam_v}
        for sym, Wrows in defs.items():
            rec, reg = _fraction_losses(Wrows)
            vals[sym] = mpmath.mpf(rec.numerator) / rec.denominator + lam_v * reg
        return vals

    return Problem(name="purification/example", title="the seed's 2 x 4 example", statement="", sample_values=sample)


def _interval_text(s: sp.Set) -> str:
    if isinstance(s, sp.Interval):
        left = "(" if s.left_open else "["
        right = ")" if s.right_open else "]"
        hi = "∞" if s.end == sp.oo else str(s.end)
        return f"{left}{s.start}, {hi}{right}"
    return str(s)


# --- part (c): the λ interval ----------------------------------------------------------------------------

SEED_SIGMAS = ("10", "8", "4", "1", "0.5", "0.36", "0.16", "0.01")


def _check_interval(interval: sp.Set) -> Verdict:
    sig = [Fraction(s) for s in SEED_SIGMAS]
    pts = _sample_points([Fraction(1), Fraction(4)])
    pts = [p for p in pts if p > 0]
    for x in pts:
        sc = [s * s / (s * s + x) for s in sig]
        truth = all(c >= Fraction(4, 5) for c in sc[:3]) and all(c <= Fraction(1, 2) for c in sc[3:])
        if bool(interval.contains(sp.Rational(x.numerator, x.denominator))) != truth:
            return Verdict(REFUTED, f"membership disagrees with the scalings at λ = {x}",
                           counterexample={"lambda": str(x)})
    return Verdict(VERIFIED, f"membership agrees with the conditions on σ_i²/(σ_i²+λ), evaluated exactly at {len(pts)} "
                   "rational λ > 0 including 1, 4 and 1 ± 10^-9, 4 ± 10^-9", instances=len(pts),
                   method="exact sampling")


def derive_interval(b: Builder, scaling: sp.Expr) -> None:
    b.part = "c"
    sig = [sp.Rational(s) for s in SEED_SIGMAS]
    domain = sp.Interval.open(0, sp.oo)
    sets = []
    for i, s in enumerate(sig):
        expr = scaling.subs({sigma: s, lam: lam_r})
        rel = sp.Ge(expr, sp.Rational(4, 5)) if i < 3 else sp.Le(expr, sp.Rational(1, 2))
        # a rational inequality in λ: SymPy's rational solver (sign changes at the roots of the
        # numerator and the denominator), which the general univariate one reaches only after
        # testing the expression for periodicity, at five times the cost
        sets.append(reduce_rational_inequalities([[rel]], lam_r, relational=False))
    interval = sp.Intersection(*sets, domain)
    interval = sp.simplify(interval) if not isinstance(interval, sp.Interval) else interval
    b.result("lambda_interval_c", interval)
    b.answer("λ interval", interval, _latex(interval),
             f"λ ∈ {_interval_text(interval)}  (intersection of the 8 solution sets of σ_i²/(σ_i²+λ) ≥ 4/5, i ≤ 3, "
             "and ≤ 1/2, i ≥ 4, with λ > 0)", check=lambda: _check_interval(interval))


def derive() -> Any:
    b = Builder("purification", PROBLEM)
    derive_minimiser(b)
    derive_example(b)
    derive_interval(b, b.results["scaling"])
    return b.build()


def plot_scalings(derivation):
    """σ_i²/(σ_i²+λ) against λ for the part (c) singular values, from the derived scaling,
    with the admissible λ interval that SymPy found shaded."""
    import matplotlib.pyplot as plt
    import numpy as np

    scaling = sp.lambdify((sigma, lam), derivation.result("scaling"), "numpy")
    interval = derivation.result("lambda_interval_c")
    lams = np.logspace(-3, 3, 400)
    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    for i, sv in enumerate(SEED_SIGMAS):
        ax.semilogx(lams, scaling(float(sv), lams), lw=1.2, color="C0" if i < 3 else "C1",
                    label=("kept: " if i < 3 else "attenuated: ") + rf"$\sigma = {sv}$" if i in (0, 3) else None)
    ax.axvspan(float(interval.start), float(interval.end), color="0.85", zorder=0,
               label=rf"admissible $\lambda \in [{interval.start}, {interval.end}]$")
    ax.axhline(0.8, ls="--", lw=0.8, color="C0")
    ax.axhline(0.5, ls="--", lw=0.8, color="C1")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"$\sigma_i^2 / (\sigma_i^2 + \lambda)$")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


register(Entry(
    name="purification",
    tags=("purification", "denoising"),
    title="Linear purification Ŵ = XXᵀ(XXᵀ + λI)^{-1} = U diag(σ_i²/(σ_i²+λ)) Uᵀ",
    derive=derive,
    plots={"scalings": plot_scalings},
    summary="Differential of the trace form, stationarity solved for W, SVD form; the seed's example and λ interval.",
    source=SOURCE,
))
