"""ridge-attention: ridge regression as attention, and its causal O(d²)-per-token form
(HW8 Problem 4).

(a) Running mean m_{n+1} = m_n + (x_{n+1} − m_n)/(n + 1), from splitting the last term off the sum.
(b) Normal equations as sums over tokens: AᵀA = Σ_i a_i a_iᵀ, Aᵀy = Σ_i a_i y_i (entrywise from
    SymPy's matrix-product entries), and the ridge solution from the stationarity condition.
(e) Sherman–Morrison, derived: the ansatz (M + uvᵀ)⁻¹ = M⁻¹ + c M⁻¹uvᵀM⁻¹, multiplied out,
    the scalar vᵀM⁻¹u named s, and the coefficient of uvᵀM⁻¹ solved for c = −1/(1 + s).
(f) The causal recursion: S_t = S_{t−1} + k_t k_tᵀ, R_t = R_{t−1} + k_t v_tᵀ,
    P_t = S_t⁻¹ = P_{t−1} − (P_{t−1}k_t)(k_tᵀP_{t−1})/(1 + k_tᵀP_{t−1}k_t), o_t = R_tᵀ P_t q_t.
(g) Attention weights α_i = k_iᵀ(KᵀK + λI)⁻¹q.
(c), (d), (e)-cost: complexity and differentiability statements, recorded as stated notes.

References: the running mean and the sums from their definitions; the ridge solutions by
Newton minimisation of the loss (``derive.minimise``); the causal quantities by rebuilding
S_t and solving at every step; the attention weights by probing the (linear-in-V) ridge
prediction with one-hot values.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from derive import Builder, Dim, Entry, Index, Notation, Part, Problem, register
from derive.minimise import newton_minimise
from derive.numeric import EvaluationError, as_scalar, evaluator
from derive.sums import push_in, split_last
from derive.symbols import MatSeq, MatSum
from derive.matcalc import Norm, direction
from derive.matcalc import gradient as matcalc_gradient
from derive.tracediff import solve_linear

SOURCE = "shared/seeds/000_80f9949d48b7a298.txt, Problem 4"

# --- symbols -------------------------------------------------------------------------------------
d = sp.Symbol("d", integer=True, positive=True)     # key / query / value width
N = sp.Symbol("N", integer=True, positive=True)     # rows of the design matrices A, K, V
n = sp.Symbol("n", integer=True, positive=True)     # running-mean count
t = sp.Symbol("t", integer=True, positive=True)     # token position
i = sp.Symbol("i", integer=True, positive=True)     # summation index
lam = sp.Symbol("lambda", positive=True)
A = sp.MatrixSymbol("A", N, d)
y = sp.MatrixSymbol("y", N, 1)
w = sp.MatrixSymbol("w", d, 1)
dw = direction(w)  # the engine's direction symbol, sampled by the problem
Kmat, Vmat = sp.MatrixSymbol("K", N, d), sp.MatrixSymbol("V", N, d)
Wm = sp.MatrixSymbol("W", d, d)
dWm = direction(Wm)
qv = sp.MatrixSymbol("q", d, 1)
# Sherman–Morrison
M = sp.MatrixSymbol("M", d, d)
u, v = sp.MatrixSymbol("u", d, 1), sp.MatrixSymbol("v", d, 1)
c = sp.Symbol("c")
s_ = sp.Symbol("s")

xs = sp.Function("x")       # scalar data x_i
mean = sp.Function("m")     # running mean m_n (reference: the mean of x_1..x_n)
ys = sp.Function("y")       # y_i, the entries of y
alpha_w = sp.Function("alpha")  # attention weight α_i (reference: probing with one-hot values)


def a_row(j: sp.Expr) -> MatSeq:
    return MatSeq("a", j, d, 1)


def key(j: sp.Expr) -> MatSeq:
    return MatSeq("k", j, d, 1)


def val(j: sp.Expr) -> MatSeq:
    return MatSeq("v", j, d, 1)


def qry(j: sp.Expr) -> MatSeq:
    return MatSeq("q", j, d, 1)


def S(j: sp.Expr) -> MatSeq:
    return MatSeq("S", j, d, d)


def R(j: sp.Expr) -> MatSeq:
    return MatSeq("R", j, d, d)


def P(j: sp.Expr) -> MatSeq:
    return MatSeq("P", j, d, d)


def out(j: sp.Expr) -> MatSeq:
    return MatSeq("o", j, d, 1)


# --- sampling and the reference ---------------------------------------------------------------------
TOKENS = 8


def _sample(smp, sizes) -> dict[Any, Any]:
    dd, NN = sizes[d], sizes[N]
    keys = [smp.vector(dd) for _ in range(TOKENS)]
    vals = [smp.vector(dd) for _ in range(TOKENS)]
    qs = [smp.vector(dd) for _ in range(TOKENS)]
    Am = smp.matrix(NN, dd)
    Mm = smp.matrix(dd, dd, "invertible")
    um, vm = smp.vector(dd), smp.vector(dd)
    stack = lambda rows: mpmath.matrix([[r[j] for j in range(dd)] for r in rows[:NN]])  # noqa: E731
    out_ = {
        lam: smp.positive(0.5, 2.0), "keys": keys, "vals": vals, "qs": qs, "xs": [smp.scalar(-2, 2) for _ in range(12)],
        A: Am, y: smp.vector(NN), w: smp.vector(dd), dw: smp.vector(dd), Kmat: stack(keys), Vmat: stack(vals),
        Wm: smp.matrix(dd, dd), dWm: smp.matrix(dd, dd), qv: smp.vector(dd), M: Mm, u: um, v: vm,
        c: smp.scalar(-1, 1),
    }
    out_[s_] = (vm.T * mpmath.inverse(Mm) * um)[0, 0]  # s is the name of vᵀM⁻¹u
    return out_


def _ridge_loss(Kx: Any, Vx: Any, lam_: Any, W: Any) -> Any:
    """Σ_i ‖v_i − W k_i‖² + λ‖W‖_F² (the definition, entry by entry)."""
    total = mpmath.mpf(0)
    for r in range(Kx.rows):
        for a in range(Vx.cols):
            pred = mpmath.fsum(W[a, b] * Kx[r, b] for b in range(Kx.cols))
            total += (Vx[r, a] - pred) ** 2
    return total + lam_ * mpmath.fsum(W[a, b] ** 2 for a in range(W.rows) for b in range(W.cols))


def rebuild_solve(keys: list, vals: list, q: Any, lam_: Any) -> Any:
    """o = (ridge weights on (k_i, v_i)) applied to q, by building λI + Σ k kᵀ and Σ k vᵀ
    from scratch and solving the linear system (no running inverse)."""
    dd = q.rows
    Sm = mpmath.eye(dd) * lam_
    Rm = mpmath.zeros(dd, vals[0].rows)
    for kk, vv in zip(keys, vals):
        Sm += kk * kk.T
        Rm += kk * vv.T
    return Rm.T * mpmath.lu_solve(Sm, q)


def _reference(vals_, dps) -> dict[str, Any]:
    keys, vals, qs, xs_, lam_ = vals_["keys"], vals_["vals"], vals_["qs"], vals_["xs"], vals_[lam]
    dd = keys[0].rows

    def bounded(j: int, lo: int = 0, hi: int = TOKENS) -> int:
        if not lo <= j <= hi:
            raise EvaluationError(f"index {j} is outside {lo}..{hi}")
        return j

    def S_ref(j: int) -> Any:
        Sm = mpmath.eye(dd) * lam_
        for kk in keys[: bounded(j)]:
            Sm += kk * kk.T
        return Sm

    def R_ref(j: int) -> Any:
        Rm = mpmath.zeros(dd, dd)
        for kk, vv in zip(keys[: bounded(j)], vals[:j]):
            Rm += kk * vv.T
        return Rm

    def alpha_ref(j: int) -> Any:
        # α_j: the output's first component when v_j = e_1 and every other value is 0
        NN = vals_[N]
        e1 = mpmath.zeros(dd, 1)
        e1[0] = 1
        probe = [e1 if r == j - 1 else mpmath.zeros(dd, 1) for r in range(NN)]
        return rebuild_solve(keys[:NN], probe, vals_[qv], lam_)[0]

    def with_guard(fn):
        def run(*args: int) -> Any:
            with mpmath.workdps(dps + 20):
                value = fn(*args)
            return value

        return run

    NN = vals_[N]
    return {
        "x": lambda j: xs_[bounded(j, 1, len(xs_)) - 1],
        "m": lambda j: mpmath.fsum(xs_[: bounded(j, 1, len(xs_))]) / j,
        "a": lambda j: vals_[A][j - 1, :].T,
        "y": lambda j: vals_[y][j - 1],
        "k": lambda j: keys[bounded(j, 1) - 1],
        "v": lambda j: vals[bounded(j, 1) - 1],
        "q": lambda j: qs[bounded(j, 1) - 1],
        "S": S_ref,
        "R": R_ref,
        "P": lambda j: mpmath.inverse(S_ref(j)),
        "o": lambda j: rebuild_solve(keys[: bounded(j, 1)], vals[:j], qs[j - 1], lam_),
        "wridge": with_guard(lambda _j: newton_minimise(
            lambda ww: _ridge_vec_loss(vals_[A], vals_[y], lam_, ww), dd, 1)),
        "Wridge": with_guard(lambda _j: newton_minimise(
            lambda W: _ridge_loss(vals_[Kmat], vals_[Vmat], lam_, W), dd, dd)),
        "alpha": with_guard(alpha_ref),
        "ohat": lambda _j: rebuild_solve(keys[:NN], vals[:NN], vals_[qv], lam_),
    }


def _ridge_vec_loss(Am: Any, ym: Any, lam_: Any, ww: Any) -> Any:
    r = ym - Am * ww
    return mpmath.fsum(r[j] ** 2 for j in range(r.rows)) + lam_ * mpmath.fsum(ww[j] ** 2 for j in range(ww.rows))


PROBLEM = Problem(
    name="ridge-attention",
    title="Ridge attention and its causal Sherman–Morrison recursion",
    statement=("Ridge regression of values on keys, queried at q: o = Vᵀ K (KᵀK + λI)⁻¹ q; the causal version "
               "uses the tokens up to t.  Derive the running-mean update, the normal equations as sums, "
               "Sherman–Morrison, the O(d²)-per-token recursion and the attention weights."),
    dims=(Dim(d, (1, 2, 3)), Dim(N, (3, 4, 5))),
    indices=(Index(n, 1, 10), Index(t, 1, TOKENS), Index(i, 1, 3)),
    sample_values=_sample,
    reference=_reference,
    notation=(
        Notation("x_i", xs(i), "data x_i ~ U(-2, 2)"),
        Notation("m_n", mean(n), "mean of x_1..x_n"),
        Notation(r"\mathbf{k}_i", key(i), "key i ~ U(-1, 1)^d"),
        Notation(r"\mathbf{v}_i", val(i), "value i ~ U(-1, 1)^d"),
        Notation(r"\mathbf{q}_t", qry(t), "query t ~ U(-1, 1)^d"),
        Notation(r"\lambda", lam, "ridge λ ~ U(0.5, 2)"),
        Notation("S_t", S(t), "λI + Σ_{i≤t} k_i k_iᵀ (rebuilt)"),
        Notation("R_t", R(t), "Σ_{i≤t} k_i v_iᵀ (rebuilt)"),
        Notation("P_t", P(t), "S_t⁻¹ (inverted directly)"),
        Notation(r"\mathbf{o}_t", out(t), "causal ridge-attention output (rebuild and solve)"),
        Notation(r"\alpha_i", alpha_w(i), "weight of v_i (probing with one-hot values)"),
    ),
    assumptions=("λ > 0", "keys, values, queries in R^d", "o_t uses tokens 1..t (inclusive)"),
    parts=(
        Part("a", "Update a running mean with a new point."),
        Part("b", "AᵀA + λI and Aᵀy as sums over the rows."),
        Part("c", "Cost of non-causal ridge self-attention over n tokens.", kind="stated"),
        Part("d", "Which quantities receive gradients through ridge attention.", kind="stated"),
        Part("e", "Sherman–Morrison and the cost of the update."),
        Part("f", "Causal ridge self-attention in O(d²) per token."),
        Part("g", "Attention weights for visualisation."),
    ),
    source=SOURCE,
    latex_names=(("k", r"\mathbf{{k}}_{{{0}}}"), ("v", r"\mathbf{{v}}_{{{0}}}"), ("q", r"\mathbf{{q}}_{{{0}}}"),
                 ("o", r"\mathbf{{o}}_{{{0}}}"), ("a", r"\mathbf{{a}}_{{{0}}}"),
                 ("wridge", r"\widehat{{w}}"), ("Wridge", r"\widehat{{W}}"), ("ohat", r"\mathbf{{o}}")),
)


class OneByOne(sp.Expr):
    """A 1 x 1 matrix product used as a scalar, e.g. kᵀPk (commutes with everything)."""

    is_commutative = True

    def __new__(cls, arg: sp.Basic):
        if tuple(arg.shape) != (1, 1):
            raise ValueError("OneByOne needs a 1 x 1 matrix expression")
        return super().__new__(cls, arg)

    @property
    def arg(self) -> sp.Basic:
        return self.args[0]

    def _eval_subs(self, old, new):
        return None

    def _house_latex(self, printer) -> str:
        return printer._print(self.arg)

    def _sympystr(self, printer) -> str:
        return f"({printer._print(self.arg)})"


@evaluator(OneByOne)
def _one_by_one(ev: Any, e: OneByOne) -> Any:
    return as_scalar(ev(e.arg))


# --- helpers: scalar sub-products and collecting words --------------------------------------------------

def scalarize(expr: sp.Basic, word: tuple[sp.Basic, ...], name: sp.Symbol) -> sp.Basic:
    """Replace every occurrence of the 1 x 1 product ``word`` inside a product by the scalar
    ``name`` (a 1 x 1 matrix commutes with everything as a scalar)."""
    L = len(word)

    def fix(mm: sp.MatMul) -> sp.Basic:
        coeff, rest = mm.as_coeff_mmul()
        args = list(rest.args) if isinstance(rest, sp.MatMul) else [rest]
        changed = True
        while changed:
            changed = False
            for pos in range(len(args) - L + 1):
                if tuple(args[pos:pos + L]) == word:
                    args = args[:pos] + args[pos + L:]
                    coeff *= name
                    changed = True
                    break
        if not args:
            return coeff
        body = sp.MatMul(*args) if len(args) > 1 else args[0]
        return coeff * body if coeff != 1 else body

    return expr.replace(lambda e: isinstance(e, sp.MatMul), fix)


def split_last_scalar(s: sp.Sum) -> sp.Expr:
    """``Σ_{i=a}^{b} f(i) = Σ_{i=a}^{b-1} f(i) + f(b)`` for a scalar sum with one index."""
    (j, a, top), = s.limits
    return sp.Sum(s.function, (j, a, sp.expand(top - 1))) + s.function.subs(j, top)


def collect_words(expr: sp.Basic) -> dict[sp.Basic, sp.Expr]:
    """Matrix words (products of symbols) with their summed scalar coefficients."""
    expr = expr.expand().doit() if getattr(expr, "is_Matrix", False) else expr
    terms = expr.args if isinstance(expr, sp.MatAdd) else (expr,)
    out: dict[sp.Basic, sp.Expr] = {}
    for term in terms:
        coeff, word = term.as_coeff_mmul()
        word = word.doit() if isinstance(word, sp.MatMul) and len(word.args) == 1 else word
        out[word] = sp.simplify(out.get(word, 0) + coeff)
    return {k_: v_ for k_, v_ in out.items() if v_ != 0}


def _prove_sherman_morrison(lhs: sp.Basic, rhs: sp.Basic) -> str | None:
    """(M + uvᵀ)·candidate = I: expand, name vᵀM⁻¹u as s, collect words; every word but I
    must have coefficient 0 and I coefficient 1 (s ≠ −1)."""
    words = collect_words(scalarize((lhs - rhs).expand().doit(), (v.T, sp.Inverse(M), u), s_))
    if not words:
        return "expanded with vᵀM⁻¹u = s: every word's coefficient simplifies to 0"
    return None


# --- the derivation --------------------------------------------------------------------------------------

def derive_mean(b: Builder) -> None:
    b.part = "a"
    total = lambda top: sp.Sum(xs(i), (i, 1, top))  # noqa: E731
    b.step(mean(n), total(n) / n, "definition of the mean", prover=None)
    Sn = sp.Symbol("S_n")
    (sum_in_m,) = sp.solve(sp.Eq(mean(n), Sn / n), Sn)
    b.step(total(n), sum_in_m, "solve the definition for the sum: Σ_{i≤n} x_i = n m_n", prover=None, how="solve")
    split = split_last_scalar(total(n + 1))
    b.step(total(n + 1), split, "split the last term off the sum", how="split_last_scalar")
    new = (sum_in_m + xs(n + 1)) / (n + 1)
    b.step(mean(n + 1), new, "m_{n+1} = Σ_{i≤n+1} x_i/(n + 1) with the split sum", prover=None)
    update = mean(n) + sp.factor(sp.together(new - mean(n)))
    b.step(new, update, "write the new mean as the old one plus a correction (factor)", how="together, factor")
    b.result("mean_update", update)
    from derive.emit.latex import latex

    b.answer("running mean", update, latex(update), f"m_(n+1) = {update}")


def derive_sums(b: Builder) -> None:
    b.part = "b"
    jj, kk = sp.symbols("j k", integer=True)
    entry = (A.T * A)[jj, kk]
    row = A[i - 1, :]
    outer_entry = (row.T * row)[jj, kk]
    if sp.simplify(entry.function.subs(entry.limits[0][0], i - 1) - outer_entry) != 0:
        raise RuntimeError("the (j, k) entry of AᵀA is not a sum of the rows' outer products")
    gram = MatSum(a_row(i) * a_row(i).T, (i, 1, N))
    b.step(A.T * A, gram, "(AᵀA)_{jk} = Σ_i A_{ij}A_{ik}, the (j, k) entry of Σ_i a_i a_iᵀ (SymPy's product entry)",
           prover=None, how="MatMul entry")
    b.step(A.T * A + lam * sp.Identity(d), lam * sp.Identity(d) + gram, "so AᵀA + λI = λI + Σ_i a_i a_iᵀ", prover=None)
    ventry = (A.T * y)[jj, 0]
    if sp.simplify(ventry.function.subs(ventry.limits[0][0], i - 1) - (row.T * y[i - 1, 0])[jj, 0]) != 0:
        raise RuntimeError("the j-th entry of Aᵀy is not a sum of a_i y_i")
    b.step(A.T * y, MatSum(ys(i) * a_row(i), (i, 1, N)), "(Aᵀy)_j = Σ_i A_{ij} y_i", prover=None,
           how="MatMul entry")
    # the ridge solution from the stationarity of ‖y − Aw‖² + λ‖w‖²
    loss = Norm(y - A * w) ** 2 + lam * Norm(w) ** 2
    grad = matcalc_gradient(b, loss, w, what="L").gradient
    what = solve_linear(sp.MatMul(sp.S.Half, grad).expand().doit(), w)
    b.step(sp.Function("wridge")(0), what, "stationarity g = 0 solved for w", prover=None,
           how="derive.tracediff.solve_linear")
    b.result("ridge_w", what)


def derive_sherman_morrison(b: Builder) -> sp.Basic:
    b.part = "e"
    Mi = sp.Inverse(M)
    ansatz = Mi + c * Mi * u * v.T * Mi
    product = ((M + u * v.T) * ansatz).expand().doit()
    b.step((M + u * v.T) * ansatz, product, "ansatz (M + uvᵀ)⁻¹ = M⁻¹ + c M⁻¹uvᵀM⁻¹, multiplied out", how="expand")
    named = scalarize(product, (v.T, Mi, u), s_)
    b.step(product, named, "vᵀM⁻¹u is 1 x 1: name it s and move it out as a scalar", prover=None, how="scalarize")
    words = collect_words(named)
    target = u * v.T * Mi
    if set(words) != {sp.Identity(d), target}:
        raise RuntimeError(f"unexpected words in the product: {list(words)}")
    coeff = words[target]
    (c_sol,) = sp.solve(sp.Eq(coeff, 0), c)
    b.step(c, c_sol, f"the coefficient of uvᵀM⁻¹ is {coeff}; set it to 0 and solve for c (s ≠ −1)", prover=None,
           how="solve", problem=_solved_problem(coeff))
    sm_display = Mi + c_sol * Mi * u * v.T * Mi
    b.result("sherman_morrison", sm_display)
    b.step((M + u * v.T) * (Mi - (Mi * u * v.T * Mi) * (1 / (1 + s_))), sp.Identity(d),
           "check: (M + uvᵀ)(M⁻¹ − M⁻¹uvᵀM⁻¹/(1 + s)) = I with s = vᵀM⁻¹u", prover=_prove_sherman_morrison)
    b.step(sp.Inverse(M + u * v.T), sm_display, "Sherman–Morrison (s = vᵀM⁻¹u ≠ −1)", prover=None)
    from derive.emit.latex import latex

    b.answer("Sherman–Morrison", sm_display, rf"\left(M + u v^\top\right)^{{-1}} = {latex(sm_display)},"
             r"\quad s = v^\top M^{-1} u", "(M + uvᵀ)⁻¹ = M⁻¹ − M⁻¹u vᵀM⁻¹/(1 + s), s = vᵀM⁻¹u ≠ −1")
    b.note("(e) stated: with M⁻¹ known, M⁻¹u and vᵀM⁻¹ are two d x d matrix-vector products, vᵀ(M⁻¹u) is d "
           "multiply-adds, and the rank-one correction is d² multiply-adds: O(d²) per update.")
    return sm_display


def _solved_problem(coeff: sp.Expr) -> Problem:
    """c solves coeff(c, s) = 0: sample s and let the reference c be the root found by mpmath."""

    def sample(smp, sizes):
        s_val = smp.scalar(-3, 3, avoid=-1)
        f = sp.lambdify((c, s_), coeff, "mpmath")
        return {s_: s_val, c: mpmath.findroot(lambda x: f(x, s_val), 0)}

    return Problem(name="ridge-attention/sm-coefficient", title="", statement="", sample_values=sample)


def derive_causal(b: Builder, sm: sp.Basic) -> None:
    b.part = "f"
    defS = lambda top: lam * sp.Identity(d) + MatSum(key(i) * key(i).T, (i, 1, top))  # noqa: E731
    defR = lambda top: MatSum(key(i) * val(i).T, (i, 1, top))  # noqa: E731
    b.step(S(t), defS(t), "S_t = K_tᵀK_t + λI as a sum over tokens (part b)", prover=None)
    head, last = split_last(defS(t).args[1] if isinstance(defS(t).args[1], MatSum) else defS(t).args[0])
    b.step(defS(t), lam * sp.Identity(d) + head + last, "split the last token off the sum",
           how="derive.sums.split_last")
    S_rec = S(t - 1) + last
    b.step(S(t), S_rec, "the rest is S_{t−1}: a rank-one update", prover=None)
    headR, lastR = split_last(defR(t))
    b.step(R(t), defR(t), "R_t = K_tᵀV_t as a sum over tokens (part b)", prover=None)
    R_rec = R(t - 1) + lastR
    b.step(R(t), R_rec, "split the last token off: R_t = R_{t−1} + k_t v_tᵀ", prover=None, how="derive.sums.split_last")
    inst = sm.xreplace({M: S(t - 1), u: key(t), v: key(t), s_: OneByOne(key(t).T * sp.Inverse(S(t - 1)) * key(t))})
    b.step(sp.Inverse(S(t)), inst, "Sherman–Morrison with M = S_{t−1}, u = v = k_t", prover=None, how="xreplace")
    P_rec = inst.xreplace({sp.Inverse(S(t - 1)): P(t - 1)})
    b.step(P(t), P_rec, "P_{t−1} = S_{t−1}⁻¹ (a running inverse; S_0 = λI, so P_0 = I/λ)", prover=None,
           how="xreplace")
    S0 = lam * sp.Identity(d)
    P0 = sp.Inverse(S0).doit()
    b.step(P(0), P0, "P_0 = S_0⁻¹ = (λI)⁻¹ (no tokens yet)", how="Inverse.doit")
    b.result("P_0", P0)
    b.result("P_update", P_rec)
    b.result("S_update", S_rec)
    b.result("R_update", R_rec)
    # the prediction: ridge weights W = argmin Σ‖v_i − W k_i‖² + λ‖W‖², o = W q
    # Σ_i ‖v_i − W k_i‖² = ‖V − K Wᵀ‖_F² (the rows of V − K Wᵀ are v_iᵀ − k_iᵀWᵀ)
    loss = Norm(Vmat - Kmat * Wm.T) ** 2 + lam * Norm(Wm) ** 2
    grad = matcalc_gradient(b, loss, Wm, what="L").gradient
    W_hat = solve_linear(sp.MatMul(sp.S.Half, grad).expand().doit(), Wm)
    b.step(sp.Function("Wridge")(0), W_hat, "stationarity G = 0 solved for W: W = VᵀK(KᵀK + λI)⁻¹", prover=None,
           how="derive.tracediff.solve_linear")
    b.step(sp.Function("ohat")(0), W_hat * qv, "the prediction at q is o = W q (rebuild-and-solve reference)",
           prover=None)
    o_rec = R(t).T * P(t) * qry(t)
    b.step(out(t), o_rec, "with the first t tokens: K_tᵀK_t + λI = S_t, V_tᵀK_t = R_tᵀ, so o_t = R_tᵀ P_t q_t",
           prover=None)
    b.result("o_t", o_rec)
    from derive.emit.latex import latex

    style = {"seq_style": dict(PROBLEM.latex_names)}
    b.answer("causal recursion", (P_rec, R_rec, o_rec),
             rf"P_{{t}} = {latex(P_rec, **style)},\quad R_{{t}} = {latex(R_rec, **style)},\quad "
             rf"\mathbf{{o}}_{{t}} = {latex(o_rec, **style)}",
             "P_t = P_(t−1) − (P_(t−1)k_t)(k_tᵀP_(t−1))/(1 + k_tᵀP_(t−1)k_t), R_t = R_(t−1) + k_t v_tᵀ, "
             "o_t = R_tᵀ P_t q_t; P_0 = I/λ, R_0 = 0; O(d²) per token")
    b.note("(f) per token: the update of P_t costs P_{t−1}k_t (d²), k_tᵀ(P_{t−1}k_t) (d) and the rank-one "
           "correction (d²) — P_{t−1} is symmetric, so k_tᵀP_{t−1} = (P_{t−1}k_t)ᵀ; R_t costs d², P_t q_t and "
           "R_tᵀ(P_t q_t) cost d² each: O(d²) per token, O(n d²) in all, against O(t d² + d³) per token "
           "for rebuild and solve.  The state carried from token to token is P_t and R_t (2d² numbers).")


def derive_weights(b: Builder) -> None:
    b.part = "g"
    Sfull = Kmat.T * Kmat + lam * sp.Identity(d)
    a_vec = sp.Inverse(Sfull) * qv
    VtK = MatSum(MatSeq("v", i, d, 1) * key(i).T, (i, 1, N))
    b.step(Vmat.T * Kmat, VtK, "VᵀK = Σ_i v_i k_iᵀ (as in part b)", prover=None)
    pushed = push_in(a_vec, VtK, side="right")
    b.step(VtK * a_vec, pushed, "o = VᵀK a with a = (KᵀK + λI)⁻¹q: move a into the sum", how="derive.sums.push_in")
    weight = key(i).T * a_vec
    b.step(alpha_w(i), weight, "the coefficient of v_i: α_i = k_iᵀ(KᵀK + λI)⁻¹q (a scalar; may be negative)",
           prover=None)
    b.result("alpha_i", weight)
    from derive.emit.latex import latex

    b.answer("attention weights", weight, rf"\alpha_i = {latex(weight, seq_style=dict(PROBLEM.latex_names))}",
             "α_i = k_iᵀ (KᵀK + λI)⁻¹ q  (o = Σ_i α_i v_i)")


def derive() -> Any:
    b = Builder("ridge-attention", PROBLEM)
    derive_mean(b)
    derive_sums(b)
    b.part = "c"
    b.note("(c) stated: non-causal ridge self-attention precomputes KᵀK (n d²), its inverse (d³) and VᵀK (n d²), "
           "then answers each of the n queries with a d x d matrix-vector product (d²): O(n d² + d³) = O(n d²) "
           "for d < n.")
    b.part = "d"
    b.note("(d) stated: o = VᵀK(KᵀK + λI)⁻¹q is a smooth function of λ, the keys, the values and the queries "
           "wherever KᵀK + λI is invertible (always for λ > 0), so all four receive gradients.")
    sm = derive_sherman_morrison(b)
    derive_causal(b, sm)
    derive_weights(b)
    return b.build()


# --- generated code and its verification ---------------------------------------------------------------

def module(derivation: Any) -> Any:
    from derive.emit.codegen import Arg, FunctionSpec, ModuleSpec
    from derive.emit.recursions import RankOneRecursion

    plan = RankOneRecursion(
        P_update=derivation.result("P_update"), R_update=derivation.result("R_update"),
        output=derivation.result("o_t"), P0=derivation.result("P_0"),
        P_prev=P(t - 1), R_prev=R(t - 1), P_now=P(t), R_now=R(t), key=key(t), value=val(t), query=qry(t),
        quad=OneByOne(key(t).T * P(t - 1) * key(t)), scalar_renames=((lam, sp.Symbol("lam")),))
    return ModuleSpec(
        name="ridge_attention",
        source="ridge-attention",
        doc=("Causal ridge attention o_t = R_t^T S_t^-1 q_t, S_t = lam I + sum_{i<=t} k_i k_i^T, "
             "R_t = sum_{i<=t} k_i v_i^T."),
        functions=(FunctionSpec(
            "causal_ridge_attention", (Arg("Q"), Arg("K"), Arg("V"), Arg("lam", "scalar")), plan,
            "Outputs o_1..o_n (rows) of causal ridge attention over queries Q, keys K, values V (n x d each)."),),
    )


def rebuild_solve_f64(Q: Any, K: Any, V: Any, lam_: float) -> Any:
    """Per token t: build K_tᵀK_t + λI and K_tᵀV_t from all tokens so far and solve (LAPACK)."""
    import numpy as np

    n, dd = K.shape
    out = np.empty((n, V.shape[1]))
    for j in range(n):
        Kt, Vt = K[: j + 1], V[: j + 1]
        out[j] = (Kt.T @ Vt).T @ np.linalg.solve(Kt.T @ Kt + lam_ * np.eye(dd), Q[j])
    return out


def rebuild_solve_mp(Q: Any, K: Any, V: Any, lam_: float, dps: int = 40) -> list:
    """The same in mpmath at ``dps`` digits, flattened row by row."""
    with mpmath.workdps(dps):
        keys = [mpmath.matrix(list(r)) for r in K]
        vals = [mpmath.matrix(list(r)) for r in V]
        out = []
        for j in range(len(keys)):
            o = rebuild_solve(keys[: j + 1], vals[: j + 1], mpmath.matrix(list(Q[j])), mpmath.mpf(lam_))
            out.extend(o[r] for r in range(o.rows))
        return out


def _ridge_inputs(nn: int, dd: int, lam_lo: float = 0.5, lam_hi: float = 2.0):
    def make(rng: Any) -> dict[str, Any]:
        sc = 1.0 / dd**0.5
        return {"Q": rng.standard_normal((nn, dd)) * sc, "K": rng.standard_normal((nn, dd)) * sc,
                "V": rng.standard_normal((nn, dd)) * sc, "lam": float(rng.uniform(lam_lo, lam_hi))}

    return make


REBUILD_F64 = "per-token rebuild of K_tᵀK_t + λI and K_tᵀV_t from all tokens, LAPACK solve (float64)"


def code_checks() -> list:
    from derive.verify import CodeCheck

    dist = "Q, K, V ~ N(0, 1/d) entries, λ ~ U({lo}, {hi})"
    return [
        CodeCheck(label="causal ridge attention vs mpmath rebuild-and-solve, n=20, d=3",
                  function="causal_ridge_attention", make_inputs=_ridge_inputs(20, 3), tol=1e-12,
                  reference=lambda inp: rebuild_solve_mp(inp["Q"], inp["K"], inp["V"], inp["lam"]),
                  reference_kind="per-token rebuild of λI + Σ k kᵀ and Σ k vᵀ, solved in mpmath at 40 digits",
                  inputs_text=dist.format(lo=0.5, hi=2.0) + ", n = 20, d = 3"),
        CodeCheck(label="causal ridge attention vs per-step rebuild and solve, n=512, d=16",
                  function="causal_ridge_attention", make_inputs=_ridge_inputs(512, 16), tol=1e-10,
                  reference=lambda inp: rebuild_solve_f64(inp["Q"], inp["K"], inp["V"], inp["lam"]),
                  reference_kind=REBUILD_F64,
                  inputs_text=dist.format(lo=0.5, hi=2.0) + ", n = 512, d = 16"),
        CodeCheck(label="causal ridge attention vs per-step rebuild and solve, small λ, n=256, d=8",
                  function="causal_ridge_attention", make_inputs=_ridge_inputs(256, 8, 0.01, 0.02), tol=1e-9,
                  reference=lambda inp: rebuild_solve_f64(inp["Q"], inp["K"], inp["V"], inp["lam"]),
                  reference_kind=REBUILD_F64,
                  inputs_text=dist.format(lo=0.01, hi=0.02) + ", n = 256, d = 8 (early tokens: S_t near-singular "
                  "directions of size λ)"),
    ]


register(Entry(
    name="ridge-attention",
    tags=("ridge attention", "ridge regression", "attention"),
    title="Ridge attention: running mean, normal equations as sums, Sherman–Morrison, causal O(d²) recursion",
    derive=derive,
    module=module,
    code_checks=code_checks,
    summary=("Sherman–Morrison derived from an ansatz; causal ridge attention with a running inverse; "
             "α_i = k_iᵀ(KᵀK+λI)⁻¹q."),
    source=SOURCE,
))
