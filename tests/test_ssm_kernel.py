"""The spine: ssm-kernel derived, checked, printed, generated and verified."""

import numpy as np
import pytest
import sympy as sp

from derive import CheckSettings, check_equal
from derive.emit import codegen
from derive.emit.latex import derivation_latex


def test_every_step_holds_and_induction_is_proved(ssm_derivation):
    checked = ssm_derivation.check(CheckSettings(instances=6))
    assert checked.ok, [(r.step.reason, str(r.verdict)) for r in checked.steps if not r.verdict.ok]
    induction = [r for r in checked.steps if r.step.reason.startswith("induction step") and r.step.part == "a"]
    assert induction and induction[0].verdict.status == "proved"


def test_kernel_matches_the_seed_answer(ssm_derivation):
    # seed 000 Problem 1(a): K_0 = D, K_l = C A^{l-1} B (the key, written before the code)
    n = sp.Symbol("n", integer=True, positive=True)
    p, q = sp.symbols("p q", integer=True, positive=True)
    ell = sp.Symbol("ell", integer=True, nonnegative=True)
    A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, q)
    C, D = sp.MatrixSymbol("C", p, n), sp.MatrixSymbol("D", p, q)
    assert ssm_derivation.result("K_ell") == C * A ** (ell - 1) * B
    assert ssm_derivation.result("K_0") == D
    # and it came out of the derivation's steps (the read-off step has it as its right side)
    assert any(s.rhs == C * A ** (ell - 1) * B for s in ssm_derivation.steps)


def test_wrong_step_is_refuted_with_counterexample(ssm_derivation):
    # inject the classic off-by-one: K_l = C A^l B
    good = [s for s in ssm_derivation.steps if str(s.lhs) == "MatSeq(K, ell, p, q)"][0]
    C, power, B = good.rhs.args
    wrong_rhs = sp.MatMul(C, sp.MatPow(power.base, sp.Symbol("ell", integer=True, nonnegative=True)), B)
    v = check_equal(good.lhs, wrong_rhs, ssm_derivation.problem, condition=good.condition)
    assert v.status == "refuted"
    ce = v.counterexample
    assert "instance" in ce and "lhs" in ce and "rhs" in ce
    assert ce["lhs"] != ce["rhs"]


def test_worked_examples_exact(ssm_derivation):
    # expected values: seed 000 Problem 1(b) / issue 3 (exact rationals), written before the code ran
    delta = sp.Symbol("delta")
    expected = {
        "scalar": [delta, sp.Rational(3, 2), sp.Rational(6, 5), sp.Rational(24, 25), sp.Rational(96, 125)],
        "2-D": [0, 1, sp.Rational(7, 10), sp.Rational(51, 100)],
    }
    answers = ssm_derivation.answers_for("b")
    assert len(answers) == 2
    got = {("scalar" if "scalar" in a.label else "2-D"): a.value for a in answers}
    for key, vals in expected.items():
        assert [sp.simplify(g - e) for g, e in zip(got[key], vals)] == [0] * len(vals)
        assert all(isinstance(g, (sp.Rational, sp.Symbol, sp.Integer)) or g == 0 for g in got[key])
    assert all(a.check().ok for a in answers)


def test_latex_house_style(ssm_derivation):
    tex = derivation_latex(ssm_derivation, "a")
    assert tex.startswith("\\begin{aligned}") and "&&" in tex and "\\text{" in tex
    assert "K_{\\ell} &= C A^{\\ell - 1} B" in tex
    assert "\\sum_{j=0}^{k - 1} A^{k - j - 1} B u_{j}" in tex


def _simulate_kernel(A, B, C, D, L):
    """Impulse through x <- A x + B u in float64 (the reference, not the generated loop)."""
    x = np.zeros(A.shape[0])
    out = []
    for k in range(L):
        uk = 1.0 if k == 0 else 0.0
        out.append(C @ x + D * uk)
        x = A @ x + B * uk
    return np.array(out)


@pytest.mark.parametrize("backend", ["numpy", "numba", "cupy"])
def test_generated_diagonal_kernel_matches_simulation(ssm, backend):
    # N = 64, L = 4096, |a| ~ U(0.5, 0.999) with random sign, b, c ~ N(0, 1), seed 11
    rng = np.random.default_rng(11)
    N, L = 64, 4096
    a = rng.uniform(0.5, 0.999, N) * rng.choice([-1.0, 1.0], N)
    b, c = rng.standard_normal(N), rng.standard_normal(N)
    mod = codegen.load_module(codegen.write_module(ssm.module_spec(), backend), stand_in=backend == "cupy")
    K = mod.kernel_diag(a, b, c, 0.25, L)
    ref = _simulate_kernel(np.diag(a), b, c, 0.25, L)
    assert np.max(np.abs(K - ref)) / np.max(np.abs(ref)) < 1e-12


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_generated_general_kernel_matches_simulation(ssm, backend):
    # n = 16, L = 1000, A ~ U(-1, 1) scaled to spectral radius 0.97, seed 5
    rng = np.random.default_rng(5)
    n, L = 16, 1000
    A = rng.uniform(-1, 1, (n, n))
    A *= 0.97 / np.max(np.abs(np.linalg.eigvals(A)))
    B, C = rng.standard_normal(n), rng.standard_normal(n)
    mod = codegen.load_module(codegen.write_module(ssm.module_spec(), backend))
    K = mod.kernel(A, B, C, -0.5, L)
    ref = _simulate_kernel(A, B, C, -0.5, L)
    assert K.shape == (L,)
    assert np.max(np.abs(K - ref)) / np.max(np.abs(ref)) < 1e-12


def test_generated_module_header_names_source_and_certificate(ssm):
    src = codegen.render_module(ssm.module_spec(), "numba")
    assert "do not edit" in src.splitlines()[0]
    assert "# kernel: C*A**(ell - 1)*B" in src
    assert "Source sha256:" in src and "Certificate:" in src
    assert "@numba.njit(cache=True)" in src
    assert "matrix_power" not in src.split("def kernel(")[1]  # no matrix power per l


def test_certificate_is_reproducible(ssm):
    from derive.verify import verify_entry

    s = CheckSettings(instances=3, seed=4)
    a = verify_entry(ssm, seed=4, settings=s)
    b = verify_entry(ssm, seed=4, settings=s)
    assert a.passed and a.dumps() == b.dumps()
    backends = {c["backend"]: c for c in a.code}
    assert backends["cupy"]["ran_on"].startswith("numpy stand-in")
