"""Problems: the symbols of a question, how to sample them, and an independent reference.

A :class:`Problem` knows its symbols (with shapes and symbolic dimensions), its integer
indices (ℓ, k, t with their admissible ranges), how to draw a random instance at a given
precision, and how to compute the named quantities *from the definition* (iterate the
recurrence, run the forward pass), never from a derived closed form.  Its notation table
binds LaTeX spellings to quantities for the claim checker.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import mpmath
import sympy as sp

from .numeric import EvaluationError, is_matrix


class SizesRejected(EvaluationError):
    """Sizes drawn for an instance that the caller's ``accept`` refused (no values were drawn)."""


@dataclass(frozen=True)
class Dim:
    """A symbolic dimension such as ``n``; instances draw it from ``choices``."""

    symbol: sp.Symbol
    choices: tuple[int, ...] = (2, 3, 4, 5)


@dataclass(frozen=True)
class Index:
    """An integer index such as ℓ with its admissible range ``low..`` (``high`` caps sampling).

    Interior samples avoid the special small values (they start at ``max(low, 2)``); the
    boundary ``low`` is sampled on purpose by the checker.
    """

    symbol: sp.Symbol
    low: int = 0
    high: int = 9


@dataclass(frozen=True)
class Notation:
    """One row of a notation table: how a quantity is written and what it means."""

    latex: str
    expr: sp.Basic
    meaning: str


@dataclass(frozen=True)
class Part:
    """A question of a problem, named as in its source (``"a"``, ``"b"``, ...)."""

    name: str
    question: str
    kind: str = "derived"  # "derived" | "stated" (a complexity argument, not computed)


class Sampler:
    """Random values for one instance: matrices of stated kinds at the instance precision.

    ``small=True`` gives small integers and simple rationals (used to shrink
    counterexamples to something a person can check by hand).
    """

    def __init__(self, rng: random.Random, dps: int, small: bool = False):
        self.rng = rng
        self.dps = dps
        self.small = small

    def scalar(self, lo: float = -1.0, hi: float = 1.0, *, avoid: float | None = None) -> Any:
        """Uniform in (lo, hi), away from ``avoid`` and from 0 when 0 is inside."""
        if lo == -1 and hi == 1 and avoid is None and not self.small and mpmath.mp.prec >= 53:
            # the common case, without mpf arithmetic (half the cost of sampling a document's
            # matrices): 2r - 1 is exact in a double, so the value is the one the loop gives
            while True:
                x = mpmath.mpf(2 * self.rng.random() - 1)
                if x != 0:
                    return x
        for _ in range(100):
            if self.small:
                a, b = int(mpmath.ceil(lo * 2)), int(mpmath.floor(hi * 2))
                if a > b:
                    a, b = int(mpmath.ceil(lo * 4)), int(mpmath.floor(hi * 4))
                    x = mpmath.mpf(self.rng.randint(a, b)) / 4
                else:
                    x = mpmath.mpf(self.rng.randint(a, b)) / 2
                if not (lo <= x <= hi) or x in (lo, hi):
                    x = (mpmath.mpf(lo) + hi) / 2
            else:
                x = mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * mpmath.mpf(self.rng.random())
            if avoid is not None and abs(x - avoid) < 1e-3 and not self.small:
                continue
            if lo < 0 < hi and x == 0:
                continue
            return x
        return x

    def positive(self, lo: float = 0.5, hi: float = 2.0) -> Any:
        return self.scalar(lo, hi)

    def matrix(self, rows: int, cols: int, kind: str = "general", scale: float = 1.0) -> Any:
        """A random ``rows x cols`` matrix.

        kinds: ``general`` (entries U(-1, 1), non-symmetric), ``stable`` (spectral norm
        < 1), ``invertible`` (well conditioned), ``spd``, ``symmetric``, ``orthogonal``,
        ``diagonal``.
        """
        if kind == "orthogonal":
            return self._orthogonal(rows)
        # built from rows: setting entries one by one costs more than drawing them
        m = mpmath.matrix([[self.scalar(-1, 1) * scale if scale != 1 else self.scalar(-1, 1)
                            for _j in range(cols)] for _i in range(rows)]) if rows and cols else mpmath.matrix(rows, cols)
        if kind == "general":
            return m
        if kind == "stable":
            # scale so that the infinity norm is at most 0.9 (spectral radius < 1)
            norm = max(mpmath.fsum(abs(m[i, j]) for j in range(cols)) for i in range(rows))
            target = mpmath.mpf(9) / 10 if not self.small else mpmath.mpf(1) / 2
            return m * (target / norm) if norm > target else m
        if kind == "invertible":
            return m + mpmath.eye(rows) * (rows if not self.small else rows + 1)
        if kind == "symmetric":
            return (m + m.T) / 2
        if kind == "spd":
            return m * m.T + mpmath.eye(rows)
        if kind == "diagonal":
            return mpmath.diag([self.scalar(-1, 1) for _ in range(rows)])
        raise ValueError(f"unknown matrix kind {kind!r}")

    def _orthogonal(self, n: int) -> Any:
        """A random orthogonal matrix: a product of n or n - 1 Householder reflections
        I - 2 v v^T / v^T v (so either determinant), exact to the working precision.  A QR
        factorisation gives the same kind of matrix at several times the cost, and small
        integer directions (``small``) give rational entries a person can check."""
        q = [[mpmath.mpf(int(i == j)) for j in range(n)] for i in range(n)]
        for _ in range(n - self.rng.randint(0, 1)):
            v = [self.scalar(-1, 1) for _ in range(n)]
            norm2 = mpmath.fsum(x * x for x in v)
            qv = [mpmath.fdot(row, v) for row in q]  # Q v, then Q <- Q - (2 / v^T v) (Q v) v^T
            scale = 2 / norm2
            q = [[q[i][j] - scale * qv[i] * v[j] for j in range(n)] for i in range(n)]
        return mpmath.matrix(q)

    def vector(self, n: int, lo: float = -1.0, hi: float = 1.0) -> Any:
        return mpmath.matrix([[self.scalar(lo, hi)] for _ in range(n)]) if n else mpmath.matrix(0, 1)


@dataclass
class Instance:
    """One random instance: concrete dimensions, indices, values and lazy sequences."""

    dps: int
    values: dict[Any, Any]
    sequences: dict[str, Callable[..., Any]]
    seed: int | None = None
    small: bool = False

    def describe(self, digits: int = 12) -> dict[str, Any]:
        """A JSON-able description (dimensions, indices and input values, rounded)."""
        out: dict[str, Any] = {}
        for key, value in sorted(self.values.items(), key=lambda kv: str(kv[0])):
            out[str(key)] = _describe_value(value, digits)
        return out


def _describe_value(v: Any, digits: int) -> Any:
    if isinstance(v, int):
        return v
    if is_matrix(v):
        return [[_num(v[i, j], digits) for j in range(v.cols)] for i in range(v.rows)]
    if isinstance(v, (list, tuple)):
        return [_describe_value(x, digits) for x in v]
    return _num(v, digits)


def _num(x: Any, digits: int) -> Any:
    if isinstance(x, int):
        return x
    if isinstance(x, mpmath.mpc):
        return f"{mpmath.nstr(x.real, digits)}{'+' if x.imag >= 0 else '-'}{mpmath.nstr(abs(x.imag), digits)}i"
    if isinstance(x, mpmath.mpf) and mpmath.isint(x) and abs(x) < 10**15:
        return int(x)
    return mpmath.nstr(x, digits)


SampleFn = Callable[[Sampler, Mapping[sp.Symbol, int]], dict[Any, Any]]
ReferenceFn = Callable[[dict[Any, Any], int], dict[str, Callable[..., Any]]]


@dataclass(frozen=True)
class Problem:
    """A question with symbols, assumptions, a sampler and an independent reference.

    ``sample_values(sampler, sizes)`` returns the random inputs (keyed by SymPy symbol),
    given the sampled dimensions and indices in ``sizes``.  ``reference(values, dps)``
    returns the named sequences/quantities computed from the definition, as callables
    (evaluated lazily: only what a claim mentions is computed).
    """

    name: str
    title: str
    statement: str
    dims: tuple[Dim, ...] = ()
    indices: tuple[Index, ...] = ()
    sample_values: SampleFn | None = None
    reference: ReferenceFn | None = None
    notation: tuple[Notation, ...] = ()
    assumptions: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    source: str = ""
    # how sequence elements print: name -> "sub" | "paren" | format string over indices
    latex_names: tuple[tuple[str, str], ...] = ()
    # other spellings of the same letters that sources use, (alias, canonical): the seed
    # writes X for x and w for W; the claim checker reads both
    aliases: tuple[tuple[str, str], ...] = ()

    def index(self, symbol: sp.Symbol) -> Index:
        for idx in self.indices:
            if idx.symbol == symbol:
                return idx
        raise KeyError(symbol)

    def sample(self, rng: random.Random, dps: int = 50, *, small: bool = False,
               fixed: Mapping[sp.Symbol, int] | None = None,
               ranges: Mapping[sp.Symbol, tuple[int, int]] | None = None,
               accept: Callable[[dict], bool] | None = None) -> Instance:
        """Draw one instance.  ``fixed`` pins dimensions/indices (boundary cases);
        ``ranges`` narrows an index's range (a claim's own condition, e.g. ℓ ≥ 1); ``accept``
        sees the drawn sizes first: sizes it refuses raise :class:`SizesRejected` before any
        value is drawn (a caller that redraws until its conditions hold skips the costly part)."""
        fixed = dict(fixed or {})
        ranges = dict(ranges or {})
        sizes: dict[sp.Symbol, int] = {}
        for d in self.dims:
            choices = d.choices if not small else tuple(c for c in d.choices if c <= 3) or d.choices[:1]
            sizes[d.symbol] = fixed.get(d.symbol, rng.choice(choices))
        for idx in self.indices:
            lo, hi = ranges.get(idx.symbol, (idx.low, idx.high))
            interior_lo = min(max(lo, 2), hi)
            sizes[idx.symbol] = fixed.get(idx.symbol, rng.randint(interior_lo, hi) if not small else interior_lo)
        if accept is not None and not accept(sizes):
            raise SizesRejected("the sizes drawn do not satisfy the conditions")
        with mpmath.workdps(dps):
            sampler = Sampler(rng, dps, small=small)
            values: dict[Any, Any] = dict(sizes)
            if self.sample_values is not None:
                values.update(self.sample_values(sampler, sizes))
            sequences = self.reference(values, dps) if self.reference is not None else {}
        return Instance(dps=dps, values=values, sequences=_memoize_all(sequences, dps), small=small)

    def notation_table(self) -> list[tuple[str, str]]:
        return [(row.latex, row.meaning) for row in self.notation]


def _memoize_all(seqs: dict[str, Callable[..., Any]], dps: int) -> dict[str, Callable[..., Any]]:
    out = {}
    for name, fn in seqs.items():
        cache: dict[tuple, Any] = {}

        def lookup(*args: int, _fn=fn, _cache=cache) -> Any:
            if args not in _cache:
                with mpmath.workdps(dps):
                    _cache[args] = _fn(*args)
            return _cache[args]

        out[name] = lookup
    return out

