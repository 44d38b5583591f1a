"""Stage 7, *judge* (recording): what :func:`~derive.claims.judge.judge_document` puts in the
document model: a definition (a whole statement, or a chain's first link), initial values and
numeric values, and whether a name is a quantity the problem computes or one of its inputs.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..verdict import DEFINED, INCONSISTENT
from .answers import number
from .indexing import condition_ranges
from .latex_parser import Node, to_text
from .model import parts
from .roles import as_function_definition, family
from .scope import BindError, Scope
from .statements import Statement


def unifies(inf: Any, pattern: Node, n: Node) -> bool:
    try:
        return inf._unify_pattern(pattern, n) is not None
    except BindError:
        return False


def record_definition(model: Any, st: Statement, tree: Node, line: int, section: Any, role: Any,
                      zeros_elsewhere: bool = False) -> tuple[str | None, str]:
    """Record a definition; (status, scope) for a whole-statement definition, (None, "")
    when only the chain's first link defines and the rest must be judged."""
    if tree.kind != "chain":
        return DEFINED, "defined"
    items, ops = tree.args
    lhs = items[0]
    if lhs.kind == "call" and role.defines and role.defines.endswith("(·)"):
        lhs = as_function_definition(lhs)  # \operatorname{lse}(z) = ...: the function lse
    if lhs.kind == "apply":  # F(x) = ...: a function, bound when a scope is built
        model.define(lhs, items[1], st.latex, line, section)
        return DEFINED, f"defined: {role.why}"
    earlier = model.definition_of(role.defines, section) if role.defines else None
    if earlier is not None and to_text(earlier.lhs) != to_text(lhs):
        earlier = None  # sigma_3 = 4 and sigma_4 = 1: two members of one family, no conflict
    if earlier is not None and parts(earlier.section) == parts(section) and _numeric_value(earlier.rhs) is not None \
            and _numeric_value(items[1]) is not None and _numeric_value(earlier.rhs) != _numeric_value(items[1]):
        return INCONSISTENT, (f"inconsistent: {role.defines} was defined as {to_text(earlier.rhs)} on line "
                              f"{earlier.line}, here as {to_text(items[1])}")
    rhs = items[1]
    if len(ops) == 1 and lhs.kind == "name" and rhs.kind in ("set", "tuple") and lhs.args[0] is not None \
            and lhs.args[0].kind == "name" and all(_numeric_value(x) is not None for x in rhs.args):
        # \sigma_i = \{10, 8, 4\}: the members \sigma_1 = 10, \sigma_2 = 8, \sigma_3 = 4
        for k, value in enumerate(rhs.args, 1):
            member = Node("name", lhs.value, (Node("num", str(k), (), lhs.col), lhs.args[1]), lhs.col)
            model.define(member, value, st.latex, line, section)
        return DEFINED, f"defined: the values of {to_text(lhs)} for {lhs.args[0].value} = 1..{len(rhs.args)}"
    # A = \alpha = 0.8 defines A and \alpha; o = W^\top q = V^\top K a q defines o, then claims the rest
    model.define(lhs, items[1], st.latex, line, section)
    _record_range(model, st, lhs, items[1], line, section, zeros_elsewhere)
    k = 1
    while k < len(ops) and ops[k] in ("=", ":=", "<-") and items[k].kind == "name" and (
            (not model.is_defined(_fam(items[k]), section) and not model.was_seen(_fam(items[k]), section))
            or _initial_value(items[k], items[-1])):
        model.define(items[k], items[k + 1], st.latex, line, section)
        k += 1
    if k >= len(ops):
        return DEFINED, f"defined: {role.why}"
    st.skip_links = k
    return None, ""


def _record_range(model: Any, st: Statement, lhs: Node, rhs: Node, line: int, section: Any,
                  zeros_elsewhere: bool) -> None:
    """``y_i = ... \\quad \\text{for } i = 1, \\dots, n - k + 1``: the range stated for the definition's
    index is the length of the vector y (its entries y_1 .. y_{n-k+1}); ``T_{i,i+j-1} = w_j`` for
    ``j = 1, \\dots, k`` with "zeros elsewhere" in the prose: a band matrix."""
    if st.condition is None or lhs.kind != "name" or lhs.args[1] is not None or lhs.args[0] is None:
        return
    ranges = condition_ranges(st.condition)
    sub = lhs.args[0]
    if sub.kind == "name" and sub.args == (None, None):
        stated = ranges.get(to_text(sub))
        if stated is not None:
            model.note_range(lhs, stated[0], stated[1], st.latex, line, section)
        return
    if not zeros_elsewhere or sub.kind != "tuple" or len(sub.args) != 2 or len(ranges) != 1:
        return
    (var, (lo, hi)), = ranges.items()
    row, col = sub.args
    if row.kind == "name" and row.args == (None, None) and to_text(row) != var \
            and var in {to_text(x) for x in col.walk() if x.kind == "name"}:
        model.note_band(lhs, rhs, Node("name", var, (None, None), lhs.col), lo, hi, st.latex, line, section)


def _initial_value(name: Node, value: Node) -> bool:
    """``v_0`` in ``m_0 = v_0 = 0``: a member of a family at a numeric index, given a number."""
    return any(isinstance(a, Node) and a.kind == "num" for a in name.args) and _numeric_value(value) is not None


def _fam(n: Node) -> str:
    return family(n) or ""


def _fresh_in_section(model: Any, n: Node, section: Any) -> bool:
    b = model.definition_of(_fam(n), section)
    return b is None or parts(b.section) != parts(section)


def _numeric_value(n: Node) -> sp.Expr | None:
    try:
        return number(n)
    except (ValueError, TypeError):
        return None


def matches_computed(n: Node, scope: Scope) -> bool:
    """Whether ``n`` names a quantity the problem computes (a sequence, not an input)."""
    from .inference import Inference

    inf = Inference(scope, 0, set())
    for pat in scope.patterns:
        if isinstance(pat.expr, (sp.Symbol, sp.MatrixSymbol)):
            continue
        if unifies(inf, pat.tree, n):
            return True
    return False


def matches_input(n: Node, scope: Scope) -> bool:
    from .inference import Inference

    inf = Inference(scope, 0, set())
    for pat in scope.patterns:
        if isinstance(pat.expr, (sp.Symbol, sp.MatrixSymbol)) and unifies(inf, pat.tree, n):
            return True
    return False
