"""Values the prose gives in a worked case: a variance named in words, and extreme eigenvalues of
a matrix the case writes as numbers.

* named_variances.py: "has prior $\\mathcal{N}(\\mathbf{a}, Q)$", "the sensor error $\\mathbf{e} \\sim
  \\mathcal{N}(\\mathbf{0}, W)$", then "Let $d = 1$, prior variance $s > 0$ and sensor variance
  $w > 0$": Q = s and W = w in that part.  With G = Q (Q + W)^{-1}: G = s/(s + w), 1 - G = w/(s + w)
  (by hand); G = w/(s + w) is wrong whenever s != w.
* structure_reach.extreme_eigenvalues: "$A$ with extreme eigenvalues $\\mu_{\\min}$ and $\\mu_{\\max}$", then
  "Suppose $A = [[2, 1], [1, 2]]$": eigenvalues 1 and 3 (trace 4, determinant 3), so
  2/(mu_min + mu_max) = 0.5 and mu_max/mu_min = 3; 0.4 and 2 are wrong.
"""

from __future__ import annotations

from derive.commands.check import check_paths

TRUE = ("proved", "verified")

FUSION = r"""# Fusing a measurement

An unknown $\mathbf{z} \in \mathbb{R}^d$ has prior $\mathcal{N}(\mathbf{a}, Q)$ with $Q$ symmetric positive definite, and the sensor error $\mathbf{e} \sim \mathcal{N}(\mathbf{0}, W)$ is independent of it, with $W$ symmetric positive definite. The fused estimate uses the weight
$$G = Q(Q + W)^{-1}.$$

## Scalars

Let $d = 1$, prior variance $s > 0$ and sensor variance $w > 0$. Then $G = \frac{s}{s + w}$ and $1 - G = \frac{w}{s + w}$, while $G = \frac{w}{s + w}$ is a slip.

## Back to matrices

For general $d$, $G Q = Q G$.
"""

SPECTRUM = r"""# Step sizes

Let $A = \frac{1}{m} Z^\top Z$ with extreme eigenvalues $\mu_{\min}$ and $\mu_{\max}$, and set $\alpha = \frac{2}{\mu_{\min} + \mu_{\max}}$ and $q = \mu_{\max} / \mu_{\min}$.

## Example

Suppose $A = \begin{pmatrix} 2 & 1 \\ 1 & 2 \end{pmatrix}$. Then $\alpha = 0.5$ and $q = 3$, not $\alpha = 0.4$ and not $q = 2$.
"""

NO_CASE = r"""# No case

Let $A = \frac{1}{m} Z^\top Z$ with extreme eigenvalues $\mu_{\min}$ and $\mu_{\max}$, and set $\alpha = \frac{2}{\mu_{\min} + \mu_{\max}}$.
Then $\alpha = 0.5$.
"""


def _check(tmp_path, text: str) -> dict[str, dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return {c["latex"]: c for c in check_paths([str(doc)], progress=False)["claims"]}


def test_a_variance_named_in_words_is_the_covariance_it_names(tmp_path):
    got = _check(tmp_path, FUSION)
    assert got[r"G = \frac{s}{s + w}"]["status"] in TRUE
    assert got[r"1 - G = \frac{w}{s + w}"]["status"] in TRUE
    assert got[r"G = \frac{w}{s + w}"]["status"] == "refuted"
    # the case holds in its sentence only: for matrices Q (Q + W)^{-1} Q != Q Q (Q + W)^{-1} in general
    assert got["G Q = Q G"]["status"] == "refuted"


def test_extreme_eigenvalues_of_a_matrix_given_as_numbers(tmp_path):
    got = _check(tmp_path, SPECTRUM)
    assert got[r"\alpha = 0.5"]["status"] in TRUE
    assert got["q = 3"]["status"] in TRUE
    assert got[r"\alpha = 0.4"]["status"] == "refuted"
    assert got["q = 2"]["status"] == "refuted"


def test_without_numbers_the_eigenvalues_stay_unknown(tmp_path):
    got = _check(tmp_path, NO_CASE)
    assert got[r"\alpha = 0.5"]["status"] == "undecided"  # nothing gives the eigenvalues a value


SPECTRA = r"""# Spectra

Let $B \in \mathbb{R}^{m \times d}$ with $m > d$ and $M = \frac{1}{m} B^\top B$, with extreme eigenvalues $\nu_{\min}$ and $\nu_{\max}$. Let $\gamma > 0$.

The average eigenvalue lies between them: $\nu_{\min} \le \frac{\operatorname{tr}(M)}{d} \le \nu_{\max}$, but not $\nu_{\max} = \operatorname{tr}(M)$.
For every eigenvalue $\nu$ of $M$, $\max_j |1 - \gamma\nu_j| = \max(|1 - \gamma\nu_{\min}|, |1 - \gamma\nu_{\max}|)$.
"""


def test_eigenvalues_named_of_a_defined_matrix_are_computed_from_it(tmp_path):
    # M = B^T B / m is positive definite for m > d (full rank almost surely): its eigenvalues are
    # positive, their mean tr(M)/d lies between the extremes, and tr(M) (their sum, d >= 2 of them)
    # exceeds the largest; |1 - γν| is convex in ν, so its max over the spectrum is at an end.
    got = _check(tmp_path, SPECTRA)
    assert got[r"\nu_{\min} \le \frac{\operatorname{tr}(M)}{d} \le \nu_{\max}"]["status"] in TRUE
    assert got[r"\nu_{\max} = \operatorname{tr}(M)"]["status"] == "refuted"
    assert got[r"\max_j |1 - \gamma\nu_j| = \max(|1 - \gamma\nu_{\min}|, |1 - \gamma\nu_{\max}|)"]["status"] in TRUE


STABLE = r"""# Stable steps

Let $A = \frac{1}{m} Z^\top Z$ with extreme eigenvalues $\mu_{\min}$ and $\mu_{\max}$. The iteration is stable exactly when
$$0 < \gamma < \frac{2}{\mu_{\max}}.$$

## Example

Suppose $A = \begin{pmatrix} 2 & 1 \\ 1 & 2 \end{pmatrix}$. Then the stable steps are
$$0 < \gamma < \frac{2}{3}.$$

## Another example

Suppose $A = \operatorname{diag}(5, 1)$. Then the stable steps are
$$0 < \gamma < 2.$$
"""


def test_a_solution_set_with_the_extreme_eigenvalue_of_the_example(tmp_path):
    # [[2, 1], [1, 2]] has eigenvalues 1 and 3: 0 < γ < 2/3; diag(5, 1): 0 < γ < 2/5, not 2
    got = _check(tmp_path, STABLE)
    assert got[r"0 < \gamma < \frac{2}{3}"]["status"] == "proved"
    assert got[r"0 < \gamma < 2"]["status"] not in TRUE
