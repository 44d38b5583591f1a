"""The document's own model in `derive check`: recurrences run from their initial values,
lists read as members of a family, topic-gated problems, and refutations that need values.

Every expected verdict below was written from the mathematics before the checker ran."""
from derive.commands.check import check_paths


def _verdicts(tmp_path, text, name="doc.md"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    report = check_paths([str(f)], progress=False)
    return {c["latex"]: c for c in report["claims"]}


def test_a_recurrence_is_run_from_its_initial_value(tmp_path):
    # m_t = (1-b) sum_k b^(t-k) g_k is the unrolled EMA (true); with b^(t-k+1) it is off by a factor b
    # (false); x_k = 2^(k+1) - 1 solves x_{k+1} = 2 x_k + 1, x_0 = 1, and x_10 = 2047 (both true);
    # x_10 = 2048 is false.
    v = _verdicts(tmp_path, (
        "Let $0 < \\beta < 1$ and let $g_1, g_2, \\dots$ be real numbers. Define\n"
        "$$m_0 = 0, \\qquad m_t = \\beta\\, m_{t-1} + (1 - \\beta)\\, g_t \\quad \\text{for } t \\ge 1.$$\n"
        "Then\n$$m_t = (1 - \\beta)\\sum_{k=1}^{t} \\beta^{t-k} g_k$$\n"
        "but not $m_t = (1 - \\beta)\\sum_{k=1}^{t} \\beta^{t-k+1} g_k$.\n\n"
        "Let $x_0 = 1$ and $x_{k+1} = 2 x_k + 1$. Then $x_k = 2^{k+1} - 1$, so $x_{10} = 2047$, not $x_{10} = 2048$.\n"))
    assert v["m_0 = 0"]["status"] == "defined"
    assert v["m_t = (1 - \\beta)\\sum_{k=1}^{t} \\beta^{t-k} g_k"]["status"] == "verified"
    assert v["m_t = (1 - \\beta)\\sum_{k=1}^{t} \\beta^{t-k+1} g_k"]["status"] == "refuted"
    assert v["x_0 = 1"]["status"] == "defined" and v["x_{k+1} = 2 x_k + 1"]["status"] == "defined"
    assert v["x_k = 2^{k+1} - 1"]["status"] in ("verified", "proved")
    assert v["x_{10} = 2047"]["status"] in ("verified", "proved")
    assert v["x_{10} = 2048"]["status"] == "refuted"


def test_a_list_is_read_as_the_members_of_a_family(tmp_path):
    # K_l = c a^(l-1) for l >= 1 with K_0 = 0, a = 0.5, c = 2: K = [0, 2, 1, 0.5] (true), [0, 2, 1, 0.25] (false)
    v = _verdicts(tmp_path, (
        "Let $a = 0.5$ and $c = 2$. Define $K_0 = 0$ and $K_\\ell = c\\, a^{\\ell-1}$ for $\\ell \\ge 1$.\n\n"
        "The answer is $K = [0, 2, 1, 0.5]$.\n\nIt is not $K = [0, 2, 1, 0.25]$.\n"))
    right, wrong = v["K = [0, 2, 1, 0.5]"], v["K = [0, 2, 1, 0.25]"]
    assert right["status"] in ("verified", "proved") and "K_{0}, …, K_{3}" in right["reason"]
    assert wrong["status"] == "refuted"


def test_notation_alone_does_not_pick_a_problem_the_prose_never_names(tmp_path):
    # y_k is the SSM's output in ssm-kernel; here y_1 = 1 is a label in a worked example
    v = _verdicts(tmp_path, (
        "# Logistic loss on one example\n\nTake one example with $\\mathbf{x}_1 = (1, 2)^\\top$, label $y_1 = 1$.\n"))
    assert v["y_1 = 1"]["status"] != "refuted"
    assert "ssm-kernel" not in v["y_1 = 1"]["scope"]


def test_a_number_claimed_for_quantities_without_values_is_not_refuted(tmp_path):
    # eta* = 2/(l_max + l_min) = 0.4 holds for the eigenvalues 4 and 1 of H = diag(4, 1), which the
    # checker does not know are the l's: undecided, never refuted
    v = _verdicts(tmp_path, (
        "The best step is $\\eta^\\star = \\frac{2}{\\lambda_{\\max} + \\lambda_{\\min}}$.\n\n"
        "Suppose $H = \\operatorname{diag}(4, 1)$. Then the best fixed step is $\\eta^\\star = 0.4$.\n"))
    assert v["\\eta^\\star = 0.4"]["status"] == "undecided"


def test_a_literal_zero_is_the_zero_of_the_other_side(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf{v} \\in \\mathbb{R}^n$. Define $B = A - A$. "
        "Then $B\\mathbf{v} = 0$.\n"))
    assert v["B\\mathbf{v} = 0"]["status"] in ("verified", "proved")


def test_an_equation_after_where_is_still_asserted(tmp_path):
    # (x+1)^2 = x^2 + 2x + 1 is true; x^2 - 1 = (x - 1)^2 is false: after "where" neither is an assumption
    v = _verdicts(tmp_path, (
        "Let $x \\in \\mathbb{R}$ and define $f = (x + 1)^2$. Expanding, where\n"
        "$$f = x^2 + 2x + 1,$$\nand since $x^2 - 1 = (x - 1)^2$ we are done.\n"))
    assert v["f = x^2 + 2x + 1"]["status"] in ("verified", "proved")
    assert v["x^2 - 1 = (x - 1)^2"]["role"] == "claim"
    assert v["x^2 - 1 = (x - 1)^2"]["status"] == "refuted"


def test_a_range_stated_next_to_a_statement_is_a_reading_of_it(tmp_path):
    # (pp^T)^k = |p|^(2(k-1)) pp^T holds for k >= 1 and fails at k = 0; written as a clause right
    # after "... for k >= 1" on the same line it may mean that range: undecided, naming both readings
    v = _verdicts(tmp_path, (
        "Let $p \\in \\mathbb{R}^n$. Then $(pp^\\top)^k = (p^\\top p)^{k-1} pp^\\top$ for $k \\geq 1$. "
        "Similarly, $(pp^\\top)^k = \\|p\\|^{2(k-1)} pp^\\top$.\n"))
    c = v["(pp^\\top)^k = \\|p\\|^{2(k-1)} pp^\\top"]
    assert c["status"] == "undecided" and "readings disagree" in c["reason"]
