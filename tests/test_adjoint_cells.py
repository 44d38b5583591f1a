"""rnn-bptt, gru-bptt and grid-rnn: derivations checked against independent references
(finite differences of unrolled mpmath forward passes, T = 5, U(-1, 1) inputs, seed 0;
instrumented arithmetic and a simulated wavefront schedule for the grid), with wrong
claims refuted."""

from __future__ import annotations

import sys

import pytest
import sympy as sp

import derive
from derive import CheckSettings, check_equal
from derive.adjoint import t
from derive.verdict import REFUTED

F = sp.Function
SETTINGS = CheckSettings(instances=3, seed=0, symbolic_timeout=1.0)


@pytest.mark.parametrize("name", ["rnn-bptt", "gru-bptt"])
def test_cell_adjoints_match_finite_differences(name):
    checked = derive.get(name).derivation().check(SETTINGS)
    assert checked.ok
    for r in checked.steps:
        assert r.verdict.max_rel_diff < 1e-20, r.step.reason


def test_rnn_adjoint_reads_as_expected():
    d = derive.get("rnn-bptt").derivation()
    # written before running: \bar h = h - y + W_h \bar a^{(t+1)}, \bar a = (1 - tanh² a) \bar h
    expected_h = F("h")(t) - F("y")(t) + sp.Symbol("W_h") * F("bar_a")(t + 1)
    expected_a = (1 - sp.tanh(F("a")(t)) ** 2) * F("bar_h")(t)
    assert sp.expand(d.result("bar_h") - expected_h) == 0
    assert sp.expand(d.result("bar_a") - expected_a) == 0


def test_gru_wrong_hbar_is_refuted():
    entry = derive.get("gru-bptt")
    mod = sys.modules[entry.derive.__module__]
    good = entry.derivation().result("bar_h")
    wrong = good.subs(F("z")(t + 1), 0)  # forgets the (1 - z) carry gate
    v = check_equal(F("bar_h")(t), wrong, mod.SCALAR, settings=SETTINGS, prover=None)
    assert v.status == REFUTED


def test_grid_counts_and_steps():
    entry = derive.get("grid-rnn")
    mod = sys.modules[entry.derive.__module__]
    checked = entry.derivation().check(SETTINGS)
    assert checked.ok
    d = entry.derivation()
    H, D, G = mod.H, mod.D, mod.G
    assert sp.expand(d.result("nparams") - (D * H + 2 * H**2)) == 0  # the seed's count
    assert d.result("steps") == 2 * G - 1
    # keys by hand: H = 2, D = 3 -> 6 + 8 = 14 multiplications, 2*2 + 2*1 + 2*1 + 2*2 = 12 additions
    assert mod.count_cell_ops(2, 3) == {"mul": 14, "add": 12, "tanh": 2}
    assert max(mod.schedule(4).values()) == 7


def test_grid_seed_g_steps_is_refuted():
    mod = sys.modules[derive.get("grid-rnn").derive.__module__]
    v = check_equal(F("steps")(mod.G), mod.G, mod.PROBLEM, settings=SETTINGS, prover=None)
    assert v.status == REFUTED
