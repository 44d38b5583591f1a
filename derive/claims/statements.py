"""Split one math span into the statements it makes, and their conditions.

Hand-written math packs several things into one span: ``a = b, \\quad c = d``,
``\\therefore x = y``, ``P \\Rightarrow Q``, trailing conditions ``(\\ell \\ge 1)`` or
``\\text{for } \\ell \\ge 1`` or ``\\quad \\forall t``.  This module cuts the span at
top-level separators (outside brackets and environments), keeps the column of every
piece, and tells statements from conditions.  Nothing is interpreted beyond that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .latex_parser import RELATIONS, Node, ParseError, Token, parse, tokenize

_OPERATOR_WORDS = {"tr", "trace", "diag", "det", "softmax", "d", "rank", "vec", "sign", "exp", "log", "var", "cov",
                   "relu", "argmin", "argmax", "max", "min", "span", "sigmoid", "logit", "tanh", "col", "row", "kl",
                   "mod", "dim"}
_DISTRIBUTION_WORDS = {"uniform", "unif", "bernoulli", "bern", "poisson", "pois", "normal", "gaussian"}
_CONDITION_WORDS = ("for", "where", "if", "when", "with", "whenever", "provided", "all", "any", "as")
_INEQUALITIES = {"<", ">", r"\le", r"\leq", r"\ge", r"\geq", r"\leqslant", r"\geqslant", r"\ne", r"\neq"}


@dataclass
class Statement:
    """A statement's LaTeX, its column in the span, and an optional condition."""

    latex: str
    col: int
    tree: Node | None = None
    condition: Node | None = None
    condition_text: str = ""
    error: ParseError | None = None
    note: str = ""
    local_defs: list[str] = field(default_factory=list)  # "where y = Ax" after the statement
    lead: str = "start"  # what came before it in the span: start, therefore, quad, comma, text:<words>
    # set by the roles and model stages before judging
    role: str = "claim"
    defines: str | None = None
    skip_links: int = 0  # leading links of a chain that are definitions (o = W^T q = ...)
    hypotheses: list[Node] = field(default_factory=list)  # visible hypotheses about its names
    hypothesis_texts: list[str] = field(default_factory=list)  # the same, as written
    unapplied: list[str] = field(default_factory=list)  # hypotheses about its names that sampling cannot honour
    # stated structure sampling honours: (kind, names, extra), see derive.claims.structure; and how it reads
    structure: list = field(default_factory=list)
    structure_texts: list[str] = field(default_factory=list)
    given_rhs: list[Node] = field(default_factory=list)  # right sides of the front matter's definitions (parameters)
    in_document_model: bool = False  # the document defines or assumes something (see discipline.unbound_one_side)
    subjects: set[str] = field(default_factory=set)  # names stated as an equation's left side, never defined
    rules: list = field(default_factory=list)  # (job, lhs, rhs): earlier claims usable once verified
    # index ranges stated for an earlier statement nearby (same line): another reading of this one
    nearby_ranges: list[tuple[Node, str]] = field(default_factory=list)
    stated_names: set[str] = field(default_factory=set)  # names any hypothesis in scope speaks of (q > p)
    unread_defs: list[str] = field(default_factory=list)  # names it reaches whose definition could not be read
    # (lhs, rhs, latex, line) of definitions an earlier part made of names this part leaves open:
    # a reading that may verify the statement when the part's own reading decides nothing
    earlier_defs: list = field(default_factory=list)
    # a solution or inequality step: the relations it may solve (solutions.Premise), whether the line
    # before may refute it, the index values its line names, and whether sampling may judge it otherwise
    solves: list = field(default_factory=list)
    solve_strict: bool = False
    solve_index: dict = field(default_factory=dict)
    solve_only: bool = False
    # equations assumed in scope (L = 2^N; the line before a step): solved for one name when sampling
    # where they bind (derive.claims.equations); their texts stay in ``unapplied`` until then
    equations: list[tuple[Node, str]] = field(default_factory=list)
    # the equation on the line before, where a derivation solves it (an "= 0" and the lines that
    # rearrange it): a claim that fails as an identity is judged again where that equation holds
    premise: tuple[Node, str] | None = None
    # structure stated about names the document defines (kind, name, text): checked on each instance
    structure_checks: list[tuple[str, str, str]] = field(default_factory=list)
    # a closed form claimed for the point an objective minimises: (minimisers.Objective, variable),
    # most recent first; judged against the objective (derive.claims.minimisers), not as an identity
    objectives: list = field(default_factory=list)
    # ``E = 0`` after "derivative w.r.t $w$": (the expression the display before ends with, w, its line,
    # whether the prose calls that display a loss);
    # judged as that derivative set to zero (derive.claims.minimisers.judge_stationary)
    stationary: tuple | None = None


def depth_walk(toks: list[Token]):
    depth = 0
    for i, t in enumerate(toks):
        v = t.value
        if t.kind == "sym" and v in ("(", "[", "{", r"\{", r"\|") and not (v == r"\|" and depth > 0 and False):
            if v == r"\|":
                # norm bars open and close with the same token: toggle
                yield i, t, depth
                continue
            depth += 1
            yield i, t, depth
            continue
        if t.kind == "sym" and v in (")", "]", "}", r"\}"):
            depth = max(0, depth - 1)
            yield i, t, depth
            continue
        if t.kind == "cmd" and v == r"\begin":
            depth += 1
        elif t.kind == "cmd" and v == r"\end":
            depth = max(0, depth - 1)
        yield i, t, depth


_BRACE_NOTE = re.compile(r"\\begin\{matrix\}(?:\s*\\\}[^\\&]*(?:\\\\)?)+\s*\\end\{matrix\}")


def split_statements(src: str) -> list[Statement]:
    """Cut ``src`` into statements with their conditions (parse errors are kept per piece)."""
    # "\begin{matrix} \} D \\ \} D \end{matrix}": block-size annotations beside a matrix
    src = _BRACE_NOTE.sub(lambda m: " " * len(m.group(0)), src)
    try:
        toks = tokenize(src)
    except ParseError as exc:
        return [Statement(src, 1, error=exc)]
    pieces: list[tuple[int, int, str]] = []
    start = 0
    sep_kind = "start"
    for i, t, depth in depth_walk(toks):
        if depth != 0 or t.kind == "eof":
            continue
        v = t.value
        kind = None
        if t.kind == "cmd" and v in (r"\therefore", r"\because", r"\Rightarrow", r"\implies", r"\Longrightarrow"):
            kind = "therefore"
        elif t.kind == "cmd" and v == r"\forall":
            kind = "forall"
        elif t.kind == "sym" and v in (r"\quad", r"\qquad", ";"):
            kind = "quad"
        elif t.kind == "text":
            words = t.value.split("|", 1)[1].strip().lower()
            head = t.value.split("|", 1)[0]
            if head in (r"\operatorname", r"\operatorname*") or (head in (r"\mathrm", r"\text", r"\textrm")
                                                                  and words in _OPERATOR_WORDS) \
                    or head == r"\mathrm" and words in _DISTRIBUTION_WORDS:  # x \sim \mathrm{Uniform}[a, b]
                continue
            kind = "text:" + words
        elif t.kind == "sym" and v == ",":
            kind = "comma"
        if kind is None:
            continue
        pieces.append((start, t.col - 1, sep_kind))
        end = t.col - 1 + len(v.split("|", 1)[0]) if t.kind != "text" else _text_end(src, t.col - 1)
        start = end
        sep_kind = kind
    pieces.append((start, len(src), sep_kind))

    out: list[Statement] = []
    for a, b, kind in pieces:
        text = src[a:b]
        if not text.strip():
            continue
        if kind == "comma" and out:
            # a comma continues the previous piece unless both sides are relations
            if not _has_relation_text(text) or not _has_relation_text(out[-1].latex):
                prev = out[-1]
                if prev.condition_text or prev.condition is not None:
                    prev.condition_text += "," + text
                    continue
                out[-1] = Statement(prev.latex + "," + text, prev.col)
                continue
        if not text.strip():
            continue
        col = a + 1 + (len(text) - len(text.lstrip()))
        text = text.strip()
        is_condition = kind == "forall" or (kind.startswith("text:") and kind[5:].split(" ")[0] in _CONDITION_WORDS)
        if kind == "forall":
            continue  # "for all t": the statement is checked on random t anyway
        if not is_condition and out and kind in ("comma", "quad", "text:"):
            paren = text.startswith("(") and text.endswith(")")
            bare = text[1:-1] if paren else text
            if is_condition_text(bare, allow_eq=paren):
                is_condition, text = True, bare
        if kind in ("text:where", "text:with") and out and text.count("=") == 1 \
                and not re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", text.split("=")[1]):
            out[-1].local_defs.append(text)  # "\\text{where } y = Ax": a definition for this statement
            continue
        if is_condition and out:
            out[-1].condition_text = (out[-1].condition_text + "," if out[-1].condition_text else "") + text
            continue
        out.append(Statement(text, col, lead=kind))
    for st in out:
        st.latex = _strip_punctuation(st.latex)
        _strip_trailing_condition(st)
        _strip_trailing_relation(st)
        try:
            st.tree = parse(st.latex)
        except ParseError as exc:
            st.error = ParseError(exc.message, exc.column + st.col - 1)
        if st.condition_text and st.error is None:
            try:
                st.condition = _parse_condition(st.condition_text)
            except ParseError as exc:
                st.note = f"condition {st.condition_text.strip()!r} not understood ({exc.message}); checked without it"
    return out


def _strip_trailing_relation(st: Statement) -> None:
    """``\\lambda \\geq \\max_i \\sigma_i^2 =`` whose value follows in the prose: the statement is what
    comes before the dangling "=" (read only where that is a relation of its own)."""
    text = st.latex.rstrip()
    if not text.endswith("=") or text.endswith(("\\=", ":=", "==")):
        return
    head = text[:-1].rstrip()
    if head and _has_relation_text(head):
        st.latex = head
        st.note = (st.note + "; " if st.note else "") + "a final '=' continued in the prose: read without it"


def _strip_punctuation(text: str) -> str:
    """A sentence's full stop or comma written inside the math (``... = \\delta.``)."""
    t = text.rstrip()
    while t and t[-1] in ".,;" and not t.endswith(("\\.", "\\,", "\\;")) and not t.endswith("..."):
        t = t[:-1].rstrip()
    return t


def _text_end(src: str, i: int) -> int:
    j = src.find("{", i)
    depth = 0
    for k in range(j, len(src)):
        if src[k] == "{":
            depth += 1
        elif src[k] == "}":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(src)


def _has_relation_text(text: str) -> bool:
    try:
        toks = tokenize(text)
    except ParseError:
        return "=" in text
    return any(t.kind in ("sym", "cmd") and t.value in RELATIONS for t in toks)


def is_condition_text(text: str, allow_eq: bool = False) -> bool:
    """``\\ell \\ge 1``, ``1 \\le k \\le n``, ``t = 1, \\dots, T``: inequalities of indices."""
    try:
        toks = tokenize(text)
    except ParseError:
        return False
    rel = [t for t in toks if t.kind in ("sym", "cmd") and t.value in RELATIONS]
    allowed = _INEQUALITIES | ({"="} if allow_eq else set())
    if not rel or not all(t.value in allowed or t.value == r"\in" for t in rel):
        return False
    return all(t.kind in ("letter", "num", "eof") or t.value in allowed or t.value in ("+", "-", r"\ell", r"\in",
                                                                                              "[", "]", ",", r"\dots")
               for t in toks)


def _strip_trailing_condition(st: Statement) -> None:
    """``K_\\ell = C A^{\\ell-1} B \\ (\\ell \\ge 1)``: a final parenthesised condition."""
    text = st.latex.rstrip()
    if not text.endswith(")"):
        return
    depth = 0
    for k in range(len(text) - 1, -1, -1):
        c = text[k]
        if c == ")":
            depth += 1
        elif c == "(":
            depth -= 1
            if depth == 0:
                inner = text[k + 1:-1]
                head = text[:k].rstrip()
                if head and is_condition_text(inner, allow_eq=True) and _has_relation_text(head):
                    st.latex = head
                    st.condition_text = (st.condition_text + "," if st.condition_text else "") + inner
                return


def _parse_condition(text: str) -> Node:
    """A condition: a range (``\\ell = 1, \\dots, L``) or its first relation (``\\ell \\ge 1``;
    ``1 \\le k \\le n``)."""
    text = re.sub(r"\\text\{[^}]*\}", " ", text)
    try:
        whole = parse(text.strip().rstrip(".;").strip())  # "for i = 1, \dots, n." at a sentence's end
        if whole.kind == "chain" and whole.value == "range":
            return whole
    except ParseError:
        pass
    first = text.split(",")[0].strip()
    return parse(first)
