"""Code for derived gradients: a lowering plan for matrix formulas and its verification.

``MatrixFormula`` is a plan for :mod:`derive.emit.codegen`: the gradient expression goes
through ``sympy.cse`` (so X⁻¹ or softmax(Wx) is computed once), the arguments of softmax
are hoisted into temporaries (its stable form mentions the argument four times), symbolic
sizes are read off the argument shapes, and the ``matrix_formula`` templates give the
function its shape.

``formula_check`` builds the :class:`~derive.verify.CodeCheck` for a generated gradient:
random sizes and inputs from a seeded NumPy generator (stated distribution), the reference
is mpmath central differences of f itself (``FDGradient`` / ``FDHessVec`` at 30 digits),
never the derived formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..emit.codegen import Arg, FunctionSpec
from ..numeric import EvaluationError, evaluate
from ..verify import CodeCheck
from .nodes import FDGradient, FDHessVec, Ones, Softmax
from .problem import inferred_kinds

CODE_TOL = 1e-9  # float64 formula vs a 30-digit reference on well-conditioned inputs (κ ≲ 10)
REFERENCE_DPS = 30


_ASCII = {"⊙": ".*", "∘": "o", "‖": "||", "ᵀ": "^T", "⊤": "^T", "−": "-", "∂": "d", "∇": "grad ", "²": "^2",
          "⁻": "^-", "¹": "1", "λ": "lambda", "ℓ": "l", "σ": "sigma", "φ": "phi", "Σ": "sum", "×": "x", "·": "*"}


def ascii_text(text: str) -> str:
    """Generated code stays ASCII (LaTeX listings and some editors choke on UTF-8):
    common math symbols are spelled out, anything else becomes '?'."""
    return "".join(_ASCII.get(ch, ch if ord(ch) < 128 else "?") for ch in text)


def _args_of(symbols: Sequence[sp.Basic], printer_cls: Any) -> tuple[Arg, ...]:
    printer = printer_cls({})
    out = []
    for s in symbols:
        name = printer.doprint(s)
        if isinstance(s, sp.MatrixSymbol):
            role = "column" if s.shape[1] == 1 and s.shape[0] != 1 else "matrix"
        elif s.is_integer:
            role = "int"
        else:
            role = "scalar"
        out.append(Arg(name, role))
    return tuple(out)


@dataclass(frozen=True)
class MatrixFormula:
    """Plan: evaluate one matrix expression of the arguments, common subexpressions once."""

    expression: sp.Basic
    arguments: tuple[sp.Basic, ...]
    template: str = "matrix_formula"

    def printer_settings(self) -> dict[str, Any]:
        return {}

    def context(self, printer: Any) -> dict[str, Any]:
        expr = self.expression
        temporaries: list[tuple[str, str]] = []
        # softmax(a) becomes three temporaries: a, e = exp(a − max a), s = e / Σ e (once each)
        m = printer._module
        for counter, node in enumerate(sorted(expr.atoms(Softmax), key=sp.default_sort_key), start=1):
            a, e, s = (sp.MatrixSymbol(f"_{c}{counter}", *node.shape) for c in "aes")
            pa, pe, ps = (printer.doprint(v) for v in (a, e, s))
            temporaries.append((pa, printer.doprint(node.arg)))
            temporaries.append((pe, f"{m}.exp({pa} - {m}.max({pa}))"))
            temporaries.append((ps, f"{pe} / {m}.sum({pe})"))
            expr = expr.xreplace({node: s})
        replacements, reduced = sp.cse(expr, symbols=sp.numbered_symbols("_t"))
        for sym, value in replacements:
            temporaries.append((printer.doprint(sym), printer.doprint(value)))
        sizes: list[str] = []
        known: set[sp.Symbol] = set()
        used = set(expr.free_symbols)
        for node in expr.atoms(Ones, sp.Identity, sp.OneMatrix, sp.ZeroMatrix):
            for d in node.shape:
                used |= sp.sympify(d).free_symbols
        for a in self.arguments:
            if not isinstance(a, sp.MatrixSymbol):
                continue
            for axis, d in enumerate(a.shape):
                if isinstance(d, sp.Symbol) and d not in known and d in used:
                    known.add(d)
                    sizes.append(f"{printer.doprint(d)} = {printer.doprint(a)}.shape[{axis}]")
        from ..emit.text import text

        return {"temporaries": temporaries, "result": printer.doprint(reduced[0]), "sizes": sizes,
                "formula": ascii_text(f"Computes {text(self.expression)}.")}


def formula_function(name: str, expression: sp.Basic, arguments: Sequence[sp.Basic], doc: str,
                     backend_printer: Any = None) -> FunctionSpec:
    """A FunctionSpec for ``expression`` with the given argument order."""
    from ..emit.code_printers import NumPyCodePrinter

    args = _args_of(arguments, backend_printer or NumPyCodePrinter)
    return FunctionSpec(name, args, MatrixFormula(expression, tuple(arguments)), ascii_text(doc))


def function_arguments(f: sp.Basic, wrt: sp.MatrixSymbol, G: sp.Basic, extra: Sequence[sp.Basic] = ()) -> list:
    """The arguments of a gradient function: every symbol of f (the point), then the rest of G's."""
    seen: list[sp.Basic] = []
    for e in (wrt, f, *extra, G):
        for node in sp.preorder_traversal(e):
            if isinstance(node, sp.MatrixSymbol) and type(node) is sp.MatrixSymbol and node not in seen:
                seen.append(node)
    dims = set()
    for s in seen:
        for d in s.shape:
            dims |= sp.sympify(d).free_symbols
    for e in (f, G):
        for s in sorted(e.free_symbols, key=str):
            if isinstance(s, sp.Symbol) and not isinstance(s, sp.MatrixSymbol) and s not in dims and s not in seen:
                seen.append(s)
    return seen


# --- verification -----------------------------------------------------------------------------------------

def _sample(rng: np.random.Generator, kind: str, rows: int, cols: int) -> np.ndarray:
    if kind == "one-hot":
        v = np.zeros((rows, cols))
        v[rng.integers(rows), 0] = 1.0
        return v
    if kind == "positive":
        return rng.uniform(0.5, 2.0, size=(rows, cols))
    m = rng.uniform(-1.0, 1.0, size=(rows, cols))
    if kind in ("invertible", "spd") and rows == cols:
        return m + rows * np.eye(rows) if kind == "invertible" else m @ m.T + np.eye(rows)
    if kind == "symmetric" and rows == cols:
        return (m + m.T) / 2
    return m


def formula_check(label: str, function: str, f: sp.Basic, wrt: sp.MatrixSymbol, arguments: Sequence[sp.Basic],
                  *, kinds: Mapping[sp.MatrixSymbol, str] | None = None, hvp: sp.MatrixSymbol | None = None,
                  sizes: tuple[int, int] = (2, 5), index_range: tuple[int, int] = (2, 6),
                  backends: tuple[str, ...] = ("numpy", "numba", "cupy")) -> CodeCheck:
    """A CodeCheck: generated ∂f/∂wrt (or ∇²f[hvp]) vs mpmath central differences of f."""
    from ..emit.code_printers import NumPyCodePrinter

    kind_of = inferred_kinds([f])
    kind_of.update(kinds or {})
    printer = NumPyCodePrinter({})
    names = {a: printer.doprint(a) for a in arguments}
    reference_expr = FDHessVec(f, wrt, hvp) if hvp is not None else FDGradient(f, wrt)
    dims: list[sp.Symbol] = []
    for a in arguments:
        if isinstance(a, sp.MatrixSymbol):
            for d in a.shape:
                for s in sorted(sp.sympify(d).free_symbols, key=str):
                    if s not in dims:
                        dims.append(s)

    def make_inputs(rng: np.random.Generator) -> dict[str, Any]:
        """Inputs in f's domain: redraw (at most 50 times) where f cannot be evaluated,
        e.g. log of a negative xᵀAx."""
        for _ in range(50):
            inputs = draw(rng)
            try:
                value = evaluate(f, _mp_values(inputs), dps=15)
            except EvaluationError:
                continue
            if not isinstance(value, mpmath.mpc):
                return inputs
        return inputs

    def _mp_values(inputs: dict[str, Any]) -> dict[Any, Any]:
        values: dict[Any, Any] = {}
        for a in arguments:
            v = inputs[names[a]]
            if isinstance(a, sp.MatrixSymbol):
                arr = np.asarray(v, dtype=np.float64)
                arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
                values[a] = mpmath.matrix(arr.tolist())
                for d, actual in zip(a.shape, arr.shape):  # the sizes, read off the inputs
                    if isinstance(d, sp.Symbol):
                        values[d] = actual
            else:
                values[a] = v if a.is_integer else mpmath.mpf(v)
        return values

    def draw(rng: np.random.Generator) -> dict[str, Any]:
        size = {d: int(rng.integers(sizes[0], sizes[1] + 1)) for d in dims}  # random sizes
        sub = {d: sp.Integer(v) for d, v in size.items()}
        out: dict[str, Any] = {}
        for a in arguments:
            if isinstance(a, sp.MatrixSymbol):
                r, c = (int(sp.sympify(x).xreplace(sub)) for x in a.shape)
                m = _sample(rng, kind_of.get(a, "general"), r, c)
                out[names[a]] = m[:, 0].copy() if c == 1 and a.shape[1] == 1 and r > 1 else m
            elif a.is_integer:
                out[names[a]] = int(rng.integers(index_range[0], index_range[1] + 1))
            else:
                out[names[a]] = float(rng.uniform(0.5, 2.0))
        return out

    def reference(inputs: dict[str, Any]) -> list:
        with mpmath.workdps(REFERENCE_DPS):
            res = evaluate(reference_expr, _mp_values(inputs), dps=REFERENCE_DPS)
        return [res[i, j] for i in range(res.rows) for j in range(res.cols)]

    what = f"∇²f[{hvp.name}]" if hvp is not None else f"∂f/∂{wrt.name}"
    kinds_text = ", ".join(f"{s.name} {k}" for s, k in sorted(kind_of.items(), key=lambda kv: kv[0].name))
    inputs_text = (f"sizes U{{{sizes[0]}..{sizes[1]}}} per dimension; entries U(-1, 1)"
                   + (f" ({kinds_text}; invertible = U(-1,1) + n·I, positive = U(0.5, 2))" if kinds_text else "")
                   + "; scalars U(0.5, 2); redrawn where f is undefined")
    return CodeCheck(label=label, function=function, make_inputs=make_inputs, reference=reference,
                     tol=CODE_TOL, reference_kind=f"mpmath central differences of f ({what}), {REFERENCE_DPS} digits",
                     inputs_text=inputs_text, observe=_flatten, backends=backends)


def _flatten(out: Any, inputs: dict[str, Any]) -> np.ndarray:
    return np.asarray(out, dtype=np.float64).reshape(-1)
