"""Stage 6, *bind*: indexed notation (a mixin of :class:`~derive.claims.inference.Inference`).

* entries of an expression: ``(A^\\top A)_{jk}``, ``(A^\\top y)_j`` (1-based); ``(\\Sigma^{-1})_{xx}``
  with labels of a matrix the document defines by named blocks (``\\Sigma = [[\\Sigma_{xx},
  \\Sigma_{xy}], ...]``) is that block (:func:`block_layout`); other letters that are not indices:
  not modelled;
* a ``\\sum_i`` / ``\\sum_{i,j}`` without limits: the index runs over the dimension it indexes in the
  summand (``A_{ij}`` of a declared m x n matrix: i in 1..m); nothing fixes it: undecided;
* ``\\max_{i=4..8}``, ``\\min_{1 \\le k \\le n}``, ``\\max_i x_i``: the extremum over an index range;
* families written with an ellipsis: ``\\operatorname{diag}(a_1, \\dots, a_n)``, a column of rows
  ``k_1^\\top; \\vdots; k_n^\\top``, a row of columns ``x_1, \\cdots, x_n``, a ``\\ddots`` diagonal
  (the first and last members fix the pattern; anything else is undecided, with the part not
  understood);
* free dimensions: a name ending such a family with no other meaning is a dimension of its part
  (:func:`ellipsis_lengths`, recorded by the model); ``z_{s,j}`` of a family of rows is an entry of
  z_s, ``\\operatorname{diag}(f(\\sigma_i))`` runs over a written family, ``X = [x_{ij}]`` names X's
  entries (:func:`entry_notation`), a sum restated without limits takes a definition's
  (:func:`stated_limits`);
* ``a \\bmod b``, ``\\dim y`` (a vector's length), ``\\mathrm{KL}(p \\| q)`` between two written
  Gaussians (evaluated by quadrature, derive/claims/kl.py; other distributions: not modelled).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from .latex_parser import Node, script_text, to_text
from .nodes import ExtremumOver, FamilyMatrix
from .scope import BindError, Dims, Shape, T, substitute_name

ENTRY_INDICES = {"i", "j", "k", "l", "m", "r", "s"}  # letters read as running indices of an entry
MAX_WRITTEN_RUN = 400  # members of a family written a_1, \dots, a_{400}


class IndexedNotation:
    """Entries, ranges from shapes, extrema and ellipsis families (methods of Inference)."""

    # provided by Inference
    scope: Any
    dims: Any
    local_index: dict
    index_names: set
    entry_ranges: list
    hypothesis_ranges: dict[str, tuple[Node, Node]]
    range_probe: dict[str, list[int]]
    unfixed: list
    condition_ranges: dict[str, tuple[Node, Node]]

    def _note_index_dims(self, idx: list[Node], shape: Shape) -> None:
        """Indices of an entry: a free one runs over 1..dim (sampled there, not 0..6); a summation
        index without limits learns its range from the dimension it indexes."""
        for x, d in zip(idx, shape):
            if x.kind != "name":
                continue
            key = to_text(x)
            if key in self.range_probe:
                self.range_probe[key].append(d)
            elif key not in self.local_index:
                self.entry_ranges.append((key, d))

    def _index_like(self, x: Node) -> bool:
        key = to_text(x)
        return (x.value in ENTRY_INDICES or x.value in ("p", "q", "\\ell") or key in self.local_index
                or key in self.index_names or key in self.scope.index_symbols or key in self.range_probe)

    def _element(self, n: Node) -> T:
        """``(A^\\top A)_{jk}``: entry (j, k), 1-based, of a matrix expression; ``(A^\\top y)_j`` of a
        vector.  Letters that are not indices (``(\\Sigma^{-1})_{xx}``) name a block."""
        expr, sub = n.args
        idx = list(sub.args) if sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt") else [sub]
        written = script_text(sub)
        if len(idx) > 2:
            raise BindError(f"an entry with {len(idx)} indices (_{{{written}}}) is not understood", n.col)
        # (G^{-1})_{pp} where G is defined by blocks labelled p, q: the labels name a block, even
        # where they are letters an entry's index could be
        block = self._named_block(expr, idx) if len(idx) == 2 else None
        if block is not None:
            return block
        if any(x.kind == "name" and x.args == (None, None) and not self._index_like(x) for x in idx) \
                or any(x.kind == "name" and x.args != (None, None) for x in idx):
            raise BindError(f"a block of a partitioned matrix is not modelled (_{{{written}}})", n.col)
        whole = self.infer(expr)
        if self.is_scalar(whole.shape):
            raise BindError(f"an entry _{{{written}}} of a scalar", n.col)
        if len(idx) == 1 and idx[0].kind == "num" and len(idx[0].value) > 1 \
                and not (self.dims.is_one(whole.shape[0]) or self.dims.is_one(whole.shape[1])):
            raise BindError(f"_{{{written}}} of a matrix: an entry or a block is not told apart", n.col)
        fs = [self.index_expr(x) for x in idx]
        if len(fs) == 1:
            if self.dims.is_one(whole.shape[0]):  # a row vector
                self._note_index_dims(idx, (whole.shape[1],))
                return T(self.scalar(), lambda b, w=whole, f=fs[0]: MatrixElement(b.value(w), 0, f(b) - 1), True)
            self.unify_shape(whole.shape, (whole.shape[0], Dims.ONE), f"_{{{written}}} with one index needs a vector",
                             n.col)
            self._note_index_dims(idx, whole.shape)
            return T(self.scalar(), lambda b, w=whole, f=fs[0]: MatrixElement(b.value(w), f(b) - 1, 0), True)
        self._note_index_dims(idx, whole.shape)
        return T(self.scalar(), lambda b, w=whole, f=fs: MatrixElement(b.value(w), f[0](b) - 1, f[1](b) - 1), True)

    def _named_block(self, expr: Node, idx: list[Node]) -> T | None:
        """``(\\Sigma^{-1})_{xx}``: the block (x, x) of a matrix expression partitioned like a name
        the document defines by named blocks (``\\Sigma = [[\\Sigma_{xx}, \\Sigma_{xy}], [\\Sigma_{yx},
        \\Sigma_{yy}]]``) that the expression uses; the blocks' sizes are those of the definition's.
        It is read as [0 .. I .. 0] E [0 .. I .. 0]^T, so the block of any expression of the joint
        (its inverse, a product) is taken exactly."""
        if not all(x.kind == "name" and x.args == (None, None) for x in idx):
            return None
        used = {to_text(x) for x in expr.walk() if x.kind == "name" and x.args == (None, None)}
        wanted = tuple(to_text(x) for x in idx)
        for key in sorted(used):
            layout = block_layout(self.scope.defs.get(key))
            if layout is None:
                continue
            cells, row_labels, col_labels = layout
            if wanted[0] not in row_labels or wanted[1] not in col_labels:
                continue
            i, j = row_labels.index(wanted[0]), col_labels.index(wanted[1])
            whole = self.infer(expr)
            rows = [self.infer(r[0]).shape[0] for r in cells]
            cols = [self.infer(c).shape[1] for c in cells[0]]

            def build(b: Any, w=whole, rows=rows, cols=cols, i=i, j=j) -> sp.Basic:
                rs, cs = [b.dim(d) for d in rows], [b.dim(d) for d in cols]
                left = sp.BlockMatrix([[sp.Identity(rs[i]) if k == i else sp.ZeroMatrix(rs[i], rs[k])
                                        for k in range(len(rs))]])
                right = sp.BlockMatrix([[sp.Identity(cs[j]) if k == j else sp.ZeroMatrix(cs[k], cs[j])]
                                        for k in range(len(cs))])
                return sp.MatMul(left, b.value(w), right)

            return T((rows[i], cols[j]), build)
        return None

    def _probe_index(self, key: str, body: Node, word: str, n: Node) -> tuple[T, sp.Symbol, list]:
        """Infer ``body`` with ``key`` a running index and collect the dimensions it indexes (the
        range of a \\sum_i or \\max_i written without limits)."""
        if key in self.range_probe or key in self.local_index:
            raise BindError(f"a \\{word} over {key} inside another over {key}", n.col)
        sym = sp.Symbol(key.lstrip("\\") + "_", integer=True)
        self.local_index[key] = sym
        self.range_probe[key] = []
        try:
            t = self.infer(body)
        finally:
            self.local_index.pop(key, None)
            dims = self.range_probe.pop(key)
        return t, sym, dims

    def _big_over_shape(self, n: Node, kind: str) -> T:
        """``\\sum_i`` without limits: i runs over the dimension it indexes in the summand
        (``A_{ij}`` of a declared m x n matrix: 1..m); undecided when nothing fixes it."""
        body, var = n.args[0], n.args[1]
        key = to_text(var)
        if key in self.condition_ranges:  # \sum_i x_i \quad i = 1, \dots, n: the stated range
            lo, hi = self.condition_ranges[key]
            return self._big(Node(n.kind, None, (body, var, lo, hi), n.col), kind)
        stated = stated_limits(n, self.scope)
        if stated is not None:  # y_k = \sum_\ell K_\ell u_{k-\ell} after y_k = \sum_{\ell=0}^{L} K_\ell u_{k-\ell}
            return self._big(Node(n.kind, None, (body, var, stated[0], stated[1]), n.col), kind)
        t, sym, dims = self._probe_index(key, body, kind, n)
        if not dims and key in self.hypothesis_ranges:  # \sum_i x_i after "i = 1, \dots, n"
            lo, hi = self.hypothesis_ranges[key]
            return self._big(Node(n.kind, None, (body, var, lo, hi), n.col), kind)
        low = _index_low(self.scope, key) if not dims and self.scope.horizon is not None else None
        if low is not None:
            # \sum_\ell K_\ell u_{k-\ell} under a problem whose sequences are zero before their start:
            # from the index's lower bound up to the sequences' length (horizon.py)
            lo_t = T(self.scalar(), lambda b, v=low: sp.Integer(v), True)
            hi_t = T(self.scalar(), lambda b, v=self.scope.horizon: v, True)
            return self._big(Node(n.kind, None, (body, var, lo_t, hi_t), n.col), kind)
        if not dims:
            raise BindError(f"a \\{kind} needs limits (\\{kind}_{{i=1}}^{{n}}): nothing fixes the range of {key}",
                            n.col)
        for d in dims[1:]:
            if not self.dims.compatible(dims[0], d):
                raise BindError(f"the index {key} of a \\{kind} runs over dimensions of different sizes", n.col)
            self.dims.unify(dims[0], d)
        if kind == "prod":
            self.make_scalar(t.shape, "a product ∏ of matrices", n.col)
        lo = T(self.scalar(), lambda b: sp.Integer(1), True)
        hi = T(self.scalar(), lambda b, d=dims[0]: b.dim(d), True)
        return T(t.shape, lambda b, t=t, s=sym, lo=lo, hi=hi, k=kind: b.big(k, t, s, lo, hi), t.scalar_hint)

    def _call_more(self, name: str, args: list[Node], order: int, n: Node) -> T:
        """a \\bmod b, \\dim y, \\mathrm{KL}(p \\| q), \\operatorname{diag}(a_1, \\dots, a_n)."""
        if order:
            raise BindError(f"\\{name}' is not understood", n.col)
        if name in ("KL", "kl", "D"):
            return self._kl(args, n)
        if name == "mod":
            if len(args) != 2:
                raise BindError("mod takes two arguments", n.col)
            ts = [self.infer(a) for a in args]
            for t in ts:
                self.make_scalar(t.shape, "mod of matrices", n.col)
            return T(self.scalar(), lambda b, ts=ts: sp.Mod(b.scalar(ts[0]), b.scalar(ts[1]), evaluate=False), True)
        if name == "dim":
            if len(args) != 1:
                raise BindError("\\dim takes one argument", n.col)
            a = self.infer(args[0])
            if self.is_scalar(a.shape) or not (self.dims.is_one(a.shape[0]) or self.dims.is_one(a.shape[1])):
                raise BindError("\\dim of a matrix or scalar is not modelled (only a vector's length)", n.col)
            d = a.shape[1] if self.dims.is_one(a.shape[0]) else a.shape[0]
            # the length of a vector nothing sizes is no number to compare: the statement must fix it
            self.unfixed.append((d, f"the length of {to_text(args[0])} is not fixed in the document", n.col))
            return T(self.scalar(), lambda b, d=d: b.dim(d), True)
        return self._diag_family(args, n)

    def _kl(self, args: list[Node], n: Node) -> T:
        """KL(N(m_1, v_1) || N(m_2, v_2)) of two written Gaussians (scalars, or mean vectors with
        covariance matrices that must be diagonal when sampled): evaluated by quadrature in
        derive/claims/kl.py, never by its closed form.  Anything else (KL(q || p) of named
        distributions) is not modelled."""
        from .kl import KLGaussian
        from .probability import ambiguous_scale, distribution

        dists = [distribution(a) for a in args] if len(args) == 2 else []
        if len(dists) != 2 or any(d is None or d.family != "normal" for d in dists):
            raise BindError("a KL divergence between distributions is not modelled "
                            "(only between two written Gaussians)", n.col)
        for d in dists:
            ambiguous = ambiguous_scale(d)
            if ambiguous is not None:
                raise BindError(ambiguous, n.col)
        (m1, v1), (m2, v2) = [[self.infer(p) for p in d.params] for d in dists]
        for d in dists:
            scale = d.params[1]
            if scale.kind == "pow" and to_text(scale.args[1]) == "2" and scale.args[0].kind == "name":
                # N(m, \tau^2): \tau is a standard deviation, positive (a family \tau_k: all its members)
                self._mark_positive(scale.args[0])
                info = self.syms.get(scale.args[0].value or "")
                if info is not None and info.kind == "seq":
                    info.positive = True
        zero_mean = [d.params[0].kind == "num" and d.params[0].value == "0" or to_text(d.params[0]) in (
            "\\mathbf{0}", "\\boldsymbol{0}", "\\bm{0}", "0") for d in dists]
        if any(zero_mean) and not all(zero_mean):  # N(\mathbf{0}, I_d) beside N(\boldsymbol\mu, ...): a zero vector
            other = m2 if zero_mean[0] else m1
            zero = T(other.shape, lambda b, s=other.shape: b.zero(s[0], s[1]), other.scalar_hint)
            m1, m2 = (zero, m2) if zero_mean[0] else (m1, zero)
        if all(self.is_scalar(t.shape) for t in (m1, v1, m2, v2)):
            return T(self.scalar(), lambda b, ts=(m1, v1, m2, v2): KLGaussian(*(b.scalar(t) for t in ts)), True)
        self.unify_shape(m1.shape, m2.shape, "the means of a KL divergence", n.col)
        self.unify_shape(v1.shape, v2.shape, "the covariances of a KL divergence", n.col)
        self.unify_shape((m1.shape[0], m1.shape[0]), v1.shape, "a Gaussian's mean and covariance", n.col)
        return T(self.scalar(), lambda b, ts=(m1, v1, m2, v2): KLGaussian(*(b.value(t) for t in ts)), True)

    def _diag_family(self, args: list[Node], n: Node) -> T:
        """\\operatorname{diag}(a_1, \\dots, a_n): the diagonal matrix of one family's members, the
        index running from the first written member to the last; written out in full, the
        diagonal of the entries given."""
        if not any(a.kind == "ellipsis" for a in args):
            ts = [self.infer(a) for a in args]
            for t in ts:
                self.make_scalar(t.shape, "diag(...) of matrices", n.col)
            return T((self.dims.const(sp.Integer(len(ts))), self.dims.const(sp.Integer(len(ts)))),
                     lambda b, ts=ts: sp.ImmutableMatrix(sp.diag(*[b.scalar(t) for t in ts])))
        member, sym, first, hi, size = self._family(args, n, "diag(...)")
        self.make_scalar(member.shape, "diag(...) of a family of vectors or matrices", n.col)
        return T((size, size), lambda b, m=member, s=sym, a=first, hi=hi:
                 FamilyMatrix("diag", b.scalar(m), s, sp.Integer(a), b.scalar(hi)))

    def _implicit_diag(self, arg: Node, n: Node) -> T | None:
        key_hi = implicit_diag_index(arg, self.scope)
        if key_hi is None or key_hi[0] in self.local_index or key_hi[0] in self.range_probe:
            return None
        return self._diag_over(arg, key_hi[0], key_hi[1], n)

    def _diag_over(self, arg: Node, key: str, hi: str, n: Node) -> T:
        """``\\operatorname{diag}(\\frac{\\sigma_i^2}{\\sigma_i^2 + \\lambda})`` with \\sigma_1, \\dots, \\sigma_m written
        before: the diagonal matrix over i = 1..m (the one index the members carry, bound nowhere
        else); None where the argument is not one such family."""
        t, sym, _dims = self._probe_index(key, arg, "diag", n)
        self.make_scalar(t.shape, "diag(...) of a family of vectors or matrices", n.col)
        size = self._named_dim(self.scope.dim_symbols[hi])
        last = T(self.scalar(), lambda b, s=self.scope.dim_symbols[hi]: s, True)
        return T((size, size), lambda b, m=t, s=sym, hi=last:
                 FamilyMatrix("diag", b.scalar(m), s, sp.Integer(1), b.scalar(hi)))

    def _family(self, written: list[Node], n: Node, what: str):
        """A run ``a_1, \\dots, a_n`` (members may be transposed: ``k_1^\\top``): the member for a bound
        index symbol, the symbol, the first index, the last (typed) and the run's length class."""
        fam = _family_run(written)
        if fam is None:
            raise BindError(f"an ellipsis in {what} cannot be checked here: the entries written are not one "
                            "family indexed from the first to the last", n.col)
        template, lo, hi = fam
        if _FAMILY_INDEX in self.local_index:
            raise BindError(f"an ellipsis in {what} inside another family is not understood", n.col)
        sym = sp.Symbol("family_index_", integer=True)
        self.local_index[_FAMILY_INDEX] = sym
        try:
            member = self.infer(template)
        finally:
            self.local_index.pop(_FAMILY_INDEX, None)
        first = int(lo.value)
        if hi.kind == "num" and hi.value.isdigit() and first <= int(hi.value) <= first + MAX_WRITTEN_RUN:
            size = self.dims.const(sp.Integer(int(hi.value) - first + 1))
        elif first == 1 and hi.kind == "name" and to_text(hi) in self.scope.dim_symbols:
            size = self._named_dim(self.scope.dim_symbols[to_text(hi)])
        else:
            raise BindError(f"an ellipsis in {what} cannot be checked here: its length ({script_text(hi)}) is "
                            "not a declared dimension", n.col)
        return member, sym, first, self.infer(hi), size

    def _matrix_family(self, n: Node) -> T | None:
        """A matrix written with an ellipsis: a column of rows ``k_1^\\top; \\vdots; k_n^\\top`` (the matrix
        whose rows are the family), a row of columns ``x_1, \\cdots, x_n``, or a diagonal
        ``a_1, \\ddots, a_n`` with blank or 0 entries off the diagonal."""
        rows = n.args
        cells = [c for r in rows for c in r]
        if not any(c.kind == "ellipsis" for c in cells):
            return None
        if all(len(r) == 1 for r in rows):
            member, sym, first, hi, size = self._family([r[0] for r in rows], n, "a matrix")
            if self.is_scalar(member.shape):  # a column of scalars: a vector
                return T((size, Dims.ONE), lambda b, m=member, s=sym, a=first, hi=hi:
                         FamilyMatrix("rows", b.value(m), s, sp.Integer(a), b.scalar(hi)))
            self.unify_shape(member.shape, (Dims.ONE, member.shape[1]), "the rows of a matrix must be row vectors",
                             n.col)
            return T((size, member.shape[1]), lambda b, m=member, s=sym, a=first, hi=hi:
                     FamilyMatrix("rows", b.value(m), s, sp.Integer(a), b.scalar(hi)))
        if len(rows) == 1:
            member, sym, first, hi, size = self._family(list(rows[0]), n, "a matrix")
            if not self.is_scalar(member.shape):
                self.unify_shape(member.shape, (member.shape[0], Dims.ONE),
                                 "the columns of a matrix must be column vectors", n.col)
            return T((member.shape[0], size), lambda b, m=member, s=sym, a=first, hi=hi:
                     FamilyMatrix("cols", b.value(m), s, sp.Integer(a), b.scalar(hi)))
        k = len(rows)
        if all(len(r) == k for r in rows) and all(
                (c.kind == "blank" or (c.kind == "num" and c.value == "0")) == (i != j)
                for i, r in enumerate(rows) for j, c in enumerate(r)):
            return self._diag_family([rows[i][i] for i in range(k)], n)
        raise BindError("an ellipsis in a matrix cannot be checked here: only a column of rows, a row of "
                        "columns or a diagonal of one family is understood", n.col)

    def _family_member(self, n: Node) -> T | None:
        """A member of a family the document wrote with an ellipsis (``z_1, \\dots, z_m``): ``z_s`` under a
        \\sum_s without limits gives s the run 1..m; ``z_{s,j}`` is entry j of the vector z_s.  None
        where the usual reading of the name applies."""
        sub = n.args[0]
        alias = self.scope.entry_alias.get(n.value)
        if alias is not None and sub is not None and n.args[1] is None and (
                sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt")) and len(sub.args) == 2:
            # X = [x_{ij}] was written: x_{ij} is entry (i, j) of X
            return self._element(Node("element", None, (Node("name", alias, (None, None), n.col), sub), n.col))
        runs = self.scope.family_runs
        if n.value not in runs or sub is None or n.args[1] is not None or n.value in self.scope.defs \
                or n.value in self.scope.declared:
            return None
        idx = list(sub.args) if sub.kind == "tuple" else [sub]
        first = idx[0]
        key = to_text(first)
        if first.kind == "name" and first.args == (None, None) and key in self.range_probe \
                and runs[n.value] in self.scope.dim_symbols:
            self.range_probe[key].append(self._named_dim(self.scope.dim_symbols[runs[n.value]]))
        if len(idx) == 2 and idx[1].kind == "name" and idx[1].args == (None, None) and self._index_like(idx[1]):
            member = Node("name", n.value, (first, None), n.col)
            return self._element(Node("element", None, (Node("paren", None, (member,), n.col), idx[1]), n.col))
        return None

    def _extremum(self, n: Node) -> T:
        """``\\max_{i=4..8} f(i)``: the largest value over an index range with numeric ends;
        ``\\max_i x_i`` over the dimension the index runs through."""
        body, var, lo, hi = n.args
        word = n.value.lstrip("\\")
        if word in ("argmin", "argmax"):
            raise BindError(f"an {word} is an optimisation; it is not evaluated here", n.col)
        if var.kind != "name" or var.args != (None, None):
            raise BindError(f"a \\{word} over {script_text(var)} is not understood (write an index range)", n.col)
        t, sym, dims = self._probe_index(to_text(var), body, word, n)
        self.make_scalar(t.shape, f"a \\{word} of matrices", n.col)
        if lo is not None and hi is not None:
            lo_t, hi_t = self.infer(lo), self.infer(hi)
        elif dims and all(self.dims.compatible(dims[0], d) for d in dims):
            for d in dims[1:]:
                self.dims.unify(dims[0], d)
            lo_t = T(self.scalar(), lambda b: sp.Integer(1), True)
            hi_t = T(self.scalar(), lambda b, d=dims[0]: b.dim(d), True)
        else:
            raise BindError(f"a \\{word} needs an index range (\\{word}_{{1 \\le i \\le n}})", n.col)
        return T(self.scalar(), lambda b, t=t, s=sym, lo=lo_t, hi=hi_t, w=word:
                 ExtremumOver(w, b.scalar(t), s, b.scalar(lo), b.scalar(hi)), True)


_FAMILY_INDEX = "\\family"  # the running index of a family written with an ellipsis


def _family_run(args: list[Node]):
    """``a_1, \\dots, a_n``, ``a_1, a_2, \\dots, a_n``, ``k_1^\\top q, \\dots, k_n^\\top q``: (template, first
    index, last index) when the first and last members differ only in subscripts, all 1 (a number)
    in the first and all the same expression in the last, around one ellipsis, with any members
    written between them the template at first + 1, first + 2, ...; the template has the name
    :data:`_FAMILY_INDEX` where the index runs.  Else None."""
    dots = [i for i, a in enumerate(args) if a.kind == "ellipsis"]
    if len(dots) != 1 or dots[0] == 0 or dots[0] != len(args) - 2:
        return None
    members = [a for a in args if a.kind != "ellipsis"]
    pairs: list[tuple[str, str]] = []
    template = _template(members[0], members[-1], pairs)
    if template is None or not pairs or len({p for p in pairs}) != 1:
        return None
    lo_text, hi_text = pairs[0]
    if not lo_text.isdigit():
        return None
    lo = Node("num", lo_text, (), members[0].col)
    hi = next(x.args[slot] for x in members[-1].walk() if x.kind == "name"
              for slot in (0, 1) if x.args[slot] is not None and to_text(x.args[slot]) == hi_text)
    for k, m in enumerate(members[1:-1], 1):  # a_1, a_2, \\dots: the written ones are consecutive
        at = substitute_name(template, _FAMILY_INDEX, Node("num", str(int(lo_text) + k), (), m.col))
        if to_text(at) != to_text(m):
            return None
    return template, lo, hi


def family_key(members: list[Node]) -> str | None:
    """``x_1, \\dots, x_n`` -> ``x``, ``x^{(1)}, \\dots, x^{(m)}`` -> ``x``: the key a member of the family
    is read under (the name without its running index), when the members are one name's family."""
    fam = _family_run(members) if len(members) <= 2 * MAX_WRITTEN_RUN else None
    if fam is None or fam[0].kind != "name":
        return None
    template = fam[0]
    slots = tuple(None if isinstance(a, Node) and a.kind == "name" and a.value == _FAMILY_INDEX else a
                  for a in template.args)
    if slots == template.args:
        return None
    return to_text(Node("name", template.value, slots, template.col))


def _template(a: Node, b: Node, pairs: list[tuple[str, str]]) -> Node | None:
    """``a`` with the subscripts where it differs from ``b`` replaced by the running index (their
    spellings in ``pairs``), or None where they differ elsewhere."""
    if a.kind != b.kind or a.value != b.value or len(a.args) != len(b.args) or len(pairs) > 16:
        return None
    if a.kind == "name":
        out = []
        for x, y in zip(a.args, b.args):
            if (x is None) != (y is None):
                return None
            if x is None or to_text(x) == to_text(y):
                out.append(x)
                continue
            pairs.append((to_text(x), to_text(y)))
            out.append(Node("name", _FAMILY_INDEX, (None, None), x.col))
        return Node("name", a.value, tuple(out), a.col)

    def walk(x: Any, y: Any) -> Any:
        if isinstance(x, Node) and isinstance(y, Node):
            return _template(x, y, pairs)
        if isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y):
            items = [walk(p, q) for p, q in zip(x, y)]
            return None if any(i is None for i, p in zip(items, x) if p is not None) else tuple(items)
        return x if x == y else None

    args = []
    for x, y in zip(a.args, b.args):
        t = walk(x, y)
        if t is None and x is not None:
            return None
        args.append(t)
    return Node(a.kind, a.value, tuple(args), a.col)


def condition_ranges(cond: Node | None) -> dict[str, tuple[Node, Node]]:
    """Index ranges a statement's condition states (``1 \\le i \\le n``, ``i = 1, \\dots, n``):
    name -> (first, last); ``<`` moves the end by one."""
    out: dict[str, tuple[Node, Node]] = {}
    if cond is None or cond.kind != "chain":
        return out
    items, ops = cond.args
    if len(items) == 3 and tuple(ops) in (("<=", "<="), ("<", "<="), ("<=", "<"), ("<", "<")) \
            and items[1].kind == "name" and items[1].args == (None, None):
        one = Node("num", "1", (), cond.col)
        lo = items[0] if ops[0] == "<=" else Node("add", None, (items[0], one), cond.col)
        hi = items[2] if ops[1] == "<=" else Node("sub", None, (items[2], one), cond.col)
        out[to_text(items[1])] = (lo, hi)
    return out


def ellipsis_lengths(tree: Node) -> dict[str, set[tuple[str, bool]]]:
    """Names that end a family written from 1 with an ellipsis (``a_1, \\dots, a_n`` in a diag(...),
    a list, a column of rows, a row of columns, a diagonal or a chain ``\\sigma_1 > \\dots > \\sigma_m``),
    each with the families it ends (``a``) and whether their members are numbers (a list, a diagonal,
    a chain: not a column of rows): the document uses such a name as a length, so it is a dimension
    where nothing else gives it a meaning (derive/claims/model.py), and the family's members are
    numbered 1..n."""
    out: dict[str, set[tuple[str, bool]]] = {}
    for node in tree.walk():
        for run, scalar in _runs(node):
            fam = _family_run(run) if len(run) <= 2 * MAX_WRITTEN_RUN else None
            if fam is None:
                continue
            template, lo, hi = fam
            if lo.value == "1" and hi.kind == "name" and hi.args == (None, None):
                out.setdefault(to_text(hi), set()).update(
                    (x.value, scalar) for x in template.walk() if x.kind == "name" and x.args[1] is None
                    and isinstance(x.args[0], Node) and x.args[0].value == _FAMILY_INDEX)
    return out


def _runs(node: Node) -> list[tuple[list[Node], bool]]:
    """The lists of written members in one node that may hold an ellipsis, each with whether its
    members are numbers."""
    if node.kind in ("call", "tuple"):
        # x_1, \\dots, x_n \\in \\mathbb{R}^d declares members of any shape; a list's members are numbers
        numbers = not (node.kind == "tuple" and node.value == "members")
        return [([a for a in node.args[1 if node.kind == "call" else 0:] if isinstance(a, Node)], numbers)]
    if node.kind == "chain":  # 0 < x_1 < \\dots < x_n: the members around each ellipsis
        items = list(node.args[0])
        return [(items[i - 1:i + 2], True) for i, a in enumerate(items)
                if a.kind == "ellipsis" and 0 < i < len(items) - 1]
    if node.kind == "matrix":
        rows = [list(r) for r in node.args]
        if all(len(r) == 1 for r in rows):
            return [([r[0] for r in rows], False)]
        if len(rows) == 1:
            return [(rows[0], False)]
        if all(len(r) == len(rows) for r in rows):
            return [([rows[i][i] for i in range(len(rows))], True)]
    return []


def entry_notation(tree: Node) -> tuple[Node, str] | None:
    """``X = [x_{ij}]``, ``X = [x_{ij}]_{m \\times n}``, ``X = (x_{ij})``: the statement names X's entries
    x_ij (the matrix and its entry family); None for anything else."""
    if tree.kind != "chain" or tuple(tree.args[1]) != ("=",):
        return None
    lhs, rhs = tree.args[0]
    sized = rhs.kind == "element"
    if sized:  # [x_{ij}]_{m \\times n}: the size written as a subscript
        rhs = rhs.args[0]
    if lhs.kind != "name" or lhs.args != (None, None) or rhs.kind not in ("tuple", "paren") + (("name",) if sized else ()):
        return None
    inner = [rhs] if rhs.kind == "name" else [a for a in rhs.args if isinstance(a, Node)]
    if len(inner) != 1 or inner[0].kind != "name" or inner[0].args[1] is not None or inner[0].value == lhs.value:
        return None
    sub = inner[0].args[0]
    idx = list(sub.args) if sub is not None and (sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt")) \
        else [sub]
    if len(idx) != 2 or not all(isinstance(x, Node) and x.kind == "name" and x.args == (None, None)
                                and x.value in ENTRY_INDICES for x in idx) or to_text(idx[0]) == to_text(idx[1]):
        return None
    return lhs, inner[0].value


def _index_low(scope: Any, key: str) -> int | None:
    """The lower bound of the problem's index spelled ``key``; None where it is no index of it."""
    sym = scope.index_symbols.get(key)
    if sym is None or scope.problem is None or sym == scope.horizon:
        return None
    try:
        return scope.problem.index(sym).low
    except KeyError:
        return None


def stated_limits(n: Node, scope: Any) -> tuple[Node, Node] | None:
    """The limits of the same sum (same index, same summand) where a definition in scope writes it
    with limits: a sum restated without them runs over the range stated there.  None where no
    definition writes it, or two write it over different ranges."""
    body, var = to_text(n.args[0]), to_text(n.args[1])
    found: dict[tuple[str, str], Node] = {}
    rhss = list(scope.defs.values()) + [p[3] for p in scope.def_patterns]
    for rhs in rhss[:256]:
        for x in rhs.walk():
            if x.kind == n.kind and len(x.args) == 4 and x.args[2] is not None and x.args[3] is not None \
                    and to_text(x.args[1]) == var and to_text(x.args[0]) == body:
                found[(to_text(x.args[2]), to_text(x.args[3]))] = x
    if len(found) != 1:
        return None
    x = next(iter(found.values()))
    return x.args[2], x.args[3]


def implicit_diag_index(arg: Node, scope: Any) -> tuple[str, str] | None:
    """The index k and the length n of ``\\operatorname{diag}(f(\\rho_k))`` where the family was written
    ``\\rho_1, \\dots, \\rho_n`` (the one index its members carry, given no other meaning); else None."""
    runs = scope.family_runs
    members = [x for x in arg.walk() if x.kind == "name" and x.value in runs and x.args[1] is None
               and isinstance(x.args[0], Node) and x.args[0].kind == "name" and x.args[0].args == (None, None)]
    keys = {to_text(x.args[0]) for x in members}
    his = {runs[x.value] for x in members}
    if len(keys) != 1 or len(his) != 1:
        return None
    key, hi = keys.pop(), his.pop()
    if key in scope.defs or key in scope.dim_symbols or key in scope.index_symbols or hi not in scope.dim_symbols:
        return None
    return key, hi


def implicit_diag_indices(tree: Node, scope: Any) -> set[str]:
    """The indices bound by ``\\operatorname{diag}(f(\\rho_k))`` over a written family (see above)."""
    out = set()
    for x in tree.walk():
        if x.kind == "call" and len(x.args) == 2 and x.args[0].kind == "func" and x.args[0].value in (
                "\\diag", "diag", "\\operatorname{diag}"):
            found = implicit_diag_index(x.args[1], scope)
            if found is not None:
                out.add(found[0])
    return out


def block_layout(rhs: Node | None) -> tuple[list[list[Node]], list[str], list[str]] | None:
    """A matrix written as named blocks of one name, ``[[M_{ab}, M_{ac}], [M_{db}, M_{dc}]]``:
    its cells, the row labels (a, d) and the column labels (b, c); None for anything else (a
    matrix of numbers, blocks of different names, labels that do not line up)."""
    if rhs is None or rhs.kind != "matrix" or len(rhs.args) < 2:
        return None
    cells = [list(r) for r in rhs.args]
    width = len(cells[0])
    if width < 2 or any(len(r) != width for r in cells):
        return None
    base = None
    labels: list[list[tuple[str, str]]] = []
    for r in cells:
        row = []
        for c in r:
            if c.kind != "name" or c.args[1] is not None or c.args[0] is None:
                return None
            sub = c.args[0]
            parts = list(sub.args) if sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt") else []
            if len(parts) != 2 or not all(isinstance(x, Node) and x.kind == "name" for x in parts):
                return None
            if base is None:
                base = c.value
            elif c.value != base:
                return None
            row.append((to_text(parts[0]), to_text(parts[1])))
        labels.append(row)
    row_labels = [r[0][0] for r in labels]
    col_labels = [lab[1] for lab in labels[0]]
    if any(lab != (row_labels[i], col_labels[j]) for i, r in enumerate(labels) for j, lab in enumerate(r)):
        return None
    if len(set(row_labels)) != len(row_labels) or len(set(col_labels)) != len(col_labels):
        return None
    return cells, row_labels, col_labels
