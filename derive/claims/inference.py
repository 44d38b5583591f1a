"""Stage 6, *bind* (naming and shapes): :class:`Inference` gives every name
of a tree a meaning and a shape under one reading.

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
"""

from __future__ import annotations

from typing import Any, Callable

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from . import probability
from .latex_parser import GREEK, Node, to_text
from .indexing import ENTRY_INDICES, IndexedNotation
from .mlops import MLOperators
from .nodes import FUNCTION_ALIASES
from .nodes import AtM, AtS, DerivM, EntryMatrix, EntryVector, Indicator, Limit, Series
from .scope import BindError, Dims, Pattern, Scope, Shape, ShapeError, SymInfo, T, name_key


MAX_DEF_DEPTH = 12  # nested expansion of bindings
_MAX_TUPLE = 64  # entries of a tuple read as a column vector
_BOLD_ZEROS = ("\\mathbf{0}", "\\boldsymbol{0}", "\\bm{0}", "\\vec{0}", "\\mathbf0", "\\vec0")
# kinds that are no entry of a column vector: (a, (b, c)), (1, \dots, n), (x = 1, y = 2)
_NOT_ENTRIES = {"tuple", "set", "ellipsis", "chain", "rel", "text", "field", "infinity", "blank"}


class _Counted:
    """A held name that counts its uses (a derivative with respect to a defined name)."""

    def __init__(self, make: Callable[[], "T"]) -> None:
        self.make = make

    def __call__(self) -> "T":
        return self.make()


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
    if n.kind == "neg":  # x_{-1}: an index below the start of a recurrence
        v = _int_value(n.args[0], env)
        return None if v is None else -v
    return None


def _element(parent: sp.Basic, i: sp.Basic, j: sp.Basic) -> sp.Basic:
    """Entry (i, j), 0-based, of a matrix expression — our own nodes included (SymPy's
    indexing asks each node class for its entries; the evaluator reads MatrixElement)."""
    return MatrixElement(parent, i, j)


def _steps_back(lhs: Node, rhs: Node, var: str) -> bool:
    """The rule uses its own family or an earlier member of another (a_t = W h_{t-1} + ..., with h
    defined from a_t): below its start it would run on without end."""
    for x in rhs.walk():
        if x.kind != "name":
            continue
        if x.value == lhs.value:
            return True
        for idx in x.args:
            if isinstance(idx, Node) and any(v.kind == "name" and v.value == var for v in idx.walk()):
                at = _int_value(idx, {var: 0})
                if at is None or at < 0:
                    return True
    return False


def primed_name(n: Node) -> Node:
    """``m'`` as a name of its own (not a derivative: it has no argument)."""
    return Node("name", n.value + "'", n.args, n.col)


def _product_reading(fn: Node) -> bool:
    """Whether ``X(...)`` may be a product (``C(A + B)``, ``p(1 - p)``, ``o^{(t)}(1 - ...)``), not
    an application of an undefined function (``f(x)``, ``L(W)``, ``\\mathcal{L}_2(W)``)."""
    if fn.kind != "name" or fn.value.startswith(("\\mathcal", "\\operatorname", "\\mathrm")):
        return False
    return not (fn.args == (None, None) and fn.value in ("f", "g", "h", "F", "G", "H", "L", "J"))


class Inference(IndexedNotation, MLOperators):
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
        self.varied: set[str] = set()  # names whose own differential the statement writes (binding)
        self.index_names = index_names
        self.def_depth = 0
        self.notes: list[str] = []
        # defined names held as variables inside a derivative with respect to them (∂ℓ/∂a, a := W x + b)
        self.opaque: dict[str, T] = {}
        self.opaque_info: dict[str, SymInfo] = {}  # the variable each held name stands for
        self.held_members: dict[str, str] = {}  # h_0 of a recurrence held as a variable (key -> kind)
        self.index_dims: dict[str, list[int]] = {}  # index name -> dimension classes it indexes (z_k)
        self.index_hi: dict[str, str] = {}  # a sum's index -> its upper limit (\sum_{k=1}^{K})
        self.whole_names: set[str] = set()  # names the statement uses whole (y beside y_k)
        self.derivative_entries: set[str] = set()  # x in ∂f/∂x_j
        self._defs_whole_cache: set[str] | None = None
        self.read_as: dict[str, str] = {}  # g_i -> "entry" | "plain": one reading per statement
        self.unreadable: set[str] = set()  # defined names whose definitions use unknown functions
        self.free_recurrences: set[str] = set()  # families whose unreadable rule refers to the family itself
        self.local_int: dict[str, int] = {}  # a recurrence's index, where it is a known number
        self.bare_identity: list[int] = []  # dimension classes of the I's written without a size
        self.entry_ranges: list[tuple[str, int]] = []  # (index key, dimension class) of entries x_i
        self.index_len: dict[str, int] = {}  # the index of an entry rule p_k = ...: the length k runs over
        self.unfixed: list[tuple[int, str, int]] = []  # lengths the statement must fix (checked after binding)
        self.tied_indices: set[str] = set()  # c of [k = c] under \sum_{k=1}^{K}: an index sampled in 1..K
        self.range_probe: dict[str, list[int]] = {}  # \sum_i without limits: the dimensions i indexes
        self.condition_ranges: dict[str, tuple[Node, Node]] = {}  # index ranges the condition states
        # index ranges hypotheses in scope state (i = 1, \dots, m on an earlier line): a \sum_i without
        # limits runs over them only where the summand indexes no dimension of its own
        self.hypothesis_ranges: dict[str, tuple[Node, Node]] = {}
        # bracketed tuples read as column vectors, functions written bare: where the sides' shapes then
        # differ, the shorthand may mean something else, so the mismatch is no refutation
        self.tuples_read = 0
        self._entries_cache: dict[str, bool] = {}  # base -> whether the definitions use its entries
        self.family_lengths: list[tuple[str, int]] = []  # vectors of entries over a family: (name, length class)

    # -- shapes
    def scalar(self) -> Shape:
        return (Dims.ONE, Dims.ONE)

    def is_scalar(self, s: Shape) -> bool:
        return self.dims.is_scalar(s)

    def unify_shape(self, a: Shape, b: Shape, what: str, col: int | None = None) -> None:
        try:
            self.dims.same_shape(a, b, what)
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
        family = self._family_override(key)
        if family is not None:
            return family
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

    def declared_dims(self, d) -> Shape:
        """The shape classes of a declared shape (a named dimension is the same class everywhere)."""
        return (self.dims.const(d.rows) if not d.rows.is_Symbol else self._named_dim(d.rows),
                self.dims.const(d.cols) if not d.cols.is_Symbol else self._named_dim(d.cols))

    def _family_override(self, key: str) -> str | None:
        """The reading a hypothesis gives ``c_{i}`` applies to the family ``c`` that a sum's
        index reads it as (``\\sum_i c_i u_i``: the members c_i are scalars)."""
        if "_{" in key or "^{" in key:
            return None
        kinds = {k for name, k in self.override.items() if name.split("_{")[0] == key and "_{" in name}
        return kinds.pop() if len(kinds) == 1 else None

    def symbol(self, key: str, base: str, col: int, kind: str | None = None) -> SymInfo:
        info = self.syms.get(key)
        if info is not None:
            return info
        k = kind or self.kind_for(key, base)
        if k == "declared":
            shape = self.declared_dims(self.scope.declared[key])
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

    def _spectrum(self, n: Node) -> T:
        """An eigenvalue of a symmetric matrix the document defines, as the prose names it
        (structure_reach.with_spectra builds these nodes; the parser never does): value min / max, or at
        with (matrix, index) for the index-th smallest (a \\max_i over them runs over the size)."""
        m = self.infer(n.args[0])
        self.dims.unify(m.shape[0], m.shape[1], "eigenvalues of a square matrix")
        note = f"the eigenvalues the prose names of {to_text(n.args[0])} computed from it on each instance"
        if note not in self.notes:
            self.notes.append(note)
        index = None
        if n.value == "at":
            var = n.args[1]
            key = to_text(var)
            src = getattr(self, "local_nodes", {}).get(key)  # \lambda_i of a rule \lambda_k = ...: the index written
            key = to_text(src) if src is not None else key
            if key in self.range_probe:
                self.range_probe[key].append(m.shape[0])  # \max_i |1 - \eta\lambda_i|: i runs over H's size
            index = self.infer(var)
            self.make_scalar(index.shape, "an eigenvalue's index is a number", n.col)

        def build(b: Any) -> sp.Basic:
            from .nodes import Eigenvalue

            return Eigenvalue(sp.Symbol(n.value), b.value(m), b.scalar(index) if index is not None else sp.Integer(0))

        return T(self.scalar(), build, True)

    def _expect(self, n: Node) -> T:
        return probability.infer_expect(self, n)  # E[·], Var[·], Cov[·, ·] under the document's model

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
        held = probability.name_hook(self, n)  # a random name: E[·] integrates it; outside, maybe not judged
        if held is not None:
            return held
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
        if key in self.held_members:  # h_0 in ∂L/∂h_0: the recurrence's start, a variable here
            info = self.symbol(key, n.value, n.col, kind=self.held_members[key])
            return T(info.shape, lambda b, i=info: b.sym(i), info.kind == "scalar")
        upstream = self._upstream_gradient(key)
        if upstream is not None:
            return self._upstream_symbol(key, upstream, n)
        member = self._family_member(n)  # z_{s,j}: entry j of z_s, a family written z_1, \dots, z_m
        if member is not None:
            return member
        ruled = self._ruled_matrix(n)  # X used whole where X_{ij} = x_{i+j-1} gives every entry
        if ruled is not None:
            return ruled
        try:
            if key in self.scope.defs and key not in self.unreadable:
                return self._expand_def(key, n)
            limit = self._recurrence_limit(n)
            if limit is not None:
                return limit
            for lhs, slot, var, rhs in self.scope.def_patterns:
                if lhs.value == n.value and n.args[slot] is not None and n.args[1 - slot] == lhs.args[1 - slot] \
                        and (n.args[1 - slot] is None or to_text(n.args[1 - slot]) == to_text(lhs.args[1 - slot])) \
                        and lhs.value not in self.unreadable:
                    at = _int_value(n.args[slot], self.local_int)
                    if at is not None and at <= 0 and _steps_back(lhs, rhs, var):
                        # theta_0 with theta_t = theta_{t-1} - ...: the recurrence starts here; a start
                        # the document does not give is free (it is not run below 0).  A rule that does
                        # not step back (e_t = w_t - v) gives e_0 like every other member
                        break
                    if (at is None or at > MAX_DEF_DEPTH // 2) and not self._holds_member_of(lhs.value):
                        run = self._recurrence(lhs, slot, var, rhs, n)
                        if run is not None:
                            return run
                    return self._expand_indexed_def(var, n.args[slot], rhs, n, at)
        except BindError as exc:
            if not str(exc).startswith("unknown function"):
                raise
            # g_t = \nabla f(\theta_{t-1}) with f never given: g stays a free quantity (a claim that
            # holds for every g holds for this one)
            self.unreadable |= {key, n.value}
            self.notes.append(f"{key} is read as a free quantity ({str(exc).split(' at column')[0]})")
            if self._self_referential(n.value):
                # w_{t+1} = w_t - \eta \nabla J(w_t) with J never given: its members are drawn as an
                # arbitrary sequence, which a relation between members (w_k = c^k w_0) need not fit
                self.free_recurrences.add(n.value)
        if n.args == (None, None) and key in self.scope.funcs and key not in self.scope.defs:
            return self._function_at_own_arguments(key, n)
        pat = self._match_pattern(n)
        if pat is not None:
            return pat
        sub, time = n.args
        base = n.value
        if sub is None and time is None and self.scope.problem is None and key not in self.scope.defs:
            rule = self._entry_rule(n.value)
            if rule is not None:
                return self._entry_vector(n, *rule)
        if sub is None and time is None:
            if base in self.scope.index_symbols and not self._scalar_problem_name(base):
                sym = self.scope.index_symbols[base]
                return T(self.scalar(), lambda b, s=sym: s, True)
            if base in self.scope.dim_symbols and not any(p.tree.kind == "name" and p.tree.value == base
                                                          for p in self.scope.patterns):
                sym = self.scope.dim_symbols[base]
                return T(self.scalar(), lambda b, s=sym: s, True)
            if base == "e" and self.scope.problem is None and key not in self.scope.declared and key not in self.scope.defs \
                    and key not in self.syms and key not in self.opaque and self.kind_for(key, base) == "scalar":
                # a bare scalar e nothing defines or declares is Euler's number (as in e^{x}, and as the
                # one-side discipline reads it): (1 + 1/n)^n → e is no identity in a variable e.  Where
                # the reading makes e a vector ((A e)_i = Σ_j A_ij e_j) it stays a vector
                return T(self.scalar(), lambda b: sp.E, True)
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
        if base == "\\mathbf{1}" and sub is not None and time is None and sub.kind in ("name", "num") \
                and key not in self.scope.defs and key not in self.scope.declared:
            d = self.dims.new(rigid=True)  # 1_k, 1_n: the all-ones vector (its length from the context)
            if sub.kind == "num" and sub.value.isdigit() and int(sub.value) <= 64:
                d = self.dims.const(sp.Integer(int(sub.value)))
            elif sub.kind == "name" and to_text(sub) in self.scope.dim_symbols:
                d = self._named_dim(self.scope.dim_symbols[to_text(sub)])
            return T((d, Dims.ONE), lambda b, d=d: sp.OneMatrix(b.dim(d), 1))
        if sub is not None and time is None:
            entry = self._entry(base, sub, n)
            if entry is not None:
                return entry
        if self.scope.problem is not None and key not in self.scope.declared:
            raise BindError(f"unknown name {key!r} for problem {self.scope.problem.name!r}; known: "
                            + ", ".join(self.scope.known_names()), n.col)
        if sub is not None and time is None and sub.kind == "name" and sub.args == (None, None) \
                and sub.value in ENTRY_INDICES:
            self.read_as.setdefault(key, "plain")
        if time is not None and self._own_shape_member(key, base, time):
            info = self.symbol(key, base, n.col)  # W^{(1)}, W^{(2)}: layers, not members of one family
            return T(info.shape, lambda b, i=info: b.sym(i), info.kind == "scalar")
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
        if len(idx) == 1 and idx[0].kind in ("add", "sub") and self.scope.problem is None:
            return self._entry_at(base, idx[0], n)
        if len(idx) == 1 and idx[0].kind == "num" and self.scope.problem is None and n.kind == "name" \
                and self._numbered_entry(n):
            # x_1 of x = (2, 4)^T, or g_1 of a declared g whose entries g_i the definitions use
            whole = self.infer(Node("name", base, (None, None), n.col))
            if self.is_scalar(whole.shape):
                return None
            self.unify_shape(whole.shape, (whole.shape[0], Dims.ONE), f"{base}_1 needs a vector", n.col)
            at = int(idx[0].value) - 1
            return T(self.scalar(), lambda b, w=whole, at=at: _element(b.value(w), at, 0), True)
        if not 1 <= len(idx) <= 2 or not all(x.kind == "name" and x.args == (None, None) for x in idx):
            return None
        if not all(x.value in ENTRY_INDICES for x in idx):
            return None  # o_t, q_t: a time index names a sequence, not an entry
        if base in self.scope.family_runs and base in self.scope.defs:
            return None  # v = [v_1, \dots, v_m]^\top: v_s is the member the definition is made of
        if base == "\\delta" and len(idx) == 2 and ("\\delta" not in self.scope.defs or self._vector_name(base, n)):
            # δ_ij: the Kronecker delta, also beside a vector δ (δ = ∂L/∂y has entries δ_i, not δ_ij)
            fi, fj = (self.index_expr(x) for x in idx)
            return T(self.scalar(), lambda b, fi=fi, fj=fj: sp.KroneckerDelta(fi(b), fj(b)), True)
        # a defined vector or matrix, or a declared matrix with two indices; a declared vector
        # x \in R^d with x_i is read as the i-th vector of a family (the other common reading)
        declared = self.scope.declared.get(base)
        known = base in self.scope.defs or (declared is not None and len(idx) == 2 and not (
            declared.rows == 1 or declared.cols == 1)) or (declared is not None and base in self.scope.entry_names)
        by_use = False
        if not known and len(idx) == 1 and base not in self.scope.funcs and self.scope.problem is None \
                and (declared is None or (declared.cols == 1 and declared.rows != 1)) and (
                base in self.whole_names or base in self._defs_whole() or self._upstream_gradient(base) is not None
                or (declared is not None and (base in self.derivative_entries or to_text(idx[0]) in self.index_dims))):
            # y_k beside y used whole (the same name: its entries), ε_i of the ε in z = μ + σ ⊙ ε,
            # the entries of an upstream gradient g = ∂L/∂y, x_j of a declared vector in ∂f/∂x_j
            known = by_use = self._entry_rule(base) is None and not any(
                p[0].value == base for p in self.scope.def_patterns)
        key = to_text(n)
        if not known and self.read_as.get(key) == "entry":
            known = by_use = True  # read as an entry earlier in this statement: the same reading here
        if by_use and self.read_as.get(key) == "plain":
            # g_i read as a name of its own earlier in the statement and as an entry of g here
            raise ShapeError(f"{key} is read both as an entry of {base} and as a name of its own", n.col)
        if not known:
            return None
        if by_use:
            self.read_as[key] = "entry"
        whole = self.infer(Node("name", base, (None, None), n.col))
        if self.is_scalar(whole.shape):
            if by_use:
                raise ShapeError(f"{base}_{to_text(idx[0])} beside {base} used whole: {base} must be a vector", n.col)
            return None
        fs = [self.index_expr(x) for x in idx]
        self._note_index_dims(idx, whole.shape)  # x_i: i runs over 1..dim (sampled there, not 0..6)
        for x, d in zip(idx, whole.shape):
            if x.kind == "name":
                self.index_dims.setdefault(to_text(x), []).append(d)
            if x.kind == "name" and to_text(x) in self.local_index and to_text(x) in self.index_hi:
                # y_k under \sum_{k=1}^{K}: y has K entries where K is a named dimension
                hi = self.index_hi[to_text(x)]
                if hi in self.scope.dim_symbols and self.dims.compatible(d, self._named_dim(self.scope.dim_symbols[hi])):
                    self.dims.unify(d, self._named_dim(self.scope.dim_symbols[hi]))
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

    def _own_shape_member(self, key: str, base: str, time: Node) -> bool:
        """``W^{(1)} \\in R^{q x p}`` and ``W^{(2)} \\in R^{r x q}``: members with a numeric label that the
        document declares with shapes apart are separate matrices (the layers of a network); a
        family indexed by a time step has one shape for all its members."""
        if time.kind != "num" or key not in self.scope.declared:
            return False
        mine = self.scope.declared[key]
        prefix = base + "^{("
        return any(k.startswith(prefix) and k != key and (d.rows, d.cols) != (mine.rows, mine.cols)
                   for k, d in self.scope.declared.items())

    def _sequence(self, key: str, base: str, idx: Node, n: Node) -> T:
        if self.scope.problem is not None:
            raise BindError(f"unknown name {to_text(n)!r}", n.col)
        info = self.syms.get(key)
        if info is None:
            kind = self.kind_for(key, base)
            if base in self.scope.scalar_families and kind != "declared":
                kind = "scalar"  # v_s of v = [v_1, \dots, v_m]^\top: a list's members are numbers
            fam = self.scope.family_shapes.get(key)
            if kind == "declared":
                info = self.symbol(key, base, n.col)
            elif fam is not None:  # x_1, \\dots, x_n \\in \\mathbb{R}^d: every member has the declared shape
                info = SymInfo(key, "seq", self.declared_dims(fam))
                self.syms[key] = info
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
        sub = n.args[0] if n.kind == "name" and n.args[1] is None else None
        entry_index = to_text(sub) if sub is not None and sub.kind == "name" and sub.args == (None, None) \
            and sub.value in ENTRY_INDICES and sub.value not in self.local else None
        added = entry_index is not None and entry_index not in self.index_dims
        if added:
            # y_i = g_i x_i / r written for this i: its index names entries (g_i of g ∈ R^d)
            self.index_dims[entry_index] = []
        try:
            zero = self._zero_value(key, n)
            return zero if zero is not None else self.infer(self.scope.defs[key])
        finally:
            self.def_depth -= 1
            if added and not self.index_dims.get(entry_index):
                self.index_dims.pop(entry_index, None)

    def _small_int(self, n: Node) -> int | None:
        """A limit that is a number, or a name the scope gives a number (n = 1 in a worked part)."""
        if n.kind == "name" and n.args == (None, None) and to_text(n) in self.scope.defs:
            n = self.scope.defs[to_text(n)]
        if n.kind == "num" and n.value.isdigit() and len(n.value) <= 3:
            return int(n.value)
        return None

    def _unrolled(self, n: Node, kind: str) -> T | None:
        r"""``\sum_{i=1}^n (p_i - y_i) x_i`` with n = 1 and x_1 = (1, 2)^T given in a worked part: the
        terms written out, so each member is the one the part gives (not a generic member of the
        family).  Only for at most 8 terms, and only where the body has a member the scope defines."""
        body, var, lo, hi = n.args
        a, b = self._small_int(lo), self._small_int(hi)
        if a is None or b is None or not 0 < b - a + 1 <= 8 or var.kind != "name":
            return None
        key = to_text(var)
        members = [x for x in body.walk() if x.kind == "name" and x.args[0] is not None and x.args[1] is None
                   and to_text(x.args[0]) == key]
        if not any(to_text(Node("name", x.value, (Node("num", str(k), (), x.col), None), x.col)) in self.scope.defs
                   for x in members for k in range(a, b + 1)):
            return None
        terms = [_with_index(body, key, k) for k in range(a, b + 1)]
        if any(t is None for t in terms):
            return None  # the index is used outside subscripts (\sum_i i x_i): left to the sum
        total = Node("paren", None, (terms[0],), n.col)
        for t in terms[1:]:
            total = Node("add" if kind == "sum" else "mul", None if kind == "sum" else "cdot",
                         (total, Node("paren", None, (t,), n.col)), n.col)
        return self.infer(total)

    def _function_at_own_arguments(self, key: str, n: Node) -> T:
        r"""``F`` written bare for the ``F(\mathbf{u})`` the document defines (``\nabla_{\mathbf u} F``,
        ``F = \frac12`` at a worked point): the function at its own parameters, which keep their
        meaning (a value the worked part gives them, or free variables)."""
        _params, body = self.scope.funcs[key]
        self.tuples_read += 1  # a reading of the author's shorthand: a shape mismatch is no refutation
        self.def_depth += 1
        try:
            if self.def_depth > MAX_DEF_DEPTH:
                raise BindError("definitions nest too deeply", n.col)
            return self.infer(body)
        finally:
            self.def_depth -= 1


    def _self_referential(self, base: str) -> bool:
        """Whether a rule the document states for the family ``base`` uses the family itself
        (a recurrence ``w_{t+1} = f(w_t)``), not merely other quantities (``g_t = \\nabla f(\\theta_t)``)."""
        return any(lhs.value == base and any(x.kind == "name" and x.value == base for x in rhs.walk())
                   for lhs, _slot, _var, rhs in self.scope.def_patterns)

    def _recurrence_limit(self, n: Node) -> T | None:
        r"""``p_\infty`` beside ``p_{t+1} = f(p_t)``: the limit of the recurrence (a fixed point of f),
        run from its initial values; None where the name is no such limit."""
        if n.args[0] is None or n.args[0].kind != "infinity" or n.args[1] is not None:
            return None
        for lhs, slot, var, rhs in self.scope.def_patterns:
            if lhs.value == n.value and slot == 0 and lhs.args[1] is None and lhs.value not in self.unreadable:
                run = self._recurrence(lhs, slot, var, rhs, n, limit=True)
                if run is None:
                    raise BindError(f"{to_text(n)}: the recurrence for {lhs.value} cannot be run to a limit", n.col)
                self.notes.append(f"{to_text(n)} is read as the limit of the recurrence for {to_text(lhs)}")
                return run
        return None

    def _zero_value(self, key: str, n: Node) -> T | None:
        r"""``\mathbf{w} = \mathbf{0}`` (the parser reads a bold 0 as 0) for a name declared or read as
        a vector or matrix: the zero of the name's own shape, not the number 0 (w^T x = 0, not 0 x)."""
        rhs = self.scope.defs[key]
        if rhs.kind != "num" or rhs.value != "0" or n.kind != "name":
            return None
        kind = self.kind_for(key, n.value)
        text = self.scope.def_text.get(key, "").replace(" ", "")
        if kind != "declared" and not any(z in text for z in _BOLD_ZEROS):
            return None  # x_0 = 0 written plainly: the number (a scalar reading stays possible)
        if kind == "declared":
            d = self.scope.declared[key]
            shape = (self.dims.const(d.rows) if not d.rows.is_Symbol else self._named_dim(d.rows),
                     self.dims.const(d.cols) if not d.cols.is_Symbol else self._named_dim(d.cols))
        elif kind == "vector":
            shape = (self.dims.new(rigid=True), Dims.ONE)
        elif kind == "matrix":
            shape = (self.dims.new(rigid=True), self.dims.new(rigid=True))
        else:
            return None
        return T(shape, lambda b, s=shape: b.zero(s[0], s[1]), self.is_scalar(shape))

    def _recurrence(self, lhs: Node, slot: int, var: str, rhs: Node, n: Node, limit: bool = False) -> T | None:
        """``m_t`` of ``m_t = \\beta m_{t-1} + …`` at an index that is not a small known number: the
        recurrence is run from its initial values (derive/claims/recurrence.py), not expanded."""
        offsets: dict[int, Node] = {}
        for x in rhs.walk():
            if x.kind == "name" and x.value == lhs.value and x.args[slot] is not None \
                    and (x.args[1 - slot] is None) == (lhs.args[1 - slot] is None) \
                    and (x.args[1 - slot] is None or to_text(x.args[1 - slot]) == to_text(lhs.args[1 - slot])):
                at = _int_value(x.args[slot], {var: 0})
                if at is None or at >= 0 or not {to_text(v) for v in x.args[slot].walk() if v.kind == "name"} <= {var}:
                    return None  # not a fixed step back (m_{2t}, m_{t+1}): not a recurrence we can run
                offsets[-at] = x
        if not offsets or max(offsets) > 4:
            return None
        depth = max(offsets)

        def member(at: int) -> Node:
            args = list(lhs.args)
            args[slot] = Node("num", str(at), (), n.col)
            return Node("name", lhs.value, tuple(args), n.col)

        start = next((s for s in range(4) if to_text(member(s)) in self.scope.defs), 0)
        free = any(to_text(member(start + i)) not in self.scope.defs for i in range(depth))
        step = sp.Dummy(var.lstrip("\\"), integer=True)
        shape = (self.dims.new(), self.dims.new())
        prevs: list[T] = []
        cache: dict[int, list[sp.Basic]] = {}

        def placeholders(b: "Builder", shape=shape) -> list[sp.Basic]:
            if id(b) not in cache:
                if b.is_scalar_shape(shape):
                    cache[id(b)] = [sp.Dummy(f"prev{c}") for c in range(1, depth + 1)]
                else:
                    r, c_ = b.shape(shape)
                    cache[id(b)] = [sp.MatrixSymbol(f"_prev{c}_{id(cache)}", r, c_) for c in range(1, depth + 1)]
            return cache[id(b)]

        saved_local, saved_int, saved_index = dict(self.local), dict(self.local_int), dict(self.local_index)
        self.def_depth += 1
        try:
            if self.def_depth > MAX_DEF_DEPTH:
                raise BindError(f"definitions nest deeper than {MAX_DEF_DEPTH} (circular?)", n.col)
            inits = [self.infer(member(start + i)) for i in range(depth)]
            self.local_int.pop(var, None)
            self.local_index[var] = step
            self.local.pop(var, None)
            for c, ref in offsets.items():
                t = T(shape, lambda b, c=c: placeholders(b)[c - 1], False)
                self.local[to_text(ref)] = t
            body = self.infer(rhs)
        finally:
            self.def_depth -= 1
            self.local, self.local_int, self.local_index = saved_local, saved_int, saved_index
        self.unify_shape(shape, body.shape, f"the recurrence for {to_text(lhs)} keeps its shape", n.col)
        for init in inits:
            self.unify_shape(shape, init.shape, f"the initial value of {to_text(lhs)} has its shape", n.col)
        index = self.index_expr(n.args[slot]) if not limit else None
        scalar = self.is_scalar(shape)
        if limit and not scalar:
            raise BindError(f"the limit {to_text(n)} of a vector or matrix recurrence is not evaluated", n.col)

        def build(b: "Builder") -> sp.Basic:
            from .recurrence import recurrence, recurrence_limit
            value = (lambda t: b.value(t)) if not scalar else (lambda t: b.scalar(t))
            if index is None:  # x_\infty: run until the values settle
                return recurrence_limit(step, value(body), placeholders(b), start, [value(t) for t in inits], free)
            return recurrence(index(b), step, value(body), placeholders(b), start, [value(t) for t in inits], free)

        return T(shape, build, scalar)

    def _expand_indexed_def(self, var: str, idx: Node, rhs: Node, n: Node, at: int | None = None) -> T:
        if var in ENTRY_INDICES and idx.kind == "name" and idx.args == (None, None) \
                and to_text(idx) not in self.local and to_text(idx) not in self.scope.defs:
            # x̂_i, x̂_j of a rule x̂_i = ...: the member's index is an integer, not a free real
            value = T(self.scalar(), self.index_expr(idx), True)
        else:
            value = self.infer(idx)
        saved, saved_int = dict(self.local), dict(self.local_int)
        saved_nodes = getattr(self, "local_nodes", {})
        self.local_nodes = {**saved_nodes, var: idx}  # the index as written (a \max_i's range, see _spectrum)
        saved_dims = self.index_dims.get(var)
        if var in ENTRY_INDICES:
            # y_i = g_i x_i / r: inside an entrywise rule its index names entries (g_i of g ∈ R^d)
            self.index_dims[var] = list(saved_dims or [])
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
            self.local_nodes = saved_nodes
            if var in ENTRY_INDICES:
                if saved_dims is None:
                    self.index_dims.pop(var, None)
                else:
                    self.index_dims[var] = saved_dims

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
        for lit, t, vec in ((n.args[0], a, c), (n.args[1], c, a)):
            if lit.kind == "num" and self.is_scalar(t.shape) and self._fixed_column(vec.shape):
                # 1 - h ⊙ h of a vector h: the number stands for a vector of that number (ML notes'
                # elementwise reading), as in diag(1 - h_t ⊙ h_t)
                ones = T(vec.shape, lambda b, t=t, v=vec: sp.MatMul(b.scalar(t), sp.OneMatrix(*b.shape(v.shape))))
                x, y = (ones, c) if lit is n.args[0] else (a, ones)
                return T(vec.shape, lambda b, x=x, y=y, s=sign: b.add(x, y, s))
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
            return self._kron(a, c, n)  # mlops.py
        return self._product(a, c, n)

    def _product(self, a: T, c: T, n: Node) -> T:
        if self.is_scalar(a.shape):
            return T(c.shape, lambda b, a=a, c=c: b.mul(a, c), c.scalar_hint and a.scalar_hint)
        if self.is_scalar(c.shape):
            return T(a.shape, lambda b, a=a, c=c: b.mul(a, c), a.scalar_hint)
        try:
            shape = self.dims.product(a.shape, c.shape, "inner dimensions")
        except ShapeError as exc:
            raise ShapeError(f"a product's inner dimensions do not match ({exc})", n.col) from None
        return T(shape, lambda b, a=a, c=c: b.mul(a, c))

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
        self.dims.square(a.shape, "a matrix power needs a square matrix")
        if _is_negative(exp_node):
            self._mark_invertible(base_node)
        return T(a.shape, lambda b, a=a, x=x: b.matpow(a, x))

    def _transpose(self, n: Node) -> T:
        inner = n.args[0].args[0] if n.args[0].kind == "paren" else n.args[0]
        if inner.kind == "tuple" and inner.value in ("[]", "()") and any(a.kind == "ellipsis" for a in inner.args):
            # [y_1, \dots, y_n]^\top: the list is a row (as a matrix written in one row), its transpose a vector;
            # a list standing alone may be meant as a column or as a row, so it stays unread
            a = self.infer(Node("matrix", "bmatrix", (tuple(inner.args),), inner.col))
        elif inner.kind == "tuple":
            # (1, 2)^T is the inline way to write the column (1, 2); the tuple is already read as one
            return self.infer(inner)
        else:
            a = self.infer(n.args[0])
        return T(self.dims.transpose(a.shape), lambda b, a=a: b.transpose(a), a.scalar_hint)

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
                if info is None and x.args[0] is not None and x.value:
                    # p_k under a log, p the vector (or family) the entry is read from: its entries are
                    # drawn positive (a negative one puts the instance outside the formula's domain)
                    info = self.syms.get(x.value)
                if info is not None:
                    info.positive = True

    def _norm(self, n: Node) -> T:
        a = self.infer(n.args[0])
        kind = n.value or ""
        return T(self.scalar(), lambda b, a=a, k=kind: b.norm(a, k), True)

    def _indicator(self, n: Node) -> T:
        """The Iverson bracket [a op b] of two scalars: 1 where the relation holds, else 0."""
        if n.value in ("=", "!="):
            # an equality of indices is checked only between indices bound here (a sum's k, numbers):
            # [k = c] with a free c means c is one of the summed values, a condition not sampled here
            self._tie_free_index(n)
            self._free_label_pair(n)
            for x in n.walk():
                if x.kind == "name" and to_text(x) not in self.local_index and to_text(x) not in self.tied_indices:
                    raise BindError(f"the indicator [{to_text(n.args[0])} {n.value} {to_text(n.args[1])}] compares "
                                    f"{to_text(x)}, which no sum here binds: its range is not known", n.col)
        a, c = self.infer(n.args[0]), self.infer(n.args[1])
        entrywise = self._entrywise_indicator(n, a, c)  # \mathbb{1}[s > 0] of a vector s
        if entrywise is not None:
            return entrywise
        self.make_scalar(a.shape, "an indicator [a op b] compares scalars", n.col)
        self.make_scalar(c.shape, "an indicator [a op b] compares scalars", n.col)
        return T(self.scalar(), lambda b, a=a, c=c, op=n.value: Indicator(op, b.scalar(a), b.scalar(c)), True)

    def _free_label_pair(self, n: Node) -> None:
        """[k = c] with k and c both free names nothing defines (q_k = ... [k = c] read at a free k):
        the bracket only asks whether the two integers are equal, so both are indices, sampled
        over one range (both cases, k = c and k ≠ c, occur; a stated k ≠ c is honoured)."""
        a, c = n.args
        names = [a, c]
        if any(x.kind != "name" or x.args != (None, None) for x in names) or self.scope.problem is not None:
            return
        keys = [to_text(x) for x in names]
        if any(k in self.local_index or k in self.scope.defs or k in self.scope.declared or k in self.scope.dim_symbols
               or k in self.scope.random or k in self.scope.funcs for k in keys):
            return
        infos = [self.syms.get(k) or self.symbol(k, x.value, x.col, kind="index") for k, x in zip(keys, names)]
        if all(i.kind == "index" for i in infos):
            self.tied_indices.update(keys)

    def _tie_free_index(self, n: Node) -> None:
        """[k = c] under \\sum_{k=1}^{K}, with c a bare name nothing defines, declares or binds: c is
        one of the values k runs over (a class label), an integer sampled in 1..K; it becomes a
        local index of this statement so that the bracket compares two indices."""
        a, c = n.args
        for idx, other in ((a, c), (c, a)):
            if idx.kind != "name" or other.kind != "name" or other.args != (None, None) \
                    or to_text(idx) not in self.local_index or to_text(other) in self.local_index:
                continue
            key, hi = to_text(other), self.index_hi.get(to_text(idx))
            if self.scope.problem is not None or key in self.scope.defs or key in self.scope.declared \
                    or key in self.scope.dim_symbols or key in self.scope.random:
                continue
            if hi is not None and hi in self.scope.dim_symbols:
                d = self._named_dim(self.scope.dim_symbols[hi])
            elif hi is not None and hi.isdigit() and 1 <= int(hi) <= 64:
                d = self.dims.const(sp.Integer(int(hi)))
            elif hi is None and to_text(idx) in self.index_len:
                d = self.index_len[to_text(idx)]  # q_k = ... [k = c]: c is one of q's entry positions
            else:
                continue
            info = self.syms.get(key)
            if info is None:
                info = self.symbol(key, other.value, other.col, kind="index")
            if info.kind != "index":
                continue
            if not any(k == key for k, _d in self.entry_ranges):
                self.entry_ranges.append((key, d))
            self.tied_indices.add(key)

    def _limit(self, n: Node) -> T:
        """\\lim_{x \\to a} f(x) of a scalar: evaluated numerically, and only where the estimate has
        clearly converged (nodes.Limit); n → ∞ for n, m, k, … runs over the integers."""
        body, var, point = n.args
        if var.kind != "name" or var.args != (None, None):
            raise BindError("a limit over something that is not one name", n.col)
        key = to_text(var)
        if point.kind == "infinity":
            point_t = None
        elif any(x.kind == "infinity" for x in point.walk()):
            raise BindError("a limit is not evaluated here (only towards a value or +∞)", n.col)
        else:
            if any(x.kind == "name" and to_text(x) == key for x in point.walk()):
                raise BindError("a limit point that contains its own variable", n.col)
            point_t = self.infer(point)
            self.make_scalar(point_t.shape, "a limit point must be a scalar", n.col)
        integer = point_t is None and key in ("n", "m", "k", "N", "M", "K", "i", "j", "l", "t", "T")
        sym = sp.Symbol(key.lstrip("\\") + "_lim", integer=True) if integer else sp.Symbol(key.lstrip("\\") + "_lim", real=True)
        saved_index, saved_local = self.local_index.get(key), self.local.get(key)
        if integer:
            self.local_index[key] = sym
            self.local.pop(key, None)
        else:
            self.local_index.pop(key, None)
            self.local[key] = T(self.scalar(), lambda b, s=sym: s, True)
        try:
            t = self.infer(body)
        finally:
            self.local_index.pop(key, None)
            self.local.pop(key, None)
            if saved_index is not None:
                self.local_index[key] = saved_index
            if saved_local is not None:
                self.local[key] = saved_local
        self.make_scalar(t.shape, "a limit of a matrix is not evaluated here", n.col)
        return T(self.scalar(), lambda b, t=t, s=sym, p=point_t: Limit(b.scalar(t), s, sp.oo if p is None else b.scalar(p)),
                 True)

    def _inner(self, n: Node) -> T:
        """⟨a, b⟩: xᵀy for vectors, tr(AᵀB) (Frobenius) for matrices, ab for scalars."""
        a, c = self.infer(n.args[0]), self.infer(n.args[1])
        self.unify_shape(a.shape, c.shape, "the shapes of the two sides of an inner product ⟨a, b⟩", n.col)

        def build(b: "Builder", a=a, c=c) -> sp.Basic:
            av, cv = b.value(a), b.value(c)
            if isinstance(av, MatrixExpr) or getattr(av, "is_Matrix", False):
                return sp.Trace(sp.MatMul(sp.Transpose(av), cv))
            return sp.Mul(av, cv, evaluate=False)

        return T(self.scalar(), build, True)

    def _density(self, n: Node) -> T:
        raise BindError(f"{to_text(n.args[0])}(· | ·) is a conditional density the document does not model "
                        "(its values are not known)", n.col)

    def _collection(self, n: Node) -> T:
        raise BindError("a data set {…}_{i=1}^n is a collection of members, not a value", n.col)

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
            if fn.kind == "name" and order:
                return self._primed_apply(fn, args, order, n)
            if fn.kind == "name":
                return self._apply(Node("apply", None, (fn, *args), n.col))
            raise BindError("only functions can be applied", n.col)
        if fn.value in self.scope.funcs and order == 0:  # \operatorname{lse}(z) the document defines
            return self._apply(Node("apply", None, (Node("name", fn.value, (None, None), fn.col), *args), n.col))
        name = fn.value.lstrip("\\")
        name = FUNCTION_ALIASES.get(name, name)  # \operatorname{ReLU}: relu (mlops.py)
        if name == "vec":
            return self._vec(args, order, n)
        if name == "diag" and len(args) == 1 and not order:
            implicit = self._implicit_diag(args[0], n)  # diag(\sigma_i^2) over the family \sigma_1, \dots, \sigma_m
            if implicit is not None:
                return implicit
        if name in ("mod", "dim", "KL", "kl", "D") or (name == "diag" and len(args) > 1):
            return self._call_more(name, args, order, n)  # indexing.py
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
            entrywise = self._elementwise_extremum(name, ts, n) if not order else None  # \max(0, s) of a vector
            if entrywise is not None:
                return entrywise
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

    def _primed_apply(self, fn: Node, args: list, order: int, n: Node) -> T:
        """``f'(u)``, ``\\ell''(p)`` for a function of one scalar the document defines: its first or
        second derivative at the argument (taken from the definition as ∇f and ∇²f are). A prime on
        any other name is not read (it is never the function itself)."""
        key = to_text(fn)
        if key not in self.scope.funcs or len(self.scope.funcs[key][0]) != 1 or len(args) != 1 or order > 2:
            raise BindError(f"{key}{chr(39) * order} is not a derivative of a function the document defines", n.col)
        point = self.infer(args[0])
        self.make_scalar(point.shape, f"{key}' needs a scalar argument (write ∇ for vectors)", n.col)
        return self._nabla(Node("nabla", None, (Node("num", str(order), (), n.col), Node("apply", None, (fn, *args), n.col),
                                                None), n.col))

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
            if n.value is not None and n.value != self.scope.func_fixed.get(key):
                # f(W; Y, \mu) where f was defined as f(W; X, \lambda): other data, not modelled
                raise BindError(f"{key} is used with fixed parameters other than its definition's", n.col)
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
        order_node, fn, sub = n.args
        order = int(order_node.value) if order_node.kind == "num" and order_node.value in ("1", "2") else 0
        if order == 0:
            raise BindError("only ∇ and ∇² are understood", n.col)
        if sub is not None:
            return self._nabla_by(order, fn, sub, n)
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
        if not self.dims.is_one(point.shape[1]) and self.dims.value[self.dims.find(point.shape[1])] is None:
            # a point whose shape nothing fixed yet (a recurrence's previous member w_{t-1}):
            # ∇f at it makes it a vector, as at any point of f
            try:
                self.dims.unify(point.shape[1], Dims.ONE)
            except ShapeError:
                pass
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

    def _nabla_by(self, order: int, fn: Node, var: Node, n: Node) -> T:
        """``∇_w L``, ``∇_w L(w)``, ``∇²_z ℓ``: the gradient (the shape of w) of a scalar with
        respect to the subscript's variable, and for ∇² the Jacobian of that gradient (the
        Hessian); each derivative is taken numerically from the definitions."""
        if var.kind != "name":
            raise BindError("∇ with respect to something that is not a name", n.col)
        body = fn
        if fn.kind == "name" and len(self.scope.funcs.get(to_text(fn), ((), None))[0]) == 1:
            # ∇_w L for a function the document defines as L(w) = ...: L at the variable
            body = Node("apply", None, (fn, var), fn.col)
        if fn.kind == "apply" and fn.args[0].kind == "name" and to_text(fn.args[0]) not in self.scope.funcs:
            head = to_text(fn.args[0])
            # L(w) written for a scalar the document defines as L = ...: the argument names the variable
            if head in self.scope.defs and all(to_text(a) == to_text(var) for a in fn.args[1:]):
                body = fn.args[0]
        if fn.kind == "name" and fn.args == (None, None) and to_text(fn) in self.scope.funcs \
                and to_text(fn) not in self.scope.defs and len(self.scope.funcs[to_text(fn)][0]) == 1:
            # ∇_z ℓ for a function ℓ(z) the document defines: ℓ at the variable (not a free scalar ℓ)
            body = Node("apply", None, (fn, var), fn.col)
        if self._upstream_of(body) is not None and order == 2:
            raise BindError("only first derivatives of a loss given by its upstream gradient can be checked", n.col)
        grad = Node("gradient", None, (body, var), n.col)
        if order == 1:
            return self.infer(grad)
        return self._derivative(grad, var, n)

    def _upstream_gradient(self, key: str) -> Node | None:
        """``g`` where the document writes ``g = ∂L/∂y`` for a loss L it never defines (the
        gradient arriving from above): the node y, else None."""
        rhs = self.scope.defs.get(key)
        if rhs is None or rhs.kind != "partial" or rhs.args[2] != "1":
            return None
        top, var = rhs.args[0], rhs.args[1]
        if top.kind != "name" or var.kind != "name":
            return None
        lkey = to_text(top)
        if lkey in self.scope.defs or lkey in self.scope.funcs or lkey in self.scope.declared \
                or any(p[0].value == top.value for p in self.scope.def_patterns):
            return None
        return var

    def _upstream_of(self, body: Node) -> tuple[str, Node] | None:
        """``(g, y)`` when ``body`` is a loss L known only through ``g = ∂L/∂y``."""
        while body.kind == "paren":
            body = body.args[0]
        if body.kind != "name":
            return None
        lkey = to_text(body)
        for key, rhs in self.scope.defs.items():
            if rhs.kind == "partial" and rhs.args[0].kind == "name" and to_text(rhs.args[0]) == lkey:
                y = self._upstream_gradient(key)
                if y is not None:
                    return key, y
        return None

    def _upstream_symbol(self, key: str, y: Node, n: Node) -> T:
        """The upstream gradient g = ∂L/∂y: a free value of y's shape."""
        info = self.syms.get(key)
        if info is None:
            shape = self.infer(y).shape
            info = SymInfo(key, "scalar" if self.is_scalar(shape) else "matrix", shape)
            self.syms[key] = info
        return T(info.shape, lambda b, i=info: b.sym(i), info.kind == "scalar")

    def _upstream(self, n: Node) -> T:
        """L known only through g = ∂L/∂y: inside a first derivative L reads as ⟨g, y⟩ with g
        held fixed — by the chain rule ∂L/∂v = (∂y/∂v)ᵀ g for every v that L reaches through y,
        which is what "the gradient arriving from above" means."""
        gkey, y = n.args
        yt = self.infer(y)
        gt = self._upstream_symbol(gkey, y, n)
        self.unify_shape(gt.shape, yt.shape, "an upstream gradient has the shape of its variable", n.col)

        def build(b: "Builder", g=gt, y=yt) -> sp.Basic:
            gv, yv = b.value(g), b.value(y)
            if isinstance(gv, MatrixExpr):
                return sp.Trace(sp.MatMul(sp.Transpose(gv), yv))
            return sp.Mul(gv, yv, evaluate=False)

        return T(self.scalar(), build, True)

    def _entry_at(self, base: str, at: Node, n: Node) -> T | None:
        """``w_{m-i}``, ``x_{i+j-1}``: an entry at an index expression of a vector whose entries the
        statement already indexes (by the same letters); an index outside 1..dim is no number."""
        names = [x for x in at.walk() if x.kind == "name"]
        if not names or not all(x.args == (None, None) and x.value in ENTRY_INDICES for x in names) or \
                not all(x.kind in ("name", "num", "add", "sub", "paren") for x in at.walk()):
            return None
        if not any(to_text(x) in self.index_dims or to_text(x) in self.local_index for x in names):
            return None
        declared = self.scope.declared.get(base)
        vector = (declared is not None and declared.cols == 1 and declared.rows != 1) or (
            base in self.scope.defs and base not in self.scope.funcs)
        if not vector:
            return None
        whole = self.infer(Node("name", base, (None, None), n.col))
        if self.is_scalar(whole.shape) or not self.dims.is_one(whole.shape[1]):
            return None
        f = self.index_expr(at)
        return T(self.scalar(), lambda b, w=whole, f=f: _element(b.value(w), f(b) - 1, 0), True)

    def _fixed_column(self, s: Shape) -> bool:
        """A column vector whose length cannot be 1 (a named or fixed size)."""
        if not self.dims.is_one(s[1]) or self.dims.is_one(s[0]):
            return False
        r = self.dims.find(s[0])
        return self.dims.rigid[r] or (self.dims.value[r] is not None and self.dims.value[r] != 1)

    def _vector_name(self, base: str, n: Node) -> bool:
        declared = self.scope.declared.get(base)
        if declared is not None:
            return declared.cols == 1 and declared.rows != 1
        whole = self.infer(Node("name", base, (None, None), n.col))
        return self.dims.is_one(whole.shape[1]) and not self.dims.is_one(whole.shape[0])

    def _defs_whole(self) -> set[str]:
        """Names the document's definitions use whole (the ε of z = μ + σ ⊙ ε)."""
        if self._defs_whole_cache is None:
            from .binding import names_used_whole
            self._defs_whole_cache = {to_text(x) for rhs in self.scope.defs.values() for x in names_used_whole(rhs)}
        return self._defs_whole_cache

    def _entry_rule(self, base: str) -> tuple[str, Node] | None:
        """``p_k = ...`` for every k (an entry index): the rule's index name and right side."""
        for lhs, slot, var, rhs in self.scope.def_patterns:
            if lhs.value == base and slot == 0 and lhs.args[1] is None and base not in self.unreadable \
                    and (var in ENTRY_INDICES or self.scope.def_ranges.get(base, ("",))[0] == var):
                # v_t = ... for t = 1, \dots, p - q + 1: a stated range makes t an entry index too
                if any(x.kind == "name" and x.value == base and x.args == (None, None) for x in rhs.walk()):
                    return None  # g_k = g, a constant sequence: g is the constant, not the vector of g_k
                return var, rhs
        return None

    def _entry_vector(self, n: Node, var: str, rhs: Node) -> T:
        """``p`` where the document defines its entries ``p_k``: the vector of them, as long as
        what the entries index (z_k of z ∈ R^K)."""
        sym = sp.Symbol(var + "_", integer=True)
        saved, saved_dims = self.local_index.get(var), self.index_dims.get(var)
        saved_len = self.index_len.get(var)
        length = self.index_len[var] = self.dims.new()  # what k runs over: [k = c] samples c there
        self.local_index[var] = sym
        self.index_dims[var] = []
        shadowed = self.local.pop(var, None)
        self.def_depth += 1
        try:
            if self.def_depth > MAX_DEF_DEPTH:
                raise BindError(f"definitions nest deeper than {MAX_DEF_DEPTH} (circular?)", n.col)
            t = self.infer(rhs)
            dims = self.index_dims[var]
        finally:
            self.def_depth -= 1
            if shadowed is not None:
                self.local[var] = shadowed
            if saved is None:
                self.local_index.pop(var, None)
            else:
                self.local_index[var] = saved
            if saved_len is None:
                self.index_len.pop(var, None)
            else:
                self.index_len[var] = saved_len
            if saved_dims is None:
                self.index_dims.pop(var, None)
            else:
                self.index_dims[var] = saved_dims
        self.make_scalar(t.shape, f"the entries {to_text(n)}_{var} must be numbers", n.col)
        if not dims:
            stated = self._stated_length(n.value, var)
            if stated is not None:  # y_i = ... for i = 1, ..., n - k + 1: y has n - k + 1 entries
                dims = [stated]
        if not dims and self._family_entries(rhs, var):
            # p_i = σ(w^T x_i) over a family x_1, x_2, ...: as long as the statement makes it (X^T (p - y))
            dims = [self.dims.new(rigid=True)]
            self.family_lengths.append((to_text(n), dims[0]))  # bind_chain checks the statement fixes it
        if not dims:
            # nothing in the entries fixes the length: the statement must (⟨q, z⟩ with z ∈ R^K), else undecided
            self.unfixed.append((length, f"the length of {to_text(n)} is not fixed by what its entries "
                                         f"{to_text(n)}_{var} index", n.col))
            dims = [length]
        self.dims.unify(length, dims[0], f"the entries of {to_text(n)} index vectors of different lengths")
        for d in dims[1:]:
            self.dims.unify(dims[0], d, f"the entries of {to_text(n)} index vectors of different lengths")
        d = dims[0]
        return T((d, Dims.ONE), lambda b, t=t, s=sym, d=d: EntryVector(b.scalar(t), s, b.dim(d)))

    def _ruled_matrix(self, n: Node) -> T | None:
        """``X`` where the document gives every entry (``X_{ij} = x_{i+j-1}``, or a band ``T_{i,i+j-1} =
        w_j`` for j = 1..k with zeros elsewhere) and declares its shape: the matrix of those entries."""
        rule = self.scope.matrix_rules.get(n.value)
        key = to_text(n)
        if rule is None or n.args != (None, None) or key in self.scope.defs or key not in self.scope.declared \
                or key in self.unreadable or self.scope.problem is not None:
            return None
        row, col, value = rule
        if row in self.local_index or col in self.local_index:
            return None  # X inside a sum over i: the rule's letters are taken
        d = self.scope.declared[key]
        shape = tuple(self._named_dim(x) if isinstance(x, sp.Symbol) else self.dims.const(x) for x in (d.rows, d.cols))
        syms = (sp.Symbol(row.lstrip("\\") + "_r", integer=True), sp.Symbol(col.lstrip("\\") + "_c", integer=True))
        self.local_index[row], self.local_index[col] = syms
        self.def_depth += 1
        try:
            if self.def_depth > MAX_DEF_DEPTH:
                raise BindError(f"definitions nest deeper than {MAX_DEF_DEPTH} (circular?)", n.col)
            t = self.infer(value)
        finally:
            self.def_depth -= 1
            self.local_index.pop(row, None)
            self.local_index.pop(col, None)
        self.make_scalar(t.shape, f"the entries of {key} must be numbers", n.col)
        return T(shape, lambda b, t=t, s=syms, sh=shape: EntryMatrix(b.scalar(t), s[0], s[1], b.dim(sh[0]), b.dim(sh[1])))

    def _stated_length(self, base: str, var: str) -> int | None:
        """The dimension class 1..hi where the definition of ``base``'s entries states its index's range
        (a number, or a sum and difference of dimensions: n - k + 1); None otherwise."""
        stated = self.scope.def_ranges.get(base)
        if stated is None or stated[0] != var or to_text(stated[1]) != "1":
            return None
        value = _dim_value(stated[2], self.scope.dim_symbols)
        if value is None:
            return None
        return self._named_dim(value) if isinstance(value, sp.Symbol) else self.dims.const(value)

    def hold_derivative_members(self, trees: list[Node]) -> None:
        """Before inference: ``h_{t-1}`` in ∂h_t/∂h_{t-1} is a variable of the whole statement, so
        that the other side's h_t (in D_t = diag(1 - h_t ⊙ h_t)) is the same step from it,
        whichever side is read first."""
        for tree in trees:
            for x in tree.walk():
                var = x.args[1] if x.kind == "partial" else None
                if isinstance(var, Node) and var.kind == "name" and self._recurrence_member(var) \
                        and to_text(var) not in self.scope.defs:
                    self.held_members.setdefault(to_text(var), self.kind_for(to_text(var), var.value))

    def _family_entries(self, rhs: Node, var: str) -> bool:
        """Whether an entry rule's right side reads members of a family by its index (x_i of
        vectors x_1, x_2, ...), so that any number of entries has a value."""
        return any(x.kind == "name" and x.args[0] is not None and x.args[1] is None
                   and to_text(x.args[0]) == var and x.value not in self.scope.declared
                   and to_text(x) in self.syms and self.syms[to_text(x)].kind == "matrix" for x in rhs.walk())

    def _recurrence_member(self, var: Node) -> bool:
        """``h_{t-1}`` (a member at a symbolic step back) of a family the document defines by a
        recurrence: in ∂h_t/∂h_{t-1} it is the variable, and h_t is one step of the rule from it."""
        sub = var.args[0]
        if sub is None or var.args[1] is not None or sub.kind != "sub" or sub.args[1].kind != "num":
            return False
        step = sub.args[0]
        if step.kind != "name" or step.args != (None, None):
            return False
        return any(lhs.value == var.value and slot == 0 and lhs.args[1] is None and v == to_text(step)
                   for lhs, slot, v, _r in self.scope.def_patterns)

    def _holds_member_of(self, base: str) -> bool:
        """Whether a member of the family ``base`` is held as a variable in this statement."""
        return any(k.split("_{")[0] == base and "_{" in k for k in self.held_members)

    def _recurrence_start(self, var: Node) -> bool:
        """``h_0`` where the document defines ``h_t`` by a recurrence (and not h_0 itself)."""
        sub = var.args[0]
        if sub is None or sub.kind != "num":
            return False
        return any(lhs.value == var.value and slot == 0 and lhs.args[1] is None
                   for lhs, slot, _v, _r in self.scope.def_patterns)

    def _gradient(self, n: Node) -> T:
        body, var = n.args
        return self._derivative(body, var, n, scalar=True)

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
        free = names_in(body)
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

    def _derivative(self, body: Node, var: Node, n: Node, scalar: bool = False) -> T:
        key = to_text(var)
        up = self._upstream_of(body)
        if up is not None:
            body = Node("upstream", None, (up[0], up[1]), body.col)
        if var.kind == "name" and var.args[0] is not None and var.args[1] is None:
            self.derivative_entries.add(var.value)
        if var.kind == "name" and key not in self.scope.defs and key not in self.syms and (
                self._recurrence_start(var) or self._recurrence_member(var)):
            self.held_members[key] = self.kind_for(key, var.value)
        if var.kind == "name" and key in self.scope.defs and key not in self.opaque:
            return self._derivative_by_defined(body, var, key, n, scalar)
        by_entry = self._derivative_by_entry(body, var, n, scalar)
        if by_entry is not None:
            return by_entry
        v = self.infer(var)
        f = self.infer(body)
        info = self.opaque_info.get(key) if key in self.opaque else self.syms.get(key)
        if info is None or info.kind not in ("scalar", "matrix"):
            raise BindError(f"cannot differentiate with respect to {key} (not an input of the claim)", n.col)
        shape = self._derivative_shape(f.shape, v.shape, n, scalar)
        return T(shape, lambda b, f=f, i=info, s=shape: b.derivative(f, i, s))

    def _derivative_shape(self, fs: Shape, vs: Shape, n: Node, scalar: bool = False) -> Shape:
        """∂f/∂v: the shape of v for a scalar f (gradient layout), dim f × dim v for vectors."""
        if scalar:
            self.make_scalar(fs, "∇ needs a scalar function", n.col)
        if self.is_scalar(fs):
            return vs
        if self.dims.is_one(fs[1]) and self.dims.is_one(vs[1]):
            return (fs[0], vs[0])
        if self.is_scalar(vs):
            return fs
        raise BindError("the derivative of a matrix by a matrix is not a matrix", n.col)

    def _derivative_by_entry(self, body: Node, var: Node, n: Node, scalar: bool = False) -> T | None:
        """∂f/∂x_j for an entry x_j of a vector the document declares or defines: the j-th
        entry of the gradient with respect to the whole vector."""
        if var.kind != "name" or var.args[0] is None or var.args[1] is not None:
            return None
        if not self._numbered_entry(var) and self._entry(var.value, var.args[0], var) is None:
            return None
        whole = Node("name", var.value, (None, None), var.col)
        grad = self._derivative(body, whole, n, scalar)
        pair = self._entry_pair(var.args[0])
        if pair is not None and not self.dims.is_one(grad.shape[1]) and not self.dims.is_one(grad.shape[0]):
            # ∂f/∂W_{kl} of a scalar f and a matrix W: the (k, l) entry of the gradient ∂f/∂W
            fi, fj = (self.index_expr(x) for x in pair)
            for x, d in zip(pair, grad.shape):
                if x.kind == "name":
                    self.entry_ranges.append((to_text(x), d))
            return T(self.scalar(), lambda b, g=grad, fi=fi, fj=fj: _element(b.value(g), fi(b) - 1, fj(b) - 1), True)
        if not self.dims.is_one(grad.shape[1]):
            # a vector by an entry: under another reading the differentiated expression may be a number
            raise ShapeError(f"∂/∂{to_text(var)} of a vector or matrix is not understood", n.col)
        j = self.index_expr(var.args[0])
        if var.args[0].kind == "name":
            self.entry_ranges.append((to_text(var.args[0]), grad.shape[0]))
        return T(self.scalar(), lambda b, g=grad, j=j: _element(b.value(g), j(b) - 1, 0), True)

    @staticmethod
    def _entry_pair(sub: Node) -> tuple[Node, Node] | None:
        """The two indices of ``W_{kl}``, ``W_{k,l}``, ``W_{2,3}`` (names or numbers), else None."""
        idx = list(sub.args) if sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt") else [sub]
        if len(idx) != 2 or not all(x.kind == "num" or x.kind == "name" and x.args == (None, None) for x in idx):
            return None
        return idx[0], idx[1]

    def _entries_defined_with(self, base: str) -> bool:
        """Whether a definition uses ``base`` with an entry index (``y_i = g_i x_i / r`` for g) and none
        transposes a member (``K = [k_1^T; k_2^T]`` makes k_1, k_2 vectors of a family)."""
        hit = self._entries_cache.get(base)
        if hit is not None:
            return hit
        member = [x for rhs in self.scope.defs.values() for x in rhs.walk()
                  if x.kind == "name" and x.value == base and x.args[1] is None and x.args[0] is not None]
        transposed = any(t.kind == "transpose" and t.args[0].kind == "name" and t.args[0].value == base
                         for rhs in self.scope.defs.values() for t in rhs.walk())
        hit = not transposed and any(x.args[0].kind == "name" and x.args[0].value in ENTRY_INDICES for x in member)
        self._entries_cache[base] = hit
        return hit

    def _numbered_entry(self, var: Node) -> bool:
        r"""``x_1`` in ``\partial r / \partial x_1`` where the document gives x whole (declared a column
        vector, or defined: x = (2, 4)^T) and no member x_1 of its own: the first entry of x."""
        sub = var.args[0]
        if sub.kind != "num" or not sub.value.isdigit() or not 1 <= int(sub.value) <= 64:
            return False
        base = var.value
        if to_text(var) in self.scope.defs or any(p[0].value == base for p in self.scope.def_patterns) \
                or base + "_•" in self.scope.def_families:  # x_1 of a family x_k the document defines
            return False
        declared = self.scope.declared.get(base)
        return base in self.scope.defs or declared is not None and declared.cols == 1 and declared.rows != 1 \
            and self._entries_defined_with(base)

    def _derivative_by_defined(self, body: Node, var: Node, key: str, n: Node, scalar: bool = False) -> T:
        """∂ℓ/∂a where the document defines a (a = W_1 x + b_1): the chain rule's reading.
        Inside the derivative a is a variable that ℓ reaches through the definitions that use
        it (h = σ(a)); the derivative is then taken at a's defined value."""
        point = self.infer(var)
        info = SymInfo("∂var:" + key, "scalar" if self.is_scalar(point.shape) else "matrix", point.shape)
        self.syms[info.key] = info
        used = [0]
        sub = var.args[0] if var.kind == "name" else None
        own = {to_text(x) for x in sub.walk() if x.kind == "name"} if sub is not None else set()
        bound_before = {k: v for k, v in self.local_index.items() if k in own}

        def held(b: "Builder", i: SymInfo = info) -> sp.Basic:
            return b.sym(i)

        def reach(n_: Node = var) -> T:
            if any(self.local_index.get(k) is not bound_before.get(k) for k in own if k in self.local_index):
                # ∂E/∂y_i of E = ½Σ_i (y_i - t_i)²: the sum binds the index i of y_i, so every member it
                # runs over would be the one variable; the member's derivative (δ_ij) is not modelled
                raise BindError(f"cannot differentiate with respect to {key}: a sum in the differentiated "
                                f"expression runs over its index, so the member and the summed ones are apart "
                                f"(a Kronecker delta), which is not modelled", n.col)
            used[0] += 1
            return T(point.shape, held, self.is_scalar(point.shape))

        self.opaque[key] = _Counted(reach)
        saved_info = self.opaque_info.get(key)
        self.opaque_info[key] = info
        try:
            f = self.infer(body)
        finally:
            del self.opaque[key]
            if saved_info is None:
                self.opaque_info.pop(key, None)
            else:
                self.opaque_info[key] = saved_info
        if not used[0]:
            reparam = self._reparametrised(body, var, key, point, n, scalar)
            if reparam is not None:
                return reparam
            # ∂D/∂s_i with s_i = log σ_i² and D written in σ: D reaches s only through the inverse of
            # s's definition, which the document does not give
            raise BindError(f"{key} is defined from other names and the differentiated expression does not "
                            f"use it: the derivative needs those names as functions of {key}", n.col)
        shape = self._derivative_shape(f.shape, point.shape, n, scalar)

        def build(b: "Builder", f=f, i=info, s=shape, point=point) -> sp.Basic:
            d = b.derivative(f, i, s)
            at = b.value(point)
            return AtM(d, b.sym(i), at) if isinstance(d, MatrixExpr) else AtS(d, b.sym(i), at)

        return T(shape, build)

    def _reparametrised(self, body: Node, var: Node, key: str, point: T, n: Node, scalar: bool) -> T | None:
        """∂D/∂s where D is written in u and the document defines s from u alone (s_i = log σ_i²):
        s is a new coordinate for u, so by the chain rule ∂D/∂s = (∂D/∂u) / (ds/du), at u.
        Only for a scalar s whose definition uses exactly one name, itself undefined and used by D."""
        if not self.is_scalar(point.shape):
            return None
        rhs = self.scope.defs[key]
        uses = names_in(rhs) - self.index_names - set(self.local_index) - {"e", "\\pi"}
        leaves = {to_text(x): x for x in rhs.walk() if x.kind == "name" and to_text(x) in uses}
        if len(leaves) != 1:
            return None
        (ukey, u), = leaves.items()
        if ukey in self.scope.defs or ukey not in names_in(body) and not self._reaches(body, ukey):
            return None
        du = self._derivative(body, u, n, scalar)
        ds = self._derivative(rhs, u, n, True)
        if not (self.is_scalar(du.shape) and self.is_scalar(ds.shape)):
            return None
        return T(self.scalar(), lambda b, du=du, ds=ds: b.div(du, ds), True)

    def _reaches(self, body: Node, key: str, depth: int = 0) -> bool:
        """Whether ``body`` uses ``key`` directly or through the document's definitions."""
        if depth > MAX_DEF_DEPTH:
            return False
        for name in names_in(body):
            if name == key:
                return True
            rhs = self.scope.defs.get(name)
            if rhs is not None and self._reaches(rhs, key, depth + 1):
                return True
        return False

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
        if any(k in self.varied for k in keys):
            # d(Z^T C Z) = dZ^T C Z + Z^T C dZ: only the names whose dZ the statement writes vary
            keys = [k for k in keys if k in self.varied]
        infos = [self.syms[k] for k in dict.fromkeys(keys) if k in self.syms and self.syms[k].kind in ("scalar", "matrix")]
        return T(a.shape, lambda b, a=a, infos=infos: b.differential(a, infos))

    # -- structures
    def _tuple(self, n: Node) -> T:
        """``(1, 2)^\\top``, ``\\left(-\\tfrac12, -1\\right)``: a bracketed tuple that reaches an
        expression is a column vector of its (scalar) entries.  An interval never gets here
        (``x \\in (a, b)`` is two inequalities, judge.chain_links); where a tuple meets a scalar
        or a row the shapes do not match and the statement stays undecided."""
        if n.value not in ("()", "[]") or not 1 < len(n.args) <= _MAX_TUPLE:
            raise BindError(f"{_describe_kind(n)} cannot be checked here", n.col)
        if any(x.kind in _NOT_ENTRIES for x in n.args):
            raise BindError(f"{_describe_kind(n)} cannot be checked here", n.col)
        # every entry is a number: (0, 0) is the zero vector of length 2, not a column of blocks
        # (a bare 0 in a matrix may stand for a block; wrapped, it is read as the number)
        cells = tuple((Node("paren", None, (x,), x.col) if x.kind == "num" else x,) for x in n.args)
        self.tuples_read += 1
        return self._matrix(Node("matrix", "pmatrix", cells, n.col), numbers=True)

    def _matrix(self, n: Node, numbers: bool = False) -> T:
        family = None if numbers else self._matrix_family(n)  # written with an ellipsis (indexing.py)
        if family is not None:
            return family
        rows = n.args
        if not rows or any(not r for r in rows) or all(c.kind == "blank" for r in rows for c in r):
            # \begin{bmatrix} \phantom{0} \\ \phantom{0} \end{bmatrix}: a blank for the reader to fill in
            raise BindError("a matrix left blank (entries to fill in) is not modelled", n.col)
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
                    if numbers:  # a tuple's entries are numbers
                        self.unify_shape(t.shape, (Dims.ONE, Dims.ONE), "the entries of a tuple are not numbers", c.col)
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
        elif all(self.dims.is_one(d) for d in rd + cd):
            # a matrix of numbers has as many rows as it is written with (a vector multiplied
            # by it, or beside it, has that size too)
            r_shape = self.dims.const(sp.Integer(len(rd)))
        else:
            r_shape = self.dims.new()
        if len(cd) == 1 and self.dims.is_one(cd[0]):
            c_shape = Dims.ONE
        elif all(self.dims.is_one(d) for d in rd + cd):
            c_shape = self.dims.const(sp.Integer(len(cd)))
        else:
            c_shape = self.dims.new()
        return T((r_shape, c_shape), lambda b, cells=cells, rd=rd, cd=cd, rs=r_shape, cs=c_shape:
                 b.matrix(cells, rd, cd, rs, cs))

    def _sum(self, n: Node) -> T:
        return self._big(n, "sum")

    def _prod(self, n: Node) -> T:
        return self._big(n, "prod")

    def _big(self, n: Node, kind: str) -> T:
        body, var, lo, hi = n.args
        # (limits already bound, T, come from indexing.py's unlimited sums: nothing to unroll)
        unrolled = self._unrolled(n, kind) if var is not None and isinstance(lo, Node) and isinstance(hi, Node) \
            else None
        if unrolled is not None:
            return unrolled
        if var is None or lo is None or hi is None:
            if var is not None and lo is None and hi is None and self.scope.problem is not None:
                rng = self._problem_range(var)
                if rng is not None:
                    lo, hi = rng
            if lo is None and hi is None and var is not None and var.kind == "name":
                return self._big_over_shape(n, kind)  # the range from the shapes it indexes (indexing.py)
            if lo is None or hi is None:
                raise BindError(f"a \\{kind} needs limits (\\{kind}_{{i=1}}^{{n}})", n.col)
        key = to_text(var)
        sym = sp.Symbol(key.lstrip("\\") + "_", integer=True)
        lo_t = lo if isinstance(lo, T) else self.infer(lo)
        if isinstance(hi, Node) and hi.kind == "infinity" and kind == "sum":
            return self._series(n, key, sym, lo_t)
        hi_t = hi if isinstance(hi, T) else self.infer(hi)
        saved = self.local_index.get(key)
        saved_hi = self.index_hi.get(key)
        self.local_index[key] = sym
        if isinstance(lo, Node) and isinstance(hi, Node) and to_text(lo) == "1":
            self.index_hi[key] = to_text(hi)
        else:
            self.index_hi.pop(key, None)
        # the sum's index shadows a rule's index of the same letter (x̂_j = r (x_j - μ) with
        # μ = 1/n Σ_i x_i, expanded at i := j, keeps its own i)
        shadowed = self.local.pop(key, None)
        try:
            t = self.infer(body)
        finally:
            self._restore_index(key, shadowed, saved)
            if saved_hi is None:
                self.index_hi.pop(key, None)
            else:
                self.index_hi[key] = saved_hi
        if kind == "prod":
            self.make_scalar(t.shape, "a product ∏ of matrices", n.col)
        return T(t.shape, lambda b, t=t, s=sym, lo=lo_t, hi=hi_t, k=kind: b.big(k, t, s, lo, hi), t.scalar_hint)

    def _restore_index(self, key: str, shadowed: "T | None", saved: "sp.Symbol | None") -> None:
        """After a sum's or series' body: the name its index shadowed, and the index it hid."""
        if shadowed is not None:
            self.local[key] = shadowed
        if saved is None:
            self.local_index.pop(key, None)
        else:
            self.local_index[key] = saved

    def _series(self, n: Node, key: str, sym: sp.Symbol, lo_t: T) -> T:
        """``\\sum_{k=0}^{\\infty} k \\beta^k``: an infinite series of scalar terms, summed numerically
        where it clearly converges (nodes.Series); elsewhere the statement is undecided."""
        self.make_scalar(lo_t.shape, "the start of a series must be a number", n.col)
        saved, shadowed = self.local_index.get(key), self.local.pop(key, None)
        self.local_index[key] = sym
        try:
            t = self.infer(n.args[0])
        finally:
            self._restore_index(key, shadowed, saved)
        self.make_scalar(t.shape, "an infinite series of vectors or matrices is not summed here", n.col)
        return T(self.scalar(), lambda b, t=t, s=sym, lo=lo_t: Series(b.scalar(t), s, b.scalar(lo)), True)

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


def names_in(n: Node) -> set[str]:
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
        if x.kind == "element":  # (A^T A)_{jk}: the indices are not names of quantities
            stack.append(x.args[0])
            continue
        stack.extend(x.children())
    return out


def _juxt_factors(n: Node) -> list[Node]:
    """The factors of a left-nested juxtaposition a b c (other products stay whole)."""
    if n.kind == "mul" and n.value == "juxt":
        return _juxt_factors(n.args[0]) + [n.args[1]]
    return [n]


def _with_index(n: Node, var: str, k: int) -> Node | None:
    """``n`` with the subscripts equal to ``var`` replaced by the number k; None where ``var`` is
    used anywhere else (as a value, or inside a subscript expression)."""
    if n.kind == "name" and n.args == (None, None) and to_text(n) == var:
        return None
    if n.kind == "name" and n.args[0] is not None and to_text(n.args[0]) == var:
        return Node("name", n.value, (Node("num", str(k), (), n.col), n.args[1]), n.col)
    out = []
    for a in n.args:
        if isinstance(a, Node):
            a = _with_index(a, var, k)
            if a is None:
                return None
        elif isinstance(a, tuple):
            row = tuple(_with_index(x, var, k) if isinstance(x, Node) else x for x in a)
            if any(x is None for x in row):
                return None
            a = row
        out.append(a)
    return Node(n.kind, n.value, tuple(out), n.col)


def _describe_kind(n: Node) -> str:
    return {"tuple": "a list or interval", "set": "a set", "ellipsis": "an ellipsis …", "infinity": "∞",
            "field": "a number field", "chain": "a relation", "rel": "a relation", "dmark": "a d or ∂",
            "text": "text", "blank": "a blank matrix cell"}.get(n.kind, f"'{n.kind}'")


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


def _dim_value(n: Node, dims: dict[str, sp.Symbol]) -> sp.Expr | None:
    """A length written with numbers and declared dimensions (``n - k + 1``) as a SymPy expression;
    None for anything else."""
    if n.kind == "num" and n.value.isdigit() and len(n.value) <= 4:
        return sp.Integer(int(n.value))
    if n.kind == "name" and n.args == (None, None):
        return dims.get(to_text(n))
    if n.kind == "paren":
        return _dim_value(n.args[0], dims)
    if n.kind in ("add", "sub") and len(n.args) == 2:
        a, b = _dim_value(n.args[0], dims), _dim_value(n.args[1], dims)
        if a is None or b is None:
            return None
        return a + b if n.kind == "add" else a - b
    return None
