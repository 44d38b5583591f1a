"""The differential engine: derived gradients against keys and independent finite differences.

Expected forms come from the seeds / CONVENTIONS (written before the engine ran): the
logistic gradient (softmax(Wx) − y) xᵀ, its general form (softmax(Wx) 1ᵀy − y) xᵀ, and
the textbook gradients of least squares, log det, tr(AX), xᵀAx, tr(A^ℓ).  Numbers are
compared with finite differences coded here in plain mpmath (not the engine's evaluator).
Inputs: entries U(−1, 1) from random.Random(seed), X = U(−1, 1) + n·I where inverted.
"""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from derive import Builder, CheckSettings, Index, check_equal
from derive.emit.text import text
from derive.matcalc import (Assumptions, FDGradient, Log, Norm, Softmax, direction, gradient, gradient_problem)
from derive.matcalc.nodes import MatDiff
from derive.numeric import evaluate

n, m, k = sp.symbols("n m k", integer=True, positive=True)
ell = sp.Symbol("ell", integer=True, positive=True)


def _rand(rng: random.Random, r: int, c: int, shift: float = 0.0) -> mpmath.matrix:
    out = mpmath.matrix(r, c)
    for i in range(r):
        for j in range(c):
            out[i, j] = mpmath.mpf(rng.uniform(-1, 1)) + (shift if i == j else 0)
    return out


def _fd_gradient(fn, X: mpmath.matrix) -> mpmath.matrix:
    """Central differences of a plain-mpmath function, written here independently:
    at 90 digits with h = 1e-25 both truncation (h²) and rounding (1e-90 / h) are < 1e-50."""
    G = mpmath.matrix(X.rows, X.cols)
    with mpmath.workdps(90):
        h = mpmath.mpf(10) ** -25
        for i in range(X.rows):
            for j in range(X.cols):
                E = mpmath.zeros(X.rows, X.cols)
                E[i, j] = h
                G[i, j] = (fn(X + E) - fn(X - E)) / (2 * h)
    return G


def _rel(a: mpmath.matrix, b: mpmath.matrix) -> mpmath.mpf:
    num = max(abs(a[i, j] - b[i, j]) for i in range(a.rows) for j in range(a.cols))
    den = max(abs(b[i, j]) for i in range(b.rows) for j in range(b.cols))
    return num / den


def _derive(f, X, *, kinds=None, assumptions=Assumptions(), indices=()):
    problem = gradient_problem("t", "t", "", [f, direction(X)], kinds=kinds, indices=indices)
    b = Builder("t", problem)
    res = gradient(b, f, X, assumptions=assumptions)
    return res, b.build()


W = sp.MatrixSymbol("W", k, n)
x = sp.MatrixSymbol("x", n, 1)
y = sp.MatrixSymbol("y", k, 1)
LOSS = sp.MatMul(-1, sp.Transpose(y), Log(Softmax(sp.MatMul(W, x))))


def _loss_mp(Wv, xv, yv):
    a = Wv * xv
    top = max(a[i] for i in range(a.rows))
    z = mpmath.fsum(mpmath.exp(a[i] - top) for i in range(a.rows))
    return -mpmath.fsum(yv[i] * (a[i] - top - mpmath.log(z)) for i in range(a.rows))


@pytest.mark.parametrize("one_hot", [True, False])
def test_logistic_gradient_matches_key_and_finite_differences(one_hot):
    assumptions = Assumptions(one_hot=frozenset({y})) if one_hot else Assumptions()
    res, _ = _derive(LOSS, W, kinds={y: "one-hot"} if one_hot else None, assumptions=assumptions)
    # the keys: CONVENTIONS.md ("Logistic regression")
    expected = "(softmax(W x) - y) x^T" if one_hot else "(softmax(W x) 1^T y - y) x^T"
    assert text(res.gradient) == expected
    rng = random.Random(7)
    with mpmath.workdps(40):
        for kk, nn in ((3, 4), (5, 2)):
            Wv, xv = _rand(rng, kk, nn), _rand(rng, nn, 1)
            if one_hot:
                yv = mpmath.zeros(kk, 1)
                yv[rng.randrange(kk)] = 1
            else:
                yv = _rand(rng, kk, 1)
            got = evaluate(res.gradient, {W: Wv, x: xv, y: yv, k: kk, n: nn}, dps=40)
            ref = _fd_gradient(lambda M: _loss_mp(M, xv, yv), Wv)
            assert _rel(got, ref) < mpmath.mpf(10) ** -25


def test_one_hot_form_is_wrong_without_the_assumption():
    """(softmax(Wx) − y) xᵀ is refuted for a general y: the assumption matters."""
    res, _ = _derive(LOSS, W, kinds={y: "one-hot"}, assumptions=Assumptions(one_hot=frozenset({y})))
    general = gradient_problem("g", "g", "", [LOSS, direction(W)])
    verdict = check_equal(FDGradient(LOSS, W), res.gradient, general, settings=CheckSettings(instances=4), prover=None)
    assert verdict.status == "refuted"


def test_every_step_is_recorded_and_checked():
    res, d = _derive(LOSS, W, kinds={y: "one-hot"}, assumptions=Assumptions(one_hot=frozenset({y})))
    reasons = [s.reason for s in d.steps]
    assert any("softmax" in r for r in reasons) and any("cyclic" in r for r in reasons)
    assert isinstance(d.steps[0].lhs, MatDiff) or d.steps[0].lhs.has(MatDiff)
    assert isinstance(d.steps[-1].lhs, FDGradient)
    checked = d.check(CheckSettings(instances=4))
    assert checked.ok, [str(r.verdict) for r in checked.steps if not r.verdict.ok]


def test_a_wrong_step_is_refuted():
    """The differential check can fail: d(X⁻¹) = +X⁻¹ dX X⁻¹ (wrong sign) is refuted."""
    X = sp.MatrixSymbol("X", n, n)
    dX = direction(X)
    problem = gradient_problem("inv", "inv", "", [sp.Inverse(X), dX], kinds={X: "invertible"})
    wrong = sp.MatMul(sp.Inverse(X), dX, sp.Inverse(X))
    v = check_equal(MatDiff(sp.Inverse(X), X, dX), wrong, problem, settings=CheckSettings(instances=3), prover=None)
    assert v.status == "refuted"
    right = sp.MatMul(-1, sp.Inverse(X), dX, sp.Inverse(X))
    v = check_equal(MatDiff(sp.Inverse(X), X, dX), right, problem, settings=CheckSettings(instances=3), prover=None)
    assert v.status == "verified"


def test_trace_of_symbolic_power_sympy_15650():
    """tr(A^ℓ) → ℓ (A^{ℓ−1})ᵀ for symbolic ℓ, checked for each ℓ = 2..6 by finite differences here."""
    A = sp.MatrixSymbol("A", n, n)
    res, d = _derive(sp.Trace(sp.MatPow(A, ell)), A, indices=(Index(ell, 2, 6),))
    assert res.gradient == sp.MatMul(ell, sp.Transpose(sp.MatPow(A, ell - 1)))
    rng = random.Random(3)
    with mpmath.workdps(40):
        for L in range(2, 7):
            nn = 2 + L % 3
            Av = _rand(rng, nn, nn)

            def tr_pow(M, L=L):
                P = mpmath.eye(M.rows)
                for _ in range(L):
                    P = P * M
                return mpmath.fsum(P[i, i] for i in range(M.rows))

            got = evaluate(res.gradient, {A: Av, ell: L, n: nn}, dps=40)
            assert _rel(got, _fd_gradient(tr_pow, Av)) < mpmath.mpf(10) ** -25
    assert d.check(CheckSettings(instances=5)).ok


def _check_against(f, X, expected, values, fn, kinds=None):
    res, _ = _derive(f, X, kinds=kinds)
    with mpmath.workdps(40):
        got = evaluate(res.gradient, values, dps=40)
        key = evaluate(expected, values, dps=40)
        ref = _fd_gradient(fn, values[X])
    assert _rel(got, ref) < mpmath.mpf(10) ** -25
    assert _rel(key, ref) < mpmath.mpf(10) ** -25
    return res.gradient


def test_textbook_gradients():
    """Least squares 2Aᵀ(Ax − b), log det X → X^{−ᵀ}, tr(AX) → Aᵀ, xᵀAx → (A + Aᵀ)x (keys)."""
    rng = random.Random(11)
    A_ls, b = sp.MatrixSymbol("A", m, n), sp.MatrixSymbol("b", m, 1)
    Av, xv, bv = _rand(rng, 4, 3), _rand(rng, 3, 1), _rand(rng, 4, 1)
    ls = sp.Pow(Norm(sp.MatAdd(sp.MatMul(A_ls, x), -b)), 2)
    G = _check_against(ls, x, 2 * A_ls.T * (A_ls * x - b), {A_ls: Av, x: xv, b: bv, m: 4, n: 3},
                       lambda v: mpmath.fsum(e ** 2 for e in (Av * v - bv)))
    assert text(G) == "2 A^T (A x - b)"

    X, A = sp.MatrixSymbol("X", n, n), sp.MatrixSymbol("A", n, n)
    Xv, Asq = _rand(rng, 3, 3, shift=3), _rand(rng, 3, 3)
    _check_against(sp.log(sp.Determinant(X)), X, sp.Inverse(X).T, {X: Xv, n: 3},
                   lambda M: mpmath.log(mpmath.det(M)), kinds={X: "invertible"})
    _check_against(sp.Trace(A * X), X, A.T, {X: Xv, A: Asq, n: 3},
                   lambda M: mpmath.fsum((Asq * M)[i, i] for i in range(3)))
    xv3 = _rand(rng, 3, 1)
    _check_against(x.T * A * x, x, (A + A.T) * x, {x: xv3, A: Asq, n: 3}, lambda v: (v.T * Asq * v)[0, 0])
    _check_against(sp.Trace(sp.MatMul(sp.Inverse(X), A)), X, -sp.Inverse(X).T * A.T * sp.Inverse(X).T,
                   {X: Xv, A: Asq, n: 3}, lambda M: mpmath.fsum((mpmath.inverse(M) * Asq)[i, i] for i in range(3)),
                   kinds={X: "invertible"})


def test_hadamard_and_purification():
    rng = random.Random(5)
    X, A = sp.MatrixSymbol("X", n, n), sp.MatrixSymbol("A", n, n)
    Xv, Av = _rand(rng, 3, 3), _rand(rng, 3, 3)
    f = sp.Trace(sp.MatMul(A.T, sp.HadamardProduct(X, X)))
    _check_against(f, X, 2 * sp.HadamardProduct(A, X), {X: Xv, A: Av, n: 3},
                   lambda M: mpmath.fsum(Av[i, j] * M[i, j] ** 2 for i in range(3) for j in range(3)))
    # purification ‖X − WX‖_F² + λ‖W‖_F² → −2(X − WX)Xᵀ + 2λW (key: normal equations of seed 001 §2.6 style)
    Xd, Wm, lam = sp.MatrixSymbol("X", n, m), sp.MatrixSymbol("W", n, n), sp.Symbol("lambda", positive=True)
    f = Norm(sp.MatAdd(Xd, sp.MatMul(-1, Wm, Xd))) ** 2 + lam * Norm(Wm) ** 2
    Xv, Wv, lv = _rand(rng, 3, 4), _rand(rng, 3, 3), mpmath.mpf("0.7")
    expected = -2 * (Xd - Wm * Xd) * Xd.T + 2 * lam * Wm

    def loss(M):
        R = Xv - M * Xv
        return (mpmath.fsum(e ** 2 for e in R) + lv * mpmath.fsum(e ** 2 for e in M))

    _check_against(f, Wm, expected, {Xd: Xv, Wm: Wv, lam: lv, n: 3, m: 4}, loss)


def test_python_api_with_symmetric_assumption():
    """xᵀAx with A symmetric → 2 A x (key); the problem samples A symmetric, so it checks."""
    from derive.matcalc import derive_gradient

    A = sp.MatrixSymbol("A", n, n)
    res, d = derive_gradient(x.T * A * x, x, assumptions=Assumptions(symmetric=frozenset({A})))
    assert text(res.gradient) == "2 A x"
    assert any("symmetric" in s.reason for s in d.steps)
    assert d.check(CheckSettings(instances=4)).ok
    # without the assumption the same form is refuted on general A
    general = gradient_problem("g", "g", "", [x.T * A * x, direction(x)])
    v = check_equal(FDGradient(x.T * A * x, x), res.gradient, general, settings=CheckSettings(instances=4),
                    prover=None)
    assert v.status == "refuted"


def test_engine_on_fuzzed_expressions_raises_only_derive_errors():
    """Mutations (random.Random(99)) of the language examples: every parseable one either
    derives or fails with a DeriveError; a sample of the derivations is checked (no refutation)."""
    from test_matcalc_language import EXAMPLES, _mutate

    from derive.errors import DeriveError
    from derive.matcalc import derive_gradient
    from derive.matcalc.language import parse

    rng = random.Random(99)
    derived = []
    for i in range(300):
        text_ = _mutate(rng, rng.choice(EXAMPLES)) if i % 3 else rng.choice(EXAMPLES)
        try:
            p = parse(text_)
        except DeriveError:
            continue
        mats = sorted((s for s in p.symbols.values() if isinstance(s, sp.MatrixSymbol)), key=str)
        if not mats:
            continue
        try:
            derived.append(derive_gradient(p.expr, rng.choice(mats), assumptions=p.assumptions, kinds=p.kinds))
        except DeriveError:
            continue
    assert len(derived) > 50
    for _, d in derived[::25]:
        assert d.check(CheckSettings(instances=2)).status in ("verified", "undecided")


def test_normal_form_prover_proves_identities_and_only_identities():
    """Trace cyclicity / transpose invariance and multiplying out are proved; near-misses are not."""
    from derive.matcalc.prove import prove_normal_form as prove

    A, B, C, X = (sp.MatrixSymbol(s, n, n) for s in "ABCX")
    true = [(sp.Trace(A * B * C), sp.Trace(C * A * B)), (sp.Trace(A * B), sp.Trace(B.T * A.T)),
            (x.T * A * B * x, sp.Trace(x * x.T * A * B)), (2 * A * x - 2 * B * x, 2 * (A - B) * x),
            (sp.Transpose(sp.Inverse(X)), sp.Inverse(X.T)), (sp.MatPow(A, ell) * A, sp.MatPow(A, ell + 1))]
    false = [(sp.Trace(A * B * C), sp.Trace(A * C * B)), (sp.Trace(A * B), sp.Trace(A.T * B)),
             (x.T * A * B * x, sp.Trace(x * x.T * B * A)), (2 * A * x - 2 * B * x, 2 * (A + B) * x),
             (sp.MatPow(A, ell) * A, sp.MatPow(A, ell)), (sp.Trace(A) * sp.Trace(B), sp.Trace(A * B))]
    assert all(prove(lhs, rhs) for lhs, rhs in true)
    assert not any(prove(lhs, rhs) for lhs, rhs in false)
