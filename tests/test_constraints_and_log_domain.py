"""Two readings that refuted correct work (found by tests/fixtures/redteam3/kl_discrete.md).

* An entry of a vector under a logarithm (``\\log w_i`` with ``w \\in R^n``) was drawn negative, so
  ``\\sum_i \\log(w_i^2) = 2 \\sum_i \\log w_i`` compared a real number with a complex one and was
  refuted.  A name under log or sqrt is drawn positive; for an entry, its vector is.
* A normalisation stated as a claim ("The weights are normalised: $\\sum_i a_i = 1$"), which the
  one-side rule leaves undecided (it may determine a), was not applied to later claims, so
  ``\\sum_i a_i x_i - \\bar x = \\sum_i a_i (x_i - \\bar x)`` (true exactly when the a_i sum to one)
  was refuted.  A later failure that reaches such a constrained name is undecided; without the
  normalisation the same identity is refuted.
"""

from __future__ import annotations

from derive.commands.check import check_paths

TRUE = ("proved", "verified")


def _check(tmp_path, text: str) -> dict[str, str]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return {c["latex"]: c["status"] for c in check_paths([str(doc)], progress=False)["claims"]}


def test_entries_under_a_log_are_drawn_positive(tmp_path):
    v = _check(tmp_path, "Let $\\mathbf{w} \\in \\mathbb{R}^n$.\n\n"
               "$$\\sum_{i=1}^{n} \\log(w_i^2) = 2\\sum_{i=1}^{n}\\log w_i$$\n\n"
               "$$\\sum_{i=1}^{n} \\log(w_i^2) = 3\\sum_{i=1}^{n}\\log w_i$$\n")
    assert v["\\sum_{i=1}^{n} \\log(w_i^2) = 2\\sum_{i=1}^{n}\\log w_i"] in TRUE
    assert v["\\sum_{i=1}^{n} \\log(w_i^2) = 3\\sum_{i=1}^{n}\\log w_i"] == "refuted"


SHIFT = "\\sum_{i=1}^{m} a_i x_i - \\bar{x} = \\sum_{i=1}^{m} a_i (x_i - \\bar{x})"
DECLARE = "Let $\\mathbf{a}, \\mathbf{x} \\in \\mathbb{R}^m$ and $\\bar{x} \\in \\mathbb{R}$."


def test_a_normalisation_stated_as_a_claim_constrains_later_claims(tmp_path):
    v = _check(tmp_path, DECLARE + " The weights are normalised: $\\sum_{i=1}^{m} a_i = 1$.\n\n"
               f"Hence ${SHIFT}$.\n")
    assert v[SHIFT] == "undecided"


def test_without_the_normalisation_the_shift_identity_is_refuted(tmp_path):
    v = _check(tmp_path, DECLARE + "\n\n" + f"Hence ${SHIFT}$.\n")
    assert v[SHIFT] == "refuted"


def test_a_claim_that_does_not_reach_the_constrained_name_is_still_refuted(tmp_path):
    v = _check(tmp_path, DECLARE + " The weights are normalised: $\\sum_{i=1}^{m} a_i = 1$.\n\n"
               "Also $\\bar{x} + \\bar{x} = 3\\bar{x}$.\n")
    assert v["\\bar{x} + \\bar{x} = 3\\bar{x}"] == "refuted"
