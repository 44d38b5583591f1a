"""logistic-regression: the gradient of the multinomial logistic loss (seed 001, §2.1.4).

l(W) = −yᵀ log softmax(W x),  W ∈ R^{k×n}, x ∈ R^n, y ∈ R^k one-hot (1ᵀy = 1).

The matrix-calculus engine differentiates l rule by rule (constant factor, elementwise log,
softmax, product), cancels u^∘−1 ⊙ (diag(u) v) = v and u^∘−1 ⊙ (u c) = 1 c, brings each
term to tr(Gᵀ dW) by cyclic moves, and reads off G:

* without the assumption:  ∂l/∂W = (softmax(Wx) 1ᵀy − y) xᵀ   (y any vector);
* y one-hot (1ᵀy = 1):     ∂l/∂W = (softmax(Wx) − y) xᵀ.

Every step is checked numerically (differentials as directional derivatives by mpmath
central differences along a random dW; the final gradient entry by entry against central
differences of l) on random sizes k, n ∈ {2..5}, with y sampled one-hot exactly where the
assumption is used.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from derive import Builder, CheckSettings, Entry, Notation, Part, check_equal, register
from derive.emit.latex import latex
from derive.emit.text import text
from derive.matcalc import Assumptions, FDGradient, Log, Softmax, direction, gradient, gradient_problem
from derive.verdict import Verdict

SOURCE = "shared/seeds/001_71b54fc7ad8045f9.txt, §2.1.4 (logistic regression)"

k, n = sp.symbols("k n", integer=True, positive=True)
W = sp.MatrixSymbol("W", k, n)
x = sp.MatrixSymbol("x", n, 1)
y = sp.MatrixSymbol("y", k, 1)
LOSS = sp.MatMul(-1, sp.Transpose(y), Log(Softmax(sp.MatMul(W, x))))
dW = direction(W)

NOTATION = (
    Notation("l", LOSS, "the loss −yᵀ log softmax(Wx)"),
    Notation("W", W, "weight matrix (k × n)"),
    Notation("x", x, "input (n × 1)"),
    Notation("y", y, "label (k × 1), one-hot"),
)

STATEMENT = ("For W ∈ R^{k×n}, x ∈ R^n and a one-hot label y ∈ R^k, find the gradient of "
             "l(W) = −yᵀ log softmax(Wx) with respect to W.")

PROBLEM = gradient_problem(
    "logistic-regression", "Gradient of the logistic-regression loss", STATEMENT, [LOSS, dW],
    kinds={y: "one-hot"}, notation=NOTATION, assumptions=("y one-hot: 1ᵀy = 1",), source=SOURCE,
    parts=(Part("a", "∂l/∂W for a one-hot y."),
           Part("b", "∂l/∂W without the one-hot assumption (y any vector).")),
)

GENERAL = gradient_problem(
    "logistic-regression/general", "Logistic loss, y any vector", "As above with y ∈ R^k arbitrary.",
    [LOSS, dW], notation=NOTATION, source=SOURCE,
)


def _fd_check(G: sp.Basic, problem: Any, what: str) -> Verdict:
    """An independent re-check of the final gradient on fresh instances (other seed)."""
    return check_equal(FDGradient(LOSS, W), G, problem, settings=CheckSettings(instances=8, seed=101),
                       prover=None, claim=f"∂l/∂W = {latex(G)} ({what})")


def derive() -> Any:
    b = Builder("logistic-regression", PROBLEM)
    b.part = "a"
    one_hot = gradient(b, LOSS, W, assumptions=Assumptions(one_hot=frozenset({y})), what="l")
    G = b.result("grad_W", one_hot.gradient)
    b.answer("∂l/∂W (y one-hot)", G, latex(G), text(G), check=lambda: _fd_check(G, PROBLEM, "y one-hot"))
    b.note("Seed 001 writes dl = Tr(−[yᵀ + softmax(aᵀ)] da); the sign of yᵀ there is a slip: the checked "
           "steps give dl = tr((softmax(a) − y)ᵀ da), as in the seed's final line ∂l/∂W = −y xᵀ + softmax(a) xᵀ.")
    b.part = "b"
    general = gradient(b, LOSS, W, what="l", problem=GENERAL)
    Gg = b.result("grad_W_general", general.gradient)
    b.answer("∂l/∂W (y any vector)", Gg, latex(Gg), text(Gg), check=lambda: _fd_check(Gg, GENERAL, "y general"))
    return b.build()


def module(derivation: Any) -> Any:
    from derive.emit.codegen import ModuleSpec
    from derive.matcalc.emit import formula_function, function_arguments

    G, Gg = derivation.result("grad_W"), derivation.result("grad_W_general")
    return ModuleSpec(
        name="logistic_regression", source="logistic-regression",
        doc="Gradient of the logistic loss l(W) = -y^T log softmax(W x).",
        functions=(
            formula_function("grad_W", G, function_arguments(LOSS, W, G), "∂l/∂W for a one-hot y."),
            formula_function("grad_W_general", Gg, function_arguments(LOSS, W, Gg),
                             "∂l/∂W for any y (no one-hot assumption)."),
        ),
    )


def code_checks() -> list:
    from derive import get
    from derive.matcalc.emit import formula_check, function_arguments

    d = get("logistic-regression").derivation()
    G, Gg = d.result("grad_W"), d.result("grad_W_general")
    out = []
    for rep in range(3):
        out.append(formula_check(f"grad_W (y one-hot) #{rep + 1}", "grad_W", LOSS, W,
                                 function_arguments(LOSS, W, G), kinds={y: "one-hot"}))
        out.append(formula_check(f"grad_W_general (y ~ U(-1,1)) #{rep + 1}", "grad_W_general", LOSS, W,
                                 function_arguments(LOSS, W, Gg)))
    return out


register(Entry(
    name="logistic-regression",
    tags=("logistic regression", "softmax regression", "cross-entropy"),
    module=module,
    code_checks=code_checks,
    title="Logistic regression: ∂l/∂W = (softmax(Wx) − y) xᵀ",
    derive=derive,
    summary="Gradient of −yᵀ log softmax(Wx) by differentials; general form (softmax(Wx) 1ᵀy − y) xᵀ.",
    source=SOURCE,
))
