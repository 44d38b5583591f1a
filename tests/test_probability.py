"""The probability model of `derive check` (derive/claims/probability.py): random variables a
document declares with \\sim, and E / Var / Cov computed exactly from them.

Every expected verdict below was written from the mathematics before the checker ran:
true moments are verified (or proved), planted wrong ones refuted with a counterexample, and
what the model does not cover (a conditional expectation, a non-polynomial function of a
Gaussian, a moment beyond the degree bound, a 0/1 mask outside E[·], two members of one
family with different indices) is undecided with its reason, never refuted.
"""

from __future__ import annotations

import pytest

from derive.claims.latex_parser import parse, to_text
from derive.claims.probability import declaration, distribution
from derive.commands.check import check_paths
from derive.emit.tree_latex import math_latex

TRUE = ("proved", "verified")


def _check(tmp_path, text: str) -> dict[str, dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    claims = check_paths([str(doc)], progress=False)["claims"]
    return {c["latex"]: c for c in claims}


# --- parsing and printing -----------------------------------------------------------------------

@pytest.mark.parametrize("src, op, n_args, given", [
    (r"\mathbb{E}[m_i]", "E", 1, False),
    (r"\mathbb{E}\left[(y - u)^2\right]", "E", 1, False),
    (r"\mathbb{E}(x)", "E", 1, False),
    (r"\mathrm{E}[x]", "E", 1, False),
    (r"\mathbb{E}_{x \sim p}[f(x)]", "E", 1, False),
    (r"\operatorname{Var}[\tilde h_i]", "Var", 1, False),
    (r"\operatorname{Var}(x)", "Var", 1, False),
    (r"\mathbb{V}[x]", "Var", 1, False),
    (r"\mathrm{Var}[x]", "Var", 1, False),
    (r"\operatorname{Cov}[x, y]", "Cov", 2, False),
    (r"\mathbb{E}[\mathbf{x} \mid \mathbf{y}]", "E", 1, True),
    (r"\mathbb{E}[x | y]", "E", 1, True),
])
def test_moment_operators_parse(src, op, n_args, given):
    tree = parse(src)
    assert tree.kind == "expect" and tree.value == op
    assert len(tree.args[0]) == n_args
    assert (tree.args[1] is not None) == given
    printed = math_latex(src)
    assert printed is not None and to_text(parse(printed)) == to_text(tree)  # prints back to the same tree


def test_absolute_value_inside_an_expectation():
    tree = parse(r"\mathbb{E}[|x|]")
    assert tree.kind == "expect" and tree.args[0][0].kind == "abs" and tree.args[1] is None


def test_a_bare_E_is_still_a_name():
    assert parse("E x").kind == "mul"
    assert parse(r"\mathbb{E}").kind == "field"


@pytest.mark.parametrize("src, family", [
    (r"m_i \sim \operatorname{Bernoulli}(p)", "bernoulli"),
    (r"x \sim \mathcal{N}(\mu, s^2)", "normal"),
    (r"\boldsymbol\varepsilon \sim \mathcal{N}(\mathbf{0}, I_d)", "normal"),
    (r"u \sim \mathcal{U}(a, b)", "uniform"),
    (r"k \sim \operatorname{Poisson}(\lambda)", "poisson"),
])
def test_declarations(src, family):
    found = declaration(parse(src))
    assert found is not None and found[0][1].family == family
    assert r"\sim" in (math_latex(src) or "")


def test_sim_that_is_not_a_distribution_is_no_declaration():
    assert declaration(parse(r"f(n) \sim n^2")) is None
    assert distribution(parse(r"N(a, b)")) is None  # a plain N(a, b): a function the document may define


# --- whole documents ----------------------------------------------------------------------------

DROPOUT = r"""# Dropout

Let $0 < p < 1$ and draw independent masks $m_i \sim \operatorname{Bernoulli}(p)$; set
$$\tilde h_i = \frac{m_i h_i}{p}.$$

Then $$\mathbb{E}[m_i] = p$$ and $$\mathbb{E}[m_i^2] = p.$$
The mean is kept: $$\mathbb{E}[\tilde h_i] = h_i.$$
The second moment is $$\mathbb{E}[\tilde h_i^2] = \frac{h_i^2}{p}.$$
A wrong second moment: $$\mathbb{E}[\tilde h_i^2] = \frac{h_i^2}{p^2}.$$
The variance is $$\operatorname{Var}[\tilde h_i] = \frac{1 - p}{p} h_i^2.$$
For a target $y$, $$\mathbb{E}\left[(y - w\tilde h_i)^2\right] = (y - w h_i)^2 + \frac{1 - p}{p} w^2 h_i^2.$$
A wrong split: $$\mathbb{E}\left[(y - w\tilde h_i)^2\right] = (y - w h_i)^2.$$
"""


def test_dropout_moments(tmp_path):
    by = _check(tmp_path, DROPOUT)
    assert by[r"m_i \sim \operatorname{Bernoulli}(p)"]["status"] == "assumed"
    for true in (r"\mathbb{E}[m_i] = p", r"\mathbb{E}[m_i^2] = p", r"\mathbb{E}[\tilde h_i] = h_i",
                 r"\mathbb{E}[\tilde h_i^2] = \frac{h_i^2}{p}",
                 r"\operatorname{Var}[\tilde h_i] = \frac{1 - p}{p} h_i^2",
                 r"\mathbb{E}\left[(y - w\tilde h_i)^2\right] = (y - w h_i)^2 + \frac{1 - p}{p} w^2 h_i^2"):
        assert by[true]["status"] in TRUE, (true, by[true])
        assert "Bernoulli" in by[true]["scope"] and "independent" in by[true]["scope"]
    for false in (r"\mathbb{E}[\tilde h_i^2] = \frac{h_i^2}{p^2}",
                  r"\mathbb{E}\left[(y - w\tilde h_i)^2\right] = (y - w h_i)^2"):
        assert by[false]["status"] == "refuted", (false, by[false])
        assert by[false]["counterexample"]


GAUSSIAN = r"""# Gaussian moments

Let $s > 0$ and $x \sim \mathcal{N}(\mu, s^2)$, and independently $u \sim \mathcal{U}(a, b)$ with $a < b$.

Then $$\mathbb{E}[x^2] = \mu^2 + s^2$$ and $$\operatorname{Var}[x] = s^2$$ and
$$\mathbb{E}[x^3] = \mu^3 + 3\mu s^2$$ and $$\mathbb{E}[(x - \mu)^4] = 3 s^4.$$
A slip: $$\operatorname{Var}[x] = s.$$
The uniform: $$\mathbb{E}[u] = \frac{a + b}{2}$$ and $$\operatorname{Var}[u] = \frac{(b - a)^2}{12}.$$
Independent terms: $$\operatorname{Var}[2x - 3u] = 4 s^2 + \frac{3 (b - a)^2}{4}$$ and
$$\operatorname{Cov}[x, u] = 0$$ and $$\mathbb{E}[x u] = \mu \frac{a + b}{2}.$$
A slip: $$\operatorname{Var}[x + u] = s^2.$$
"""


def test_gaussian_and_uniform_moments(tmp_path):
    by = _check(tmp_path, GAUSSIAN)
    for true in (r"\mathbb{E}[x^2] = \mu^2 + s^2", r"\operatorname{Var}[x] = s^2",
                 r"\mathbb{E}[x^3] = \mu^3 + 3\mu s^2", r"\mathbb{E}[(x - \mu)^4] = 3 s^4",
                 r"\mathbb{E}[u] = \frac{a + b}{2}", r"\operatorname{Var}[u] = \frac{(b - a)^2}{12}",
                 r"\operatorname{Var}[2x - 3u] = 4 s^2 + \frac{3 (b - a)^2}{4}", r"\operatorname{Cov}[x, u] = 0",
                 r"\mathbb{E}[x u] = \mu \frac{a + b}{2}"):
        assert by[true]["status"] in TRUE, (true, by[true])
    for false in (r"\operatorname{Var}[x] = s", r"\operatorname{Var}[x + u] = s^2"):
        assert by[false]["status"] == "refuted", (false, by[false])


REPARAM = r"""# Reparameterisation

Let $\boldsymbol\mu \in \mathbb{R}^d$ and $\boldsymbol\sigma \in \mathbb{R}^d$ with every $\sigma_i > 0$.
Sample $\boldsymbol\varepsilon \sim \mathcal{N}(\mathbf{0}, I_d)$ and set
$$\mathbf{z} = \boldsymbol\mu + \boldsymbol\sigma \odot \boldsymbol\varepsilon.$$
Its moments are $\mathbb{E}[z_i] = \mu_i$ and $\operatorname{Var}[z_i] = \sigma_i^2$, not $\operatorname{Var}[z_i] = \sigma_i$.
"""


def test_reparameterisation(tmp_path):
    by = _check(tmp_path, REPARAM)
    assert by[r"\mathbb{E}[z_i] = \mu_i"]["status"] in TRUE
    assert by[r"\operatorname{Var}[z_i] = \sigma_i^2"]["status"] in TRUE
    wrong = by[r"\operatorname{Var}[z_i] = \sigma_i"]
    assert wrong["status"] == "refuted" and wrong["counterexample"]


POISSON = r"""# Counts

Let $\lambda > 0$ and $k \sim \operatorname{Poisson}(\lambda)$.
Then $$\mathbb{E}[k^2] = \lambda^2 + \lambda$$ and $$\operatorname{Var}[k] = \lambda$$, but not $$\operatorname{Var}[k] = \lambda^2.$$
"""


def test_poisson(tmp_path):
    by = _check(tmp_path, POISSON)
    assert by[r"\mathbb{E}[k^2] = \lambda^2 + \lambda"]["status"] in TRUE
    assert by[r"\operatorname{Var}[k] = \lambda"]["status"] in TRUE
    assert by[r"\operatorname{Var}[k] = \lambda^2"]["status"] == "refuted"


LIMITS = r"""# What is not modelled

Let $x \sim \mathcal{N}(0, 1)$ and $y \sim \mathcal{N}(0, 1)$, and masks $m_i \sim \operatorname{Bernoulli}(p)$ with $0 < p < 1$.

A conditional mean: $$\mathbb{E}[x \mid y] = 0.$$
A log-normal mean: $$\mathbb{E}[e^{x}] = e^{1/2}.$$
A high moment: $$\mathbb{E}[x^{18}] = 17 \cdot 15 \cdot 13 \cdot 11 \cdot 9 \cdot 7 \cdot 5 \cdot 3.$$
A mask outside E: $$m_i (1 - m_i) = 0.$$
Two masks: $$\mathbb{E}[m_i m_j] = p^2.$$
A subscript distribution: $$\mathbb{E}_{q}[x] = 0.$$
"""


def test_what_is_not_modelled_is_undecided_with_its_reason(tmp_path):
    by = _check(tmp_path, LIMITS)
    expected = {
        r"\mathbb{E}[x \mid y] = 0": "conditional",
        r"\mathbb{E}[e^{x}] = e^{1/2}": "non-polynomial",
        r"\mathbb{E}[x^{18}] = 17 \cdot 15 \cdot 13 \cdot 11 \cdot 9 \cdot 7 \cdot 5 \cdot 3": "degree",
        r"m_i (1 - m_i) = 0": "outside E",
        r"\mathbb{E}[m_i m_j] = p^2": "different symbolic indices",
        r"\mathbb{E}_{q}[x] = 0": "subscript",
    }
    for latex, why in expected.items():
        c = by[latex]
        assert c["status"] == "undecided", (latex, c)
        assert why in (c["reason"] or ""), (latex, c["reason"])


def test_expectations_without_declarations_stay_undecided(tmp_path):
    by = _check(tmp_path, "Then $$\\mathbb{E}[x^2] = \\mu^2$$\n")
    c = by[r"\mathbb{E}[x^2] = \mu^2"]
    assert c["status"] == "undecided" and "declare" in c["reason"]


def test_an_expectation_that_reaches_no_declared_variable_is_not_judged(tmp_path):
    # conservative: randomness the model cannot see (prose, an undeclared name) must not make E[X] = X
    by = _check(tmp_path, DROPOUT + "\nFor a fixed target, $$\\mathbb{E}[y^2] = y^2.$$\n")
    c = by[r"\mathbb{E}[y^2] = y^2"]
    assert c["status"] == "undecided" and "no declared random variable" in c["reason"]


def test_a_distribution_in_the_subscript(tmp_path):
    by = _check(tmp_path, "Then $$\\mathbb{E}_{x \\sim \\mathcal{N}(0, 1)}[x^4] = 3$$ and "
                          "$$\\mathbb{E}_{k \\sim \\operatorname{Poisson}(2)}[k] = 2.$$\n")
    assert by[r"\mathbb{E}_{x \sim \mathcal{N}(0, 1)}[x^4] = 3"]["status"] in TRUE
    assert by[r"\mathbb{E}_{k \sim \operatorname{Poisson}(2)}[k] = 2"]["status"] in TRUE


DROPOUT_VECTOR = r"""# Dropout read-out

Let $\mathbf{h} \in \mathbb{R}^n$, $\mathbf{w} \in \mathbb{R}^n$ and $0 < p < 1$. Draw independent masks
$m_i \sim \operatorname{Bernoulli}(p)$ and set
$$\tilde h_i = \frac{m_i h_i}{p} \quad \text{for } i = 1, \dots, n.$$

Feed them to $u = \mathbf{w}^\top \tilde{\mathbf{h}}$. Then
$$\mathbb{E}[u] = \mathbf{w}^\top\mathbf{h}$$
and the variances add,
$$\operatorname{Var}[u] = \frac{1 - p}{p}\sum_{i=1}^n w_i^2 h_i^2,$$
so $$\mathbb{E}[u^2] = (\mathbf{w}^\top\mathbf{h})^2 + \frac{1 - p}{p}\sum_{i=1}^n w_i^2 h_i^2.$$
Wrong: $$\mathbb{E}[u] = p\,\mathbf{w}^\top\mathbf{h}$$ and
$$\operatorname{Var}[u] = \frac{1 - p}{p}\left(\sum_{i=1}^n w_i h_i\right)^2.$$
"""


def test_dropout_read_out_through_a_vector_defined_by_its_entries(tmp_path):
    by = _check(tmp_path, DROPOUT_VECTOR)
    for true in (r"\mathbb{E}[u] = \mathbf{w}^\top\mathbf{h}",
                 r"\operatorname{Var}[u] = \frac{1 - p}{p}\sum_{i=1}^n w_i^2 h_i^2",
                 r"\mathbb{E}[u^2] = (\mathbf{w}^\top\mathbf{h})^2 + \frac{1 - p}{p}\sum_{i=1}^n w_i^2 h_i^2"):
        assert by[true]["status"] in TRUE, (true, by[true])
    for false in (r"\mathbb{E}[u] = p\,\mathbf{w}^\top\mathbf{h}",
                  r"\operatorname{Var}[u] = \frac{1 - p}{p}\left(\sum_{i=1}^n w_i h_i\right)^2"):
        assert by[false]["status"] == "refuted", (false, by[false])
    # the random vector outside E[·] is not judged
    by = _check(tmp_path, DROPOUT_VECTOR + "\nThen $$\\mathbf{w}^\\top\\tilde{\\mathbf{h}} = u.$$\n")
    c = by[r"\mathbf{w}^\top\tilde{\mathbf{h}} = u"]
    assert c["status"] == "undecided" and "outside E" in c["reason"], c


def test_inequalities_between_moments_and_an_ambiguous_scale_are_undecided(tmp_path):
    by = _check(tmp_path, "Let $x \\sim \\mathcal{N}(\\mu, v)$ and $y \\sim \\mathcal{N}(0, \\sigma)$.\n\n"
                          "Then $$\\operatorname{Var}[x] \\ge 0$$ and "
                          "$$\\operatorname{Var}[2y] = 4\\operatorname{Var}[y].$$\n")
    c = by[r"\operatorname{Var}[x] \ge 0"]
    assert c["status"] == "undecided" and "inequality between moments" in c["reason"]
    c = by[r"\operatorname{Var}[2y] = 4\operatorname{Var}[y]"]
    assert c["status"] == "undecided" and "standard deviation" in c["reason"]


def test_the_usual_spelling_with_sigma_squared(tmp_path):
    by = _check(tmp_path, "Let $\\sigma > 0$ and $x \\sim \\mathcal{N}(\\mu, \\sigma^2)$.\n\n"
                          "Then $$\\operatorname{Var}[x] = \\sigma^2$$ and $$\\mathbb{E}[x^2] = \\mu^2 + \\sigma^2$$ "
                          "but not $$\\operatorname{Var}[x] = \\sigma.$$\n")
    assert by[r"\operatorname{Var}[x] = \sigma^2"]["status"] in TRUE
    assert by[r"\mathbb{E}[x^2] = \mu^2 + \sigma^2"]["status"] in TRUE
    assert by[r"\operatorname{Var}[x] = \sigma"]["status"] == "refuted"
