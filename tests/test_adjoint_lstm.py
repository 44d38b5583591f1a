"""lstm-bptt: every derived adjoint and weight gradient against central finite differences
of an unrolled mpmath forward pass (T = 5; scalar H = D = 1 and vector H ∈ {1, 3}, D = 2;
weights, inputs, targets and initial states ~ U(-1, 1); seed 0), and the seed's slips refuted."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

import derive
from derive import CheckSettings, check_equal
from derive.adjoint import H, sigma_prime, t
from derive.numeric import evaluate, relative_difference
from derive.verdict import REFUTED

F = sp.Function


@pytest.fixture(scope="module")
def entry():
    return derive.get("lstm-bptt")


@pytest.fixture(scope="module")
def module(entry):
    import sys

    return sys.modules[entry.derive.__module__]


@pytest.fixture(scope="module")
def checked(entry):
    return entry.derivation().check(CheckSettings(instances=4, seed=0))


def test_every_step_verified_to_1e_20(checked):
    assert checked.ok, [r.step.reason for r in checked.steps if not r.verdict.ok]
    for r in checked.steps:
        assert r.verdict.max_rel_diff is not None and r.verdict.max_rel_diff < 1e-20, r.step.reason


def test_one_adjoint_per_intermediate_and_wix_as_sum(entry):
    text = entry.derivation().latex()
    for name in (r"\bar{h}^{(t)}", r"\bar{c}^{(t)}", r"\bar{i}^{(t)}", r"\bar{p}^{(t)}", r"\bar{o}^{(t)}",
                 r"\bar{g}^{(t)}"):
        assert f"{name} &=" in text
    assert r"\bar{W}_{ix} &= \sum_{t=1}^{T}" in text
    assert r"\odot" in text and r"^{\top}" in text and r"\sigma'" in text


def test_vector_form_at_h3(entry, module):
    """Evaluate the vector \\bar{h}, \\bar{c} and \\bar{W}_{ih} at H = 3 directly (not via the checker)."""
    d = entry.derivation()
    inst = module.VECTOR.sample(random.Random(5), 50, fixed={H: 3, t: 2})
    assert inst.values[H] == 3
    for key, lhs in (("bar_h_vec", "bar_h"), ("bar_c_vec", "bar_c")):
        got = evaluate(d.result(key), inst.values, inst.sequences, 50)
        ref = inst.sequences[lhs](2)
        assert got.rows == 3
        with mpmath.workdps(50):
            assert relative_difference(got, ref) < 1e-20
    got = evaluate(d.result("bar_W_ih_vec"), inst.values, inst.sequences, 50)
    with mpmath.workdps(50):
        assert relative_difference(got, inst.sequences["bar_W_ih"](0)) < 1e-20


def test_reference_matches_a_hand_derivative_for_one_step(module):
    """T = 1, H = D = 1: dL/dW_ix = (h - y) o (1 - tanh² c) g σ'(a_i) x, written out by hand."""
    with mpmath.workdps(40):
        vals = {sp.Symbol(w): mpmath.mpf(k + 1) / 10 - mpmath.mpf("0.45") for k, w in enumerate(module.CELL.weights)}
        vals[sp.Symbol("T", integer=True, positive=True)] = 1
        col = lambda z: mpmath.matrix([[mpmath.mpf(z)]])  # noqa: E731
        vals.update({"x": [None, col("0.3"), col("0.1")], "y": [None, col("-0.2"), col("0.4")],
                     "init_h": col("0.25"), "init_c": col("-0.5")})
        ref = module.SCALAR.reference(vals, 40)
        w = {str(k): v for k, v in vals.items() if isinstance(k, sp.Symbol) and str(k).startswith("W")}
        s = lambda z: 1 / (1 + mpmath.exp(-z))  # noqa: E731
        x, h0, c0, y = mpmath.mpf("0.3"), mpmath.mpf("0.25"), mpmath.mpf("-0.5"), mpmath.mpf("-0.2")
        ai = w["W_ix"] * x + w["W_ih"] * h0
        i, p, o = s(ai), s(w["W_px"] * x + w["W_ph"] * h0), s(w["W_ox"] * x + w["W_oh"] * h0)
        g = mpmath.tanh(w["W_gx"] * x + w["W_gh"] * h0)
        c = p * c0 + i * g
        h = o * mpmath.tanh(c)
        expected = (h - y) * o * (1 - mpmath.tanh(c) ** 2) * g * i * (1 - i) * x
        assert abs(ref["bar_W_ix"]() - expected) < mpmath.mpf(10) ** -30 * abs(expected)


SETTINGS = CheckSettings(instances=4, seed=1, symbolic_timeout=1.0)


def test_seed_cbar_line_is_refuted(module):
    # seed: \bar c = \bar h σ'(1 - tanh²(c)) + \bar c p (σ' where o belongs, \bar c on both sides)
    seed = F("bar_h")(t) * sigma_prime(1 - sp.tanh(F("c")(t)) ** 2) + F("bar_c")(t) * F("p")(t)
    v = check_equal(F("bar_c")(t), seed, module.SCALAR, settings=SETTINGS, prover=None)
    assert v.status == REFUTED


def test_seed_pbar_line_is_refuted(module):
    v = check_equal(F("bar_p")(t), F("bar_c")(t) * F("c")(t), module.SCALAR, settings=SETTINGS, prover=None)
    assert v.status == REFUTED


def test_seed_hbar_with_x_of_t_and_no_loss_term_is_refuted(module):
    terms = []
    for g in ("i", "p", "o"):
        pre = sp.Symbol(f"W_{g}x") * F("x")(t) + sp.Symbol(f"W_{g}h") * F("h")(t)
        terms.append(F(f"bar_{g}")(t + 1) * sigma_prime(pre) * sp.Symbol(f"W_{g}h"))
    pre_g = sp.Symbol("W_gx") * F("x")(t) + sp.Symbol("W_gh") * F("h")(t)
    terms.append(F("bar_g")(t + 1) * (1 - sp.tanh(pre_g) ** 2) * sp.Symbol("W_gh"))
    v = check_equal(F("bar_h")(t), sp.Add(*terms), module.SCALAR, settings=SETTINGS, prover=None)
    assert v.status == REFUTED


def test_seed_part_b_holds(module):
    T_ = sp.Symbol("T", integer=True, positive=True)
    pre = sp.Symbol("W_ix") * F("x")(t) + sp.Symbol("W_ih") * F("h")(t - 1)
    seed = sp.Sum(F("bar_i")(t) * sigma_prime(pre) * F("x")(t), (t, 1, T_))
    v = check_equal(F("bar_W_ix")(), seed, module.SCALAR, settings=SETTINGS, prover=None)
    assert v.ok


def test_dropping_the_next_step_consumer_is_refuted(entry, module):
    """An adjoint without its t + 1 consumer (the recursion across time) must fail."""
    full = entry.derivation().result("bar_c")
    truncated = full.subs(F("bar_c")(t + 1), 0)
    assert truncated != full
    v = check_equal(F("bar_c")(t), truncated, module.SCALAR, settings=SETTINGS, prover=None)
    assert v.status == REFUTED


def test_part_c_limit(entry):
    d = entry.derivation()
    assert d.result("dc_dcprev") == F("p")(t)
    assert d.result("limit_bar_c") == F("bar_c")(t + 1)
    assert d.result("limit_bar_h_closed") == -F("y")(t)
