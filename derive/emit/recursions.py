"""Lowerings for maps and causal recursions (a companion of :mod:`derive.emit.lowering`).

``ExplicitMap``: a few named assignments computed from the inputs (a forward map, its
inverse, a Jacobian); each right-hand side is a derived expression printed by the backend
printer after renaming sequence elements to argument names.

``RankOneRecursion``: a causal recursion with a running inverse, recognised in the derived
update expressions (never typed into the template):

    P_t = P_{t-1} + c(s) (P_{t-1} k_t)(k_tᵀ P_{t-1}),  s = k_tᵀ P_{t-1} k_t,
    R_t = R_{t-1} + k_t v_tᵀ,
    o_t = R_tᵀ P_t q_t,          P_0 = p_0 I,  R_0 = 0.

The plan checks that the expressions have exactly this shape, then hands the template the
printed scalar c(s) and p_0.  P_0 is a multiple of I and each update adds a symmetric
rank-one term, so every P_t is symmetric and k_tᵀ P_{t-1} = (P_{t-1} k_t)ᵀ: one
matrix-vector product per token feeds the update (O(d²) per token).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..errors import DeriveError


def _words(expr: sp.Basic) -> list[tuple[sp.Expr, tuple[sp.Basic, ...]]]:
    terms = expr.args if isinstance(expr, sp.MatAdd) else (expr,)
    out = []
    for term in terms:
        coeff, mm = term.as_coeff_mmul()
        factors = tuple(mm.args) if isinstance(mm, sp.MatMul) else (mm,)
        out.append((sp.sympify(coeff), factors))
    return out


@dataclass(frozen=True)
class ExplicitMap:
    """Assignments ``name = expr`` in order; ``returns`` names what the function returns;
    ``renames`` maps SymPy nodes (sequence elements, symbols) to argument symbols;
    ``sizes`` defines symbolic sizes from argument shapes, e.g. ("D", "theta.shape[0]")."""

    assignments: tuple[tuple[str, sp.Basic], ...]
    returns: tuple[str, ...]
    renames: tuple[tuple[sp.Basic, sp.Basic], ...] = ()
    sizes: tuple[tuple[str, str], ...] = ()
    template: str = "explicit_map"

    @property
    def expression(self) -> sp.Basic:
        return sp.Tuple(*[e for _, e in self.assignments])

    def context(self, printer: Any) -> dict[str, Any]:
        ren = dict(self.renames)
        lines = []
        for name, expr in self.assignments:
            lines.append((name, printer.doprint(expr.xreplace(ren))))
        return {"assignments": lines, "returns": list(self.returns), "sizes": list(self.sizes)}

    def printer_settings(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class RankOneRecursion:
    """The causal running-inverse recursion, analysed from its derived update expressions."""

    P_update: sp.Basic
    R_update: sp.Basic
    output: sp.Basic
    P0: sp.Basic
    P_prev: sp.Basic
    R_prev: sp.Basic
    P_now: sp.Basic
    R_now: sp.Basic
    key: sp.Basic
    value: sp.Basic
    query: sp.Basic
    quad: sp.Basic  # the scalar node standing for k_tᵀ P_{t-1} k_t in P_update
    scalar_renames: tuple[tuple[sp.Basic, sp.Basic], ...] = ()
    template: str = "rank_one_recursion"
    _s: sp.Symbol = field(default=sp.Symbol("s"), repr=False)

    @property
    def expression(self) -> sp.Basic:
        return sp.Tuple(self.P_update, self.R_update, self.output, self.P0)

    def coefficient(self) -> sp.Expr:
        """c(s) from P_update = P_prev + c(s) P_prev k kᵀ P_prev (raises if the shape differs)."""
        terms = _words(self.P_update.xreplace({self.quad: self._s}))
        base = [t for t in terms if t[1] == (self.P_prev,)]
        rank1 = [t for t in terms if t[1] == (self.P_prev, self.key, sp.Transpose(self.key), self.P_prev)]
        if len(terms) != 2 or len(base) != 1 or len(rank1) != 1 or base[0][0] != 1:
            raise DeriveError(f"the P update is not P + c(s) P k kᵀ P: {self.P_update}")
        coef = rank1[0][0]
        if coef.free_symbols - {self._s} - {s for s, _ in self.scalar_renames}:
            raise DeriveError(f"the rank-one coefficient {coef} depends on more than s")
        return coef

    def _check_shapes(self) -> None:
        terms = _words(self.R_update)
        if {t[1] for t in terms} != {(self.R_prev,), (self.key, sp.Transpose(self.value))} \
                or len(terms) != 2 or any(t[0] != 1 for t in terms):
            raise DeriveError(f"the R update is not R + k vᵀ: {self.R_update}")
        (coef, word), = _words(self.output)
        if coef != 1 or word != (sp.Transpose(self.R_now), self.P_now, self.query):
            raise DeriveError(f"the output is not Rᵀ P q: {self.output}")

    def p0_scale(self) -> sp.Expr:
        (coef, word), = _words(self.P0.doit())
        if len(word) != 1 or not isinstance(word[0], sp.Identity):
            raise DeriveError(f"P_0 is not a multiple of the identity: {self.P0}")
        return coef

    def context(self, printer: Any) -> dict[str, Any]:
        self._check_shapes()
        ren = dict(self.scalar_renames)
        return {"coef": printer.doprint(self.coefficient().xreplace(ren)),
                "p0": printer.doprint(self.p0_scale().xreplace(ren))}

    def printer_settings(self) -> dict[str, Any]:
        return {}
