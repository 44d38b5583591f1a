"""Red team for false refutations: probability, statistics, optimisation and sequences.

The documents in tests/fixtures/redteam2/ are correct derivations written like a student's or an
instructor's notes (Gaussian MLE, ELBO and Gaussian KL, logistic log-likelihood, heavy-ball /
Nesterov / Adam by hand, gradient descent on a quadratic, discounted returns and a 2-state
Bellman equation, EMAs, log-sum-exp, Jensen).  Every statement in them was checked by hand and
by an independent numpy script before the checker ran, so none may be refuted.  slips.md holds
deliberately wrong variants (a sign slip, a missing factor, a missing discount, a wrong
coefficient) that must be refuted.

Three readings found wrong by these documents are pinned here, each with small documents in
other letters:
  * f'(u), \\ell''(p) of a function the document defines were read as the function itself
    (the prime was dropped): they are now its first and second derivatives;
  * a claim after "If every reward equals $1$, then" was sampled without that worded
    condition and refuted: a failure under an unread worded if-clause is undecided;
  * a sequence's rule stated again with no step word ("Nesterov evaluates the gradient at the
    look-ahead point: $v_{t+1} = ...$") was judged against the earlier (heavy-ball) rule, and so
    were the numbers computed from it: from there on a failure that reaches that sequence is
    undecided.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.commands.check import check_paths

FIXTURES = Path(__file__).parent / "fixtures" / "redteam2"
CORRECT = sorted(p for p in FIXTURES.glob("*.md") if p.name != "slips.md")
TRUE = ("proved", "verified")


def _claims(paths: list[str]) -> list[dict]:
    return check_paths(paths, progress=False)["claims"]


def _check(tmp_path, text: str) -> dict[str, dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return {c["latex"]: c for c in _claims([str(doc)])}


@pytest.fixture(scope="module")
def correct_results() -> dict[tuple[str, int, str], dict]:
    claims = _claims([str(p) for p in CORRECT])
    return {(Path(c["file"]).name, c["line"], c["latex"]): c for c in claims}


def test_no_statement_of_the_correct_documents_is_refuted(correct_results):
    refuted = [f"{k[0]}:{k[1]} {k[2]} -> {c.get('reason') or c.get('scope')}"
               for k, c in correct_results.items() if c["status"] == "refuted"]
    assert not refuted, "\n".join(refuted)


@pytest.mark.parametrize("doc, line, latex", [
    ("problem_set_mle_gd.md", 7, r"\ell'(p) = \frac{k}{p} - \frac{n-k}{1-p}"),
    ("problem_set_mle_gd.md", 9, r"\ell''(p) = -\frac{k}{p^2} - \frac{n-k}{(1-p)^2}"),
    ("problem_set_mle_gd.md", 21, r"p_t = 3 - 3 \cdot 0.5^t"),
    ("logistic_loglik.md", 3, r"\sigma'(t) = \sigma(t)(1 - \sigma(t))"),
    ("momentum_nesterov_adam.md", 9,
     r"\theta_2 = \theta_0 - \eta g_0 - \eta(\beta g_0 + g_1) = \theta_0 - \eta(1 + \beta) g_0 - \eta g_1"),
    ("ema_lse_jensen.md", 5, r"\mu_t = (1 - \beta)\sum_{i=1}^{t} \beta^{t-i} x_i"),
])
def test_correct_statements_are_verified(correct_results, doc, line, latex):
    assert correct_results[(doc, line, latex)]["status"] in TRUE


def test_worded_condition_keeps_the_constant_reward_return_from_being_refuted(correct_results):
    c = correct_results[("returns_bellman.md", 7, r"G_t = \frac{1}{1-\gamma}")]
    assert c["status"] == "undecided" and "in words" in c["reason"]


def test_a_moment_under_a_worded_condition_is_not_refuted(correct_results):
    # "If the mean is zero, then E[u^2] = s^2" for u ~ N(m, s^2): true when m = 0, refuted before
    c = correct_results[("moments_by_hand.md", 13, r"\mathbb{E}[u^2] = s^2")]
    assert c["status"] == "undecided" and "in words" in c["reason"]
    assert correct_results[("moments_by_hand.md", 5, r"\mathbb{E}[(c u - m)^2] = c^2 s^2 + (c - 1)^2 m^2")][
        "status"] in TRUE


def test_a_special_case_named_in_words_is_not_refuted(correct_results):
    # "For one feature and one example with $x = 2$ and $w = 0$: $H = x^2 \sigma(0)(1-\sigma(0)) = 1$"
    # after H = X^T S X: true in that case (X = [x]), false for a drawn matrix X
    c = correct_results[("quick_sheet.md", 15, r"H = x^2 \sigma(0)(1-\sigma(0)) = 1")]
    assert c["status"] != "refuted" and "in words" in c["reason"]


def test_nesterov_after_heavy_ball_is_not_judged_by_the_heavy_ball_rule(correct_results):
    for line, latex in [(15, r"\theta_{t+1} = \theta_t + v_{t+1}"), (17, r"v_1 = -0.1"),
                        (17, r"\theta_2 = 0.729")]:
        c = correct_results[("momentum_nesterov_adam.md", line, latex)]
        assert c["status"] != "refuted" and (c["status"] in TRUE or "stated again" in c["reason"])


@pytest.mark.parametrize("line, latex", [
    (3, r"\ell'(p) = \frac{k}{p} + \frac{n-k}{1-p}"),  # sign slip
    (5, r"m_t = \sum_{i=1}^{t} \rho^{t-i} z_i"),  # the (1 - rho) factor dropped
    (7, r"w_2 = w_0 - \lambda \mu h_0 - \lambda h_1"),  # (1 + mu) h_0 written as mu h_0
    (9, r"Q_t = c_{t+1} + Q_{t+1}"),  # the discount dropped
])
def test_slips_are_refuted(line, latex):
    claims = {(c["line"], c["latex"]): c for c in _claims([str(FIXTURES / "slips.md")])}
    assert claims[(line, latex)]["status"] == "refuted"


# --- derivatives of a defined function written with primes ---------------------------------------

def test_primes_of_a_defined_function_are_its_derivatives(tmp_path):
    out = _check(tmp_path, "Let $\\phi(s) = s^4 - 3s$. Then $\\phi'(s) = 4s^3 - 3$, $\\phi''(s) = 12 s^2$ "
                           "and $\\phi'(1) = 1$.\n\nA slip: $\\phi'(s) = 4s^3$.\n\n"
                           "An unknown function: $\\psi'(s) = 3$.\n")
    assert out["\\phi'(s) = 4s^3 - 3"]["status"] in TRUE
    assert out["\\phi''(s) = 12 s^2"]["status"] in TRUE
    assert out["\\phi'(1) = 1"]["status"] in TRUE
    assert out["\\phi'(s) = 4s^3"]["status"] == "refuted"  # d/ds (s^4 - 3s) = 4s^3 - 3, not 4s^3
    assert out["\\psi'(s) = 3"]["status"] == "undecided"  # \psi is not defined: never read as \psi itself


def test_a_primed_function_is_never_the_function_itself(tmp_path):
    # q(z) = e^{2z}: q'(z) = 2e^{2z}; reading q' as q would make "q'(z) = e^{2z}" hold
    out = _check(tmp_path, "Define $q(z) = e^{2z}$. We claim $q'(z) = e^{2z}$.\n")
    assert out["q'(z) = e^{2z}"]["status"] == "refuted"


# --- a claim under a condition written in words ---------------------------------------------------

def test_a_claim_under_a_worded_if_clause_is_not_refuted(tmp_path):
    # S = sum_{j=1}^{N} w_j c_j equals c_1 only when all the c_j are equal (and the weights sum to 1)
    text = ("Let $S = \\sum_{j=1}^{N} w_j c_j$ where $\\sum_{j=1}^N w_j = 1$.\n\n"
            "If all the values are the same, then $S = c_1$.\n\n"
            "Without any condition, $S = 2 c_1$.\n")
    out = _check(tmp_path, text)
    assert out["S = c_1"]["status"] == "undecided" and "in words" in out["S = c_1"]["reason"]
    assert out["S = 2 c_1"]["status"] != "verified"


def test_for_all_and_for_example_are_no_worded_conditions(tmp_path):
    out = _check(tmp_path, "Let $c_k = k^2$. For example, $c_3 = 10$. For every index, $c_k = k^3$.\n")
    assert out["c_3 = 10"]["status"] == "refuted"  # 3^2 = 9
    assert out["c_k = k^3"]["status"] == "refuted"


def test_an_if_clause_with_its_own_math_is_a_hypothesis_not_a_worded_condition(tmp_path):
    out = _check(tmp_path, "Let $a_k = 2k + 1$. If $k = 3$, then $a_k = 7$. Also $a_k = 2k$.\n")
    assert out["a_k = 7"]["status"] in TRUE
    assert out["a_k = 2k"]["status"] == "refuted"


# --- a sequence's rule stated again without a step word -------------------------------------------

def test_a_new_methods_rule_and_its_numbers_are_not_refuted(tmp_path):
    text = ("Plain iteration: $z_{n+1} = \\frac{1}{2} z_n + 1$ with $z_0 = 0$, so $z_1 = 1$.\n\n"
            "The damped variant uses $z_{n+1} = \\frac{1}{4} z_n + 1$ instead. From $z_0 = 0$: $z_2 = 1.25$.\n")
    out = _check(tmp_path, text)
    assert out["z_1 = 1"]["status"] in TRUE
    assert out["z_{n+1} = \\frac{1}{4} z_n + 1"]["status"] != "refuted"
    assert out["z_2 = 1.25"]["status"] != "refuted"  # 1/4 * 1 + 1 under the new rule


def test_a_wrong_step_with_a_step_word_is_still_refuted(tmp_path):
    # b_{j+1} = 3 b_j with b_0 = 1 gives b_j = 3^j; "hence b_{j+1} = 3 b_j + 1" is a slip, judged as a step
    out = _check(tmp_path, "Let $b_{j+1} = 3 b_j$ with $b_0 = 1$. Hence $b_j = 3^j$, hence $b_{j+1} = 3 b_j + 1$.\n")
    assert out["b_j = 3^j"]["status"] in TRUE
    assert out["b_{j+1} = 3 b_j + 1"]["status"] == "refuted"
