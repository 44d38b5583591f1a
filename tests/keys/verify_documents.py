"""Independent numeric checks behind the answer keys of tests/fixtures/documents/.

One function per judged statement (claim, step, solution, answer); each returns True when
the key's verdict is confirmed from the document's own definitions: finite differences,
running the recurrence, exact enumeration, quadrature or random matrices. Nothing here
imports derive. A check for a false statement demands that it fail on every random draw,
so each planted error is false for generic inputs, not only on a coincidental set.
"""
import mpmath
import numpy as np
from scipy import integrate, optimize, stats

DRAWS = range(5)
FD_TOL = 1e-6  # central differences with h = 1e-6 are good to ~1e-9 here


def verdict(truth):
    """Records next to each check which verdict it confirms: True for a statement that holds,
    False for one that fails on every draw. The test compares this with the key."""
    def mark(check):
        check.verdict = truth
        return check
    return mark


def _close(a, b, tol=1e-9):
    """Normwise agreement; a side that is None (an undefined product) never agrees."""
    if a is None or b is None:
        return False
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(b)))) if b.size else 1.0
    return bool(np.max(np.abs(a - b)) <= tol * scale) if a.size else True


def _holds(instance, tol=1e-9):
    return all(_close(*instance(np.random.default_rng(s)), tol=tol) for s in DRAWS)


def _fails(instance, tol=1e-9):
    return all(not _close(*instance(np.random.default_rng(s)), tol=tol) for s in DRAWS)


def _fails_for_shapes(make_instance, shapes, tol=1e-9):
    """A shape slip is undefined for most shapes and wrong in value where it is defined."""
    return all(_fails(make_instance(*shape), tol) for shape in shapes)


def _matmul(a, b):
    """a @ b, or None where the shapes do not conform (a dimension slip)."""
    a = np.atleast_1d(a)
    b = np.atleast_1d(b)
    if a.shape[-1] != b.shape[0]:
        return None
    return a @ b


def _jacobian(f, x, h=1e-6):
    """Central differences: result[out_index + in_index] = d f[out] / d x[in]."""
    x = np.asarray(x, dtype=float)
    out = np.asarray(f(x), dtype=float)
    jac = np.zeros(out.shape + x.shape)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = h
        jac[(Ellipsis,) + idx] = (np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * h)
    return jac


def _hessian(f, x, h=1e-4):
    """Second central differences of a scalar function of a vector."""
    x = np.asarray(x, dtype=float)
    n = x.size
    hess = np.zeros((n, n))
    eye = np.eye(n) * h
    for i in range(n):
        for j in range(n):
            hess[i, j] = (f(x + eye[i] + eye[j]) - f(x + eye[i] - eye[j])
                          - f(x - eye[i] + eye[j]) + f(x - eye[i] - eye[j])) / (4 * h * h)
    return hess


def _softmax(z):
    # Deliberately unshifted: the shift invariance is itself a claim under test.
    e = np.exp(z)
    return e / e.sum()


def _spd(rng, n):
    a = rng.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


def _spectral_radius(m):
    return float(np.max(np.abs(np.linalg.eigvals(m))))


# ---------------------------------------------------------------- 01 softmax regression

def _d01(rng, k=4, d=3):
    w = rng.normal(size=(k, d))
    x = rng.normal(size=d)
    b = rng.normal(size=k)
    y = np.eye(k)[rng.integers(k)]
    return w, x, b, y


def _d01_loss_of_z(y):
    return lambda z: -np.sum(y * np.log(_softmax(z)))


@verdict(True)
def d01_probabilities_sum_to_one():
    def inst(rng):
        w, x, b, _ = _d01(rng)
        return _softmax(w @ x + b).sum(), 1.0
    return _holds(inst)


@verdict(True)
def d01_shift_invariance():
    def inst(rng):
        z = rng.normal(size=5)
        c = rng.normal() * 3
        return _softmax(z + c), _softmax(z)
    return _holds(inst)


@verdict(True)
def d01_softmax_jacobian():
    def inst(rng):
        z = rng.normal(size=4)
        p = _softmax(z)
        claim = np.array([[p[i] * ((i == j) - p[j]) for j in range(4)] for i in range(4)])
        return _jacobian(_softmax, z), claim
    return _holds(inst, FD_TOL)


def _d01_j(rng):
    p = _softmax(rng.normal(size=4))
    return p, np.diag(p) - np.outer(p, p)


@verdict(True)
def d01_jacobian_trace():
    def inst(rng):
        p, j = _d01_j(rng)
        return np.trace(j), 1 - p @ p
    return _holds(inst)


@verdict(False)
def d01_jacobian_row_sums():
    def inst(rng):
        _, j = _d01_j(rng)
        return j @ np.ones(4), np.ones(4)
    # The rows really sum to zero, which is what makes the claim false.
    return _fails(inst) and _holds(lambda rng: (_d01_j(rng)[1] @ np.ones(4), np.zeros(4)))


@verdict(True)
def d01_log_softmax():
    def inst(rng):
        z = rng.normal(size=4)
        return np.log(_softmax(z)), z - np.log(np.sum(np.exp(z)))
    return _holds(inst)


@verdict(True)
def d01_loss_rewritten():
    def inst(rng):
        w, x, b, y = _d01(rng)
        z = w @ x + b
        return _d01_loss_of_z(y)(z), -y @ z + np.log(np.sum(np.exp(z)))
    return _holds(inst)


@verdict(True)
def d01_grad_logits():
    def inst(rng):
        w, x, b, y = _d01(rng)
        z = w @ x + b
        return _jacobian(_d01_loss_of_z(y), z), _softmax(z) - y
    return _holds(inst, FD_TOL)


def _d01_grad_weights_instance(k, d):
    def inst(rng):
        w, x, b, y = _d01(rng, k, d)
        fd = _jacobian(lambda ww: _d01_loss_of_z(y)(ww @ x + b), w)
        return fd, np.outer(x, _softmax(w @ x + b) - y)
    return inst


@verdict(False)
def d01_grad_weights():
    # Wrong shape when K != d, wrong values when K == d.
    return _fails_for_shapes(_d01_grad_weights_instance, [(4, 3), (3, 3)], FD_TOL)


@verdict(True)
def d01_grad_bias():
    def inst(rng):
        w, x, b, y = _d01(rng)
        fd = _jacobian(lambda bb: _d01_loss_of_z(y)(w @ x + bb), b)
        return fd, _softmax(w @ x + b) - y
    return _holds(inst, FD_TOL)


@verdict(True)
def d01_hessian_logits():
    def inst(rng):
        w, x, b, y = _d01(rng)
        z = w @ x + b
        p = _softmax(z)
        return _hessian(_d01_loss_of_z(y), z), np.diag(p) - np.outer(p, p)
    return _holds(inst, 1e-5)


@verdict(True)
def d01_hessian_psd():
    for s in DRAWS:
        rng = np.random.default_rng(s)
        p, j = _d01_j(rng)
        if np.min(np.linalg.eigvalsh(j)) < -1e-12:
            return False
        vs = rng.normal(size=(200, 4)) * 10.0 ** rng.integers(-3, 4, size=(200, 1))
        if np.any(np.einsum("ni,ij,nj->n", vs, j, vs) < -1e-12 * np.sum(vs * vs, axis=1)):
            return False
    return True


# ---------------------------------------------------------------- 02 two-layer network

def _sigmoid(u):
    return 1 / (1 + np.exp(-u))


def _d02(rng, n=3, m=4):
    return dict(w1=rng.normal(size=(m, n)), b1=rng.normal(size=m), w2=rng.normal(size=m),
                b2=rng.normal(), x=rng.normal(size=n), t=rng.normal())


def _d02_loss(w1, b1, w2, b2, x, t):
    return 0.5 * (w2 @ _sigmoid(w1 @ x + b1) + b2 - t) ** 2


def _d02_delta(p):
    return p["w2"] @ _sigmoid(p["w1"] @ p["x"] + p["b1"]) + p["b2"] - p["t"]


def _d02_grad(p, name):
    def f(v):
        return _d02_loss(**{**p, name: v})
    return _jacobian(f, np.asarray(p[name], dtype=float))


def _d02_grad_a(p):
    """dl/da by differencing the loss as a function of the pre-activations."""
    a = p["w1"] @ p["x"] + p["b1"]
    return _jacobian(lambda aa: 0.5 * (p["w2"] @ _sigmoid(aa) + p["b2"] - p["t"]) ** 2, a)


@verdict(True)
def d02_sigmoid_derivative():
    def inst(rng):
        u = rng.uniform(-6, 6, size=7)
        fd = np.array([_jacobian(_sigmoid, np.array(ui)) for ui in u])
        middle = np.exp(-u) / (1 + np.exp(-u)) ** 2
        right = _sigmoid(u) * (1 - _sigmoid(u))
        return np.stack([fd, middle]), np.stack([middle, right])
    return _holds(inst, FD_TOL)


def _mp_sigmoid(u):
    return 1 / (1 + mpmath.exp(-u))


@verdict(True)
def d02_sigmoid_slope_bounds():
    with mpmath.workdps(30):
        points = [mpmath.mpf(u) / 4 for u in range(-160, 161)] + [mpmath.mpf("1e-6"), mpmath.mpf(60)]
        slopes = [mpmath.diff(_mp_sigmoid, u) for u in points]
        return all(0 < s <= mpmath.mpf(1) / 4 for s in slopes)


@verdict(True)
def d02_sigmoid_slope_at_zero():
    with mpmath.workdps(30):
        return abs(mpmath.diff(_mp_sigmoid, 0) - mpmath.mpf(1) / 4) < mpmath.mpf("1e-25")


@verdict(True)
def d02_grad_w2():
    def inst(rng):
        p = _d02(rng)
        return _d02_grad(p, "w2"), _d02_delta(p) * _sigmoid(p["w1"] @ p["x"] + p["b1"])
    return _holds(inst, FD_TOL)


@verdict(True)
def d02_grad_b2():
    def inst(rng):
        p = _d02(rng)
        return _d02_grad(p, "b2"), _d02_delta(p)
    return _holds(inst, FD_TOL)


@verdict(False)
def d02_grad_preactivation():
    def inst(rng):
        p = _d02(rng)
        h = _sigmoid(p["w1"] @ p["x"] + p["b1"])
        return _d02_grad_a(p), _d02_delta(p) * p["w2"] * h * (1 + h)
    return _fails(inst, FD_TOL)


@verdict(True)
def d02_grad_W1():
    def inst(rng):
        p = _d02(rng)
        return _d02_grad(p, "w1"), np.outer(_d02_grad_a(p), p["x"])
    return _holds(inst, FD_TOL)


@verdict(True)
def d02_grad_b1():
    def inst(rng):
        p = _d02(rng)
        return _d02_grad(p, "b1"), _d02_grad_a(p)
    return _holds(inst, FD_TOL)


def _d02_grad_input_instance(n, m):
    def inst(rng):
        p = _d02(rng, n, m)
        return _d02_grad(p, "x"), _matmul(p["w1"], _d02_grad_a(p))
    return inst


@verdict(False)
def d02_grad_input():
    # Undefined when m != n, wrong values when m == n.
    return _fails_for_shapes(_d02_grad_input_instance, [(3, 4), (4, 4)], FD_TOL)


@verdict(True)
def d02_grad_preactivation_bound():
    for s in DRAWS:
        p = _d02(np.random.default_rng(s))
        lhs = np.linalg.norm(_d02_grad_a(p))
        if not lhs <= 0.25 * abs(_d02_delta(p)) * np.linalg.norm(p["w2"]) + 1e-9:
            return False
    return True


# ---------------------------------------------------------------- 03 layer norm

D03_EPS = 0.3  # large enough that dropping epsilon would be visible


def _d03(rng, n=5):
    return dict(x=rng.normal(size=n) * 2 + 1, gamma=rng.normal(size=n),
                beta=rng.normal(size=n), c=rng.normal(size=n))


def _d03_normalise(x):
    mu = x.sum() / x.size
    s2 = np.sum((x - mu) ** 2) / x.size
    return (x - mu) / np.sqrt(s2 + D03_EPS)


def _d03_loss(x, gamma, beta, c):
    # A linear loss L = c . y has dL/dy = c, and every claim depends on L only through g.
    return c @ (gamma * _d03_normalise(x) + beta)


@verdict(True)
def d03_normalised_centred():
    return _holds(lambda rng: (_d03_normalise(_d03(rng)["x"]).sum(), 0.0))


@verdict(True)
def d03_normalised_square_sum():
    def inst(rng):
        x = _d03(rng)["x"]
        s2 = np.var(x)
        return np.sum(_d03_normalise(x) ** 2), x.size * s2 / (s2 + D03_EPS)
    return _holds(inst)


@verdict(True)
def d03_dmean():
    def inst(rng):
        x = _d03(rng)["x"]
        return _jacobian(np.mean, x), np.full(x.size, 1 / x.size)
    return _holds(inst, FD_TOL)


@verdict(False)
def d03_dvariance():
    def inst(rng):
        x = _d03(rng)["x"]
        return _jacobian(np.var, x), (x - x.mean()) / x.size
    return _fails(inst, FD_TOL)


@verdict(True)
def d03_normalisation_jacobian():
    def inst(rng):
        x = _d03(rng)["x"]
        n = x.size
        xh = _d03_normalise(x)
        r = 1 / np.sqrt(np.var(x) + D03_EPS)
        claim = r * (np.eye(n) - 1 / n - np.outer(xh, xh) / n)
        return _jacobian(_d03_normalise, x), claim
    return _holds(inst, FD_TOL)


@verdict(False)
def d03_grad_gamma():
    def inst(rng):
        p = _d03(rng)
        fd = _jacobian(lambda g: _d03_loss(p["x"], g, p["beta"], p["c"]), p["gamma"])
        return fd, p["c"] * p["x"]
    return _fails(inst, FD_TOL)


@verdict(True)
def d03_grad_beta():
    def inst(rng):
        p = _d03(rng)
        return _jacobian(lambda b: _d03_loss(p["x"], p["gamma"], b, p["c"]), p["beta"]), p["c"]
    return _holds(inst, FD_TOL)


def _d03_grad_x(p):
    return _jacobian(lambda x: _d03_loss(x, p["gamma"], p["beta"], p["c"]), p["x"])


@verdict(True)
def d03_grad_input():
    def inst(rng):
        p = _d03(rng)
        x = p["x"]
        n = x.size
        xh = _d03_normalise(x)
        r = 1 / np.sqrt(np.var(x) + D03_EPS)
        u = p["gamma"] * p["c"]
        claim = r * (u - u.sum() / n - xh * np.sum(u * xh) / n)
        return _d03_grad_x(p), claim
    return _holds(inst, FD_TOL)


@verdict(True)
def d03_grad_input_sums_to_zero():
    return _holds(lambda rng: (_d03_grad_x(_d03(rng)).sum(), 0.0), FD_TOL)


# ---------------------------------------------------------------- 04 attention scores

def _d04(rng, n=5, d=3, dv=2):
    return dict(q=rng.normal(size=d), k=rng.normal(size=(n, d)), v=rng.normal(size=(n, dv)),
                g=rng.normal(size=dv))


def _d04_scores(q, k):
    return k @ q / np.sqrt(q.size)


def _d04_output(q, k, v):
    return v.T @ _softmax(_d04_scores(q, k))


def _d04_e(p):
    a = _softmax(_d04_scores(p["q"], p["k"]))
    return a, (np.diag(a) - np.outer(a, a)) @ p["v"] @ p["g"]


@verdict(True)
def d04_weights_positive():
    for s in DRAWS:
        p = _d04(np.random.default_rng(s))
        if not np.all(_softmax(_d04_scores(10 * p["q"], p["k"])) > 0):
            return False
    return True


@verdict(True)
def d04_weights_sum_to_one():
    def inst(rng):
        p = _d04(rng)
        return _softmax(_d04_scores(p["q"], p["k"])).sum(), 1.0
    return _holds(inst)


@verdict(True)
def d04_jacobian_output_weights():
    def inst(rng):
        p = _d04(rng)
        a = _softmax(_d04_scores(p["q"], p["k"]))
        return _jacobian(lambda aa: p["v"].T @ aa, a), p["v"].T
    return _holds(inst, FD_TOL)


@verdict(True)
def d04_jacobian_softmax():
    def inst(rng):
        p = _d04(rng)
        s = _d04_scores(p["q"], p["k"])
        a = _softmax(s)
        return _jacobian(_softmax, s), np.diag(a) - np.outer(a, a)
    return _holds(inst, FD_TOL)


@verdict(False)
def d04_jacobian_scores_query():
    def inst(rng):
        p = _d04(rng)
        return _jacobian(lambda q: _d04_scores(q, p["k"]), p["q"]), p["k"]
    return _fails(inst, FD_TOL)


@verdict(True)
def d04_jacobian_output_query():
    def inst(rng):
        p = _d04(rng)
        a = _softmax(_d04_scores(p["q"], p["k"]))
        claim = p["v"].T @ (np.diag(a) - np.outer(a, a)) @ p["k"] / np.sqrt(p["q"].size)
        return _jacobian(lambda q: _d04_output(q, p["k"], p["v"]), p["q"]), claim
    return _holds(inst, FD_TOL)


@verdict(True)
def d04_score_gradient_sums_to_zero():
    return _holds(lambda rng: (_d04_e(_d04(rng))[1].sum(), 0.0))


@verdict(True)
def d04_grad_query():
    def inst(rng):
        p = _d04(rng)
        fd = _jacobian(lambda q: p["g"] @ _d04_output(q, p["k"], p["v"]), p["q"])
        return fd, p["k"].T @ _d04_e(p)[1] / np.sqrt(p["q"].size)
    return _holds(inst, FD_TOL)


@verdict(True)
def d04_grad_values():
    def inst(rng):
        p = _d04(rng)
        fd = _jacobian(lambda v: p["g"] @ _d04_output(p["q"], p["k"], v), p["v"])
        return fd, np.outer(_d04_e(p)[0], p["g"])
    return _holds(inst, FD_TOL)


def _d04_grad_keys_instance(n, d):
    def inst(rng):
        p = _d04(rng, n, d)
        fd = _jacobian(lambda k: p["g"] @ _d04_output(p["q"], k, p["v"]), p["k"])
        return fd, np.outer(p["q"], _d04_e(p)[1]) / np.sqrt(d)
    return inst


@verdict(False)
def d04_grad_keys():
    return _fails_for_shapes(_d04_grad_keys_instance, [(5, 3), (3, 3)], FD_TOL)


# ---------------------------------------------------------------- 05 EMA and bias correction

def _ema(beta, gs):
    """[m_0, m_1, ..., m_T] by running the recursion from m_0 = 0."""
    m = [0.0]
    for g in gs:
        m.append(beta * m[-1] + (1 - beta) * g)
    return np.array(m)


@verdict(False)
def d05_second_iterate():
    def inst(rng):
        beta, g = rng.uniform(0.05, 0.95), rng.normal(size=2)
        return _ema(beta, g)[2], beta * (1 - beta) * g[0] + (1 - beta) ** 2 * g[1]
    return _fails(inst)


@verdict(True)
def d05_closed_form():
    def inst(rng):
        beta, g = rng.uniform(0.05, 0.95), rng.normal(size=12)
        claim = [(1 - beta) * sum(beta ** (t - k) * g[k - 1] for k in range(1, t + 1)) for t in range(1, 13)]
        return _ema(beta, g)[1:], claim
    return _holds(inst)


@verdict(True)
def d05_weights_sum():
    def inst(rng):
        beta = rng.uniform(0.05, 0.95)
        lhs = [(1 - beta) * sum(beta ** (t - k) for k in range(1, t + 1)) for t in range(1, 31)]
        return lhs, [1 - beta ** t for t in range(1, 31)]
    return _holds(inst)


@verdict(True)
def d05_corrected_constant():
    def inst(rng):
        beta, g = rng.uniform(0.05, 0.95), rng.normal()
        m = _ema(beta, np.full(40, g))
        return [m[t] / (1 - beta ** t) for t in range(1, 41)], np.full(40, g)
    return _holds(inst)


@verdict(True)
def d05_half_life_solution():
    for s in DRAWS:
        beta = np.random.default_rng(s).uniform(0.05, 0.995)
        bound = np.log(2) / np.log(1 / beta)
        ks = np.linspace(-5, 3 * bound + 5, 20001)
        ks = ks[np.abs(ks - bound) > 1e-9 * max(1.0, bound)]
        if not np.array_equal(beta ** ks < 0.5, ks > bound):
            return False
    return True


def _mean_age(beta):
    return float((1 - beta) * mpmath.nsum(lambda k: k * mpmath.mpf(beta) ** k, [0, mpmath.inf]))


@verdict(False)
def d05_mean_age():
    def claimed(rng):
        beta = rng.uniform(0.05, 0.95)
        return _mean_age(beta), 1 / (1 - beta)

    def corrected(rng):
        beta = rng.uniform(0.05, 0.95)
        return _mean_age(beta), beta / (1 - beta)
    return _fails(claimed) and _holds(corrected)


def _ema_weights(beta, t):
    """Coefficient of g_k in m_t, read off by feeding unit impulses through the recursion."""
    return np.array([_ema(beta, np.eye(t)[k])[t] for k in range(t)])


@verdict(True)
def d05_variance():
    def inst(rng):
        beta, v, t = rng.uniform(0.05, 0.95), rng.uniform(0.1, 3), int(rng.integers(1, 15))
        var = v * np.sum(_ema_weights(beta, t) ** 2)  # independent terms: variances add
        return var, (1 - beta) ** 2 * v * sum(beta ** (2 * (t - k)) for k in range(1, t + 1))
    return _holds(inst)


@verdict(True)
def d05_variance_factor():
    def inst(rng):
        beta = rng.uniform(0.05, 0.95)
        lhs = [(1 - beta) ** 2 * sum(beta ** (2 * (t - k)) for k in range(1, t + 1)) for t in range(1, 31)]
        return lhs, [(1 - beta) / (1 + beta) * (1 - beta ** (2 * t)) for t in range(1, 31)]
    return _holds(inst)


# ---------------------------------------------------------------- 06 Adam unrolled

def _d06(rng, steps=2):
    return dict(beta1=rng.uniform(0.05, 0.95), beta2=rng.uniform(0.05, 0.999), alpha=rng.uniform(0.001, 1),
                eps=10.0 ** rng.uniform(-8, -2), theta0=rng.normal(), gs=rng.normal(size=steps))


def _adam(beta1, beta2, alpha, eps, theta0, gs):
    """Runs the document's recursions; lists are indexed by t (entry 0 is the start)."""
    m, v, mhat, vhat, theta = [0.0], [0.0], [None], [None], [theta0]
    for t, g in enumerate(gs, start=1):
        m.append(beta1 * m[-1] + (1 - beta1) * g)
        v.append(beta2 * v[-1] + (1 - beta2) * g * g)
        mhat.append(m[t] / (1 - beta1 ** t))
        vhat.append(v[t] / (1 - beta2 ** t))
        theta.append(theta[-1] - alpha * mhat[t] / (np.sqrt(vhat[t]) + eps))
    return dict(m=m, v=v, mhat=mhat, vhat=vhat, theta=theta)


def _d06_holds(claim, fails=False):
    def inst(rng):
        p = _d06(rng)
        return claim(p, _adam(**p))
    return _fails(inst) if fails else _holds(inst)


@verdict(True)
def d06_first_moment_step1():
    return _d06_holds(lambda p, r: (r["m"][1], (1 - p["beta1"]) * p["gs"][0]))


@verdict(True)
def d06_second_moment_step1():
    return _d06_holds(lambda p, r: (r["v"][1], (1 - p["beta2"]) * p["gs"][0] ** 2))


@verdict(True)
def d06_corrected_first_moment_step1():
    return _d06_holds(lambda p, r: (r["mhat"][1], p["gs"][0]))


@verdict(True)
def d06_corrected_second_moment_step1():
    return _d06_holds(lambda p, r: (r["vhat"][1], p["gs"][0] ** 2))


@verdict(True)
def d06_first_update():
    return _d06_holds(lambda p, r: (r["theta"][1],
                                    p["theta0"] - p["alpha"] * p["gs"][0] / (abs(p["gs"][0]) + p["eps"])))


@verdict(True)
def d06_first_update_bounded():
    # Exact arithmetic: with |g_1| huge the float ratio would round to 1.
    with mpmath.workdps(60):
        for s in DRAWS:
            rng = np.random.default_rng(s)
            for g in (rng.normal(), 10.0 ** rng.uniform(6, 30), -(10.0 ** rng.uniform(-30, 0))):
                beta1, beta2 = mpmath.mpf(rng.uniform(0.05, 0.95)), mpmath.mpf(rng.uniform(0.05, 0.999))
                alpha, eps, g = mpmath.mpf(rng.uniform(0.001, 1)), mpmath.mpf(10.0 ** rng.uniform(-8, -2)), mpmath.mpf(g)
                mhat = (1 - beta1) * g / (1 - beta1)
                vhat = (1 - beta2) * g * g / (1 - beta2)
                if not abs(alpha * mhat / (mpmath.sqrt(vhat) + eps)) < alpha:
                    return False
    return True


@verdict(True)
def d06_first_moment_step2():
    return _d06_holds(lambda p, r: (r["m"][2], p["beta1"] * (1 - p["beta1"]) * p["gs"][0]
                                    + (1 - p["beta1"]) * p["gs"][1]))


@verdict(False)
def d06_second_moment_step2():
    return _d06_holds(lambda p, r: (r["v"][2], (1 - p["beta2"]) * (p["gs"][0] ** 2 + p["beta2"] * p["gs"][1] ** 2)),
                      fails=True)


@verdict(True)
def d06_difference_of_squares():
    return _d06_holds(lambda p, r: (1 - p["beta1"] ** 2, (1 - p["beta1"]) * (1 + p["beta1"])))


@verdict(False)
def d06_corrected_first_moment_step2():
    return _d06_holds(lambda p, r: (r["mhat"][2], (p["beta1"] * p["gs"][0] + p["gs"][1]) / (1 - p["beta1"])),
                      fails=True)


@verdict(True)
def d06_corrected_second_moment_step2():
    return _d06_holds(lambda p, r: (r["vhat"][2], (p["beta2"] * p["gs"][0] ** 2 + p["gs"][1] ** 2) / (1 + p["beta2"])))


def _d06_constant(rng):
    p = _d06(rng)
    g = rng.normal()
    p["gs"] = np.full(40, g)
    return p, g, _adam(**p)


@verdict(True)
def d06_constant_first_moment():
    def inst(rng):
        _, g, r = _d06_constant(rng)
        return r["mhat"][1:], np.full(40, g)
    return _holds(inst)


@verdict(True)
def d06_constant_second_moment():
    def inst(rng):
        _, g, r = _d06_constant(rng)
        return r["vhat"][1:], np.full(40, g * g)
    return _holds(inst)


@verdict(True)
def d06_constant_update():
    def inst(rng):
        p, g, r = _d06_constant(rng)
        return np.diff(r["theta"]), np.full(40, -p["alpha"] * g / (abs(g) + p["eps"]))
    return _holds(inst)


# ---------------------------------------------------------------- 07 Gaussian conditioning

def _d07(rng, p=2, q=3):
    sigma = _spd(rng, p + q)
    mu = rng.normal(size=p + q)
    y = rng.normal(size=q)
    blocks = dict(xx=sigma[:p, :p], xy=sigma[:p, p:], yx=sigma[p:, :p], yy=sigma[p:, p:])
    schur = blocks["xx"] - blocks["xy"] @ np.linalg.solve(blocks["yy"], blocks["yx"])
    return sigma, mu, y, blocks, schur, p


@verdict(True)
def d07_symmetric_blocks():
    def inst(rng):
        _, _, _, b, _, _ = _d07(rng)
        return b["yx"], b["xy"].T
    return _holds(inst)


@verdict(True)
def d07_conditional_mean():
    # Independent route: complete the square with the precision matrix.
    def inst(rng):
        sigma, mu, y, b, _, p = _d07(rng)
        lam = np.linalg.inv(sigma)
        via_precision = mu[:p] - np.linalg.solve(lam[:p, :p], lam[:p, p:] @ (y - mu[p:]))
        return via_precision, mu[:p] + b["xy"] @ np.linalg.solve(b["yy"], y - mu[p:])
    return _holds(inst)


@verdict(True)
def d07_conditional_covariance():
    def inst(rng):
        sigma, _, _, _, schur, p = _d07(rng)
        return np.linalg.inv(np.linalg.inv(sigma)[:p, :p]), schur
    return _holds(inst)


@verdict(True)
def d07_determinant():
    def inst(rng):
        sigma, _, _, b, schur, _ = _d07(rng)
        return np.linalg.det(sigma), np.linalg.det(b["yy"]) * np.linalg.det(schur)
    return _holds(inst)


@verdict(False)
def d07_precision_block():
    def inst(rng):
        sigma, _, _, b, _, p = _d07(rng)
        return np.linalg.inv(sigma)[:p, :p], np.linalg.inv(b["xx"])
    return _fails(inst)


@verdict(True)
def d07_conditioning_shrinks_trace():
    for s in DRAWS:
        _, _, _, b, schur, _ = _d07(np.random.default_rng(s))
        if not np.trace(schur) <= np.trace(b["xx"]):
            return False
    return True


def _d07_density(rng, p=3):
    return rng.normal(size=p), _spd(rng, p), rng.normal(size=p)


@verdict(False)
def d07_log_density():
    def inst(rng):
        mu, c, x = _d07_density(rng)
        r = x - mu
        claim = -0.5 * r @ np.linalg.solve(c, r) - x.size / 2 * np.log(2 * np.pi) - np.log(np.linalg.det(c))
        return stats.multivariate_normal(mu, c).logpdf(x), claim
    return _fails(inst)


@verdict(True)
def d07_log_density_gradient():
    def inst(rng):
        mu, c, x = _d07_density(rng)
        fd = _jacobian(lambda m: stats.multivariate_normal(m, c).logpdf(x), mu)
        return fd, np.linalg.solve(c, x - mu)
    return _holds(inst, FD_TOL)


@verdict(True)
def d07_affine_covariance():
    # Symmetric sigma points reproduce the mean and covariance of N(mu, C) exactly; the
    # covariance of their images is then computed from its definition as an average.
    def inst(rng, p=3, r=2):
        mu, c, _ = _d07_density(rng, p)
        a, shift = rng.normal(size=(r, p)), rng.normal(size=r)
        root = np.linalg.cholesky(c)
        points = [mu + s * np.sqrt(p) * root[:, i] for i in range(p) for s in (1, -1)]
        images = np.array([a @ x + shift for x in points])
        centred = images - images.mean(axis=0)
        return centred.T @ centred / len(points), a @ c @ a.T
    return _holds(inst)


# ---------------------------------------------------------------- 08 Kalman update

def _d08(rng, n=3, k=2):
    p, r, h = _spd(rng, n), _spd(rng, k), rng.normal(size=(k, n))
    s = h @ p @ h.T + r
    gain = p @ h.T @ np.linalg.inv(s)
    post = (np.eye(n) - gain @ h) @ p
    return p, r, h, s, gain, post


@verdict(True)
def d08_gain_identity():
    def inst(rng):
        p, r, h, s, gain, post = _d08(rng)
        a, b, c = gain @ s @ gain.T, p @ h.T @ np.linalg.inv(s) @ h @ p, gain @ h @ p
        return np.stack([a, b]), np.stack([b, c])
    return _holds(inst)


@verdict(True)
def d08_covariance_short_form():
    def inst(rng):
        p, r, h, s, gain, post = _d08(rng)
        return post, p - gain @ s @ gain.T
    return _holds(inst)


@verdict(True)
def d08_joseph_form():
    def inst(rng):
        p, r, h, s, gain, post = _d08(rng)
        a = np.eye(p.shape[0]) - gain @ h
        return post, a @ p @ a.T + gain @ r @ gain.T
    return _holds(inst)


@verdict(True)
def d08_information_form():
    def inst(rng):
        p, r, h, s, gain, post = _d08(rng)
        return np.linalg.inv(post), np.linalg.inv(p) + h.T @ np.linalg.inv(r) @ h
    return _holds(inst)


def _d08_gain_information_instance(n, k):
    def inst(rng):
        p, r, h, s, gain, post = _d08(rng, n, k)
        info = np.linalg.inv(np.linalg.inv(p) + h.T @ np.linalg.inv(r) @ h)
        return gain, _matmul(_matmul(info, h), np.linalg.inv(r))
    return inst


@verdict(False)
def d08_gain_information_form():
    # Undefined when k != n, wrong values when k == n; with H^T it is right.
    def corrected(rng):
        p, r, h, s, gain, post = _d08(rng)
        return gain, np.linalg.inv(np.linalg.inv(p) + h.T @ np.linalg.inv(r) @ h) @ h.T @ np.linalg.inv(r)
    return _fails_for_shapes(_d08_gain_information_instance, [(3, 2), (3, 3)]) and _holds(corrected)


def _d08_scalar(rng):
    p, r = 10.0 ** rng.uniform(-2, 2), 10.0 ** rng.uniform(-2, 2)
    _, _, _, _, gain, post = _d08_general(np.array([[p]]), np.array([[r]]), np.eye(1))
    return p, r, gain[0, 0], post[0, 0]


def _d08_general(p, r, h):
    s = h @ p @ h.T + r
    gain = p @ h.T @ np.linalg.inv(s)
    return p, r, h, s, gain, (np.eye(p.shape[0]) - gain @ h) @ p


@verdict(True)
def d08_scalar_gain():
    def inst(rng):
        p, r, gain, _ = _d08_scalar(rng)
        return gain, p / (p + r)
    return _holds(inst)


@verdict(False)
def d08_scalar_gain_complement():
    def inst(rng):
        p, r, gain, _ = _d08_scalar(rng)
        return 1 - gain, p / (p + r)
    return _fails(inst)


@verdict(True)
def d08_scalar_posterior_variance():
    for s in DRAWS:
        p, r, _, post = _d08_scalar(np.random.default_rng(s))
        if not (_close(post, p * r / (p + r)) and p * r / (p + r) < min(p, r)):
            return False
    return True


def _d08_filter_step(p_prev, q, r):
    """Predict through the random walk (add q), then the matrix measurement update."""
    return _d08_general(np.array([[p_prev + q]]), np.array([[r]]), np.eye(1))[5][0, 0]


def _d08_walk(rng):
    return 10.0 ** rng.uniform(-1, 1), 10.0 ** rng.uniform(-2, 1), 10.0 ** rng.uniform(-2, 1)


@verdict(True)
def d08_variance_recursion():
    def inst(rng):
        p, q, r = _d08_walk(rng)
        return _d08_filter_step(p, q, r), (p + q) * r / (p + q + r)
    return _holds(inst)


def _d08_limit(p, q, r):
    for _ in range(5000):
        p = _d08_filter_step(p, q, r)
    return p


@verdict(True)
def d08_fixed_point_equation():
    def inst(rng):
        p, q, r = _d08_walk(rng)
        lim = _d08_limit(p, q, r)
        return lim * lim + q * lim - q * r, 0.0
    return _holds(inst)


@verdict(True)
def d08_steady_state_variance():
    def inst(rng):
        p, q, r = _d08_walk(rng)
        return _d08_limit(p, q, r), (-q + np.sqrt(q * q + 4 * q * r)) / 2
    return _holds(inst)


# ---------------------------------------------------------------- 09 convolution as Toeplitz

def _d09(rng, n=8, k=3):
    return rng.normal(size=n), rng.normal(size=k), rng.normal(size=n - k + 1)


def _valid_correlation(x, w):
    """y_i = sum_j w_j x_{i+j-1}, written 0-based straight from the definition."""
    n, k = x.size, w.size
    return np.array([sum(w[j] * x[i + j] for j in range(k)) for i in range(n - k + 1)])


def _toeplitz(w, n):
    k = w.size
    t = np.zeros((n - k + 1, n))
    for i in range(n - k + 1):
        for j in range(k):
            t[i, i + j] = w[j]
    return t


def _patches(x, k):
    return np.array([[x[i + j] for j in range(k)] for i in range(x.size - k + 1)])


@verdict(False)
def d09_output_length():
    sizes = [(8, 3), (5, 5), (10, 1), (7, 4), (20, 6)]
    lengths = [np.correlate(np.ones(n), np.ones(k), mode="valid").size for n, k in sizes]
    claim = [n - k for n, k in sizes]
    # True length is n - k + 1 for every size, so the claim is off by one everywhere.
    return all(a != b for a, b in zip(lengths, claim)) and lengths == [n - k + 1 for n, k in sizes]


@verdict(True)
def d09_matrix_forms():
    def inst(rng):
        x, w, _ = _d09(rng)
        y = _valid_correlation(x, w)
        return np.stack([np.correlate(x, w, mode="valid"), y, _toeplitz(w, x.size) @ x]), \
            np.stack([y, _toeplitz(w, x.size) @ x, _patches(x, w.size) @ w])
    return _holds(inst)


@verdict(True)
def d09_operator_norm_bound():
    for s in DRAWS:
        x, w, _ = _d09(np.random.default_rng(s))
        if not np.linalg.norm(_toeplitz(w, x.size), 2) <= np.sum(np.abs(w)) + 1e-12:
            return False
    return True


@verdict(True)
def d09_grad_input():
    def inst(rng):
        x, w, g = _d09(rng)
        return _jacobian(lambda xx: g @ _valid_correlation(xx, w), x), _toeplitz(w, x.size).T @ g
    return _holds(inst, FD_TOL)


@verdict(True)
def d09_grad_kernel():
    def inst(rng):
        x, w, g = _d09(rng)
        return _jacobian(lambda ww: g @ _valid_correlation(x, ww), w), _patches(x, w.size).T @ g
    return _holds(inst, FD_TOL)


def _d09_input_components(rng, shift):
    x, w, g = _d09(rng)
    n, k = x.size, w.size

    def kernel(j):  # 1-based, zero outside 1..k as the document says
        return w[j - 1] if 1 <= j <= k else 0.0
    claim = [sum(g[i - 1] * kernel(m - i + shift) for i in range(1, n - k + 2)) for m in range(1, n + 1)]
    return _jacobian(lambda xx: g @ _valid_correlation(xx, w), x), claim


@verdict(False)
def d09_grad_input_components():
    # The document's index m - i is off by one; m - i + 1 is the component of T^T g.
    return (_fails(lambda rng: _d09_input_components(rng, 0), FD_TOL)
            and _holds(lambda rng: _d09_input_components(rng, 1), FD_TOL))


@verdict(True)
def d09_convolution_theorem():
    def inst(rng):
        n = 8
        x, w = rng.normal(size=n), np.concatenate([rng.normal(size=3), np.zeros(n - 3)])
        c = np.array([sum(w[j] * x[(i - j) % n] for j in range(n)) for i in range(n)])
        lhs, rhs = np.fft.fft(c), np.fft.fft(w) * np.fft.fft(x)
        return np.stack([lhs.real, lhs.imag]), np.stack([rhs.real, rhs.imag])
    return _holds(inst)


# ---------------------------------------------------------------- 10 least squares, gradient descent

def _d10(rng, n=20, d=3):
    x = rng.normal(size=(n, d)) * np.array([3.0, 1.0, 0.3])
    return x, rng.normal(size=n)


def _d10_f(x, y):
    return lambda w: np.sum((x @ w - y) ** 2) / (2 * x.shape[0])


def _d10_hmat(x):
    return x.T @ x / x.shape[0]


@verdict(True)
def d10_gradient():
    def inst(rng):
        x, y = _d10(rng)
        w = rng.normal(size=x.shape[1])
        return _jacobian(_d10_f(x, y), w), x.T @ (x @ w - y) / x.shape[0]
    return _holds(inst, FD_TOL)


@verdict(False)
def d10_hessian():
    def inst(rng):
        x, y = _d10(rng)
        return _hessian(_d10_f(x, y), rng.normal(size=x.shape[1])), 2 / x.shape[0] * x.T @ x
    return _fails(inst, 1e-5)


@verdict(True)
def d10_minimiser():
    def inst(rng):
        x, y = _d10(rng)
        w_star = np.linalg.inv(x.T @ x) @ x.T @ y
        return np.stack([w_star, _jacobian(_d10_f(x, y), w_star)]), \
            np.stack([np.linalg.lstsq(x, y, rcond=None)[0], np.zeros(x.shape[1])])
    return _holds(inst, FD_TOL)


def _d10_run(rng, steps):
    """Gradient descent with a finite-difference gradient, and its error sequence."""
    x, y = _d10(rng)
    h = _d10_hmat(x)
    eta = rng.uniform(0.2, 1.8) / np.max(np.linalg.eigvalsh(h))
    ws = [rng.normal(size=x.shape[1])]
    for _ in range(steps):
        ws.append(ws[-1] - eta * _jacobian(_d10_f(x, y), ws[-1]))
    w_star = np.linalg.lstsq(x, y, rcond=None)[0]
    return h, eta, [w - w_star for w in ws]


@verdict(True)
def d10_error_step():
    def inst(rng):
        h, eta, e = _d10_run(rng, 5)
        step = np.eye(h.shape[0]) - eta * h
        return np.array(e[1:]), np.array([step @ et for et in e[:-1]])
    return _holds(inst, FD_TOL)


@verdict(False)
def d10_error_unrolled():
    def claimed(rng):
        h, eta, e = _d10_run(rng, 4)
        return e[4], np.linalg.matrix_power(np.eye(h.shape[0]) - eta * h, 5) @ e[0]

    def corrected(rng):
        h, eta, e = _d10_run(rng, 4)
        return e[4], np.linalg.matrix_power(np.eye(h.shape[0]) - eta * h, 4) @ e[0]
    return _fails(claimed, FD_TOL) and _holds(corrected, FD_TOL)


def _stable_interval_matches(h, upper):
    """{eta : spectral radius of I - eta H < 1} equals (0, upper), on a grid off the ends."""
    etas = np.linspace(-0.5 * upper, 1.5 * upper, 4001)
    etas = etas[(np.abs(etas) > 1e-9 * upper) & (np.abs(etas - upper) > 1e-9 * upper)]
    eye = np.eye(h.shape[0])
    stable = np.array([_spectral_radius(eye - eta * h) < 1 for eta in etas])
    return np.array_equal(stable, (etas > 0) & (etas < upper))


@verdict(True)
def d10_stable_step_sizes():
    for s in DRAWS:
        h = _d10_hmat(_d10(np.random.default_rng(s))[0])
        if not _stable_interval_matches(h, 2 / np.max(np.linalg.eigvalsh(h))):
            return False
    return True


def _best_step(h):
    eye = np.eye(h.shape[0])
    upper = 2 / np.max(np.abs(np.linalg.eigvals(h)))
    res = optimize.minimize_scalar(lambda eta: _spectral_radius(eye - eta * h), bounds=(0, upper),
                                   method="bounded", options={"xatol": 1e-12})
    return res.x, res.fun


@verdict(True)
def d10_best_step():
    def inst(rng):
        h = _d10_hmat(_d10(rng)[0])
        lam = np.linalg.eigvalsh(h)
        return _best_step(h)[0], 2 / (lam[-1] + lam[0])
    return _holds(inst, 1e-6)


@verdict(True)
def d10_best_contraction():
    def inst(rng):
        h = _d10_hmat(_d10(rng)[0])
        lam = np.linalg.eigvalsh(h)
        kappa = lam[-1] / lam[0]
        eta = 2 / (lam[-1] + lam[0])
        return _spectral_radius(np.eye(h.shape[0]) - eta * h), (kappa - 1) / (kappa + 1)
    return _holds(inst)


D10_EXAMPLE = np.diag([4.0, 1.0])


@verdict(True)
def d10_example_stable_steps():
    return _stable_interval_matches(D10_EXAMPLE, 0.5)


@verdict(True)
def d10_example_best_step():
    return _close(_best_step(D10_EXAMPLE)[0], 0.4, 1e-6)


@verdict(False)
def d10_example_contraction():
    rate = _best_step(D10_EXAMPLE)[1]
    return _close(rate, 0.6, 1e-6) and not _close(rate, 0.75, 1e-6)


# ---------------------------------------------------------------- 11 VAE Gaussian terms

def _normal_pdf(m, s):
    return lambda x: mpmath.exp(-((x - m) ** 2) / (2 * s * s)) / (s * mpmath.sqrt(2 * mpmath.pi))


def _kl_quad(m1, s1, m2, s2):
    """KL(N(m1, s1^2) || N(m2, s2^2)) by quadrature of p log(p/q) over +-12 standard deviations."""
    def log_pdf(x, m, s):
        return -((x - m) ** 2) / (2 * s * s) - np.log(s * np.sqrt(2 * np.pi))

    def integrand(x):
        lp = log_pdf(x, m1, s1)
        return np.exp(lp) * (lp - log_pdf(x, m2, s2))
    value, _ = integrate.quad(integrand, m1 - 12 * s1, m1 + 12 * s1, epsabs=1e-14, epsrel=1e-13, limit=200)
    return value


def _d11(rng, d=3):
    return rng.normal(size=d), np.exp(rng.uniform(-1, 1, size=d)), rng.normal(size=d)


@verdict(True)
def d11_dz_dmu():
    def inst(rng):
        mu, sigma, eps = _d11(rng)
        return np.diag(_jacobian(lambda m: m + sigma * eps, mu)), np.ones(mu.size)
    return _holds(inst, FD_TOL)


@verdict(True)
def d11_dz_dsigma():
    def inst(rng):
        mu, sigma, eps = _d11(rng)
        return np.diag(_jacobian(lambda s: mu + s * eps, sigma)), eps
    return _holds(inst, FD_TOL)


def _moment_of_z(mu, sigma, f):
    """E[f(mu + sigma * eps)] for eps ~ N(0, 1), by quadrature."""
    phi = _normal_pdf(0, 1)
    return float(mpmath.quad(lambda e: f(mu + sigma * e) * phi(e), [-mpmath.inf, 0, mpmath.inf]))


@verdict(True)
def d11_sample_mean():
    def inst(rng):
        mu, sigma, _ = _d11(rng)
        return [_moment_of_z(m, s, lambda z: z) for m, s in zip(mu, sigma)], mu
    return _holds(inst)


@verdict(False)
def d11_sample_variance():
    def inst(rng):
        mu, sigma, _ = _d11(rng)
        return [_moment_of_z(m, s, lambda z, m=m: (z - m) ** 2) for m, s in zip(mu, sigma)], sigma
    return _fails(inst)


@verdict(True)
def d11_kl_univariate():
    def inst(rng):
        m1, m2 = rng.normal(size=2)
        t1, t2 = np.exp(rng.uniform(-1, 1, size=2))
        return _kl_quad(m1, t1, m2, t2), np.log(t2 / t1) + (t1 ** 2 + (m1 - m2) ** 2) / (2 * t2 ** 2) - 0.5
    return _holds(inst)


def _kl_to_standard(mu, sigma):
    # Independent coordinates: the KL of a product is the sum of the coordinates' KLs.
    return sum(_kl_quad(m, s, 0.0, 1.0) for m, s in zip(mu, sigma))


@verdict(True)
def d11_kl_standard_normal():
    def inst(rng):
        mu, sigma, _ = _d11(rng)
        return _kl_to_standard(mu, sigma), 0.5 * np.sum(mu ** 2 + sigma ** 2 - np.log(sigma ** 2) - 1)
    return _holds(inst)


@verdict(True)
def d11_log_inequality():
    with mpmath.workdps(40):
        points = [mpmath.mpf(10) ** (mpmath.mpf(e) / 10) for e in range(-120, 121)] + [mpmath.mpf(1)]
        return all(u - mpmath.log(u) - 1 >= 0 for u in points)


@verdict(True)
def d11_kl_nonnegative():
    for s in DRAWS:
        mu, sigma, _ = _d11(np.random.default_rng(s))
        if not (_kl_to_standard(mu, sigma) >= 0 and _kl_to_standard(0 * mu, 1 + 0 * sigma) >= -1e-12):
            return False
    return True


def _kl_gradient(mu, sigma, which):
    # D is a sum over coordinates, so dD/d(param_i) only involves coordinate i.
    out = []
    for m, s in zip(mu, sigma):
        if which == "mu":
            out.append(_jacobian(lambda v, s=s: _kl_quad(v[()], s, 0.0, 1.0), np.array(m), 1e-4))
        else:
            out.append(_jacobian(lambda v, m=m: _kl_quad(m, v[()], 0.0, 1.0), np.array(s), 1e-4))
    return np.array(out)


@verdict(True)
def d11_grad_mu():
    def inst(rng):
        mu, sigma, _ = _d11(rng)
        return _kl_gradient(mu, sigma, "mu"), mu
    return _holds(inst, FD_TOL)


@verdict(False)
def d11_grad_sigma():
    for seed in DRAWS:
        mu, sigma, _ = _d11(np.random.default_rng(seed))
        fd = _kl_gradient(mu, sigma, "sigma")
        # The claim must miss and the corrected sigma - 1/sigma must hit, on every draw.
        if _close(fd, sigma - 2 / sigma, FD_TOL) or not _close(fd, sigma - 1 / sigma, FD_TOL):
            return False
    return True


@verdict(True)
def d11_grad_log_variance():
    def inst(rng):
        mu, sigma, _ = _d11(rng)
        s = np.log(sigma ** 2)
        fd = [_jacobian(lambda v, m=m: _kl_quad(m, float(np.sqrt(np.exp(v[()]))), 0.0, 1.0), np.array(si), 1e-4)
              for m, si in zip(mu, s)]
        return fd, 0.5 * (np.exp(s) - 1)
    return _holds(inst, FD_TOL)


# ---------------------------------------------------------------- 12 dropout moments

def _d12(rng, n=4):
    return rng.normal(size=n), rng.normal(size=n), rng.uniform(0.1, 0.9), rng.normal()


def _expect(p, n, f):
    """Exact expectation of f(mask) over independent Bernoulli(p) masks, by enumeration."""
    total = 0.0
    for bits in np.ndindex(*(2,) * n):
        m = np.array(bits, dtype=float)
        total = total + np.prod(np.where(m == 1, p, 1 - p)) * np.asarray(f(m))
    return total


@verdict(True)
def d12_mask_moments():
    def inst(rng):
        p = rng.uniform(0.1, 0.9)
        return [_expect(p, 1, lambda m: m[0]), _expect(p, 1, lambda m: m[0] ** 2)], [p, p]
    return _holds(inst)


@verdict(True)
def d12_unit_mean():
    def inst(rng):
        h, _, p, _ = _d12(rng)
        return _expect(p, h.size, lambda m: m * h / p), h
    return _holds(inst)


@verdict(False)
def d12_unit_second_moment():
    def inst(rng):
        h, _, p, _ = _d12(rng)
        return _expect(p, h.size, lambda m: (m * h / p) ** 2), h ** 2 / p ** 2
    return _fails(inst)


@verdict(True)
def d12_unit_variance():
    def inst(rng):
        h, _, p, _ = _d12(rng)
        mean = _expect(p, h.size, lambda m: m * h / p)
        return _expect(p, h.size, lambda m: (m * h / p - mean) ** 2), (1 - p) / p * h ** 2
    return _holds(inst)


@verdict(False)
def d12_readout_mean():
    def inst(rng):
        h, w, p, _ = _d12(rng)
        return _expect(p, h.size, lambda m: w @ (m * h / p)), p * (w @ h)
    return _fails(inst)


@verdict(True)
def d12_readout_variance():
    def inst(rng):
        h, w, p, _ = _d12(rng)
        mean = _expect(p, h.size, lambda m: w @ (m * h / p))
        return _expect(p, h.size, lambda m: (w @ (m * h / p) - mean) ** 2), (1 - p) / p * np.sum(w ** 2 * h ** 2)
    return _holds(inst)


@verdict(True)
def d12_expected_squared_error():
    def inst(rng):
        h, w, p, y = _d12(rng)
        return _expect(p, h.size, lambda m: (y - w @ (m * h / p)) ** 2), \
            (y - w @ h) ** 2 + (1 - p) / p * np.sum(w ** 2 * h ** 2)
    return _holds(inst)
