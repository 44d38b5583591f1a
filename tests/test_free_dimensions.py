"""Ellipses, free dimensions, sums and brackets without written limits, index ranges.

Each document below is our own (letters and notation unlike the fixtures); the expected verdicts
were worked out by hand from the mathematics before the checker ran:

* a name that ends a family ``d_1, \\dots, d_r`` and has no other meaning is a dimension;
* ``[t_1, \\dots, t_m]^\\top`` is a vector; ``z_{s,j}`` of rows ``z_1^\\top, \\dots, z_m^\\top`` is an entry;
* ``\\operatorname{diag}(f(\\rho_k))`` runs over the family ``\\rho_1, \\dots, \\rho_r``;
* a blank (phantom) matrix is a template: the next explicit formula defines the name;
* ``X = [x_{ij}]`` names X's entries; a sum restated without limits takes the defined sum's limits;
* ``[i = a]`` with a free label a: a is an index (in the sum's range, or compared with a free index);
* ``y_i = ...`` for ``i = 1, \\dots, n - k + 1`` has n - k + 1 entries; a matrix given entry by entry
  (``X_{ij} = ...``, or a band with zeros elsewhere) is used whole.
"""

from __future__ import annotations

from pathlib import Path

from derive.claims.judge import Options, judge_document
from derive.claims.reader import read_document


def _verdicts(text: str, tmp_path: Path) -> dict[str, str]:
    f = tmp_path / "doc.md"
    f.write_text(text)
    out: dict[str, str] = {}
    for r in judge_document(read_document(f), opts=Options(timeout=30, seed=0, instances=8)):
        out[" ".join(r.latex.split())] = r.status
    return out


DECIDED_TRUE = ("verified", "proved")


def test_the_length_of_a_diagonal_family_is_a_dimension(tmp_path):
    v = _verdicts(r"""## Part

Say $D = \operatorname{diag}(d_1, \dots, d_r)$. Then
$$D^3 = \operatorname{diag}(d_1^3, \dots, d_r^3)$$
$$D^2 = \operatorname{diag}(d_1^3, \dots, d_r^3)$$
""", tmp_path)
    assert v[r"D = \operatorname{diag}(d_1, \dots, d_r)"] == "defined"  # "say" introduces D
    assert v[r"D^3 = \operatorname{diag}(d_1^3, \dots, d_r^3)"] in DECIDED_TRUE
    assert v[r"D^2 = \operatorname{diag}(d_1^3, \dots, d_r^3)"] == "refuted"


DOC_ROWS = r"""## Part

Let $G = \begin{bmatrix} \mathbf{g}_1^\top \\ \vdots \\ \mathbf{g}_m^\top \end{bmatrix}$ and $\mathbf{t} = [t_1, \dots, t_m]^\top$.

$$G^\top G = \sum_{s=1}^m \mathbf{g}_s \mathbf{g}_s^\top$$

$$G^\top \mathbf{t} = \sum_{s=1}^m \mathbf{g}_s t_s$$

$$G^\top \mathbf{t} = \sum_{s=1}^m \mathbf{g}_s t_1$$

$$(G^\top \mathbf{t})_j = \sum_s G_{sj} t_s = \sum_s g_{s,j} t_s$$

$$(G^\top G)_{jk} = \sum_s g_{s,j} g_{s,k}$$

$$(G^\top \mathbf{t})_j = \sum_s g_{s,j} t_1$$

$$\mathbf{t}^\top \mathbf{t} = \sum_{s=1}^m t_s^2$$
"""


def test_a_column_of_rows_and_a_list_with_an_undeclared_length(tmp_path):
    v = _verdicts(DOC_ROWS, tmp_path)
    assert v[r"G^\top G = \sum_{s=1}^m \mathbf{g}_s \mathbf{g}_s^\top"] in DECIDED_TRUE
    assert v[r"G^\top \mathbf{t} = \sum_{s=1}^m \mathbf{g}_s t_s"] in DECIDED_TRUE
    assert v[r"G^\top \mathbf{t} = \sum_{s=1}^m \mathbf{g}_s t_1"] == "refuted"
    # g_{s,j}: entry j of the row g_s; \sum_s without limits runs over the family's 1..m
    assert v[r"(G^\top \mathbf{t})_j = \sum_s G_{sj} t_s = \sum_s g_{s,j} t_s"] in DECIDED_TRUE
    assert v[r"(G^\top G)_{jk} = \sum_s g_{s,j} g_{s,k}"] in DECIDED_TRUE
    assert v[r"(G^\top \mathbf{t})_j = \sum_s g_{s,j} t_1"] == "refuted"
    assert v[r"\mathbf{t}^\top \mathbf{t} = \sum_{s=1}^m t_s^2"] in DECIDED_TRUE


def test_diag_of_one_member_runs_over_the_family(tmp_path):
    v = _verdicts(r"""## Part

Let $P = \operatorname{diag}(\rho_1, \dots, \rho_r)$ and $\mu > 0$.

$$P^2 + P = \operatorname{diag}\left(\rho_k^2 + \rho_k\right)$$

$$P^2 = \operatorname{diag}\left(\rho_k^3\right)$$
""", tmp_path)
    assert v[r"P^2 + P = \operatorname{diag}\left(\rho_k^2 + \rho_k\right)"] in DECIDED_TRUE
    assert v[r"P^2 = \operatorname{diag}\left(\rho_k^3\right)"] == "refuted"


def test_a_blank_matrix_is_a_template_and_the_next_formula_defines_the_name(tmp_path):
    v = _verdicts(r"""## Part

Let $C \in \mathbb{R}^{p \times p}$. Fill in the blank:
$$\hat{B} = \begin{bmatrix} \phantom{0} \\ \phantom{0} \end{bmatrix}$$
The answer is
$$\hat{B} = C^\top C + I$$
$$\hat{B} = (C^\top C + I)^\top$$
$$\hat{B} = C C^\top + I$$
""", tmp_path)
    assert v[r"\hat{B} = C^\top C + I"] == "defined"
    assert v[r"\hat{B} = (C^\top C + I)^\top"] in DECIDED_TRUE
    assert v[r"\hat{B} = C C^\top + I"] == "refuted"  # C^T C and C C^T differ for a general C


def test_named_entries_of_a_matrix(tmp_path):
    v = _verdicts(r"""## Part

Let $B \in \mathbb{R}^{p \times q}$ and write $B = [b_{rs}]_{p \times q}$.

$$\operatorname{tr}(B^\top B) = \sum_{r,s} b_{rs}^2$$

$$\operatorname{tr}(B^\top B) = \sum_{r,s} b_{rs}$$
""", tmp_path)
    assert v[r"B = [b_{rs}]_{p \times q}"] == "defined"
    assert v[r"\operatorname{tr}(B^\top B) = \sum_{r,s} b_{rs}^2"] in DECIDED_TRUE
    assert v[r"\operatorname{tr}(B^\top B) = \sum_{r,s} b_{rs}"] == "refuted"


def test_a_sum_restated_without_limits_takes_the_defined_limits(tmp_path):
    v = _verdicts(r"""## Part

Define $z_t = \sum_{j=0}^{n} h_j v_{t-j}$.

Written shortly, $z_t = \sum_j h_j v_{t-j}$.

Not the same: $z_t = \sum_j h_j v_{t+j}$.
""", tmp_path)
    assert v[r"z_t = \sum_j h_j v_{t-j}"] in DECIDED_TRUE
    # another summand: no definition states its range, so nothing is refuted
    assert v[r"z_t = \sum_j h_j v_{t+j}"] == "undecided"


DOC_LABEL = r"""## Setup

Given $\mathbf{s} \in \mathbb{R}^N$ with $N \ge 2$, a label $a$ and $0 < \beta < 1$, let
$$r_i = (1 - \beta)\,[i = a] + \frac{\beta}{N}.$$
Define $g(\mathbf{s}) = -\sum_{i=1}^N r_i s_i^2$.

## Claims

$$\sum_{i=1}^N r_i = 1$$

$$\sum_{i=1}^N r_i = 1 + \beta$$

$$\nabla_{\mathbf{s}} g = -2\, \mathbf{r} \odot \mathbf{s}$$

$$\nabla_{\mathbf{s}} g = 2\, \mathbf{r} \odot \mathbf{s}$$

For $N = 5$ and $\beta = \frac{1}{2}$: $r_a = \frac{3}{5}$, and $r_i = \frac{1}{10}$ for $i \ne a$.

For $N = 5$ and $\beta = \frac{1}{2}$ (wrong): $r_a = \frac{1}{2}$, and $r_i = \frac{1}{5}$ for $i \ne a$.
"""


def test_a_free_label_in_an_indicator_is_an_index(tmp_path):
    v = _verdicts(DOC_LABEL, tmp_path)
    assert v[r"\sum_{i=1}^N r_i = 1"] in DECIDED_TRUE
    assert v[r"\sum_{i=1}^N r_i = 1 + \beta"] == "refuted"
    # ∇_s g for the function g(s) the document defines (not a free scalar g)
    assert v[r"\nabla_{\mathbf{s}} g = -2\, \mathbf{r} \odot \mathbf{s}"] in DECIDED_TRUE
    assert v[r"\nabla_{\mathbf{s}} g = 2\, \mathbf{r} \odot \mathbf{s}"] == "refuted"
    # r_a = (1 - 1/2) + 1/10 = 3/5; r_i = 1/10 for i != a
    assert v[r"r_a = \frac{3}{5}"] in DECIDED_TRUE
    assert v[r"r_i = \frac{1}{10}"] in DECIDED_TRUE
    # wrong values: never accepted (the one-side rule keeps a number claimed for r_a undecided, since
    # a is given no value; refuting would also be sound here, as r_a does not depend on a)
    assert v[r"r_a = \frac{1}{2}"] in ("refuted", "undecided")
    assert v[r"r_i = \frac{1}{5}"] in ("refuted", "undecided")


DOC_CONV = r"""# A moving filter

Take a signal $\mathbf{u} \in \mathbb{R}^p$ and a filter $\mathbf{h} \in \mathbb{R}^q$ with $q \le p$; the filtered signal is
$$v_r = \sum_{s=1}^{q} h_s\, u_{r+s-1} \quad \text{for } r = 1, \dots, p - q + 1.$$

$$\dim \mathbf{v} = p - q + 1$$

$$\dim \mathbf{v} = p - q$$

Let $B \in \mathbb{R}^{(p-q+1) \times p}$ have $B_{r,r+s-1} = h_s$ for $s = 1, \dots, q$ and zeros elsewhere, and let $U \in \mathbb{R}^{(p-q+1) \times q}$ have entries $U_{rs} = u_{r+s-1}$.

$$\mathbf{v} = B\mathbf{u} = U\mathbf{h}$$

$$\|B\|_F^2 = (p - q + 1)\|\mathbf{h}\|^2$$

$$\|B\|_F^2 = p\,\|\mathbf{h}\|^2$$

$$\mathbf{v} = U^\top \mathbf{u}$$
"""


def test_a_length_stated_by_an_index_range_and_matrices_given_entry_by_entry(tmp_path):
    v = _verdicts(DOC_CONV, tmp_path)
    assert v[r"\dim \mathbf{v} = p - q + 1"] in DECIDED_TRUE
    assert v[r"\dim \mathbf{v} = p - q"] == "refuted"
    assert v[r"\mathbf{v} = B\mathbf{u} = U\mathbf{h}"] in DECIDED_TRUE
    # every row of the band holds h_1 .. h_q once
    assert v[r"\|B\|_F^2 = (p - q + 1)\|\mathbf{h}\|^2"] in DECIDED_TRUE
    assert v[r"\|B\|_F^2 = p\,\|\mathbf{h}\|^2"] == "refuted"
    assert v[r"\mathbf{v} = U^\top \mathbf{u}"] != "verified"  # shapes differ: never accepted


def test_a_vector_defined_by_entries_with_no_length_stays_undecided(tmp_path):
    # nothing fixes the length of f (no range, no declared vector it meets): no verdict on its length
    v = _verdicts(r"""## Part

Let $f_i = 2\,[i = c] + 1$.

$$\dim \mathbf{f} = 3$$
""", tmp_path)
    assert v[r"\dim \mathbf{f} = 3"] == "undecided"


def test_sizes_are_checked_before_values_are_drawn():
    # a redraw under conditions on sizes (n > m, j <= m) must not pay for the matrices of a draw
    # whose sizes already fail: the values are drawn only after accept() agrees
    import random

    import pytest
    import sympy as sp

    from derive.problem import Dim, Problem, SizesRejected

    n, m = sp.symbols("n m", integer=True, positive=True)
    drawn = []

    def values(sampler, sizes):
        drawn.append(dict(sizes))
        return {}

    prob = Problem(name="p", title="t", statement="", dims=(Dim(n, (2, 3)), Dim(m, (2, 3))), sample_values=values)
    with pytest.raises(SizesRejected):
        prob.sample(random.Random(0), accept=lambda sizes: False)
    assert drawn == []
    inst = prob.sample(random.Random(0), accept=lambda sizes: True)
    assert drawn and inst.values[n] in (2, 3)
