"""Issue 14's plan-level optimisations keep the answers: complex and conjugate-pair modes and
the decayed-mode cut-off of the diagonal kernel, the analytic overflow edge of the DPLR
kernel, the stored activations and reused buffers of the BPTT plan, `derive bench --anchors`.

References are independent of the code under test: mpmath running powers and mpmath closed
forms at 50 digits (bisection in mpmath for where the true value overflows), and for the BPTT
buffers a fresh forward state.  Seeds fixed; input distributions stated per test.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest

from derive import get
from derive.emit import codegen

U = 2.0**-53
BIG = mpmath.mpf("1.7976931348623157e308")
ROOT = Path(__file__).resolve().parent.parent


def _module(name: str, backend: str = "numba"):
    return codegen.load_module(codegen.write_module(get(name).module_spec(), backend))


@pytest.fixture(scope="module")
def ssm():
    return _module("ssm-kernel")


@pytest.fixture(scope="module")
def dplr():
    return _module("ssm-kernel-dplr")


def _diag_mp(a, b, c, d, L):
    """K_0 = d, K_ℓ = Re Σ_i c_i b_i a_i^(ℓ-1), running powers in mpmath at 50 digits."""
    with mpmath.workdps(50):
        K = [mpmath.mpf(d)] + [mpmath.mpf(0)] * (L - 1)
        for ai, bi, ci in zip(a, b, c):
            p, x = mpmath.mpc(complex(ci)) * mpmath.mpc(complex(bi)), mpmath.mpc(complex(ai))
            for ell in range(1, L):
                K[ell] += p.real
                p *= x
        return np.array([float(k) for k in K])


def _nrel(x, ref):
    return float(np.max(np.abs(x - ref)) / np.max(np.abs(ref)))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_diagonal_complex_conjugate_pairs_match_mpmath(backend):
    # 6 conjugate pairs (|a| ~ U(0.5, 0.999), phase ~ U(-π, π)), one real mode, one unpaired
    # complex mode and one mode with |a| = 1e-3 that the cut-off stops after a few steps
    rng = np.random.default_rng(140)
    h = 6
    a = rng.uniform(0.5, 0.999, h) * np.exp(1j * rng.uniform(-np.pi, np.pi, h))
    b = rng.standard_normal(h) + 1j * rng.standard_normal(h)
    c = rng.standard_normal(h) + 1j * rng.standard_normal(h)
    a = np.concatenate([a, a.conj(), [0.9 + 0j, 0.7 * np.exp(0.4j), 1e-3 * np.exp(1j)]])
    b = np.concatenate([b, b.conj(), [0.5 + 0j, 1.0 - 2.0j, 3.0 + 0j]])
    c = np.concatenate([c, c.conj(), [-1.0 + 0j, 0.5 + 0.5j, 1.0 + 0j]])
    L = 400
    K = _module("ssm-kernel", backend).kernel_diag(a, b, c, 0.25, L)
    assert K.dtype == np.float64 and K.shape == (L,)
    assert _nrel(K, _diag_mp(a, b, c, 0.25, L)) < 1e-13


def test_diagonal_real_fast_path_matches_mpmath_past_reanchoring(ssm):
    # |a| ~ U(0.9, 0.9995) with random signs, L = 3000 > 2 re-anchoring periods of 1024
    rng = np.random.default_rng(141)
    a = rng.uniform(0.9, 0.9995, 8) * rng.choice([-1.0, 1.0], 8)
    b, c = rng.standard_normal(8), rng.standard_normal(8)
    L = 3000
    assert _nrel(ssm.kernel_diag(a, b, c, -0.5, L), _diag_mp(a, b, c, -0.5, L)) < 1e-13


def test_diagonal_growing_and_unit_modes_are_never_cut(ssm):
    a = np.array([1.001, -1.0, 0.5])
    b, c = np.array([1.0, 2.0, 1e-300]), np.array([1.0, 1.0, 1.0])
    L = 2000
    assert _nrel(ssm.kernel_diag(a, b, c, 0.0, L), _diag_mp(a, b, c, 0.0, L)) < 1e-13


def _dplr_inputs(s: float, seed: int, N: int = 16):
    rng = np.random.default_rng(seed)
    b, c, u = rng.standard_normal(N), rng.standard_normal(N), rng.standard_normal(N)
    return math.sqrt(s) * u / np.linalg.norm(u), b, c


def _dplr_true(p, b, c, ell: int):
    """K_ℓ = CB + ((1+s)^(ℓ-1) - 1)/s (Cp)(p^T B) at 50 digits from the float inputs."""
    with mpmath.workdps(50):
        dot = lambda x, y: mpmath.fsum(mpmath.mpf(float(u)) * mpmath.mpf(float(v)) for u, v in zip(x, y))
        s = dot(p, p)
        return dot(c, b) + ((1 + s) ** (ell - 1) - 1) / s * dot(c, p) * dot(p, b), s


@pytest.mark.parametrize("s,seed", [(0.3, 1), (3.0, 2), (0.3, 3)])
def test_dplr_inf_exactly_where_the_true_kernel_overflows(dplr, s, seed):
    # p = sqrt(s) u/|u|, u, b, c ~ N(0, I), N = 16; the first overflowing ℓ found in mpmath
    p, b, c = _dplr_inputs(s, seed)
    L = 20000
    with np.errstate(over="ignore", invalid="ignore"):
        K = dplr.kernel_dplr(p, b, c, 0.5, L)
    big = lambda ell: abs(_dplr_true(p, b, c, ell)[0]) > BIG
    lo, hi = 1, L - 1
    assert big(hi) and not big(lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if big(mid) else (mid, hi)
    assert np.all(np.isfinite(K[:hi])), "inf before the true value overflows"
    assert np.all(np.isinf(K[hi:])), "finite where the true value overflows"
    sign = np.sign(float(_dplr_true(p, b, c, hi)[0]))
    assert np.all(np.sign(K[hi:]) == sign)


@pytest.mark.parametrize("s", [1e-9, 1e-6, 0.3, 3.0])
def test_dplr_elementwise_within_4u_of_the_condition_number(dplr, s):
    # κ of K = CB + c(s, m) w in the inputs CB, w, s: (|CB| + |c w| (1 + |s c'(s)/c(s)|)) / |K|
    p, b, c = _dplr_inputs(s, 7)
    L = 20000
    with np.errstate(over="ignore", invalid="ignore"):
        K = dplr.kernel_dplr(p, b, c, 0.5, L)
    worst = 0.0
    for ell in np.unique(np.linspace(2, L - 1, 60).round().astype(int)):
        ref, sm = _dplr_true(p, b, c, int(ell))
        if abs(ref) > BIG:
            continue
        with mpmath.workdps(50):
            m = int(ell) - 1
            coef = lambda x: ((1 + x) ** m - 1) / x
            cb = _dplr_true(p, b, c, 1)[0]
            term = ref - cb
            kappa_s = abs(sm * mpmath.diff(coef, sm) / coef(sm))
            kappa = (abs(cb) + abs(term) * (1 + kappa_s)) / abs(ref)
            err = abs(mpmath.mpf(float(K[ell])) - ref) / abs(ref)
        worst = max(worst, float(err / (4 * U * (1 + kappa))))
    assert worst <= 1.0


def _lstm(T=7, H=3, D=2, seed=142):
    # weights ~ U(-0.5, 0.5); x, y, h0, c0 ~ U(-1, 1)
    rng = np.random.default_rng(seed)
    names = ("W_ix", "W_ih", "W_px", "W_ph", "W_ox", "W_oh", "W_gx", "W_gh")
    W = [rng.uniform(-0.5, 0.5, (H, D if n.endswith("x") else H)) for n in names]
    return W, rng.uniform(-1, 1, (T, D)), rng.uniform(-1, 1, (T, H)), rng.uniform(-1, 1, H), rng.uniform(-1, 1, H)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_bptt_reused_buffers_give_a_fresh_states_answer(backend):
    mod = _module("lstm-bptt", backend)
    W, x, y, h0, c0 = _lstm()
    state = mod.lstm_bptt_forward(*W, x, h0, c0)
    y2 = y[::-1].copy()
    mod.lstm_bptt_backward(state, *W, y)  # leaves its adjoints in the state's buffers
    again = mod.lstm_bptt_backward(state, *W, y2)
    fresh = mod.lstm_bptt_backward(mod.lstm_bptt_forward(*W, x, h0, c0), *W, y2)
    for g, f in zip(again, fresh):
        assert np.array_equal(g, f)


def test_bptt_backward_reads_tanh_c_from_the_forward_pass():
    src = codegen.render_module(get("lstm-bptt").module_spec(), "numba")
    backward = src[src.index("def _lstm_bptt_backward_loop"):src.index("def lstm_bptt_forward")]
    assert "tanh" not in backward and "v_stored0[t, j]" in backward
    assert "vstack" not in src.split("def lstm_bptt_backward(")[1].split("\ndef ")[0]


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_bptt_gemv_operands_from_the_forward_pass_or_rebuilt_agree(backend):
    # the same weight objects reuse the forward pass's stacked W^T; copies rebuild it
    mod = _module("lstm-bptt", backend)
    W, x, y, h0, c0 = _lstm(seed=144)
    state = mod.lstm_bptt_forward(*W, x, h0, c0)
    same = mod.lstm_bptt_backward(state, *W, y)
    rebuilt = mod.lstm_bptt_backward(state, *[w.copy() for w in W], y)
    for a, b in zip(same, rebuilt):
        assert np.array_equal(a, b)


def _derive(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_bench_anchors_missing_file_exits_4_naming_it(tmp_path):
    missing = tmp_path / "no_such_anchors.py"
    r = _derive("bench", "anchors", "--anchors", str(missing))
    assert r.returncode == 4
    assert str(missing) in r.stderr


def test_bench_names_take_dashes_or_underscores(tmp_path):
    for name in ("no-such-bench", "no_such_bench"):
        r = _derive("bench", name)
        assert r.returncode == 2 and "ridge-attention" in r.stderr


USER_PROOF = '''
import sympy as sp
from derive import Builder, Entry, Problem, register
from derive.emit.codegen import Arg, FunctionSpec, ModuleSpec
from derive.emit.lowering import PowerKernel

n, i, N = sp.Symbol("n", integer=True), sp.Symbol("i", integer=True), sp.Symbol("N", integer=True)
w, z = sp.IndexedBase("w"), sp.IndexedBase("z")
x = sp.Symbol("x")
P = Problem("modesum", "modesum", "x", sample_values=lambda s, sizes: {x: s.scalar(-1, 1)})

def derive():
    b = Builder("modesum", P)
    b.step((x + 1) ** 2, sp.expand((x + 1) ** 2), "expand")
    return b.build()

def module(derivation):
    expr = sp.Sum(w[i] * z[i] ** (n + 1), (i, 1, N))
    return ModuleSpec(name="modesum", source="modesum", doc="a user's mode sum", functions=(
        FunctionSpec("modes", (Arg("z", "vector"), Arg("w", "vector"), Arg("e", "scalar"), Arg("L", "int")),
                     PowerKernel.from_indexed_sum(sp.Symbol("e"), expr, n),
                     "K_0 = e, K_n = sum_i w_i z_i^(n+1)"),))

register(Entry("modesum-user", "a user's mode sum", derive, module))
'''


def test_user_derivation_of_the_same_shape_gets_the_vectorised_plan(tmp_path):
    # a derivation loaded with --proofs: K_n = Σ_i w_i z_i^(n+1), 3 conjugate pairs, |z| ~ U(0.6, 0.99)
    (tmp_path / "modesum.py").write_text(USER_PROOF)
    out = tmp_path / "modesum_numba.py"
    r = _derive("--proofs", str(tmp_path), "code", "modesum-user", "--backend", "numba", "-o", str(out))
    assert r.returncode == 0, r.stderr
    src = out.read_text()
    assert "def _modes_prep(" in src and "def _modes_complex(" in src and "def _modes_real(" in src
    # the user imports the file `derive code -o` wrote, as any module (the cache's checked loader
    # only runs code this process rendered)
    spec = importlib.util.spec_from_file_location("modesum_numba_user", out)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rng = np.random.default_rng(143)
    z = rng.uniform(0.6, 0.99, 3) * np.exp(1j * rng.uniform(0, np.pi, 3))
    wv = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    z, wv = np.concatenate([z, z.conj()]), np.concatenate([wv, wv.conj()])
    L = 300
    # Σ_i w_i z_i^(n+1) = Σ_i (w_i z_i²) z_i^(n-1): the mpmath running powers of the diagonal kernel
    ref = _diag_mp(z, wv * z * z, np.ones_like(z), 0.5, L)
    assert _nrel(mod.modes(z, wv, 0.5, L), ref) < 1e-13


def test_diagonal_cut_off_keeps_inf_nan_and_nearly_unit_modes(ssm):
    with np.errstate(all="ignore"):
        K = ssm.kernel_diag(np.array([1 - 1e-17, 0.5]), np.array([1.0, np.inf]), np.ones(2), 0.0, 6)
        assert np.all(np.isinf(K[1:]))
        K = ssm.kernel_diag(np.array([0.5, 0.5]), np.array([1.0, np.nan]), np.ones(2), 0.0, 6)
        assert np.all(np.isnan(K[1:]))
