"""Hypotheses that pin a value are honoured when sampling, not rejection-sampled (no random
draw meets them):

* ``\\|v\\| = 0`` (any norm, or a power of one) sets v to the zero of its shape;
* of two contradictory conditions in scope ("for ``\\|v\\| \\ne 0`` ... If ``\\|v\\| = 0``, then"),
  the later one governs what follows it;
* a later index range of a name replaces an earlier one (the two halves ``q = 0..m-1`` and
  ``q = m..2m-1`` of a split never meet in one sample), and the names of a range, primed ones
  too (``q' = 0, ..., 2^{R-1} - 1``), are integers;
* an equation in scope that the document's definitions already make an identity holds on
  every instance (it blocks nothing).

Expected verdicts were worked out from the mathematics before the checker ran; the documents
use notation of their own (not the fixtures')."""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from derive.claims.equations import holds_identically, solve_for_one
from derive.claims.judge import Options, judge_document
from derive.claims.reader import read_document


def _verdicts(text: str, tmp_path: Path) -> dict[str, list[tuple[str, str]]]:
    f = tmp_path / "doc.md"
    f.write_text(text)
    out: dict[str, list[tuple[str, str]]] = {}
    for r in judge_document(read_document(f), opts=Options(timeout=20, seed=0, instances=8)):
        out.setdefault(" ".join(r.latex.split()), []).append((r.status, r.scope))
    return out


_RANK_ONE = (
    "# A rank-one update\n\n"
    "Let $v \\in \\mathbb{R}^n$ and $B = I + vv^\\top$.\n\n"
    # B^2 = I + 2vv^T + v(v^Tv)v^T = I + (2 + |v|^2) vv^T, for every v; with v = 0, B = I and B^3 = I
    "For $\\|v\\| \\neq 0$ we have $B^2 = I + (2 + \\|v\\|^2) vv^\\top$. "
    "If $\\|v\\| = 0$, then $B = I$ and $B^3 = I$.\n\n"
    "If $\\|v\\| = 0$ then $v v^\\top = 0$.\n\n"
    # with v = 0: B^2 = I but B + B = 2I (wrong); B^2 = B holds
    "If $\\|v\\|^2 = 0$ then $B^2 = B + B$.\n\n"
    "If $\\|v\\|_2 = 0$ then $B^2 = B$.\n")


def test_a_zero_norm_pins_the_vector_to_zero(tmp_path):
    v = _verdicts(_RANK_ONE, tmp_path)
    for claim in ("B = I", "B^3 = I", "v v^\\top = 0", "B^2 = B"):
        status, scope = v[claim][0]
        assert status in ("verified", "proved"), (claim, scope)
    status, scope = v["B^2 = B + B"][0]
    assert status == "refuted", scope
    assert "solved for v" in scope


def test_the_later_of_two_contradictory_conditions_governs(tmp_path):
    # "For |v| != 0 ..." belongs to the sentence before "If |v| = 0": B = I is judged with v = 0,
    # not under |v| != 0 (no instance would meet both)
    v = _verdicts(_RANK_ONE, tmp_path)
    status, scope = v["B = I"][0]
    assert status in ("verified", "proved"), scope
    assert "sampled under: \\|v\\| \\neq 0" not in scope, scope
    # the closed form before "If" keeps its own condition
    status, scope = v["B^2 = I + (2 + \\|v\\|^2) vv^\\top"][0]
    assert status in ("verified", "proved"), scope


_HALVES = (
    "# Powers by halves\n\n"
    "Let $P$ be a square matrix, $E$ a matrix with as many columns as $P$ has rows and $F$ a matrix "
    "with as many rows as $P$ has columns. Since $T = 2^R$, we compute $P^{2^r}$ for "
    "$r = 0, 1, \\dots, R-1$ by squaring.\n\n"
    "The first half uses $q = 0, \\dots, 2^{R-1} - 1$.\n\n"
    # P^q = P^{2^{R-1}} P^{q - 2^{R-1}}: true for every integer q (both exponents are >= 0 on the
    # second half)
    "The second half uses $q = 2^{R-1}, \\dots, 2^R - 1$. Then $P^q = P^{2^{R-1}} \\cdot P^{q-2^{R-1}}$. "
    "So if we set $G = P^{2^{R-1}}$, the second half is $E G P^{q'} F$ where $q' = 0, \\dots, 2^{R-1} - 1$.\n\n"
    # (EG)(P^{q'}F) = E P^{2^{R-1} + q'} F, not E P^{q'} F: wrong unless P^{2^{R-1}} acts as I
    "Hence $EP^{q'}F = (EG)(P^{q'}F)$.\n\n"
    "Also $EGP^{q'}F = (EG)(P^{q'}F)$.\n")


def test_a_later_range_replaces_an_earlier_one_and_the_split_is_judged(tmp_path):
    v = _verdicts(_HALVES, tmp_path)
    status, scope = v["P^q = P^{2^{R-1}} \\cdot P^{q-2^{R-1}}"][0]
    assert status in ("verified", "proved"), scope
    assert "q = 0, \\dots, 2^{R-1} - 1" not in scope  # the first half's range is no longer in force
    status, scope = v["EGP^{q'}F = (EG)(P^{q'}F)"][0]
    assert status in ("verified", "proved"), scope


def test_the_wrong_factorisation_is_refuted_at_integer_exponents(tmp_path):
    v = _verdicts(_HALVES, tmp_path)
    res = [r for r in judge_document(read_document(tmp_path / "doc.md"),
                                     opts=Options(timeout=20, seed=0, instances=8))
           if " ".join(r.latex.split()) == "EP^{q'}F = (EG)(P^{q'}F)"]
    assert res and res[0].status == "refuted", res[0].scope if res else None
    inst = res[0].counterexample["instance"]
    assert isinstance(inst["q'"], int) and isinstance(inst["R"], int)  # exponents drawn as integers
    assert 0 <= inst["q'"] <= 2 ** (inst["R"] - 1) - 1


def test_an_equation_the_definitions_make_an_identity_holds():
    n = sp.Symbol("n", integer=True)
    assert holds_identically(2**n, 2**n)
    assert holds_identically(sp.Symbol("a") * (n + 1), sp.Symbol("a") * n + sp.Symbol("a"))
    assert not holds_identically(2**n, n + 1)


def test_a_vector_set_to_zero_takes_its_shape():
    p = sp.MatrixSymbol("p", 3, 1)
    sym, value = solve_for_one(sp.Integer(0), p, set(), {p})
    assert sym == p and value == sp.ZeroMatrix(3, 1)


def test_an_entry_family_zero_off_the_diagonal_makes_its_matrix_diagonal(tmp_path):
    # x_{ij} = 0 for i != j: X is diagonal, so X^T = X and X X^T = X^2 hold; X Y = Y X does not
    # (a diagonal X with distinct entries commutes only with diagonal Y)
    v = _verdicts("# A matrix zero off its diagonal\n\n"
                  "Let $X \\in \\mathbb{R}^{n \\times n}$ and $Y \\in \\mathbb{R}^{n \\times n}$.\n\n"
                  "Assume $x_{ij} = 0$ for $i \\neq j$.\n\n"
                  "Then $X^\\top = X$.\n\nAlso $X X^\\top = X^2$.\n\nA slip: $X Y = Y X$.\n", tmp_path)
    for claim in ("X^\\top = X", "X X^\\top = X^2"):
        status, scope = v[claim][0]
        assert status in ("verified", "proved"), (claim, scope)
        assert "X diagonal" in scope
    assert v["X Y = Y X"][0][0] == "refuted"


def test_entries_named_by_a_bracket_give_the_matrix(tmp_path):
    # M = [a_{ij}] names M's entries; a_{ij} = 0 off the diagonal makes M diagonal: M^T = M, and
    # M M^T = M^T M; M^2 = M only for entries 0 or 1 (wrong in general)
    v = _verdicts("# Named entries\n\n"
                  "Let $M \\in \\mathbb{R}^{n \\times n}$ and write $M = [a_{ij}]$.\n\n"
                  "Suppose $a_{ij} = 0$ for $i \\neq j$. Then $M^\\top = M$ and $M M^\\top = M^\\top M$.\n\n"
                  "A slip: $M^2 = M$.\n", tmp_path)
    for claim in ("M^\\top = M", "M M^\\top = M^\\top M"):
        status, scope = v[claim][0]
        assert status in ("verified", "proved"), (claim, scope)
    assert v["M^2 = M"][0][0] == "refuted"
