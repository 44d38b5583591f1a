"""Entries of the rectangular diagonal factor of an SVD, judged under the case conditions written
after them ("if $i = j \\le p$", "for $j > p$").

B = P D Q^T with B p x q and q > p: D is p x q, D_{jj} = d_j for j <= p and every other entry is 0
(the columns j > p are zero).  For a p x p matrix M with entries m_{ij}, (MD)_{ij} = m_{ij} d_j for
j <= p and 0 for j > p.  The expectations below were computed from these facts by hand, before
the checker ran; the letters (B, P, D, Q, d, M, m, p, q) are not the fixtures'."""

from __future__ import annotations

from pathlib import Path

from derive.claims.judge import Options, judge_document
from derive.claims.reader import read_document

DOC = r"""# Rectangular factor

Let $B \in \mathbb{R}^{p \times q}$ with $q > p$, and take the SVD $B = P D Q^\top$ with singular values $d_1 > \dots > d_p > 0$.

Then $D \in \mathbb{R}^{p \times q}$ with $D_{ii} = d_i$ for $i = 1, \dots, p$.

So $D_{ij} = d_j$ if $i = j \leq p$.

For $j > p$ we have $D_{ij} = 0$.

Write $M = [m_{ij}]_{p \times p}$. Then $(MD)_{ij} = m_{ij} d_j$ for $j \leq p$, and $(MD)_{ij} = 0$ for $j > p$.

Wrong: $D_{ij} = d_i$ for $j > p$.

Wrong again: $D_{ij} = d_j + 1$ if $i = j \leq p$.

Also $D_{ij} = d_j \delta_{ij}$ for $j \leq p$.

Wrong too: $(MD)_{ij} = m_{ji} d_j$ for $j \leq p$.
"""

# a range stated for i elsewhere (i = 1..r) is not the range of a \sum_{i,j} over A's entries
SUMS = r"""# Sums over entries

Let $A \in \mathbb{R}^{p \times q}$ and $i = 1, \dots, r$.

Then $\|A\|_F^2 = \sum_{i,j} A_{ij}^2$.

Wrong: $\|A\|_F^2 = \sum_{i,j} A_{ij}$.

Let $C \in \mathbb{R}^{q \times p}$. Then $(AC)_{ij} = \sum_k A_{ik} C_{kj}$ if $k = j$.
"""


def _by_line(tmp_path: Path, text: str = DOC) -> dict[int, list]:
    f = tmp_path / "rect.md"
    f.write_text(text)
    out: dict[int, list] = {}
    for r in judge_document(read_document(f), opts=Options(timeout=20, seed=0, instances=8)):
        out.setdefault(r.line, []).append(r)
    return out


def _one(rows: list, latex: str):
    hits = [r for r in rows if r.latex == latex]
    assert len(hits) == 1, [(r.latex, r.status) for r in rows]
    return hits[0]


def test_rectangular_diagonal_entries(tmp_path):
    by = _by_line(tmp_path)
    # the SVD gives D whole: D_ii = d_i is a claim about it (true), not D's definition
    diag = _one(by[5], "D_{ii} = d_i")
    assert diag.role == "claim" and diag.status == "verified", diag.scope
    # under the case i = j <= p the entry is d_j
    case = _one(by[7], "D_{ij} = d_j")
    assert case.status == "verified", case.scope
    # columns beyond p are zero
    zero = _one(by[9], "D_{ij} = 0")
    assert zero.role in ("claim", "step") and zero.status == "verified", zero.scope
    # (MD)_ij = sum_k m_ik D_kj = m_ij d_j for j <= p, 0 for j > p
    assert _one(by[11], "(MD)_{ij} = m_{ij} d_j").status == "verified"
    assert _one(by[11], "(MD)_{ij} = 0").status == "verified"
    # D_ij = d_j delta_ij holds for every i <= p, j <= p
    assert _one(by[17], "D_{ij} = d_j \\delta_{ij}").status == "verified"


def test_wrong_entries_are_refuted(tmp_path):
    by = _by_line(tmp_path)
    # for j > p, D_ij = 0 while d_i > 0 (i <= p): false on every instance
    assert _one(by[13], "D_{ij} = d_i").status == "refuted"
    # D_jj = d_j, never d_j + 1
    assert _one(by[15], "D_{ij} = d_j + 1").status == "refuted"
    # (MD)_ij = m_ij d_j; m_ji d_j differs for a general M (the entries of M and M itself are one name)
    assert _one(by[19], "(MD)_{ij} = m_{ji} d_j").status == "refuted"


def test_a_sum_without_limits_runs_over_the_matrix_entries(tmp_path):
    by = _by_line(tmp_path, SUMS)
    # i, j run over 1..p and 1..q (A's shape), not over the range 1..r stated for i elsewhere
    assert _one(by[5], "\\|A\\|_F^2 = \\sum_{i,j} A_{ij}^2").status == "verified"
    # sum of entries is not the sum of their squares
    assert _one(by[7], "\\|A\\|_F^2 = \\sum_{i,j} A_{ij}").status == "refuted"
    # a "case" on the summation index k is not applied by substituting k (the product rule holds)
    assert _one(by[9], "(AC)_{ij} = \\sum_k A_{ik} C_{kj}").status != "refuted"


def test_a_case_after_a_statement_is_not_a_free_scalar_reading(tmp_path):
    # the case "i = j <= p" is honoured: d_j is the j-th singular value, not a free scalar named d_j
    by = _by_line(tmp_path)
    case = _one(by[7], "D_{ij} = d_j")
    assert "i = j" in (case.reason or "") + case.scope and "j \\leq p" in case.scope
