"""Generated BPTT passes (NumPy and Numba) against independent references: central finite
differences of the hand-written mpmath forward pass (T = 5, H = 3, D = 2; weights, x, y,
initial states ~ U(-1, 1), seed 11) and the hand-written baselines in benchmarks/."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import derive
from derive.adjoint.reference import fd_weight_gradients
from derive.emit import codegen

ROOT = Path(__file__).resolve().parents[1]


def _load_baselines():
    spec = importlib.util.spec_from_file_location("baselines_bptt_test", ROOT / "benchmarks" / "baselines_bptt.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _generated(name: str, backend: str):
    entry = derive.get(name)
    return codegen.load_module(codegen.write_module(entry.module_spec(), backend))


def _inputs(cell, T, H, D, seed, init):
    rng = np.random.default_rng(seed)
    W = {w: rng.uniform(-1, 1, (H, D if w.endswith("x") or w in ("W_z", "W_r", "W") else H)) for w in cell.weights}
    x, y = rng.uniform(-1, 1, (T, D)), rng.uniform(-1, 1, (T, H))
    s0 = {s: rng.uniform(-1, 1, H) for s in init}
    return W, x, y, s0


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_generated_lstm_backward_matches_finite_differences(backend):
    entry = derive.get("lstm-bptt")
    mod = sys.modules[entry.derive.__module__]
    W, x, y, s0 = _inputs(mod.CELL, 5, 3, 2, 11, ("h", "c"))
    gen = _generated("lstm-bptt", backend)
    got = gen.lstm_bptt(*[W[w] for w in mod.CELL.weights], x, y, s0["h"], s0["c"])
    ref = fd_weight_gradients(mod.forward, W, x, y, s0, mod.CELL.weights)
    for g, r in zip(got, ref):
        assert g.shape == r.shape
    err = _rel(np.concatenate([g.ravel() for g in got]), np.concatenate([r.ravel() for r in ref]))
    assert err < 1e-9


def test_generated_gru_backward_matches_finite_differences():
    entry = derive.get("gru-bptt")
    mod = sys.modules[entry.derive.__module__]
    W, x, y, s0 = _inputs(mod.CELL, 5, 3, 2, 12, ("h",))
    gen = _generated("gru-bptt", "numba")
    got = gen.gru_bptt(*[W[w] for w in mod.CELL.weights], x, y, s0["h"])
    ref = fd_weight_gradients(mod.forward, W, x, y, s0, mod.CELL.weights)
    assert _rel(np.concatenate([g.ravel() for g in got]), np.concatenate([r.ravel() for r in ref])) < 1e-9


def test_generated_lstm_matches_hand_written_baseline_at_size():
    """T = 64, H = 16, D = 8, weights ~ U(-0.3, 0.3): generated Numba vs the hand-written NumPy BPTT."""
    base = _load_baselines()
    mod = sys.modules[derive.get("lstm-bptt").derive.__module__]
    rng = np.random.default_rng(3)
    T, H, D = 64, 16, 8
    W = {w: rng.uniform(-0.3, 0.3, (H, D if w.endswith("x") else H)) for w in mod.CELL.weights}
    x, y = rng.uniform(-1, 1, (T, D)), rng.uniform(-1, 1, (T, H))
    h0, c0 = rng.uniform(-1, 1, H), rng.uniform(-1, 1, H)
    Wx = np.vstack([W[f"W_{g}x"] for g in "ipog"])
    Wh = np.vstack([W[f"W_{g}h"] for g in "ipog"])
    gx, gh = base.backward_numpy(base.forward(Wx, Wh, x, h0, c0), Wh, x, y)
    got = dict(zip(mod.CELL.weights, _generated("lstm-bptt", "numba").lstm_bptt(
        *[W[w] for w in mod.CELL.weights], x, y, h0, c0)))
    mine = np.concatenate([np.vstack([got[f"W_{g}x"] for g in "ipog"]).ravel(),
                           np.vstack([got[f"W_{g}h"] for g in "ipog"]).ravel()])
    assert _rel(mine, np.concatenate([gx.ravel(), gh.ravel()])) < 1e-12


def test_templates_hold_no_formulas():
    """The adjoint formulas are printed from the derivation, not typed into the templates."""
    for name in ("bptt_numba.py.j2", "bptt_array.py.j2", "_bptt_wrapper.j2"):
        text = (ROOT / "derive" / "emit" / "templates" / name).read_text()
        for token in ("tanh", "exp(", "(1 -", "1.0 -", "sigm"):
            assert token not in text, (name, token)
