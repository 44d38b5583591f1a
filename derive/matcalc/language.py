"""A small, safe expression language for ``derive grad`` (never eval / sympify of user text).

Grammar (recursive descent over our own tokens; ``*`` may be left out between factors)::

    expr     := term (("+" | "-") term)*
    term     := unary (("*" | ".*" | "⊙" | "/" | <juxtaposition>) unary)*
    unary    := "-" unary | power
    power    := postfix ("^" exponent)*
    postfix  := atom ("'" | "ᵀ")*
    exponent := "T" | "⊤" | ["-"] INTEGER | NAME | "(" exponent ")"
    atom     := NUMBER | NAME | FUNCTION "(" expr ")" | "(" expr ")"

* ``A B`` and ``A*B`` are matrix products, ``A .* B`` / ``A ⊙ B`` the Hadamard product,
  ``e / c`` divides by a scalar;
* ``X^T``, ``X'`` and ``Xᵀ`` transpose; ``X^-1`` and ``inv(X)`` invert; ``A^3`` is a power and
  ``A^l`` a power with a symbolic positive integer ``l`` (any name used as an exponent);
* functions: ``tr``/``trace``, ``det``, ``logdet``, ``norm`` (Frobenius; 2-norm of a
  vector), ``log``, ``exp``, ``sigmoid``, ``tanh``, ``sin``, ``cos``, ``relu``, ``softplus``,
  ``abs``, ``sqrt`` (elementwise on matrices), ``pow(E, p)`` (entrywise power, p a number),
  ``softmax`` (of a column vector), ``inv``, ``sum`` (of the entries, 1ᵀ E 1); a name of two or
  more letters written directly before ``(`` that is none of these is an unknown function
  (an input error), not a product;
* names: a name that starts with a lower-case letter is a column vector, one that starts
  with an upper-case letter a matrix, Greek words (``lambda``, ``mu``, ``alpha``, ...) and
  the Greek letters themselves are positive scalars; ``--shape NAME=RxC`` (or
  ``NAME=scalar``) declares a shape;
* sizes not declared are inferred from the products and sums (``W x`` makes W's column
  count x's length) and otherwise stay symbolic (n, m, k, ...): the checks then draw them
  at random from 2..5.

Bounds: at most 1000 characters, 300 tokens, nesting depth 40, integer exponents up to 16,
declared sizes up to 8 (the checks take finite differences entry by entry).  Every error
is a :class:`~derive.errors.DeriveError` (exit code 2) naming the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import sympy as sp

from ..errors import DeriveError
from ..shapes import Dims, ShapeMismatch
from .nodes import ELEMENTWISE, Norm, Ones, Softmax
from .tidy import Assumptions
from .traceform import mat_mul

MAX_CHARS = 1000
MAX_TOKENS = 300
MAX_DEPTH = 40
MAX_INT_EXPONENT = 16
MAX_DECLARED = 8

FUNCTIONS = ("tr", "trace", "det", "logdet", "norm", "log", "exp", "sigmoid", "tanh", "softmax", "inv", "sum", "sin",
             "cos", "relu", "softplus", "abs", "sqrt", "pow")
GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu", "nu", "rho",
         "sigma", "tau", "phi", "omega"}
UNICODE_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "η": "eta", "θ": "theta",
                 "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ρ": "rho", "σ": "sigma", "τ": "tau",
                 "φ": "phi", "ω": "omega"}
DIM_NAMES = ("n", "m", "k", "p", "q", "r", "s", "d", "h")


def _error(col: int, message: str) -> DeriveError:
    return DeriveError(f"column {col}: {message}")


# --- tokens ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    kind: str  # NUM NAME OP END
    text: str
    col: int  # 1-based column


_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z][A-Za-z0-9_]*|[α-ω])|"
                    r"(?P<op>\.\*|[-+*/^'(),⊙ᵀ⊤−]))")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; anything else is an error naming its column."""
    if len(text) > MAX_CHARS:
        raise DeriveError(f"the expression has {len(text)} characters; the limit is {MAX_CHARS}")
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        mt = _TOKEN.match(text, pos)
        if mt is None or mt.end() == pos:
            col = pos + 1 + (len(text[pos:]) - len(text[pos:].lstrip()))
            raise _error(col, f"unexpected character {text[col - 1]!r}")
        kind = "NUM" if mt.group("num") else "NAME" if mt.group("name") else "OP"
        value = mt.group(kind.lower() if kind != "NUM" else "num")
        if kind == "OP" and value == "−":
            value = "-"
        if kind == "NAME":
            value = UNICODE_GREEK.get(value, value)
            if value not in GREEK and not value.isascii():
                raise _error(mt.start("name") + 1, f"unknown letter {value!r}")
        if kind == "NUM" and len(value) > 12:
            raise _error(mt.start(kind.lower() if kind != "NUM" else "num") + 1, "number too long")
        if kind == "NAME" and len(value) > 32:
            raise _error(mt.start("name") + 1, "name too long (32 characters at most)")
        start = mt.start("num" if kind == "NUM" else "name" if kind == "NAME" else "op")
        tokens.append(Token(kind, value, start + 1))
        if len(tokens) > MAX_TOKENS:
            raise DeriveError(f"the expression has more than {MAX_TOKENS} tokens")
        pos = mt.end()
    tokens.append(Token("END", "", len(text) + 1))
    return tokens


# --- syntax tree -----------------------------------------------------------------------------------------------

@dataclass
class Node:
    """A parsed node: ``op`` is num, name, add, sub, neg, mul, had, div, transpose, pow, call."""

    op: str
    col: int
    args: list["Node"] = field(default_factory=list)
    value: Any = None  # number text, name, function name, or exponent ("T", int, name)


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def expect(self, text: str) -> Token:
        if self.tok.text != text:
            found = f"{self.tok.text!r}" if self.tok.kind != "END" else "the end of the expression"
            raise _error(self.tok.col, f"expected {text!r}, found {found}")
        return self.take()

    def parse(self) -> Node:
        if self.tok.kind == "END":
            raise DeriveError("the expression is empty")
        node = self.expr()
        if self.tok.kind != "END":
            raise _error(self.tok.col, f"unexpected {self.tok.text!r}")
        return node

    def _enter(self, col: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error(col, f"nested more than {MAX_DEPTH} levels deep")

    def expr(self) -> Node:
        self._enter(self.tok.col)
        node = self.term()
        while self.tok.text in ("+", "-"):
            op = self.take()
            node = Node("add" if op.text == "+" else "sub", op.col, [node, self.term()])
        self.depth -= 1
        return node

    def _starts_atom(self) -> bool:
        return self.tok.kind in ("NUM", "NAME") or self.tok.text == "("

    def term(self) -> Node:
        node = self.unary()
        while True:
            if self.tok.text in ("*", ".*", "⊙", "/"):
                op = self.take()
                kind = {"*": "mul", ".*": "had", "⊙": "had", "/": "div"}[op.text]
                node = Node(kind, op.col, [node, self.unary()])
            elif self._starts_atom():
                col = self.tok.col
                node = Node("mul", col, [node, self.unary()])
            else:
                return node

    def unary(self) -> Node:
        if self.tok.text == "-":
            op = self.take()
            self._enter(op.col)
            node = Node("neg", op.col, [self.unary()])
            self.depth -= 1
            return node
        return self.power()

    def power(self) -> Node:
        node = self.postfix()
        while self.tok.text == "^":
            op = self.take()
            node = Node("pow", op.col, [node], self.exponent())
            node = self._postfix_marks(node)
        return node

    def exponent(self) -> Any:
        t = self.tok
        if t.text in ("T", "⊤"):
            self.take()
            return "T"
        if t.text == "(":
            self.take()
            value = self.exponent()
            self.expect(")")
            return value
        sign = 1
        if t.text == "-":
            self.take()
            sign = -1
            t = self.tok
        if t.kind == "NUM" and "." not in t.text:
            self.take()
            value = sign * int(t.text)
            if value != -1 and not 0 <= value <= MAX_INT_EXPONENT:
                raise _error(t.col, f"integer exponents must be -1 or 0..{MAX_INT_EXPONENT}")
            return value
        if t.kind == "NAME" and sign == 1 and t.text not in FUNCTIONS:
            self.take()
            return ("sym", t.text, t.col)
        raise _error(t.col, "an exponent must be T, -1, a non-negative integer or a name")

    def _postfix_marks(self, node: Node) -> Node:
        while self.tok.text in ("'", "ᵀ"):
            op = self.take()
            node = Node("transpose", op.col, [node])
        return node

    def postfix(self) -> Node:
        return self._postfix_marks(self.atom())

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "NUM":
            self.take()
            return Node("num", t.col, value=t.text)
        if t.kind == "NAME":
            self.take()
            if t.text in FUNCTIONS:
                if self.tok.text != "(":
                    raise _error(self.tok.col, f"expected '(' after the function {t.text}")
                self.take()
                self._enter(t.col)
                arg = self.expr()
                self.depth -= 1
                if t.text == "pow":  # pow(E, p): the entrywise power E^∘p, p a constant
                    self.expect(",")
                    p = self.tok
                    sign = -1 if p.text == "-" else 1
                    if sign == -1:
                        self.take()
                        p = self.tok
                    if p.kind != "NUM":
                        raise _error(p.col, "the exponent of pow(E, p) must be a number")
                    self.take()
                    self.expect(")")
                    return Node("call", t.col, [arg], "pow:" + ("-" if sign == -1 else "") + p.text)
                if self.tok.text == ",":
                    raise _error(self.tok.col, f"{t.text} takes one argument")
                self.expect(")")
                return Node("call", t.col, [arg], t.text)
            if self.tok.text == "(" and self.tok.col == t.col + len(t.text) and len(t.text) > 1 \
                    and t.text not in GREEK:
                # sin(x) would otherwise read as the product of a vector "sin" and x
                raise _error(t.col, f"unknown function {t.text!r}; functions: {', '.join(sorted(set(FUNCTIONS)))}")
            return Node("name", t.col, value=t.text)
        if t.text == "(":
            self.take()
            node = self.expr()
            self.expect(")")
            return node
        found = repr(t.text) if t.kind != "END" else "the end of the expression"
        raise _error(t.col, f"expected a name, a number or '(', found {found}")


def parse_tree(text: str) -> Node:
    """Parse ``text`` into a :class:`Node` tree (syntax only)."""
    return Parser(text).parse()


# --- shapes -------------------------------------------------------------------------------------------------------

SCALAR = None  # the shape of a scalar


@dataclass
class Parsed:
    """The result of parsing: the SymPy expression and what the checks need to know."""

    expr: sp.Basic
    symbols: dict[str, sp.Basic]
    indices: tuple[sp.Symbol, ...]
    kinds: dict[sp.MatrixSymbol, str]
    assumptions: Assumptions

    def symbol(self, name: str) -> sp.Basic:
        try:
            return self.symbols[name]
        except KeyError:
            known = ", ".join(sorted(self.symbols)) or "(none)"
            raise DeriveError(f"--wrt {name!r} is not a name in the expression; names: {known}") from None


def parse_shape(spec: str) -> tuple[str, tuple[int, int] | None]:
    """``W=3x4`` → ("W", (3, 4)); ``lambda=scalar`` → ("lambda", None)."""
    m = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(?:(\d{1,3})\s*[xX×]\s*(\d{1,3})|(scalar))\s*", spec)
    if m is None:
        raise DeriveError(f"--shape {spec!r}: expected NAME=RxC (e.g. W=3x4) or NAME=scalar")
    if m.group(4):
        return m.group(1), None
    r, c = int(m.group(2)), int(m.group(3))
    if not (1 <= r <= MAX_DECLARED and 1 <= c <= MAX_DECLARED):
        raise DeriveError(f"--shape {spec!r}: sizes must be 1..{MAX_DECLARED} (they are used for the checks)")
    return m.group(1), (r, c)


_ASSUMPTION = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s+(one[- ]?hot|symmetric)\s*", re.IGNORECASE)


def parse_assumption(text: str) -> tuple[str, str]:
    """``"y one-hot"`` → ("y", "one-hot"); ``"A symmetric"`` → ("A", "symmetric")."""
    m = _ASSUMPTION.fullmatch(text)
    if m is None:
        raise DeriveError(f"--assume {text!r}: expected 'NAME one-hot' or 'NAME symmetric'")
    kind = "one-hot" if m.group(2).lower().startswith("one") else "symmetric"
    return m.group(1), kind


class _Builder:
    """Two passes over the tree: shapes (with unification), then SymPy objects."""

    def __init__(self, tree: Node, shapes: dict[str, tuple[int, int] | None], indices: set[str]) -> None:
        self.tree = tree
        self.declared = shapes
        self.dims = Dims()  # derive.shapes: the union-find the document checker uses too
        self.names: dict[str, tuple[str, Any]] = {}  # name -> (kind, shape vars)
        self.indices = indices
        self.shape_of: dict[int, Any] = {}

    # pass 1: shapes
    def name_shape(self, name: str, col: int) -> Any:
        if name in self.names:
            kind, shape = self.names[name]
            if kind == "index":
                raise _error(col, f"{name} is used as an exponent and as a value")
            return shape
        if name in self.indices:
            raise _error(col, f"{name} is used as an exponent and as a value")
        if name in self.declared:
            decl = self.declared[name]
            if decl is None:
                self.names[name] = ("scalar", SCALAR)
                return SCALAR
            shape = (self.dims.const(decl[0]), self.dims.const(decl[1]))
            self.names[name] = ("matrix", shape)
            return shape
        if name in GREEK:
            self.names[name] = ("scalar", SCALAR)
            return SCALAR
        r = self.dims.var(f"{name}.rows")
        c = Dims.ONE if name[0].islower() else self.dims.var(f"{name}.cols")
        self.names[name] = ("matrix", (r, c))
        return (r, c)

    def known_1x1(self, s: Any) -> bool:
        return s is not SCALAR and self.dims.size(s[0]) == 1 and self.dims.size(s[1]) == 1

    def unify(self, col: int, rule: Callable[..., Any], *args: Any) -> Any:
        """Apply a shared shape rule; a clash becomes this language's error at ``col``."""
        try:
            return rule(*args)
        except ShapeMismatch as exc:
            raise _error(col, str(exc)) from None

    def square(self, s: Any, col: int, what: str) -> None:
        if s is SCALAR:
            raise _error(col, f"{what} needs a square matrix, not a scalar")
        self.unify(col, self.dims.square, s, f"{what} needs a square matrix")

    def shape(self, node: Node) -> Any:
        s = self._shape(node)
        self.shape_of[id(node)] = s
        return s

    def _shape(self, node: Node) -> Any:
        op, col = node.op, node.col
        if op == "num":
            return SCALAR
        if op == "name":
            return self.name_shape(node.value, col)
        if op in ("add", "sub"):
            a, b = self.shape(node.args[0]), self.shape(node.args[1])
            if a is SCALAR and b is SCALAR:
                return SCALAR
            if a is SCALAR or b is SCALAR:
                m = b if a is SCALAR else a
                if self.known_1x1(m):
                    return SCALAR
                raise _error(col, "cannot add a scalar and a matrix (use a 1×1 expression such as xᵀy)")
            return self.unify(col, self.dims.same_shape, a, b, "the terms of a sum have different shapes")
        if op == "neg":
            return self.shape(node.args[0])
        if op == "mul":
            a, b = self.shape(node.args[0]), self.shape(node.args[1])
            if a is SCALAR:
                return b
            if b is SCALAR:
                return a
            if self.known_1x1(a) and self.dims.size(b[0]) not in (None, 1):
                return b
            if self.known_1x1(b) and self.dims.size(a[1]) not in (None, 1):
                return a
            return self.unify(col, self.dims.product, a, b, "the factors of a product do not conform")
        if op == "had":
            a, b = self.shape(node.args[0]), self.shape(node.args[1])
            if a is SCALAR or b is SCALAR:
                raise _error(col, "a Hadamard product needs two matrices of the same shape")
            return self.unify(col, self.dims.same_shape, a, b, "a Hadamard product needs equal shapes")
        if op == "div":
            a, b = self.shape(node.args[0]), self.shape(node.args[1])
            if b is not SCALAR and not self.known_1x1(b):
                raise _error(col, "only division by a scalar is supported")
            return a
        if op == "transpose":
            a = self.shape(node.args[0])
            return a if a is SCALAR else self.dims.transpose(a)
        if op == "pow":
            a = self.shape(node.args[0])
            e = node.value
            if e == "T":
                return a if a is SCALAR else self.dims.transpose(a)
            if a is not SCALAR and not self.known_1x1(a):
                self.square(a, col, "a matrix power")
            if isinstance(e, tuple):
                self.indices.add(e[1])
                if e[1] in self.names:
                    raise _error(e[2], f"{e[1]} is used as an exponent and as a value")
            return a
        if op == "call":
            fn = node.value
            a = self.shape(node.args[0])
            if fn in ("tr", "trace", "det", "logdet"):
                if a is SCALAR:
                    return SCALAR if fn in ("tr", "trace", "det") else self._err_scalar(col, fn)
                self.square(a, col, fn)
                return SCALAR
            if fn == "norm":
                return SCALAR
            if fn == "sum":
                return SCALAR if a is SCALAR else (Dims.ONE, Dims.ONE)
            if fn == "inv":
                if a is not SCALAR:
                    self.square(a, col, "inv")
                return a
            if fn == "softmax":
                if a is SCALAR:
                    raise _error(col, "softmax needs a column vector")
                self.unify(col, self.dims.unify, a[1], Dims.ONE, "softmax needs a column vector")
                return a
            if fn.startswith("pow:"):
                if a is SCALAR:
                    raise _error(col, "pow of a scalar: write u^p")
                return a
            if fn in ELEMENTWISE and fn not in ("log", "exp") and a is SCALAR:
                raise _error(col, f"{fn} of a scalar is not supported; apply it to a vector or matrix")
            return a
        raise _error(col, f"unknown node {op}")  # pragma: no cover - the parser makes no others

    def _err_scalar(self, col: int, fn: str) -> Any:
        raise _error(col, f"{fn} needs a square matrix, not a scalar")

    # pass 2: SymPy objects
    def resolve(self) -> dict[str, sp.Basic]:
        used = set(self.names) | self.indices
        free = iter([d for d in DIM_NAMES if d not in used] + [f"d{i}" for i in range(1, 50)])
        root_symbol: dict[str, sp.Expr] = {}

        def size(d: int) -> sp.Expr:
            root = self.dims.find(d)
            if self.dims.value[root] is not None:
                return sp.Integer(self.dims.value[root])
            if root not in root_symbol:
                root_symbol[root] = sp.Symbol(next(free), integer=True, positive=True)
            return root_symbol[root]

        symbols: dict[str, sp.Basic] = {}
        for name in sorted(self.names, key=lambda nm: self.dims.names.get(f"{nm}.rows", -1)):
            kind, shape = self.names[name]
            if kind == "scalar":
                symbols[name] = sp.Symbol(name, positive=True)
            else:
                symbols[name] = sp.MatrixSymbol(name, size(shape[0]), size(shape[1]))
        for name in self.indices:
            symbols[name] = sp.Symbol(name, integer=True, positive=True)
        return symbols

    def build(self, node: Node, syms: dict[str, sp.Basic]) -> sp.Basic:
        op, col = node.op, node.col
        a = [self.build(x, syms) for x in node.args]
        if op == "num":
            whole, _, frac = node.value.partition(".")
            return sp.Rational(int(whole + frac), 10 ** len(frac))
        if op == "name":
            return syms[node.value]
        if op in ("add", "sub"):
            x, y = a
            y = y if op == "add" else _neg(y)
            if _is_matrix(x) and _is_matrix(y):
                return sp.MatAdd(x, y)
            return sp.Add(_as_scalar(x), _as_scalar(y))
        if op == "neg":
            return _neg(a[0])
        if op == "mul":
            x, y = a
            if _is_matrix(x) and _is_matrix(y):
                if x.shape[1] != y.shape[0]:
                    # a 1×1 factor used as a scalar: (xᵀy) A
                    if x.shape == (1, 1):
                        return mat_mul(sp.Trace(x), y)
                    return mat_mul(x, sp.Trace(y))
                return mat_mul(x, y)
            if _is_matrix(x) or _is_matrix(y):
                return mat_mul(x, y)
            return sp.Mul(x, y)
        if op == "had":
            return sp.HadamardProduct(*a)
        if op == "div":
            x, y = a
            inv = sp.Pow(_as_scalar(y), -1)
            return mat_mul(inv, x) if _is_matrix(x) else sp.Mul(x, inv)
        if op == "transpose":
            return sp.Transpose(a[0]) if _is_matrix(a[0]) else a[0]
        if op == "pow":
            x, e = a[0], node.value
            if e == "T":
                return sp.Transpose(x) if _is_matrix(x) else x
            expo = syms[e[1]] if isinstance(e, tuple) else sp.Integer(e)
            if _is_matrix(x) and x.shape != (1, 1):
                if expo == -1:
                    return sp.Inverse(x)
                if expo == 0:
                    return sp.Identity(x.shape[0])
                return sp.MatPow(x, expo) if expo != 1 else x
            return sp.Pow(_as_scalar(x), expo)
        if op == "call":
            fn, x = node.value, a[0]
            if fn in ("tr", "trace"):
                return sp.Trace(x) if _is_matrix(x) else x
            if fn == "det":
                return sp.Determinant(x) if _is_matrix(x) else x
            if fn == "logdet":
                return sp.log(sp.Determinant(x))
            if fn == "norm":
                return Norm(x) if _is_matrix(x) else sp.Abs(x)
            if fn == "inv":
                return sp.Inverse(x) if _is_matrix(x) else sp.Pow(x, -1)
            if fn == "softmax":
                return Softmax(x)
            if fn == "sum":  # 1ᵀ E 1: the sum of the entries
                if not _is_matrix(x):
                    return x
                left = [sp.Transpose(Ones(x.shape[0]))] if x.shape[0] != 1 else []
                right = [Ones(x.shape[1])] if x.shape[1] != 1 else []
                return mat_mul(*left, x, *right) if left or right else x
            if fn.startswith("pow:"):
                whole, _, frac = fn[4:].partition(".")
                p = sp.Rational(int(whole + frac), 10 ** len(frac))
                return x if p == 1 else sp.HadamardPower(x, p)
            if fn in ("log", "exp") and (not _is_matrix(x) or x.shape == (1, 1)):
                # of a scalar or a 1×1 expression such as xᵀAx: the scalar function
                u = _as_scalar(x)
                return sp.log(u) if fn == "log" else sp.exp(u)
            return ELEMENTWISE[fn](x)
        raise _error(col, f"unknown node {op}")  # pragma: no cover


def _is_matrix(e: sp.Basic) -> bool:
    return bool(getattr(e, "is_Matrix", False))


def _as_scalar(e: sp.Basic) -> sp.Basic:
    return sp.Trace(e) if _is_matrix(e) else e


def _neg(e: sp.Basic) -> sp.Basic:
    return mat_mul(-1, e) if _is_matrix(e) else -e


def parse(text: str, *, shapes: Iterable[str] = (), assume: Iterable[str] = ()) -> Parsed:
    """Parse ``text`` with ``--shape`` and ``--assume`` specs into SymPy objects.

    Never evaluates the text: tokens are matched by regular expressions and the tree is
    built by the parser above; only numbers become SymPy Rationals, from their digits.
    """
    declared: dict[str, tuple[int, int] | None] = {}
    for spec in shapes:
        name, shape = parse_shape(spec)
        declared[name] = shape
    tree = parse_tree(text)
    builder = _Builder(tree, declared, set())
    top = builder.shape(tree)
    if top is not SCALAR and not builder.known_1x1(top):
        r, c = builder.dims.size(top[0]), builder.dims.size(top[1])
        shown = f"{r if r is not None else '?'}×{c if c is not None else '?'}"
        raise DeriveError(f"the expression must be a scalar, but it is a {shown} matrix")
    for name in declared:
        if name not in builder.names:
            raise DeriveError(f"--shape {name}: {name!r} does not occur in the expression")
    syms = builder.resolve()
    expr = builder.build(tree, syms)
    one_hot, symmetric, kinds = set(), set(), {}
    for text_ in assume:
        name, kind = parse_assumption(text_)
        sym = syms.get(name)
        if not isinstance(sym, sp.MatrixSymbol):
            raise DeriveError(f"--assume {text_!r}: {name!r} is not a vector or matrix of the expression")
        if kind == "one-hot":
            if sym.shape[1] != 1:
                raise DeriveError(f"--assume {text_!r}: {name} is not a column vector")
            one_hot.add(sym)
        else:
            if sym.shape[0] != sym.shape[1]:
                raise DeriveError(f"--assume {text_!r}: {name} is not square")
            symmetric.add(sym)
        kinds[sym] = kind
    return Parsed(expr, syms, tuple(sorted((syms[i] for i in builder.indices), key=str)), kinds,
                  Assumptions(frozenset(one_hot), frozenset(symmetric)))
