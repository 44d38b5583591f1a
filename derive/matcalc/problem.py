"""Problems for gradients: sample every matrix, vector and scalar of an expression.

``gradient_problem`` collects the symbols of the expressions, makes their dimensions
random (each symbolic dimension drawn from ``choices``, so X is non-square and non-symmetric
unless its shape says otherwise), and picks how to sample each symbol:

* ``general``: entries U(−1, 1) (the default; non-symmetric);
* ``invertible``: general + n·I (strictly diagonally dominant with a positive diagonal, so
  invertible with det > 0): chosen for a matrix under inv / det / log det / a negative power;
* ``positive``: entries U(0.5, 2): for a symbol directly under an elementwise log;
* ``one-hot``: a standard basis vector (the assumption "y one-hot");
* ``symmetric``: (M + Mᵀ)/2 (the assumption "A symmetric").

Scalars are drawn from U(0.5, 2) (e.g. λ > 0); an integer symbol that is not a dimension
(an exponent ℓ) becomes an index drawn from 2..6 unless ``indices`` says otherwise.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import mpmath
import sympy as sp

from ..problem import Dim, Index, Notation, Part, Problem, Sampler
from .nodes import Log

KINDS = ("general", "invertible", "positive", "one-hot", "symmetric", "spd")


def _matrix_symbols(exprs: Iterable[sp.Basic]) -> list[sp.MatrixSymbol]:
    out: set[sp.MatrixSymbol] = set()
    for e in exprs:
        out |= e.atoms(sp.MatrixSymbol)
    return sorted(out, key=lambda s: s.name)


def inferred_kinds(exprs: Iterable[sp.Basic]) -> dict[sp.MatrixSymbol, str]:
    """Sampling kinds the expressions need to be defined (see the module docstring)."""
    kinds: dict[sp.MatrixSymbol, str] = {}
    for e in exprs:
        for node in sp.preorder_traversal(e):
            if isinstance(node, (sp.Inverse, sp.Determinant)) or (
                    isinstance(node, sp.MatPow) and node.exp.is_negative):
                for s in node.atoms(sp.MatrixSymbol):
                    if s.shape[0] == s.shape[1] and node.args[0] == s:
                        kinds[s] = "invertible"
            if isinstance(node, Log) and isinstance(node.arg, sp.MatrixSymbol):
                kinds.setdefault(node.arg, "positive")
    return kinds


def _size(d: sp.Expr, sizes: Mapping[sp.Symbol, int]) -> int:
    value = sp.sympify(d).xreplace({k: sp.Integer(v) for k, v in sizes.items()})
    if not value.is_Integer:
        raise ValueError(f"dimension {d} is not fixed by the sampled sizes")
    return int(value)


def sample_symbol(s: Sampler, kind: str, rows: int, cols: int) -> Any:
    if kind == "one-hot":
        v = mpmath.zeros(rows, cols)
        v[s.rng.randrange(rows), 0] = 1
        return v
    if kind == "positive":
        m = mpmath.matrix(rows, cols)
        for i in range(rows):
            for j in range(cols):
                m[i, j] = s.scalar(0.5, 2.0)
        return m
    if kind in ("invertible", "symmetric", "spd") and rows == cols:
        return s.matrix(rows, cols, kind)
    return s.matrix(rows, cols)


def gradient_problem(name: str, title: str, statement: str, exprs: Iterable[sp.Basic], *,
                     kinds: Mapping[sp.MatrixSymbol, str] | None = None,
                     choices: tuple[int, ...] = (2, 3, 4, 5),
                     dim_choices: Mapping[sp.Symbol, tuple[int, ...]] | None = None,
                     indices: tuple[Index, ...] = (),
                     notation: tuple[Notation, ...] = (),
                     assumptions: tuple[str, ...] = (),
                     parts: tuple[Part, ...] = (),
                     source: str = "") -> Problem:
    """A :class:`Problem` that samples every symbol in ``exprs`` (see the module docstring)."""
    exprs = list(exprs)
    symbols = _matrix_symbols(exprs)
    kind_of = inferred_kinds(exprs)
    kind_of.update(kinds or {})
    index_syms = {i.symbol for i in indices}
    dims: set[sp.Symbol] = set()
    for s in symbols:
        for d in s.shape:
            dims |= sp.sympify(d).free_symbols
    scalars: set[sp.Symbol] = set()
    for e in exprs:
        scalars |= {x for x in e.free_symbols if isinstance(x, sp.Symbol) and not isinstance(x, sp.MatrixSymbol)}
    scalars -= dims | index_syms
    # an integer symbol that is not a dimension is an exponent such as ℓ: an index in 2..6
    auto = tuple(Index(x, 2, 6) for x in sorted(scalars, key=str) if x.is_integer)
    indices = tuple(indices) + auto
    scalars -= {i.symbol for i in auto}
    dim_choices = dict(dim_choices or {})

    def sample(s: Sampler, sizes: Mapping[sp.Symbol, int]) -> dict[Any, Any]:
        values: dict[Any, Any] = {}
        for sym in symbols:
            r, c = _size(sym.shape[0], sizes), _size(sym.shape[1], sizes)
            values[sym] = sample_symbol(s, kind_of.get(sym, "general"), r, c)
        for x in sorted(scalars, key=str):
            values[x] = s.positive(0.5, 2.0)
        return values

    return Problem(
        name=name, title=title, statement=statement,
        dims=tuple(Dim(d, dim_choices.get(d, choices)) for d in sorted(dims, key=str)),
        indices=indices, sample_values=sample, notation=notation, assumptions=assumptions,
        parts=parts, source=source,
    )
