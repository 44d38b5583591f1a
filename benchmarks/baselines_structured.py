"""Hand-written baselines for the structured SSM kernels, written before the generated path.

DPLR rank-one kernel (A = I + p p^T, single input/output): K_0 = d,
K_l = c.b + c_{l-1} (c.p)(p.b), c_m = ((1+s)^m - 1)/s, s = p.p.

S4 kernel from the truncated generating function: for a continuous DPLR system
A = diag(lam) - P Q^*, bilinear step ``step``, Kbar_l = Cbar Abar^l Bbar (l = 0..L-1) is
recovered by an inverse real FFT from Khat(z) = C~ (I - Abar z)^{-1} Bbar at the L-th
roots of unity z_k = exp(-2 pi i k / L), k = 0..L/2, written (with Woodbury) as Cauchy sums
over the diagonal lam.  ``Ct`` is C~ = Cbar (I - Abar^L) (precomputed).

None of these is produced by `derive`; they are the comparison points of
benchmarks/bench_structured.py (PERFORMANCE.md's techniques).
"""

from __future__ import annotations

import math

import numba
import numpy as np

LOG_MAX = math.log(np.finfo(np.float64).max)


# --- DPLR rank-one kernel ------------------------------------------------------------------------

def dplr_naive(p, b, c, d, L):
    """The naive form: ((1+s)^(l-1) - 1)/s with ``**`` (cancels for small s, overflows early)."""
    s = float(p @ p)
    m = np.arange(L - 1, dtype=np.float64)
    out = np.empty(L)
    out[0] = d
    with np.errstate(over="ignore", invalid="ignore"):
        out[1:] = float(c @ b) + ((1.0 + s) ** m - 1.0) / s * (float(c @ p) * float(p @ b))
    return out


def dplr_expm1_numpy(p, b, c, d, L):
    """Plain NumPy of the stable closed form: expm1((l-1) log1p s)/s (s != 0 assumed; no
    overflow branch: inf a few steps early where expm1 overflows but the quotient would not)."""
    s = float(p @ p)
    m = np.arange(L - 1, dtype=np.float64)
    out = np.empty(L)
    out[0] = d
    with np.errstate(over="ignore"):
        out[1:] = float(c @ b) + np.expm1(m * np.log1p(s)) / s * (float(c @ p) * float(p @ b))
    return out


@numba.njit(cache=True, error_model="numpy")
def _dplr_blocks(s, const, weight, d, L):
    K = np.empty(L)
    K[0] = d
    M = L - 1
    if M <= 0:
        return K
    if abs(s) < 1e-300:  # c_m = m to far below one ulp
        for i in range(M):
            K[1 + i] = const + i * weight
        return K
    t = math.log1p(s)
    g = weight / s
    BLOCK = 256
    nb = min(BLOCK, M)
    E = np.empty(nb)
    for j in range(nb):
        E[j] = math.expm1(j * t)
    # (e^a - 1)(e^b - 1) + (e^a - 1) + (e^b - 1) = e^{a+b} - 1: one expm1 per block;
    # K = const + g * (Ea + (Ea + 1) Eb) = alpha + beta * Eb
    for start in range(0, M, BLOCK):
        stop = min(start + BLOCK, M)
        if (start + BLOCK) * t > LOG_MAX - 1.0:
            for i in range(start, stop):
                x = i * t
                if x > LOG_MAX:
                    K[1 + i] = const + math.exp(x - math.log(s)) * weight
                else:
                    K[1 + i] = const + math.expm1(x) / s * weight
        else:
            Ea = math.expm1(start * t)
            alpha = const + g * Ea
            beta = g * (Ea + 1.0)
            for j in range(stop - start):
                K[1 + start + j] = alpha + beta * E[j]
    return K


def dplr_blocked_numba(p, b, c, d, L):
    """PERFORMANCE.md's best: Numba, blocks of l, expm1 addition formula (one expm1 per block)."""
    return _dplr_blocks(float(p @ p), float(c @ b), float(c @ p) * float(p @ b), float(d), int(L))


# --- S4: Cauchy kernel + inverse real FFT ---------------------------------------------------------

def s4_naive_power(Ab, Bb, Cb, L):
    """The naive Abar-power kernel: v <- Abar v, K_l = Cbar v (dense, O(L N^2))."""
    v = Bb.reshape(-1).astype(Ab.dtype)
    Cb = Cb.reshape(-1)
    out = np.empty(L, dtype=np.result_type(Ab, Cb))
    for ell in range(L):
        out[ell] = Cb @ v
        v = Ab @ v
    return out.real


def s4_cauchy_numpy(lam, P, Q, B, Ct, step, L):
    """Plain NumPy: the N x (L/2+1) Cauchy matrix at half the roots of unity, Woodbury, irfft."""
    z = np.exp(-2j * np.pi * np.arange(L // 2 + 1) / L)
    g = (2.0 / step) * (1.0 - z) / (1.0 + z)
    c = 2.0 / (1.0 + z)
    R = 1.0 / (g[:, None] - lam[None, :])
    Qc = Q.conj()
    k00 = R @ (Ct * B)
    k01 = R @ (Ct * P)
    k10 = R @ (Qc * B)
    k11 = R @ (Qc * P)
    at_roots = c * (k00 - k01 * k10 / (1.0 + k11))
    return np.fft.irfft(at_roots, L)


@numba.njit(cache=True, fastmath={"reassoc", "contract"})
def _s4_roots(lam, v00, v01, v10, v11, step, L):
    # reassociation lets LLVM vectorise the Cauchy sums over i (a summation-order change only)
    H = L // 2 + 1
    out = np.empty(H, dtype=np.complex128)
    two_over = 2.0 / step
    lr, li = lam.real.copy(), lam.imag.copy()
    w0r, w0i, w1r, w1i = v00.real.copy(), v00.imag.copy(), v01.real.copy(), v01.imag.copy()
    w2r, w2i, w3r, w3i = v10.real.copy(), v10.imag.copy(), v11.real.copy(), v11.imag.copy()
    n = lam.shape[0]
    for k in range(H):
        ang = -2.0 * np.pi * k / L
        zr, zi = math.cos(ang), math.sin(ang)
        opr, opi = 1.0 + zr, zi  # 1 + z
        nr, ni = two_over * (1.0 - zr), -two_over * zi  # (1+z) g(z): finite also at z = -1
        s0r = s0i = s1r = s1i = s2r = s2i = s3r = s3i = 0.0
        for i in range(n):
            # r = 2 / (num - (1+z) lam_i) = c(z) / (g(z) - lam_i), in real arithmetic
            dr = nr - (opr * lr[i] - opi * li[i])
            di = ni - (opr * li[i] + opi * lr[i])
            f = 2.0 / (dr * dr + di * di)
            rr, ri = dr * f, -di * f
            s0r += w0r[i] * rr - w0i[i] * ri
            s0i += w0r[i] * ri + w0i[i] * rr
            s1r += w1r[i] * rr - w1i[i] * ri
            s1i += w1r[i] * ri + w1i[i] * rr
            s2r += w2r[i] * rr - w2i[i] * ri
            s2i += w2r[i] * ri + w2i[i] * rr
            s3r += w3r[i] * rr - w3i[i] * ri
            s3i += w3r[i] * ri + w3i[i] * rr
        a00 = complex(s0r, s0i)
        a01 = complex(s1r, s1i)
        a10 = complex(s2r, s2i)
        a11 = complex(s3r, s3i)
        opz = complex(opr, opi)
        # c (k00 - k01 k10 / (1 + k11)) with c k = a: a00 - a01 a10 (1+z) / (2 + (1+z) a11)
        out[k] = a00 - a01 * a10 * opz / (2.0 + opz * a11)
    return out


def s4_cauchy_numba(lam, P, Q, B, Ct, step, L):
    """PERFORMANCE.md's best: Numba fused Cauchy sums over half the roots of unity + irfft."""
    Qc = Q.conj()
    at_roots = _s4_roots(lam, Ct * B, Ct * P, Qc * B, Qc * P, float(step), int(L))
    return np.fft.irfft(at_roots, L)
