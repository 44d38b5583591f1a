"""Stage 7, *judge* (answers): a registered problem's answers to a part, and the judging of a
stated answer (a number, a set, a list) against them.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.sympify import _sympify  # strict: never parses a string

from ..errors import DeriveError
from ..problem import Problem
from ..verdict import PROVED, REFUTED, UNDECIDED
from .binding import bind_chain
from .latex_parser import Node, to_text
from .scope import BindError, Scope
from .statements import Statement


def problem_named(name: str) -> Problem:
    """The Problem of a registered derivation (unknown names: a DeriveError listing them)."""
    from ..registry import get

    entry = get(name)
    return entry.derivation().problem


def part_answers(name: str, part: str) -> list[Any]:
    """The set-valued answers (intervals, sets of λ) the derivation gives for ``part``."""
    from ..registry import get

    d = get(name).derivation()
    if part not in {p.name for p in d.problem.parts}:
        raise DeriveError(f"problem {name!r} has no part {part!r}; parts: "
                          + ", ".join(p.name for p in d.problem.parts))
    return [a for a in d.answers_for(part) if isinstance(a.value, (sp.Set, list, tuple))]


def number(n: Node) -> sp.Expr | None:
    if n.kind == "num":
        return sp.Rational(n.value) if "." in n.value else sp.Integer(int(n.value[:12]))
    if n.kind == "neg":
        v = number(n.args[0])
        return -v if v is not None else None
    if n.kind == "infinity":
        return sp.oo
    if n.kind == "div" and n.value == "frac":
        a, b = number(n.args[0]), number(n.args[1])
        return a / b if a is not None and b not in (None, 0) else None
    return None


def claimed_set(tree: Node) -> tuple[str, sp.Set] | None:
    r"""``\lambda \in [1, 4]``, ``\lambda > 0.001``, ``P \iff \lambda > c``: the set of values
    of one free name that the claim states (None if the claim is not of that form)."""
    if tree.kind != "chain":
        return None
    items, ops = tree.args
    if "<=>" in ops:
        k = len(ops) - 1 - list(ops)[::-1].index("<=>")
        items, ops = items[k + 1:], ops[k + 1:]
    if len(ops) != 1:
        return None
    lhs, rhs = items
    op = ops[0]
    if lhs.kind != "name" or lhs.args != (None, None):
        if rhs.kind == "name" and rhs.args == (None, None) and op in ("<", ">", "<=", ">="):
            lhs, rhs, op = rhs, lhs, {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op]
        else:
            return None
    name = to_text(lhs)
    if op == "in" and rhs.kind == "tuple" and len(rhs.args) == 2 and rhs.value in ("()", "[]", "(]", "[)"):
        lo, hi = (number(x) for x in rhs.args)
        if lo is None or hi is None:
            return None
        return name, sp.Interval(lo, hi, rhs.value[0] == "(", rhs.value[1] == ")")
    c = number(rhs)
    if c is None or op not in ("<", ">", "<=", ">="):
        return None
    return name, {"<": sp.Interval.open(-sp.oo, c), "<=": sp.Interval(-sp.oo, c),
                  ">": sp.Interval.open(c, sp.oo), ">=": sp.Interval(c, sp.oo)}[op]


def _entry(n: Node) -> sp.Expr | None:
    v = number(n)
    if v is not None:
        return v
    if n.kind == "name" and n.args == (None, None):
        return sp.Symbol(n.value.lstrip("\\"))
    return None


def judge_list_answer(st: Statement, answers: list[Any]) -> dict[str, Any] | None:
    """``K = [\\delta, 1.5, 1.2]``: a list compared entry by entry (exactly) with a list answer."""
    tree = st.tree
    if tree.kind != "chain" or tuple(tree.args[1]) != ("=",):
        return None
    lhs, rhs = tree.args[0]
    if rhs.kind != "tuple" or rhs.value != "[]":
        return None
    claimed = [_entry(x) for x in rhs.args]
    if any(c is None for c in claimed):
        return None
    lists = [a for a in answers if isinstance(a.value, (list, tuple))]
    for ans in lists:
        if len(ans.value) == len(claimed) and all(sp.simplify(_sympify(a) - c) == 0
                                                  for a, c in zip(ans.value, claimed)):
            return {"status": PROVED, "scope": f"proved: equals the derived answer '{ans.label}' entry by entry "
                    "(exact)", "reason": None, "links": []}
    if not lists:
        return None
    best = min(lists, key=lambda a: abs(len(a.value) - len(claimed)))
    bad = next((i for i, (a, c) in enumerate(zip(best.value, claimed)) if sp.simplify(_sympify(a) - c) != 0), None)
    why = (f"entry {bad} is {claimed[bad]}, the derived value is {best.value[bad]}" if bad is not None
           else f"{len(claimed)} entries, the derived answer has {len(best.value)}")
    return {"status": REFUTED, "scope": f"refuted: {why} (answer '{best.label}')", "reason": why, "links": [],
            "counterexample": {"instance": {}, "lhs": [str(c) for c in claimed], "rhs": [str(a) for a in best.value]}}


def judge_part_answer(st: Statement, answers: list[Any]) -> dict[str, Any] | None:
    """Compare a set-valued claim with the part's derived answer (as sets, exactly)."""
    listed = judge_list_answer(st, answers)
    if listed is not None:
        return listed
    answers = [a for a in answers if isinstance(a.value, sp.Set)]
    got = claimed_set(st.tree)
    if got is None or not answers:
        return None
    name, claimed = got
    items, ops = st.tree.args
    if "<=>" in ops:
        left = _left_set(st.tree, name)
        if left is None:
            return {"status": UNDECIDED, "scope": "undecided: the left side of ⟺ is not a condition on "
                    f"{name} that can be solved", "reason": "unsolvable left side of ⟺", "links": []}
        if sp.Eq(left, claimed) is not sp.true:
            return {"status": REFUTED, "scope": f"refuted: the left side of ⟺ gives {name} ∈ {left}, the right "
                    f"side {claimed}", "reason": None, "links": [],
                    "counterexample": {"instance": {name: str(_witness(sp.SymmetricDifference(left, claimed)))},
                                       "lhs": str(left), "rhs": str(claimed)}}
    for ans in answers:
        derived = ans.value
        # the problem's domain (λ > 0 ...) is part of the derived set; compare within it
        if sp.Eq(claimed.intersect(sp.Interval.open(0, sp.oo)) if derived.is_subset(sp.Interval(0, sp.oo))
                 else claimed, derived) is sp.true:
            return {"status": PROVED, "scope": f"proved: the set equals the derived answer '{ans.label}' = {derived} "
                    "(exact set comparison)", "reason": None, "links": []}
    ans = answers[0]
    diff = sp.SymmetricDifference(claimed, ans.value)
    witness = _witness(diff)
    return {"status": REFUTED, "scope": f"refuted: {name} ∈ {claimed} but the derived answer '{ans.label}' is "
            f"{ans.value}", "reason": None,
            "counterexample": {"instance": {name: str(witness)} if witness is not None else {},
                               "lhs": str(claimed), "rhs": str(ans.value)}, "links": []}


def _left_set(tree: Node, name: str) -> sp.Set | None:
    """The solution set in ``name`` of the single inequality left of ⟺ (exact, SymPy)."""
    items, ops = tree.args
    k = list(ops).index("<=>")
    if k != 1 or ops[0] not in ("<", ">", "<=", ">="):
        return None
    try:
        bound = bind_chain([items[0], items[1]], [], Scope(), None, hypotheses=(3,))
    except BindError:
        return None
    sym = next((i.sympy for i in bound.symbols.values() if i.key == name), None)
    if sym is None or any(i.kind != "scalar" for i in bound.symbols.values()):
        return None
    rel = {"<": sp.Lt, ">": sp.Gt, "<=": sp.Le, ">=": sp.Ge}[ops[0]](*bound.items)
    free = rel.free_symbols
    if free != {sym}:
        return None
    try:
        return sp.solve_univariate_inequality(rel, sym, relational=False)
    except (NotImplementedError, ValueError, TypeError):
        return None


def _witness(s: sp.Set) -> sp.Expr | None:
    """A simple point of a set (for the counterexample)."""
    try:
        for piece in (s.args if isinstance(s, sp.Union) else (s,)):
            if isinstance(piece, sp.Interval):
                a, b = piece.start, piece.end
                if a.is_finite and b.is_finite:
                    return (a + b) / 2 if piece.left_open or piece.right_open or a != b else a
                if a.is_finite:
                    return a + 1
                if b.is_finite:
                    return b - 1
            if isinstance(piece, sp.FiniteSet) and piece.args:
                return piece.args[0]
    except (TypeError, ValueError):
        return None
    return None
