"""Stage 7, *judge* (one statement): a statement bound under each plausible reading and every
link ``a op b`` sent to :func:`derive.check.check_equal` on the problem's random instances (or,
without a problem, on one built from the claim's free symbols); readings that disagree leave it
undecided; gradient layouts, consequences of a refuted reading, inequalities and solution sets.
"""

from __future__ import annotations

import dataclasses
import random
import re
from typing import Any

import mpmath
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from . import roles as R, solutions as SOL
from ..check import CheckSettings, check_equal
from ..check.symbolic import prove_equal
from ..numeric import EvaluationError, as_scalar, evaluate
from ..problem import Problem
from ..verdict import DEFINED, PROVED, REFUTED, UNDECIDED, VERIFIED, Verdict, combine
from .binding import bind_chain
from .cases import bounded_subscripts, member_subscripts
from .discipline import (all_declared, declared_text, free_identity, has_custom, has_sequences, shapes_fixed,
    transcendental, unbound_one_side)
from .equations import holds_identically, solvable_names, solve_for_one
from .inference import primed_name
from .latex_parser import Node, ParseError, parse, to_text
from .minimisers import judge_minimiser, judge_stationary
from .nodes import DerivM
from .reader import Document
from .results import LinkResult, Options
from .sampling import (HypothesisProblem, WIDE_DIMS, WIDE_EXPONENT, WIDE_INDEX_HIGH, generic_problem, has_structure,
    onehot_length, scalar_intervals, shape_symbols)
from .scope import BindError, Bound, Scope, ShapeError
from .statements import Statement
from .structure_reach import ROOT_TEXT


def chain_links(tree: Node) -> tuple[list[Node], list[tuple[int, str, int]]]:
    """Nodes to bind and the links between them; an interval ``x \\in (a, b]`` becomes
    two inequalities."""
    if tree.kind != "chain":
        return [tree], []
    items, ops = tree.args
    nodes = list(items)
    links: list[tuple[int, str, int]] = []
    for i, op in enumerate(ops):
        rhs = items[i + 1]
        if op == "in" and rhs.kind == "tuple" and len(rhs.args) == 2 and rhs.value in ("()", "[]", "(]", "[)"):
            lo, hi = rhs.args
            nodes.append(lo)
            nodes.append(hi)
            lo_op = ">=" if rhs.value[0] == "[" else ">"
            hi_op = "<=" if rhs.value[1] == "]" else "<"
            links.append((i, lo_op, len(nodes) - 2))
            links.append((i, hi_op, len(nodes) - 1))
        else:
            links.append((i, op, i + 1))
    return nodes, links


_NOT_JUDGED = {
    "~": "≈ states an approximation; approximations are not judged",
    "sim": "∼ states a distribution or an asymptotic equivalence; it is not judged as a relation",
    "<=>": "equivalences of conditions are not judged",
    "->": "an arrow is not a claim that can be checked",
    "propto": "proportionality is not judged",
    "subset": "set inclusion is not judged",
    "in": "membership is only judged for intervals",
    "<<": "\\ll states an approximation; approximations are not judged",
    ">>": "\\gg states an approximation; approximations are not judged",
}


def problem_names_used(tree: Node, scope: Scope) -> bool:
    """Whether any name in ``tree`` is one of the problem's quantities (its notation)."""
    from .inference import Inference

    inf = Inference(scope, 0, set())
    for n in tree.walk():
        if n.kind in ("name", "partial", "nabla", "apply"):
            try:
                if inf._match_pattern(n) is not None:
                    return True
            except BindError:
                return True
    return False


def generic_scope(scope: Scope) -> Scope:
    """The document's own bindings without the problem (for general facts such as
    d/dx tanh(x) = 1 - tanh²(x) stated in a problem's solution)."""
    return dataclasses.replace(scope, problem=None, patterns=[], index_symbols={}, dim_symbols={})


def judge_statement(st: Statement, scope: Scope, opts: Options) -> dict[str, Any]:
    """Bind and check one statement; returns a plain dict (it travels between processes).

    A refutation is tried again under the index ranges stated for the statements next to it
    (``(pp^\\top)^k = \\|p\\|^{2(k-1)} pp^\\top`` a clause after "… for k \\ge 1"): where that
    reading holds, the readings disagree and the verdict is undecided, naming both."""
    if st.stationary is not None:
        return judge_stationary(st, scope)
    if st.objectives:
        res = judge_minimiser(st, scope, opts.seed)
        if res is not None:
            return res
    if st.solves or st.solve_only:
        res = _judge_solution(st, scope)
        if res is not None:
            return res
    res = _judge_nearby(st, scope, opts)
    if st.premise is None or res["status"] in (VERIFIED, PROVED) or not (
            res["status"] == REFUTED or "fails" in (res.get("reason") or "")):
        return res
    # -2\sigma^2(1 - w) + 2\lambda w = 0, then w(\sigma^2 + \lambda) = \sigma^2: the second line is no
    # identity, but it holds wherever the first does (the derivation solves that equation)
    tree, text = st.premise
    other = _judge_one_reading(dataclasses.replace(st, premise=None, nearby_ranges=[],
                                                   equations=st.equations + [(tree, f"the line before, {text}")]),
                               scope, opts)
    if other["status"] not in (VERIFIED, PROVED) or "the line before" not in other["scope"]:
        return res
    why = "it is no identity, but holds wherever the equation on the line before holds (the derivation solves it)"
    return dict(other, scope=f"{other['scope']}; {why}")


def _judge_nearby(st: Statement, scope: Scope, opts: Options) -> dict[str, Any]:
    res = _judge_one_reading(st, scope, opts)
    if res["status"] == UNDECIDED and st.earlier_defs and _ONE_SIDE in (res.get("reason") or ""):
        return _with_earlier_parts(st, scope, opts, res)
    if res["status"] != REFUTED or not st.nearby_ranges:
        return res
    texts = [t for _c, t in st.nearby_ranges]
    other = _judge_one_reading(dataclasses.replace(
        st, hypotheses=st.hypotheses + [c for c, _t in st.nearby_ranges],
        hypothesis_texts=st.hypothesis_texts + texts, nearby_ranges=[]), scope, opts)
    if other["status"] == REFUTED:
        return res
    why = (f"the readings disagree: it fails on an instance ({(res.get('reason') or res['scope'])[:160]}), "
           f"but is {other['status']} under {'; '.join(texts)}, the range stated next to it")
    return {"status": UNDECIDED, "scope": f"undecided: {why}", "reason": why, "counterexample": None,
            "links": res.get("links", [])}


_ONE_SIDE = "appear(s) on one side only"  # the one-side rule's reason (names it leaves open)


def _with_earlier_parts(st: Statement, scope: Scope, opts: Options, res: dict[str, Any]) -> dict[str, Any]:
    """A statement this part leaves undecided, read with the meanings an earlier part gave the
    names it leaves open (a summary restating part (a)'s m' = (n m + x_{n+1})/(n+1)): verified or
    proved under them, it is verified so, and the scope says which lines were used; any other
    verdict (a failure included: the part may mean something else) leaves it as it was."""
    other_scope = scope.copy()
    for lhs, rhs, latex, _line in st.earlier_defs:
        try:
            other_scope.define(lhs, rhs, latex)
        except (BindError, ParseError):
            continue
    other = _judge_one_reading(dataclasses.replace(st, earlier_defs=[]), other_scope, opts)
    if other["status"] not in (PROVED, VERIFIED):
        return res
    used = ", ".join(f"{to_text(lhs)} (line {line})" for lhs, _r, _t, line in st.earlier_defs)
    return {**other, "scope": other["scope"] + f" [with the meanings an earlier part gave: {used}]"}


_UNSOLVED = ("a solution set: the condition it solves is not identified in the document and no "
             "problem part gives the derived answer (name one with front matter part:)")


def _judge_solution(st: Statement, scope: Scope) -> dict[str, Any] | None:
    """A solution or an inequality step compared with the relations it may solve (solutions.py);
    None where sampling may judge it instead."""
    assert st.tree is not None
    premises = {to_text(p.tree) for p in st.solves} | {to_text(st.tree)}
    # the premises travel as hypotheses too (for sampling): the domain is the other hypotheses
    hyps = [h for h in st.hypotheses if to_text(h) not in premises]
    if st.condition is not None:
        hyps.append(st.condition)
    try:
        res = SOL.judge_solution(st.tree, st.role, st.solves, hyps, st.solve_strict, st.solve_index, scope)
    except RecursionError:
        res = None  # a tree too deep to rewrite: judged as before (or undecided)
    if res is not None and (res["status"] != UNDECIDED or st.solve_only or st.role == R.SOLUTION):
        return res  # a solution compared exactly is judged as a set, not sampled as an implication
    if st.solve_only:
        why = _UNSOLVED if res is None else res["reason"]
        return {"status": UNDECIDED, "scope": f"undecided: {why}", "reason": why, "links": []}
    return None


def _equal_dims_reading(st: Statement, scope: Scope, opts: Options, exc: BindError,
                        why: str) -> dict[str, Any] | None:
    """A statement whose shapes fit nowhere but where two declared sizes m and n meet
    (``W_1 g`` with W_1 m x n and g of length m) is judged again in the case m = n, the only one
    in which it is formed: failing there, it fails in every case; holding there, it is undecided.
    Only where every name it reaches has a declared or defined shape (nothing guessed could have
    made the sizes meet) and nothing in scope relates the two sizes (m < n)."""
    clash = getattr(exc, "clash", None)
    if not isinstance(exc, ShapeError) or clash is None or scope.problem is not None:
        return None
    a, b = clash
    if not (isinstance(a, sp.Symbol) and isinstance(b, sp.Symbol)):
        return None
    declared = {d for x in scope.declared.values() for d in (x.rows, x.cols)}
    if not {a, b} <= declared or not shapes_fixed(st.tree, scope):
        return None
    sizes = {str(a), str(b)}
    stated = {x.lstrip("\\") for x in st.stated_names} | {to_text(x).lstrip("\\") for h in list(st.hypotheses)
                                                         + ([st.condition] if st.condition is not None else [])
                                                         for x in h.walk() if x.kind == "name"}
    if sizes & stated:
        return None
    res = _judge_one_reading(st, scope.with_equal_dims(a, b), opts, equal_dims=True)
    if res["status"] == REFUTED:
        reason = (f"{why}: its shapes fit only when {a} = {b}, and with {a} = {b} it fails ("
                  + (res.get("reason") or res["scope"])[:200] + ")")
        return dict(res, scope=f"refuted: {reason}", reason=reason)
    reason = f"{why}; its shapes fit only when {a} = {b}, and then it is {res['status']}"
    return {"status": UNDECIDED, "scope": f"undecided: {reason}", "reason": reason, "links": []}


def _judge_one_reading(st: Statement, scope: Scope, opts: Options, equal_dims: bool = False) -> dict[str, Any]:
    import sys

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 6000))  # a worker: deep but bounded trees
    tree = st.tree
    assert tree is not None
    nodes, links = chain_links(tree)
    if not links:
        return {"status": UNDECIDED, "scope": "undecided: no relation to check", "reason": "no relation", "links": []}
    skipped = links[:st.skip_links]
    links = links[st.skip_links:]
    if not links:
        return {"status": UNDECIDED, "scope": "undecided: nothing left to judge", "reason": "no claim", "links": []}
    n_own = len(nodes)
    hyp_links: list[tuple[int, str, int]] = []
    # names of an index range (0 <= j <= 2^{N-1} - 1) are integers, however they are spelled
    # (j' of "j' = 0, \\dots, m - 1" too: a primed name is a name of its own)
    range_names = {to_text(x) for h in st.hypotheses if h.kind == "chain" and h.value == "range"
                   for x in h.walk() if x.kind == "name" and x.args == (None, None)} \
        | {to_text(primed_name(x.args[0])) for h in st.hypotheses if h.kind == "chain" and h.value == "range"
           for x in h.walk() if x.kind == "prime" and len(x.args) == 1 and x.args[0].kind == "name"
           and x.args[0].args == (None, None)}
    range_names |= bounded_subscripts(tree, st.hypotheses) | member_subscripts(tree, st.structure)
    for h in st.hypotheses:
        h_nodes, h_links = chain_links(h)
        off = len(nodes)
        nodes.extend(h_nodes)
        hyp_links.extend((a + off, op, b + off) for a, op, b in h_links
                         if op in ("<", "<=", ">", ">=", "!="))
    n_before_eqs = len(nodes)
    eq_links: list[tuple[int, int, str]] = []  # equations assumed in scope, bound with the claim
    for h, text in st.equations:
        h_nodes, h_links = chain_links(h)
        if len(h_links) == 1 and h_links[0][1] == "=":
            off = len(nodes)
            nodes.extend(h_nodes)
            eq_links.append((h_links[0][0] + off, h_links[0][2] + off, text))
    member_links: list[int] = []  # the roots z_1, z_2 of a stated polynomial (a claim must not tell them apart)
    for _h, text in st.equations:
        if ROOT_TEXT in text:
            try:
                member = parse(text.split(f" {ROOT_TEXT} ")[0])
            except ParseError:
                continue
            member_links.append(len(nodes))
            nodes.append(member)
    check_links: list[tuple[int, str, str]] = []  # structure stated about defined names, checked per instance
    for kind, name, text in st.structure_checks:
        try:
            check_links.append((len(nodes), kind, text))
            nodes.append(parse(name))
        except ParseError:
            check_links.pop()
    pairs = [(a, b) for a, op, b in links + hyp_links if op not in _NOT_JUDGED] + [(a, b) for a, b, _t in eq_links] \
        + [(i, i) for i, _k, _t in check_links] + [(i, i) for i in member_links]  # (a pair of itself: the
    # binder builds only compared items)
    scalar_items = {i for a, op, b in links + hyp_links if op in ("<", "<=", ">", ">=") for i in (a, b)}
    if st.local_defs:
        scope = scope.copy()
        for text in st.local_defs:
            try:
                scope.add_given(text, override=True)
            except (ParseError, BindError) as exc:
                return {"status": UNDECIDED, "scope": f"undecided: the definition {text!r} is not understood ({exc})",
                        "reason": f"definition {text!r} not understood", "links": []}
    hyp_note = ""

    def bind(nodes_: list[Node], pairs_: list, scalars_: set, scope_: Scope) -> tuple[Bound, Scope]:
        try:
            return bind_chain(nodes_, [], scope_, st.condition, pairs=pairs_, scalar_items=scalars_,
                              index_extra=range_names, index_ranges=list(st.hypotheses)), scope_
        except BindError:
            if scope_.problem is None or problem_names_used(tree, scope_):
                raise
            # a general fact that uses none of the problem's names
            scope_ = generic_scope(scope_)
            return bind_chain(nodes_, [], scope_, st.condition, pairs=pairs_, scalar_items=scalars_,
                              index_extra=range_names, index_ranges=list(st.hypotheses)), scope_

    try:
        try:
            try:
                bound, scope = bind(nodes, pairs, scalar_items, scope)
            except BindError:
                if not eq_links:
                    raise
                # an equation that cannot be read with the claim stays unapplied (it blocks a refutation)
                nodes, eq_links, check_links, member_links = nodes[:n_before_eqs], [], [], []
                pairs = [(a, b) for a, op, b in links + hyp_links if op not in _NOT_JUDGED]
                bound, scope = bind(nodes, pairs, scalar_items, scope)
        except BindError:
            if not hyp_links:
                raise
            nodes, hyp_links, eq_links, check_links, member_links = nodes[:n_own], [], [], [], []
            pairs = [(a, b) for a, op, b in links if op not in _NOT_JUDGED]
            scalar_items = {i for a, op, b in links if op in ("<", "<=", ">", ">=") for i in (a, b)}
            bound, scope = bind(nodes, pairs, scalar_items, scope)
            hyp_note = "the hypotheses in scope could not be read with it"
    except BindError as exc:
        col = f" at column {exc.column + st.col - 1}" if exc.column else ""
        msg = str(exc).split(" at column ")[0]
        if not equal_dims:
            other = _equal_dims_reading(st, scope, opts, exc, f"{msg}{col}")
            if other is not None:
                return other
        if isinstance(exc, ShapeError) and all_declared(tree, scope):
            # declarations are made in one context and used in another ("x in R^n", later "if A is
            # square"): shapes that do not fit are reported, not refuted
            shapes = ", ".join(f"{k}: {v}" for k, v in declared_text(tree, scope).items())
            why = f"{msg}{col}, with the shapes the document declares ({shapes})"
            return {"status": UNDECIDED, "scope": f"undecided: {why}", "reason": why, "links": []}
        return {"status": UNDECIDED, "scope": f"undecided: {msg}{col}", "reason": f"{msg}{col}", "links": []}
    generic = bound.hypothesis is not None and scope.problem is None
    relations = [(bound.items[a], op, bound.items[b]) for a, op, b in hyp_links]
    assign, solved, how = _solve_equations(bound, eq_links, n_own) if scope.problem is None else ([], [], [])
    if solved:
        relations += [_zero_shaped(bound.items[a], bound.items[b]) for a, b, text in eq_links if text in solved]
        honoured = [t for t in solved if ROOT_TEXT not in t
                    or _tells_none_apart([bound.items[i] for i in member_links], [bound.items[a] - bound.items[b]
                                         for a, _op, b in links if not isinstance(bound.items[a], MatrixExpr)
                                         and not isinstance(bound.items[b], MatrixExpr)], len(links))]
        # the names of an equation honoured are assumed, as an inequality's are (discipline.unbound_one_side)
        order = [t for t in solved if t not in honoured]  # roots sampled, but the claim names one of them
        st = dataclasses.replace(st, unapplied=[u for u in st.unapplied if u not in honoured + order] + (
            ["which root is which (the claim tells the roots apart; the document states no order)"] if order else []),
            hypotheses=st.hypotheses + [h for h, t in st.equations if t in honoured])
    hyp_sampled = bool(hyp_links or assign)
    structure = st.structure if scope.problem is None else []
    unread = _structure_unread(bound, structure)
    if unread:  # y one-hot, but y read as a scalar in this reading: the structure is not sampled
        st = dataclasses.replace(st, unapplied=st.unapplied + [f"structure stated in the prose: {u}" for u in unread])
    if st.structure and scope.problem is not None:  # a registered problem samples its own inputs
        st = dataclasses.replace(st, unapplied=st.unapplied + ["structure stated in the prose: "
                                                                + "; ".join(st.structure_texts)])
    problem = scope.problem if scope.problem is not None else generic_problem(bound, scalar_intervals(relations),
                                                                              structure=structure)
    checked = _consequences(bound, check_links, problem, opts.seed) if scope.problem is None else []
    if checked:
        done = {"structure stated in the prose: " + t for t in checked}
        st = dataclasses.replace(st, unapplied=[u for u in st.unapplied if u not in done])
    wide_problem = wide_eq = None
    if scope.problem is None and not has_sequences(bound) and not any(
            transcendental(e) for e in bound.items if e is not None):
        # algebraic identities only: exp, log, σ, tanh saturate at large arguments and a 50-digit
        # evaluation would see rounding, not a counterexample
        wide_eq = generic_problem(bound, scalar_intervals(relations), wide=True, exponent=WIDE_EXPONENT,
                                  structure=structure)
        if hyp_sampled:
            wide_eq = HypothesisProblem.wrap(wide_eq, relations, assign)
    if scope.problem is None and any(op in ("<", "<=", ">", ">=") for _a, op, _b in links):
        wide_problem = generic_problem(bound, scalar_intervals(relations), wide=True, structure=structure)
        if hyp_sampled:
            wide_problem = HypothesisProblem.wrap(wide_problem, relations, assign)
    if hyp_sampled:
        problem = HypothesisProblem.wrap(problem, relations, assign)
    settings = CheckSettings(instances=opts.instances, dps=opts.dps, seed=opts.seed,
                             symbolic_timeout=max(0.2, min(2.0, opts.timeout * 0.25)))
    results: list[LinkResult] = []
    verdicts: list[Verdict] = []
    sides = _side_texts(st.latex)
    items_count = len(tree.args[0]) if tree.kind == "chain" else 1

    def text_of(i: int) -> str:
        if len(sides) == items_count and i < items_count:
            return sides[i]
        return to_text(nodes[i])

    for a, op, b in skipped:
        results.append(LinkResult(text_of(a), op, text_of(b), DEFINED, "defined: introduces the name", None, None))
    for a, op, b in links:
        lhs, rhs = bound.items[a], bound.items[b]
        if op in ("=", "!="):
            # B u_1 = 0: a written 0 is the zero of the other side's shape
            if rhs == 0 and isinstance(lhs, MatrixExpr):
                rhs = sp.ZeroMatrix(*lhs.shape)
            elif lhs == 0 and isinstance(rhs, MatrixExpr):
                lhs = sp.ZeroMatrix(*rhs.shape)
        text_l, text_r = text_of(a), text_of(b)
        if op in _NOT_JUDGED:
            v = Verdict(UNDECIDED, f"undecided: {_NOT_JUDGED[op]}", reason=_NOT_JUDGED[op])
        elif op in ("=", ":=", "<-", "!="):
            jacobians = _jacobians(lhs) | _jacobians(rhs)
            if jacobians and opts.layout == "denominator":
                lhs, rhs = _other_layout(lhs, jacobians), _other_layout(rhs, jacobians)
            # under an equation solved for one of its names (the line before a step), the sides are
            # equal only where it holds: a symbolic proof of the bare identity cannot succeed
            prover = prove_equal if not (has_custom(lhs) or has_custom(rhs) or (hyp_sampled and assign)) else None
            v = check_equal(lhs, rhs, problem, condition=bound.condition, settings=settings, prover=prover,
                            claim=f"{text_l} = {text_r}")
            if v.status == REFUTED and jacobians and opts.layout is None and op != "!=":
                # a Jacobian written with a column per output is right in that layout
                w = check_equal(_other_layout(lhs, jacobians), _other_layout(rhs, jacobians), problem,
                                condition=bound.condition, settings=settings, prover=None,
                                claim=f"{text_l} = {text_r}")
                if w.status in (VERIFIED, PROVED):
                    why = ("it fails with Jacobians laid out a row per output but holds with a column per output "
                           "(denominator layout), and the document does not say which layout it uses")
                    v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
            first = v.status
            if v.status == REFUTED and opts.layout != "denominator" and not opts.gradient_shaped and op != "!=" \
                    and "\\nabla" not in st.latex:
                v = _row_gradient_reading(v, lhs, rhs, opts.layout, problem, bound.condition, settings,
                                          f"{text_l} = {text_r}")
            # verified only in another reading (a gradient read as a row): the check across magnitudes of the
            # sides as bound would see the first reading's shapes, not a counterexample
            if v.status == VERIFIED and wide_eq is not None and first != REFUTED:
                # min(x, 2) = x holds on (-1, 1): look across magnitudes before calling it verified
                w = check_equal(lhs, rhs, wide_eq, condition=bound.condition, settings=settings, prover=None,
                                claim=f"{text_l} = {text_r}")
                if w.status == REFUTED:
                    v = w
                elif w.status == VERIFIED:
                    v = dataclasses.replace(v, scope=v.scope + f"; and on {w.instances} instances across magnitudes "
                                                             f"10^±{WIDE_EXPONENT}, dimensions {WIDE_DIMS}, "
                                                             f"indices up to {WIDE_INDEX_HIGH}")
            if op == "!=":
                v = _negate(v)
        else:
            v = check_inequality(lhs, op, rhs, wide_problem or problem, bound.condition,
                                 dataclasses.replace(settings, instances=settings.instances * 4)
                                 if wide_problem is not None else settings)
        if v.status == REFUTED and _matrix_softmax(lhs, rhs):
            why = ("it fails with the softmax of a matrix read row by row (as attention weights are); "
                   "the document does not say which axis it normalises")
            v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
        if v.status == REFUTED and op in ("=", ":=", "<-"):
            v = _zero_start_reading(v, lhs, rhs, problem, bound.condition, settings, f"{text_l} = {text_r}",
                                    _free_start_families(scope))
        if v.status == REFUTED and st.unread_defs:
            why = ("it fails on an instance, but it uses " + ", ".join(st.unread_defs)
                   + ", whose definition could not be read: the instance is not the document's")
            v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
        free_rules = bound.extra.get("free_recurrences")
        if v.status == REFUTED and free_rules:
            # the members were drawn as an arbitrary sequence: the document's own rule for them is unread
            names = ", ".join(sorted(free_rules))
            why = (f"it fails on an instance, but the rule the document states for {names} uses a function it "
                   "does not define, so its members were drawn as an arbitrary sequence, not the document's")
            v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
        if v.status == REFUTED and (st.unapplied or hyp_note):
            why = ("it fails on an instance, but the hypotheses in scope ("
                   + "; ".join((st.unapplied or [hyp_note]))[:200] + ") were not applied when sampling")
            v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
        if v.status == REFUTED and free_identity(bound.extra.get("bare_identity", set()), lhs, rhs):
            why = "the size of an identity matrix is not fixed by the statement (‖I‖ and tr(I_2) may mean sizes apart)"
            v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
        if v.status == REFUTED and op != "!=":
            blocked = unbound_one_side(nodes[a], nodes[b], scope, st)
            bare = {n for n in blocked if n in scope.funcs}
            if bare:
                why = (f"the function {', '.join(sorted(bare))} is used without an argument: read alone it is a "
                       "free quantity, not the document's function, so the statement is not refuted")
                v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
            elif blocked:
                why = (f"{', '.join(sorted(blocked))} {'is' if len(blocked) == 1 else 'are'} not defined in the "
                       f"document and {_ONE_SIDE}: the statement may determine "
                       f"{'it' if len(blocked) == 1 else 'them'}, so it is not refuted (it fails when "
                       f"{'it is' if len(blocked) == 1 else 'they are'} read as free variables)")
                v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
        verdicts.append(v)
        results.append(LinkResult(text_l, op, text_r, v.status, v.scope, v.counterexample, v.reason))
    status = combine(verdicts)
    judged = [r for r in results if r.status != DEFINED]
    first_bad = next((r for r in judged if r.status == status), judged[0])
    scope_text = first_bad.scope if len(results) == 1 else _chain_scope(results, status)
    reason = first_bad.reason
    if status == REFUTED and reason is None:
        reason = f"link {first_bad.lhs} {first_bad.op} {first_bad.rhs} fails" if len(results) > 1 else None
    notes = [n for n in (st.note, hyp_note) if n]
    if notes:
        reason = (reason + "; " if reason else "") + "; ".join(notes)
    if hyp_links:
        texts = st.hypothesis_texts or [to_text(h) for h in st.hypotheses]
        scope_text += " [sampled under: " + "; ".join(" ".join(t.split()) for t in texts)[:300] + "]"
    if checked:
        scope_text += " [structure stated of defined names, which their definitions give on every instance drawn: " \
            + "; ".join(sorted(set(checked)))[:300] + "]"
    if solved:
        scope_text += " [equations assumed, honoured exactly: " + "; ".join(
            f"{' '.join(t.split())} ({h})" for h, t in zip(how, solved))[:300] + "]"
    if st.local_defs:
        scope_text += " [with the document's values: " + "; ".join(" ".join(t.split()) for t in st.local_defs)[:300] + "]"
    if bound.extra.get("model"):
        scope_text += " [" + "; ".join(bound.extra["model"]) + "]"
    if structure:
        scope_text += " [structure sampled: " + "; ".join(st.structure_texts)[:300] + "]"
    if scope.problem is None:
        scope_text += f" [generic: {bound.hypothesis}]"
    del generic
    return {"status": status, "scope": scope_text, "reason": reason, "counterexample": first_bad.counterexample,
            "links": [dataclasses.asdict(r) for r in results]}


def _structure_unread(bound: Bound, structure: list) -> list[str]:
    """Stated structure that constrains a scalar too (one-hot, orthogonal, positive definite) on a
    name this reading does not bind as a matrix (the fallback "everything else scalar", or the
    family y_k of y's entries): sampling does not honour it there."""
    out = []
    for kind, names, extra in structure:
        if kind == "blocks":  # a block read as a scalar is not read off the sampled joint
            kind = extra.get("kind")
            if kind == "symmetric":
                kind = "symmetric joint"
        elif kind not in ("onehot", "orthogonal", "spd", "psd"):
            continue
        for n in names:
            info = bound.symbols.get(n)
            seq = bound.symbols.get(n + "_•")
            if kind == "onehot" and info is not None and info.kind == "seq" and onehot_length(bound, n) is not None:
                continue  # its entries y_k are sampled one-hot (sampling.StructurePlan)
            if info is not None and not (info.kind == "matrix" and isinstance(info.sympy, MatrixExpr)) \
                    or seq is not None:
                out.append(f"{n} {kind} ({n} not read as a matrix here)")
    return out


CONSEQUENCE_DRAWS = 4


# (kind, fact, seed) -> a consequence, within one job: a fact's text does not name the problem it
# was checked under, so a verdict that read another job's entry would depend on the job order
CONSEQUENCE_CACHE: dict[tuple, bool] = {}


def _consequences(bound: Bound, check_links: list[tuple[int, str, str]], problem: Problem, seed: int) -> list[str]:
    """The structure stated of defined names ("J := diag(p) - pp^T. It is symmetric") that their
    definitions give on every one of a few instances: a consequence, which sampling the
    definition honours.  Where it fails on one, the structure constrains the definition's inputs
    (the minimiser's W~ is diagonal, not every U^T W U): it stays among the hypotheses not applied."""
    out = []
    for i, kind, text in check_links:
        e = bound.items[i]
        if not isinstance(e, MatrixExpr) or e.shape[0] != e.shape[1]:
            continue
        key = (kind, text, seed)  # (printing the expression can cost seconds: its text names it)
        ok = CONSEQUENCE_CACHE.get(key)
        if ok is None:  # the same defined name is reached by many claims of one document
            rng = random.Random(seed)
            try:
                ok = all(has_structure(evaluate(e, inst.values, inst.sequences, inst.dps), kind, inst.dps)
                         for inst in (problem.sample(rng, 30, small=True) for _ in range(CONSEQUENCE_DRAWS)))
            except (EvaluationError, ValueError, TypeError, ZeroDivisionError):
                ok = False
            if len(CONSEQUENCE_CACHE) < 512:
                CONSEQUENCE_CACHE[key] = ok
        if ok:
            out.append(text)
    return out


def _tells_none_apart(members: list, diffs: list, n_links: int) -> bool:
    """Whether every link of the claim is unchanged when two roots swap (z_1 z_2 = \\beta is; z_1 =
    (b + \\sqrt{d})/2 is not: it names one root, in an order the document does not state)."""
    if len(diffs) != n_links or len(members) < 2 or any(m is None for m in members):
        return False
    if any(sp.count_ops(d) > 200 for d in diffs):
        return False  # bounded work: a large claim is not inspected (its roots stay "in no stated order")
    for a, b in zip(members, members[1:]):
        for d in diffs:
            try:
                if sp.expand(d - d.xreplace({a: b, b: a})) != 0:
                    return False
            except (TypeError, ValueError, AttributeError):
                return False
    return True


def _zero_shaped(lhs: Any, rhs: Any) -> tuple[Any, str, Any]:
    """``p = 0`` as a relation checked per instance: the written 0 is the zero of p's shape."""
    if rhs == 0 and isinstance(lhs, MatrixExpr):
        rhs = sp.ZeroMatrix(*lhs.shape)
    elif lhs == 0 and isinstance(rhs, MatrixExpr):
        lhs = sp.ZeroMatrix(*rhs.shape)
    return lhs, "=", rhs


def _dimension_symbols(bound: Bound) -> set:
    """Symbols that size a matrix (drawn before the values: never solved for)."""
    return set(bound.dims) | shape_symbols(bound.items)


def _solve_equations(bound: Bound, eq_links: list[tuple[int, int, str]], n_own: int
                     ) -> tuple[list[tuple[sp.Symbol, sp.Basic]], list[str], list[str]]:
    """The equations assumed in scope, each solved for one name (derive.claims.equations): the
    assignments sampling makes, the texts of the equations so honoured (or holding identically
    once definitions are substituted), and how each is honoured."""
    if not eq_links:
        return [], [], []
    claim_symbols = set().union(*(bound.items[i].free_symbols for i in range(n_own)
                                  if bound.items[i] is not None and isinstance(bound.items[i], sp.Basic)))
    fixed = _dimension_symbols(bound)
    allowed = solvable_names(bound.symbols, claim_symbols, fixed)
    assign, solved, how = [], [], []  # how: per solved text, how it is honoured
    for a, b, text in eq_links:
        lhs, rhs = bound.items[a], bound.items[b]
        if lhs is None or rhs is None:
            continue
        # names an earlier equation sets are known here: substitute them first
        done = dict(assign)
        if holds_identically(lhs.xreplace(done), rhs.xreplace(done)):
            solved.append(text)  # every instance satisfies it: honoured without an assignment
            how.append("it holds by the definitions")
            continue
        sol = solve_for_one(lhs.xreplace(done), rhs.xreplace(done), claim_symbols, allowed, fixed)
        if sol is None:
            continue
        fixed.add(sol[0])
        assign.append(sol)
        solved.append(text)
        how.append(f"solved for {sol[0]}")
    return assign, solved, how


_NUMERATOR = re.compile(r"numerator[- ]layout|one row (per|for each) (output|component|entry)"
                        r"|rows? (index|indexed by|correspond(ing)? to) (the )?outputs", re.IGNORECASE)


_DENOMINATOR = re.compile(r"denominator[- ]layout|one column (per|for each) (output|component|entry)"
                          r"|columns? (index|indexed by|correspond(ing)? to) (the )?outputs", re.IGNORECASE)


def stated_layout(doc: Document) -> str | None:
    """The Jacobian layout the document's prose states, if it states exactly one."""
    text = " ".join(" ".join((c.prose, c.context, c.after)) for c in doc.claims)
    text = " ".join(text.split())
    num, den = bool(_NUMERATOR.search(text)), bool(_DENOMINATOR.search(text))
    if num == den:
        return None
    return "numerator" if num else "denominator"


_GRADIENT_SHAPE = re.compile(r"(gradient|derivative)s?\b[^.;]{0,120}\b(has|have|takes?) the (same )?shape"
                             r"|(gradient|derivative)s?\b[^.;]{0,120}\bsame shape as|gradient layout"
                             r"|(gradient|derivative)s?\b[^.;]{0,120}\b(is|are) (a )?columns?( vectors?)?\b",
                             re.IGNORECASE)


def states_gradient_shape(doc: Document) -> bool:
    """Whether the prose says a scalar's gradient has its variable's shape (a column for a column
    vector), which settles the layout of such derivatives whatever it says of Jacobians."""
    text = " ".join(" ".join((c.prose, c.context, c.after)) for c in doc.claims)
    return bool(_GRADIENT_SHAPE.search(" ".join(text.split())))


def _jacobians(e: Any) -> set:
    """The Jacobians in ``e``: derivatives of a vector by a vector (layout-dependent)."""
    if e is None or not isinstance(e, sp.Basic):
        return set()
    out = set()
    for x in sp.preorder_traversal(e):
        if isinstance(x, DerivM):
            body, var = x.args[0], x.args[1]
            if isinstance(body, MatrixExpr) and isinstance(var, MatrixExpr) and body.shape[1] == 1 \
                    and var.shape[1] == 1 and body.shape[0] != 1 and var.shape[0] != 1:
                out.add(x)
    return out


def _scalar_gradients(e: Any) -> tuple[set, set]:
    """The derivatives of a scalar in ``e``: by a column vector, and by a matrix (layout-dependent:
    the gradient layout gives them the variable's shape, the numerator layout its transpose)."""
    vec, mat = set(), set()
    if e is None or not isinstance(e, sp.Basic):
        return vec, mat
    for x in sp.preorder_traversal(e):
        if isinstance(x, DerivM):
            body, var = x.args[0], x.args[1]
            scalar = not isinstance(body, MatrixExpr) or body.shape == (1, 1)
            if scalar and isinstance(var, MatrixExpr) and var.shape[0] != 1:
                (vec if var.shape[1] == 1 else mat).add(x)
    return vec, mat


def _row_gradient_reading(v: Verdict, lhs: Any, rhs: Any, layout: str | None, problem: Problem,
                          condition: Any, settings: Any, claim: str) -> Verdict:
    """A refuted equation with derivatives of a scalar by a column vector, read again with those
    derivatives transposed (∂f/∂x a row vector: the numerator layout). Where the document states the
    numerator layout that reading decides; otherwise it only makes the claim undecided (it holds in a
    layout the document may use). A derivative by a matrix keeps the variable's shape (∂tr(AX)/∂X =
    Aᵀ): the numerator layout's transposed matrix gradient is too rare to excuse a missing transpose."""
    vec, mat = _scalar_gradients(lhs)
    vec2, mat2 = _scalar_gradients(rhs)
    grads = vec | vec2
    if not grads or mat or mat2:
        return v
    try:
        other = _other_layout(lhs, grads), _other_layout(rhs, grads)
    except (IndexError, ValueError, TypeError, ShapeError):
        return v  # an entry of the gradient (∂ρ/∂v)_2 has no transposed reading: the verdict stands
    w = check_equal(other[0], other[1], problem, condition=condition,
                    settings=settings, prover=None, claim=claim)
    if w.status not in (VERIFIED, PROVED):
        return v
    if layout == "numerator":
        return dataclasses.replace(w, scope=w.scope + " [numerator layout, as the document states: the "
                                                      "derivative of a scalar by a column vector is a row vector]")
    why = ("it fails with the derivative of a scalar by a column vector shaped like the variable (gradient "
           "layout) but holds with its transpose, a row vector (numerator layout), and the document does not "
           "say which layout it uses")
    return Verdict(UNDECIDED, f"undecided: {why}", reason=why)


def _matrix_softmax(*sides: Any) -> bool:
    from .nodes import Softmax
    return any(isinstance(x, Softmax) and all(d != 1 for d in x.shape)
               for e in sides for x in sp.preorder_traversal(e))


def _free_start_families(scope: Scope) -> set[str]:
    """Families the document defines by a recurrence (x_t = f(x_{t-1})) without giving x_0."""
    out = set()
    for lhs, slot, _var, rhs in scope.def_patterns:
        if any(x.kind == "name" and x.value == lhs.value for x in rhs.walk()):
            args = list(lhs.args)
            args[slot] = Node("num", "0", (), lhs.col)
            if to_text(Node("name", lhs.value, tuple(args), lhs.col)) not in scope.defs:
                out.add(lhs.value)
    return out


def _free_starts(e: Any, families: set[str]) -> dict:
    """The free starts a bound side runs from, each with zero in its place."""
    from ..symbols import MatSeq
    from .recurrence import MatRecurrence, Recurrence

    def zero(init: Any) -> Any:
        return sp.ZeroMatrix(*init.shape) if isinstance(init, MatrixExpr) else sp.Integer(0)

    out = {}
    for r in sp.preorder_traversal(e):
        if isinstance(r, (Recurrence, MatRecurrence)) and r.args[6] == sp.true:  # run to a symbolic index
            out[r] = r.func(*r.args[:5], sp.Tuple(*(zero(i) for i in r.args[5])), sp.false)
        elif isinstance(r, MatSeq) and r.seq_name in families and r.args[1] == 0:  # m_0 of m_1 = b m_0 + ...
            out[r] = sp.ZeroMatrix(*r.shape)
        elif isinstance(r, sp.core.function.AppliedUndef) and r.func.__name__ in families and r.args == (0,):
            out[r] = sp.Integer(0)
    return out


def _start_name(k: Any) -> str:
    from ..symbols import MatSeq
    if isinstance(k, MatSeq):
        return f"{k.seq_name}_0"
    if isinstance(k, sp.core.function.AppliedUndef):
        return f"{k.func.__name__}_0"
    return "its start"


def _zero_start_reading(v: Verdict, lhs: Any, rhs: Any, problem: Problem, condition: Any, settings: Any,
                        claim: str, families: set[str]) -> Verdict:
    """A refutation that runs a recurrence from a start the document does not give (drawn at random)
    is tried again from a zero start, the start such notes leave unsaid most often (m_0 = 0 of a
    running average): where it holds so, the readings disagree and the claim is undecided."""
    swap = {**_free_starts(lhs, families), **_free_starts(rhs, families)}
    if not swap or any(re.search(rf"(?<![A-Za-z\\]){re.escape(f)}_\{{?0\}}?(?![0-9])", claim) for f in families):
        return v  # x_0 written in the claim (A^k x_0 = ...): the start is the claim's own, not a convention
    lhs0, rhs0 = lhs.xreplace(swap), rhs.xreplace(swap)
    w = check_equal(lhs0, rhs0, problem, condition=condition, settings=settings, prover=None, claim=claim)
    if w.status not in (VERIFIED, PROVED):
        return v
    zero = sp.ZeroMatrix(*lhs0.shape) if isinstance(lhs0, MatrixExpr) else sp.Integer(0)
    if check_equal(lhs0, zero, problem, condition=condition, settings=settings, prover=None,
                   claim=claim).status in (VERIFIED, PROVED):
        return v  # both sides vanish from a zero start: that reading says nothing
    names = ", ".join(sorted({_start_name(k) for k in swap}))
    why = (f"it fails when the recurrence starts from a value the document does not give ({names} drawn at "
           "random), but holds when it starts from zero: the document should state its start")
    return Verdict(UNDECIDED, f"undecided: {why}", reason=why)


def _other_layout(e: Any, jacobians: set) -> Any:
    """``e`` with each Jacobian transposed (a column per output)."""
    return e.xreplace({j: sp.Transpose(j) for j in jacobians})


def _chain_scope(results: list[LinkResult], status: str) -> str:
    parts = [f"link {i + 1} ({r.op}): {r.status}" for i, r in enumerate(results)]
    bad = [r for r in results if r.status == status]
    head = f"{status}: " + "; ".join(parts)
    if status in (REFUTED, UNDECIDED) and bad:
        head += f" — {bad[0].scope}"
    return head


def _side_texts(latex: str) -> list[str]:
    """The statement's sides as written, cut at its top-level relations."""
    from .latex_parser import RELATIONS, tokenize
    from .statements import depth_walk

    try:
        toks = tokenize(latex)
    except ParseError:
        return []
    cuts = [(t.col - 1, t.col - 1 + (t.width or len(t.value))) for _, t, d in depth_walk(toks)
            if d == 0 and t.kind in ("sym", "cmd") and t.value in RELATIONS]
    out, start = [], 0
    for a, b in cuts:
        out.append(latex[start:a].strip())
        start = b
    out.append(latex[start:].strip())
    return out


def _negate(v: Verdict) -> Verdict:
    if v.status == REFUTED:
        return Verdict(VERIFIED, "verified as not identically equal (how ≠ is read): the sides differ on an instance",
                       counterexample=v.counterexample,
                       instances=v.instances, dps=v.dps)
    if v.status in (PROVED, VERIFIED):
        return Verdict(REFUTED, "refuted: the sides are equal (" + v.scope + ")", instances=v.instances, dps=v.dps)
    return v


def check_inequality(lhs: sp.Basic, op: str, rhs: sp.Basic, problem: Problem, condition: sp.Basic | None,
                     settings: CheckSettings) -> Verdict:
    """Judge a scalar inequality on random instances (refuted by the first failing one)."""
    from ..check.equivalence import index_ranges

    rng = random.Random(settings.seed)
    ranges = index_ranges(condition, problem)
    boundary = {s: lo for s, (lo, _) in ranges.items()}
    done = 0
    for i in range(settings.instances):
        try:
            inst = problem.sample(rng, settings.dps, fixed=boundary if i == 0 else None, ranges=ranges)
            left = as_scalar(evaluate(lhs, inst.values, inst.sequences, inst.dps))
            right = as_scalar(evaluate(rhs, inst.values, inst.sequences, inst.dps))
        except EvaluationError as exc:
            if done == 0 and i == settings.instances - 1:
                return Verdict(UNDECIDED, f"undecided: {exc}", reason=str(exc))
            continue
        if isinstance(left, mpmath.mpc) or isinstance(right, mpmath.mpc):
            return Verdict(UNDECIDED, "undecided: an inequality between complex numbers", reason="complex values")
        holds = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
        if not holds and op in ("<", ">") and abs(left - right) <= mpmath.mpf(10) ** (-settings.dps // 2) * max(
                abs(left), abs(right), 1):
            continue  # a tie at this precision (tanh(1000) rounds to 1): no evidence either way
        done += 1
        if not holds:
            return Verdict(REFUTED, f"refuted: {mpmath.nstr(left, 8)} {op} {mpmath.nstr(right, 8)} fails on an instance",
                           instances=done, dps=settings.dps,
                           counterexample={"instance": inst.describe(), "lhs": mpmath.nstr(left, 15),
                                           "rhs": mpmath.nstr(right, 15)})
    if done == 0:
        return Verdict(UNDECIDED, "undecided: no instance could be evaluated", reason="no instance evaluated")
    return Verdict(VERIFIED, f"verified on {done} random instances at {settings.dps} digits", instances=done,
                   dps=settings.dps)
