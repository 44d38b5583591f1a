"""Matrices the prose defines from their rows (a step of stage 5, *model*).

Homework writes the stacked data matrices of a problem in words as often as in symbols:

* "where $K_t$ is the $t \\times d$ matrix of the first $t$ keys, $V_t$ similarly", beside
  ``K = [k_1^\\top; \\dots; k_n^\\top]``: K_t is the stack of the first t rows of K,
  ``[k_1^\\top; \\dots; k_t^\\top]``, and V_t the same of V;
* "examples $x_i \\in \\mathbb{R}^d$ ..., stacked as the rows of $X \\in \\mathbb{R}^{n \\times d}$":
  ``X = [x_1^\\top; \\dots; x_n^\\top]``, the one vector family of the sentence that fits X's rows;
* "$A \\in \\mathbb{R}^{n \\times d}$ with rows $x_i^\\top$": the same, the family named.

Each reading is recorded as an ordinary definition (the stacked-rows machinery of indexing.py
binds it), only where the words leave one reading: the base matrix must be a stack of rows
the document wrote, the family must be the only one that fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .latex_parser import Node, ParseError, parse, to_text
from .model import DocumentModel
from .roles import family
from .scope import substitute_name

# "$K_t$ is (the) ($t \times d$) matrix of (the) first $t$ ..."
_FIRST_ROWS = re.compile(r"\$\s*([^$]{1,30}?)\s*\$\s*(?:is|denotes)\s+(?:the\s+|an?\s+)?(?:\$[^$]{0,40}\$\s*)?"
                         r"(?:[\w-]+\s+){0,2}matrix\s+(?:of|stacking)\s+(?:the\s+)?first\s+\$\s*([^$]{1,12}?)\s*\$",
                         re.IGNORECASE)
_SIMILARLY = re.compile(r"\$\s*([^$]{1,30}?)\s*\$\s*(?:,\s*)?(?:is\s+defined\s+)?similarly\b", re.IGNORECASE)
_STACKED_AS = re.compile(r"(?:stacked|arranged|collected)\s+(?:as\s+)?(?:the\s+)?rows\s+of\s*$", re.IGNORECASE)
_WITH_ROWS = re.compile(r"^\s*(?:,\s*)?(?:\(?\s*)?(?:the\s+\w+\s+matrix\s+)?(?:with|has|whose)\s+rows\s+(?:are\s+)?"
                        r"\$\s*([^$]{1,40}?)\s*\$", re.IGNORECASE)


@dataclass
class Pending:
    """A matrix the prose of a part defines as the first rows of another: ``K_t`` of ``K`` up to ``t``."""

    name: Node
    base: str  # the stacked matrix it takes rows of (K)
    count: Node  # how many (t)
    line: int
    latex: str


def prose_first_rows(claims: list[Any]) -> dict[Any, list[Pending]]:
    """Per section (as read), the matrices its prose defines as the first rows of another."""
    out: dict[Any, list[Pending]] = {}
    for claim in claims:
        text = claim.context[-1500:]
        last: tuple[Node, Node] | None = None
        for m in _FIRST_ROWS.finditer(text):
            found = _indexed(m.group(1), m.group(2))
            if found is not None:
                last = found
                out.setdefault(claim.section, []).append(Pending(found[0], to_text(_base(found[0])), found[1],
                                                                  claim.line, m.group(0)))
                after = text[m.end():m.end() + 120]
                sim = _SIMILARLY.search(after)
                if sim is not None and last is not None:
                    other = _indexed(sim.group(1), to_text(last[1]))
                    if other is not None:  # "$V_t$ similarly": the first t rows of V
                        out[claim.section].append(Pending(other[0], to_text(_base(other[0])), other[1],
                                                          claim.line, sim.group(0)))
    return out


def define_first_rows(model: DocumentModel, pending: list[Pending], section: Any) -> None:
    """Record each pending ``K_t = [k_1^\\top; \\dots; k_t^\\top]`` whose base is a stack of rows in
    scope here and that the part does not define itself."""
    scope = model.scope_for(section)
    for p in list(pending):
        fam = family(p.name)
        if fam is None or model.is_defined(fam, section):
            pending.remove(p)
            continue
        rows = [r for r in scope.def_families.get(p.base, []) if row_stack(r) is not None]
        if len(rows) != 1 or len(scope.def_families.get(p.base, [])) != 1:
            continue  # not (yet) a stack of rows here: nothing to take the first rows of
        first, last, hi = row_stack(rows[0])  # type: ignore[misc]
        if hi.kind != "name":
            pending.remove(p)
            continue
        rhs = _stack(first, substitute_name(last, to_text(hi), p.count))
        latex = f"{to_text(p.name)} = {to_text(rhs)}"
        model.note_dimensions(rhs, latex, p.line, section)  # t, the number of rows, is a size
        model.define(p.name, rhs, latex, p.line, section)
        pending.remove(p)


def rows_named(context: str, after: str, tree: Node, model: DocumentModel,
               section: Any) -> tuple[Node, Node, Node] | None:
    """``X \\in \\mathbb{R}^{n \\times d}`` written after "stacked as the rows of" (the family: the one
    vector family declared in scope whose length is X's column size), or before "with rows
    $x_i^\\top$": (X, its stack ``[x_1^\\top; \\dots; x_n^\\top]``, the member x_i); None otherwise."""
    if tree.kind != "chain" or tree.args[1] != ("in",):
        return None
    lhs, space = tree.args[0]
    size = _matrix_size(space)
    if lhs.kind != "name" or lhs.args != (None, None) or size is None:
        return None
    rows, cols = size
    member: Node | None = None
    m = _WITH_ROWS.match(after)
    if m is not None:
        try:
            named = parse(m.group(1))
        except ParseError:
            return None
        member = named.args[0] if named.kind == "transpose" else named
    elif _STACKED_AS.search(context):
        fits = [b.lhs for b in model.bindings if b.kind == "declare" and b.line >= 0 and b.section == section
                and b.lhs.kind == "name" and b.lhs.args[0] is not None and b.lhs.args[1] is None
                and _vector_length(b.rhs) is not None and to_text(_vector_length(b.rhs)) == to_text(cols)]
        if len({family(x) for x in fits}) != 1:
            return None  # no family, or more than one that fits: the words leave it open
        member = fits[-1]
    if member is None or member.kind != "name" or member.args[0] is None or member.args[0].kind != "name":
        return None
    index = to_text(member.args[0])
    first = substitute_name(member, index, Node("num", "1", (), member.col))
    last = substitute_name(member, index, rows)
    return lhs, _stack(_t(first), _t(last)), member


# "$X$ is the $n \times d$ design matrix with rows $x_i^\top$", "$A$ has rows $x_i^\top$"
_NAMED_ROWS = re.compile(r"\$\s*([^$]{1,20}?)\s*\$\s*(?:is\s+(?:the|an?)\s+(?:\$\s*([^$]{1,40}?)\s*\$\s*)?"
                         r"(?:[\w-]+\s+){0,3}matrix\s+)?(?:with|has|whose)\s+rows\s+(?:are\s+)?\$\s*([^$]{1,40}?)\s*\$",
                         re.IGNORECASE)


def rows_in_prose(text: str, model: DocumentModel, section: Any) -> list[tuple[Node, Node, Node]]:
    """"$X$ is the $n \\times d$ design matrix with rows $x_i^\\top$": (X, ``[x_1^\\top; \\dots; x_n^\\top]``,
    x_i) for each such sentence whose number of rows is written there or declared for X."""
    out: list[tuple[Node, Node, Node]] = []
    scope = None
    for m in _NAMED_ROWS.finditer(text[-1500:]):
        try:
            name, member = parse(m.group(1)), parse(m.group(3))
            size = parse(m.group(2)) if m.group(2) else None
        except ParseError:
            continue
        member = member.args[0] if member.kind == "transpose" else member
        if name.kind != "name" or name.args != (None, None) or member.kind != "name" or member.args[0] is None \
                or member.args[0].kind != "name":
            continue
        rows = size.args[0] if size is not None and size.kind == "mul" and size.value == "times" else None
        if rows is None:
            scope = scope or model.scope_for(section)
            declared = scope.declared.get(name.value)
            if declared is None or not declared.rows.is_Symbol or not str(declared.rows).isalpha():
                continue
            rows = Node("name", str(declared.rows), (None, None), name.col)
        index = to_text(member.args[0])
        first = substitute_name(member, index, Node("num", "1", (), member.col))
        last = substitute_name(member, index, rows)
        out.append((name, _stack(_t(first), _t(last)), member))
    return out


_NAMED_VECTOR = re.compile(r"\$\s*([A-Za-z])\s*\$\s*(?:(?:be|is|denotes?)\s+(?:the\s+|an?\s+)?|(?:the|an?)\s+)"
                           r"(column|row)\s+vector\s+"
                           r"\$\s*(\[[^$\[\]]{1,80}\](?:\s*\^\s*(?:T|\{T\}|\\top|\{\\top\}))?)\s*\$",
                           re.IGNORECASE)


def vectors_in_prose(text: str) -> list[tuple[Node, Node, str]]:
    """"Let $B$ be column vector $[b_1, \\dots, b_n]^T$, $C$ be row vector $[c_1, \\dots, c_n]$": (B, its
    members as a column, the definition's text) and (C, the row ``([c_1, \\dots, c_n]^T)^T``, ...).
    A bracket written with its transpose is a column whatever the word says; one without is read as
    the word says (a row, or a column)."""
    out: list[tuple[Node, Node, str]] = []
    for m in _NAMED_VECTOR.finditer(text[-1500:]):
        try:
            name, vec = parse(m.group(1)), parse(m.group(3))
        except ParseError:
            continue
        column = vec if vec.kind == "transpose" else Node("transpose", None, (vec,), vec.col)
        inner = column.args[0]
        if name.kind != "name" or inner.kind != "tuple" or inner.value != "[]" or len(inner.args) < 2:
            continue
        rhs = column if vec.kind == "transpose" or m.group(2).lower() == "column" else \
            Node("transpose", None, (Node("paren", None, (column,), vec.col),), vec.col)
        out.append((name, rhs, f"{m.group(1)} = {m.group(3)} (a {m.group(2).lower()} vector)"))
    return out


def row_stack(rhs: Node) -> tuple[Node, Node, Node] | None:
    """``[k_1^\\top; \\dots; k_n^\\top]``: (its first row, its last row, the last row's index n)."""
    if rhs.kind != "matrix" or len(rhs.args) != 3 or any(len(r) != 1 for r in rhs.args):
        return None
    first, dots, last = (r[0] for r in rhs.args)
    if dots.kind != "ellipsis" or first.kind != "transpose" or last.kind != "transpose":
        return None
    inner = last.args[0]
    if inner.kind != "name" or inner.args[0] is None:
        return None
    return first, last, inner.args[0]


def _stack(first: Node, last: Node) -> Node:
    dots = Node("ellipsis", None, (), first.col)
    return Node("matrix", "bmatrix", ((first,), (dots,), (last,)), first.col)


def _t(n: Node) -> Node:
    return Node("transpose", None, (n,), n.col)


def _base(name: Node) -> Node:
    return Node("name", name.value, (None, None), name.col)


def _indexed(name_latex: str, count_latex: str) -> tuple[Node, Node] | None:
    """(``K_t``, ``t``) when the name is a letter with the count as its only subscript."""
    try:
        name, count = parse(name_latex), parse(count_latex)
    except ParseError:
        return None
    if name.kind != "name" or name.args[1] is not None or name.args[0] is None:
        return None
    if count.kind != "name" or to_text(name.args[0]) != to_text(count):
        return None
    return name, count


def _matrix_size(space: Node) -> tuple[Node, Node] | None:
    r"""(n, d) of ``\mathbb{R}^{n \times d}``."""
    if space.kind != "pow" or space.args[0].kind != "field":
        return None
    e = space.args[1]
    if e.kind == "mul" and len(e.args) == 2 and e.value in ("times", r"\times"):
        return e.args[0], e.args[1]
    return None


def _vector_length(space: Node) -> Node | None:
    r"""d of ``\mathbb{R}^d``."""
    if space.kind != "pow" or space.args[0].kind != "field":
        return None
    e = space.args[1]
    return e if e.kind in ("name", "num") else None
