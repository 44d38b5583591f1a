"""Stage 7, *judge* (solutions): a set of values of one unknown, judged against the condition
it solves.

``2\\lambda > 0.001 + \\lambda`` then ``\\lambda > 0.001``; ``\\frac{16}{16 + \\lambda} \\ge 0.8``
then ``\\lambda \\le 4``; ``\\lambda \\le 4`` and ``\\lambda \\ge 1`` then ``\\lambda \\in [1, 4]``.
The judge stage (judge.py) identifies the candidates (the line before, joined by ⇒ or a step
word; the earlier relations of the same part in the same unknown; an indexed condition at the
index values the statement's line names) and this module compares solution sets exactly:

* each relation is bound with the document's values (binding.bind_chain); where what is left
  is a rational function of the one unknown (|·| allowed), SymPy's
  ``solve_univariate_inequality`` gives its solution set over the reals, intersected with the
  document's hypotheses on the unknown;
* a *solution* is proved when its set equals a candidate's set (or the intersection of the
  part's conditions in that unknown), or, as a consequence, when the line before implies it; a
  *step* when the line before implies it;
* it is refuted only when the line before is joined to it by ⇒ or a step word, the two are
  univariate, and a positive value satisfies every condition the part states on the unknown
  but not the statement (a positive value: an unknown written as a rate or a strength may be
  positive without the document saying so), and never for a count or an index (n, k, t);
* anything else returns None or "undecided" with the reason; the caller samples where that is
  sound (an implication step under the line before).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..verdict import PROVED, REFUTED, UNDECIDED
from .answers import number
from .binding import bind_chain
from .latex_parser import Node, to_text
from .scope import BindError, Scope

_REL = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge}
_MAX_OPS = 80  # size bound of an expression handed to the solver
_INDEX_LIST = re.compile(r"^\s*([a-z])\s*=\s*(\d{1,2}(?:\s*,\s*\d{1,2}){0,9})\s*$")


@dataclass(frozen=True)
class Premise:
    """A relation a statement may solve: its tree, as written, its line, and whether it is the
    line right before joined by ⇒ or a step word (only such a premise can refute)."""

    tree: Node
    latex: str
    line: int
    chain: bool = False
    rests: tuple = ()  # (line, latex) of the equations whose values were substituted into it


def as_inequalities(tree: Node) -> Node:
    """``x \\in [a, b]`` as ``a \\le x \\le b`` (open ends strict); other trees unchanged."""
    if tree.kind != "chain" or tuple(tree.args[1]) != ("in",):
        return tree
    x, rng = tree.args[0]
    if rng.kind != "tuple" or len(rng.args) != 2 or rng.value not in ("[]", "()", "[)", "(]"):
        return tree
    lo_op = "<" if rng.value[0] == "(" else "<="
    hi_op = "<" if rng.value[1] == ")" else "<="
    return Node("chain", "", ((rng.args[0], x, rng.args[1]), (lo_op, hi_op)), tree.col)


def with_index(tree: Node, name: str, value: int) -> Node:
    """The tree with the bare name ``name`` (an index, ``i``) replaced by the number ``value``."""
    if tree.kind == "name" and tree.value == name and tree.args == (None, None):
        return Node("num", str(value), (), tree.col)
    return Node(tree.kind, tree.value, tuple(_rebuild(a, lambda n: with_index(n, name, value)) for a in tree.args),
                tree.col)


def substitute(tree: Node, values: dict[str, Node]) -> Node:
    """The tree with every sub-tree whose text is a key of ``values`` replaced by its value
    (``\\mathcal{L}_2(W^{(\\alpha)})`` by the ``2\\lambda`` an earlier line gave it)."""
    hit = values.get(to_text(tree))
    if hit is not None:
        return hit
    return Node(tree.kind, tree.value, tuple(_rebuild(a, lambda n: substitute(n, values)) for a in tree.args),
                tree.col)


def _rebuild(a: Any, f: Any) -> Any:
    if isinstance(a, Node):
        return f(a)
    if isinstance(a, tuple):
        return tuple(_rebuild(x, f) for x in a)
    return a


def index_values(texts: list[str], trees: list[Node]) -> dict[str, list[int]]:
    """Index values a line names: ``i = 3``, ``i=1,2`` (even unparsed) and the subscripts of
    ``\\sigma_3``, ``\\sigma_4`` (kept under the key ``""``: any index name)."""
    out: dict[str, list[int]] = {}
    for t in texts:
        m = _INDEX_LIST.match(t)
        if m:
            out.setdefault(m.group(1), []).extend(int(v) for v in m.group(2).split(","))
    for tree in trees:
        for x in tree.walk():
            if x.kind == "name" and isinstance(x.args[0], Node) and x.args[0].kind == "num" \
                    and x.args[0].value.isdigit() and len(x.args[0].value) <= 2:
                out.setdefault("", []).append(int(x.args[0].value))
    return {k: sorted(set(v)) for k, v in out.items()}


def simple_set(tree: Node) -> tuple[str, sp.Set] | None:
    """The set a bound on one bare name states with plain numbers (no binding, no solving):
    ``\\lambda > 0.001``, ``1 \\le \\lambda \\le 4``, ``\\lambda \\in [1, 4]``, and
    ``\\lambda \\le 0.25 \\cdot 16 = 4`` read with its last number (its arithmetic is judged with it)."""
    tree = as_inequalities(tree)
    if tree.kind != "chain":
        return None
    items, ops = tree.args
    if ops and ops[0] in _REL and all(o == "=" for o in ops[1:]) and len(ops) > 1:
        items, ops = (items[0], items[-1]), (ops[0],)
    if not all(o in _REL for o in ops):
        return None
    names = {to_text(i) for i in items if i.kind == "name" and i.args == (None, None)}
    if len(names) != 1:
        return None
    name = names.pop()
    out: sp.Set = sp.S.Reals
    for a, op, b in zip(items, ops, items[1:]):
        x_left = a.kind == "name" and to_text(a) == name
        c = number(b if x_left else a)
        if c is None or (b.kind == "name" and to_text(b) == name) == x_left:
            return None
        if not x_left:
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op]
        out = out.intersect({"<": sp.Interval.open(-sp.oo, c), "<=": sp.Interval(-sp.oo, c),
                             ">": sp.Interval.open(c, sp.oo), ">=": sp.Interval(c, sp.oo)}[op])
    return name, out


def relation_set(tree: Node, scope: Scope, unknown: str | None = None) -> tuple[str, sp.Set] | None:
    """(unknown, solution set over the reals) of the inequality links of a relation, when what
    is left after the document's values is a rational function of one unknown; else None."""
    tree = as_inequalities(tree)
    if tree.kind != "chain":
        return None
    items, ops = tree.args
    links = [(i, op) for i, op in enumerate(ops) if op in _REL]
    if not links or any(op not in _REL and op != "=" for op in ops):
        return None
    try:
        bound = bind_chain(list(items), list(ops), scope, None, scalar_items=set(range(len(items))))
    except (BindError, ValueError, TypeError, ZeroDivisionError):
        return None
    rels = []
    for i, op in links:
        a, b = bound.items[i], bound.items[i + 1]
        if not isinstance(a, sp.Expr) or not isinstance(b, sp.Expr) or not (_tame(a) and _tame(b)):
            return None
        rels.append((a - b, op))
    free = set().union(*(e.free_symbols for e, _op in rels))
    if len(free) != 1:
        return None
    x = free.pop()
    name = str(x)
    if unknown is not None and name != unknown:
        return None
    u = sp.Symbol("u", real=True)
    out: sp.Set = sp.S.Reals
    for e, op in rels:
        e = e.subs(x, u)
        if sp.count_ops(e) > _MAX_OPS or not _rational_with_abs(e, u):
            return None
        s = _sign_set(e, op, u)
        if s is None:
            if sp.count_ops(e) > 30:
                return None
            try:
                s = sp.solve_univariate_inequality(_REL[op](e, 0), u, relational=False)
            except (NotImplementedError, ValueError, TypeError, RecursionError):
                return None
        out = out.intersect(s)
    return name, out


def _tame(e: sp.Expr) -> bool:
    """Small enough to solve: no power with a large numeric exponent (10^{10^{10}} is left
    unevaluated by the binder and must stay so), no number of more than 60 digits."""
    for x in sp.preorder_traversal(e):
        if isinstance(x, sp.Pow) and x.exp.is_number and not (x.exp.is_Rational and abs(x.exp) <= 64):
            return False  # 10^{10^{10}}, 2^{1.5}: a numeric exponent that is not a small fraction
        if isinstance(x, sp.Rational) and max(abs(x.p), x.q) > 10 ** 60:
            return False
    return True


def _sign_set(e: sp.Expr, op: str, u: sp.Symbol) -> sp.Set | None:
    """{u : e(u) op 0} for a rational function with rational coefficients whose numerator and
    denominator have rational roots only (the usual bounds): the sign tested between and at the
    roots, exactly.  None otherwise (SymPy's general solver is used then)."""
    if e.atoms(sp.Abs):
        return None
    num, den = sp.fraction(sp.together(e))
    try:
        pn, pd = sp.Poly(num, u), sp.Poly(den, u)
    except sp.PolynomialError:
        return None
    if pn.degree() > 4 or pd.degree() > 4 or not all(c.is_Rational for c in pn.coeffs() + pd.coeffs()):
        return None
    roots: set = set()
    for poly in (pn, pd):
        if poly.degree() > 0:
            found = poly.real_roots()
            if any(not r.is_Rational for r in found):
                return None
            roots |= set(found)
    pts = sorted(roots)
    test = _REL[op]

    def holds(v: sp.Rational) -> bool:
        d = pd.eval(v)
        return d != 0 and bool(test(pn.eval(v) / d, 0))

    probes = [pts[0] - 1] + [(a + b) / 2 for a, b in zip(pts, pts[1:])] + [pts[-1] + 1] if pts else [sp.Integer(0)]
    edges = [-sp.oo] + pts + [sp.oo]
    pieces: list[sp.Set] = [sp.Interval.open(a, b) for a, b, v in zip(edges, edges[1:], probes) if holds(v)]
    pieces += [sp.FiniteSet(r) for r in pts if holds(r)]
    return sp.Union(*pieces) if pieces else sp.S.EmptySet


def _rational_with_abs(e: sp.Expr, u: sp.Symbol) -> bool:
    """A rational function of u, possibly with |·| of rational functions (what the solver decides)."""
    plain = e.replace(lambda t: isinstance(t, sp.Abs), lambda t: sp.Symbol("abs_", real=True))
    if not all(a.args[0].is_rational_function(u) for a in e.atoms(sp.Abs)):
        return False
    return plain.is_rational_function(u, sp.Symbol("abs_", real=True))


def _arithmetic(tree: Node, scope: Scope) -> tuple[str, str] | None:
    """The ``=`` links of ``\\lambda \\le 0.25 \\cdot 4^2 = 4``: None when each holds between
    numbers (exactly), ("refuted", why) when one fails, ("undecided", why) when not numbers."""
    items, ops = tree.args
    for i, op in enumerate(ops):
        if op != "=":
            continue
        try:
            b = bind_chain([items[i], items[i + 1]], ["="], scope, None)
        except (BindError, ValueError, TypeError, ZeroDivisionError):
            return "undecided", f"the link {to_text(items[i])} = {to_text(items[i + 1])} could not be read"
        lhs, rhs = b.items
        if not (isinstance(lhs, sp.Expr) and isinstance(rhs, sp.Expr)) or lhs.free_symbols or rhs.free_symbols:
            return "undecided", f"the link {to_text(items[i])} = {to_text(items[i + 1])} is not between numbers"
        if sp.nsimplify(lhs - rhs) != 0:
            if _rounded(items[i + 1], lhs) or _rounded(items[i], rhs):
                return "undecided", f"{to_text(items[i])} = {to_text(items[i + 1])} holds only rounded"
            return "refuted", f"{to_text(items[i])} = {sp.nsimplify(lhs)}, not {sp.nsimplify(rhs)}"
    return None


def _rounded(written: Node, exact: sp.Expr) -> bool:
    """A decimal written for a value it rounds (``\\frac{1}{3} = 0.33``): not an arithmetic error."""
    if written.kind != "num" or "." not in written.value:
        return False
    places = len(written.value.split(".")[1])
    try:
        return abs(sp.Float(exact, 30) - sp.Rational(written.value)) <= sp.Rational(1, 2) * sp.Rational(10) ** -places
    except (TypeError, ValueError):
        return False


def _show(s: sp.Set) -> str:
    return str(s).replace("Interval.open", "open interval ").replace("Interval.Ropen", "interval ") \
        .replace("Interval.Lopen", "interval ")


def _positive_point(s: sp.Set) -> sp.Expr | None:
    """A simple positive point of ``s`` (a counterexample value), or None."""
    s = s.intersect(sp.Interval.open(0, sp.oo))
    for piece in (s.args if isinstance(s, sp.Union) else (s,)):
        if isinstance(piece, sp.Interval):
            a, b = piece.start, piece.end
            if a.is_finite and b.is_finite:
                return a if not piece.left_open else (b if not piece.right_open else (a + b) / 2)
            if a.is_finite:
                return a if not piece.left_open else a + 1
        elif isinstance(piece, sp.FiniteSet) and piece.args:
            return piece.args[0]
    return None


def judge_solution(tree: Node, role: str, premises: list[Premise], hypotheses: list[Node], strict: bool,
                   idx: dict[str, list[int]], scope: Scope) -> dict[str, Any] | None:
    """The verdict of a solution (or an inequality step) against the conditions it may solve;
    None when nothing can be compared exactly (the caller decides what else to do)."""
    got = relation_set(tree, scope)
    if got is None:
        return None
    name, claimed = got
    arith = _arithmetic(as_inequalities(tree), scope)
    if arith is not None and arith[0] == "refuted":
        return {"status": REFUTED, "scope": f"refuted: {arith[1]} (exact arithmetic)", "reason": arith[1],
                "links": [], "counterexample": {"instance": {}, "lhs": arith[1], "rhs": ""}}
    cache: dict[str, tuple[str, sp.Set] | None] = {}

    def set_of(t: Node, cheap: bool = False) -> sp.Set | None:
        """A relation's set in the unknown: plain numbers first (no binding), then bound (cached)."""
        key = to_text(t)
        if key not in cache:
            got_simple = simple_set(t)
            if got_simple is not None and got_simple[0] == name:
                cache[key] = got_simple
            elif cheap:
                return None
            else:
                cache[key] = relation_set(t, scope, name)
        hit = cache[key]
        return hit[1] if hit is not None else None

    domain: sp.Set = sp.S.Reals
    for h in hypotheses:
        if name in to_text(h):  # a hypothesis on other names says nothing about this one
            hs = set_of(h)
            if hs is not None:
                domain = domain.intersect(hs)
    mine = claimed.intersect(domain)
    where = " within the hypotheses on " + name if domain != sp.S.Reals else " over the reals"
    found: list[tuple[Premise, sp.Set, str]] = []
    verdict = None
    uses: list[tuple[int, str]] = []  # the lines the verdict rests on (a refuted one voids it: judge.py)
    implied: str | None = None  # the line before implies it (a consequence), with the lines it rests on
    implied_uses: list[tuple[int, str]] = []
    # nearest first; the first equal set (or implying line) decides: bounds in plain numbers first
    for cheap in (True, False):
        for p in premises:
            for variant, note in _variants(p.tree, idx)[:1 if cheap else None]:
                ps = set_of(variant, cheap)
                if ps is None:
                    continue
                if not cheap or not any(f[0] is p and f[2] == note for f in found):
                    found.append((p, ps, note))
                theirs = ps.intersect(domain)
                if role == "solution" and sp.Eq(theirs, mine) is sp.true:
                    verdict = (f"the set {_show(mine)} equals the solution set of line {p.line}'s "
                               f"${p.latex}${note}{where} (exact, SymPy)")
                elif p.chain and not note and theirs.is_subset(mine):
                    implied = (f"implied by the line before (${p.latex}$: {name} ∈ {_show(theirs)}){where} "
                               "(exact, SymPy)" + ("; a consequence, not that line's whole solution set"
                                                   if role == "solution" else ""))
                    if role != "solution":
                        verdict = implied
                    implied_uses = [(p.line, p.latex), *p.rests]
                if verdict is not None:
                    uses = [(p.line, p.latex), *p.rests]
                    break
            if verdict is not None:
                break
        if verdict is not None:
            break
    found = list({(id(p), note): (p, s, note) for p, s, note in found}.values())
    if verdict is None and implied is not None and role == "solution" and not _equal_to_together(found, domain, mine):
        verdict, uses = implied, implied_uses  # "so h < 0.6" after "3h < 1.5": true, and weaker
    if not found:
        return None
    together = domain
    for _p, s, note in found:
        if not note:
            together = together.intersect(s)
    lines = sorted({p.line for p, _s, note in found if not note})
    if verdict is None and sum(1 for _p, _s, note in found if not note) > 1:
        if role == "solution" and sp.Eq(together, mine) is sp.true \
                or role != "solution" and together.is_subset(mine):
            verdict = (f"the set {_show(mine)} {'equals' if role == 'solution' else 'contains'} the intersection "
                       f"of the conditions on {name} of lines {', '.join(map(str, lines))}{where} (exact, SymPy)")
            uses = [u for p, _s, note in found if not note for u in ((p.line, p.latex), *p.rests)]
    if verdict is not None:
        if arith is not None:
            return {"status": UNDECIDED, "scope": f"undecided: {verdict}, but {arith[1]}", "reason": arith[1],
                    "links": []}
        return {"status": PROVED, "scope": f"proved: {verdict}", "reason": None, "links": [], "uses": uses}
    chain = next(((p, s) for p, s, note in found if p.chain and not note), None)
    if strict and chain is not None and not integer_like(name):
        outside = together.intersect(chain[1]) - claimed
        w = _positive_point(outside)
        if w is not None:
            why = (f"{name} = {w} satisfies the line before (${chain[0].latex}$) and every condition on {name} "
                   f"stated in this part, but not this statement: {name} ∈ {_show(together.intersect(chain[1]))} "
                   f"there, {name} ∈ {_show(claimed)} here")
            return {"status": REFUTED, "scope": f"refuted: {why}", "reason": why, "links": [],
                    "counterexample": {"instance": {name: str(w)}, "lhs": _show(together.intersect(chain[1])),
                                       "rhs": _show(claimed)},
                    "premise": [(chain[0].line, chain[0].latex), *chain[0].rests]}
    seen = "; ".join(f"line {p.line}{note}: {_show(s)}" for p, s, note in found)
    why = (f"the set {name} ∈ {_show(claimed)} equals none of the conditions on {name} it may solve ({seen})"
           if role == "solution" else f"it is not implied by the conditions on {name} before it ({seen})")
    return {"status": UNDECIDED, "scope": f"undecided: {why}", "reason": why, "links": []}


def _equal_to_together(found: list, domain: sp.Set, mine: sp.Set) -> bool:
    """Whether the set equals the intersection of the part's conditions (judged as such then)."""
    together = domain
    for _p, s, note in found:
        if not note:
            together = together.intersect(s)
    return sum(1 for _p, _s, note in found if not note) > 1 and sp.Eq(together, mine) is sp.true


# letters that usually count (n^2 > 3 gives n >= 2 over the integers, not over the reals)
_COUNT_LETTERS = set("ijklmnpqrstNKLMTDd") | {"\\ell"}


def integer_like(name: str) -> bool:
    """An unknown conventionally an integer (a count, an index): its real solution set is no
    ground to refute a bound stated for it."""
    return name in _COUNT_LETTERS


def _variants(tree: Node, idx: dict[str, list[int]]) -> list[tuple[Node, str]]:
    """The tree itself, then (for a condition in an index, ``\\sigma_i``) the tree at each index
    value the statement's line names."""
    out: list[tuple[Node, str]] = []
    letters = {x.args[0].value for x in tree.walk() if x.kind == "name" and isinstance(x.args[0], Node)
               and x.args[0].kind == "name" and x.args[0].args == (None, None) and len(x.args[0].value) == 1}
    for letter in sorted(letters):
        for v in idx.get(letter, []) + [v for v in idx.get("", []) if v not in idx.get(letter, [])]:
            out.append((with_index(tree, letter, v), f" at {letter} = {v}"))
    # the tree itself first (still in its index only where the line names no value for it)
    return [(tree, "")] + out[:11] if not out else out[:12]
