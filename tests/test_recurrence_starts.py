"""A recurrence's start written before its rule, and claims about a recurrence whose start the
document does not give.

Documents in their own notation; expected verdicts from the mathematics in the comments."""

from __future__ import annotations

GOOD = ("proved", "verified")


def test_a_start_written_before_its_rule_is_the_rules_initial_value(check_text):
    # r_0 = 0, r_k = a r_{k-1} + (1 - a) u_k: r_1 = (1 - a) u_1 and r_2 = (1-a)(a u_1 + u_2);
    # r_1 = u_1 holds only for a = 0 (a is in (0, 1))
    got = check_text("Let $0 < a < 1$. The running average is\n"
                     "$$r_0 = 0, \\qquad r_k = a r_{k-1} + (1 - a) u_k.$$\n"
                     "So $r_1 = (1 - a) u_1$ and $r_2 = (1 - a)(a u_1 + u_2)$, not $r_1 = u_1$.\n")
    assert got["r_0 = 0"]["role"] == "definition"
    assert got["r_1 = (1 - a) u_1"]["status"] in GOOD
    assert got["r_2 = (1 - a)(a u_1 + u_2)"]["status"] in GOOD
    assert got["r_1 = u_1"]["status"] == "refuted"


def test_a_start_in_its_own_display_before_the_rule(check_text):
    # q_1 = 1, q_{n+1} = 2 q_n + 1 gives q_n = 2^n - 1 (q_2 = 3, q_3 = 7), not 2^n
    got = check_text("The sequence starts at\n$$q_1 = 1$$\nand grows by\n$$q_{n+1} = 2 q_n + 1.$$\n"
                     "Hence $q_n = 2^n - 1$ for $n \\ge 1$, while $q_n = 2^n$ is wrong.\n")
    assert got["q_1 = 1"]["role"] == "definition"
    assert got["q_n = 2^n - 1"]["status"] in GOOD
    assert got["q_n = 2^n"]["status"] == "refuted"


def test_a_claim_that_needs_a_start_the_document_omits_is_not_refuted(check_text):
    # h_k = c h_{k-1} + (1 - c) x_k with h_0 unstated: h_1 = (1 - c) x_1 holds exactly when h_0 = 0, so
    # it is undecided (the readings disagree); h_1 = (1 + c) x_1 fails for h_0 = 0 and for a random h_0
    got = check_text("Let $0 < c < 1$. The filter is\n$$h_k = c h_{k-1} + (1 - c) x_k.$$\n"
                     "So $h_1 = (1 - c) x_1$, while $h_1 = (1 + c) x_1$ is wrong.\n")
    kept = got["h_1 = (1 - c) x_1"]
    assert kept["status"] == "undecided" and "h_0" in kept["reason"], kept
    assert got["h_1 = (1 + c) x_1"]["status"] == "refuted"


def test_members_given_one_by_one_are_each_defined(check_text):
    # layers written as numbered members: u^{(2)} = V^{(2)} g^{(1)} defines u^{(2)}, it does not restate
    # u^{(1)}; then dE/dV^{(2)} = e^{(2)} (g^{(1)})^T with e^{(2)} = u^{(2)} - t, and twice that is wrong
    got = check_text("Let $\\mathbf{v} \\in \\mathbb{R}^p$, $V^{(1)} \\in \\mathbb{R}^{q \\times p}$, "
                     "$V^{(2)} \\in \\mathbb{R}^{r \\times q}$ and $\\mathbf{t} \\in \\mathbb{R}^r$.\n"
                     "$$\\mathbf{u}^{(1)} = V^{(1)} \\mathbf{v}, \\quad \\mathbf{g}^{(1)} = \\tanh(\\mathbf{u}^{(1)}), "
                     "\\quad \\mathbf{u}^{(2)} = V^{(2)} \\mathbf{g}^{(1)}.$$\n"
                     "The error is $E = \\frac{1}{2} \\|\\mathbf{u}^{(2)} - \\mathbf{t}\\|^2$ and "
                     "$\\mathbf{e}^{(2)} = \\mathbf{u}^{(2)} - \\mathbf{t}$.\n\n"
                     "$$\\frac{\\partial E}{\\partial V^{(2)}} = \\mathbf{e}^{(2)} (\\mathbf{g}^{(1)})^\\top$$\n\n"
                     "$$\\frac{\\partial E}{\\partial V^{(2)}} = 2 \\mathbf{e}^{(2)} (\\mathbf{g}^{(1)})^\\top$$\n")
    second = got["\\mathbf{u}^{(2)} = V^{(2)} \\mathbf{g}^{(1)}"]
    assert second["role"] == "definition", second
    assert got["\\frac{\\partial E}{\\partial V^{(2)}} = \\mathbf{e}^{(2)} (\\mathbf{g}^{(1)})^\\top"]["status"] in GOOD
    assert got["\\frac{\\partial E}{\\partial V^{(2)}} = 2 \\mathbf{e}^{(2)} (\\mathbf{g}^{(1)})^\\top"]["status"] == "refuted"


def test_a_condition_listed_with_a_declaration_is_assumed(check_text):
    # "with $Q \in R^{p x q}$, $Q^T Q = I$": orthonormal columns are assumed of Q, not claimed of any Q
    got = check_text("Let $M \\in \\mathbb{R}^{p \\times q}$ and factor it as $M = Q R$ with "
                     "$Q \\in \\mathbb{R}^{p \\times q}$, $Q^\\top Q = I$ and $R$ upper triangular.\n\n"
                     "Then $M^\\top M = R^\\top R$.\n")
    cond = got["Q^\\top Q = I"]
    assert cond["role"] == "hypothesis" and cond["status"] == "assumed", cond


def test_a_standard_formula_listed_after_a_declaration_is_still_checked(check_text):
    # "Let z \in R^n and sigma(t) = 1/(1 + e^{-t})": the logistic's formula is checked (true), not
    # assumed, so a wrong derivative sigma' = sigma(1 + sigma) is refuted (sigma' = sigma(1 - sigma))
    got = check_text("Let $z \\in \\mathbb{R}^n$ and $\\sigma(t) = 1/(1 + e^{-t})$.\n\n"
                     "Then $\\sigma'(t) = \\sigma(t)(1 + \\sigma(t))$.\n")
    assert got["\\sigma(t) = 1/(1 + e^{-t})"]["status"] in GOOD
    assert got["\\sigma'(t) = \\sigma(t)(1 + \\sigma(t))"]["status"] == "refuted"
