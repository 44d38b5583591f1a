"""Hand-written LSTM BPTT baselines, written before the generated path.

The model is the seed's LSTM (forget gate p): a_· = W_·x x^{(t)} + W_·h h^{(t-1)} for the
gates i, p, o (σ) and the candidate g (tanh); c^{(t)} = p c^{(t-1)} + i g; h^{(t)} = o tanh c;
loss L = Σ_t ½‖h^{(t)} − y^{(t)}‖².  The gate weights are stacked in the order i, p, o, g:
Wx (4H × D), Wh (4H × H).  Arrays are indexed by t with row 0 the initial state.

* ``forward``: the forward pass storing activations (shared by both backward passes);
* ``backward_numpy``: plain NumPy BPTT, one time step at a time;
* ``backward_numba``: PERFORMANCE.md's best technique — a Numba loop for the elementwise
  adjoints (one stacked GEMV Whᵀ ā^{(t+1)} per step) and NumPy GEMMs for the weight
  gradients after the loop.

None of this is produced by ``derive``; it is the comparison point of bench_bptt.py.
"""

from __future__ import annotations

import numba
import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(Wx, Wh, x, h0, c0):
    """x: (T, D). Returns dict of (T + 1, H) arrays i, p, o, g, c, h (row 0: h0/c0, gates 0)."""
    T, H = x.shape[0], h0.shape[0]
    acts = {k: np.zeros((T + 1, H)) for k in ("i", "p", "o", "g", "c", "h")}
    acts["h"][0], acts["c"][0] = h0, c0
    ax = x @ Wx.T  # (T, 4H): the input part of every pre-activation in one GEMM
    for t in range(1, T + 1):
        a = ax[t - 1] + Wh @ acts["h"][t - 1]
        i, p, o = _sigmoid(a[:H]), _sigmoid(a[H:2 * H]), _sigmoid(a[2 * H:3 * H])
        g = np.tanh(a[3 * H:])
        c = p * acts["c"][t - 1] + i * g
        acts["i"][t], acts["p"][t], acts["o"][t], acts["g"][t], acts["c"][t] = i, p, o, g, c
        acts["h"][t] = o * np.tanh(c)
    return acts


def backward_numpy(acts, Wh, x, y):
    """Plain NumPy BPTT. y: (T, H). Returns (dWx (4H × D), dWh (4H × H))."""
    i, p, o, g, c, h = (acts[k] for k in ("i", "p", "o", "g", "c", "h"))
    T, H = x.shape[0], h.shape[1]
    da = np.zeros((T + 1, 4 * H))  # row t: ā^{(t)}; row T would be read at t + 1 = T + 1 → keep a zero row
    da_next = np.zeros(4 * H)
    dc_next = np.zeros(H)
    p_next = np.zeros(H)
    for t in range(T, 0, -1):
        dh = h[t] - y[t - 1] + Wh.T @ da_next
        tc = np.tanh(c[t])
        do = dh * tc
        dc = dh * o[t] * (1.0 - tc * tc) + dc_next * p_next
        di, dp, dg = dc * g[t], dc * c[t - 1], dc * i[t]
        cur = np.concatenate((di * i[t] * (1 - i[t]), dp * p[t] * (1 - p[t]), do * o[t] * (1 - o[t]),
                              dg * (1 - g[t] * g[t])))
        da[t] = cur
        da_next, dc_next, p_next = cur, dc, p[t]
    dWx = da[1:].T @ x
    dWh = da[1:].T @ h[:-1]
    return dWx, dWh


@numba.njit(cache=True)
def _adjoint_loop(i, p, o, g, c, h, y, WhT):
    T, H = h.shape[0] - 1, h.shape[1]
    da = np.zeros((T + 2, 4 * H))
    dc_next = np.zeros(H)
    dh = np.empty(H)
    for t in range(T, 0, -1):
        back = WhT @ da[t + 1]  # Whᵀ ā^{(t+1)}: one GEMV for all four gates
        for j in range(H):
            dh[j] = h[t, j] - y[t - 1, j] + back[j]
            tc = np.tanh(c[t, j])
            pn = p[t + 1, j] if t < T else 0.0
            dcj = dh[j] * o[t, j] * (1.0 - tc * tc) + dc_next[j] * pn
            dc_next[j] = dcj
            ij, pj, oj, gj = i[t, j], p[t, j], o[t, j], g[t, j]
            da[t, j] = dcj * gj * ij * (1.0 - ij)
            da[t, H + j] = dcj * c[t - 1, j] * pj * (1.0 - pj)
            da[t, 2 * H + j] = dh[j] * tc * oj * (1.0 - oj)
            da[t, 3 * H + j] = dcj * ij * (1.0 - gj * gj)
    return da


def backward_numba(acts, Wh, x, y, WhT=None):
    """Numba loop for the elementwise adjoints + NumPy GEMMs for the weight gradients."""
    if WhT is None:
        WhT = np.ascontiguousarray(Wh.T)
    T = x.shape[0]
    i, p, o, g, c, h = (acts[k] for k in ("i", "p", "o", "g", "c", "h"))
    da = _adjoint_loop(i, p, o, g, c, h, y, WhT)
    dWx = da[1:T + 1].T @ x
    dWh = da[1:T + 1].T @ h[:-1]
    return dWx, dWh
