"""A recurrent cell as ordered forward equations with a time index.

Each equation defines one intermediate at step t, in A-normal form:

* ``Linear(name, terms)``: a pre-activation ``a = Σ_k W_k v_k^{(t - lag_k)}``, a sum of
  weight matrices times vectors (the only place weights enter);
* ``Elementwise(name, expr)``: an entrywise expression (σ, tanh, products, sums) of
  sequence elements ``v(t)`` / ``v(t - 1)`` written as SymPy ``Function`` applications.

Written this way the same equations are the scalar cell (hidden size 1, as the seed
writes it) and the vector cell (entrywise ops are Hadamard, linear maps are matrices).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

t = sp.Symbol("t", integer=True)
T = sp.Symbol("T", integer=True, positive=True)
H = sp.Symbol("H", integer=True, positive=True)
D = sp.Symbol("D", integer=True, positive=True)


def v(name: str, lag: int = 0) -> sp.Expr:
    """The sequence element ``name^{(t - lag)}`` (a scalar SymPy function application)."""
    return sp.Function(name)(t - lag)


@dataclass(frozen=True)
class LinearTerm:
    weight: str  # e.g. "W_ix"
    var: str  # e.g. "x" or "h"
    lag: int = 0  # 0: v^{(t)}, 1: v^{(t-1)}


@dataclass(frozen=True)
class Linear:
    name: str
    terms: tuple[LinearTerm, ...]


@dataclass(frozen=True)
class Elementwise:
    name: str
    expr: sp.Expr


Equation = Linear | Elementwise


@dataclass(frozen=True)
class Cell:
    """Forward equations (in order), inputs, the output compared with the target, and
    the sizes of every sequence (``H`` for hidden quantities, ``D`` for inputs)."""

    name: str
    equations: tuple[Equation, ...]
    inputs: tuple[str, ...] = ("x",)
    output: str = "h"
    target: str = "y"

    @property
    def intermediates(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.equations)

    @property
    def states(self) -> tuple[str, ...]:
        """Quantities read at t - 1 (carried across time)."""
        out: list[str] = []
        for e in self.equations:
            for name, lag in references(e):
                if lag > 0 and name not in out:
                    out.append(name)
        return tuple(out)

    @property
    def weights(self) -> tuple[str, ...]:
        return tuple(term.weight for e in self.equations if isinstance(e, Linear) for term in e.terms)

    def equation(self, name: str) -> Equation:
        for e in self.equations:
            if e.name == name:
                return e
        raise KeyError(name)

    def size(self, name: str) -> sp.Symbol:
        return D if name in self.inputs else H

    def weight_shape(self, weight: str) -> tuple[sp.Symbol, sp.Symbol]:
        for e in self.equations:
            if isinstance(e, Linear):
                for term in e.terms:
                    if term.weight == weight:
                        return (H, self.size(term.var))
        raise KeyError(weight)


def references(e: Equation) -> list[tuple[str, int]]:
    """The (name, lag) pairs an equation reads."""
    if isinstance(e, Linear):
        return [(term.var, term.lag) for term in e.terms]
    out = []
    for leaf in sorted(e.expr.atoms(AppliedUndef), key=str):
        lag = sp.simplify(t - leaf.args[0])
        out.append((type(leaf).__name__, int(lag)))
    return out


def rhs_scalar(e: Equation) -> sp.Expr:
    """The right-hand side as a scalar expression (hidden size 1; weights as symbols)."""
    if isinstance(e, Linear):
        return sp.Add(*[sp.Symbol(term.weight) * v(term.var, term.lag) for term in e.terms])
    return e.expr
