"""Worked examples: tuples read as column vectors, values a worked part fixes, constant sequences,
the limit of a recurrence, restated hypotheses and part labels in a summary.

Each document is written here in its own notation; the expected verdicts are computed from the
mathematics in the comments (not copied from the checker's output)."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.commands.check import check_paths
from derive.claims.latex_parser import parse, to_text

GOOD = ("proved", "verified")


def _check(tmp_path: Path, text: str) -> dict[tuple[int, str], dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text)
    claims = check_paths([str(doc)], seed=0, progress=False)["claims"]
    return {(c["line"], c["latex"]): c for c in claims}


def _status(claims: dict, line: int, latex: str) -> str:
    return claims[(line, latex)]["status"]


def test_a_transposed_tuple_is_a_column_vector(tmp_path):
    # M c = (1*2 + 2*(-1), 0*2 + 1*(-1)) = (0, -1); M^2 = [[1, 4], [0, 1]], M^2 c = (-2, -1), not (1, -1);
    # c^T c = 4 + 1 = 5
    claims = _check(tmp_path, "# Example\n\n"
                    r"For $M = \begin{pmatrix} 1 & 2 \\ 0 & 1 \end{pmatrix}$ and $\mathbf{c} = (2, -1)^\top$ we get "
                    r"$M \mathbf{c} = (0, -1)^\top$ and $M^2 \mathbf{c} = \left(1, -1\right)^\top$ and "
                    r"$\mathbf{c}^\top \mathbf{c} = 5$." "\n")
    assert _status(claims, 3, r"M \mathbf{c} = (0, -1)^\top") in GOOD
    assert _status(claims, 3, r"\mathbf{c}^\top \mathbf{c} = 5") in GOOD
    assert _status(claims, 3, r"M^2 \mathbf{c} = \left(1, -1\right)^\top") == "refuted"


def test_a_tuple_beside_a_number_or_an_interval_is_not_a_vector(tmp_path):
    # s = (3, 1) compares a number with a pair: no reading makes it a vector identity, never refuted;
    # \theta \in (0, 1) is an interval (a hypothesis)
    claims = _check(tmp_path, "# Example\n\n"
                    r"Let $\theta \in (0, 1)$ and $s \in \mathbb{R}$. Then $s = (3, 1)$." "\n")
    assert _status(claims, 3, r"\theta \in (0, 1)") == "assumed"
    assert _status(claims, 3, "s = (3, 1)") == "undecided"


def test_parser_keeps_intervals_and_tuples_apart():
    assert to_text(parse(r"x \in (0, 1)")) == "chain((x,tuple[()](0,1)),(in))"
    assert to_text(parse(r"(1, 2)^\top")) == "transpose(tuple[()](1,2))"


def test_a_bold_zero_is_the_zero_vector_of_the_names_shape(tmp_path):
    # h = 0 (a vector): h^T c = 0 for c = (2, -1), and h^T c = 1 is false
    claims = _check(tmp_path, "# Example\n\n"
                    r"Let $\mathbf{c} = (2, -1)^\top$ and $\mathbf{h} \in \mathbb{R}^2$." "\n\n"
                    r"At $\mathbf{h} = \mathbf{0}$ we have $\mathbf{h}^\top \mathbf{c} = 0$, "
                    r"and $\mathbf{h}^\top \mathbf{c} + 1 = 2$." "\n")
    assert _status(claims, 5, r"\mathbf{h}^\top \mathbf{c} = 0") in GOOD
    assert _status(claims, 5, r"\mathbf{h}^\top \mathbf{c} + 1 = 2") == "refuted"


def test_a_function_written_bare_is_the_function_at_its_own_argument(tmp_path):
    # Q(z) = (b^T z + 2)^2 / 2: grad Q = (b^T z + 2) b.  At b = (1, -2), z = 0: Q = 2, grad Q = (2, -4)
    text = ("# Quadratic\n\n"
            r"Let $\mathbf{b} \in \mathbb{R}^m$ and define $Q(\mathbf{z}) = \frac{1}{2}(\mathbf{b}^\top \mathbf{z} + 2)^2$."
            "\n\n"
            r"Its gradient is $\nabla_{\mathbf{z}} Q = (\mathbf{b}^\top \mathbf{z} + 2)\mathbf{b}$, not "
            r"$\nabla_{\mathbf{z}} Q = 2(\mathbf{b}^\top \mathbf{z} + 2)\mathbf{b}$." "\n\n"
            "## Worked example\n\n"
            r"Take $\mathbf{b} = (1, -2)^\top$ at $\mathbf{z} = \mathbf{0}$. Then $Q = 2$ and "
            r"$\nabla_{\mathbf{z}} Q = (2, -4)^\top$, while $Q = 4$ would be wrong." "\n")
    claims = _check(tmp_path, text)
    assert _status(claims, 5, r"\nabla_{\mathbf{z}} Q = (\mathbf{b}^\top \mathbf{z} + 2)\mathbf{b}") in GOOD
    assert _status(claims, 5, r"\nabla_{\mathbf{z}} Q = 2(\mathbf{b}^\top \mathbf{z} + 2)\mathbf{b}") == "refuted"
    assert _status(claims, 9, "Q = 2") in GOOD
    assert _status(claims, 9, r"\nabla_{\mathbf{z}} Q = (2, -4)^\top") in GOOD
    assert _status(claims, 9, "Q = 4") == "refuted"


def test_a_numbered_entry_of_a_vector_given_whole(tmp_path):
    # rho = sqrt(v_1^2 + v_2^2) at v = (6, 8): rho = 10, d rho / d v_1 = 6/10, d rho / d v_2 = 8/10;
    # q_i = a_i v_i / rho: d q_1 / d v_2 = -a_1 v_1 v_2 / rho^3 = -48 a_1 / 1000
    text = ("# Norm\n\n"
            r"Let $\mathbf{v} \in \mathbb{R}^m$ and $\mathbf{a} \in \mathbb{R}^m$, and write "
            r"$\rho = \sqrt{\sum_{k=1}^m v_k^2}$ and $q_i = \frac{a_i v_i}{\rho}$." "\n\n"
            "## Check\n\n"
            r"Take $m = 2$ and $\mathbf{v} = (6, 8)^T$. Then $\rho = 10$ and" "\n"
            r"$$\frac{\partial \rho}{\partial v_1} = \frac{3}{5}, \qquad \frac{\partial \rho}{\partial v_2} = \frac{3}{5},"
            r" \qquad \frac{\partial q_1}{\partial v_2} = -\frac{6 a_1}{125}.$$" "\n")
    claims = _check(tmp_path, text)
    assert _status(claims, 7, r"\rho = 10") in GOOD
    assert _status(claims, 8, r"\frac{\partial \rho}{\partial v_1} = \frac{3}{5}") in GOOD
    assert _status(claims, 8, r"\frac{\partial \rho}{\partial v_2} = \frac{3}{5}") == "refuted"
    assert _status(claims, 8, r"\frac{\partial q_1}{\partial v_2} = -\frac{6 a_1}{125}") in GOOD


CONSTANT = ("# Smoothing\n\n"
            r"Let $0 < \gamma < 1$ and define $s_0 = 0$, $s_n = \gamma s_{n-1} + (1 - \gamma) x_n$ for $n \ge 1$."
            "\n\n## Constant input\n\n"
            r"If $x_n = c \neq 0$ for all $n$, then $s_n = (1 - \gamma^n) c$ for $n \ge 1$, so the average never "
            r"reaches the input:" "\n"
            r"$$s_n = (1 - \gamma^{n+1}) c.$$" "\n\n"
            r"A constant sequence $x_n = c$ gives $s_2 = (1 - \gamma^2) c$." "\n")


def test_a_constant_sequence_fixes_the_family_for_its_sentence(tmp_path):
    # s_n = (1 - gamma) c sum_{j<n} gamma^j = (1 - gamma^n) c; the exponent n + 1 is false for gamma in (0, 1)
    # (the display continues the sentence of "If x_n = c", so the case holds there too)
    claims = _check(tmp_path, CONSTANT)
    assert _status(claims, 7, r"x_n = c \neq 0") == "assumed"
    assert _status(claims, 7, r"s_n = (1 - \gamma^n) c") in GOOD
    assert _status(claims, 8, r"s_n = (1 - \gamma^{n+1}) c") == "refuted"
    assert _status(claims, 10, "x_n = c") == "assumed"
    assert _status(claims, 10, r"s_2 = (1 - \gamma^2) c") in GOOD


def test_a_constant_sequence_for_some_indices_only_is_not_set_everywhere(tmp_path):
    # "x_n = 0 for n > 3" says nothing about x_1: s_1 = (1 - gamma) x_1 is not 0 in general, so
    # "s_1 = 0" must not be verified by setting x_1 = 0
    claims = _check(tmp_path, "# Smoothing\n\n"
                    r"Let $0 < \gamma < 1$ and define $s_0 = 0$, $s_n = \gamma s_{n-1} + (1 - \gamma) x_n$ for "
                    r"$n \ge 1$." "\n\n"
                    r"If $x_n = 0$ for $n > 3$ then $s_1 = 0$." "\n")
    assert _status(claims, 5, "s_1 = 0") == "undecided"


LIMIT = ("# Fixed point\n\n"
         r"Let $a > 0$ and $b > 0$. The iteration $u_{k+1} = \frac{u_k + a}{u_k + b}$ started from $u_0 = 1$ "
         r"settles at a limit $u_\infty$. Hence" "\n"
         r"$$u_\infty^2 + (b - 1)\,u_\infty - a = 0, \qquad u_\infty^2 + b\,u_\infty = a + b.$$" "\n")


def test_the_limit_of_a_recurrence_is_run_to_convergence(tmp_path):
    # a fixed point u = (u + a)/(u + b) satisfies u^2 + (b - 1) u - a = 0, i.e. u^2 + b u = a + u; the
    # second equation says u^2 + b u = a + b, false unless the limit equals b
    claims = _check(tmp_path, LIMIT)
    assert _status(claims, 4, r"u_\infty^2 + (b - 1)\,u_\infty - a = 0") in GOOD
    assert _status(claims, 4, r"u_\infty^2 + b\,u_\infty = a + b") == "refuted"


def test_a_limit_from_a_start_the_document_does_not_give_is_not_refuted(tmp_path):
    claims = _check(tmp_path, LIMIT.replace(r" started from $u_0 = 1$", ""))
    assert _status(claims, 4, r"u_\infty^2 + (b - 1)\,u_\infty - a = 0") in GOOD
    assert _status(claims, 4, r"u_\infty^2 + b\,u_\infty = a + b") == "undecided"


def test_a_restated_hypothesis_is_true_under_it(tmp_path):
    # "a + b = 1" is assumed for the part; repeating it is true under the assumption (without it, a
    # claim about free a and b could not be decided); a different equation is not covered by it
    claims = _check(tmp_path, "# Weights\n\n"
                    r"Let $a$ and $b$ be numbers. Assume $a + b = 1$." "\n\n"
                    "Collecting what we know:\n\n"
                    r"- $a + b = 1$" "\n"
                    r"- $a + b = 2$" "\n")
    assert _status(claims, 3, "a + b = 1") == "assumed"
    assert _status(claims, 7, "a + b = 1") == "verified"
    assert _status(claims, 8, "a + b = 2") != "verified"


SUMMARY = ("# Products\n\n"
           r"For numbers $p$ and $q$ let $w = p q + 1$." "\n\n"
           "## (a) Small\n\n"
           r"Take $p = 2$ and $q = 3$. Then $w = 7$." "\n\n"
           "## (b) Larger\n\n"
           r"Take $p = 4$ and $q = 5$. Then $w = 21$." "\n\n"
           "### Summary\n\n"
           r"(a) $w = 7$." "\n\n"
           r"(b) $w = 21$." "\n\n"
           r"(a) $w = 8$." "\n")


def test_a_labelled_summary_line_is_judged_in_the_part_it_names(tmp_path):
    # (a): 2*3 + 1 = 7; (b): 4*5 + 1 = 21; "(a) w = 8" is wrong in part (a)
    claims = _check(tmp_path, SUMMARY)
    assert _status(claims, 7, "w = 7") in GOOD
    assert _status(claims, 11, "w = 21") in GOOD
    assert _status(claims, 15, "w = 7") in GOOD  # judged with (a)'s values, not (b)'s
    assert _status(claims, 17, "w = 21") in GOOD
    assert _status(claims, 19, "w = 8") == "refuted"


@pytest.mark.parametrize("src", [r"\sum_{i=1}^n \Big[a_i + 1\Big]", r"\sum_{k=0}^{m} [x_k - y_k]"])
def test_a_bracket_after_a_sum_is_its_summand(src):
    assert parse(src).kind == "sum"


def test_names_in_a_defined_functions_body_get_their_readings(tmp_path):
    # G(u) = sum_i b_i u^T a_i: grad G = sum_i b_i a_i (b_i numbers); sum_i b_i^2 a_i is wrong
    claims = _check(tmp_path, "# Fit\n\n"
                    r"We have $\mathbf{a}_i \in \mathbb{R}^d$ and numbers $b_i$." "\n\n"
                    r"Define $G(\mathbf{u}) = \sum_{i=1}^n b_i \mathbf{u}^\top \mathbf{a}_i$." "\n\n"
                    r"Then $\nabla_{\mathbf{u}} G = \sum_{i=1}^n b_i \mathbf{a}_i$ and "
                    r"$\nabla_{\mathbf{u}} G = \sum_{i=1}^n b_i^2 \mathbf{a}_i$." "\n")
    assert _status(claims, 7, r"\nabla_{\mathbf{u}} G = \sum_{i=1}^n b_i \mathbf{a}_i") in GOOD
    assert _status(claims, 7, r"\nabla_{\mathbf{u}} G = \sum_{i=1}^n b_i^2 \mathbf{a}_i") == "refuted"


def test_a_loss_at_a_worked_point(tmp_path):
    # one example a_1 = (3, 4), label c_1 = 1, at u = 0: q_1 = s(0) = 1/2 and
    # J = -(1 log q_1 + 0 log(1 - q_1)) = log 2; log 3 is wrong
    claims = _check(tmp_path, "# Logistic fit\n\n"
                    r"We have $m$ examples $\mathbf{a}_j \in \mathbb{R}^k$ with labels $c_j$. "
                    r"Let $s(z) = \frac{1}{1 + e^{-z}}$." "\n\n"
                    r"Define $q_j = s(\mathbf{u}^\top \mathbf{a}_j)$ and "
                    r"$J(\mathbf{u}) = -\frac{1}{m}\sum_{j=1}^m \Big[c_j \log q_j + (1 - c_j)\log(1 - q_j)\Big]$."
                    "\n\n## A worked example\n\n"
                    r"Take one example, $m = 1$, with $\mathbf{a}_1 = (3, 4)^\top$, $c_1 = 1$, at $\mathbf{u} = \mathbf{0}$. "
                    r"Then $q_1 = \frac{1}{2}$ and $J = \log 2$, not $J = \log 3$." "\n")
    assert _status(claims, 9, r"q_1 = \frac{1}{2}") in GOOD
    assert _status(claims, 9, r"J = \log 2") in GOOD
    assert _status(claims, 9, r"J = \log 3") == "refuted"


def test_a_gradient_at_a_worked_point_on_the_next_line(tmp_path):
    # m is a dimension (A in R^{m x k}), so "m = 1" holds for the part, not only its own line;
    # grad J = (q_1 - c_1) a_1 = -1/2 (3, 4) = (-3/2, -2); (-3, -4) is wrong
    claims = _check(tmp_path, "# Logistic fit\n\n"
                    r"We have $m$ examples $\mathbf{a}_j \in \mathbb{R}^k$, the rows of $A \in \mathbb{R}^{m \times k}$, "
                    r"with labels $c_j$. Let $s(z) = \frac{1}{1 + e^{-z}}$." "\n\n"
                    r"Define $q_j = s(\mathbf{u}^\top \mathbf{a}_j)$ and "
                    r"$J(\mathbf{u}) = -\frac{1}{m}\sum_{j=1}^m \Big[c_j \log q_j + (1 - c_j)\log(1 - q_j)\Big]$."
                    "\n\n## A worked example\n\n"
                    r"Take $m = 1$, with $\mathbf{a}_1 = (3, 4)^\top$, $c_1 = 1$, at $\mathbf{u} = \mathbf{0}$. Then" "\n"
                    r"$$\nabla_{\mathbf{u}} J = \left(-\tfrac{3}{2}, -2\right)^\top, \qquad "
                    r"\nabla_{\mathbf{u}} J = (-3, -4)^\top.$$" "\n")
    assert _status(claims, 10, r"\nabla_{\mathbf{u}} J = \left(-\tfrac{3}{2}, -2\right)^\top") in GOOD
    assert _status(claims, 10, r"\nabla_{\mathbf{u}} J = (-3, -4)^\top") == "refuted"


def test_a_plain_zero_value_stays_a_number(tmp_path):
    # b = 0 written plainly for a lowercase name used as a number: b + 1 = 1 (the zero-vector reading
    # is kept for \mathbf{0})
    claims = _check(tmp_path, "# Shift\n\n"
                    r"Let $f(x) = x + b$ for a number $b$." "\n\n"
                    r"At $b = 0$ we have $f(2) = 2$ and $b + 1 = 1$." "\n")
    assert _status(claims, 5, "f(2) = 2") in GOOD
    assert _status(claims, 5, "b + 1 = 1") in GOOD
