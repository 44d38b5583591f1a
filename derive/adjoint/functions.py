"""The logistic function σ and its derivative σ' as SymPy functions, and ``EW``, an
elementwise (Hadamard-algebra) matrix node that lifts a scalar cell expression to vectors.

``sigma.fdiff`` returns ``sigma_prime`` (printed σ'), so ``sp.diff`` of a gate keeps the
seed's notation instead of expanding to exponentials.  ``EW(expr, rows)`` is the vector
whose k-th entry is the scalar expression ``expr`` with every sequence element read at
entry k: products print as ⊙, and the mpmath evaluator applies it entry by entry.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp
from sympy.core.sympify import _sympify  # strict: never parses a string
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..numeric import Evaluator, EvaluationError, as_scalar, evaluator, is_matrix


class sigma(sp.Function):  # noqa: N801 - printed as the seed writes it
    """The logistic function σ(x) = 1 / (1 + e^{-x})."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigma_prime(self.args[0])

    def _house_latex(self, printer: Any, exp: Any = None) -> str:
        text = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kw: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))

    def _sympystr(self, printer: Any) -> str:
        return f"σ({printer._print(self.args[0])})"


class sigma_prime(sp.Function):  # noqa: N801
    """σ'(x) = σ(x)(1 − σ(x)), kept as its own node so adjoints read as in the seed."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigma(self.args[0])
        return sp.diff(s * (1 - s), self.args[0])

    def _house_latex(self, printer: Any, exp: Any = None) -> str:
        text = rf"\sigma'\left({printer._print(self.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kw: Any) -> sp.Expr:
        return sp.exp(-x) / (1 + sp.exp(-x)) ** 2

    def _sympystr(self, printer: Any) -> str:
        return f"σ'({printer._print(self.args[0])})"


def _logistic(x: Any) -> Any:
    return 1 / (1 + mpmath.exp(-x))


@evaluator(sigma)
def _eval_sigma(ev: Evaluator, e: sigma) -> Any:
    v = ev(e.args[0])
    return v.apply(_logistic) if is_matrix(v) else _logistic(as_scalar(v))


@evaluator(sigma_prime)
def _eval_sigma_prime(ev: Evaluator, e: sigma_prime) -> Any:
    # independent of the SymPy side: mpmath differentiates the logistic function itself
    def d(x: Any) -> Any:
        return mpmath.diff(_logistic, x)

    v = ev(e.args[0])
    return v.apply(d) if is_matrix(v) else d(as_scalar(v))


class EW(MatrixExpr):
    """``EW(expr, rows)``: the rows x 1 vector whose entries are ``expr`` read entrywise.

    Every sequence element ``v(t)`` inside ``expr`` stands for the vector ``v^{(t)}``;
    products of them are Hadamard products.  Only vectors of one shape meet inside.
    """

    def __new__(cls, expr: sp.Expr, rows: sp.Expr):
        return super().__new__(cls, _sympify(expr), _sympify(rows))

    @property
    def expr(self) -> sp.Expr:
        return self.args[0]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (self.args[1], sp.Integer(1))

    @property
    def free_symbols(self):
        return self.args[0].free_symbols | self.args[1].free_symbols

    def doit(self, **hints: Any) -> "EW":
        return self

    def _sympystr(self, printer: Any) -> str:
        return "[" + printer._print(self.expr).replace("*", " ⊙ ") + "]"

    def _eval_transpose(self):
        return None


@evaluator(EW)
def _eval_ew(ev: Evaluator, e: EW) -> Any:
    rows = int(as_scalar(ev(e.args[1])))
    out = mpmath.matrix(rows, 1)
    leaves = e.expr.atoms(AppliedUndef)
    for k in range(rows):
        seqs = dict(ev.sequences)
        for leaf in leaves:
            name = type(leaf).__name__
            full = ev.sequences.get(name)
            if full is None:
                raise EvaluationError(f"no sequence {name!r} in this instance")
            seqs[name] = (lambda *a, _f=full, _k=k: _entry(_f(*a), _k))
        sub = Evaluator(ev.values, seqs)
        sub.bound = dict(ev.bound)
        out[k] = as_scalar(sub(e.expr))
    return out


def _entry(v: Any, k: int) -> Any:
    if is_matrix(v):
        return v[k, 0]
    return v


def _ew_latex(printer: Any, expr: sp.Expr) -> str:
    """Print an entrywise expression with products as ⊙ (numbers stay coefficients)."""
    if isinstance(expr, sp.Add):
        terms = list(expr.as_ordered_terms())
        out = _ew_latex(printer, terms[0])
        for t in terms[1:]:
            if t.could_extract_minus_sign():
                out += " - " + _ew_latex(printer, -t)
            else:
                out += " + " + _ew_latex(printer, t)
        return out
    if isinstance(expr, sp.Mul):
        coeff, factors = expr.as_coeff_mul()
        parts = []
        for f in factors:
            text = _ew_latex(printer, f)
            parts.append(rf"\left({text}\right)" if isinstance(f, sp.Add) else text)
        body = r" \odot ".join(parts)
        if coeff == -1:
            return "-" + body
        if coeff != 1:
            return printer._print(coeff) + " " + body
        return body
    return printer._print(expr)


def _ew_print_latex(self: EW, printer: Any, exp: Any = None) -> str:
    return _ew_latex(printer, self.expr)


EW._house_latex = _ew_print_latex  # type: ignore[attr-defined]
