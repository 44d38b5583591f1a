"""The symbolic half of the equivalence checker: try to *prove* lhs = rhs.

Only ever says "proved" or "no proof found": a failed simplification is not evidence of
inequality (numeric sampling decides refutations).  Runs inside the bounded worker.
"""

from __future__ import annotations

import sympy as sp

from ..sums import structurally_equal


def _is_zero_matrix(e: sp.Basic) -> bool:
    if isinstance(e, sp.ZeroMatrix):
        return True
    if isinstance(e, sp.MatrixBase):
        return all(sp.simplify(x) == 0 for x in e)
    return False


def prove_equal(lhs: sp.Basic, rhs: sp.Basic) -> str | None:
    """Return the method that proved ``lhs == rhs`` for all symbol values, or None."""
    if lhs == rhs:
        return "identical expressions"
    if getattr(lhs, "is_Matrix", False) or getattr(rhs, "is_Matrix", False):
        if structurally_equal(lhs, rhs):
            return "same normal form (derive.sums.canonical)"
        diff = (lhs - rhs).doit()
        if _is_zero_matrix(diff):
            return "difference simplifies to the zero matrix"
        explicit = getattr(diff, "as_explicit", None)
        if explicit is not None and all(isinstance(d, sp.Integer) for d in diff.shape):
            try:
                if _is_zero_matrix(explicit()):
                    return "entrywise simplification to zero"
            except Exception:  # noqa: BLE001 - as_explicit is not defined for every node
                pass
        return None
    diff = sp.expand(lhs - rhs)
    if diff == 0:
        return "difference expands to zero"
    if sp.simplify(diff) == 0:
        return "difference simplifies to zero (sympy.simplify)"
    return None
