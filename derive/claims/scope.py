"""Stage 6, *bind* (scope): what names are bound to. The scope a statement is bound in (the
document's own bindings, the problem's notation table, indices and dimensions, front matter
declarations), the dimension classes shapes are unified over, the names and shapes a binding
ends with (:class:`Bound`), and the errors binding raises.
"""

from __future__ import annotations

import re
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

import sympy as sp

from .. import shapes
from ..problem import Problem
from ..symbols import MatSeq
from . import probability
from .latex_parser import GREEK, Node, ParseError, parse, parse_expression, to_text
from .roles import family, label_subscript


class BindError(Exception):
    """The claim's names or shapes cannot be given a meaning (becomes "undecided")."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message + (f" at column {column}" if column else ""))
        self.column = column


class ShapeError(BindError):
    """Shapes that cannot fit together under the current hypothesis."""

    clash: tuple | None = None  # set by bind_chain: the two fixed sizes every reading met


# --- shapes: the shared union-find over dimension classes ------------------------------------------

class Dims(shapes.Dims):
    """derive.shapes' dimension classes, raising this stage's ShapeError on a clash."""

    error = ShapeError


Shape = shapes.Shape


# --- the scope: what names mean ---------------------------------------------------------------------

@dataclass
class Pattern:
    """A notation row parsed: its tree, its SymPy quantity and its index variables."""

    tree: Node
    expr: sp.Basic
    latex: str
    meaning: str


INTEGER_FIELDS = ("N", "Z")  # \mathbb{N}, \mathbb{Z}: the names declared in them are integers


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
    # f(W; X, \lambda) = ...: the parameters f's definition holds fixed ("fixed:X,\lambda"), or None
    func_fixed: dict[str, str | None] = field(default_factory=dict)
    declared: dict[str, Declared] = field(default_factory=dict)
    def_patterns: list[tuple[Node, int, str, Node]] = field(default_factory=list)
    dim_symbols: dict[str, sp.Symbol] = field(default_factory=dict)
    def_families: dict[str, list[Node]] = field(default_factory=dict)  # name family -> right sides defining it
    entry_names: set[str] = field(default_factory=set)  # declared vectors whose x_i the document means as entries
    def_index_vars: dict[str, set[str]] = field(default_factory=dict)  # family -> its definition's index names
    partial_families: set[str] = field(default_factory=set)  # families defined only on some members
    label_families: set[str] = field(default_factory=set)  # families whose members are labels (c_b = CB)
    random: dict[str, Any] = field(default_factory=dict)  # declared random variables (probability.py)
    family_runs: dict[str, str] = field(default_factory=dict)  # family z -> n where z_1, \dots, z_n was written
    scalar_families: set[str] = field(default_factory=set)  # families written as a list of numbers
    entry_alias: dict[str, str] = field(default_factory=dict)  # x -> X where X = [x_{ij}] names X's entries
    def_ranges: dict[str, tuple[str, Node, Node]] = field(default_factory=dict)  # y -> (i, lo, hi) of y_i = ...
    # X -> (row, col, value) of X_{ij} = value (every entry), or of T_{i,i+j-1} = w_j for j = lo..hi with
    # zeros elsewhere: then value is the sum over j of w_j [column = i+j-1] (a band)
    matrix_rules: dict[str, tuple[str, str, Node]] = field(default_factory=dict)
    # x -> the shape of every member x_1, ..., x_n (declared as x_1, \\dots, x_n \\in \\mathbb{R}^d)
    family_shapes: dict[str, Declared] = field(default_factory=dict)
    # f -> (domain, codomain) of a signature f : A \\to B (kept as written)
    signatures: dict[str, tuple[Node, Node]] = field(default_factory=dict)
    joint: list[Any] = field(default_factory=list)  # names the prose declares jointly Gaussian (probability.py)
    # k \in \mathbb{N}, n \in \mathbb{Z}_{>0}: names declared integers (sampled as integers, like indices)
    integer_names: set[str] = field(default_factory=set)
    # the problem's index that stands for its sequences' length, where a statement sums over one of
    # its indices with no limits (\sum_\ell K_\ell u_{k-\ell}): the sum runs from the index's lower
    # bound up to it (horizon.py); None elsewhere
    horizon: sp.Symbol | None = None

    def with_equal_dims(self, a: sp.Symbol, b: sp.Symbol) -> "Scope":
        """This scope with the declared dimension ``a`` read as ``b`` (the case m = n)."""
        out = self.copy()
        out.declared = {k: Declared(d.rows.xreplace({a: b}), d.cols.xreplace({a: b})) for k, d in self.declared.items()}
        out.dim_symbols = {k: (b if v == a else v) for k, v in self.dim_symbols.items()}
        out.family_shapes = {k: Declared(d.rows.xreplace({a: b}), d.cols.xreplace({a: b}))
                             for k, d in self.family_shapes.items()}
        return out

    def copy(self) -> "Scope":
        """A scope that can take more bindings without changing this one."""
        return dataclasses.replace(self, defs=dict(self.defs), def_text=dict(self.def_text), funcs=dict(self.funcs),
                                   func_fixed=dict(self.func_fixed),
                                   declared=dict(self.declared), def_patterns=list(self.def_patterns),
                                   dim_symbols=dict(self.dim_symbols), def_families=dict(self.def_families),
                                   entry_names=set(self.entry_names), def_index_vars=dict(self.def_index_vars),
                                   partial_families=set(self.partial_families), random=dict(self.random),
                                   label_families=set(self.label_families),
                                   family_runs=dict(self.family_runs), scalar_families=set(self.scalar_families),
                                   entry_alias=dict(self.entry_alias), def_ranges=dict(self.def_ranges),
                                   matrix_rules=dict(self.matrix_rules), family_shapes=dict(self.family_shapes),
                                   signatures=dict(self.signatures), joint=list(self.joint),
                                   integer_names=set(self.integer_names))

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

    def add_given(self, latex: str, override: bool = False) -> None:
        """Read one ``given`` item: a definition ``name = expr``, a function ``F(x) = expr``,
        or a declaration ``x \\in \\mathbb{R}^{n}``.  With ``override`` (a value a statement or
        its part gives: ``g_t = g`` for all t) a rule for the same family replaces the document's."""
        tree = parse(latex)
        if tree.kind != "chain" or len(tree.args[1]) != 1:
            raise BindError(f"a given item must be 'name = expression' or 'name \\in \\mathbb{{R}}^{{..}}': {latex!r}")
        (lhs, rhs), (op,) = tree.args
        if op == "in":
            self.declare(lhs, rhs)
            return
        if op not in ("=", ":=", "<-"):
            raise BindError(f"a given item must be a definition: {latex!r}")
        if override and lhs.kind == "name" and any(a is not None and a.kind == "name" for a in lhs.args):
            self.def_patterns = [p for p in self.def_patterns if p[0].value != lhs.value]
            fam = family(lhs)
            if fam is not None:
                self.def_families.pop(fam, None)
        self.define(lhs, rhs, latex)

    def define(self, lhs: Node, rhs: Node, latex: str) -> None:
        if lhs.kind == "apply" and lhs.args[0].kind == "name":
            params = list(lhs.args[1:])
            if not all(p.kind == "name" for p in params):
                raise BindError("function parameters must be names", lhs.col)
            self.funcs[to_text(lhs.args[0])] = (params, rhs)
            self.func_fixed[to_text(lhs.args[0])] = lhs.value
            self.def_families[to_text(lhs.args[0])] = [rhs]
            return
        key = name_key(lhs)
        if key is None:
            raise BindError(f"cannot define {latex!r}: the left side is not a name", lhs.col)
        fam = family(lhs) if lhs.kind != "pow" else family(lhs.args[0])  # s^2 = ... determines s
        if fam is not None:
            self.def_families[fam] = self.def_families.get(fam, []) + [rhs]
            if lhs.kind == "name" and not label_subscript(lhs, rhs, self._vector_names()):
                # x_i = ..., h^{(t)} = ...: i and t are the definition's own (b of c_b = CB is a label)
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
        pair = _two_indices(lhs)
        if pair is not None and all(x.kind == "name" and x.args == (None, None) for x in pair) \
                and to_text(pair[0]) != to_text(pair[1]):
            self.matrix_rules[lhs.value] = (to_text(pair[0]), to_text(pair[1]), rhs)  # X_{ij} = x_{i+j-1}
        # S_t = ..., h^{(t)} = ...: an indexed definition also reads S_{t-1}, h^{(t+1)}
        if lhs.kind == "name":
            for slot in (0, 1):
                idx = lhs.args[slot]
                if idx is not None and idx.kind == "add" and idx.args[0].kind == "name" \
                        and idx.args[0].args == (None, None) and idx.args[1].kind == "num" \
                        and idx.args[1].value.isdigit():
                    # w_{t+1} = w_t - eta g(w_t) is w_t = w_{t-1} - eta g(w_{t-1}): read as that
                    var, shift = idx.args[0], Node("num", idx.args[1].value, (), idx.col)
                    rhs = substitute_name(rhs, to_text(var), Node("sub", None, (var, shift), idx.col))
                    args = list(lhs.args)
                    args[slot] = var
                    lhs, idx = Node("name", lhs.value, tuple(args), lhs.col), var
                if idx is not None and idx.kind == "name" and idx.args == (None, None):
                    if slot == 0 and label_subscript(lhs, rhs, self._vector_names()):
                        if fam is not None:  # c_b = CB: one labelled name, not a rule for c_q
                            self.partial_families.add(fam)
                            self.label_families.add(fam)
                        continue
                    self.def_patterns.append((lhs, slot, to_text(idx), rhs))
                    if fam is not None:
                        self.partial_families.discard(fam)  # a rule for every member now

    def _vector_names(self) -> frozenset[str]:
        """Plain names declared with a vector or matrix shape (not 1 x 1)."""
        return frozenset(k for k, d in self.declared.items() if not (d.rows == 1 and d.cols == 1))

    def add_band(self, lhs: Node, rhs: Node, var: str, lo: Node, hi: Node) -> None:
        """``T_{i,i+j-1} = w_j`` for ``j = lo, \\dots, hi`` and zeros elsewhere: entry (i, c) of T is
        the sum over j of w_j [c = i+j-1] (c a column index of the rule's own)."""
        pair = _two_indices(lhs)
        if pair is None or pair[0].kind != "name" or pair[0].args != (None, None):
            return
        col = "\\mathrm{col}"
        cell = Node("mul", "juxt", (Node("paren", None, (rhs,), rhs.col),
                                    Node("indicator", "=", (Node("name", col, (None, None), rhs.col), pair[1]), rhs.col)),
                    rhs.col)
        self.matrix_rules[lhs.value] = (to_text(pair[0]), col, Node("sum", None, (
            cell, Node("name", var, (None, None), rhs.col), lo, hi), rhs.col))

    def add_entry_names(self, matrix: str, family: str) -> None:
        """``X = [x_{ij}]``: x_ij names entry (i, j) of X (unless x is a name the document defines)."""
        if family and family not in self.defs and family not in self.declared:
            self.entry_alias[family] = matrix

    def add_dimension(self, name: str, family: str | None = None, scalar: bool = False) -> None:
        """``n`` that ends a family ``a_1, \\dots, a_n`` and has no other meaning here: a dimension (a
        positive integer, sampled like a declared one).  A problem samples only its own dimensions,
        and a name the document defines, declares or indexes with keeps that meaning."""
        if self.problem is not None or name in self.defs or name in self.declared \
                or name in self.index_symbols or name in self.funcs or name in self.random:
            return
        self.dim_symbols.setdefault(name, sp.Symbol(name.lstrip("\\"), integer=True, positive=True))
        if family:
            self.family_runs[family] = name
            if scalar:  # [v_1, \\dots, v_m], diag(d_1, \\dots, d_r): the members are numbers
                self.scalar_families.add(family)

    def declare(self, lhs: Node, rhs: Node) -> None:
        if probability.declare(self, lhs, rhs):  # x \sim \mathcal{N}(\mu, \sigma^2): a random variable
            return
        if rhs.kind == "maps":  # f : A \\to B: what f takes and gives, not a shape of f itself
            key = name_key(lhs)
            if key is None:
                raise BindError("only names can be declared", lhs.col)
            self.signatures[key] = (rhs.args[0], rhs.args[1])
            return
        names = list(lhs.args) if lhs.kind == "tuple" else [lhs]
        shape = _declared_shape(rhs)
        integral = rhs.args[0] if rhs.kind == "signed" else rhs
        if integral.kind == "field" and integral.value in INTEGER_FIELDS:
            # k \in \mathbb{N}: an integer, sampled as an index is (the sign is a hypothesis, judge.py)
            self.integer_names.update(k for k in (name_key(n) for n in names) if k is not None)
        for d in (shape.rows, shape.cols):  # x \in \mathbb{R}^{K}: K is a dimension (an integer) from here on
            for x in sorted(d.free_symbols, key=str):  # and n, k of R^{n-k+1}
                self.dim_symbols.setdefault(_latex_of_symbol(x), x)
        if lhs.kind == "family":  # x_1, \\dots, x_n: every member has the shape (model.py made the key)
            self.family_shapes[lhs.value] = shape
            return
        if lhs.kind == "annotation":
            # X = M \\in \\mathbb{R}^{n \\times d}: the definition gives X's shape (checked against this one
            # when it was recorded); the annotation makes n and d dimensions, nothing more
            return
        for n in names:
            key = name_key(n)
            if key is None:
                raise BindError("only names can be declared", n.col)
            self.declared[key] = shape


def _two_indices(lhs: Node) -> tuple[Node, Node] | None:
    """The two subscripts of ``X_{ij}``, ``X_{i,j}``, ``T_{i,i+j-1}``; None for anything else."""
    if lhs.kind != "name" or lhs.args[1] is not None or lhs.args[0] is None:
        return None
    sub = lhs.args[0]
    if (sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt")) and len(sub.args) == 2 \
            and all(isinstance(x, Node) for x in sub.args):
        return sub.args[0], sub.args[1]
    return None


def _declared_shape(rhs: Node) -> Declared:
    if rhs.kind == "signed":  # \\mathbb{R}_{+}: the sign is a hypothesis (judge.py), the shape a scalar's
        rhs = rhs.args[0]
    if rhs.kind == "pow" and rhs.args[0].kind == "signed":
        rhs = Node("pow", rhs.value, (rhs.args[0].args[0], rhs.args[1]), rhs.col)
    if rhs.kind == "field":
        return Declared(sp.Integer(1), sp.Integer(1))
    if rhs.kind == "pow" and rhs.args[0].kind == "field":
        e = rhs.args[1]
        if e.kind == "mul" and e.value == "times":
            return Declared(_dim_expr(e.args[0]), _dim_expr(e.args[1]))
        return Declared(_dim_expr(e), sp.Integer(1))
    if rhs.kind == "pow" and rhs.args[0].kind == "set" and rhs.args[1].kind != "mul":
        return Declared(_dim_expr(rhs.args[1]), sp.Integer(1))  # y \\in \\{0,1\\}^K: a vector of K entries
    if rhs.kind == "pow" and rhs.args[0].kind == "name" and rhs.args[0].value == "\\Delta":
        return Declared(_dim_expr(rhs.args[1]) + 1, sp.Integer(1))  # the simplex Delta^{K-1} lies in R^K
    raise BindError("declare shapes as \\mathbb{R}, \\mathbb{R}^{n} or \\mathbb{R}^{n \\times m}", rhs.col)


def _dim_expr(n: Node, depth: int = 0) -> sp.Expr:
    if n.kind == "num" and n.value.isdigit() and len(n.value) <= 6:
        return sp.Integer(int(n.value))
    if n.kind == "name" and n.args == (None, None):
        return sp.Symbol(n.value.lstrip("\\"), integer=True, positive=True)
    if n.kind == "paren" and depth < 8:
        return _dim_expr(n.args[0], depth + 1)
    if n.kind in ("add", "sub") and len(n.args) == 2 and depth < 8:
        # R^{(n-k+1) x n}: a length written from other dimensions
        a, b = _dim_expr(n.args[0], depth + 1), _dim_expr(n.args[1], depth + 1)
        return a + b if n.kind == "add" else a - b
    raise BindError("a dimension must be a number, a name or a sum or difference of them", n.col)


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


def substitute_name(n: Node, name: str, value: Node) -> Node:
    """``n`` with every bare name ``name`` replaced by ``value`` (index slots included)."""
    if n.kind == "name" and n.args == (None, None) and to_text(n) == name:
        return value

    def sub(a: Any) -> Any:
        if isinstance(a, Node):
            return substitute_name(a, name, value)
        if isinstance(a, tuple):
            return tuple(sub(x) for x in a)
        return a

    return Node(n.kind, n.value, tuple(sub(a) for a in n.args), n.col)
