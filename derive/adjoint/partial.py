"""``LocalPartial``: ∂(an equation's right-hand side)/∂(one argument), as a node whose
numeric value comes from mpmath differentiation, not from SymPy's ``diff``.

A chain-rule step "∂u/∂v = <what sp.diff gave>" is then checked against an independent
numerical derivative of the local function on random instances.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp
from sympy.core.sympify import _sympify  # strict: never parses a string

from ..numeric import Evaluator, as_scalar, evaluator


class LocalPartial(sp.Expr):
    """``LocalPartial(rhs, wrt, shown)``: ∂ rhs / ∂ wrt, printed as ∂shown/∂wrt."""

    is_commutative = True

    def __new__(cls, rhs: sp.Expr, wrt: sp.Expr, shown: sp.Expr):
        return super().__new__(cls, _sympify(rhs), _sympify(wrt), _sympify(shown))

    @property
    def rhs(self) -> sp.Expr:
        return self.args[0]

    @property
    def wrt(self) -> sp.Expr:
        return self.args[1]

    def _house_latex(self, printer: Any, exp: Any = None) -> str:
        return rf"\frac{{\partial {printer._print(self.args[2])}}}{{\partial {printer._print(self.wrt)}}}"

    def _sympystr(self, printer: Any) -> str:
        return f"∂{printer._print(self.args[2])}/∂{printer._print(self.wrt)}"

    def doit(self, **hints: Any) -> "LocalPartial":
        return self


@evaluator(LocalPartial)
def _eval_partial(ev: Evaluator, e: LocalPartial) -> Any:
    z = sp.Dummy("z")
    body = e.rhs.xreplace({e.wrt: z})
    z0 = as_scalar(ev(e.wrt))

    def f(value: Any) -> Any:
        sub = Evaluator(ev.values, ev.sequences)
        sub.bound = dict(ev.bound)
        sub.bound[z] = value
        return as_scalar(sub(body))

    return mpmath.diff(f, z0)
