"""s4-kernel: derivation, the seed's slips, kbar vs the spine, generated code vs recurrences.

References are independent of the code under test: dense recurrences (float64 / mpmath),
the spine's generated kernel on the discretised system, and direct sums of the series.
Seeds are fixed; the input distributions are stated per test.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derive import CheckSettings, get
from derive.emit import codegen


@pytest.fixture(scope="module")
def s4():
    return get("s4-kernel").derivation()


@pytest.fixture(scope="module", params=["numpy", "numba", "cupy"])
def kbar(request):
    spec = get("s4-kernel").module_spec()
    path = codegen.write_module(spec, request.param)
    mod = codegen.load_module(path, stand_in=request.param == "cupy" and not codegen.backend_available("cupy"))
    return mod.kbar


def hippo(n: int):
    """HiPPO-LegS as the seed's make_HiPPO / make_NPLR_HiPPO code computes it (key written from the seed)."""
    P = np.sqrt(1 + 2 * np.arange(n))
    A = P[:, None] * P[None, :]
    A = np.tril(A) - np.diag(np.arange(n))
    return -A, np.sqrt(np.arange(n) + 0.5), np.sqrt(2 * np.arange(n) + 1.0)


def discretise(A, B, step):
    n = A.shape[0]
    M = np.eye(n) - step / 2 * A
    return np.linalg.solve(M, np.eye(n) + step / 2 * A), np.linalg.solve(M, step * B)


def recurrence(Ab, Bb, C, L):
    v, out = Bb.copy(), np.empty(L)
    for t in range(L):
        out[t] = C @ v
        v = Ab @ v
    return out


def dplr_inputs(A, P, B, C, step, L):
    S = A + np.outer(P, P)
    lam_im, V = np.linalg.eigh(S * -1j)
    lam = np.mean(np.diag(S)) + 1j * lam_im
    Ab, _ = discretise(A, B, step)
    Ct = (C @ (np.eye(len(B)) - np.linalg.matrix_power(Ab, L))) @ V
    Pd = V.conj().T @ P
    return dict(lam=lam, p=Pd, q=Pd, b=V.conj().T @ B, ct=Ct, step=step, L=L)


def test_steps_hold(s4):
    checked = s4.check(CheckSettings(instances=3))
    assert checked.ok, [(r.step.reason, str(r.verdict)) for r in checked.steps if not r.verdict.ok]
    assert all(v.ok for _, v in checked.answers)
    hows = {st.how for st in s4.steps}
    assert {"summation", "cancel", "solve"} <= hows


def test_derived_forms_match_conventions(s4):
    # CONVENTIONS: Khat(z) = 2/(1+z) C~ [(2/Δ)(1-z)/(1+z) - A]^{-1} B; Woodbury alpha = -1/(1 + k11)
    z, Delta = sp.Symbol("z"), sp.Symbol("Delta", positive=True)
    assert sp.simplify(s4.result("c_of_z") - 2 / (1 + z)) == 0
    assert sp.simplify(s4.result("g_of_z") - (2 / Delta) * (1 - z) / (1 + z)) == 0
    k00, k01, k10, k11 = sp.symbols("k_00 k_01 k_10 k_11")
    assert sp.simplify(s4.result("cauchy_form") - (k00 - k01 * k10 / (1 + k11))) == 0


def test_kbar_is_the_spines_shifted_kernel(s4):
    # CONVENTIONS: \bar K_l = \bar C \bar A^l \bar B is the spine's K_{l+1}; symbolically ...
    spine = get("ssm-kernel").derivation().result("K_ell")
    ell = sp.Symbol("ell", integer=True, nonnegative=True)
    mats = {m.name: m for m in spine.atoms(sp.MatrixSymbol)}
    N = sp.Symbol("N", integer=True, positive=True)
    sub = {mats["A"]: sp.MatrixSymbol("Abar", N, N), mats["B"]: sp.MatrixSymbol("Bbar", N, 1),
           mats["C"]: sp.MatrixSymbol("Cbar", 1, N)}
    assert s4.result("kbar") == spine.xreplace(sub).subs(ell, ell + 1)
    # ... and numerically: the spine's generated kernel on (Abar, Bbar, C, D=0) shifted by one equals kbar
    A, P, B = hippo(16)
    C = np.random.default_rng(3).standard_normal(16)  # C ~ N(0, I)
    L = 256
    Ab, Bb = discretise(A, B, 1.0 / L)
    spine_mod = codegen.load_module(codegen.write_module(get("ssm-kernel").module_spec(), "numpy"))
    K = spine_mod.kernel(Ab, Bb, C, 0.0, L + 1)
    gen = codegen.load_module(codegen.write_module(get("s4-kernel").module_spec(), "numpy"))
    kb = gen.kbar(**dplr_inputs(A, P, B, C, 1.0 / L, L))
    assert np.max(np.abs(K[1:] - kb)) / np.max(np.abs(K[1:])) < 1e-12


def test_hippo_sign_slip_in_the_seed():
    # the seed prints A_nk = +sqrt((2n+1)(2k+1)) (n > k), n+1 (n = k); its code returns the negative
    A, _, _ = hippo(5)
    printed = np.array([[np.sqrt((2 * n + 1) * (2 * k + 1)) if n > k else (n + 1 if n == k else 0)
                         for k in range(5)] for n in range(5)])
    assert np.allclose(A, -printed)
    # and A + P P^T = -1/2 I + skew (the derived entries)
    S = A + np.outer(np.sqrt(np.arange(5) + 0.5), np.sqrt(np.arange(5) + 0.5))
    assert np.allclose(S + S.T, -np.eye(5))


def _small_system(seed: int = 1, n: int = 4):
    rng = np.random.default_rng(seed)  # A ~ N(0, 1/4) - I, B, C ~ N(0, I), step 0.1
    A = rng.standard_normal((n, n)) * 0.5 - np.eye(n)
    return A, rng.standard_normal(n), rng.standard_normal(n), 0.1


def test_roots_need_the_i_and_eq23_is_wrong():
    A, B, C, step = _small_system()
    L = 8
    Ab, Bb = discretise(A, B, step)
    K = recurrence(Ab, Bb, C, L)
    Ct = C @ (np.eye(4) - np.linalg.matrix_power(Ab, L))

    def series(zz):
        return sum(K[t] * zz**t for t in range(L))

    def resolvent(zz):
        return Ct @ np.linalg.solve(np.eye(4) - Ab * zz, Bb)

    good = np.exp(-2j * np.pi * 3 / L)
    bad = np.exp(2 * np.pi * 3 / L)  # the seed's Ω without the i: not a root of unity
    assert abs(series(good) - resolvent(good)) < 1e-12 * abs(series(good))
    assert abs(series(bad) - resolvent(bad)) > 1e-3 * abs(series(bad))
    # eq. 23 as printed vs the CONVENTIONS form, at a root of unity
    conv = 2 / (1 + good) * Ct @ np.linalg.solve((2 / step) * (1 - good) / (1 + good) * np.eye(4) - A, B)
    printed = (1 + good) / (2 * step) * Ct @ np.linalg.solve(2 * (1 + good) / (1 - good) * np.eye(4) - step * A, B)
    assert abs(conv - series(good)) < 1e-12 * abs(series(good))
    assert abs(printed - series(good)) > 1e-3 * abs(series(good))


def test_generated_kbar_hippo_n64_l4096(kbar):
    # must show: N = 64, L = 4096 HiPPO-LegS, C ~ N(0, I) (seed 0): generating function vs recurrence <= 1e-10
    A, P, B = hippo(64)
    C = np.random.default_rng(0).standard_normal(64)
    L = 4096
    Ab, Bb = discretise(A, B, 1.0 / L)
    ref = recurrence(Ab, Bb, C, L)
    got = np.asarray(kbar(**dplr_inputs(A, P, B, C, 1.0 / L, L)))
    err = np.max(np.abs(got - ref)) / np.max(np.abs(ref))
    assert err < 1e-10, err


def test_generated_kbar_odd_length_and_z_minus_one(kbar):
    # even L evaluates z = -1 exactly where the naive 2/(1+z) is singular; odd L has no z = -1
    A, P, B = hippo(12)
    C = np.random.default_rng(2).standard_normal(12)
    for L in (63, 64):
        Ab, Bb = discretise(A, B, 1.0 / L)
        ref = recurrence(Ab, Bb, C, L)
        got = np.asarray(kbar(**dplr_inputs(A, P, B, C, 1.0 / L, L)))
        assert np.all(np.isfinite(got))
        assert np.max(np.abs(got - ref)) / np.max(np.abs(ref)) < 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        assert not np.isfinite(np.complex128(2.0) / (np.complex128(1.0) + np.complex128(-1.0)))


def test_functional_calculus_prover_is_not_fooled():
    from derive.matalg import functional_calculus_prover

    N = sp.Symbol("N", integer=True, positive=True)
    A, B = sp.MatrixSymbol("A", N, N), sp.MatrixSymbol("B", N, 1)
    C, D = sp.MatrixSymbol("C", 1, N), sp.MatrixSymbol("D", N, N)
    prove = functional_calculus_prover(A, left=C, right=B)
    I = sp.Identity(N)
    # true: C (I - A^2)(I - A)^{-1} B = C (I + A) B
    assert prove(C * (I - A**2) * sp.Inverse(I - A) * B, C * (I + A) * B)
    # false identities and other matrices in the middle are never "proved"
    assert prove(C * A * B, C * A**2 * B) is None
    assert prove(C * A * D * B, C * D * A * B) is None
    assert prove(C * A * B, B.T * A * C.T) is None
