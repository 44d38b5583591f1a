"""dplr-power and ssm-kernel-dplr: derivation, careful coefficient, generated code.

Every expected value is computed independently here (mpmath at 50 digits, repeated
multiplication, simulation) or taken from the seed / CONVENTIONS, never from the code
under test.  Seeds are fixed; input distributions are stated per test.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from derive import CheckSettings, check_equal, get
from derive.emit import codegen
from derive.emit.careful import (EXPM1_ADDITION, careful_ratio, prove_expm1_addition, stable_rewrite)
from derive.emit.latex import derivation_latex

U = 2.0**-53
BIG = mpmath.mpf("1.7976931348623157e308")


@pytest.fixture(scope="module")
def power():
    return get("dplr-power").derivation()


@pytest.fixture(scope="module")
def kernel():
    return get("ssm-kernel-dplr").derivation()


@pytest.fixture(scope="module", params=["numpy", "numba", "cupy"])
def coefficient(request):
    spec = get("dplr-power").module_spec()
    path = codegen.write_module(spec, request.param)
    mod = codegen.load_module(path, stand_in=request.param == "cupy" and not codegen.backend_available("cupy"))
    return mod.coefficient


@pytest.fixture(scope="module", params=["numpy", "numba", "cupy"])
def kernel_fn(request):
    spec = get("ssm-kernel-dplr").module_spec()
    path = codegen.write_module(spec, request.param)
    mod = codegen.load_module(path, stand_in=request.param == "cupy" and not codegen.backend_available("cupy"))
    return mod.kernel_dplr


def c_mp(s: float, m: int) -> mpmath.mpf:
    """Reference ((1+s)^m - 1)/s at 50 digits (m for s = 0)."""
    with mpmath.workdps(50):
        x = mpmath.mpf(s)
        return mpmath.mpf(m) if x == 0 else (mpmath.power(1 + x, m) - 1) / x


def kappa(s: float, m: int) -> float:
    """Condition number |s c'(s) / c(s)| by mpmath differentiation."""
    if m <= 1 or s == 0:
        return 0.0  # c = m does not depend on s
    with mpmath.workdps(50):
        f = lambda t: (mpmath.power(1 + t, m) - 1) / t  # noqa: E731
        x = mpmath.mpf(s)
        return float(abs(x * mpmath.diff(f, x) / f(x)))


# --- the derivation ---------------------------------------------------------------------------------

def test_steps_hold(power):
    checked = power.check(CheckSettings(instances=5))
    assert checked.ok, [(r.step.reason, str(r.verdict)) for r in checked.steps if not r.verdict.ok]


def test_closed_form_is_the_seed_answer(power):
    # seed 000 1(f): A^l = I + ((1 + |p|^2)^l - 1)/|p|^2 p p^T; and c_l -> l as s -> 0
    s = sp.Symbol("s", real=True)
    ell = sp.Symbol("ell", integer=True, nonnegative=True)
    assert sp.simplify(power.result("c_ell") - ((1 + s) ** ell - 1) / s) == 0
    assert power.result("c_limit") == ell
    assert sp.simplify(power.result("c_ell_uv") - ((1 + s) ** ell - 1) / s) == 0
    # the recurrence was read off the contracted product, not typed: it is (1 + s) c + 1
    c = sp.Function("c")
    assert sp.expand(power.result("recurrence") - ((1 + s) * c(ell) + 1)) == 0
    assert any(st.how == "rsolve" for st in power.steps)
    assert any(st.how == "limit" for st in power.steps)


def test_closed_form_against_repeated_multiplication_random_n():
    # p ~ U(-1, 1)^n for n in 1..9 (seeded), l in 0..15: mpmath product of l factors
    import random

    rng = random.Random(11)
    c_l = get("dplr-power").derivation().result("c_ell")
    s_sym = [x for x in c_l.free_symbols if x.name == "s"][0]
    l_sym = [x for x in c_l.free_symbols if x.name == "ell"][0]
    with mpmath.workdps(50):
        for _ in range(8):
            n = rng.randint(1, 9)
            u = mpmath.matrix([mpmath.mpf(rng.uniform(-1, 1)) for _ in range(n)])
            v = mpmath.matrix([mpmath.mpf(rng.uniform(-1, 1)) for _ in range(n)])
            s = (v.T * u)[0]
            A = mpmath.eye(n) + u * v.T
            P = mpmath.eye(n)
            for ell in range(16):
                coef = sp.N(c_l.subs({s_sym: sp.Float(str(s), 60), l_sym: ell}), 50) if s != 0 else ell
                closed = mpmath.eye(n) + mpmath.mpf(str(coef)) * (u * v.T)
                assert mpmath.mnorm(closed - P, 1) <= mpmath.mpf(10) ** -40 * (1 + mpmath.mnorm(P, 1))
                P = P * A


def test_wrong_recurrence_is_refuted(power):
    # the classic slip c_{l+1} = s c_l + 1 (forgetting the identity's contribution)
    c = sp.Function("c")
    ell = sp.Symbol("ell", integer=True, nonnegative=True)
    s = sp.Symbol("s", real=True)
    v = check_equal(c(ell + 1), s * c(ell) + 1, power.problem)
    assert v.status == "refuted"


def test_latex_shows_ansatz_to_limit(power):
    text = derivation_latex(power, "f")
    assert r"\left(I + p p^{\top}\right)^{\ell}" in text
    assert r"\lim_{s \to 0^+}" in text
    assert text.index("ansatz") < text.index("solve the linear recurrence") < text.index(r"\lim")


def test_kernel_substitutes_the_spine(kernel):
    checked = kernel.check(CheckSettings(instances=5))
    assert checked.ok, [(r.step.reason, str(r.verdict)) for r in checked.steps if not r.verdict.ok]
    # seed 000 1(f): K_l = CB + ((1+s)^{l-1} - 1)/s (Cp)(p^T B)
    s = sp.Symbol("s", real=True)
    ell = sp.Symbol("ell", integer=True, nonnegative=True)
    assert sp.simplify(kernel.result("coefficient") - ((1 + s) ** (ell - 1) - 1) / s) == 0


# --- careful rewriting --------------------------------------------------------------------------------

def test_sympy_codegen_rewriting_plus_own_rules():
    s, m = sp.Symbol("s", real=True), sp.Symbol("m", integer=True, nonnegative=True)
    from sympy.codegen.cfunctions import expm1, log1p

    assert stable_rewrite(((1 + s) ** m - 1) / s) == expm1(m * log1p(s)) / s
    form = careful_ratio(((1 + s) ** m - 1) / s, s, m)
    assert form.limit == m
    assert sp.expand(form.small - (m + m * (m - 1) * s / 2)) == 0
    assert prove_expm1_addition()
    assert EXPM1_ADDITION[0].args[0] == sp.Add(*sp.symbols("a b", real=True))


def test_coefficient_conventions_points(coefficient):
    # CONVENTIONS: s = 1e-12, m = 1000 accurate; s = 1.5, m = 775 finite (1.688e308); s = 10, m = 400 inf
    s = np.array([1e-12, 1.5, 10.0, 0.0, -0.5, 1e-320])
    m = np.array([1000.0, 775.0, 400.0, 7.0, 3000.0, 50.0])
    got = np.asarray(coefficient(s, m))
    ref = [c_mp(float(a), int(b)) for a, b in zip(s, m)]
    assert abs(mpmath.mpf(float(got[0])) - ref[0]) / ref[0] < 1e-13
    assert np.isfinite(got[1]) and abs(got[1] / 1.688e308 - 1) < 1e-3
    assert abs(mpmath.mpf(float(got[1])) - ref[1]) / ref[1] < 4 * U * (1 + kappa(1.5, 775))
    assert ref[2] > BIG and np.isinf(got[2]) and got[2] > 0
    assert got[3] == 7.0
    assert abs(mpmath.mpf(float(got[4])) - ref[4]) / ref[4] < 1e-15
    assert abs(got[5] - 50.0) < 1e-12


def test_coefficient_sweep_within_conditioned_bound(coefficient):
    # s: log10 s ~ U(-12, 1) and -s: log10(-s) ~ U(-12, log10 0.9); m ~ U{0..1e5}; seed 5
    rng = np.random.default_rng(5)
    s = np.concatenate([10 ** rng.uniform(-12, 1, 150), -(10 ** rng.uniform(-12, np.log10(0.9), 80))])
    m = rng.integers(0, 100_001, s.size).astype(np.float64)
    got = np.asarray(coefficient(s, m))
    for x, a, b in zip(got, s, m):
        r = c_mp(float(a), int(b))
        if abs(r) > BIG:
            assert np.isinf(x), (a, b)
            continue
        assert np.isfinite(x), (a, b, r)
        err = float(abs(mpmath.mpf(float(x)) - r) / abs(r))
        bound = 4 * U * (1 + kappa(float(a), int(b)))
        assert err <= bound, (a, b, err, bound)


def test_overflow_exactly_where_true_value_overflows(coefficient):
    # s in {0.3, 1.5, 10}: the first m where the true value exceeds float64, from mpmath
    for s in (0.3, 1.5, 10.0):
        with mpmath.workdps(50):
            first = next(m for m in range(1, 10_000) if c_mp(s, m) > BIG)
        m = np.arange(first - 3, first + 3, dtype=np.float64)
        got = np.asarray(coefficient(np.full(m.shape, s), m))
        assert np.all(np.isfinite(got[:3])) and np.all(np.isinf(got[3:])), (s, first, got)


def test_naive_form_loses_digits_where_careful_does_not(coefficient):
    # the reason for the rewriting: at s = 1e-9 the naive form has error ~1e-7 (PERFORMANCE.md: 8.3e-8)
    s, m = 1e-9, 1000
    naive = ((1 + s) ** m - 1) / s
    ref = c_mp(s, m)
    assert abs(mpmath.mpf(naive) - ref) / ref > 1e-9
    assert abs(mpmath.mpf(float(np.asarray(coefficient(np.array([s]), np.array([float(m)])))[0])) - ref) / ref < 1e-15


# --- the generated kernel ---------------------------------------------------------------------------------

def _simulate(p, b, c, d, L):
    """Impulse response of x <- (I + p p^T) x + b u, y = c.x + d u in mpmath (50 digits)."""
    with mpmath.workdps(50):
        pv, bv, cv = ([mpmath.mpf(float(t)) for t in arr] for arr in (p, b, c))
        out = [mpmath.mpf(d)]
        x = bv[:]
        for _ in range(1, L):
            out.append(mpmath.fsum(a * t for a, t in zip(cv, x)))
            px = mpmath.fsum(a * t for a, t in zip(pv, x))
            x = [a + t * px for a, t in zip(x, pv)]
        return out


@pytest.mark.parametrize("s_target", [1e-12, 1e-4, 0.3])
def test_kernel_matches_simulation(kernel_fn, s_target):
    # p, b, c = |N(0, I_5)| (no cancellation), p rescaled to p^T p = s_target; d = -0.25; L = 700; seed 9
    rng = np.random.default_rng(9)
    p = np.abs(rng.standard_normal(5))
    p *= math.sqrt(s_target / float(p @ p))
    b, c = np.abs(rng.standard_normal(5)), np.abs(rng.standard_normal(5))
    L = 700
    K = np.asarray(kernel_fn(p, b, c, -0.25, L))
    ref = _simulate(p, b, c, -0.25, L)
    s = float(p @ p)
    assert K[0] == -0.25
    for ell in range(1, L):
        err = float(abs(mpmath.mpf(float(K[ell])) - ref[ell]) / abs(ref[ell]))
        assert err <= 4 * U * (1 + kappa(s, ell - 1)) + 8 * U, (ell, err)


def test_kernel_blocks_agree_with_elementwise_path(kernel_fn):
    # L = 5000 crosses many 256-blocks; s = 0.01, p, b, c ~ N(0, I_8) (seed 4): compare with the
    # elementwise mpmath coefficient times float64 CB, (Cp)(p^T B) computed here
    rng = np.random.default_rng(4)
    p = rng.standard_normal(8)
    p *= 0.1 / np.linalg.norm(p)
    b, c = rng.standard_normal(8), rng.standard_normal(8)
    L = 5000
    K = np.asarray(kernel_fn(p, b, c, 0.0, L))
    s = float(p @ p)
    with mpmath.workdps(50):
        const = mpmath.fsum(mpmath.mpf(float(x)) * mpmath.mpf(float(y)) for x, y in zip(c, b))
        w = mpmath.fsum(mpmath.mpf(float(x)) * mpmath.mpf(float(y)) for x, y in zip(c, p)) * \
            mpmath.fsum(mpmath.mpf(float(x)) * mpmath.mpf(float(y)) for x, y in zip(p, b))
        ref = [const + c_mp(s, ell - 1) * w for ell in range(1, L)]
    scale = max(abs(r) for r in ref)
    err = max(abs(mpmath.mpf(float(x)) - r) for x, r in zip(K[1:], ref)) / scale
    assert err < 1e-13


def test_kernel_overflows_exactly_with_a_small_weight(kernel_fn):
    # p, c = |N(0, I_4)|, b = 1e-6 |N(0, I_4)| (seed 8), p^T p = 0.3, d = 0, L = 2800: the weight
    # (c.p)(p.b) is tiny, so c_{l-1} alone overflows ~50 steps before K_l does; K must stay finite
    # up to the true overflow (from the mpmath simulation) and be inf from there on
    rng = np.random.default_rng(8)
    p = np.abs(rng.standard_normal(4))
    p *= math.sqrt(0.3 / float(p @ p))
    b, c = 1e-6 * np.abs(rng.standard_normal(4)), np.abs(rng.standard_normal(4))
    L = 2800
    ref = _simulate(p, b, c, 0.0, L)
    first_true = next(i for i, r in enumerate(ref) if abs(r) > BIG)
    K = np.asarray(kernel_fn(p, b, c, 0.0, L))
    assert np.all(np.isfinite(K[:first_true])) and np.all(np.isinf(K[first_true:]))
    coef_overflow = next(ell for ell in range(1, L) if c_mp(0.3, ell - 1) > BIG)
    assert coef_overflow < first_true - 10  # the case the log-space weighting exists for
    err = max(float(abs(mpmath.mpf(float(K[i])) - ref[i]) / abs(ref[i])) for i in range(1, first_true))
    assert err < 4 * U * (1 + kappa(0.3, first_true)) + 8 * U


def test_elementwise_error_requires_exact_overflow_agreement():
    from derive.verify import elementwise_relative_error

    big = mpmath.mpf(10) ** 400
    assert elementwise_relative_error([1.0, np.inf], [mpmath.mpf(1), big]) == 0.0
    assert elementwise_relative_error([1.0, 1e308], [mpmath.mpf(1), big]) == float("inf")  # finite where inf is due
    assert elementwise_relative_error([np.inf], [mpmath.mpf("1e300")]) == float("inf")  # inf too early
    assert elementwise_relative_error([-np.inf], [big]) == float("inf")  # wrong sign
    assert abs(elementwise_relative_error([1.5], [mpmath.mpf(1)]) - 0.5) < 1e-15


def test_contract_cancels_inverses_and_scalar_products():
    from derive.matalg import coefficient_of, contract

    n = sp.Symbol("n", integer=True, positive=True)
    P, Q, R = sp.MatrixSymbol("P", n, 1), sp.MatrixSymbol("Q", n, 1), sp.MatrixSymbol("R", n, n)
    k, a = sp.symbols("k a")
    prod = contract(sp.MatMul(sp.MatAdd(sp.Inverse(R), P * Q.T), sp.MatAdd(R, a * R * P * Q.T * R)),
                    [((Q.T, R, P), k)])
    assert coefficient_of(prod, sp.Identity(n)) == 1
    assert sp.expand(coefficient_of(prod, P * Q.T * R) - (a * k + a + 1)) == 0
