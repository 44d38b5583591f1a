"""Convolution sums over a registered problem's sequences (derive/claims/horizon.py).

* a sum's upper end that the problem does not name and nothing else uses
  (``\\sum_{j=0}^{T} K_j u_{k-j}``, T "the number of time steps") is read as the sequences'
  length: drawn at least as large as every time index;
* a sum over a problem index with no limits (``\\sum_\\ell K_\\ell u_{k-\\ell}``) runs from the
  index's start up to such a length (the terms past it are the inputs' zero padding);
* an index range in scope whose upper end the problem does not name (``\\ell = 1, \\dots, T``)
  is sampled by its lower end.

These readings only verify: a failure under them stays undecided (another reading of the
length may hold).  Expected verdicts come from the mathematics: with x_0 = 0 and u_j = 0 for
j < 0, y_k = D u_k + \\sum_{j=1}^{k} C A^{j-1} B u_{k-j} = \\sum_{j=0}^{k} K_j u_{k-j} with
K_0 = D, K_j = C A^{j-1} B (j >= 1); any upper end T >= k gives the same sum.  The document
is our own (horizon T, summation index j), not the seed's."""

from __future__ import annotations

from pathlib import Path

from derive.claims.horizon import horizon_names
from derive.claims.judge import Options, judge_document
from derive.claims.latex_parser import parse_expression
from derive.claims.reader import read_document

_DOC = (
    "# Problem 3: the SSM as a convolution\n\n"
    "The SSM runs $x_{k+1} = A x_k + B u_k$ and $y_k = C x_k + D u_k$ from $x_0 = 0$; "
    "the inputs are zero before time 0.\n\n"
    "Let $T$ be the number of time steps. The outputs are the inputs filtered by the kernel:\n\n"
    "$$y_k = \\sum_{j=0}^{T} K_j u_{k-j}$$\n\n"
    "Only the first lags reach back to a nonzero input, so equally\n\n"
    "$$y_k = \\sum_{j=0}^{\\min(k,T)} K_j u_{k-j}$$\n\n"
    "Dropping the limits (the padding removes the rest): $y_k = \\sum_\\ell K_\\ell u_{k-\\ell}$.\n\n"
    # u_{k-j+1}: at j = 0 it reads u_{k+1}, a future input; wrong for random inputs
    "A first wrong variant shifts the input: $y_k = \\sum_{j=0}^{T} K_j u_{k-j+1}$.\n\n"
    # the j = 0 term D u_k is missing: wrong wherever D u_k != 0
    "A second wrong variant drops the feed-through lag: $y_k = \\sum_{j=1}^{T} K_j u_{k-j}$.\n\n"
    # future inputs again
    "A third wrong variant runs the input forwards: $y_k = \\sum_\\ell K_\\ell u_{k+\\ell}$.\n\n"
    "## The kernel entries\n\n"
    "We compute the lags $\\ell = 1, \\dots, T$ of the kernel.\n\n"
    "The kernel is $K_\\ell = C A^{\\ell-1} B$.\n\n"
    # K_l = C A^l B is the next lag's entry: wrong for l >= 1
    "A wrong power: $K_\\ell = C A^{\\ell} B$.\n")


def _verdicts(text: str, tmp_path: Path) -> dict[str, list[tuple[str, str]]]:
    f = tmp_path / "doc.md"
    f.write_text(text)
    out: dict[str, list[tuple[str, str]]] = {}
    for r in judge_document(read_document(f), opts=Options(timeout=20, seed=0, instances=8)):
        out.setdefault(" ".join(r.latex.split()), []).append((r.status, r.scope))
    return out


def _status(v: dict[str, list[tuple[str, str]]], latex: str) -> str:
    (status, _scope), = v[latex]
    return status


def test_the_horizon_is_only_a_sums_upper_end():
    assert horizon_names(parse_expression("\\sum_{j=0}^{T} K_j u_{k-j}")) == {"T"}
    assert horizon_names(parse_expression("\\sum_{j=0}^{\\min(k,T)} K_j u_{k-j}")) == {"T"}
    # T used elsewhere too: a quantity of its own, not the length
    assert horizon_names(parse_expression("T + \\sum_{j=0}^{T} K_j u_{k-j}")) == set()
    assert horizon_names(parse_expression("\\sum_{j=0}^{T-1} K_j")) == set()


def test_convolutions_up_to_the_length_are_verified(tmp_path):
    v = _verdicts(_DOC, tmp_path)
    for claim in ("y_k = \\sum_{j=0}^{T} K_j u_{k-j}", "y_k = \\sum_{j=0}^{\\min(k,T)} K_j u_{k-j}",
                  "y_k = \\sum_\\ell K_\\ell u_{k-\\ell}"):
        assert _status(v, claim) == "verified", (claim, v[claim])
    (_s, scope), = v["y_k = \\sum_{j=0}^{T} K_j u_{k-j}"]
    assert "T in 9..12" in scope


def test_wrong_convolutions_are_never_verified(tmp_path):
    v = _verdicts(_DOC, tmp_path)
    for claim in ("y_k = \\sum_{j=0}^{T} K_j u_{k-j+1}", "y_k = \\sum_{j=1}^{T} K_j u_{k-j}",
                  "y_k = \\sum_\\ell K_\\ell u_{k+\\ell}"):
        assert _status(v, claim) in ("undecided", "refuted"), (claim, v[claim])


def test_a_range_with_an_unknown_end_is_sampled_by_its_start(tmp_path):
    v = _verdicts(_DOC, tmp_path)
    status, scope = v["K_\\ell = C A^{\\ell-1} B"][0]
    assert status == "verified" and "\\ell \\ge 1" in scope, scope
    assert _status(v, "K_\\ell = C A^{\\ell} B") in ("undecided", "refuted")


# --- a vector's members named in words -------------------------------------------------------------
# "Let $G$ be a column vector $[g_1, \dots, g_m]^T$": G is defined by its members for that part.  With
# F = diag(f_i), G = (g_i), H = (h_i) a row: H F^{j-1} G = \sum_i h_i f_i^{j-1} g_i.

_DIAGONAL = (
    "# A diagonal filter\n\n"
    "Take $F = \\operatorname{diag}(f_1, \\dots, f_m)$. Let $G$ be a column vector $[g_1, \\dots, g_m]^T$ "
    "and $H$ be the row vector $[h_1, \\dots, h_m]$, and define $M_j = H F^{j-1} G$ for $j \\geq 1$.\n\n"
    "Then $M_j = \\sum_{i=1}^m h_i f_i^{j-1} g_i$.\n\n"
    # one power too many: wrong wherever some f_i != 1
    "Wrong: $M_j = \\sum_{i=1}^m h_i f_i^{j} g_i$.\n\n"
    # the g_i dropped: wrong for random g
    "Also wrong: $M_j = \\sum_{i=1}^m h_i f_i^{j-1}$.\n")

# the registered SSM problem's kernel in a part that makes A diagonal: K_l = C A^{l-1} B = \sum_i c_i b_i a_i^{l-1}
# (a_i, c_i are the document's entries here, not another problem's quantities of the same letters)
_SSM_DIAGONAL = (
    "# Problem 1: SSM kernel\n\n"
    "## (a) The kernel\n\n"
    "The SSM is $x_{k+1} = A x_k + B u_k$, $y_k = C x_k + D u_k$ with $x_0 = 0$. Its kernel is $K_0 = D$ "
    "and $K_\\ell = C A^{\\ell-1} B$ for $\\ell \\geq 1$.\n\n"
    "## (b) A diagonal state matrix\n\n"
    "Now the state matrix is diagonal, say $A = \\text{diag}(a_1, \\dots, a_n)$, let $B$ be the column vector "
    "$[b_1, \\dots, b_n]^T$ and $C$ the row vector $[c_1, \\dots, c_n]$. Then\n\n"
    "$$K_\\ell = \\sum_{i=1}^n c_i b_i a_i^{\\ell-1}$$\n\n"
    "and not $K_\\ell = \\sum_{i=1}^n c_i b_i a_i^{\\ell}$.\n")

# a later summary part restates (b)'s result in (b)'s members: read with the meanings (b) gave them
_SUMMARY = (
    "\n## Summary\n\n"
    "(b) Diagonal $A$: $K_\\ell = \\sum_i c_i b_i a_i^{\\ell-1}$.\n\n"
    # two powers too many: wrong, and only ever verified under those meanings (never refuted so)
    "Wrong summary: $K_\\ell = \\sum_i c_i b_i a_i^{\\ell+1}$.\n")


def test_vectors_named_in_words_define_their_members():
    from derive.claims.stacks import vectors_in_prose

    found = vectors_in_prose("Let $G$ be a column vector $[g_1, \\dots, g_m]^T$ and $H$ be the row vector "
                             "$[h_1, \\dots, h_m]$. Then")
    assert [(n.value, rhs.kind) for n, rhs, _t in found] == [("G", "transpose"), ("H", "transpose")]
    assert found[1][1].args[0].kind == "paren"  # the row: the transpose of the column
    assert vectors_in_prose("the vector $[1, 2]$ is short") == []  # no name given to it


def test_a_diagonal_kernel_from_members_named_in_words(tmp_path):
    v = _verdicts(_DIAGONAL, tmp_path)
    assert _status(v, "M_j = \\sum_{i=1}^m h_i f_i^{j-1} g_i") in ("verified", "proved")
    assert _status(v, "M_j = \\sum_{i=1}^m h_i f_i^{j} g_i") == "refuted"
    assert _status(v, "M_j = \\sum_{i=1}^m h_i f_i^{j-1}") == "refuted"


def test_the_problems_kernel_in_a_diagonal_part(tmp_path):
    v = _verdicts(_SSM_DIAGONAL, tmp_path)
    assert _status(v, "K_\\ell = \\sum_{i=1}^n c_i b_i a_i^{\\ell-1}") in ("verified", "proved")
    assert _status(v, "K_\\ell = \\sum_{i=1}^n c_i b_i a_i^{\\ell}") in ("undecided", "refuted")


def test_a_summary_reads_members_with_the_earlier_parts_meanings(tmp_path):
    v = _verdicts(_SSM_DIAGONAL + _SUMMARY, tmp_path)
    status, scope = v["K_\\ell = \\sum_i c_i b_i a_i^{\\ell-1}"][0]
    assert status in ("verified", "proved") and "earlier part" in scope, scope
    assert _status(v, "K_\\ell = \\sum_i c_i b_i a_i^{\\ell+1}") in ("undecided", "refuted")
