"""Numeric checks behind the answer key of seed 000, lines 456-909 (Problems 3 and 4).

Each public function checks one group of statements of the key (its ``check`` field) from
the problem's definitions, by a route other than the transcript's own formula: least
squares on an augmented system instead of the normal equations, direct inversion instead
of Sherman-Morrison, loops over entries instead of matrix products, exact rationals for
the hand-computed numbers, finite differences for derivatives.  A function returns True
when the key's ``truth`` is confirmed, including the two statements the key marks false
(there it confirms that the statement fails on a concrete input).

Inputs: numpy ``default_rng`` with the seed written in each function; entries ~ N(0, 1)
unless stated; ridge λ ~ U(0.1, 2); tolerances are normwise relative errors
max|x - ref| / max|ref|.  Nothing here imports derive.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

TOL = 1e-10


def _rel(x, ref) -> float:
    x, ref = np.asarray(x, dtype=float), np.asarray(ref, dtype=float)
    return float(np.max(np.abs(x - ref)) / max(np.max(np.abs(ref)), 1e-300))


def _close(x, ref, tol: float = TOL) -> bool:
    return bool(np.shape(x) == np.shape(ref) and _rel(x, ref) <= tol)


def _ridge_rows(design, targets, lam):
    """argmin_B ||targets - design B||_F^2 + lam ||B||_F^2, by lstsq on [design; sqrt(lam) I]."""
    d = design.shape[1]
    aug_x = np.vstack([design, np.sqrt(lam) * np.eye(d)])
    aug_y = np.vstack([targets, np.zeros((d, targets.shape[1]))])
    return np.linalg.lstsq(aug_x, aug_y, rcond=None)[0]


def _purification_minimiser(X, lam):
    """argmin_W ||X - W X||_F^2 + lam ||W||_F^2 (rows of X^T are the samples)."""
    return _ridge_rows(X.T, X.T, lam).T


def _purification_loss(W, X, lam):
    return float(np.sum((X - W @ X) ** 2) + lam * np.sum(W ** 2))


# ----------------------------------------------------------------------------- Problem 3(a)

_X3A = np.array([[-2.17, 1.98, 2.41, -2.03], [0.02, -0.01, 0.01, -0.02]])
_W_ALPHA = np.eye(2)
_W_BETA = np.array([[1.0, 0.0], [0.0, 0.0]])
# exact copies of the data for the hand-computed sums
_X3A_EXACT = [[Fraction(s) for s in row] for row in
              (("-2.17", "1.98", "2.41", "-2.03"), ("0.02", "-0.01", "0.01", "-0.02"))]


def p3a_setup():
    """W^(alpha) = I_2 and the stated shapes of the given data (line 464/468/476)."""
    return (np.array_equal(_W_ALPHA, np.array([[1, 0], [0, 1]])) and _X3A.shape == (2, 4)
            and np.array_equal(_W_BETA @ np.ones(2), [1, 0]))


def p3a_alpha_losses():
    """||X - IX||^2 = ||X - X||^2 = 0 and ||I||^2 = tr(I I^T) = tr(I_2) = 2."""
    rec = np.sum((_X3A - _W_ALPHA @ _X3A) ** 2)
    reg = sum(_W_ALPHA[i, j] ** 2 for i in range(2) for j in range(2))
    return bool(rec == 0.0 and reg == 2.0 and np.trace(_W_ALPHA @ _W_ALPHA.T) == 2.0 and np.trace(np.eye(2)) == 2.0)


def p3a_beta_product():
    """W^(beta) X keeps row 1 of X and zeroes row 2; R = X - W^(beta) X keeps row 2."""
    prod = [[sum(_W_BETA[i, k] * _X3A[k, j] for k in range(2)) for j in range(4)] for i in range(2)]
    want = np.array([[-2.17, 1.98, 2.41, -2.03], [0, 0, 0, 0]])
    resid = np.array([[0, 0, 0, 0], [0.02, -0.01, 0.01, -0.02]])
    return _close(prod, want, 0.0) and _close(_X3A - np.array(prod), resid, 0.0)


def p3a_beta_losses():
    """||R||^2: each stage of the hand sum equals 0.0010 exactly; ||W^(beta)||^2 = 1."""
    r = _X3A_EXACT[1]
    stage1 = sum((Fraction(0) ** 2 + x ** 2) for x in r)
    stage2 = Fraction("0.0004") + Fraction("0.0001") + Fraction("0.0001") + Fraction("0.0004")
    rec_float = np.sum((_X3A - _W_BETA @ _X3A) ** 2)
    return bool(stage1 == stage2 == Fraction("0.0010") and abs(rec_float - 0.001) < 1e-15
                and np.sum(_W_BETA ** 2) == 1.0)


def p3a_total_losses():
    """L(W^(alpha)) = 2 lam and L(W^(beta)) = 0.0010 + lam, at lam over several decades."""
    ok = True
    for lam in (0.0, 1e-6, 1e-3, 0.37, 5.0, 1e4):
        ok &= abs(_purification_loss(_W_ALPHA, _X3A, lam) - 2 * lam) <= 1e-12 * max(1, lam)
        ok &= abs(_purification_loss(_W_BETA, _X3A, lam) - (0.001 + lam)) <= 1e-12 * max(1, lam)
    return bool(ok)


def _alpha_worse(lam: Fraction) -> bool:
    """L(W^(alpha)) > L(W^(beta)) in exact arithmetic, the losses summed entry by entry."""
    def loss(W):
        rec = sum((_X3A_EXACT[i][j] - sum(W[i][k] * _X3A_EXACT[k][j] for k in range(2))) ** 2
                  for i in range(2) for j in range(4))
        return rec + lam * sum(w ** 2 for row in W for w in row)
    return loss([[1, 0], [0, 1]]) > loss([[1, 0], [0, 0]])


def p3a_lambda_solution():
    """{lam >= 0 : L(alpha) > L(beta)} = {lam > 0.001}, and 2 lam > 0.0010 + lam is that set too.

    Exact rationals on a grid across decades and at the boundary 0.001 (where the losses tie).
    """
    grid = [Fraction(0), Fraction(1, 10**9), Fraction(999, 10**6), Fraction(1, 1000), Fraction(1001, 10**6),
            Fraction(1, 100), Fraction(1), Fraction(10**6)]
    ok = True
    for lam in grid:
        ok &= _alpha_worse(lam) == (lam > Fraction(1, 1000)) == (2 * lam > Fraction("0.0010") + lam)
    return bool(ok)


# ----------------------------------------------------------------------------- Problem 3(b)

def _svd_case(seed=3, m=4, n=7):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    U, s, Vt = np.linalg.svd(X, full_matrices=True)
    Sigma = np.zeros((m, n))
    Sigma[:m, :m] = np.diag(s)
    lam = float(rng.uniform(0.1, 2.0))
    return rng, X, U, s, Vt, Sigma, lam


def p3b_svd_facts():
    """X = U Sigma V^T with U, V orthogonal, sigma decreasing >= 0, Sigma m x n = [diag(sigma) 0]."""
    _, X, U, s, Vt, Sigma, _ = _svd_case()
    m, n = X.shape
    return bool(_close(U @ Sigma @ Vt, X) and _close(U.T @ U, np.eye(m)) and _close(Vt @ Vt.T, np.eye(n))
                and np.all(np.diff(s) < 0) and s[-1] >= 0 and Sigma.shape == (m, n)
                and _close(Sigma[:, :m], np.diag(s), 0.0) and not np.any(Sigma[:, m:]))


def p3b_ridge_general():
    """argmin_W ||Y - W X||^2 + lam ||W||^2 = Y X^T (X X^T + lam I)^{-1} (Y unrelated to X)."""
    rng = np.random.default_rng(11)
    X, Y, lam = rng.normal(size=(4, 9)), rng.normal(size=(3, 9)), 0.7
    ref = _ridge_rows(X.T, Y.T, lam).T
    return _close(Y @ X.T @ np.linalg.inv(X @ X.T + lam * np.eye(4)), ref)


def p3b_minimiser_forms():
    """Every closed form written for W-hat equals the minimiser of the purification loss.

    The reference is least squares on an augmented system; it is also confirmed a minimum by a
    central-difference gradient (~0) and by random perturbations that all raise the loss.
    Sigma^2 is read as Sigma Sigma^T (m x m), the only reading that type-checks.
    """
    rng, X, U, s, _, Sigma, lam = _svd_case()
    m = X.shape[0]
    ref = _purification_minimiser(X, lam)
    S2 = Sigma @ Sigma.T
    inv = np.linalg.inv
    forms = [
        X @ X.T @ inv(X @ X.T + lam * np.eye(m)),
        U @ S2 @ U.T @ inv(U @ S2 @ U.T + lam * np.eye(m)),
        U @ S2 @ U.T @ U @ inv(S2 + lam * np.eye(m)) @ U.T,
        U @ S2 @ inv(S2 + lam * np.eye(m)) @ U.T,
        U @ np.diag(s ** 2 / (s ** 2 + lam)) @ U.T,
    ]
    ok = all(_close(f, ref, 1e-9) for f in forms)
    ok &= _close(X @ X.T, U @ S2 @ U.T) and _close(U @ S2 @ U.T + lam * np.eye(m), U @ (S2 + lam * np.eye(m)) @ U.T)
    h = 1e-6
    grad = np.zeros_like(ref)
    for i in range(m):
        for j in range(m):
            E = np.zeros_like(ref)
            E[i, j] = h
            grad[i, j] = (_purification_loss(ref + E, X, lam) - _purification_loss(ref - E, X, lam)) / (2 * h)
    ok &= float(np.max(np.abs(grad))) < 1e-6
    base = _purification_loss(ref, X, lam)
    ok &= all(_purification_loss(ref + 1e-3 * rng.normal(size=ref.shape), X, lam) > base for _ in range(20))
    return bool(ok)


def p3b_frobenius_invariance():
    """||W||_F = ||U^T W U||_F and ||W||^2 = ||U W~ U^T||^2 = ||W~||^2 with W~ = U^T W U."""
    rng, _, U, _, _, _, _ = _svd_case()
    W = rng.normal(size=U.shape)
    Wt = U.T @ W @ U
    fro = np.linalg.norm
    return bool(abs(fro(W) - fro(Wt)) < 1e-12 * fro(W) and _close(U @ Wt @ U.T, W)
                and abs(fro(U @ Wt @ U.T) ** 2 - fro(Wt) ** 2) < 1e-12 * fro(W) ** 2)


def p3b_reduction():
    """The chain ||X - WX||^2 = ... = ||Sigma - W~ Sigma||^2 and the reduced loss, at random W."""
    rng, X, U, _, Vt, Sigma, lam = _svd_case()
    ok = True
    for _ in range(5):
        W = rng.normal(size=(X.shape[0],) * 2)
        Wt = U.T @ W @ U
        vals = [np.sum((X - W @ X) ** 2), np.sum((U @ Sigma @ Vt - W @ U @ Sigma @ Vt) ** 2),
                np.sum((U @ (Sigma - U.T @ W @ U @ Sigma) @ Vt) ** 2), np.sum((Sigma - Wt @ Sigma) ** 2)]
        ok &= max(vals) - min(vals) <= 1e-10 * max(vals)
        reduced = np.sum((Sigma - Wt @ Sigma) ** 2) + lam * np.sum(Wt ** 2)
        ok &= abs(reduced - _purification_loss(W, X, lam)) <= 1e-10 * reduced
    return bool(ok)


def p3b_entries():
    """Entries of W~ Sigma and Sigma, and the double-sum forms of the two norms (lines 586-606).

    Loops over indices (no matrix product) for: (W~Sigma)_ij = sum_k w~_ik Sigma_kj, = w~_ij sigma_j
    for j <= m, = 0 for j > m; Sigma_ij = sigma_i delta_ij for j <= m, 0 for j > m; the two sums.
    """
    rng, X, _, s, _, Sigma, lam = _svd_case()
    m, n = Sigma.shape
    Wt = rng.normal(size=(m, m))
    prod = Wt @ Sigma
    ok = True
    for i in range(m):
        for j in range(n):
            loop = sum(Wt[i, k] * Sigma[k, j] for k in range(m))
            ok &= abs(prod[i, j] - loop) < 1e-12
            if j < m:
                ok &= abs(prod[i, j] - Wt[i, j] * s[j]) < 1e-12 and Sigma[i, j] == (s[i] if i == j else 0.0)
            else:
                ok &= prod[i, j] == 0.0 and Sigma[i, j] == 0.0
        for k in range(m):
            ok &= Sigma[k, i] == (s[i] if k == i else 0.0)
    lhs = np.sum((Sigma - prod) ** 2)
    full = sum((Sigma[i, j] - prod[i, j]) ** 2 for i in range(m) for j in range(n))
    square = sum((s[i] * (i == j) - Wt[i, j] * s[j]) ** 2 for i in range(m) for j in range(m))
    ok &= abs(lhs - full) < 1e-12 * lhs and abs(lhs - square) < 1e-12 * lhs
    ok &= abs(lam * np.linalg.norm(Wt) ** 2 - lam * sum(Wt[i, j] ** 2 for i in range(m) for j in range(m))) < 1e-12
    t_j = [s[2] if i == 2 else 0.0 for i in range(m)]  # target column of j = 3: sigma_j at position j
    ok &= np.array_equal(Sigma[:, 2], t_j)
    return bool(ok)


def p3b_scalar_problems():
    """The per-entry losses, their stationarity equations and minimisers (lines 628-641).

    At sigma ~ U(0, 3), lam ~ U(0.1, 2), w ~ N(0, 1): the two loss rewritings; the derivative of
    the diagonal loss by mpmath differentiation equals -2 sigma^2 (1 - w) + 2 lam w; that expression
    is twice the one on line 635 and equals w(sigma^2 + lam) - sigma^2 up to the factor 2; the
    minimiser found by mpmath findroot of the numeric derivative is sigma^2 / (sigma^2 + lam); and
    the off-diagonal loss w^2 (sigma^2 + lam) is minimised at 0.
    """
    rng = np.random.default_rng(5)
    ok = True
    for _ in range(8):
        sig, lam, w = float(rng.uniform(0, 3)), float(rng.uniform(0.1, 2)), float(rng.normal())
        ok &= abs((w * sig) ** 2 + lam * w ** 2 - w ** 2 * (sig ** 2 + lam)) < 1e-12
        ok &= abs((sig - w * sig) ** 2 + lam * w ** 2 - (sig ** 2 * (1 - w) ** 2 + lam * w ** 2)) < 1e-12
        f = lambda x, sig=sig, lam=lam: (sig - x * sig) ** 2 + lam * x ** 2  # noqa: E731
        d633 = -2 * sig ** 2 * (1 - w) + 2 * lam * w
        d635 = -sig ** 2 + sig ** 2 * w + lam * w
        ok &= abs(float(mpmath.diff(f, w)) - d633) < 1e-9
        ok &= abs(d633 - 2 * d635) < 1e-12 and abs(d635 - (w * (sig ** 2 + lam) - sig ** 2)) < 1e-12
        root = float(mpmath.findroot(lambda x: mpmath.diff(f, x), 0.3))
        ok &= abs(root - sig ** 2 / (sig ** 2 + lam)) < 1e-9
        ok &= f(root) <= min(f(root + 1e-3), f(root - 1e-3))
        g = lambda x, sig=sig, lam=lam: (x * sig) ** 2 + lam * x ** 2  # noqa: E731
        ok &= g(0.0) == 0.0 and min(g(x) for x in np.linspace(-2, 2, 41) if x != 0) > 0
    return bool(ok)


# ----------------------------------------------------------------------------- Problem 3(c)

_SIG = [Fraction(x) for x in ("10", "8", "4", "1", "0.5", "0.36", "0.16", "0.01")]
_LAM_GRID = sorted({Fraction(k, 100) for k in range(1, 3001)} | {Fraction(1) - Fraction(1, 10**9),
                   Fraction(4) + Fraction(1, 10**9), Fraction(1, 10**6), Fraction(10**4)})


def _factor(sig: Fraction, lam: Fraction) -> Fraction:
    return sig ** 2 / (sig ** 2 + lam)


def p3c_values():
    """sigma_3 = 4, sigma_4 = 1, sigma_5 = 0.5 with square 0.25, m = 8, and the listed squares."""
    squares = [s ** 2 for s in _SIG[3:]]
    return (_SIG[2] == 4 and _SIG[3] == 1 and _SIG[4] == Fraction(1, 2) and _SIG[4] ** 2 == Fraction(1, 4)
            and len(_SIG) == 8
            and squares == [Fraction(x) for x in ("1", "0.25", "0.1296", "0.0256", "0.0001")]
            and max(squares) == 1)


def p3c_steps():
    """Each => step of lines 662/670 holds (indeed is equivalent) for every sigma_i and lam > 0 on the grid."""
    ok = True
    for sig in _SIG:
        for lam in _LAM_GRID:
            keep = [_factor(sig, lam) >= Fraction(8, 10), sig ** 2 >= Fraction(8, 10) * (sig ** 2 + lam),
                    Fraction(2, 10) * sig ** 2 >= Fraction(8, 10) * lam, lam <= Fraction(2, 8) * sig ** 2]
            cut = [_factor(sig, lam) <= Fraction(1, 2), sig ** 2 <= Fraction(1, 2) * (sig ** 2 + lam),
                   Fraction(1, 2) * sig ** 2 <= Fraction(1, 2) * lam, lam >= sig ** 2]
            ok &= len(set(keep)) == 1 and len(set(cut)) == 1
    return bool(ok)


def p3c_bounds():
    """Per-direction solution sets: lam <= 25, 16, 4 for i = 1, 2, 3 and lam >= sigma_i^2 for i >= 4."""
    ok = True
    for i, bound in ((0, 25), (1, 16), (2, 4)):
        ok &= Fraction(1, 4) * _SIG[i] ** 2 == bound
        ok &= all((_factor(_SIG[i], lam) >= Fraction(8, 10)) == (lam <= bound) for lam in _LAM_GRID)
    for i in range(3, 8):
        ok &= all((_factor(_SIG[i], lam) <= Fraction(1, 2)) == (lam >= _SIG[i] ** 2) for lam in _LAM_GRID)
    keep_all = [lam for lam in _LAM_GRID if all(_factor(s, lam) >= Fraction(8, 10) for s in _SIG[:3])]
    cut_all = [lam for lam in _LAM_GRID if all(_factor(s, lam) <= Fraction(1, 2) for s in _SIG[3:])]
    ok &= max(keep_all) == 4 and min(cut_all) == 1 == max(s ** 2 for s in _SIG[3:])
    ok &= Fraction(1, 4) * Fraction(4) ** 2 == Fraction(1, 4) * 16 == 4 and Fraction(1) ** 2 == 1
    return bool(ok)


def p3c_interval():
    """The set of lam > 0 meeting all eight conditions is exactly [1, 4] (boundaries included)."""
    ok_set = [lam for lam in _LAM_GRID
              if all(_factor(s, lam) >= Fraction(8, 10) for s in _SIG[:3])
              and all(_factor(s, lam) <= Fraction(1, 2) for s in _SIG[3:])]
    return bool(min(ok_set) == 1 and max(ok_set) == 4
                and all((lam in ok_set) == (1 <= lam <= 4) for lam in _LAM_GRID))


# ----------------------------------------------------------------------------- Problem 4(a), (b)

def p4a_running_mean():
    """m' = (1/(n+1)) sum x_i = (n m + x_{n+1})/(n+1) = m + (x_{n+1} - m)/(n+1); sum x_i = n m.

    Exact rationals, n in {1, 2, 7, 50}, x_i random integers/7 in [-50/7, 50/7].
    """
    rng = np.random.default_rng(7)
    ok = True
    for n in (1, 2, 7, 50):
        xs = [Fraction(int(v), 7) for v in rng.integers(-50, 51, size=n + 1)]
        m = sum(xs[:n]) / n
        m_new = sum(xs) / (n + 1)
        ok &= sum(xs[:n]) == n * m
        ok &= m_new == (n * m + xs[n]) / (n + 1) == m + (xs[n] - m) / (n + 1)
    return bool(ok)


def p4b_sums():
    """A^T A = sum x_i x_i^T (and entrywise), A^T A + lam I = lam I + sum, A^T y = sum x_i y_i (and entrywise)."""
    rng = np.random.default_rng(8)
    n, d, lam = 9, 4, 0.3
    A, y = rng.normal(size=(n, d)), rng.normal(size=n)
    rows = [A[i] for i in range(n)]
    outer = sum(np.outer(x, x) for x in rows)
    ok = _close(A.T @ A, outer) and _close(A.T @ A + lam * np.eye(d), lam * np.eye(d) + outer)
    ok &= _close(A.T @ y, sum(x * yi for x, yi in zip(rows, y)))
    for j in range(d):
        ok &= abs((A.T @ y)[j] - sum(A[i, j] * y[i] for i in range(n))) < 1e-12
        for k in range(d):
            ok &= abs((A.T @ A)[j, k] - sum(rows[i][j] * rows[i][k] for i in range(n))) < 1e-12
    return bool(ok)


# ----------------------------------------------------------------------------- Problem 4(c)-(g)

def _attention_case(seed=21, n=9, d=4):
    rng = np.random.default_rng(seed)
    K, V, Q = rng.normal(size=(n, d)), rng.normal(size=(n, d)), rng.normal(size=(n, d))
    return rng, K, V, Q, float(rng.uniform(0.1, 2.0))


def p4c_ridge_solutions():
    """The three ridge solutions of line 772/774, each against least squares on the augmented system.

    min ||V - K W^T||^2 + lam||W||^2 gives W^T = (K^T K + lam I)^{-1} K^T V; min ||V - K W||^2 + lam||W||^2
    gives W = (K^T K + lam I)^{-1} K^T V; with X = K, Y = V, min ||Y - X W^T||^2 + lam||W||^2 gives
    W^T = (X^T X + lam I)^{-1} X^T Y, i.e. W = Y^T X (X^T X + lam I)^{-1}.
    """
    _, K, V, _, lam = _attention_case()
    d = K.shape[1]
    closed = np.linalg.inv(K.T @ K + lam * np.eye(d)) @ K.T @ V
    ref = _ridge_rows(K, V, lam)  # the same minimisation whatever W or W^T is called
    return _close(closed, ref) and _close(closed.T, V.T @ K @ np.linalg.inv(K.T @ K + lam * np.eye(d)))


def p4c_outputs():
    """o = W^T q = V^T K (K^T K + lam I)^{-1} q (W = (K^TK + lam I)^{-1}K^TV), and o = Wq for W = Y^T X(...)^{-1}.

    The reference prediction for query q is B^T q, B the augmented-lstsq fit of rows v_i^T ~ k_i^T B;
    it also equals P q with P = V^T K M, M = (K^T K + lam I)^{-1}, for every query.
    """
    _, K, V, Q, lam = _attention_case()
    d = K.shape[1]
    B = _ridge_rows(K, V, lam)
    M = np.linalg.inv(K.T @ K + lam * np.eye(d))
    P = V.T @ K @ M
    W_std = M @ K.T @ V           # line 772, second reading
    W_col = V.T @ K @ M           # line 774: o = W q
    ok = True
    for q in Q:
        ref = B.T @ q
        ok &= _close(W_std.T @ q, ref) and _close(V.T @ K @ M @ q, ref)
        ok &= _close(W_col @ q, ref) and _close(P @ q, ref)
    return bool(ok)


def p4c_row_prediction_is_wrong():
    """Line 772: o^T = q^T W^T = q^T V^T K (K^T K + lam I)^{-1} with W = (K^T K + lam I)^{-1} K^T V is FALSE.

    With that W the fit is v_i^T ~ k_i^T W, so the prediction row is q^T W (= ref^T); q^T W^T is
    (W q)^T, a different vector for a generic (non-symmetric) W.  Confirmed when both written
    right sides differ from the reference prediction by more than 10% (normwise).
    """
    _, K, V, Q, lam = _attention_case()
    d = K.shape[1]
    M = np.linalg.inv(K.T @ K + lam * np.eye(d))
    W = M @ K.T @ V
    B = _ridge_rows(K, V, lam)
    q = Q[0]
    ref_row = q @ B
    return _rel(q @ W.T, ref_row) > 0.1 and _rel(q @ V.T @ K @ M, ref_row) > 0.1 and _close(q @ W, ref_row)


def p4e_sherman_morrison():
    """(M + u v^T)^{-1} = M^{-1} - (M^{-1}u)(v^T M^{-1})/(1 + v^T M^{-1} u), non-symmetric M, against inv()."""
    rng = np.random.default_rng(31)
    ok = True
    for _ in range(5):
        M = rng.normal(size=(5, 5)) + 5 * np.eye(5)
        u, v = rng.normal(size=5), rng.normal(size=5)
        Mi = np.linalg.inv(M)
        a, b = Mi @ u, v @ Mi
        alpha = 1 / (1 + v @ a)
        ok &= _close(Mi - alpha * np.outer(a, b), np.linalg.inv(M + np.outer(u, v)), 1e-9)
    return bool(ok)


def p4e_b_transpose_is_wrong():
    """Line 826: b = (M^{-1} v)^T equals v^T M^{-1} only for symmetric M; (e) allows any invertible M.

    M = [[1, 1], [0, 1]], v = (1, 0): v^T M^{-1} = (1, -1) but (M^{-1} v)^T = (1, 0).
    """
    M = np.array([[1.0, 1.0], [0.0, 1.0]])
    v = np.array([1.0, 0.0])
    Mi = np.linalg.inv(M)
    return np.array_equal(v @ Mi, [1.0, -1.0]) and np.array_equal(Mi @ v, [1.0, 0.0])


def p4f_causal():
    """Lines 846-864: sums, recursions from S_0 = lam I and R_0 = 0, Sherman-Morrison for S_t^{-1},
    W_t = R_t^T S_t^{-1}, and o_t for every t = 1..n against a fresh ridge fit on the first t pairs."""
    _, K, V, Q, lam = _attention_case(seed=41, n=12, d=3)
    n, d = K.shape
    S, R, S_inv = lam * np.eye(d), np.zeros((d, d)), np.eye(d) / lam
    ok = True
    for t in range(1, n + 1):
        k, v, q = K[t - 1], V[t - 1], Q[t - 1]
        Kt, Vt = K[:t], V[:t]
        Sk = S_inv @ k
        S_inv = S_inv - np.outer(Sk, k @ S_inv) / (1 + k @ Sk)
        S, R = S + np.outer(k, k), R + np.outer(k, v)
        ok &= _close(Kt.T @ Kt + lam * np.eye(d), lam * np.eye(d) + sum(np.outer(x, x) for x in Kt))
        ok &= _close(Kt.T @ Vt, sum(np.outer(x, y) for x, y in zip(Kt, Vt)))
        ok &= _close(S, Kt.T @ Kt + lam * np.eye(d)) and _close(R, Kt.T @ Vt)
        ok &= _close(S_inv, np.linalg.inv(S), 1e-9)
        B = _ridge_rows(Kt, Vt, lam)          # fit of v_i^T ~ k_i^T B on pairs 1..t
        Wt = R.T @ S_inv
        a = S_inv @ q
        ok &= _close(Wt, B.T, 1e-9) and _close(Wt @ q, B.T @ q, 1e-9) and _close(R.T @ a, B.T @ q, 1e-9)
    return bool(ok)


def p4g_weights():
    """o = V^T K a = sum_i v_i (k_i^T a) with a = (K^T K + lam I)^{-1} q, alpha_i = k_i^T a, against the ridge fit."""
    _, K, V, Q, lam = _attention_case(seed=51)
    d = K.shape[1]
    B = _ridge_rows(K, V, lam)
    ok = True
    for q in Q[:3]:
        a = np.linalg.solve(K.T @ K + lam * np.eye(d), q)
        alpha = [K[i] @ a for i in range(K.shape[0])]
        ok &= _close(sum(V[i] * alpha[i] for i in range(K.shape[0])), B.T @ q)
        ok &= _close(V.T @ K @ a, B.T @ q)
    return bool(ok)
