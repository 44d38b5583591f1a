"""Matrix-calculus nodes SymPy lacks, with their mpmath evaluators and printers.

* elementwise functions of a matrix (``log``, ``exp``, ``σ``, ``tanh``, ``sin``, ``cos``,
  ``relu`` with its derivative the step H, ``softplus``, ``abs``, ``sqrt``) and the column
  ``softmax`` of a vector - SymPy's scalar functions do not act on a ``MatrixExpr``;
* the Frobenius norm ``‖E‖`` (for a vector the 2-norm);
* differentials ``d(F)`` taken along a direction ``dX`` (:func:`diff_node`): evaluated
  numerically as the *directional derivative* of ``F`` by mpmath central differences, which
  is how every differential step of the engine is checked;
* ``FDGradient(f, X)`` and ``FDHessVec(f, X, V)``: the gradient and the Hessian-vector
  product of a scalar ``f`` computed entry by entry with mpmath central differences of
  ``f`` itself - the independent reference a derived gradient is compared with.

Each node prints itself (``_latex``/``_house_latex`` for LaTeX, ``_sympystr`` for text) so
the house printers need no change, and registers an evaluator with
:func:`derive.numeric.evaluator`.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..numeric import EvaluationError, Evaluator, as_scalar, evaluator, is_matrix


def _paren(printer: Any, e: sp.Basic) -> str:
    text = printer._print(e)
    if isinstance(e, (sp.MatrixSymbol, sp.Symbol, Elementwise, Softmax, sp.Transpose)):
        return text
    return rf"\left({text}\right)"


# --- elementwise functions --------------------------------------------------------------------------

class Elementwise(MatrixExpr):
    """``f(M)`` applied entry by entry; subclasses give the name and the derivative f'(M)."""

    fname: str = "f"
    tex: str = r"\operatorname{f}"
    numpy: str = "f"

    def __new__(cls, arg: sp.Basic):
        arg = sp.sympify(arg)
        if not getattr(arg, "is_Matrix", False):
            raise TypeError(f"{cls.fname} needs a matrix argument, got {arg}")
        return super().__new__(cls, arg)

    @property
    def arg(self) -> sp.Basic:
        return self.args[0]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.arg.shape

    def derivative(self) -> sp.Basic:
        """The entrywise derivative f'(M) as a matrix expression (same shape)."""
        raise NotImplementedError

    @staticmethod
    def scalar(x: Any) -> Any:
        raise NotImplementedError

    def _eval_transpose(self):
        return type(self)(sp.Transpose(self.arg))

    def _latex(self, printer: Any) -> str:
        return rf"{self.tex}\left({printer._print(self.arg)}\right)"

    _house_latex = _latex

    def _sympystr(self, printer: Any) -> str:
        return f"{self.fname}({printer._print(self.arg)})"

    code: str = ""  # NumPy/CuPy form, {m} the module and {x} the argument; default {m}.<numpy>({x})

    def _pythoncode(self, printer: Any) -> str:
        """NumPy / CuPy code (the array printers' print method is ``_pythoncode``)."""
        return (self.code or "{m}." + self.numpy + "({x})").format(m=printer._module, x=printer._print(self.arg))

    _numpycode = _cupycode = _pythoncode  # the array printers' print methods


class Ones(sp.MatrixSymbol):
    """The all-ones column vector ``1`` (n × 1); printed bold, ``1ᵀ`` as its transpose."""

    def __new__(cls, *args: Any):
        n = args[0] if len(args) == 1 else args[1]
        return super().__new__(cls, "1", sp.sympify(n), sp.Integer(1))

    def _latex(self, printer: Any) -> str:
        return r"\mathbf{1}"

    _house_latex = _latex

    def _sympystr(self, printer: Any) -> str:
        return "1"

    def _pythoncode(self, printer: Any) -> str:
        return f"{printer._module}.ones(({printer._print(self.shape[0])}, 1))"

    _numpycode = _cupycode = _pythoncode  # the array printers' print methods


def ones_like(m: sp.Basic) -> sp.Basic:
    return Ones(m.shape[0]) if m.shape[1] == 1 else sp.OneMatrix(*m.shape)


class Log(Elementwise):
    fname, tex, numpy = "log", r"\log", "log"

    def derivative(self) -> sp.Basic:
        return sp.HadamardPower(self.arg, -1)

    @staticmethod
    def scalar(x: Any) -> Any:
        if x <= 0:
            raise EvaluationError("log of a non-positive entry")
        return mpmath.log(x)


class Exp(Elementwise):
    fname, tex, numpy = "exp", r"\exp", "exp"

    def derivative(self) -> sp.Basic:
        return self

    @staticmethod
    def scalar(x: Any) -> Any:
        return mpmath.exp(x)


class Sigmoid(Elementwise):
    fname, tex, numpy = "sigmoid", r"\sigma", "sigmoid"
    code = "(0.5 * (1.0 + {m}.tanh(0.5 * ({x}))))"  # σ without overflow for large |z|

    def derivative(self) -> sp.Basic:
        # σ' = σ ⊙ (1 - σ)
        return sp.HadamardProduct(self, sp.MatAdd(ones_like(self), sp.MatMul(-1, self)))

    @staticmethod
    def scalar(x: Any) -> Any:
        return 1 / (1 + mpmath.exp(-x))


class Tanh(Elementwise):
    fname, tex, numpy = "tanh", r"\tanh", "tanh"

    def derivative(self) -> sp.Basic:
        # tanh' = 1 - tanh^2 (entrywise)
        return sp.MatAdd(ones_like(self), sp.MatMul(-1, sp.HadamardPower(self, 2)))

    @staticmethod
    def scalar(x: Any) -> Any:
        return mpmath.tanh(x)


class Sin(Elementwise):
    fname, tex, numpy = "sin", r"\sin", "sin"

    def derivative(self) -> sp.Basic:
        return Cos(self.arg)

    @staticmethod
    def scalar(x: Any) -> Any:
        return mpmath.sin(x)


class Cos(Elementwise):
    fname, tex, numpy = "cos", r"\cos", "cos"

    def derivative(self) -> sp.Basic:
        return sp.MatMul(-1, Sin(self.arg))

    @staticmethod
    def scalar(x: Any) -> Any:
        return mpmath.cos(x)


class Step(Elementwise):
    """The Heaviside step H(u) = 1 for u > 0, else 0: relu' away from 0 (where relu has no
    derivative, the convention relu'(0) = 0 of the ML libraries)."""

    fname, tex, numpy = "step", r"\operatorname{H}", "step"
    code = "({x} > 0).astype({m}.float64)"

    def derivative(self) -> sp.Basic:
        return sp.ZeroMatrix(*self.shape)

    @staticmethod
    def scalar(x: Any) -> Any:
        return mpmath.mpf(1) if x > 0 else mpmath.mpf(0)


class Relu(Elementwise):
    fname, tex, numpy = "relu", r"\operatorname{relu}", "relu"
    code = "{m}.maximum({x}, 0.0)"

    def derivative(self) -> sp.Basic:
        return Step(self.arg)

    @staticmethod
    def scalar(x: Any) -> Any:
        return x if x > 0 else mpmath.mpf(0)


class Softplus(Elementwise):
    fname, tex, numpy = "softplus", r"\operatorname{softplus}", "softplus"
    code = "{m}.logaddexp(0.0, {x})"  # log(1 + e^u) without overflow

    def derivative(self) -> sp.Basic:
        return Sigmoid(self.arg)

    @staticmethod
    def scalar(x: Any) -> Any:
        return mpmath.log1p(mpmath.exp(x))


class Sign(Elementwise):
    fname, tex, numpy = "sign", r"\operatorname{sign}", "sign"

    def derivative(self) -> sp.Basic:
        return sp.ZeroMatrix(*self.shape)

    @staticmethod
    def scalar(x: Any) -> Any:
        return mpmath.sign(x)


class Abs(Elementwise):
    fname, tex, numpy = "abs", r"\operatorname{abs}", "abs"

    def derivative(self) -> sp.Basic:
        return Sign(self.arg)

    @staticmethod
    def scalar(x: Any) -> Any:
        return abs(x)


class Sqrt(Elementwise):
    fname, tex, numpy = "sqrt", r"\sqrt", "sqrt"

    def derivative(self) -> sp.Basic:
        return sp.MatMul(sp.Rational(1, 2), sp.HadamardPower(self, -1))

    @staticmethod
    def scalar(x: Any) -> Any:
        if x < 0:
            raise EvaluationError("sqrt of a negative entry")
        return mpmath.sqrt(x)

    def _latex(self, printer: Any) -> str:
        return rf"\sqrt{{{printer._print(self.arg)}}}"

    _house_latex = _latex


ELEMENTWISE: dict[str, type[Elementwise]] = {"log": Log, "exp": Exp, "sigmoid": Sigmoid, "tanh": Tanh, "sin": Sin,
                                            "cos": Cos, "relu": Relu, "softplus": Softplus, "abs": Abs,
                                            "sqrt": Sqrt}


class Softmax(MatrixExpr):
    """``softmax(a) = exp(a) / (1ᵀ exp(a))`` of a column vector ``a``."""

    def __new__(cls, arg: sp.Basic):
        arg = sp.sympify(arg)
        if not getattr(arg, "is_Matrix", False) or arg.shape[1] != 1:
            raise TypeError(f"softmax needs a column vector, got {arg}")
        return super().__new__(cls, arg)

    @property
    def arg(self) -> sp.Basic:
        return self.args[0]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.arg.shape

    def _latex(self, printer: Any) -> str:
        return rf"\operatorname{{softmax}}\left({printer._print(self.arg)}\right)"

    _house_latex = _latex

    def _sympystr(self, printer: Any) -> str:
        return f"softmax({printer._print(self.arg)})"

    def _pythoncode(self, printer: Any) -> str:
        # the code plan hoists the argument into a temporary, so it is printed as a name
        m, a = printer._module, printer._print(self.arg)
        return f"{m}.exp({a} - {m}.max({a})) / {m}.sum({m}.exp({a} - {m}.max({a})))"

    _numpycode = _cupycode = _pythoncode  # the array printers' print methods


class Norm(sp.Expr):
    """The Frobenius norm ``‖E‖_F`` (the 2-norm for a vector)."""

    is_commutative = True
    is_real = True
    is_nonnegative = True

    def __new__(cls, arg: sp.Basic):
        arg = sp.sympify(arg)
        if not getattr(arg, "is_Matrix", False):
            raise TypeError(f"norm needs a matrix argument, got {arg}")
        return super().__new__(cls, arg)

    @property
    def arg(self) -> sp.Basic:
        return self.args[0]

    def _latex(self, printer: Any) -> str:
        sub = "" if self.arg.shape[1] == 1 else "_F"
        return rf"\left\|{printer._print(self.arg)}\right\|{sub}"

    _house_latex = _latex

    def _sympystr(self, printer: Any) -> str:
        # ASCII: str() of an expression also heads generated modules
        return f"norm({printer._print(self.arg)})"

    def _pythoncode(self, printer: Any) -> str:
        return f"{printer._module}.linalg.norm({printer._print(self.arg)})"  # Frobenius for 2-D arrays

    _numpycode = _cupycode = _pythoncode  # the array printers' print methods


# --- differentials and finite-difference references -----------------------------------------------

class MatDiff(MatrixExpr):
    """The differential ``d(F)`` of a matrix-valued ``F`` when ``X`` moves along ``dX``."""

    def __new__(cls, expr: sp.Basic, wrt: sp.MatrixSymbol, direction: sp.MatrixSymbol):
        return super().__new__(cls, expr, wrt, direction)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[0].shape

    def doit(self, **hints: Any) -> "MatDiff":
        return self

    def _eval_transpose(self):
        return None

    def _latex(self, printer: Any) -> str:
        e = self.args[0]
        if e == self.args[1]:
            return printer._print(self.args[2])
        return rf"d{_paren(printer, e)}" if not isinstance(e, sp.MatrixSymbol) else f"d{printer._print(e)}"

    _house_latex = _latex

    def _sympystr(self, printer: Any) -> str:
        if self.args[0] == self.args[1]:
            return printer._print(self.args[2])
        return f"d({printer._print(self.args[0])})"


class ScalarDiff(sp.Expr):
    """The differential ``d(f)`` of a scalar ``f`` when ``X`` moves along ``dX``."""

    is_commutative = True

    def __new__(cls, expr: sp.Basic, wrt: sp.MatrixSymbol, direction: sp.MatrixSymbol):
        return super().__new__(cls, expr, wrt, direction)

    def doit(self, **hints: Any) -> "ScalarDiff":
        return self

    def _latex(self, printer: Any) -> str:
        return rf"d\left({printer._print(self.args[0])}\right)"

    _house_latex = _latex

    def _sympystr(self, printer: Any) -> str:
        return f"d({printer._print(self.args[0])})"


def diff_node(expr: sp.Basic, wrt: sp.MatrixSymbol, direction: sp.MatrixSymbol) -> sp.Basic:
    """``d(expr)`` as an unevaluated node of the right kind (matrix or scalar)."""
    if getattr(expr, "is_Matrix", False):
        return MatDiff(expr, wrt, direction)
    return ScalarDiff(expr, wrt, direction)


class FDGradient(MatrixExpr):
    """``∂f/∂X`` computed entrywise by mpmath central differences of ``f`` (a reference)."""

    def __new__(cls, f: sp.Basic, wrt: sp.MatrixSymbol):
        return super().__new__(cls, f, wrt)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[1].shape

    def doit(self, **hints: Any) -> "FDGradient":
        return self

    def _latex(self, printer: Any) -> str:
        return rf"\frac{{\partial}}{{\partial {printer._print(self.args[1])}}} {_paren(printer, self.args[0])}"

    _house_latex = _latex

    def _sympystr(self, printer: Any) -> str:
        return f"∂/∂{printer._print(self.args[1])} {printer._print(self.args[0])}"


class FDHessVec(MatrixExpr):
    """``∇²f[V]`` (the Hessian of ``f`` at X applied to V) by mixed central differences of ``f``."""

    def __new__(cls, f: sp.Basic, wrt: sp.MatrixSymbol, vec: sp.MatrixSymbol):
        return super().__new__(cls, f, wrt, vec)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[1].shape

    def doit(self, **hints: Any) -> "FDHessVec":
        return self

    def _latex(self, printer: Any) -> str:
        f, x, v = (printer._print(a) for a in self.args)
        return rf"\nabla^2_{{{x}}} \left({f}\right)\left[{v}\right]"

    _house_latex = _latex

    def _sympystr(self, printer: Any) -> str:
        f, x, v = (printer._print(a) for a in self.args)
        return f"∇²_{x}({f})[{v}]"


# --- evaluators ----------------------------------------------------------------------------------------

@evaluator(Elementwise)
def _elementwise(ev: Evaluator, e: Elementwise) -> Any:
    v = ev(e.arg)
    if is_matrix(v):
        return v.apply(e.scalar)
    return e.scalar(v)


@evaluator(Ones)
def _ones(ev: Evaluator, e: Ones) -> Any:
    n = int(as_scalar(ev(e.shape[0])))
    if not 0 < n <= 256:
        raise EvaluationError(f"ones vector of length {n}")
    return mpmath.ones(n, 1)


@evaluator(Softmax)
def _softmax(ev: Evaluator, e: Softmax) -> Any:
    v = ev(e.arg)
    if not is_matrix(v):
        return mpmath.mpf(1)
    top = max(v[i, 0] for i in range(v.rows))  # shift for range, softmax is shift-invariant
    ex = [mpmath.exp(v[i, 0] - top) for i in range(v.rows)]
    total = mpmath.fsum(ex)
    return mpmath.matrix([[x / total] for x in ex])


@evaluator(Norm)
def _norm(ev: Evaluator, e: Norm) -> Any:
    v = ev(e.arg)
    if not is_matrix(v):
        return abs(v)
    return mpmath.sqrt(mpmath.fsum(v[i, j] ** 2 for i in range(v.rows) for j in range(v.cols)))


@evaluator(sp.HadamardPower)
def _hadamard_power(ev: Evaluator, e: sp.HadamardPower) -> Any:
    base, exp = ev(e.base), as_scalar(ev(e.exp))

    def power(x: Any) -> Any:
        if x == 0 and exp < 0:
            raise EvaluationError("entrywise power of a zero entry")
        return x**exp

    return base.apply(power) if is_matrix(base) else power(base)


def _perturbed(ev: Evaluator, expr: sp.Basic, wrt: sp.MatrixSymbol, base: Any, delta: Any) -> Any:
    """Evaluate ``expr`` with ``wrt`` replaced by ``base + delta`` (at the current precision)."""
    values = dict(ev.values)
    values[wrt] = base + delta
    sub = Evaluator(values, ev.sequences)
    sub.bound = dict(ev.bound)
    return sub(expr)


def central_difference(ev: Evaluator, expr: sp.Basic, wrt: sp.MatrixSymbol, direction: Any) -> Any:
    """d/dt expr(X + t·direction) at t = 0 by a central difference at raised precision.

    At working precision p = 2·dps + 20 digits and step h = 10^-(dps+5) the truncation
    error is O(h²) = 10^-(2·dps+10) and the rounding error 10^-p / h = 10^-(dps+15): both
    far below the checker's tolerance of 10^-(dps/2).
    """
    dps = mpmath.mp.dps
    base = ev.lookup(wrt)
    with mpmath.workdps(2 * dps + 20):
        h = mpmath.mpf(10) ** (-(dps + 5))
        plus = _perturbed(ev, expr, wrt, base, direction * h)
        minus = _perturbed(ev, expr, wrt, base, direction * (-h))
        if is_matrix(plus) != is_matrix(minus):
            raise EvaluationError("inconsistent shapes in a finite difference")
        out = (plus - minus) / (2 * h)
    return +out if not is_matrix(out) else out.apply(lambda z: +z)


@evaluator(MatDiff, ScalarDiff)
def _differential(ev: Evaluator, e: sp.Basic) -> Any:
    expr, wrt, direction = e.args
    return central_difference(ev, expr, wrt, ev(direction))


def _unit(rows: int, cols: int, i: int, j: int) -> Any:
    m = mpmath.zeros(rows, cols)
    m[i, j] = 1
    return m


@evaluator(FDGradient)
def _fd_gradient(ev: Evaluator, e: FDGradient) -> Any:
    f, wrt = e.args
    base = ev.lookup(wrt)
    if not is_matrix(base):
        raise EvaluationError("the variable of a gradient must be a matrix or vector")
    out = mpmath.matrix(base.rows, base.cols)
    for i in range(base.rows):
        for j in range(base.cols):
            out[i, j] = as_scalar(central_difference(ev, f, wrt, _unit(base.rows, base.cols, i, j)))
    return out


@evaluator(FDHessVec)
def _fd_hessvec(ev: Evaluator, e: FDHessVec) -> Any:
    """(∇²f[V])_ij = ∂²/∂s∂t f(X + sV + tE_ij) at 0, by the four-point mixed difference.

    At p = 3·dps + 20 digits with h = 10^-dps: truncation O(h²) = 10^-2dps, rounding
    10^-p / h² = 10^-(dps+20).
    """
    f, wrt, vec = e.args
    base, v = ev.lookup(wrt), ev(vec)
    dps = mpmath.mp.dps
    out = mpmath.matrix(base.rows, base.cols)
    with mpmath.workdps(3 * dps + 20):
        h = mpmath.mpf(10) ** (-dps)
        for i in range(base.rows):
            for j in range(base.cols):
                unit = _unit(base.rows, base.cols, i, j)
                vals = []
                for s, t in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                    vals.append(as_scalar(_perturbed(ev, f, wrt, base, v * (s * h) + unit * (t * h))))
                out[i, j] = (vals[0] - vals[1] - vals[2] + vals[3]) / (4 * h * h)
    return out.apply(lambda z: +z)

