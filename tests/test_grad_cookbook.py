"""`derive grad` on gradients from The Matrix Cookbook (Petersen & Pedersen, 2012, eq. numbers
below) and the seeds' notes, against finite differences of f written out in NumPy here.

For each case the gradient is derived from the expression text, emitted as NumPy code and
run; the reference is a float64 central difference (h = 1e-6) of the loss coded by hand
below - never the derived formula.  Inputs: numpy.random.default_rng(7), entries ~ U(-1, 1)
(square matrices that are inverted get 3·I added; positive vectors ~ U(0.5, 2)).
Large-input cases compare with mpmath at 50 digits where the float64 loss itself overflows.
"""

from __future__ import annotations

import inspect

import mpmath
import numpy as np
import pytest
import sympy as sp

from derive.cli import main
from derive.emit import codegen
from derive.matcalc import derive_gradient
from derive.matcalc.emit import formula_function, function_arguments
from derive.matcalc.language import parse


def _sig(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def _softmax(a):
    e = np.exp(a - a.max())
    return e / e.sum()


# (expression, wrt, shapes, loss in NumPy over the named arrays, source)
CASES = [
    ("a^T x", "x", {}, lambda a, x: (a.T @ x).item(), "MC (69)"),
    ("x^T A x", "x", {"A": "3x3"}, lambda A, x: (x.T @ A @ x).item(), "MC (81)"),
    ("tr(A X)", "X", {"A": "3x4"}, lambda A, X: np.trace(A @ X), "MC (100)"),
    ("tr(X^T A)", "X", {"A": "3x4"}, lambda A, X: np.trace(X.T @ A), "MC (101)"),
    ("tr(A X B)", "X", {"A": "2x3", "B": "4x2"}, lambda A, X, B: np.trace(A @ X @ B), "MC (102)"),
    ("tr(X A X^T)", "X", {"A": "3x3", "X": "2x3"}, lambda A, X: np.trace(X @ A @ X.T), "MC (107)"),
    ("tr(X^T X)", "X", {"X": "3x2"}, lambda X: np.trace(X.T @ X), "MC (103)"),
    ("tr(X^3)", "X", {"X": "3x3"}, lambda X: np.trace(X @ X @ X), "MC (106)"),
    ("logdet(X)", "X", {"X": "3x3"}, lambda X: np.log(np.linalg.det(X)), "MC (57)"),
    ("det(X)", "X", {"X": "3x3"}, lambda X: np.linalg.det(X), "MC (49)"),
    ("tr(A inv(X) B)", "X", {"A": "2x3", "X": "3x3", "B": "3x2"},
     lambda A, X, B: np.trace(A @ np.linalg.inv(X) @ B), "MC (113)"),
    ("a^T X b", "X", {"a": "3x1", "b": "2x1"}, lambda a, X, b: (a.T @ X @ b).item(), "MC (70)"),
    ("a^T X^T b", "X", {"a": "2x1", "b": "3x1"}, lambda a, X, b: (a.T @ X.T @ b).item(), "MC (71)"),
    ("b^T X^T X c", "X", {"X": "3x2"}, lambda b, X, c: (b.T @ X.T @ X @ c).item(), "MC (77)"),
    ("norm(A x - b)^2", "x", {"A": "4x3"}, lambda A, x, b: float(np.sum((A @ x - b) ** 2)), "MC (84), least squares"),
    ("norm(x)", "x", {"x": "3x1"}, lambda x: float(np.linalg.norm(x)), "MC (129)"),
    ("norm(X - A)^2 + mu norm(X)^2", "X", {"A": "3x2"},
     lambda X, A, mu: float(np.sum((X - A) ** 2) + mu * np.sum(X ** 2)), "ridge / purification notes"),
    ("-y^T log(softmax(W x))", "W", {"W": "3x4"},
     lambda y, W, x: float(-(y.T @ np.log(_softmax(W @ x))).item()), "seed notes: softmax cross-entropy"),
    ("sum(log(sigmoid(X w)))", "w", {"X": "4x3"}, lambda X, w: float(np.sum(np.log(_sig(X @ w)))),
     "seed notes: logistic log-likelihood"),
    ("log(sum(exp(x)))", "x", {"x": "4x1"}, lambda x: float(np.log(np.sum(np.exp(x)))), "log-sum-exp"),
    ("sum(tanh(W x))", "W", {"W": "3x4"}, lambda W, x: float(np.sum(np.tanh(W @ x))), "seed notes: RNN cell"),
    ("sum(sin(x))", "x", {"x": "4x1"}, lambda x: float(np.sum(np.sin(x))), "elementwise sin"),
    ("sum(cos(A x))", "x", {"A": "3x4"}, lambda A, x: float(np.sum(np.cos(A @ x))), "elementwise cos"),
    ("sum(relu(W x))", "W", {"W": "3x4"}, lambda W, x: float(np.sum(np.maximum(W @ x, 0))), "ReLU layer"),
    ("sum(softplus(W x))", "W", {"W": "3x4"}, lambda W, x: float(np.sum(np.logaddexp(0, W @ x))), "softplus"),
    ("sum(abs(A x - b))", "x", {"A": "4x3"}, lambda A, x, b: float(np.sum(np.abs(A @ x - b))), "L1 regression"),
    ("sum(sqrt(x .* x + y .* y))", "x", {"x": "4x1"},
     lambda x, y: float(np.sum(np.sqrt(x * x + y * y))), "elementwise sqrt"),
    ("sum(pow(A x, 3))", "x", {"A": "3x4"}, lambda A, x: float(np.sum((A @ x) ** 3)), "entrywise power"),
]


def _generated(expr: str, wrt: str, shapes: dict[str, str]):
    parsed = parse(expr, shapes=[f"{k}={v}" for k, v in shapes.items()])
    X = parsed.symbol(wrt)
    result, _ = derive_gradient(parsed.expr, X, kinds=parsed.kinds)
    args = function_arguments(parsed.expr, X, result.gradient)
    spec = codegen.ModuleSpec(name="g", source="test", doc="test",
                              functions=(formula_function("g", result.gradient, args, "gradient"),))
    namespace: dict = {}
    exec(compile(codegen.render_module(spec, "numpy", "test"), "<generated>", "exec"), namespace)  # our own output
    return result, args, namespace["g"]


def _values(args, rng):
    out = {}
    for s in args:
        if isinstance(s, sp.MatrixSymbol):
            r, c = (int(d) if d.is_Integer else 3 for d in s.shape)
            out[s.name] = rng.uniform(-1, 1, (r, c))
        else:
            out[s.name] = rng.uniform(0.5, 2)
    return out


def _fd(loss, values, wrt, h=1e-6):
    base = values[wrt]
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        plus, minus = dict(values), dict(values)
        plus[wrt] = base.copy()
        minus[wrt] = base.copy()
        plus[wrt][idx] += h
        minus[wrt][idx] -= h
        grad[idx] = (loss(**plus) - loss(**minus)) / (2 * h)
    return grad


def test_at_least_25_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("expr,wrt,shapes,loss,source", CASES, ids=[c[0] for c in CASES])
def test_generated_gradient_agrees_with_finite_differences(expr, wrt, shapes, loss, source):
    rng = np.random.default_rng(7)
    _, args, grad = _generated(expr, wrt, shapes)
    values = _values(args, rng)
    if "inv(X)" in expr or "det(X)" in expr:
        values["X"] = values["X"] + 3 * np.eye(values["X"].shape[0])
    if expr.startswith("-y^T"):
        y = np.zeros_like(values["y"])
        y[1] = 1.0
        values["y"] = y
    got = grad(**values)
    names = inspect.signature(loss).parameters
    ref = _fd(loss, {k: v for k, v in values.items() if k in names}, wrt)
    got = np.asarray(got).reshape(ref.shape)
    assert np.max(np.abs(got - ref)) <= 1e-6 * max(1.0, np.max(np.abs(ref))), (source, got, ref)


def test_log_sigmoid_gradient_is_simplified(capsys):
    code = main(["grad", "sum(log(sigmoid(X w)))", "--wrt", "w", "--instances", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "∂f/∂w = X^T (1 - sigmoid(X w))" in out
    assert "^∘-1" not in out.splitlines()[-1]


def _mp_matrix(a):
    return mpmath.matrix(a.tolist())


@pytest.mark.parametrize("expr,wrt,shapes", [
    ("sum(log(sigmoid(X w)))", "w", {"X": "4x3"}),
    ("-y^T log(softmax(W x))", "W", {"W": "3x4"}),
    ("log(sum(exp(x)))", "x", {"x": "4x1"}),
])
def test_generated_gradient_is_finite_at_large_inputs(expr, wrt, shapes):
    """Inputs ×800: the float64 losses overflow, the gradients do not; reference in mpmath."""
    rng = np.random.default_rng(3)
    _, args, grad = _generated(expr, wrt, shapes)
    v = _values(args, rng)
    mpmath.mp.dps = 50
    if expr.startswith("sum(log"):
        X, w = v["X"], v["w"] * 800
        z = [mpmath.fsum(mpmath.mpf(X[i, j]) * mpmath.mpf(w[j, 0]) for j in range(3)) for i in range(4)]
        resid = [1 - 1 / (1 + mpmath.exp(-zi)) for zi in z]  # d/dz log σ(z) = 1 − σ(z)
        ref = np.array([[float(mpmath.fsum(X[i, j] * resid[i] for i in range(4)))] for j in range(3)])
        got = grad(X=X, w=w)
    elif expr.startswith("-y^T"):
        W, x = v["W"] * 800, v["x"]
        y = np.zeros((3, 1))
        y[0] = 1.0
        a = [mpmath.fsum(mpmath.mpf(W[i, j]) * mpmath.mpf(x[j, 0]) for j in range(4)) for i in range(3)]
        total = mpmath.fsum(mpmath.exp(ai) for ai in a)
        s = [mpmath.exp(ai) / total for ai in a]
        ref = np.array([[float((s[i] - y[i, 0]) * x[j, 0]) for j in range(4)] for i in range(3)])
        got = grad(W=W, x=x, y=y)
    else:
        x = v["x"] * 800
        total = mpmath.fsum(mpmath.exp(mpmath.mpf(xi)) for xi in x[:, 0])
        ref = np.array([[float(mpmath.exp(mpmath.mpf(xi)) / total)] for xi in x[:, 0]])
        got = grad(x=x)
    got = np.asarray(got).reshape(ref.shape)
    assert np.all(np.isfinite(got)), got
    assert np.max(np.abs(got - ref)) <= 1e-12 * np.max(np.abs(ref))


@pytest.mark.parametrize("expr", ["sum(foo(x))", "sum(gelu(A x))", "erf(x)"])
def test_unknown_function_is_an_input_error_naming_it(capsys, expr):
    code = main(["grad", expr, "--wrt", "x"])
    err = capsys.readouterr().err
    assert code == 2
    name = expr.split("(")[0] if not expr.startswith("sum(") else expr[4:].split("(")[0]
    assert f"unknown function {name!r}" in err and err.count("\n") == 1


def test_product_by_juxtaposition_still_reads_as_a_product():
    parsed = parse("z^T A (x + y)")
    assert parsed.symbol("A").shape[1] == parsed.symbol("x").shape[0]
