"""Numerically careful rewriting of closed forms before they are printed as code.

The DPLR coefficient c(s, m) = ((1+s)^m - 1)/s is the case in point: printed as is it
loses |log10 s| digits to cancellation for small s, and (1+s)^m overflows before the
division brings the value back into range.  The rewriting is done on the SymPy expression:

1. our rule ``POW_TO_EXP``: (1 + s)^m with a symbolic exponent -> exp(m log(1 + s))
   (``sympy.codegen.rewriting`` has no rule for a power with a symbolic exponent);
2. SymPy's ``log1p_opt`` and ``expm1_opt``: log(1 + s) -> log1p(s), exp(x) - 1 -> expm1(x);
3. our s -> 0 branch: the series of the *original* expression at s = 0 to first order
   (``sp.series``), used where |s| < SMALL_S (subnormal s would lose digits in m·log1p(s));
4. our overflow branch: for x = m log1p(s) > LOG_MAX, expm1(x)/s = exp(x - log s) - 1/s
   (an identity SymPy proves here), and the 1/s term is below 2^-1000 of the result there,
   so it is dropped: exp(x - log s) is finite exactly where the true value is (up to the
   last-bit rounding at the edge), whereas expm1(x) alone overflows first.

The pieces are kept as SymPy expressions in a :class:`CarefulForm`; the lowering plans
(:class:`CarefulCoefficient`, :class:`DplrKernel`) hand them, printed, to Jinja2 templates.
The fused Numba kernel also uses the expm1 addition formula
e^{a+b} - 1 = (e^a - 1)(e^b - 1) + (e^a - 1) + (e^b - 1) (``EXPM1_ADDITION``, proved
symbolically in :func:`prove_expm1_addition`) to need one expm1 per block of ℓ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.codegen.cfunctions import expm1
from sympy.codegen.rewriting import ReplaceOptim, expm1_opt, log1p_opt, optimize

from ..errors import DeriveError

LOG_MAX = math.log(1.7976931348623157e308)  # 709.78...: exp(x) overflows float64 beyond
LARGE_X = 40.0  # for x > 40, e^-x < 4.3e-18 < u/16: dropping -1/s next to e^x/s is below rounding
SMALL_S = 1e-300  # below it the first-order series in s is exact to far below one ulp (m < 1e290)


def _is_symbolic_power(e: sp.Basic) -> bool:
    return isinstance(e, sp.Pow) and not e.exp.is_Number and bool(e.base.free_symbols)


POW_TO_EXP = ReplaceOptim(_is_symbolic_power, lambda e: sp.exp(e.exp * sp.log(e.base)))


def stable_rewrite(expr: sp.Expr) -> sp.Expr:
    """Powers with symbolic exponents into exp/log, then log1p and expm1 where they apply."""
    out = optimize(expr, [POW_TO_EXP])
    out = optimize(sp.expand(out), [log1p_opt, expm1_opt])
    return out


@dataclass(frozen=True)
class CarefulForm:
    """A closed form f(s, m) and its careful pieces, all SymPy expressions.

    ``small``: the series at s = 0 (used for |s| < SMALL_S); ``stable``: the expm1/log1p
    form; ``exponent``: x = m log1p(s); ``large``: the overflow-safe form for x > LOG_MAX.
    """

    original: sp.Expr
    s: sp.Symbol
    m: sp.Symbol
    small: sp.Expr
    stable: sp.Expr
    exponent: sp.Expr
    large: sp.Expr
    limit: sp.Expr

    def piecewise(self) -> sp.Piecewise:
        s = self.s
        return sp.Piecewise((self.small, sp.Abs(s) < SMALL_S), (self.large, self.exponent > LOG_MAX),
                            (self.stable, True))

    def weighted_large(self, w: sp.Symbol, exponent: sp.Expr | None = None) -> sp.Expr:
        """w · large with w folded into the exponent: sign(w) exp(x - log s + log|w|).

        A kernel multiplies the coefficient by a weight; where |w| < 1 the coefficient alone
        overflows before the product does, so the product is formed in log space (valid for
        x > LARGE_X, where the dropped -w/s term is below rounding)."""
        x = self.exponent if exponent is None else exponent
        # built unevaluated (and never xreplace'd afterwards): SymPy would fold it back into
        # exp(x)*|w|/s, which overflows exactly where this form must not
        arg = sp.Add(x, sp.Mul(-1, sp.log(self.s), evaluate=False), sp.log(sp.Abs(w)), evaluate=False)
        return sp.Mul(sp.sign(w), sp.exp(arg, evaluate=False), evaluate=False)


def careful_ratio(expr: sp.Expr, s: sp.Symbol, m: sp.Symbol) -> CarefulForm:
    """Rewrite f = (g(s)^m - 1)/s-type closed forms; raises DeriveError for other shapes."""
    stable = stable_rewrite(expr)
    ex = [a for a in stable.atoms(expm1)]
    if len(ex) != 1:
        raise DeriveError(f"no single expm1 in the rewritten form {stable}")
    x = ex[0].args[0]
    scale = sp.simplify(stable / ex[0])
    if scale.has(expm1) or sp.simplify(scale - 1 / s) != 0:
        raise DeriveError(f"the rewritten form {stable} is not expm1(x)/s")
    # the overflow branch: expm1(x)/s = exp(x - log s) - 1/s (proved here), 1/s dropped for x > LOG_MAX
    xs = sp.Symbol("x", real=True)
    sp_pos = sp.Symbol("s", positive=True)
    if sp.simplify(sp.expand(sp.exp(xs - sp.log(sp_pos)) - 1 / sp_pos - (sp.exp(xs) - 1) / sp_pos)) != 0:
        raise DeriveError("the overflow identity does not hold")  # pragma: no cover - a SymPy regression
    large = sp.exp(sp.Add(x, -sp.log(s), evaluate=False), evaluate=False)  # kept as exp(x - log s)
    series = sp.series(expr, s, 0, 2).removeO()
    small = sp.factor(sp.expand(series))
    limit = sp.limit(expr, s, 0)
    if sp.simplify(series.subs(s, 0) - limit) != 0:
        raise DeriveError("the series at s = 0 disagrees with the limit")
    return CarefulForm(expr, s, m, small, stable, x, large, limit)


# --- the expm1 addition formula used by the fused kernel ------------------------------------------
_a, _b = sp.symbols("a b", real=True)
EXPM1_ADDITION = (expm1(_a + _b), expm1(_a) * expm1(_b) + expm1(_a) + expm1(_b))


def prove_expm1_addition() -> bool:
    """True when SymPy proves e^{a+b} - 1 = (e^a - 1)(e^b - 1) + (e^a - 1) + (e^b - 1)."""
    lhs, rhs = (e.rewrite(sp.exp) for e in EXPM1_ADDITION)
    return sp.simplify(sp.expand(lhs - rhs)) == 0


# --- lowering plans -------------------------------------------------------------------------------

def _print_pieces(printer: Any, form: CarefulForm) -> dict[str, str]:
    return {
        "small": printer.doprint(form.small),
        "stable": printer.doprint(form.stable),
        "exponent": printer.doprint(form.exponent),
        "rate": printer.doprint(sp.simplify(form.exponent / form.m)),  # x = m * rate
        "large": printer.doprint(form.large),
        "s": printer.doprint(form.s),
        "m": printer.doprint(form.m),
        "small_s": repr(SMALL_S),
        "log_max": repr(LOG_MAX),
    }


@dataclass(frozen=True)
class CarefulCoefficient:
    """Elementwise c(s, m) over broadcast arrays s and m, with the careful branches."""

    form: CarefulForm
    template: str = "careful_coefficient"

    @classmethod
    def from_expr(cls, expr: sp.Expr, s: sp.Symbol, m: sp.Symbol,
                  names: tuple[str, str] = ("s", "m")) -> "CarefulCoefficient":
        """``names``: the generated function's argument names for s and m."""
        s2, m2 = sp.Symbol(names[0], real=True), sp.Symbol(names[1], integer=True, nonnegative=True)
        return cls(careful_ratio(expr.xreplace({s: s2, m: m2}), s2, m2))

    @property
    def expression(self) -> sp.Basic:
        return self.form.original

    def context(self, printer: Any) -> dict[str, Any]:
        return _print_pieces(printer, self.form)

    def printer_settings(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class DplrKernel:
    """K_0 = ``first``; K_ℓ = ``const`` + c(s, ℓ + offset) · ``weight`` (ℓ ≥ 1), for a
    single-input single-output system given by vectors p, b, c and a scalar d.

    ``const`` and ``weight`` are the scalar forms of CB and (Cp)(p^T B) with B -> b,
    C -> c^T; ``s`` is p^T p.  The coefficient is printed from the careful form."""

    form: CarefulForm
    first: sp.Basic
    const: sp.Basic
    weight: sp.Basic
    s_value: sp.Basic
    offset: int
    index: sp.Symbol
    source: sp.Basic
    template: str = "dplr_kernel"

    @classmethod
    def from_expr(cls, K_ell: sp.Basic, K_0: sp.Basic, s: sp.Symbol, index: sp.Symbol, *,
                  p: sp.MatrixSymbol, B: sp.MatrixSymbol, C: sp.MatrixSymbol, D: sp.MatrixSymbol) -> "DplrKernel":
        n = p.shape[0]
        bv, cv, pv = (sp.MatrixSymbol(name, n, 1) for name in ("b", "c", "p"))
        d = sp.Symbol("d")
        siso = {B: bv, C: cv.T, p: pv}
        const, weight, coef = None, None, None
        for term in sp.MatAdd.make_args(K_ell):
            scalars = [a for a in (term.args if isinstance(term, sp.MatMul) else (term,))
                       if not isinstance(a, sp.MatrixExpr)]
            mats = [a for a in (term.args if isinstance(term, sp.MatMul) else (term,))
                    if isinstance(a, sp.MatrixExpr)]
            factor = sp.Mul(*scalars)
            if factor.has(index):
                coef = factor
                weight = sp.MatMul(*mats).xreplace(siso)
            else:
                const = (sp.MatMul(factor, *mats) if factor != 1 else sp.MatMul(*mats)).xreplace(siso)
        if coef is None or const is None:
            raise DeriveError(f"{K_ell} is not constant + coefficient(ℓ) · matrix")
        mm = sp.Symbol("m", integer=True, nonnegative=True)
        # the coefficient's argument is ℓ + offset; find the offset from its power
        exps = [e.exp for e in sp.together(coef).atoms(sp.Pow) if e.exp.has(index)]
        if len(exps) != 1:
            raise DeriveError(f"expected one power in {index} in {coef}")
        offset = sp.expand(exps[0] - index)
        if not offset.is_Integer:
            raise DeriveError(f"exponent {exps[0]} is not {index} plus an integer")
        s2 = sp.Symbol("s", real=True)
        form = careful_ratio(sp.together(coef).xreplace({index: mm - offset, s: s2}), s2, mm)
        pv_s = (pv.T * pv)
        return cls(form, K_0.xreplace({D: d}), const, weight, pv_s, int(offset), index, K_ell)

    @property
    def expression(self) -> sp.Basic:
        return self.source

    def context(self, printer: Any) -> dict[str, Any]:
        ctx = _print_pieces(printer, self.form)
        ctx["weighted_large"] = printer.doprint(self.form.weighted_large(sp.Symbol("weight")))
        xs = sp.Symbol("x", real=True)  # the exponent, computed once per element by the template
        ctx["stable_x"] = printer.doprint(self.form.stable.xreplace({self.form.exponent: xs}))
        ctx["weighted_large_x"] = printer.doprint(self.form.weighted_large(sp.Symbol("weight"), xs))
        ctx["large_x"] = repr(LARGE_X)
        ctx["overflow_edge"] = printer.doprint(self.overflow_edge(sp.Symbol("abs_weight", positive=True)))
        ctx.update({"first": printer.doprint(self.first), "const": printer.doprint(self.const),
                    "weight": printer.doprint(self.weight), "s_value": printer.doprint(self.s_value),
                    "offset": self.offset})
        return ctx

    def overflow_edge(self, abs_w: sp.Symbol) -> sp.Expr:
        """The m where |w| · large reaches DBL_MAX: the root of x(m) - log s + log|w| = LOG_MAX
        (x is linear in m).  Past it by a few steps the true |K| overflows (see the template),
        so the plan fills that region with ±inf instead of evaluating it."""
        x = self.form.exponent
        poly = sp.Poly(x, self.form.m)
        if poly.degree() != 1:
            raise DeriveError(f"the exponent {x} is not linear in {self.form.m}")
        rate, x0 = poly.all_coeffs()
        return (sp.Float(LOG_MAX) + sp.log(self.form.s) - sp.log(abs_w) - x0) / rate

    def printer_settings(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class CauchyKernel:
    """\\bar K_0..\\bar K_{L-1} from a generating function evaluated with Cauchy sums at
    z_k = exp(-2πik/L), k = 0..L/2, and an inverse real FFT (the kernel is real).

    ``khat``: the generating function as an expression in the sum symbols and z;
    ``sums``: (symbol, Σ_i weight_i / den_i) pairs.  Printed pieces: the weights (vectorised
    over i), the denominator, and, for the fused loop, the denominator's real and imaginary
    parts collected in Re λ_i, Im λ_i so the z-dependent coefficients are computed once per
    root (loop-invariant hoisting done on the SymPy expression)."""

    khat: sp.Expr
    sums: tuple[tuple[sp.Symbol, sp.Sum], ...]
    z: sp.Symbol
    index: sp.Symbol
    renames: tuple[tuple[sp.Basic, sp.Basic], ...]
    template: str = "cauchy_kernel"

    @classmethod
    def from_derivation(cls, khat: sp.Expr, sums: sp.Tuple, z: sp.Symbol,
                        renames: dict[sp.Basic, sp.Basic]) -> "CauchyKernel":
        pairs = tuple((sym, total) for sym, total in sums)
        index = pairs[0][1].limits[0][0]
        return cls(khat, pairs, z, index, tuple(renames.items()))

    @property
    def expression(self) -> sp.Basic:
        return sp.Tuple(self.khat, *[s for _, s in self.sums])

    def _split(self) -> tuple[list[sp.Expr], sp.Expr]:
        ren = dict(self.renames)
        weights, dens = [], []
        for _, total in self.sums:
            num, den = sp.fraction(sp.together(total.function.xreplace(ren)))
            weights.append(num)
            dens.append(den)
        dens = [sp.expand(d) for d in dens]
        # the weights' denominators must agree so that one reciprocal serves all four sums
        ratio = [sp.simplify(d / dens[0]) for d in dens]
        if any(not r.is_number for r in ratio):
            raise DeriveError("the Cauchy sums have different denominators")
        weights = [sp.simplify(w / r) for w, r in zip(weights, ratio)]
        return weights, dens[0]

    def context(self, printer: Any) -> dict[str, Any]:
        ren = dict(self.renames)
        weights, den = self._split()
        lam = [b for b in den.atoms(sp.Indexed)]
        if len(lam) != 1:
            raise DeriveError(f"the denominator {den} should depend on one indexed λ")
        lam_i = lam[0]
        lr, li = sp.symbols("lr li", real=True)
        zr, zi = sp.symbols("zr zi", real=True)
        den_c = sp.expand(den.xreplace({lam_i: lr + sp.I * li, self.z: zr + sp.I * zi}))
        re, im = (sp.expand(part) for part in den_c.as_real_imag())
        pieces = {}
        for tag, part in (("re", re), ("im", im)):
            coll = sp.collect(part, [lr, li], evaluate=False)
            extra = set(coll) - {lr, li, sp.S.One}
            if extra:
                raise DeriveError(f"the denominator is not affine in λ: {part}")
            pieces[tag] = [printer.doprint(coll.get(k, sp.Integer(0))) for k in (sp.S.One, lr, li)]
        sums = [sym for sym, _ in self.sums]
        lam_coll = sp.collect(den, lam_i, evaluate=False)
        if set(lam_coll) - {lam_i, sp.S.One}:
            raise DeriveError(f"the denominator is not affine in λ: {den}")
        return {
            "den_0": printer.doprint(lam_coll.get(sp.S.One, sp.Integer(0))),
            "den_1": printer.doprint(lam_coll.get(lam_i, sp.Integer(0))),
            "weights": [printer.doprint(w) for w in weights],
            "den": printer.doprint(den),
            "den_re": pieces["re"], "den_im": pieces["im"],
            "sums": [printer.doprint(s) for s in sums],
            "khat": printer.doprint(self.khat.xreplace(ren)),
            "lam": printer.doprint(lam_i.base.label),
            "z": printer.doprint(self.z),
        }

    def printer_settings(self) -> dict[str, Any]:
        return {"vector_indices": frozenset({self.index})}
