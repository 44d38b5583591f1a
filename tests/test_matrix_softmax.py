"""The softmax of a matrix is read row by row (attention weights), and a claim that fails only on
that reading is not refuted.  Expected verdicts from the mathematics."""

from __future__ import annotations


def test_attention_weights_are_a_row_softmax(check_text):
    # P = softmax(X Y^T) row by row: every row of P sums to one (P 1 = 1); its columns need not
    # (1^T P = 1^T fails for a row softmax, holds for a column one: not refuted)
    got = check_text("Let $X \\in \\mathbb{R}^{a \\times c}$ and $Y \\in \\mathbb{R}^{b \\times c}$, and "
                     "$P = \\operatorname{softmax}(X Y^\\top)$.\n\n"
                     "Then $P \\mathbf{1}_b = \\mathbf{1}_a$, and $\\mathbf{1}_a^\\top P = \\mathbf{1}_b^\\top$.\n")
    assert got["P \\mathbf{1}_b = \\mathbf{1}_a"]["status"] in ("proved", "verified")
    assert got["\\mathbf{1}_a^\\top P = \\mathbf{1}_b^\\top"]["status"] == "undecided"


def test_an_inline_partial_fraction_names_the_upstream_gradient(check_text):
    # Z = P W with an upstream gradient written G = \partial f / \partial Z: dF/dW = P^T G, not G P^T
    got = check_text("Let $P \\in \\mathbb{R}^{a \\times b}$, $W \\in \\mathbb{R}^{b \\times c}$ and $Z = P W$.\n"
                     "With upstream gradient $G = \\partial f / \\partial Z$,\n"
                     "$$\\frac{\\partial f}{\\partial W} = P^\\top G, \\qquad \\frac{\\partial f}{\\partial P} = G W^\\top.$$\n"
                     "Not $\\frac{\\partial f}{\\partial P} = W^\\top G$.\n")
    assert got["\\frac{\\partial f}{\\partial W} = P^\\top G"]["status"] in ("proved", "verified")
    assert got["\\frac{\\partial f}{\\partial P} = G W^\\top"]["status"] in ("proved", "verified")
    assert got["\\frac{\\partial f}{\\partial P} = W^\\top G"]["status"] in ("refuted", "undecided")
