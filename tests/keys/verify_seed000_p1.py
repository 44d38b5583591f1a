"""Numeric checks behind the answer key for seed 000, Problem 1 (lines 1-455).

Each function returns True when the key's `truth` for the statements that name it is
confirmed. References are independent of the formulas they check: the state recurrence
x_{k+1} = A x_k + B u_k, y_k = C x_k + D u_k (x_0 = 0) is run step by step in mpmath on a
random input, matrix powers are repeated products, sums are expanded term by term.
Nothing here imports derive.

Inputs: numpy default_rng with a fixed seed per check; entries ~ U(-1, 1) unless stated.
"""

from fractions import Fraction
from math import comb, log2

import mpmath as mp
import numpy as np

DPS = 40  # each check runs under mpmath.workdps(DPS) (the test sets it; the global precision is shared)
mp.mp.dps = DPS
TOL = mp.mpf(10) ** -30


def _rand(rng, rows, cols, lo=-1.0, hi=1.0):
    return mp.matrix([[mp.mpf(float(v)) for v in row] for row in rng.uniform(lo, hi, (rows, cols))])


def _eye(n):
    return mp.eye(n)


def _pow(A, k):
    # repeated multiplication: the independent reference for a matrix power
    P = _eye(A.rows)
    for _ in range(k):
        P = P * A
    return P


def _maxabs(M):
    if isinstance(M, mp.matrix):
        return max(abs(M[i, j]) for i in range(M.rows) for j in range(M.cols))
    return abs(M)


def _close(X, Y, tol=TOL):
    return _maxabs(X - Y) <= tol * max(mp.mpf(1), _maxabs(Y))


def _simulate(A, B, C, D, us):
    """Outputs y_0..y_{K-1} of the recurrence with x_0 = 0 (us: list of input column vectors)."""
    x = mp.zeros(A.rows, 1)
    ys, xs = [], [x]
    for u in us:
        ys.append(C * x + D * u)
        x = A * x + B * u
        xs.append(x)
    return ys, xs


def _system(seed, n=3, du=1, dy=1, scale=0.6):
    rng = np.random.default_rng(seed)
    A = _rand(rng, n, n) * mp.mpf(scale)
    return rng, A, _rand(rng, n, du), _rand(rng, dy, n), _rand(rng, dy, du)


def _inputs(rng, count, du=1):
    return [_rand(rng, du, 1) for _ in range(count)]


def _kernel(A, B, C, D, L):
    """K_0 = D, K_l = C A^{l-1} B (the statement under test, built with repeated products)."""
    return [D] + [C * _pow(A, l - 1) * B for l in range(1, L + 1)]


# ---------------------------------------------------------------- (a) unrolling

def p1a_unroll_first_states():
    """x_1 = Ax_0 + Bu_0 = Bu_0, x_2 = ABu_0 + Bu_1, x_3 = A^2Bu_0 + ABu_1 + Bu_2 (lines 56-58)."""
    rng, A, B, _, _ = _system(1, n=3, du=2)
    us = _inputs(rng, 3, du=2)
    _, xs = _simulate(A, B, mp.zeros(1, 3), mp.zeros(1, 2), us)
    x0 = mp.zeros(3, 1)
    return (_close(xs[1], A * x0 + B * us[0]) and _close(xs[1], B * us[0])
            and _close(xs[2], A * xs[1] + B * us[1]) and _close(xs[2], A * B * us[0] + B * us[1])
            and _close(xs[3], A * xs[2] + B * us[2])
            and _close(xs[3], A * A * B * us[0] + A * B * us[1] + B * us[2]))


def p1a_state_sum():
    """x_k = sum_{l=0}^{k-1} A^{k-1-l} B u_l for k = 1..9 (line 62)."""
    rng, A, B, _, _ = _system(2, n=4, du=2)
    us = _inputs(rng, 9, du=2)
    _, xs = _simulate(A, B, mp.zeros(1, 4), mp.zeros(1, 2), us)
    return all(_close(xs[k], sum((_pow(A, k - 1 - l) * B * us[l] for l in range(k)), mp.zeros(4, 1)))
               for k in range(1, 10))


def _outputs_three_ways(seed):
    rng, A, B, C, D = _system(seed, n=3, du=2, dy=2)
    us = _inputs(rng, 9, du=2)
    ys, _ = _simulate(A, B, C, D, us)
    return A, B, C, D, us, ys


def p1a_output_substituted():
    """y_k = C(sum_{l<k} A^{k-1-l} B u_l) + D u_k (line 68), k = 0..8 (empty sum at k = 0)."""
    A, B, C, D, us, ys = _outputs_three_ways(3)
    return all(_close(ys[k], C * sum((_pow(A, k - 1 - l) * B * us[l] for l in range(k)), mp.zeros(3, 1))
                      + D * us[k]) for k in range(9))


def p1a_output_reindexed_j():
    """y_k = sum_{j=0}^{k-1} C A^j B u_{k-1-j} + D u_k (line 72)."""
    A, B, C, D, us, ys = _outputs_three_ways(4)
    return all(_close(ys[k], sum((C * _pow(A, j) * B * us[k - 1 - j] for j in range(k)), mp.zeros(2, 1))
                      + D * us[k]) for k in range(9))


def p1a_output_reindexed_m():
    """y_k = D u_k + sum_{m=1}^{k} C A^{m-1} B u_{k-m} (line 76)."""
    A, B, C, D, us, ys = _outputs_three_ways(5)
    return all(_close(ys[k], D * us[k] + sum((C * _pow(A, m - 1) * B * us[k - m] for m in range(1, k + 1)),
                                             mp.zeros(2, 1))) for k in range(9))


def p1a_reindex_inverse():
    """j = k - 1 - l  =>  l = k - 1 - j, over a grid of integers (line 70)."""
    return all((k - 1 - (k - 1 - ell)) == ell for k in range(-5, 20) for ell in range(-5, 20))


def _coefficients(A, B, C, D, k):
    # coefficient matrix of u_{k-l} in y_k, read off the recurrence by unit inputs (it is linear)
    du = B.cols
    coeffs = []
    for ell in range(k + 1):
        cols = []
        for c in range(du):
            us = [mp.zeros(du, 1) for _ in range(k + 1)]
            us[k - ell][c] = 1
            ys, _ = _simulate(A, B, C, D, us)
            cols.append(ys[k])
        coeffs.append(mp.matrix([[cols[c][r] for c in range(du)] for r in range(C.rows)]))
    return coeffs


def p1a_k0_is_D():
    """The coefficient of u_k in y_k is D, so K_0 = D (lines 82, 93, 99, 165, 253)."""
    _, A, B, C, D = _system(6, n=3, du=2, dy=2)
    return all(_close(_coefficients(A, B, C, D, k)[0], D) for k in range(0, 6))


def p1a_kl_coefficient():
    """The coefficient of u_{k-l} in y_k is C A^{l-1} B for 1 <= l <= k (line 83 and restatements)."""
    _, A, B, C, D = _system(7, n=3, du=2, dy=2)
    k = 6
    coeffs = _coefficients(A, B, C, D, k)
    return all(_close(coeffs[ell], C * _pow(A, ell - 1) * B) for ell in range(1, k + 1))


def p1a_convolution():
    """The recurrence run on a random u equals the zero-padded convolution with K_0 = D,
    K_l = C A^{l-1} B, for k = 0..L (scalar and vector channels; lines 85, 149, 295, 312, 395)."""
    ok = True
    for seed, (n, du, dy) in enumerate([(3, 1, 1), (4, 2, 3)], start=8):
        rng, A, B, C, D = _system(seed, n=n, du=du, dy=dy)
        L = 7
        us = _inputs(rng, L + 1, du=du)
        ys, _ = _simulate(A, B, C, D, us)
        K = _kernel(A, B, C, D, L)

        def u(i):
            return us[i] if i >= 0 else mp.zeros(du, 1)  # zero padding for negative indices

        for k in range(L + 1):
            ok = ok and _close(ys[k], sum((K[ell] * u(k - ell) for ell in range(L + 1)), mp.zeros(dy, 1)))
    return ok


def p1a_sum_stops_at_min_k_L():
    """Terms with l > k multiply padded zeros, so the sum runs to min(k, L) (lines 85, 97)."""
    rng, A, B, C, D = _system(10)
    L = 6
    us = _inputs(rng, L + 1)
    ys, _ = _simulate(A, B, C, D, us)
    K = _kernel(A, B, C, D, L)
    return all(_close(ys[k], sum((K[ell] * us[k - ell] for ell in range(min(k, L) + 1)), mp.zeros(1, 1)))
               for k in range(L + 1))


# ---------------------------------------------------------------- (b) concrete kernels

ALPHA, BETA, GAMMA = Fraction(4, 5), Fraction(1), Fraction(3, 2)


def _scalar_impulse(delta, steps):
    # exact rational simulation of the scalar system with an impulse at time 0
    x, ys = Fraction(0), []
    for k in range(steps):
        u = Fraction(1) if k == 0 else Fraction(0)
        ys.append(GAMMA * x + delta * u)
        x = ALPHA * x + BETA * u
    return ys


def p1b_scalar_k0():
    """K_0 = D = delta: the impulse response at time 0 is delta, for any delta (lines 109, 111)."""
    return all(_scalar_impulse(Fraction(d), 1)[0] == Fraction(d) for d in (0, 1, -3, Fraction(2, 7)))


def p1b_scalar_general():
    """K_l = C A^{l-1} B = gamma alpha^{l-1} beta for l = 1..12 (line 109)."""
    ys = _scalar_impulse(Fraction(0), 13)
    return all(ys[ell] == GAMMA * ALPHA ** (ell - 1) * BETA for ell in range(1, 13))


def p1b_scalar_values():
    """K_1..K_4 = 1.5, 1.2, 0.96, 0.768 and each written product (lines 112-115)."""
    ys = _scalar_impulse(Fraction(0), 5)
    products = [Fraction(3, 2) * 1 * 1, Fraction(3, 2) * Fraction(4, 5) * 1,
                Fraction(3, 2) * Fraction(64, 100) * 1, Fraction(3, 2) * Fraction(512, 1000) * 1]
    powers_ok = [ALPHA ** 0, ALPHA ** 1, ALPHA ** 2, ALPHA ** 3] == [1, Fraction(4, 5), Fraction(64, 100),
                                                                    Fraction(512, 1000)]
    values = [Fraction(15, 10), Fraction(12, 10), Fraction(96, 100), Fraction(768, 1000)]
    return powers_ok and ys[1:5] == products == values


def p1b_scalar_list():
    """K = [delta, 1.5, 1.2, 0.96, 0.768] is the impulse response K_0..K_4 for L = 4 (lines 117, 255)."""
    delta = Fraction(-5, 3)
    return _scalar_impulse(delta, 5) == [delta, Fraction(3, 2), Fraction(6, 5), Fraction(24, 25),
                                         Fraction(96, 125)]


A2 = [[Fraction(7, 10), Fraction(1, 10)], [Fraction(2, 10), Fraction(6, 10)]]


def _mm(X, Y):
    return [[sum(X[i][t] * Y[t][j] for t in range(len(Y))) for j in range(len(Y[0]))] for i in range(len(X))]


def _impulse_2d(steps):
    x, ys = [[Fraction(0)], [Fraction(0)]], []
    for k in range(steps):
        u = 1 if k == 0 else 0
        ys.append(x[0][0])  # C = (1 0), D = 0
        ax = _mm(A2, x)
        x = [[ax[0][0] + u], [ax[1][0]]]  # B = (1, 0)^T
    return ys


def p1b_2d_products():
    """AB = (0.7, 0.2)^T, C(AB) = 0.7, A^2 = [[0.49+0.02, 0.07+0.06], [0.14+0.12, 0.02+0.36]]
    = [[0.51, 0.13], [0.26, 0.38]], A^2B = (0.51, 0.26)^T, C(A^2B) = 0.51, CB = 1 (lines 132-135)."""
    F = Fraction
    B2, C2 = [[F(1)], [F(0)]], [[F(1), F(0)]]
    AA = _mm(A2, A2)
    written = [[F(49, 100) + F(2, 100), F(7, 100) + F(6, 100)], [F(14, 100) + F(12, 100), F(2, 100) + F(36, 100)]]
    return (_mm(C2, B2) == [[1]] and _mm(A2, B2) == [[F(7, 10)], [F(2, 10)]]
            and _mm(C2, _mm(A2, B2)) == [[F(7, 10)]]
            and AA == written == [[F(51, 100), F(13, 100)], [F(26, 100), F(38, 100)]]
            and _mm(AA, B2) == [[F(51, 100)], [F(26, 100)]] and _mm(C2, _mm(AA, B2)) == [[F(51, 100)]])


def p1b_2d_kernel():
    """The 2-D system's impulse response is [0, 1, 0.7, 0.51] = [D, CB, CAB, CA^2B] (lines 131-137, 257)."""
    F = Fraction
    ys = _impulse_2d(4)
    B2, C2 = [[F(1)], [F(0)]], [[F(1), F(0)]]
    formula = [F(0), _mm(C2, B2)[0][0], _mm(C2, _mm(A2, B2))[0][0], _mm(C2, _mm(_mm(A2, A2), B2))[0][0]]
    return ys == formula == [0, 1, F(7, 10), F(51, 100)]


def p1b_impulse_response():
    """With u_0 = 1 and u_k = 0 for k > 0 the output is y_k = K_k (line 143)."""
    _, A, B, C, D = _system(11, n=3)
    L = 8
    us = [mp.matrix([[1]])] + [mp.zeros(1, 1) for _ in range(L)]
    ys, _ = _simulate(A, B, C, D, us)
    return all(_close(ys[k], K) for k, K in enumerate(_kernel(A, B, C, D, L)))


# ---------------------------------------------------------------- (d) powers of A

def p1d_repeated_squaring():
    """A^{2^{k+1}} = (A^{2^k})^2 for k = 0..4 (line 171)."""
    _, A, _, _, _ = _system(12, n=3, scale=0.5)
    return all(_close(_pow(A, 2 ** (k + 1)), _pow(A, 2 ** k) ** 2, tol=mp.mpf(10) ** -28) for k in range(5))


def p1d_log2():
    """L = 2^N gives N = log_2 L (line 171)."""
    return all(log2(2 ** N) == N for N in range(0, 40))


def p1d_power_split():
    """A^j = A^{2^{N-1}} A^{j - 2^{N-1}} for j = 2^{N-1}..2^N - 1, N = 1..4 (line 180)."""
    _, A, _, _, _ = _system(13, n=3)
    return all(_close(_pow(A, j), _pow(A, 2 ** (N - 1)) * _pow(A, j - 2 ** (N - 1)))
               for N in range(1, 5) for j in range(2 ** (N - 1), 2 ** N))


def p1d_second_half_slip_is_false():
    """Line 182 writes C A^{j'} B = (CM)(A^{j'} B) with M = A^{2^{N-1}}: false.

    (CM)(A^{j'}B) = C A^{2^{N-1}+j'} B is the second-half entry K_{2^{N-1}+j'+1}, not the
    first-half entry C A^{j'} B. Smallest counterexample: n = 1, A = 2, B = C = 1, N = 1, j' = 0
    gives 1 on the left and 2 on the right. Also on a random 3x3 system for N = 2, j' = 0, 1.
    """
    F = Fraction
    a, b, c, N, jp = F(2), F(1), F(1), 1, 0
    M = a ** (2 ** (N - 1))
    small = c * a ** jp * b != (c * M) * (a ** jp * b)
    _, A, B, C, _ = _system(14, n=3)
    Mr = _pow(A, 2)
    random_fails = all(not _close(C * _pow(A, j) * B, (C * Mr) * (_pow(A, j) * B)) for j in range(2))
    # what was meant does hold: C M A^{j'} B = (CM)(A^{j'}B) = K_{2^{N-1}+j'+1}
    intended = all(_close(C * Mr * _pow(A, j) * B, C * _pow(A, 2 + j) * B) for j in range(2))
    return small and random_fails and intended


def p1d_kernel_via_M():
    """With M_l = A^{l-1} B (n x d_u), K_l = C M_l equals the recurrence's kernel (lines 345, 429)."""
    _, A, B, C, D = _system(15, n=4, du=2, dy=3)
    coeffs = _coefficients(A, B, C, D, 5)
    return all(_close(C * (_pow(A, ell - 1) * B), coeffs[ell]) for ell in range(1, 6))


# ---------------------------------------------------------------- (e) diagonal A

def _diag_system(seed, n=5):
    rng = np.random.default_rng(seed)
    a = [mp.mpf(float(v)) for v in rng.uniform(-0.99, 0.99, n)]
    b = [mp.mpf(float(v)) for v in rng.uniform(-1, 1, n)]
    c = [mp.mpf(float(v)) for v in rng.uniform(-1, 1, n)]
    return a, b, c


def p1e_diag_power():
    """diag(a)^l = diag(a_1^l, ..., a_n^l) for l = 0..9 (line 192)."""
    a, _, _ = _diag_system(16)
    A = mp.diag(a)
    return all(_close(_pow(A, ell), mp.diag([ai ** ell for ai in a])) for ell in range(10))


def p1e_diag_kernel():
    """K_l = sum_i c_i a_i^{l-1} b_i = sum_i (c_i b_i) a_i^{l-1}, against the recurrence (lines 196, 263)."""
    a, b, c = _diag_system(17)
    n = len(a)
    A, B, C = mp.diag(a), mp.matrix([[v] for v in b]), mp.matrix([c])
    coeffs = _coefficients(A, B, C, mp.zeros(1, 1), 8)
    return all(_close(coeffs[ell][0, 0], sum(c[i] * a[i] ** (ell - 1) * b[i] for i in range(n)))
               and _close(coeffs[ell][0, 0], sum((c[i] * b[i]) * a[i] ** (ell - 1) for i in range(n)))
               for ell in range(1, 9))


# ---------------------------------------------------------------- (f) A = I + p p^T

def _p_vectors():
    # p ~ U(-1, 1)^n scaled so that s = |p|^2 spans 1e-6 .. 10
    rng = np.random.default_rng(18)
    out = []
    for s in (mp.mpf("1e-6"), mp.mpf("0.03"), mp.mpf(1), mp.mpf(10)):
        p = _rand(rng, 4, 1)
        out.append(p * mp.sqrt(s / (p.T * p)[0, 0]))
    return out


def _sq(p):
    return (p.T * p)[0, 0]


def p1f_ppT_powers():
    """(pp^T)^k = (p^Tp)^{k-1} pp^T = |p|^{2(k-1)} pp^T for k = 1..7 (lines 208, 212)."""
    ok = True
    for p in _p_vectors():
        P = p * p.T
        for k in range(1, 8):
            Pk = _pow(P, k)
            ok = ok and _close(Pk, _sq(p) ** (k - 1) * P) and _close(Pk, mp.norm(p) ** (2 * (k - 1)) * P)
    return ok


def p1f_ppT_square():
    """(pp^T)^2 = p(p^Tp)p^T = |p|^2 pp^T (line 208)."""
    return all(_close((p * p.T) * (p * p.T), p * (p.T * p) * p.T) and _close((p * p.T) ** 2, mp.norm(p) ** 2 * p * p.T)
               for p in _p_vectors())


def p1f_binomial_expansion():
    """(I + pp^T)^l = sum_k C(l,k) (pp^T)^k for l = 0..8 (line 210)."""
    ok = True
    for p in _p_vectors():
        P, n = p * p.T, p.rows
        for ell in range(9):
            expansion = sum((comb(ell, k) * _pow(P, k) for k in range(ell + 1)), mp.zeros(n, n))
            ok = ok and _close(_pow(_eye(n) + P, ell), expansion)
    return ok


def _rank_one_power_is(coefficient, ells):
    # (I + pp^T)^l by repeated products against I + coefficient(s, l) pp^T, s = |p|^2
    return all(_close(_pow(_eye(p.rows) + p * p.T, ell), _eye(p.rows) + coefficient(_sq(p), ell) * (p * p.T))
               for p in _p_vectors() for ell in ells)


def p1f_power_coefficient_sum():
    """A^l = I + (sum_{k=1}^l C(l,k) |p|^{2(k-1)}) pp^T for l = 0..8 (line 214)."""
    return _rank_one_power_is(lambda s, ell: sum((comb(ell, k) * s ** (k - 1) for k in range(1, ell + 1)), mp.mpf(0)),
                              range(9))


def p1f_binomial_theorem():
    """sum_{k=0}^l C(l,k) s^k = (1 + s)^l, s = |p|^2 (line 220)."""
    return all(_close(sum(comb(ell, k) * _sq(p) ** k for k in range(ell + 1)), (1 + _sq(p)) ** ell)
               for p in _p_vectors() for ell in range(12))


def p1f_exponent_shift():
    """|p|^{2(k-1)} = |p|^{-2} |p|^{2k} for p != 0 (line 220)."""
    return all(_close(mp.norm(p) ** (2 * (k - 1)), mp.norm(p) ** -2 * mp.norm(p) ** (2 * k))
               for p in _p_vectors() for k in range(0, 8))


def p1f_alpha_closed_form():
    """alpha_l = |p|^{-2} sum_{k=1}^l C(l,k)|p|^{2k} = |p|^{-2}((1+|p|^2)^l - 1) (line 222)."""
    ok = True
    for p in _p_vectors():
        s = _sq(p)
        for ell in range(0, 12):
            alpha = sum((comb(ell, k) * s ** (k - 1) for k in range(1, ell + 1)), mp.mpf(0))
            middle = s ** -1 * sum((comb(ell, k) * s ** k for k in range(1, ell + 1)), mp.mpf(0))
            ok = ok and _close(alpha, middle) and _close(alpha, ((1 + s) ** ell - 1) / s)
    return ok


def p1f_power_closed_form():
    """A^l = I + ((1+s)^l - 1)/s pp^T for l = 0..10, and its l-1 form for l = 1..11 (lines 226, 232)."""
    return _rank_one_power_is(lambda s, ell: ((1 + s) ** ell - 1) / s, range(11))


def p1f_zero_p():
    """|p| = 0 forces p = 0, so A = I + 0 = I and A^l = I (line 228)."""
    p = mp.zeros(3, 1)
    A = _eye(3) + p * p.T
    return _close(A, _eye(3)) and all(_close(_pow(A, ell), _eye(3)) for ell in range(6))


def _dplr_system(p, seed):
    rng = np.random.default_rng(seed)
    n = p.rows
    return _eye(n) + p * p.T, _rand(rng, n, 1), _rand(rng, 1, n), _rand(rng, 1, 1)


def p1f_kernel_closed_form():
    """K_l = CB + ((1+s)^{l-1} - 1)/s (Cp)(p^T B), the same with c_b, c_p, p_b, against the
    recurrence run on a random input (lines 241, 245, 265), s from 1e-6 to 10."""
    ok = True
    for i, p in enumerate(_p_vectors()):
        A, B, C, D = _dplr_system(p, 19 + i)
        s, L = _sq(p), 7
        cb, cp, pb = (C * B)[0, 0], (C * p)[0, 0], (p.T * B)[0, 0]
        K = [D[0, 0]] + [cb + ((1 + s) ** (ell - 1) - 1) / s * (cp * pb) for ell in range(1, L + 1)]
        K_matrix_form = [(C * B + ((1 + s) ** (ell - 1) - 1) / s * C * p * p.T * B)[0, 0] for ell in range(1, L + 1)]
        rng = np.random.default_rng(40 + i)
        us = _inputs(rng, L + 1)
        ys, _ = _simulate(A, B, C, D, us)
        tol = mp.mpf(10) ** -25  # s^{-1} amplifies rounding of (1+s)^{l-1} - 1 at s = 1e-6
        ok = ok and all(_close(a, b, tol) for a, b in zip(K[1:], K_matrix_form))
        ok = ok and all(_close(ys[k][0, 0], sum(K[ell] * us[k - ell][0, 0] for ell in range(k + 1)), tol)
                        for k in range(L + 1))
    return ok


def p1f_kernel_geometric_form():
    """K_l = alpha + beta gamma^{l-1} with gamma = 1 + s, alpha = c_b - c_p p_b/s, beta = c_p p_b/s (line 247)."""
    ok = True
    for i, p in enumerate(_p_vectors()):
        A, B, C, D = _dplr_system(p, 30 + i)
        s = _sq(p)
        alpha = (C * B)[0, 0] - (C * p)[0, 0] * (p.T * B)[0, 0] / s
        beta = (C * p)[0, 0] * (p.T * B)[0, 0] / s
        coeffs = _coefficients(A, B, C, D, 6)
        ok = ok and all(_close(coeffs[ell][0, 0], alpha + beta * (1 + s) ** (ell - 1), mp.mpf(10) ** -25)
                        for ell in range(1, 7))
    return ok


# ---------------------------------------------------------------- (c) FFT, several channels

def p1c_fft_multichannel():
    """Zero-padded FFTs turn the multi-channel convolution into Y(w) = K(w) U(w) per bin,
    Y_n(w) = sum_m K_{n,m}(w) U_m(w) (lines 405, 409); float64, u, K ~ U(-1, 1)."""
    rng = np.random.default_rng(21)
    L, du, dy = 9, 3, 2
    K = rng.uniform(-1, 1, (L + 1, dy, du))
    u = rng.uniform(-1, 1, (L + 1, du))
    direct = np.array([sum(K[ell] @ u[k - ell] for ell in range(k + 1)) for k in range(L + 1)])
    size = 2 * (L + 1)
    Kf = np.fft.fft(K, n=size, axis=0)
    Uf = np.fft.fft(u, n=size, axis=0)
    Yf = np.einsum("wnm,wm->wn", Kf, Uf)
    Yf_sum = np.stack([sum(Kf[:, n, m] * Uf[:, m] for m in range(du)) for n in range(dy)], axis=1)
    y = np.fft.ifft(Yf, axis=0)[: L + 1]
    return (np.max(np.abs(y.real - direct)) <= 1e-12 * np.max(np.abs(direct))
            and np.max(np.abs(y.imag)) <= 1e-12 and np.allclose(Yf, Yf_sum, rtol=1e-13, atol=1e-13))
