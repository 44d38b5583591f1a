"""Restatements and reasons get the claim role (issue 12).

A statement written as a condition ("for rho = 0.5", "listed with" one) that restates what the
document already fixed is a claim, judged against the earlier meaning; a fact given as a reason
("because m > 0", "since v^2 >= 0") is asserted, so it is judged too.  Neither may turn correct
work into a refutation: a condition that does not agree with the earlier meaning stays the
condition it reads as (a case), and a reason about names the document leaves free is never
refuted.  The expectations below are computed from the mathematics of each small document.
"""

from __future__ import annotations

from pathlib import Path

from derive.commands.check import check_paths

JUDGED_TRUE = ("proved", "verified")


def _claims(tmp_path: Path, text: str) -> list[dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return check_paths([str(doc)], progress=False)["claims"]


def _one(claims: list[dict], latex: str, line: int | None = None) -> dict:
    found = [c for c in claims if c["latex"] == latex and (line is None or c["line"] == line)]
    assert len(found) == 1, [(c["line"], c["latex"], c["status"]) for c in claims]
    return found[0]


def test_a_value_restated_as_a_condition_is_a_claim_verified_against_the_given_value(tmp_path):
    # rho = 0.5 is given; "For rho = 0.5" restates it (true), v_1 = rho v_0 = 0.5 * 4 = 2
    claims = _claims(tmp_path, "# Decay\n\nGiven the decay $\\rho = 0.5$ and the start $v_0 = 4$, the iterates "
                               "are $v_{k+1} = \\rho v_k$.\n\nFor $\\rho = 0.5$ the first iterate is $v_1 = 2$.\n")
    again = _one(claims, "\\rho = 0.5", line=5)
    assert again["role"] == "claim" and again["status"] in JUDGED_TRUE
    assert _one(claims, "v_1 = 2")["status"] in JUDGED_TRUE
    assert _one(claims, "\\rho = 0.5", line=3)["status"] == "defined"


def test_a_condition_with_another_value_is_a_case_never_refuted(tmp_path):
    # "For rho = 0.25 instead": a new case, not a wrong restatement of rho = 0.5
    claims = _claims(tmp_path, "# Decay\n\nGiven the decay $\\rho = 0.5$ and the start $v_0 = 4$, the iterates "
                               "are $v_{k+1} = \\rho v_k$.\n\nFor $\\rho = 0.25$ instead, the first iterate "
                               "would be smaller.\n")
    case = _one(claims, "\\rho = 0.25")
    assert case["status"] == "assumed" and case["role"] == "hypothesis"


def test_a_case_of_a_function_of_a_free_variable_stays_a_condition(tmp_path):
    # g(y) = 5 is a condition on y (y = ±2), not a restatement of g
    claims = _claims(tmp_path, "# A case\n\nLet $g(y) = y^2 + 1$.\nIf $g(y) = 5$, then $y^2 = 4$.\n")
    assert _one(claims, "g(y) = 5")["status"] == "assumed"
    assert all(c["status"] not in ("refuted", "inconsistent") for c in claims)


def test_an_assumption_repeated_as_a_condition_is_true_under_it(tmp_path):
    claims = _claims(tmp_path, "# Slope\n\nConsider $f(x) = x^3 - \\tau x$ and assume $\\tau = 3$ throughout.\n\n"
                               "Evaluating for $\\tau = 3$, the value at two is $f(2) = 2$.\n")
    assert _one(claims, "\\tau = 3", line=3)["status"] == "assumed"
    again = _one(claims, "\\tau = 3", line=5)
    assert again["role"] == "claim" and again["status"] == "verified"
    assert _one(claims, "f(2) = 2")["status"] in JUDGED_TRUE  # 8 - 3 * 2 = 2


def test_a_claim_repeated_after_for_takes_its_verdict(tmp_path):
    # h_j = 2 g_j = 6 j is derived on line 3; "similarly for h_j = 6j" repeats it
    text = ("# Costs\n\nLet $g_j = 3j$ and $h_j = 2 g_j$. Then $h_j = 6j$.\n\n"
            "Similarly for $h_j = 6j$ the cost is linear in $j$.\n")
    claims = _claims(tmp_path, text)
    assert _one(claims, "h_j = 6j", line=3)["status"] in JUDGED_TRUE
    again = _one(claims, "h_j = 6j", line=5)  # h_j is defined: judged against its definition
    assert again["role"] == "claim" and again["status"] in JUDGED_TRUE


def test_an_equation_repeated_after_for_takes_the_earlier_verdict(tmp_path):
    # 2 g_j = 6 j is derived on line 3 (no name on its left to judge against); line 5 repeats it
    text = ("# Costs\n\nLet $g_j = 3j$. Then $2 g_j = 6j$.\n\n"
            "Similarly for $2 g_j = 6j$ the cost is linear in $j$.\n")
    claims = _claims(tmp_path, text)
    assert _one(claims, "2 g_j = 6j", line=3)["status"] in JUDGED_TRUE
    again = _one(claims, "2 g_j = 6j", line=5)
    assert again["role"] == "claim" and again["status"] == "verified"


def test_a_wrong_formula_written_as_a_condition_is_not_refuted(tmp_path):
    # h_j = 5j disagrees with h_j = 6j: written after "for", it may be a case, so it stays assumed
    text = ("# Costs\n\nLet $g_j = 3j$ and $h_j = 2 g_j$. Then $h_j = 6j$.\n\n"
            "Similarly for $h_j = 5j$ the cost is linear in $j$.\n")
    claims = _claims(tmp_path, text)
    assert _one(claims, "h_j = 5j")["status"] == "assumed"


def test_a_true_reason_about_defined_names_is_verified(tmp_path):
    # m = 2^2 - 1 = 3 > 0
    claims = _claims(tmp_path, "# A reciprocal\n\nLet $\\gamma = 2$ and $m = \\gamma^2 - 1$.\n"
                               "The reciprocal $1/m$ is finite because $m > 0$.\n")
    reason = _one(claims, "m > 0")
    assert reason["role"] == "claim" and reason["status"] in JUDGED_TRUE


def test_a_false_reason_about_defined_names_is_refuted(tmp_path):
    # m = 3, so "because m < 0" is false for the document's values
    claims = _claims(tmp_path, "# A reciprocal\n\nLet $\\gamma = 2$ and $m = \\gamma^2 - 1$.\n"
                               "The reciprocal $1/m$ is negative because $m < 0$.\n")
    assert _one(claims, "m < 0")["status"] == "refuted"


def test_a_reason_about_a_free_variable(tmp_path):
    # v^2 >= 0 holds for every real v: verified; x^2 > x holds only for some x (the author may
    # know which): never refuted
    claims = _claims(tmp_path, "# Bounds\n\nThe quantity $q = v^2 + 1$ is at least one, since $v^2 \\ge 0$.\n\n"
                               "The cube is larger since $x^2 > x$.\n")
    assert _one(claims, "v^2 \\ge 0")["status"] in JUDGED_TRUE
    free = _one(claims, "x^2 > x")
    assert free["role"] == "claim" and free["status"] == "undecided"


def test_a_listed_second_reason_is_judged_too(tmp_path):
    # (a, b) = (1/3, 2/3): a is positive and a + b = 1
    claims = _claims(tmp_path, "# Weights\n\nLet $a = 1/3$ and $b = 2/3$.\n"
                               "They form a distribution because $a > 0$ and $a + b = 1$.\n")
    assert _one(claims, "a > 0")["status"] in JUDGED_TRUE
    second = _one(claims, "a + b = 1")
    assert second["role"] == "claim" and second["status"] in JUDGED_TRUE


def test_a_restated_given_value_that_conflicts_is_refuted(tmp_path):
    # eta is given as 0.1; "so the step size is 0.2" asserts another value
    claims = _claims(tmp_path, "# Steps\n\nLet $\\eta = 0.1$ be the step size and take $w_0 = 2$.\n\n"
                               "So the step size is $\\eta = 0.2$.\n")
    assert _one(claims, "\\eta = 0.2")["status"] == "refuted"
    assert _one(claims, "\\eta = 0.1")["status"] == "defined"


def test_a_fresh_definition_stays_a_definition(tmp_path):
    claims = _claims(tmp_path, "# Fresh\n\nLet $n_0 = 7$ and define $s = n_0^2 + 1$.\nThen $s = 50$.\n")
    assert _one(claims, "s = n_0^2 + 1")["status"] == "defined"
    assert _one(claims, "s = 50")["status"] in JUDGED_TRUE


def test_conditions_listed_together_with_new_values_stay_cases(tmp_path):
    # "If rho = 0.25 and v_0 = 8": a new case for both names (v_1 = 0.25 * 8 = 2 under it)
    claims = _claims(tmp_path, "# Decay\n\nGiven the decay $\\rho = 0.5$ and the start $v_0 = 4$, the iterates "
                               "are $v_{k+1} = \\rho v_k$.\n\nIf $\\rho = 0.25$ and $v_0 = 8$, the first iterate "
                               "is the same.\n")
    assert _one(claims, "\\rho = 0.25")["status"] == "assumed"
    assert _one(claims, "v_0 = 8")["status"] == "assumed"
    assert all(c["status"] not in ("refuted", "inconsistent") for c in claims)


def test_an_index_case_stated_again_stays_a_case(tmp_path):
    # "for j = 2" twice: the same case of an index, not a fact to judge
    claims = _claims(tmp_path, "# Cases\n\nLet $c_j = j^2$. For $j = 2$ we get $c_j = 4$.\n\n"
                               "Again for $j = 2$, $c_j + 1 = 5$.\n")
    assert [c["status"] for c in claims if c["latex"] == "j = 2"] == ["assumed", "assumed"]


def test_an_equation_given_as_a_reason_about_defined_names_is_judged(tmp_path):
    # A = B + B^T is symmetric: "since A^T = A" holds for the document's A
    bound = _claims(tmp_path, "# Symmetric part\n\nLet $B$ be a $3 \\times 3$ matrix and $A = B + B^\\top$.\n"
                              "Then $x^\\top A x = 2 x^\\top B x$ since $A^\\top = A$.\n")
    assert _one(bound, "A^\\top = A")["status"] in JUDGED_TRUE
