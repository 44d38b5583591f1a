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


def test_values_a_part_gives_hold_for_the_part(tmp_path):
    # x_{k+1} = x_k - a c x_k + b (x_k - x_{k-1}), x_1 = x_0 - a c x_0; with c = 1, a = 1/2, b = 1/4, x_0 = 1:
    # x_1 = 1/2, x_2 = 1/2 - 1/4 + (1/2 - 1)/4 = 1/8, x_3 = 1/8 - 1/16 + (1/8 - 1/2)/4 = -1/32;
    # so x_2 = 1/8 is true and x_3 = 1/16 is false
    v = _verdicts(tmp_path, (
        "## The method\n\nThe method is\n$$x_{k+1} = x_k - a c x_k + b\\,(x_k - x_{k-1}), \\qquad k \\ge 1,$$\n"
        "started from $x_1 = x_0 - a c x_0$.\n\n"
        "### A scalar example\n\nTake $c = 1$, $a = \\frac{1}{2}$, $b = \\frac{1}{4}$ and $x_0 = 1$.\n\n"
        "Running the method, $$x_2 = \\frac{1}{8}, \\qquad x_3 = \\frac{1}{16}.$$\n"))
    assert v["x_2 = \\frac{1}{8}"]["status"] in ("verified", "proved")
    wrong = v["x_3 = \\frac{1}{16}"]
    assert wrong["status"] == "refuted" and "with the document's values" in wrong["scope"]


def test_an_unread_definition_blocks_a_refutation_through_it(tmp_path):
    # q_k uses an Iverson bracket the reader does not know; sum_k q_k = 1 holds for the document's q
    # but not for a free q: never refuted
    v = _verdicts(tmp_path, (
        "Let $\\mathbf{q} \\in \\mathbb{R}^K$ with $q_k = (1 - \\varepsilon)\\,[k = c] + \\frac{\\varepsilon}{K}$.\n\n"
        "The target is a distribution, $\\sum_{k=1}^K q_k = 1$.\n"))
    assert v["\\sum_{k=1}^K q_k = 1"]["status"] != "refuted"


def test_a_function_defined_with_a_command_is_the_documents(tmp_path):
    # lse(z + c 1) = lse(z) + c is true; lse(z + c 1) = lse(z) is false (c != 0)
    v = _verdicts(tmp_path, (
        "Define $\\operatorname{lse}(\\mathbf{z}) = \\log\\sum_{j=1}^K e^{z_j}$ for $\\mathbf{z} \\in \\mathbb{R}^K$ "
        "and let $c \\in \\mathbb{R}$.\n\nThen $\\operatorname{lse}(\\mathbf{z} + c\\mathbf{1}) = \\operatorname{lse}(\\mathbf{z}) + c$.\n"))
    assert v["\\operatorname{lse}(\\mathbf{z}) = \\log\\sum_{j=1}^K e^{z_j}"]["status"] == "defined"
    assert v["\\operatorname{lse}(\\mathbf{z} + c\\mathbf{1}) = \\operatorname{lse}(\\mathbf{z}) + c"]["status"] in (
        "verified", "proved")


def test_a_range_end_the_problem_does_not_know_is_not_applied(tmp_path):
    # K_l = C A^(l-1) B for l = 1, ..., L is the ssm-kernel formula; L (the kernel length) is no
    # quantity of the problem: verified for l >= 1, saying so
    v = _verdicts(tmp_path, (
        "For the state-space model $x_{k+1} = Ax_k + Bu_k$, $y_k = Cx_k + Du_k$ the kernel is\n"
        "$$K_0 = D, \\quad K_\\ell = CA^{\\ell-1}B \\text{ for } \\ell = 1, 2, \\dots, L$$\n"))
    c = v["K_\\ell = CA^{\\ell-1}B"]
    assert c["status"] in ("verified", "proved") and "upper end L" in c["reason"]


def test_numbered_section_titles_scope_definitions(tmp_path):
    # "2.3 ..." and "2.4 ..." are sections: r = n defined in 2.3 does not reach 2.4, where
    # r <= min(n, m) states the rank bound (a condition, never refuted)
    v = _verdicts(tmp_path, (
        "2.3 Orthogonal matrices\n\nFor a square matrix of full rank, $r = n$.\n\n"
        "2.4 Singular value decomposition\n\nFor $A \\in \\mathbb{R}^{n \\times m}$ the rank satisfies $r \\leq \\min(n, m)$.\n"))
    c = v["r \\leq \\min(n, m)"]
    assert c["status"] != "refuted" and c["section"] == "2.4 Singular value decomposition"


def test_an_all_ones_vector_with_its_length(tmp_path):
    # softmax(a) = exp(a) / (1_k^T exp(a)) is the standard softmax (true); without the exp in the
    # denominator it is false
    v = _verdicts(tmp_path, (
        "Let $\\mathbf{a} \\in \\mathbb{R}^k$. Recall that "
        "$\\text{softmax}(\\mathbf{a}) = \\frac{\\exp(\\mathbf{a})}{\\mathbf{1}_k^T \\exp(\\mathbf{a})}$, "
        "not $\\text{softmax}(\\mathbf{a}) = \\frac{\\exp(\\mathbf{a})}{\\mathbf{1}_k^T \\mathbf{a}}$.\n"))
    assert v["\\text{softmax}(\\mathbf{a}) = \\frac{\\exp(\\mathbf{a})}{\\mathbf{1}_k^T \\exp(\\mathbf{a})}"]["status"] in (
        "verified", "proved")
    assert v["\\text{softmax}(\\mathbf{a}) = \\frac{\\exp(\\mathbf{a})}{\\mathbf{1}_k^T \\mathbf{a}}"]["status"] == "refuted"
