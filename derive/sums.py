"""Rules for matrix sums with symbolic bounds: the small symbolic-sum layer.

SymPy cannot multiply a matrix into a ``Sum`` of matrix expressions, and its ``Sum`` does
not reindex matrix terms, so the recurrence proofs use :class:`~derive.symbols.MatSum` and
these rules.  Each rule is an identity of finite sums (linearity, splitting off the last
term, an affine change of index); :func:`canonical` is the normal form in which two
expressions are compared structurally, which is how an induction step is *proved* for a
symbolic index.
"""

from __future__ import annotations

import sympy as sp

from .symbols import MatSeq, MatSum


def _expand_exponents(expr: sp.Basic) -> sp.Basic:
    def fix(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.MatPow):
            exp = sp.expand(e.exp)
            if exp == 0:
                return sp.Identity(e.base.shape[0])
            if exp == 1:
                return e.base
            return sp.MatPow(e.base, exp)
        if isinstance(e, MatSeq):
            return MatSeq(e.seq_name, sp.expand(e.index), *e.shape)
        if isinstance(e, MatSum):
            j, a, b = e.limits
            return MatSum(e.term, (j, sp.expand(a), sp.expand(b)))
        return e

    return expr.replace(lambda e: isinstance(e, (sp.MatPow, MatSeq, MatSum)), fix)


_DUMMY = sp.Dummy("i", integer=True)


def _normalize_sum(s: MatSum) -> MatSum:
    """Alpha-normal form of a sum: dummy index from 0, and of the two directions
    (t(i) or t(N - i)) the one that sorts first, so reindexed sums compare equal."""
    j, a, b = s.limits
    top = sp.expand(b - a)
    up = _expand_exponents(s.term.subs(j, _DUMMY + a))
    down = _expand_exponents(s.term.subs(j, top - _DUMMY + a))
    term = min(up, down, key=sp.default_sort_key)
    return MatSum(term, (_DUMMY, 0, top))


def canonical(expr: sp.Basic) -> sp.Basic:
    """Normal form: exponents and bounds expanded, X^0 = I, adjacent powers combined."""
    prev = None
    cur = expr
    for _ in range(20):
        if cur == prev:
            break
        prev = cur
        cur = _expand_exponents(cur.doit().expand().doit() if getattr(cur, "is_Matrix", False) else cur.doit())
    return cur


def push_in(factor: sp.Basic, s: MatSum, side: str = "left") -> MatSum:
    """``factor · Σ_j t_j = Σ_j factor · t_j`` (or on the right): linearity of the sum."""
    j, a, b = s.limits
    if j in factor.free_symbols:
        raise ValueError("the factor depends on the summation index")
    term = sp.MatMul(factor, s.term) if side == "left" else sp.MatMul(s.term, factor)
    return MatSum(canonical(term), (j, a, b))


def term_at(s: MatSum, value: sp.Expr) -> sp.Basic:
    j, _, _ = s.limits
    return canonical(s.term.subs(j, value))


def absorb(s: MatSum, extra: sp.Basic) -> MatSum:
    """``Σ_{j=a}^{b} t_j + t_{b+1} = Σ_{j=a}^{b+1} t_j`` (or ``t_{a-1}`` at the front).

    Raises ``ValueError`` when ``extra`` is neither neighbouring term, so a rule is never
    applied where it does not hold.
    """
    j, a, b = s.limits
    extra = canonical(extra)
    if term_at(s, b + 1) == extra:
        return MatSum(s.term, (j, a, sp.expand(b + 1)))
    if term_at(s, a - 1) == extra:
        return MatSum(s.term, (j, sp.expand(a - 1), b))
    raise ValueError("the extra term is not the next term of the sum")


def split_last(s: MatSum) -> tuple[MatSum, sp.Basic]:
    """``Σ_{j=a}^{b} t_j = Σ_{j=a}^{b-1} t_j + t_b``."""
    j, a, b = s.limits
    return MatSum(s.term, (j, a, sp.expand(b - 1))), term_at(s, b)


def reindex(s: MatSum, new: sp.Symbol, old_in_new: sp.Expr) -> MatSum:
    """Substitute ``j = old_in_new(new)``, an affine map with slope ±1; bounds follow."""
    j, a, b = s.limits
    slope = sp.diff(old_in_new, new)
    if slope not in (1, -1):
        raise ValueError("reindexing needs an affine map with slope ±1")
    (lo,) = sp.solve(sp.Eq(old_in_new, a), new)
    (hi,) = sp.solve(sp.Eq(old_in_new, b), new)
    if slope == -1:
        lo, hi = hi, lo
    return MatSum(canonical(s.term.subs(j, old_in_new)), (new, sp.expand(lo), sp.expand(hi)))


def structurally_equal(lhs: sp.Basic, rhs: sp.Basic) -> bool:
    """True when both sides have the same normal form (a proof for symbolic indices)."""
    l, r = canonical(lhs), canonical(rhs)
    if l == r:
        return True
    norm = lambda e: e.replace(lambda x: isinstance(x, MatSum), _normalize_sum)  # noqa: E731
    l, r = norm(l), norm(r)
    if l == r:
        return True
    if isinstance(l, sp.MatAdd) and isinstance(r, sp.MatAdd):
        return set(l.args) == set(r.args)
    return False


def _push_factors(expr: sp.Basic) -> sp.Basic:
    """Move constant factors of a product into an adjacent matrix sum (linearity)."""
    expr = canonical(expr)
    if isinstance(expr, sp.MatAdd):
        return sp.MatAdd(*[_push_factors(a) for a in expr.args])
    if isinstance(expr, sp.MatMul):
        args = list(expr.args)
        for pos, arg in enumerate(args):
            if isinstance(arg, MatSum):
                left, right = args[:pos], args[pos + 1:]
                s = arg
                if left:
                    s = push_in(sp.MatMul(*left).doit() if len(left) > 1 else left[0], s, "left")
                if right:
                    s = push_in(sp.MatMul(*right).doit() if len(right) > 1 else right[0], s, "right")
                return s
    return expr


def sum_normal_form(expr: sp.Basic) -> sp.Basic:
    """Push factors into sums, then absorb loose terms that are a sum's next term."""
    expr = _push_factors(expr)
    if not isinstance(expr, sp.MatAdd):
        return expr
    sums = [a for a in expr.args if isinstance(a, MatSum)]
    rest = [a for a in expr.args if not isinstance(a, MatSum)]
    changed = True
    while changed and rest:
        changed = False
        for i, s in enumerate(sums):
            for t in list(rest):
                try:
                    sums[i] = absorb(s, t)
                except ValueError:
                    continue
                rest.remove(t)
                changed = True
                break
            if changed:
                break
    parts = sums + rest
    return parts[0] if len(parts) == 1 else sp.MatAdd(*parts)


def prove_by_sum_rules(lhs: sp.Basic, rhs: sp.Basic) -> str | None:
    """A prover for steps about matrix sums: both sides to :func:`sum_normal_form`."""
    if structurally_equal(sum_normal_form(lhs), sum_normal_form(rhs)):
        return "sum rules (linearity, absorbing the next term) give the same normal form"
    return None


def drop_range_guards(expr: sp.Basic, ranges: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]) -> sp.Basic:
    """Remove ``Piecewise((e, lo <= i <= hi), (0, True))`` guards SymPy adds when a
    Kronecker delta is summed, for indices known to lie in ``lo..hi``."""

    def in_range(cond: sp.Basic) -> bool:
        parts = cond.args if isinstance(cond, sp.And) else (cond,)
        for rel in parts:
            ok = False
            for i, (lo, hi) in ranges.items():
                if rel in (sp.Ge(i, lo), sp.Le(lo, i), sp.Le(i, hi), sp.Ge(hi, i)):
                    ok = True
            if not ok:
                return False
        return True

    def fix(pw: sp.Piecewise) -> sp.Basic:
        if len(pw.args) == 2 and pw.args[1].cond is sp.true and pw.args[1].expr == 0 and in_range(pw.args[0].cond):
            return pw.args[0].expr
        return pw

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), fix)
