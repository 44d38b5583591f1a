"""Shape inference shared by the matrix-calculus language (derive.matcalc) and the document
checker (derive.claims).

A shape is a pair ``(rows, cols)`` of dimension classes. Classes live in :class:`Dims`, a
union-find whose class may carry a size (a number or a SymPy symbol such as ``n``); operators
unify the classes their operands must share (the inner dimensions of a product, both of a sum)
instead of checking sizes after the fact, so ``x^\\top A x`` fixes A square and x's length from
whichever of them is known first. The operator rules below are the ones both readers use; each
reader keeps what is its own (matcalc tells a true scalar from a 1x1 matrix, the checker reads
elementwise shorthands) and calls these for the rest.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.sympify import _sympify  # strict: never parses a string


class ShapeMismatch(Exception):
    """Two shapes that cannot fit together."""


Shape = tuple[int, int]


class Dims:
    """Union-find over dimension classes; a class may be bound to a size."""

    ONE = 0
    # the exception unify raises; a reader may set its own (the checker's ShapeError is a
    # BindError, so a clash there makes the reading undecided, not an internal error)
    error: type[Exception] = ShapeMismatch

    def __init__(self) -> None:
        self.parent: list[int] = [0]
        self.value: list[Any] = [sp.Integer(1)]
        # a rigid class is the size of a named vector or matrix: under a generic hypothesis
        # it may never be forced to 1 (that would turn "x y" of two vectors into a product
        # of 1-vectors instead of trying the next hypothesis); sizes of I, 0 and 1 blocks
        # are flexible
        self.rigid: list[bool] = [False]
        self.clash: tuple[Any, Any] | None = None
        self.names: dict[str, int] = {}  # named classes ("W.rows"), in the order they were made

    def new(self, value: Any = None, rigid: bool = False) -> int:
        self.parent.append(len(self.parent))
        self.value.append(value)
        self.rigid.append(rigid)
        return len(self.parent) - 1

    def const(self, value: Any) -> int:
        value = _sympify(value)
        if value == 1:
            return self.ONE
        for i in range(len(self.parent)):
            if self.parent[i] == i and self.value[i] == value:
                return i
        return self.new(value)

    def var(self, name: str) -> int:
        """The class called ``name``, made on first use."""
        if name not in self.names:
            self.names[name] = self.new()
        return self.names[name]

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def size(self, a: int) -> Any:
        """The class's size, or None while it is free."""
        return self.value[self.find(a)]

    def is_one(self, a: int) -> bool:
        return self.find(a) == self.find(self.ONE)

    def unify(self, a: int, b: int, what: str = "dimensions") -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        va, vb = self.value[ra], self.value[rb]
        if va is not None and vb is not None and va != vb:
            self.clash = (va, vb)  # two fixed sizes met (n vs m): the checker may try them equal
            raise self.error(f"{what} do not match ({va} vs {vb})")
        one = self.find(self.ONE)
        if (ra == one and self.rigid[rb] and vb is None) or (rb == one and self.rigid[ra] and va is None):
            raise self.error(f"{what}: a vector or matrix would have to be 1 x 1")
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

    # -- the operator rules both readers share

    def same_shape(self, a: Shape, b: Shape, what: str) -> Shape:
        """Operands of a sum, a Hadamard product, the two sides of an equation."""
        self.unify(a[0], b[0], what)
        self.unify(a[1], b[1], what)
        return a

    def product(self, a: Shape, b: Shape, what: str = "the inner dimensions of a product") -> Shape:
        self.unify(a[1], b[0], what)
        return (a[0], b[1])

    def square(self, a: Shape, what: str) -> Shape:
        self.unify(a[0], a[1], what)
        return a

    @staticmethod
    def transpose(a: Shape) -> Shape:
        return (a[1], a[0])

    def is_scalar(self, a: Shape) -> bool:
        return self.is_one(a[0]) and self.is_one(a[1])

    def shown(self, a: Shape) -> str:
        """``3×?``: the sizes known so far, for messages."""
        return "×".join(str(v) if v is not None else "?" for v in (self.size(a[0]), self.size(a[1])))
