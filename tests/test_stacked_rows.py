"""Rows stacked with semicolons: ``[a_1^\\top; \\dots; a_m^\\top]`` is the matrix whose rows are the family,
the same matrix as a ``bmatrix`` with ``\\vdots``; a second such definition in one "Let" list, after a short
gloss of the first (``(data matrix), B = [...]``), is a definition too.

Each document below is our own (letters unlike the fixtures); the expected verdicts were worked out by hand:
with rows a_i^T, (A^T A)_{jk} = sum_i a_{ij} a_{ik}, so A^T A = sum_i a_i a_i^T and A^T B = sum_i a_i b_i^T;
twice the sum, or sum_i b_i a_i^T (the transpose of A^T B), is wrong for generic rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.claims.judge import Options, judge_document
from derive.claims.latex_parser import ParseError, parse_expression
from derive.claims.reader import read_document


def _verdicts(text: str, tmp_path: Path) -> dict[str, str]:
    f = tmp_path / "doc.md"
    f.write_text(text)
    out: dict[str, str] = {}
    for r in judge_document(read_document(f), opts=Options(timeout=30, seed=0, instances=8)):
        out[" ".join(r.latex.split())] = r.status
    return out


DECIDED_TRUE = ("verified", "proved")


def test_semicolon_rows_parse_as_a_matrix():
    n = parse_expression(r"[\mathbf{a}_1^\top; \dots; \mathbf{a}_m^\top]")
    assert n.kind == "matrix" and len(n.args) == 3 and n.args[1][0].kind == "ellipsis"
    assert parse_expression("[p; q; r]").kind == "matrix"


def test_two_rows_without_an_ellipsis_stay_unread():
    # [0; 1] is also an interval in some notations: not read as a column
    with pytest.raises(ParseError):
        parse_expression("[0; 1]")


def test_gram_matrix_of_semicolon_rows(tmp_path):
    v = _verdicts(r"""## Part

Let $m$ samples $\mathbf{a}_1, \dots, \mathbf{a}_m \in \mathbb{R}^p$ be given, and let $A = [\mathbf{a}_1^\top; \dots; \mathbf{a}_m^\top] \in \mathbb{R}^{m \times p}$. Then
$$A^\top A = \sum_{i=1}^m \mathbf{a}_i \mathbf{a}_i^\top$$
and the wrong variant
$$A^\top A = 2 \sum_{i=1}^m \mathbf{a}_i \mathbf{a}_i^\top$$
""", tmp_path)
    assert v[r"A^\top A = \sum_{i=1}^m \mathbf{a}_i \mathbf{a}_i^\top"] in DECIDED_TRUE
    assert v[r"A^\top A = 2 \sum_{i=1}^m \mathbf{a}_i \mathbf{a}_i^\top"] == "refuted"


def test_second_matrix_of_a_let_list_after_a_gloss_is_defined(tmp_path):
    # B is used in an earlier part with another meaning: the list's "Let" binds it anew here
    v = _verdicts(r"""## Part 1

For any square matrix $B$ we have $(B^\top)^\top = B$.

## Part 2

Take inputs $\mathbf{a}_1, \dots, \mathbf{a}_m \in \mathbb{R}^p$ and targets $\mathbf{b}_1, \dots, \mathbf{b}_m \in \mathbb{R}^p$.

Let $A = [\mathbf{a}_1^\top; \dots; \mathbf{a}_m^\top] \in \mathbb{R}^{m \times p}$ (data matrix), $B = [\mathbf{b}_1^\top; \dots; \mathbf{b}_m^\top] \in \mathbb{R}^{m \times p}$ (target matrix). Then
$$A^\top B = \sum_{i=1}^m \mathbf{a}_i \mathbf{b}_i^\top$$
and the wrong variant
$$A^\top B = \sum_{i=1}^m \mathbf{b}_i \mathbf{a}_i^\top$$
""", tmp_path)
    assert v[r"A^\top B = \sum_{i=1}^m \mathbf{a}_i \mathbf{b}_i^\top"] in DECIDED_TRUE
    assert v[r"A^\top B = \sum_{i=1}^m \mathbf{b}_i \mathbf{a}_i^\top"] == "refuted"
