"""momentum-map: checked steps, and the derived inverse / Jacobian / determinant against an
independent float64 model (NumPy F, central finite differences) that never sees them.

Input distributions (seed 23): θ, p ~ U(-1, 1)^D; F(θ) = Σ_j c_j log cosh(w_jᵀθ + b_j) + ½θᵀAθ
with w_j, b_j ~ N(0, 1), c_j ~ U(-2, 2), A = (M + Mᵀ)/2, M ~ U(-1, 1); α ~ U(0.05, 0.5),
β ~ U(0.3, 0.99).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

import derive
from derive import CheckSettings, check_equal
from derive.numeric import evaluate
from derive.symbols import MatSeq


class NumpyF:
    """An F independent of the proof module's SmoothF; grad/hess by the formulas of this test."""

    def __init__(self, rng: np.random.Generator, dim: int, ridges: int = 3):
        self.W = rng.standard_normal((ridges, dim))
        self.b = rng.standard_normal(ridges)
        self.c = rng.uniform(-2, 2, ridges)
        M = rng.uniform(-1, 1, (dim, dim))
        self.A = (M + M.T) / 2

    def value(self, x):
        return float(np.sum(self.c * np.log(np.cosh(self.W @ x + self.b))) + 0.5 * x @ self.A @ x)

    def grad_np(self, x):
        return self.W.T @ (self.c * np.tanh(self.W @ x + self.b)) + self.A @ x

    def hess_np(self, x):
        s = self.c / np.cosh(self.W @ x + self.b) ** 2
        return (self.W.T * s) @ self.W + self.A

    # the evaluator's interface (mpmath vectors in, mpmath out)
    def grad(self, x):
        return mpmath.matrix(self.grad_np(np.array(x.tolist(), dtype=float).ravel()).tolist())

    def hess(self, x):
        return mpmath.matrix(self.hess_np(np.array(x.tolist(), dtype=float).ravel()).tolist())


def forward(F, a, b, th, p):
    p1 = b * p - a * F.grad_np(th)
    return th + p1, p1


def fd_jacobian(F, a, b, th, p, h=1e-6):
    dim = th.size
    s = np.concatenate([th, p])
    J = np.zeros((2 * dim, 2 * dim))
    for c in range(2 * dim):
        e = np.zeros(2 * dim)
        e[c] = h
        up = np.concatenate(forward(F, a, b, *np.split(s + e, 2)))
        dn = np.concatenate(forward(F, a, b, *np.split(s - e, 2)))
        J[:, c] = (up - dn) / (2 * h)
    return J


@pytest.fixture(scope="module")
def derivation():
    return derive.get("momentum-map").derivation()


SYM = {name: sp.Symbol(name, positive=True) for name in ("alpha", "beta")}
D = sp.Symbol("D", integer=True, positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)


def _values(F, dim, a, b, th, p):
    T, P = sp.MatrixSymbol("T", D, 1), sp.MatrixSymbol("Pm", D, 1)
    vals = {D: dim, SYM["alpha"]: mpmath.mpf(a), SYM["beta"]: mpmath.mpf(b), "F": F,
            T: mpmath.matrix(th.tolist()), P: mpmath.matrix(p.tolist())}
    return T, P, vals


def test_every_step_and_answer_checks(derivation):
    checked = derivation.check(CheckSettings(instances=3, symbolic_timeout=2.0))
    bad = [(r.step.reason, str(r.verdict)) for r in checked.steps if not r.verdict.ok]
    bad += [(a.label, str(v)) for a, v in checked.answers if not v.ok]
    assert not bad


@pytest.mark.parametrize("dim", [1, 2, 3, 4])
def test_jacobian_blocks_and_determinant_against_finite_differences(derivation, dim):
    rng = np.random.default_rng(23 + dim)
    F = NumpyF(rng, dim)
    a, b = rng.uniform(0.05, 0.5), rng.uniform(0.3, 0.99)
    th, p = rng.uniform(-1, 1, dim), rng.uniform(-1, 1, dim)
    T, P, vals = _values(F, dim, a, b, th, p)
    J = derivation.result("jacobian").xreplace({MatSeq("theta", k, D, 1): T})
    Jd = np.array(evaluate(J, vals, dps=20).tolist(), dtype=float)
    Jfd = fd_jacobian(F, a, b, th, p)
    assert np.max(np.abs(Jd - Jfd)) < 1e-7
    # key from the seed (and the issue): det = β^D
    assert abs(np.linalg.det(Jfd) - b**dim) < 1e-7
    det = derivation.result("det")
    assert sp.simplify(det - SYM["beta"] ** D) == 0


def _arr(v):
    """An evaluated vector as a NumPy array (the evaluator reads 1 x 1 results as scalars)."""
    return np.array(v.tolist(), dtype=float).ravel() if isinstance(v, mpmath.matrix) else np.array([float(v)])


def test_inverse_undoes_the_forward_map(derivation):
    rng = np.random.default_rng(29)
    for dim in (1, 3):
        F = NumpyF(rng, dim)
        a, b = rng.uniform(0.05, 0.5), rng.uniform(0.3, 0.99)
        th, p = rng.uniform(-1, 1, dim), rng.uniform(-1, 1, dim)
        th1, p1 = forward(F, a, b, th, p)
        T, P, vals = _values(F, dim, a, b, th1, p1)
        sub = {MatSeq("theta", k + 1, D, 1): T, MatSeq("p", k + 1, D, 1): P}
        th0 = _arr(evaluate(derivation.result("inverse_theta").xreplace(sub), vals, dps=20))
        p0 = _arr(evaluate(derivation.result("inverse_p").xreplace(sub), vals, dps=20))
        assert np.allclose(th0, th, atol=1e-12) and np.allclose(p0, p, atol=1e-12)


def test_the_seeds_jacobian_is_refuted(derivation):
    mod_jac = [s for s in derivation.steps if s.reason.startswith("read the D x D blocks")][0]
    seed_J = sp.BlockMatrix([[sp.Identity(D), sp.ZeroMatrix(D, D)],
                             [mod_jac.rhs.blocks[1, 0], SYM["beta"] * sp.Identity(D)]])
    v = check_equal(mod_jac.lhs, seed_J, derivation.problem, settings=CheckSettings(instances=3), prover=None)
    assert v.status == "refuted"


# --- generated code --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated():
    from derive.emit import codegen

    spec = derive.get("momentum-map").module_spec()
    return codegen.load_module(codegen.write_module(spec, "numpy"))


@pytest.mark.parametrize("dim", [1, 2, 4])
def test_generated_map_inverse_and_jacobian(generated, dim):
    rng = np.random.default_rng(31 + dim)
    F = NumpyF(rng, dim)
    a, b = rng.uniform(0.05, 0.5), rng.uniform(0.3, 0.99)
    th, p = rng.uniform(-1, 1, dim), rng.uniform(-1, 1, dim)
    th1, p1 = generated.forward(th, p, a, b, F.grad_np)
    ref1 = forward(F, a, b, th, p)
    assert np.allclose(th1, ref1[0], atol=1e-14) and np.allclose(p1, ref1[1], atol=1e-14)
    th0, p0 = generated.inverse(th1, p1, a, b, F.grad_np)
    assert np.allclose(th0, th, atol=1e-12) and np.allclose(p0, p, atol=1e-12)
    J = generated.jacobian(th, p, a, b, F.hess_np)
    assert J.shape == (2 * dim, 2 * dim)
    assert np.max(np.abs(J - fd_jacobian(F, a, b, th, p))) < 1e-7
