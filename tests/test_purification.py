"""purification: the derivation's steps check, the seed's numbers, and the minimiser against
an independent float64 least-squares solve (row by row, augmented system) that never sees
the closed form.

Input distributions: X = U Σ Vᵀ with U, V from QR of U(-1, 1) matrices and σ ~ U(0.2, 2)
(the problem's sampler); for the least-squares test X ~ N(0, 1) entries, λ ~ U(0.1, 2), seed 11.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

import derive
from derive import CheckSettings, check_equal
from derive.numeric import evaluate
from derive.tracediff import differential, gradient_from_differential, solve_linear


@pytest.fixture(scope="module")
def entry():
    return derive.get("purification")


@pytest.fixture(scope="module")
def derivation(entry):
    return entry.derivation()


def _answer(derivation, label_start):
    (ans,) = [a for a in derivation.answers if a.label.startswith(label_start)]
    return ans


def test_every_step_and_answer_checks(derivation):
    checked = derivation.check(CheckSettings(instances=4, symbolic_timeout=2.0))
    bad = [(r.step.reason, str(r.verdict)) for r in checked.steps if not r.verdict.ok]
    bad += [(a.label, str(v)) for a, v in checked.answers if not v.ok]
    assert not bad


def test_part_a_losses_match_the_seed_key(derivation):
    # key from the seed (and by hand): W^(α) = I: (0, 2); W^(β) = diag(1, 0): (0.0010, 1)
    ans = _answer(derivation, "losses")
    assert tuple(ans.value) == (0, 2, sp.Rational(1, 1000), 1)
    assert all(isinstance(v, (sp.Integer, sp.Rational)) for v in ans.value)


def test_part_a_lambda_set(derivation):
    ans = _answer(derivation, "λ with")
    assert ans.value == sp.Interval.open(sp.Rational(1, 1000), sp.oo)
    assert "1/1000" in ans.text


def test_part_c_interval_is_closed_1_4(derivation):
    ans = _answer(derivation, "λ interval")
    assert ans.value == sp.Interval(1, 4)
    assert ans.latex == r"\left[1, 4\right]"


def test_closed_form_matches_least_squares_minimiser(derivation):
    m_, n_ = sp.Symbol("m", integer=True, positive=True), sp.Symbol("n", integer=True, positive=True)
    lam_ = sp.Symbol("lambda", positive=True)
    X_ = sp.MatrixSymbol("X", m_, n_)
    What = derivation.result("W_hat")
    rng = np.random.default_rng(11)
    for mm, nn in ((2, 4), (3, 5), (4, 7)):
        X = rng.standard_normal((mm, nn))
        lam = rng.uniform(0.1, 2.0)

        # row i of W minimises ‖Xᵀw − X[i]‖² + λ‖w‖²: an augmented least-squares problem
        # [Xᵀ; √λ I] w ≈ [X[i]; 0], solved by LAPACK's SVD-based lstsq (no XXᵀ is formed)
        aug = np.vstack([X.T, np.sqrt(lam) * np.eye(mm)])
        W_ls = np.array([np.linalg.lstsq(aug, np.concatenate([X[i], np.zeros(mm)]), rcond=None)[0]
                         for i in range(mm)])
        closed = evaluate(What, {m_: mm, n_: nn, X_: mpmath.matrix(X.tolist()), lam_: mpmath.mpf(lam)}, dps=30)
        closed = np.array(closed.tolist(), dtype=float)
        assert np.max(np.abs(closed - W_ls)) / np.max(np.abs(closed)) < 1e-12


def test_svd_scaling_expression(derivation):
    s, lam = sp.Symbol("sigma", positive=True), sp.Symbol("lambda", positive=True)
    # key: the seed's (b)(i) middle factor σ²/(σ² + λ)
    assert sp.simplify(derivation.result("scaling") - s**2 / (s**2 + lam)) == 0


def test_a_wrong_minimiser_is_refuted(derivation, entry):
    # the reference is discriminating: doubling λ inside the inverse must be caught
    step = [s for s in derivation.steps if s.reason.startswith("stationarity")][0]
    wrong = step.rhs.xreplace({sp.Symbol("lambda", positive=True): 2 * sp.Symbol("lambda", positive=True)})
    v = check_equal(step.lhs, wrong, derivation.problem, settings=CheckSettings(instances=3), prover=None)
    assert v.status == "refuted"


def test_tracediff_gradient_against_finite_differences():
    # f(W) = tr(A W B Wᵀ) + tr(C W): gradient from the rules vs central differences (float64)
    n = sp.Symbol("n", integer=True, positive=True)
    A, B, C, W, dW = (sp.MatrixSymbol(s, n, n) for s in ("A", "B", "C", "W", "dW"))
    f = sp.Trace(A * W * B * W.T) + sp.Trace(C * W)
    G = gradient_from_differential(differential(f, W, dW), dW)
    rng = np.random.default_rng(5)
    vals = {s: rng.uniform(-1, 1, (3, 3)) for s in (A, B, C, W)}
    Gnum = np.array(evaluate(G, {n: 3, **{k: mpmath.matrix(v.tolist()) for k, v in vals.items()}}, dps=30).tolist(),
                    dtype=float)

    def fnum(Wm):
        return np.trace(vals[A] @ Wm @ vals[B] @ Wm.T) + np.trace(vals[C] @ Wm)

    fd = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            E = np.zeros((3, 3))
            E[i, j] = 1e-6
            fd[i, j] = (fnum(vals[W] + E) - fnum(vals[W] - E)) / 2e-6
    assert np.max(np.abs(Gnum - fd)) < 1e-7


def test_solve_linear_refuses_two_sided_terms():
    n = sp.Symbol("n", integer=True, positive=True)
    A, W, C = (sp.MatrixSymbol(s, n, n) for s in ("A", "W", "C"))
    with pytest.raises(ValueError):
        solve_linear(A * W + W * A + C, W)
    with pytest.raises(ValueError):
        solve_linear(W * W + C, W)
