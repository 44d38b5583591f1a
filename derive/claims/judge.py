"""Judge the claims of a document: one verdict per claim and per link of a chain.

Each statement is bound (names -> SymPy, shapes inferred) and every link ``a op b`` is
sent to :func:`derive.check.check_equal` on the problem's random instances (or, without
a problem, on a problem built on the fly from the claim's free symbols: random sizes,
non-symmetric matrices, invertible where inverted, integer indices including their
boundary).  The whole statement runs in a worker process killed at the time limit
(:func:`derive.check.worker.run_bounded`), so nothing a user writes can hang the tool.
"""

from __future__ import annotations

import dataclasses
import re
import random
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import mpmath
import sympy as sp
from sympy.core.sympify import _sympify  # strict: never parses a string
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..check import CheckSettings, check_equal
from ..budget import unjudged
from ..check.symbolic import prove_equal
from ..check.worker import start_worker
from ..errors import DeriveError
from ..numeric import EvaluationError, as_scalar, evaluate
from ..problem import Dim, Index, Problem, Sampler
from ..symbols import MatSeq
from ..verdict import ASSUMED, DEFINED, INCONSISTENT, PROVED, REFUTED, UNDECIDED, VERIFIED, Verdict, combine
from .binding import BindError, Bound, Scope, ShapeError, bind_chain, name_key
from .latex_parser import Node, ParseError, to_text
from .nodes import AtM, AtS, DerivM, DerivS, DifferentialM, DifferentialS, MatFn, Norm, ScalarFn, Softmax
from . import roles as R
from .model import DocumentModel, parts, visible
from .reader import Document
from .roles import family, free_names
from .statements import Statement, split_statements

INDEX_HIGH = 6  # generic integer indices are sampled in low..6
WIDE_INDEX_HIGH = 40  # ... and in low..40 when a claim is checked across its whole domain (see _wide_scalar)
WIDE_DIMS = (2, 3, 5, 9)
WIDE_EXPONENT = 4  # wide scalars reach 10^±4 in identities (cancellation stays far inside 50 digits)
HIDDEN_NAMES = ("H", "h", "n_h", "hidden", "n_hidden")  # a problem dimension that is a hidden size
_CUSTOM = (ScalarFn, MatFn, DerivS, DerivM, DifferentialS, DifferentialM, AtS, AtM, Norm, Softmax)


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


# --- a problem built on the fly for generic identities ---------------------------------------------

_PROBES = (2.5, -2.5, 10, -10, 0.5, -0.5, 1000, -1000, 0.001, -0.001, 1, -1, 0, 37, -37)


def _wide_scalar(sampler: Sampler, interval: tuple[Any, bool, Any, bool] | None, exponent: int = 6,
                 draw: int = -1) -> Any:
    """A scalar across many orders of magnitude, both signs and near the ends of its allowed
    interval (the hypotheses'), so that an inequality that holds only on a narrow range fails.
    The first draws are fixed probes (the same for every seed, so a verdict cannot depend on
    the seed's luck); later ones are random.  Deterministic in the generator."""
    rng = sampler.rng
    lo, lo_open, hi, hi_open = interval if interval is not None else (None, True, None, True)

    def allowed(x: Any) -> bool:
        return (lo is None or x > lo or (x == lo and not lo_open)) and (hi is None or x < hi or (x == hi and not hi_open))

    if 0 <= draw < len(_PROBES):
        probe = mpmath.mpf(_PROBES[draw])
        if lo is not None and hi is not None:
            probe = lo + (hi - lo) * mpmath.mpf((draw * 7 % 11) + 0.5) / 12  # spread inside a bounded interval
        if allowed(probe):
            return probe
    for _ in range(50):
        kind = rng.random()
        if lo is not None and hi is not None:
            width = hi - lo
            if kind < 0.5:
                x = lo + width * mpmath.mpf(rng.random())
            else:  # near an end: 10^-1 .. 10^-6 of the width away
                gap = width * mpmath.mpf(10) ** (-rng.randint(1, 6))
                x = lo + gap if kind < 0.75 else hi - gap
        elif lo is not None or hi is not None:
            end, sign = (lo, 1) if lo is not None else (hi, -1)
            x = end + sign * mpmath.mpf(10) ** mpmath.mpf(rng.uniform(-exponent, exponent))
        elif kind < 0.35:
            x = mpmath.mpf(rng.uniform(-1, 1))
        else:
            x = (1 if rng.random() < 0.5 else -1) * mpmath.mpf(10) ** mpmath.mpf(rng.uniform(-exponent, exponent))
        if allowed(x):
            return x
    return sampler.scalar(-1, 1)


def _intervals(relations: list[tuple[sp.Basic, str, sp.Basic]]) -> dict[sp.Basic, tuple[Any, bool, Any, bool]]:
    """Bounds ``x > 0``, ``0 < \\beta < 1`` on single scalar symbols, read off the hypotheses."""
    out: dict[sp.Basic, list] = {}
    for lhs, op, rhs in relations:
        if op == "!=":
            continue
        if isinstance(rhs, sp.Symbol) and lhs.is_number:
            lhs, rhs, op = rhs, lhs, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
        if not (isinstance(lhs, sp.Symbol) and rhs.is_number and rhs.is_real):
            continue
        b = out.setdefault(lhs, [None, True, None, True])
        v = mpmath.mpf(str(sp.N(rhs, 30)))
        if op in (">", ">=") and (b[0] is None or v >= b[0]):
            b[0], b[1] = v, op == ">"
        elif op in ("<", "<=") and (b[2] is None or v <= b[2]):
            b[2], b[3] = v, op == "<"
    return {k: tuple(v) for k, v in out.items()}


def generic_problem(bound: Bound, intervals: dict[sp.Basic, tuple[Any, bool, Any, bool]] | None = None,
                    wide: bool = False, exponent: int = 6) -> Problem:
    """A Problem over the claim's free symbols: dims 2..4, indices 0..6, random values.

    ``intervals`` (from the hypotheses) bound scalars; ``wide`` draws scalars across many
    orders of magnitude (for inequalities, whose failures hide outside (-1, 1))."""
    intervals = intervals or {}
    entry_ranges = bound.extra.get("entry_ranges", [])
    dim_syms: set[sp.Symbol] = set(bound.dims)
    for info in bound.symbols.values():
        s = info.sympy
        if s is not None and isinstance(s, MatrixExpr):
            for d in s.shape:
                dim_syms |= {x for x in _sympify(d).free_symbols}
    for e in bound.items:
        if e is None:
            continue
        for node in sp.preorder_traversal(e):
            if isinstance(node, MatrixExpr):
                for d in node.shape:
                    dim_syms |= {x for x in _sympify(d).free_symbols if x.is_positive}
    for e in bound.items:  # a declared dimension used as a number (a sum's limit K)
        if e is not None:
            dim_syms |= {x for x in e.free_symbols
                         if isinstance(x, sp.Symbol) and x.is_integer and x.is_positive and x not in bound.indices}
    seqs = {k: i for k, i in bound.symbols.items() if i.kind == "seq"}
    entry_idx = {i for i, _d in bound.extra.get("entry_ranges", [])}
    index_syms = [s for s in bound.indices if s not in dim_syms and s not in entry_idx]
    dims = tuple(Dim(s, WIDE_DIMS if wide else (2, 3, 4)) for s in sorted(dim_syms, key=str))
    indices = tuple(Index(s, 0, WIDE_INDEX_HIGH if wide else INDEX_HIGH) for s in sorted(index_syms, key=str))
    infos = [i for i in bound.symbols.values() if i.kind in ("scalar", "matrix") and i.sympy is not None]
    seq_shapes: dict[str, tuple[Any, Any]] = {}
    for key, info in seqs.items():
        seq_shapes[key] = _seq_shape(bound, key)

    calls = [0]  # instances drawn so far: the first ones take the fixed probes

    def sample(sampler: Sampler, sizes) -> dict[Any, Any]:
        vals: dict[Any, Any] = {}
        draw = calls[0]
        calls[0] += 1
        for pos, info in enumerate(infos):
            s = info.sympy
            if isinstance(s, MatrixExpr):
                r, c = (int(_sympify(d).xreplace(sizes)) for d in s.shape)
                kind = "invertible" if info.invertible and r == c else "general"
                m = sampler.matrix(r, c, kind)
                if info.positive:
                    m = m.apply(lambda x: abs(x) + mpmath.mpf(1) / 4)
                vals[s] = m
            elif s in intervals or wide:
                iv = intervals.get(s)
                if info.positive and iv is None:
                    iv = (mpmath.mpf(0), True, None, True)
                vals[s] = _wide_scalar(sampler, iv, exponent, (draw + 5 * pos) % 64 if draw < 64 else -1) \
                    if not sampler.small else sampler.positive(0.25, 2) if info.positive else sampler.scalar(-1, 1)
            else:
                vals[s] = sampler.positive(0.25, 2) if info.positive else sampler.scalar(-1, 1)
        if seqs:
            vals["sequence seed"] = sampler.rng.randrange(2**31)
            vals["sequence small"] = int(sampler.small)
        for idx, dim in entry_ranges:  # an entry's index runs over 1..dim
            size = int(_sympify(dim).xreplace(sizes)) if not isinstance(dim, int) else dim
            vals[idx] = sampler.rng.randint(1, max(1, size))
        return vals

    def reference(values: dict[Any, Any], dps: int) -> dict[str, Callable[..., Any]]:
        out: dict[str, Callable[..., Any]] = {}
        for key in seqs:
            rows, cols = seq_shapes[key]

            def element(*idx: int, key=key, rows=rows, cols=cols) -> Any:
                tag = f"{values['sequence seed']}|{key}|{idx}".encode()
                rng = random.Random(zlib.crc32(tag))
                s = Sampler(rng, dps, small=bool(values["sequence small"]))
                r = int(_sympify(rows).xreplace(values)) if rows is not None else 1
                c = int(_sympify(cols).xreplace(values)) if cols is not None else 1
                if r == 1 and c == 1 and rows is None:
                    return s.scalar(-1, 1)
                return s.matrix(r, c)

            out[key] = element
        return out

    return Problem(name="generic", title="generic identity", statement="", dims=dims, indices=indices,
                   sample_values=sample, reference=reference)


def _seq_shape(bound: Bound, key: str) -> tuple[Any, Any]:
    for e in bound.items:
        if e is None:
            continue
        for node in sp.preorder_traversal(e):
            if isinstance(node, MatSeq) and node.seq_name == key:
                return node.shape
    return (None, None)


# --- judging -----------------------------------------------------------------------------------------

def _free_identity(bare: set, *exprs: sp.Basic) -> bool:
    """An ``I`` written without a size whose size no matrix of the statement fixes
    (``\\|I\\|_F^2`` beside ``\\operatorname{tr}(I_2)``: the two may be of different sizes)."""
    if not bare:
        return False
    others: set = set()
    for e in exprs:
        for x in sp.preorder_traversal(e):
            if isinstance(x, MatrixExpr) and not isinstance(x, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix)) \
                    and not any(isinstance(a, MatrixExpr) for a in x.args):
                for d in x.shape:
                    others |= _sympify(d).free_symbols
    return any(not (_sympify(d).free_symbols <= others) for d in bare if not _sympify(d).is_number)


def _transcendental(e: sp.Basic) -> bool:
    return any(isinstance(x, (sp.exp, sp.log, sp.Pow)) and not (isinstance(x, sp.Pow) and x.exp.is_Integer)
               or isinstance(x, _CUSTOM) or isinstance(x, (sp.tanh, sp.sin, sp.cos, sp.Function))
               and not isinstance(x, (sp.Min, sp.Max, sp.Abs, sp.KroneckerDelta, sp.factorial))
               for x in sp.preorder_traversal(e))


def _has_sequences(bound: Bound) -> bool:
    return any(i.kind == "seq" for i in bound.symbols.values())


def _has_custom(e: sp.Basic) -> bool:
    return any(isinstance(x, _CUSTOM) for x in sp.preorder_traversal(e))


def _links(tree: Node) -> tuple[list[Node], list[tuple[int, str, int]]]:
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
    from .binding import Inference

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
    from .binding import Inference

    inf = Inference(scope, 0, set())
    matched: set[str] = set()
    stack = [tree]
    while stack:
        n = stack.pop()
        if n.kind in ("name", "partial", "nabla", "apply"):
            pat = next((p for p in scope.patterns if _unifies(inf, p.tree, n)), None)
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


def _unifies(inf: Any, pattern: Node, n: Node) -> bool:
    try:
        return inf._unify_pattern(pattern, n) is not None
    except BindError:
        return False


def _auto_scopes(doc: Document) -> list[tuple[str, Scope]]:
    """A scope for every registered problem (with the document's own given bindings)."""
    from ..registry import REGISTRY

    out = []
    for name in REGISTRY.names():
        try:
            scope = build_scope(doc, name)
        except Exception:  # noqa: BLE001 - a problem that cannot be bound here is just not a candidate
            continue
        if scope.problem is not None:
            scope.problem = CachedProblem.wrap(scope.problem)
        out.append((name, scope))
    return out


def _generic_scope(scope: Scope) -> Scope:
    """The document's own bindings without the problem (for general facts such as
    d/dx tanh(x) = 1 - tanh²(x) stated in a problem's solution)."""
    return dataclasses.replace(scope, problem=None, patterns=[], index_symbols={}, dim_symbols={})


def judge_statement(st: Statement, scope: Scope, opts: Options) -> dict[str, Any]:
    """Bind and check one statement; returns a plain dict (it travels between processes)."""
    import sys

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 6000))  # a worker: deep but bounded trees
    tree = st.tree
    assert tree is not None
    nodes, links = _links(tree)
    if not links:
        return {"status": UNDECIDED, "scope": "undecided: no relation to check", "reason": "no relation", "links": []}
    skipped = links[:st.skip_links]
    links = links[st.skip_links:]
    if not links:
        return {"status": UNDECIDED, "scope": "undecided: nothing left to judge", "reason": "no claim", "links": []}
    n_own = len(nodes)
    hyp_links: list[tuple[int, str, int]] = []
    # names of an index range (0 <= j <= 2^{N-1} - 1) are integers, however they are spelled
    range_names = {to_text(x) for h in st.hypotheses if h.kind == "chain" and h.value == "range"
                   for x in h.walk() if x.kind == "name" and x.args == (None, None)}
    for h in st.hypotheses:
        h_nodes, h_links = _links(h)
        off = len(nodes)
        nodes.extend(h_nodes)
        hyp_links.extend((a + off, op, b + off) for a, op, b in h_links
                         if op in ("<", "<=", ">", ">=", "!="))
    pairs = [(a, b) for a, op, b in links + hyp_links if op not in _NOT_JUDGED]
    scalar_items = {i for a, op, b in links + hyp_links if op in ("<", "<=", ">", ">=") for i in (a, b)}
    if st.local_defs:
        scope = scope.copy()
        for text in st.local_defs:
            try:
                scope.add_given(text)
            except (ParseError, BindError) as exc:
                return {"status": UNDECIDED, "scope": f"undecided: the definition {text!r} is not understood ({exc})",
                        "reason": f"definition {text!r} not understood", "links": []}
    hyp_note = ""

    def bind(nodes_: list[Node], pairs_: list, scalars_: set, scope_: Scope) -> tuple[Bound, Scope]:
        try:
            return bind_chain(nodes_, [], scope_, st.condition, pairs=pairs_, scalar_items=scalars_,
                              index_extra=range_names), scope_
        except BindError:
            if scope_.problem is None or _problem_names_used(tree, scope_):
                raise
            # a general fact that uses none of the problem's names
            scope_ = _generic_scope(scope_)
            return bind_chain(nodes_, [], scope_, st.condition, pairs=pairs_, scalar_items=scalars_,
                              index_extra=range_names), scope_

    try:
        try:
            bound, scope = bind(nodes, pairs, scalar_items, scope)
        except BindError:
            if not hyp_links:
                raise
            nodes, hyp_links = nodes[:n_own], []
            pairs = [(a, b) for a, op, b in links if op not in _NOT_JUDGED]
            scalar_items = {i for a, op, b in links if op in ("<", "<=", ">", ">=") for i in (a, b)}
            bound, scope = bind(nodes, pairs, scalar_items, scope)
            hyp_note = "the hypotheses in scope could not be read with it"
    except BindError as exc:
        col = f" at column {exc.column + st.col - 1}" if exc.column else ""
        msg = str(exc).split(" at column ")[0]
        if isinstance(exc, ShapeError) and _all_declared(tree, scope):
            # declarations are made in one context and used in another ("x in R^n", later "if A is
            # square"): shapes that do not fit are reported, not refuted
            shapes = ", ".join(f"{k}: {v}" for k, v in _declared_text(tree, scope).items())
            why = f"{msg}{col}, with the shapes the document declares ({shapes})"
            return {"status": UNDECIDED, "scope": f"undecided: {why}", "reason": why, "links": []}
        return {"status": UNDECIDED, "scope": f"undecided: {msg}{col}", "reason": f"{msg}{col}", "links": []}
    generic = bound.hypothesis is not None and scope.problem is None
    relations = [(bound.items[a], op, bound.items[b]) for a, op, b in hyp_links]
    problem = scope.problem if scope.problem is not None else generic_problem(bound, _intervals(relations))
    wide_problem = wide_eq = None
    if scope.problem is None and not _has_sequences(bound) and not any(
            _transcendental(e) for e in bound.items if e is not None):
        # algebraic identities only: exp, log, σ, tanh saturate at large arguments and a 50-digit
        # evaluation would see rounding, not a counterexample
        wide_eq = generic_problem(bound, _intervals(relations), wide=True, exponent=WIDE_EXPONENT)
        if hyp_links:
            wide_eq = HypothesisProblem.wrap(wide_eq, relations)
    if scope.problem is None and any(op in ("<", "<=", ">", ">=") for _a, op, _b in links):
        wide_problem = generic_problem(bound, _intervals(relations), wide=True)
        if hyp_links:
            wide_problem = HypothesisProblem.wrap(wide_problem, relations)
    if hyp_links:
        problem = HypothesisProblem.wrap(problem, relations)
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
        text_l, text_r = text_of(a), text_of(b)
        if op in _NOT_JUDGED:
            v = Verdict(UNDECIDED, f"undecided: {_NOT_JUDGED[op]}", reason=_NOT_JUDGED[op])
        elif op in ("=", ":=", "<-", "!="):
            prover = prove_equal if not (_has_custom(lhs) or _has_custom(rhs)) else None
            v = check_equal(lhs, rhs, problem, condition=bound.condition, settings=settings, prover=prover,
                            claim=f"{text_l} = {text_r}")
            if v.status == VERIFIED and wide_eq is not None:
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
        if v.status == REFUTED and (st.unapplied or hyp_note):
            why = ("it fails on an instance, but the hypotheses in scope ("
                   + "; ".join((st.unapplied or [hyp_note]))[:200] + ") were not applied when sampling")
            v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
        if v.status == REFUTED and _free_identity(bound.extra.get("bare_identity", set()), lhs, rhs):
            why = "the size of an identity matrix is not fixed by the statement (‖I‖ and tr(I_2) may mean sizes apart)"
            v = Verdict(UNDECIDED, f"undecided: {why}", reason=why)
        if v.status == REFUTED and op != "!=":
            blocked = _unbound_one_side(nodes[a], nodes[b], scope, st)
            if blocked:
                why = (f"{', '.join(sorted(blocked))} {'is' if len(blocked) == 1 else 'are'} not defined in the "
                       "document and appear(s) on one side only: the statement may determine "
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
    if scope.problem is None:
        scope_text += f" [generic: {bound.hypothesis}]"
    del generic
    return {"status": status, "scope": scope_text, "reason": reason, "counterexample": first_bad.counterexample,
            "links": [dataclasses.asdict(r) for r in results]}


def _all_declared(tree: Node, scope: Scope) -> bool:
    """Every name the statement reaches (through definitions) has a declared shape."""
    names = _expanded_names(tree, scope) - _derivative_variables(tree)
    names -= {"I", "\\mathbf{1}", "e", "\\pi"}
    if scope.problem is not None or not names:
        return False
    return all(n in scope.declared for n in names)


def _declared_text(tree: Node, scope: Scope) -> dict[str, str]:
    out = {}
    for n in sorted(_expanded_names(tree, scope)):
        d = scope.declared.get(n)
        if d is not None:
            out[n] = f"{d.rows} x {d.cols}"
    return out


def _unbound_one_side(left: Node, right: Node, scope: Scope, st: Statement) -> set[str]:
    r"""Names that give a refutation no force: not defined, declared or assumed anywhere in
    scope, and used on one side only (``\tilde w_{jj}(\sigma_j^2 + \lambda) = \sigma_j^2``
    determines w; it is no identity in w).  With a problem, every name is bound already."""
    if scope.problem is not None:
        return set()
    if not st.in_document_model:
        return set()  # a bare list of identities: the generic reading is the universal one
    known = {f + "(·)" for f in scope.funcs} | {"I", "I" + R.INDEXED, "\\mathbf{1}", "e", "\\pi"}
    # the model's parameters (names its definitions use) and the variables its hypotheses
    # constrain are universal: a term that drops one of them is a slip, not an unknown
    for rhs in st.given_rhs:
        known |= free_names(rhs)
    # the model's inputs: names its definitions are made of (x in mu = 1/n sum x_i) are universal
    for fam, rhss in scope.def_families.items():
        if fam == st.defines:
            continue  # the statement's own first link does not make its names universal
        bound_vars = scope.def_index_vars.get(fam, set())
        for rhs in rhss:
            known |= free_names(rhs) - bound_vars - st.subjects  # M = ... stated (not understood): an unknown
    for h in st.hypotheses:
        known |= free_names(h)
    a, b = _expanded_names(left, scope), _expanded_names(right, scope)
    wrt = _derivative_variables(left) | _derivative_variables(right)
    # p used as a vector while only its entries p_k are defined, or Σ_{ij} where only Σ_{ii} is:
    # the rest of it is not the document's
    out = {n for n in a | b if n + R.INDEXED in scope.def_families and n not in scope.def_families}
    for side in (left, right):  # a member the document did not give (Sigma_{ij} beside Sigma_{ii} = sigma_i)
        for x in side.walk():
            if x.kind == "name" and (family(x) or "") in scope.partial_families and to_text(x) not in scope.defs:
                out.add(family(x) or "")
    for name in a ^ b:
        if name in known or name in wrt or name.removesuffix("(·)") in scope.funcs:
            continue
        if name in scope.def_families:
            continue
        out.add(name)
    return out


def _expanded_names(n: Node, scope: Scope, depth: int = 0) -> set[str]:
    """Free names of ``n`` with the document's definitions replaced by what they use."""
    out: set[str] = set()
    for name in free_names(n):
        if name in scope.funcs and depth < 8:  # F(x) = ...: what its body uses, less its parameters
            params, body = scope.funcs[name]
            out |= _expanded_names(body, scope, depth + 1) - {family(p) or "" for p in params}
            continue
        rhss = scope.def_families.get(name)
        if rhss and depth < 8:
            for rhs in rhss:
                out |= _expanded_names(rhs, scope, depth + 1) - {name} - scope.def_index_vars.get(name, set())
        else:
            out.add(name)
    return out


def _derivative_variables(n: Node) -> set[str]:
    """Names a derivative is taken with respect to (∂/∂x, d/dx, ∇_x): on one side only by nature."""
    out: set[str] = set()
    for x in n.walk():
        var = None
        if x.kind == "partial":
            var = x.args[1]
        elif x.kind == "ddx":
            var = x.args[0]
        elif x.kind == "nabla" and len(x.args) > 2:
            var = x.args[2]
        if isinstance(var, Node):
            out |= {family(v) or "" for v in var.walk() if v.kind == "name"}
    return out


class HypothesisProblem(Problem):
    """A problem whose instances satisfy the document's hypotheses in scope (rejection
    sampling: an instance that violates one is drawn again, a bounded number of times)."""

    TRIES = 64

    @classmethod
    def wrap(cls, problem: Problem, relations: list[tuple[sp.Basic, str, sp.Basic]]) -> "HypothesisProblem":
        obj = cls(**{f.name: getattr(problem, f.name) for f in dataclasses.fields(problem)})
        object.__setattr__(obj, "_inner", problem)
        object.__setattr__(obj, "_relations", relations)
        return obj

    def _holds(self, inst: Any) -> bool:
        for lhs, op, rhs in self._relations:
            left = as_scalar(evaluate(lhs, inst.values, inst.sequences, inst.dps))
            right = as_scalar(evaluate(rhs, inst.values, inst.sequences, inst.dps))
            if isinstance(left, mpmath.mpc) or isinstance(right, mpmath.mpc):
                return False
            ok = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
                  "!=": left != right}[op]
            if not ok:
                return False
        return True

    def sample(self, rng, dps=50, *, small=False, fixed=None, ranges=None):  # type: ignore[override]
        for k in range(self.TRIES):
            inst = self._inner.sample(rng, dps, small=small, fixed=fixed if k == 0 else None, ranges=ranges)
            try:
                if self._holds(inst):
                    return inst
            except EvaluationError:
                continue
        raise EvaluationError(f"no instance in {self.TRIES} draws satisfies the hypotheses in scope")


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
    from .statements import _depth_walk

    try:
        toks = tokenize(latex)
    except ParseError:
        return []
    cuts = [(t.col - 1, t.col - 1 + len(t.value)) for _, t, d in _depth_walk(toks)
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


def _number(n: Node) -> sp.Expr | None:
    if n.kind == "num":
        return sp.Rational(n.value) if "." in n.value else sp.Integer(int(n.value[:12]))
    if n.kind == "neg":
        v = _number(n.args[0])
        return -v if v is not None else None
    if n.kind == "infinity":
        return sp.oo
    if n.kind == "div" and n.value == "frac":
        a, b = _number(n.args[0]), _number(n.args[1])
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
        lo, hi = (_number(x) for x in rhs.args)
        if lo is None or hi is None:
            return None
        return name, sp.Interval(lo, hi, rhs.value[0] == "(", rhs.value[1] == ")")
    c = _number(rhs)
    if c is None or op not in ("<", ">", "<=", ">="):
        return None
    return name, {"<": sp.Interval.open(-sp.oo, c), "<=": sp.Interval(-sp.oo, c),
                  ">": sp.Interval.open(c, sp.oo), ">=": sp.Interval(c, sp.oo)}[op]


def _entry(n: Node) -> sp.Expr | None:
    v = _number(n)
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


class CachedProblem(Problem):
    """A problem whose instances are remembered for the claims of one document.

    ``check_equal`` draws the same instances for every claim (a fresh ``Random(seed)``), so a
    problem with an expensive reference (a minimiser, adjoints by differentiation of the loss)
    would recompute them per claim.  The key is the generator's state and the sampling
    arguments, so results are exactly those of an uncached problem."""

    @classmethod
    def wrap(cls, problem: Problem) -> "CachedProblem":
        obj = cls(**{f.name: getattr(problem, f.name) for f in dataclasses.fields(problem)})
        object.__setattr__(obj, "_cache", {})
        return obj

    def sample(self, rng, dps=50, *, small=False, fixed=None, ranges=None):  # type: ignore[override]
        key = (rng.getstate(), dps, small, tuple(sorted((str(k), v) for k, v in (fixed or {}).items())),
               tuple(sorted((str(k), v) for k, v in (ranges or {}).items())))
        hit = self._cache.get(key)
        if hit is not None:
            rng.setstate(hit[1])
            return hit[0]
        inst = super().sample(rng, dps, small=small, fixed=fixed, ranges=ranges)
        if len(self._cache) < 4096:
            self._cache[key] = (inst, rng.getstate())
        return inst


def _internal(exc: BaseException) -> dict[str, Any]:
    msg = f"{type(exc).__name__}: {str(exc)[:200]}"
    return {"status": UNDECIDED, "scope": f"undecided: internal error ({msg})", "reason": f"internal error: {msg}",
            "links": []}


def _with_rules(st: Statement, scope: Scope, statuses: dict[int, str], offset: int) -> Scope:
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


def _serve(conn: Any, jobs: list, answers: list, opts: Options, offset: int = 0) -> None:
    """The worker: judge the jobs in order, announcing each start (the parent times it)."""
    import os

    from ..check.worker import _die_with_parent

    _die_with_parent()
    statuses: dict[int, str] = {}  # this worker's verdicts, by job number
    try:
        for k, (st, scope) in enumerate(jobs):
            conn.send(("start", k))
            try:
                res = judge_part_answer(st, answers) if answers else None
                if res is None:
                    res = judge_statement(st, _with_rules(st, scope, statuses, offset), opts)
            except BaseException as exc:  # noqa: BLE001 - a verdict, never a crash
                res = _internal(exc)
            statuses[offset + k] = res.get("status", UNDECIDED)
            try:
                conn.send(("done", k, res))
            except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable value
                conn.send(("done", k, _internal(exc)))
    finally:
        conn.close()
        os._exit(0)


def run_jobs(jobs: list, answers: list, opts: Options,
             on_result: Callable[[int, dict[str, Any], float], None]) -> None:
    """Judge ``jobs`` in one worker process per document; a job past ``opts.timeout`` gets
    its worker killed (CONVENTIONS) and the rest continue in a fresh one."""
    import multiprocessing as mp
    import time

    ctx = mp.get_context("fork")
    k0 = 0
    while k0 < len(jobs):
        parent, child = ctx.Pipe(duplex=False)
        worker = start_worker(_serve, (child, jobs[k0:], answers, opts, k0))
        child.close()
        current: int | None = None
        t_start = time.perf_counter()
        try:
            while True:
                remaining = opts.timeout - (time.perf_counter() - t_start)
                if opts.deadline is not None and time.monotonic() + remaining >= opts.deadline:
                    left = opts.deadline - time.monotonic()
                    if left <= 0 or not parent.poll(max(0.0, left)):
                        # the file's budget is spent: this job and every later one are not judged
                        k = k0 + (current if current is not None else 0)
                        for j in range(k, len(jobs)):
                            on_result(j, unjudged("the file budget was spent"), 0.0)
                        return
                if parent.poll(max(0.0, remaining)):
                    try:
                        msg = parent.recv()
                    except EOFError:
                        k = k0 + (current if current is not None else 0)
                        on_result(k, _internal(RuntimeError("the worker died")), time.perf_counter() - t_start)
                        k0 = k + 1
                        break
                    if msg[0] == "start":
                        current, t_start = msg[1], time.perf_counter()
                    else:
                        on_result(k0 + msg[1], msg[2], time.perf_counter() - t_start)
                        current, t_start = None, time.perf_counter()
                        if k0 + msg[1] == len(jobs) - 1:
                            k0 = len(jobs)
                            break
                else:
                    k = k0 + (current if current is not None else 0)
                    on_result(k, {"status": UNDECIDED,
                                  "scope": f"undecided: no verdict within the {opts.timeout:g} s limit",
                                  "reason": f"time limit {opts.timeout:g} s", "links": []},
                              time.perf_counter() - t_start)
                    k0 = k + 1
                    break
        finally:
            worker.stop()
            parent.close()


def judge_document(doc: Document, problem_name: str | None = None, opts: Options = Options(),
                   progress: Callable[[str], None] | None = None) -> list[ClaimResult]:
    """Verdicts for every statement of ``doc``: roles first, the document's own model (its
    definitions and hypotheses, scoped by section), then a judgement per judged role."""

    base = build_scope(doc, problem_name)
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
    subjects: set[str] = set()  # names stated as the left side of an equation but never defined
    candidate_rules: list[tuple[int, Node, Node, Node | None]] = []  # (job, lhs, rhs, condition) about a problem
    given_rhs = list(base.defs.values()) + [r for *_x, r in base.def_patterns] + [b for _p, b in base.funcs.values()]
    stated_ranges: dict[str, tuple[Any, str, list]] = {}  # formula -> its stated range and the parts it was written in

    def plain(line: int, st: Statement, status: str, role: Any, scope_text: str, reason: str | None = None,
              section: Any = ()) -> None:
        slots.append(ClaimResult(doc.path, line, st.latex, status, scope_text, reason=reason, role=role.role,
                                 role_reason=role.why, section=_section_text(section),
                                 condition=st.condition_text or None))

    structure: dict[Any, set[str]] = {}  # section -> structure words its prose states (orthogonal, SVD)
    for claim in doc.claims:
        section = claim.section
        low = claim.context.lower()
        found = {w for w in _STRUCTURE_WORDS if w in low}
        if found:
            structure.setdefault(section, set()).update(found)
        statements = split_statements(claim.latex)
        for pos, st in enumerate(statements):
            if st.error is not None:
                msg = f"cannot parse: {st.error.message} at column {st.error.column}"
                slots.append(ClaimResult(doc.path, claim.line, st.latex, UNDECIDED, f"undecided: {msg}", reason=msg,
                                         column=st.error.column, role=R.CLAIM, role_reason="not read",
                                         section=_section_text(section)))
                previous = None
                continue
            tree = st.tree
            problem_scope = None
            chosen = None
            own = any(model.is_defined(f, section) for f in R.free_names(tree))
            if auto and not own:  # names the document defines are the document's, not a problem's
                best = max(((_specificity(tree, sc), n, sc) for n, sc in auto), key=lambda x: x[0])
                if best[0] >= 2:
                    problem_scope, chosen = best[2], best[1]
            elif base.problem is not None:
                problem_scope = base

            def computed(n: Node, ps=problem_scope) -> bool:
                if ps is None or ps.problem is None:
                    return False
                return _matches_computed(n, ps)

            def is_input(n: Node, ps=problem_scope) -> bool:
                if ps is None or ps.problem is None or n.kind != "name":
                    return False
                return _matches_input(n, ps)

            listed = pos == 0 and claim.prose.strip().lower() in _LIST_JOINS and previous is not None \
                and previous[3] == claim.line
            mark = claim.role
            mark_binding = bool(mark is None and previous is not None and previous[1].role == R.DEFINITION
                                and (listed or (pos > 0 and st.lead in ("quad", "comma") and previous[3] == claim.line)))
            ctx = R.Context(prose=claim.prose if pos == 0 else "", lead=st.lead,
                            binding_prose=(claim.binding and pos == 0) or mark_binding,
                            mark=mark, first_in_span=pos == 0, part_answers=bool(answers),
                            is_defined=lambda f, sec=section: model.is_defined(f, sec),
                            problem_input=is_input, problem_computed=computed, seen=lambda f, sec=section: model.was_seen(f, sec))
            model.note_entries(tree, section)
            role = R.assign(tree, ctx)
            if listed and previous[1].role == R.HYPOTHESIS and role.role in (R.CLAIM,) and tree.kind == "chain" \
                    and all(o in ("<", "<=", ">", ">=", "!=", "=") for o in tree.args[1]) and mark is None:
                role = R.Role(R.HYPOTHESIS, "listed with the condition before it")
            names = R.free_names(tree)
            if role.role == R.DEFINITION and role.defines and not role.defines.endswith(R.INDEXED) \
                    and tree.kind == "chain" and role.defines in _expanded_names(tree.args[0][1],
                                                                              model.scope_for(section)):
                # j = k - 1 - \ell after \ell = k - 1 - j: a relation between defined names, not a new one
                role = R.Role(R.CLAIM, f"{role.defines} is already determined by the names on the right")
            if role.role == R.DEFINITION:
                status, text = _record_definition(model, st, tree, claim.line, section, role)
                model.use(names, section)
                if status is not None:
                    plain(claim.line, st, status, role, text, section=section)
                    previous = (st, role, section, claim.line)
                    continue
                # a chain whose first link defines a name: the rest is judged as claims
                role = R.Role(R.CLAIM, f"{role.why}; the links after the first are claims", defines=role.defines)
            elif role.role == R.HYPOTHESIS:
                items, ops = tree.args if tree.kind == "chain" else ((tree,), ())
                if ops and ops[0] == "in" and items[1].kind in ("field", "pow"):
                    try:
                        model.declare(items[0], items[1], st.latex, claim.line, section)
                    except BindError:
                        pass
                    # a declared shape gives no value: the first equation for W may still define it
                else:
                    model.assume(tree, st.latex, claim.line, section, names, local=role.local)
                    model.use(names, section)
                plain(claim.line, st, ASSUMED, role, f"assumed: {role.why}; later statements are sampled under it",
                      section=section)
                previous = (st, role, section, claim.line)
                continue
            elif role.role == R.SOLUTION and not answers and not _is_implication_step(role, previous, section, tree):
                model.use(names, section)
                why = ("a solution set: the condition it solves is not identified in the document and no "
                       "problem part gives the derived answer (name one with front matter part:)")
                plain(claim.line, st, UNDECIDED, role, f"undecided: {why}", reason=why, section=section)
                previous = (st, role, section, claim.line)
                continue
            elif role.role in (R.APPROXIMATION, R.ASYMPTOTIC):
                model.use(names, section)
                why = ("approximations are judged only where the document states the regime; none is stated here"
                       if role.role == R.APPROXIMATION else "a complexity statement is not evaluated as a number")
                plain(claim.line, st, UNDECIDED, role, f"undecided: {why}", reason=why, section=section)
                previous = (st, role, section, claim.line)
                continue
            model.use(names, section)
            if tree.kind == "chain" and tree.args[1][0] == "=":
                fam0 = R.family(tree.args[0][0])
                if fam0 is not None and not model.is_defined(fam0, section):
                    subjects.add(fam0)  # the left side of an equation the model does not define
            # a judged statement: its scope, its hypotheses, and (for a step) the line before
            job_scope = model.scope_for(section, problem_scope if problem_scope is not None else None)
            note = None
            rules: list = []
            if problem_scope is not None and problem_scope is not base:
                rebound = model.rebinds_input(section, problem_scope)
                if rebound is not None:
                    job_scope = model.scope_for(section, _generic_scope(problem_scope))
                    note = f"{rebound} is rebound in this section, so the problem {chosen!r} does not apply"
                    rules = _usable_rules(candidate_rules)
                    chosen = None
            elif problem_scope is base and base.problem is not None:
                rebound = model.rebinds_input(section, base)
                if rebound is not None:
                    job_scope = model.scope_for(section, _generic_scope(base))
                    note = f"{rebound} is rebound in this section, so the problem does not apply"
            reach = names | _expanded_names(tree, job_scope)
            visible_hyps = model.hypotheses_for(section, reach, claim.line)
            hyps = [h.tree for h in visible_hyps if _samplable(h.tree)]
            hyp_texts = [h.latex for h in visible_hyps if _samplable(h.tree)]
            implication = False
            unapplied = [h.latex for h in visible_hyps if not _samplable(h.tree)]
            if st.condition is not None and _samplable(st.condition):
                hyps.append(st.condition)  # i \ne j, 0 < x < 1: a condition the index ranges cannot carry
                hyp_texts.append(st.condition_text)
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
            if stated and any(_matrix_like(n) and not model.is_defined(n, section) for n in names):
                unapplied.append("structure stated in the prose: " + ", ".join(sorted(stated)))
            if _is_implication_step(role, previous, section, tree):
                hyps = hyps + [previous[0].tree]  # an inequality step: judged as an implication
                hyp_texts = hyp_texts + [previous[0].latex]
                implication = True
            if implication:
                unapplied = unapplied + ["the line before, as the premise of this step (a step may also use earlier lines)"]
            unique = dict(zip(hyp_texts, hyps))  # the line before may also be a hypothesis in scope
            hyp_texts, hyps = list(unique), list(unique.values())
            st_job = dataclasses.replace(st, hypotheses=hyps, hypothesis_texts=hyp_texts, unapplied=unapplied,
                                         given_rhs=given_rhs, subjects=set(subjects),
                                         role=role.role, defines=role.defines,
                                         note=(st.note + "; " if st.note else "") + note if note else st.note)
            if not rules and chosen is None and candidate_rules:
                # a statement read without a problem that names a problem's quantity an earlier,
                # verified claim gave a formula for (K_1 = \gamma \alpha^0 \beta after K_\ell = C A^{\ell-1} B)
                wanted = {R.family(lhs) for _j, lhs, _r, _c in candidate_rules}
                others = [x for x in tree.walk() if x.kind == "name" and R.family(x) not in wanted
                          and not model.is_defined(R.family(x) or "", section)
                          and any(_matches_computed(x, sc) for _n, sc in auto)]
                if wanted & names and not others:  # y_k beside K_\ell: the problem's y is not the rule's
                    rules = _usable_rules(candidate_rules)
            st_job.rules = rules
            if chosen and role.role in (R.CLAIM, R.STEP) and tree.kind == "chain" and tree.args[1] == ("=",) \
                    and tree.args[0][0].kind == "name" and computed(tree.args[0][0]) and not st.local_defs \
                    and not hyps and not unapplied \
                    and not any(computed(x) for x in tree.args[0][1].walk() if x.kind == "name"):
                # a closed form of a problem's quantity in its inputs, claimed with no hypothesis
                candidate_rules.append((len(jobs), tree.args[0][0], tree.args[0][1], st.condition))
            where.append((len(slots), claim.line, st, role, chosen, section))
            jobs.append((st_job, job_scope))
            slots.append(None)
            previous = (st, role, section, claim.line)

    def record(k: int, res: dict[str, Any], dt: float) -> None:
        slot, line, st, role, chosen, section = where[k]
        links = [LinkResult(**l) for l in res.get("links", [])]
        if chosen:
            res = {**res, "scope": f"{res['scope']} [problem: {chosen}, chosen by its notation]"}
        slots[slot] = ClaimResult(doc.path, line, st.latex, res["status"], res["scope"], res.get("counterexample"),
                                  res.get("reason"), links=links, condition=st.condition_text or None, seconds=dt,
                                  role=role.role, role_reason=role.why, section=_section_text(section))
        if progress is not None:
            progress(f"{doc.path}:{line}: {res['status']} ({dt:.2f} s)")

    # a document that defines or assumes anything reads its free names as its own (the
    # one-side rule); a bare list of identities keeps the universal generic reading
    if model.bindings or model.hypotheses or base.defs or base.funcs or base.declared:
        for st_job, _scope in jobs:
            st_job.in_document_model = True
    if jobs:
        run_jobs(jobs, answers, opts, record)
    return [r for r in slots if r is not None]


_STRUCTURE_WORDS = ("orthogonal", "orthonormal", "svd", "singular value decomposition", "eigendecomposition",
                    "eigen-decomposition", "diagonal", "symmetric", "positive definite", "unitary", "triangular",
                    "idempotent", "projection")


def _matrix_like(name: str) -> bool:
    base = name.split("_")[0].split("^")[0]
    for pre in ("\\mathbf{", "\\bar{", "\\hat{", "\\tilde{", "\\widehat{", "\\mathcal{"):
        base = base.replace(pre, "")
    base = base.strip("{}")
    return (len(base) == 1 and base.isupper()) or base in ("\\Sigma", "\\Lambda", "\\Phi", "\\Psi", "\\Omega")


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


_LIST_JOINS = {",", "and", ", and", ";", "or", ", or"}


def _samplable(tree: Node) -> bool:
    """Whether a hypothesis can steer sampling (inequalities do; x_0 = 0 or "U orthogonal" do not)."""
    return tree.kind == "chain" and all(o in ("<", "<=", ">", ">=", "!=") for o in tree.args[1])


def _section_text(section: Any) -> str:
    return " / ".join(title for _, title, _ in section) if section else ""


def _record_definition(model: Any, st: Statement, tree: Node, line: int, section: Any, role: Any
                       ) -> tuple[str | None, str]:
    """Record a definition; (status, scope) for a whole-statement definition, (None, "")
    when only the chain's first link defines and the rest must be judged."""
    if tree.kind != "chain":
        return DEFINED, "defined"
    items, ops = tree.args
    lhs = items[0]
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
        return _number(n)
    except (ValueError, TypeError):
        return None


def _matches_computed(n: Node, scope: Scope) -> bool:
    """Whether ``n`` names a quantity the problem computes (a sequence, not an input)."""
    from .binding import Inference

    inf = Inference(scope, 0, set())
    for pat in scope.patterns:
        if isinstance(pat.expr, (sp.Symbol, sp.MatrixSymbol)):
            continue
        if _unifies(inf, pat.tree, n):
            return True
    return False


def _matches_input(n: Node, scope: Scope) -> bool:
    from .binding import Inference

    inf = Inference(scope, 0, set())
    for pat in scope.patterns:
        if isinstance(pat.expr, (sp.Symbol, sp.MatrixSymbol)) and _unifies(inf, pat.tree, n):
            return True
    return False
