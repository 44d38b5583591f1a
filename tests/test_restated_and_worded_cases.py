"""Five readings that refuted correct work (found by tests/test_redteam_three.py), in other letters.

* A recurrence whose rule uses a function the document never defines is drawn as an arbitrary
  sequence: a relation between its members is then no refutation.
* A special case written in words ("for uniform scores", a sentence opened by "where") is a
  condition sampling cannot honour: a failure under it is undecided.
* "let $e$ be a unit vector": the norm fixed to one is not sampled, so a failure that reaches e is
  undecided (without the words, the same identity is false and refuted).
* A function written again at its own arguments with a new formula, introduced by prose of its own
  (a new case of a worked example), may be a new function under the old name; "hence f(x) = ..." is
  still a claim about the same function.
* An equation after "setting the gradient to zero gives" holds at the stationary point only.
Expectations come from the mathematics, e.g. ||a - (e^T a) e||^2 = ||a||^2 - 2(e^T a)^2 + (e^T a)^2 ||e||^2,
which equals ||a||^2 - (e^T a)^2 exactly when ||e|| = 1 (or e^T a = 0).
"""

from __future__ import annotations

from derive.commands.check import check_paths

TRUE = ("proved", "verified")


def _check(tmp_path, text: str) -> dict[str, str]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return {c["latex"]: c["status"] for c in check_paths([str(doc)], progress=False)["claims"]}


def test_members_of_a_recurrence_with_an_unknown_function_are_not_refuted(tmp_path):
    v = _check(tmp_path, "Let $s > 0$ be a step size. Gradient descent on $\\Phi$ runs\n"
               "$$\\mathbf{z}_{n+1} = \\mathbf{z}_n - s\\,\\nabla \\Phi(\\mathbf{z}_n).$$\n"
               "For the bowl the gradient is the point itself, and the iterates contract: "
               "$\\mathbf{z}_n = (1 - s)^n \\mathbf{z}_0$.\n\n"
               "A readable rule for comparison: $u_{n+1} = \\rho u_n$ with $u_0 = 1$.\n\n"
               "Its closed form is $u_n = \\rho^n$, not $u_n = \\rho^{n+1}$.\n")
    assert v["\\mathbf{z}_n = (1 - s)^n \\mathbf{z}_0"] == "undecided"
    assert v["u_n = \\rho^n"] in TRUE
    assert v["u_n = \\rho^{n+1}"] == "refuted"


def test_a_special_case_in_words_is_a_condition(tmp_path):
    v = _check(tmp_path, "Let $\\mathbf{a} \\in \\mathbb{R}^M$ be scores with weights $q_j = \\frac{e^{a_j}}{\\sum_{k=1}^{M} e^{a_k}}$.\n\n"
               "For uniform scores, $q_j = \\frac{1}{M}$.\n\n"
               "The weights sum to one: $\\sum_{j=1}^{M} q_j = 1$.\n\n"
               "In general the weights are equal, $q_j = \\frac{1}{M}$ always.\n")
    statuses = [c for c in _claims_list(tmp_path) if c["latex"] == "q_j = \\frac{1}{M}"]
    assert [c["status"] for c in statuses] == ["undecided", "refuted"]
    assert v["\\sum_{j=1}^{M} q_j = 1"] in TRUE


def test_a_sentence_opened_by_where_states_a_case(tmp_path):
    v = _check(tmp_path, "Let $\\mathbf{a} \\in \\mathbb{R}^M$ be scores with weights $q_j = \\frac{e^{a_j}}{\\sum_{k=1}^{M} e^{a_k}}$.\n\n"
               "Where all scores coincide the weights are equal: $q_j = \\frac{1}{M}$.\n")
    assert v["q_j = \\frac{1}{M}"] == "undecided"


def _claims_list(tmp_path):
    return check_paths([str(tmp_path / "doc.md")], progress=False)["claims"]


RESIDUAL = "$$\\|\\mathbf{a} - (\\mathbf{e}^\\top\\mathbf{a})\\,\\mathbf{e}\\|^2 = \\|\\mathbf{a}\\|^2 - (\\mathbf{e}^\\top\\mathbf{a})^2$$\n"
RESIDUAL_KEY = "\\|\\mathbf{a} - (\\mathbf{e}^\\top\\mathbf{a})\\,\\mathbf{e}\\|^2 = \\|\\mathbf{a}\\|^2 - (\\mathbf{e}^\\top\\mathbf{a})^2"


def test_a_unit_vector_stated_in_words_is_not_sampled_as_any_vector(tmp_path):
    v = _check(tmp_path, "Let $\\mathbf{a} \\in \\mathbb{R}^m$ and let $\\mathbf{e}$ be a unit vector.\n" + RESIDUAL)
    assert v[RESIDUAL_KEY] == "undecided"
    wrong = RESIDUAL.replace("\\|^2 - (", "\\|^2 + (")
    v = _check(tmp_path, "Let $\\mathbf{a} \\in \\mathbb{R}^m$ and let $\\mathbf{e}$ be a unit vector.\n" + wrong)
    assert all(s not in TRUE for s in v.values())


def test_without_the_unit_vector_the_residual_identity_is_refuted(tmp_path):
    v = _check(tmp_path, "Let $\\mathbf{a}, \\mathbf{e} \\in \\mathbb{R}^m$.\n" + RESIDUAL)
    assert v[RESIDUAL_KEY] == "refuted"


def test_a_function_given_a_new_formula_in_a_new_case_is_not_refuted(tmp_path):
    v = _check(tmp_path, "**Case one.** Take $g(s) = s^2$. Its slope is $g'(s) = 2s$.\n\n"
               "**Case two.** The sine: $g(s) = \\sin s$ and $g'(s) = \\cos s$.\n")
    assert v["g'(s) = 2s"] in TRUE
    assert v["g(s) = \\sin s"] == "undecided"
    assert v["g'(s) = \\cos s"] == "undecided"


def test_a_function_restated_as_a_consequence_is_still_refuted(tmp_path):
    v = _check(tmp_path, "Take $g(s) = s^2$. Hence $g(s) = s^2 + 1$.\n")
    assert v["g(s) = s^2 + 1"] == "refuted"


STATIONARY = ("Let $A \\in \\mathbb{R}^{m\\times k}$ have full column rank, $\\mathbf{b} \\in \\mathbb{R}^m$ and "
              "$\\mathbf{x} \\in \\mathbb{R}^k$, and let $F(\\mathbf{x}) = \\|A\\mathbf{x} - \\mathbf{b}\\|^2$.\n\n")


def test_an_equation_after_setting_the_gradient_to_zero_holds_at_the_stationary_point(tmp_path):
    # A^T A x = A^T b is the stationarity condition of F, false for most x: not refuted after
    # "setting the gradient to zero gives", refuted where it is asserted for every x
    doc = tmp_path / "doc.md"
    doc.write_text(STATIONARY + "Setting the gradient to zero gives $A^\\top A\\mathbf{x} = A^\\top\\mathbf{b}$.\n\n"
                   "We also have $A^\\top A\\mathbf{x} = A^\\top\\mathbf{b}$ for every $\\mathbf{x}$.\n", encoding="utf-8")
    got = [c["status"] for c in check_paths([str(doc)], progress=False)["claims"]
           if c["latex"] == "A^\\top A\\mathbf{x} = A^\\top\\mathbf{b}"]
    assert got == ["undecided", "refuted"]
