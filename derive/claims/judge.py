"""Stage 7, *judge*: the claims of a document, one verdict per claim and per link of a chain.

Each statement is bound (names -> SymPy, shapes inferred) and every link ``a op b`` is
sent to :func:`derive.check.check_equal` on the problem's random instances (or, without
a problem, on a problem built on the fly from the claim's free symbols: random sizes,
non-symmetric matrices, invertible where inverted, integer indices including their
boundary).  Every statement is judged in a worker process killed at the time limit
(:mod:`derive.claims.lanes`), so nothing a user writes can hang the tool.
This module orchestrates (:func:`judge_statement`, the worker, :func:`judge_document`);
sampling is in ``sampling.py``, the refutation discipline in ``discipline.py``, answers to a
problem's parts in ``answers.py``, what the document model records in ``recording.py``.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
import re
import random
from dataclasses import dataclass, field
from typing import Any, Callable

import mpmath
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..check import CheckSettings, check_equal
from ..check.symbolic import prove_equal
from ..errors import DeriveError
from ..numeric import EvaluationError, as_scalar, evaluate
from ..problem import Dim, Problem
from ..verdict import ASSUMED, DEFINED, INCONSISTENT, PROVED, REFUTED, UNDECIDED, VERIFIED, Verdict, combine
from . import roles as R
from . import structure as S
from .answers import judge_part_answer, part_answers, problem_named

from .binding import bind_chain
from .nodes import DerivM
from .declarations import shape_disagreement, space_tail
from .equations import holds_identically, solvable_names, solve_for_one
from .discipline import (all_declared, shapes_fixed, declared_text, expanded_names, free_identity, has_custom, has_sequences,
                         transcendental, unbound_one_side)
from .indexing import ENTRY_INDICES, entry_notation
from .horizon import describe as describe_horizon, horizon_names, unlimited_index_sums, with_horizon
from .inference import primed_name
from .latex_parser import RELATIONS, Node, ParseError, parse, to_text, tokenize
from .minimisers import (Objective, judge_minimiser, judge_stationary, match as match_objective,
                         named_objective, objective_of_statement, objectives_in_prose, starred_base,
                         stated_penalty_weights, stationarity_of)
from .model import DocumentModel, Hypothesis, earlier_sibling, parts, visible
from .probability import (declaration, density_definition, density_name, joint_records, moments_scope,
                          vector_length)
from .reader import Document
from .recording import matches_computed, matches_input, record_definition, unifies
from .sampling import (CachedProblem, svd_values_family, shape_symbols, HypothesisProblem, has_structure, WIDE_DIMS, WIDE_EXPONENT, WIDE_INDEX_HIGH, generic_problem,
                       scalar_intervals, onehot_length)
from .scope import BindError, Bound, Scope, ShapeError, name_key, substitute_name
from . import lanes as LANES
from . import named_variances as NV
from .named_variances import define_named
from . import solutions as SOL
from .stacks import define_first_rows, prose_first_rows, rows_in_prose, rows_named, vectors_in_prose
from .statements import Statement, split_statements


HIDDEN_NAMES = ("H", "h", "n_h", "hidden", "n_hidden")  # a problem dimension that is a hidden size


@dataclass
class LinkResult:
    lhs: str
    op: str
    rhs: str
    status: str
    scope: str
    counterexample: dict[str, Any] | None = None
    reason: str | None = None


@dataclass
class ClaimResult:
    """The verdict on one claim (a statement in a math span) of a document."""

    file: str
    line: int
    latex: str
    status: str
    scope: str
    counterexample: dict[str, Any] | None = None
    reason: str | None = None
    column: int | None = None
    links: list[LinkResult] = field(default_factory=list)
    condition: str | None = None
    seconds: float = 0.0
    role: str = "claim"
    role_reason: str = ""
    section: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {
            "file": self.file, "line": self.line, "latex": self.latex, "status": self.status,
            "scope": self.scope, "counterexample": self.counterexample, "reason": self.reason,
            "links": [dataclasses.asdict(l) for l in self.links],
            "seconds": round(self.seconds, 3), "role": self.role, "role_reason": self.role_reason,
            "section": self.section,
        }
        if self.condition:
            out["condition"] = self.condition
        if self.column is not None:
            out["column"] = self.column
        return out


@dataclass
class Options:
    timeout: float = 10.0
    seed: int = 0
    instances: int = 10
    dps: int = 50
    # with no problem named: judge each statement under the registered problem whose notation
    # it uses (a hand solution covers several problems), generic identities otherwise
    auto_problem: bool = True
    deadline: float | None = None  # time.monotonic() when the file's budget ends (derive.budget)
    # the layout of Jacobians the document states: "numerator" (a row per output), "denominator"
    # (a column per output), or None (not stated)
    layout: str | None = None
    # the prose says a scalar's gradient has the shape of its variable (the gradient layout)
    gradient_shaped: bool = False
    lanes: int | None = None  # worker processes judging at once (None: one per core, see lanes.py)


# --- judging -----------------------------------------------------------------------------------------

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


def _problem_names_used(tree: Node, scope: Scope) -> bool:
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


def _specificity(tree: Node, scope: Scope) -> int:
    """How well the problem's notation explains ``tree``: 0 unless every name in it is the
    problem's (or one of its indices and dimensions); else the distinct notation rows it
    uses, weighted by their length beyond one glyph (a bare ``A`` or ``\\ell`` says little
    about which problem is meant; ``\\bar{c}^{(t)}`` or ``K_\\ell`` says a lot)."""
    from .inference import Inference

    inf = Inference(scope, 0, set())
    matched: set[str] = set()
    bound = {to_text(n.args[1]) for n in tree.walk() if n.kind in ("sum", "prod") and isinstance(n.args[1], Node)}
    horizon = horizon_names(tree)
    stack = [tree]
    while stack:
        n = stack.pop()
        if n.kind == "name" and n.args == (None, None) and n.value in bound:
            continue  # a summation variable (C A^j B inside \sum_j) is the sum's, not a quantity
        if n.kind == "name" and n.args == (None, None) and n.value in horizon:
            continue  # a sum's upper end only (\sum_{\ell=0}^{L}): the sequences' length (horizon.py)
        if n.kind in ("name", "partial", "nabla", "apply"):
            pat = next((p for p in scope.patterns if unifies(inf, p.tree, n)), None)
            if pat is not None:
                matched.add(pat.latex)
                continue  # its indices belong to the pattern
            if n.kind == "name" and n.args == (None, None) and (
                    n.value in scope.index_symbols or n.value in scope.dim_symbols or n.value in scope.defs):
                continue
            if n.kind == "name":
                return 0  # a name the problem does not know: not this problem
        args = n.args
        if n.kind == "ddx":  # d/dx f: x is bound here, not a quantity of any problem
            args = n.args[1:]
        elif n.kind in ("sum", "prod"):  # the summation variable is bound too
            args = (n.args[0],) + tuple(n.args[2:])
        for a in args:
            if isinstance(a, Node):
                stack.append(a)
            elif isinstance(a, (tuple, list)):  # chain items, matrix rows
                stack.extend(x for x in a if isinstance(x, Node))
    glyphs = (re.sub(r"\\[A-Za-z]+", "x", re.sub(r"[\s{}]", "", m)) for m in matched)
    return sum(max(0, len(g) - 1) for g in glyphs)


_GENERIC_NAME_WORDS = {"kernel", "power", "map", "matrix", "grid"}  # too common to name a topic


def topic_named(entry: Any, prose: str) -> bool:
    """Whether the document's prose names the problem's topic: one of its tags, or a telling
    part of its name (``ssm``, ``purification``, ``lstm``), as a whole word."""
    words = set(entry.tags) | {w for w in entry.name.split("-") if len(w) >= 3 and w not in _GENERIC_NAME_WORDS}
    return any(re.search(r"(?<![a-z0-9])" + re.escape(w.lower()) + r"(?![a-z0-9])", prose) for w in words)


NOTATION_ALONE = 4  # specificity that picks a problem the prose does not name (\bar{g}^{(t+1)}, not y_k)


def _auto_scopes(doc: Document) -> list[tuple[str, Scope, bool]]:
    """A scope for every registered problem (with the document's own given bindings), and
    whether the document's prose names its topic.  Short notation is weak evidence: ``y_k``,
    ``x_k``, ``K_\\ell`` are in every other set of notes, so a problem the prose does not name
    is chosen only for notation as telling as ``\\bar{c}^{(t+1)}`` (:data:`NOTATION_ALONE`)."""
    from ..registry import REGISTRY

    prose = " ".join([c.context for c in doc.claims] + [t for c in doc.claims for _l, t, _n in c.section]).lower()
    out = []
    for name in REGISTRY.names():
        named = topic_named(REGISTRY.get(name), prose)
        try:
            scope = build_scope(doc, name)
        except Exception:  # noqa: BLE001 - a problem that cannot be bound here is just not a candidate
            continue
        if scope.problem is not None:
            scope.problem = CachedProblem.wrap(scope.problem)
        out.append((name, scope, named))
    return out


def _generic_scope(scope: Scope) -> Scope:
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


def _define_density(model: DocumentModel, claim: Any, declared: tuple[str, Node]) -> bool:
    """Prose "write $\\phi$ for its density" after ``x \\sim \\mathcal{N}(\\mu, C)``: φ is defined as the
    normal density (of a vector or a scalar, as x is declared; nothing for an undeclared x)."""
    name = density_name(claim.context)
    if name is None:
        return False
    latex, var = declared
    shape = model.scope_for(claim.section).declared.get(name_key(var) or "")
    if shape is None:
        return False
    text = density_definition(name, latex, vector=not (shape.rows == 1 and shape.cols == 1))
    if text is None or (shape.cols != 1):
        return False
    try:
        tree = parse(text)
    except ParseError:
        return False
    lhs, rhs = tree.args[0]
    if lhs.kind == "apply" and lhs.args[0].kind == "name":
        model.define(lhs, rhs, text, claim.line, claim.section)
        return True
    return False


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
    range_names |= _bounded_subscripts(tree, st.hypotheses) | _member_subscripts(tree, st.structure)
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
            if scope_.problem is None or _problem_names_used(tree, scope_):
                raise
            # a general fact that uses none of the problem's names
            scope_ = _generic_scope(scope_)
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


def _declared_run(lhs: Node, condition: Node | None) -> Node | None:
    """``x_i \\in \\mathbb{R}^d`` with the condition ``i = 1, \\dots, n``: the members ``x_1, \\dots, x_n``
    (a tuple the model declares as a family, n its length); None for anything else."""
    if condition is None or condition.kind != "chain" or condition.value != "range" or lhs.kind != "name" \
            or lhs.args[1] is not None or lhs.args[0] is None or lhs.args[0].kind != "name":
        return None
    (lo, var, hi), _ops = condition.args
    if to_text(var) != to_text(lhs.args[0]) or lo.kind != "num" or lo.value != "1" \
            or hi.kind != "name" or hi.args != (None, None):
        return None
    first = Node("name", lhs.value, (lo, None), lhs.col)
    last = Node("name", lhs.value, (hi, None), lhs.col)
    return Node("tuple", "members", (first, Node("ellipsis", None, (), lhs.col), last), lhs.col)


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
_CONSEQUENCE_CACHE: dict[tuple, bool] = {}


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
        ok = _CONSEQUENCE_CACHE.get(key)
        if ok is None:  # the same defined name is reached by many claims of one document
            rng = random.Random(seed)
            try:
                ok = all(has_structure(evaluate(e, inst.values, inst.sequences, inst.dps), kind, inst.dps)
                         for inst in (problem.sample(rng, 30, small=True) for _ in range(CONSEQUENCE_DRAWS)))
            except (EvaluationError, ValueError, TypeError, ZeroDivisionError):
                ok = False
            if len(_CONSEQUENCE_CACHE) < 512:
                _CONSEQUENCE_CACHE[key] = ok
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


# --- documents ---------------------------------------------------------------------------------------

def build_scope(doc: Document, problem_name: str | None) -> Scope:
    name = problem_name or doc.front.get("problem")
    problem = problem_named(str(name)) if name else None
    if problem is not None and any(str(d.symbol) in HIDDEN_NAMES for d in problem.dims):
        # seed-style scalar notation for recurrent cells: hidden size 1 unless the front
        # matter says otherwise (issue 8, Meaning)
        problem = _with_hidden(problem, doc.front.get("hidden", 1))
    scope = Scope.for_problem(problem)
    given = doc.front.get("given", [])
    if isinstance(given, str):
        given = [given]
    for i, item in enumerate(given or []):
        line = doc.front_lines.get(f"given[{i}]", doc.front_lines.get("given", 1))
        try:
            scope.add_given(str(item))
        except (ParseError, BindError) as exc:
            raise DeriveError(f"{doc.path}:{line}: front matter given item {str(item)!r}: {exc}") from None
    return scope


def _with_hidden(problem: Problem, hidden: Any) -> Problem:
    """Seed-style scalar notation: pin the problem's hidden size (front matter ``hidden``)."""
    try:
        h = int(hidden)
    except (TypeError, ValueError):
        raise DeriveError(f"front matter hidden: {hidden!r} is not an integer") from None
    if h < 1 or h > 64:
        raise DeriveError(f"front matter hidden: {h} is outside 1..64")
    dims = tuple(Dim(d.symbol, (h,)) if str(d.symbol) in HIDDEN_NAMES else d for d in problem.dims)
    return dataclasses.replace(problem, dims=dims)


def _try_define(st: Statement, scope: Scope) -> bool:
    """A statement ``name := expr`` / ``name \\leftarrow expr`` (or a prose "Let") whose left
    side the problem does not already bind defines the name for later claims."""
    tree = st.tree
    if tree is None or tree.kind != "chain" or len(tree.args[1]) != 1:
        return False
    (lhs, rhs), (op,) = tree.args
    if op not in ("=", ":=", "<-"):
        return False
    key = name_key(lhs)
    if key is None and not (lhs.kind == "apply" and lhs.args[0].kind == "name"):
        return False
    if scope.problem is not None and key is not None:
        if _problem_names_used(lhs, scope):
            return False  # a problem quantity: this is a claim about it
    scope.define(lhs, rhs, st.latex)
    return True


def _with_rules(st: Statement, scope: Scope, statuses: dict[int, str]) -> Scope:
    """The scope with the document's own results that this statement may use: an earlier
    claim about a problem's quantity (K_0 = D, K_\\ell = C A^{\\ell-1} B for \\ell >= 1), once it
    was proved or verified for all inputs, holds in a part that gives the inputs values."""
    usable = [(lhs, rhs) for j, lhs, rhs in st.rules if statuses.get(j) in (PROVED, VERIFIED)]
    if not usable:
        return scope
    scope = scope.copy()
    for lhs, rhs in usable:
        try:
            scope.define(lhs, rhs, to_text(lhs))
        except BindError:
            continue
    return scope


def _judge_job(st: Statement, scope: Scope, used: dict[int, str], answers: list, opts: Options) -> dict[str, Any]:
    """One job in a lane's worker (:mod:`derive.claims.lanes`): a part's answer, else the
    statement under the rules its earlier, verified statements give it."""
    _CONSEQUENCE_CACHE.clear()
    res = judge_part_answer(st, answers) if answers else None
    return res if res is not None else judge_statement(st, _with_rules(st, scope, used), opts)


def run_jobs(jobs: list, answers: list, opts: Options,
             on_result: Callable[[int, dict[str, Any], float], None]) -> None:
    """Judge ``jobs`` in worker lanes (one per core); a job past ``opts.timeout`` gets its
    worker killed (CONVENTIONS) and its lane continues in a fresh one."""
    LANES.run_jobs(jobs, answers, opts, on_result, _judge_job, lanes=opts.lanes)


def judge_document(doc: Document, problem_name: str | None = None, opts: Options = Options(),
                   progress: Callable[[str], None] | None = None) -> list[ClaimResult]:
    """Verdicts for every statement of ``doc``: roles first, the document's own model (its
    definitions and hypotheses, scoped by section), then a judgement per judged role."""

    base = build_scope(doc, problem_name)
    if opts.layout is None:
        opts = dataclasses.replace(opts, layout=stated_layout(doc), gradient_shaped=states_gradient_shape(doc))
    if base.problem is not None:
        base.problem = CachedProblem.wrap(base.problem)
    name = problem_name or doc.front.get("problem")
    part = doc.front.get("part")
    answers = part_answers(str(name), str(part)) if name and part else []
    model = DocumentModel(base)
    slots: list[ClaimResult | None] = []
    jobs: list[tuple[Statement, Scope]] = []
    where: list[tuple[int, int, Statement, Any, str | None]] = []  # job -> (slot, line, statement, role, problem)
    auto = _auto_scopes(doc) if name is None and opts.auto_problem else []
    previous: Any = None  # (statement, role, section, line) of the statement before, for steps
    premised: Any = None  # the judged equation a next line may rearrange ("= 0" and what follows it)
    subjects: set[str] = set()  # names stated as the left side of an equation but never defined
    candidate_rules: list[tuple[int, Node, Node, Node | None]] = []  # (job, lhs, rhs, condition) about a problem
    given_rhs = list(base.defs.values()) + [r for *_x, r in base.def_patterns] + [b for _p, b in base.funcs.values()]
    stated_ranges: dict[str, tuple[Any, str, list]] = {}  # formula -> its stated range and the parts it was written in
    line_ranges: dict[int, list[tuple[Node, str, set[str]]]] = {}  # line -> index ranges stated on it
    unread_defs: dict[str, tuple[int, Any]] = {}  # family -> (line, part) of a definition the parser could not read
    # family -> (line, part, left side, reason) of a definition whose right side cannot be bound (D := KL(q || p))
    unevaluable: dict[str, tuple[int, Any, str, str]] = {}
    restated: dict[int, tuple[Any, str, Any]] = {}  # job -> (status, text, role) of a definition judged as a restatement
    reasons_free: dict[int, Any] = {}  # job -> role of a reason about names the document leaves free
    judged_texts: dict[str, list[tuple[int, int, Any]]] = {}  # statement text -> (slot, line, part) of its jobs
    repeats: dict[int, tuple[int, int, str]] = {}  # slot of a condition -> (slot, line, latex) of the claim it repeats
    relations: list[tuple[Node, str, int, Any]] = []  # earlier inequalities: (tree, latex, line, part) (solutions)
    stated_values: list[tuple] = []  # f(a) = ... = 2\lambda: (text of f(a), 2\lambda, part, line, latex)
    unparsed: list[tuple[str, Any]] = []  # statements the parser could not read, with their part
    solution_sets: list[tuple[str, Any, int, str, Any]] = []  # judged solutions: (name, set, line, latex, part)
    restates: dict[int, tuple[int, str]] = {}  # slot -> (line, latex) of the solution it restates
    converted: dict[int, Any] = {}  # slot -> the hypothesis role of a condition judged as derived
    # coefficient family -> (its definition's left and right side, its text, the part): x = \sum_i c_i u_i
    # in orthonormal eigenvectors u_i gives c_i = u_i^T x (see _eigen_expansion)
    expansions: dict[str, tuple[Node, Node, str, Any]] = {}
    objectives: list[Objective] = []  # what the document minimises, in order (minimisers.py)
    provisional: dict[str, tuple[int, int]] = {}  # family -> (slot, order) of the closed form claimed for its
    # minimiser, held as its value until an objective stated later frees it
    order = 0  # statements read so far (orders objectives and closed forms)
    minimiser_slots: dict[int, bool] = {}  # slot of a minimiser claim -> whether it read as a definition
    depends: dict[int, set[int]] = {}  # slot -> the minimiser claims whose value it was judged with
    last_display: Any = None  # (tree, part, line, prose) of the statement read last (what a derivative differentiates)
    penalties: list[tuple[Node, int, Any]] = []  # (weight, line, part): \lambda of a loss's \lambda\|W\|^2 (>= 0)

    def plain(line: int, st: Statement, status: str, role: Any, scope_text: str, reason: str | None = None,
              section: Any = ()) -> None:
        slots.append(ClaimResult(doc.path, line, st.latex, status, scope_text, reason=reason, role=role.role,
                                 role_reason=role.why, section=_section_text(section),
                                 condition=st.condition_text or None))

    structure: dict[Any, set[str]] = {}  # section -> structure words its prose states (orthogonal, SVD)
    told = S.extract(doc.claims)  # the same words attached to names ("$U$ orthogonal"), see structure.py
    facts = list(told.facts)
    real = parse(r"\mathbb{R}")
    last_normal: tuple[str, Node] | None = None  # the normal variable the previous span declared
    sentence: set[int] = set()  # lines of the sentence the current span belongs to
    sentence_prose = ""  # the prose of that sentence up to the current span
    contested: dict[str, tuple[int, Any]] = {}  # a sequence's rule stated again without a step word: line, section
    constraints: list[tuple[frozenset, int, Any, str]] = []  # sum_k p_k = 1 on names nothing defines
    restated_fns: dict[str, tuple[int, Any, str]] = {}  # a function written again with a new formula: line, section
    sentence_section: Any = None
    sentence_ended = False  # the span before ended with a full stop ("$$s_n = c.$$")
    seen_sections: list[Any] = []  # section paths in document order (for "(b) i. $K = …$" in a summary)
    last_labelled: Any = None
    first_rows = prose_first_rows(doc.claims)  # "K_t is the matrix of the first t keys", per part
    rules_at = _recurrence_lines(doc)  # family -> (line, part) of each recurrence the document writes
    trailing = _trailing_conditions(doc.claims)
    gauss_roles = NV.Roles()
    for claim in doc.claims:
        if claim.section and claim.section not in seen_sections:
            seen_sections.append(claim.section)
        if first_rows.get(claim.section):
            define_first_rows(model, first_rows[claim.section], claim.section)
        section = _labelled_section(claim.context, seen_sections, claim.section, last_labelled)
        if section != claim.section:
            last_labelled = section
        else:
            opened = _opening_labels(claim.context)
            if opened is not None:
                # "(a) i. Reconstruction losses: $…$" in a summary: the line's own statements stay where
                # they are, but a bare "ii." on the next line is that part's sibling ((a) ii.)
                labelled = _labelled_section(opened, seen_sections, claim.section, last_labelled)
                if labelled != claim.section:
                    last_labelled = labelled
        if section != sentence_section or sentence_ended or _SENTENCE_END.search(claim.context):
            sentence = set()  # "If $g_t = g$, then ... so: $$...$$": a case reaches the sentence's end
            sentence_prose = ""
        sentence.add(claim.line)
        sentence_prose = (sentence_prose + " " + claim.context)[-400:]  # its words so far (for a worded condition)
        sentence_section = section
        sentence_ended = claim.latex.rstrip().rstrip("\\,;: ").endswith(".")
        for name, stack, member in rows_in_prose(claim.context, model, claim.section):
            if not model.is_defined(R.family(name) or "", claim.section) \
                    and model.stack_family(R.family(member) or "", claim.section):
                # "$X$ is the $n \times d$ design matrix with rows $x_i^\top$": X = [x_1^T; ...; x_n^T]
                model.note_dimensions(stack, to_text(stack), claim.line, claim.section)
                model.define(name, stack, f"{to_text(name)} = {to_text(stack)}", claim.line, claim.section)
        for name, vector, text in vectors_in_prose(claim.context):
            if not model.is_defined(R.family(name) or "", claim.section):
                # "Let $B$ be column vector $[b_1, \dots, b_n]^T$": B's members, named in words
                model.define(name, vector, text, claim.line, claim.section, own_part=True)  # the part's own
        for fam in _prose_defined(claim.context):
            if not model.is_defined(fam, section):
                # "where $K_t$ is the t x d matrix of the first t keys, $V_t$ similarly": defined in
                # words the checker does not read, so an instance of K_t is not the document's
                unread_defs.setdefault(fam, (claim.line, section))
        for name in S.scalars_stated(claim.context):  # "a scalar bias $b_2$": b_2 is declared real
            model.declare(name, real, to_text(name) + r" \in \mathbb{R}", claim.line, section)
        if last_normal is not None and _define_density(model, claim, last_normal):
            last_normal = None
        low = claim.context.lower()
        low = low.replace("spectral norm", "").replace("spectral radius", "")  # norms, not structure
        found = {w for w in _STRUCTURE_WORDS if w in low}
        if found:
            structure.setdefault(section, set()).update(found)
        order += 1
        objectives.extend(objectives_in_prose(claim.context, claim.line, section, order))
        statements = split_statements(claim.latex)
        gauss_roles.read(claim.context, claim.latex)  # "the noise $v \sim N(0, R)$": R is the noise's
        for pos, st in enumerate(statements):
            if st.error is None and pos == 0:
                # "prior variance $p > 0$" in a case: P = p in this part (named_variances.py)
                define_named(gauss_roles, model, claim.context, st.tree, claim.line, section)
            if st.error is not None:
                fm = S.from_math(st.latex, None)  # A \succ 0 (the parser does not read \succ)
                if fm is not None:
                    facts.append(S.Fact(fm[0], (fm[1],), claim.line, section, "$" + st.latex + "$"))
                unread = _unread_definition(st.latex)
                if unread is not None and not (len(unread.lstrip("\\")) <= 3 and unread.lstrip("\\") in _INDEX_NAMES):
                    # q_k = (1 - \varepsilon)[k = c] + ...: q is the document's, but unread
                    unread_defs.setdefault(unread, (claim.line, section))
                unparsed.append((st.latex, section))
                msg = f"cannot parse: {st.error.message} at column {st.error.column}"
                slots.append(ClaimResult(doc.path, claim.line, st.latex, UNDECIDED, f"undecided: {msg}", reason=msg,
                                         column=st.error.column, role=R.CLAIM, role_reason="not read",
                                         section=_section_text(section)))
                previous = None
                continue
            sized = _sized_identities(st.tree)
            if sized is not None:
                st = dataclasses.replace(st, tree=sized, note=(st.note + "; " if st.note else "")
                                         + "the I written without a size read as the identity it writes with one")
            tree = st.tree
            before_display = last_display
            last_display = (tree, section, claim.line, claim.context if pos == 0 else "")
            if pos == 0:
                penalties.extend((w, claim.line, section) for w in stated_penalty_weights(claim.context, tree))
            problem_scope = None
            chosen = None
            own = any(model.is_defined(f, section) for f in R.free_names(tree))
            if auto and not own:  # names the document defines are the document's, not a problem's
                best = max(((_specificity(tree, sc), n, sc, named) for n, sc, named in auto), key=lambda x: x[0])
                if best[0] >= (2 if best[3] else NOTATION_ALONE):
                    problem_scope, chosen = best[2], best[1]
            elif base.problem is not None:
                problem_scope = base

            def computed(n: Node, ps=problem_scope) -> bool:
                if ps is None or ps.problem is None:
                    return False
                return matches_computed(n, ps)

            def is_input(n: Node, ps=problem_scope) -> bool:
                if ps is None or ps.problem is None or n.kind != "name":
                    return False
                return matches_input(n, ps)

            listed = pos == 0 and _list_join(claim.prose) and previous is not None \
                and previous[3] == claim.line
            mark = claim.role
            # (a chain whose first link defined a name, K = [k_1^T; ...] \in R^{n x d}, counts as a definition)
            mark_binding = bool(mark is None and previous is not None and (previous[1].role == R.DEFINITION or (
                                previous[1].role == R.CLAIM and previous[1].defines))
                                and (listed or (pos > 0 and st.lead in ("quad", "comma") and previous[3] == claim.line)))
            ctx = R.Context(prose=claim.prose if pos == 0 else "", lead=st.lead,
                            binding_prose=(claim.binding and pos == 0) or mark_binding,
                            mark=mark, first_in_span=pos == 0, part_answers=bool(answers),
                            is_defined=lambda f, sec=section: model.is_defined(f, sec),
                            problem_input=is_input, problem_computed=computed, seen=lambda f, sec=section: model.was_seen(f, sec),
                            seen_here=lambda f, sec=section: model.was_seen_in_scope(f, sec),
                            defined_elsewhere=lambda f, sec=section: model.defined_out_of_reach(f, sec),
                            left_open=lambda f, sec=section: model.left_open(f, sec),
                            members_only=lambda f, sec=section: model.members_only(f, sec),
                            has_member=lambda f, sec=section: model.has_member(f, sec),
                            determined_entry=lambda n, sec=section: _svd_factor_entry(n, facts, sec, model),
                            member_defined=lambda n, sec=section: model.member_defined(name_key(n) or "", sec),
                            rule_ahead=lambda f, line=claim.line, sec=claim.section: any(
                                sec == s_ and line <= at <= line + _RULE_AHEAD for at, s_ in rules_at.get(f, ())))
            model.note_entries(tree, section)
            model.note_dimensions(tree, st.latex, claim.line, section)
            diagonal = _off_diagonal_zero(tree, st.condition, model, section)
            if diagonal is not None:  # x_{ij} = 0 for i \ne j: X is sampled diagonal where claims reach X
                facts.append(S.Fact("diagonal", (diagonal,), claim.line, section,
                                    f"${st.latex}$ for ${st.condition_text}$"))
            entries = entry_notation(tree)
            if entries is not None and mark is None:
                # X = [x_{ij}]_{m \times n}: notation for X's entries, not an equation to judge
                model.name_entries(entries[0], entries[1], st.latex, claim.line, section)
                role = R.Role(R.DEFINITION, f"names the entries of {to_text(entries[0])}")
                plain(claim.line, st, DEFINED, role, f"defined: {entries[1]}_(ij) is entry (i, j) of "
                      f"{to_text(entries[0])}", section=section)
                previous = (st, role, section, claim.line)
                continue
            expansion = _eigen_expansion(tree, facts, section, model) if mark is None else None
            if expansion is not None:
                fam_c, lhs_c, rhs_c, text_c = expansion
                expansions[fam_c] = (lhs_c, rhs_c, text_c, section)
                role = R.Role(R.DEFINITION, f"the coordinates {text_c} in the orthonormal eigenvectors")
                plain(claim.line, st, DEFINED, role, f"defined: the expansion in orthonormal eigenvectors gives "
                      f"the coordinates {text_c}", section=section)
                previous = (st, role, section, claim.line)
                continue
            role = R.assign(tree, ctx)
            model.note_uses(tree, section, role.role in R.JUDGED or role.role == R.DEFINITION)
            annotated = space_tail(tree) if mark is None else None
            if annotated is not None:
                # X = [x_1^T; ...] \in R^{n x d}: a definition with its shape declared at the end
                head_role = R.assign(annotated[0], ctx)
                if head_role.role == R.DEFINITION:
                    disagree = shape_disagreement(model.scope_for(section), annotated[1], annotated[0].args[0][1],
                                                  annotated[2])
                    if disagree is not None:
                        model.use(R.free_names(tree), section)
                        plain(claim.line, st, INCONSISTENT, head_role, f"inconsistent: {disagree}",
                              reason=disagree, section=section)
                        previous = (st, head_role, section, claim.line)
                        continue
                    model.declare(Node("annotation", to_text(annotated[1]), (), annotated[1].col), annotated[2],
                                  st.latex, claim.line, section)
                    tree, role = annotated[0], R.Role(R.DEFINITION, head_role.why + "; the membership at its end "
                                                      "declares its shape", defines=head_role.defines)
                    st = dataclasses.replace(st, tree=tree)
            if listed and previous[1].role == R.HYPOTHESIS and role.role in (R.CLAIM,) and tree.kind == "chain" \
                    and all(o in ("<", "<=", ">", ">=", "!=", "=") for o in tree.args[1]) and mark is None \
                    and not R.is_identity(tree, ctx):  # "for k >= 1, (pp^T)^k = ...": asserted under it
                role = R.Role(R.HYPOTHESIS, "listed with the condition before it")
            if listed and previous[1].role == R.HYPOTHESIS and role.role == R.CLAIM and mark is None \
                    and _about_declared(tree, previous[0].tree, lambda f, sec=section: model.is_defined(f, sec)):
                # "with $U \in \mathbb{R}^{m \times n}$, $U^\top U = I$": a condition on the name just declared
                role = R.Role(R.HYPOTHESIS, "listed with the declaration before it: a condition on the name it declares")
            if listed and previous[1].reason and role.role == R.HYPOTHESIS and mark is None and tree.kind == "chain":
                # "because a_i > 0 and 1^T a = 1": the second fact of the reason is one as well
                role = R.Role(R.CLAIM, f"listed with the reason before it; {_ASSERTED_REASON}", reason=R.KEPT)
            as_assumed = None  # the hypothesis a restatement reads as, when it does not agree with the meaning
            if role.role == R.HYPOTHESIS and mark is None:
                role, as_assumed = _restated_condition(tree, role, model, section, claim.line, computed)
            repeated = _repeated_claim(tree, role, judged_texts, model, section, claim.line) \
                if role.role == R.HYPOTHESIS and mark is None else None
            listed_members = _members_of_list(tree, lambda f, sec=section: model.is_defined(f, sec) or any(
                R.family(lhs) == f for _j, lhs, _r, _c in candidate_rules), lambda f, sec=section: model.has_member(
                f, sec) or any(R.family(lhs) == f and to_text(lhs).endswith("_{0}") for _j, lhs, _r, _c in candidate_rules))
            if role.role in (R.ANSWER, R.CLAIM) and listed_members is not None:
                tree, first, last = listed_members  # K = [\delta, 1.5, ...]: K_0, K_1, ... in order
                st = dataclasses.replace(st, tree=tree, note=(st.note + "; " if st.note else "")
                                         + f"the list read as the members {first}, …, {last} in order")
            names = R.free_names(tree)
            if role.role == R.DEFINITION and role.defines and not role.defines.endswith(R.INDEXED) \
                    and tree.kind == "chain" and role.defines in expanded_names(tree.args[0][1],
                                                                              model.scope_for(section)):
                # j = k - 1 - \ell after \ell = k - 1 - j: a relation between defined names, not a new one
                role = R.Role(R.CLAIM, f"{role.defines} is already determined by the names on the right")
            superseding = _supersedes_unevaluable(tree, role, unevaluable, model, section)
            if superseding is not None:
                role = superseding
            deferred = None  # (definition role, earlier meaning): judged first as a restatement
            same_as = None
            if role.role == R.DEFINITION and superseding is None:
                earlier = _earlier_meaning(tree, role, model, section, claim.line, candidate_rules)
                if earlier is not None and earlier[0] == "same":
                    same_as = earlier[2]
                elif earlier is not None:
                    # the name already has a meaning (an earlier part's definition, or a verified
                    # formula for a problem's quantity): judged against it, a restatement when it agrees
                    deferred = (role, earlier)
                    role = R.Role(R.CLAIM, f"restates {role.defines}, {earlier[2]}")
            solve = _solution_premises(tree, role, previous, section, relations, stated_values, model)
            again = _same_relation(tree, role, section, relations, model) if mark is None else None
            _note_relation(tree, st.latex, claim.line, section, relations, stated_values)
            stated_values += [(name_, value_, section, claim.line, st.latex)  # H = diag(4, 1): λ_max = 4
                              for name_, value_ in _stated_extremes(tree, facts, section)]
            same_set = _restated(tree, role, solve, section, solution_sets, claim.prose if pos == 0 else "") \
                if mark is None else None
            if same_set is None and again is not None:
                same_set = (*again, True)  # "we need λ ≥ σ_i^2 for each": the relation of line N again
            if same_set is not None:
                # "(c) \lambda \in [1, 4]" in a summary: the set a solution of another part found
                if role.role == R.HYPOTHESIS:
                    model.assume(tree, st.latex, claim.line, section, names, local=False)
                role = R.Role(R.SOLUTION, f"restates the set of line {same_set[0]}" + (
                    "" if again is not None else " (another part)"))
                model.use(names, section)
                why = f"restates the set of line {same_set[0]} (${same_set[1]}$), whose verdict it takes"
                if same_set[2]:
                    restates[len(slots)] = same_set[:2]
                else:
                    why = (f"the part it names found another set for this name on line {same_set[0]} "
                           f"(${same_set[1]}$)")
                plain(claim.line, st, UNDECIDED, role, f"undecided: {why}", reason=why, section=section)
                _note_solution_set(tree, st.latex, claim.line, section, solution_sets)
                previous = (st, role, section, claim.line)
                continue
            if solve is not None and role.role == R.HYPOTHESIS and role.why.startswith(_DERIVABLE):
                # 2\lambda > 0.001 + \lambda after "we want L(a) > L(b)": derived from the relation
                # before it, so judged; it still holds for what follows (assumed as well), and it
                # stays an assumption unless its set is proved to be that of an earlier line
                model.assume(tree, st.latex, claim.line, section, names, local=False)
                if section == claim.section:
                    # a summary line its part label moved here ("(a) w >= 2" under "Summary") restates
                    # an answer: never an assumption, whatever its verdict
                    converted[len(slots)] = role
                role = R.Role(R.SOLUTION, f"a set of values of {solve[2]} derived from line {solve[0][0].line} "
                                          f"(not an assumption: {role.why})")
                solve = (solve[0], solve[1], solve[2], True)  # judged only as a solution (it is its own hypothesis)
            order += 1
            stated_objective = objective_of_statement(
                tree, st.latex, claim.prose if pos == 0 else "", claim.line, section,
                role.role == R.DEFINITION and mark is None, order)
            minimiser = None
            if mark is None and stated_objective is None and role.role in (R.CLAIM, R.STEP, R.DEFINITION):
                minimiser = _minimiser_claim(tree, role, objectives, model, section, claim.line,
                                             claim.prose if pos == 0 else "", provisional, order)
                if minimiser is not None and deferred is not None:
                    role, deferred = deferred[0], None  # its earlier meaning was a template or an argmin
                if minimiser is not None and superseding is not None:
                    unevaluable.pop(role.defines or "", None)  # the closed form is its value from here on
                    superseding = None
            if stated_objective is not None:
                objectives.append(stated_objective)
            if minimiser is not None:
                # a closed form for the point an objective minimises: judged against the objective
                was_definition = role.role == R.DEFINITION
                role = R.Role(R.STEP if role.role == R.STEP else R.CLAIM,
                              f"a closed form for the minimiser of the objective on line {minimiser[2][0].line}")
                written = tree.args[0][0].args[0] if tree.args[0][0].kind == "transpose" else tree.args[0][0]
                if model.definition_of(R.family(written) or "", section) is not None:
                    model.free(written, st.latex, claim.line, section)  # an unknown again, under this objective
            if role.role == R.DEFINITION:
                status, text = record_definition(model, st, tree, claim.line, section, role,
                                                 zeros_elsewhere=_ZEROS_ELSEWHERE.search(
                                                     claim.after.lower().split(".")[0]) is not None)
                if superseding is not None:
                    unevaluable.pop(role.defines or "", None)
                elif status == DEFINED:
                    why_not = _unevaluable_rhs(tree, role, model, section)
                    if why_not is not None:
                        # the name stays defined, but a later explicit formula for it is its working definition
                        unevaluable[role.defines or ""] = (claim.line, section, to_text(tree.args[0][0]), why_not)
                        text += (f"; its right side cannot be evaluated ({why_not}): an explicit formula "
                                 f"given for {to_text(tree.args[0][0])} later is read as its definition")
                if status == DEFINED and same_as is not None:
                    text += f" (the same formula as line {same_as}, in an earlier part)"
                model.use(names, section)
                if status is not None:
                    plain(claim.line, st, status, role, text, section=section)
                    previous = (st, role, section, claim.line)
                    continue
                # a chain whose first link defines a name: the rest is judged as claims
                role = R.Role(R.CLAIM, f"{role.why}; the links after the first are claims", defines=role.defines)
            elif role.role == R.HYPOTHESIS:
                _expansion_restarted(tree, claim.context if pos == 0 else "", expansions, section)
                fm = S.from_math(st.latex, tree)  # U^T U = I, A = A^T: structure stated in math
                if fm is not None:
                    facts.append(S.Fact(fm[0], (fm[1],), claim.line, section, "$" + st.latex + "$"))
                items, ops = tree.args if tree.kind == "chain" else ((tree,), ())
                if ops and (ops[0] == "in" and items[1].kind in ("field", "pow", "maps", "signed") or declaration(tree)):
                    try:
                        model.declare(items[0], items[1], st.latex, claim.line, section)
                        run = _declared_run(items[0], st.condition)
                        if run is not None:  # x_i \in R^d for i = 1, \dots, n: the family x_1, \dots, x_n
                            model.declare(run, items[1], st.latex, claim.line, section)
                            model.note_dimensions(run, st.latex, claim.line, section)
                    except BindError:
                        pass
                    if items[1].kind == "signed":
                        # c \in \mathbb{R}_{>0}: a scalar, and the sign it is sampled with (c > 0)
                        for n_ in (items[0].args if items[0].kind == "tuple" else (items[0],)):
                            zero = Node("num", "0", (), n_.col)
                            sign = Node("chain", "", ((n_, zero), (items[1].value,)), n_.col)
                            model.assume(sign, f"{to_text(n_)} {items[1].value} 0", claim.line, section,
                                         R.free_names(n_), local=False)
                    elif items[1].kind == "field" and items[1].value == "N":
                        # k \in \mathbb{N}: sampled from 1 (whether N holds 0 is a convention; a claim
                        # that fails only at 0 is never refuted for it)
                        for n_ in (items[0].args if items[0].kind == "tuple" else (items[0],)):
                            one = Node("num", "1", (), n_.col)
                            sign = Node("chain", "", ((n_, one), (">=",)), n_.col)
                            model.assume(sign, f"{to_text(n_)} >= 1", claim.line, section, R.free_names(n_), local=False)
                    elif items[1].kind == "pow" and items[1].args[0].kind != "field":
                        # y \in \{0,1\}^K, p \in \Delta^{K-1}, x \in \mathbb{R}^n_{+}: a shape, and values
                        # sampling cannot draw; the membership stays a hypothesis, so a failure on
                        # real-valued draws refutes nothing
                        model.assume(tree, st.latex, claim.line, section, names, local=False)
                    stacked = rows_named(claim.context if pos == 0 else "",
                                         claim.after if pos == len(statements) - 1 else "", tree, model, section)
                    if stacked is not None and not model.is_defined(R.family(stacked[0]) or "", section) \
                            and model.stack_family(R.family(stacked[2]) or "", section):
                        # "stacked as the rows of $X \in \mathbb{R}^{n \times d}$": X = [x_1^T; ...; x_n^T]
                        model.define(stacked[0], stacked[1], f"{to_text(stacked[0])} = {to_text(stacked[1])}",
                                     claim.line, section)
                    if declaration(tree) and items[0].kind == "name":
                        last_normal = (st.latex, items[0])  # "write $\phi$ for its density" may follow
                        length = vector_length(declaration(tree)[0][1])
                        if length is not None and not model.is_defined(R.family(items[0]) or "", section):
                            # \epsilon \sim \mathcal{N}(0, \sigma^2 I_d): a vector of length d, Greek or not
                            space = Node("pow", None, (Node("field", "R", (), length.col), length), length.col)
                            model.declare(items[0], space, st.latex, claim.line, section)
                    # a declared shape gives no value: the first equation for W may still define it
                elif not R.draws_data(tree):  # (x_i, y_i) \sim p: no value to sample under
                    model.assume(tree, st.latex, claim.line, section, names, local=role.local,
                                 condition=st.condition)
                    model.use(names, section)
                if repeated is not None:  # verified if the claim it repeats is (after the judging)
                    repeats[len(slots)] = repeated
                spectral = _eigenvalue_of_given_matrix(tree, facts, model, claim.line, section)
                if spectral is not None:  # "the eigenvalues are $\lambda_1 = 3$" of the A this line gives
                    status_e, why_e = spectral
                    role = R.Role(R.CLAIM, "names an eigenvalue of a matrix the line gives (assumed as well)")
                    plain(claim.line, st, status_e, role, f"{status_e}: {why_e}",
                          reason=None if status_e == VERIFIED else why_e, section=section)
                else:
                    plain(claim.line, st, ASSUMED, role, f"assumed: {role.why}; later statements are sampled under it",
                          section=section)
                previous = (st, role, section, claim.line)
                continue
            if role.role == R.SOLUTION and role.local:
                # "Thus for λ > 0.001, ...": the set found, and the condition of its own line as well
                model.assume(tree, st.latex, claim.line, section, names, local=True)
                if solve is not None:
                    solve = (solve[0], solve[1], solve[2], True)
            if role.role == R.SOLUTION and not answers and not _is_implication_step(role, previous, section, tree) \
                    and solve is None:
                model.use(names, section)
                why = ("a solution set: the condition it solves is not identified in the document and no "
                       "problem part gives the derived answer (name one with front matter part:)")
                plain(claim.line, st, UNDECIDED, role, f"undecided: {why}", reason=why, section=section)
                previous = (st, role, section, claim.line)
                continue
            if role.role in (R.APPROXIMATION, R.ASYMPTOTIC):
                model.use(names, section)
                why = ("approximations are judged only where the document states the regime; none is stated here"
                       if role.role == R.APPROXIMATION else "a complexity statement is not evaluated as a number")
                plain(claim.line, st, UNDECIDED, role, f"undecided: {why}", reason=why, section=section)
                previous = (st, role, section, claim.line)
                continue
            model.use(names, section)
            free_reason = role.reason and not _all_bound(tree, model, section, computed, is_input)
            if as_assumed is not None or role.reason == R.KEPT:
                # what it stated still holds for what follows, whatever its verdict (as before)
                kept = as_assumed or role
                model.assume(tree, st.latex, claim.line, section, names, local=kept.local, condition=st.condition)
            restated_hyp = _restated_hypothesis(tree, model, section, claim.line)
            if restated_hyp is not None and role.role in (R.CLAIM, R.STEP):
                # "- $x_0 = 0$" after "with $x_0 = 0$": the assumption repeated, true under it
                why = f"restates the hypothesis on line {restated_hyp.line} (${restated_hyp.latex}$), assumed there"
                plain(claim.line, st, VERIFIED, role, f"verified: {why}", section=section)
                previous = (st, role, section, claim.line)
                continue
            ruled = R.rule_form(tree)
            if role.role == R.CLAIM and ruled is not None and _ruled_before(model, ruled, section) \
                    and _introduced_in_words(claim.context) \
                    and not (problem_scope is not None and problem_scope.problem is not None):
                # "Nesterov evaluates the gradient at the look-ahead point: $v_{t+1} = \beta v_t - ...$" after
                # heavy-ball's $v_{t+1} = \beta v_t + g_t$: a sequence's rule stated again with no step word may
                # be a new method's rule; from here on an instance drawn from the earlier rule refutes nothing
                contested.setdefault(ruled, (claim.line, section))
            restated_fn = _function_restated(tree, model, section)
            if role.role == R.CLAIM and restated_fn is not None and _introduced_in_words(claim.context) \
                    and not _CONSEQUENCE.search(claim.context[-160:]) \
                    and not (problem_scope is not None and problem_scope.problem is not None):
                # "Bernoulli: $A(\eta) = \log(1 + e^\eta)$ ... Poisson: $A(\eta) = e^\eta$": a function written
                # again at bare arguments with a new formula, introduced by prose of its own, may be a new
                # function under the old name; from here on an instance of the old one refutes nothing
                for key in (restated_fn, restated_fn + "'", restated_fn + "''", restated_fn + "(·)"):
                    restated_fns.setdefault(key, (claim.line, section, restated_fn))
            if tree.kind == "chain" and tree.args[1][0] == "=" and deferred is None:
                fam0 = R.family(tree.args[0][0])
                if fam0 is not None and not model.is_defined(fam0, section):
                    subjects.add(fam0)  # the left side of an equation the model does not define
            cases_after = trailing.get(id(claim), []) if pos == len(statements) - 1 else []
            bound_vars = {to_text(x.args[1]) for x in tree.walk() if x.kind in ("sum", "prod")
                          and isinstance(x.args[1], Node)}
            cases_after = [(t_, l_) for t_, l_ in cases_after  # a summation index is no case's
                           if not (_index_equation(t_) and to_text(t_.args[0][0]) in bound_vars)]
            for t_, l_ in cases_after:  # "if $i = j \le m$": the statement read with i replaced by j
                if _index_equation(t_):
                    tree = substitute_name(tree, to_text(t_.args[0][0]), t_.args[0][1])
                    st = dataclasses.replace(st, tree=tree, note=(st.note + "; " if st.note else "")
                                             + f"read with {l_} (the case after it)")
            # a judged statement: its scope, its hypotheses, and (for a step) the line before
            job_scope = model.scope_for(section, problem_scope if problem_scope is not None else None)
            note = None
            rules: list = []
            if problem_scope is not None and problem_scope is not base:
                rebound = model.rebinds_input(section, problem_scope, names)
                if rebound is not None:
                    job_scope = model.scope_for(section, _generic_scope(problem_scope))
                    note = f"{rebound} is rebound in this section, so the problem {chosen!r} does not apply"
                    rules = _usable_rules(candidate_rules)
                    chosen = None
            elif problem_scope is base and base.problem is not None:
                rebound = model.rebinds_input(section, base, names)
                if rebound is not None:
                    job_scope = model.scope_for(section, _generic_scope(base))
                    note = f"{rebound} is rebound in this section, so the problem does not apply"
            horizon = horizon_names(tree) if chosen else set()
            unlimited = bool(chosen) and job_scope.problem is not None and unlimited_index_sums(tree, job_scope)
            widened = with_horizon(job_scope, horizon, unlimited) if horizon or unlimited else None
            if widened is not None:
                # \sum_{\ell=0}^{L} with L the sequence length, no quantity of the problem: verified with
                # L drawn at least every index; a failure under that reading is no refutation
                job_scope = widened
                st = dataclasses.replace(st, note=(st.note + "; " if st.note else "") + describe_horizon(horizon, job_scope))
                horizon_unapplied = [f"{', '.join(sorted(horizon)) or 'the range of a sum without limits'} read "
                                     "as the sequences' length (another meaning of it may hold)"]
            else:
                horizon_unapplied = []
            # E[z_i] = \mu_i: declared vectors' x_i are entries; E[x | y]: the names declared jointly Gaussian
            job_scope = moments_scope(job_scope, tree, joint_records(facts, section, model.definition_of, visible))
            if deferred is not None and deferred[1][0]:
                job_scope = job_scope.copy()  # the earlier part's meaning, to judge the restatement against
                for lhs_e, rhs_e, latex_e in deferred[1][0]:
                    try:
                        job_scope.define(lhs_e, rhs_e, latex_e)
                    except (BindError, ParseError):
                        continue
            job_scope = _with_expansions(job_scope, tree, names, expansions, section)
            reach = names | expanded_names(tree, job_scope)
            reach |= _entries_reach(tree, reach, job_scope)
            if minimiser is not None:  # the objective's names: their hypotheses and structure hold as well
                reach |= {f for o in minimiser[2] for f in R.free_names(o.tree) | expanded_names(o.tree, job_scope)}
                reach |= {str(d) for shape in job_scope.declared.values() for d in (shape.rows, shape.cols)
                          if isinstance(d, sp.Symbol)}  # n > p: the sizes of the data (a full-rank design)
            # \sum_i without limits: a range stated for i (i = 1, \dots, n) gives them (indexing.py)
            reach |= {to_text(x.args[1]) for x in tree.walk() if x.kind in ("sum", "prod") and x.args[1] is not None
                      and x.args[2] is None and x.args[3] is None}
            visible_hyps = _superseded_cases(model.hypotheses_for(section, reach, claim.line), st, claim.line)
            # "$\Sigma_{kj} = \sigma_j$ if $k = j \le m$": the conditions after it (k = j substituted above)
            visible_hyps += [Hypothesis(section, t_, l_, claim.line, frozenset(R.free_names(t_)), True)
                             for t_, l_ in cases_after if l_ not in {h.latex for h in visible_hyps}
                             and not _index_equation(t_)]
            # "for |p| != 0 ... If |p| = 0, then A = I": the newer of two contradictory conditions governs
            unpinned = _without_negated(visible_hyps)
            visible_hyps = [_pinned(h) for h in unpinned]
            # a pinned vector is set to the zero of its shape when sampling (an equation solved for it),
            # never read as a case definition (that would make it the scalar 0)
            pinned = {h.latex for h, o in zip(visible_hyps, unpinned) if h is not o}
            # a derived condition assumed for what follows is never sampled under itself
            visible_hyps = [h for h in visible_hyps if not (h.line == claim.line and h.latex == st.latex)]
            # a case equation stated earlier in the same sentence ("If $g_t = g$ for all $t$, then ..., so
            # every step has the same size: $$...$$") governs the rest of the sentence
            visible_hyps += [h for h in model.hypotheses if visible(h.section, section) and h.names & reach
                             and h.local and h.line != claim.line and h.line in sentence and h not in visible_hyps
                             and not _samplable(h.tree) and not _index_case(h.tree)
                             and _case_definition(h.tree, model, section) is not None]
            hyps = [h.tree for h in visible_hyps if _samplable(h.tree)]
            hyp_texts = [h.latex for h in visible_hyps if _samplable(h.tree)]
            implication = False
            unapplied = []
            if chosen is not None and job_scope.problem is not None:
                # "for \ell = 1, \dots, L" in scope with no L in the problem: sampled for \ell \ge 1 (the
                # claim is checked on more than the range; its upper end is not applied, so no refutation)
                hyps, hyp_texts, ends = _ranges_without_unknown_ends(hyps, hyp_texts, job_scope)
                unapplied += [f"the upper end {e} of a range in scope (not a quantity of the problem)" for e in ends]
            case_defs: list[tuple[str, str]] = []  # x_0 = 0 in scope: set when sampling (a case-local definition)
            # only a case stated on the claim's own line ("For $A = ..$ and $x_0 = ..$, ... $R(x_1) = ..$"):
            # an earlier "For $\ell = 0$" is not known to govern a later line
            # A value a part gives a quantity that is no index ("Problem 2. A scalar example: $A = 1$,
            # $\alpha = \frac{1}{2}$, $x_0 = 1$") holds for the rest of that part.
            cases = {h.latex: _case_definition(h.tree, model, section)
                     if problem_scope is None and h.latex not in pinned and (h.line == claim.line or h.section == section
                                                   and not _index_case(h.tree, job_scope))
                     and not _sequence_case_bounded(h, visible_hyps) else None
                     for h in visible_hyps if not _samplable(h.tree)}
            case_trees = {h.latex: h.tree for h in visible_hyps}
            once = [c[1] for c in cases.values() if c is not None]
            trees = {h.latex: h.tree for h in visible_hyps}
            lines = {h.latex: h.line for h in visible_hyps}
            equations: list[tuple[Node, str]] = []
            for text, c in cases.items():
                if c is not None and once.count(c[1]) == 1:  # x = 3 and x = 2 on one line: neither is set
                    equation, also = _case_parts(case_trees[text], text)
                    case_defs.append((c[0], text if equation is None else equation))
                    for cond, cond_text in also:  # g_t = g \neq 0: g \neq 0 is sampled for
                        hyps.append(cond)
                        hyp_texts.append(cond_text)
                else:
                    unapplied.append(text)
                    # solved for one name where it binds; an index's case (\ell = 0) from an earlier line
                    # is not known to govern this one: it stays unapplied (a failure is undecided)
                    if _single_equation(trees[text]) and not (_index_case(trees[text]) and lines[text] != claim.line
                                                              and trees[text].args[0][1].kind == "num"):
                        equations.append((trees[text], text))
            unapplied += horizon_unapplied
            for lim in sorted({x.value for x in tree.walk() if x.kind == "name" and x.args[0] is not None
                               and x.args[0].kind == "infinity"}):
                if not model.has_member(lim + R.INDEXED, section):
                    # p_\infty run from a sampled start: where the map has several attracting points the
                    # limit depends on the start, so a failure is no refutation
                    unapplied.append(f"{lim}_\\infty is the limit of the recurrence from a start the document "
                                     "does not give (another start may reach another fixed point)")
            for fam_c, (line_c, sec_c) in contested.items():
                if fam_c in reach and visible(sec_c, section):
                    unapplied.append(f"the rule for {fam_c} stated again on line {line_c} with no step word "
                                     "(perhaps a new method's rule; instances follow the earlier one)")
            for names_c, line_c, sec_c, latex_c in constraints:
                if line_c != claim.line and visible(sec_c, section) and _reaches_any(names_c, reach):
                    # "so that $\sum_k p_k = 1$" judged undecided there (it may determine p): an instance with
                    # any p is not the document's
                    unapplied.append(f"${latex_c}$ on line {line_c}, which may constrain "
                                     f"{', '.join(sorted(n.removesuffix(R.INDEXED) for n in names_c))}")
                    break
            for fn_c, (line_c, sec_c, base_c) in restated_fns.items():
                if fn_c in reach and visible(sec_c, section):
                    unapplied.append(f"{base_c} is written again with a new formula on line {line_c} "
                                     "(perhaps a new function under the same name; instances follow the first)")
                    break
            worded = R.worded_condition(sentence_prose)
            if worded is None and not (tree.kind == "chain" and tree.args[0][0].kind == "name"):
                # Φ^T Φ θ = Φ^T t after "setting it to zero gives": holds at the stationary point only
                # (a bare name on the left, θ̂ = ..., is a closed form, judged as a minimiser)
                worded = R.stationary_condition(sentence_prose)
            if worded is not None and not any(h.line == claim.line or h.line in sentence for h in visible_hyps):
                # "If every reward equals $1$, then $G_t = 1/(1-\gamma)$": asserted only under that condition
                unapplied.append(f"the condition written in words before it (“{worded}”)")
            if st.condition is not None and _samplable(st.condition):
                hyps.append(st.condition)  # i \ne j, 0 < x < 1: a condition the index ranges cannot carry
                hyp_texts.append(st.condition_text)
            if problem_scope is not None and problem_scope.problem is not None and st.condition is not None:
                # K_\ell = C A^{\ell-1} B for \ell = 1, \dots, L with no L in the problem: the range's
                # lower end is kept, the upper end is not applied (so a failure is no refutation)
                weaker, dropped = _without_unknown_ends(st.condition, problem_scope)
                if dropped:
                    st = dataclasses.replace(st, condition=weaker, condition_text=(
                                             f"{to_text(weaker.args[0][0])} \\ge {to_text(weaker.args[0][1])}"),
                                             note=(st.note + "; " if st.note else "") + "sampled for "
                                             + f"{to_text(weaker.args[0][0])} \\ge {to_text(weaker.args[0][1])}: "
                                             f"the range's upper end {', '.join(dropped)} is not a quantity of the problem")
                    unapplied.append(f"the upper end {', '.join(dropped)} of the range (not a quantity of the problem)")
            formula = to_text(tree)
            if st.condition is not None and not _index_bound(st.condition):
                formula = ""  # only an index range (ell >= 1, k = 1..n) travels with a restated formula
            if st.condition is None and formula in stated_ranges and not any(
                    parts(sec) == parts(section) for sec in stated_ranges[formula][2]):
                cond, text, _ = stated_ranges[formula]
                st = dataclasses.replace(st, condition=cond, condition_text=text,
                                         note=(st.note + "; " if st.note else "")
                                         + f"restated from an earlier part, with its range {text}")
            elif st.condition is not None:
                stated_ranges.setdefault(formula, (st.condition, st.condition_text, []))[2].append(section)
            elif formula in stated_ranges:
                stated_ranges[formula][2].append(section)
            stated = set().union(*(ws for sec, ws in structure.items() if visible(sec, section))) \
                if structure else set()
            # the names the claim reaches through definitions (B = A - \lambda_1 u_1 u_1^T hides A)
            # a name given its value by a case is not sampled: its value is the document's
            fixed = {f for f, _t in case_defs}
            applied, blocked, stated = _structure_for(facts, told, stated, reach - fixed, section, model)
            # "J := diag(p) - pp^T. It is symmetric": checked on each instance of J's definition
            checks = _structure_checks(facts, reach - fixed, section, model)
            applied = [f for f in applied if not fixed & set(f.names)]
            # eigenvalues named one by one (lambda_1, lambda_2) in an order the document does not state:
            # sampled in any order, so a claim that needs one (largest first) is not refuted on it
            blocked += [f"the order of the eigenvalues {f.get('values')} is not stated" for f in applied
                        if f.kind == "eigen" and f.get("values") and not f.get("order") and f.get("values") in reach]
            if blocked:
                unapplied.extend("structure stated in the prose: " + b for b in blocked)
            # the names the claim reaches through definitions (B = A - \lambda_1 u_1 u_1^T hides A)
            roots = _root_equations(facts, reach, section)
            extremes = _extreme_eigenvalues(facts, reach, section, model, claim.line)
            if extremes:  # \lambda_{\min} of an H the worked example gives as numbers: its value, not a free name
                roots += extremes[0]
                blocked_now = set(extremes[1])
                unapplied = [u for u in unapplied if not any(u.endswith(": " + b) for b in blocked_now)]
            else:  # \lambda_{\min}, \lambda_i of H = \frac1n X^T X: computed from H on each instance
                spectra = _with_spectra(job_scope, facts, reach, section, model)
                if spectra is not None:
                    job_scope = spectra[0]
                    unapplied = [u for u in unapplied if not any(u.endswith(": " + b) for b in spectra[1])]
                    if spectra[1]:  # "the average eigenvalue": the spectrum computed is the one the prose means
                        stated = {w for w in stated if not w.startswith("eigen")}
            equations += [(tree_, text_) for tree_, text_ in roots]
            unapplied += [text_ for _t, text_ in roots]
            root_families = {f.names[0] for f in facts if f.kind == "roots"}
            # "covariance" in the prose: a matrix sampled positive (semi)definite honours it
            covered = {n for f in applied for n in f.names
                       if f.kind in ("spd", "psd") or f.kind == "blocks" and f.get("kind") in ("spd", "psd")} \
                if stated <= {"covariance"} else set()
            covered |= {f.get("whole") + R.INDEXED for f in applied if f.kind == "blocks"} if covered else set()
            if stated and any((_matrix_like(n) or (stated & set(_EIGEN_WORDS) and n.endswith(R.INDEXED)
                                                   and n not in root_families))
                              and not model.is_defined(n, section) for n in reach - fixed - covered):
                unapplied.append("structure stated in the prose: " + ", ".join(sorted(stated)))
            stationary = None
            if pos == 0 and before_display is not None and parts(before_display[1]) == parts(section):
                found = stationarity_of(claim.context, tree, before_display[0])
                stationary = (found[0], found[1], before_display[2], named_objective(before_display[3])) \
                    if found is not None else None
            premise = None
            if _equation_premise(previous, section, tree, premised):
                premise = (previous[0].tree, previous[0].latex)
            # the next line may rearrange this one
            premised = st if premise is not None or _zero_equation(tree) else None
            if role.role in (R.CLAIM, R.STEP) and premise is None:
                # (an equation solved for the weight sets it: no sign to honour beside it)
                solved = set().union(*(R.free_names(t_) for t_, _x in equations)) if equations else set()
                hyps, hyp_texts = _penalty_signs(penalties, reach - solved, hyps, hyp_texts, section)
            if _is_implication_step(role, previous, section, tree):
                hyps = hyps + [previous[0].tree]  # an inequality step: judged as an implication
                hyp_texts = hyp_texts + [previous[0].latex]
                implication = True
            if implication:
                unapplied = unapplied + ["the line before, as the premise of this step (a step may also use earlier lines)"]
            unique = dict(zip(hyp_texts, hyps))  # the line before may also be a hypothesis in scope
            hyp_texts, hyps = list(unique), list(unique.values())
            near = [(c, t) for c, t, names_c in line_ranges.get(claim.line, []) if names_c & names
                    and st.condition is None and t not in hyp_texts]
            if st.condition is not None and _index_bound(st.condition):
                line_ranges.setdefault(claim.line, []).append(
                    (st.condition, st.condition_text, R.free_names(st.condition)))
            if solve is not None and role.role in (R.SOLUTION, R.STEP):
                st = dataclasses.replace(st, solves=solve[0], solve_strict=solve[1] and not any(
                    solve[2] in u for u, sec in unparsed if parts(sec) == parts(section)),
                    solve_index=SOL.index_values(*_line_statements(doc, claim.line)),
                    solve_only=role.role == R.SOLUTION and (not implication or len(solve) > 3))
            st_job = dataclasses.replace(st, hypotheses=hyps, hypothesis_texts=hyp_texts, unapplied=unapplied,
                                         nearby_ranges=near, equations=equations, premise=premise,
                                         stated_names=model.stated_names(section, claim.line),
                                         structure_checks=checks,
                                         unread_defs=[f"{f} (line {ln})" for f, (ln, sec) in unread_defs.items()
                                                      if f in reach and visible(sec, section)
                                                      and not model.is_defined(f, section)],
                                         structure=[(f.kind, f.names, dict(f.extra)) for f in applied],
                                         local_defs=st.local_defs + [t for _f, t in case_defs],
                                         structure_texts=[f.describe() for f in applied],
                                         given_rhs=given_rhs, subjects=set(subjects),
                                         objectives=[(o, minimiser[1]) for o in minimiser[2]] if minimiser else [],
                                         stationary=stationary,
                                         role=role.role, defines=role.defines,
                                         note=(st.note + "; " if st.note else "") + note if note else st.note)
            if role.role in (R.CLAIM, R.STEP):
                names_c = _numeric_constraint(tree, model, section, _structured_names(facts))
                if names_c:
                    constraints.append((names_c, claim.line, section, st.latex))
            earlier_defs = _earlier_part_definitions(reach, job_scope, model, section, claim.line)
            if not rules and chosen is None and candidate_rules:
                # a statement read without a problem that names a problem's quantity an earlier,
                # verified claim gave a formula for (K_1 = \gamma \alpha^0 \beta after K_\ell = C A^{\ell-1} B)
                wanted = {R.family(lhs) for _j, lhs, _r, _c in candidate_rules}
                own_members = _written_in_definitions(model, section)
                own_members |= {f for _l, rhs_e, _t, _n in earlier_defs for f in R.free_names(rhs_e)}
                others = [x for x in tree.walk() if x.kind == "name" and R.family(x) not in wanted
                          and not model.is_defined(R.family(x) or "", section) and R.family(x) not in own_members
                          and any(matches_computed(x, sc) for _n, sc, _named in auto)]
                if wanted & names and not others:  # y_k beside K_\ell: the problem's y is not the rule's
                    rules = _usable_rules(candidate_rules)
            st_job.rules = rules + (deferred[1][1] if deferred is not None else [])
            st_job.earlier_defs = earlier_defs
            own_index = {to_text(x) for a in (tree.args[0][0].args if tree.kind == "chain" else ())
                         if isinstance(a, Node) for x in a.walk() if x.kind == "name"}
            bounds = [h for h in hyps if _index_bound(h) and {to_text(x) for x in h.walk() if x.kind == "name"
                                                             and x.args == (None, None)} & own_index]
            if chosen and role.role in (R.CLAIM, R.STEP) and tree.kind == "chain" and tree.args[1] == ("=",) \
                    and tree.args[0][0].kind == "name" and computed(tree.args[0][0]) and not st.local_defs \
                    and len(bounds) == len(hyps) <= 1 and not unapplied \
                    and not any(computed(x) for x in tree.args[0][1].walk() if x.kind == "name"):
                # a closed form of a problem's quantity in its inputs, claimed with no hypothesis but
                # the range of its own index (K_\ell = C A^{\ell-1} B for \ell \ge 1)
                candidate_rules.append((len(jobs), tree.args[0][0], tree.args[0][1],
                                        st.condition if st.condition is not None else (bounds[0] if bounds else None)))
            if role.role == R.SOLUTION:
                _note_solution_set(tree, st.latex, claim.line, section, solution_sets)
            uses_minimiser = {provisional[f][0] for f in reach if f in provisional}
            if uses_minimiser:
                depends[len(slots)] = uses_minimiser
            if minimiser is not None:
                # the claimed closed form is the name's value for what follows (a later objective frees it)
                model.define(tree.args[0][0], tree.args[0][1], st.latex, claim.line, section, claimed=True)
                provisional[R.family(written) or ""] = (len(slots), order)
                minimiser_slots[len(slots)] = was_definition
            if st.condition is None and not any(h.local and h.line == claim.line for h in model.hypotheses):
                judged_texts.setdefault(to_text(tree), []).append((len(slots), claim.line, section))
            where.append((len(slots), claim.line, st, role, chosen, section))
            jobs.append((st_job, job_scope))
            slots.append(None)
            previous = (st, role, section, claim.line)
            if as_assumed is not None:  # it does not agree with the meaning: the condition it read as
                restated[len(jobs) - 1] = (ASSUMED, f"assumed: {as_assumed.why}; later statements are sampled "
                                                    "under it", as_assumed)
                previous = (st, as_assumed, section, claim.line)  # a condition listed after it is one too
            if free_reason:
                reasons_free[len(jobs) - 1] = role
            if as_assumed is not None or role.reason == R.KEPT:
                # W^T = W: structure stated in math holds for later lines, as for any condition (not for
                # its own judging, which would sample it under itself)
                fm = S.from_math(st.latex, tree)
                if fm is not None:
                    facts.append(S.Fact(fm[0], (fm[1],), claim.line, section, "$" + st.latex + "$"))
            if deferred is not None:  # the definition holds for what follows, whatever the verdict
                status, text = record_definition(model, st, tree, claim.line, section, deferred[0])
                restated[len(jobs) - 1] = (status, text, deferred[0])
                previous = (st, deferred[0], section, claim.line)

    def record(k: int, res: dict[str, Any], dt: float) -> None:
        slot, line, st, role, chosen, section = where[k]
        if k in restated and res.get("status") not in (PROVED, VERIFIED):
            # it does not agree with the earlier meaning: a later part may rebind a name, so it
            # stays the definition it reads as (never refuted)
            status, text, def_role = restated[k]
            slots[slot] = ClaimResult(doc.path, line, st.latex, status or DEFINED, text, role=def_role.role,
                                      role_reason=def_role.why, section=_section_text(section), seconds=dt)
            return
        if k in reasons_free and res.get("status") not in (PROVED, VERIFIED, UNDECIDED):
            # "since p > 3" with p free: asserted of a value the document does not fix, so a failure
            # on sampled values is no refutation
            why = ("a reason about names the document does not fix (" + res.get("status", "") + " on sampled "
                   "values, which need not be the author's)")
            slots[slot] = ClaimResult(doc.path, line, st.latex, UNDECIDED, f"undecided: {why}", reason=why,
                                      role=role.role, role_reason=role.why, section=_section_text(section),
                                      seconds=dt)
            return
        links = [LinkResult(**l) for l in res.get("links", [])]
        if chosen:
            res = {**res, "scope": f"{res['scope']} [problem: {chosen}, chosen by its notation]"}
        slots[slot] = ClaimResult(doc.path, line, st.latex, res["status"], res["scope"], res.get("counterexample"),
                                  res.get("reason"), links=links, condition=st.condition_text or None, seconds=dt,
                                  role=role.role, role_reason=role.why, section=_section_text(section))
        if res.get("uses"):
            rests_on[slot] = list(res["uses"])
        if res.get("premise"):
            refuted_from[slot] = list(res["premise"])
        if progress is not None:
            progress(f"{doc.path}:{line}: {res['status']} ({dt:.2f} s)")

    # a document that defines or assumes anything reads its free names as its own (the
    # one-side rule); a bare list of identities keeps the universal generic reading
    if model.bindings or model.hypotheses or base.defs or base.funcs or base.declared:
        for st_job, _scope in jobs:
            st_job.in_document_model = True
    rests_on: dict[int, list] = {}  # slot -> the (line, latex) of the relations its solution set was compared with
    refuted_from: dict[int, list] = {}  # slot -> the (line, latex) of the line before a refuted solution
    if jobs:
        run_jobs(jobs, answers, opts, record)
    _void_refuted_premises(slots, rests_on)
    _void_unsound_minimisers(slots, depends, minimiser_slots)
    _refuted_only_from_sound_lines(slots, refuted_from)
    _take_restated_verdicts(slots, restates)
    _take_repeated_verdicts(slots, repeats)
    _assumed_unless_derived(slots, converted)
    return [r for r in slots if r is not None]


_SOLUTION_WORDS = re.compile(r"solution|solves|yields|gives|minimi[sz]|optim|closed[- ]form|argmin|given by",
                             re.IGNORECASE)


_PLAIN_REACH = 6  # statements after an objective within which a plain name's closed form is read as its minimiser
_PLAIN_REFUTES = 3  # ... and may be refuted as one (the objective in its own sentence, or a declaration between)


def _about_declared(tree: Node, declaration: Node | None, is_defined: Callable[[str], bool]) -> bool:
    """``tree`` speaks only of the names ``declaration`` (``U \\in \\mathbb{R}^{m \\times n}``) declares, none
    of them defined (identity and zero matrices aside)."""
    if declaration is None or declaration.kind != "chain" or tuple(declaration.args[1]) != ("in",) \
            or tree.kind != "chain":
        return False
    subject = declaration.args[0][0]
    declared = {R.family(x) for x in (subject.args if subject.kind == "tuple" else (subject,)) if isinstance(x, Node)}
    names = R.free_names(tree) - {"I", "0", "1"}
    return bool(names) and names <= declared and not any(is_defined(f) for f in names)


_RULE_AHEAD = 3  # lines after a start value within which the recurrence it starts may follow


def _recurrence_lines(doc: Document) -> dict[str, list[tuple[int, Any]]]:
    """Where the document writes a recurrence for each family (x_t = f(x_{t-1})): a start value
    written before its rule (m_0 = 0, m_t = ...) is then read as the rule's initial value."""
    out: dict[str, list[tuple[int, Any]]] = {}
    for claim in doc.claims:
        for st in split_statements(claim.latex):
            fam = R.recurrence_family(st.tree) if st.error is None else None
            if fam is not None:
                out.setdefault(fam, []).append((claim.line, claim.section))
    return out


def _minimiser_claim(tree: Node, role: Any, objectives: list, model: DocumentModel, section: Any, line: int,
                     prose: str, provisional: dict[str, tuple[int, int]], order: int) -> tuple[str, str, list] | None:
    """``W = (K^\\top K + \\lambda I)^{-1} K^\\top V`` after "W that minimizes ...": (the name as written,
    the objective's variable, the objectives in force for it, most recent first), or None.  A plain
    name (not starred, hatted or defined by an argmin) counts only where the prose before it
    announces a solution ("Solution", "yields", "the minimiser").  Only a name with no value yet
    is judged so, or one whose value came from an earlier closed form when an objective was stated
    after it ("Actually: minimize ..."); otherwise the claim is judged against that value."""
    if tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    lhs, rhs = tree.args[0]
    written = lhs.args[0] if lhs.kind == "transpose" else lhs
    fam = R.family(written) if written.kind == "name" else None
    if fam is None:
        return None
    live = [o for o in objectives if visible(o.section, section) and 0 <= line - o.line <= 60]
    found = match_objective(lhs, live, lambda _t: fam not in provisional and model.is_defined(fam, section))
    if found is None:
        return None
    text, var, objs = found
    if any(x.kind in ("extremum", "blank") or (x.kind == "name" and to_text(x) in (text, var)) for x in rhs.walk()):
        return None  # not a closed form: it uses the unknown itself, is the argmin, or is a template to fill in
    earlier = model.definition_of(fam, section)
    if earlier is not None and not any(x.kind == "blank" or (x.kind == "extremum" and x.value in (r"\argmin", r"\argmax"))
                                       for x in earlier.rhs.walk()) and not (
            fam in provisional and objs[0].order > provisional[fam][1]):
        return None  # the name has a value (not a template, not an argmin): the claim is judged against it
    if starred_base(text) is None and objs[0].name != text:
        if not (_SOLUTION_WORDS.search(prose) and order - objs[0].order <= _PLAIN_REACH):
            return None  # a plain name is the objective's unknown only in the sentences right after it
        if order - objs[0].order > _PLAIN_REFUTES:  # statements between: another reading of the name may
            objs = [dataclasses.replace(o, strong=False) for o in objs]  # hold, so it verifies, never refutes
    return text, var, objs


def _void_unsound_minimisers(slots: list, depends: dict[int, set[int]], minimiser_slots: dict[int, bool]) -> None:
    """A statement judged with a closed form claimed for a minimiser as that name's value is not
    refuted when that closed form was refuted, or (when it was no definition) not verified: the
    value it was judged with may not be the document's minimiser."""
    for slot, used in depends.items():
        res = slots[slot]
        if res is None or res.status != REFUTED:
            continue
        unsound = [u for u in sorted(used) if slots[u] is not None and (
            slots[u].status == REFUTED or (slots[u].status not in (VERIFIED, PROVED) and not minimiser_slots.get(u)))]
        if unsound:
            first = slots[unsound[0]]
            why = (f"it fails with the closed form of line {first.line} (${first.latex}$) as that name's value, "
                   f"which is {first.status} as the minimiser, so it is not refuted")
            slots[slot] = dataclasses.replace(res, status=UNDECIDED, scope=f"undecided: {why}", reason=why,
                                              counterexample=None)


def _assumed_unless_derived(slots: list, converted: dict[int, Any]) -> None:
    """A condition on free quantities judged as derived keeps its verdict only when its set was
    proved that of an earlier line; otherwise it is what it looked like, an assumption."""
    for slot, role in converted.items():
        r = slots[slot]
        if r is not None and r.status not in (PROVED, VERIFIED):
            slots[slot] = dataclasses.replace(
                r, status=ASSUMED, role=role.role, role_reason=role.why, reason=None, counterexample=None,
                links=[], scope=f"assumed: {role.why}; later statements are sampled under it (not derived: "
                                f"{(r.reason or r.scope)[:160]})")


def _take_restated_verdicts(slots: list, restates: dict[int, tuple[int, str]]) -> None:
    """A set restated from another part's solution takes that solution's verdict when it was
    proved or verified (equal sets, exactly); otherwise it stays undecided, saying so."""
    found = {(r.line, r.latex): r for r in slots if r is not None}
    for slot, (line, latex) in restates.items():
        src = found.get((line, latex))
        r = slots[slot]
        if src is None or r is None:
            continue
        if src.status in (PROVED, VERIFIED):
            slots[slot] = dataclasses.replace(r, status=src.status, reason=None, scope=(
                f"{src.status}: the same set as line {line} (${latex}$, exact), which is {src.status} there"))
        else:
            why = f"restates the set of line {line} (${latex}$), which is {src.status}"
            slots[slot] = dataclasses.replace(r, scope=f"undecided: {why}", reason=why)
        found[(r.line, r.latex)] = slots[slot]  # a restatement of this one takes the verdict just given


def _repeated_claim(tree: Node, role: Any, judged_texts: dict, model: DocumentModel, section: Any,
                   line: int) -> tuple[int, int, str] | None:
    """A statement written as a condition ("similarly for K_l = C M_l") that repeats, word for
    word, an equation judged earlier in a part it sees, none of whose names (nor the names they
    reach) was bound again since: (slot, line, latex) of that earlier claim.  Its verdict carries
    over only when it is proved or verified there (under no case of its own line)."""
    if tree.kind != "chain" or not all(o == "=" for o in tree.args[1]):
        return None
    earlier = [(slot, ln, sec) for slot, ln, sec in judged_texts.get(to_text(tree), [])
               if ln < line and visible(sec, section)]
    if not earlier:
        return None
    slot, ln, _sec = earlier[-1]
    reach = R.free_names(tree) | expanded_names(tree, model.scope_for(section))
    if any(ln < b.line < line and b.family in reach for b in model.bindings):
        return None
    return slot, ln, to_text(tree)


def _take_repeated_verdicts(slots: list, repeats: dict[int, tuple[int, int, str]]) -> None:
    """A condition that repeats an earlier claim is that claim again: verified when the earlier one
    is proved or verified; otherwise it stays the assumption it reads as."""
    for slot, (src_slot, line, _text) in repeats.items():
        src, r = slots[src_slot], slots[slot]
        if src is None or r is None or src.status not in (PROVED, VERIFIED):
            continue
        why = f"repeats the claim of line {line} (${src.latex}$), which is {src.status} there"
        slots[slot] = dataclasses.replace(r, status=VERIFIED, scope=f"verified: {why}", reason=None,
                                          role=R.CLAIM, role_reason=f"{why} (written as a condition: {r.role_reason})")


def _same_relation(tree: Node, role: Any, section: Any, relations: list,
                   model: DocumentModel) -> tuple[int, str] | None:
    """The earlier inequality of the same part, in one unknown, that this one writes again
    verbatim: (line, latex), or None."""
    if role.role not in (R.CLAIM, R.SOLUTION, R.STEP) and not (
            role.role == R.HYPOTHESIS and role.why.startswith(_DERIVABLE + (_REQUIREMENT,))) or role.local:
        return None
    if tree.kind != "chain" or not all(o in _INEQ for o in tree.args[1]):
        return None
    unknown = _unknown(tree, model, section)
    if unknown is None or not any(R.family(i) == unknown for i in tree.args[0]):
        return None  # a bound on the unknown itself (\lambda \ge \sigma_i^2), not a condition it enters
    text = to_text(tree)
    for rt, latex, line, sec in reversed(relations):
        if parts(sec) == parts(section) and to_text(rt) == text:
            return line, latex
    return None


def _note_solution_set(tree: Node, latex: str, line: int, section: Any, solution_sets: list) -> None:
    got = SOL.simple_set(tree)
    if got is not None:
        solution_sets.append((got[0], got[1], line, latex, section))
        del solution_sets[:-40]


_LABEL_AT_END = re.compile(r"(\([a-z]{1,3}\)|\b[ivx]{1,4}\.|\b[a-z]\))\s*$")  # "(c) $...$" in a summary


def _restated(tree: Node, role: Any, solve: Any, section: Any, solution_sets: list,
              prose: str = "") -> tuple[int, str, bool] | None:
    """The earlier solution, in another part, whose set a solution (or a bare condition that is
    not derived in its own part) states again: (line, latex, whether the sets are equal), or None.  A part label right
    before it ("(c) $\\lambda \\in [1, 4]$" in a summary) names the part; otherwise the
    nearest solution for that name is the one it may restate."""
    if not (role.role == R.SOLUTION or role.role == R.HYPOTHESIS and role.why.startswith(_DERIVABLE)):
        return None
    got = SOL.simple_set(tree)
    if got is None:
        return None
    if solve is not None and any(SOL.simple_set(p.tree) is not None and SOL.simple_set(p.tree)[1] == got[1]
                                 for p in solve[0]):
        return None  # its own part states the same set: judged there
    m = _LABEL_AT_END.search(prose.strip())
    label = m.group(1) if m else None
    if label is None and solve is not None:
        return None  # its own part has conditions in this unknown: it is judged against them, not another part
    for name, s, line, latex, sec in reversed(solution_sets):
        if label is not None and not any(title.lstrip("*_# ").startswith(label) for _l, title, _ln in sec):
            continue
        if name == got[0] and parts(sec) != parts(section):
            if s == got[1]:
                return line, latex, True
            # the nearest solution for this name states another set: under the part's own label a
            # restatement that differs (judged, undecided); without a label, not a restatement of it
            return (line, latex, False) if label is not None else None
    return None


def _refuted_only_from_sound_lines(slots: list, refuted_from: dict[int, list]) -> None:
    """A solution refuted because it does not follow from the line before stays refuted only
    when that line (and the equations substituted into it) stands: proved, verified, defined or
    assumed.  A wrong line before may be what the author corrected (the answer right, the step
    not)."""
    status = {(r.line, r.latex): r.status for r in slots if r is not None}
    for slot, premise in refuted_from.items():
        weak = [f"line {ln} is {status.get((ln, latex), 'not judged')}" for ln, latex in premise
                if status.get((ln, latex)) not in (PROVED, VERIFIED, DEFINED, ASSUMED)]
        r = slots[slot]
        if weak and r is not None and r.status == REFUTED:
            why = f"{r.reason}; but {', '.join(weak)}, so the condition it solves is not established"
            slots[slot] = dataclasses.replace(r, status=UNDECIDED, scope=f"undecided: {why}", reason=why,
                                              counterexample=None)


def _void_refuted_premises(slots: list, rests_on: dict[int, list]) -> None:
    """A solution proved equal to the set of a line that is itself refuted is consistent with a
    wrong line, not right: undecided, naming it."""
    status = {(r.line, r.latex): r.status for r in slots if r is not None}
    for slot, uses in rests_on.items():
        bad = [f"line {ln}" for ln, latex in uses if status.get((ln, latex)) == REFUTED]
        r = slots[slot]
        if bad and r is not None and r.status == PROVED:
            why = f"its set equals that of {', '.join(bad)}, which is refuted: consistent with it, not confirmed"
            slots[slot] = dataclasses.replace(r, status=UNDECIDED, scope=f"undecided: {why}", reason=why)


_CASE_WORDS = ("if", "for", "when", "whenever", "provided")
_CASE_OPS = ("=", "<", "<=", ">", ">=", "!=")
_ENTRY_LETTERS = ("i", "j", "k", "l", "r", "s")  # index letters one case may set equal (not sizes m, n)


def _index_condition(c: Any) -> list[tuple[Node, str]] | None:
    """A span that is one condition on plain index letters and sizes (``k = j \\le m``, ``j > m``,
    ``i \\ne j``): its trees and texts (``k = j`` and ``j \\le m`` for the first: the equation is a
    case that sets k, the rest is sampled for); None otherwise."""
    sts = split_statements(c.latex)
    if len(sts) != 1 or sts[0].error is not None or sts[0].tree is None or sts[0].condition is not None:
        return None
    t = sts[0].tree
    if t.kind != "chain" or not all(o in _CASE_OPS for o in t.args[1]) or all(o == "=" for o in t.args[1]) \
            and len(t.args[1]) > 1:
        return None
    if not all(x.kind == "name" and x.args == (None, None) and x.value in _INDEX_NAMES for x in t.args[0]):
        return None
    if t.args[1][0] != "=" or len(t.args[1]) == 1:
        return [(t, sts[0].latex)]
    equation, rest = _case_parts(t, sts[0].latex)
    if equation is None or len(rest) != len(t.args[1]) - 1:
        return None
    return [(Node("chain", "", (t.args[0][:2], ("=",)), t.col), equation)] + rest


def _bounded_subscripts(tree: Node, hyps: list[Node]) -> set[str]:
    """``j`` of ``d_j`` (or ``D_{ij}``) under ``j \\le m`` / ``j > m``: an index letter the statement
    writes as a subscript and a hypothesis bounds is an integer (so d_j is a member of the family
    d_•, never a scalar of its own named d_j)."""
    subs = {to_text(x) for n in tree.walk() if n.kind == "name" and n.args[0] is not None
            for x in n.args[0].walk() if x.kind == "name" and x.args == (None, None) and x.value in _ENTRY_LETTERS}
    if not subs:
        return set()
    return {to_text(x) for h in hyps if h.kind == "chain" and h.value != "range"
            and all(o in ("<", "<=", ">", ">=", "!=") for o in h.args[1])
            for x in h.args[0] if x.kind == "name" and x.args == (None, None) and to_text(x) in subs}


def _member_subscripts(tree: Node, structure: list) -> set[str]:
    """``i`` of ``\\sigma_i`` beside a sampled SVD of ``\\Sigma``: the singular values' subscripts are
    indices (σ_i is the member i of the sampled diagonal, never a free scalar named σ_i)."""
    values = {svd_values_family(extra.get("S")) for kind, _names, extra in structure if kind == "svd"} - {None}
    if not values:
        return set()
    return {to_text(x) for n in tree.walk() if n.kind == "name" and n.args[0] is not None and n.value in values
            for x in n.args[0].walk() if x.kind == "name" and x.args == (None, None) and x.value in _ENTRY_LETTERS}


def _index_equation(t: Node) -> bool:
    """``k = j``: two plain index letters set equal (a case read by substituting one for the other)."""
    return t.kind == "chain" and t.args[1] == ("=",) and all(
        x.kind == "name" and x.args == (None, None) and x.value in _ENTRY_LETTERS for x in t.args[0])


def _trailing_conditions(claims: list) -> dict[int, list[tuple[Node, str]]]:
    """"$\\Sigma_{kj} = \\sigma_j$ if $k = j \\le m$ and $j \\le m$": the index conditions written
    right after a span on its line (after "if", "for", "when", joined by "and") govern that span's
    last statement, which is sampled under them (they are also assumed, as the conditions they are)."""
    out: dict[int, list[tuple[Node, str]]] = {}
    def between(c: Any) -> str:  # the prose between a span and the one before it
        return " ".join(c.prose[-40:].lower().split()).strip(" ,")

    for k, a in enumerate(claims[:-1]):
        if a.line != claims[k + 1].line or between(claims[k + 1]) not in _CASE_WORDS:
            continue
        got = []
        for c, nxt in zip(claims[k + 1:k + 4], claims[k + 2:k + 4] + [None]):  # at most three joined
            cond = _index_condition(c)
            if cond is None:
                break
            got += cond
            if nxt is None or nxt.line != c.line or between(nxt) != "and":
                break
        if got:
            out[id(a)] = got
    return out


def _svd_factor_entry(n: Node, facts: list, section: Any, model: DocumentModel) -> bool:
    """``\\Sigma_{ii}`` (two index letters) where Σ is the middle factor of an SVD the prose states
    (visible here) and a declared matrix: the decomposition gives Σ whole, so an equation for its
    entries is a claim about it (sampled as the rectangular diagonal factor), not a definition."""
    if n.kind != "name" or n.args[1] is not None or n.args[0] is None:
        return False
    if not _entry_pair(n.args[0]) or not any(f.kind == "svd" and f.get("S") == n.value
                                             and visible(f.section, section) for f in facts):
        return False
    shape = model.scope_for(section).declared.get(n.value)
    return shape is not None and shape.rows != 1 and shape.cols != 1


def _entries_reach(tree: Node, reach: set[str], scope: Any) -> set[str]:
    """``\\Sigma_{kj}`` or ``(\\tilde W \\Sigma)_{ij}`` with Σ a declared m x n matrix: entries of Σ
    (inference._entry reads two index letters so), so a claim that reaches the entries reaches the
    matrix, and Σ's stated structure (an SVD factor) and hypotheses are honoured when it is sampled.
    Not where the statement also writes Σ with another subscript (Σ_t: a family of its own)."""
    out = set()
    for n in reach:
        base = n.removesuffix(R.INDEXED)
        shape = scope.declared.get(base) if n != base else None
        if shape is None or shape.rows == 1 or shape.cols == 1:
            continue
        # p^{(t)} with no subscript is p itself at a time, not an entry
        if all(x.args[0] is not None and _entry_pair(x.args[0]) for x in tree.walk()
               if x.kind == "name" and x.value == base and (x.args[0] is not None or x.args[1] is not None)):
            out.add(base)
    return out


def _entry_pair(sub: Node) -> bool:
    """``ij``, ``kj``, ``i,j``: a subscript of two plain index letters."""
    idx = list(sub.args) if sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt") else [sub]
    return len(idx) == 2 and all(x.kind == "name" and x.args == (None, None) and x.value in ENTRY_INDICES
                                 for x in idx)


_STRUCTURE_WORDS = ("orthogonal", "orthonormal", "svd", "singular value decomposition", "eigendecomposition",
                    "eigen-decomposition", "diagonal", "symmetric", "positive definite", "unitary", "triangular",
                    "idempotent", "projection") + ("eigenvalue", "eigenvector", "eigenbasis", "spectral",
                                                   "positive semidefinite", "psd", "spd", "orthonormal basis",
                                                   "covariance")
_EIGEN_WORDS = ("eigenvalue", "eigenvector", "eigenbasis", "spectral", "orthonormal", "eigendecomposition",
                "eigen-decomposition", "svd", "singular value decomposition")


_SVD_WORDS = ("svd", "singular value decomposition")
_EIGEN_USE = ("eigenvalue", "eigenvector", "eigenbasis", "spectral", "eigendecomposition", "eigen-decomposition",
              "orthonormal basis")


def _structure_for(facts: list, told: Any, stated: set[str], reach: set[str], section: Any,
                   model: DocumentModel) -> tuple[list, list[str], set[str]]:
    """The stated structure a claim's sampling honours, the structure about its names that it
    cannot honour, and the structure words of its sections no rule attached to names."""
    here = [f for f in facts if visible(f.section, section)]
    applied, blocked = [], []
    for f in here:
        if f.kind in ("roots", "joint_gaussian"):
            # roots: judged through the equations q(z_1) = 0, ... (see _root_equations); a joint
            # Gaussian declaration: read by the probability model (E[x | y]), it constrains no value
            continue
        # L = -\sum_k y_k \log p_k reaches a one-hot y through its entries: the binding says whether
        # they are y's entries (sampled one-hot) or a family of free scalars (not honoured, see
        # _structure_unread)
        entries = f.kind == "onehot" and {n + R.INDEXED for n in f.names} & reach
        grid = _block_grid(f, section, model)
        if not set(f.names) & reach and not entries and not (grid and set().union(*grid) & reach):
            parts_reached = _unsampled_blocks(f, section, model) & reach
            if parts_reached:  # [[A, B], [B^T, D]] stated spd: A, B, D constrained, not drawn as one
                blocked.append(f"{f.names[0]} {f.word} ({', '.join(sorted(parts_reached))} in its definition, "
                               "not sampled as the blocks of one such matrix)")
            continue
        if _names_a_defined_spectrum(f, reach, section, model):
            continue
        blocks = _stated_of_blocks(f, reach, section, model)
        if blocks is not None:
            applied.append(blocks)
            continue
        own = [n for n in f.names if model.is_defined(n, section)]
        if f.kind == "svd" or f.get("Q"):  # X = U Sigma V^T itself may be recorded as X's definition
            whole = f.get("X") or f.get("matrix")
            b = model.definition_of(whole, section)
            if b is None or b.line == f.line:
                own = [n for n in own if n != whole]
        if f.kind in S.SAMPLED and not own:
            applied.append(f)
        else:
            why = f" ({', '.join(own)} defined by an expression)" if own and f.kind in S.SAMPLED else ""
            blocked.append(f"{', '.join(f.names)} {f.word}{why}")
    words = set().union(*(ws for sec, ws in told.unattached.items() if visible(sec, section))) \
        if told.unattached else set()
    vocabulary = {p for p, _k in S._WORDS} | {"eigenvalue", "eigenvalues", "eigenvector", "eigenvectors"}
    kinds = {f.kind for f in here}
    left = set()
    for w in stated:
        if w in vocabulary or any(w in v for v in vocabulary):
            continue  # the extractor read it: attached, or in ``words`` below
        if w in _SVD_WORDS and "svd" in kinds:
            continue
        if w in _EIGEN_USE and "eigen" in kinds:
            continue
        left.add(w)
    for w in words:
        if any(w.startswith(e) for e in ("eigenvalue", "eigenvector")) and "eigen" in kinds:
            continue  # "the eigenvalue estimate" beside the stated eigendecomposition
        if not any(old in w for old in _STRUCTURE_WORDS):
            continue  # invertible, nonsingular: a random matrix is one already
        left.add(w)
    return applied, blocked, left


def _eigen_expansion(tree: Node, facts: list, section: Any, model: DocumentModel
                     ) -> tuple[str, Node, Node, str] | None:
    """``x = \\sum_{i=1}^n c_i u_i`` with u_i the orthonormal eigenvectors a visible fact names
    and c new: the coordinates c_i = u_i^T x (family, left side, right side, text)."""
    if tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    v, total = tree.args[0]
    if v.kind != "name" or total.kind != "sum" or total.args[1] is None or model.is_defined(R.family(v) or "", section):
        return None
    body, var, lo, hi = total.args[:4]
    if body.kind != "mul" or len(body.args) != 2 or var.kind != "name":
        return None
    # the whole basis (i = 1..n, n a declared size): a partial sum would be a hypothesis on x
    dims = model.scope_for(section).dim_symbols
    if lo is None or to_text(lo) != "1" or hi is None or hi.kind != "name" or to_text(hi) not in dims:
        return None
    c, u = body.args
    vectors = {f.get("vectors") for f in facts if f.kind == "eigen" and visible(f.section, section)} - {None}
    fam_c, fam_u = R.family(c) or "", R.family(u) or ""
    if fam_u not in vectors or not fam_c or fam_c == fam_u or model.is_defined(fam_c, section):
        return None
    for n in (c, u):
        if n.kind != "name" or n.args[1] is not None or n.args[0] is None or to_text(n.args[0]) != to_text(var):
            return None
    lhs = c
    rhs = Node("mul", "juxt", (Node("transpose", None, (u,), u.col), v), u.col)
    return fam_c, lhs, rhs, f"{to_text(c)} = {to_text(u)}^T {to_text(v)}"


_WITH_BEFORE = re.compile(r"\$([^$]{1,80})\$\s*(?:with|where|such that)\s*$")


def _expansion_restarted(tree: Node, context: str, expansions: dict, section: Any) -> None:
    """"Starting from $x_0$ with $c_1 \\ne 0$": a condition on a coordinate stated of another vector
    makes the coordinates that vector's (c_i = u_i^T x_0) from here on."""
    hit = _WITH_BEFORE.search(context[-200:])
    if hit is None:
        return
    fams = {R.family(n) for n in tree.walk() if n.kind == "name"} & set(expansions)
    if len(fams) != 1:
        return
    try:
        v = parse(hit.group(1).strip())
    except ParseError:
        return
    if v.kind != "name":
        return
    fam = fams.pop()
    lhs, rhs, _text, _sec = expansions[fam]
    u = rhs.args[0]
    rhs2 = Node("mul", "juxt", (u, v), rhs.col)
    expansions[fam] = (lhs, rhs2, f"{to_text(lhs)} = {to_text(u.args[0])}^T {to_text(v)}", section)


def _with_expansions(scope: Scope, tree: Node, names: set[str], expansions: dict, section: Any) -> Scope:
    """The coordinates of an expansion defined for a claim that names them and reaches their vector
    (x of c_i = u_i^T x): one that reaches only the coordinates may mean another vector's."""
    if not expansions:
        return scope
    reach = names | expanded_names(tree, scope)
    out = scope
    for fam, (lhs, rhs, text, sec) in expansions.items():
        vector = R.family(rhs.args[1])
        if fam in reach and vector in reach and visible(sec, section) and fam not in scope.def_families:
            if out is scope:
                out = scope.copy()
            try:
                out.define(lhs, rhs, text)
            except (BindError, ParseError):
                continue
    return out


def _number(n: Node) -> Any:
    """The value of a written number (2, -1, 0.5, \\frac{1}{2}); None for anything else."""
    if n.kind == "num":
        try:
            return mpmath.mpf(n.value)
        except (ValueError, TypeError):
            return None
    if n.kind == "neg" and len(n.args) == 1:
        v = _number(n.args[0])
        return None if v is None else -v
    if n.kind == "div" and len(n.args) == 2:
        a, b = _number(n.args[0]), _number(n.args[1])
        return None if a is None or b is None or b == 0 else a / b
    return None


def _eigenvalue_of_given_matrix(tree: Node, facts: list, model: DocumentModel, line: int, section: Any
                                ) -> tuple[str, str] | None:
    """``\\lambda_1 = 3`` beside ``A = \\begin{pmatrix} 2 & 1 \\\\ 1 & 2 \\end{pmatrix}`` on the same line,
    with "$A$ symmetric with eigenvalues $\\lambda_1 > \\lambda_2 \\ge \\dots$" stated: the member is
    determined (the eigenvalues of the numbers written, in the stated order), so the line is a
    claim, checked exactly (VERIFIED or REFUTED, with why); None where anything is missing."""
    if tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    lhs, rhs = tree.args[0]
    value = _number(rhs)
    if lhs.kind != "name" or value is None or lhs.args[1] is not None or lhs.args[0] is None \
            or lhs.args[0].kind != "num":
        return None
    fam, k = R.family(lhs), int(lhs.args[0].value) if lhs.args[0].value.isdigit() else 0
    for f in facts:
        if f.kind != "eigen" or f.get("values") != fam or f.get("order") not in ("desc", "asc") \
                or not visible(f.section, section) or f.get("Q"):
            continue
        given = [h for h in model.hypotheses if h.line == line and h.tree.kind == "chain" and h.tree.args[1] == ("=",)
                 and to_text(h.tree.args[0][0]) == f.get("matrix") and h.tree.args[0][1].kind == "matrix"]
        if len(given) != 1:
            return None
        rows = given[0].tree.args[0][1].args
        n = len(rows)
        if n == 0 or n > 8 or any(len(r) != n for r in rows):
            return None
        entries = [[_number(x) for x in r] for r in rows]
        if any(x is None for r in entries for x in r) or any(entries[i][j] != entries[j][i]
                                                            for i in range(n) for j in range(i)):
            return None  # symmetric numbers only: their eigenvalues are real
        if not 1 <= k <= n:
            return None
        with mpmath.workdps(50):
            ev = sorted(mpmath.eigsy(mpmath.matrix(entries), eigvals_only=True), reverse=f.get("order") == "desc")
            true = ev[k - 1]
            ok = abs(true - value) <= mpmath.mpf(10) ** -40 * max(1, abs(true))
        shown = ", ".join(mpmath.nstr(x, 12) for x in ev)
        order = "largest first" if f.get("order") == "desc" else "smallest first"
        text = (f"the eigenvalues of ${given[0].latex}$ are {shown} ({order}, as stated), "
                f"so {to_text(lhs)} = {mpmath.nstr(true, 12)}")
        return (VERIFIED, text) if ok else (REFUTED, text + f", not {mpmath.nstr(value, 12)}")
    return None


_BLOCK_KINDS = ("spd", "psd", "symmetric")


def _block_grid(f: Any, section: Any, model: DocumentModel) -> tuple[tuple[str, ...], ...] | None:
    """The blocks of a matrix the document defines as a square grid of names it leaves free
    (``\\Sigma = \\begin{pmatrix} \\Sigma_{xx} & \\Sigma_{xy} \\\\ \\Sigma_{yx} & \\Sigma_{yy} \\end{pmatrix}``),
    when the structure stated of it is one the sampler can build whole (spd, psd, symmetric)."""
    if f.kind not in _BLOCK_KINDS or len(f.names) != 1:
        return None
    b = model.definition_of(f.names[0], section)
    if b is None or b.rhs is None or b.rhs.kind != "matrix":
        return None
    rows = b.rhs.args
    if len(rows) < 2 or any(len(r) != len(rows) for r in rows):
        return None
    grid = tuple(tuple(R.family(e) if e.kind == "name" else "" for e in r) for r in rows)
    for i, r in enumerate(rows):  # B^T below B: the mirror of a named block, which a symmetric draw gives
        for j, e in enumerate(r):
            if e.kind == "transpose" and e.args[0].kind == "name" and i != j and grid[j][i] \
                    and R.family(e.args[0]) == grid[j][i]:
                grid = grid[:i] + (grid[i][:j] + ("",) + grid[i][j + 1:],) + grid[i + 1:]
            elif not grid[i][j]:
                return None
    flat = [n for r in grid for n in r if n]
    if len(set(flat)) != len(flat) or any(model.is_defined(n, section) for n in flat):
        return None
    return grid


def _unsampled_blocks(f: Any, section: Any, model: DocumentModel) -> set[str]:
    """The names in a matrix the document writes entry by entry or block by block and states
    structured (spd, symmetric, orthogonal, diagonal ...) when :func:`_block_grid` cannot draw them
    as one such matrix: the structure constrains them, so a claim that reaches them is not refuted."""
    if f.kind not in S.SAMPLED or len(f.names) != 1:
        return set()
    b = model.definition_of(f.names[0], section)
    if b is None or b.rhs is None or b.rhs.kind != "matrix":
        return set()
    return R.free_names(b.rhs)


def _stated_of_blocks(f: Any, reach: set[str], section: Any, model: DocumentModel) -> Any:
    """"where $\\Sigma$ is symmetric positive definite", Σ defined by its blocks: the blocks a claim
    reaches are sampled as the blocks of one such matrix (sampling.StructurePlan), so the
    structure constrains them even where the claim never names Σ."""
    grid = _block_grid(f, section, model)
    if grid is None:
        return None
    names = tuple(n for r in grid for n in r if n)  # a transposed mirror ("") is no name of its own
    return S.Fact("blocks", names, f.line, f.section, f.word,
                  (("kind", f.kind), ("grid", grid), ("whole", f.names[0])))


def _names_a_defined_spectrum(f: Any, reach: set[str], section: Any, model: DocumentModel) -> bool:
    """"Let $H = \\frac1n X^T X$, with extreme eigenvalues $\\lambda_{\\min}$ and $\\lambda_{\\max}$":
    the sentence names the eigenvalues of a matrix its definition fixes; with no sign stated in
    the math (λ_i > 0 would constrain X) it says nothing of the definition's inputs, so a claim
    that reaches the matrix but none of the names it gives is sampled as if it were not there."""
    if f.kind not in ("eigen", "unmodelled") or not f.word.startswith("eigen") or f.get("Q"):
        return False
    matrix = f.get("matrix")
    if matrix is None or f.get("sign") is not None or f.get("prose_sign") or not model.is_defined(matrix, section):
        return False
    if f.get("values") is None:  # "with positive eigenvalues": nothing named, a property of the inputs
        return False
    return not ({f.get("values"), f.get("vectors")} - {None}) & reach


_EXTREMES = {"\\min": min, "\\max": max}


def _extreme_eigenvalues(facts: list, reach: set[str], section: Any, model: DocumentModel, line: int
                         ) -> tuple[list[tuple[Node, str]], list[str]] | None:
    """"$H$ ... with extreme eigenvalues $\\lambda_{\\min}$ and $\\lambda_{\\max}$", then "Suppose $H =
    \\operatorname{diag}(4, 1)$": in that part the extreme eigenvalues are the written numbers' least
    and greatest, equations assumed for a claim that reaches them (the verdict names them; like
    the roots of a stated polynomial they leave a failing claim undecided).  Also the fact's
    entry in the blocked list, which the equations now honour."""
    out: list[tuple[Node, str]] = []
    honoured: list[str] = []
    for f in facts:
        if f.kind not in ("eigen", "unmodelled") or not f.word.startswith("eigen") or not visible(f.section, section):
            continue
        matrix, values = f.get("matrix"), f.get("values")
        if not matrix or not values:
            continue
        base = values.split("_")[0]
        wanted = {n: _EXTREMES[n[len(base) + 2:-1]] for n in reach
                  if n.startswith(base + "_{") and n[len(base) + 2:-1] in _EXTREMES}
        numbers = _numeric_spectrum(matrix, section, model, line) if wanted else None
        if not numbers:
            continue
        for name, pick in sorted(wanted.items()):
            if any(to_text(e.args[0][0]) == name for e, _t in out):
                continue  # named by two sentences ("extreme eigenvalues", "every eigenvalue")
            value = pick(numbers)
            eq = Node("chain", "", ((parse(name), Node("num", mpmath.nstr(value, 40), (), 0)), ("=",)), 0)
            out.append((eq, f"{name} = {mpmath.nstr(value, 12)} (an extreme eigenvalue of the {matrix} given as "
                            "numbers in this part)"))
        honoured.append(f"{', '.join(f.names)} {f.word}")
    return (out, honoured) if out else None


def _with_spectra(scope: Scope, facts: list, reach: set[str], section: Any, model: DocumentModel
                  ) -> tuple[Scope, list[str]] | None:
    """"Let $H = \\frac1n X^T X$, with extreme eigenvalues $\\lambda_{\\min}$ and $\\lambda_{\\max}$", "for
    every eigenvalue $\\lambda$ of $H$": in a claim that reaches them, λ_min and λ_max are the least
    and greatest eigenvalue of H computed on each instance, and λ_i its i-th smallest (i over H's
    size), when H is defined (symmetric on every instance, else the instance is not evaluated) and
    the math states no sign or order of its own.  Also the blocked-list entries this honours: those
    whose claim uses only the extremes (an order of the λ_i is not stated, so a claim naming one
    member is still not refuted)."""
    out, honoured = None, []
    for f in facts:
        if f.kind not in ("eigen", "unmodelled") or not f.word.startswith("eigen") or not visible(f.section, section):
            continue
        matrix, values = f.get("matrix"), f.get("values")
        if not matrix or not values or f.get("Q") or f.get("order") or f.get("sign") or f.get("prose_sign") \
                or not model.is_defined(matrix, section):  # a sign stated of them may constrain H's inputs
            continue
        base = values.split("_")[0]
        try:
            m_node = parse(matrix)
        except ParseError:
            continue
        used_member = False
        for name in sorted(reach):
            if scope.defs.get(name) is not None or name in scope.def_families:
                continue
            label = name[len(base) + 2:-1] if name.startswith(base + "_{") else None
            if label in ("\\min", "\\max"):
                rhs = Node("spectrum", label.lstrip("\\"), (m_node,), 0)
                lhs = parse(name)
            elif name == base + R.INDEXED:
                var = Node("name", "\\mathrm{eig}", (None, None), 0)
                rhs = Node("spectrum", "at", (m_node, var), 0)
                lhs = Node("name", base, (var, None), 0)
                used_member = True
            else:
                continue
            out = out if out is not None else scope.copy()
            try:
                out.define(lhs, rhs, f"{name} = an eigenvalue of {matrix} (named in the prose)")
            except (BindError, ParseError):
                continue
        if out is not None and not used_member:
            honoured.append(f"{', '.join(f.names)} {f.word}")
    return (out, honoured) if out is not None else None


def _numeric_spectrum(matrix: str, section: Any, model: DocumentModel, line: int) -> list[Any] | None:
    """The eigenvalues of ``matrix`` where a visible hypothesis before ``line`` gives it as numbers:
    ``\\operatorname{diag}(4, 1)`` or a symmetric matrix of numbers (at most 8 x 8)."""
    for h in reversed(model.hypotheses):
        t = h.tree
        if h.line > line or not visible(h.section, section) or t.kind != "chain" or t.args[1] != ("=",) \
                or to_text(t.args[0][0]) != matrix:
            continue
        return _eigenvalues_written(t.args[0][1])
    return None


def _eigenvalues_written(rhs: Node) -> list[Any] | None:
    """The eigenvalues of ``\\operatorname{diag}(4, 1)`` or of a symmetric matrix of numbers (at most 8 x 8)."""
    if rhs.kind == "call" and rhs.args and isinstance(rhs.args[0], Node) and rhs.args[0].kind == "func" \
            and rhs.args[0].value in ("\\diag", "\\operatorname{diag}", "diag") and 1 < len(rhs.args) <= 9:
        nums = [_number(a) for a in rhs.args[1:]]
        return nums if all(x is not None for x in nums) else None
    if rhs.kind == "matrix":
        rows = rhs.args
        k = len(rows)
        if not 0 < k <= 8 or any(len(r) != k for r in rows):
            return None
        entries = [[_number(x) for x in r] for r in rows]
        if any(x is None for r in entries for x in r) or any(entries[i][j] != entries[j][i]
                                                            for i in range(k) for j in range(i)):
            return None
        with mpmath.workdps(50):
            return list(mpmath.eigsy(mpmath.matrix(entries), eigvals_only=True))
    return None


def _stated_extremes(tree: Node, facts: list, section: Any) -> list[tuple[str, Node]]:
    """"Suppose $H = \\operatorname{diag}(4, 1)$" with "$H$ ... extreme eigenvalues $\\lambda_{\\min}$ and
    $\\lambda_{\\max}$" stated: the values λ_min = 1, λ_max = 4, as values an equation of the part states
    (substituted into the conditions a later solution set solves)."""
    if tree.kind != "chain" or tree.args[1] != ("=",) or tree.args[0][0].kind != "name":
        return []
    matrix = to_text(tree.args[0][0])
    bases = {f.get("values").split("_")[0] for f in facts
             if f.kind in ("eigen", "unmodelled") and f.word.startswith("eigen") and f.get("matrix") == matrix
             and f.get("values") and visible(f.section, section)}
    numbers = _eigenvalues_written(tree.args[0][1]) if bases else None
    if not numbers:
        return []
    return [(f"{b}_{{{label}}}", Node("num", mpmath.nstr(pick(numbers), 40), (), 0))
            for b in sorted(bases) for label, pick in (("\\min", min), ("\\max", max))]


ROOT_TEXT = "is a root of"


def _root_equations(facts: list, reach: set[str], section: Any) -> list[tuple[Node, str]]:
    """"Its two roots $z_1, z_2$" of a polynomial the prose writes: q(z_1) = 0, q(z_2) = 0, as
    equations assumed for a claim that reaches the family (solved when sampling, see equations.py)."""
    out = []
    for f in facts:
        if f.kind != "roots" or not visible(f.section, section) or f.names[0] not in reach:
            continue
        try:
            poly = parse(f.get("poly"))
        except ParseError:
            continue
        for m in f.get("members"):
            member = parse(m)
            eq = Node("chain", "", ((substitute_name(poly, f.get("var"), member), Node("num", "0", (), 0)), ("=",)), 0)
            out.append((eq, f"{m} {ROOT_TEXT} {f.get('poly')} (stated in the prose)"))
    return out


_CHECKABLE = ("symmetric", "diagonal", "orthogonal", "spd", "psd")


def _structure_checks(facts: list, reach: set[str], section: Any, model: DocumentModel
                      ) -> list[tuple[str, str, str]]:
    """Structure stated about a name the document defines by an expression (kind, name, the text
    the blocked list gives it): a consequence of the definition where it holds on every instance,
    a constraint on the definition's inputs where it does not (the instance is then drawn again)."""
    out = []
    for f in facts:
        if f.kind not in _CHECKABLE or not visible(f.section, section) or not set(f.names) & reach:
            continue
        own = [n for n in f.names if model.is_defined(n, section)]
        if own and len(own) == len(f.names):
            text = f"{', '.join(f.names)} {f.word} ({', '.join(own)} defined by an expression)"
            out.extend((f.kind, n, text) for n in own)
    return out


def _matrix_like(name: str) -> bool:
    base = name.split("_")[0].split("^")[0]
    for pre in ("\\mathbf{", "\\bar{", "\\hat{", "\\tilde{", "\\widehat{", "\\mathcal{"):
        base = base.replace(pre, "")
    base = base.strip("{}")
    return (len(base) == 1 and base.isupper()) or base in ("\\Sigma", "\\Lambda", "\\Phi", "\\Psi", "\\Omega")


# "T_{i,i+j-1} = w_j for j = 1..k and zeros elsewhere": the entries the rule does not reach are 0
_ZEROS_ELSEWHERE = re.compile(r"\b(zeros?|0) (elsewhere|everywhere else|otherwise)\b|\botherwise (zero|0)\b"
                              r"|\b(all )?other entries (are )?(zero|0)\b")


def _earlier_part_definitions(reach: set[str], scope: Scope, model: DocumentModel, section: Any,
                              line: int) -> list[tuple[Node, Node, str, int]]:
    """Definitions made in earlier parts (not visible here) of names the statement reaches that
    this part leaves open, and of the names those use in turn: the latest of each, formulas only
    (a concrete example's numbers, ``L = 4`` or a numeric matrix, do not travel to a later part)."""
    if scope.problem is not None:
        return []  # a registered problem gives the open names their meaning
    open_names = {n for n in reach if n not in scope.def_families and n not in scope.declared
                  and n.removesuffix("(·)") not in scope.funcs}
    out: list[tuple[Node, Node, str, int]] = []
    seen: set[str] = set()
    for _round in range(3):
        more: set[str] = set()
        for fam in sorted(open_names - seen):
            seen.add(fam)
            found = [b for b in model.bindings if b.kind == "define" and b.family == fam and b.line < line
                     and not visible(b.section, section)]
            if not found and fam.endswith(R.INDEXED):
                # a_i with no definition of its own: the members of a matrix an earlier part wrote
                # with them (A = diag(a_1, \dots, a_n), B = [b_1, \dots, b_n]^T)
                found = [b for b in model.bindings if b.kind == "define" and b.line < line and b.lhs.kind == "name"
                         and b.lhs.args == (None, None) and ("dots" in b.latex or "..." in b.latex)  # cheap first
                         and not visible(b.section, section) and any(x.kind == "ellipsis" for x in b.rhs.walk())
                         and fam in R.free_names(b.rhs)
                         and not model.is_defined(b.family or "", section)]  # not a matrix this part binds
            if not found or not R.free_names(found[-1].rhs):
                continue
            b = found[-1]
            out.append((b.lhs, b.rhs, b.latex, b.line))
            more |= {n for n in R.free_names(b.rhs) if n not in scope.def_families and n not in scope.declared}
        open_names = more
        if not open_names:
            break
    return out[:8]


def _earlier_meaning(tree: Node, role: Any, model: DocumentModel, section: Any, line: int,
                     candidate_rules: list) -> tuple[Any, list, str] | None:
    """What a name that a one-link definition introduces already meant: the definitions to add to
    the scope to judge the statement against it (an earlier part's binding of the same left side),
    the earlier verified formulas for a problem's quantity (``K_\\ell = C A^{\\ell-1} B``) usable as
    rules, and where that meaning comes from; ``"same"`` for the same formula written again in a
    later part (a definition for that part, nothing to judge); None when the name is new."""
    if tree.kind != "chain" or tree.args[1] != ("=",) or not role.defines:
        return None
    lhs = tree.args[0][0]
    key = to_text(lhs)
    found = [b for b in model.bindings if b.kind == "define" and b.family == role.defines and b.line < line
             and (to_text(b.lhs) == key or role.defines.endswith("(·)"))]
    if found:
        b = found[-1]
        if to_text(b.rhs) == to_text(tree.args[0][1]) and to_text(b.lhs) == key:
            return ("same", [], str(b.line)) if not visible(b.section, section) else None
        adds = [] if visible(b.section, section) else [(b.lhs, b.rhs, b.latex)]
        return adds, [], f"defined on line {b.line}"
    rules = [r for r in _usable_rules(candidate_rules) if R.family(r[1]) == role.defines]
    if rules:
        return [], rules, "for which an earlier claim gave this formula (used once it is verified)"
    return None


def _unevaluable_rhs(tree: Node, role: Any, model: DocumentModel, section: Any) -> str | None:
    """Why the right side of a whole-statement definition ``NAME := rhs`` cannot be bound, when the
    reason is something the checker does not model (a KL divergence between distributions); None
    when it binds, or fails for another reason."""
    from .inference import Inference

    if tree.kind != "chain" or len(tree.args[1]) != 1 or not role.defines or tree.args[0][0].kind != "name":
        return None
    try:
        Inference(model.scope_for(section), 0, set()).infer(tree.args[0][1])
    except BindError as e:
        msg = str(e)
        return msg if "not modelled" in msg else None
    except Exception:  # noqa: BLE001 - a probe only: any other failure is left to the claims that use it
        return None
    return None


def _supersedes_unevaluable(tree: Node, role: Any, unevaluable: dict, model: DocumentModel,
                            section: Any) -> Any | None:
    """``D = \\frac12 \\sum_i (...)`` after ``D := \\mathrm{KL}(q \\| p)`` whose right side cannot be
    bound: the explicit formula is read as D's definition (a role definition), so later claims
    about D (its derivatives) are judged through it; None when the statement is not such a formula."""
    from .inference import Inference

    if role.role == R.DEFINITION or tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    lhs, rhs = tree.args[0]
    fam = R.family(lhs) if lhs.kind == "name" else None
    if fam is None or fam not in unevaluable:
        return None
    line, sec, written, why_not = unevaluable[fam]
    if not visible(sec, section) or to_text(lhs) != written or fam in R.free_names(rhs):
        return None
    try:
        Inference(model.scope_for(section), 0, set()).infer(rhs)
    except Exception:  # noqa: BLE001 - the formula must itself be evaluable to stand in
        return None
    return R.Role(R.DEFINITION, f"the definition of {written} on line {line} cannot be evaluated ({why_not}); "
                                f"this explicit formula for {written} is read as its definition", defines=fam)


# "$K_t$ is (the) t x d matrix of ...", "$V_t$ similarly", "$X$ denotes the matrix ...": a name defined in words
# (a definite or a made-of description: "$A$ is a symmetric matrix" only declares)
_PROSE_DEFINED = re.compile(r"\$\s*([^$]{1,40}?)\s*\$\s*(?:(?:is|denotes)\s+(?:"
                            r"the\s+(?:\$[^$]{0,40}\$\s*)?(?:[\w-]+\s+){0,3}(?:matrix|vector)\b"
                            r"|(?:an?\s+)?(?:\$[^$]{0,40}\$\s*)?(?:[\w-]+\s+){0,3}(?:matrix|vector)\s+"
                            r"(?:of|with|whose|stacking)\b)|similarly\b)", re.IGNORECASE)


def _prose_defined(text: str) -> list[str]:
    """Families the prose defines in words (see ``_PROSE_DEFINED``), in order."""
    out: list[str] = []
    for m in _PROSE_DEFINED.finditer(text[-2000:]):
        try:
            node = parse(m.group(1))
        except ParseError:
            continue
        fam = R.family(node) if node.kind == "name" else None
        if fam is not None and fam not in out:
            out.append(fam)
    return out


_INDEX_NAMES = {"i", "j", "k", "l", "m", "n", "t", "ell", "p", "q", "r", "s"}  # "i = 1, 2, 3" sets an index


def _unread_definition(latex: str) -> str | None:
    """The family an unparsable ``NAME = …`` defines, when the left side alone can be read."""
    depth = 0
    for i, ch in enumerate(latex):
        depth += ch in "{([" and 1 or ch in "})]" and -1 or 0
        if ch == "=" and depth == 0 and latex[i - 1:i] not in ("<", ">", "!", ":") and latex[i + 1:i + 2] != "=":
            try:
                lhs = parse(latex[:i])
            except ParseError:
                return None
            return R.family(lhs) if lhs.kind in ("name", "apply", "call") else None
    return None


def _members_of_list(tree: Node, known: Callable[[str], bool], has_zero: Callable[[str], bool]
                     ) -> tuple[Node, str, str] | None:
    """``K = [\\delta, 1.5, 1.2]`` where the document knows the family ``K_\\ell``: the column
    equation (K_0, K_1, K_2) = (\\delta, 1.5, 1.2), starting at 0 where a member K_0 is given, else 1."""
    if tree.kind != "chain" or tree.args[1] != ("=",) or len(tree.args[0]) != 2:
        return None
    lhs, rhs = tree.args[0]
    if lhs.kind != "name" or lhs.args != (None, None) or rhs.kind != "tuple" or rhs.value not in ("[]", "()") \
            or not 1 < len(rhs.args) <= 64:
        return None
    fam = lhs.value + R.INDEXED
    if not known(fam):
        return None
    start = 0 if has_zero(fam) else 1
    members = [Node("name", lhs.value, (Node("num", str(start + i), (), lhs.col), None), lhs.col)
               for i in range(len(rhs.args))]
    left = Node("matrix", "pmatrix", tuple((m,) for m in members), lhs.col)
    right = Node("matrix", "pmatrix", tuple((v,) for v in rhs.args), rhs.col)
    return Node("chain", "", ((left, right), ("=",)), tree.col), to_text(members[0]), to_text(members[-1])


def _superseded_cases(hyps: list[Any], st: Statement, line: int) -> list[Any]:
    """Drop an earlier case (``\\ell = 0``) on a name this statement gives its own range
    (``K_\\ell = C A^{\\ell-1} B`` for ``\\ell \\ge 1``, on this line): the newer condition wins."""
    fresh = [h.tree for h in hyps if h.line == line] + ([st.condition] if st.condition is not None else [])
    ranged = {to_text(x) for c in fresh if _index_bound(c) for x in c.walk() if x.kind == "name" and x.args == (None, None)}
    if not ranged:
        return hyps

    def case_on(h: Any) -> bool:
        t = h.tree
        return t.kind == "chain" and t.args[1] == ("=",) and t.args[0][0].kind == "name" \
            and to_text(t.args[0][0]) in ranged and t.args[0][1].kind == "num" \
            and (h.line != line or _outside_ranges(to_text(t.args[0][0]), t.args[0][1].value, fresh))

    return [h for h in hyps if not case_on(h)]


_NEGATION = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def _without_negated(hyps: list[Any]) -> list[Any]:
    """Drop a hypothesis that a later one in scope negates (``\\|p\\| \\neq 0`` for the closed form,
    then "If ``\\|p\\| = 0``, then ..."): both cannot hold, and the later condition is the one the
    text after it is written under."""
    def key(t: Node, negate: bool) -> tuple | None:
        if t.kind != "chain" or len(t.args[1]) != 1:
            return None
        op = _NEGATION[t.args[1][0]] if negate and t.args[1][0] in _NEGATION else t.args[1][0]
        return to_text(t.args[0][0]), op, to_text(t.args[0][1])

    plain = [key(h.tree, False) for h in hyps]  # each key once: this runs for every claim
    out = []
    for i, h in enumerate(hyps):
        mine = key(h.tree, True) if plain[i] is not None else None
        if mine is not None and mine in plain[i + 1:]:
            continue
        out.append(h)
    return out


_NORM_ZERO = re.compile(r"^\\\|(?P<x>[^|]+)\\\|(?:_\{?[A-Za-z0-9]+\}?)?(?:\^\{?[1-9]\}?)?\s*=\s*0$")


def _pinned(h: Any) -> Any:
    """``\\|p\\| = 0`` (any norm, or a power of one): a norm is zero exactly when its vector is, so
    the case is ``p = 0``, a value that sampling sets (a case definition) instead of a condition no
    random draw meets.  Anything else is returned as it is."""
    m = _NORM_ZERO.match(" ".join(h.latex.split()))
    if m is None:
        return h
    text = m.group("x").strip() + " = 0"
    try:
        tree = parse(text)
    except ParseError:
        return h
    if not _single_equation(tree) or tree.args[0][0].kind != "name":
        return h
    return dataclasses.replace(h, tree=tree)


_LOWER_ENTRY = re.compile(r"^(\\[A-Za-z]+\{)?([a-z])(\})?$")


def _off_diagonal_zero(tree: Node, condition: Node | None, model: DocumentModel, section: Any) -> str | None:
    """``x_{ij} = 0`` for ``i \\ne j``: the matrix whose entries x_ij are (named by ``X = [x_{ij}]``,
    else the same letter in upper case: x -> X, \\tilde{w} -> \\tilde{W}) is diagonal; its name, or
    None.  A matrix zero off its diagonal is exactly a diagonal one, so sampling it diagonal
    honours the statement (a name defined by an expression is checked, not sampled: see
    :mod:`derive.claims.structure`)."""
    if condition is None or condition.kind != "chain" or condition.args[1] != ("!=",) \
            or not _single_equation(tree):
        return None
    lhs, rhs = tree.args[0]
    if rhs.kind != "num" or rhs.value != "0" or lhs.kind != "name" or lhs.args[0] is None or lhs.args[1] is not None:
        return None
    sub = lhs.args[0]
    idx = list(sub.args) if sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt") else []
    if len(idx) != 2 or not all(isinstance(x, Node) and x.kind == "name" and x.args == (None, None) for x in idx):
        return None
    pair = {to_text(x) for x in idx}
    if len(pair) != 2 or {to_text(x) for x in condition.args[0]} != pair:
        return None
    named = [to_text(b.lhs) for b in model.bindings if b.kind == "entries" and b.family == lhs.value
             and visible(b.section, section)]  # (an entries binding keeps the family's bare name)
    if named:
        return named[-1]
    m = _LOWER_ENTRY.match(lhs.value)
    return None if m is None else (m.group(1) or "") + m.group(2).upper() + (m.group(3) or "")


def _outside_ranges(name: str, value: str, conds: list[Node]) -> bool:
    """``k = 0`` beside ``k \\ge 1`` on one line ("for k = 0 the term is I. For k >= 1, ..."): the
    case and the range cannot both hold, so the case belongs to the other sentence of the line."""
    try:
        v = Fraction(value)
    except (ValueError, ZeroDivisionError):
        return False
    for c in conds:
        if not _index_bound(c) or not all(o in ("<", "<=", ">", ">=") for o in c.args[1]):
            continue
        items = c.args[0]
        if not any(x.kind == "name" and to_text(x) == name for x in items):
            continue
        try:
            vals = [v if x.kind == "name" else Fraction(x.value) for x in items]
        except (ValueError, ZeroDivisionError):
            continue
        holds = all({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[o]
                    for a, b, o in zip(vals, vals[1:], c.args[1]))
        if not holds:
            return True
    return False


def _index_bound(cond: Node) -> bool:
    """``\\ell \\ge 1``, ``1 \\le k \\le n``, a range: bounds on one index name, nothing more."""
    if cond.kind != "chain":
        return False
    names = [x for x in cond.args[0] if x.kind == "name"]
    return len(names) == 1 and names[0].args == (None, None) and all(
        x.kind in ("name", "num") for x in cond.args[0])


def _usable_rules(candidates: list[tuple[int, Node, Node, Node | None]]) -> list[tuple[int, Node, Node]]:
    """Earlier claims about a problem's quantities that can stand as definitions: without a
    condition, or with a lower bound ``\\ell \\ge c`` whose members below c are claimed too
    (K_0 = D beside K_\\ell = C A^{\\ell-1} B for \\ell \\ge 1)."""
    members = {to_text(lhs) for _j, lhs, _r, cond in candidates if cond is None}
    out = []
    for j, lhs, rhs, cond in candidates:
        if cond is None:
            out.append((j, lhs, rhs))
            continue
        if cond.kind == "chain" and len(cond.args[1]) == 1 and cond.args[1][0] in (">=", ">") \
                and cond.args[0][1].kind == "num" and cond.args[0][1].value.isdigit() and lhs.args[0] is not None:
            low = int(cond.args[0][1].value) + (1 if cond.args[1][0] == ">" else 0)
            below = [to_text(Node("name", lhs.value, (Node("num", str(k), (), 0), lhs.args[1]), 0)) for k in range(low)]
            if all(b in members for b in below):
                out.append((j, lhs, rhs))
    return out


_DERIVABLE = ("a condition on free quantities", "listed with the condition before it")
_REQUIREMENT = "a requirement to be solved for"  # "we need λ ≥ σ_i^2": verbatim, it restates what was found
_INEQ = ("<", "<=", ">", ">=")


def _unknown(tree: Node, model: DocumentModel, section: Any) -> str | None:
    """The one name a relation leaves open (the document defines the others), or None."""
    # an index only written in subscripts (the i of \sigma_i) is not an unknown
    subscripts = {to_text(x) for n in tree.walk() if n.kind == "name" for a in n.args if isinstance(a, Node)
                  for x in a.walk() if x.kind == "name"}
    names = [f for f in R.free_names(tree) if not model.is_defined(f, section) and f not in subscripts]
    if len(names) != 1 or names[0].endswith((R.INDEXED, "(·)")):
        return None
    return names[0]


def _note_relation(tree: Node, latex: str, line: int, section: Any, relations: list, stated_values: list) -> None:
    """Remember an inequality (a condition a later solution may solve) and the value an equation
    chain gives its left side (``\\mathcal{L}(W^{(\\alpha)}) = 0 + 2\\lambda = 2\\lambda``)."""
    if tree.kind != "chain":
        return
    items, ops = tree.args
    if any(o in _INEQ for o in ops) or tuple(ops) == ("in",) and items[1].kind == "tuple":
        relations.append((tree, latex, line, section))
        del relations[:-40]
    elif all(o == "=" for o in ops) and len(items) >= 2 and items[0].kind in ("call", "apply", "name") \
            and not (items[0].kind == "name" and items[0].args == (None, None)):
        stated_values.append((to_text(items[0]), items[-1], section, line, latex))
        del stated_values[:-40]


def _solution_premises(tree: Node, role: Any, previous: Any, section: Any, relations: list, stated_values: list,
                       model: DocumentModel) -> tuple[list, bool, str] | None:
    """The relations a solution (or an inequality step, or a condition that may be derived)
    solves: the line before when it shares the unknown (directly or through the values earlier
    equations of the part give), then the part's other inequalities in that unknown, nearest
    first; with whether the line before is joined to it by ⇒ or a step word (it may refute)."""
    if tree.kind != "chain" or role.role not in (R.SOLUTION, R.STEP, R.HYPOTHESIS) \
            or role.role == R.HYPOTHESIS and role.local:
        return None
    items, ops = tree.args
    if not (all(o in _INEQ or o == "=" for o in ops) and any(o in _INEQ for o in ops)
            or tuple(ops) == ("in",) and items[1].kind == "tuple"):
        return None
    if role.role == R.HYPOTHESIS and not role.why.startswith(_DERIVABLE):
        return None
    unknown = _unknown(tree, model, section)
    if unknown is None:
        return None
    values = {t: (v, (ln, lx)) for t, v, sec, ln, lx in stated_values if parts(sec) == parts(section)}
    out: list = []
    for rt, latex, line, sec in reversed(relations):
        if parts(sec) != parts(section) or len(out) >= 16:
            continue
        rests: tuple = ()
        # also a condition in the unknown and an extreme eigenvalue a part gives as numbers (0 < η < 2/λ_max,
        # H = diag(4, 1)): see _stated_extremes
        extremes = {t for t in (R.free_names(rt) - {unknown}) & set(values) if t.endswith(("_{\\min}", "_{\\max}"))}
        if values and (unknown not in R.free_names(rt) or extremes):
            texts = {to_text(x) for x in rt.walk()}
            rests = tuple(src for t, (_v, src) in values.items() if t in texts)  # the equations it rests on
            try:
                rt = SOL.substitute(rt, {t: v for t, (v, _src) in values.items()})
            except RecursionError:
                continue
        if unknown in R.free_names(rt):
            out.append(SOL.Premise(rt, latex, line, rests=rests))
    if not out:
        return None
    chain = False
    if previous is not None and previous[0].tree is not None and parts(previous[2]) == parts(section) \
            and to_text(previous[0].tree) in {to_text(r[0]) for r in relations[-1:]} and out[0].line == previous[3]:
        first = out[0]
        out[0] = SOL.Premise(first.tree, first.latex, first.line, chain=True, rests=first.rests)
        chain = role.why.startswith(("follows from the line before", "a consequence"))
    return out, chain, unknown


def _line_statements(doc: Document, line: int) -> tuple[list[str], list[Node]]:
    """The statements written on one line (their texts, and the trees of those that parse)."""
    texts: list[str] = []
    trees: list[Node] = []
    for c in doc.claims:
        if c.line == line:
            for st in split_statements(c.latex):
                texts.append(st.latex)
                if st.tree is not None:
                    trees.append(st.tree)
    return texts, trees


def _is_implication_step(role: Any, previous: Any, section: Any, tree: Node) -> bool:
    """An inequality step (or solution) that follows the line before it: judged as that
    line's consequence (sampled under it)."""
    if role.role not in (R.STEP, R.SOLUTION) or previous is None or previous[0].tree is None:
        return False
    prev = previous[0].tree
    return prev.kind == "chain" and parts(previous[2]) == parts(section) \
        and bool(R.free_names(prev) & R.free_names(tree)) \
        and all(o in ("<", "<=", ">", ">=", "!=", "=", "in") for o in prev.args[1]) \
        and tree.kind == "chain" and all(o in ("<", "<=", ">", ">=", "!=", "in") for o in tree.args[1])


_SENTENCE_END = re.compile(r"[.!?](\s|$)")

_LIST_JOINS = {",", "and", ", and", ";", "or", ", or"}
_GLOSS = re.compile(r"^\s*\([^()$]{0,80}\)")


def _list_join(prose: str) -> bool:
    """The prose between two formulas of one list: ``,``, ``and``; a short gloss of the formula before may
    come first (``K = ... (matrix of keys), V = ...``)."""
    return _GLOSS.sub("", prose).strip().lower() in _LIST_JOINS


_PART_LABEL = re.compile(r"\(?([a-z]|[ivx]+|\d+)[.)]")
# labels that open a line or follow a sentence's end and stand right before the math: "… . (b) i.  "
_LABELS_AT_END = re.compile(r"(?:^\s*|[.:!?]\s+)((?:(?:\([a-z]\)|\([ivx]+\)|[ivx]+\.|[a-z]\)|\d+\.)\s*)+)$")


_LABELS_AT_START = re.compile(r"^\s*((?:(?:\([a-z]\)|\([ivx]+\)|[ivx]+\.|[a-z]\)|\d+\.)\s*)+)\S")


def _opening_labels(context: str) -> str | None:
    """The part labels that open the line of a span when prose follows them ("(a) i. Reconstruction
    losses: "), or None."""
    m = _LABELS_AT_START.match(context.rsplit("\n", 1)[-1])
    return m.group(1) if m is not None else None


def _labelled_section(context: str, seen: list[Any], own: Any, last: Any) -> Any:
    """"(b) i. $K = [\\delta, 1.5]$" in a summary after the parts: the statement belongs to the part
    its label names (the earlier section whose headings start with those labels, in order), so it is
    judged with that part's values; without such a label, or where the label is not unique, ``own``."""
    tail = _LABELS_AT_END.search(context)
    if tail is None:
        return own  # only labels right before the math: "(b) i." (not "(a) The scale. Differentiating")
    labels = [m.group(1) for m in _PART_LABEL.finditer(tail.group(1))]

    def matches(path: Any) -> bool:
        titles = [_PART_LABEL.match(t.strip()) for _lv, t, _ln in path]
        at = 0
        for m in titles:
            if at < len(labels) and m is not None and m.group(1) == labels[at]:
                at += 1
        return at == len(labels) and titles[-1] is not None and titles[-1].group(1) == labels[-1]

    hits = [p for p in seen if p != own and matches(p)]
    problem = _problem_prefix(own)
    if problem and not any(_problem_prefix(p) == problem for p in hits):
        # a summary inside Problem 3 whose "(b) i." names a paragraph, not a heading, of Problem 3's (b):
        # that (b), not Problem 1's "(b) / i." (the labels read as far as the problem's headings go)
        while len(labels) > 1 and not any(_problem_prefix(p) == problem for p in hits):
            labels = labels[:-1]
            hits = [p for p in seen if p != own and matches(p)]
        hits = [p for p in hits if _problem_prefix(p) == problem]
    if len(hits) > 1 and own:  # "(c)" in Problem 3's summary: Problem 3's (c), not Problem 1's
        hits = [p for p in hits if p[:1] == own[:1]] or hits
    if len(hits) > 1 and last is not None:  # "ii." after "(b) i.": the sibling under the same part
        hits = [p for p in hits if p[:-1] == last[:-1]] or hits
    return hits[0] if len(hits) == 1 else own


def _problem_prefix(path: Any) -> Any:
    """The headings above a section's first part label ("Problem 3" of "Problem 3 / (b) / i."; the
    enclosing headings of a "Summary" that has none): the problem a part label is read in."""
    if not path:
        return ()
    for k, (_lv, title, _ln) in enumerate(path):
        if _PART_LABEL.match(title.strip()):
            return tuple(path[:k])
    return tuple(path[:-1])


_ASSERTED_REASON = "asserted, so judged; assumed for what follows"


def _restated_condition(tree: Node, role: Any, model: DocumentModel, section: Any, line: int,
                        computed: Callable[[Node], bool]) -> tuple[Any, Any]:
    """A statement written as a condition (after "for", "with", "given", listed with one) that
    restates what the document already fixed: (the role to judge it with, the hypothesis role it
    falls back to or None).  The same condition repeated is a claim true under the earlier one;
    an equation for a name defined in scope (or one a problem computes) is judged against that
    meaning, and stays the condition it reads as unless it agrees (a case of a name defined with
    free variables, f(x) = 4, is no restatement, so it is never refuted)."""
    again = _restated_hypothesis(tree, model, section, line)
    if again is not None and not _index_case(tree):  # "i = 3" again is the case again, not a claim
        return R.Role(R.CLAIM, f"restates the condition on line {again.line}"), None
    if tree.kind != "chain" or not all(o == "=" for o in tree.args[1]):
        return role, None
    lhs = tree.args[0][0]
    fam = R.family(lhs)
    if fam is None or lhs.kind not in ("name", "transpose") or not (model.is_defined(fam, section) or computed(lhs)):
        return role, None
    where = model.definition_of(fam, section)
    meaning = f"defined on line {where.line}" if where is not None else "determined by the problem"
    return R.Role(R.CLAIM, f"restates {fam} ({meaning}), written as a condition: judged against that meaning, "
                           f"assumed unless it agrees ({role.why})"), role


def _all_bound(tree: Node, model: DocumentModel, section: Any, computed: Callable[[Node], bool],
               is_input: Callable[[Node], bool]) -> bool:
    """Whether every name of the statement has the document's meaning: defined in scope, an entry
    of a defined vector or matrix (a_i of a defined a), a problem's quantity, or a running index."""
    nodes = [x for x in tree.walk() if x.kind == "name"]
    outside: set[str] = set()  # the families used other than as a subscript (i in a_i only ranges)
    stack = [tree]
    while stack:
        x = stack.pop()
        if x.kind == "name":
            outside.add(R.family(x) or "")
            continue
        stack.extend(x.children())
    for fam in R.free_names(tree):
        if model.is_defined(fam, section) or fam not in outside:
            continue
        base = fam.removesuffix(R.INDEXED)
        if base != fam and model.is_defined(base, section):
            continue
        if any(R.family(x) == fam and (computed(x) or is_input(x)) for x in nodes):
            continue
        return False
    return True


def _restated_hypothesis(tree: Node, model: DocumentModel, section: Any, line: int) -> Any:
    """A hypothesis in scope, stated on an earlier line for the rest of its part, that the statement
    repeats word for word (the same parse tree), or None."""
    text = to_text(tree)
    for h in model.hypotheses:
        if h.line < line and not h.local and visible(h.section, section) and to_text(h.tree) == text \
                and tree.kind == "chain" and tree.args[1] == ("=",):
            return h
    return None


def _case_parts(tree: Node, latex: str) -> tuple[str | None, list[tuple[Node, str]]]:
    """``g_t = g \\neq 0``: the equation ``g_t = g`` (its text, None when the tree is only that) and
    the conditions on its right side (``g \\neq 0``)."""
    if tree.kind != "chain" or len(tree.args[1]) == 1:
        return None, []
    items, ops = tree.args
    depth, cuts = 0, []
    toks = tokenize(latex)
    for k, t in enumerate(toks):  # the relations at the top level, as (start, end) in the text
        if t.kind == "sym" and t.value in ("(", "[", "{"):
            depth += 1
        elif t.kind == "sym" and t.value in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and t.kind in ("sym", "cmd") and t.value in RELATIONS:
            cuts.append((t.col - 1, toks[k + 1].col - 1))
    if len(cuts) != len(ops):
        return None, []
    # piece i is the text of items[i]; condition i (i >= 1) is items[i] op_i items[i + 1]
    bounds = [0] + [e for _s, e in cuts], [s_ for s_, _e in cuts] + [len(latex)]
    pieces = [latex[a:b].strip() for a, b in zip(*bounds)]
    rest = [(Node("chain", "", ((items[i], items[i + 1]), (ops[i],)), tree.col),
             f"{pieces[i]} {latex[cuts[i][0]:cuts[i][1]].strip()} {pieces[i + 1]}") for i in range(1, len(ops))]
    return latex[:cuts[1][0]].strip(), rest


def _sequence_case_bounded(h: Any, hyps: list[Any]) -> bool:
    """``u_k = 0`` for ``k > 5``: a constant-sequence case whose index the same line bounds away
    from the sequence's start (more than k >= 1), so it does not hold for every member."""
    t = h.tree
    if t.kind != "chain" or t.args[0][0].kind != "name" or not _constant_sequence(t.args[0][0], t.args[0][1]):
        return False
    idx = to_text(next(a for a in t.args[0][0].args if a is not None))
    for other, c in [(h, h.condition)] + [(o, o.tree) for o in hyps]:
        if c is None or other.line != h.line or c.kind != "chain" or idx not in {to_text(x) for x in c.args[0]}:
            continue
        if len(c.args[1]) != 1 or to_text(c.args[0][0]) != idx or c.args[0][1].kind != "num" \
                or not c.args[0][1].value.isdigit():
            return True  # k < 0, 2 \le k \le 5, k \ne 3: some members only
        low = int(c.args[0][1].value) + (1 if c.args[1][0] == ">" else 0)
        if c.args[1][0] not in (">", ">=") or low > 1:
            return True
    return False


def _constant_sequence(lhs: Node, rhs: Node) -> bool:
    """``g_t = g`` (for all t): a member with a plain index on the left, a right side without that
    index; the family is that constant in the part (it replaces the document's rule there)."""
    slots = [a for a in lhs.args if a is not None]
    if len(slots) != 1 or slots[0].kind != "name" or slots[0].args != (None, None) \
            or slots[0].value.lstrip("\\") not in _INDEX_NAMES:
        return False
    return to_text(slots[0]) not in R.free_names(rhs)


def _case_definition(tree: Node, model: DocumentModel, section: Any) -> tuple[str, str] | None:
    """``x_0 = 0``, ``A = \\begin{pmatrix}..\\end{pmatrix}``, ``\\lambda_1 = 3``: an equation whose left
    side is a name or a numbered member of a family the document does not otherwise define, and
    whose right side does not use it; sampling sets that value ((its family, its name), or None).
    ``g_t = g`` (a constant sequence, also ``g_t = g \\neq 0``) sets the whole family in the part."""
    if tree.kind != "chain" or not tree.args[1] or tree.args[1][0] != "=" \
            or not all(o in ("!=", "<", ">", "<=", ">=") for o in tree.args[1][1:]):
        return None
    lhs, rhs = tree.args[0][:2]
    if lhs.kind == "name" and _constant_sequence(lhs, rhs):
        fam, key = R.family(lhs), name_key(lhs)
        if not fam or key is None or fam in R.free_names(rhs):
            return None
        return fam, key
    if len(tree.args[1]) != 1:
        return None
    if lhs.kind != "name" or not all(a is None or a.kind == "num" for a in lhs.args):
        return None
    fam = R.family(lhs)
    key = name_key(lhs)
    if not fam or key is None or fam in R.free_names(rhs):
        return None
    for name in R.free_names(rhs):  # L = 2^N beside N = \log_2 L: setting L would go round in a circle
        b = model.definition_of(name, section)
        if b is not None and fam in R.free_names(b.rhs):
            return None
    given = model.definition_of(fam, section)
    if model.is_defined(fam, section) and not (given is not None and given.claimed):
        # x_0 = 1 for x_{k+1} = ... started from x_1 = f(x_0): the start the recurrence leaves open
        first = [a for a in lhs.args if a is not None]
        if not (len(first) == 1 and first[0].value == "0") or model.member_defined(key, section):
            return None
    return fam, key


def _without_unknown_ends(cond: Node, scope: Scope) -> tuple[Node | None, list[str]]:
    """``1 \\le \\ell \\le L`` (a range) whose upper end the problem does not know: ``\\ell \\ge 1`` and
    the dropped names.  Anything else is returned as it is."""
    if cond.kind != "chain" or cond.value != "range" or len(cond.args[0]) != 3:
        return cond, []
    lo, var, hi = cond.args[0]
    known = set(scope.known_names())
    unknown = [to_text(x) for x in hi.walk() if x.kind == "name" and to_text(x) not in known]
    if not unknown or any(x.kind == "name" and to_text(x) not in known for x in lo.walk()):
        return cond, []
    return Node("chain", "", ((var, lo), (">=",)), cond.col), unknown


def _written_in_definitions(model: DocumentModel, section: Any) -> set[str]:
    """The families the document writes inside its visible definitions' right sides (a_i of
    A = diag(a_1, \\dots, a_n)): names of its own, not a registered problem's quantities."""
    out: set[str] = set()
    for b in model.visible_bindings(section):
        if b.kind == "define" and isinstance(b.rhs, Node):
            out |= R.free_names(b.rhs)
    return out


def _ranges_without_unknown_ends(hyps: list[Node], texts: list[str], scope: Scope
                                 ) -> tuple[list[Node], list[str], list[str]]:
    """The hypotheses in scope with each index range whose upper end the problem does not know
    (``\\ell = 1, \\dots, L``) read by its lower end alone, and the dropped ends."""
    out_h, out_t, dropped = [], [], []
    for h, t in zip(hyps, texts):
        weaker, ends = _without_unknown_ends(h, scope)
        if ends and weaker is not None:
            h, t = weaker, f"{to_text(weaker.args[0][0])} \\ge {to_text(weaker.args[0][1])} (from {t})"
            dropped += [e for e in ends if e not in dropped]
        out_h.append(h)
        out_t.append(t)
    return out_h, out_t, dropped


def _index_case(tree: Node, scope: Scope | None = None) -> bool:
    """``\\ell = 0``, ``k = 1``: a case of an index (it governs its own line, not the part).  A
    declared dimension (n of X \\in \\mathbb{R}^{n \\times d}) is no index: "Take n = 1" sets the part."""
    lhs = tree.args[0][0] if tree.kind == "chain" else tree
    if scope is not None and lhs.kind == "name" and to_text(lhs) in scope.dim_symbols:
        return False
    return lhs.kind == "name" and lhs.args == (None, None) and lhs.value.lstrip("\\") in _INDEX_NAMES


def _penalty_signs(penalties: list, reach: set[str], hyps: list, texts: list, section: Any) -> tuple[list, list]:
    """``\\lambda \\ge 0`` for the weight of a squared norm in a loss this problem states (a ridge
    penalty), where the statement reaches it and no hypothesis in scope speaks of it: a negative weight
    is no reading of the document (its loss would have no minimiser)."""
    stated = set().union(*(R.free_names(h) for h in hyps)) if hyps else set()
    out_h, out_t = list(hyps), list(texts)
    done: set[str] = set()
    for w, line, sec in penalties:
        name = to_text(w)
        if name in reach and name not in stated and name not in done \
                and (visible(sec, section) or earlier_sibling(sec, section)):
            done.add(name)
            out_h.append(Node("chain", "", ((w, Node("num", "0", (), w.col)), (">=",)), w.col))
            out_t.append(f"{name} \\geq 0 (it weights a squared norm in the loss on line {line})")
    return out_h, out_t


def _sized_identities(tree: Node | None) -> Node | None:
    """``\\|I\\|_F^2 = \\text{tr}(II^\\top) = \\text{tr}(I_2) = 2``: a statement about identity matrices only,
    with one size written (I_2): its bare I is that identity (else nothing fixes its size); None where
    the statement is not of that kind."""
    if tree is None or tree.kind != "chain":
        return None
    names = [x for x in tree.walk() if x.kind == "name"]
    bare = [x for x in names if x.value == "I" and x.args == (None, None)]
    sized = {x.args[0].value for x in names if x.value == "I" and x.args[1] is None and x.args[0] is not None
             and x.args[0].kind == "num" and x.args[0].value.isdigit()}
    inside = {id(a) for x in names if x.value == "I" for a in x.args if a is not None}
    others = [x for x in names if x.value != "I" and id(x) not in inside]
    if not bare or len(sized) != 1 or others:
        return None
    k = sized.pop()
    return SOL.substitute(tree, {"I": Node("name", "I", (Node("num", k, (), 0), None), 0)})


def _zero_equation(tree: Node) -> bool:
    """``-2\\sigma^2(1 - w) + 2\\lambda w = 0``: an equation set to zero (a condition a derivation solves)."""
    return _single_equation(tree) and any(x.kind == "num" and x.value == "0" for x in tree.args[0])


def _equation_premise(previous: Any, section: Any, tree: Node, premised: Any) -> bool:
    """Whether the judged equation on the line before is one this equation rearranges: it is set to
    zero or rearranges one that is, in the same part, and the two share a name."""
    if previous is None or previous[0].tree is None or previous[0] is not premised:
        return False
    if previous[1].role not in (R.CLAIM, R.STEP, R.SOLUTION) or parts(previous[2]) != parts(section):
        return False
    return _single_equation(previous[0].tree) and _single_equation(tree) \
        and bool(R.free_names(previous[0].tree) & R.free_names(tree))


def _single_equation(tree: Node) -> bool:
    """``L = 2^N``: one equation between two sides (a chain ``a = b = c`` or a mixed one is not)."""
    return tree.kind == "chain" and tree.args[1] == ("=",)


def _samplable(tree: Node) -> bool:
    """Whether a hypothesis can steer sampling (inequalities do; x_0 = 0 or "U orthogonal" do not)."""
    return tree.kind == "chain" and all(o in ("<", "<=", ">", ">=", "!=") for o in tree.args[1])


def _introduced_in_words(context: str) -> bool:
    """Whether prose of its own introduces a span ("Nesterov evaluates the gradient at the look-ahead
    point: $...$"): a display standing alone after another restates the derivation, not a new method."""
    return re.search(r"[A-Za-z]{3,}", context[-160:]) is not None


def _numeric_constraint(tree: Node, model: DocumentModel, section: Any, structured: set[str]) -> frozenset | None:
    """The families ``\\sum_k p_k = 1`` constrains: an equation of a number and an expression only
    of members of families the document does not define (the one-side rule leaves such a claim
    undecided: it may determine them).  Not a derivative (``\\partial z_i / \\partial \\mu_i = 1`` is
    about a function), nor names whose structure the prose states (a one-hot y, an eigenvector u_1:
    sampled as stated)."""
    if tree.kind != "chain" or tuple(tree.args[1]) != ("=",):
        return None
    if any(x.kind in ("partial", "nabla", "expect") for x in tree.walk()):
        return None  # (nor a moment, E[g_1^2] = 1: it speaks of a distribution, not of drawn values)
    for side, other in (tree.args[0], tuple(reversed(tree.args[0]))):
        if not R.free_names(other) and other.kind in ("num", "neg", "frac"):
            limits = {to_text(x.args[3]) for x in side.walk() if x.kind in ("sum", "prod")
                      and isinstance(x.args[3], Node)}  # K of \sum_{k=1}^{K}: a size, not constrained
            used = R.free_names(side) - limits - _INDEX_NAMES
            if any(model.is_defined(n, section) or "(·)" in n for n in used):
                return None
            names = frozenset(n for n in used if n not in structured and n.removesuffix(R.INDEXED) not in structured)
            if names and len(used) <= 4 and all(n.endswith(R.INDEXED) for n in used):
                # only families (p_k, a_i): \sigma(x) + \sigma(-x) = 1 of a scalar x is an identity to judge
                return names
    return None


def _structured_names(facts: list) -> set[str]:
    """Every name a stated structure mentions (its names, and the names its details give)."""
    out: set[str] = set()
    for f in facts:
        out |= {n.removesuffix(R.INDEXED) for n in f.names}
        for _k, v in f.extra:
            for item in (v if isinstance(v, (tuple, list)) else (v,)):
                if isinstance(item, str):
                    out.add(item)
                    out.add(item.split("_")[0])  # u_1 of "eigenvectors u_1, ..., u_n": the family u
    return out


def _reaches_any(names: frozenset, reach: set[str]) -> bool:
    """Whether a claim reaches one of ``names`` (p_• and the vector p are one quantity here)."""
    return any(n in reach or n.removesuffix(R.INDEXED) in reach or n + R.INDEXED in reach for n in names)


# "so $f(x) = ...$", "hence": a formula the derivation reaches is a claim about the same function
_CONSEQUENCE = re.compile(r"\b(so|hence|thus|therefore|consequently|it follows that|which gives|this gives)\b[^.!?]*$",
                          re.IGNORECASE)


def _function_restated(tree: Node, model: DocumentModel, section: Any) -> str | None:
    """The function ``f`` when ``tree`` is ``f(x) = ...`` at bare arguments (names the document does not
    define: parameters, not values), with a right side other than
    that of the definition of ``f`` in scope (``A(\\eta) = e^\\eta`` after ``A(\\eta) = \\log(1 + e^\\eta)``)."""
    if tree.kind != "chain" or tuple(tree.args[1]) != ("=",):
        return None
    lhs, rhs = tree.args[0]
    if lhs.kind != "apply" or lhs.args[0].kind != "name" or lhs.args[0].args != (None, None) \
            or not all(a.kind == "name" and a.args == (None, None) for a in lhs.args[1:]):
        return None
    if any(model.is_defined(R.family(a) or "", section) for a in lhs.args[1:]):
        return None  # \tilde J(\tilde w) with \tilde w defined: the function at a value, a claim about it
    head = lhs.args[0].value
    for b in model.bindings:
        if b.kind == "define" and b.lhs.kind == "apply" and b.lhs.args[0].kind == "name" \
                and b.lhs.args[0].value == head and visible(b.section, section):
            return head if to_text(b.rhs) != to_text(rhs) else None
    return None


def _ruled_before(model: DocumentModel, fam: str, section: Any) -> bool:
    """Whether a definition in scope gives ``fam`` by a rule (v_{t+1} = \\beta v_t + g_t), not by a
    closed form (e_t = w_t - w^\\star, whose recurrence a claim then derives)."""
    return any(b.kind == "define" and b.family == fam and visible(b.section, section)
               and R.rule_form(Node("chain", "", ((b.lhs, b.rhs), ("=",)), 0)) == fam for b in model.bindings)


def _section_text(section: Any) -> str:
    return " / ".join(title for _, title, _ in section) if section else ""
