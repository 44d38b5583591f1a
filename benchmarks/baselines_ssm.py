"""Hand-written baselines for the SSM convolution kernel, written before the generated path.

Each function computes K_0..K_{L-1} with K_0 = D and K_l = C A^{l-1} B (l >= 1) for a
single-input single-output system.  These are the comparison points of
benchmarks/bench_ssm_kernel.py; none of them is produced by `derive`.
"""

from __future__ import annotations

import numpy as np
import numba

TINY = 2.2250738585072014e-308  # smallest normal float64


# --- diagonal A = diag(a): K_l = sum_i c_i b_i a_i^{l-1} ---------------------------------

def diag_vandermonde_pow(a, b, c, d, L):
    """The naive form: a Vandermonde matrix built with ``**``."""
    ell = np.arange(L - 1, dtype=np.float64)
    V = a[:, None] ** ell[None, :]
    out = np.empty(L)
    out[0] = d
    out[1:] = (c * b) @ V
    return out


def diag_exp_log(a, b, c, d, L):
    """Plain NumPy of the closed form in log space (positive a only)."""
    ell = np.arange(L - 1, dtype=np.float64)
    V = np.exp(ell[None, :] * np.log(a)[:, None])
    out = np.empty(L)
    out[0] = d
    out[1:] = (c * b) @ V
    return out


@numba.njit(cache=True)
def diag_fused_numba(a, b, c, d, L):
    """Fused running powers, one mode at a time; a mode stops once its term is no longer
    a normal float64 (its remaining contribution is below the subnormal range)."""
    out = np.zeros(L)
    out[0] = d
    for i in range(a.shape[0]):
        r = c[i] * b[i]
        ai = a[i]
        for ell in range(1, L):
            out[ell] += r
            r *= ai
            if abs(r) < TINY:
                break
    return out


# --- general A: K_l = C A^{l-1} B ---------------------------------------------------------

def general_matrix_power(A, B, C, D, L, budget_s=None):
    """The naive form: one matrix_power per l.  Returns (K, l_done) so a caller can cap
    the time and extrapolate."""
    import time

    out = np.zeros(L)
    out[0] = D
    t0 = time.perf_counter()
    for ell in range(1, L):
        out[ell] = C @ np.linalg.matrix_power(A, ell - 1) @ B
        if budget_s is not None and time.perf_counter() - t0 > budget_s:
            return out, ell
    return out, L - 1


def general_loop_numpy(A, B, C, D, L):
    """v <- A v, one matvec per l, in a Python loop."""
    out = np.empty(L)
    out[0] = D
    v = B.copy()
    for ell in range(1, L):
        out[ell] = C @ v
        v = A @ v
    return out


@numba.njit(cache=True)
def general_loop_numba(A, B, C, D, L):
    """v <- A v in Numba."""
    n = A.shape[0]
    out = np.empty(L)
    out[0] = D
    v = B.copy()
    w = np.empty(n)
    for ell in range(1, L):
        s = 0.0
        for i in range(n):
            s += C[i] * v[i]
        out[ell] = s
        for i in range(n):
            t = 0.0
            for j in range(n):
                t += A[i, j] * v[j]
            w[i] = t
        v, w = w, v
    return out


def general_block_krylov(A, B, C, D, L, m=64):
    """Block Krylov: P = [B, AB, ..., A^{m-1}B] once, rows W_j = C (A^m)^j, then one GEMM."""
    n = A.shape[0]
    P = np.empty((n, m))
    v = B.copy()
    for r in range(m):
        P[:, r] = v
        v = A @ v
    Am = np.linalg.matrix_power(A, m)
    J = -(-(L - 1) // m)
    W = np.empty((J, n))
    w = C.copy()
    for j in range(J):
        W[j] = w
        w = w @ Am
    out = np.empty(L)
    out[0] = D
    out[1:] = (W @ P).ravel()[: L - 1]
    return out
