"""Gradients, derivatives and entrywise-defined vectors as ML notes write them.

Each document below is small and each expected verdict was written from the mathematics
before the checker ran on it: a true derivative must end verified (the checker compares it
with central differences of the definitions, never with a formula of ours), a false one
refuted, and where the checker cannot tell it must say undecided — never refuted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.commands.check import check_paths

TRUE = ("verified", "proved")


def _verdicts(tmp_path: Path, text: str) -> dict[str, str]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    claims = check_paths([str(doc)], progress=False)["claims"]
    return {c["latex"]: c["status"] for c in claims}


def _assert(verdicts: dict[str, str], expected: dict[str, str | tuple[str, ...]]) -> None:
    for latex, want in expected.items():
        assert latex in verdicts, (latex, sorted(verdicts))
        got = verdicts[latex]
        ok = got in want if isinstance(want, tuple) else got == want
        assert ok, f"{latex}: {got}, expected {want}"


# --- 1. the gradient operator with a subscript: ∇_w L, ∇²_w L -----------------------------------

def test_nabla_with_a_subscript_is_the_gradient_and_hessian(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $\\mathbf{w} \\in \\mathbb{R}^d$ and $A \\in \\mathbb{R}^{d \\times d}$, and define "
        "$L = \\frac{1}{2}\\mathbf{w}^\\top A \\mathbf{w} + \\sum_{i=1}^d w_i^3$.\n\n"
        "$$\\nabla_{\\mathbf{w}} L = \\frac{1}{2}(A + A^\\top)\\mathbf{w} + 3\\,\\mathbf{w} \\odot \\mathbf{w}$$\n\n"
        "$$\\nabla_{\\mathbf{w}} L = A\\mathbf{w} + 3\\,\\mathbf{w} \\odot \\mathbf{w}$$\n\n"
        "$$\\nabla^2_{\\mathbf{w}} L = \\frac{1}{2}(A + A^\\top) + 6\\operatorname{diag}(\\mathbf{w})$$\n\n"
        "$$\\nabla^2_{\\mathbf{w}} L = A + 6\\operatorname{diag}(\\mathbf{w})$$\n"))
    _assert(v, {
        "\\nabla_{\\mathbf{w}} L = \\frac{1}{2}(A + A^\\top)\\mathbf{w} + 3\\,\\mathbf{w} \\odot \\mathbf{w}": TRUE,
        "\\nabla_{\\mathbf{w}} L = A\\mathbf{w} + 3\\,\\mathbf{w} \\odot \\mathbf{w}": "refuted",
        "\\nabla^2_{\\mathbf{w}} L = \\frac{1}{2}(A + A^\\top) + 6\\operatorname{diag}(\\mathbf{w})": TRUE,
        "\\nabla^2_{\\mathbf{w}} L = A + 6\\operatorname{diag}(\\mathbf{w})": "refuted",
    })


def test_nabla_of_a_function_written_with_its_argument(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $\\mathbf{x} \\in \\mathbb{R}^n$ and $\\mathbf{b} \\in \\mathbb{R}^n$ and define "
        "$f(\\mathbf{x}) = \\log\\left(1 + e^{\\mathbf{b}^\\top \\mathbf{x}}\\right)$.\n\n"
        "$$\\nabla_{\\mathbf{x}} f(\\mathbf{x}) = \\sigma(\\mathbf{b}^\\top \\mathbf{x})\\,\\mathbf{b}$$\n\n"
        "$$\\nabla_{\\mathbf{x}} f(\\mathbf{x}) = \\sigma(-\\mathbf{b}^\\top \\mathbf{x})\\,\\mathbf{b}$$\n"))
    _assert(v, {
        "\\nabla_{\\mathbf{x}} f(\\mathbf{x}) = \\sigma(\\mathbf{b}^\\top \\mathbf{x})\\,\\mathbf{b}": TRUE,
        "\\nabla_{\\mathbf{x}} f(\\mathbf{x}) = \\sigma(-\\mathbf{b}^\\top \\mathbf{x})\\,\\mathbf{b}": "refuted",
    })


# --- 2. a vector defined entrywise, used whole ----------------------------------------------------

SOFTMAX = (
    "Let $\\mathbf{z} \\in \\mathbb{R}^K$ and $\\mathbf{y} \\in \\mathbb{R}^K$. Define\n"
    "$$p_k = \\frac{e^{z_k}}{\\sum_{j=1}^K e^{z_j}}$$\n"
    "for $k = 1, \\dots, K$, and the loss $$L = -\\sum_{k=1}^K y_k \\log p_k.$$\n\n"
    "$$\\mathbf{1}^\\top \\mathbf{p} = 1$$\n\n"
    "$$\\frac{\\partial \\mathbf{p}}{\\partial \\mathbf{z}} = \\operatorname{diag}(\\mathbf{p}) - \\mathbf{p}\\mathbf{p}^\\top$$\n\n"
    "$$\\frac{\\partial \\mathbf{p}}{\\partial \\mathbf{z}} = \\operatorname{diag}(\\mathbf{p}) + \\mathbf{p}\\mathbf{p}^\\top$$\n\n"
    "$$\\frac{\\partial L}{\\partial \\mathbf{z}} = (\\mathbf{1}^\\top \\mathbf{y})\\,\\mathbf{p} - \\mathbf{y}$$\n\n"
    "$$\\frac{\\partial L}{\\partial \\mathbf{z}} = \\mathbf{p} - \\mathbf{y}$$\n\n"
    "$$\\nabla^2_{\\mathbf{z}} L = (\\mathbf{1}^\\top \\mathbf{y})\\left(\\operatorname{diag}(\\mathbf{p}) - \\mathbf{p}\\mathbf{p}^\\top\\right)$$\n"
)


def test_a_vector_defined_by_its_entries_is_a_vector(tmp_path):
    v = _verdicts(tmp_path, SOFTMAX)
    _assert(v, {
        "\\mathbf{1}^\\top \\mathbf{p} = 1": TRUE,
        "\\frac{\\partial \\mathbf{p}}{\\partial \\mathbf{z}} = \\operatorname{diag}(\\mathbf{p}) - \\mathbf{p}\\mathbf{p}^\\top": TRUE,
        "\\frac{\\partial \\mathbf{p}}{\\partial \\mathbf{z}} = \\operatorname{diag}(\\mathbf{p}) + \\mathbf{p}\\mathbf{p}^\\top": "refuted",
        "\\frac{\\partial L}{\\partial \\mathbf{z}} = (\\mathbf{1}^\\top \\mathbf{y})\\,\\mathbf{p} - \\mathbf{y}": TRUE,
        # true only for labels that sum to one, which this document never says: not an identity
        "\\frac{\\partial L}{\\partial \\mathbf{z}} = \\mathbf{p} - \\mathbf{y}": ("refuted", "undecided"),
        "\\nabla^2_{\\mathbf{z}} L = (\\mathbf{1}^\\top \\mathbf{y})\\left(\\operatorname{diag}(\\mathbf{p}) - \\mathbf{p}\\mathbf{p}^\\top\\right)": TRUE,
    })


# --- 3. a scalar loss differentiated by a matrix ----------------------------------------------------

def test_a_scalar_loss_by_a_matrix(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $W \\in \\mathbb{R}^{K \\times d}$, $\\mathbf{x} \\in \\mathbb{R}^d$ and $\\mathbf{y} \\in \\mathbb{R}^K$. "
        "Define $\\mathbf{z} = W\\mathbf{x}$ and $$L = \\frac{1}{2}\\sum_{k=1}^K (z_k - y_k)^2.$$\n\n"
        "$$\\frac{\\partial L}{\\partial W} = (W\\mathbf{x} - \\mathbf{y})\\mathbf{x}^\\top$$\n\n"
        "$$\\frac{\\partial L}{\\partial W} = (W\\mathbf{x} + \\mathbf{y})\\mathbf{x}^\\top$$\n"))
    _assert(v, {
        "\\frac{\\partial L}{\\partial W} = (W\\mathbf{x} - \\mathbf{y})\\mathbf{x}^\\top": TRUE,
        "\\frac{\\partial L}{\\partial W} = (W\\mathbf{x} + \\mathbf{y})\\mathbf{x}^\\top": "refuted",
    })


# --- 4. an upstream gradient: g = ∂L/∂y with L itself never given -----------------------------------

def test_a_gradient_arriving_from_above(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $A \\in \\mathbb{R}^{m \\times n}$, $\\mathbf{x} \\in \\mathbb{R}^n$ and $\\mathbf{b} \\in \\mathbb{R}^m$. "
        "The layer computes $$\\mathbf{y} = \\tanh(A\\mathbf{x} + \\mathbf{b}).$$\n"
        "Let $\\mathbf{g} = \\frac{\\partial L}{\\partial \\mathbf{y}}$ be the gradient arriving from above.\n\n"
        "$$\\frac{\\partial L}{\\partial \\mathbf{b}} = (\\mathbf{1} - \\mathbf{y} \\odot \\mathbf{y}) \\odot \\mathbf{g}$$\n\n"
        "$$\\frac{\\partial L}{\\partial \\mathbf{x}} = A^\\top\\left((\\mathbf{1} - \\mathbf{y} \\odot \\mathbf{y}) \\odot \\mathbf{g}\\right)$$\n\n"
        "$$\\frac{\\partial L}{\\partial A} = \\left((\\mathbf{1} - \\mathbf{y} \\odot \\mathbf{y}) \\odot \\mathbf{g}\\right)\\mathbf{x}^\\top$$\n\n"
        "$$\\frac{\\partial L}{\\partial A} = \\mathbf{g}\\,\\mathbf{x}^\\top$$\n\n"
        "$$\\frac{\\partial L}{\\partial x_j} = \\sum_{i=1}^m A_{ij}(1 - y_i^2) g_i$$\n\n"
        "$$\\frac{\\partial L}{\\partial x_j} = \\sum_{i=1}^m A_{ij} g_i$$\n"))
    _assert(v, {
        "\\frac{\\partial L}{\\partial \\mathbf{b}} = (\\mathbf{1} - \\mathbf{y} \\odot \\mathbf{y}) \\odot \\mathbf{g}": TRUE,
        "\\frac{\\partial L}{\\partial \\mathbf{x}} = A^\\top\\left((\\mathbf{1} - \\mathbf{y} \\odot \\mathbf{y}) \\odot \\mathbf{g}\\right)": TRUE,
        "\\frac{\\partial L}{\\partial A} = \\left((\\mathbf{1} - \\mathbf{y} \\odot \\mathbf{y}) \\odot \\mathbf{g}\\right)\\mathbf{x}^\\top": TRUE,
        "\\frac{\\partial L}{\\partial A} = \\mathbf{g}\\,\\mathbf{x}^\\top": "refuted",
        "\\frac{\\partial L}{\\partial x_j} = \\sum_{i=1}^m A_{ij}(1 - y_i^2) g_i": TRUE,
        "\\frac{\\partial L}{\\partial x_j} = \\sum_{i=1}^m A_{ij} g_i": "refuted",
    })


# --- 5. entries: ∂r/∂x_j, Kronecker δ, ∂x̂_i/∂x_j -----------------------------------------------------

def test_partial_derivatives_by_entries(tmp_path):
    v = _verdicts(tmp_path, (
        "Given $\\mathbf{x} \\in \\mathbb{R}^d$ and $\\epsilon > 0$, write\n"
        "$$r = \\left(\\frac{1}{d}\\sum_{i=1}^d x_i^2 + \\epsilon\\right)^{-1/2}, \\qquad \\hat x_i = r\\,x_i.$$\n\n"
        "$$\\frac{\\partial r}{\\partial x_j} = -\\frac{r^3 x_j}{d}$$\n\n"
        "$$\\frac{\\partial r}{\\partial x_j} = -\\frac{r x_j}{d}$$\n\n"
        "$$\\frac{\\partial \\hat x_i}{\\partial x_j} = r\\left(\\delta_{ij} - \\frac{r^2 x_i x_j}{d}\\right)$$\n\n"
        "$$\\frac{\\partial \\hat x_i}{\\partial x_j} = r\\,\\delta_{ij}$$\n\n"
        "$$\\frac{x_j}{d\\,r} = \\frac{x_j r^{-1}}{d}$$\n"))
    _assert(v, {
        "\\frac{\\partial r}{\\partial x_j} = -\\frac{r^3 x_j}{d}": TRUE,
        "\\frac{\\partial r}{\\partial x_j} = -\\frac{r x_j}{d}": "refuted",
        "\\frac{\\partial \\hat x_i}{\\partial x_j} = r\\left(\\delta_{ij} - \\frac{r^2 x_i x_j}{d}\\right)": TRUE,
        "\\frac{\\partial \\hat x_i}{\\partial x_j} = r\\,\\delta_{ij}": "refuted",
        "\\frac{x_j}{d\\,r} = \\frac{x_j r^{-1}}{d}": TRUE,
    })


def test_entries_of_a_vector_defined_whole(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $\\boldsymbol\\mu, \\boldsymbol\\sigma, \\boldsymbol\\varepsilon \\in \\mathbb{R}^d$ and set\n"
        "$$\\mathbf{z} = \\boldsymbol\\mu + \\boldsymbol\\sigma \\odot \\boldsymbol\\varepsilon.$$\n\n"
        "$$\\frac{\\partial z_i}{\\partial \\mu_i} = 1$$\n\n"
        "$$\\frac{\\partial z_i}{\\partial \\sigma_i} = \\varepsilon_i$$\n\n"
        "$$\\frac{\\partial z_i}{\\partial \\sigma_i} = \\mu_i$$\n"))
    _assert(v, {
        "\\frac{\\partial z_i}{\\partial \\mu_i} = 1": TRUE,
        "\\frac{\\partial z_i}{\\partial \\sigma_i} = \\varepsilon_i": TRUE,
        "\\frac{\\partial z_i}{\\partial \\sigma_i} = \\mu_i": "refuted",
    })


# --- 6. a recurrence differentiated by its initial state ---------------------------------------------

def test_derivative_by_an_earlier_state(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $W \\in \\mathbb{R}^{n \\times n}$ and $h_0 \\in \\mathbb{R}^n$, and for $t = 1, 2$ let "
        "$$h_t = \\tanh(W h_{t-1}).$$\n"
        "With $D_t = \\operatorname{diag}(\\mathbf{1} - h_t \\odot h_t)$,\n\n"
        "$$\\frac{\\partial h_1}{\\partial h_0} = D_1 W$$\n\n"
        "$$\\frac{\\partial h_2}{\\partial h_0} = D_2 W D_1 W$$\n\n"
        "$$\\frac{\\partial h_2}{\\partial h_0} = D_1 W D_2 W$$\n\n"
        "$$\\frac{\\partial h_1}{\\partial h_0} = \\operatorname{diag}(1 - h_1 \\odot h_1) W$$\n\n"
        "$$\\frac{\\partial h_1}{\\partial h_0} = \\operatorname{diag}(1 + h_1 \\odot h_1) W$$\n"))
    _assert(v, {
        "\\frac{\\partial h_1}{\\partial h_0} = D_1 W": TRUE,
        "\\frac{\\partial h_2}{\\partial h_0} = D_2 W D_1 W": TRUE,
        "\\frac{\\partial h_2}{\\partial h_0} = D_1 W D_2 W": ("refuted", "undecided"),
        # 1 - h ⊙ h of a vector h: the number is read entrywise
        "\\frac{\\partial h_1}{\\partial h_0} = \\operatorname{diag}(1 - h_1 \\odot h_1) W": TRUE,
        "\\frac{\\partial h_1}{\\partial h_0} = \\operatorname{diag}(1 + h_1 \\odot h_1) W": "refuted",
    })


def test_an_upstream_gradient_named_delta_beside_the_kronecker_delta(tmp_path):
    # δ = ∂L/∂y is a vector (entries δ_i); δ_ij beside it is still the Kronecker delta, and g_i on
    # both sides of a claim is one reading (an entry of the declared g)
    v = _verdicts(tmp_path, (
        "Given $\\boldsymbol{x} \\in \\mathbb{R}^d$, $\\boldsymbol{g} \\in \\mathbb{R}^d$ and $\\epsilon > 0$, write\n"
        "$$r = \\sqrt{\\frac{1}{d}\\sum_{k=1}^d x_k^2 + \\epsilon}, \\qquad y_i = \\frac{g_i x_i}{r}.$$\n"
        "The upstream gradient is $\\boldsymbol{\\delta} = \\frac{\\partial L}{\\partial \\boldsymbol{y}}$.\n\n"
        "$$\\frac{\\partial y_i}{\\partial x_j} = \\frac{g_i}{r}\\left(\\delta_{ij} - \\frac{x_i x_j}{d\\,r^2}\\right)$$\n\n"
        "$$\\frac{\\partial L}{\\partial g_i} = \\frac{\\delta_i x_i}{r}$$\n\n"
        "$$\\frac{\\partial L}{\\partial g_i} = \\delta_i x_i$$\n"))
    _assert(v, {
        "\\frac{\\partial y_i}{\\partial x_j} = \\frac{g_i}{r}\\left(\\delta_{ij} - \\frac{x_i x_j}{d\\,r^2}\\right)": TRUE,
        "\\frac{\\partial L}{\\partial g_i} = \\frac{\\delta_i x_i}{r}": TRUE,
        "\\frac{\\partial L}{\\partial g_i} = \\delta_i x_i": "refuted",
    })


def test_gradients_through_a_defined_variable_and_of_a_log_density(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $\\mathbf{x}, \\boldsymbol\\mu \\in \\mathbb{R}^d$ and define "
        "$\\phi(\\mathbf{x}) = e^{-\\frac{1}{2}\\|\\mathbf{x} - \\boldsymbol\\mu\\|^2}$.\n\n"
        "$$\\nabla_{\\boldsymbol\\mu} \\log \\phi(\\mathbf{x}) = \\mathbf{x} - \\boldsymbol\\mu$$\n\n"
        "$$\\nabla_{\\boldsymbol\\mu} \\log \\phi(\\mathbf{x}) = \\boldsymbol\\mu - \\mathbf{x}$$\n\n"
        "$$\\nabla^2_{\\boldsymbol\\mu} \\log \\phi(\\mathbf{x}) = -I$$\n\n"
        "Let $W \\in \\mathbb{R}^{K \\times d}$ and $\\mathbf{b} \\in \\mathbb{R}^K$, define "
        "$\\mathbf{z} = W\\mathbf{x} + \\mathbf{b}$ and $L = \\log\\sum_{j=1}^K e^{z_j}$, and $p_k = e^{z_k - L}$.\n\n"
        "$$\\nabla_{\\mathbf{z}} L = \\mathbf{p}$$\n\n"
        "$$\\nabla^2_{\\mathbf{z}} L = \\operatorname{diag}(\\mathbf{p}) - \\mathbf{p}\\mathbf{p}^\\top$$\n\n"
        "$$\\frac{\\partial L}{\\partial W} = \\mathbf{p}\\mathbf{x}^\\top$$\n\n"
        "$$\\frac{\\partial L}{\\partial W} = \\mathbf{x}\\mathbf{p}^\\top$$\n"))
    _assert(v, {
        "\\nabla_{\\boldsymbol\\mu} \\log \\phi(\\mathbf{x}) = \\mathbf{x} - \\boldsymbol\\mu": TRUE,
        "\\nabla_{\\boldsymbol\\mu} \\log \\phi(\\mathbf{x}) = \\boldsymbol\\mu - \\mathbf{x}": "refuted",
        "\\nabla^2_{\\boldsymbol\\mu} \\log \\phi(\\mathbf{x}) = -I": TRUE,
        "\\nabla_{\\mathbf{z}} L = \\mathbf{p}": TRUE,
        "\\nabla^2_{\\mathbf{z}} L = \\operatorname{diag}(\\mathbf{p}) - \\mathbf{p}\\mathbf{p}^\\top": TRUE,
        "\\frac{\\partial L}{\\partial W} = \\mathbf{p}\\mathbf{x}^\\top": TRUE,
        # the transpose: d x K beside K x d (refuted on values where K = d, on shapes elsewhere)
        "\\frac{\\partial L}{\\partial W} = \\mathbf{x}\\mathbf{p}^\\top": ("refuted", "undecided"),
    })


LAYOUT = (
    "{convention}Let $A \\in \\mathbb{{R}}^{{m \\times n}}$ and $\\mathbf{{x}} \\in \\mathbb{{R}}^n$, and define "
    "$\\mathbf{{y}} = \\tanh(A\\mathbf{{x}})$.\n\n"
    "$$\\frac{{\\partial \\mathbf{{y}}}}{{\\partial \\mathbf{{x}}}} = \\operatorname{{diag}}(\\mathbf{{1}} - \\mathbf{{y}} \\odot \\mathbf{{y}}) A$$\n\n"
    "$$\\frac{{\\partial \\mathbf{{y}}}}{{\\partial \\mathbf{{x}}}} = A^\\top \\operatorname{{diag}}(\\mathbf{{1}} - \\mathbf{{y}} \\odot \\mathbf{{y}})$$\n\n"
    "$$\\frac{{\\partial \\mathbf{{y}}}}{{\\partial \\mathbf{{x}}}} = A^\\top$$\n"
)
ROWS = "\\frac{\\partial \\mathbf{y}}{\\partial \\mathbf{x}} = \\operatorname{diag}(\\mathbf{1} - \\mathbf{y} \\odot \\mathbf{y}) A"
COLUMNS = "\\frac{\\partial \\mathbf{y}}{\\partial \\mathbf{x}} = A^\\top \\operatorname{diag}(\\mathbf{1} - \\mathbf{y} \\odot \\mathbf{y})"
NEITHER = "\\frac{\\partial \\mathbf{y}}{\\partial \\mathbf{x}} = A^\\top"


@pytest.mark.parametrize("convention, expected", [
    # no layout stated: a row per output is the default; the other layout's form is not refuted
    ("", {ROWS: TRUE, COLUMNS: "undecided", NEITHER: "refuted"}),
    ("We use the numerator layout. ", {ROWS: TRUE, COLUMNS: "refuted", NEITHER: "refuted"}),
    ("We use the denominator layout: the Jacobian has one column per output. ",
     {ROWS: "refuted", COLUMNS: TRUE, NEITHER: "refuted"}),
])
def test_the_documents_stated_jacobian_layout_wins(tmp_path, convention, expected):
    _assert(_verdicts(tmp_path, LAYOUT.format(convention=convention)), expected)


def test_structure_words_that_name_a_relation_or_a_part_do_not_block(tmp_path):
    # "orthogonal to", "every diagonal entry of": no matrix is said to be orthogonal or diagonal,
    # so a false claim about a general A stays refuted
    v = _verdicts(tmp_path, (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf{x} \\in \\mathbb{R}^n$. The residual is almost "
        "orthogonal to the input, and every diagonal entry of $A$ is free.\n\n"
        "$$(A + A^\\top)\\mathbf{x} = 2A\\mathbf{x}$$\n\n"
        "$$\\mathbf{x}^\\top (A + A^\\top)\\mathbf{x} = 2\\mathbf{x}^\\top A\\mathbf{x}$$\n"))
    _assert(v, {
        "(A + A^\\top)\\mathbf{x} = 2A\\mathbf{x}": "refuted",
        "\\mathbf{x}^\\top (A + A^\\top)\\mathbf{x} = 2\\mathbf{x}^\\top A\\mathbf{x}": TRUE,
    })
