"""Stage 6, *bind*: operators of machine-learning notes (a mixin of
:class:`~derive.claims.inference.Inference`).

* ``\\operatorname{ReLU}``, ``\\mathrm{relu}``, ``\\operatorname{sigmoid}``: other spellings of the
  elementwise functions :data:`~derive.claims.nodes.FUNCTION_ALIASES` names (a function the document defines itself
  keeps the document's meaning);
* ``\\max(0, s)`` / ``\\min(a, b)`` with a vector or matrix argument: entry by entry, a scalar
  argument broadcast (:class:`~derive.claims.nodes.Elementwise`);
* ``\\mathbb{1}[s > 0]``, ``\\mathbf{1}\\{s \\ge c\\}`` of a vector: the indicator vector (1 where the
  comparison holds); only ``<``, ``\\le``, ``>``, ``\\ge`` are read entry by entry;
* ``A \\otimes B``: the Kronecker product (:class:`~derive.claims.nodes.Kron`), of factors whose
  sizes the statement knows (declared, or fixed by a written size such as ``I_p``);
* ``\\operatorname{vec}(X)``: X's columns stacked (:class:`~derive.claims.nodes.Vec`).

Each is evaluated numerically on the sampled instances; the symbolic prover leaves them alone.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .latex_parser import Node
from .nodes import Elementwise, Kron, Vec
from .scope import BindError, T

_ENTRYWISE_COMPARISONS = {"<", "<=", ">", ">="}  # an indicator of vectors: [s = t] entry by entry is not read


class MLOperators:
    """Elementwise extrema and indicators, Kronecker products, vec (methods of Inference)."""

    # provided by Inference
    dims: Any

    def _elementwise_extremum(self, name: str, ts: list[T], n: Node) -> T | None:
        """``\\max(0, s)`` of a vector s: entry by entry; None when every argument is a scalar."""
        mats = [t for t in ts if not self.is_scalar(t.shape)]
        if not mats:
            return None
        if len(ts) != 2:
            raise BindError(f"\\{name} of vectors takes two arguments (entry by entry)", n.col)
        a, c = ts
        if mats[0] is c:
            a, c = c, a  # the matrix first: a scalar is broadcast
        if not self.is_scalar(c.shape):
            self.unify_shape(a.shape, c.shape, f"the arguments of \\{name} entry by entry have different shapes",
                             n.col)
        return T(a.shape, lambda b, a=a, c=c, op=name: Elementwise(op, b.value(a), b.value(c)))

    def _entrywise_indicator(self, n: Node, a: T, c: T) -> T | None:
        """``\\mathbb{1}[s > 0]`` of a vector s (or of two vectors of one shape): the 0/1 vector."""
        if self.is_scalar(a.shape) and self.is_scalar(c.shape):
            return None
        if n.value not in _ENTRYWISE_COMPARISONS:
            raise BindError(f"an indicator [a {n.value} b] of vectors is not read entry by entry", n.col)
        op = n.value
        if self.is_scalar(a.shape):  # [0 < s] is [s > 0]
            a, c = c, a
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op]
        if not self.is_scalar(c.shape):
            self.unify_shape(a.shape, c.shape, "an indicator of vectors compares equal shapes", n.col)
        return T(a.shape, lambda b, a=a, c=c, op=op: Elementwise(op, b.value(a), b.value(c)))

    def _kron(self, a: T, c: T, n: Node) -> T:
        """``A \\otimes B``: sizes multiply, so each factor's sizes must be known here."""
        if self.is_scalar(a.shape) or self.is_scalar(c.shape):
            return self._product(a, c, n)
        sizes = [self._known_size(d) for d in (*a.shape, *c.shape)]
        if any(s is None for s in sizes):
            raise BindError("a Kronecker product of factors whose sizes the document does not declare", n.col)
        r1, c1, r2, c2 = sizes
        shape = (self.dims.const(r1 * r2), self.dims.const(c1 * c2))
        return T(shape, lambda b, a=a, c=c: Kron(self._as_matrix(b, a), self._as_matrix(b, c)))

    def _vec(self, args: list[Node], order: int, n: Node) -> T:
        """``\\operatorname{vec}(X)``: the mn-vector of X's columns."""
        if order or len(args) != 1:
            raise BindError("vec takes one matrix argument", n.col)
        a = self.infer(args[0])
        if self.is_scalar(a.shape):
            return a
        rows, cols = self._known_size(a.shape[0]), self._known_size(a.shape[1])
        if rows is None or cols is None:
            raise BindError("vec of a matrix whose size the document does not declare", n.col)
        shape = (self.dims.const(rows * cols), self.scalar()[1])
        return T(shape, lambda b, a=a: Vec(self._as_matrix(b, a)))

    def _known_size(self, d: int) -> sp.Expr | None:
        return self.dims.value[self.dims.find(d)]

    @staticmethod
    def _as_matrix(b: Any, t: T) -> sp.Basic:
        """A factor's SymPy value as a matrix (a 1 x 1 block stays a matrix)."""
        v = t.build(b)
        if getattr(v, "is_Matrix", False) or isinstance(v, sp.MatrixBase):
            return v
        return sp.ImmutableMatrix([[v]])
