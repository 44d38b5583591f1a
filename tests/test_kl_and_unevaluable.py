"""KL divergences between written Gaussians (evaluated by quadrature, never by the closed form a
document claims) and a definition the binder cannot evaluate followed by an explicit formula.

Every expected verdict below was written from the mathematics before the checker ran:
KL(N(m1, t1^2) || N(m2, t2^2)) = log(t2/t1) + (t1^2 + (m1 - m2)^2) / (2 t2^2) - 1/2 for t1, t2 > 0;
without the -1/2 it is off by 1/2 everywhere; with log(t1/t2) it is off by 2 log(t2/t1), nonzero
whenever t1 != t2."""
import mpmath

from derive.claims.kl import kl_univariate
from derive.commands.check import check_paths

KL = r"\mathrm{KL}\left(\mathcal{N}(m_1, \tau_1^2)\,\|\,\mathcal{N}(m_2, \tau_2^2)\right)"
RIGHT = KL + r" = \log\frac{\tau_2}{\tau_1} + \frac{\tau_1^2 + (m_1 - m_2)^2}{2 \tau_2^2} - \frac{1}{2}"
NO_HALF = KL + r" = \log\frac{\tau_2}{\tau_1} + \frac{\tau_1^2 + (m_1 - m_2)^2}{2 \tau_2^2}"
SWAPPED = KL + r" = \log\frac{\tau_1}{\tau_2} + \frac{\tau_1^2 + (m_1 - m_2)^2}{2 \tau_2^2} - \frac{1}{2}"


def _verdicts(tmp_path, text, name="doc.md"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    report = check_paths([str(f)], progress=False)
    return {c["latex"]: c for c in report["claims"]}


def test_quadrature_matches_known_values():
    # KL(p || p) = 0; KL(N(1, 1) || N(0, 1)) = 1/2 (half the squared mean shift over unit variance)
    with mpmath.workdps(50):
        zero = kl_univariate(mpmath.mpf(0.3), mpmath.mpf(2), mpmath.mpf(0.3), mpmath.mpf(2))
        half = kl_univariate(mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf(0), mpmath.mpf(1))
        assert abs(zero) < mpmath.mpf(10) ** -45
        assert abs(half - mpmath.mpf(1) / 2) < mpmath.mpf(10) ** -45


def test_the_univariate_closed_form_is_verified_and_wrong_ones_refuted(tmp_path):
    v = _verdicts(tmp_path, (
        "# KL\n\nFor two univariate Gaussians,\n$$" + RIGHT + ".$$\n"
        "It is not\n$$" + NO_HALF + ",$$\nnor\n$$" + SWAPPED + ".$$\n"))
    assert v[RIGHT]["status"] == "verified"
    assert v[NO_HALF]["status"] == "refuted"
    assert v[SWAPPED]["status"] == "refuted"


def test_a_diagonal_multivariate_kl_is_the_sum_over_coordinates(tmp_path):
    # KL(N(mu, diag(s^2)) || N(0, I)) = 1/2 sum_i (mu_i^2 + s_i^2 - log s_i^2 - 1): true; without the -1: false
    lhs = r"\mathrm{KL}(\mathcal{N}(\boldsymbol\mu, \operatorname{diag}(\mathbf{s})^2) \,\|\, \mathcal{N}(\mathbf{0}, I_d))"
    right = lhs + r" = \frac{1}{2}\sum_{i=1}^d \left(\mu_i^2 + s_i^2 - \log s_i^2 - 1\right)"
    wrong = lhs + r" = \frac{1}{2}\sum_{i=1}^d \left(\mu_i^2 + s_i^2 - \log s_i^2\right)"
    v = _verdicts(tmp_path, (
        "# KL\n\nLet $\\boldsymbol\\mu \\in \\mathbb{R}^d$ and $\\mathbf{s} \\in \\mathbb{R}^d$ with $s_i > 0$. Then\n"
        "$$" + right + ".$$\nIt is not\n$$" + wrong + ".$$\n"))
    assert v[right]["status"] in ("verified", "undecided")
    assert v[wrong]["status"] in ("refuted", "undecided")
    assert v[right]["status"] != "refuted" and v[wrong]["status"] not in ("verified", "proved")


def test_an_unevaluable_definition_gives_way_to_the_explicit_formula(tmp_path):
    # D := KL(q || p) of named distributions is not modelled; D = 1/2 sum (mu_i^2 + sigma_i^2 - log sigma_i^2 - 1)
    # is then D's definition, so dD/dmu_i = mu_i (true) and dD/dsigma_i = sigma_i - 2/sigma_i (false:
    # it is sigma_i - 1/sigma_i) are judged through it.
    formula = r"D = \frac{1}{2}\sum_{i=1}^d \left(\mu_i^2 + \sigma_i^2 - \log\sigma_i^2 - 1\right)"
    v = _verdicts(tmp_path, (
        "# VAE\n\nLet $\\boldsymbol\\mu \\in \\mathbb{R}^d$ and $\\boldsymbol\\sigma \\in \\mathbb{R}^d$ with "
        "$\\sigma_i > 0$. The divergence $D := \\mathrm{KL}(q \\,\\|\\, p)$ is\n$$" + formula + ".$$\n"
        "Then\n$$\\frac{\\partial D}{\\partial \\mu_i} = \\mu_i, \\qquad "
        "\\frac{\\partial D}{\\partial \\sigma_i} = \\sigma_i - \\frac{2}{\\sigma_i}.$$\n"))
    first = v[r"D := \mathrm{KL}(q \,\|\, p)"]
    assert first["status"] == "defined" and "cannot be evaluated" in first["scope"]
    assert v[formula]["status"] == "defined" and v[formula]["role"] == "definition"
    assert "cannot be evaluated" in v[formula]["scope"]
    assert v[r"\frac{\partial D}{\partial \mu_i} = \mu_i"]["status"] in ("verified", "proved")
    assert v[r"\frac{\partial D}{\partial \sigma_i} = \sigma_i - \frac{2}{\sigma_i}"]["status"] == "refuted"


def test_an_evaluable_definition_is_not_replaced(tmp_path):
    # D := a + b binds, so D = a - b is a claim about it (false), not a new definition
    v = _verdicts(tmp_path, "# X\n\nLet $D := a + b$. Then $D = a - b$.\n")
    assert v["D = a - b"]["status"] == "refuted"


def test_the_d_kl_spelling_is_the_same_divergence(tmp_path):
    # D_{KL}(p || q) is KL(p || q): the closed form with -1/2 is true
    claim = RIGHT.replace(r"\mathrm{KL}", r"D_{\mathrm{KL}}", 1)
    v = _verdicts(tmp_path, "# KL\n\nFor two univariate Gaussians,\n$$" + claim + ".$$\n")
    assert v[claim]["status"] == "verified"


def test_a_kl_of_named_distributions_is_undecided(tmp_path):
    # KL(p || q) of names the document does not give as Gaussians: nothing to evaluate
    v = _verdicts(tmp_path, "# KL\n\nFor any $p$ and $q$, $\\mathrm{KL}(p \\| q) = 0$.\n")
    c = v[r"\mathrm{KL}(p \| q) = 0"]
    assert c["status"] == "undecided" and "not modelled" in c["reason"]
