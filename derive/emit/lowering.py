"""Lowerings: how a derived expression becomes the loop a kernel runs.

A plan analyses the SymPy expression once (plain data, no code) and hands the template
the printed pieces.  ``PowerKernel`` is strength reduction of a power in the loop index:
``K_ℓ = left · base^{ℓ+o} · right`` is never computed as a matrix power per ℓ; the
templates carry ``base^{r} · right`` forward (O(L n²) for a general matrix, O(L n) for a
diagonal one) and, where BLAS pays, split ℓ - 1 = j m + r so the bulk is one GEMM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..errors import DeriveError


def _depends(expr: sp.Basic, sym: sp.Symbol) -> bool:
    return sym in expr.free_symbols


@dataclass(frozen=True)
class PowerKernel:
    """K_0 = ``first``; K_ℓ (ℓ ≥ 1) = ``left · base^(ℓ + offset) · right`` (``kind="matrix"``)
    or ``Σ_i coef_i · base_i^(ℓ + offset)`` (``kind="elementwise"``, vectorised over i)."""

    kind: str
    first: sp.Basic
    base: sp.Basic
    offset: int
    index: sp.Symbol
    left: sp.Basic | None = None
    right: sp.Basic | None = None
    coef: sp.Basic | None = None
    vector_index: sp.Symbol | None = None
    template: str = "power_kernel"

    @classmethod
    def from_matrix_expr(cls, first: sp.Basic, expr: sp.Basic, index: sp.Symbol) -> "PowerKernel":
        args = list(expr.args) if isinstance(expr, sp.MatMul) else [expr]
        pos = [k for k, a in enumerate(args) if isinstance(a, sp.MatPow) and _depends(a.exp, index)]
        if len(pos) != 1:
            raise DeriveError(f"expected exactly one power in {index} in {expr}")
        (k,) = pos
        power = args[k]
        offset = sp.expand(power.exp - index)
        if not offset.is_Integer:
            raise DeriveError(f"exponent {power.exp} is not {index} plus an integer")
        left, right = args[:k], args[k + 1:]
        if any(_depends(a, index) for a in left + right):
            raise DeriveError(f"factors outside the power depend on {index}")
        n = power.base.shape[0]
        left_e = sp.MatMul(*left).doit() if left else sp.Identity(n)
        right_e = sp.MatMul(*right).doit() if right else sp.Identity(n)
        return cls("matrix", first, power.base, int(offset), index, left=left_e, right=right_e)

    @classmethod
    def from_indexed_sum(cls, first: sp.Basic, expr: sp.Sum, index: sp.Symbol) -> "PowerKernel":
        if not isinstance(expr, sp.Sum) or len(expr.limits) != 1:
            raise DeriveError("expected a single sum over the vectorised index")
        i = expr.limits[0][0]
        factors = sp.Mul.make_args(expr.function)
        powers = [f for f in factors if isinstance(f, sp.Pow) and _depends(f.exp, index)]
        if len(powers) != 1:
            raise DeriveError(f"expected exactly one power in {index} in {expr.function}")
        (power,) = powers
        coef = sp.Mul(*[f for f in factors if f is not power])
        if _depends(coef, index):
            raise DeriveError(f"the coefficient depends on {index}")
        offset = sp.expand(power.exp - index)
        if not offset.is_Integer:
            raise DeriveError(f"exponent {power.exp} is not {index} plus an integer")
        return cls("elementwise", first, power.base, int(offset), index, coef=coef, vector_index=i)

    @property
    def expression(self) -> sp.Basic:
        """The source expression K_ℓ (for headers and hashing)."""
        if self.kind == "matrix":
            return sp.MatMul(self.left, sp.MatPow(self.base, self.index + self.offset), self.right)
        return sp.Sum(self.coef * self.base ** (self.index + self.offset), (self.vector_index, 1, sp.Symbol("n")))

    def context(self, printer: Any) -> dict[str, Any]:
        if 1 + self.offset < 0:
            raise DeriveError("the first power in the kernel would be negative")
        ctx = {"kind": self.kind, "first": printer.doprint(self.first), "base": printer.doprint(self.base),
               "first_exponent": 1 + self.offset}
        if self.kind == "matrix":
            ctx["left"] = printer.doprint(self.left)
            ctx["right"] = printer.doprint(self.right)
        else:
            ctx["coef"] = printer.doprint(self.coef)
        return ctx

    def printer_settings(self) -> dict[str, Any]:
        return {"vector_indices": frozenset({self.vector_index})} if self.vector_index is not None else {}
