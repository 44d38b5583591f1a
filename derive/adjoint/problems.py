"""Problems for a cell's adjoints: a scalar one (H = D = 1, as the seed writes it) and a
vector one (H ∈ {1, 3}, D = 2), both with T = 5 and t ∈ 1..T, sampled from U(−1, 1),
with the finite-difference reference of :mod:`derive.adjoint.reference`."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..problem import Dim, Index, Notation, Problem
from .cell import Cell, D, H, T, t
from .reference import Forward, make_reference

STEPS = 5
EXTRA = 3  # the forward pass runs to T + 3, so expressions at t + 1, t + 2 evaluate for t = T


def latex_names(cell: Cell, display: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """x^{(t)}, \\bar{x}^{(t)}, \\bar{W}_{ix}: the seed's notation for every sequence;
    ``display`` renames a sequence in LaTeX (e.g. ``{"n": r"\\tilde{h}"}``)."""
    display = display or {}
    out: list[tuple[str, str]] = []

    def esc(text: str) -> str:
        return text.replace("{", "{{").replace("}", "}}")

    for n in cell.intermediates + cell.inputs + (cell.target,):
        base, _, sub = n.partition("_")
        sub_tex = f"_{{{sub}}}" if sub else ""
        shown = display.get(n, base + sub_tex)
        bar_shown = (rf"\bar{{{display[n]}}}" if n in display else rf"\bar{{{base}}}{sub_tex}")
        out.append((n, esc(shown) + "^{{({0})}}"))
        out.append((f"bar_{n}", esc(bar_shown) + "^{{({0})}}"))
    for w in cell.weights:
        base, _, sub = w.partition("_")
        out.append((f"bar_{w}", esc(rf"\bar{{{base}}}" + (f"_{{{sub}}}" if sub else ""))))
    return tuple(out)


def notation_rows(cell: Cell, scalar: bool) -> tuple[Notation, ...]:
    """LaTeX spellings the claim checker binds: v^{(t)}, \\bar{v}^{(t)}, W_{ix}, \\bar{W}_{ix}, T (other
    spellings such as the seed's X and w are the problem's ``aliases``)."""
    def tex(name: str) -> tuple[str, str]:
        base, _, sub = name.partition("_")
        return base, (f"_{{{sub}}}" if sub else "")

    rows: list[Notation] = []
    for n in cell.intermediates + cell.inputs + (cell.target,):
        base, sub = tex(n)
        rows.append(Notation(f"{base}{sub}^{{(t)}}", sp.Function(n)(t), f"{n} at step t (unrolled forward pass)"))
        if n in cell.intermediates:
            rows.append(Notation(rf"\bar{{{base}}}{sub}^{{(t)}}", sp.Function(f"bar_{n}")(t),
                                 f"adjoint ∂L/∂{n}^(t) (finite differences of the loss)"))
    for w in cell.weights:
        base, sub = tex(w)
        rows.append(Notation(f"{base}{sub}", weight_symbol(cell, w, scalar), "weight"))
        rows.append(Notation(rf"\bar{{{base}}}{sub}", sp.Function(f"bar_{w}")(), f"∂L/∂{w}"))
    rows.append(Notation("T", T, "sequence length"))
    return tuple(rows)


def weight_symbol(cell: Cell, w: str, scalar: bool) -> sp.Basic:
    if scalar:
        return sp.Symbol(w)
    rows, cols = cell.weight_shape(w)
    return sp.MatrixSymbol(w, rows, cols)


def make_problem(cell: Cell, forward: Forward, *, scalar: bool, title: str, statement: str,
                 source: str, init: tuple[str, ...], display: dict[str, str] | None = None,
                 aliases: tuple[tuple[str, str], ...] = ()) -> Problem:
    def sample(s: Any, sizes: dict) -> dict[Any, Any]:
        hh, dd, steps = sizes[H], sizes[D], sizes[T]
        out: dict[Any, Any] = {}
        for w in cell.weights:
            rows, cols = (hh if r == H else dd for r in cell.weight_shape(w))
            m = s.matrix(rows, cols)  # entries U(-1, 1)
            out[weight_symbol(cell, w, scalar)] = m[0, 0] if scalar else m
        out["x"] = [None] + [s.vector(dd) for _ in range(steps + EXTRA)]
        out["y"] = [None] + [s.vector(hh) for _ in range(steps + EXTRA)]
        for n in init:
            out[f"init_{n}"] = s.vector(hh)
        return out

    name = f"{cell.name}/{'scalar' if scalar else 'vector'}"
    dims = (Dim(H, (1,)), Dim(D, (1,)), Dim(T, (STEPS,))) if scalar else \
        (Dim(H, (1, 3)), Dim(D, (2,)), Dim(T, (STEPS,)))
    return Problem(
        name=name, title=title, statement=statement, dims=dims, indices=(Index(t, 1, STEPS),),
        sample_values=sample,
        reference=make_reference(name, forward, intermediates=cell.intermediates, weights=cell.weights,
                                 init=init, scalar=scalar),
        notation=notation_rows(cell, scalar),
        assumptions=("L = Σ_t ½‖h^(t) − y^(t)‖²", "gate inputs at step t use h^(t−1)",
                     "T = 5; weights, inputs, targets and initial states ~ U(−1, 1)"),
        source=source, latex_names=latex_names(cell, display), aliases=aliases)
