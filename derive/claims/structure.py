"""Structure a document states about its matrices, attached to names (read before sampling).

The prose of a hand derivation says what its matrices are: "Let $U$ be orthogonal", "$U, V$
orthogonal", "$P$ symmetric positive definite", "$\\Sigma$ is diagonal", "$A$ invertible",
"with eigenvalues $\\lambda_1 > \\dots$ and orthonormal eigenvectors $u_1, \\dots, u_n$", an SVD
"$X = U \\Sigma V^\\top$".  :func:`extract` finds such statements and attaches each structure
word to the names in the inline math right before it in the same sentence (through "is",
"are", "be", "and", commas) or right after it ("orthogonal $Q$", "orthonormal eigenvectors
$u_1, \\dots$").  Structure stated in math (``U^\\top U = I``, ``A = A^\\top``, ``A \\succ 0``)
is read by :func:`from_math`.

A word the rules cannot attach stays *unattached*: the judge keeps today's safety net for it
(a failing claim that reaches a matrix is undecided, never refuted).  A word attached to a name
the sampler cannot honour (``idempotent``, an orthogonal set of vectors) is a fact of kind
``unmodelled``: a claim that reaches the name is not refuted either.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .latex_parser import Node, ParseError, parse, split_top_commas, to_text

# kinds the sampler honours (derive.problem.Sampler.matrix kinds, plus psd, eigen and svd)
SAMPLED = ("orthogonal", "symmetric", "spd", "psd", "diagonal", "invertible", "eigen", "svd", "onehot")

# structure words, longest first (a phrase wins over its parts)
_WORDS = (
    ("symmetric positive semidefinite", "psd"), ("symmetric positive semi-definite", "psd"),
    ("symmetric positive definite", "spd"), ("positive semidefinite", "psd"), ("positive semi-definite", "psd"),
    ("positive definite", "spd"), ("spd", "spd"), ("psd", "psd"),
    ("orthogonal", "orthogonal"), ("orthonormal", "orthogonal"), ("unitary", "orthogonal"),
    ("symmetric", "symmetric"), ("diagonal", "diagonal"), ("invertible", "invertible"),
    ("nonsingular", "invertible"), ("non-singular", "invertible"),
    ("idempotent", "unmodelled"), ("triangular", "unmodelled"), ("projection", "unmodelled"),
    ("skew-symmetric", "unmodelled"), ("antisymmetric", "unmodelled"), ("nilpotent", "unmodelled"),
    ("stochastic", "unmodelled"), ("toeplitz", "unmodelled"), ("circulant", "unmodelled"),
    ("permutation", "unmodelled"), ("low-rank", "unmodelled"), ("rank-one", "unmodelled"),
    ("one-hot", "onehot"), ("covariance matrix", "psd"), ("covariance", "psd"),
    # "let $u$ be a unit vector": a norm fixed to 1, which the sampler does not draw
    ("unit vector", "unmodelled"), ("unit vectors", "unmodelled"), ("unit-norm", "unmodelled"),
    ("unit-length", "unmodelled"),
)
# words between a name and its structure word ("$U$ and $V$ are both orthogonal")
_LINK = {"is", "are", "be", "being", "both", "all", "a", "an", "the", "each", "also", "assumed", "to", "now",
         "and", "real", "square", "matrix", "matrices", "here", "again", "still", "that", "which", "we", "have",
         "has", "where", "with", "so"}
# words after a structure word that make it a relation or a part, not a property of a matrix
_NOT_A_PROPERTY = {"to", "entry", "entries", "element", "elements", "part", "parts", "block", "blocks", "term",
                   "terms", "component", "components"}
# words between a structure word and the names it qualifies ("orthogonal matrices $U$ and $V$")
_FORWARD = {"matrix", "matrices", "factor", "factors", "and", "square", "real", "n", "x"}
# ... and between "one-hot" and its vector ("a one-hot label $\mathbf{y}$")
_FORWARD_VECTOR = _FORWARD | {"label", "labels", "vector", "vectors", "target", "targets", "encoding", "encoded"}
# a pronoun that opens a sentence after a name's math ("Define $J := \dots$. It is symmetric")
_PRONOUNS = {"it", "this"}
SENTENCE_TOKENS = 120  # a sentence is read at most this far either side of a word (bounded work)
_SENTENCE = re.compile(r"[.!?;:](\s|$)")
_TOKEN = re.compile(r"\$([^$]*)\$|([A-Za-z][A-Za-z\-]*)|([,])")


@dataclass(frozen=True)
class Fact:
    """One stated structure: ``kind`` of the names (families as ``free_names`` spells them)."""

    kind: str
    names: tuple[str, ...]
    line: int
    section: Any
    word: str
    extra: tuple[tuple[str, Any], ...] = ()  # eigen: matrix, values, vectors, order; svd: X, U, S, V

    def get(self, key: str) -> Any:
        return dict(self.extra).get(key)

    def describe(self) -> str:
        if self.kind == "svd":
            return (f"{self.get('U')}, {self.get('V')} orthogonal, {self.get('S')} diagonal ≥ 0, "
                    f"{self.get('X')} = {self.get('U')}{self.get('S')}{self.get('V')}^T (SVD stated in the prose)")
        if self.kind == "blocks":
            label = {"spd": "symmetric positive definite", "psd": "symmetric positive semidefinite"}.get(
                self.get("kind"), self.get("kind"))
            return (f"{self.get('whole')} {label} (stated in the prose), its blocks "
                    f"{', '.join(self.names)} drawn as the blocks of one such matrix")
        if self.kind == "eigen" and self.get("Q"):
            return (f"{self.get('matrix')} = {self.get('Q')}{self.get('L')}{self.get('Q')}^T, {self.get('Q')} orthogonal, "
                    f"{self.get('L')} diagonal (eigendecomposition stated in the prose)")
        if self.kind == "eigen":
            order = {"desc": "λ descending", "asc": "λ ascending"}.get(self.get("order"), "λ in any order")
            sign = {"pos": ", > 0", "nonneg": ", ≥ 0"}.get(self.get("sign"), "")
            vecs = f", eigenvectors {self.get('vectors')} its orthonormal columns" if self.get("vectors") else ""
            return (f"{self.get('matrix')} = Q diag({self.get('values')}) Q^T, Q orthogonal{vecs}; "
                    f"{order}{sign} (stated in the prose)")
        label = {"spd": "symmetric positive definite", "psd": "symmetric positive semidefinite"}.get(self.kind, self.kind)
        return f"{', '.join(self.names)} {label} (stated in the {'math' if self.word.startswith('$') else 'prose'})"


@dataclass
class Stated:
    """What :func:`extract` found: attached facts and the words it could not attach."""

    facts: list[Fact] = field(default_factory=list)
    unattached: dict[Any, set[str]] = field(default_factory=dict)  # section -> words


@functools.lru_cache(maxsize=4096)
def _names_cached(latex: str) -> tuple[str, ...]:
    return tuple(_names_uncached(latex))


def _names(latex: str) -> list[str]:
    return list(_names_cached(latex))


def _names_uncached(latex: str) -> list[str]:
    """The names a piece of inline math introduces: ``U``, ``U, V``, ``A \\in \\mathbb{R}^{n}``
    (its subject), ``u_1, \\dots, u_n`` (the family ``u_•``)."""
    from .roles import family

    out: list[str] = []
    pieces = split_top_commas(latex.strip().rstrip(",.;").rstrip())  # "$$\Sigma = ...,$$": the comma is prose
    for k, piece in enumerate(pieces):
        if piece.strip() in ("\\dots", "\\ldots", "\\cdots", "..."):
            continue
        try:
            tree = parse(piece.strip())
        except (ParseError, RecursionError, ValueError):
            return []
        if tree.kind == "chain":
            items, ops = tree.args
            if k == len(pieces) - 1 and ops and ops[0] in ("in", "=", ":="):
                tree = items[0]  # $U, V \in \mathbb{R}^{n \times n}$: the last piece's subject
            else:
                return []
        if tree.kind != "name":
            return []
        fam = family(tree)
        if fam and fam not in out:
            out.append(fam)
    return out


def _tokens(text: str) -> list[tuple[str, str]]:
    """("math", latex) | ("word", lowercase word) | ("comma", ",") | ("stop", "")."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if _SENTENCE.search(text[pos:m.start()].replace("$", "")):
            out.append(("stop", ""))
        pos = m.end()
        if m.group(1) is not None:
            out.append(("math", m.group(1)))
        elif m.group(2) is not None:
            out.append(("word", m.group(2).lower()))
        else:
            out.append(("comma", ","))
    if _SENTENCE.search(text[pos:]):
        out.append(("stop", ""))
    return out


def _match_word(toks: list[tuple[str, str]], i: int) -> tuple[str, str, int] | None:
    """The structure phrase starting at token i: (phrase, kind, tokens it spans)."""
    for phrase, kind in _WORDS:
        ws = phrase.split()
        if all(i + k < len(toks) and toks[i + k] == ("word", w) for k, w in enumerate(ws)):
            return phrase, kind, len(ws)
    return None


def _subject_at(toks: list[tuple[str, str]], i: int) -> int:
    """The token before the structure word at i, through link words ("is", "are", ...)."""
    j = i - 1
    while j >= max(0, i - 12) and (toks[j][0] == "word" and (toks[j][1] in _LINK or _match_word(toks, j))):
        j -= 1  # a bounded look back: a hostile run of words stays linear
    return j


def _after_expression(toks: list[tuple[str, str]], i: int) -> bool:
    """"$X^\\top X$ is invertible": the word is about the expression right before it, which is
    no name; the next name in the text (the display after) is not what it describes."""
    j = _subject_at(toks, i)
    return j >= 0 and toks[j][0] == "math" and not _names(toks[j][1])


def _backward(toks: list[tuple[str, str]], i: int) -> list[str]:
    """Names in the math right before token i (through link words), with the math joined to
    it by "and" or commas ("$U$, $V$ and $W$ are orthogonal")."""
    j = _subject_at(toks, i)
    if j >= 2 and toks[j][0] == "word" and toks[j][1] in _PRONOUNS and toks[j - 1][0] == "stop" \
            and toks[j - 2][0] == "math":
        return _names(toks[j - 2][1])  # "Define $J := ..$. It is symmetric": the name the last math introduced
    if j < 0 or toks[j][0] != "math":
        return []
    names = _names(toks[j][1])
    if not names:
        return []
    k = j - 1
    while k >= max(1, j - 16) and (toks[k] == ("word", "and") or toks[k][0] == "comma") and toks[k - 1][0] == "math":
        more = _names(toks[k - 1][1])
        if not more:
            break
        names = more + names
        k -= 2
    return names


def _covariance_names(toks: list[tuple[str, str]], i: int, span: int) -> list[str]:
    """"with covariance $\\Sigma$", "a covariance matrix $S$" (forward: "$\\mathbf{x}$ with covariance
    $C$" qualifies C, not x), or "$S$ is a covariance matrix" (backward, after "a" or "an")."""
    names = _forward(toks, i + span, _FORWARD | {"as", "is"})  # "write the covariance as $K = ..$"
    if names or i == 0 or toks[i - 1] not in (("word", "a"), ("word", "an")):
        return names
    return _backward(toks, i)


def _names_covariance_again(toks: list[tuple[str, str]], i: int, facts: list[Fact]) -> bool:
    """"the covariance" with no name of its own, in a document that named its covariance matrix
    before: the same matrix, whose structure is read already."""
    return i > 0 and toks[i - 1] == ("word", "the") and any(f.word.startswith("covariance") for f in facts)


def _forward(toks: list[tuple[str, str]], i: int, words: set[str] = _FORWARD) -> list[str]:
    j = i
    while j < min(len(toks), i + 6) and toks[j][0] == "word" and toks[j][1] in words - {"and"}:
        j += 1
    if j >= len(toks) or toks[j][0] != "math":
        return []
    names = _names(toks[j][1])
    k = j + 1
    while names and k + 1 < min(len(toks), j + 16) and (toks[k] == ("word", "and") or toks[k][0] == "comma") \
            and toks[k + 1][0] == "math":
        more = _names(toks[k + 1][1])
        if not more:
            break
        names = names + more
        k += 2
    return names


def _square_name(name: str) -> bool:
    base = name.split("_")[0]
    for pre in ("\\mathbf{", "\\bar{", "\\hat{", "\\tilde{", "\\widehat{", "\\mathcal{"):
        base = base.replace(pre, "")
    base = base.strip("{}")
    # the upper-case Greek letters the binder reads as matrices (inference.Inference.kind_for)
    return (len(base) == 1 and base.isupper()) or base in ("\\Sigma", "\\Lambda", "\\Phi", "\\Psi", "\\Omega",
                                                          "\\Gamma", "\\Theta", "\\Xi", "\\Delta")


def _sentence_of(toks: list[tuple[str, str]], i: int) -> tuple[int, int]:
    a = i
    while a > max(0, i - SENTENCE_TOKENS) and toks[a - 1][0] != "stop":
        a -= 1
    b = i
    while b < min(len(toks), i + SENTENCE_TOKENS) and toks[b][0] != "stop":
        b += 1
    return a, b


def _eigen(toks: list[tuple[str, str]], i: int, line: int, section: Any, word: str) -> Fact | None:
    """"(symmetric) $A$ ... with eigenvalues $\\lambda_1 > \\dots > \\lambda_n$ and orthonormal
    eigenvectors $u_1, \\dots, u_n$": A = Q diag(λ) Q^T with u_i the columns of Q."""
    a, b = _sentence_of(toks, i)
    sent = toks[a:b]
    words = [t[1] for t in sent if t[0] == "word"]
    values = vectors = order = None
    sign = None
    matrix = None
    for k, t in enumerate(sent):
        if t[0] != "word":
            continue
        if t[1] in ("eigenvalues", "eigenvalue") and k + 1 < len(sent) and sent[k + 1][0] == "math":
            m = sent[k + 1][1]
            fams = _families_in(m) or _names(m)
            if len(fams) == 1:
                values = fams[0]
                if re.search(r">|\\gt|\\geq?\b", m) and not re.search(r"<|\\lt|\\leq?\b", m.split("\\ge")[0]):
                    order = "desc"
                elif re.search(r"<|\\lt|\\leq?\b", m):
                    order = "asc"
                if re.search(r"(>|\\gt)\s*0\s*$", m):
                    sign = "pos"
                elif re.search(r"(\\ge|\\geq)\s*0\s*$", m):
                    sign = "nonneg"
        if t[1] in ("eigenvectors",) and k + 1 < len(sent) and sent[k + 1][0] == "math":
            fams = _names(sent[k + 1][1])
            if len(fams) == 1 and k >= 1 and sent[k - 1] == ("word", "orthonormal"):
                vectors = fams[0]
        if t[1] == "of" and k + 1 < len(sent) and sent[k + 1][0] == "math" and matrix is None:
            ns = _names(sent[k + 1][1])
            if len(ns) == 1 and _square_name(ns[0]):
                matrix = ns[0]
    if matrix is None:  # the nearest matrix named before the word in its sentence
        for t in reversed(toks[a:i]):
            if t[0] == "math":
                ns = _names(t[1])
                if len(ns) == 1 and _square_name(ns[0]):
                    matrix = ns[0]
                    break
    if matrix is None:
        return None
    symmetric = bool({"symmetric", "orthonormal"} & set(words)) or "positive definite" in " ".join(words)
    if values is None or not symmetric:  # a general matrix's eigenvalues: not modelled
        names = (matrix,) + tuple(x for x in (values, vectors) if x)
        # the matrix, and whether the math states a sign or order: a defined matrix's eigenvalues
        # named without one constrain nothing its definition's inputs (see structure_reach.structure_for)
        return Fact("unmodelled", names, line, section, "eigenvalues",
                    (("matrix", matrix), ("values", values), ("vectors", vectors), ("order", order), ("sign", sign),
                     ("prose_sign", _prose_sign(words))))
    if sign is None and "positive definite" in " ".join(words) and "semidefinite" not in words:
        sign = "pos"
    names = (matrix, values) + ((vectors,) if vectors else ())
    return Fact("eigen", names, line, section, word,
                (("matrix", matrix), ("values", values), ("vectors", vectors), ("order", order), ("sign", sign)))


_SIGN_WORDS = {"positive", "negative", "nonnegative", "nonpositive", "non-negative", "non-positive", "nonzero",
               "non-zero", "bounded", "greater", "less", "larger", "smaller", "real", "distinct", "simple"}


def _prose_sign(words: list[str]) -> bool:
    """Whether the sentence states a property of the eigenvalues in words ("all positive"), other
    than one it gives a reason for ("both positive because $X$ has full column rank": a consequence)."""
    for k, w in enumerate(words):
        if w in _SIGN_WORDS and not any(x in ("because", "since") for x in words[k + 1:k + 3]):
            return True
    return False


def _families_in(latex: str) -> list[str]:
    return list(_families_cached(latex))


@functools.lru_cache(maxsize=4096)
def _families_cached(latex: str) -> tuple[str, ...]:
    """Families of the subscripted names in ``\\lambda_1 > \\lambda_2 \\ge \\dots``."""
    from .roles import family

    try:
        tree = parse(latex.strip())
    except (ParseError, RecursionError, ValueError):
        return ()
    out: list[str] = []
    for n in tree.walk():
        if n.kind == "name" and n.args[0] is not None:
            fam = family(n)
            if fam and fam not in out:
                out.append(fam)
    return tuple(out)


def _svd(claims: list[Any], k: int) -> Fact | None:
    """``X = U \\Sigma V^\\top`` with "SVD"/"singular value decomposition" beside it."""
    c = claims[k]
    near = _near(c)
    if "svd" not in near and "singular value decomposition" not in near:
        return _eigendecomposition(c, near)
    split = _three_factors(c)
    if split is None:
        return None
    lhs, (u, s, vt) = split
    if u.kind != "name" or s.kind != "name" or vt.kind != "transpose" or vt.args[0].kind != "name":
        return None
    names = [to_text(x) for x in (lhs, u, s, vt.args[0])]
    if len(set(names)) != 4 or not all(_square_name(x) for x in names):
        return None
    X, U, S, V = names
    return Fact("svd", (X, U, S, V), c.line, c.section, "svd", (("X", X), ("U", U), ("S", S), ("V", V)))


def _three_factors(c: Any) -> tuple[Node, list[Node]] | None:
    """``X = U S V^\\top`` (a name equal to a product of three factors): the name and the factors."""
    try:
        tree = parse(c.latex.strip())
    except (ParseError, RecursionError, ValueError):
        return None
    if tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    lhs, rhs = tree.args[0]
    factors = _factors(rhs)
    if lhs.kind != "name" or len(factors) != 3:
        return None
    return lhs, factors


def _near(c: Any) -> str:
    """The sentence a span sits in: the prose before it since the last full stop, and after it up to the next."""
    before = re.split(r"[.!?](?:\s|$)", c.context)[-1][-300:]
    after = re.split(r"[.!?](?:\s|$)", c.after)[0]
    return (before + " " + after).lower()


_EIG_WORDS = ("eigendecomposition", "eigen-decomposition", "eigenvalue decomposition", "spectral decomposition",
              "spectral theorem", "diagonalize", "diagonalise", "eigenvalues", "eigenvectors")


def _eigendecomposition(c: Any, near: str) -> Fact | None:
    """``A = Q \\Lambda Q^\\top`` with an eigendecomposition named beside it: Q orthogonal, Λ diagonal
    (its diagonal the family λ_i when the document writes it), A = QΛQ^T."""
    if not any(w in near for w in _EIG_WORDS):
        return None
    split = _three_factors(c)
    if split is None:
        return None
    lhs, (q, lam, qt) = split
    if q.kind != "name" or lam.kind != "name" or qt.kind != "transpose" or to_text(qt.args[0]) != to_text(q):
        return None
    A, Q, L = (to_text(x) for x in (lhs, q, lam))
    if len({A, Q, L}) != 3 or not all(_square_name(x) for x in (A, Q, L)):
        return None
    values = "\\" + L.lstrip("\\").lower() + "_•" if L.startswith("\\") else None
    return Fact("eigen", (A, Q, L), c.line, c.section, "eigendecomposition",
                (("matrix", A), ("Q", Q), ("L", L), ("values", values), ("vectors", None), ("order", None),
                 ("sign", None)))


def _factors(n: Node) -> list[Node]:
    if n.kind == "mul" and n.value in ("juxt", "cdot"):
        out: list[Node] = []
        for a in n.args:
            if isinstance(a, Node):
                out.extend(_factors(a))
        return out
    return [n]


def extract(claims: list[Any]) -> Stated:
    """Facts from the prose and inline math around the spans, in document order."""
    out = Stated()
    seen: set[tuple] = set()
    toks: list[tuple[str, str]] = []
    where: list[tuple[int, Any]] = []  # (line, section) of each token
    prev_after = None
    for k, c in enumerate(claims):
        ctx = c.context
        a, b = (re.sub(r"[\s$]", "", x) for x in (prev_after or "", ctx))  # the context spaces out its math
        n = min(30, len(a), len(b))
        if a and not (n and a[:n] == b[:n]):  # the prose after the previous span, when ctx lacks it
            piece = _tokens(prev_after + ". ")
            toks += piece
            where += [where[-1] if where else (c.line, c.section)] * len(piece)
        piece = _tokens(ctx) + [("math", c.latex)] + ([("stop", "")] if c.display else [])
        toks += piece
        where += [(c.line, c.section)] * len(piece)
        prev_after = c.after
        svd = _svd(claims, k)
        if svd is not None:
            out.facts.append(svd)
    i = 0
    while i < len(toks):
        t = toks[i]
        line, section = where[i]
        if t[0] == "math" and _SUCC.match(t[1]):  # $P \succ 0$ (no relation the reader knows)
            m = _SUCC.match(t[1])
            f = Fact("psd" if m.group(2) else "spd", (m.group(1),), line, section, "$" + t[1].strip() + "$")
            if (f.kind, f.names, repr(section)) not in seen:
                seen.add((f.kind, f.names, repr(section)))
                out.facts.append(f)
        if t[0] != "word":
            i += 1
            continue
        if t[1] == "roots":
            f = _roots(toks, i, line, section)
            if f is not None and (f.kind, f.names, repr(section)) not in seen:
                seen.add((f.kind, f.names, repr(section)))
                out.facts.append(f)
            i += 1
            continue
        if t[1] == "jointly" and i + 1 < len(toks) and toks[i + 1][0] == "word" \
                and toks[i + 1][1] in ("gaussian", "normal"):
            f = _joint_gaussian(toks, i, line, section)
            if f is not None and (f.kind, f.names, repr(section)) not in seen:
                seen.add((f.kind, f.names, repr(section)))
                out.facts.append(f)
            i += 1
            continue
        if t[1] in ("eigenvalues", "eigenvectors", "eigenvalue", "eigenvector"):
            f = _eigen(toks, i, line, section, t[1])
            if f is not None and f.kind == "unmodelled" and any(
                    g.kind == "eigen" and g.get("matrix") == f.names[0] for g in out.facts):
                i += 1  # "the eigenvalues are 3 and 1" of the matrix whose eigendecomposition is stated
                continue
            key = (f.kind, f.names, repr(section)) if f else None
            if f is not None and key not in seen:
                seen.add(key)
                out.facts.append(f)
            elif f is None:
                out.unattached.setdefault(section, set()).add(t[1])
            i += 1
            continue
        m = _match_word(toks, i)
        if m is None:
            i += 1
            continue
        phrase, kind, span = m
        if i + span < len(toks) and toks[i + span][0] == "word" and toks[i + span][1].startswith("eigen"):
            i += span  # "orthonormal eigenvectors": read with the eigenvalues
            continue
        if i + span < len(toks) and toks[i + span][0] == "word" and toks[i + span][1] in _NOT_A_PROPERTY:
            i += span  # "orthogonal to the input", "every diagonal entry of D_t": no matrix's structure
            continue
        if kind == "onehot":
            names = _forward(toks, i + span, _FORWARD_VECTOR)  # "a one-hot label $\mathbf{y}$"
        elif phrase.startswith("unit"):  # "$u$ be a unit vector", "a unit vector $u$", "unit-norm vectors $u, v$"
            names = _backward(toks, i) or _forward(toks, i + span, _FORWARD_VECTOR)
        elif phrase.startswith("covariance"):
            names = _covariance_names(toks, i, span)
            if not names and _names_covariance_again(toks, i, out.facts):
                i += span  # "the top-left block of the covariance": the one named before
                continue
        elif i > 0 and toks[i - 1][0] == "word" and toks[i - 1][1] in ("a", "an", "the", "some", "any", "every"):
            names = _forward(toks, i + span)  # "$Q$ and the symmetric matrix $S$": S, not Q
        else:
            names = _backward(toks, i)
            if not names and not _after_expression(toks, i):
                names = _forward(toks, i + span)
        if not names:
            out.unattached.setdefault(section, set()).add(phrase)
        else:
            kk = kind
            if kind in ("orthogonal", "symmetric", "spd", "psd", "diagonal", "invertible") \
                    and not all(_square_name(n) for n in names):
                kk = "unmodelled"  # orthogonal vectors, a diagonal of a vector: not a matrix kind
            key = (kk, tuple(names), repr(section), phrase)
            if key not in seen:
                seen.add(key)
                out.facts.append(Fact(kk, tuple(names), line, section, phrase))
        i += span
    return out


def _joint_gaussian(toks: list[tuple[str, str]], i: int, line: int, section: Any) -> Fact | None:
    """"Let $\\mathbf{x}$ and $\\mathbf{y}$ be jointly Gaussian with mean $(\\mu_x, \\mu_y)$ and covariance
    $\\Sigma$": the names (in order), the mean's math and the covariance's math, as written; the
    probability model reads them (probability.joint_records).  None where a part is missing."""
    names = _backward(toks, i)
    if len(names) < 2 or len(set(names)) != len(names):
        return None
    _a, b = _sentence_of(toks, i)
    found: dict[str, str] = {}
    for k in range(i + 2, b):
        t = toks[k]
        if t[0] != "word" or t[1] not in ("mean", "means", "covariance"):
            continue
        j = k + 1
        while j < b and toks[j][0] == "word" and toks[j][1] in ("matrix", "vector", "of", "is", "given", "by"):
            j += 1  # "covariance matrix given by $$...$$"
        key = "cov" if t[1] == "covariance" else "mean"
        if j < b and toks[j][0] == "math" and key not in found:
            found[key] = toks[j][1]
    if set(found) != {"mean", "cov"}:
        return None
    return Fact("joint_gaussian", tuple(names), line, section, "jointly gaussian",
                (("mean", found["mean"]), ("cov", found["cov"])))


_ROOTS_BEFORE = 40  # tokens looked back from "roots" for the polynomial (bounded work)


def _roots(toks: list[tuple[str, str]], i: int, line: int, section: Any) -> Fact | None:
    """"characteristic polynomial $z^2 - bz + c$. Its two roots $z_1, z_2$ satisfy": the members
    named right after "roots" (numbered members of one family) and the polynomial, the nearest
    expression before in the bare name of that family.  Judged through the equations q(z_1) = 0,
    q(z_2) = 0 (derive.claims.equations)."""
    j = i + 1
    while j < min(len(toks), i + 4) and toks[j][0] == "word" and toks[j][1] in ("of", "the", "are", "its"):
        j += 1
    if j >= len(toks) or toks[j][0] != "math":
        return None
    members = []
    for piece in split_top_commas(toks[j][1].strip()):
        try:
            n = parse(piece.strip())
        except (ParseError, RecursionError, ValueError):
            return None
        if n.kind != "name" or n.args[0] is None or n.args[1] is not None or n.args[0].kind != "num":
            return None
        members.append(n)
    if len(members) < 2 or len({m.value for m in members}) != 1:
        return None
    var = members[0].value
    for k in range(i - 1, max(-1, i - _ROOTS_BEFORE), -1):
        if toks[k][0] != "math":
            continue
        try:
            poly = parse(toks[k][1].strip())
        except (ParseError, RecursionError, ValueError):
            continue
        if poly.kind != "chain" and any(x.kind == "name" and x.value == var and x.args == (None, None)
                                        for x in poly.walk()):
            from .roles import family
            return Fact("roots", (family(members[0]) or "",), line, section, "roots",
                        (("poly", toks[k][1].strip()), ("var", var), ("members", tuple(to_text(m) for m in members))))
    return None


_SUCC = re.compile(r"^\s*([A-Za-z]|\\[A-Za-z]+)\s*\\succ(eq)?\s*0\s*$")


def from_math(latex: str, tree: Node | None) -> tuple[str, str] | None:
    """Structure stated in math: ``U^\\top U = I`` (orthogonal), ``A = A^\\top`` (symmetric),
    ``A \\succ 0`` (spd), ``A \\succeq 0`` (psd): (kind, name) or None."""
    from .roles import family

    m = _SUCC.match(latex)
    if m:
        return ("psd" if m.group(2) else "spd", m.group(1))
    if tree is None or tree.kind != "chain" or len(tree.args[1]) != 1:
        return None
    (a, b), (op,) = tree.args
    if op != "=":
        return None
    for x, y in ((a, b), (b, a)):
        if x.kind == "name" and y.kind == "transpose" and y.args[0].kind == "name" and to_text(y.args[0]) == to_text(x):
            return ("symmetric", family(x) or "")
        fs = _factors(x)
        if y.kind == "name" and y.value == "I" and len(fs) == 2:
            p, q = fs
            if p.kind == "transpose" and p.args[0].kind == "name" and q.kind == "name" and to_text(p.args[0]) == to_text(q):
                return ("orthogonal", family(q) or "")
            if q.kind == "transpose" and q.args[0].kind == "name" and p.kind == "name" and to_text(q.args[0]) == to_text(p):
                return ("orthogonal", family(p) or "")
    return None


# "a scalar bias $b_2$", "scalars $a, b$", "$c$ is a scalar": names the prose makes real numbers
_SCALAR_BEFORE = re.compile(r"\b(?:a|an|the|some|any|each|and|two|real|positive|nonzero|non-zero)\s+scalars?"
                            r"((?:\s+[A-Za-z][A-Za-z\-]*){0,2}?)\s*\$([^$]{1,120})\$")
_SCALAR_AFTER = re.compile(r"\$([^$]{1,120})\$\s+(?:is|are|be)\s+(?:an?\s+|both\s+|all\s+)?(?:real\s+)?scalars?\b")
# "a scalar function $f$", "scalar product": the word qualifies something that is not the name
_NOT_SCALAR_NOUN = {"function", "functions", "field", "fields", "product", "products", "multiple", "multiples",
                    "valued", "-valued", "loss", "objective", "output", "outputs", "of", "times", "with", "and"}


def scalars_stated(text: str) -> list[Node]:
    """Names the prose declares scalars (``a scalar bias $b_2$``, ``$c$ is a scalar``): only
    inline math that is a name or a list of names; "a scalar function $f$" declares nothing."""
    out: list[Node] = []
    found = [(m.group(2), m.group(1).split()) for m in _SCALAR_BEFORE.finditer(text[-4000:])]
    found += [(m.group(1), []) for m in _SCALAR_AFTER.finditer(text[-4000:])]
    for latex, words in found:
        if any(w.lower() in _NOT_SCALAR_NOUN or w.lower().endswith("-valued") for w in words):
            continue
        try:
            names = [parse(part) for part in split_top_commas(latex)]
        except ParseError:
            continue
        if names and all(n.kind == "name" for n in names):
            out.extend(names)
    return out
