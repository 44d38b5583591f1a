"""From a differential ``df`` (linear in dX) to the gradient: expand, cancel, pull back.

* :func:`expand_terms` distributes products, traces, transposes and Hadamard products
  over sums, so ``df`` becomes a list of terms each linear in dX;
* :func:`cancel_hadamard` applies the two entrywise identities the softmax/log chain needs:
  ``u^∘−1 ⊙ (diag(u) v) = v`` and ``u^∘−1 ⊙ (u c) = 1 c`` (c a 1×1 factor);
* :func:`pullback` reads off G from ``⟨G₀, E⟩ = tr(G₀ᵀ E)`` by the moves of the trace
  calculus: ``⟨G, P E Q⟩ = ⟨Pᵀ G Qᵀ, E⟩`` (cyclic property), ``⟨G, Eᵀ⟩ = ⟨Gᵀ, E⟩``,
  ``⟨G, B ⊙ E⟩ = ⟨G ⊙ B, E⟩`` (seed 001, eq. 2.4), ``g tr E = ⟨g I, E⟩``, and sums.
  It returns G together with the names of the moves used (the step's reason).
"""

from __future__ import annotations

from itertools import product as cartesian

import sympy as sp

from ..errors import DeriveError
from ..symbols import MatSum
from .nodes import Ones

MAX_TERMS = 400  # a differential that expands to more terms is refused as too large


def _too_many(n: int) -> None:
    if n > MAX_TERMS:
        raise DeriveError(f"the differential expands to more than {MAX_TERMS} terms; simplify the expression")


def mat_mul(*args: sp.Basic) -> sp.Basic:
    """A canonical product (flattened, scalars in front, identities dropped)."""
    args = [a for a in args if a != 1]
    if not args:
        return sp.Integer(1)
    if all(not getattr(a, "is_Matrix", False) for a in args):
        return sp.Mul(*args)
    if len(args) == 1:
        return args[0]
    return sp.MatMul(*args).doit(deep=False)


def transpose(e: sp.Basic) -> sp.Basic:
    """Push a transpose down one level: (A B)ᵀ = Bᵀ Aᵀ, (Aᵀ)ᵀ = A, (A + B)ᵀ = Aᵀ + Bᵀ."""
    if not getattr(e, "is_Matrix", False):
        return e
    if isinstance(e, sp.Transpose):
        return e.arg
    if isinstance(e, sp.MatMul):
        coeff, mats = e.as_coeff_matrices()
        return mat_mul(coeff, *[transpose(m) for m in reversed(mats)])
    if isinstance(e, sp.MatAdd):
        return sp.MatAdd(*[transpose(a) for a in e.args])
    if isinstance(e, sp.HadamardProduct):
        return sp.HadamardProduct(*[transpose(a) for a in e.args])
    if isinstance(e, (sp.Identity, sp.ZeroMatrix)) or (isinstance(e, sp.DiagMatrix)):
        return e
    if isinstance(e, sp.OneMatrix):
        return sp.OneMatrix(e.shape[1], e.shape[0])
    if isinstance(e, MatSum):
        j, a, b = e.limits
        return MatSum(transpose(e.term), (j, a, b))
    if isinstance(e, sp.Inverse):
        return sp.Inverse(transpose(e.arg)) if not isinstance(e.arg, sp.MatrixSymbol) else sp.Transpose(e)
    if isinstance(e, sp.MatPow) and not isinstance(e.base, sp.MatrixSymbol):
        return sp.MatPow(transpose(e.base), e.exp)
    return sp.Transpose(e)


def expand_terms(e: sp.Basic, direction: sp.MatrixSymbol) -> list[sp.Basic]:
    """The terms of ``e`` after distributing over sums: every matrix product that contains
    ``direction`` is multiplied out (so that (diag(s) − s sᵀ) dW x splits for the entrywise
    cancellations), while the dX-free factors of a Hadamard product stay whole (σ ⊙ (1 − σ))."""
    if not e.has(direction):
        return [e]
    if isinstance(e, (sp.MatAdd, sp.Add)):
        out: list[sp.Basic] = []
        for a in e.args:
            out.extend(expand_terms(a, direction))
        _too_many(len(out))
        return out
    if isinstance(e, (sp.MatMul, sp.Mul)):
        parts = [expand_terms(a, direction) if a.has(direction) else _sum_terms(a) for a in e.args]
        count = 1
        for p in parts:
            count *= len(p)
        _too_many(count)
        return [mat_mul(*combo) for combo in cartesian(*parts)]
    if isinstance(e, sp.HadamardProduct):
        parts = [expand_terms(a, direction) for a in e.args]
        out = []
        for combo in cartesian(*parts):
            coeff = sp.Integer(1)
            mats = []
            for c in combo:
                k, m = _split_coeff(c) if c.has(direction) else (sp.Integer(1), c)
                coeff *= k
                mats.append(m)
            out.append(mat_mul(coeff, sp.HadamardProduct(*mats)))
        _too_many(len(out))
        return out
    if isinstance(e, sp.Trace):
        out = []
        for t in expand_terms(e.arg, direction):
            k, m = _split_coeff(t)
            out.append(sp.Mul(k, sp.Trace(m)))
        return out
    if isinstance(e, sp.Transpose):
        out = []
        for t in expand_terms(e.arg, direction):
            pushed = transpose(t)
            out.extend(expand_terms(pushed, direction) if not isinstance(pushed, sp.Transpose) else [pushed])
        return out
    if isinstance(e, MatSum):
        j, a, b = e.limits
        return [MatSum(t, (j, a, b)) for t in expand_terms(e.term, direction)]
    return [e]


def _sum_terms(e: sp.Basic) -> list[sp.Basic]:
    """The summands of a dX-free factor (products of sums multiplied out)."""
    if isinstance(e, sp.MatAdd):
        return [t for a in e.args for t in _sum_terms(a)]
    if isinstance(e, sp.MatMul):
        parts = [_sum_terms(a) for a in e.args]
        count = 1
        for p in parts:
            count *= len(p)
        _too_many(count)
        return [mat_mul(*combo) for combo in cartesian(*parts)]
    return [e]


def _split_coeff(e: sp.Basic) -> tuple[sp.Expr, sp.Basic]:
    if isinstance(e, sp.MatMul):
        coeff, mats = e.as_coeff_matrices()
        return coeff, mat_mul(*mats)
    return sp.Integer(1), e


# --- entrywise cancellations --------------------------------------------------------------------------

def _cancel_pair(inv_base: sp.Basic, other: sp.Basic) -> sp.Basic | None:
    """``u^∘−1 ⊙ other`` when ``other`` starts with ``diag(u)`` or with ``u`` (then a 1×1 rest)."""
    coeff, mats = other.as_coeff_matrices() if isinstance(other, sp.MatMul) else (sp.Integer(1), [other])
    if not mats:
        return None
    first, rest = mats[0], mats[1:]
    if isinstance(first, sp.DiagMatrix) and first.args[0] == inv_base:
        return mat_mul(coeff, *rest) if rest else None
    if first == inv_base and rest and mat_mul(*rest).shape == (1, 1):
        return mat_mul(coeff, Ones(inv_base.shape[0]), *rest)
    return None


def cancel_hadamard(e: sp.Basic) -> sp.Basic:
    """Apply ``u^∘−1 ⊙ (diag(u) v) = v`` and ``u^∘−1 ⊙ (u c) = 1 c`` everywhere in ``e``."""
    if not e.args or isinstance(e, (sp.MatrixSymbol, sp.Symbol)):
        return e
    args = [cancel_hadamard(a) for a in e.args]
    if isinstance(e, sp.HadamardProduct) and len(args) == 2:
        for inv, other in (args, args[::-1]):
            if isinstance(inv, sp.HadamardPower) and inv.exp == -1:
                done = _cancel_pair(inv.base, other)
                if done is not None:
                    return done
    if isinstance(e, sp.MatMul):
        return mat_mul(*args)
    if args == list(e.args):
        return e
    return e.func(*args)


# --- pulling back to tr(Gᵀ dX) ----------------------------------------------------------------------------

class Pullback:
    """Reads G off ``⟨G₀, E⟩`` for E linear in the direction ``dX``; records the moves."""

    def __init__(self, direction: sp.MatrixSymbol) -> None:
        self.direction = direction
        self.moves: list[str] = []

    def _move(self, text: str) -> None:
        if text not in self.moves:
            self.moves.append(text)

    def has(self, e: sp.Basic) -> bool:
        return e.has(self.direction)

    def scalar(self, g: sp.Expr, e: sp.Basic) -> sp.Basic:
        """The contribution of a scalar term ``g · e`` (e linear in dX)."""
        if isinstance(e, sp.Add):
            return sp.MatAdd(*[self.scalar(g, a) for a in e.args if self.has(a)]).doit(deep=False)
        if isinstance(e, sp.Mul):
            dep = [a for a in e.args if self.has(a)]
            if len(dep) != 1:
                raise DeriveError(f"the differential is not linear in {self.direction}: {e}")
            rest = sp.Mul(*[a for a in e.args if not self.has(a)])
            return self.scalar(g * rest, dep[0])
        if isinstance(e, sp.Trace):
            self._move("a scalar times a trace: g tr E = tr((g I)ᵀ E)")
            n = e.arg.shape[0]
            return self.matrix(mat_mul(g, sp.Identity(n)), e.arg)
        raise DeriveError(f"cannot bring {e} to trace form")

    def matrix(self, G: sp.Basic, e: sp.Basic) -> sp.Basic:
        """The contribution of ``⟨G, e⟩`` (G the same shape as e)."""
        if e == self.direction:
            return G
        if isinstance(e, sp.MatAdd):
            return sp.MatAdd(*[self.matrix(G, a) for a in e.args if self.has(a)]).doit(deep=False)
        if isinstance(e, sp.MatMul):
            coeff, mats = e.as_coeff_matrices()
            if self.has(coeff):
                # a scalar factor carries dX: ⟨G, s R⟩ = s ⟨G, R⟩ = s tr(Gᵀ R)
                rest = mat_mul(*mats)
                self._move("a scalar factor: ⟨G, s R⟩ = s tr(Gᵀ R)")
                return self.scalar(sp.Trace(mat_mul(transpose(G), rest)), coeff)
            idx = [i for i, m in enumerate(mats) if self.has(m)]
            if len(idx) != 1:
                raise DeriveError(f"the differential is not linear in {self.direction}: {e}")
            i = idx[0]
            left, right = mats[:i], mats[i + 1:]
            self._move("cyclic property: tr(Gᵀ P E Q) = tr((Pᵀ G Qᵀ)ᵀ E)")
            newG = mat_mul(coeff, *[transpose(m) for m in reversed(left)], G,
                           *[transpose(m) for m in reversed(right)])
            return self.matrix(newG, mats[i])
        if isinstance(e, sp.Transpose):
            self._move("transpose: tr(Gᵀ Eᵀ) = tr(G E) = tr((Gᵀ)ᵀ E)")
            return self.matrix(transpose(G), e.arg)
        if isinstance(e, sp.HadamardProduct):
            dep = [a for a in e.args if self.has(a)]
            if len(dep) != 1:
                raise DeriveError(f"the differential is not linear in {self.direction}: {e}")
            others = [a for a in e.args if not self.has(a)]
            self._move("Hadamard: tr(Gᵀ (B ⊙ E)) = tr((G ⊙ B)ᵀ E)")
            return self.matrix(sp.HadamardProduct(G, *others).doit(deep=False), dep[0])
        if isinstance(e, MatSum):
            j, a, b = e.limits
            if G.has(j):
                raise DeriveError("summation index clash while pulling back a sum")
            self._move("sum: ⟨G, Σ_j E_j⟩ = Σ_j ⟨G, E_j⟩")
            return MatSum(self.matrix(G, e.term), (j, a, b))
        raise DeriveError(f"cannot bring {type(e).__name__} {e} to trace form")

    def term(self, t: sp.Basic) -> sp.Basic:
        """G for one term of df: a scalar, or a 1×1 matrix (its own trace)."""
        if getattr(t, "is_Matrix", False):
            if t.shape != (1, 1):
                raise DeriveError(f"a term of df is not scalar: {t} has shape {t.shape}")
            self._move("a 1×1 matrix is its own trace")
            return self.matrix(sp.Identity(1), t)
        return self.scalar(sp.Integer(1), t)
