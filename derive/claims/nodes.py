"""SymPy nodes for notation SymPy lacks, each with an mpmath evaluator.

Hand derivations use the logistic function σ and its derivative σ', derivatives written
as ∂y/∂x, d/dx f(·), differentials dX and gradients ∇F(θ).  These are judged
numerically: derivatives are central differences at doubled precision (error far below
the checker's tolerance), computed from the *definition* of the expression — never from
a closed form of the derivative — so they are an independent reference.

Scalar-valued nodes subclass ``sp.Expr``; matrix-valued ones ``MatrixExpr`` with an
explicit shape.  Names are stored as ``Str`` so they add no free symbols.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp
from sympy.core.symbol import Str
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..numeric import EvaluationError, Evaluator, as_scalar, evaluator, flat, is_matrix

MAX_DIFF_ENTRIES = 400  # entries of a variable a derivative may perturb


def _str(x: Any) -> Str:
    """Names travel as ``Str`` atoms (``doit`` rebuilds nodes from their args)."""
    return x if isinstance(x, Str) else Str(str(x))


def sigmoid(x: Any) -> Any:
    return 1 / (1 + mpmath.exp(-x))


def _softplus(x: Any) -> Any:
    return mpmath.log(1 + mpmath.exp(x))


SCALAR_FUNCS: dict[str, Any] = {
    "sigma": sigmoid,
    "tanh": mpmath.tanh,
    "exp": mpmath.exp,
    "log": lambda x: mpmath.log(x) if x != 0 else _fail("log of zero"),
    "ln": lambda x: mpmath.log(x) if x != 0 else _fail("log of zero"),
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "tan": mpmath.tan,
    "sinh": mpmath.sinh,
    "cosh": mpmath.cosh,
    "sqrt": mpmath.sqrt,
    "arctan": mpmath.atan,
    "relu": lambda x: x if x > 0 else mpmath.mpf(0),
    "softplus": _softplus,
    "sign": mpmath.sign,
}

# other spellings of those functions (\operatorname{ReLU}, \operatorname{sigmoid}): the same function
FUNCTION_ALIASES = {"ReLU": "relu", "Relu": "relu", "ReLu": "relu", "RELU": "relu", "sigmoid": "sigma",
                    "Sigmoid": "sigma", "Softplus": "softplus", "Tanh": "tanh"}


def _fail(msg: str) -> Any:
    raise EvaluationError(msg)


def _apply_scalar(name: str, order: int, x: Any) -> Any:
    fn = SCALAR_FUNCS.get(name)
    if fn is None:
        raise EvaluationError(f"unknown function {name}")
    if order == 0:
        return fn(x)
    # the derivative from the definition: mpmath's numerical differentiation
    return mpmath.diff(fn, x, order)


def _elementwise(name: str, order: int, v: Any) -> Any:
    if isinstance(v, mpmath.mpc):
        raise EvaluationError(f"{name} of a complex number")
    if is_matrix(v):
        out = mpmath.matrix(v.rows, v.cols)
        for i in range(v.rows):
            for j in range(v.cols):
                out[i, j] = _apply_scalar(name, order, v[i, j])
        return out
    return _apply_scalar(name, order, v)


class ScalarFn(sp.Expr):
    """``name^{(order)}(arg)`` for a scalar argument (σ, σ', tanh', ...)."""

    is_commutative = True

    def __new__(cls, name: str, order: int, arg: sp.Basic):
        return sp.Basic.__new__(cls, _str(name), sp.Integer(int(order)), arg)

    @property
    def fname(self) -> str:
        return self.args[0].name

    def _sympystr(self, printer) -> str:
        primes = "'" * int(self.args[1])
        return f"{self.fname}{primes}({printer._print(self.args[2])})"


class MatFn(MatrixExpr):
    """Elementwise ``name^{(order)}`` applied to a matrix or vector argument."""

    def __new__(cls, name: str, order: int, arg: sp.Basic):
        return sp.Basic.__new__(cls, _str(name), sp.Integer(int(order)), arg)

    @property
    def shape(self):
        return self.args[2].shape

    def _sympystr(self, printer) -> str:
        primes = "'" * int(self.args[1])
        return f"{self.args[0].name}{primes}.({printer._print(self.args[2])})"


@evaluator(ScalarFn, MatFn)
def _fn(ev: Evaluator, e: sp.Basic) -> Any:
    return _elementwise(e.args[0].name, int(e.args[1]), ev(e.args[2]))


class Elementwise(MatrixExpr):
    """``op`` applied entry by entry to a matrix ``a`` and ``b`` (a matrix of ``a``'s shape or a
    scalar, broadcast): ``max(0, s)`` and ``min`` of vectors, and the indicator vector
    ``\\mathbb{1}[s > 0]`` (1 where the comparison holds, else 0)."""

    def __new__(cls, op: str, a: sp.Basic, b: sp.Basic):
        return sp.Basic.__new__(cls, _str(op), a, b)

    @property
    def shape(self):
        return self.args[1].shape

    def _sympystr(self, printer) -> str:
        return f"{self.args[0].name}.({printer._print(self.args[1])}, {printer._print(self.args[2])})"


_ELEMENTWISE_OPS = {"max": max, "min": min}


@evaluator(Elementwise)
def _elementwise_pair(ev: Evaluator, e: Elementwise) -> Any:
    op = e.args[0].name
    a, b = ev(e.args[1]), ev(e.args[2])
    if not is_matrix(a):
        a = mpmath.matrix([[a]])
    out = mpmath.matrix(a.rows, a.cols)
    for i in range(a.rows):
        for j in range(a.cols):
            y = b[i, j] if is_matrix(b) else b
            x = a[i, j]
            if isinstance(x, mpmath.mpc) or isinstance(y, mpmath.mpc):
                raise EvaluationError(f"{op} of a complex number")
            if op in _ELEMENTWISE_OPS:
                out[i, j] = _ELEMENTWISE_OPS[op](x, y)
            else:
                out[i, j] = _indicator_value(op, x, y)
    return out


class Kron(MatrixExpr):
    """The Kronecker product ``A \\otimes B``: the block matrix ``[a_{ij} B]``."""

    def __new__(cls, a: sp.Basic, b: sp.Basic):
        return sp.Basic.__new__(cls, a, b)

    @property
    def shape(self):
        (r1, c1), (r2, c2) = self.args[0].shape, self.args[1].shape
        return (r1 * r2, c1 * c2)


MAX_KRON_ENTRIES = 4096  # entries of an evaluated Kronecker product (a 64 x 64 matrix)


@evaluator(Kron)
def _kron(ev: Evaluator, e: Kron) -> Any:
    a, b = (v if is_matrix(v) else mpmath.matrix([[v]]) for v in (ev(x) for x in e.args))
    rows, cols = a.rows * b.rows, a.cols * b.cols
    if rows * cols > MAX_KRON_ENTRIES:
        raise EvaluationError(f"a Kronecker product of {rows} x {cols} entries is not evaluated")
    out = mpmath.matrix(rows, cols)
    for i in range(a.rows):
        for j in range(a.cols):
            for k in range(b.rows):
                for m in range(b.cols):
                    out[i * b.rows + k, j * b.cols + m] = a[i, j] * b[k, m]
    return out


class Vec(MatrixExpr):
    """``\\operatorname{vec}(X)``: the columns of X stacked into one column (column-major)."""

    def __new__(cls, a: sp.Basic):
        return sp.Basic.__new__(cls, a)

    @property
    def shape(self):
        r, c = self.args[0].shape
        return (r * c, sp.Integer(1))


@evaluator(Vec)
def _vec(ev: Evaluator, e: Vec) -> Any:
    a = ev(e.args[0])
    if not is_matrix(a):
        return a
    return mpmath.matrix([a[i, j] for j in range(a.cols) for i in range(a.rows)])


class Softmax(MatrixExpr):
    """softmax of a vector (numerically stable: the maximum is subtracted); of a matrix, row by
    row, as attention weights softmax(Q K^T / sqrt(d)) are read (the judge does not refute on this
    reading alone, since a column-wise one is also written)."""

    def __new__(cls, arg: sp.Basic):
        return sp.Basic.__new__(cls, arg)

    @property
    def shape(self):
        return self.args[0].shape


@evaluator(Softmax)
def _softmax(ev: Evaluator, e: Softmax) -> Any:
    v = ev(e.args[0])
    if not is_matrix(v):
        return mpmath.mpf(1)
    if v.rows > 1 and v.cols > 1:
        out = mpmath.matrix(v.rows, v.cols)
        for i in range(v.rows):
            m = max(v[i, j] for j in range(v.cols))
            ex = [mpmath.exp(v[i, j] - m) for j in range(v.cols)]
            s = mpmath.fsum(ex)
            for j in range(v.cols):
                out[i, j] = ex[j] / s
        return out
    m = max(flat(v))
    ex = v.apply(lambda x: mpmath.exp(x - m))
    s = mpmath.fsum(flat(ex))
    return ex / s


class Norm(sp.Expr):
    """``‖x‖`` (Euclidean for vectors), ``‖X‖_F`` (Frobenius), ``‖X‖`` / ``‖X‖_2`` (spectral)."""

    is_commutative = True

    def __new__(cls, arg: sp.Basic, kind: str = ""):
        return sp.Basic.__new__(cls, arg, _str(kind or "2"))


@evaluator(Norm)
def _norm(ev: Evaluator, e: Norm) -> Any:
    v = ev(e.args[0])
    kind = e.args[1].name
    if not is_matrix(v):
        return abs(v)
    if kind == "F" or v.rows == 1 or v.cols == 1:
        if kind not in ("F", "2"):
            if kind == "1":
                return mpmath.fsum(abs(x) for x in flat(v))
            if kind == "infty":
                return max(abs(x) for x in flat(v))
            raise EvaluationError(f"unknown norm ‖·‖_{kind}")
        return mpmath.sqrt(mpmath.fsum(abs(x) ** 2 for x in flat(v)))
    if kind == "2":
        return max(mpmath.svd_r(v, compute_uv=False)) if all(isinstance(x, mpmath.mpf) for x in flat(v)) \
            else max(mpmath.svd_c(v, compute_uv=False))
    raise EvaluationError(f"unknown matrix norm ‖·‖_{kind}")


# --- derivatives -----------------------------------------------------------------------------------

def _with(ev: Evaluator, key: Any, value: Any) -> Evaluator:
    values = dict(ev.values)
    values[key] = value
    sub = Evaluator(values, ev.sequences)
    sub.bound = dict(ev.bound)
    if key in sub.bound:
        sub.bound[key] = value
    return sub


def _central(f, x0: Any, dps: int) -> Any:
    """f'(x0) by a central difference at doubled precision (error ~ 10^-dps)."""
    with mpmath.workdps(2 * dps + 10):
        h = mpmath.mpf(10) ** (-dps)
        a, b = f(x0 + h), f(x0 - h)
        if is_matrix(a):
            return (a - b) / (2 * h)
        return (as_scalar(a) - as_scalar(b)) / (2 * h)


def _current(ev: Evaluator, var: sp.Basic) -> Any:
    return ev.lookup(var)


def numeric_derivative(ev: Evaluator, expr: sp.Basic, var: sp.Basic) -> Any:
    """∂expr/∂var at the instance: scalar/scalar, gradient (scalar by matrix, same shape as
    var), or Jacobian (vector by vector / scalar, numerator layout)."""
    x0 = _current(ev, var)
    dps = mpmath.mp.dps
    if not is_matrix(x0):
        return _central(lambda x: _with(ev, var, x)(expr), x0, dps)
    if x0.rows * x0.cols > MAX_DIFF_ENTRIES:
        raise EvaluationError("derivative with respect to too large a matrix")
    columns = []
    for i in range(x0.rows):
        for j in range(x0.cols):
            def f(x, i=i, j=j):
                m = x0.copy()
                m[i, j] = x
                return _with(ev, var, m)(expr)
            columns.append(((i, j), _central(f, x0[i, j], dps)))
    first = columns[0][1]
    with mpmath.workdps(dps):
        if not is_matrix(first) or (first.rows == 1 and first.cols == 1):
            g = mpmath.matrix(x0.rows, x0.cols)  # gradient: same shape as var
            for (i, j), d in columns:
                g[i, j] = as_scalar(d)
            return g
        if first.cols != 1 or x0.cols != 1:
            raise EvaluationError("derivative of a matrix by a matrix is not a matrix")
        jac = mpmath.matrix(first.rows, x0.rows)  # Jacobian ∂y/∂x, rows = entries of y
        for (i, _), d in columns:
            for r in range(first.rows):
                jac[r, i] = d[r]
        return jac


class DerivS(sp.Expr):
    """Scalar-valued ∂expr/∂var (both scalar)."""

    is_commutative = True

    def __new__(cls, expr: sp.Basic, var: sp.Basic):
        return sp.Basic.__new__(cls, expr, var)

    def _sympystr(self, printer) -> str:
        return f"d({printer._print(self.args[0])})/d{printer._print(self.args[1])}"


class DerivM(MatrixExpr):
    """Matrix-valued ∂expr/∂var (gradient or Jacobian) of the given shape."""

    def __new__(cls, expr: sp.Basic, var: sp.Basic, rows: sp.Expr, cols: sp.Expr):
        return sp.Basic.__new__(cls, expr, var, sp.sympify(rows), sp.sympify(cols))

    @property
    def shape(self):
        return (self.args[2], self.args[3])

    def _sympystr(self, printer) -> str:
        return f"d({printer._print(self.args[0])})/d{printer._print(self.args[1])}"


@evaluator(DerivS, DerivM)
def _deriv(ev: Evaluator, e: sp.Basic) -> Any:
    return numeric_derivative(ev, e.args[0], e.args[1])


def _directional(ev: Evaluator, expr: sp.Basic, pairs: list[tuple[sp.Basic, sp.Basic]]) -> Any:
    """d/dε expr(S + ε dS for each (S, dS)) at ε = 0."""
    base = {s: _current(ev, s) for s, _ in pairs}
    dirs = {s: ev(d) for s, d in pairs}

    def f(eps: Any) -> Any:
        values = dict(ev.values)
        for s, _ in pairs:
            values[s] = base[s] + dirs[s] * eps
        sub = Evaluator(values, ev.sequences)
        sub.bound = dict(ev.bound)
        return sub(expr)

    return _central(f, mpmath.mpf(0), mpmath.mp.dps)


class DifferentialS(sp.Expr):
    """The differential d(expr) of a scalar expression along the directions dS."""

    is_commutative = True

    def __new__(cls, expr: sp.Basic, pairs: sp.Tuple):
        return sp.Basic.__new__(cls, expr, pairs)


class DifferentialM(MatrixExpr):
    """The differential d(expr) of a matrix expression along the directions dS."""

    def __new__(cls, expr: sp.Basic, pairs: sp.Tuple):
        return sp.Basic.__new__(cls, expr, pairs)

    @property
    def shape(self):
        return self.args[0].shape


@evaluator(DifferentialS, DifferentialM)
def _differential(ev: Evaluator, e: sp.Basic) -> Any:
    pairs = [(p[0], p[1]) for p in e.args[1]]
    return _directional(ev, e.args[0], pairs)


class AtS(sp.Expr):
    """``expr`` evaluated with ``var`` set to the value of ``point`` (scalar result)."""

    is_commutative = True

    def __new__(cls, expr: sp.Basic, var: sp.Basic, point: sp.Basic):
        return sp.Basic.__new__(cls, expr, var, point)


class AtM(MatrixExpr):
    """``expr`` evaluated with ``var`` set to the value of ``point`` (matrix result)."""

    def __new__(cls, expr: sp.Basic, var: sp.Basic, point: sp.Basic):
        return sp.Basic.__new__(cls, expr, var, point)

    @property
    def shape(self):
        return self.args[0].shape


@evaluator(AtS, AtM)
def _at(ev: Evaluator, e: sp.Basic) -> Any:
    value = ev(e.args[2])
    return _with(ev, e.args[1], value)(e.args[0])


class _OverIndex:
    """A node with a bound index (args: ..., var, lo, hi): the index is not a free symbol."""

    @property
    def free_symbols(self):
        var, lo, hi = self.args[-3:]
        out = set()
        for a in self.args[:-3]:
            out |= getattr(a, "free_symbols", set())
        return (out - {var}) | lo.free_symbols | hi.free_symbols


def _over(ev: Evaluator, var: sp.Symbol, lo: sp.Basic, hi: sp.Basic, term: sp.Basic) -> list:
    from ..numeric import MAX_TERMS, _to_int

    a, b = _to_int(ev(lo), "index bound"), _to_int(ev(hi), "index bound")
    if b < a:
        raise EvaluationError("an empty index range")
    if b - a + 1 > MAX_TERMS:
        raise EvaluationError(f"a range of {b - a + 1} values exceeds {MAX_TERMS}")
    saved = ev.bound.get(var, None)
    out = []
    try:
        for v in range(a, b + 1):
            ev.bound[var] = v
            out.append(ev(term))
    finally:
        if saved is None:
            ev.bound.pop(var, None)
        else:
            ev.bound[var] = saved
    return out


class FamilyMatrix(_OverIndex, MatrixExpr):
    """A matrix written with an ellipsis, built from one family for index = lo..hi: ``diag``
    (``diag(a_1, \\dots, a_n)``, scalar members), ``rows`` (members are its rows, or its entries
    when scalar: a column) or ``cols`` (members are its columns, or its entries: a row)."""

    def __new__(cls, mode: str, term: sp.Basic, var: sp.Symbol, lo: sp.Basic, hi: sp.Basic):
        return sp.Basic.__new__(cls, _str(mode), term, var, sp.sympify(lo), sp.sympify(hi))

    @property
    def shape(self):
        mode, term = self.args[0].name, self.args[1]
        n = self.args[4] - self.args[3] + 1
        r, c = getattr(term, "shape", (1, 1))
        if mode == "diag":
            return (n, n)
        return (n, c) if mode == "rows" else (r, n)


@evaluator(FamilyMatrix)
def _family_matrix(ev: Evaluator, e: FamilyMatrix) -> Any:
    mode, term, var, lo, hi = e.args
    vals = _over(ev, var, lo, hi, term)
    if mode.name == "diag":
        return mpmath.diag([as_scalar(v) for v in vals])
    parts = [flat(v) if is_matrix(v) else [as_scalar(v)] for v in vals]
    width = len(parts[0])
    if any(len(p) != width for p in parts):
        raise EvaluationError("the members of a family have different sizes")
    m = mpmath.matrix(parts)  # one member per row
    return m if mode.name == "rows" else m.T


class ExtremumOver(_OverIndex, sp.Expr):
    """``\\max_{lo \\le i \\le hi} f(i)`` (or min) of a scalar term."""

    def __new__(cls, word: str, term: sp.Basic, var: sp.Symbol, lo: sp.Basic, hi: sp.Basic):
        return sp.Basic.__new__(cls, _str(word), term, var, sp.sympify(lo), sp.sympify(hi))


@evaluator(ExtremumOver)
def _extremum_over(ev: Evaluator, e: ExtremumOver) -> Any:
    word, term, var, lo, hi = e.args
    vals = [as_scalar(v) for v in _over(ev, var, lo, hi, term)]
    return max(vals) if word.name == "max" else min(vals)
# --- vectors defined by their entries ---------------------------------------------------------------

class EntryVector(MatrixExpr):
    """The column vector whose k-th entry (1-based) is ``body`` with ``index`` = k, for k = 1..rows
    (``p_k = e^{z_k} / \\sum_j e^{z_j}`` used as the vector ``p``).  A node rather than an explicit
    matrix because the length is a dimension symbol sampled per instance (2..4), known only when
    the instance is drawn; the evaluator binds the index and evaluates the entry's own definition."""

    def __new__(cls, body: sp.Basic, index: sp.Symbol, rows: sp.Expr):
        return sp.Basic.__new__(cls, body, index, sp.sympify(rows))

    @property
    def shape(self):
        return (self.args[2], sp.Integer(1))

    @property
    def free_symbols(self):
        return (self.args[0].free_symbols - {self.args[1]}) | self.args[2].free_symbols

    def _sympystr(self, printer) -> str:
        return f"[{printer._print(self.args[0])} for {printer._print(self.args[1])} = 1..{printer._print(self.args[2])}]"


@evaluator(EntryVector)
def _entry_vector(ev: Evaluator, e: EntryVector) -> Any:
    body, index, rows = e.args
    n = ev(rows)
    if not (mpmath.isint(n) and 1 <= int(n) <= MAX_DIFF_ENTRIES):
        raise EvaluationError(f"a vector of length {n} defined by its entries")
    out = mpmath.matrix(int(n), 1)
    saved = ev.bound.get(index)
    try:
        for k in range(1, int(n) + 1):
            ev.bound[index] = k
            out[k - 1, 0] = as_scalar(ev(body))
    finally:
        if saved is None:
            ev.bound.pop(index, None)
        else:
            ev.bound[index] = saved
    return out


class EntryMatrix(MatrixExpr):
    """The rows x cols matrix whose (i, j) entry (1-based) is ``body`` at ``i``, ``j`` (``X_{ij} =
    x_{i+j-1}`` for a declared X used whole); a node because the size is a dimension expression
    known only when an instance is drawn."""

    def __new__(cls, body: sp.Basic, row: sp.Symbol, col: sp.Symbol, rows: sp.Expr, cols: sp.Expr):
        return sp.Basic.__new__(cls, body, row, col, sp.sympify(rows), sp.sympify(cols))

    @property
    def shape(self):
        return (self.args[3], self.args[4])

    @property
    def free_symbols(self):
        return (self.args[0].free_symbols - {self.args[1], self.args[2]}) | self.args[3].free_symbols \
            | self.args[4].free_symbols

    def _sympystr(self, printer) -> str:
        b, i, j, r, c = (printer._print(a) for a in self.args)
        return f"[{b} for {i} = 1..{r}, {j} = 1..{c}]"


@evaluator(EntryMatrix)
def _entry_matrix(ev: Evaluator, e: EntryMatrix) -> Any:
    body, row, col, rows, cols = e.args
    r, c = ev(rows), ev(cols)
    if not (mpmath.isint(r) and mpmath.isint(c) and 1 <= int(r) and 1 <= int(c)
            and int(r) * int(c) <= MAX_DIFF_ENTRIES):
        raise EvaluationError(f"a {r} x {c} matrix defined by its entries")
    out = mpmath.matrix(int(r), int(c))
    saved = (ev.bound.get(row), ev.bound.get(col))
    try:
        for i in range(1, int(r) + 1):
            for j in range(1, int(c) + 1):
                ev.bound[row], ev.bound[col] = i, j
                out[i - 1, j - 1] = as_scalar(ev(body))
    finally:
        for sym, old in zip((row, col), saved):
            if old is None:
                ev.bound.pop(sym, None)
            else:
                ev.bound[sym] = old
    return out


class Indicator(sp.Expr):
    """The Iverson bracket ``[a op b]``: 1 where the relation holds, else 0 (scalars)."""

    is_commutative = True

    def __new__(cls, op: str, lhs: sp.Basic, rhs: sp.Basic):
        return sp.Basic.__new__(cls, _str(op), lhs, rhs)

    def _sympystr(self, printer) -> str:
        return f"[{printer._print(self.args[1])} {self.args[0].name} {printer._print(self.args[2])}]"


_INDICATOR_TESTS = {"=": lambda d: d == 0, "!=": lambda d: d != 0, "<": lambda d: d < 0, ">": lambda d: d > 0,
                    "<=": lambda d: d <= 0, ">=": lambda d: d >= 0}


@evaluator(Indicator)
def _indicator(ev: Evaluator, e: Indicator) -> Any:
    return _indicator_value(e.args[0].name, as_scalar(ev(e.args[1])), as_scalar(ev(e.args[2])))


def _indicator_value(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, mpmath.mpc) or isinstance(b, mpmath.mpc):
        raise EvaluationError("an indicator of a complex number")
    d = a - b
    # a difference that is not exactly zero but within rounding of it cannot be told from a tie:
    # the bracket's value there is not trusted
    if d != 0 and abs(d) <= mpmath.mpf(10) ** (-(mpmath.mp.dps * 4 // 5)) * max(1, abs(a), abs(b)):
        raise EvaluationError("an indicator at a near tie of its two sides")
    return mpmath.mpf(1) if _INDICATOR_TESTS[op](d) else mpmath.mpf(0)


class Limit(sp.Expr):
    """``\\lim_{var \\to point} expr`` of a scalar expression (point a value or +∞)."""

    is_commutative = True

    def __new__(cls, expr: sp.Basic, var: sp.Symbol, point: sp.Basic):
        return sp.Basic.__new__(cls, expr, var, sp.sympify(point))

    @property
    def free_symbols(self):
        expr, var, point = self.args
        return (expr.free_symbols - {var}) | point.free_symbols

    def _sympystr(self, printer) -> str:
        return f"lim[{printer._print(self.args[1])} -> {printer._print(self.args[2])}]({printer._print(self.args[0])})"


@evaluator(Limit)
def _limit(ev: Evaluator, e: Limit) -> Any:
    """A numerical limit, trusted only where it has clearly converged.

    mpmath.limit extrapolates (Richardson/Shanks) the values at var = point ± d/k (or k for +∞).
    A wrong estimate must never refute a correct statement, so the value is taken only when
    several independent estimates agree far below the checker's tolerance (10^-(dps/2)): a
    higher precision (more terms), both sides of a finite point and a second, irrational
    approach (d = √2/2, or k √2 towards +∞, so a limit along the integers alone, sin(πx), is not
    taken for a real one).  Otherwise the limit is not evaluated (the statement is undecided).
    """
    expr, var, point = e.args
    dps = mpmath.mp.dps
    closed = not e.free_symbols  # lim 1/log n: the same value (or failure) on every instance
    key = (e, dps)
    if closed and key in _CLOSED_LIMITS:
        hit = _CLOSED_LIMITS[key]
        if isinstance(hit, EvaluationError):
            raise EvaluationError(str(hit))
        return hit
    try:
        value = _limit_value(ev, expr, var, point, dps)
    except EvaluationError as exc:
        if closed:
            _remember_limit(key, exc)
        raise
    if closed:
        _remember_limit(key, value)
    return value


_CLOSED_LIMITS: dict = {}  # (Limit, dps) -> value or EvaluationError, for limits without free symbols
MAX_CLOSED_LIMITS = 64
LIMIT_TERMS_PER_DIGIT = 3  # terms mpmath's extrapolation may take per working digit (it needs ~2 where it settles)


def _remember_limit(key: tuple, value: Any) -> None:
    if len(_CLOSED_LIMITS) >= MAX_CLOSED_LIMITS:
        _CLOSED_LIMITS.clear()
    _CLOSED_LIMITS[key] = value


def _limit_value(ev: Evaluator, expr: sp.Basic, var: sp.Basic, point: sp.Basic, dps: int) -> Any:
    if point == sp.oo:
        x0 = mpmath.inf
    elif point.has(sp.oo, -sp.oo, sp.zoo):
        raise EvaluationError("a limit is not evaluated here (only towards a value or +∞)")
    else:
        x0 = as_scalar(ev(point))
        if isinstance(x0, mpmath.mpc):
            raise EvaluationError("a limit at a complex point")

    calls = [0]

    def f(x: Any) -> Any:
        calls[0] += 1
        v = as_scalar(_with(ev, var, x)(expr))
        if isinstance(v, mpmath.mpc):
            raise EvaluationError("a limit of complex values")
        return v

    integer = bool(getattr(var, "is_integer", False))
    estimates = []
    try:
        for extra, direction in ((10, 1), (30, 1), (10, -1), (10, None)):
            with mpmath.workdps(dps + extra):
                # a bounded extrapolation: one that has not settled by then converges too slowly to trust
                # (1/\log n), and running it to mpmath's default 10 terms a digit takes seconds
                terms = LIMIT_TERMS_PER_DIGIT * (dps + extra)
                calls[0] = 0
                if x0 == mpmath.inf:
                    if direction == -1 or (direction is None and integer):
                        continue  # n → ∞ over the integers: no other approach
                    scale = mpmath.sqrt(2) if direction is None else 1
                    estimates.append(mpmath.limit(lambda x: f(x * scale), mpmath.inf, maxterms=terms))
                else:
                    d = mpmath.sqrt(2) / 2 if direction is None else direction
                    estimates.append(mpmath.limit(f, x0, direction=d, maxterms=terms))
                if calls[0] >= terms:
                    raise EvaluationError(f"a limit is not evaluated here: the extrapolation did not settle within "
                                          f"{terms} terms (it converges too slowly to be trusted)")
    except (ZeroDivisionError, OverflowError, ValueError, mpmath.libmp.NoConvergence) as exc:
        raise EvaluationError(f"a limit is not evaluated here ({type(exc).__name__})") from None
    first = estimates[0]
    if not mpmath.isfinite(first):
        raise EvaluationError("a limit is not evaluated here (the estimate is not finite)")
    scale = max(mpmath.mpf(1), abs(first))
    if any(not mpmath.isfinite(x) or abs(x - first) > mpmath.mpf(10) ** (-(dps * 3 // 4)) * scale for x in estimates):
        raise EvaluationError("a limit is not evaluated here: the numerical estimates do not agree (not clearly converged)")
    # Shanks' transformation also gives a value to an oscillating sequence that has no limit
    # ((-1)^n, sin(π√2 k)): the raw values far along must approach the estimate
    tiny = mpmath.mpf(10) ** (-(dps * 3 // 4)) * scale
    with mpmath.workdps(dps + 10):
        far = [mpmath.mpf(10) ** k * (1 if integer else mpmath.sqrt(2)) for k in (3, 4, 5)]
        points = far if x0 == mpmath.inf else [x0 + s / p for p in far for s in (1, -1)]
        try:
            dist = [abs(f(x) - first) for x in points]
        except (ZeroDivisionError, OverflowError, ValueError) as exc:
            raise EvaluationError(f"a limit is not evaluated here ({type(exc).__name__})") from None
    if x0 != mpmath.inf:
        dist = [max(dist[i], dist[i + 1]) for i in range(0, len(dist), 2)]
    if not all(d <= tiny for d in dist) and not (dist[2] < dist[1] < dist[0] and dist[2] <= dist[0] / 2):
        raise EvaluationError("a limit is not evaluated here: the values do not approach the estimate")
    return +first


class Series(sp.Expr):
    """``\\sum_{var=lo}^{\\infty} term`` of a scalar term: an infinite series (see :func:`_series`)."""

    is_commutative = True

    def __new__(cls, term: sp.Basic, var: sp.Symbol, lo: sp.Basic):
        return sp.Basic.__new__(cls, term, var, sp.sympify(lo))

    @property
    def free_symbols(self):
        term, var, lo = self.args
        return (term.free_symbols - {var}) | lo.free_symbols

    def _sympystr(self, printer) -> str:
        return f"sum[{printer._print(self.args[1])} = {printer._print(self.args[2])} .. oo]({printer._print(self.args[0])})"


SERIES_PROBES = (64, 128, 256)  # indices past the start where the terms' decay is measured
SERIES_RATIO = mpmath.mpf("0.999")  # the terms must shrink at least this fast (ratio test) there


@evaluator(Series)
def _series(ev: Evaluator, e: Series) -> Any:
    """An infinite series, summed only where it clearly converges geometrically.

    A wrong value must never refute a correct statement, and extrapolation (mpmath.nsum's Shanks /
    Richardson) also gives a value to a divergent series (Σ 2^k "= -1"), so the terms are first
    put to the ratio test at three indices far past the start (64, 128, 256): each |a_{k+1} / a_k|
    must be below 0.999, the terms must shrink from one probe to the next, and the deficit
    1 - |a_{k+1} / a_k| must not fall as k doubles (it halves for 1/k and 1/k²).  A series that
    passes has a tail dominated by a geometric one; slower ones (Σ 1/k², Σ (-1)^k / k) and
    divergent ones are not evaluated and the statement is undecided.  The sum is then taken by nsum at two precisions that must agree far
    below the checker's tolerance."""
    term, var, lo = e.args
    dps = mpmath.mp.dps
    start = as_scalar(ev(lo))
    if not isinstance(start, (int, mpmath.mpf)) or start != int(start):
        raise EvaluationError("an infinite series from a start that is not an integer")
    start = int(start)

    def a(k: int) -> Any:
        v = as_scalar(_with(ev, var, sp.Integer(k))(term))
        if isinstance(v, mpmath.mpc) or not mpmath.isfinite(v):
            raise EvaluationError("an infinite series with terms that are not real numbers")
        return v

    try:
        with mpmath.workdps(dps + 10):
            sizes, deficits = [], []
            for p in SERIES_PROBES:
                here, after = abs(a(start + p)), abs(a(start + p + 1))
                sizes.append(here)
                # a zero term followed by a nonzero one says nothing of the decay: fail the test
                deficits.append(1 - after / here if here != 0 else mpmath.mpf(1) if after == 0 else mpmath.mpf(-1))
            # geometric decay: 1 - |a_{k+1}/a_k| stays away from 0; a polynomial one (1/k, 1/k²) has
            # it halve as k doubles, which is where a divergent or slow series gives itself away
            if not sizes[2] <= sizes[1] <= sizes[0] or min(deficits) < 1 - SERIES_RATIO \
                    or deficits[2] < deficits[1] * 3 / 4 or deficits[1] < deficits[0] * 3 / 4:
                raise EvaluationError("an infinite series is not summed here: its terms do not clearly shrink "
                                      "geometrically (ratio test)")
        estimates = []
        for extra in (10, 30):
            with mpmath.workdps(dps + extra):
                estimates.append(mpmath.nsum(lambda k: a(int(k)), [start, mpmath.inf]))
    except (ZeroDivisionError, OverflowError, ValueError, mpmath.libmp.NoConvergence) as exc:
        raise EvaluationError(f"an infinite series is not summed here ({type(exc).__name__})") from None
    first = estimates[0]
    scale = max(mpmath.mpf(1), abs(first))
    if any(not mpmath.isfinite(x) or abs(x - first) > mpmath.mpf(10) ** (-(dps * 3 // 4)) * scale for x in estimates):
        raise EvaluationError("an infinite series is not summed here: the numerical estimates do not agree")
    return +first


class GaussianMoment(MatrixExpr):
    """E[z] or Cov[z] of a vector z affine in independent Gaussian vectors: args (op, z, specs)
    with specs ((x, mean, cov), ...) (see probability._vector_moment)."""

    def __new__(cls, op: sp.Symbol, z: sp.Basic, specs: sp.Tuple):
        return sp.Basic.__new__(cls, op, z, specs)

    @property
    def shape(self):
        op, z, _specs = self.args
        rows = z.shape[0] if isinstance(z, MatrixExpr) or getattr(z, "is_Matrix", False) else 1
        return (rows, rows) if op.name == "Cov" else (rows, 1)

    @property
    def free_symbols(self):
        _op, z, specs = self.args
        xs = {spec[0] for spec in specs}
        out = set()
        for a in (z, *(v for spec in specs for v in spec[1:])):
            out |= getattr(a, "free_symbols", set())
        return out - xs


def _column(v: Any, rows: int) -> Any:
    if is_matrix(v):
        return v
    out = mpmath.matrix(rows, 1)
    for i in range(rows):
        out[i] = v
    return out


@evaluator(GaussianMoment)
def _gaussian_moment(ev: Evaluator, e: GaussianMoment) -> Any:
    """Exact linear algebra, no Monte Carlo: z at the means, and the columns of each coefficient
    matrix J_k as z(μ + e_i) - z(μ).  Affinity is checked first: for a random direction u (all
    vectors moved at once), z(μ + u) - z(μ) and (z(μ + 2u) - z(μ)) / 2 must equal Σ_k J_k u_k; a z
    that is not affine (x x^T, a nonlinearity) is not evaluated."""
    op, z, specs = e.args
    dps = mpmath.mp.dps
    means, covs, sizes = [], [], []
    for x, m, c in specs:
        d = int(ev(x).rows) if is_matrix(ev(x)) else 1
        mv = ev(m)
        if is_matrix(mv) and (mv.rows, mv.cols) != (d, 1):
            raise EvaluationError("the mean of a Gaussian vector does not have the vector's shape")
        means.append(_column(mv, d) if d > 1 or is_matrix(mv) else mv)
        cv = ev(c)
        covs.append(cv if is_matrix(cv) else cv * mpmath.eye(d))
        sizes.append(d)
    xs = [spec[0] for spec in specs]

    def at(points: list) -> Any:
        sub = ev
        for x, p in zip(xs, points):
            sub = _with(sub, x, p)
        v = sub(z)
        return v if is_matrix(v) else mpmath.matrix([[v]])

    def moved(k: int, delta: Any) -> list:
        return [means[j] + delta if j == k else means[j] for j in range(len(means))]

    with mpmath.workdps(dps + 10):
        z0 = at(means)
        jacobians = []
        for k, d in enumerate(sizes):
            cols = []
            for i in range(d):
                unit = mpmath.matrix(d, 1)
                unit[i] = 1
                cols.append(at(moved(k, unit if is_matrix(means[k]) else 1)) - z0)
            jac = mpmath.matrix(z0.rows, d)
            for i, col in enumerate(cols):
                for r in range(z0.rows):
                    jac[r, i] = col[r]
            jacobians.append(jac)
        rng = __import__("random").Random(dps * 7919 + len(sizes))
        dirs = []
        for k, d in enumerate(sizes):
            u = mpmath.matrix([[mpmath.mpf(rng.uniform(-1, 1))] for _ in range(d)])
            dirs.append(u)
        linear = mpmath.matrix(z0.rows, 1)
        for jac, u in zip(jacobians, dirs):
            linear += jac * u
        for scale in (1, 2):
            pts = [m + scale * (u if is_matrix(m) else u[0]) for m, u in zip(means, dirs)]
            diff = (at(pts) - z0) / scale - linear
            size = max([abs(x) for x in linear] + [abs(x) for x in z0] + [mpmath.mpf(1)])
            if max(abs(x) for x in diff) > mpmath.mpf(10) ** (-(dps * 3 // 4)) * size:
                raise EvaluationError(f"{op.name}[·]: the vector is not an affine function of the Gaussian vectors "
                                      "(only affine maps are modelled)")
        if op.name == "E":
            return z0
        out = mpmath.matrix(z0.rows, z0.rows)
        for jac, cov in zip(jacobians, covs):
            out += jac * cov * jac.T
        return out


class ConditionalGaussian(MatrixExpr):
    """E[x | y] (op E) or Cov[x | y] (op Cov) of jointly Gaussian vectors: args (op, y, μ_x, μ_y,
    (Σ_xx, Σ_xy, Σ_yx, Σ_yy)) (see probability._conditional)."""

    def __new__(cls, op: sp.Symbol, y: sp.Basic, mx: sp.Basic, my: sp.Basic, blocks: sp.Tuple):
        return sp.Basic.__new__(cls, op, y, mx, my, blocks)

    @property
    def shape(self):
        op, _y, mx, _my, blocks = self.args
        rows = blocks[0].shape[0] if getattr(blocks[0], "shape", None) else 1
        return (rows, rows) if op.name == "Cov" else (rows, 1)


def _as_matrix(v: Any) -> Any:
    return v if is_matrix(v) else mpmath.matrix([[v]])


@evaluator(ConditionalGaussian)
def _conditional_gaussian(ev: Evaluator, e: ConditionalGaussian) -> Any:
    """The pair's joint covariance inverted whole (the precision matrix Λ), then its blocks:
    an independent route from the Schur-complement formulas a document writes."""
    op, y, mx, my, blocks = e.args
    sxx, sxy, syx, syy = (_as_matrix(ev(b)) for b in blocks)
    p, q = sxx.rows, syy.rows
    if (sxx.cols, sxy.rows, sxy.cols, syx.rows, syx.cols, syy.cols) != (p, p, q, q, p, q):
        raise EvaluationError("the covariance blocks do not fit together")
    whole = mpmath.matrix(p + q, p + q)
    for r in range(p + q):
        for c in range(p + q):
            src = (sxx if c < p else sxy) if r < p else (syx if c < p else syy)
            whole[r, c] = src[r if r < p else r - p, c if c < p else c - p]
    scale = max([abs(x) for x in whole] + [mpmath.mpf(1)])
    if any(abs(whole[r, c] - whole[c, r]) > mpmath.mpf(10) ** (-(mpmath.mp.dps * 3 // 4)) * scale
           for r in range(p + q) for c in range(r)):
        # a covariance is symmetric; blocks drawn apart (the document states no structure that ties
        # them) give no Gaussian, and a claim written with Σ_xy^T for Σ_yx would fail there
        raise EvaluationError("the joint covariance drawn is not symmetric (its blocks are not drawn as one "
                              "covariance matrix)")
    with mpmath.workdps(mpmath.mp.dps + 10):
        try:
            lam = mpmath.inverse(whole)
        except ZeroDivisionError as exc:
            raise EvaluationError("the joint covariance is singular") from exc
        lxx = mpmath.matrix(p, p)
        lxy = mpmath.matrix(p, q)
        for r in range(p):
            for c in range(p + q):
                if c < p:
                    lxx[r, c] = lam[r, c]
                else:
                    lxy[r, c - p] = lam[r, c]
        cov = mpmath.inverse(lxx)
        if op.name == "Cov":
            return cov
        shift = _column(ev(y), q) - _column(ev(my), q)
        return _column(ev(mx), p) - cov * (lxy * shift)


class Eigenvalue(sp.Expr):
    """The least (op min), greatest (max) or index-th smallest (at) eigenvalue of a symmetric
    matrix value (see inference._spectrum)."""

    def __new__(cls, op: sp.Symbol, m: sp.Basic, index: sp.Basic):
        return sp.Basic.__new__(cls, op, m, index)

    @property
    def free_symbols(self):
        op, m, index = self.args
        return getattr(m, "free_symbols", set()) | getattr(index, "free_symbols", set())


@evaluator(Eigenvalue)
def _eigenvalue(ev: Evaluator, e: Eigenvalue) -> Any:
    """Computed on the instance (mpmath.eigsy): the matrix must be symmetric there."""
    op, m, index = e.args
    v = _as_matrix(ev(m))
    if v.rows != v.cols:
        raise EvaluationError("eigenvalues of a matrix that is not square")
    scale = max([abs(x) for x in v] + [mpmath.mpf(1)])
    if any(abs(v[r, c] - v[c, r]) > mpmath.mpf(10) ** (-(mpmath.mp.dps * 3 // 4)) * scale
           for r in range(v.rows) for c in range(r)):
        raise EvaluationError("eigenvalues of a matrix that is not symmetric on this instance are not modelled")
    vals = sorted(mpmath.eigsy(v, eigvals_only=True))
    if op.name == "min":
        return vals[0]
    if op.name == "max":
        return vals[-1]
    k = as_scalar(ev(index))
    if k != int(k) or not 1 <= int(k) <= len(vals):
        raise EvaluationError("an eigenvalue index outside 1..n")
    return vals[int(k) - 1]
