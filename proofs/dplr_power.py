"""dplr-power: powers of a rank-one update of the identity (HW8 Problem 1(f)).

(I + p p^T)^ℓ = I + c_ℓ p p^T with s = p^T p, and in general (I + u v^T)^ℓ = I + c_ℓ u v^T
with s = v^T u.  Derived, not typed: the ansatz is multiplied by (I + u v^T) with SymPy's
matrix algebra, the scalar v^T u contracted to s, the coefficient of u v^T read off as the
recurrence c_{ℓ+1} = (1 + s) c_ℓ + 1, which ``rsolve`` solves from c_0 = 0; ``limit`` gives
the s -> 0 value ℓ.  The independent reference is repeated multiplication in mpmath.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from derive import Builder, Dim, Entry, Index, Notation, Part, Problem, register
from derive.matalg import coefficient_of, contract, contraction_prover
from derive.symbols import MatSeq
from derive.verdict import PROVED, REFUTED, Verdict

SOURCE = "shared/seeds/000_80f9949d48b7a298.txt, Problem 1(f)"

# --- symbols -------------------------------------------------------------------------------------
n = sp.Symbol("n", integer=True, positive=True)
ell = sp.Symbol("ell", integer=True, nonnegative=True)
s = sp.Symbol("s", real=True)
p = sp.MatrixSymbol("p", n, 1)
u = sp.MatrixSymbol("u", n, 1)
v = sp.MatrixSymbol("v", n, 1)
c = sp.Function("c")


def Apow(i: sp.Expr) -> MatSeq:
    """(I + u v^T)^i, evaluated by repeated multiplication in the reference."""
    return MatSeq("Apow", i, n, n)


# --- problems: sampling and the independent reference (repeated multiplication) --------------------

def _power_reference(left_key: sp.MatrixSymbol, right_key: sp.MatrixSymbol):
    def reference(vals, dps) -> dict[str, Any]:
        U, V = vals[left_key], vals[right_key]
        nn = U.rows
        A = mpmath.eye(nn) + U * V.T
        powers = [mpmath.eye(nn)]

        def apow(i: int) -> Any:
            while len(powers) <= i:
                powers.append(powers[-1] * A)  # repeated multiplication: the definition of A^i
            return powers[i]

        def coeff(i: int) -> Any:
            # the ansatz' coefficient read off the reference power: v^T (A^i - I) u / (v^T u)^2
            sv = (V.T * U)[0, 0]
            return (V.T * (apow(i) - mpmath.eye(nn)) * U)[0, 0] / sv**2

        return {"Apow": apow, "c": coeff}

    return reference


def _sample_sym(smp, sizes) -> dict[Any, Any]:
    pv = smp.vector(sizes[n])
    return {p: pv, s: (pv.T * pv)[0, 0]}


def _sample_general(smp, sizes) -> dict[Any, Any]:
    uv, vv = smp.vector(sizes[n]), smp.vector(sizes[n])
    sv = (vv.T * uv)[0, 0]
    if sv <= -1:  # keep s = v^T u > -1 (the problem's assumption): rescale v
        vv = vv * (mpmath.mpf(-1) / 2 / sv)
        sv = (vv.T * uv)[0, 0]
    return {u: uv, v: vv, s: sv}


SYM_PROBLEM = Problem(
    name="dplr-power",
    title="Powers of I + p p^T",
    statement="For A = I + p p^T (p in R^n, s = p^T p), find A^ℓ for every ℓ ≥ 0 in closed form.",
    dims=(Dim(n, (2, 3, 4, 5, 7)),),
    indices=(Index(ell, 0, 12),),
    sample_values=_sample_sym,
    reference=_power_reference(p, p),
    notation=(
        Notation("p", p, "rank-one direction (n x 1)"),
        Notation("s", s, "s = p^T p"),
        Notation(r"c_\ell", c(ell), "coefficient of p p^T in A^ℓ (read off the reference power)"),
    ),
    assumptions=("s = p^T p", "p ≠ 0 (s > 0) for the closed form; s -> 0 by the limit", "ℓ integer ≥ 0"),
    parts=(Part("f", "Compute A^ℓ for A = I + p p^T and the kernel K_ℓ."),),
    source=SOURCE,
    latex_names=(("Apow", r"\left(I + p p^{{\top}}\right)^{{{0}}}"),),
)

GEN_PROBLEM = Problem(
    name="dplr-power/general",
    title="Powers of I + u v^T",
    statement="For A = I + u v^T with s = v^T u > -1, s ≠ 0, find A^ℓ for every ℓ ≥ 0.",
    dims=(Dim(n, (2, 3, 4, 5, 7)),),
    indices=(Index(ell, 0, 12),),
    sample_values=_sample_general,
    reference=_power_reference(u, v),
    notation=(
        Notation("u", u, "column (n x 1)"),
        Notation("v", v, "column (n x 1)"),
        Notation("s", s, "s = v^T u"),
    ),
    assumptions=("s = v^T u", "s > -1, s ≠ 0", "ℓ integer ≥ 0"),
    source=SOURCE,
    latex_names=(("Apow", r"\left(I + u v^{{\top}}\right)^{{{0}}}"),),
)


# --- the derivation ---------------------------------------------------------------------------------

def derive_rank_one(b: Builder, left: sp.MatrixSymbol, right: sp.MatrixSymbol, problem: Problem,
                    tag: str) -> dict[str, sp.Basic]:
    """Ansatz, multiply, contract, read off the recurrence, rsolve, limit.  ``tag`` names the
    results ("" for p p^T, "_uv" for u v^T)."""
    I = sp.Identity(n)
    M = sp.MatMul(left, sp.Transpose(right))
    rules = [((sp.Transpose(right), left), s)]
    prover = contraction_prover(rules, f"{right}^T {left} = s")
    ansatz = sp.MatAdd(I, sp.MatMul(c(ell), M))
    b.step(Apow(ell), ansatz, "ansatz: every power is the identity plus a multiple c_ℓ of the rank-one term",
           problem=problem, prover=None)
    b.step(Apow(0), I, "the zeroth power is I, so c_0 = 0", problem=problem, condition=sp.Eq(ell, 0), prover=None)
    A = sp.MatAdd(I, M)
    product = sp.MatMul(ansatz, A)
    b.step(Apow(ell + 1), product, "the next power: multiply the ansatz by A", problem=problem, prover=None)
    contracted = contract(product, rules)
    b.step(product, contracted, f"expand and contract the 1 x 1 product {right}⊤{left} = s",
           problem=problem, prover=prover, how="MatMul.expand, contraction")
    rec_rhs = sp.collect(sp.expand(coefficient_of(contracted, M)), c(ell))  # (1 + s) c_ℓ + 1
    if coefficient_of(contracted, I) != 1:
        raise RuntimeError("the identity coefficient is not 1: the ansatz does not close")
    b.step(c(ell + 1), rec_rhs, "compare with the ansatz at ℓ + 1: the coefficient of the rank-one term",
           problem=problem, prover=None, how="coefficient read-off")
    sol = sp.rsolve(c(ell + 1) - rec_rhs, c(ell), {c(0): 0})
    if sol is None:
        raise RuntimeError("rsolve found no solution of the coefficient recurrence")
    sol = sp.together(sp.expand(sol))
    b.step(c(ell), sol, "solve the linear recurrence with c_0 = 0", problem=problem, prover=None, how="rsolve")
    # the solution satisfies the recurrence and the initial value (proved symbolically)
    b.step(sol.subs(ell, ell + 1), rec_rhs.subs(c(ell), sol), "the solution satisfies the recurrence",
           problem=problem)
    closed = sp.MatAdd(I, sp.MatMul(sol, M))
    b.step(Apow(ell), closed, "closed form: substitute c_ℓ into the ansatz (s ≠ 0)", problem=problem, prover=None)
    lim = sp.limit(sol, s, 0)
    b.step(sp.Limit(sol, s, 0), lim, "the s → 0 limit of the coefficient", problem=problem, how="limit")
    b.result(f"c_ell{tag}", sol)
    b.result(f"c_limit{tag}", lim)
    b.result(f"recurrence{tag}", rec_rhs)
    b.result(f"A_pow{tag}", closed)
    return {"c": sol, "limit": lim, "closed": closed}


def _check_seed_answer(sol: sp.Expr) -> Verdict:
    """The seed's binomial route: Σ_{k=1}^{ℓ} C(ℓ, k) s^{k-1}, summed exactly for ℓ = 0..12."""
    for ll in range(13):
        binom_sum = sum(sp.binomial(ll, k) * s ** (k - 1) for k in range(1, ll + 1))
        if sp.simplify(sp.expand(sol.subs(ell, ll)) - binom_sum) != 0:
            return Verdict(REFUTED, f"differs from the binomial sum at ℓ = {ll}")
    return Verdict(PROVED, "equal to the seed's binomial sum Σ_k C(ℓ,k) s^{k-1} exactly for ℓ = 0..12",
                   method="exact polynomial comparison")


def derive() -> Any:
    from derive.emit.latex import latex
    from derive.emit.text import text

    b = Builder("dplr-power", SYM_PROBLEM)
    b.part = "f"
    sym = derive_rank_one(b, p, p, SYM_PROBLEM, "")
    b.answer("$A^\\ell = (I + pp^\\top)^\\ell = I + c_\\ell\\, pp^\\top$ with", sym["c"],
             r"c_\ell = " + latex(sym["c"]) + r",\qquad \lim_{s \to 0} c_\ell = \ell", text(sym["c"]),
             check=lambda: _check_seed_answer(sym["c"]))
    b.part = "f (general rank one)"
    gen = derive_rank_one(b, u, v, GEN_PROBLEM, "_uv")
    if sp.simplify(gen["c"] - sym["c"]) != 0:
        raise RuntimeError("the general and symmetric coefficients differ")
    b.note("(f) The coefficient c_ℓ = ((1+s)^ℓ - 1)/s depends on A only through s = v^T u; the kernel "
           "needs one scalar power per ℓ, computable by repeated squaring (O(log L) depth).")
    b.note("For code, c_ℓ is evaluated as expm1(ℓ log1p s)/s with a series branch near s = 0 "
           "(derive.emit.careful); the naive form loses ~|log10 s| digits to cancellation.")
    return b.build()


# --- generated code: the coefficient c(s, m), numerically careful -----------------------------------

def module(derivation):
    from derive.emit.codegen import Arg, FunctionSpec, ModuleSpec
    from derive.emit.careful import CarefulCoefficient

    sol = derivation.result("c_ell")
    return ModuleSpec(
        name="dplr_power",
        source="dplr-power",
        doc="Coefficient c_l = ((1+s)^l - 1)/s of (I + u v^T)^l = I + c_l u v^T (s = v^T u > -1).",
        functions=(
            FunctionSpec("coefficient", (Arg("s", "array"), Arg("m", "array")),
                         CarefulCoefficient.from_expr(sol, s, ell),
                         "c(s, m) = ((1+s)^m - 1)/s elementwise, without cancellation near s = 0 and "
                         "inf only where the true value exceeds float64."),
        ),
    )


def _coefficient_mp(sv: float, m: int, dps: int = 50) -> Any:
    """Reference: (1+s)^m - 1 over s by repeated squaring in mpmath at ``dps`` digits, or, for
    s = 0, the sum of the geometric series' m ones."""
    with mpmath.workdps(dps):
        x = mpmath.mpf(sv)
        if x == 0:
            return mpmath.mpf(m)
        return (mpmath.power(1 + x, m) - 1) / x


def code_checks():
    import numpy as np
    from derive.verify import CodeCheck

    def grid(lo: float, hi: float, count: int, mmax: int, negative: bool = False):
        def make(rng):
            sv = 10 ** rng.uniform(np.log10(lo), np.log10(hi), count)
            m = rng.integers(0, mmax + 1, count)
            return {"s": -sv if negative else sv, "m": m.astype(np.float64)}

        return make

    def fixed(points):
        return lambda rng: {"s": np.array([a for a, _ in points]), "m": np.array([float(b) for _, b in points])}

    def ref(inp):
        return [_coefficient_mp(float(a), int(b)) for a, b in zip(inp["s"], inp["m"])]

    checks = []
    for label, make, count_text in (
        ("s in [1e-12, 10], m <= 1e5", grid(1e-12, 10.0, 300, 100_000), "300 points"),
        ("s in [1e-12, 1e-3], m <= 1e5", grid(1e-12, 1e-3, 200, 100_000), "200 points"),
        ("-s in [1e-12, 0.9], m <= 1e5 (rank-one, s > -1)", grid(1e-12, 0.9, 200, 100_000, negative=True),
         "200 points"),
        ("s in [1e-3, 10], m <= 400 (well conditioned near overflow)", grid(1e-3, 10.0, 200, 400), "200 points"),
    ):
        checks.append(CodeCheck(
            label=f"coefficient vs mpmath at 50 digits, {label}", function="coefficient",
            make_inputs=make, tol=1e-13, reference=ref,
            error=_conditioned_error,
            reference_kind="mpmath (1+s)^m - 1 over s at 50 digits; elementwise relative error divided by "
                           "(1 + κ)/(1 + κ_max) with κ the condition number in s, κ_max = 24 (so 1e-13 is "
                           "the bound 4u(1+κ) where κ ≤ 24 and scales with κ beyond); inf exactly where "
                           "the true value exceeds float64",
            inputs_text=f"log10|s| uniform, m uniform integers, {count_text}; {label}"))
    checks.append(CodeCheck(
        label="coefficient at the CONVENTIONS points (1e-12, 1000), (1.5, 775), (10, 400), (0, 7), (-0.5, 3000)",
        function="coefficient",
        make_inputs=fixed([(1e-12, 1000), (1.5, 775), (10.0, 400), (0.0, 7), (-0.5, 3000)]),
        tol=1e-13, reference=ref, error=_conditioned_error,
        reference_kind="mpmath at 50 digits; (1.5, 775) must be finite (1.688e308), (10, 400) inf",
        inputs_text="the five fixed points"))
    return checks


KAPPA_MAX = 24.0  # 4u(1 + 24) = 1.1e-13: where κ ≤ 24 the bound is the 1e-13


def _kappa(sv: float, m: int) -> Any:
    """Condition number of c(s, m) in s: |s ∂c/∂s / c| (mpmath, 50 digits)."""
    with mpmath.workdps(50):
        x = mpmath.mpf(sv)
        if x == 0 or m <= 1:
            return mpmath.mpf(0)
        f = lambda t: (mpmath.power(1 + t, m) - 1) / t  # noqa: E731
        return abs(x * mpmath.diff(f, x) / f(x))


def _conditioned_error(got: Any, ref: Any, inputs: Any) -> float:
    """Elementwise relative error, divided by (1 + κ)/(1 + KAPPA_MAX) where κ > KAPPA_MAX: so
    the tolerance 1e-13 is the issue's bound where the problem is well conditioned and
    4u(1 + κ) (CONVENTIONS) where it is not.  Overflow must match exactly (see
    elementwise_relative_error)."""
    import numpy as np
    from derive.verify import elementwise_relative_error

    worst = 0.0
    for x, y, sv, m in zip(np.asarray(got, dtype=np.float64).ravel(), ref, inputs["s"], inputs["m"]):
        e = elementwise_relative_error([x], [y])
        if e == float("inf"):
            return e
        kappa = float(_kappa(float(sv), int(m)))
        worst = max(worst, e * (1 + KAPPA_MAX) / (1 + max(kappa, KAPPA_MAX)))
    return worst


def plot_coefficient_error(derivation):
    """Relative error of c(s, m) = ((1+s)^m - 1)/s in float64 against mpmath (50 digits):
    the closed form evaluated as written (lambdify) against the generated careful module."""
    import matplotlib.pyplot as plt
    import numpy as np

    from derive import get
    from derive.emit import codegen

    m = 1000
    gen = codegen.load_module(codegen.write_module(get("dplr-power").module_spec(), "numpy"))
    naive = sp.lambdify((s, ell), derivation.result("c_ell"), "numpy")
    ss = np.logspace(-12, 1, 140)
    with mpmath.workdps(50):
        exact = [((1 + mpmath.mpf(float(v))) ** m - 1) / mpmath.mpf(float(v)) for v in ss]

    def rel(vals):
        return [max(float(abs((mpmath.mpf(float(v)) - e) / e)), 1e-18) for v, e in zip(vals, exact)]

    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    with np.errstate(over="ignore"):  # the naive form overflows for large s: that is what the plot shows
        naive_values = naive(ss, m)
    ax.loglog(ss, rel(naive_values), lw=1.2, label=r"naive $((1+s)^m - 1)/s$")
    ax.loglog(ss, rel(gen.coefficient(ss, np.full_like(ss, m))), lw=1.2, label="generated (expm1/log1p, series)")
    ax.axhline(2.0 ** -53, ls=":", lw=0.8, color="0.4")
    ax.set_xlabel("$s$")
    ax.set_ylabel("relative error")
    ax.set_title(f"$m = {m}$", fontsize=9)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


register(Entry(
    name="dplr-power",
    tags=("dplr", "rank-1", "rank-one", "rank one", "low-rank"),
    title="(I + p p^T)^ℓ = I + ((1+s)^ℓ - 1)/s · p p^T",
    derive=derive,
    plots={"coefficient_error": plot_coefficient_error},
    module=module,
    code_checks=code_checks,
    summary="Ansatz, matrix algebra with p^T p = s, rsolve of the coefficient recurrence, s -> 0 limit; "
            "the general rank-one case (I + u v^T)^ℓ.",
    source=SOURCE,
))
