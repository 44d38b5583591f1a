"""Hand-written baselines for causal ridge attention, written before the generated path.

Causal ridge attention: for t = 1..n, with keys k_i, values v_i, queries q_t (rows of
K, V, Q, each n x d) and ridge λ > 0,

    S_t = λI + Σ_{i≤t} k_i k_iᵀ,   R_t = Σ_{i≤t} k_i v_iᵀ,   o_t = R_tᵀ S_t⁻¹ q_t.

These are the comparison points of benchmarks/bench_ridge_attention.py; none of them is
produced by `derive`.
"""

from __future__ import annotations

import numba
import numpy as np


def rebuild_solve(Q: np.ndarray, K: np.ndarray, V: np.ndarray, lam: float) -> np.ndarray:
    """The naive form: per token, update S_t and R_t by the new rank-one terms and solve
    the d x d ridge system S_t a = q_t with LAPACK (O(d³) per token)."""
    n, d = K.shape
    S = lam * np.eye(d)
    R = np.zeros((d, V.shape[1]))
    out = np.empty((n, V.shape[1]))
    for t in range(n):
        S += np.outer(K[t], K[t])
        R += np.outer(K[t], V[t])
        out[t] = R.T @ np.linalg.solve(S, Q[t])
    return out


def rebuild_from_scratch(Q: np.ndarray, K: np.ndarray, V: np.ndarray, lam: float) -> np.ndarray:
    """Per token, rebuild S_t = λI + K_tᵀK_t and R_t = K_tᵀV_t from all tokens so far and
    solve (O(t d²) per token): the slow, obviously-correct reference."""
    n, d = K.shape
    out = np.empty((n, V.shape[1]))
    for t in range(n):
        Kt, Vt = K[: t + 1], V[: t + 1]
        S = Kt.T @ Kt + lam * np.eye(d)
        out[t] = (Kt.T @ Vt).T @ np.linalg.solve(S, Q[t])
    return out


def sherman_morrison_numpy(Q: np.ndarray, K: np.ndarray, V: np.ndarray, lam: float) -> np.ndarray:
    """Plain NumPy running inverse P_t = S_t⁻¹ by Sherman–Morrison (O(d²) per token)."""
    n, d = K.shape
    P = np.eye(d) / lam
    R = np.zeros((d, V.shape[1]))
    out = np.empty((n, V.shape[1]))
    for t in range(n):
        k = K[t]
        u = P @ k
        P -= np.outer(u, u) / (1.0 + k @ u)
        R += np.outer(k, V[t])
        out[t] = R.T @ (P @ Q[t])
    return out


@numba.njit(cache=True)
def sherman_morrison_numba(Q: np.ndarray, K: np.ndarray, V: np.ndarray, lam: float) -> np.ndarray:
    """Numba running inverse, single-threaded: P ← P − (Pk)(Pk)ᵀ/(1 + kᵀPk), R ← R + k vᵀ,
    o = Rᵀ(P q).  P stays symmetric, so every product is a sum of contiguous rows
    (P k = Σ_j k_j P[j, :]), which vectorises without reassociating a reduction; the
    update of P and the product P q share one pass, as do the update of R and Rᵀ a."""
    n, d = K.shape
    dv = V.shape[1]
    P = np.zeros((d, d))
    for i in range(d):
        P[i, i] = 1.0 / lam
    R = np.zeros((d, dv))
    out = np.zeros((n, dv))
    u = np.empty(d)
    a = np.empty(d)
    for t in range(n):
        # u = P k (rows of the symmetric P) and the denominator 1 + kᵀ u
        u[:] = 0.0
        for j in range(d):
            kj = K[t, j]
            for i in range(d):
                u[i] += P[j, i] * kj
        den = 1.0
        for i in range(d):
            den += K[t, i] * u[i]
        inv = 1.0 / den
        # P ← P − u uᵀ / den, row by row; a = P q accumulated from the finished rows
        a[:] = 0.0
        for i in range(d):
            ui = u[i] * inv
            qi = Q[t, i]
            for j in range(d):
                P[i, j] -= ui * u[j]
                a[j] += P[i, j] * qi
        # R ← R + k vᵀ, row by row; o = Rᵀ a from the finished rows
        for i in range(d):
            ki = K[t, i]
            ai = a[i]
            for j in range(dv):
                R[i, j] += ki * V[t, j]
                out[t, j] += R[i, j] * ai
    return out


def seeded_inputs(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Q, K, V with N(0, 1/d) entries (unit-norm-ish rows), λ = 1, from ``seed``."""
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(d)
    Q = rng.standard_normal((n, d)) * scale
    K = rng.standard_normal((n, d)) * scale
    V = rng.standard_normal((n, d)) * scale
    return Q, K, V, 1.0
