"""Reverse mode over a cell: the chain rule per edge, adjoints collected over consumers.

For the loss L = Σ_t ℓ^{(t)} every intermediate v^{(t)} has the adjoint
\\bar{v}^{(t)} = ∂L/∂v^{(t)} = ∂ℓ^{(t)}/∂v^{(t)} + Σ_{u reads v at lag k} \\bar{u}^{(t+k)} ∂u^{(t+k)}/∂v^{(t)},
a sum over the consumers in the same step (k = 0) and in the next step (k = 1, the
recursion across time); \\bar{v}^{(T+1)} = 0.  A weight W that enters u = … + W v^{(t-k)}
gets \\bar{W} = Σ_t \\bar{u}^{(t)} v^{(t-k)\\top}.  Local partials come from ``sp.diff``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .cell import Cell, Elementwise, Linear, references, rhs_scalar, t, v


@dataclass(frozen=True)
class Edge:
    """``consumer`` reads ``var`` at ``lag``; ``partial`` = ∂ consumer^{(t)}/∂ var^{(t-lag)}
    (scalar, at the consumer's time t); ``weight`` is set for a linear edge (then the
    vector form is Wᵀ · adjoint rather than a Hadamard product)."""

    consumer: str
    var: str
    lag: int
    partial: sp.Expr
    weight: str | None = None


@dataclass(frozen=True)
class WeightEdge:
    """``weight`` enters ``consumer`` multiplying ``var^{(t-lag)}``: ∂consumer/∂W = var."""

    consumer: str
    weight: str
    var: str
    lag: int


def bar(name: str) -> str:
    """The sequence name of the adjoint of ``name``."""
    return f"bar_{name}"


def loss_scalar(cell: Cell) -> sp.Expr:
    """ℓ^{(t)} = ½ (h^{(t)} − y^{(t)})² (CONVENTIONS: L = Σ_t ½‖h^{(t)} − y^{(t)}‖²)."""
    return sp.Rational(1, 2) * (v(cell.output) - v(cell.target)) ** 2


@dataclass(frozen=True)
class Reverse:
    """The result of reverse mode on a cell: edges, weight edges, the loss partial."""

    cell: Cell
    edges: tuple[Edge, ...]
    weight_edges: tuple[WeightEdge, ...]
    loss_partial: sp.Expr  # ∂ℓ^{(t)}/∂output^{(t)}

    def consumers(self, var: str) -> list[Edge]:
        return [e for e in self.edges if e.var == var]

    def adjoint_scalar(self, var: str) -> sp.Expr:
        """\\bar{var}^{(t)} collected over its consumers (scalar form)."""
        terms = []
        if var == self.cell.output:
            terms.append(self.loss_partial)
        for e in self.consumers(var):
            terms.append(sp.Function(bar(e.consumer))(t + e.lag) * e.partial.subs(t, t + e.lag))
        return sp.Add(*terms)

    def weight_gradient_scalar(self, weight: str) -> sp.Expr:
        (we,) = [w for w in self.weight_edges if w.weight == weight]
        return sp.Sum(sp.Function(bar(we.consumer))(t) * v(we.var, we.lag), (t, 1, sp.Symbol("T", integer=True,
                                                                                                positive=True)))


def reverse(cell: Cell) -> Reverse:
    """Differentiate every equation with respect to each argument (``sp.diff``)."""
    edges: list[Edge] = []
    weight_edges: list[WeightEdge] = []
    for eq in cell.equations:
        rhs = rhs_scalar(eq)
        for name, lag in references(eq):
            if name in cell.inputs:
                continue  # inputs get no adjoint
            partial = sp.diff(rhs, v(name, lag))
            weight = None
            if isinstance(eq, Linear):
                (term,) = [tm for tm in eq.terms if tm.var == name and tm.lag == lag]
                weight = term.weight
            edges.append(Edge(eq.name, name, lag, partial, weight))
        if isinstance(eq, Linear):
            for term in eq.terms:
                weight_edges.append(WeightEdge(eq.name, term.weight, term.var, term.lag))
    loss_partial = sp.diff(loss_scalar(cell), v(cell.output))
    return Reverse(cell, tuple(edges), tuple(weight_edges), loss_partial)


def adjoint_order(cell: Cell) -> list[str]:
    """Intermediates in reverse order of definition (the order reverse mode visits them)."""
    return [e.name for e in reversed(cell.equations)]


__all__ = ["Edge", "Reverse", "WeightEdge", "adjoint_order", "bar", "loss_scalar", "reverse", "Elementwise"]
