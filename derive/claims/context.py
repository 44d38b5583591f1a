"""Stage 7, *judge* (context): what the prose and layout around a statement say — parts and
labels, sentences, list joins, names defined in words, the line before as a premise. Pure
functions of the reader's spans and the document model; no judging here.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from . import roles as R
from .latex_parser import Node, ParseError, parse, to_text
from .model import DocumentModel, parts, visible
from .reader import Document
from .statements import Statement, split_statements


def recurrence_lines(spans: list[tuple[Any, list[Statement]]]) -> dict[str, list[tuple[int, Any]]]:
    """Where the document writes a recurrence for each family (x_t = f(x_{t-1})), from its spans
    already split into statements: a start value written before its rule (m_0 = 0, m_t = ...) is
    then read as the rule's initial value."""
    out: dict[str, list[tuple[int, Any]]] = {}
    for claim, statements in spans:
        for st in statements:
            fam = R.recurrence_family(st.tree) if st.error is None else None
            if fam is not None:
                out.setdefault(fam, []).append((claim.line, claim.section))
    return out


# "$K_t$ is (the) t x d matrix of ...", "$V_t$ similarly", "$X$ denotes the matrix ...": a name defined in words
# (a definite or a made-of description: "$A$ is a symmetric matrix" only declares)
_PROSE_DEFINED = re.compile(r"\$\s*([^$]{1,40}?)\s*\$\s*(?:(?:is|denotes)\s+(?:"
                            r"the\s+(?:\$[^$]{0,40}\$\s*)?(?:[\w-]+\s+){0,3}(?:matrix|vector)\b"
                            r"|(?:an?\s+)?(?:\$[^$]{0,40}\$\s*)?(?:[\w-]+\s+){0,3}(?:matrix|vector)\s+"
                            r"(?:of|with|whose|stacking)\b)|similarly\b)", re.IGNORECASE)


def prose_defined(text: str) -> list[str]:
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


def unread_definition(latex: str) -> str | None:
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


def members_of_list(tree: Node, known: Callable[[str], bool], has_zero: Callable[[str], bool]
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


def open_unknown(tree: Node, model: DocumentModel, section: Any) -> str | None:
    """The one name a relation leaves open (the document defines the others), or None."""
    # an index only written in subscripts (the i of \sigma_i) is not an unknown
    subscripts = {to_text(x) for n in tree.walk() if n.kind == "name" for a in n.args if isinstance(a, Node)
                  for x in a.walk() if x.kind == "name"}
    names = [f for f in R.free_names(tree) if not model.is_defined(f, section) and f not in subscripts]
    if len(names) != 1 or names[0].endswith((R.INDEXED, "(·)")):
        return None
    return names[0]


def line_statements(doc: Document, line: int) -> tuple[list[str], list[Node]]:
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


def is_implication_step(role: Any, previous: Any, section: Any, tree: Node) -> bool:
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


_GLOSS = re.compile(r"^\s*\([^()$]{0,80}\)")


def list_join(prose: str) -> bool:
    """The prose between two formulas of one list: ``,``, ``and``; a short gloss of the formula before may
    come first (``K = ... (matrix of keys), V = ...``)."""
    return _GLOSS.sub("", prose).strip().lower() in _LIST_JOINS


_PART_LABEL = re.compile(r"\(?([a-z]|[ivx]+|\d+)[.)]")


# labels that open a line or follow a sentence's end and stand right before the math: "… . (b) i.  "
_LABELS_AT_END = re.compile(r"(?:^\s*|[.:!?]\s+)((?:(?:\([a-z]\)|\([ivx]+\)|[ivx]+\.|[a-z]\)|\d+\.)\s*)+)$")


_LABELS_AT_START = re.compile(r"^\s*((?:(?:\([a-z]\)|\([ivx]+\)|[ivx]+\.|[a-z]\)|\d+\.)\s*)+)\S")


def opening_labels(context: str) -> str | None:
    """The part labels that open the line of a span when prose follows them ("(a) i. Reconstruction
    losses: "), or None."""
    m = _LABELS_AT_START.match(context.rsplit("\n", 1)[-1])
    return m.group(1) if m is not None else None


def labelled_section(context: str, seen: list[Any], own: Any, last: Any) -> Any:
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


def written_in_definitions(model: DocumentModel, section: Any) -> set[str]:
    """The families the document writes inside its visible definitions' right sides (a_i of
    A = diag(a_1, \\dots, a_n)): names of its own, not a registered problem's quantities."""
    out: set[str] = set()
    for b in model.visible_bindings(section):
        if b.kind == "define" and isinstance(b.rhs, Node):
            out |= R.free_names(b.rhs)
    return out


def equation_premise(previous: Any, section: Any, tree: Node, premised: Any) -> bool:
    """Whether the judged equation on the line before is one this equation rearranges: it is set to
    zero or rearranges one that is, in the same part, and the two share a name."""
    if previous is None or previous[0].tree is None or previous[0] is not premised:
        return False
    if previous[1].role not in (R.CLAIM, R.STEP, R.SOLUTION) or parts(previous[2]) != parts(section):
        return False
    return single_equation(previous[0].tree) and single_equation(tree) \
        and bool(R.free_names(previous[0].tree) & R.free_names(tree))


def single_equation(tree: Node) -> bool:
    """``L = 2^N``: one equation between two sides (a chain ``a = b = c`` or a mixed one is not)."""
    return tree.kind == "chain" and tree.args[1] == ("=",)


def samplable(tree: Node) -> bool:
    """Whether a hypothesis can steer sampling (inequalities do; x_0 = 0 or "U orthogonal" do not)."""
    return tree.kind == "chain" and all(o in ("<", "<=", ">", ">=", "!=") for o in tree.args[1])


def introduced_in_words(context: str) -> bool:
    """Whether prose of its own introduces a span ("Nesterov evaluates the gradient at the look-ahead
    point: $...$"): a display standing alone after another restates the derivation, not a new method."""
    return re.search(r"[A-Za-z]{3,}", context[-160:]) is not None


def ruled_before(model: DocumentModel, fam: str, section: Any) -> bool:
    """Whether a definition in scope gives ``fam`` by a rule (v_{t+1} = \\beta v_t + g_t), not by a
    closed form (e_t = w_t - w^\\star, whose recurrence a claim then derives)."""
    return any(b.kind == "define" and b.family == fam and visible(b.section, section)
               and R.rule_form(Node("chain", "", ((b.lhs, b.rhs), ("=",)), 0)) == fam for b in model.bindings)


def section_text(section: Any) -> str:
    return " / ".join(title for _, title, _ in section) if section else ""
