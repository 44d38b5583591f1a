"""Red team for false refutations: linear algebra, matrix calculus and backprop notes.

The documents in tests/fixtures/redteam/ are correct derivations written in varied notation
(denominator and numerator layout, batched rows, a batch of scalars x_1..x_m, Kronecker/vec,
Woodbury). Every statement in them was checked independently with numpy (central differences
and direct evaluation) before the checker ran, so none may be refuted. The wrong variants below
(a missing transpose, a sign slip, a wrong factor) were computed by hand to fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.commands.check import check_paths

TRUE = ("verified", "proved")
REDTEAM = Path(__file__).parent / "fixtures" / "redteam"
DOCS = sorted(REDTEAM.glob("*.md"))


def _claims(path: Path) -> list[dict]:
    return check_paths([str(path)], progress=False)["claims"]


def _verdicts(tmp_path: Path, text: str) -> dict[str, str]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return {c["latex"]: c["status"] for c in _claims(doc)}


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_no_correct_statement_is_refuted(path):
    bad = [(c["line"], c["latex"], c.get("scope")) for c in _claims(path) if c["status"] == "refuted"]
    assert not bad, bad


def _status_at(path: Path, line: int, start: str) -> str:
    hits = [c["status"] for c in _claims(path) if c["line"] == line and c["latex"].startswith(start)]
    assert hits, (line, start)
    return hits[0]


def test_numerator_layout_gradients_are_row_vectors():
    # d(a^T x)/dx = a^T, d(x^T B x)/dx = x^T (B + B^T), d||x||^2/dx = 2 x^T, d g/dx = (Bx - a)^T B
    doc = REDTEAM / "r9_numerator_layout.md"
    for line in (6, 7, 9, 11):
        assert _status_at(doc, line, "\\frac{\\partial") in TRUE, line


def test_a_member_of_a_batch_is_not_differentiated_as_a_free_scalar():
    # d mu_B / d x_j = 1/m: x_j is one of the x_i the mean sums; reading it as a separate scalar gave 0
    doc = REDTEAM / "r7_batchnorm.md"
    assert _status_at(doc, 11, "\\frac{\\partial \\mu_B}") == "undecided"


NUMERATOR = ("We use numerator layout: the derivative of a scalar by a column vector is a row vector.\n"
             "Let $\\mathbf{p} \\in \\mathbb{R}^k$, $G \\in \\mathbb{R}^{k \\times k}$ and $\\mathbf{z} \\in \\mathbb{R}^k$.\n\n")


def test_numerator_layout_wrong_variants_stay_refuted(tmp_path):
    v = _verdicts(tmp_path, NUMERATOR
                  + "$$\\frac{\\partial (\\mathbf{z}^\\top G \\mathbf{z})}{\\partial \\mathbf{z}} = 2\\mathbf{z}^\\top G$$\n\n"
                  + "$$\\frac{\\partial \\|\\mathbf{z}\\|^2}{\\partial \\mathbf{z}} = \\mathbf{z}^\\top$$\n\n"
                  + "$$\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = \\mathbf{p}^\\top$$\n")
    assert v["\\frac{\\partial (\\mathbf{z}^\\top G \\mathbf{z})}{\\partial \\mathbf{z}} = 2\\mathbf{z}^\\top G"] == "refuted"
    assert v["\\frac{\\partial \\|\\mathbf{z}\\|^2}{\\partial \\mathbf{z}} = \\mathbf{z}^\\top"] == "refuted"
    assert v["\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = \\mathbf{p}^\\top"] in TRUE


def test_a_row_gradient_is_refuted_where_the_gradient_has_the_variables_shape(tmp_path):
    v = _verdicts(tmp_path, "Convention: the gradient of a scalar has the same shape as the variable.\n"
                  "Let $\\mathbf{p} \\in \\mathbb{R}^k$ and $\\mathbf{z} \\in \\mathbb{R}^k$.\n\n"
                  "$$\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = \\mathbf{p}^\\top$$\n\n"
                  "$$\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = \\mathbf{p}$$\n")
    assert v["\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = \\mathbf{p}^\\top"] == "refuted"
    assert v["\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = \\mathbf{p}"] in TRUE


def test_a_row_gradient_with_no_layout_stated_is_undecided(tmp_path):
    v = _verdicts(tmp_path, "Let $\\mathbf{p} \\in \\mathbb{R}^k$ and $\\mathbf{z} \\in \\mathbb{R}^k$.\n\n"
                  "$$\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = \\mathbf{p}^\\top$$\n\n"
                  "$$\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = 3\\mathbf{p}^\\top$$\n")
    assert v["\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = \\mathbf{p}^\\top"] == "undecided"
    assert v["\\frac{\\partial (\\mathbf{p}^\\top \\mathbf{z})}{\\partial \\mathbf{z}} = 3\\mathbf{p}^\\top"] == "refuted"


def test_wrong_variants_of_the_algebra_are_refuted(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $Y, P, R \\in \\mathbb{R}^{q \\times q}$, with $Y$ invertible. Let $N \\in \\mathbb{R}^{q \\times q}$ be "
        "invertible and $\\mathbf{c}, \\mathbf{e} \\in \\mathbb{R}^q$ with $1 + \\mathbf{e}^\\top N^{-1}\\mathbf{c} \\neq 0$.\n\n"
        # a missing transpose
        "$$\\frac{\\partial}{\\partial Y}\\operatorname{tr}(PYR) = PR$$\n\n"
        # a wrong factor (the 2 dropped)
        "$$\\frac{\\partial}{\\partial Y}\\|PY - R\\|_F^2 = P^\\top(PY - R)$$\n\n"
        # a sign slip in Sherman-Morrison
        "$$(N + \\mathbf{c}\\mathbf{e}^\\top)^{-1} = N^{-1} + \\frac{N^{-1}\\mathbf{c}\\mathbf{e}^\\top N^{-1}}"
        "{1 + \\mathbf{e}^\\top N^{-1}\\mathbf{c}}$$\n\n"
        # the correct ones, for contrast
        "$$\\frac{\\partial}{\\partial Y}\\operatorname{tr}(PYR) = P^\\top R^\\top$$\n\n"
        "$$(N + \\mathbf{c}\\mathbf{e}^\\top)^{-1} = N^{-1} - \\frac{N^{-1}\\mathbf{c}\\mathbf{e}^\\top N^{-1}}"
        "{1 + \\mathbf{e}^\\top N^{-1}\\mathbf{c}}$$\n"))
    assert v["\\frac{\\partial}{\\partial Y}\\operatorname{tr}(PYR) = PR"] == "refuted"
    assert v["\\frac{\\partial}{\\partial Y}\\|PY - R\\|_F^2 = P^\\top(PY - R)"] == "refuted"
    assert v["(N + \\mathbf{c}\\mathbf{e}^\\top)^{-1} = N^{-1} + \\frac{N^{-1}\\mathbf{c}\\mathbf{e}^\\top N^{-1}}"
             "{1 + \\mathbf{e}^\\top N^{-1}\\mathbf{c}}"] == "refuted"
    assert v["\\frac{\\partial}{\\partial Y}\\operatorname{tr}(PYR) = P^\\top R^\\top"] in TRUE
    assert v["(N + \\mathbf{c}\\mathbf{e}^\\top)^{-1} = N^{-1} - \\frac{N^{-1}\\mathbf{c}\\mathbf{e}^\\top N^{-1}}"
             "{1 + \\mathbf{e}^\\top N^{-1}\\mathbf{c}}"] in TRUE


def test_a_wrong_batch_member_derivative_is_not_verified(tmp_path):
    v = _verdicts(tmp_path, "Take scalars $u_1, \\dots, u_r$ with $r \\ge 2$ and let $\\bar u = \\frac{1}{r}\\sum_{k=1}^r u_k$.\n\n"
                  "$$\\frac{\\partial \\bar u}{\\partial u_j} = \\frac{2}{r}$$\n\n"
                  "$$\\frac{\\partial \\bar u}{\\partial u_j} = \\frac{1}{r}$$\n")
    assert v["\\frac{\\partial \\bar u}{\\partial u_j} = \\frac{2}{r}"] not in TRUE
    assert v["\\frac{\\partial \\bar u}{\\partial u_j} = \\frac{1}{r}"] != "refuted"


LAYERS = ("Let $\\mathbf{u} \\in \\mathbb{R}^{a}$, $M^{(1)} \\in \\mathbb{R}^{b \\times a}$, "
          "$M^{(2)} \\in \\mathbb{R}^{c \\times b}$ and $\\mathbf{t} \\in \\mathbb{R}^{c}$. Define\n"
          "$$\\mathbf{s} = M^{(1)}\\mathbf{u}, \\qquad \\mathbf{r} = M^{(2)}\\mathbf{s}, \\qquad "
          "J = \\frac{1}{2}\\|\\mathbf{r} - \\mathbf{t}\\|^2.$$\n\n")


def test_layer_labelled_weights_with_their_own_shapes_and_transposes(tmp_path):
    # M^{(1)} (b x a) and M^{(2)} (c x b) are two matrices, not members of one family; M^{(2)\top}
    # is the transpose of the second one; \left[...\right] after a matrix is a factor
    v = _verdicts(tmp_path, LAYERS
                  + "$$\\nabla_{\\mathbf{s}} J = M^{(2)\\top}(\\mathbf{r} - \\mathbf{t})$$\n\n"
                  + "$$\\nabla_{\\mathbf{u}} J = M^{(1)\\top}\\left[M^{(2)\\top}(\\mathbf{r} - \\mathbf{t})\\right]$$\n\n"
                  + "$$\\nabla_{\\mathbf{u}} J = M^{(1)\\top}\\left[M^{(2)\\top}(\\mathbf{t} - \\mathbf{r})\\right]$$\n\n"
                  + "$$\\nabla_{M^{(2)}} J = (\\mathbf{r} - \\mathbf{t})\\mathbf{s}^\\top$$\n\n"
                  + "$$\\nabla_{M^{(2)}} J = 2(\\mathbf{r} - \\mathbf{t})\\mathbf{s}^\\top$$\n")
    assert v["\\nabla_{\\mathbf{s}} J = M^{(2)\\top}(\\mathbf{r} - \\mathbf{t})"] in TRUE
    assert v["\\nabla_{\\mathbf{u}} J = M^{(1)\\top}\\left[M^{(2)\\top}(\\mathbf{r} - \\mathbf{t})\\right]"] in TRUE
    assert v["\\nabla_{\\mathbf{u}} J = M^{(1)\\top}\\left[M^{(2)\\top}(\\mathbf{t} - \\mathbf{r})\\right]"] == "refuted"
    assert v["\\nabla_{M^{(2)}} J = (\\mathbf{r} - \\mathbf{t})\\mathbf{s}^\\top"] in TRUE
    assert v["\\nabla_{M^{(2)}} J = 2(\\mathbf{r} - \\mathbf{t})\\mathbf{s}^\\top"] == "refuted"


def test_a_parenthesised_label_then_transpose_parses():
    from derive.claims.latex_parser import parse, to_text
    t = parse("W^{(2)\\top} e")
    assert "W" in to_text(t) and t.kind == "mul" and t.args[0].kind == "transpose"


def test_a_formula_after_unless_is_a_condition_not_a_claim(tmp_path):
    # "(1 - ηλ)w - ηDg is the decoupled step unless $D = I$": D = I is a case, false for a general D
    v = _verdicts(tmp_path, "Let $\\mathbf{v} \\in \\mathbb{R}^r$, $\\mathbf{q} \\in \\mathbb{R}^r$, $\\rho > 0$, $\\mu > 0$ "
                  "and $D = \\operatorname{diag}(\\mathbf{v})$.\n\n"
                  "The step $\\mathbf{q} - \\rho D \\mathbf{q}$ differs from $\\mathbf{q} - \\rho\\mathbf{q}$ unless $D = I$.\n\n"
                  "$$\\mathbf{q} - \\rho D(\\mu\\mathbf{q}) = \\mathbf{q} - \\rho\\mu D\\mathbf{q}$$\n\n"
                  "$$\\mathbf{q} - \\rho D(\\mu\\mathbf{q}) = \\mathbf{q} + \\rho\\mu D\\mathbf{q}$$\n")
    assert v["D = I"] == "assumed"
    assert v["\\mathbf{q} - \\rho D(\\mu\\mathbf{q}) = \\mathbf{q} - \\rho\\mu D\\mathbf{q}"] in TRUE
    assert v["\\mathbf{q} - \\rho D(\\mu\\mathbf{q}) = \\mathbf{q} + \\rho\\mu D\\mathbf{q}"] == "refuted"


def test_a_member_index_bound_by_the_loss_sum_is_not_captured(tmp_path):
    # dJ/dz_k of J = 1/2 sum_k (z_k - s_k)^2 is z_k - s_k (one term); reading every z_k of the sum as the
    # one variable gave sum_k (z_k - s_k) and refuted it. A wrong factor must not be verified either.
    text = ("Let $B \\in \\mathbb{R}^{p \\times q}$, $\\mathbf{u} \\in \\mathbb{R}^q$, $\\mathbf{s} \\in \\mathbb{R}^p$ "
            "and $z_k = \\sum_{l=1}^q B_{kl} u_l$. Take $J = \\frac{1}{2}\\sum_{k=1}^p (z_k - s_k)^2$.\n\n"
            "$$\\frac{\\partial J}{\\partial z_k} = z_k - s_k$$\n\n"
            "$$\\frac{\\partial J}{\\partial z_k} = 2(z_k - s_k)$$\n\n"
            "$$\\frac{\\partial J}{\\partial \\mathbf{u}} = B^\\top(B\\mathbf{u} - \\mathbf{s})$$\n")
    v = _verdicts(tmp_path, text)
    assert v["\\frac{\\partial J}{\\partial z_k} = z_k - s_k"] != "refuted"
    assert v["\\frac{\\partial J}{\\partial z_k} = 2(z_k - s_k)"] not in TRUE
    assert v["\\frac{\\partial J}{\\partial \\mathbf{u}} = B^\\top(B\\mathbf{u} - \\mathbf{s})"] in TRUE


def test_a_differential_varies_only_the_names_whose_differential_is_written(tmp_path):
    # d(Y^T S Y) = dY^T S Y + Y^T S dY treats S as constant (no dS written); dropping a term stays wrong
    v = _verdicts(tmp_path, "Let $Y \\in \\mathbb{R}^{r \\times r}$ and a constant $S \\in \\mathbb{R}^{r \\times r}$.\n\n"
                  "$$d(Y^\\top S Y) = (dY)^\\top S Y + Y^\\top S\\,dY$$\n\n"
                  "$$d(Y^\\top S Y) = Y^\\top S\\,dY$$\n\n"
                  "$$d(Y^\\top S Y) = (dY)^\\top S Y + Y^\\top (dS) Y + Y^\\top S\\,dY$$\n")
    assert v["d(Y^\\top S Y) = (dY)^\\top S Y + Y^\\top S\\,dY"] in TRUE
    assert v["d(Y^\\top S Y) = Y^\\top S\\,dY"] == "refuted"
    assert v["d(Y^\\top S Y) = (dY)^\\top S Y + Y^\\top (dS) Y + Y^\\top S\\,dY"] in TRUE
