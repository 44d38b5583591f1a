"""Stage 7, *judge* (cases): conditions attached to statements — index ranges and cases written
after a claim, a case that supersedes an earlier one, values a hypothesis pins, off-diagonal-zero
families, restated conditions — turned into what sampling honours.
"""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction
from typing import Any, Callable

from . import roles as R, solutions as SOL
from .context import single_equation
from .latex_parser import Node, ParseError, RELATIONS, parse, to_text, tokenize
from .model import DocumentModel, earlier_sibling, visible
from .sampling import svd_values_family
from .scope import Scope, name_key
from .statements import Statement, split_statements


def declared_run(lhs: Node, condition: Node | None) -> Node | None:
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


def about_declared(tree: Node, declaration: Node | None, is_defined: Callable[[str], bool]) -> bool:
    """``tree`` speaks only of the names ``declaration`` (``U \\in \\mathbb{R}^{m \\times n}``) declares, none
    of them defined (identity and zero matrices aside)."""
    if declaration is None or declaration.kind != "chain" or tuple(declaration.args[1]) != ("in",) \
            or tree.kind != "chain":
        return False
    subject = declaration.args[0][0]
    declared = {R.family(x) for x in (subject.args if subject.kind == "tuple" else (subject,)) if isinstance(x, Node)}
    names = R.free_names(tree) - {"I", "0", "1"}
    return bool(names) and names <= declared and not any(is_defined(f) for f in names)


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
    if not all(x.kind == "name" and x.args == (None, None) and x.value in INDEX_NAMES for x in t.args[0]):
        return None
    if t.args[1][0] != "=" or len(t.args[1]) == 1:
        return [(t, sts[0].latex)]
    equation, rest = case_parts(t, sts[0].latex)
    if equation is None or len(rest) != len(t.args[1]) - 1:
        return None
    return [(Node("chain", "", (t.args[0][:2], ("=",)), t.col), equation)] + rest


def bounded_subscripts(tree: Node, hyps: list[Node]) -> set[str]:
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


def member_subscripts(tree: Node, structure: list) -> set[str]:
    """``i`` of ``\\sigma_i`` beside a sampled SVD of ``\\Sigma``: the singular values' subscripts are
    indices (σ_i is the member i of the sampled diagonal, never a free scalar named σ_i)."""
    values = {svd_values_family(extra.get("S")) for kind, _names, extra in structure if kind == "svd"} - {None}
    if not values:
        return set()
    return {to_text(x) for n in tree.walk() if n.kind == "name" and n.args[0] is not None and n.value in values
            for x in n.args[0].walk() if x.kind == "name" and x.args == (None, None) and x.value in _ENTRY_LETTERS}


def index_equation(t: Node) -> bool:
    """``k = j``: two plain index letters set equal (a case read by substituting one for the other)."""
    return t.kind == "chain" and t.args[1] == ("=",) and all(
        x.kind == "name" and x.args == (None, None) and x.value in _ENTRY_LETTERS for x in t.args[0])


def trailing_conditions(claims: list) -> dict[int, list[tuple[Node, str]]]:
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


INDEX_NAMES = {"i", "j", "k", "l", "m", "n", "t", "ell", "p", "q", "r", "s"}  # "i = 1, 2, 3" sets an index


def superseded_cases(hyps: list[Any], st: Statement, line: int) -> list[Any]:
    """Drop an earlier case (``\\ell = 0``) on a name this statement gives its own range
    (``K_\\ell = C A^{\\ell-1} B`` for ``\\ell \\ge 1``, on this line): the newer condition wins."""
    fresh = [h.tree for h in hyps if h.line == line] + ([st.condition] if st.condition is not None else [])
    ranged = {to_text(x) for c in fresh if index_bound(c) for x in c.walk() if x.kind == "name" and x.args == (None, None)}
    if not ranged:
        return hyps

    def case_on(h: Any) -> bool:
        t = h.tree
        return t.kind == "chain" and t.args[1] == ("=",) and t.args[0][0].kind == "name" \
            and to_text(t.args[0][0]) in ranged and t.args[0][1].kind == "num" \
            and (h.line != line or _outside_ranges(to_text(t.args[0][0]), t.args[0][1].value, fresh))

    return [h for h in hyps if not case_on(h)]


_NEGATION = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def without_negated(hyps: list[Any]) -> list[Any]:
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


def pinned_case(h: Any) -> Any:
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
    if not single_equation(tree) or tree.args[0][0].kind != "name":
        return h
    return dataclasses.replace(h, tree=tree)


_LOWER_ENTRY = re.compile(r"^(\\[A-Za-z]+\{)?([a-z])(\})?$")


def off_diagonal_zero(tree: Node, condition: Node | None, model: DocumentModel, section: Any) -> str | None:
    """``x_{ij} = 0`` for ``i \\ne j``: the matrix whose entries x_ij are (named by ``X = [x_{ij}]``,
    else the same letter in upper case: x -> X, \\tilde{w} -> \\tilde{W}) is diagonal; its name, or
    None.  A matrix zero off its diagonal is exactly a diagonal one, so sampling it diagonal
    honours the statement (a name defined by an expression is checked, not sampled: see
    :mod:`derive.claims.structure`)."""
    if condition is None or condition.kind != "chain" or condition.args[1] != ("!=",) \
            or not single_equation(tree):
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
        if not index_bound(c) or not all(o in ("<", "<=", ">", ">=") for o in c.args[1]):
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


def index_bound(cond: Node) -> bool:
    """``\\ell \\ge 1``, ``1 \\le k \\le n``, a range: bounds on one index name, nothing more."""
    if cond.kind != "chain":
        return False
    names = [x for x in cond.args[0] if x.kind == "name"]
    return len(names) == 1 and names[0].args == (None, None) and all(
        x.kind in ("name", "num") for x in cond.args[0])


def restated_condition(tree: Node, role: Any, model: DocumentModel, section: Any, line: int,
                        computed: Callable[[Node], bool]) -> tuple[Any, Any]:
    """A statement written as a condition (after "for", "with", "given", listed with one) that
    restates what the document already fixed: (the role to judge it with, the hypothesis role it
    falls back to or None).  The same condition repeated is a claim true under the earlier one;
    an equation for a name defined in scope (or one a problem computes) is judged against that
    meaning, and stays the condition it reads as unless it agrees (a case of a name defined with
    free variables, f(x) = 4, is no restatement, so it is never refuted)."""
    again = restated_hypothesis(tree, model, section, line)
    if again is not None and not index_case(tree):  # "i = 3" again is the case again, not a claim
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


def all_bound(tree: Node, model: DocumentModel, section: Any, computed: Callable[[Node], bool],
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


def restated_hypothesis(tree: Node, model: DocumentModel, section: Any, line: int) -> Any:
    """A hypothesis in scope, stated on an earlier line for the rest of its part, that the statement
    repeats word for word (the same parse tree), or None."""
    text = to_text(tree)
    for h in model.hypotheses:
        if h.line < line and not h.local and visible(h.section, section) and to_text(h.tree) == text \
                and tree.kind == "chain" and tree.args[1] == ("=",):
            return h
    return None


def case_parts(tree: Node, latex: str) -> tuple[str | None, list[tuple[Node, str]]]:
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


def sequence_case_bounded(h: Any, hyps: list[Any]) -> bool:
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
            or slots[0].value.lstrip("\\") not in INDEX_NAMES:
        return False
    return to_text(slots[0]) not in R.free_names(rhs)


def case_definition(tree: Node, model: DocumentModel, section: Any) -> tuple[str, str] | None:
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


def without_unknown_ends(cond: Node, scope: Scope) -> tuple[Node | None, list[str]]:
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


def ranges_without_unknown_ends(hyps: list[Node], texts: list[str], scope: Scope
                                 ) -> tuple[list[Node], list[str], list[str]]:
    """The hypotheses in scope with each index range whose upper end the problem does not know
    (``\\ell = 1, \\dots, L``) read by its lower end alone, and the dropped ends."""
    out_h, out_t, dropped = [], [], []
    for h, t in zip(hyps, texts):
        weaker, ends = without_unknown_ends(h, scope)
        if ends and weaker is not None:
            h, t = weaker, f"{to_text(weaker.args[0][0])} \\ge {to_text(weaker.args[0][1])} (from {t})"
            dropped += [e for e in ends if e not in dropped]
        out_h.append(h)
        out_t.append(t)
    return out_h, out_t, dropped


def index_case(tree: Node, scope: Scope | None = None) -> bool:
    """``\\ell = 0``, ``k = 1``: a case of an index (it governs its own line, not the part).  A
    declared dimension (n of X \\in \\mathbb{R}^{n \\times d}) is no index: "Take n = 1" sets the part."""
    lhs = tree.args[0][0] if tree.kind == "chain" else tree
    if scope is not None and lhs.kind == "name" and to_text(lhs) in scope.dim_symbols:
        return False
    return lhs.kind == "name" and lhs.args == (None, None) and lhs.value.lstrip("\\") in INDEX_NAMES


def penalty_signs(penalties: list, reach: set[str], hyps: list, texts: list, section: Any) -> tuple[list, list]:
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


def sized_identities(tree: Node | None) -> Node | None:
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


def zero_equation(tree: Node) -> bool:
    """``-2\\sigma^2(1 - w) + 2\\lambda w = 0``: an equation set to zero (a condition a derivation solves)."""
    return single_equation(tree) and any(x.kind == "num" and x.value == "0" for x in tree.args[0])


def numeric_constraint(tree: Node, model: DocumentModel, section: Any, structured: set[str]) -> frozenset | None:
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
            used = R.free_names(side) - limits - INDEX_NAMES
            if any(model.is_defined(n, section) or "(·)" in n for n in used):
                return None
            names = frozenset(n for n in used if n not in structured and n.removesuffix(R.INDEXED) not in structured)
            if names and len(used) <= 4 and all(n.endswith(R.INDEXED) for n in used):
                # only families (p_k, a_i): \sigma(x) + \sigma(-x) = 1 of a scalar x is an identity to judge
                return names
    return None
