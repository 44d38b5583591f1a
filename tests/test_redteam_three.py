"""Red team three: false refutations on ML notes in notation the earlier red teams did not use.

The documents in tests/fixtures/redteam3/ (layer norm, REINFORCE, logistic-regression Hessian,
Rayleigh quotient / PCA, log-det and Cholesky gradients, GP posterior, weight decay, dropout,
Newton's method, exponential families, classical inequalities, Adam unrolled, label smoothing,
multi-head attention counts, softplus in aligned steps, least squares in numerator layout, a GRU gate,
discrete KL and Gibbs' inequality) are correct; every statement was checked by the numpy script next
to it (``<doc>.check.py``), independently of derive, so none may be refuted.  Each document has
one planted error below (built as a copy with one formula changed): it must not be verified, and
where the changed formula is read it is refuted.

Seven readings were wrong before (each pinned with a small document in other letters):
  * a recurrence whose rule uses a function the document never defines
    (``w_{t+1} = w_t - \\eta \\nabla J(w_t)``) was sampled as an arbitrary sequence, and a
    relation between its members (``w_k = (1 - \\eta\\lambda)^k w_0``) was refuted;
  * "For uniform logits, $p_c = 1/C$" and "Where the loss is flat ...": a special case written
    in words, which sampling cannot honour, was ignored and the claim refuted;
  * "let $u$ be a unit vector": the norm constraint was not applied and
    ``||v - u u^T v||^2 = ||v||^2 - (u^T v)^2`` was refuted;
  * ``A(\\eta) = e^\\eta`` under "Poisson" after ``A(\\eta) = \\log(1 + e^\\eta)`` under
    "Bernoulli": a function written again with a new formula was judged as the first one;
  * "setting it to zero gives the normal equations $\\Phi^\\top\\Phi\\theta = \\Phi^\\top t$": the
    stationarity condition was judged as an identity in theta;
  * entries p_k of a vector under a log were drawn negative (complex values compared), and
    "so that $\\sum_k p_k = 1$", left undecided as a claim that may determine p, did not constrain
    later claims about p (tests/test_constraints_and_log_domain.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.commands.check import check_paths

FIXTURES = Path(__file__).parent / "fixtures" / "redteam3"
DOCS = sorted(FIXTURES.glob("*.md"))
TRUE = ("proved", "verified")


def _claims(path: Path) -> list[dict]:
    return check_paths([str(path)], progress=False)["claims"]


def _check(tmp_path: Path, text: str) -> dict[str, str]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return {c["latex"]: c["status"] for c in _claims(doc)}


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_no_statement_of_the_correct_documents_is_refuted(path):
    bad = [(c["line"], c["latex"], c.get("reason") or c.get("scope")) for c in _claims(path)
           if c["status"] == "refuted"]
    assert not bad, bad


# (document, correct formula, planted wrong formula, whether the wrong one must be refuted)
# the wrong values were computed by hand: e.g. tr(BX) has gradient B^T, not B, for a general B;
# r_2 = 17/12 from r_1 = 3/2, not 17/13; Var(r h / q) = (1-q) h^2 / q, not (1-q) h^2 / q^2.
# False: the wrong formula stays undecided, not refuted, because structure words the sampler does not
# honour stand in its section ("idempotent", "eigenvalues", "covariance ... triangular", "projection";
# "P idempotent" of a P the document defines blocks too, though the instance is the document's)
PLANTED = [
    ("layernorm.md", r"- \frac{1}{d}\hat{\mathbf{x}}\hat{\mathbf{x}}^\top\right)", r"+ \frac{1}{d}\hat{\mathbf{x}}\hat{\mathbf{x}}^\top\right)", False),
    ("reinforce.md", r"p(1 - p)(r_1 - r_2)", r"p(1 - p)(r_1 + r_2)", True),
    ("logreg_hessian.md", r"1 - \sigma(z) = \sigma(-z)", r"1 - \sigma(z) = \sigma(z)", True),
    ("rayleigh_pca.md", r"\nabla R(\mathbf{x}) = \frac{2}{", r"\nabla R(\mathbf{x}) = \frac{1}{", False),
    ("logdet_cholesky.md", r"\operatorname{tr}(BX) = B^\top", r"\operatorname{tr}(BX) = B", False),
    ("gp_posterior.md", r"K K_y^{-1} = I - \sigma_n^2 K_y^{-1}", r"K K_y^{-1} = I + \sigma_n^2 K_y^{-1}", True),
    ("weight_decay.md", r"= \frac{h\lambda}{2(h + \lambda)}(w^\star)^2", r"= \frac{h\lambda}{h + \lambda}(w^\star)^2", True),
    ("dropout.md", r"\frac{1 - q}{q}\, h_i^2", r"\frac{1 - q}{q^2}\, h_i^2", True),
    ("newton_quadratic.md", r"r_2 = \frac{17}{12}", r"r_2 = \frac{17}{13}", True),
    ("expfamily.md", r"A'(\eta) = \frac{e^{\eta}}{1 + e^{\eta}}", r"A'(\eta) = \frac{1}{1 + e^{\eta}}", True),
    ("inequalities.md", r"\frac{2ab}{a + b} \le \sqrt{ab}", r"\frac{2ab}{a + b} \ge \sqrt{ab}", True),
    ("adam_unrolled.md", r"\mathbf{m}_t = (1 - \beta_1)\sum", r"\mathbf{m}_t = \sum", True),
    ("label_smoothing.md", r"\sum_{c=1}^{C} t_c = 1$", r"\sum_{c=1}^{C} t_c = 1 - \varepsilon$", True),
    ("softplus_aligned.md", r"\log(1 + e^{-x}) = x$", r"\log(1 + e^{-x}) = -x$", True),
    ("normal_equations.md", r"\|\mathbf{t}\|^2 = \|\mathbf{P}", r"\|\mathbf{t}\|^2 = 2\|\mathbf{P}", False),
    ("gru_gate.md", r"= \operatorname{diag}(\mathbf{u}), \qquad", r"= \operatorname{diag}(\mathbf{1} - \mathbf{u}), \qquad", True),
    ("kl_discrete.md", r"$\log x \le x - 1$", r"$\log x \ge x - 1$", True),
    ("multihead_counts.md", r"$3 H D D_h = 3D^2$", r"$3 H D D_h = 4D^2$", False),
]


def test_every_document_has_a_planted_error():
    assert sorted(p[0] for p in PLANTED) == sorted(p.name for p in DOCS)


@pytest.mark.parametrize("name, right, wrong, refuted", PLANTED, ids=[p[0] for p in PLANTED])
def test_a_planted_error_is_not_verified(tmp_path, name, right, wrong, refuted):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert text.count(right) == 1, right
    doc = tmp_path / name
    doc.write_text(text.replace(right, wrong), encoding="utf-8")
    before = {(c["line"], c["latex"]) for c in _claims(FIXTURES / name)}
    hits = [c for c in _claims(doc) if (c["line"], c["latex"]) not in before]  # the statements changed
    assert hits
    assert all(c["status"] not in TRUE for c in hits), [(c["latex"], c["status"]) for c in hits]
    if refuted:
        assert any(c["status"] == "refuted" for c in hits), [(c["latex"], c["status"], c.get("reason")) for c in hits]
