"""Stage 6, *bind* (building): :class:`Builder` turns a tree whose names and shapes
:class:`~derive.claims.inference.Inference` has settled into SymPy expressions.

SymPy objects are built with ``evaluate=False`` where eager evaluation could explode
(``9^{9^{9}}``); nothing here evaluates user text.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..symbols import MatSeq, MatSum
from .inference import Inference
from .nodes import AtM, AtS, DerivM, DerivS, DifferentialM, DifferentialS, MatFn, Norm, ScalarFn, Softmax
from .scope import BindError, Shape, SymInfo, T


MAX_INT_LITERAL = 10**6  # larger integer literals stay unevaluated numbers (still exact)


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
        _no_member_derivative(body, info.key)
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
        _no_member_derivative(body, info.key)
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
        for i in infos:
            _no_member_derivative(e, i.key)
        pairs = sp.Tuple(*[sp.Tuple(self.sym(i), self.direction(i)) for i in infos])
        if isinstance(e, MatrixExpr):
            return DifferentialM(e, pairs)
        return DifferentialS(e, pairs)


def _family_names(body: sp.Basic) -> set[str]:
    """The families (sequences) ``body`` reads member by member: ``x(i)`` under a sum, ``x_k`` of a MatSeq."""
    out: set[str] = set()
    for x in sp.preorder_traversal(body):
        if isinstance(x, AppliedUndef):
            out.add(type(x).__name__)
        elif isinstance(x, MatSeq):
            out.add(x.seq_name)
    return out


def _no_member_derivative(body: sp.Basic, key: str) -> None:
    """``\\partial/\\partial x_j`` of an expression that reads the family x through another index
    (``\\sum_i x_i``): the members are drawn apart from the symbol x_j, so a numeric derivative would
    miss every x_i with i = j and be silently wrong (0 for the mean's 1/m). Undecided, not a verdict."""
    if "_" not in key:
        return
    base = key.split("_", 1)[0]
    if base and base in _family_names(body):
        raise BindError(f"cannot differentiate with respect to {key}, a member of the family {base} that the "
                        f"expression reads through another index (x_i in a sum): the member's derivative "
                        f"(a Kronecker delta) is not modelled")
