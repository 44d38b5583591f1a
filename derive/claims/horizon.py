"""A sum's undefined upper end read as the horizon of a registered problem's sequences.

``y_k = \\sum_{\\ell=0}^{L} K_\\ell u_{k-\\ell}`` under the state-space problem: ``L`` is the
sequence length, a quantity the problem does not name.  Read as a free variable the claim
depends on it (it fails for L < k); read as the horizon it is the length of the sequences,
so every time index the problem samples is at most L.  This module finds such names (bare
names that occur only as a sum's upper end, alone or inside ``\\min``/``\\max`` there) and
gives the problem an extra index for each, drawn at least as large as every index the
problem samples.  The caller uses that reading only to verify: a failure under it stays
undecided (another reading of the name may hold), so this adds no refutation.
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from ..problem import Index, Problem
from .latex_parser import Node

HORIZON_SPAN = 3  # the horizon is drawn from the problem's largest index bound up to this much more


def _upper_end_names(hi: Node) -> set[str]:
    """Bare names written as a sum's upper end: ``L``, or an argument of ``\\min(k, L)``."""
    if hi.kind == "name" and hi.args == (None, None):
        return {hi.value}
    if hi.kind == "call" and hi.args and hi.args[0].kind == "func" and hi.args[0].value in ("\\min", "\\max"):
        return {a.value for a in hi.args[1:] if isinstance(a, Node) and a.kind == "name" and a.args == (None, None)}
    return set()


def horizon_names(tree: Node) -> set[str]:
    """Names that occur in ``tree`` only as (part of) a sum's upper end."""
    ends: set[str] = set()
    ends_nodes: set[int] = set()
    for n in tree.walk():
        if n.kind == "sum" and len(n.args) > 3 and isinstance(n.args[3], Node):
            found = _upper_end_names(n.args[3])
            ends |= found
            ends_nodes |= {id(x) for x in n.args[3].walk() if x.kind == "name" and x.value in found}
    if not ends:
        return set()
    elsewhere = {x.value for x in tree.walk() if x.kind == "name" and id(x) not in ends_nodes}
    return {e for e in ends if e not in elsewhere}


def unlimited_index_sums(tree: Node, scope) -> bool:
    """Whether ``tree`` sums over one of the problem's indices with no limits (``\\sum_\\ell``) and the
    problem names no length of its own (a ``T`` that ``\\sum_t`` runs to: inference.py's range)."""
    if "T" in scope.dim_symbols or any(p.latex == "T" for p in scope.patterns):
        return False
    return any(n.kind == "sum" and len(n.args) == 4 and isinstance(n.args[1], Node) and n.args[2] is None
               and n.args[3] is None and n.args[1].kind == "name" and n.args[1].value in scope.index_symbols
               for n in tree.walk())


def _symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name.lstrip("\\"), integer=True, nonnegative=True)


UNNAMED = "horizon_"  # the symbol of the length an unlimited sum runs to (no name of the document's)


def with_horizon(scope, names: set[str], unlimited: bool = False):
    """``scope`` (with a registered problem) where each of ``names`` is an extra index of the
    problem drawn no smaller than any of its indices' upper bounds (the horizon), and, with
    ``unlimited``, one more such index that an unlimited sum over a problem index runs to;
    None where the problem has no index to bound or a name is already the scope's."""
    problem = scope.problem
    if problem is None or not problem.indices or not (names or unlimited) or scope.horizon is not None:
        return None
    if any(n in scope.index_symbols or n in scope.dim_symbols or n in scope.defs for n in names):
        return None
    top = max(i.high for i in problem.indices)
    extra = tuple(Index(_symbol(n), top, top + HORIZON_SPAN) for n in sorted(names))
    if unlimited:
        extra += (Index(sp.Symbol(UNNAMED, integer=True, nonnegative=True), top, top + HORIZON_SPAN),)
    fields = {f.name: getattr(problem, f.name) for f in dataclasses.fields(Problem)}
    fields["indices"] = tuple(problem.indices) + extra
    widened = Problem(**fields)
    out = scope.copy()
    out.index_symbols = dict(scope.index_symbols)  # copy() shares it; the widening is this statement's only
    wrap = getattr(type(problem), "wrap", None)  # keep the document's cache wrapper where it has one
    out.problem = wrap(widened) if wrap is not None else widened
    for n, idx in zip(sorted(names), extra):
        out.index_symbols[n] = idx.symbol
    if unlimited:
        out.horizon = extra[-1].symbol
    return out


def describe(names: set[str], scope) -> str:
    """The scope note: which names were read as the horizon, and how they were drawn."""
    own = {n.lstrip("\\") for n in names} | {UNNAMED}
    top = max(i.high for i in scope.problem.indices if i.symbol.name not in own)
    said = []
    if names:
        said.append(f"{', '.join(sorted(names))} read as the sequences' length (a sum's upper end the problem "
                    f"does not name): drawn from {top} to {top + HORIZON_SPAN}, at least every time index")
    if scope.horizon is not None:
        said.append(f"a sum over a problem index with no limits runs from the index's start to the sequences' "
                    f"length, drawn from {top} to {top + HORIZON_SPAN} (terms past a sequence's start are its zero "
                    "padding)")
    return "; ".join(said)
