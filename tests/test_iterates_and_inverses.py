"""Gradient-descent iterates written as an error sequence, inverses of products that may be
singular, a structure word after an expression, and Hessians written \\nabla_x^2.

Each document is written here in its own notation; the expected verdicts come from the
mathematics stated in the comments (not from the checker's output)."""

from __future__ import annotations

GOOD = ("proved", "verified")


def test_a_rule_that_is_no_recurrence_gives_its_first_member(check_text):
    # r_k = z_k - c for every k, z_0 included: r_0 = z_0 - c holds, r_0 = z_0 + c does not (c != 0)
    got = check_text("Let $M \\in \\mathbb{R}^{m \\times m}$, $c \\in \\mathbb{R}^m$ and $\\alpha > 0$.\n"
                     "The iteration is\n$$z_{k+1} = z_k - \\alpha (M z_k - c),$$\nand we write $r_k = z_k - c$.\n\n"
                     "Then $r_0 = z_0 - c$ and $r_2 = z_2 - c$, but not $r_0 = z_0 + c$.\n")
    assert got["r_0 = z_0 - c"]["status"] in GOOD
    assert got["r_2 = z_2 - c"]["status"] in GOOD
    assert got["r_0 = z_0 + c"]["status"] == "refuted"


_LSQ = ("Let $B \\in \\mathbb{R}^{p \\times q}$, $g \\in \\mathbb{R}^p$ and $\\gamma > 0$.\n"
        "Let $u = (B^\\top B)^{-1} B^\\top g$.\n"
        "A step is\n$$v_{k+1} = v_k - \\frac{\\gamma}{p} B^\\top (B v_k - g),$$\n"
        "so the error $s_k = v_k - u$ obeys\n$$s_{k+1} = \\left(I - \\frac{\\gamma}{p} B^\\top B\\right) s_k$$\n"
        "and, wrongly, $$s_{k+1} = \\left(I + \\frac{\\gamma}{p} B^\\top B\\right) s_k.$$\n")


def test_an_inverse_of_a_singular_product_is_no_counterexample(check_text):
    # B^T B u = B^T g when B^T B is invertible (q <= p), so s_{k+1} = (I - gamma B^T B) s_k; where
    # q > p the inverse does not exist and such instances say nothing.  The + sign is wrong for
    # every invertible B^T B (it differs by 2 gamma B^T B s_k, nonzero for s_k != 0)
    got = check_text(_LSQ)
    assert got["s_{k+1} = \\left(I - \\frac{\\gamma}{p} B^\\top B\\right) s_k"]["status"] in GOOD
    assert got["s_{k+1} = \\left(I + \\frac{\\gamma}{p} B^\\top B\\right) s_k"]["status"] == "refuted"


def test_a_structure_word_after_an_expression_is_not_given_to_the_next_name(tmp_path):
    # "$B^\top B$ is invertible" describes B^T B, which is no name: it says nothing about h, the
    # name the next display defines (read so, h was "invertible" and claims about it were held back)
    from derive.claims import structure
    from derive.claims.reader import read_document

    doc = tmp_path / "doc.md"
    doc.write_text("Let $B \\in \\mathbb{R}^{p \\times q}$, $g \\in \\mathbb{R}^p$ and $C$ a matrix; assume $C$ "
                   "is invertible. So when $B^\\top B$ is invertible\n$$h = (B^\\top B)^{-1} B^\\top g$$\n")
    facts = {(f.kind, f.names) for f in structure.extract(read_document(doc).claims).facts}
    assert not any("h" in names for _kind, names in facts), facts
    assert ("invertible", ("C",)) in facts  # a name right before the word still gets it


def test_a_hessian_with_its_subscript_first(check_text):
    # f(z) = z^T S z / 2 + a^T z with S symmetric has Hessian S, not 2S
    got = check_text("Let $S \\in \\mathbb{R}^{r \\times r}$ be symmetric, $a \\in \\mathbb{R}^r$ and "
                     "$f(z) = \\frac{1}{2} z^\\top S z + a^\\top z$.\n\n"
                     "Then $\\nabla_z^2 f(z) = S$ and $\\nabla^2_z f(z) = S$, but not $\\nabla_z^2 f(z) = 2S$.\n")
    assert got["\\nabla_z^2 f(z) = S"]["status"] in GOOD
    assert got["\\nabla^2_z f(z) = S"]["status"] in GOOD
    assert got["\\nabla_z^2 f(z) = 2S"]["status"] == "refuted"


def test_the_inverse_of_a_rank_deficient_product_is_an_evaluation_error():
    # X is 3 x 4, so X^T X (4 x 4) has rank 3: its inverse does not exist, whatever rounding makes
    # of it; a well-conditioned matrix still inverts (M M^{-1} = I to the working precision)
    import mpmath
    import pytest
    import sympy as sp

    from derive.numeric import EvaluationError, evaluate

    X = sp.MatrixSymbol("X", 3, 4)
    with mpmath.workdps(50):  # entries with all 50 digits, as the sampler draws them
        rows = [[mpmath.mpf(v) / 7 + mpmath.sqrt(v * v + 2) for v in r]
                for r in ([3, -1, 4, 1], [5, -9, 2, 6], [-5, 3, 5, 8])]
    with pytest.raises(EvaluationError, match="singular"):
        evaluate(sp.Inverse(X.T * X), {X: mpmath.matrix(rows)})
    M = sp.MatrixSymbol("M", 3, 3)
    m = mpmath.matrix([[2, 1, 0], [1, 3, 1], [0, 1, 4]]) / 3
    inv = evaluate(sp.Inverse(M), {M: m})
    assert mpmath.mnorm(m * inv - mpmath.eye(3), 1) < mpmath.mpf(10) ** -40
