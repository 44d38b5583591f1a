"""The KL divergence between two Gaussians, evaluated independently of any closed form.

``\\mathrm{KL}(\\mathcal{N}(m_1, \\tau_1^2) \\| \\mathcal{N}(m_2, \\tau_2^2))`` binds to :class:`KLGaussian`,
whose numeric value is the integral of p log(p / q) over the real line, computed by mpmath.quad
from the two densities at the working precision plus guard digits.  The textbook closed form is
deliberately not used: it is what a document claims, and checking a claim against itself proves
nothing.  A diagonal multivariate Gaussian against another diagonal one is the sum of the
coordinates' univariate divergences: the coordinates of each are independent, so both densities
factor over coordinates and the log-ratio is a sum of per-coordinate terms, each integrated
against its own marginal (a property of independent coordinates, not the claim being checked).
A full (non-diagonal) covariance is not modelled: the evaluation fails with that reason.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from ..numeric import Evaluator, EvaluationError, as_scalar, evaluator, is_matrix

MAX_COORDINATES = 16  # univariate integrals one multivariate divergence may cost
GUARD_DIGITS = 15


class KLGaussian(sp.Expr):
    """KL(N(m1, v1) || N(m2, v2)) with v1, v2 variances (scalars), or mean vectors and diagonal
    covariance matrices."""

    is_commutative = True

    def __new__(cls, m1: sp.Basic, v1: sp.Basic, m2: sp.Basic, v2: sp.Basic) -> "KLGaussian":
        return sp.Basic.__new__(cls, m1, v1, m2, v2)

    def _sympystr(self, printer: Any) -> str:
        m1, v1, m2, v2 = (printer._print(a) for a in self.args)
        return f"KL(N({m1}, {v1}) || N({m2}, {v2}))"


def kl_univariate(m1: Any, v1: Any, m2: Any, v2: Any) -> Any:
    """∫ p log(p/q) dx for p = N(m1, v1), q = N(m2, v2), by quadrature (never the closed form)."""
    for v in (m1, v1, m2, v2):
        if isinstance(v, mpmath.mpc) and v.imag != 0:
            raise EvaluationError("KL of Gaussians with complex parameters")
    m1, v1, m2, v2 = (mpmath.mpf(mpmath.re(v)) for v in (m1, v1, m2, v2))
    if v1 <= 0 or v2 <= 0:
        raise EvaluationError("KL of Gaussians needs positive variances")
    target = mpmath.mp.dps
    with mpmath.workdps(target + GUARD_DIGITS):
        s1 = mpmath.sqrt(v1)
        c1 = mpmath.log(2 * mpmath.pi * v1) / 2
        c2 = mpmath.log(2 * mpmath.pi * v2) / 2

        def integrand(x: Any) -> Any:
            logp = -(x - m1) ** 2 / (2 * v1) - c1
            logq = -(x - m2) ** 2 / (2 * v2) - c2
            return mpmath.exp(logp) * (logp - logq)

        points = [-mpmath.inf] + [m1 + k * s1 for k in (-12, -6, -3, 0, 3, 6, 12)] + [mpmath.inf]
        try:
            value, err = mpmath.quad(integrand, points, error=True, maxdegree=8)
        except (ZeroDivisionError, OverflowError) as exc:
            raise EvaluationError(f"KL integral failed: {exc or type(exc).__name__}") from None
        scale = max(abs(value), mpmath.mpf(1))
        if not mpmath.isfinite(value) or err > scale * mpmath.mpf(10) ** (-(target + 2)):
            raise EvaluationError(f"the KL integral did not converge to {target} digits (error estimate {mpmath.nstr(err, 3)})")
    return +value


@evaluator(KLGaussian)
def _kl_gaussian(ev: Evaluator, e: KLGaussian) -> Any:
    vals = [ev(a) for a in e.args]
    if not any(is_matrix(v) for v in vals):
        return kl_univariate(*(as_scalar(v) for v in vals))
    m1, v1, m2, v2 = vals
    if not all(is_matrix(v) for v in vals):
        raise EvaluationError("KL between Gaussians of a vector and a scalar")
    n = m1.rows
    if m1.cols != 1 or m2.rows != n or m2.cols != 1 or (v1.rows, v1.cols) != (n, n) or (v2.rows, v2.cols) != (n, n):
        raise EvaluationError("KL between Gaussians of different dimensions")
    if n > MAX_COORDINATES:
        raise EvaluationError(f"KL over {n} coordinates exceeds {MAX_COORDINATES}")
    for S in (v1, v2):
        if any(S[i, j] != 0 for i in range(n) for j in range(n) if i != j):
            raise EvaluationError("KL between Gaussians with a non-diagonal covariance is not modelled")
    # independent coordinates: the divergence is the sum of the coordinates' divergences
    return mpmath.fsum(kl_univariate(m1[i, 0], v1[i, i], m2[i, 0], v2[i, i]) for i in range(n))
