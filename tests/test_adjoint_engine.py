"""The reverse-mode engine on small cells: edges, collection across time, vector form,
the σ / σ' / EW / LocalPartial evaluators (inputs U(-1, 1) where random, seed fixed)."""

from __future__ import annotations

import mpmath
import sympy as sp

from derive.adjoint import (EW, Cell, Elementwise, Linear, LinearTerm, LocalPartial, adjoint_order, reverse, sigma,
                            sigma_prime, t, v)
from derive.adjoint.vector import adjoint_vector, weight_gradient_vector
from derive.emit.latex import latex
from derive.numeric import evaluate

F = sp.Function
CELL = Cell("toy", (
    Linear("a", (LinearTerm("W_x", "x"), LinearTerm("W_h", "h", 1))),
    Elementwise("h", v("h", 1) * sigma(v("a"))),
))


def test_edges_and_order():
    rev = reverse(CELL)
    assert adjoint_order(CELL) == ["h", "a"]
    pairs = {(e.consumer, e.var, e.lag) for e in rev.edges}
    assert pairs == {("a", "h", 1), ("h", "h", 1), ("h", "a", 0)}
    # h reads h^{(t-1)} twice (directly and through a): both consumers at t + 1 appear
    expected = (F("h")(t) - F("y")(t) + sp.Symbol("W_h") * F("bar_a")(t + 1)
                + F("bar_h")(t + 1) * sigma(F("a")(t + 1)))
    assert sp.expand(rev.adjoint_scalar("h") - expected) == 0
    assert rev.adjoint_scalar("a") == F("bar_h")(t) * F("h")(t - 1) * sigma_prime(F("a")(t))


def test_vector_form_shapes_and_latex():
    rev = reverse(CELL)
    hb = adjoint_vector(rev, "h")
    assert isinstance(hb, sp.MatAdd)
    text = latex(hb)
    assert r"W_h^{\top}" in text.replace("{W_{h}}", "W_h") or r"W_{h}^{\top}" in text
    assert r"\odot" in text
    g = weight_gradient_vector(rev, "W_x")
    assert g.shape == (sp.Symbol("H", integer=True, positive=True), sp.Symbol("D", integer=True, positive=True))


def test_sigma_and_derivative_evaluate():
    x = sp.Symbol("x")
    with mpmath.workdps(30):
        val = evaluate(sigma(x), {x: mpmath.mpf("0.3")}, dps=30)
        assert abs(val - 1 / (1 + mpmath.exp(-mpmath.mpf("0.3")))) < mpmath.mpf(10) ** -28
        d = evaluate(sigma_prime(x), {x: mpmath.mpf("0.3")}, dps=30)
        assert abs(d - val * (1 - val)) < mpmath.mpf(10) ** -25
    assert sp.diff(sigma(x), x) == sigma_prime(x)


def test_ew_is_entrywise():
    rows = sp.Symbol("H", integer=True, positive=True)
    e = EW(F("u")(t) * F("w")(t) + 1, rows)
    seqs = {"u": lambda k: mpmath.matrix([[1], [2]]), "w": lambda k: mpmath.matrix([[3], [-1]])}
    got = evaluate(e, {rows: 2, t: 1}, seqs)
    assert [got[0], got[1]] == [4, -1]
    assert latex(e) in (r"u_{t} \odot w_{t} + 1", r"1 + u_{t} \odot w_{t}")


def test_local_partial_is_numeric():
    z = F("c")(t)
    lp = LocalPartial(sp.tanh(z) * F("o")(t), z, F("h")(t))
    seqs = {"c": lambda k: mpmath.mpf("0.4"), "o": lambda k: mpmath.mpf("0.7")}
    got = evaluate(lp, {t: 1}, seqs, dps=40)
    with mpmath.workdps(40):
        assert abs(got - mpmath.mpf("0.7") * (1 - mpmath.tanh(mpmath.mpf("0.4")) ** 2)) < mpmath.mpf(10) ** -30
