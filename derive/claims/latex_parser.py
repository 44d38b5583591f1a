"""A small, safe parser for the LaTeX math people write in derivations.

Input is untrusted text: it is tokenised and parsed by hand (recursive descent) into a
plain-data tree of :class:`Node` objects.  Nothing here evaluates anything; no string
ever reaches ``eval``, ``sympify`` or ``parse_latex``.  Every node records the column it
came from so that a failure can say "cannot parse ... at column k".

Limits (raise :class:`ParseError`): input length, nesting depth, matrix size.

Notation read (see docs/claims-schema.md): names with accents and subscripts
(``\\bar{h}^{(t)}`` is a *time-indexed name*, not a power), ``^\\top``/``^T``/``^{-1}``/
``^{-\\top}``, powers, ``\\frac``, ``\\sum``/``\\prod`` with limits, functions
(``\\tanh``, ``\\sigma``, ``\\sigma'``, ``\\operatorname{..}``), ``\\|x\\|``, ``|x|``,
pmatrix/bmatrix (block matrices too), ``\\partial`` fractions, ``\\frac{d}{dx}``,
differentials ``dX`` / ``d(X^{-1})``, ``\\nabla``, relations, intervals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

MAX_INPUT = 50_000  # characters in one claim
MAX_DEPTH = 120  # nesting depth of the parse tree
MAX_MATRIX = 40  # rows or columns of a written matrix
FIXED = "fixed:"  # the value of an apply node written f(x; a, b): "fixed:" and the fixed parameters


class ParseError(Exception):
    """The text could not be read; ``column`` is 1-based within the claim's LaTeX."""

    def __init__(self, message: str, column: int):
        super().__init__(f"{message} at column {column}")
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Node:
    """A node of the math tree.

    ``kind`` says what it is; ``value`` holds a name/number/operator spelling; ``args`` the
    children (nodes, or tuples of nodes for matrix rows); ``col`` the 1-based column.

    kinds: num, name (value = base spelling, args = (subscript|None, time index|None)),
    add, sub, neg, mul (value = juxt|cdot|times|odot|circ|star), div, pow, transpose,
    inverse_transpose, prime (f'), call (args = (function, arg, ...)), func (value = name),
    norm (value = ""|"F"|"2"...), abs, matrix (value = env, args = rows), sum/prod (args =
    (body, var|None, lo|None, hi|None)), partial (args = (num, den, order)), ddx (args =
    (var, body|None)), differential (args = (arg,)), nabla (args = (order, fn)), rel
    (value = operator, args = (lhs, rhs)), interval (value = brackets, args = (lo, hi)),
    tuple, set, ellipsis, infinity, text, element (an entry of a bracketed expression,
    ``(A^\\top A)_{jk}``: args = (expression, subscript)), blank (an empty matrix cell), extremum (value = \\max|\\min, args =
    (body, var, lo|None, hi|None): ``\\max_{1 \\le i \\le n} x_i``; also \\argmin|\\argmax: ``\\arg\\min_\\theta L(\\theta)``), expect (value = E|Var|Cov, args = ((arg, ...), given|None,
    subscript|None): \\mathbb{E}_{x \\sim p}[X \\mid Y], \\operatorname{Var}(X), \\operatorname{Cov}[X, Y]),
    indicator (value = =|!=|<|>|<=|>=, args = (lhs, rhs): the Iverson bracket [k = c], \\mathbb{1}_{x > 0}),
    bound (value = <|<=|>|>=, args = (value,): the subscript of u_{\\le 0}, the members of u below 0),
    limit (args = (body, var, point): \\lim_{n \\to \\infty} f(n)),
    inner (args = (a, b): \\langle a, b \\rangle, xᵀy for vectors and tr(AᵀB) for matrices),
    density (args = (fn, (x, ...), (z, ...)): p_\\theta(x \\mid z), a conditional density, not modelled),
    collection (args = (member, var, lo, hi): the data set \\{(x_i, y_i)\\}_{i=1}^n, never a value).
    """

    kind: str
    value: str | None
    args: tuple
    col: int

    def children(self) -> list["Node"]:
        """The node's sub-trees (matrix rows and chain items flattened)."""
        out: list[Node] = []
        for a in self.args:
            if isinstance(a, Node):
                out.append(a)
            elif isinstance(a, tuple):
                out.extend(x for x in a if isinstance(x, Node))
        return out

    def walk(self):
        """All nodes of the tree, depth first (iteratively: trees may be deep)."""
        stack = [self]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(n.children())


# --- tokens -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    kind: str  # cmd, letter, num, sym, text, eof
    value: str
    col: int
    sized: bool = False  # a [ written \left[: a bracket of grouping, as a factor after a matrix
    width: int = 0  # characters it spans where that is not len(value) (\overset{iid}{\sim} is one \sim)


_UNICODE = {
    "σ": r"\sigma", "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "λ": r"\lambda",
    "θ": r"\theta", "ℓ": r"\ell", "μ": r"\mu", "η": r"\eta", "ε": r"\epsilon", "Δ": r"\Delta",
    "Σ": r"\Sigma", "π": r"\pi", "ω": r"\omega", "τ": r"\tau", "φ": r"\phi", "ρ": r"\rho",
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "·": r"\cdot", "⊙": r"\odot",
    "×": r"\times", "∑": r"\sum", "∏": r"\prod", "∇": r"\nabla", "∂": r"\partial", "∈": r"\in",
    "⊤": r"\top", "⇒": r"\Rightarrow", "⟺": r"\iff", "∞": r"\infty", "−": "-", "∘": r"\circ",
    "≡": r"\equiv", "←": r"\leftarrow", "∴": r"\therefore", "…": r"\dots", "ξ": r"\xi",
}
_SPACING = {r"\,", r"\;", r"\:", r"\!", r"\ ", r"\quad", r"\qquad", r"\displaystyle", r"\textstyle",
            r"\left.", r"\right.", r"\big", r"\Big", r"\bigg", r"\Bigg", r"\nonumber", r"\notag",
            r"\limits", r"\nolimits", r"\mathstrut", r"\scriptstyle", r"\hfill", r"\phantom"}
_TEXT_ARG = {r"\text", r"\mathrm", r"\operatorname", r"\textrm", r"\textbf", r"\textit", r"\mbox",
             r"\mathit", r"\operatorname*"}


def tokenize(src: str) -> list[Token]:
    """Split LaTeX into tokens; unknown characters raise :class:`ParseError`."""
    if len(src) > MAX_INPUT:
        raise ParseError(f"claim longer than {MAX_INPUT} characters", 1)
    out: list[Token] = []
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        col = i + 1
        if ch.isspace() or ch == "&" or ch == "~":
            i += 1
            continue
        if ch in _UNICODE:
            rep = _UNICODE[ch]
            out.append(Token("cmd" if rep.startswith("\\") else "sym", rep, col))
            i += 1
            continue
        if ch == "%":  # comment to end of line
            while i < n and src[i] != "\n":
                i += 1
            continue
        if ch == "\\":
            if i + 1 < n and src[i + 1].isalpha():
                j = i + 1
                while j < n and src[j].isalpha():
                    j += 1
                name = src[i:j]
                if j < n and src[j] == "*" and name in (r"\operatorname",):
                    j += 1
                i = j
                if name in (r"\left", r"\right", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\biggl", r"\biggr"):
                    # \left( -> "(", \left\| -> "\|", \left. -> nothing
                    while i < n and src[i].isspace():
                        i += 1
                    if i < n and src[i] == ".":
                        i += 1
                        continue
                    if name == r"\left" and i < n and src[i] == "[":
                        out.append(Token("sym", "[", i, sized=True))
                        i += 1
                    continue
                if name in ANNOTATED:
                    rel = annotated_relation(src, i)
                    if rel is not None:  # \overset{\text{iid}}{\sim}, \stackrel{def}{=}: the relation itself
                        spelled, i = rel
                        out.append(Token("cmd" if spelled.startswith("\\") else "sym", spelled, col, width=i - col + 1))
                        continue
                if name in _SPACING:
                    if name == r"\phantom":
                        i = _skip_group(src, i)
                    if name in (r"\quad", r"\qquad"):
                        out.append(Token("sym", name, col))  # the spelling, so splitters cut at its length
                    continue
                if name in _TEXT_ARG:
                    j = i
                    while j < n and src[j].isspace():
                        j += 1
                    if j < n and src[j] == "{":
                        end = _match_brace(src, j)
                        if end < 0:
                            raise ParseError("unclosed { after " + name, j + 1)
                        out.append(Token("text", name + "|" + src[j + 1:end], col))
                        i = end + 1
                        continue
                    raise ParseError(f"{name} without a {{...}} argument", col)
                out.append(Token("cmd", name, col))
                continue
            if i + 1 < n:
                two = src[i:i + 2]
                i += 2
                if two in (r"\,", r"\;", r"\:", r"\!", "\\ "):
                    continue
                if two == "\\\\":
                    out.append(Token("sym", "\\\\", col))
                    continue
                if two in (r"\|", r"\{", r"\}", r"\%", r"\$", r"\#", r"\_"):
                    out.append(Token("sym", two, col))
                    continue
                raise ParseError(f"unknown control symbol {two!r}", col)
            raise ParseError("a lone backslash", col)
        if ch.isdigit() or (ch == "." and i + 1 < n and src[i + 1].isdigit()):
            j = i
            while j < n and src[j].isdigit():
                j += 1
            if j + 1 < n and src[j] == "." and src[j + 1].isdigit():
                j += 1
                while j < n and src[j].isdigit():
                    j += 1
            out.append(Token("num", src[i:j], col))
            i = j
            continue
        if ch.isascii() and ch.isalpha():
            out.append(Token("letter", ch, col))
            i += 1
            continue
        if ch in "+-*/=<>()[]{}^_',|!;:.?":
            if ch == ":" and i + 1 < n and src[i + 1] == "=":
                out.append(Token("sym", ":=", col))
                i += 2
                continue
            out.append(Token("sym", ch, col))
            i += 1
            continue
        raise ParseError(f"unexpected character {ch!r}", col)
    out.append(Token("eof", "", n + 1))
    return out


ANNOTATED = (r"\overset", r"\stackrel", r"\underset")  # a note set over (or under) a symbol


def annotated_relation(src: str, i: int) -> tuple[str, int] | None:
    """After ``\\overset`` at ``i``: ``{note}{rel}`` with ``rel`` one relation (``\\sim``, ``=``,
    ``\\le``) -> (rel, the index after it); None for anything else (the note is dropped: iid, def)."""
    spans = []
    for _ in range(2):
        while i < len(src) and src[i].isspace():
            i += 1
        if i >= len(src) or src[i] != "{":
            return None
        end = _match_brace(src, i)
        if end < 0:
            return None
        spans.append(src[i + 1:end].strip())
        i = end + 1
    rel = spans[1]
    if rel == "=" and re.search(r"def|\\triangle", spans[0]):
        return ":=", i  # \stackrel{\text{def}}{=}: a definition
    if rel in RELATIONS and rel not in (":=",):
        return rel, i
    return None


def _match_brace(src: str, j: int) -> int:
    depth = 0
    for k in range(j, len(src)):
        c = src[k]
        if c == "\\":
            continue
        if c == "{" and (k == 0 or src[k - 1] != "\\"):
            depth += 1
        elif c == "}" and (k == 0 or src[k - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return k
    return -1


def _skip_group(src: str, i: int) -> int:
    while i < len(src) and src[i].isspace():
        i += 1
    if i < len(src) and src[i] == "{":
        end = _match_brace(src, i)
        return end + 1 if end >= 0 else len(src)
    return i


# --- vocabulary -----------------------------------------------------------------------------------

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "tau", "upsilon", "phi", "varphi",
    "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi",
    "Psi", "Omega", "ell", "sigma", "pi",
}
FUNCTIONS = {
    r"\tanh", r"\sinh", r"\cosh", r"\exp", r"\log", r"\ln", r"\sin", r"\cos", r"\tan", r"\det",
    r"\tr", r"\diag", r"\max", r"\min", r"\arctan", r"\sqrt", r"\sign", r"\Tr", r"\softmax",
    r"\relu", r"\operatorname", r"\dim",
}
ACCENTS = {r"\bar", r"\hat", r"\tilde", r"\widehat", r"\widetilde", r"\overline", r"\vec", r"\dot",
           r"\ddot", r"\mathbf", r"\boldsymbol", r"\bm", r"\mathcal", r"\mathbb", r"\mathsf", r"\mathfrak",
           r"\check", r"\breve", r"\underline"}
RELATIONS = {
    "=": "=", r"\ne": "!=", r"\neq": "!=", "<": "<", ">": ">", r"\le": "<=", r"\leq": "<=",
    r"\ge": ">=", r"\geq": ">=", r"\approx": "~", r"\equiv": "=", r"\iff": "<=>", r"\Leftrightarrow": "<=>",
    r"\in": "in", r"\leftarrow": "<-", r"\gets": "<-", ":=": ":=", r"\coloneqq": ":=", r"\triangleq": ":=",
    r"\simeq": "~", r"\sim": "sim", r"\Rightarrow": "=>", r"\implies": "=>", r"\to": "->", r"\rightarrow": "->",
    r"\leqslant": "<=", r"\geqslant": ">=", r"\ll": "<<", r"\gg": ">>", r"\propto": "propto", r"\subseteq": "subset", r"\mapsto": "->",
}
MATRIX_ENVS = {"pmatrix", "bmatrix", "matrix", "Bmatrix", "vmatrix", "smallmatrix", "array", "cases"}
_MUL_OPS = {r"\cdot": "cdot", r"\times": "times", r"\odot": "odot", r"\circ": "circ", "*": "star",
            r"\ast": "star", r"\otimes": "kron"}
_TEXT_OPERATORS = {"tr", "trace", "diag", "det", "softmax", "rank", "vec", "sign", "relu", "sigmoid", "argmin",
                   "argmax", "logit", "KL", "kl", "mod", "dim"}  # \text{tr}(A): an operator, as \operatorname{tr}
_LABEL_SCRIPTS = {r"\max", r"\min", r"\mathrm", r"\text"}  # only \max and \min are tokens of their own here
_INDICATOR_RELATIONS = {"=", "!=", "<", ">", "<=", ">="}  # inside an Iverson bracket [k = c]
_IGNORED_CMDS = {r"\forall", r"\exists", r"\therefore", r"\because"}
_CLOSING_BARS = {r"\rVert", r"\rvert"}  # the right bars of \lVert x \rVert and \lvert x \rvert


# --- parser -----------------------------------------------------------------------------------------

class Parser:
    """Recursive descent over the token list; ``depth`` is bounded by :data:`MAX_DEPTH`."""

    def __init__(self, src: str):
        self.src = src
        self.toks = tokenize(src)
        self.pos = 0
        self.depth = 0
        self.in_norm = 0  # inside \| ... \| a bar closes the norm, it does not open one
        self.in_abs = 0  # inside | ... | likewise
        self._cell_amp: int | None = None  # the column of the & that ended the last matrix cell

    # -- helpers
    @property
    def tok(self) -> Token:
        return self.toks[self.pos]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.pos + k, len(self.toks) - 1)]

    def next(self) -> Token:
        t = self.toks[self.pos]
        if t.kind != "eof":
            self.pos += 1
        return t

    def at(self, value: str) -> bool:
        return self.tok.value == value and self.tok.kind in ("sym", "cmd")

    def expect(self, value: str) -> Token:
        if not self.at(value):
            raise ParseError(f"expected {value!r}, found {self._describe(self.tok)}", self.tok.col)
        return self.next()

    @staticmethod
    def _describe(t: Token) -> str:
        return "end of input" if t.kind == "eof" else repr(t.value.split("|")[0])

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"nesting deeper than {MAX_DEPTH}", self.tok.col)

    def leave(self) -> None:
        self.depth -= 1

    # -- entry points
    def parse_statement(self) -> Node:
        """statement := expr (relation expr)* ; a lone expression is allowed too."""
        lhs = self.parse_expr()
        items = [lhs]
        ops: list[tuple[str, int]] = []
        while self.tok.kind in ("sym", "cmd") and self.tok.value in RELATIONS:
            t = self.next()
            ops.append((RELATIONS[t.value], t.col))
            items.append(self.parse_expr())
        if self.at(r"\pmod") and ops:
            # a \equiv b \pmod{n}: every side taken mod n, mod(a, n) = mod(b, n)
            t = self.next()
            modulus = self.parse_accent_arg()
            items = [Node("call", None, (Node("func", r"\mod", (), t.col), x, modulus), x.col) for x in items]
            lhs = items[0]
        if self.tok.kind != "eof":
            raise ParseError(f"unexpected {self._describe(self.tok)}", self.tok.col)
        if not ops:
            return lhs
        return Node("chain", "", (tuple(items), tuple(o for o, _ in ops)), lhs.col)

    # -- expressions
    def parse_expr(self) -> Node:
        self.enter()
        try:
            col = self.tok.col
            if self.at("+"):
                self.next()
                node = self.parse_term()
            elif self.at("-") or self.at(r"\pm"):
                self.next()
                node = Node("neg", None, (self.parse_term(),), col)
            else:
                node = self.parse_term()
            while self.at("+") or self.at("-") or self.at(r"\pm") or self.at(r"\mp"):
                t = self.next()
                rhs = self.parse_term()
                if t.value in (r"\pm", r"\mp"):
                    raise ParseError("± cannot be checked as one claim", t.col)
                node = Node("add" if t.value == "+" else "sub", None, (node, rhs), t.col)
            return node
        finally:
            self.leave()

    def parse_term(self) -> Node:
        self.enter()
        try:
            node = self.parse_unary()
            while True:
                t = self.tok
                if t.kind == "cmd" and t.value == r"\bmod":  # a \bmod b: the remainder, mod(a, b)
                    self.next()
                    node = Node("call", None, (Node("func", r"\mod", (), t.col), node, self.parse_unary()), t.col)
                elif t.kind in ("sym", "cmd") and t.value in _MUL_OPS:
                    self.next()
                    rhs = self.parse_unary()
                    if t.value == r"\otimes":
                        # A^T A \otimes B^T B: the factors written side by side on each side are one
                        # operand, (A^T A) \otimes (B^T B), as these notes mean it
                        while self.starts_factor():
                            rhs = Node("mul", "juxt", (rhs, self.parse_postfix()), rhs.col)
                    node = Node("mul", _MUL_OPS[t.value], (node, rhs), t.col)
                elif self.at("/"):
                    self.next()
                    node = Node("div", "/", (node, self.parse_unary()), t.col)
                elif self.starts_factor():
                    node = Node("mul", "juxt", (node, self.parse_postfix()), t.col)
                else:
                    return node
        finally:
            self.leave()

    def parse_unary(self) -> Node:
        if self.at("-"):
            t = self.next()
            return Node("neg", None, (self.parse_unary(),), t.col)
        if self.at("+"):
            self.next()
        return self.parse_postfix()

    def starts_factor(self) -> bool:
        t = self.tok
        if t.kind in ("letter", "num"):
            return True
        if t.kind == "text":
            head = t.value.split("|", 1)[0]
            return head in (r"\operatorname", r"\mathrm", r"\operatorname*")
        if t.kind == "sym":
            if t.value == "[":
                return t.sized or self._iverson_ahead()
            return t.value in ("(", "{") or (t.value == r"\|" and not self.in_norm) or (t.value == "|" and not self.in_abs)
        if t.kind == "cmd":
            if t.value in RELATIONS or t.value in _MUL_OPS or t.value in (r"\pm", r"\mp", r"\bmod", r"\pmod"):
                return False
            if t.value in (r"\end", r"\right", r"\dots", r"\ldots", r"\cdots", r"\vdots", r"\ddots"):
                return t.value in (r"\dots", r"\ldots", r"\cdots")
            if t.value in _CLOSING_BARS:  # \rVert, \rvert close a norm or absolute value
                return False
            if t.value in (r"\Vert", r"\|"):  # \Vert p \Vert: inside a norm the bar closes it
                return not self.in_norm
            if t.value == r"\vert":
                return not self.in_abs
            return t.value not in _IGNORED_CMDS and t.value not in (r"\mid", r"\rangle")
        return False

    def parse_postfix(self) -> Node:
        self.enter()
        try:
            node = self.parse_primary()
            while True:
                t = self.tok
                if self.at("^"):
                    self.next()
                    node = self.superscript(node, t.col)
                elif self.at("_") and node.kind == "func" and node.value in (r"\max", r"\min", r"\argmin", r"\argmax") \
                        and not node.args:
                    self.next()
                    node = self._extremum(node)
                elif self.at("_"):
                    if node.kind == "pow" and node.args[0].kind == "field":
                        signed = self._signed_field(node.args[0])  # \\mathbb{R}^n_{+}: the sign after the power
                        if signed is not node.args[0]:
                            node = Node("pow", node.value, (signed, node.args[1]), node.col)
                            continue
                    self.next()
                    sub = self.parse_script()
                    if node.kind in ("set", "tuple") and sub.kind == "rel" and sub.value == "=" and self.at("^"):
                        # \{(x_i, y_i)\}_{i=1}^n, (x_i, y_i)_{i=1}^{n}: a data set, the members over i = 1..n
                        self.next()
                        node = Node("collection", None, (node, sub.args[0], sub.args[1], self.parse_script()), node.col)
                        continue
                    if node.kind == "name" and node.args[0] is None and node.args[1] is None:
                        node = Node("name", node.value, (sub, None), node.col)
                    elif node.kind == "norm" and not node.value:
                        kind = "infty" if sub.kind == "infinity" else _plain_text(sub)  # \|x\|_\infty
                        node = Node("norm", kind or "?", node.args, node.col)
                    elif node.kind == "func" and node.value in (r"\max", r"\min"):
                        node = Node("func", node.value, (sub,), node.col)
                    elif node.kind == "paren" and node.value in (None, "["):
                        # (A^T A)_{jk}, [x]_i: an entry of the bracketed expression
                        node = Node("element", None, (node.args[0], sub), node.col)
                    elif node.kind == "paren" and node.value == "{" and node.args[0].kind == "name" \
                            and node.args[0].args[0] is None:
                        inner = node.args[0]  # {x}_i is x_i
                        node = Node("name", inner.value, (sub, inner.args[1]), node.col)
                    else:
                        raise ParseError("a subscript here is not understood", t.col)
                elif self.at("[") and (node.kind == "func" and node.value in (r"\Uniform", r"\Unif")
                                       or node.kind == "name" and node.value == r"\mathcal{U}" and node.args == (None, None)):
                    # \mathrm{Uniform}[a, b], \mathcal{U}[a, b]: the uniform distribution on [a, b]
                    box = self.parse_primary()
                    if box.kind != "tuple" or len(box.args) != 2:
                        raise ParseError("a uniform distribution is written Uniform[a, b]", t.col)
                    node = Node("call" if node.kind == "func" else "apply", None, (node, *box.args), node.col)
                elif self.at("'"):
                    self.next()
                    node = Node("prime", None, (node,), t.col)
                elif self.at("!"):
                    self.next()
                    node = Node("call", None, (Node("func", "factorial", (), t.col), node), t.col)
                elif self.at("(") and node.kind == "func" and node.value in (r"\KL", r"\kl", r"\D"):
                    node = self._divergence(node)
                elif self.at("(") and node.kind == "name" and node.value == "D" and node.args[1] is None \
                        and isinstance(node.args[0], Node) and node.args[0].kind == "func" \
                        and node.args[0].value in (r"\KL", r"\kl"):
                    node = self._divergence(node)  # D_{\mathrm{KL}}(p \| q): the same divergence
                elif self.at("(") and node.kind == "name" and self._conditioning_ahead():
                    node = self._density(node)  # p_\theta(x \mid z): a conditional density
                elif (self.at("(") and node.kind in ("func", "prime", "nabla", "name")
                      and not (node.kind == "func" and node.value in (r"\sqrt",))):
                    col = self.tok.col
                    args, fixed = self.paren_args(fixed_ok=node.kind == "name")
                    if fixed:
                        # f(W; X, \lambda): W is the argument, X and \lambda the parameters held
                        # fixed (the names of the scope); kept in the node's value, so a use with
                        # other fixed parameters is told apart from the definition's
                        node = Node("apply", FIXED + ",".join(to_text(f) for f in fixed), (node, *args), col)
                    elif node.kind == "name" and len(args) == 1 and (self.at("^") or self.at("_")):
                        # C (I + pp^T)^{k}: a product with a powered group, not C(..) powered
                        group = Node("paren", None, (args[0],), col)
                        while self.at("^"):
                            c2 = self.next().col
                            group = self.superscript(group, c2)
                        node = Node("mul", "juxt", (node, group), col)
                    elif node.kind == "name":
                        node = Node("apply", None, (node, *args), col)  # f(x) or f·(x): decided later
                    else:
                        node = Node("call", None, (node, *args), col)
                else:
                    return node
        finally:
            self.leave()

    def _conditioning_ahead(self) -> bool:
        """At a ``(``: does a conditioning bar (``\\mid``, or one lone ``|``) sit at its own depth?"""
        depth, bars, k = 0, 0, self.pos
        while k < len(self.toks) and self.toks[k].kind != "eof":
            tk = self.toks[k]
            if tk.kind == "sym" and tk.value in ("(", "[", "{"):
                depth += 1
            elif tk.kind == "sym" and tk.value in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return bars == 1
            elif depth == 1 and tk.kind == "cmd" and tk.value == r"\mid":
                return True
            elif depth == 1 and tk.kind == "sym" and tk.value == "|":
                bars += 1
            k += 1
        return False

    def _density(self, fn: Node) -> Node:
        """``p_\\theta(x \\mid z)``, ``q(z | x, y)`` -> Node("density", None, (fn, (x, ...), (z, ...)))."""
        col = self.expect("(").col
        self.in_abs += 1  # the bar is the conditioning bar, not an absolute value
        try:
            args = [self.parse_expr()]
            while self.at(","):
                self.next()
                args.append(self.parse_expr())
            if not (self.at(r"\mid") or self.at("|")):
                raise ParseError("expected a conditioning bar", self.tok.col)
            self.next()
            given = [self.parse_expr()]
            while self.at(","):
                self.next()
                given.append(self.parse_expr())
        finally:
            self.in_abs -= 1
        self.expect(")")
        return Node("density", None, (fn, tuple(args), tuple(given)), col)

    def _divergence(self, fn: Node) -> Node:
        """``\\mathrm{KL}(p \\| q)``: a call with the two distributions as arguments."""
        self.expect("(")
        self.in_norm += 1  # the \\| between the arguments does not open a norm
        try:
            p = self.parse_expr()
            if not (self.at(r"\|") or self.at("|") or self.at(",")):
                raise ParseError("expected \\| between the arguments of a divergence", self.tok.col)
            self.next()
            q = self.parse_expr()
        finally:
            self.in_norm -= 1
        self.expect(")")
        return Node("call", None, (Node("func", r"\KL", (), fn.col), p, q), fn.col)

    def _extremum(self, fn: Node) -> Node:
        """``\\max_{i} x_i``, ``\\max_{i=4..8} f(i)``, ``\\min_{1 \\le k \\le n} a_k``: the largest or
        smallest value of the following factor over an index -> Node("extremum", \\max|\\min,
        (body, var, lo|None, hi|None)).  A subscript that is not one index (a set, a condition) is
        kept whole as var, and the binder says it is not understood."""
        var, lo, hi = self._index_range()
        if self.starts_factor():
            body = self.parse_postfix()  # x_i, (10 - i), (D^T D)_{ii}
            if body.kind == "paren" and body.value is None:
                body = body.args[0]
        else:
            raise ParseError(f"{fn.value} without an argument", self.tok.col)
        return Node("extremum", fn.value, (body, var, lo, hi), fn.col)

    def _index_range(self) -> tuple[Node, Node | None, Node | None]:
        """The subscript of a \\max: ``i``, ``{i}``, ``{i=a..b}``, ``{i = a, \\dots, b}``, ``{a \\le i \\le b}``."""
        if not self.at("{"):
            return self.parse_script(), None, None
        open_tok = self.next()
        first = self.parse_expr()
        var, lo, hi = first, None, None
        if self.at("=") and first.kind == "name":
            self.next()
            lo = self.parse_expr()
            if self.at(".") or (self.tok.kind == "num" and self.tok.value.startswith(".")):
                # a..b: "." then ".b" (or ". ." then b)
                if self.at("."):
                    self.next()
                if self.tok.kind == "num" and self.tok.value.startswith(".") and self.tok.value[1:].isdigit():
                    hi = Node("num", self.next().value[1:], (), self.tok.col)
                else:
                    self.expect(".")
                    hi = self.parse_expr()
            elif self.at(","):
                while self.at(","):
                    self.next()
                    if self.tok.kind == "cmd" and self.tok.value in (r"\dots", r"\ldots", r"\cdots"):
                        self.next()
                        continue
                    hi = self.parse_expr()
            else:
                hi = None
                var = Node("rel", "=", (first, lo), first.col)  # i = 3: one value, kept whole
                lo = None
        elif self.tok.value in (r"\le", r"\leq", "<") and self.tok.kind in ("sym", "cmd"):
            op1 = self.next().value
            mid = self.parse_expr()
            if not (self.tok.value in (r"\le", r"\leq", "<") and self.tok.kind in ("sym", "cmd")):
                raise ParseError("the subscript of a \\max must be i, i = a..b or a \\le i \\le b", open_tok.col)
            op2 = self.next().value
            top = self.parse_expr()
            one = Node("num", "1", (), first.col)
            var = mid
            lo = first if op1 != "<" else Node("add", None, (first, one), first.col)
            hi = top if op2 != "<" else Node("sub", None, (top, one), top.col)
        elif self.tok.kind in ("sym", "cmd") and self.tok.value in RELATIONS:
            t = self.next()  # x \in S, i \ne j: kept whole
            var = Node("rel", RELATIONS[t.value], (first, self.parse_expr()), t.col)
        self.expect("}")
        return var, lo, hi

    def paren_args(self, fixed_ok: bool = False) -> tuple[list[Node], list[Node]]:
        """The arguments of ``f(a, b)``; with ``fixed_ok``, also the parameters after a semicolon
        (``f(W; X, \\lambda)``), which must be plain names."""
        self.expect("(")
        args = [self.parse_expr_or_rel()]
        while self.at(","):
            self.next()
            args.append(self.parse_expr_or_rel())
        fixed: list[Node] = []
        if fixed_ok and self.at(";"):
            self.next()
            fixed = [self.parse_expr()]
            while self.at(","):
                self.next()
                fixed.append(self.parse_expr())
            if not all(f.kind == "name" for f in fixed):
                raise ParseError("the parameters after ';' must be names", self.tok.col)
        self.expect(")")
        return args, fixed

    def parse_expr_or_rel(self) -> Node:
        e = self.parse_expr()
        if self.tok.kind in ("sym", "cmd") and self.tok.value in RELATIONS and self.tok.value not in (r"\in",):
            t = self.next()
            return Node("rel", RELATIONS[t.value], (e, self.parse_expr()), t.col)
        return e

    def superscript(self, base: Node, col: int) -> Node:
        t = self.tok
        if t.kind == "cmd" and t.value in (r"\top", r"\intercal", r"\mathsf", r"\prime"):
            self.next()
            if t.value == r"\prime":
                return Node("prime", None, (base,), col)
            if t.value == r"\mathsf":
                self.parse_group()
            return Node("transpose", None, (base,), col)
        if t.kind == "letter" and t.value == "T":
            self.next()
            return Node("transpose", None, (base,), col)
        if t.kind == "sym" and t.value == "{":
            # {\top}, {T}, {-1}, {-\top}, {(t)}, {2}
            save = self.pos
            self.next()
            inner = self.tok
            if inner.kind == "cmd" and inner.value in (r"\top", r"\intercal") and self.peek().value == "}":
                self.next()
                self.next()
                return Node("transpose", None, (base,), col)
            if inner.kind == "letter" and inner.value == "T" and self.peek().value == "}":
                self.next()
                self.next()
                return Node("transpose", None, (base,), col)
            if (inner.value == "-" and self.peek().value in (r"\top", "T", r"\intercal")
                    and self.peek(2).value == "}"):
                self.pos += 3
                return Node("inverse_transpose", None, (base,), col)
            if inner.value == "(" and base.kind == "name" and base.args[1] is None:
                # a parenthesised superscript on a name: the time index x^{(t)}
                self.next()
                idx = self.parse_expr()
                self.expect(")")
                if self.at("}"):
                    self.next()
                    return Node("name", base.value, (base.args[0], idx), base.col)
                if self.tok.value in (r"\top", "T", r"\intercal") and self.peek().value == "}":
                    # W^{(2)\top}: the layer-2 weights, transposed
                    self.pos += 2
                    return Node("transpose", None, (Node("name", base.value, (base.args[0], idx), base.col),), col)
                self.pos = save
            else:
                self.pos = save
        if t.kind == "sym" and t.value == "(" and base.kind == "name" and base.args[1] is None:
            self.next()
            idx = self.parse_expr()
            self.expect(")")
            return Node("name", base.value, (base.args[0], idx), base.col)
        if t.value in (r"\star", "*", r"\ast"):  # x^*, x^\star: the optimum, part of the name
            self.next()
            return Node("name", base.value + "^*", base.args, base.col) if base.kind == "name" else base
        if base.kind == "name" and t.value == "{" and self.peek().value in (r"\star", "*", r"\ast") \
                and self.peek(2).value == "}":
            self.pos += 3  # x^{*}, x^{\star}
            return Node("name", base.value + "^*", base.args, base.col)
        if base.kind == "name" and t.kind == "sym" and t.value in ("+", "-") and self.peek().kind != "num":
            self.next()  # P^+, x^-: an updated or limiting value, part of the name
            return Node("name", base.value + "^" + t.value, base.args, base.col)
        if base.kind == "name" and t.kind == "sym" and t.value == "{" and self.peek().value in ("+", "-") \
                and self.peek(2).value == "}":
            self.pos += 3
            return Node("name", base.value + "^" + self.toks[self.pos - 2].value, base.args, base.col)
        exp = self.parse_script()
        if base.kind == "func":  # \tanh^2(x): the power of the applied function
            if self.at("("):
                args, _fixed = self.paren_args()
                return Node("pow", None, (Node("call", None, (base, *args), base.col), exp), col)
            arg = self.parse_postfix()
            return Node("pow", None, (Node("call", None, (base, arg), base.col), exp), col)
        return Node("pow", None, (base, exp), col)

    def parse_script(self) -> Node:
        """The argument of ^ or _: a braced group, or one token (a digit, letter, command)."""
        t = self.tok
        if self.at("{") and self.peek().kind == "cmd" and self.peek().value in _LABEL_SCRIPTS \
                and self.peek(2).value == "}":
            self.pos += 3  # \lambda_{\max}, x_{\min}: a label
            return Node("name", self.toks[self.pos - 2].value, (None, None), t.col)
        if t.kind == "cmd" and t.value in _LABEL_SCRIPTS:
            self.next()
            return Node("name", t.value, (None, None), t.col)
        if self.at("{") and self.peek().kind in ("sym", "cmd") \
                and RELATIONS.get(self.peek().value) in ("<", "<=", ">", ">="):
            # u_{\le 0}, u_{<0}: the members of u below (or above) a bound, as in u_{\le 0} = 0
            self.next()
            op = RELATIONS[self.next().value]
            bound = self.parse_expr()
            self.expect("}")
            return Node("bound", op, (bound,), t.col)
        if self.at("{"):
            return self.parse_group()
        if t.kind == "num":
            self.next()
            # x^23 in TeX is x^2 3; keep the first digit only
            if len(t.value) > 1 and "." not in t.value:
                self.toks.insert(self.pos, Token("num", t.value[1:], t.col + 1))
                return Node("num", t.value[0], (), t.col)
            return Node("num", t.value, (), t.col)
        if t.kind == "letter":
            self.next()
            return Node("name", t.value, (None, None), t.col)
        if t.kind == "cmd":
            if t.value[1:] in GREEK:
                self.next()
                return Node("name", t.value, (None, None), t.col)
            if t.value in (r"\infty",):
                self.next()
                return Node("infinity", None, (), t.col)
            return self.parse_primary()
        if t.value == "-":
            self.next()
            return Node("neg", None, (self.parse_script(),), t.col)
        if t.value == "*":
            self.next()
            return Node("name", "*", (None, None), t.col)
        raise ParseError(f"expected a script after ^ or _, found {self._describe(t)}", t.col)

    def parse_group(self) -> Node:
        t = self.expect("{")
        if self.at("}"):
            raise ParseError("empty group {}", t.col)
        node = self.parse_expr_or_rel()
        if self.at(","):
            items = [node]
            while self.at(","):
                self.next()
                items.append(self.parse_expr_or_rel())
            node = Node("tuple", None, tuple(items), t.col)
        self.expect("}")
        return node

    # -- primaries
    def parse_primary(self) -> Node:
        self.enter()
        try:
            return self._primary()
        finally:
            self.leave()

    def _primary(self) -> Node:
        t = self.tok
        moment = self._moment_operator()
        if moment is not None:
            return moment
        if t.kind == "num":
            self.next()
            return Node("num", t.value, (), t.col)
        if t.kind == "letter":
            self.next()
            if t.value == "d" and self._differential_follows():
                return Node("differential", None, (self._differential_operand(),), t.col)
            return Node("name", t.value, (None, None), t.col)
        if t.kind == "text":
            head, body = t.value.split("|", 1)
            self.next()
            if (head in (r"\operatorname", r"\operatorname*", r"\mathrm")
                    or head in (r"\text", r"\textrm") and body.strip().lower() in _TEXT_OPERATORS) and body.strip():
                name = re.sub(r"\\[,;:! ]|\s", "", body)  # \operatorname{arg\,max}
                if re.fullmatch(r"[A-Za-z]+", name):
                    if head == r"\mathrm" and name == "d" and self._differential_follows(loose=True):
                        return Node("differential", None, (self._differential_operand(),), t.col)
                    if head == r"\mathrm" and len(name) == 1:
                        return Node("name", name, (None, None), t.col)
                    return Node("func", "\\" + name, (), t.col)
            raise ParseError(f"text {body.strip()[:30]!r} inside a formula", t.col)
        if t.kind == "sym":
            if t.value == "(":
                self.next()
                e = self.parse_expr_or_rel()
                if self.at(","):  # an open interval (a, b) or a tuple
                    items = [e]
                    while self.at(","):
                        self.next()
                        items.append(self.parse_expr())
                    if self.at(")"):
                        self.next()
                        return Node("tuple", "()", tuple(items), t.col)
                    if self.at("]"):
                        self.next()
                        return Node("tuple", "(]", tuple(items), t.col)
                    raise ParseError("expected ')'", self.tok.col)
                if self.at("]"):
                    raise ParseError("a bracket opened with ( is closed with ]", self.tok.col)
                self.expect(")")
                return Node("paren", None, (e,), t.col)
            if t.value == "[":
                self.next()
                e = self.parse_expr()
                if self.tok.kind in ("sym", "cmd") and RELATIONS.get(self.tok.value) in _INDICATOR_RELATIONS:
                    # the Iverson bracket [k = c], [i \ne j], [x > 0]: 1 where the relation holds, else 0
                    op = RELATIONS[self.next().value]
                    rhs = self.parse_expr()
                    self.expect("]")
                    return Node("indicator", op, (e, rhs), t.col)
                items = [e]
                while self.at(","):
                    self.next()
                    items.append(self.parse_expr())
                if self.at(";"):
                    return self._semicolon_rows(items, t)
                if self.at("]"):
                    self.next()
                    return Node("tuple", "[]", tuple(items), t.col) if len(items) > 1 else Node("paren", "[", (e,), t.col)
                if self.at(")"):
                    self.next()
                    return Node("tuple", "[)", tuple(items), t.col)
                raise ParseError("expected ']'", self.tok.col)
            if t.value == "{":
                g = self.parse_group()
                return g if g.kind == "tuple" else Node("paren", "{", (g,), t.col)
            if t.value == r"\{":
                self.next()
                items = [self.parse_expr()]
                while self.at(","):
                    self.next()
                    items.append(self.parse_expr())
                self.expect(r"\}")
                return Node("set", None, tuple(items), t.col)
            if t.value == r"\|":
                self.next()
                self.in_norm += 1
                try:
                    e = self.parse_expr()
                finally:
                    self.in_norm -= 1
                self.expect(r"\|")
                return Node("norm", "", (e,), t.col)
            if t.value == "|":
                self.next()
                self.in_abs += 1
                try:
                    e = self.parse_expr()
                finally:
                    self.in_abs -= 1
                self.expect("|")
                return Node("abs", None, (e,), t.col)
            raise ParseError(f"unexpected {self._describe(t)}", t.col)
        if t.kind == "cmd":
            return self._command(t)
        raise ParseError(f"unexpected {self._describe(t)}", t.col)

    def _moment_operator(self) -> Node | None:
        """``\\mathbb{E}[X]``, ``\\mathbb{E}_{x \\sim p}\\left[X \\mid Y\\right]``, ``\\mathrm{E}(X)``,
        ``\\operatorname{Var}[X]``, ``\\mathbb{V}[X]``, ``\\operatorname{Cov}[X, Y]`` -> Node("expect", op,
        ((X, Y?), given, subscript)); None (nothing consumed) when no bracket follows."""
        t, start = self.tok, self.pos
        op = None
        if t.kind == "cmd" and t.value == r"\mathbb" and self.peek().value == "{" and self.peek(3).value == "}" \
                and self.peek(2).kind == "letter" and self.peek(2).value in ("E", "V"):
            op, self.pos = ("E" if self.peek(2).value == "E" else "Var"), self.pos + 4
        elif t.kind == "text" and t.value.split("|", 1)[0] in (r"\operatorname", r"\mathrm", r"\text", r"\mathbf"):
            body = t.value.split("|", 1)[1].replace(" ", "")
            op = {"E": "E", r"\mathbb{E}": "E", r"\mathbbE": "E", "Var": "Var", "var": "Var", "Cov": "Cov",
                  "cov": "Cov", "V": "Var"}.get(body)
            self.pos += 1
        elif t.kind == "cmd" and t.value in (r"\E", r"\Var", r"\Cov"):
            op, self.pos = t.value[1:], self.pos + 1
        if op is None:
            self.pos = start
            return None
        sub = None
        if self.at("_"):
            self.next()
            sub = self.parse_script()
        if not (self.at("[") or self.at("(")):
            self.pos = start
            return None
        close = "]" if self.next().value == "[" else ")"
        self.in_abs += 1  # a bare | inside is the conditioning bar, not an absolute value
        try:
            items = [self.parse_expr()]
            while self.at(","):
                self.next()
                items.append(self.parse_expr())
            given = None
            if self.at(r"\mid") or self.at("|"):
                self.next()
                given = self.parse_expr()
                while self.at(","):
                    self.next()
                    given = Node("tuple", None, (given, self.parse_expr()), given.col)
        finally:
            self.in_abs -= 1
        self.expect(close)
        if len(items) > (2 if op == "Cov" else 1):
            raise ParseError(f"{op} takes {'two arguments' if op == 'Cov' else 'one argument'}", t.col)
        return Node("expect", op, (tuple(items), given, sub), t.col)

    def parse_postfix_no_call(self) -> Node:
        """The operand of a differential d: one name (with scripts) or a group."""
        t = self.tok
        if self.at("("):
            self.next()
            e = self.parse_expr()
            self.expect(")")
            node = Node("paren", None, (e,), t.col)
        else:
            node = self.parse_primary()
        while self.at("^") or self.at("_"):
            c = self.tok.col
            if self.next().value == "^":
                node = self.superscript(node, c)
            else:
                sub = self.parse_script()
                if node.kind != "name":
                    raise ParseError("a subscript here is not understood", c)
                node = Node("name", node.value, (sub, node.args[1]), node.col)
        return node

    def _differential_operand(self) -> Node:
        """What a d acts on: a function with its argument (``d\\log\\det X``, ``\\mathrm{d}\\,
        \\operatorname{tr}(X)``), otherwise one name or group (``dX``, ``d(X^{-1})``)."""
        if self._function_follows():
            return self.parse_postfix()
        return self.parse_postfix_no_call()

    def _function_follows(self) -> bool:
        nxt = self.tok
        if nxt.kind == "cmd":
            return nxt.value in FUNCTIONS and nxt.value not in (r"\operatorname", r"\max", r"\min", r"\sqrt")
        if nxt.kind == "text":
            head, body = nxt.value.split("|", 1)
            return head in (r"\operatorname", r"\mathrm") and body.strip() in _TEXT_OPERATORS
        return False

    def _differential_follows(self, loose: bool = False) -> bool:
        """``d`` directly followed by an upper-case letter, Greek letter or ``(`` reads as a
        differential (dX, d\\theta, d(X^{-1})); ``d x`` with a lower-case letter is too
        ambiguous with a product and is read as one only without a space."""
        nxt = self.tok
        prev = self.toks[self.pos - 1]
        adjacent = nxt.col == prev.col + 1 or loose  # \mathrm{d}X: the d is unambiguous
        if nxt.kind == "letter":
            return adjacent and (nxt.value.isupper() or True)
        if nxt.kind == "cmd" and nxt.value[1:] in GREEK and nxt.value not in (r"\sigma", r"\pi"):
            return adjacent
        if nxt.kind == "sym" and nxt.value == "(":
            return adjacent
        if self._function_follows():  # d\log\det X, \mathrm{d}\operatorname{tr}(X): the differential of the value
            # d \log \det X with a space: a differential where the statement writes another one (dX)
            return adjacent or self._writes_differentials()
        return False

    def _writes_differentials(self) -> bool:
        """Whether the statement writes a differential of a name: ``dX``, ``d\\Theta`` (no space), or
        ``\\mathrm{d}``."""
        toks = self.toks
        for k, tk in enumerate(toks[:-1]):
            nxt = toks[k + 1]
            if tk.kind == "text" and tk.value.split("|", 1)[1].strip() == "d" and tk.value.startswith(r"\mathrm"):
                return True
            if tk.kind == "letter" and tk.value == "d" and nxt.col == tk.col + 1 and (
                    nxt.kind == "letter" and nxt.value.isupper() or nxt.kind == "cmd" and nxt.value[1:] in GREEK):
                return True
        return False

    def _argument_follows(self) -> bool:
        """Whether a function name just read is applied: ``(`` or ``'`` follows, or a power
        and then ``(`` (``\\sigma^2(x)``).  Without one it is a plain name (``(1+\\sigma)/\\sigma``)."""
        t = self.tok
        if t.kind == "sym" and t.value in ("(", "'"):
            return True
        if not self.at("^"):
            return False
        k = self.pos + 1
        if self.toks[k].value == "{" and self.toks[k].kind == "sym":
            depth = 0
            while k < len(self.toks) and self.toks[k].kind != "eof":
                if self.toks[k].kind == "sym" and self.toks[k].value == "{":
                    depth += 1
                elif self.toks[k].kind == "sym" and self.toks[k].value == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
        nxt = self.toks[min(k + 1, len(self.toks) - 1)]
        return nxt.kind == "sym" and nxt.value == "("

    def _command(self, t: Token) -> Node:
        """A command: one row of :data:`COMMANDS` says which handler reads it."""
        handler = COMMANDS.get(t.value)
        if handler is None:
            raise ParseError(f"unknown command {t.value}", t.col)
        self.next()
        return handler(self, t)

    # -- command handlers (the rows of COMMANDS); each is called after the command's token
    def _c_greek(self, t: Token) -> Node:
        v = t.value
        if v == r"\sigma" and self._argument_follows():
            return Node("func", v, (), t.col)  # σ(x), σ'(x), σ^2(x); σ_i and a bare σ are names
        if v == r"\pi":
            return Node("const", "pi", (), t.col)
        return Node("name", v, (None, None), t.col)

    def _c_frac(self, t: Token) -> Node:
        return self._frac(t)

    def _c_binom(self, t: Token) -> Node:
        # \binom{n}{k}: a call of binom with two arguments
        top, bottom = self.parse_frac_part(), self.parse_frac_part()
        return Node("call", None, (Node("func", r"\binom", (), t.col), top, bottom), t.col)

    def _c_accent(self, t: Token) -> Node:
        v = t.value
        arg = self.parse_accent_arg()
        if arg.kind == "num" and arg.value == "1" and v in (r"\mathbb", r"\mathbf", r"\boldsymbol", r"\bm"):
            ind = self._indicator_after()  # \mathbb{1}[k = c], \mathbb{1}_{k = c}, \mathbf{1}\{x > 0\}
            if ind is not None:
                return ind
        if arg.kind != "name" or arg.args[0] is not None and v in (r"\mathbb",):
            if v in (r"\mathbf", r"\boldsymbol", r"\bm") and arg.kind == "num" and arg.value == "1":
                return Node("name", r"\mathbf{1}", (None, None), t.col)
            if v in (r"\mathbf", r"\boldsymbol", r"\bm") and arg.kind == "num" and arg.value == "0":
                return Node("num", "0", (), t.col)  # the zero vector: 0 (its shape from the context)
            if v == r"\mathbb" and arg.kind == "name":
                return Node("field", arg.value, (), t.col)
            if v in (r"\overline", r"\widehat", r"\widetilde", r"\bar", r"\hat", r"\tilde") and arg.kind != "name":
                raise ParseError(f"{v} over an expression is not understood", t.col)
            if arg.kind != "name":
                raise ParseError(f"{v} applies to a name here", t.col)
        accent = {r"\widehat": r"\hat", r"\widetilde": r"\tilde", r"\overline": r"\bar",
                  r"\boldsymbol": r"\mathbf", r"\bm": r"\mathbf", r"\vec": r"\mathbf"}.get(v, v)
        if accent == r"\mathbb":
            return self._signed_field(Node("field", arg.value, (), t.col))
        if accent == r"\mathbf" and arg.value == "1":
            return Node("name", r"\mathbf{1}", (None, None), t.col)
        name = f"{accent}{{{arg.value}}}" if accent != r"\mathbf" else arg.value
        return Node("name", name, arg.args, t.col)

    def _signed_field(self, fld: Node) -> Node:
        """``\\mathbb{R}_{+}``, ``\\mathbb{R}_{\\ge 0}`` (the nonnegative reals), ``\\mathbb{R}_{++}``,
        ``\\mathbb{R}_{>0}`` (the positive ones): the field with its sign, ``signed[>=](R)``; anything
        else after ``_`` is left to the caller."""
        if not self.at("_") or fld.value not in ("R", "Z", "Q"):
            return fld
        k = self.pos + 1
        toks = self.toks
        if k < len(toks) and toks[k].value == "+":
            spelled, end = ["+"], k + 1
        elif k < len(toks) and toks[k].value == "{":
            close = next((j for j in range(k + 1, min(len(toks), k + 6)) if toks[j].value == "}"), None)
            if close is None:
                return fld
            spelled, end = [x.value for x in toks[k + 1:close]], close + 1
        else:
            return fld
        sign = _FIELD_SIGNS.get(" ".join(spelled))
        if sign is None:
            return fld
        self.pos = end
        return Node("signed", sign, (fld,), fld.col)

    def _iverson_ahead(self) -> bool:
        """At a [: does a comparison sit inside it at its own depth (an Iverson bracket [k = c])?"""
        depth, k = 0, self.pos
        while k < len(self.toks) and self.toks[k].kind != "eof":
            tk = self.toks[k]
            if tk.kind == "sym" and tk.value in ("[", "(", "{"):
                depth += 1
            elif tk.kind == "sym" and tk.value in ("]", ")", "}"):
                depth -= 1
                if depth == 0:
                    return False
            elif depth == 1 and tk.kind in ("sym", "cmd") and RELATIONS.get(tk.value) in _INDICATOR_RELATIONS:
                return True
            k += 1
        return False

    def _indicator_after(self) -> Node | None:
        """After \\mathbb{1}: a relation in [..], _{..} or \\{..\\} makes an indicator; anything else
        (\\mathbf{1}_n, the ones vector) leaves the position where it was and returns None."""
        start, t = self.pos, self.tok
        try:
            if self.at("["):
                node = self.parse_primary()
                if node.kind == "indicator":
                    return node
            elif self.at("_"):
                self.next()
                node = self.parse_script()
                if node.kind == "rel" and node.value in _INDICATOR_RELATIONS:
                    return Node("indicator", node.value, node.args, t.col)
            elif self.at(r"\{"):
                self.next()
                node = self.parse_expr_or_rel()
                if node.kind == "rel" and node.value in _INDICATOR_RELATIONS and self.at(r"\}"):
                    self.next()
                    return Node("indicator", node.value, node.args, t.col)
        except ParseError:
            pass
        self.pos = start
        return None

    def _c_lim(self, t: Token) -> Node:
        # \lim_{n \to \infty} f(n), \lim_{x \to 0} \frac{\sin x}{x}: Node("limit", None, (body, var, point))
        if not self.at("_"):
            raise ParseError("\\lim without a subscript (\\lim_{x \\to a})", t.col)
        self.next()
        sub = self.parse_script()
        if sub.kind != "rel" or sub.value != "->" or sub.args[0].kind != "name":
            raise ParseError("the subscript of \\lim is read as x \\to a", t.col)
        if not self.starts_factor():
            raise ParseError("\\lim without an argument", self.tok.col)
        body = self.parse_term()
        return Node("limit", None, (body, sub.args[0], sub.args[1]), t.col)

    def _c_arg(self, t: Token) -> Node:
        # \arg\min_{\theta} L(\theta), \arg\max_x: the minimiser (an extremum node, value \argmin)
        if self.tok.kind == "cmd" and self.tok.value in (r"\min", r"\max"):
            word = self.next().value
            return Node("func", r"\arg" + word[1:], (), t.col)
        raise ParseError("\\arg of a complex number is not understood", t.col)

    def _c_big(self, t: Token) -> Node:
        return self._big(t)

    def _c_sqrt(self, t: Token) -> Node:
        index = None
        if self.at("["):
            self.next()
            index = self.parse_expr()
            self.expect("]")
        arg = self.parse_group() if self.at("{") else self.parse_postfix()
        if index is None:
            return Node("call", None, (Node("func", r"\sqrt", (), t.col), arg), t.col)
        return Node("pow", None, (arg, Node("div", "frac", (Node("num", "1", (), t.col), index), t.col)), t.col)

    def _c_function(self, t: Token) -> Node:
        fn = Node("func", t.value, (), t.col)
        if t.value == r"\log" and self.at("_"):  # \log_2 L = \log L / \log 2
            self.next()
            base = self.parse_script()
            arg = self.paren_args()[0][0] if self.at("(") else self.parse_postfix()
            return Node("div", "frac", (Node("call", None, (fn, arg), t.col),
                                        Node("call", None, (Node("func", r"\log", (), t.col), base), t.col)), t.col)
        if self.at("(") or self.at("^") or self.at("_") or self.at("'"):
            return fn
        # \log x, \tr A, \det(...)... : the argument is the next factor
        arg = self.parse_postfix()
        return Node("call", None, (fn, arg), t.col)

    def _c_nabla(self, t: Token) -> Node:
        order = sub = None
        for _ in range(2):  # \nabla^2_w and \nabla_w^2 alike
            if self.at("^") and order is None:
                self.next()
                order = self.parse_script()
            elif self.at("_") and sub is None:
                self.next()
                sub = self.parse_script()
        order = order or Node("num", "1", (), t.col)
        fn = self.parse_postfix()
        return Node("nabla", None, (order, fn, sub), t.col)

    def _c_partial(self, t: Token) -> Node:
        # \partial \ell / \partial O written inline: the fraction \frac{\partial \ell}{\partial O}
        order = "1"
        if self.at("^"):
            self.next()
            o = self.parse_script()
            order = o.value if o.kind == "num" else "1"
        if not self.starts_factor():
            raise ParseError("a ∂ outside a fraction is not understood", t.col)
        top = self.parse_postfix()
        if not self.at("/") or self.peek().value != r"\partial":
            raise ParseError("a ∂ outside a fraction is not understood", t.col)
        self.next()
        self.next()
        var = self.parse_postfix()
        if var.kind == "pow" and var.args[1].kind == "num" and order != "1":
            var = var.args[0]  # \partial^2 f / \partial x^2
        return Node("partial", None, (top, var, order), t.col)

    def _c_environment(self, t: Token) -> Node:
        return self._environment(t)

    def _c_ellipsis(self, t: Token) -> Node:
        return Node("ellipsis", None, (), t.col)

    def _c_infinity(self, t: Token) -> Node:
        return Node("infinity", None, (), t.col)

    def _c_annotated(self, t: Token) -> Node:
        self.parse_accent_arg()  # \overset{def}{=}, \stackrel: the annotation is read and dropped
        return self.parse_accent_arg()

    def _c_brace(self, t: Token) -> Node:
        body = self.parse_accent_arg()  # \underbrace{x}_{label}: the label is read and dropped
        if self.at("_") or self.at("^"):
            self.next()
            self.parse_script()
        return body

    def _c_norm(self, t: Token) -> Node:
        # \lVert x \rVert, \Vert x \Vert, \left\lVert x \right\rVert (\left/\right dropped)
        self.in_norm += 1  # a \Vert or \| inside closes the norm, it does not open another
        try:
            e = self.parse_expr()
        finally:
            self.in_norm -= 1
        if not (self.at(r"\rVert") or self.at(r"\Vert") or self.at(r"\|")):
            raise ParseError("expected a closing norm bar", self.tok.col)
        self.next()
        return Node("norm", "", (e,), t.col)

    def _c_abs(self, t: Token) -> Node:
        self.in_abs += 1
        try:
            e = self.parse_expr()
        finally:
            self.in_abs -= 1
        if not (self.at(r"\rvert") or self.at(r"\vert") or self.at("|")):
            raise ParseError("expected a closing bar", self.tok.col)
        self.next()
        return Node("abs", None, (e,), t.col)

    def _c_misplaced(self, t: Token) -> Node:
        raise ParseError(f"{t.value} is read between two values or after a congruence", t.col)

    def _c_inner_product(self, t: Token) -> Node:
        # \langle x, y \rangle (also \left\langle … \right\rangle): xᵀy, or tr(AᵀB) for matrices
        a = self.parse_expr()
        if not self.at(","):
            raise ParseError("an inner product is written \\langle x, y \\rangle", self.tok.col)
        self.next()
        b = self.parse_expr()
        if not self.at(r"\rangle"):
            raise ParseError("expected a closing \\rangle", self.tok.col)
        self.next()
        if self.at("_"):  # \langle A, B \rangle_F: the Frobenius product, the same value
            self.next()
            self.parse_script()
        return Node("inner", None, (a, b), t.col)

    def parse_accent_arg(self) -> Node:
        if self.at("{"):
            t = self.next()
            if self.at("}"):
                raise ParseError("empty group {}", t.col)
            node = self.parse_expr()
            self.expect("}")
            return node
        t = self.tok
        if t.kind == "letter":
            self.next()
            return Node("name", t.value, (None, None), t.col)
        if t.kind == "num":
            self.next()
            return Node("num", t.value, (), t.col)
        if t.kind == "cmd" and t.value[1:] in GREEK:
            self.next()
            return Node("name", t.value, (None, None), t.col)
        raise ParseError(f"expected an argument, found {self._describe(t)}", t.col)

    def _frac(self, t: Token) -> Node:
        start = self.pos
        num = self.parse_frac_part()
        # a d in a denominator marks a derivative only under a d or ∂ above it: \frac{x_j}{d\,r}
        # and \frac{1}{d} divide by d
        den = self.parse_frac_part(denominator=True, marks=num.kind == "dmark")
        if num.kind == "dmark" and num.args[1] == "d" and den.kind != "dmark":
            # and a d above a plain denominator is a factor: \frac{d\,(r^2 - \epsilon)}{r^2}
            self.pos = start
            num = self.parse_frac_part(marks=False)
            den = self.parse_frac_part(denominator=True, marks=False)
        # derivative notations: \frac{d}{dx}, \frac{\partial y}{\partial x}, \frac{d y}{d x}
        deriv = _as_derivative(num, den)
        if deriv is not None:
            kind, top, var, order = deriv
            if kind == "operator":
                # the operator applies to the following product: d/dx x^T A x
                body = self.parse_term() if self.starts_factor() else None
                return Node("ddx", num.args[1], (var, body, order), t.col)
            return Node("partial", None, (top, var, order), t.col)
        return Node("div", "frac", (num, den), t.col)

    def parse_frac_part(self, denominator: bool = False, marks: bool = True) -> Node:
        if self.at("{"):
            t = self.next()
            if self.at("}"):
                raise ParseError("empty group {}", t.col)
            start = self.pos
            # derivative parts: "d", "dx", "\partial y", "\partial^2 F" are kept as raw marks
            mark = self._derivative_mark(denominator) if marks else None
            if mark is not None:
                self.expect("}")
                return mark
            self.pos = start
            node = self.parse_expr_or_rel()
            self.expect("}")
            return node
        tok = self.tok
        if tok.kind == "num":  # \frac12
            self.next()
            if len(tok.value) > 1 and "." not in tok.value:
                self.toks.insert(self.pos, Token("num", tok.value[1:], tok.col + 1))
                return Node("num", tok.value[0], (), tok.col)
            return Node("num", tok.value, (), tok.col)
        return self.parse_accent_arg()

    def _derivative_mark(self, denominator: bool = False) -> Node | None:
        """Inside a fraction part: ``d``, ``\\partial``, ``d^2``, ``\\partial x`` (and the
        rest of the part after the mark) -> Node("dmark", order, (rest|None,))."""
        t = self.tok
        is_d = (t.kind == "letter" and t.value == "d") or (t.kind == "text" and t.value.split("|", 1)[1].strip() == "d")
        if not (is_d or (t.kind == "cmd" and t.value == r"\partial")):
            return None
        nxt = self.peek()
        if is_d and nxt.kind == "letter" and nxt.col != t.col + 1 and not self.peek(2).value == "}":
            return None
        flavor = "d" if is_d else "partial"
        self.next()
        order = "1"
        if self.at("^"):
            self.next()
            o = self.parse_script()
            order = o.value if o.kind == "num" else "?"
        if self.at("}"):
            return Node("dmark", order, (None, flavor), t.col)
        rest = self.parse_expr()
        # \partial x^2 in a denominator: the order sits on the variable (in a numerator,
        # \partial s^2 is the derivative of s squared; its order is written \partial^2 F)
        if denominator and rest.kind == "pow" and rest.args[1].kind == "num":
            order = rest.args[1].value
            rest = rest.args[0]
        return Node("dmark", order, (rest, flavor), t.col)

    def _big(self, t: Token) -> Node:
        var = lo = hi = None
        outer: list[Node] = []  # \sum_{i,j}: a sum over i of a sum over j
        for _ in range(2):
            if self.at("_"):
                self.next()
                sub = self.parse_script()
                if sub.kind == "tuple" and not sub.value and 1 < len(sub.args) <= 4 and all(
                        x.kind == "name" and x.args == (None, None) for x in sub.args[:-1]):
                    outer = list(sub.args[:-1])
                    sub = sub.args[-1]
                if sub.kind == "rel" and sub.value == "=":
                    var, lo = sub.args
                elif sub.kind == "name":
                    var = sub
                else:
                    raise ParseError("the subscript of a sum must be i or i = a", sub.col)
            elif self.at("^"):
                self.next()
                hi = self.parse_script()
        # \sum_i \Big[ ... \Big]: a bracket right after the operator is its summand (elsewhere a
        # bracket after a factor may be an interval, so starts_factor does not take it)
        if not self.starts_factor() and not self.at("-") and not self.at("["):
            raise ParseError(f"{t.value} without a summand", self.tok.col)
        # the summand is the following product (a + b ends it, as in usual notation)
        body = self.parse_term_after_big()
        kind = "sum" if t.value == r"\sum" else "prod"
        node = Node(kind, None, (body, var, lo, hi), t.col)
        for v in reversed(outer):  # \sum_{i,j=1}^{n}: both run over 1..n
            node = Node(kind, None, (node, v, lo, hi), t.col)
        return node

    def parse_term_after_big(self) -> Node:
        if self.at("-"):
            t = self.next()
            return Node("neg", None, (self.parse_term(),), t.col)
        return self.parse_term()

    def _environment(self, t: Token) -> Node:
        self.expect("{")
        name = ""
        while self.tok.kind == "letter":
            name += self.next().value
        if self.at("*"):
            self.next()
        self.expect("}")
        if name not in MATRIX_ENVS:
            raise ParseError(f"environment {name!r} inside a formula", t.col)
        if name == "array" and self.at("{"):
            depth = 0
            while True:  # skip the column spec {cc|c}
                tok = self.next()
                if tok.kind == "eof":
                    raise ParseError("unclosed array column spec", t.col)
                if tok.value == "{":
                    depth += 1
                elif tok.value == "}":
                    depth -= 1
                    if depth == 0:
                        break
        # & was dropped by the tokenizer, so cells are split on the column positions of &:
        rows: list[list[Node]] = []
        row: list[Node] = []
        boundary, after_amp = self.tok.col, False  # where the next cell starts; the last cell ended at &

        def blanks(upto: int, closing: bool) -> list[Node]:
            # a & & b, a & \\: the & with nothing between them are blank cells (a \\ddots diagonal)
            k = self.src.count("&", boundary - 1, upto - 1) + (1 if closing and after_amp else 0)
            return [Node("blank", None, (), boundary)] * k

        while True:
            if self.at(r"\end") or self.at("\\\\"):
                row.extend(blanks(self.tok.col, True))
            if self.at(r"\end"):
                self.next()
                self.expect("{")
                while self.tok.kind == "letter":
                    self.next()
                if self.at("*"):
                    self.next()
                self.expect("}")
                break
            if self.tok.kind == "eof":
                raise ParseError(f"unclosed \\begin{{{name}}}", t.col)
            if self.at("\\\\"):
                boundary, after_amp = self.next().col + 2, False
                rows.append(row)
                row = []
                continue
            row.extend(blanks(self.tok.col, False))
            cell = self._cell()
            row.append(cell)
            after_amp = self._cell_amp is not None
            boundary = self._cell_amp + 1 if self._cell_amp is not None else self.tok.col
            if len(row) > MAX_MATRIX or len(rows) > MAX_MATRIX:
                raise ParseError(f"matrix larger than {MAX_MATRIX}x{MAX_MATRIX}", t.col)
        if row:
            rows.append(row)
        if not rows:
            raise ParseError("empty matrix", t.col)
        return Node("matrix", name, tuple(tuple(r) for r in rows), t.col)

    def _semicolon_rows(self, first: list[Node], t: Token) -> Node:
        """``[k_1^\\top; \\dots; k_n^\\top]``: rows separated by semicolons, the same matrix as a bmatrix with
        ``\\\\`` between the rows. Two rows without an ellipsis stay unread: ``[0; 1]`` is also an interval."""
        rows = [first]
        while self.at(";"):
            self.next()
            row = [self.parse_expr()]
            while self.at(","):
                self.next()
                row.append(self.parse_expr())
            rows.append(row)
            if len(rows) > MAX_MATRIX or len(row) > MAX_MATRIX:
                raise ParseError(f"matrix larger than {MAX_MATRIX}x{MAX_MATRIX}", t.col)
        self.expect("]")
        if len(rows) < 3 and not any(c.kind == "ellipsis" for r in rows for c in r):
            raise ParseError("[a; b] may be an interval or a column: it is not read", t.col)
        return Node("matrix", "bmatrix", tuple(tuple(r) for r in rows), t.col)

    def _cell(self) -> Node:
        """One matrix cell: an expression ending at the next & (column break), \\\\ or \\end."""
        start_col = self.tok.col
        amp = self._next_amp(start_col)
        self._cell_amp = amp
        save_toks = self.toks
        if amp is not None:
            # cut the token stream at the & column so that juxtaposition stops there
            cut = self.pos
            while self.toks[cut].kind != "eof" and self.toks[cut].col < amp:
                cut += 1
            sub = self.toks[self.pos:cut] + [Token("eof", "", amp)]
            inner = Parser.__new__(Parser)
            inner.src, inner.toks, inner.pos, inner.depth, inner.in_norm = self.src, sub, 0, self.depth, 0
            inner.in_abs = 0
            if inner.tok.kind == "eof":
                raise ParseError("empty matrix cell", start_col)
            node = inner.parse_expr()
            if inner.tok.kind != "eof":
                raise ParseError(f"unexpected {self._describe(inner.tok)}", inner.tok.col)
            self.pos = cut
            self.toks = save_toks
            return node
        return self.parse_expr()

    def _next_amp(self, col: int) -> int | None:
        """Column of the next & at this matrix's level before the row/env ends, if any."""
        src = self.src
        i = col - 1
        depth = 0
        env = 0
        while i < len(src):
            c = src[i]
            if src.startswith("\\begin", i):
                env += 1
                i += 6
                continue
            if src.startswith("\\end", i):
                if env == 0:
                    return None
                env -= 1
                i += 4
                continue
            if src.startswith("\\\\", i):
                if env == 0 and depth == 0:
                    return None
                i += 2
                continue
            if c == "\\":
                i += 2
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            elif c == "&" and depth == 0 and env == 0:
                return i + 1
            i += 1
        return None


# --- the command table ------------------------------------------------------------------------------
# One row per LaTeX command the parser reads: the handler is called after the command's token
# and returns the node.  Teaching the parser a command is one row here (with a handler, or an
# existing one: a new function name is a row with Parser._c_function).  Commands the tokenizer
# drops (spacing, \left/\right: _SPACING), reads with a braced text argument (\text, \mathrm,
# \operatorname: _TEXT_ARG), relations (RELATIONS) and product operators (_MUL_OPS) are tables too.
COMMANDS: dict[str, Callable[[Parser, Token], Node]] = {}
COMMANDS.update({"\\" + g: Parser._c_greek for g in GREEK})
COMMANDS.update({f: Parser._c_function for f in FUNCTIONS})  # \tanh x, \det(A), \max_i
COMMANDS.update({a: Parser._c_accent for a in ACCENTS})  # \bar, \hat, font wrappers \mathbf, \bm, \vec, \mathbb
COMMANDS.update({
    r"\frac": Parser._c_frac, r"\dfrac": Parser._c_frac, r"\tfrac": Parser._c_frac, r"\cfrac": Parser._c_frac,
    r"\binom": Parser._c_binom, r"\dbinom": Parser._c_binom, r"\tbinom": Parser._c_binom,
    r"\sum": Parser._c_big, r"\prod": Parser._c_big,
    r"\sqrt": Parser._c_sqrt,
    r"\nabla": Parser._c_nabla,
    r"\partial": Parser._c_partial,
    r"\begin": Parser._c_environment,
    r"\dots": Parser._c_ellipsis, r"\ldots": Parser._c_ellipsis, r"\cdots": Parser._c_ellipsis,
    r"\vdots": Parser._c_ellipsis, r"\ddots": Parser._c_ellipsis,
    r"\infty": Parser._c_infinity,
    r"\overset": Parser._c_annotated, r"\underset": Parser._c_annotated, r"\stackrel": Parser._c_annotated,
    r"\underbrace": Parser._c_brace, r"\overbrace": Parser._c_brace,
    r"\lVert": Parser._c_norm, r"\Vert": Parser._c_norm,
    r"\lvert": Parser._c_abs, r"\vert": Parser._c_abs,
    r"\langle": Parser._c_inner_product,
    r"\arg": Parser._c_arg,
    r"\lim": Parser._c_lim,
    r"\pmod": Parser._c_misplaced, r"\bmod": Parser._c_misplaced,
})



def _plain_text(n: Node) -> str:
    if n.kind in ("num", "name") and (n.kind == "num" or n.args == (None, None)):
        return n.value.lstrip("\\")
    return ""


def _as_derivative(num: Node, den: Node):
    """Recognise \\frac{d}{dx}, \\frac{d y}{d x}, \\frac{\\partial^2 F}{\\partial x^2}."""
    if num.kind != "dmark" or den.kind != "dmark" or den.args[0] is None:
        return None
    order = num.value if num.value != "?" else "1"
    var = den.args[0]
    if num.args[0] is None:
        return ("operator", None, var, order)
    return ("fraction", num.args[0], var, order)


MAX_TREE_DEPTH = 150  # depth of the finished tree (long products nest to the left)
MAX_NODES = 20_000


def _check_tree(tree: Node) -> None:
    """Bound the finished tree: later stages recurse over it."""
    stack = [(tree, 1)]
    count = 0
    while stack:
        n, d = stack.pop()
        count += 1
        if d > MAX_TREE_DEPTH:
            raise ParseError(f"formula nested deeper than {MAX_TREE_DEPTH} (long chains count)", n.col)
        if count > MAX_NODES:
            raise ParseError(f"formula has more than {MAX_NODES} parts", n.col)
        for a in n.args:
            if isinstance(a, Node):
                stack.append((a, d + 1))
            elif isinstance(a, tuple):
                for x in a:
                    if isinstance(x, Node):
                        stack.append((x, d + 1))
                    elif isinstance(x, tuple):
                        stack.extend((y, d + 2) for y in x if isinstance(y, Node))


def parse(src: str) -> Node:
    """Parse one claim's LaTeX (a statement, possibly a relation chain)."""
    p = Parser(src)
    if p.tok.kind == "eof":
        raise ParseError("empty formula", 1)
    try:
        tree = p.parse_statement()
    except RecursionError:
        raise ParseError("nesting too deep", p.tok.col) from None
    except ParseError as exc:
        listed = _comma_statement(src, p.toks)
        if listed is None:
            listed = _declaration_form(src, p.toks)
        if listed is None:
            raise
        del exc
        tree = listed
    if tree.kind == "chain" and tree.args[0][0].kind == "collection" and tree.args[1][:1] in (("subset",), ("in",)):
        # \{c_j\}_{j=1}^{m} \subseteq \mathbb{R}^2: a family declared with its shape, not a data set
        declared = _declaration_form(src, p.toks)
        tree = declared if declared is not None else tree
    _check_tree(tree)
    return tree


def _top_level(toks: list[Token], kinds: tuple[str, ...]) -> list[int]:
    """Positions of tokens with a value in ``kinds`` outside every bracket."""
    depth, out = 0, []
    for i, t in enumerate(toks):
        if t.kind == "sym" and t.value in ("(", "[", "{"):
            depth += 1
        elif t.kind == "sym" and t.value in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and t.value in kinds:
            out.append(i)
    return out


def _comma_statement(src: str, toks: list[Token]) -> Node | None:
    """Two comma forms the expression grammar leaves out: a declaration of several names
    (``u, v \\in \\mathbb{R}^d``) and an index range (``\\ell = 1, 2, \\dots, L``, read as
    ``1 \\le \\ell \\le L``, a chain whose value says it is a range)."""
    ins = _top_level(toks, (r"\in", r"\sim"))
    commas = _top_level(toks, (",",))
    if not commas:
        return None
    if len(ins) == 1 and all(c < ins[0] for c in commas):
        at, rel = toks[ins[0]].col - 1, toks[ins[0]]
        names = [parse_expression(part) for part in split_top_commas(src[:at])]
        members = [n for n in names if n.kind != "ellipsis"]
        if all(n.kind == "name" for n in members) and members:
            # the right side starts at the token after the relation (\overset{iid}{\sim} is one token)
            rhs = parse_expression(src[toks[ins[0] + 1].col - 1:])
            # x_1, \dots, x_n \in \mathbb{R}^d: the members of a family (value "members"), not numbers;
            # z_1, \dots, z_m \sim \mathcal{N}(0, 1): each member has that distribution
            value = "members" if len(members) < len(names) else None
            op = RELATIONS[rel.value]
            return Node("chain", "", ((Node("tuple", value, tuple(names), names[0].col), rhs), (op,)), 1)
        return None
    eqs = _top_level(toks, ("=",))
    if len(eqs) == 1 and all(c > eqs[0] for c in commas) and any(t.value in (r"\dots", r"\ldots", r"\cdots")
                                                                  for t in toks):
        at = toks[eqs[0]].col - 1
        var = parse_expression(src[:at])
        parts = [q.strip() for q in split_top_commas(src[at + 1:])]
        ends = [q for q in parts if q not in (r"\dots", r"\ldots", r"\cdots")]
        if not (var.kind == "name" or var.kind == "prime" and var.args[0].kind == "name") or len(ends) < 2:
            return None
        lo, hi = parse_expression(ends[0]), parse_expression(ends[-1])
        return Node("chain", "range", ((lo, var, hi), ("<=", "<=")), 1)
    return None


_MAPS_TO = (r"\to", r"\rightarrow")
# the subscripts that restrict a field's sign: R_+ and R_{\\ge 0} are the nonnegative reals
_FIELD_SIGNS = {"+": ">=", "> 0": ">", "+ +": ">", r"\ge 0": ">=", r"\geq 0": ">=", r"\geqslant 0": ">="}


def _declaration_form(src: str, toks: list[Token]) -> Node | None:
    """A signature or an indexed-set declaration; None (the grammar's own error stands) otherwise."""
    try:
        return _signature_statement(src, toks) or _indexed_set_statement(src, toks)
    except ParseError:
        return None


def _signature_statement(src: str, toks: list[Token]) -> Node | None:
    """A function's signature, ``f : \\mathbb{R}^n \\to \\mathbb{R}`` or ``g \\colon A \\to B``: the chain
    ``f \\in maps(A, B)`` (a declaration of f's domain and codomain, judged by nothing)."""
    colons = [i for i in _top_level(toks, (":", r"\colon"))]
    arrows = _top_level(toks, _MAPS_TO)
    if len(colons) != 1 or len(arrows) != 1 or not colons[0] < arrows[0]:
        return None
    at, to = toks[colons[0]], toks[arrows[0]]
    head = parse_expression(src[:at.col - 1])
    if head.kind not in ("name", "func"):
        return None
    domain = parse_expression(src[at.col - 1 + len(at.value):to.col - 1])
    codomain = parse_expression(src[to.col - 1 + len(to.value):])
    return Node("chain", "", ((head, Node("maps", None, (domain, codomain), at.col)), ("in",)), 1)


def _indexed_set_statement(src: str, toks: list[Token]) -> Node | None:
    """``\\{x_i\\}_{i=1}^{n} \\subset \\mathbb{R}^d`` (also with \\subseteq, \\in): the family x_1, ..., x_n
    declared with that shape, the same chain as ``x_1, \\dots, x_n \\in \\mathbb{R}^d``."""
    if len(toks) < 8 or toks[0].value != r"\{":
        return None
    close = next((k for k, t in enumerate(toks) if t.value == r"\}"), None)
    rel = next((k for k, t in enumerate(toks) if t.value in (r"\subset", r"\subseteq", r"\in")), None)
    if close is None or rel is None or close > rel or toks[close + 1].value != "_":
        return None
    inner = parse_expression(src[toks[0].col - 1 + 2:toks[close].col - 1])
    script = src[toks[close + 1].col:toks[rel].col - 1].strip()
    lo, hi = _script_range(script)
    if inner.kind != "name" or lo is None:
        return None
    var, first, last = lo
    members = [_with_index(inner, var, first), Node("ellipsis", None, (), inner.col), _with_index(inner, var, hi)]
    if any(m is None for m in members):
        return None
    space = parse_expression(src[toks[rel].col - 1 + len(toks[rel].value):])
    return Node("chain", "", ((Node("tuple", "members", tuple(members), inner.col), space), ("in",)), 1)


def _script_range(script: str) -> tuple[tuple[str, Node, Node] | None, Node | None]:
    """``{i=1}^{n}`` or ``{i=1}^n`` -> ((i, 1, 1), n); (None, None) for anything else."""
    if not script.startswith("{") or "}^" not in script:
        return None, None
    low, _sep, high = script[1:].partition("}^")
    var, eq, first = low.partition("=")
    if not eq:
        return None, None
    v, f = parse_expression(var), parse_expression(first)
    h = parse_expression(high[1:-1] if high.startswith("{") and high.endswith("}") else high)
    if v.kind != "name" or v.args != (None, None) or f.kind != "num":
        return None, None
    return (v.value, f, f), h


def _with_index(n: Node, var: str, at: Node) -> Node | None:
    """The member ``x_i`` at index ``at`` (i replaced in its subscript or its superscript label)."""
    out = []
    for slot in n.args:
        if isinstance(slot, Node) and slot.kind == "name" and slot.value == var and slot.args == (None, None):
            out.append(at)
        else:
            out.append(slot)
    return None if tuple(out) == n.args else Node("name", n.value, tuple(out), n.col)


def split_top_commas(text: str) -> list[str]:
    """``text`` cut at the commas outside brackets and braces."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def parse_expression(src: str) -> Node:
    """Parse a single expression (no relation), e.g. a notation-table spelling."""
    node = parse(src)
    if node.kind == "chain":
        raise ParseError("expected an expression, found a relation", node.col)
    return node


def script_text(n: Node) -> str:
    """Subscripts as written: W_{ix} -> "ix", x_{k+1} -> "k+1" (keys and symbol names)."""
    if n.kind == "mul" and n.value == "juxt":
        return script_text(n.args[0]) + script_text(n.args[1])
    if n.kind in ("add", "sub"):
        return script_text(n.args[0]) + ("+" if n.kind == "add" else "-") + script_text(n.args[1])
    if n.kind == "neg":
        return "-" + script_text(n.args[0])
    return to_text(n)


def to_text(n: Node) -> str:
    """A canonical spelling of a tree (used as a key when matching notation rows)."""
    if n is None:
        return "∅"
    if isinstance(n, str):
        return n
    if n.kind in ("num", "const", "ellipsis", "infinity"):
        return n.value or n.kind
    if n.kind == "name":
        s, t = n.args
        out = n.value
        if s is not None:
            out += "_{" + script_text(s) + "}"
        if t is not None:
            out += "^{(" + to_text(t) + ")}"
        return out
    inner = ",".join(
        ("[" + ";".join(",".join(to_text(c) for c in row) for row in a) + "]") if isinstance(a, tuple) and a and isinstance(a[0], tuple)
        else ("(" + ",".join(to_text(x) for x in a) + ")") if isinstance(a, tuple)
        else to_text(a) if isinstance(a, Node) else str(a)
        for a in n.args)
    return f"{n.kind}{'[' + n.value + ']' if n.value else ''}({inner})"
