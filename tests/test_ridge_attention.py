"""ridge-attention: checked steps, and the derived formulas against NumPy computations that
never see them (LAPACK inverses and solves, cumulative means).

Input distributions (fixed seeds per test): keys, values, queries ~ N(0, 1/d); M = G + d·I
with G ~ U(-1, 1); u, v ~ U(-1, 1); λ ~ U(0.5, 2).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

import derive
from derive import CheckSettings, check_equal
from derive.numeric import evaluate
from derive.symbols import MatSeq

d = sp.Symbol("d", integer=True, positive=True)
t = sp.Symbol("t", integer=True, positive=True)
lam = sp.Symbol("lambda", positive=True)


@pytest.fixture(scope="module")
def derivation():
    return derive.get("ridge-attention").derivation()


def _np(v):
    return np.array(v.tolist(), dtype=float) if isinstance(v, mpmath.matrix) else np.array([[float(v)]])


def test_every_step_and_answer_checks(derivation):
    checked = derivation.check(CheckSettings(instances=4, symbolic_timeout=2.0))
    bad = [(r.step.reason, str(r.verdict)) for r in checked.steps if not r.verdict.ok]
    bad += [(a.label, str(v)) for a, v in checked.answers if not v.ok]
    assert not bad


def test_running_mean_update_against_cumulative_mean(derivation):
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, 30)
    upd = derivation.result("mean_update")
    n, mf, xf = sp.Symbol("n", integer=True, positive=True), sp.Function("m"), sp.Function("x")
    M_, X_ = sp.Symbol("M_"), sp.Symbol("X_")
    f = sp.lambdify((n, M_, X_), upd.subs({mf(n): M_, xf(n + 1): X_}))
    m = x[0]
    for k in range(1, 30):
        m = f(k, m, x[k])
        assert abs(m - np.mean(x[: k + 1])) < 1e-13


@pytest.mark.parametrize("dim", [1, 2, 4, 6])
def test_sherman_morrison_against_lapack_inverse(derivation, dim):
    rng = np.random.default_rng(40 + dim)
    M = rng.uniform(-1, 1, (dim, dim)) + dim * np.eye(dim)
    u, v = rng.uniform(-1, 1, (dim, 1)), rng.uniform(-1, 1, (dim, 1))
    s = float((v.T @ np.linalg.solve(M, u))[0, 0])
    syms = {str(x): x for x in derivation.result("sherman_morrison").free_symbols}
    Msym, usym, vsym = (sp.MatrixSymbol(nm, d, d if nm == "M" else 1) for nm in ("M", "u", "v"))
    vals = {d: dim, Msym: mpmath.matrix(M.tolist()), usym: mpmath.matrix(u.tolist()),
            vsym: mpmath.matrix(v.tolist()), syms["s"]: mpmath.mpf(s)}
    got = _np(evaluate(derivation.result("sherman_morrison"), vals, dps=30))
    ref = np.linalg.inv(M + u @ v.T)
    assert np.max(np.abs(got - ref)) / np.max(np.abs(ref)) < 1e-12


def test_a_wrong_sign_sherman_morrison_is_refuted(derivation):
    step = [s for s in derivation.steps if s.reason.startswith("Sherman–Morrison (s")][0]
    M_ = sp.MatrixSymbol("M", d, d)
    wrong = 2 * sp.Inverse(M_) - step.rhs  # flips the sign of the correction
    v = check_equal(step.lhs, wrong, derivation.problem, settings=CheckSettings(instances=3), prover=None)
    assert v.status == "refuted"


def test_running_inverse_update_matches_lapack(derivation):
    rng = np.random.default_rng(8)
    dim = 5
    upd = derivation.result("P_update")
    Pprev = sp.MatrixSymbol("Pp", d, d)
    kk = sp.MatrixSymbol("kk", d, 1)
    expr = upd.xreplace({MatSeq("P", t - 1, d, d): Pprev, MatSeq("k", t, d, 1): kk})
    S = 1.3 * np.eye(dim)
    for _ in range(6):
        k = rng.standard_normal((dim, 1)) / np.sqrt(dim)
        got = _np(evaluate(expr, {d: dim, Pprev: mpmath.matrix(np.linalg.inv(S).tolist()),
                                  kk: mpmath.matrix(k.tolist())}, dps=30))
        S = S + k @ k.T
        assert np.max(np.abs(got - np.linalg.inv(S))) / np.max(np.abs(np.linalg.inv(S))) < 1e-12


def test_attention_weights_reproduce_the_ridge_prediction(derivation):
    rng = np.random.default_rng(12)
    N_, dim = 7, 3
    K, V, q = (rng.standard_normal((N_, dim)) / np.sqrt(dim), rng.standard_normal((N_, dim)) / np.sqrt(dim),
               rng.standard_normal((dim, 1)))
    lam_v = 0.8
    weight = derivation.result("alpha_i")
    Nsym = sp.Symbol("N", integer=True, positive=True)
    Ksym, qsym = sp.MatrixSymbol("K", Nsym, d), sp.MatrixSymbol("q", d, 1)
    i = sp.Symbol("i", integer=True, positive=True)
    alphas = []
    for row in range(N_):
        expr = weight.xreplace({MatSeq("k", i, d, 1): sp.MatrixSymbol("krow", d, 1)})
        vals = {d: dim, Nsym: N_, lam: mpmath.mpf(lam_v), Ksym: mpmath.matrix(K.tolist()),
                qsym: mpmath.matrix(q.tolist()), sp.MatrixSymbol("krow", d, 1): mpmath.matrix(K[row].tolist())}
        alphas.append(float(_np(evaluate(expr, vals, dps=30))[0, 0]))
    o_weights = (np.array(alphas)[:, None] * V).sum(axis=0)
    W = np.linalg.solve(K.T @ K + lam_v * np.eye(dim), K.T @ V).T  # ridge weights from lstsq normal form
    assert np.allclose(o_weights, (W @ q).ravel(), atol=1e-12)


def test_baselines_agree_with_rebuild_from_scratch():
    from benchmarks.baselines_ridge import (rebuild_from_scratch, rebuild_solve, seeded_inputs,
                                            sherman_morrison_numba, sherman_morrison_numpy)

    Q, K, V, lam_v = seeded_inputs(96, 8, seed=4)
    ref = rebuild_from_scratch(Q, K, V, lam_v)
    for fn in (rebuild_solve, sherman_morrison_numpy, sherman_morrison_numba):
        got = fn(Q, K, V, lam_v)
        assert np.max(np.abs(got - ref)) / np.max(np.abs(ref)) < 1e-12


# --- generated code --------------------------------------------------------------------------------

def _rebuild(Q, K, V, lam_v):
    """Per token: K_tᵀK_t + λI and K_tᵀV_t from scratch, LAPACK solve (written for this test)."""
    out = np.empty_like(Q)
    for j in range(len(Q)):
        Kt, Vt = K[: j + 1], V[: j + 1]
        out[j] = np.linalg.solve(Kt.T @ Kt + lam_v * np.eye(K.shape[1]), Q[j]) @ (Kt.T @ Vt)
    return out


@pytest.fixture(scope="module")
def generated():
    from derive.emit import codegen

    spec = derive.get("ridge-attention").module_spec()
    return {be: codegen.load_module(codegen.write_module(spec, be)) for be in ("numpy", "numba")}


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_generated_matches_per_step_rebuild_n512_d16(generated, backend):
    rng = np.random.default_rng(2024)
    n_, dim = 512, 16
    Q, K, V = (rng.standard_normal((n_, dim)) / np.sqrt(dim) for _ in range(3))
    lam_v = 0.7
    got = generated[backend].causal_ridge_attention(Q, K, V, lam_v)
    ref = _rebuild(Q, K, V, lam_v)
    assert np.max(np.abs(got - ref)) / np.max(np.abs(ref)) < 1e-10


def test_plan_refuses_an_update_of_the_wrong_shape():
    import dataclasses

    from derive.emit.code_printers import NumPyCodePrinter
    from derive.errors import DeriveError

    plan = derive.get("ridge-attention").module_spec().functions[0].plan
    P_prev, k_t = MatSeq("P", t - 1, d, d), MatSeq("k", t, d, 1)
    for bad in (P_prev + P_prev * k_t * k_t.T,            # not P k kᵀ P
                2 * P_prev - P_prev * k_t * k_t.T * P_prev):  # P not carried with coefficient 1
        with pytest.raises(DeriveError):
            dataclasses.replace(plan, P_update=bad).context(NumPyCodePrinter())
