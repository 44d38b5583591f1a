"""The equivalence checker on small generic problems (claims stated in comments)."""

import time

import mpmath
import pytest
import sympy as sp

from derive import CheckSettings, Dim, Problem, check_equal
from derive.check import Timeout, run_bounded
from derive.numeric import EvaluationError, evaluate

n = sp.Symbol("n", integer=True, positive=True)
A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
M = sp.MatrixSymbol("M", n, n)
u, v = sp.MatrixSymbol("u", n, 1), sp.MatrixSymbol("v", n, 1)


def _sample(s, sizes):
    k = sizes[n]
    return {A: s.matrix(k, k), B: s.matrix(k, k), M: s.matrix(k, k, "invertible"),
            u: s.vector(k), v: s.vector(k)}


GENERIC = Problem("generic", "generic matrices", "", dims=(Dim(n, (2, 3, 4)),), sample_values=_sample)


def test_transpose_of_product_verified():
    # claim: (AB)^T = B^T A^T
    v_ = check_equal(sp.Transpose(A * B), B.T * A.T, GENERIC)
    assert v_.ok and v_.instances == 12 and v_.dps == 50


def test_transpose_of_product_wrong_order_refuted():
    # claim: (AB)^T = A^T B^T  -- false for non-commuting A, B
    v_ = check_equal(sp.Transpose(A * B), A.T * B.T, GENERIC)
    assert v_.status == "refuted"
    ce = v_.counterexample
    assert set(ce) >= {"instance", "lhs", "rhs"}
    # the counterexample really is one: recompute both sides independently with mpmath
    Am = mpmath.matrix(ce["instance"]["A"])
    Bm = mpmath.matrix(ce["instance"]["B"])
    assert mpmath.mnorm((Am * Bm).T - Am.T * Bm.T, 1) > 1e-6


def test_sherman_morrison_sign():
    # claim: (M + u v^T)^{-1} = M^{-1} - M^{-1} u v^T M^{-1} / (1 + v^T M^{-1} u)
    Mi = sp.Inverse(M)
    denom = 1 + (v.T * Mi * u)[0, 0]
    right = Mi - Mi * u * v.T * Mi / denom
    wrong = Mi + Mi * u * v.T * Mi / denom
    assert check_equal(sp.Inverse(M + u * v.T), right, GENERIC).ok
    assert check_equal(sp.Inverse(M + u * v.T), wrong, GENERIC).status == "refuted"


def test_scalar_identity_proved_symbolically():
    x = sp.Symbol("x")
    p = Problem("scalar", "", "", sample_values=lambda s, sizes: {x: s.scalar(-2, 2)})
    v_ = check_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1), p)
    assert v_.status == "proved"


def test_unevaluable_claim_is_undecided_with_reason():
    x = sp.Symbol("x")
    p = Problem("scalar", "", "", sample_values=lambda s, sizes: {})
    v_ = check_equal(x, x + 0 * x, p, settings=CheckSettings(instances=3))
    assert v_.status == "undecided" and "no value" in v_.reason


def test_bounded_worker_kills_a_runaway_call():
    t0 = time.monotonic()
    with pytest.raises(Timeout):
        run_bounded(time.sleep, 30, timeout=0.5)
    assert time.monotonic() - t0 < 5


def test_evaluator_refuses_huge_exponent():
    with pytest.raises(EvaluationError):
        evaluate(sp.Pow(sp.Integer(9), sp.Pow(sp.Integer(9), sp.Integer(9), evaluate=False), evaluate=False), {})


def test_same_seed_same_verdict():
    a = check_equal(sp.Transpose(A * B), A.T * B.T, GENERIC, settings=CheckSettings(seed=3))
    b = check_equal(sp.Transpose(A * B), A.T * B.T, GENERIC, settings=CheckSettings(seed=3))
    assert a == b
