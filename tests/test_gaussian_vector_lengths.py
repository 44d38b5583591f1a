"""A Gaussian declared with a sized identity in its covariance is a vector of that length, whatever
its letter (a Greek noise vector is no scalar).  Expected verdicts from the mathematics."""

from __future__ import annotations

GOOD = ("proved", "verified")


def test_a_greek_noise_vector_takes_its_length_from_the_covariance(check_text):
    # y = B s + m + eta with s ~ N(0, I_r), eta ~ N(0, tau^2 I_q) independent:
    # E[y] = m, Cov(y) = B B^T + tau^2 I_q; a covariance without the noise term is wrong
    got = check_text("Let $s \\sim \\mathcal{N}(0, I_r)$ and $\\eta \\sim \\mathcal{N}(0, \\tau^2 I_q)$ be independent, "
                     "$B \\in \\mathbb{R}^{q \\times r}$, $m \\in \\mathbb{R}^q$, $\\tau > 0$ and $y = B s + m + \\eta$.\n\n"
                     "Then $\\mathbb{E}[y] = m$, $\\operatorname{Cov}(y) = B B^\\top + \\tau^2 I_q$ and, wrongly, "
                     "$\\operatorname{Cov}(y) = B B^\\top$.\n")
    assert got["\\mathbb{E}[y] = m"]["status"] in GOOD
    assert got["\\operatorname{Cov}(y) = B B^\\top + \\tau^2 I_q"]["status"] in GOOD
    assert got["\\operatorname{Cov}(y) = B B^\\top"]["status"] == "refuted"
