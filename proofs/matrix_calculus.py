"""matrix-calculus: a collection of gradients derived by differentials (seeds 001, 002).

Each part runs the differential engine (``derive.matcalc``) on one scalar function: the
rules give df, cyclic trace moves bring it to tr(Gᵀ dX), and G is read off.  Each part has
its own problem with random sizes (every symbolic dimension drawn from {2, 3, 4, 5}) and
general non-symmetric matrices (X invertible where it is inverted: general + n·I), and
every step is checked: differentials as directional derivatives along a random dX by
mpmath central differences, rewrites by evaluation, the final gradient entry by entry
against mpmath central differences of f.  Hessian-vector products are derived as the
gradient of φ(X) = tr(∇f(X)ᵀ V) and checked against mixed central differences of f.

tr(A^ℓ) with a symbolic integer ℓ is the case SymPy's ``diff`` gets wrong (issue 15650: it
returns an elementwise power); the engine's power rule gives a symbolic sum that the
cyclic property collapses to ℓ (A^{ℓ−1})ᵀ, checked for each ℓ = 2..6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import sympy as sp

from derive import Builder, CheckSettings, Entry, Index, Notation, Part, Problem, check_equal, register
from derive.emit.latex import latex
from derive.emit.text import text
from derive.matcalc import (Assumptions, FDGradient, FDHessVec, Log, Norm, Softmax, differential, direction,
                            gradient, gradient_problem, hessian_vector)
from derive.verdict import REFUTED, UNDECIDED, VERIFIED, Verdict

SOURCE = ("shared/seeds/001_71b54fc7ad8045f9.txt §2.1 (differential rules, trace tricks); "
          "shared/seeds/002_96dd72f51b2c022d.txt (differentials, Hessian-vector products)")

n, m, k = sp.symbols("n m k", integer=True, positive=True)
ell = sp.Symbol("ell", integer=True, positive=True)
lam = sp.Symbol("lambda", positive=True)

A_sq = sp.MatrixSymbol("A", n, n)  # square, general (non-symmetric)
X_sq = sp.MatrixSymbol("X", n, n)  # square, invertible where inverted
A_ls = sp.MatrixSymbol("A", m, n)  # least squares design matrix
b_ls = sp.MatrixSymbol("b", m, 1)
x_v = sp.MatrixSymbol("x", n, 1)
v_v = sp.MatrixSymbol("v", n, 1)
X_data = sp.MatrixSymbol("X", n, m)  # purification: data matrix, W ∈ R^{n×n}
W_sq = sp.MatrixSymbol("W", n, n)
W_lr = sp.MatrixSymbol("W", k, n)
y_lr = sp.MatrixSymbol("y", k, 1)
V_lr = sp.MatrixSymbol("V", k, n)


@dataclass(frozen=True)
class Case:
    """One identity of the collection: f, the variable, and how to derive / sample it."""

    part: str
    title: str
    f: sp.Basic
    wrt: sp.MatrixSymbol
    key: str
    kinds: dict
    assumptions: Assumptions = Assumptions()
    indices: tuple[Index, ...] = ()
    hvp: sp.MatrixSymbol | None = None  # a Hessian-vector product in direction hvp


LOGISTIC = sp.MatMul(-1, sp.Transpose(y_lr), Log(Softmax(sp.MatMul(W_lr, x_v))))

IDENTITIES: tuple[Case, ...] = (
    Case("a", "least squares ‖Ax − b‖²", sp.Pow(Norm(sp.MatAdd(sp.MatMul(A_ls, x_v), -b_ls)), 2), x_v,
              "least_squares", {}),
    Case("b", "ridge ‖Ax − b‖² + λ‖x‖²",
              sp.Add(sp.Pow(Norm(sp.MatAdd(sp.MatMul(A_ls, x_v), -b_ls)), 2), lam * sp.Pow(Norm(x_v), 2)), x_v,
              "ridge", {}),
    Case("c", "purification ‖X − WX‖_F² + λ‖W‖_F²",
              sp.Add(sp.Pow(Norm(sp.MatAdd(X_data, sp.MatMul(-1, W_sq, X_data))), 2), lam * sp.Pow(Norm(W_sq), 2)),
              W_sq, "purification", {}),
    Case("d", "log det X", sp.log(sp.Determinant(X_sq)), X_sq, "logdet", {X_sq: "invertible"}),
    Case("e", "det X", sp.Determinant(X_sq), X_sq, "det", {X_sq: "invertible"}),
    Case("f", "tr(AX)", sp.Trace(sp.MatMul(A_sq, X_sq)), X_sq, "trace_AX", {}),
    Case("g", "tr(X⁻¹A)", sp.Trace(sp.MatMul(sp.Inverse(X_sq), A_sq)), X_sq, "trace_XinvA",
              {X_sq: "invertible"}),
    Case("h", "xᵀAx", sp.MatMul(sp.Transpose(x_v), A_sq, x_v), x_v, "quadratic", {}),
    Case("i", "Frobenius norm ‖X‖_F²", sp.Pow(Norm(X_sq), 2), X_sq, "frobenius", {}),
    Case("j", "Frobenius norm ‖AX‖_F", Norm(sp.MatMul(A_sq, X_sq)), X_sq, "frobenius_AX", {}),
    Case("l", "tr(A^ℓ), ℓ a symbolic integer (SymPy issue 15650)", sp.Trace(sp.MatPow(A_sq, ell)), A_sq,
              "trace_power", {}, indices=(Index(ell, 2, 6),)),
    Case("m", "Hadamard: tr(Aᵀ (X ⊙ X))", sp.Trace(sp.MatMul(sp.Transpose(A_sq), sp.HadamardProduct(X_sq, X_sq))),
              X_sq, "hadamard", {}),
    Case("n", "Hessian-vector product of the quadratic xᵀAx", sp.MatMul(sp.Transpose(x_v), A_sq, x_v), x_v,
              "hvp_quadratic", {}, hvp=v_v),
    Case("o", "Hessian-vector product of the logistic loss −yᵀ log softmax(Wx) (y one-hot)", LOGISTIC, W_lr,
              "hvp_logistic", {y_lr: "one-hot"}, assumptions=Assumptions(one_hot=frozenset({y_lr})), hvp=V_lr),
)

PARTS = tuple(Part(i.part, f"∂f/∂{i.wrt.name} for f = {i.title}" if i.hvp is None else
                   f"∇²f[{i.hvp.name}] for {i.title.split(' of ')[-1]}") for i in IDENTITIES) + (
    Part("k", "The differential of the inverse: d(X⁻¹) = −X⁻¹ dX X⁻¹."),
)

NOTATION = (
    Notation("X", X_sq, "a square matrix (n × n), invertible where inverted"),
    Notation("A", A_sq, "a constant square matrix (n × n)"),
    Notation("x", x_v, "a vector (n × 1)"),
    Notation(r"\lambda", lam, "a positive regularisation weight"),
    Notation(r"\ell", ell, "a symbolic integer exponent ≥ 1"),
)


def _problem(idt: Case) -> Problem:
    extra = [direction(idt.wrt)] + ([idt.hvp] if idt.hvp is not None else [])
    return gradient_problem(
        f"matrix-calculus/{idt.key}", idt.title, f"Gradient of f = {idt.title} with respect to {idt.wrt.name}.",
        [idt.f, *extra], kinds=idt.kinds, indices=idt.indices, source=SOURCE,
        assumptions=tuple(idt.assumptions.describe()),
    )


PROBLEM = Problem(
    name="matrix-calculus",
    title="Matrix calculus by differentials",
    statement=("Gradients of scalar functions of matrices by the differential method: compute df, bring it to "
               "tr(Gᵀ dX), read off ∂f/∂X = G."),
    notation=NOTATION,
    parts=PARTS,
    source=SOURCE,
)


def _answer_check(lhs: sp.Basic, G: sp.Basic, problem: Problem, claim: str,
                  conditions: tuple[sp.Basic | None, ...] = (None,)) -> Callable[[], Verdict]:
    """Re-check the final gradient on fresh instances (another seed), once per condition."""
    def check() -> Verdict:
        verdicts = [check_equal(lhs, G, problem, condition=c, settings=CheckSettings(instances=6, seed=202),
                                prover=None, claim=claim) for c in conditions]
        for status in (REFUTED, UNDECIDED):
            for v in verdicts:
                if v.status == status:
                    return v
        if len(verdicts) == 1:
            return verdicts[0]
        worst = max(v.max_rel_diff or 0.0 for v in verdicts)
        total = sum(v.instances for v in verdicts)
        scope = (f"verified separately for each of {len(verdicts)} exponent values ({total} random instances in "
                 f"all) at {verdicts[0].dps} digits, max relative difference {worst:.1e}")
        return Verdict(VERIFIED, scope, claim=claim, instances=total, dps=verdicts[0].dps, max_rel_diff=worst)
    return check


def derive() -> Any:
    b = Builder("matrix-calculus", PROBLEM)
    for idt in IDENTITIES:
        b.part = idt.part
        problem = _problem(idt)
        res = gradient(b, idt.f, idt.wrt, assumptions=idt.assumptions, problem=problem)
        if idt.hvp is None:
            G = b.result(idt.key, res.gradient)
            lhs: sp.Basic = FDGradient(idt.f, idt.wrt)
            label = f"∂f/∂{idt.wrt.name}, f = {idt.title}"
        else:
            b.result(idt.key + "_gradient", res.gradient)
            hv = hessian_vector(b, idt.f, idt.wrt, idt.hvp, res.gradient, assumptions=idt.assumptions,
                                problem=problem)
            G = b.result(idt.key, hv.gradient)
            lhs = FDHessVec(idt.f, idt.wrt, idt.hvp)
            label = f"∇²f[{idt.hvp.name}], f = {idt.title.split(' of ')[-1]}"
        conditions: tuple[sp.Basic | None, ...] = (None,)
        if idt.indices:
            conditions = tuple(sp.Eq(ell, v) for v in range(2, 7))  # ℓ = 2..6, one at a time
        b.answer(label, G, latex(G), text(G),
                 check=_answer_check(lhs, G, problem, f"{latex(lhs)} = {latex(G)}", conditions))
    # the differential of the inverse, checked as a directional derivative
    b.part = "k"
    inv_problem = gradient_problem("matrix-calculus/inverse", "d(X⁻¹)", "The differential of X⁻¹.",
                                   [sp.Inverse(X_sq), direction(X_sq)], kinds={X_sq: "invertible"}, source=SOURCE)
    dinv = differential(sp.Inverse(X_sq), X_sq, b, problem=inv_problem)
    b.result("d_inverse", dinv)
    b.answer("d(X⁻¹)", dinv, latex(dinv), text(dinv))
    b.note("d(X⁻¹) = −X⁻¹ dX X⁻¹ follows from X X⁻¹ = I: dX X⁻¹ + X d(X⁻¹) = 0 (seed 001, rule 3); "
           "the step above checks it as a directional derivative of X ↦ X⁻¹.")
    return b.build()


def _function_name(idt: Case) -> str:
    return idt.key if idt.hvp is not None else f"grad_{idt.key}"


def _arguments(idt: Case, G: sp.Basic) -> list:
    from derive.matcalc.emit import function_arguments

    return function_arguments(idt.f, idt.wrt, G, [idt.hvp] if idt.hvp is not None else [])


def module(derivation: Any) -> Any:
    """One NumPy/Numba/CuPy function per identity (the gradient, or the Hessian-vector product)."""
    from derive.emit.codegen import ModuleSpec
    from derive.matcalc.emit import formula_function

    functions = []
    for idt in IDENTITIES:
        G = derivation.result(idt.key)
        what = f"Hessian-vector product ∇²f[{idt.hvp.name}]" if idt.hvp is not None else f"∂f/∂{idt.wrt.name}"
        functions.append(formula_function(_function_name(idt), G, _arguments(idt, G),
                                          f"{what} for f = {idt.title} (part {idt.part})."))
    return ModuleSpec(name="matrix_calculus", source="matrix-calculus",
                      doc="Gradients and Hessian-vector products derived by differentials.",
                      functions=tuple(functions))


def code_checks() -> list:
    """Each generated function against mpmath central differences of its f (random sizes 2..5)."""
    from derive import get
    from derive.matcalc.emit import formula_check

    derivation = get("matrix-calculus").derivation()
    checks = []
    for idt in IDENTITIES:
        G = derivation.result(idt.key)
        for rep in range(2):
            checks.append(formula_check(f"{_function_name(idt)} #{rep + 1}", _function_name(idt), idt.f, idt.wrt,
                                        _arguments(idt, G), kinds=idt.kinds, hvp=idt.hvp))
    return checks


register(Entry(
    name="matrix-calculus",
    tags=("matrix calculus", "differentials"),
    module=module,
    code_checks=code_checks,
    title="Matrix calculus: gradients by differentials",
    derive=derive,
    summary=("Least squares, ridge, purification loss, log det, det, traces, quadratic forms, Frobenius norms, "
             "tr(A^ℓ), Hadamard products, d(X⁻¹), Hessian-vector products."),
    source=SOURCE,
))
