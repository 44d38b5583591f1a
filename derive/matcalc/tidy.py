"""Rewrites that bring a raw gradient to a readable form, one named rewrite at a time.

Each function maps G to an equal G' (or returns G unchanged); the engine records every
rewrite that changes G as a checked step.  The assumption rewrites (``1ᵀy = 1`` for a
one-hot y, ``Aᵀ = A`` for a symmetric A) hold only on the problem's domain, which is why
the problem samples y one-hot / A symmetric when they are assumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import gcd
from typing import Callable

import sympy as sp

from ..symbols import MatSum
from .nodes import Exp, Ones, Softmax, ones_like
from .traceform import mat_mul


def _rebuild(e: sp.Basic, fn: Callable[[sp.Basic], sp.Basic]) -> sp.Basic:
    """Apply ``fn`` bottom-up, re-canonicalising products."""
    if not e.args or isinstance(e, (sp.MatrixSymbol, sp.Symbol, sp.Integer)):
        return fn(e)
    if isinstance(e, MatSum):
        j, a, b = e.limits
        return fn(MatSum(_rebuild(e.term, fn), (j, a, b)))
    args = [_rebuild(a, fn) for a in e.args]
    if isinstance(e, sp.MatMul):
        new = mat_mul(*args)
    elif isinstance(e, sp.MatAdd):
        new = sp.MatAdd(*args).doit(deep=False)
    elif args == list(e.args):
        new = e
    else:
        new = e.func(*args)
    return fn(new)


def combine_powers(G: sp.Basic) -> sp.Basic:
    """(Aᵀ)^i (Aᵀ)^j = (Aᵀ)^(i+j): write Transpose(A^e) as (Aᵀ)^e so products combine."""
    def fn(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.Transpose) and isinstance(e.arg, sp.MatPow) and not isinstance(e.arg, sp.Inverse):
            return sp.MatPow(sp.Transpose(e.arg.base), e.arg.exp)
        return e
    return _rebuild(G, fn)


def _all_ones(e: sp.Basic) -> bool:
    if isinstance(e, (Ones, sp.OneMatrix)):
        return True
    if isinstance(e, sp.MatMul):
        c, mats = e.as_coeff_matrices()
        return c == 1 and len(mats) == 2 and isinstance(mats[0], Ones) and \
            isinstance(mats[1], sp.Transpose) and isinstance(mats[1].arg, Ones)
    return False


def drop_ones(G: sp.Basic) -> sp.Basic:
    """1 ⊙ E = E: an all-ones factor (1, 1 1ᵀ) of a Hadamard product is dropped."""
    def fn(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.HadamardProduct):
            rest = [a for a in e.args if not _all_ones(a)]
            if len(rest) < len(e.args):
                if not rest:
                    return e.args[0]
                return rest[0] if len(rest) == 1 else sp.HadamardProduct(*rest)
        return e
    return _rebuild(G, fn)


def cancel_reciprocals(G: sp.Basic) -> sp.Basic:
    """u ⊙ u^∘−1 = 1: a factor of a Hadamard product and its entrywise inverse cancel (the
    emitted code then never forms 0 · ∞ where u under- or overflows, e.g. σ(z) at z ≪ 0)."""
    def fn(e: sp.Basic) -> sp.Basic:
        if not isinstance(e, sp.HadamardProduct):
            return e
        rest = list(e.args)
        for a in e.args:
            if isinstance(a, sp.HadamardPower) and a.exp == -1 and a in rest and a.base in rest:
                rest.remove(a)
                rest.remove(a.base)
        if len(rest) == len(e.args):
            return e
        if not rest:
            return ones_like(e)
        return rest[0] if len(rest) == 1 else sp.HadamardProduct(*rest)
    return _rebuild(G, fn)


def softmax_form(G: sp.Basic) -> sp.Basic:
    """(c / 1ᵀexp(a)) 1 ⊙ exp(a) = c softmax(a): the quotient of two overflowing sums becomes
    the softmax, which the emitted code evaluates shifted by max(a) (log-sum-exp stays finite)."""
    def fn(e: sp.Basic) -> sp.Basic:
        if not (isinstance(e, sp.HadamardProduct) and len(e.args) == 2):
            return e
        scaled = next((a for a in e.args if isinstance(a, sp.MatMul)), None)
        ex = next((a for a in e.args if isinstance(a, Exp)), None)
        if scaled is None or ex is None or ex.shape[1] != 1:
            return e
        c, mats = scaled.as_coeff_mmul()
        if len(mats.args if isinstance(mats, sp.MatMul) else [mats]) != 1 or not isinstance(
                mats.args[0] if isinstance(mats, sp.MatMul) else mats, Ones):
            return e
        total = sp.Trace(mat_mul(sp.Transpose(Ones(ex.shape[0])), ex))
        ratio = sp.simplify(c * total)
        if ratio.has(ex.arg) or ratio.has(Exp):
            return e
        return mat_mul(ratio, Softmax(ex.arg)) if ratio != 1 else Softmax(ex.arg)
    return _rebuild(G, fn)


def sum_constant_terms(G: sp.Basic) -> sp.Basic:
    """Σ_{j=a}^{b} T = (b − a + 1) T when T does not depend on j."""
    def fn(e: sp.Basic) -> sp.Basic:
        if isinstance(e, MatSum):
            j, a, b = e.limits
            if not e.term.has(j):
                return mat_mul(sp.expand(b - a + 1), e.term)
        return e
    return _rebuild(G, fn)


def normal_transposes(G: sp.Basic) -> sp.Basic:
    """(Aᵀ)^e → (A^e)ᵀ and (Aᵀ)⁻¹ → (A⁻¹)ᵀ: the transpose outermost, as usually written.

    Uses ``replace`` (parents rebuilt without canonicalisation: a canonical product
    would turn (A⁻¹)ᵀ back into (Aᵀ)⁻¹)."""
    G = G.replace(lambda e: isinstance(e, sp.Inverse) and isinstance(e.arg, sp.Transpose),
                  lambda e: sp.Transpose(sp.Inverse(e.arg.arg)))
    return G.replace(lambda e: isinstance(e, sp.MatPow) and not isinstance(e, sp.Inverse)
                     and isinstance(e.base, sp.Transpose),
                     lambda e: sp.Transpose(sp.MatPow(e.base.arg, e.exp)))


# --- factoring --------------------------------------------------------------------------------------------

def _parts(t: sp.Basic) -> tuple[sp.Expr, list[sp.Basic]]:
    if isinstance(t, sp.MatMul):
        c, mats = t.as_coeff_matrices()
        return c, list(mats)
    return sp.Integer(1), [t]


def _common(seqs: list[list[sp.Basic]], suffix: bool) -> int:
    n = min(len(s) for s in seqs)
    k = 0
    while k < n:
        items = {s[-1 - k] if suffix else s[k] for s in seqs}
        if len(items) != 1:
            break
        k += 1
    # keep at least one factor in every term: (A − B) x, never (I − ...) with an empty part
    return min(k, n - 1)


def _numeric_gcd(coeffs: list[sp.Expr]) -> sp.Expr:
    if not all(c.is_Integer for c in coeffs):
        return sp.Integer(1)
    g = 0
    for c in coeffs:
        g = gcd(g, abs(int(c)))
    if g <= 1:
        return sp.Integer(1)
    if all(c < 0 for c in coeffs):
        g = -g
    return sp.Integer(g)


def _factor_group(terms: list[sp.Basic], suffix: bool) -> sp.Basic | None:
    parts = [_parts(t) for t in terms]
    mats = [m for _, m in parts]
    k = _common(mats, suffix)
    if k == 0:
        return None
    common = mats[0][-k:] if suffix else mats[0][:k]
    rest = []
    for c, m in parts:
        r = m[:-k] if suffix else m[k:]
        rest.append((c, mat_mul(*r)))
    g = _numeric_gcd([c for c, _ in rest])
    inner = sp.MatAdd(*[mat_mul(c / g, r) for c, r in rest]).doit(deep=False)
    inner = _factor_sum(inner)
    return mat_mul(g, *(common if not suffix else ()), inner, *(common if suffix else ()))


def factor_scalars(G: sp.Basic) -> sp.Basic:
    """c A + c B = c (A + B) for a common symbolic scalar factor c (e.g. 1/tr(xᵀAx))."""
    def fn(e: sp.Basic) -> sp.Basic:
        if not isinstance(e, sp.MatAdd):
            return e
        parts = [_parts(t) for t in e.args]
        common = None
        for c, _ in parts:
            factors = {f for f in sp.Mul.make_args(c) if not f.is_Number}
            common = factors if common is None else common & factors
        if not common:
            return e
        c0 = sp.Mul(*sorted(common, key=sp.default_sort_key))
        inner = sp.MatAdd(*[mat_mul(sp.Mul(c) / c0, *m) for c, m in parts]).doit(deep=False)
        return mat_mul(c0, inner)
    return _rebuild(G, fn)


def factor_common(G: sp.Basic) -> sp.Basic:
    """Factor the longest common right (then left) factor out of the terms of every sum:
    A x yᵀ − B x yᵀ = (A − B) x yᵀ.  Terms without the factor stay outside."""
    return _rebuild(G, _factor_sum)


def _factor_sum(G: sp.Basic) -> sp.Basic:
    if not isinstance(G, sp.MatAdd):
        return G
    terms = list(G.args)
    for suffix in (True, False):
        groups: dict[sp.Basic, list[sp.Basic]] = {}
        for t in terms:
            _, m = _parts(t)
            groups.setdefault(m[-1] if suffix else m[0], []).append(t)
        new_terms = []
        changed = False
        for key, group in groups.items():
            if len(group) >= 2:
                done = _factor_group(group, suffix)
                if done is not None:
                    new_terms.append(done)
                    changed = True
                    continue
            new_terms.extend(group)
        if changed:
            terms = new_terms
            if len(terms) == 1:
                return terms[0]
    return sp.MatAdd(*terms).doit(deep=False) if len(terms) > 1 else terms[0]


# --- assumptions ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assumptions:
    """What the problem's domain guarantees: one-hot vectors (1ᵀy = 1), symmetric matrices."""

    one_hot: frozenset[sp.MatrixSymbol] = field(default_factory=frozenset)
    symmetric: frozenset[sp.MatrixSymbol] = field(default_factory=frozenset)

    def describe(self) -> list[str]:
        return ([f"{y.name} one-hot (1ᵀ{y.name} = 1)" for y in sorted(self.one_hot, key=str)]
                + [f"{a.name} symmetric" for a in sorted(self.symmetric, key=str)])

    def __bool__(self) -> bool:
        return bool(self.one_hot or self.symmetric)


def _is_ones(e: sp.Basic) -> bool:
    return isinstance(e, Ones) or (isinstance(e, sp.OneMatrix) and e.shape[1] == 1)


def _is_ones_row(e: sp.Basic) -> bool:
    return (isinstance(e, sp.Transpose) and _is_ones(e.arg)) or (isinstance(e, sp.OneMatrix) and e.shape[0] == 1)


def apply_one_hot(G: sp.Basic, ys: frozenset[sp.MatrixSymbol]) -> sp.Basic:
    """Drop the 1×1 factors 1ᵀy and yᵀ1 (= 1 for a one-hot y) from every product."""
    def fn(e: sp.Basic) -> sp.Basic:
        if not isinstance(e, sp.MatMul):
            return e
        c, mats = e.as_coeff_matrices()
        mats = list(mats)
        changed = True
        while changed:
            changed = False
            for i in range(len(mats) - 1):
                a, b = mats[i], mats[i + 1]
                if (_is_ones_row(a) and b in ys) or (isinstance(a, sp.Transpose) and a.arg in ys and _is_ones(b)):
                    del mats[i:i + 2]
                    changed = True
                    break
        if not mats:
            return c * sp.Identity(1)
        return mat_mul(c, *mats)
    return _rebuild(G, fn)


def apply_symmetric(G: sp.Basic, syms: frozenset[sp.MatrixSymbol]) -> sp.Basic:
    """Aᵀ = A for a symmetric A."""
    return G.xreplace({sp.Transpose(a): a for a in syms})
