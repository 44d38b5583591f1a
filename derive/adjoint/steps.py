"""Record reverse mode as derivation steps: chain rule per edge, collected adjoints,
weight gradients as sums over t; scalar form and vector form."""

from __future__ import annotations

import sympy as sp

from ..derivation import Builder
from ..problem import Problem
from ..symbols import MatSeq
from .cell import T, rhs_scalar, t, v
from .engine import Reverse, adjoint_order, bar, loss_scalar
from .partial import LocalPartial
from .vector import adjoint_vector, seq_vec, weight_gradient_vector

CONVENTION = ("Convention: the gate inputs at step t use $h^{(t-1)}$ (seed 004 part 1(b)); part 1(a) of the "
              "seed is the same model with every index shifted by one. The loss is "
              "$L = \\sum_{t=1}^{T} \\frac{1}{2}\\|h^{(t)} - y^{(t)}\\|^2$, adjoints are "
              "$\\bar{v}^{(t)} = \\partial L / \\partial v^{(t)}$ with every later step recomputed, and "
              "$\\bar{v}^{(T+1)} = 0$.")


def tex_name(name: str) -> str:
    """W_ix -> W_{ix}, a_i -> a_{i}, h -> h (sequence and weight names in LaTeX)."""
    base, _, sub = name.partition("_")
    return f"{base}_{{{sub}}}" if sub else base


def tex_bar(name: str) -> str:
    """The adjoint of ``name``: \\bar{a}_{i}, \\bar{W}_{ix}."""
    base, _, sub = name.partition("_")
    return f"\\bar{{{base}}}" + (f"_{{{sub}}}" if sub else "")


def _show(name: str, lag: int) -> str:
    return f"{tex_name(name)}^{{(t)}}" if lag == 0 else f"{tex_name(name)}^{{(t-{lag})}}"


def record_edges(b: Builder, rev: Reverse, scalar: Problem) -> None:
    """One step per edge: ∂u^{(t)}/∂v^{(t-k)} from sp.diff, checked against mpmath.diff."""
    cell = rev.cell
    b.step(LocalPartial(loss_scalar(cell), v(cell.output), sp.Symbol(r"\ell^{(t)}")), rev.loss_partial,
           f"chain rule, edge $\\ell^{{(t)}} \\leftarrow {cell.output}^{{(t)}}$: sp.diff of the loss term",
           problem=scalar, prover=None, how="diff")
    for e in rev.edges:
        rhs = rhs_scalar(cell.equation(e.consumer))
        b.step(LocalPartial(rhs, v(e.var, e.lag), v(e.consumer)), e.partial,
               f"chain rule, edge ${_show(e.consumer, 0)} \\leftarrow {_show(e.var, e.lag)}$: sp.diff of "
               f"${tex_name(e.consumer)}$'s equation", problem=scalar, prover=None, how="diff")


def record_adjoints(b: Builder, rev: Reverse, scalar: Problem, vector: Problem) -> dict[str, sp.Basic]:
    """\\bar{v}^{(t)} = Σ over consumers, in reverse order; scalar then vector form."""
    out: dict[str, sp.Basic] = {}
    for n in adjoint_order(rev.cell):
        cons = rev.consumers(n)
        who = ", ".join(f"${tex_name(c.consumer)}^{{(t+{c.lag})}}$" if c.lag else f"${_show(c.consumer, 0)}$"
                        for c in cons)
        if n == rev.cell.output:
            who = "the loss term" + (", " + who if who else "")
        rhs = rev.adjoint_scalar(n)
        out[f"bar_{n}"] = rhs
        b.step(sp.Function(bar(n))(t), rhs, f"collect the edges into ${tex_name(n)}$'s consumers ({who})",
               problem=scalar, prover=None, how="engine: sum over consumers")
    for n in adjoint_order(rev.cell):
        rhs_v = adjoint_vector(rev, n)
        out[f"bar_{n}_vec"] = rhs_v
        b.step(seq_vec(rev, bar(n), t), rhs_v, f"vector form of ${tex_bar(n)}$: entrywise edges as $\\odot$, "
               "linear edges as $W^\\top$", problem=vector, prover=None, how="engine: vector form")
    return out


def record_weight_gradients(b: Builder, rev: Reverse, scalar: Problem, vector: Problem) -> dict[str, sp.Basic]:
    out: dict[str, sp.Basic] = {}
    for we in rev.weight_edges:
        lhs = sp.Function(bar(we.weight))()
        rhs = rev.weight_gradient_scalar(we.weight)
        out[f"bar_{we.weight}"] = rhs
        b.step(lhs, rhs, f"${tex_name(we.weight)}$ enters ${_show(we.consumer, 0)}$ at every step with "
               f"$\\partial {_show(we.consumer, 0)}/\\partial {tex_name(we.weight)} = {_show(we.var, we.lag)}$: "
               "sum over t",
               problem=scalar, prover=None, how="engine: sum over t")
    for we in rev.weight_edges:
        rows, cols = rev.cell.weight_shape(we.weight)
        lhs_v = MatSeq(bar(we.weight), 0, rows, cols)
        rhs_v = weight_gradient_vector(rev, we.weight)
        out[f"bar_{we.weight}_vec"] = rhs_v
        b.step(lhs_v, rhs_v, f"vector form: ${tex_bar(we.weight)} = \\sum_t {tex_bar(we.consumer)}^{{(t)}} "
               f"\\left({_show(we.var, we.lag)}\\right)^\\top$", problem=vector, prover=None, how="engine: vector form")
    return out


def inline(expr: sp.Expr, rev: Reverse, names: tuple[str, ...], seed_defs: dict[str, sp.Expr]) -> sp.Expr:
    """Substitute the adjoints/definitions of ``names`` (at any time shift) into ``expr``:
    e.g. replace \\bar{a}_i^{(t+1)} by \\bar{i}^{(t+1)} σ'(a_i^{(t+1)}) and a_i by its definition."""
    from sympy.core.function import AppliedUndef

    def repl(e: sp.Basic) -> sp.Basic:
        if isinstance(e, AppliedUndef) and type(e).__name__ in names:
            shift = e.args[0] - t
            return seed_defs[type(e).__name__].subs(t, t + shift)
        return e

    prev = None
    while prev != expr:
        prev = expr
        expr = expr.replace(lambda e: isinstance(e, AppliedUndef) and type(e).__name__ in names, repl)
    return expr


__all__ = ["CONVENTION", "T", "inline", "record_adjoints", "record_edges", "record_weight_gradients"]
