"""Structure a document states about its matrices (orthogonal, symmetric, positive definite,
diagonal, invertible, an SVD, an eigendecomposition) is honoured when sampling, so claims that
depend on it are decided; structure the sampler cannot honour leaves a failing claim undecided,
never refuted.  Expected verdicts were written from the mathematics before the checker ran."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.claims.judge import Options, judge_document
from derive.claims.reader import read_document

ROOT = Path(__file__).resolve().parents[1]
H6 = ROOT / "tests" / "fixtures" / "heldout" / "H6_power_iteration.md"


def _verdicts(text: str, tmp_path: Path) -> dict[str, str]:
    f = tmp_path / "doc.md"
    f.write_text(text)
    out = {}
    for r in judge_document(read_document(f), opts=Options(timeout=20, seed=0, instances=8)):
        out[" ".join(r.latex.split())] = (r.status, r.scope)
    return out


def _status(v: dict, latex: str) -> str:
    return v[latex][0]


def test_h6_deflation_is_not_refuted_through_a_definition():
    # B = A - lambda_1 u_1 u_1^T hides A and u_1: B u_1 = 0 and B u_2 = lambda_2 u_2 are true
    res = judge_document(read_document(H6), opts=Options(timeout=20, seed=0, instances=8))
    at21 = {r.latex: r for r in res if r.line == 21}
    assert at21["B u_1 = 0"].status != "refuted", at21["B u_1 = 0"].scope
    assert at21["B u_2 = \\lambda_2 u_2"].status != "refuted", at21["B u_2 = \\lambda_2 u_2"].scope


def test_unmodelled_structure_keeps_a_true_claim_undecided(tmp_path):
    # P^3 = P holds for an idempotent P; the sampler does not model idempotent matrices
    v = _verdicts("Let $P \\in \\mathbb{R}^{n \\times n}$ be idempotent. Then\n$$P^3 = P.$$\n", tmp_path)
    status, scope = v["P^3 = P"]
    assert status == "undecided" and "idempotent" in scope


def test_h6_eigen_structure_decides_deflation_and_its_planted_trace_error():
    res = judge_document(read_document(H6), opts=Options(timeout=20, seed=0, instances=8))
    by = {(r.line, r.latex): r.status for r in res}
    assert by[(21, "B u_1 = 0")] == "verified"
    assert by[(21, "B u_2 = \\lambda_2 u_2")] == "verified"
    # tr(B) = tr(A) - lambda_1, so the document's "+" is wrong
    assert by[(22, "\\operatorname{tr}(B) = \\operatorname{tr}(A) + \\lambda_1")] == "refuted"
    # R is a weighted average of the eigenvalues (lambda_1 the largest, as stated)
    assert by[(10, "\\lambda_n \\le R(x) \\le \\lambda_1")] != "refuted"


DOC_ORTH = r"""Let $U \in \mathbb{R}^{n \times n}$ be orthogonal and $x \in \mathbb{R}^n$. Then
$$\|U x\|_2 = \|x\|_2.$$
Also
$$U^T U = I.$$
"""


def test_orthogonal_from_the_prose_is_sampled(tmp_path):
    v = _verdicts(DOC_ORTH, tmp_path)
    assert _status(v, "\\|U x\\|_2 = \\|x\\|_2") == "verified"
    assert _status(v, "U^T U = I") == "verified"
    assert "orthogonal" in v["U^T U = I"][1]


def test_two_names_and_symmetric(tmp_path):
    v = _verdicts("Let $U$ and $V$ be orthogonal and $x \\in \\mathbb{R}^n$. Then\n$$\\|U V x\\|_2 = \\|x\\|_2.$$\n"
                  "\nLet $S$ be symmetric and $y \\in \\mathbb{R}^n$. Then\n$$x^T S y = y^T S x.$$\n"
                  "But\n$$x^T S y = x^T S^2 y,$$\nwhich is false for a symmetric $S$.\n", tmp_path)
    assert _status(v, "\\|U V x\\|_2 = \\|x\\|_2") == "verified"
    assert _status(v, "x^T S y = y^T S x") == "verified"
    # false for symmetric matrices: with the structure applied a refutation is right
    assert _status(v, "x^T S y = x^T S^2 y") == "refuted"


def test_spd_from_the_prose_and_from_math(tmp_path):
    v = _verdicts("Let $P \\in \\mathbb{R}^{n \\times n}$ be symmetric positive definite and $x \\in \\mathbb{R}^n$ "
                  "nonzero. Then\n"
                  "$$x^T P x > 0.$$\n", tmp_path)
    assert _status(v, "x^T P x > 0") == "verified"
    v = _verdicts("Assume $Q^T Q = I$. Then\n$$Q Q^T = I.$$\n", tmp_path)
    assert _status(v, "Q Q^T = I") == "verified"


def test_svd_in_the_prose(tmp_path):
    v = _verdicts("Take the SVD $X = U \\Sigma V^T$ of the data matrix $X$. Then\n"
                  "$$X^T X = V \\Sigma^T \\Sigma V^T$$\nand\n$$X V = U \\Sigma.$$\n", tmp_path)
    assert _status(v, "X^T X = V \\Sigma^T \\Sigma V^T") == "verified"
    assert _status(v, "X V = U \\Sigma") == "verified"


def test_a_case_value_on_the_claims_line_is_set_when_sampling(tmp_path):
    # g = x^2 + 1: at x = 3 it is 10 (true); at x = 2 it is 5, not 6 (false)
    v = _verdicts("# Cases\n\nLet $g = x^2 + 1$ for every real $x$.\n\nAt $x = 3$ we get $g = 10$.\n", tmp_path)
    assert _status(v, "g = 10") in ("verified", "proved")
    v = _verdicts("# Cases\n\nLet $g = x^2 + 1$ for every real $x$.\n\nAt $x = 2$ we get $g = 6$.\n", tmp_path)
    assert _status(v, "g = 6") == "refuted"
    # two cases for the same name in scope: the earlier one is not set on the later line
    v = _verdicts("# Cases\n\nLet $g = x^2 + 1$ for every real $x$.\n\nAt $x = 3$ we get $g = 10$.\n\n"
                  "At $x = 2$ we get $g = 10$.\n", tmp_path)
    assert _status(v, "g = 10") != "verified"


def test_succ_psd_and_diagonal(tmp_path):
    v = _verdicts("Assume $P \\succ 0$ and $x \\in \\mathbb{R}^n$ nonzero. Then\n$$x^T P x > 0.$$\n\n"
                  "Let $C$ be positive semidefinite and $y \\in \\mathbb{R}^n$. Then\n$$y^T C y \\ge 0.$$\n\n"
                  "Let $D$ and $E$ be diagonal. Then\n$$D E = E D.$$\n", tmp_path)
    assert _status(v, "x^T P x > 0") == "verified"
    assert _status(v, "y^T C y \\ge 0") == "verified"
    assert _status(v, "D E = E D") == "verified"


def test_structure_words_attach_to_the_names_before_or_after_them():
    from derive.claims.reader import read_document as rd
    from derive.claims.structure import extract

    import tempfile
    text = ("Let $U$ and $V$ be orthogonal and $P$ idempotent. Since $W, Z$ orthogonal, $\\Sigma$ is diagonal, "
            "with $R$ symmetric positive definite, an orthogonal matrix $Q$ gives $Q^T Q = I$. "
            "Vectors $a$ and $b$ are orthogonal so $a^T b = 0$.\n")
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
        f.write(text)
    facts = {(x.kind, x.names) for x in extract(rd(f.name).claims).facts}
    assert ("orthogonal", ("U", "V")) in facts
    assert ("unmodelled", ("P",)) in facts
    assert ("orthogonal", ("W", "Z")) in facts
    assert ("diagonal", ("\\Sigma",)) in facts
    assert ("spd", ("R",)) in facts
    assert ("orthogonal", ("Q",)) in facts
    assert ("unmodelled", ("a", "b")) in facts  # orthogonal vectors are not an orthogonal matrix


def test_eigendecomposition_in_the_prose(tmp_path):
    # A = Q Lambda Q^T with Q orthogonal: A is symmetric and A Q = Q Lambda; A^2 = Q Lambda^2 Q^T
    v = _verdicts("Write the eigendecomposition $A = Q \\Lambda Q^\\top$. Then\n$$A Q = Q \\Lambda$$\nand\n"
                  "$$A^2 = Q \\Lambda^2 Q^\\top.$$\nBut\n$$A Q = \\Lambda Q.$$\n", tmp_path)
    assert _status(v, "A Q = Q \\Lambda") == "verified"
    assert _status(v, "A^2 = Q \\Lambda^2 Q^\\top") == "verified"
    assert _status(v, "A Q = \\Lambda Q") == "refuted"  # false: Q Lambda and Lambda Q differ


def test_an_article_before_the_word_points_forward():
    from derive.claims.reader import read_document as rd
    from derive.claims.structure import extract

    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
        f.write("Take $Q$ and the symmetric matrix $S$. Then $x = 1$.\n")
    facts = {(x.kind, x.names) for x in extract(rd(f.name).claims).facts}
    assert facts == {("symmetric", ("S",))}


def test_eigenvalues_in_an_unstated_order(tmp_path):
    # A symmetric, u_i orthonormal eigenvectors: A u_1 = lambda_1 u_1 holds in any order; lambda_1 >= lambda_2
    # (u_1^T A u_1 = lambda_1) needs an order the document does not state (neither verified nor refuted)
    v = _verdicts("Let $A$ be symmetric with eigenvalues $\\lambda_1, \\dots, \\lambda_n$ and orthonormal "
                  "eigenvectors $u_1, \\dots, u_n$. Then\n$$A u_1 = \\lambda_1 u_1$$\nand\n"
                  "$$u_1^T A u_1 \\ge \\lambda_2.$$\n", tmp_path)
    assert _status(v, "A u_1 = \\lambda_1 u_1") == "verified"
    assert _status(v, "u_1^T A u_1 \\ge \\lambda_2") == "undecided"
