"""LSTM BPTT backward benchmark: generated code vs hand-written baselines, one run.

Run from the repository root:  python benchmarks/bench_bptt.py
Inputs (seed 0): T = 512, H = 64, D = 32, batch 1; weights ~ U(-0.2, 0.2); x, y, h0, c0 ~ U(-1, 1).
Times the backward pass only (every adjoint + all eight weight gradients) from stored forward
activations; single-threaded BLAS and Numba.  Prints the ratio to the hand-written
Numba-loop + NumPy-GEMM baseline (PERFORMANCE.md's best technique; target ≤ 1.1x) and to the
hand-written plain NumPy BPTT.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import baselines_bptt as base  # noqa: E402
from _timing import best_time, rel_err  # noqa: E402
from derive import get  # noqa: E402
from derive.emit import codegen  # noqa: E402

TARGET = 1.1
GATES = "ipog"
WEIGHTS = ("W_ix", "W_ih", "W_px", "W_ph", "W_ox", "W_oh", "W_gx", "W_gh")


def main() -> int:
    T, H, D = 512, 64, 32
    rng = np.random.default_rng(0)
    W = {w: rng.uniform(-0.2, 0.2, (H, D if w.endswith("x") else H)) for w in WEIGHTS}
    x, y = rng.uniform(-1, 1, (T, D)), rng.uniform(-1, 1, (T, H))
    h0, c0 = rng.uniform(-1, 1, H), rng.uniform(-1, 1, H)
    Wx = np.vstack([W[f"W_{g}x"] for g in GATES])
    Wh = np.vstack([W[f"W_{g}h"] for g in GATES])
    WhT = np.ascontiguousarray(Wh.T)
    Ws = [W[w] for w in WEIGHTS]

    spec = get("lstm-bptt").module_spec()
    gen = {be: codegen.load_module(codegen.write_module(spec, be)) for be in ("numpy", "numba")}
    state = {be: gen[be].lstm_bptt_forward(*Ws, x, h0, c0) for be in gen}
    acts = base.forward(Wx, Wh, x, h0, c0)

    def stacked(grads):
        g = dict(zip(WEIGHTS, grads))
        return np.concatenate([np.vstack([g[f"W_{q}x"] for q in GATES]).ravel(),
                               np.vstack([g[f"W_{q}h"] for q in GATES]).ravel()])

    ref = np.concatenate([a.ravel() for a in base.backward_numpy(acts, Wh, x, y)])
    rows = {
        "generated numba": (lambda: gen["numba"].lstm_bptt_backward(state["numba"], *Ws, y), stacked),
        "hand-written numba+GEMM": (lambda: base.backward_numba(acts, Wh, x, y, WhT),
                                    lambda r: np.concatenate([a.ravel() for a in r])),
        "generated numpy": (lambda: gen["numpy"].lstm_bptt_backward(state["numpy"], *Ws, y), stacked),
        "hand-written numpy": (lambda: base.backward_numpy(acts, Wh, x, y),
                               lambda r: np.concatenate([a.ravel() for a in r])),
    }
    errs = {k: rel_err(conv(f()), ref) for k, (f, conv) in rows.items()}
    times = {k: best_time(f, repeats=5 if "numpy" in k else 20) for k, (f, _) in rows.items()}
    # the two Numba passes are close: time them interleaved so load from other processes hits both alike
    pair = ("generated numba", "hand-written numba+GEMM")
    for _ in range(15):
        for k in pair:
            times[k] = min(times[k], best_time(rows[k][0], repeats=1))

    print(f"LSTM BPTT backward, T={T}, H={H}, D={D}, batch 1 (seed 0)")
    best = times["hand-written numba+GEMM"]
    for k, dt in times.items():
        print(f"  {k:26s} {dt * 1e3:8.3f} ms   x{dt / best:6.2f} vs hand-written numba+GEMM   "
              f"x{dt / times['hand-written numpy']:5.2f} vs hand-written numpy   rel.err {errs[k]:.1e}")
    ratio = times["generated numba"] / best
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"generated numba / hand-written numba+GEMM = {ratio:.2f} ({verdict} the {TARGET}x target)")
    print(f"generated numba / hand-written numpy = {times['generated numba'] / times['hand-written numpy']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
