"""High-precision evaluation of SymPy expressions on a random instance, with mpmath.

The checker decides most claims numerically: both sides are evaluated at >= 50 digits on
sampled instances.  SymPy's own ``evalf``/``lambdify`` do not cover matrix expressions with
symbolic exponents, sequence elements or bounded loops, and give no control over size, so
this is a small evaluator over SymPy's node classes.  Handlers are looked up along the
class's MRO (like SymPy's printers); other modules add nodes with :func:`evaluator`.

Values are ``mpf``/``mpc`` scalars and ``mpmath.matrix`` matrices (vectors are n x 1).
Every operation is bounded (matrix size, exponent, number of summed terms); a bound that
is hit raises :class:`EvaluationError`, which the checker turns into "undecided".
"""

from __future__ import annotations

from typing import Any, Callable

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from .symbols import MatSeq, MatSum

MAX_DIM = 256  # largest matrix side built during evaluation
MAX_EXPONENT = 10**7  # largest |exponent| of a scalar or matrix power
MAX_TERMS = 200_000  # largest number of terms in one evaluated sum


class EvaluationError(Exception):
    """An expression could not be evaluated on an instance (the reason is the message)."""


Handler = Callable[["Evaluator", sp.Basic], Any]
_HANDLERS: dict[type, Handler] = {}


def evaluator(*classes: type) -> Callable[[Handler], Handler]:
    """Register a numeric handler for SymPy node classes (subclasses inherit it)."""

    def deco(fn: Handler) -> Handler:
        for cls in classes:
            _HANDLERS[cls] = fn
        return fn

    return deco


# --- value helpers ---------------------------------------------------------------------------

def is_matrix(v: Any) -> bool:
    return isinstance(v, mpmath.matrix)


def as_scalar(v: Any) -> Any:
    """A 1 x 1 matrix read as a scalar; scalars unchanged."""
    if is_matrix(v):
        if v.rows == 1 and v.cols == 1:
            return v[0, 0]
        raise EvaluationError(f"expected a scalar, got a {v.rows}x{v.cols} matrix")
    return v


def flat(v: Any) -> list[Any]:
    if is_matrix(v):
        return [v[i, j] for i in range(v.rows) for j in range(v.cols)]
    if isinstance(v, (list, tuple)):
        return [x for item in v for x in flat(item)]
    return [v]


def shape_of(v: Any) -> tuple[int, int]:
    if is_matrix(v):
        return (v.rows, v.cols)
    return (1, 1)


def relative_difference(a: Any, b: Any) -> Any:
    """Normwise relative difference max|a - b| / max(|a|, |b|) (0 if both are 0)."""
    if shape_of(a) != shape_of(b):
        raise EvaluationError(f"the sides have different shapes {shape_of(a)} and {shape_of(b)}")
    fa, fb = flat(a), flat(b)
    num = max(abs(x - y) for x, y in zip(fa, fb))
    den = max(max(abs(x) for x in fa), max(abs(y) for y in fb))
    if den == 0 or den <= mpmath.mpf(10) ** (-(mpmath.mp.dps * 4 // 5)):
        # both sides vanish at this precision (sum of x_i - mean is 1e-51 against an exact 0):
        # rounding, not a difference
        return mpmath.mpf(0)
    return num / den


def _check_dim(*dims: int) -> None:
    for d in dims:
        if d < 0 or d > MAX_DIM:
            raise EvaluationError(f"matrix dimension {d} is outside 0..{MAX_DIM}")


def _to_int(v: Any, what: str) -> int:
    v = as_scalar(v)
    if isinstance(v, int):
        return v
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise EvaluationError(f"{what} is not real")
        v = v.real
    r = mpmath.nint(v)
    if abs(v - r) > mpmath.mpf(10) ** (-(mpmath.mp.dps // 2)):
        raise EvaluationError(f"{what} {mpmath.nstr(v, 8)} is not an integer")
    return int(r)


def _add(a: Any, b: Any) -> Any:
    if is_matrix(a) and is_matrix(b):
        if (a.rows, a.cols) != (b.rows, b.cols):
            if a.rows == a.cols == 1 or b.rows == b.cols == 1:
                return _add(as_scalar(a) if a.rows == a.cols == 1 else a,
                            as_scalar(b) if b.rows == b.cols == 1 else b)
            raise EvaluationError(f"cannot add a {a.rows}x{a.cols} and a {b.rows}x{b.cols} matrix")
        return a + b
    if is_matrix(a) or is_matrix(b):
        m, s = (a, b) if is_matrix(a) else (b, a)
        if m.rows == m.cols == 1:
            return m[0, 0] + s
        if s == 0:
            return m
        raise EvaluationError("cannot add a scalar and a matrix")
    return a + b


def _mul(a: Any, b: Any) -> Any:
    if is_matrix(a) and is_matrix(b):
        if a.cols != b.rows:
            if a.rows == a.cols == 1:
                return a[0, 0] * b
            if b.rows == b.cols == 1:
                return a * b[0, 0]
            raise EvaluationError(f"cannot multiply a {a.rows}x{a.cols} by a {b.rows}x{b.cols} matrix")
        return a * b
    if is_matrix(b):
        # scalar * matrix: mpmath tries to convert the matrix to a number first, through its
        # repr (seconds per document); the matrix's own product by a scalar is the same numbers
        return b * a
    return a * b


def _matpow(m: Any, e: int) -> Any:
    if not is_matrix(m):
        return mpmath.mpf(m) ** e if not isinstance(m, mpmath.mpc) else m**e
    if m.rows != m.cols:
        raise EvaluationError(f"power of a non-square {m.rows}x{m.cols} matrix")
    if abs(e) > MAX_EXPONENT:
        raise EvaluationError(f"matrix exponent {e} exceeds {MAX_EXPONENT}")
    if e < 0:
        m, e = _inverse(m), -e
    result = mpmath.eye(m.rows)
    base = m
    while e:
        if e & 1:
            result = result * base
        e >>= 1
        if e:
            base = base * base
    return result


def _inverse(m: Any) -> Any:
    if not is_matrix(m):
        if m == 0:
            raise EvaluationError("division by zero")
        return 1 / m
    if m.rows != m.cols:
        raise EvaluationError(f"inverse of a non-square {m.rows}x{m.cols} matrix")
    try:
        inv = mpmath.inverse(m)
    except (ZeroDivisionError, TypeError):
        # TypeError: mpmath's LU meets an exactly singular matrix as a None pivot
        raise EvaluationError("inverse of a singular matrix") from None
    # A singular matrix whose entries carry rounding (X^T X with more columns than rows) inverts
    # without error into numbers that are noise; a condition number past half the working digits
    # means the instance has no inverse to compare
    cond = mpmath.mnorm(m, 1) * mpmath.mnorm(inv, 1)
    if not mpmath.isfinite(cond) or cond > mpmath.mpf(10) ** (mpmath.mp.dps // 2):
        raise EvaluationError("inverse of a (numerically) singular matrix")
    return inv


# --- the evaluator -----------------------------------------------------------------------------

class Evaluator:
    """Evaluates SymPy nodes against an instance's values and sequences."""

    def __init__(self, values: dict[Any, Any], sequences: dict[str, Callable[..., Any]]):
        self.values = values
        self.sequences = sequences
        self.bound: dict[sp.Symbol, Any] = {}

    def __call__(self, expr: sp.Basic) -> Any:
        for cls in type(expr).__mro__:
            handler = _HANDLERS.get(cls)
            if handler is not None:
                return handler(self, expr)
        raise EvaluationError(f"cannot evaluate {type(expr).__name__} numerically")

    def lookup(self, key: Any) -> Any:
        if key in self.bound:
            return self.bound[key]
        if key in self.values:
            return self.values[key]
        name = getattr(key, "name", str(key))
        raise EvaluationError(f"no value for {name!r} in this instance")

    def loop(self, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr, body: sp.Basic) -> Any:
        a, b = _to_int(self(lo), "sum bound"), _to_int(self(hi), "sum bound")
        if b - a + 1 > MAX_TERMS:
            raise EvaluationError(f"sum over {b - a + 1} terms exceeds {MAX_TERMS}")
        saved = self.bound.get(var, None)
        total: Any = mpmath.mpf(0)
        try:
            for v in range(a, b + 1):
                self.bound[var] = v
                total = _add(total, self(body))
        finally:
            if saved is None:
                self.bound.pop(var, None)
            else:
                self.bound[var] = saved
        return total


def evaluate(expr: sp.Basic, values: dict[Any, Any], sequences: dict[str, Callable[..., Any]] | None = None,
             dps: int = 50) -> Any:
    """Evaluate ``expr`` at ``dps`` digits; raises :class:`EvaluationError` with the reason."""
    with mpmath.workdps(dps):
        try:
            return Evaluator(values, sequences or {})(expr)
        except EvaluationError:
            raise
        except (ZeroDivisionError, OverflowError) as exc:
            raise EvaluationError(f"arithmetic failure: {exc or type(exc).__name__}") from None
        except RecursionError:
            raise EvaluationError("expression nested too deeply") from None


# --- handlers: numbers and symbols --------------------------------------------------------------

@evaluator(sp.Integer)
def _integer(ev: Evaluator, e: sp.Integer) -> Any:
    return mpmath.mpf(int(e))


@evaluator(sp.Rational)
def _rational(ev: Evaluator, e: sp.Rational) -> Any:
    return mpmath.mpf(int(e.p)) / int(e.q)


@evaluator(sp.Float)
def _float(ev: Evaluator, e: sp.Float) -> Any:
    return mpmath.mpf(str(e))


@evaluator(sp.core.numbers.Pi)
def _pi(ev, e):
    return +mpmath.pi


@evaluator(sp.core.numbers.Exp1)
def _e(ev, e):
    return mpmath.e()


@evaluator(sp.core.numbers.ImaginaryUnit)
def _i(ev, e):
    return mpmath.mpc(0, 1)


@evaluator(sp.core.numbers.NaN, sp.core.numbers.ComplexInfinity, sp.core.numbers.Infinity,
           sp.core.numbers.NegativeInfinity)
def _special(ev, e):
    raise EvaluationError(f"the expression contains {e}")


@evaluator(sp.Symbol, sp.MatrixSymbol, sp.IndexedBase)
def _symbol(ev: Evaluator, e: sp.Basic) -> Any:
    return ev.lookup(e)


@evaluator(sp.Indexed)
def _indexed(ev: Evaluator, e: sp.Indexed) -> Any:
    base = ev.lookup(e.base)
    idx = [_to_int(ev(i), "index") for i in e.indices]
    # Indexed quantities follow the 1-based convention of the sums they appear in.
    try:
        if is_matrix(base):
            if len(idx) == 1:
                return base[idx[0] - 1] if base.cols == 1 or base.rows == 1 else None
            return base[idx[0] - 1, idx[1] - 1]
        value = base
        for i in idx:
            if i < 1:
                raise IndexError
            value = value[i - 1]
        return value
    except IndexError:
        raise EvaluationError(f"index {idx} out of range for {e.base}") from None


@evaluator(AppliedUndef)
def _sequence(ev: Evaluator, e: sp.Basic) -> Any:
    name = type(e).__name__
    fn = ev.sequences.get(name)
    if fn is None:
        raise EvaluationError(f"no sequence {name!r} in this instance")
    args = [_to_int(ev(a), f"index of {name}") for a in e.args]
    try:
        return fn(*args)
    except (KeyError, IndexError):
        # a reference computes a finite horizon; an index past it is not evaluable here
        raise EvaluationError(f"{name} at {tuple(args)} is outside the computed range") from None
    except TypeError as exc:
        if "positional argument" not in str(exc):
            raise
        # alpha_i written for a quantity the problem indexes twice (alpha_{ij}): a reading, not a value
        raise EvaluationError(f"{name} takes a different number of indices than the {len(args)} written") from None


@evaluator(MatSeq)
def _matseq(ev: Evaluator, e: MatSeq) -> Any:
    fn = ev.sequences.get(e.seq_name)
    if fn is None:
        raise EvaluationError(f"no sequence {e.seq_name!r} in this instance")
    i = _to_int(ev(e.index), f"index of {e.seq_name}")
    try:
        return fn(i)
    except (KeyError, IndexError):
        raise EvaluationError(f"{e.seq_name} at {i} is outside the computed range") from None


# --- arithmetic ----------------------------------------------------------------------------------

@evaluator(sp.Add, sp.MatAdd)
def _add_node(ev: Evaluator, e: sp.Basic) -> Any:
    total: Any = mpmath.mpf(0)
    for a in e.args:
        total = _add(total, ev(a))
    return total


@evaluator(sp.Mul, sp.MatMul)
def _mul_node(ev: Evaluator, e: sp.Basic) -> Any:
    result: Any = mpmath.mpf(1)
    for a in e.args:
        result = _mul(result, ev(a))
    return result


@evaluator(sp.Pow)
def _pow(ev: Evaluator, e: sp.Pow) -> Any:
    base, exp = ev(e.base), ev(e.exp)
    if is_matrix(base):
        return _matpow(base, _to_int(exp, "exponent"))
    exp = as_scalar(exp)
    if abs(exp) > MAX_EXPONENT and abs(abs(base) - 1) > 0:
        raise EvaluationError(f"exponent {mpmath.nstr(exp, 5)} is too large to evaluate")
    if base == 0 and exp < 0:
        raise EvaluationError("division by zero")
    if isinstance(base, mpmath.mpf) and base < 0 and mpmath.isint(exp):
        return base ** int(exp)
    return mpmath.power(base, exp)


@evaluator(sp.MatPow)
def _matpow_node(ev: Evaluator, e: sp.MatPow) -> Any:
    return _matpow(ev(e.base), _to_int(ev(e.exp), "matrix exponent"))


@evaluator(sp.Transpose)
def _transpose(ev: Evaluator, e: sp.Transpose) -> Any:
    v = ev(e.arg)
    return v.T if is_matrix(v) else v


@evaluator(sp.Adjoint)
def _adjoint(ev: Evaluator, e: sp.Adjoint) -> Any:
    v = ev(e.arg)
    return v.H if is_matrix(v) else mpmath.conj(v)


@evaluator(sp.Inverse)
def _inverse_node(ev: Evaluator, e: sp.Inverse) -> Any:
    return _inverse(ev(e.arg))


@evaluator(sp.Identity)
def _identity(ev: Evaluator, e: sp.Identity) -> Any:
    n = _to_int(ev(e.rows), "dimension")
    _check_dim(n)
    return mpmath.eye(n)


@evaluator(sp.ZeroMatrix)
def _zero(ev: Evaluator, e: sp.ZeroMatrix) -> Any:
    r, c = _to_int(ev(e.rows), "dimension"), _to_int(ev(e.cols), "dimension")
    _check_dim(r, c)
    return mpmath.zeros(r, c)


@evaluator(sp.OneMatrix)
def _ones(ev: Evaluator, e: sp.OneMatrix) -> Any:
    r, c = _to_int(ev(e.rows), "dimension"), _to_int(ev(e.cols), "dimension")
    _check_dim(r, c)
    return mpmath.ones(r, c)


@evaluator(sp.MatrixBase)
def _explicit(ev: Evaluator, e: sp.MatrixBase) -> Any:
    _check_dim(e.rows, e.cols)
    out = mpmath.matrix(e.rows, e.cols)
    for i in range(e.rows):
        for j in range(e.cols):
            out[i, j] = as_scalar(ev(e[i, j]))
    return out


@evaluator(sp.BlockMatrix)
def _block(ev: Evaluator, e: sp.BlockMatrix) -> Any:
    blocks = [[ev(b) for b in row] for row in e.blocks.tolist()]
    rows = [shape_of(row[0])[0] for row in blocks]
    cols = [shape_of(b)[1] for b in blocks[0]]
    out = mpmath.matrix(sum(rows), sum(cols))
    r0 = 0
    for bi, row in enumerate(blocks):
        c0 = 0
        for bj, b in enumerate(row):
            if shape_of(b) != (rows[bi], cols[bj]):
                raise EvaluationError("block sizes do not line up")
            for i in range(rows[bi]):
                for j in range(cols[bj]):
                    out[r0 + i, c0 + j] = b[i, j] if is_matrix(b) else b
            c0 += cols[bj]
        r0 += rows[bi]
    return out


@evaluator(sp.Trace)
def _trace(ev: Evaluator, e: sp.Trace) -> Any:
    m = ev(e.arg)
    if not is_matrix(m):
        return m
    if m.rows != m.cols:
        raise EvaluationError("trace of a non-square matrix")
    return mpmath.fsum(m[i, i] for i in range(m.rows))


@evaluator(sp.Determinant)
def _det(ev: Evaluator, e: sp.Determinant) -> Any:
    m = ev(e.arg)
    if not is_matrix(m):
        return m
    if m.rows != m.cols:
        raise EvaluationError("determinant of a non-square matrix")
    try:
        return mpmath.det(m)
    except (TypeError, ZeroDivisionError):
        # mpmath's LU gives up on exactly singular matrices (a None pivot): eliminate by hand
        return _det_by_elimination(m)


def _det_by_elimination(m: Any) -> Any:
    """Determinant by Gaussian elimination with partial pivoting (0 for singular input)."""
    a = m.copy()
    n = a.rows
    det = mpmath.mpf(1)
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(a[i, k]))
        if a[p, k] == 0:
            return mpmath.mpf(0)
        if p != k:
            for j in range(n):
                a[k, j], a[p, j] = a[p, j], a[k, j]
            det = -det
        det *= a[k, k]
        for i in range(k + 1, n):
            f = a[i, k] / a[k, k]
            for j in range(k, n):
                a[i, j] -= f * a[k, j]
    return det


@evaluator(sp.HadamardProduct)
def _hadamard(ev: Evaluator, e: sp.HadamardProduct) -> Any:
    # a 1 x 1 factor may have been read as a scalar: treat every factor as a matrix
    vals = [v if is_matrix(v) else mpmath.matrix([[v]]) for v in (ev(a) for a in e.args)]
    out = vals[0].copy()
    for v in vals[1:]:
        if shape_of(v) != shape_of(out):
            raise EvaluationError("Hadamard product of matrices of different shapes")
        for i in range(out.rows):
            for j in range(out.cols):
                out[i, j] *= v[i, j]
    return out


@evaluator(sp.DiagMatrix)
def _diagmatrix(ev: Evaluator, e: sp.DiagMatrix) -> Any:
    v = ev(e.args[0])
    entries = flat(v)
    _check_dim(len(entries))
    return mpmath.diag(entries)


@evaluator(sp.Sum)
def _sum(ev: Evaluator, e: sp.Sum) -> Any:
    body = e.function
    limits = list(e.limits)

    def nest(k: int) -> Any:
        if k == len(limits):
            return ev(body)
        var, lo, hi = limits[k]
        return ev.loop(var, lo, hi, _Deferred(lambda: nest(k + 1)))

    return nest(0)


@evaluator(sp.Product)
def _product(ev: Evaluator, e: sp.Product) -> Any:
    (var, lo, hi), = e.limits
    a, b = _to_int(ev(lo), "product bound"), _to_int(ev(hi), "product bound")
    if b - a + 1 > MAX_TERMS:
        raise EvaluationError(f"product over {b - a + 1} terms exceeds {MAX_TERMS}")
    result: Any = mpmath.mpf(1)
    for v in range(a, b + 1):
        ev.bound[var] = v
        result = _mul(result, ev(e.function))
    ev.bound.pop(var, None)
    return result


class _Deferred(sp.Basic):
    """A callable wrapped as a node so nested sums reuse :meth:`Evaluator.loop`."""

    def __new__(cls, fn: Callable[[], Any]):
        obj = super().__new__(cls)
        obj._fn = fn
        return obj


@evaluator(_Deferred)
def _deferred(ev: Evaluator, e: _Deferred) -> Any:
    return e._fn()


@evaluator(MatSum)
def _matsum(ev: Evaluator, e: MatSum) -> Any:
    j, a, b = e.limits
    lo, hi = _to_int(ev(a), "sum bound"), _to_int(ev(b), "sum bound")
    if hi < lo:
        r, c = (_to_int(ev(x), "dimension") for x in e.shape)
        return mpmath.zeros(r, c)
    return ev.loop(j, a, b, e.term)


@evaluator(sp.Limit)
def _limit(ev: Evaluator, e: sp.Limit) -> Any:
    """lim_{x -> x0} f(x) for f continuous at x0 after removing a removable singularity
    (e.g. ((1+s)^l - 1)/s at s = 0): f is evaluated at x0 + h with h = 10^-dps at twice the
    working precision, so the error is O(h |f'|), far below the checker's tolerance.  A
    one-sided limit takes h from its side; a jump or a pole shows up as a refutation."""
    expr, var, x0 = e.args[0], e.args[1], e.args[2]
    direction = str(e.args[3]) if len(e.args) > 3 else "+"
    dps = mpmath.mp.dps
    with mpmath.workdps(2 * dps):
        point = as_scalar(ev(x0))
        if not mpmath.isfinite(point):
            raise EvaluationError("a limit at infinity is not evaluated numerically")
        h = mpmath.mpf(10) ** (-dps)
        saved = ev.bound.get(var, None)
        ev.bound[var] = point - h if direction == "-" else point + h
        try:
            value = ev(expr)
        finally:
            if saved is None:
                ev.bound.pop(var, None)
            else:
                ev.bound[var] = saved
    return +value if not is_matrix(value) else value


@evaluator(sp.KroneckerDelta)
def _kronecker(ev: Evaluator, e: sp.KroneckerDelta) -> Any:
    i, j = (_to_int(ev(a), "index") for a in e.args[:2])
    return mpmath.mpf(1 if i == j else 0)


@evaluator(sp.Piecewise)
def _piecewise(ev: Evaluator, e: sp.Piecewise) -> Any:
    for expr, cond in e.args:
        if _truth(ev, cond):
            return ev(expr)
    raise EvaluationError("no branch of a piecewise expression applies")


def _truth(ev: Evaluator, cond: sp.Basic) -> bool:
    if cond is sp.true:
        return True
    if cond is sp.false:
        return False
    if isinstance(cond, sp.And):
        return all(_truth(ev, c) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(_truth(ev, c) for c in cond.args)
    if isinstance(cond, sp.Not):
        return not _truth(ev, cond.args[0])
    if isinstance(cond, sp.core.relational.Relational):
        lhs, rhs = as_scalar(ev(cond.lhs)), as_scalar(ev(cond.rhs))
        op = cond.rel_op
        return {"==": lhs == rhs, "!=": lhs != rhs, "<": lhs < rhs, "<=": lhs <= rhs,
                ">": lhs > rhs, ">=": lhs >= rhs}[op]
    raise EvaluationError(f"cannot decide the condition {cond}")


# --- elementary functions ---------------------------------------------------------------------------

def _elementwise(fn: Callable[[Any], Any]) -> Handler:
    def handler(ev: Evaluator, e: sp.Basic) -> Any:
        v = ev(e.args[0])
        if is_matrix(v):
            return v.apply(fn)
        return fn(v)

    return handler


_SCALAR_FUNCTIONS: dict[type, Callable[[Any], Any]] = {
    sp.exp: mpmath.exp,
    sp.log: lambda x: mpmath.log(x) if x != 0 else _raise("log of zero"),
    sp.sqrt: mpmath.sqrt,
    sp.sin: mpmath.sin,
    sp.cos: mpmath.cos,
    sp.tan: mpmath.tan,
    sp.tanh: mpmath.tanh,
    sp.sinh: mpmath.sinh,
    sp.cosh: mpmath.cosh,
    sp.atan: mpmath.atan,
    sp.Abs: abs,
    sp.sign: mpmath.sign,
    sp.floor: mpmath.floor,
    sp.ceiling: mpmath.ceil,
    sp.re: mpmath.re,
    sp.im: mpmath.im,
    sp.conjugate: mpmath.conj,
    sp.factorial: mpmath.factorial,
}


def _raise(msg: str) -> Any:
    raise EvaluationError(msg)


for _cls, _fn in _SCALAR_FUNCTIONS.items():
    _HANDLERS[_cls] = _elementwise(_fn)


@evaluator(sp.binomial)
def _binomial(ev: Evaluator, e: sp.Basic) -> Any:
    return mpmath.binomial(as_scalar(ev(e.args[0])), as_scalar(ev(e.args[1])))


@evaluator(sp.Mod)
def _mod(ev: Evaluator, e: sp.Basic) -> Any:
    a, b = as_scalar(ev(e.args[0])), as_scalar(ev(e.args[1]))
    if b == 0:
        raise EvaluationError("mod 0")
    return a - b * mpmath.floor(a / b)


@evaluator(sp.Max, sp.Min)
def _maxmin(ev: Evaluator, e: sp.Basic) -> Any:
    vals = [as_scalar(ev(a)) for a in e.args]
    return max(vals) if isinstance(e, sp.Max) else min(vals)


from sympy.codegen.cfunctions import expm1 as _cf_expm1, log1p as _cf_log1p  # noqa: E402

_HANDLERS[_cf_expm1] = _elementwise(mpmath.expm1)
_HANDLERS[_cf_log1p] = _elementwise(mpmath.log1p)


@evaluator(sp.matrices.expressions.matexpr.MatrixElement)
def _matrix_element(ev: Evaluator, e: sp.Basic) -> Any:
    parent = ev(e.parent)
    i, j = (_to_int(ev(x), "matrix index") for x in e.indices)  # 0-based, as SymPy's M[i, j]
    if not is_matrix(parent):
        if (i, j) == (0, 0):
            return parent
        raise EvaluationError("index into a scalar")
    if not (0 <= i < parent.rows and 0 <= j < parent.cols):
        raise EvaluationError(f"matrix index ({i}, {j}) out of range")
    return parent[i, j]
