"""The recurrence node runs a document's recurrence from its initial values (derive/claims/recurrence.py)."""
import mpmath
import pytest
import sympy as sp

from derive.claims.recurrence import MAX_STEPS, recurrence
from derive.numeric import EvaluationError, evaluate


def _ema(t_value):
    k, t, beta = sp.Symbol("k", integer=True), sp.Symbol("t", integer=True), sp.Symbol("beta")
    prev = sp.Dummy("prev")
    g = sp.Function("g")
    node = recurrence(t, k, beta * prev + (1 - beta) * g(k), [prev], 0, [sp.Integer(0)])
    with mpmath.workdps(50):
        values = {t: t_value, beta: mpmath.mpf(9) / 10}
    seq = {"g": lambda i: mpmath.mpf(i) ** 2 - 3}
    return evaluate(node, values, seq)


def test_runs_the_recurrence_to_the_sampled_index():
    # m_t = (1 - beta) sum_k beta^(t-k) g_k, computed here independently of the node
    for t in (0, 1, 2, 7, 40):
        with mpmath.workdps(50):
            b = mpmath.mpf(9) / 10
            want = sum((1 - b) * b ** (t - k) * (k * k - 3) for k in range(1, t + 1))
            assert abs(_ema(t) - want) < mpmath.mpf(10) ** -40


def test_second_order_and_matrix_valued():
    k, n = sp.Symbol("k", integer=True), sp.Symbol("n", integer=True)
    p1, p2 = sp.Dummy("p1"), sp.Dummy("p2")
    fib = recurrence(n, k, p1 + p2, [p1, p2], 0, [sp.Integer(0), sp.Integer(1)])
    assert [int(evaluate(fib, {n: v})) for v in range(8)] == [0, 1, 1, 2, 3, 5, 8, 13]
    A, e0 = sp.MatrixSymbol("A", 2, 2), sp.MatrixSymbol("e0", 2, 1)
    prev = sp.MatrixSymbol("prev", 2, 1)
    node = recurrence(n, k, A * prev, [prev], 0, [e0])
    a = mpmath.matrix([[0.5, 0.25], [0, 0.5]])
    v = mpmath.matrix([[1], [2]])
    got = evaluate(node, {n: 5, A: a, e0: v})
    want = a ** 5 * v
    assert mpmath.norm(got - want) < mpmath.mpf(10) ** -40


def test_bounded_and_before_the_start():
    with pytest.raises(EvaluationError, match="before the recurrence's first value"):
        _ema(-1)
    with pytest.raises(EvaluationError, match=str(MAX_STEPS)):
        _ema(MAX_STEPS + 5)
