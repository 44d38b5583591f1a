"""Code printers: SymPy's NumPy and CuPy printers with the few nodes the templates need.

Generated kernels are vectorised over a summation index (``Σ_i c_i b_i a_i^{ℓ-1}`` becomes
array code over ``i``), so an ``Indexed`` over a vectorised index prints as the whole
array.  Matrix products print with ``@``.  ``strict`` printing stays on: a node a backend
cannot print raises instead of emitting half a function.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.numpy import CuPyPrinter, NumPyPrinter
from sympy.printing.precedence import PRECEDENCE


# Names a generated module or function already uses (module aliases, template locals, the
# builtins the argument coercion calls): a user's variable with one of these names (`derive
# grad ... --wrt np`) is printed with a trailing underscore, as SymPy does for keywords.
GENERATED_NAMES = frozenset({"np", "numpy", "numba", "cupy", "math", "TINY", "result", "int", "float"})


class _ArrayCodeMixin:
    """Shared additions for array backends (NumPy, Numba, CuPy)."""

    _settings: dict[str, Any]
    reserved_words = frozenset(NumPyPrinter.reserved_words) | GENERATED_NAMES

    def _print_MatrixSymbol(self, e: sp.MatrixSymbol) -> str:
        # SymPy checks reserved words for Symbol only; a matrix named `None` or `np` must not
        # reach the code as written
        return self._print_Symbol(sp.Symbol(e.name))  # type: ignore[attr-defined]

    def _print_Indexed(self, e: sp.Indexed) -> str:
        vector = self._settings.get("vector_indices", frozenset())
        if all(i in vector for i in e.indices):
            return self._print(e.base.label)
        return super()._print_Indexed(e)  # type: ignore[misc]

    def _print_IndexedBase(self, e: sp.IndexedBase) -> str:
        return self._print(e.label)

    def _print_conjugate(self, e: sp.conjugate) -> str:
        fn = self._module_format(self._module + ".conjugate")  # type: ignore[attr-defined]
        return f"{fn}({self._print(e.args[0])})"  # type: ignore[attr-defined]

    def _print_MatMul(self, e: sp.MatMul) -> str:
        coeff, factors = e.as_coeff_matrices()
        text = " @ ".join(self.parenthesize(f, 50) for f in factors)  # type: ignore[attr-defined]
        if coeff != 1:
            # a sum as coefficient, (2μ + 2) X, keeps its parentheses
            text = f"{self.parenthesize(coeff, PRECEDENCE['Mul'])} * {text}"  # type: ignore[attr-defined]
        return text


    # matrix-expression nodes the gradients of derive.matcalc need (NumPy and CuPy alike)
    def _mod(self, name: str) -> str:
        return f"{self._module}.{name}"  # type: ignore[attr-defined]

    def _print_Identity(self, e: sp.Identity) -> str:
        return f"{self._mod('eye')}({self._print(e.rows)})"  # type: ignore[attr-defined]

    def _print_HadamardPower(self, e: sp.HadamardPower) -> str:
        return f"{self._mod('power')}({self._print(e.base)}, {self._print(e.exp)})"  # type: ignore[attr-defined]

    def _print_Trace(self, e: sp.Trace) -> str:
        return f"{self._mod('trace')}({self._print(e.arg)})"  # type: ignore[attr-defined]

    def _print_Determinant(self, e: sp.Determinant) -> str:
        return f"{self._mod('linalg.det')}({self._print(e.arg)})"  # type: ignore[attr-defined]

    def _print_DiagMatrix(self, e: sp.DiagMatrix) -> str:
        return f"{self._mod('diagflat')}({self._print(e.args[0])})"  # type: ignore[attr-defined]

    def _print_ZeroMatrix(self, e: sp.ZeroMatrix) -> str:
        rows, cols = (self._print(x) for x in e.shape)  # type: ignore[attr-defined]
        return f"{self._mod('zeros')}(({rows}, {cols}))"


_EXTRA = {"vector_indices": frozenset(), "strict": True}


class NumPyCodePrinter(_ArrayCodeMixin, NumPyPrinter):
    _default_settings = {**NumPyPrinter._default_settings, **_EXTRA}


class NumbaCodePrinter(NumPyCodePrinter):
    """Numba compiles the NumPy calls it prints; loops come from the templates."""

    language = "Python (Numba)"


class CuPyCodePrinter(_ArrayCodeMixin, CuPyPrinter):
    _default_settings = {**CuPyPrinter._default_settings, **_EXTRA}
