"""SymPy nodes the catalogue needs that SymPy lacks: sequence elements and matrix sums.

SymPy cannot multiply a matrix into a ``Sum`` of matrix expressions and has no notion of
a matrix-valued sequence ``x_k``.  Both are needed to unroll a recurrence and prove its
pattern by induction for a *symbolic* index, so they live here as small ``MatrixExpr``
subclasses; the rewriting rules that act on them are in :mod:`derive.sums`.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.sympify import _sympify
from sympy.matrices.expressions.matexpr import MatrixExpr


def seq(name: str, index: sp.Expr) -> sp.Expr:
    """A scalar sequence element ``name(index)``, e.g. ``c(k)`` for rsolve."""
    return sp.Function(name)(index)


class MatSeq(MatrixExpr):
    """Element ``index`` of a matrix-valued sequence, e.g. the state ``x_k`` (n x 1).

    ``MatSeq("x", k, n, 1)``.  Substituting the index (``.subs(k, k + 1)``) gives the next
    element; numerically it is looked up in an instance's sequences by name.
    """

    def __new__(cls, name: str | sp.Symbol, index: sp.Expr, rows: sp.Expr, cols: sp.Expr):
        name = sp.Symbol(name) if isinstance(name, str) else name
        return super().__new__(cls, name, _sympify(index), _sympify(rows), _sympify(cols))

    @property
    def seq_name(self) -> str:
        return self.args[0].name

    @property
    def index(self) -> sp.Expr:
        return self.args[1]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return (self.args[2], self.args[3])

    def _eval_transpose(self):
        return None

    def doit(self, **hints):
        return self

    @property
    def free_symbols(self):
        return self.index.free_symbols | self.args[2].free_symbols | self.args[3].free_symbols


class MatSum(MatrixExpr):
    """``Sum_{j=a}^{b} term(j)`` for a matrix-valued ``term``.

    ``doit()`` expands the sum when ``b - a`` is a concrete integer; otherwise it stays a
    node the rules in :mod:`derive.sums` rewrite (push a factor in, absorb a term, reindex).
    An empty range (b < a) is the zero matrix.
    """

    def __new__(cls, term: sp.Basic, limits: tuple[sp.Symbol, sp.Expr, sp.Expr]):
        j, a, b = limits
        return super().__new__(cls, term, sp.Tuple(j, _sympify(a), _sympify(b)))

    @property
    def term(self) -> sp.Basic:
        return self.args[0]

    @property
    def limits(self) -> tuple[sp.Symbol, sp.Expr, sp.Expr]:
        j, a, b = self.args[1]
        return j, a, b

    @property
    def shape(self):
        return self.term.shape

    @property
    def free_symbols(self):
        j, a, b = self.limits
        return (self.term.free_symbols - {j}) | a.free_symbols | b.free_symbols

    def _eval_subs(self, old, new):
        j = self.limits[0]
        if old == j:
            return self
        return None

    def doit(self, **hints):
        j, a, b = self.limits
        count = sp.expand(b - a + 1)
        term = self.term.doit(**hints) if hints.get("deep", True) else self.term
        if count.is_Integer:
            if count <= 0:
                return sp.ZeroMatrix(*self.shape)
            return sp.MatAdd(*[term.subs(j, a + i) for i in range(int(count))]).doit()
        return MatSum(term, (j, a, b))

    def _eval_transpose(self):
        j, a, b = self.limits
        return MatSum(sp.Transpose(self.term).doit(), (j, a, b))
