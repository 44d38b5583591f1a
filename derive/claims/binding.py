"""Give parsed LaTeX a meaning: the tree becomes SymPy expressions.

What names mean comes from, in order: local variables (a sum's index, a gradient's
parameter), the document's own bindings (front matter ``given``, "Let s = ..." in prose,
``\\leftarrow`` definitions), the problem's notation table (``Problem.notation``: LaTeX
spelling -> SymPy quantity, with the problem's index symbols as pattern variables, so the
row ``x_k`` also reads ``x_{k+1}``), the problem's indices, and finally — only without a
problem — fresh symbols.

Shapes are inferred by unification over dimension classes (union-find): products tie
inner dimensions, sums tie shapes, inverses and powers make matrices square, fractions
make denominators scalar.  Without a problem, names get a kind by a hypothesis tried in
order (upper case -> matrix, lower-case Latin -> column vector, Greek -> scalar; then
lower case as scalars; then everything scalar); front matter declarations
(``x \\in \\mathbb{R}^n``) override.  Unconstrained dimensions become symbols that the
checker samples (2..4), so identities are tested on non-square, non-symmetric matrices
wherever the claim allows.

SymPy objects are built with ``evaluate=False`` where eager evaluation could explode
(``9^{9^{9}}``); nothing here evaluates user text.
"""

from __future__ import annotations

import re
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

import sympy as sp
from sympy.core.sympify import _sympify  # strict: never parses a string
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from ..problem import Problem
from ..symbols import MatSeq, MatSum
from .latex_parser import GREEK, Node, ParseError, parse, parse_expression, to_text
from .roles import family
from .nodes import AtM, AtS, DerivM, DerivS, DifferentialM, DifferentialS, MatFn, Norm, ScalarFn, Softmax

MAX_DEF_DEPTH = 12  # nested expansion of bindings
MAX_INT_LITERAL = 10**6  # larger integer literals stay unevaluated numbers (still exact)


class BindError(Exception):
    """The claim's names or shapes cannot be given a meaning (becomes "undecided")."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message + (f" at column {column}" if column else ""))
        self.column = column


class ShapeError(BindError):
    """Shapes that cannot fit together under the current hypothesis."""


# --- shapes: union-find over dimension classes ----------------------------------------------------

class Dims:
    ONE = 0

    def __init__(self) -> None:
        self.parent: list[int] = [0]
        self.value: list[sp.Expr | None] = [sp.Integer(1)]
        # a rigid class is the size of a named vector or matrix: under a generic hypothesis
        # it may never be forced to 1 (that would turn "x y" of two vectors into a product
        # of 1-vectors instead of trying the next hypothesis); sizes of I, 0 and 1 blocks
        # are flexible
        self.rigid: list[bool] = [False]

    def new(self, value: sp.Expr | None = None, rigid: bool = False) -> int:
        self.parent.append(len(self.parent))
        self.value.append(value)
        self.rigid.append(rigid)
        return len(self.parent) - 1

    def const(self, value: sp.Expr) -> int:
        value = _sympify(value)
        if value == 1:
            return self.ONE
        for i in range(len(self.parent)):
            if self.parent[i] == i and self.value[i] == value:
                return i
        return self.new(value)

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def is_one(self, a: int) -> bool:
        return self.find(a) == self.find(self.ONE)

    def unify(self, a: int, b: int, what: str = "dimensions") -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        va, vb = self.value[ra], self.value[rb]
        if va is not None and vb is not None and va != vb:
            raise ShapeError(f"{what} do not match ({va} vs {vb})")
        one = self.find(self.ONE)
        if (ra == one and self.rigid[rb] and vb is None) or (rb == one and self.rigid[ra] and va is None):
            raise ShapeError(f"{what}: a vector or matrix would have to be 1 x 1")
        if rb == one:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.rigid[ra] = self.rigid[ra] or self.rigid[rb]
        if self.value[ra] is None:
            self.value[ra] = vb

    def compatible(self, a: int, b: int) -> bool:
        """Unifying would not force a free dimension to 1 nor clash two values."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        va, vb = self.value[ra], self.value[rb]
        if va is not None and vb is not None:
            return va == vb
        return not (va == 1 or vb == 1)




Shape = tuple[int, int]


# --- the scope: what names mean ---------------------------------------------------------------------

@dataclass
class Pattern:
    """A notation row parsed: its tree, its SymPy quantity and its index variables."""

    tree: Node
    expr: sp.Basic
    latex: str
    meaning: str


@dataclass
class Declared:
    """A shape declared in the front matter: ``scalar``, or rows x cols (SymPy dims)."""

    rows: sp.Expr
    cols: sp.Expr


@dataclass
class Scope:
    """Everything that gives names a meaning in one document."""

    problem: Problem | None = None
    patterns: list[Pattern] = field(default_factory=list)
    index_symbols: dict[str, sp.Symbol] = field(default_factory=dict)
    defs: dict[str, Node] = field(default_factory=dict)
    def_text: dict[str, str] = field(default_factory=dict)
    funcs: dict[str, tuple[list[Node], Node]] = field(default_factory=dict)
    declared: dict[str, Declared] = field(default_factory=dict)
    def_patterns: list[tuple[Node, int, str, Node]] = field(default_factory=list)
    dim_symbols: dict[str, sp.Symbol] = field(default_factory=dict)
    def_families: dict[str, list[Node]] = field(default_factory=dict)  # name family -> right sides defining it
    entry_names: set[str] = field(default_factory=set)  # declared vectors whose x_i the document means as entries
    def_index_vars: dict[str, set[str]] = field(default_factory=dict)  # family -> its definition's index names
    partial_families: set[str] = field(default_factory=set)  # families defined only on some members

    def copy(self) -> "Scope":
        """A scope that can take more bindings without changing this one."""
        return dataclasses.replace(self, defs=dict(self.defs), def_text=dict(self.def_text), funcs=dict(self.funcs),
                                   declared=dict(self.declared), def_patterns=list(self.def_patterns),
                                   dim_symbols=dict(self.dim_symbols), def_families=dict(self.def_families),
                                   entry_names=set(self.entry_names), def_index_vars=dict(self.def_index_vars),
                                   partial_families=set(self.partial_families))

    @classmethod
    def for_problem(cls, problem: Problem | None) -> "Scope":
        scope = cls(problem=problem)
        if problem is None:
            return scope
        for idx in problem.indices:
            scope.index_symbols[_latex_of_symbol(idx.symbol)] = idx.symbol
        for dim in problem.dims:
            scope.dim_symbols[_latex_of_symbol(dim.symbol)] = dim.symbol
        for row in problem.notation:
            try:
                tree = parse_expression(row.latex)
            except ParseError:
                continue
            scope.patterns.append(Pattern(tree, row.expr, row.latex, row.meaning))
        scope._patterns_from_latex_names()
        scope._patterns_from_aliases()
        return scope

    def _patterns_from_aliases(self) -> None:
        """Every pattern again with the problem's alias spellings (``X^{(t)}`` for
        ``x^{(t)}``, ``\\bar{w}_{ix}`` for ``\\bar{W}_{ix}``), bound to the same quantity."""
        problem = self.problem
        assert problem is not None
        known = {to_text(p.tree) for p in self.patterns}
        for alias, canon in problem.aliases:
            token = re.compile(r"(?<![A-Za-z\\])" + re.escape(canon) + r"(?![A-Za-z])")
            for pat in list(self.patterns):
                if not token.search(pat.latex):
                    continue
                latex = token.sub(lambda _m: alias, pat.latex)
                try:
                    tree = parse_expression(latex)
                except ParseError:
                    continue
                if to_text(tree) not in known:
                    self.patterns.append(Pattern(tree, pat.expr, latex, f"{pat.meaning} (written {alias} for {canon})"))
                    known.add(to_text(tree))

    def _patterns_from_latex_names(self) -> None:
        """Patterns from ``Problem.latex_names`` (how sequences print: ``\\bar{h}^{(t)}``)
        and from the problem's input symbols (``W_{ix}``), where the notation table lacks
        them: the printed form of a quantity is also how people write it."""
        import random as _random

        problem = self.problem
        assert problem is not None
        known = {to_text(p.tree) for p in self.patterns}
        idx = [i.symbol for i in problem.indices]
        shapes: dict[str, tuple] = {}
        for row in problem.notation:
            if isinstance(row.expr, MatSeq):
                shapes[row.expr.seq_name] = row.expr.shape
        for seq, fmt in problem.latex_names:
            arity = len(set(re.findall(r"(?<!\{)\{(\d)\}(?!\})", fmt.replace("{{", "").replace("}}", ""))))
            names = [_latex_of_symbol(i) for i in idx]
            if fmt == "paren":
                arity, latex = 1, f"{seq}^{{({names[0] if names else 't'})}}"
            elif fmt == "sub":
                arity, latex = 1, f"{seq}_{{{names[0] if names else 't'}}}"
            else:
                try:
                    latex = fmt.format(*names)
                except (IndexError, KeyError, ValueError):
                    continue
            if arity > len(idx):
                continue
            try:
                tree = parse_expression(latex)
            except ParseError:
                continue
            if to_text(tree) in known:
                continue
            args = idx[:arity]
            if seq in shapes and arity == 1:
                expr: sp.Basic = MatSeq(seq, args[0], *shapes[seq])
            else:
                expr = sp.Function(seq)(*args)
            self.patterns.append(Pattern(tree, expr, latex, f"{seq} (as the problem prints it)"))
            known.add(to_text(tree))
        try:
            values = problem.sample(_random.Random(0), 15).values
        except Exception:  # noqa: BLE001 - a problem that cannot sample here simply adds nothing
            return
        taken = {d.symbol for d in problem.dims} | set(idx)
        for key in values:
            if not isinstance(key, sp.Symbol) or key in taken or getattr(key, "is_Dummy", False):
                continue
            base, _, sub = key.name.partition("_")
            latex = f"{_latex_of_symbol(sp.Symbol(base))}_{{{sub}}}" if sub else _latex_of_symbol(key)
            try:
                tree = parse_expression(latex)
            except ParseError:
                continue
            if to_text(tree) not in known:
                self.patterns.append(Pattern(tree, key, latex, "an input of the problem"))
                known.add(to_text(tree))

    def known_names(self) -> list[str]:
        names = [p.latex for p in self.patterns] + list(self.def_text) + [f"{f}(·)" for f in self.funcs]
        names += list(self.index_symbols) + list(self.dim_symbols)
        return sorted(set(names))

    def add_given(self, latex: str) -> None:
        """Read one ``given`` item: a definition ``name = expr``, a function ``F(x) = expr``,
        or a declaration ``x \\in \\mathbb{R}^{n}``."""
        tree = parse(latex)
        if tree.kind != "chain" or len(tree.args[1]) != 1:
            raise BindError(f"a given item must be 'name = expression' or 'name \\in \\mathbb{{R}}^{{..}}': {latex!r}")
        (lhs, rhs), (op,) = tree.args
        if op == "in":
            self.declare(lhs, rhs)
            return
        if op not in ("=", ":=", "<-"):
            raise BindError(f"a given item must be a definition: {latex!r}")
        self.define(lhs, rhs, latex)

    def define(self, lhs: Node, rhs: Node, latex: str) -> None:
        if lhs.kind == "apply" and lhs.args[0].kind == "name":
            params = list(lhs.args[1:])
            if not all(p.kind == "name" for p in params):
                raise BindError("function parameters must be names", lhs.col)
            self.funcs[to_text(lhs.args[0])] = (params, rhs)
            self.def_families[to_text(lhs.args[0])] = [rhs]
            return
        key = name_key(lhs)
        if key is None:
            raise BindError(f"cannot define {latex!r}: the left side is not a name", lhs.col)
        fam = family(lhs) if lhs.kind != "pow" else family(lhs.args[0])  # s^2 = ... determines s
        if fam is not None:
            self.def_families[fam] = self.def_families.get(fam, []) + [rhs]
            if lhs.kind == "name":  # x_i = ..., h^{(t)} = ...: i and t are the definition's own
                idx = {to_text(v) for slot in lhs.args if isinstance(slot, Node) for v in slot.walk()
                       if v.kind == "name"}
                self.def_index_vars[fam] = self.def_index_vars.get(fam, set()) | idx
                if any(isinstance(slot, Node) and slot.kind not in ("name", "num") for slot in lhs.args):
                    # \Sigma_{ii} = \sigma_i, T_{i,i+j-1} = w_j: only some members are given
                    self.partial_families.add(fam)
                elif any(isinstance(slot, Node) and slot.kind == "num" for slot in lhs.args) and not any(
                        p[0].value == lhs.value for p in self.def_patterns):
                    self.partial_families.add(fam)  # \sigma_3 = 4 with no rule for \sigma_i: members only
        self.defs[key] = rhs
        self.def_text[key] = latex
        # S_t = ..., h^{(t)} = ...: an indexed definition also reads S_{t-1}, h^{(t+1)}
        if lhs.kind == "name":
            for slot in (0, 1):
                idx = lhs.args[slot]
                if idx is not None and idx.kind == "add" and idx.args[0].kind == "name" \
                        and idx.args[0].args == (None, None) and idx.args[1].kind == "num" \
                        and idx.args[1].value.isdigit():
                    # w_{t+1} = w_t - eta g(w_t) is w_t = w_{t-1} - eta g(w_{t-1}): read as that
                    var, shift = idx.args[0], Node("num", idx.args[1].value, (), idx.col)
                    rhs = _substitute(rhs, to_text(var), Node("sub", None, (var, shift), idx.col))
                    args = list(lhs.args)
                    args[slot] = var
                    lhs, idx = Node("name", lhs.value, tuple(args), lhs.col), var
                if idx is not None and idx.kind == "name" and idx.args == (None, None):
                    self.def_patterns.append((lhs, slot, to_text(idx), rhs))
                    if fam is not None:
                        self.partial_families.discard(fam)  # a rule for every member now

    def declare(self, lhs: Node, rhs: Node) -> None:
        names = list(lhs.args) if lhs.kind == "tuple" else [lhs]
        shape = _declared_shape(rhs)
        for d in (shape.rows, shape.cols):  # x \in \mathbb{R}^{K}: K is a dimension (an integer) from here on
            if isinstance(d, sp.Symbol):
                self.dim_symbols.setdefault(_latex_of_symbol(d), d)
        for n in names:
            key = name_key(n)
            if key is None:
                raise BindError("only names can be declared", n.col)
            self.declared[key] = shape


def _declared_shape(rhs: Node) -> Declared:
    if rhs.kind == "field":
        return Declared(sp.Integer(1), sp.Integer(1))
    if rhs.kind == "pow" and rhs.args[0].kind == "field":
        e = rhs.args[1]
        if e.kind == "mul" and e.value == "times":
            return Declared(_dim_expr(e.args[0]), _dim_expr(e.args[1]))
        return Declared(_dim_expr(e), sp.Integer(1))
    raise BindError("declare shapes as \\mathbb{R}, \\mathbb{R}^{n} or \\mathbb{R}^{n \\times m}", rhs.col)


def _dim_expr(n: Node) -> sp.Expr:
    if n.kind == "num" and n.value.isdigit():
        return sp.Integer(int(n.value))
    if n.kind == "name" and n.args == (None, None):
        return sp.Symbol(n.value.lstrip("\\"), integer=True, positive=True)
    raise BindError("a dimension must be a number or a name", n.col)


def _latex_of_symbol(s: sp.Symbol) -> str:
    name = s.name
    return "\\" + name if name in GREEK else name


def name_key(n: Node) -> str | None:
    """The key under which a name is bound (``\\bar{h}^{(t)}``, ``W_{ix}``, ``m'``)."""
    if n.kind == "func" and n.value == r"\sigma":  # σ used as a name (σ = ‖p‖²)
        return n.value
    if n.kind == "name":
        return to_text(n)
    if n.kind == "prime" and n.args[0].kind == "name":
        return to_text(n.args[0]) + "'"
    if n.kind == "paren":
        return name_key(n.args[0])
    if n.kind == "pow" and n.args[0].kind == "name" and n.args[1].kind == "num":
        return f"{to_text(n.args[0])}^{{{n.args[1].value}}}"  # s^2 = ... defines s^2 (a variance)
    return None


# --- symbol table for one statement ---------------------------------------------------------------

@dataclass
class SymInfo:
    """A name the statement uses: its SymPy kind and shape classes, and sampling hints."""

    key: str
    kind: str  # scalar | matrix | index | seq
    shape: Shape
    positive: bool = False
    invertible: bool = False
    direction_of: str | None = None  # for dX: the key of X
    sympy: sp.Basic | None = None


@dataclass
class Bound:
    """A statement with meaning: the relation chain as SymPy expressions."""

    items: list[sp.Basic]
    ops: list[str]
    condition: sp.Basic | None
    symbols: dict[str, SymInfo]
    dims: dict[sp.Symbol, None]
    indices: list[sp.Symbol]
    hypothesis: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class T:
    """A typed sub-expression: its shape classes and how to build its SymPy form."""

    shape: Shape
    build: Callable[["Builder"], sp.Basic]
    scalar_hint: bool = False


HYPOTHESES = ("matrices, vectors and scalars by letter case",
              "upper case matrices, lower case (Latin and Greek) vectors",
              "upper case matrices, everything else scalar",
              "all scalars")


class _Counted:
    """A held name that counts its uses (a derivative with respect to a defined name)."""

    def __init__(self, make: Callable[[], "T"]) -> None:
        self.make = make

    def __call__(self) -> "T":
        return self.make()


def _substitute(n: Node, name: str, value: Node) -> Node:
    """``n`` with every bare name ``name`` replaced by ``value`` (index slots included)."""
    if n.kind == "name" and n.args == (None, None) and to_text(n) == name:
        return value

    def sub(a: Any) -> Any:
        if isinstance(a, Node):
            return _substitute(a, name, value)
        if isinstance(a, tuple):
            return tuple(sub(x) for x in a)
        return a

    return Node(n.kind, n.value, tuple(sub(a) for a in n.args), n.col)


def _int_value(n: Node, env: dict[str, int]) -> int | None:
    """The integer an index expression stands for (``t - 1`` with t = 1), if it is known."""
    if n.kind == "num" and n.value.isdigit():
        return int(n.value)
    if n.kind == "name" and n.args == (None, None):
        return env.get(to_text(n))
    if n.kind in ("add", "sub") and len(n.args) == 2:
        a, b = _int_value(n.args[0], env), _int_value(n.args[1], env)
        if a is None or b is None:
            return None
        return a + b if n.kind == "add" else a - b
    if n.kind == "paren":
        return _int_value(n.args[0], env)
    return None


def _element(parent: sp.Basic, i: sp.Basic, j: sp.Basic) -> sp.Basic:
    """Entry (i, j), 0-based, of a matrix expression — our own nodes included (SymPy's
    indexing asks each node class for its entries; the evaluator reads MatrixElement)."""
    return MatrixElement(parent, i, j)


def primed_name(n: Node) -> Node:
    """``m'`` as a name of its own (not a derivative: it has no argument)."""
    return Node("name", n.value + "'", n.args, n.col)


def _product_reading(fn: Node) -> bool:
    """Whether ``X(...)`` may be a product (``C(A + B)``, ``p(1 - p)``, ``o^{(t)}(1 - ...)``), not
    an application of an undefined function (``f(x)``, ``L(W)``, ``\\mathcal{L}_2(W)``)."""
    if fn.kind != "name" or fn.value.startswith(("\\mathcal", "\\operatorname", "\\mathrm")):
        return False
    return not (fn.args == (None, None) and fn.value in ("f", "g", "h", "F", "G", "H", "L", "J"))


_ENTRY_INDICES = {"i", "j", "k", "l", "m", "r", "s"}


class Inference:
    """One pass of shape inference for a statement under one hypothesis."""

    def __init__(self, scope: Scope, hypothesis: int, index_names: set[str],
                 override: dict[str, str] | None = None):
        self.scope = scope
        self.h = hypothesis
        self.override = override or {}
        self.dims = Dims()
        self.syms: dict[str, SymInfo] = {}
        self.local: dict[str, T] = {}
        self.local_index: dict[str, sp.Symbol] = {}
        self.index_names = index_names
        self.def_depth = 0
        self.notes: list[str] = []
        # defined names held as variables inside a derivative with respect to them (∂ℓ/∂a, a := W x + b)
        self.opaque: dict[str, T] = {}
        self.unreadable: set[str] = set()  # defined names whose definitions use unknown functions
        self.local_int: dict[str, int] = {}  # a recurrence's index, where it is a known number
        self.bare_identity: list[int] = []  # dimension classes of the I's written without a size
        self.entry_ranges: list[tuple[str, int]] = []  # (index key, dimension class) of entries x_i

    # -- shapes
    def scalar(self) -> Shape:
        return (Dims.ONE, Dims.ONE)

    def is_scalar(self, s: Shape) -> bool:
        return self.dims.is_one(s[0]) and self.dims.is_one(s[1])

    def unify_shape(self, a: Shape, b: Shape, what: str, col: int | None = None) -> None:
        try:
            self.dims.unify(a[0], b[0], what)
            self.dims.unify(a[1], b[1], what)
        except ShapeError as exc:
            raise ShapeError(str(exc), col) from None

    def make_scalar(self, s: Shape, what: str, col: int | None) -> None:
        self.unify_shape(s, self.scalar(), what, col)

    # -- names
    def kind_for(self, key: str, base: str) -> str:
        if key in self.scope.declared:
            return "declared"
        if key in self.override:
            return self.override[key]
        letter = base
        for pre in ("\\bar{", "\\hat{", "\\tilde{", "\\mathcal{", "\\dot{", "\\check{", "\\mathbf{"):
            if letter.startswith(pre):
                letter = letter[len(pre):].rstrip("}")
        if self.h == 3:
            return "scalar"
        if letter.startswith("\\"):
            upper = letter[1:] in ("Sigma", "Lambda", "Delta", "Phi", "Psi", "Omega", "Gamma", "Theta", "Pi", "Xi")
            if upper or letter[1:] not in GREEK:
                return "matrix"
            return "vector" if self.h == 1 else "scalar"
        if letter.isupper():
            return "matrix"
        return "vector" if self.h in (0, 1) else "scalar"

    def symbol(self, key: str, base: str, col: int, kind: str | None = None) -> SymInfo:
        info = self.syms.get(key)
        if info is not None:
            return info
        k = kind or self.kind_for(key, base)
        if k == "declared":
            d = self.scope.declared[key]
            shape = (self.dims.const(d.rows) if not d.rows.is_Symbol else self._named_dim(d.rows),
                     self.dims.const(d.cols) if not d.cols.is_Symbol else self._named_dim(d.cols))
            k = "matrix"
        elif k == "scalar" or k == "index":
            shape = self.scalar()
        elif k == "vector":
            shape = (self.dims.new(rigid=True), Dims.ONE)
            k = "matrix"
        else:
            shape = (self.dims.new(rigid=True), self.dims.new(rigid=True))
            k = "matrix"
        info = SymInfo(key, "index" if kind == "index" else ("scalar" if k == "scalar" else "matrix"), shape)
        self.syms[key] = info
        return info

    def _named_dim(self, sym: sp.Symbol) -> int:
        for i, v in enumerate(self.dims.value):
            if self.dims.parent[i] == i and v == sym:
                return i
        return self.dims.new(sym)

    # -- the tree walk
    def infer(self, n: Node) -> T:
        k = n.kind
        method = getattr(self, "_" + k, None)
        if method is None:
            raise BindError(f"{_describe_kind(n)} cannot be checked here", n.col)
        return method(n)

    def _paren(self, n: Node) -> T:
        return self.infer(n.args[0])

    def _num(self, n: Node) -> T:
        text = n.value
        if "." in text:
            value = sp.Rational(text)
        else:
            value = sp.Integer(int(text)) if len(text) <= 7 else sp.Integer(int(text[:7]))
            if len(text) > 7:
                raise BindError(f"number {text[:12]}… too long", n.col)
        return T(self.scalar(), lambda b, v=value: v, True)

    def _const(self, n: Node) -> T:
        return T(self.scalar(), lambda b: sp.pi, True)

    def _name(self, n: Node) -> T:
        numeric = self._numeric_index(n)
        if numeric is not None:  # m_{t-1} inside m_t's definition at t = 1 is m_0
            return self._name(numeric)
        key = to_text(n)
        if key in self.local:
            return self.local[key]
        if key in self.local_index:
            sym = self.local_index[key]
            return T(self.scalar(), lambda b, s=sym: s, True)
        if key in self.opaque:
            held = self.opaque[key]
            return held() if isinstance(held, _Counted) else held
        try:
            if key in self.scope.defs and key not in self.unreadable:
                return self._expand_def(key, n)
            for lhs, slot, var, rhs in self.scope.def_patterns:
                if lhs.value == n.value and n.args[slot] is not None and n.args[1 - slot] == lhs.args[1 - slot] \
                        and (n.args[1 - slot] is None or to_text(n.args[1 - slot]) == to_text(lhs.args[1 - slot])) \
                        and lhs.value not in self.unreadable:
                    at = _int_value(n.args[slot], self.local_int)
                    if at is not None and at <= 0:
                        # theta_0 with theta_t = theta_{t-1} - ...: the recurrence starts here; a start
                        # the document does not give is free (it is not run below 0)
                        break
                    return self._expand_indexed_def(var, n.args[slot], rhs, n, at)
        except BindError as exc:
            if not str(exc).startswith("unknown function"):
                raise
            # g_t = \nabla f(\theta_{t-1}) with f never given: g stays a free quantity (a claim that
            # holds for every g holds for this one)
            self.unreadable |= {key, n.value}
            self.notes.append(f"{key} is read as a free quantity ({str(exc).split(' at column')[0]})")
        pat = self._match_pattern(n)
        if pat is not None:
            return pat
        sub, time = n.args
        base = n.value
        if sub is None and time is None:
            if base in self.scope.index_symbols and not self._scalar_problem_name(base):
                sym = self.scope.index_symbols[base]
                return T(self.scalar(), lambda b, s=sym: s, True)
            if base in self.scope.dim_symbols and not any(p.tree.kind == "name" and p.tree.value == base
                                                          for p in self.scope.patterns):
                sym = self.scope.dim_symbols[base]
                return T(self.scalar(), lambda b, s=sym: s, True)
            if base == "I":
                d = self.dims.new(rigid=True)
                self.bare_identity.append(d)  # its size comes from the statement, if anything fixes it
                return T((d, d), lambda b, d=d: sp.Identity(b.dim(d)))
            if base == "\\mathbf{1}":
                d = self.dims.new(rigid=True)
                return T((d, Dims.ONE), lambda b, d=d: sp.OneMatrix(b.dim(d), 1))
        if base == "I" and sub is not None and time is None and sub.kind in ("name", "num") \
                and "I" not in self.scope.defs and key not in self.scope.declared:
            d = self.dims.new(rigid=True)  # I_n, I_d, I_2: an identity (its size from the context)
            if sub.kind == "num" and sub.value.isdigit() and int(sub.value) <= 64:
                d = self.dims.const(sp.Integer(int(sub.value)))
            elif sub.kind == "name" and to_text(sub) in self.scope.dim_symbols:
                d = self._named_dim(self.scope.dim_symbols[to_text(sub)])
            return T((d, d), lambda b, d=d: sp.Identity(b.dim(d)))
        if sub is not None and time is None:
            entry = self._entry(base, sub, n)
            if entry is not None:
                return entry
        if self.scope.problem is not None and key not in self.scope.declared:
            raise BindError(f"unknown name {key!r} for problem {self.scope.problem.name!r}; known: "
                            + ", ".join(self.scope.known_names()), n.col)
        if time is not None:
            return self._sequence(to_text(Node("name", base, (sub, None), n.col)), base, time, n)
        if sub is not None and self._is_index_sub(sub) and key not in self.scope.declared:
            return self._sequence(base, base, sub, n)
        if base in self.index_names and sub is None:
            info = self.symbol(key, base, n.col, kind="index")
            return T(self.scalar(), lambda b, i=info: b.sym(i), True)
        info = self.symbol(key, base, n.col)
        return T(info.shape, lambda b, i=info: b.sym(i), info.kind == "scalar")

    def _entry(self, base: str, sub: Node, n: Node) -> T | None:
        """``z_j`` for a vector z the document defines or declares (entry j, 1-based), ``A_{ij}``
        for a matrix, and the Kronecker ``\\delta_{ij}`` where the document does not define δ."""
        idx = list(sub.args) if sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt") else [sub]
        if not 1 <= len(idx) <= 2 or not all(x.kind == "name" and x.args == (None, None) for x in idx):
            return None
        if not all(x.value in _ENTRY_INDICES for x in idx):
            return None  # o_t, q_t: a time index names a sequence, not an entry
        if base == "\\delta" and len(idx) == 2 and "\\delta" not in self.scope.defs:
            fi, fj = (self.index_expr(x) for x in idx)
            return T(self.scalar(), lambda b, fi=fi, fj=fj: sp.KroneckerDelta(fi(b), fj(b)), True)
        # a defined vector or matrix, or a declared matrix with two indices; a declared vector
        # x \in R^d with x_i is read as the i-th vector of a family (the other common reading)
        declared = self.scope.declared.get(base)
        known = base in self.scope.defs or (declared is not None and len(idx) == 2 and not (
            declared.rows == 1 or declared.cols == 1)) or (declared is not None and base in self.scope.entry_names)
        if not known:
            return None
        whole = self.infer(Node("name", base, (None, None), n.col))
        if self.is_scalar(whole.shape):
            return None
        fs = [self.index_expr(x) for x in idx]
        for x, d in zip(idx, whole.shape):  # x_i: i runs over 1..dim (sampled there, not 0..6)
            if x.kind == "name" and to_text(x) not in self.local_index:
                self.entry_ranges.append((to_text(x), d))
        if len(fs) == 1:
            self.unify_shape(whole.shape, (whole.shape[0], Dims.ONE), f"{base}_i needs a vector", n.col)
            return T(self.scalar(), lambda b, w=whole, f=fs[0]: _element(b.value(w), f(b) - 1, 0), True)
        return T(self.scalar(), lambda b, w=whole, f=fs: _element(b.value(w), f[0](b) - 1, f[1](b) - 1), True)

    def _numeric_index(self, n: Node) -> Node | None:
        """``n`` with an index that a recurrence's expansion fixed (t = 1) written as the number."""
        if not self.local_int or n.kind != "name":
            return None
        args = list(n.args)
        for slot, idx in enumerate(n.args):
            if idx is None or idx.kind == "num":
                continue
            if not any(x.kind == "name" and to_text(x) in self.local_int for x in idx.walk()):
                continue
            v = _int_value(idx, self.local_int)
            if v is None:
                continue
            num = Node("num", str(abs(v)), (), idx.col)
            args[slot] = num if v >= 0 else Node("neg", None, (num,), idx.col)
        return Node("name", n.value, tuple(args), n.col) if tuple(args) != n.args else None

    def _scalar_problem_name(self, base: str) -> bool:
        return False

    def _is_index_sub(self, sub: Node) -> bool:
        names = [x for x in sub.walk() if x.kind == "name"]
        kinds = {x.kind for x in sub.walk()}
        if not kinds <= {"name", "num", "add", "sub", "neg", "paren"}:
            return False
        if any(x.args != (None, None) for x in names):
            return False
        if not all(to_text(x) in self.index_names or to_text(x) in self.local_index for x in names):
            return False
        return True

    def _sequence(self, key: str, base: str, idx: Node, n: Node) -> T:
        if self.scope.problem is not None:
            raise BindError(f"unknown name {to_text(n)!r}", n.col)
        info = self.syms.get(key)
        if info is None:
            kind = self.kind_for(key, base)
            if kind == "declared":
                info = self.symbol(key, base, n.col)
            else:
                shape = self.scalar() if kind == "scalar" else (
                    (self.dims.new(rigid=True), Dims.ONE) if kind == "vector"
                    else (self.dims.new(rigid=True), self.dims.new(rigid=True)))
                info = SymInfo(key, "seq", shape)
                self.syms[key] = info
            info.kind = "seq"
        index = self.index_expr(idx)
        return T(info.shape, lambda b, i=info, ix=index: b.seq(i, ix(b)))

    def index_expr(self, idx: Node) -> Callable[["Builder"], sp.Basic]:
        """An index expression (t+1, k-\\ell): integer symbols and numbers only."""
        for x in idx.walk():
            if x.kind == "name":
                key = to_text(x)
                if key not in self.local_index and key not in self.scope.index_symbols:
                    self.symbol(key, x.value, x.col, kind="index")
            elif x.kind not in ("num", "add", "sub", "neg", "paren", "mul"):
                raise BindError("an index must be an integer expression", x.col)
        t = self.infer(idx)
        self.make_scalar(t.shape, "an index must be a scalar", idx.col)
        return t.build

    def _expand_def(self, key: str, n: Node) -> T:
        self.def_depth += 1
        if self.def_depth > MAX_DEF_DEPTH:
            raise BindError(f"definitions nest deeper than {MAX_DEF_DEPTH} (circular?)", n.col)
        try:
            return self.infer(self.scope.defs[key])
        finally:
            self.def_depth -= 1

    def _expand_indexed_def(self, var: str, idx: Node, rhs: Node, n: Node, at: int | None = None) -> T:
        value = self.infer(idx)
        saved, saved_int = dict(self.local), dict(self.local_int)
        self.def_depth += 1
        try:
            if self.def_depth > MAX_DEF_DEPTH:
                raise BindError(f"definitions nest deeper than {MAX_DEF_DEPTH} (circular?)", n.col)
            self.local[var] = value
            if at is not None:
                self.local_int[var] = at
            else:
                self.local_int.pop(var, None)
            return self.infer(rhs)
        finally:
            self.def_depth -= 1
            self.local, self.local_int = saved, saved_int

    def _match_pattern(self, n: Node) -> T | None:
        """Match a name against the notation table (index variables bind sub-trees)."""
        for pat in self.scope.patterns:
            binding = self._unify_pattern(pat.tree, n)
            if binding is None:
                continue
            subs = {sym: self.index_expr(node) for sym, node in binding.items()}
            expr = pat.expr
            shape = self._shape_of_expr(expr)
            return T(shape, lambda b, e=expr, s=subs: e.xreplace({k: f(b) for k, f in s.items()}) if s else e,
                     not isinstance(expr, MatrixExpr))
        return None

    def _unify_pattern(self, p: Node, n: Node) -> dict[sp.Symbol, Node] | None:
        if p.kind == "name" and p.args == (None, None) and p.value in self.scope.index_symbols:
            return {self.scope.index_symbols[p.value]: n}
        if p.kind != n.kind or p.value != n.value or len(p.args) != len(n.args):
            return None
        out: dict[sp.Symbol, Node] = {}
        for a, b in zip(p.args, n.args):
            if a is None or b is None:
                if a is not b:
                    return None
                continue
            if isinstance(a, Node) and isinstance(b, Node):
                sub = self._unify_pattern(a, b)
                if sub is None:
                    return None
                for k, v in sub.items():
                    if k in out and to_text(out[k]) != to_text(v):
                        return None
                    out[k] = v
            elif a != b:
                return None
        return out

    def _shape_of_expr(self, e: sp.Basic) -> Shape:
        if isinstance(e, MatrixExpr) or getattr(e, "is_Matrix", False):
            r, c = e.shape
            return (self.dims.const(r) if not isinstance(r, sp.Symbol) else self._named_dim(r),
                    self.dims.const(c) if not isinstance(c, sp.Symbol) else self._named_dim(c))
        return self.scalar()

    # -- arithmetic
    def _neg(self, n: Node) -> T:
        a = self.infer(n.args[0])
        return T(a.shape, lambda b, a=a: b.neg(a), a.scalar_hint)

    def _add(self, n: Node) -> T:
        return self._sum_like(n, 1)

    def _sub(self, n: Node) -> T:
        return self._sum_like(n, -1)

    def _sum_like(self, n: Node, sign: int) -> T:
        a, c = self.infer(n.args[0]), self.infer(n.args[1])
        self.unify_shape(a.shape, c.shape, "the terms of a sum have different shapes", n.col)
        return T(a.shape, lambda b, a=a, c=c, s=sign: b.add(a, c, s), a.scalar_hint and c.scalar_hint)

    def _mul(self, n: Node) -> T:
        a, c = self.infer(n.args[0]), self.infer(n.args[1])
        op = n.value
        if op in ("odot", "circ"):
            if self.is_scalar(a.shape) or self.is_scalar(c.shape):
                return self._product(a, c, n)
            self.unify_shape(a.shape, c.shape, "a Hadamard product needs equal shapes", n.col)
            return T(a.shape, lambda b, a=a, c=c: b.hadamard(a, c))
        if op in ("cdot", "star", "times") and not self.is_scalar(a.shape) and not self.is_scalar(c.shape):
            if self.dims.is_one(a.shape[1]) and self.dims.is_one(c.shape[1]):  # u·v of two column vectors
                self.dims.unify(a.shape[0], c.shape[0], "a dot product needs equal lengths")
                return T(self.scalar(), lambda b, a=a, c=c: b.dot(a, c))
        if op == "kron":
            raise BindError("Kronecker products are not supported", n.col)
        return self._product(a, c, n)

    def _product(self, a: T, c: T, n: Node) -> T:
        if self.is_scalar(a.shape):
            return T(c.shape, lambda b, a=a, c=c: b.mul(a, c), c.scalar_hint and a.scalar_hint)
        if self.is_scalar(c.shape):
            return T(a.shape, lambda b, a=a, c=c: b.mul(a, c), a.scalar_hint)
        try:
            self.dims.unify(a.shape[1], c.shape[0], "inner dimensions")
        except ShapeError as exc:
            raise ShapeError(f"a product's inner dimensions do not match ({exc})", n.col) from None
        return T((a.shape[0], c.shape[1]), lambda b, a=a, c=c: b.mul(a, c))

    def _div(self, n: Node) -> T:
        a, c = self.infer(n.args[0]), self.infer(n.args[1])
        self.make_scalar(c.shape, "a denominator must be a scalar", n.col)
        return T(a.shape, lambda b, a=a, c=c: b.div(a, c), a.scalar_hint)

    def _pow(self, n: Node) -> T:
        base_node, exp_node = n.args
        key = name_key(n)
        if key is not None and key in self.scope.defs and key not in self.unreadable:
            return self._expand_def(key, n)
        if base_node.kind == "name" and base_node.value == "e" and base_node.args == (None, None) \
                and "e" not in self.syms and self.scope.problem is None or (
                base_node.kind == "name" and base_node.value == "e" and self.scope.problem is not None
                and "e" not in self.scope.defs and not self._match_pattern(base_node)):
            x = self.infer(exp_node)
            self.make_scalar(x.shape, "e^{x} needs a scalar x", n.col)
            return T(self.scalar(), lambda b, x=x: b.func("exp", 0, x), True)
        # \theta^{k+1} written for \theta^{(k+1)}: a time index when the notation has one
        if base_node.kind == "name" and base_node.args[1] is None and self.scope.problem is not None:
            timed = Node("name", base_node.value, (base_node.args[0], exp_node), base_node.col)
            if self._match_pattern(timed) is not None and any(
                    x.kind == "name" and x.value in self.scope.index_symbols for x in exp_node.walk()):
                return self.infer(timed)
        a = self.infer(base_node)
        x = self.infer(exp_node)
        self.make_scalar(x.shape, "an exponent must be a scalar", n.col)
        if self.is_scalar(a.shape):
            if not _is_integer_node(exp_node, self):
                self._mark_positive(base_node)
            return T(a.shape, lambda b, a=a, x=x: b.pow(a, x), True)
        if self.dims.is_one(a.shape[0]) != self.dims.is_one(a.shape[1]):
            raise ShapeError("a power of a vector", n.col)
        self.dims.unify(a.shape[0], a.shape[1], "a matrix power needs a square matrix")
        if _is_negative(exp_node):
            self._mark_invertible(base_node)
        return T(a.shape, lambda b, a=a, x=x: b.matpow(a, x))

    def _transpose(self, n: Node) -> T:
        a = self.infer(n.args[0])
        return T((a.shape[1], a.shape[0]), lambda b, a=a: b.transpose(a), a.scalar_hint)

    def _inverse_transpose(self, n: Node) -> T:
        a = self.infer(n.args[0])
        self.dims.unify(a.shape[0], a.shape[1], "an inverse needs a square matrix")
        self._mark_invertible(n.args[0])
        return T(a.shape, lambda b, a=a: b.inverse(b.transpose(a), raw=True))

    def _mark_invertible(self, n: Node) -> None:
        for x in n.walk():
            if x.kind == "name":
                info = self.syms.get(to_text(x))
                if info is not None:
                    info.invertible = True

    def _mark_positive(self, n: Node) -> None:
        for x in n.walk():
            if x.kind == "name":
                info = self.syms.get(to_text(x))
                if info is not None:
                    info.positive = True

    def _norm(self, n: Node) -> T:
        a = self.infer(n.args[0])
        kind = n.value or ""
        return T(self.scalar(), lambda b, a=a, k=kind: b.norm(a, k), True)

    def _abs(self, n: Node) -> T:
        a = self.infer(n.args[0])
        self.make_scalar(a.shape, "|x| needs a scalar (write \\det or \\| \\| for matrices)", n.col)
        return T(self.scalar(), lambda b, a=a: sp.Abs(b.scalar(a), evaluate=False), True)

    # -- functions
    def _call(self, n: Node) -> T:
        fn, *args = n.args
        order = 0
        while fn.kind == "prime":
            order += 1
            fn = fn.args[0]
        if fn.kind == "func" and fn.value in self.scope.defs and order == 0:
            # a defined σ followed by a group is a product
            return self._mul(Node("mul", "juxt", (fn, Node("paren", None, (args[0],), n.col)), n.col))
        if fn.kind != "func":
            if fn.kind == "name":
                return self._apply(Node("apply", None, (fn, *args), n.col))
            raise BindError("only functions can be applied", n.col)
        name = fn.value.lstrip("\\")
        if name == "binom" and len(args) == 2 and order == 0:
            ts = [self.infer(a) for a in args]
            for t in ts:
                self.make_scalar(t.shape, "\\binom of matrices", n.col)
            return T(self.scalar(), lambda b, ts=ts: sp.binomial(b.scalar(ts[0]), b.scalar(ts[1]), evaluate=False),
                     True)
        if len(args) != 1 and name not in ("max", "min"):
            raise BindError(f"\\{name} takes one argument", n.col)
        if name in ("max", "min"):
            ts = [self.infer(a) for a in args]
            for t in ts:
                self.make_scalar(t.shape, f"\\{name} of matrices", n.col)
            return T(self.scalar(), lambda b, ts=ts, nm=name: (sp.Max if nm == "max" else sp.Min)(
                *[b.scalar(t) for t in ts], evaluate=False), True)
        a = self.infer(args[0])
        if name in ("det", "tr", "Tr", "trace"):
            if order:
                raise BindError(f"\\{name}' is not understood", n.col)
            self.dims.unify(a.shape[0], a.shape[1], f"\\{name} needs a square matrix")
            return T(self.scalar(), lambda b, a=a, nm=name: b.det(a) if nm == "det" else b.trace(a), True)
        if name == "diag":
            if self.dims.is_one(a.shape[1]):
                return T((a.shape[0], a.shape[0]), lambda b, a=a: b.diag(a))
            raise BindError("\\operatorname{diag} of a matrix is not supported (give a vector)", n.col)
        if name == "softmax":
            if order:
                raise BindError("softmax' is not understood", n.col)
            return T(a.shape, lambda b, a=a: b.softmax(a))
        if name == "factorial":
            self.make_scalar(a.shape, "factorial of a matrix", n.col)
            return T(self.scalar(), lambda b, a=a: sp.factorial(b.scalar(a), evaluate=False), True)
        if name in ("log", "ln", "sqrt"):
            self._mark_positive(args[0])
        from .nodes import SCALAR_FUNCS
        if name not in SCALAR_FUNCS:
            raise BindError(f"unknown function \\{name}", n.col)
        return T(a.shape, lambda b, a=a, nm=name, o=order: b.func(nm, o, a), True)

    def _prime(self, n: Node) -> T:
        key = name_key(n)
        if key is not None and key in self.scope.defs:
            return self._expand_def(key, n)
        inner = n.args[0]
        if inner.kind == "name":  # m', j': a prime on a name with no argument is part of the name
            return self._name(primed_name(inner))
        raise BindError("a prime ' here is not understood (write σ'(x) with an argument)", n.col)

    def _func(self, n: Node) -> T:
        if n.value in self.scope.defs:
            return self._expand_def(n.value, n)
        raise BindError(f"the function {n.value} has no argument", n.col)

    def _apply(self, n: Node) -> T:
        fn, *args = n.args
        key = to_text(fn)
        if self.scope.patterns:
            pat = self._match_pattern(n)  # notation rows such as \mathcal{L}(W)
            if pat is not None:
                return pat
        if key in self.scope.funcs:
            params, body = self.scope.funcs[key]
            if len(params) != len(args):
                raise BindError(f"{key} takes {len(params)} argument(s)", n.col)
            saved = dict(self.local)
            try:
                for p, a in zip(params, args):
                    self.local[to_text(p)] = self.infer(a)
                self.def_depth += 1
                if self.def_depth > MAX_DEF_DEPTH:
                    raise BindError("definitions nest too deeply", n.col)
                return self.infer(body)
            finally:
                self.def_depth -= 1
                self.local = saved
        if len(args) != 1 or args[0].kind == "rel" or not _product_reading(fn):
            raise BindError(f"unknown function {key}", n.col)
        # C(A + B): a product with a parenthesised factor
        return self._mul(Node("mul", "juxt", (fn, Node("paren", None, (args[0],), args[0].col)), n.col))

    def _nabla(self, n: Node) -> T:
        order_node, fn, _ = n.args
        order = int(order_node.value) if order_node.kind == "num" and order_node.value in ("1", "2") else 0
        if order == 0:
            raise BindError("only ∇ and ∇² are understood", n.col)
        if fn.kind != "apply" or len(fn.args) != 2:
            raise BindError("write ∇F(θ) with the point in parentheses", n.col)
        key = to_text(fn.args[0])
        if key not in self.scope.funcs:
            pattern = next((p for p in self.scope.patterns if p.tree.kind == "nabla"
                            and to_text(p.tree.args[1]) == key and len(p.expr.args) == 1), None)
            if pattern is not None:
                return self._nabla_pattern(pattern, order, self._timeify(fn.args[1]), n)
            raise BindError(f"unknown function {key}: define it (e.g. given: - {key}(x) = ...)", n.col)
        params, body = self.scope.funcs[key]
        point = self.infer(fn.args[1])
        if not self.dims.is_one(point.shape[1]):
            raise BindError("∇ at a matrix point is not supported", n.col)
        pkey = "∇param:" + to_text(params[0])
        info = SymInfo(pkey, "matrix" if not self.is_scalar(point.shape) else "scalar", point.shape)
        self.syms[pkey] = info
        saved = dict(self.local)
        try:
            self.local[to_text(params[0])] = T(point.shape, lambda b, i=info: b.sym(i))
            f = self.infer(body)
        finally:
            self.local = saved
        self.make_scalar(f.shape, "∇ needs a scalar function", n.col)
        shape = point.shape if order == 1 else (point.shape[0], point.shape[0])
        return T(shape, lambda b, f=f, i=info, p=point, o=order: b.gradient(f, i, p, o))

    def _nabla_pattern(self, pattern: Pattern, order: int, point_node: Node, n: Node) -> T:
        """∇F(θ) with a problem's gradient node G(θ): G at the point; ∇² as its Jacobian."""
        point = self.infer(point_node)
        if not self.dims.is_one(point.shape[1]) or self.is_scalar(point.shape):
            raise BindError("∇F needs a vector point", n.col)
        cls = type(pattern.expr)
        pkey = "∇param:" + to_text(point_node)
        info = SymInfo(pkey, "matrix", point.shape)
        self.syms[pkey] = info
        shape = point.shape if order == 1 else (point.shape[0], point.shape[0])

        def build(b: "Builder", cls=cls, point=point, info=info, order=order):
            pt = b.value(point)
            if order == 1:
                return cls(pt)
            var = b.sym(info)
            r = var.shape[0]
            return AtM(DerivM(cls(var), var, r, r), var, pt)

        return T(shape, build)

    def _ddx(self, n: Node) -> T:
        var, body, order = n.args
        if body is None:
            raise BindError("d/dx with nothing after it", n.col)
        if order not in ("1", None):
            raise BindError("only first derivatives d/dx are understood", n.col)
        var_key = to_text(var)
        if n.value == "partial":
            return self._derivative(body, var, n)
        if var.kind == "name" and var_key in self.syms:
            self.make_scalar(self.syms[var_key].shape, "d/dx needs a scalar x (write ∂ for vectors)", n.col)
        elif var.kind == "name" and var_key not in self.scope.defs:
            self.symbol(var_key, var.value, var.col, kind="scalar")
        free = _names_in(body)
        target = body.args[0] if body.kind == "paren" else body
        if var_key not in free:
            # \frac{d}{dx} f(z) with x not in z: the derivative f'(z) of the outer function
            factors = _juxt_factors(target)
            if len(factors) > 1 and factors[0].kind == "call" and factors[0].args[0].kind == "func":
                head = self._ddx(Node("ddx", n.value, (var, factors[0], order), n.col))
                rest = factors[1:]
                node_rest = rest[0]
                for f in rest[1:]:
                    node_rest = Node("mul", "juxt", (node_rest, f), f.col)
                return self._product(head, self.infer(node_rest), n)
            if target.kind == "call" and target.args[0].kind == "func":
                return self._call(Node("call", None, (Node("prime", None, (target.args[0],), n.col),
                                                      *target.args[1:]), n.col))
            if target.kind == "pow" and target.args[0].kind == "call":
                raise BindError("d/dx of a power of a function of another variable is ambiguous", n.col)
            raise BindError(f"d/d{var_key} of an expression without {var_key}", n.col)
        return self._derivative(body, var, n)

    def _timeify(self, n: Node) -> Node:
        """x^{k+1} written for x^{(k+1)} where the notation has a time-indexed x."""
        if n.kind == "pow" and n.args[0].kind == "name" and n.args[0].args[1] is None:
            base = n.args[0]
            if any(x.kind == "name" and x.value in self.scope.index_symbols for x in n.args[1].walk()):
                timed = Node("name", base.value, (base.args[0], n.args[1]), base.col)
                if any(x.kind == "name" and x.value == base.value and x.args[1] is not None
                       for p in self.scope.patterns for x in p.tree.walk()):
                    return timed
        return n

    def _partial(self, n: Node) -> T:
        top, var, order = n.args
        if self.scope.patterns:
            normal = Node("partial", None, (self._timeify(top), self._timeify(var), order), n.col)
            pat = self._match_pattern(normal)
            if pat is not None:
                return pat
        if order != "1":
            raise BindError("only first partial derivatives are understood", n.col)
        return self._derivative(top, var, n)

    def _derivative(self, body: Node, var: Node, n: Node) -> T:
        key = to_text(var)
        if var.kind == "name" and key in self.scope.defs and key not in self.opaque:
            return self._derivative_by_defined(body, var, key, n)
        by_entry = self._derivative_by_entry(body, var, n)
        if by_entry is not None:
            return by_entry
        v = self.infer(var)
        f = self.infer(body)
        info = self.syms.get(key)
        if info is None or info.kind not in ("scalar", "matrix"):
            raise BindError(f"cannot differentiate with respect to {key} (not an input of the claim)", n.col)
        shape = self._derivative_shape(f.shape, v.shape, n)
        return T(shape, lambda b, f=f, i=info, s=shape: b.derivative(f, i, s))

    def _derivative_shape(self, fs: Shape, vs: Shape, n: Node) -> Shape:
        """∂f/∂v: the shape of v for a scalar f (gradient layout), dim f × dim v for vectors."""
        if self.is_scalar(fs):
            return vs
        if self.dims.is_one(fs[1]) and self.dims.is_one(vs[1]):
            return (fs[0], vs[0])
        if self.is_scalar(vs):
            return fs
        raise BindError("the derivative of a matrix by a matrix is not a matrix", n.col)

    def _derivative_by_entry(self, body: Node, var: Node, n: Node) -> T | None:
        """∂f/∂x_j for an entry x_j of a vector the document declares or defines: the j-th
        entry of the gradient with respect to the whole vector."""
        if var.kind != "name" or var.args[0] is None or var.args[1] is not None:
            return None
        if self._entry(var.value, var.args[0], var) is None:
            return None
        whole = Node("name", var.value, (None, None), var.col)
        grad = self._derivative(body, whole, n)
        if not self.dims.is_one(grad.shape[1]):
            return None
        j = self.index_expr(var.args[0])
        if var.args[0].kind == "name":
            self.entry_ranges.append((to_text(var.args[0]), grad.shape[0]))
        return T(self.scalar(), lambda b, g=grad, j=j: _element(b.value(g), j(b) - 1, 0), True)

    def _derivative_by_defined(self, body: Node, var: Node, key: str, n: Node) -> T:
        """∂ℓ/∂a where the document defines a (a = W_1 x + b_1): the chain rule's reading.
        Inside the derivative a is a variable that ℓ reaches through the definitions that use
        it (h = σ(a)); the derivative is then taken at a's defined value."""
        point = self.infer(var)
        info = SymInfo("∂var:" + key, "scalar" if self.is_scalar(point.shape) else "matrix", point.shape)
        self.syms[info.key] = info
        used = [0]

        def held(b: "Builder", i: SymInfo = info) -> sp.Basic:
            return b.sym(i)

        def reach(n_: Node = var) -> T:
            used[0] += 1
            return T(point.shape, held, self.is_scalar(point.shape))

        self.opaque[key] = _Counted(reach)
        try:
            f = self.infer(body)
        finally:
            del self.opaque[key]
        if not used[0]:
            # ∂D/∂s_i with s_i = log σ_i² and D written in σ: D reaches s only through the inverse of
            # s's definition, which the document does not give
            raise BindError(f"{key} is defined from other names and the differentiated expression does not "
                            f"use it: the derivative needs those names as functions of {key}", n.col)
        shape = self._derivative_shape(f.shape, point.shape, n)

        def build(b: "Builder", f=f, i=info, s=shape, point=point) -> sp.Basic:
            d = b.derivative(f, i, s)
            at = b.value(point)
            return AtM(d, b.sym(i), at) if isinstance(d, MatrixExpr) else AtS(d, b.sym(i), at)

        return T(shape, build)

    def _differential(self, n: Node) -> T:
        arg = n.args[0]
        inner = arg.args[0] if arg.kind == "paren" else arg
        a = self.infer(arg)
        if inner.kind == "name":
            key = to_text(inner)
            info = self.syms.get(key)
            if info is None or info.kind not in ("scalar", "matrix"):
                raise BindError(f"d{key}: {key} is not an input of the claim", n.col)
            return T(a.shape, lambda b, i=info: b.direction(i))
        keys = [to_text(x) for x in arg.walk() if x.kind == "name"]
        infos = [self.syms[k] for k in dict.fromkeys(keys) if k in self.syms and self.syms[k].kind in ("scalar", "matrix")]
        return T(a.shape, lambda b, a=a, infos=infos: b.differential(a, infos))

    # -- structures
    def _matrix(self, n: Node) -> T:
        rows = n.args
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise BindError("the rows of a matrix have different lengths", n.col)
        cells: list[list[T]] = []
        row_dims = [self.dims.new() for _ in rows]
        col_dims = [self.dims.new() for _ in range(width)]
        for i, r in enumerate(rows):
            out = []
            for j, c in enumerate(r):
                if c.kind == "num" and c.value == "0":
                    t = T((row_dims[i], col_dims[j]), lambda b, i=i, j=j, rd=row_dims, cd=col_dims:
                          b.zero(rd[i], cd[j]))
                else:
                    t = self.infer(c)
                    self.unify_shape(t.shape, (row_dims[i], col_dims[j]), "the blocks of a matrix do not line up", c.col)
                out.append(t)
            cells.append(out)
        nonzero = [t for r, row in zip(rows, cells) for c, t in zip(r, row) if not (c.kind == "num" and c.value == "0")]
        if nonzero and all(self.is_scalar(t.shape) for t in nonzero):
            for d in row_dims + col_dims:  # a matrix of numbers: its zeros are numbers too
                self.dims.unify(d, Dims.ONE)
        rd, cd = row_dims, col_dims
        if all(self.dims.is_one(d) for d in rd) and len(rd) == 1:
            r_shape = Dims.ONE
        else:
            r_shape = self.dims.new()
        c_shape = self.dims.new() if not (len(cd) == 1 and self.dims.is_one(cd[0])) else Dims.ONE
        return T((r_shape, c_shape), lambda b, cells=cells, rd=rd, cd=cd, rs=r_shape, cs=c_shape:
                 b.matrix(cells, rd, cd, rs, cs))

    def _sum(self, n: Node) -> T:
        return self._big(n, "sum")

    def _prod(self, n: Node) -> T:
        return self._big(n, "prod")

    def _big(self, n: Node, kind: str) -> T:
        body, var, lo, hi = n.args
        if var is None or lo is None or hi is None:
            if var is not None and lo is None and hi is None and self.scope.problem is not None:
                rng = self._problem_range(var)
                if rng is not None:
                    lo, hi = rng
            if lo is None or hi is None:
                raise BindError(f"a \\{kind} needs limits (\\{kind}_{{i=1}}^{{n}})", n.col)
        key = to_text(var)
        sym = sp.Symbol(key.lstrip("\\") + "_", integer=True)
        lo_t = lo if isinstance(lo, T) else self.infer(lo)
        hi_t = hi if isinstance(hi, T) else self.infer(hi)
        saved = self.local_index.get(key)
        self.local_index[key] = sym
        try:
            t = self.infer(body)
        finally:
            if saved is None:
                self.local_index.pop(key, None)
            else:
                self.local_index[key] = saved
        if kind == "prod":
            self.make_scalar(t.shape, "a product ∏ of matrices", n.col)
        return T(t.shape, lambda b, t=t, s=sym, lo=lo_t, hi=hi_t, k=kind: b.big(k, t, s, lo, hi), t.scalar_hint)

    def _problem_range(self, var: Node):
        """``\\sum_t`` without limits: over all steps 1..T of a problem that names its
        sequence length T (a dimension or a notation row spelled ``T``)."""
        if to_text(var) not in self.scope.index_symbols or self.scope.problem is None:
            return None
        length = self.scope.dim_symbols.get("T")
        if length is None:
            row = next((p for p in self.scope.patterns if p.latex == "T"), None)
            length = row.expr if row is not None else None
        if length is None:
            return None
        return (T(self.scalar(), lambda b: sp.Integer(1), True),
                T(self.scalar(), lambda b, v=length: v, True))


def _names_in(n: Node) -> set[str]:
    """Names used in a tree, not counting the letters of subscripts (x in W_{gx})."""
    out: set[str] = set()
    stack = [n]
    while stack:
        x = stack.pop()
        if x.kind == "name":
            out.add(to_text(x))
            if x.args[1] is not None:  # a time index does use its names
                stack.append(x.args[1])
            continue
        stack.extend(x.children())
    return out


def _juxt_factors(n: Node) -> list[Node]:
    """The factors of a left-nested juxtaposition a b c (other products stay whole)."""
    if n.kind == "mul" and n.value == "juxt":
        return _juxt_factors(n.args[0]) + [n.args[1]]
    return [n]


def _describe_kind(n: Node) -> str:
    return {"tuple": "a list or interval", "set": "a set", "ellipsis": "an ellipsis …", "infinity": "∞",
            "field": "a number field", "chain": "a relation", "rel": "a relation", "dmark": "a d or ∂",
            "text": "text"}.get(n.kind, f"'{n.kind}'")


def _is_integer_node(n: Node, inf: Inference) -> bool:
    for x in n.walk():
        if x.kind == "num" and "." in x.value:
            return False
        if x.kind == "name" and to_text(x) not in inf.index_names and to_text(x) not in inf.local_index \
                and x.value not in inf.scope.index_symbols:
            return False
        if x.kind not in ("num", "name", "add", "sub", "neg", "paren", "mul"):
            return False
    return True


def _is_negative(n: Node) -> bool:
    return n.kind == "neg" or (n.kind == "num" and n.value.startswith("-"))


# --- building SymPy from typed trees ----------------------------------------------------------------

class Builder:
    """Materialises typed trees into SymPy once every dimension class is resolved."""

    def __init__(self, inf: Inference):
        self.inf = inf
        self.dims = inf.dims
        self.dim_symbols: dict[int, sp.Expr] = {}
        self.symbols: dict[str, sp.Basic] = {}
        self.directions: dict[str, sp.Basic] = {}
        self.counter = 0

    def dim(self, d: int) -> sp.Expr:
        r = self.dims.find(d)
        v = self.dims.value[r]
        if v is not None:
            return v
        dims = list(self.inf.scope.dim_symbols.values())
        if self.inf.scope.problem is not None:
            # a problem samples only its own dimensions: a free one (the size of an I) is
            # the problem's dimension when it has exactly one
            if len(dims) != 1:
                raise BindError("cannot tell the size of an identity or zero block in this problem")
            self.dims.value[r] = dims[0]
            return dims[0]
        if r not in self.dim_symbols:
            self.dim_symbols[r] = sp.Symbol(f"n{len(self.dim_symbols) + 1}", integer=True, positive=True)
        return self.dim_symbols[r]

    def shape(self, s: Shape) -> tuple[sp.Expr, sp.Expr]:
        return (self.dim(s[0]), self.dim(s[1]))

    def is_scalar_shape(self, s: Shape) -> bool:
        return self.dims.is_one(s[0]) and self.dims.is_one(s[1])

    def sym(self, info: SymInfo) -> sp.Basic:
        if info.key in self.symbols:
            return self.symbols[info.key]
        name = info.key if not info.key.startswith("∇param:") else info.key[len("∇param:"):] + "_param"
        if info.kind == "index":
            s = sp.Symbol(name.lstrip("\\"), integer=True)
        elif self.is_scalar_shape(info.shape):
            s = sp.Symbol(name, real=True)
        else:
            r, c = self.shape(info.shape)
            s = sp.MatrixSymbol(name, r, c)
        info.sympy = s
        self.symbols[info.key] = s
        return s

    def seq(self, info: SymInfo, index: sp.Basic) -> sp.Basic:
        if self.is_scalar_shape(info.shape):
            return sp.Function(info.key)(index)
        r, c = self.shape(info.shape)
        return MatSeq(info.key, index, r, c)

    def direction(self, info: SymInfo) -> sp.Basic:
        if info.key not in self.directions:
            dkey = "d" + info.key
            dinfo = SymInfo(dkey, info.kind, info.shape, direction_of=info.key)
            self.inf.syms[dkey] = dinfo
            self.directions[info.key] = self.sym(dinfo)
        return self.directions[info.key]

    # -- conversions
    def scalar(self, t: T) -> sp.Basic:
        e = t.build(self)
        if isinstance(e, MatrixExpr) or getattr(e, "is_Matrix", False):
            return sp.Trace(e)  # a 1x1 matrix read as a scalar
        return e

    def value(self, t: T) -> sp.Basic:
        return self.scalar(t) if self.is_scalar_shape(t.shape) else t.build(self)

    # -- operations
    def neg(self, a: T) -> sp.Basic:
        e = self.value(a)
        if isinstance(e, MatrixExpr):
            return sp.MatMul(sp.Integer(-1), e)
        return sp.Mul(sp.Integer(-1), e, evaluate=False)

    def add(self, a: T, c: T, sign: int) -> sp.Basic:
        x, y = self.value(a), self.value(c)
        if sign < 0:
            y = sp.MatMul(sp.Integer(-1), y) if isinstance(y, MatrixExpr) else sp.Mul(sp.Integer(-1), y, evaluate=False)
        if isinstance(x, MatrixExpr):
            return sp.MatAdd(x, y)
        return sp.Add(x, y, evaluate=False)

    def mul(self, a: T, c: T) -> sp.Basic:
        x, y = self.value(a), self.value(c)
        if isinstance(x, MatrixExpr) or isinstance(y, MatrixExpr):
            return sp.MatMul(x, y)
        return sp.Mul(x, y, evaluate=False)

    def dot(self, a: T, c: T) -> sp.Basic:
        return sp.Trace(sp.MatMul(sp.Transpose(self.value(a)), self.value(c)))

    def hadamard(self, a: T, c: T) -> sp.Basic:
        x, y = self.value(a), self.value(c)
        if not isinstance(x, MatrixExpr) or not isinstance(y, MatrixExpr):
            return self.mul(a, c)
        return sp.HadamardProduct(x, y)

    def div(self, a: T, c: T) -> sp.Basic:
        x, y = self.value(a), self.scalar(c)
        inv = sp.Pow(y, sp.Integer(-1), evaluate=False)
        if isinstance(x, MatrixExpr):
            return sp.MatMul(inv, x)
        return sp.Mul(x, inv, evaluate=False)

    def pow(self, a: T, x: T) -> sp.Basic:
        return sp.Pow(self.scalar(a), self.scalar(x), evaluate=False)

    def matpow(self, a: T, x: T) -> sp.Basic:
        base, e = self.value(a), self.scalar(x)
        if not isinstance(base, MatrixExpr):
            return sp.Pow(base, e, evaluate=False)
        if e == -1:
            return sp.Inverse(base)
        if e == 1:
            return base
        return sp.MatPow(base, e)

    def inverse(self, e: sp.Basic, raw: bool = False) -> sp.Basic:
        if isinstance(e, MatrixExpr):
            return sp.Inverse(e)
        return sp.Pow(e, sp.Integer(-1), evaluate=False)

    def transpose(self, a: T) -> sp.Basic:
        e = self.value(a)
        return sp.Transpose(e) if isinstance(e, MatrixExpr) else e

    def norm(self, a: T, kind: str) -> sp.Basic:
        e = self.value(a)
        if not isinstance(e, MatrixExpr):
            return sp.Abs(e, evaluate=False)
        return Norm(e, kind)

    def det(self, a: T) -> sp.Basic:
        e = self.value(a)
        return sp.Determinant(e) if isinstance(e, MatrixExpr) else e

    def trace(self, a: T) -> sp.Basic:
        e = self.value(a)
        return sp.Trace(e) if isinstance(e, MatrixExpr) else e

    def diag(self, a: T) -> sp.Basic:
        e = self.value(a)
        return sp.DiagMatrix(e) if isinstance(e, MatrixExpr) else e

    def softmax(self, a: T) -> sp.Basic:
        e = self.value(a)
        return Softmax(e) if isinstance(e, MatrixExpr) else sp.Integer(1)

    _SYMPY_FUNCS = {"tanh": sp.tanh, "exp": sp.exp, "log": sp.log, "ln": sp.log, "sin": sp.sin, "cos": sp.cos,
                    "tan": sp.tan, "sinh": sp.sinh, "cosh": sp.cosh, "sqrt": sp.sqrt}

    def func(self, name: str, order: int, a: T) -> sp.Basic:
        e = self.value(a)
        if isinstance(e, MatrixExpr):
            return MatFn(name, order, e)
        if order == 0 and name in self._SYMPY_FUNCS:
            return self._SYMPY_FUNCS[name](e, evaluate=False)
        return ScalarFn(name, order, e)

    def zero(self, r: int, c: int) -> sp.Basic:
        if self.dims.is_one(r) and self.dims.is_one(c):
            return sp.Integer(0)
        return sp.ZeroMatrix(self.dim(r), self.dim(c))

    def matrix(self, cells, rd, cd, rs, cs) -> sp.Basic:
        self.dims.unify(rs, rs)
        if all(self.dims.is_one(d) for d in rd) and all(self.dims.is_one(d) for d in cd):
            rows = [[self.scalar(t) for t in row] for row in cells]
            m = sp.ImmutableMatrix(rows)
            if m.shape == (1, 1):
                return m[0, 0]
            return m
        blocks = []
        for i, row in enumerate(cells):
            out = []
            for j, t in enumerate(row):
                e = t.build(self)
                if not isinstance(e, MatrixExpr) and not getattr(e, "is_Matrix", False):
                    e = sp.ImmutableMatrix([[e]]) if e != 0 else sp.ZeroMatrix(self.dim(rd[i]), self.dim(cd[j]))
                out.append(e)
            blocks.append(out)
        return sp.BlockMatrix(blocks)

    def big(self, kind: str, t: T, sym: sp.Symbol, lo: T, hi: T) -> sp.Basic:
        body = self.value(t)
        a, b = self.scalar(lo), self.scalar(hi)
        if kind == "prod":
            return sp.Product(body, (sym, a, b))
        if isinstance(body, MatrixExpr):
            return MatSum(body, (sym, a, b))
        return sp.Sum(body, (sym, a, b))

    def gradient(self, f: T, info: SymInfo, point: T, order: int) -> sp.Basic:
        body = self.scalar(f)
        var = self.sym(info)
        pt = self.value(point)
        if not isinstance(var, MatrixExpr):
            d = DerivS(body, var)
            if order == 2:
                d = DerivS(d, var)
            return AtS(d, var, pt)
        r = var.shape[0]
        d = DerivM(body, var, r, 1)
        if order == 2:
            d = DerivM(d, var, r, r)
        return AtM(d, var, pt)

    def derivative(self, f: T, info: SymInfo, shape: Shape) -> sp.Basic:
        body = self.value(f)
        var = self.sym(info)
        if self.inf.scope.problem is not None and any(
                isinstance(x, (MatSeq, AppliedUndef)) for x in sp.preorder_traversal(body)):
            # a problem's sequences are computed once per instance: perturbing an input
            # would not move them, so a numeric derivative would be silently wrong
            raise BindError("cannot differentiate through the problem's computed quantities numerically; "
                            "use the problem's notation for the derivative (e.g. an adjoint \bar{x})")
        if self.is_scalar_shape(shape):
            return DerivS(body, var)
        r, c = self.shape(shape)
        return DerivM(body, var, r, c)

    def differential(self, a: T, infos: list[SymInfo]) -> sp.Basic:
        e = self.value(a)
        pairs = sp.Tuple(*[sp.Tuple(self.sym(i), self.direction(i)) for i in infos])
        if isinstance(e, MatrixExpr):
            return DifferentialM(e, pairs)
        return DifferentialS(e, pairs)


# --- statements -----------------------------------------------------------------------------------

def collect_index_names(trees: list[Node], scope: Scope) -> set[str]:
    """Names used as integers: in exponents, sum limits, time indices, index subscripts."""
    out: set[str] = set(scope.index_symbols)
    for tree in trees:
        for n in tree.walk():
            if n.kind == "pow":
                exp = n.args[1]
                for x in exp.walk():
                    if x.kind == "name" and x.args == (None, None) and (len(x.value) == 1 or x.value == "\\ell") \
                            and x.value.isascii() and (x.value.islower() or x.value == "\\ell"):
                        out.add(to_text(x))
            elif n.kind in ("sum", "prod"):
                for part in n.args[1:]:
                    if part is not None:
                        for x in part.walk():
                            if x.kind == "name" and x.args == (None, None):
                                out.add(to_text(x))
            elif n.kind == "name":
                sub, time = n.args
                if time is not None:
                    out.update(to_text(x) for x in time.walk() if x.kind == "name")
                if sub is not None and any(x.kind in ("add", "sub", "num") for x in sub.walk()):
                    out.update(to_text(x) for x in sub.walk() if x.kind == "name")
    return out


def bind_chain(items: list[Node], ops: list[str], scope: Scope, condition: Node | None = None,
               hypotheses: tuple[int, ...] = (0, 1, 2, 3), pairs: list[tuple[int, int]] | None = None,
               scalar_items: set[int] | None = None, index_extra: set[str] | None = None) -> Bound:
    """Bind a relation chain under the first hypothesis whose shapes fit.

    ``pairs`` says which items are compared (default: neighbours of the chain)."""
    if pairs is None:
        pairs = [(i, i + 1) for i in range(len(items) - 1)]
    index_names = collect_index_names(items + ([condition] if condition else []), scope) | (index_extra or set())
    last: BindError | None = None
    fallback: Bound | None = None
    for h, override, label in _hypotheses(items, scope, index_names, hypotheses):
        if scope.problem is not None and (h > 0 or override):
            break
        inf = Inference(scope, h, index_names, override)
        try:
            used = {i for pair in pairs for i in pair} if pairs or len(items) > 1 else {0}
            ts = [inf.infer(it) if i in used else None for i, it in enumerate(items)]
            for i in scalar_items or ():
                if ts[i] is not None:
                    inf.make_scalar(ts[i].shape, "an inequality needs scalars", items[i].col)
            mismatch = False
            for a, b in ((ts[i], ts[j]) for i, j in pairs):
                # tie the sides' shapes only where that forces nothing (a shape mismatch
                # between the sides is a refutation, not a reason to shrink dimensions)
                if inf.dims.compatible(a.shape[0], b.shape[0]) and inf.dims.compatible(a.shape[1], b.shape[1]):
                    inf.dims.unify(a.shape[0], b.shape[0])
                    inf.dims.unify(a.shape[1], b.shape[1])
                else:
                    mismatch = True
            cond_t = None
            if condition is not None:
                cond_t = _condition(inf, condition)
            builder = Builder(inf)
            exprs = [builder.value(t) if t is not None else None for t in ts]
            cond = cond_t(builder) if cond_t is not None else None
        except ShapeError as exc:
            last = exc
            continue
        except RecursionError:
            raise BindError("the formula is nested too deeply to give it a meaning") from None
        except (TypeError, ValueError, AttributeError, IndexError, sp.ShapeError, ArithmeticError,
                NotImplementedError) as exc:
            # SymPy's constructors validate shapes and arguments; what they reject has no meaning here
            last = ShapeError(f"cannot build the expression ({type(exc).__name__}: {str(exc)[:100]})")
            continue
        for info in list(inf.syms.values()):
            if info.sympy is None and info.kind in ("scalar", "matrix", "index"):
                builder.sym(info)
        entries = []
        for key, d in inf.entry_ranges:
            info = inf.syms.get(key)
            if info is not None and info.kind == "index" and info.sympy is not None:
                entries.append((info.sympy, builder.dim(d)))
        result = Bound(items=exprs, ops=list(ops), condition=cond, symbols=dict(inf.syms),
                       dims={s: None for s in builder.dim_symbols.values()},
                       indices=[i.sympy for i in inf.syms.values() if i.kind == "index" and i.sympy is not None],
                       hypothesis=label, extra={"entry_ranges": entries,
                                                "bare_identity": {builder.dim(d) for d in inf.bare_identity}})
        if not mismatch:
            return result
        # the sides' shapes differ under this reading: prefer a later reading under which the
        # claim is well-typed; if there is none, this one stands (and is refuted on shapes)
        fallback = fallback or result
    if fallback is not None:
        return fallback
    assert last is not None
    raise last


MAX_HYPOTHESES = 160


def _hypotheses(items: list[Node], scope: Scope, index_names: set[str], allowed: tuple[int, ...]):
    """Readings to try, in order: letter case (H0); then lower-case Latin names made scalar a
    few at a time (the fewest first: ``c`` in ``z + c\\mathbf{1}``); then Greek names made
    vectors; then the global fallbacks.  Bounded by :data:`MAX_HYPOTHESES`."""
    import itertools

    names: list[str] = []
    stack = list(items) + list(scope.defs.values())
    seen: set[str] = set()
    while stack:
        n = stack.pop()
        for key in sorted(_names_in(n)):
            if key in seen or key in index_names or key in scope.declared or key in scope.defs:
                continue
            seen.add(key)
            base = key.split("_{")[0].split("^{(")[0]
            for pre in ("\\bar{", "\\hat{", "\\tilde{", "\\mathcal{", "\\dot{", "\\check{"):
                if base.startswith(pre):
                    base = base[len(pre):].rstrip("}")
            if len(base) == 1 and base.islower():
                names.append(key)
    # a transposed name is a vector or matrix in every reading (x x^T is not a scalar square)
    transposed = {to_text(n.args[0]) for tree in items for n in tree.walk()
                  if n.kind in ("transpose", "inverse_transpose") and n.args[0].kind == "name"}
    names = [k for k in names if k not in transposed]
    keep = {k: "vector" for k in transposed if not k.startswith("\\") and k[:1].islower()}
    count = 0
    if 0 in allowed:
        yield 0, {}, HYPOTHESES[0]
        count += 1
        for size in range(1, len(names) + 1):
            for combo in itertools.combinations(names, size):
                if count >= MAX_HYPOTHESES:
                    break
                count += 1
                yield 0, {k: "scalar" for k in combo}, (f"{HYPOTHESES[0]}, except scalar "
                                                        + ", ".join(combo))
    for h in (1, 2, 3):
        if h in allowed:
            note = " (transposed names stay vectors)" if keep and h >= 2 else ""
            yield h, (keep if h >= 2 else {}), HYPOTHESES[h] + note


def _condition(inf: Inference, cond: Node):
    """A trailing condition (ℓ ≥ 1, 1 ≤ k ≤ n): relations between integer expressions."""
    parts = []
    for rel in _relations(cond):
        lhs, op, rhs = rel
        a, b = inf.infer(lhs), inf.infer(rhs)
        parts.append((a, op, b))

    def build(b: Builder):
        rels = []
        for a, op, c in parts:
            x, y = b.scalar(a), b.scalar(c)
            rels.append({"=": sp.Eq, ">=": sp.Ge, "<=": sp.Le, ">": sp.Gt, "<": sp.Lt, "!=": sp.Ne}[op](x, y))
        return sp.And(*rels) if len(rels) > 1 else (rels[0] if rels else None)

    return build


def _relations(cond: Node):
    if cond.kind == "chain":
        items, ops = cond.args
        for a, op, b in zip(items, ops, items[1:]):
            if op not in ("=", ">=", "<=", ">", "<", "!="):
                raise BindError(f"a condition with {op} is not understood", cond.col)
            yield (a, op, b)
    else:
        raise BindError("a condition must be a relation", cond.col)
