"""ssm-kernel: the convolution kernel of a linear state-space model (HW8 Problem 1).

x_{k+1} = A x_k + B u_k,  y_k = C x_k + D u_k,  x_0 = 0.

SymPy unrolls the recurrence, the general term is fitted with ``solve`` from the
unrolled terms, proved by induction with the matrix-sum rules, pushed through the output
map, reindexed, and the kernel read off as the coefficient of u_{k-ℓ}:
K_0 = D, K_ℓ = C A^{ℓ-1} B (ℓ ≥ 1).  The independent reference is simulation of the
recurrence (random inputs for y_k, impulses for K_ℓ).
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from derive import Builder, Dim, Entry, Index, Notation, Part, Problem, register
from derive.simulate import impulse_response, lti_run
from derive.sums import canonical, drop_range_guards, prove_by_sum_rules, push_in, reindex
from derive.symbols import MatSeq, MatSum
from derive.verdict import PROVED, REFUTED, Verdict

SOURCE = "shared/seeds/000_80f9949d48b7a298.txt, Problem 1"

# --- symbols -------------------------------------------------------------------------------------
n, p, q = sp.symbols("n p q", integer=True, positive=True)
k, j, ell = sp.symbols("k j ell", integer=True, nonnegative=True)
A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, q)
C, D = sp.MatrixSymbol("C", p, n), sp.MatrixSymbol("D", p, q)


def x(i: sp.Expr) -> MatSeq:
    return MatSeq("x", i, n, 1)


def u(i: sp.Expr) -> MatSeq:
    return MatSeq("u", i, q, 1)


def y(i: sp.Expr) -> MatSeq:
    return MatSeq("y", i, p, 1)


def K(i: sp.Expr) -> MatSeq:
    return MatSeq("K", i, p, q)


# --- the problem: sampling and the independent reference (simulation) --------------------------
U_LEN = 16  # inputs u_0..u_15 cover every sampled index


def _sample(s, sizes) -> dict[Any, Any]:
    nn, pp, qq = sizes[n], sizes[p], sizes[q]
    return {
        A: s.matrix(nn, nn),  # general, non-symmetric
        B: s.matrix(nn, qq),
        C: s.matrix(pp, nn),
        D: s.matrix(pp, qq),
        "u": [s.vector(qq) for _ in range(U_LEN)],
    }


def _reference(vals, dps) -> dict[str, Any]:
    Am, Bm, Cm, Dm, us = vals[A], vals[B], vals[C], vals[D], vals["u"]
    xs, ys = lti_run(Am, Bm, Cm, Dm, us)

    def impulse(ell_: int) -> Any:
        return impulse_response(Am, Bm, Cm, Dm, ell_)

    def u_at(i: int) -> Any:
        return us[i] if i >= 0 else mpmath.zeros(Bm.cols, 1)

    return {"x": lambda i: xs[i], "y": lambda i: ys[i], "u": u_at, "K": impulse}


PROBLEM = Problem(
    name="ssm-kernel",
    title="Convolution kernel of a linear state-space model",
    statement=("For $x_{k+1} = A x_k + B u_k$, $y_k = C x_k + D u_k$ with $x_0 = 0$, write $y_k$ as a "
               "convolution of the inputs with a kernel $K$ and find $K$."),
    dims=(Dim(n, (2, 3, 4, 5)), Dim(p, (1, 2)), Dim(q, (1, 2))),
    indices=(Index(k, 0, 9), Index(ell, 0, 9)),
    sample_values=_sample,
    reference=_reference,
    notation=(
        Notation("A", A, "state matrix (n x n)"),
        Notation("B", B, "input matrix (n x q)"),
        Notation("C", C, "output matrix (p x n)"),
        Notation("D", D, "feed-through matrix (p x q)"),
        Notation("x_k", x(k), "state at step k (simulated)"),
        Notation("u_k", u(k), "input at step k"),
        Notation("y_k", y(k), "output at step k (simulated)"),
        Notation(r"K_\ell", K(ell), "kernel: impulse response at lag ℓ (simulated)"),
    ),
    assumptions=("x_0 = 0", "u_k = 0 for k < 0", "k, ℓ integers ≥ 0"),
    parts=(
        Part("a", "Write $y_k$ as a convolution sum and give the kernel $K_\\ell$."),
        Part("b", "Compute the kernel for the scalar and the 2-D worked examples."),
        Part("c", "How parallel is the output computation once K is known?", kind="stated"),
        Part("d", "How can the kernel itself be computed in parallel?", kind="stated"),
        Part("e", "The kernel for a diagonal $A = \\operatorname{diag}(a_i)$."),
    ),
    source=SOURCE,
)


# --- part (a): derive the kernel ------------------------------------------------------------------

def _terms(expr: sp.Basic) -> list[sp.Basic]:
    expr = canonical(expr)
    return list(expr.args) if isinstance(expr, sp.MatAdd) else [expr]


def _exponent_and_input(term: sp.Basic) -> tuple[sp.Expr, sp.Expr]:
    """For a term A^e B u_j return (e, j)."""
    args = term.args if isinstance(term, sp.MatMul) else (term,)
    e = sp.Integer(0)
    for a in args:
        if a == A:
            e = sp.Integer(1)
        elif isinstance(a, sp.MatPow) and a.base == A:
            e = a.exp
    (useq,) = [a for a in args if isinstance(a, MatSeq) and a.seq_name == "u"]
    return e, useq.index


def _fit_affine(data: list[tuple[dict[sp.Symbol, int], int]], variables: list[sp.Symbol]) -> sp.Expr:
    """Fit value = c_0 + sum c_v v to the data with ``solve``; fails loudly if inconsistent."""
    coeffs = sp.symbols(f"c0:{len(variables) + 1}")
    model = coeffs[0] + sum(c * v for c, v in zip(coeffs[1:], variables))
    eqs = [sp.Eq(model.subs(point), value) for point, value in data]
    sol = sp.solve(eqs, coeffs, dict=True)
    if len(sol) != 1:
        raise RuntimeError("no single affine law fits the unrolled terms")
    return sp.expand(model.subs(sol[0]))


UNROLL = 4


def derive_general(b: Builder) -> None:
    b.part = "a"
    # unroll the recurrence from x_0 = 0
    xs: list[sp.Basic] = [sp.ZeroMatrix(n, 1)]
    for kk in range(UNROLL):
        nxt = canonical(sp.MatAdd(sp.MatMul(A, xs[-1]), sp.MatMul(B, u(kk))).doit())
        xs.append(nxt)
        b.step(x(kk + 1), nxt, f"substitute $x_{kk + 1} = A x_{kk} + B u_{kk}$ and expand", how="subs, expand")
    # state the pattern: the exponent of A and the range of j, fitted with solve
    points, lows, highs = [], [], []
    for kk in range(1, UNROLL + 1):
        js = []
        for t in _terms(xs[kk]):
            e, jj = _exponent_and_input(t)
            points.append(({k: kk, j: int(jj)}, int(e)))
            js.append(int(jj))
        lows.append(({k: kk}, min(js)))
        highs.append(({k: kk}, max(js)))
    exponent = _fit_affine(points, [k, j])
    j_lo, j_hi = _fit_affine(lows, [k]), _fit_affine(highs, [k])
    pattern = MatSum(sp.MatMul(sp.MatPow(A, exponent), B, u(j)), (j, j_lo, j_hi))
    b.result("x_k", pattern)
    b.step(x(k), pattern, "pattern of $x_1, \\dots, x_4$: the exponent of $A$ and the range of $j$ fitted with solve",
           how="solve", prover=None)
    # induction: base case and step, proved with the sum rules for symbolic k
    b.step(pattern.subs(k, 0), sp.ZeroMatrix(n, 1), "base case: the empty sum is $x_0 = 0$")
    pushed = push_in(A, pattern)
    b.step(sp.MatMul(A, pattern), pushed, "linearity: multiply $A$ into the sum")
    step_rhs = canonical(pattern.subs(k, k + 1))
    b.step(sp.MatAdd(pushed, sp.MatMul(B, u(k))), step_rhs,
           "induction step: $B u_k$ is the $j = k$ term, so $A x_k + B u_k$ has the pattern at $k + 1$",
           prover=prove_by_sum_rules)
    # output map
    y_sum = push_in(C, pattern)
    b.step(y(k), sp.MatAdd(y_sum, sp.MatMul(D, u(k))), "$y_k = C x_k + D u_k$, with $C$ multiplied into the sum",
           prover=None)
    y_re = reindex(y_sum, ell, k - ell)
    b.step(y_sum, y_re, "reindex with $\\ell = k - j$", prover=prove_by_sum_rules)
    # read off the kernel: the coefficient of u_{k-ℓ}
    term = y_re.term
    coeff = sp.MatMul(*[a for a in term.args if not (isinstance(a, MatSeq) and a.seq_name == "u")]).doit()
    K0 = D
    b.result("K_0", K0)
    b.result("K_ell", coeff)
    b.step(K(0), K0, "$K_0$ is the coefficient of $u_k$ (the term outside the sum)", condition=sp.Eq(ell, 0),
           prover=None)
    b.step(K(ell), coeff, "$K_\\ell$ is the coefficient of $u_{k-\\ell}$ in the sum", condition=sp.Ge(ell, 1), prover=None)
    b.step(y(k), sp.MatAdd(MatSum(sp.MatMul(K(ell), u(k - ell)), (ell, 1, k)), sp.MatMul(K(0), u(k))),
           "so $y_k = \\sum_{\\ell=0}^{k} K_\\ell u_{k-\\ell}$ (with $u_{<0} = 0$)", prover=None)


# --- part (b): the worked examples, exact -----------------------------------------------------------

delta = sp.Symbol("delta")
WORKED = {
    "scalar": dict(A=sp.Matrix([[sp.Rational("0.8")]]), B=sp.Matrix([[1]]), C=sp.Matrix([[sp.Rational("1.5")]]),
                   D=sp.Matrix([[delta]]), L=5),
    "2d": dict(A=sp.Matrix([[sp.Rational("0.7"), sp.Rational("0.1")], [sp.Rational("0.2"), sp.Rational("0.6")]]),
               B=sp.Matrix([1, 0]), C=sp.Matrix([[1, 0]]), D=sp.Matrix([[0]]), L=4),
}


def kernel_values(K0: sp.Basic, Kl: sp.Basic, example: dict[str, Any]) -> list[sp.Expr]:
    """Substitute a worked example into the derived K_0 and K_ℓ (exact arithmetic)."""
    sub = {A: example["A"], B: example["B"], C: example["C"], D: example["D"]}
    out = [sp.simplify(sp.Matrix(K0.xreplace(sub).doit())[0, 0])]
    for ll in range(1, example["L"]):
        val = Kl.xreplace(sub).subs(ell, ll).doit()
        out.append(sp.simplify(sp.Matrix(val)[0, 0]))
    return out


def exact_impulse_response(example: dict[str, Any]) -> list[sp.Expr]:
    """Independent reference: run the recurrence on an impulse in exact arithmetic."""
    Am, Bm, Cm, Dm = example["A"], example["B"], example["C"], example["D"]
    xk = sp.zeros(Am.shape[0], 1)
    out = []
    for kk in range(example["L"]):
        uk = 1 if kk == 0 else 0
        out.append(sp.expand((Cm * xk + Dm * uk)[0, 0]))
        xk = Am * xk + Bm * uk
    return out


def _check_worked(name: str, values: list[sp.Expr]) -> Verdict:
    ref = exact_impulse_response(WORKED[name])
    diff = [sp.simplify(a - r) for a, r in zip(values, ref)]
    if all(d == 0 for d in diff) and len(values) == len(ref):
        return Verdict(PROVED, f"equal in exact arithmetic to the simulated impulse response ({len(ref)} values)",
                       method="exact simulation")
    return Verdict(REFUTED, "differs from the simulated impulse response",
                   counterexample={"derived": [str(v) for v in values], "simulated": [str(v) for v in ref]})


def derive_examples(b: Builder, K0: sp.Basic, Kl: sp.Basic) -> None:
    from derive.emit.latex import latex
    from derive.emit.text import text

    b.part = "b"
    for name, label in (("scalar", r"scalar system $\alpha = 0.8$, $\beta = 1$, $\gamma = 1.5$, $\delta$ symbolic"),
                        ("2d", r"2-D system $A = \begin{pmatrix} 0.7 & 0.1 \\ 0.2 & 0.6 \end{pmatrix}$, "
                               r"$B = (1, 0)^\top$, $C = (1, 0)$, $D = 0$")):
        vals = kernel_values(K0, Kl, WORKED[name])
        b.answer(f"$K_0, \\dots, K_{{{len(vals) - 1}}}$ for the {label}", vals, "K = " + latex(vals), text(vals),
                 check=lambda name=name, vals=vals: _check_worked(name, vals))


# --- part (e): diagonal A -----------------------------------------------------------------------------
i_, r_ = sp.symbols("i r", integer=True, positive=True)
jj_ = sp.Symbol("j", integer=True, positive=True)
m_ = sp.Symbol("m", integer=True, nonnegative=True)
a_, b_, c_ = sp.IndexedBase("a"), sp.IndexedBase("b"), sp.IndexedBase("c")


def _diag_sample(s, sizes):
    nn = sizes[n]
    return {a_: [s.scalar(-1, 1) for _ in range(nn)], b_: [s.scalar(-1, 1) for _ in range(nn)],
            c_: [s.scalar(-1, 1) for _ in range(nn)]}


def _diag_reference(vals, dps):
    nn = vals[n]
    Am = mpmath.diag(vals[a_])
    Bm = mpmath.matrix(vals[b_])
    Cm = mpmath.matrix(vals[c_]).T
    Dm = mpmath.zeros(1, 1)

    def power_entry(m: int) -> Any:
        P = mpmath.eye(nn)
        for _ in range(m):
            P = P * Am  # repeated multiplication, the definition of A^m
        return P

    def impulse(ell_: int) -> Any:
        seq = [mpmath.ones(1, 1)] + [mpmath.zeros(1, 1)] * ell_
        _, ys = lti_run(Am, Bm, Cm, Dm, seq)
        return ys[ell_][0]

    return {"K": impulse, "Apow": lambda m, i, j: power_entry(m)[i - 1, j - 1]}


DIAG_PROBLEM = Problem(
    name="ssm-kernel/diagonal",
    title="SSM kernel with diagonal A",
    statement="$A = \\operatorname{diag}(a_1, \\dots, a_n)$, $B = (b_i)$, $C = (c_i)^\\top$, $D = 0$.",
    dims=(Dim(n, (2, 3, 4, 6)),),
    indices=(Index(ell, 1, 12), Index(m_, 0, 9), Index(i_, 1, 2), Index(jj_, 1, 2)),
    sample_values=_diag_sample,
    reference=_diag_reference,
    source=SOURCE,
    latex_names=(("Apow", r"\left(A^{{{0}}}\right)_{{{1}{2}}}"),),
)


def derive_diagonal(b: Builder) -> None:
    b.part = "e"
    Apow = sp.Function("Apow")  # (A^m)_{ij}, evaluated by repeated multiplication
    A_entry = sp.KroneckerDelta(i_, r_) * a_[i_]
    claim = sp.KroneckerDelta(i_, jj_) * a_[i_] ** m_
    b.step(Apow(0, i_, jj_), claim.subs(m_, 0), "$A^0 = I$: base case of $(A^m)_{ij} = \\delta_{ij} a_i^m$",
           problem=DIAG_PROBLEM)
    step_sum = sp.Sum(A_entry * claim.subs(i_, r_), (r_, 1, n))
    done = drop_range_guards(step_sum.doit(), {r_: (1, n), jj_: (1, n), i_: (1, n)})
    done = sp.simplify(done.subs(a_[jj_], a_[i_]) if done.has(sp.KroneckerDelta(i_, jj_)) else done)
    b.step(step_sum, done, "induction step: $(A^{m+1})_{ij} = \\sum_r A_{ir} (A^m)_{rj}$, summed with the Kronecker delta",
           problem=DIAG_PROBLEM, how="Sum.doit")
    if done != claim.subs(m_, m_ + 1):
        raise RuntimeError("the induction step for (A^m)_ij did not close")
    b.step(Apow(m_, i_, jj_), claim, "$(A^m)_{ij} = \\delta_{ij} a_i^m$ for all $m \\ge 0$ (by induction)", problem=DIAG_PROBLEM,
           prover=None)
    double = sp.Sum(c_[i_] * claim.subs(m_, ell - 1) * b_[jj_], (i_, 1, n), (jj_, 1, n))
    single = drop_range_guards(double.doit(), {i_: (1, n), jj_: (1, n)})
    single = sp.Sum(*[drop_range_guards(single.function, {jj_: (1, n), i_: (1, n)})], *single.limits) \
        if isinstance(single, sp.Sum) else single
    # rename the surviving summation index to i
    if isinstance(single, sp.Sum) and single.limits[0][0] != i_:
        old, lo, hi = single.limits[0]
        single = sp.Sum(single.function.subs(old, i_), (i_, lo, hi))
    seqK = sp.Function("K")(ell)
    b.step(seqK, double, "$K_\\ell = C A^{\\ell-1} B = \\sum_i \\sum_j c_i (A^{\\ell-1})_{ij} b_j$", problem=DIAG_PROBLEM,
           condition=sp.Ge(ell, 1), prover=None)
    b.step(double, single, "the Kronecker delta collapses the sum over $j$", problem=DIAG_PROBLEM,
           condition=sp.Ge(ell, 1), how="Sum.doit")
    b.result("K_ell_diag", single)
    b.step(seqK, single, "the diagonal kernel: a weighted sum of geometric sequences", problem=DIAG_PROBLEM,
           condition=sp.Ge(ell, 1), prover=None)


def derive() -> Any:
    b = Builder("ssm-kernel", PROBLEM)
    derive_general(b)
    derive_examples(b, b.results["K_0"], b.results["K_ell"])
    derive_diagonal(b)
    b.part = "c"
    b.note("(c) stated: once $K$ is known, $y = K * u$ is a convolution; with FFTs its critical path is "
           "$O(\\log L)$ stages of independent scalar operations, $O(\\log L \\log n)$ when each stage costs a "
           "matrix-vector product of depth $O(\\log n)$. The unrolled recurrence has a critical path of $L$ "
           "sequential steps, each a matrix-vector product of depth $O(\\log n)$: $O(L \\log n)$.")
    b.note("(d) stated: the powers $A^{\\ell-1}$ are a prefix product, computable by repeated squaring or a "
           "parallel scan in $O(\\log L)$ rounds of matrix products, each of depth $O(\\log n)$: critical path "
           "$O(\\log L \\log n)$ with $O(L n^3)$ work; the generated code instead splits "
           "$\\ell - 1 = jm + r$ and needs $O(L n^2 / m + L n)$ work in one matrix product.")
    return b.build()


def module(derivation):
    from derive.emit.codegen import Arg, FunctionSpec, ModuleSpec
    from derive.emit.lowering import PowerKernel

    Kl = derivation.result("K_ell")
    K0 = derivation.result("K_0")
    Kd = derivation.result("K_ell_diag")
    return ModuleSpec(
        name="ssm_kernel",
        source="ssm-kernel",
        doc="Convolution kernel of x_{k+1} = A x_k + B u_k, y_k = C x_k + D u_k (x_0 = 0).",
        functions=(
            FunctionSpec("kernel", (Arg("A"), Arg("B", "column"), Arg("C", "row"), Arg("D", "matrix-or-scalar"),
                                    Arg("L", "int")),
                         PowerKernel.from_matrix_expr(K0, Kl, ell),
                         "K_0..K_{L-1} for general A: K_0 = D, K_l = C A^(l-1) B."),
            FunctionSpec("kernel_diag", (Arg("a", "vector"), Arg("b", "vector"), Arg("c", "vector"),
                                         Arg("d", "scalar"), Arg("L", "int")),
                         PowerKernel.from_indexed_sum(sp.Symbol("d"), Kd, ell),
                         "K_0..K_{L-1} for A = diag(a): K_0 = d, K_l = sum_i c_i b_i a_i^(l-1)."),
        ),
    )


# --- verification of the generated code: simulation, never the generated loop -------------------

def _stable(rng, n: int, radius: float = 0.95):
    import numpy as np

    M = rng.uniform(-1.0, 1.0, (n, n))
    return M * (radius / np.max(np.abs(np.linalg.eigvals(M))))


def _simulate_f64(A, B, C, D, u):
    """y_k of the recurrence in float64 (x_0 = 0); u has shape (L, q)."""
    import numpy as np

    x = np.zeros((A.shape[0], u.shape[1]))[:, 0]
    ys = []
    for uk in u:
        ys.append(C @ x + D @ uk)
        x = A @ x + B @ uk
    return np.array(ys)


def _simulate_mp(A, B, C, D, u, dps: int = 50) -> list:
    """y_k of the recurrence in mpmath at ``dps`` digits, flattened."""
    with mpmath.workdps(dps):
        Am, Bm, Cm, Dm = (mpmath.matrix(M.tolist()) for M in (A, B, C, D))
        _, ys = lti_run(Am, Bm, Cm, Dm, [mpmath.matrix(list(uk)) for uk in u])
        return [y[i] for y in ys for i in range(y.rows)]


def _convolve_mp(K, u, dps: int = 50) -> list:
    """y_k = sum_l K_l u_{k-l} computed in mpmath from the float64 kernel (so only K's
    error shows), K of shape (L, p, q), u of shape (L, q)."""
    import numpy as np

    K = np.asarray(K).reshape(len(u), -1, u.shape[1])
    out = []
    with mpmath.workdps(dps):
        for kk in range(len(u)):
            acc = mpmath.matrix(K.shape[1], 1)
            for ll in range(kk + 1):
                acc += mpmath.matrix(K[ll].tolist()) * mpmath.matrix(list(u[kk - ll]))
            out.extend(acc[i] for i in range(acc.rows))
    return out


def _convolve_f64(K, u):
    import numpy as np

    K = np.asarray(K).reshape(len(u), -1, u.shape[1])
    return np.array([sum(K[ll] @ u[kk - ll] for ll in range(kk + 1)) for kk in range(len(u))]) \
        if len(u) <= 512 else _fft_convolve(K, u)


def _fft_convolve(K, u):
    import numpy as np

    L = len(u)
    size = 1 << (2 * L - 1).bit_length()
    Kf = np.fft.rfft(K, size, axis=0)
    uf = np.fft.rfft(u, size, axis=0)
    return np.fft.irfft(np.einsum("fpq,fq->fp", Kf, uf), size, axis=0)[:L]


def _general_inputs(n: int, p_: int, q_: int, L: int):
    def make(rng):
        return {"A": _stable(rng, n), "B": rng.standard_normal((n, q_)), "C": rng.standard_normal((p_, n)),
                "D": rng.standard_normal((p_, q_)), "L": L, "_u": rng.standard_normal((L, q_))}

    return make


def _diag_inputs(n: int, L: int):
    def make(rng):
        return {"a": rng.uniform(0.5, 0.999, n) * rng.choice([-1.0, 1.0], n), "b": rng.standard_normal(n),
                "c": rng.standard_normal(n), "d": float(rng.standard_normal()), "L": L,
                "_u": rng.standard_normal((L, 1))}

    return make


def _diag_as_general(inp):
    import numpy as np

    return (np.diag(inp["a"]), inp["b"][:, None], inp["c"][None, :], np.array([[inp["d"]]]))


def code_checks():
    from derive.verify import CodeCheck

    checks = []
    for (n, p_, q_, L) in ((6, 1, 1, 48), (4, 2, 3, 24)):
        make = _general_inputs(n, p_, q_, L)
        checks.append(CodeCheck(
            label=f"kernel vs mpmath simulation, n={n}, p={p_}, q={q_}, L={L}",
            function="kernel", make_inputs=_strip(make), tol=1e-12,
            reference=lambda inp: _simulate_mp(inp["A"], inp["B"], inp["C"], inp["D"], inp.u),
            observe=lambda K, inp: _convolve_mp(K, inp.u),
            reference_kind="recurrence run in mpmath at 50 digits on a random input u; y = K * u in mpmath",
            inputs_text="A: U(-1,1) scaled to spectral radius 0.95; B, C, D, u ~ N(0,1)"))
    make = _general_inputs(64, 1, 1, 4096)
    checks.append(CodeCheck(
        label="kernel vs float64 simulation, n=64, L=4096", function="kernel", make_inputs=_strip(make), tol=1e-10,
        reference=lambda inp: _simulate_f64(inp["A"], inp["B"], inp["C"], inp["D"], inp.u)[:, 0],
        observe=lambda K, inp: _fft_convolve(K.reshape(-1, 1, 1), inp.u)[:, 0],
        reference_kind="recurrence run in float64 on a random input u; y = K * u by FFT",
        inputs_text="A: U(-1,1) scaled to spectral radius 0.95; B, C, D, u ~ N(0,1)"))
    make = _diag_inputs(8, 300)
    checks.append(CodeCheck(
        label="kernel_diag vs mpmath simulation, n=8, L=300", function="kernel_diag", make_inputs=_strip(make),
        tol=1e-12,
        reference=lambda inp: _simulate_mp(*_diag_as_general(inp), inp.u),
        observe=lambda K, inp: _convolve_mp(K.reshape(-1, 1, 1), inp.u),
        reference_kind="recurrence with A = diag(a) in mpmath at 50 digits on a random u; y = K * u in mpmath",
        inputs_text="|a| ~ U(0.5, 0.999) with random sign; b, c, d, u ~ N(0,1)"))
    make = _diag_inputs(64, 4096)
    checks.append(CodeCheck(
        label="kernel_diag vs float64 simulation, N=64, L=4096", function="kernel_diag",
        make_inputs=_strip(make), tol=1e-12,
        reference=lambda inp: _simulate_f64(*_diag_as_general(inp), inp.u)[:, 0],
        observe=lambda K, inp: _fft_convolve(K.reshape(-1, 1, 1), inp.u)[:, 0],
        reference_kind="recurrence with A = diag(a) in float64 on a random u; y = K * u by FFT",
        inputs_text="|a| ~ U(0.5, 0.999) with random sign; b, c, d, u ~ N(0,1)"))
    return checks


class _Inputs(dict):
    """Keyword arguments for the generated function; the input sequence rides along as
    an attribute so the reference and the observation can use it."""


def _strip(make):
    def wrapped(rng):
        inputs = make(rng)
        u = inputs.pop("_u")
        out = _Inputs(inputs)
        out.u = u
        return out

    return wrapped


def plot_worked(derivation):
    """K_ℓ against ℓ for the two worked examples, from the derived K_0, K_ℓ (δ = 0)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    K0, Kl = derivation.result("K_0"), derivation.result("K_ell")
    for name, label, marker in (("scalar", r"scalar: $\alpha=0.8,\ \beta=1,\ \gamma=1.5$", "o"),
                                ("2d", "2-D example", "s")):
        example = dict(WORKED[name], L=21)
        vals = [float(v.subs(delta, 0)) for v in kernel_values(K0, Kl, example)]
        ax.plot(range(len(vals)), vals, marker=marker, ms=3.5, lw=1, label=label)
    ax.set_xlabel(r"$\ell$")
    ax.set_ylabel(r"$K_\ell$")
    ax.set_xticks(range(0, 21, 2))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


register(Entry(
    name="ssm-kernel",
    tags=("ssm", "state-space", "state space", "convolution kernel"),
    title="SSM convolution kernel $K_0 = D$, $K_\\ell = C A^{\\ell-1} B$",
    derive=derive,
    module=module,
    code_checks=code_checks,
    plots={"worked": plot_worked},
    summary="Unroll $x_{k+1} = A x_k + B u_k$, fit and prove the pattern, read off the kernel; diagonal case.",
    source=SOURCE,
))
