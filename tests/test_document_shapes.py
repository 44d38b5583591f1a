"""Shapes inferred across a document, and derivatives taken through its definitions.

Each document is small, in notation of its own, and each expected verdict was written from the
mathematics before the checker ran on it: a true statement must end verified or proved, a false
one refuted, and where refuting would be unsound (a statement formed only in a special case that
holds there) it must stay undecided.
"""

from __future__ import annotations

from pathlib import Path

from derive.claims.structure import scalars_stated
from derive.commands.check import check_paths

TRUE = ("verified", "proved")


def _verdicts(tmp_path: Path, text: str) -> dict[str, dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return {c["latex"]: c for c in check_paths([str(doc)], progress=False)["claims"]}


def _assert(verdicts: dict[str, dict], expected: dict[str, str | tuple[str, ...]]) -> None:
    for latex, want in expected.items():
        assert latex in verdicts, (latex, sorted(verdicts))
        got = verdicts[latex]["status"]
        ok = got in want if isinstance(want, tuple) else got == want
        assert ok, f"{latex}: {got} ({verdicts[latex].get('reason')}), expected {want}"


# --- 1. "a scalar offset $c_0$": the prose fixes a name's shape ------------------------------------

def test_prose_declares_a_scalar():
    assert [n.value for n in scalars_stated("and a scalar offset $c_0$.")] == ["c"]
    assert [n.value for n in scalars_stated("where $\\gamma$ is a scalar")] == ["\\gamma"]
    assert [n.value for n in scalars_stated("two scalars $a, b$ here")] == ["a", "b"]
    assert scalars_stated("a scalar function $f$ of two variables") == []
    assert scalars_stated("a scalar product $\\langle u, v \\rangle$") == []


_AFFINE = (
    "Let $\\mathbf{u} \\in \\mathbb{R}^p$, $V \\in \\mathbb{R}^{q \\times p}$, $\\mathbf{r} \\in \\mathbb{R}^q$ "
    "and a scalar offset $c_0$. Define\n"
    "$$g = \\mathbf{r}^\\top V \\mathbf{u} + c_0, \\qquad J = \\frac{1}{2} g^2.$$\n\n"
)


def test_derivative_by_a_scalar_the_prose_declares(tmp_path):
    v = _verdicts(tmp_path, _AFFINE + "Then $$\\frac{\\partial J}{\\partial c_0} = g$$ and "
                  "$$\\frac{\\partial J}{\\partial c_0} = 2g.$$\n")
    # J = g²/2 and ∂g/∂c_0 = 1, so ∂J/∂c_0 = g; 2g differs wherever g ≠ 0
    _assert(v, {"\\frac{\\partial J}{\\partial c_0} = g": TRUE,
                "\\frac{\\partial J}{\\partial c_0} = 2g": "refuted"})


# --- 2. two declared sizes meet: judged in the only case where the statement is formed -------------

def test_a_product_formed_only_when_sizes_agree_is_judged_there(tmp_path):
    v = _verdicts(tmp_path, _AFFINE + (
        "The gradient in the input is $$\\frac{\\partial J}{\\partial \\mathbf{u}} = g\\,V^\\top \\mathbf{r}.$$\n\n"
        "Some write $$\\frac{\\partial J}{\\partial \\mathbf{u}} = g\\,V \\mathbf{r}.$$\n\n"
        "Also $$\\operatorname{tr}(V) = \\operatorname{tr}(V^\\top).$$\n"))
    # ∂J/∂u = g ∂g/∂u = g Vᵀr.  V r (q x p times q) is formed only when p = q, and then V r ≠ Vᵀ r for
    # a general V: refuted.  tr(V) is formed only when p = q, and then tr(V) = tr(Vᵀ) holds: that is
    # no refutation, and no proof of a statement about a q x p matrix either
    _assert(v, {"\\frac{\\partial J}{\\partial \\mathbf{u}} = g\\,V^\\top \\mathbf{r}": TRUE,
                "\\frac{\\partial J}{\\partial \\mathbf{u}} = g\\,V \\mathbf{r}": "refuted",
                "\\operatorname{tr}(V) = \\operatorname{tr}(V^\\top)": "undecided"})
    assert "p = q" in v["\\frac{\\partial J}{\\partial \\mathbf{u}} = g\\,V \\mathbf{r}"]["reason"].replace("q = p", "p = q")


def test_sizes_the_document_relates_are_not_merged(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $\\mathbf{u} \\in \\mathbb{R}^p$, $V \\in \\mathbb{R}^{q \\times p}$, $\\mathbf{r} \\in \\mathbb{R}^q$ "
        "with $q > p$. Define $g = \\mathbf{r}^\\top V \\mathbf{u}$.\n\n"
        "$$\\frac{\\partial g}{\\partial \\mathbf{u}} = V \\mathbf{r}$$\n"))
    # q > p is stated: the case p = q is not the document's, so the shapes only are reported
    _assert(v, {"\\frac{\\partial g}{\\partial \\mathbf{u}} = V \\mathbf{r}": "undecided"})


# --- 3. a lower-case Greek name subtracted from a vector is a vector --------------------------------

def test_greek_name_beside_a_vector_is_a_vector(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $\\mathbf{v} \\in \\mathbb{R}^k$ and $M \\in \\mathbb{R}^{k \\times k}$.\n\n"
        "$$\\nabla_{\\mathbf{v}} \\left((\\mathbf{v} - \\boldsymbol\\theta)^\\top M (\\mathbf{v} - \\boldsymbol\\theta)\\right)"
        " = (M + M^\\top)(\\mathbf{v} - \\boldsymbol\\theta)$$\n\n"
        "$$\\nabla_{\\mathbf{v}} \\left((\\mathbf{v} - \\boldsymbol\\theta)^\\top M (\\mathbf{v} - \\boldsymbol\\theta)\\right)"
        " = 2M(\\mathbf{v} - \\boldsymbol\\theta)$$\n"))
    # the gradient of a quadratic form is (M + Mᵀ)(v - θ); 2M(v - θ) only for a symmetric M
    _assert(v, {
        "\\nabla_{\\mathbf{v}} \\left((\\mathbf{v} - \\boldsymbol\\theta)^\\top M (\\mathbf{v} - \\boldsymbol\\theta)\\right)"
        " = (M + M^\\top)(\\mathbf{v} - \\boldsymbol\\theta)": TRUE,
        "\\nabla_{\\mathbf{v}} \\left((\\mathbf{v} - \\boldsymbol\\theta)^\\top M (\\mathbf{v} - \\boldsymbol\\theta)\\right)"
        " = 2M(\\mathbf{v} - \\boldsymbol\\theta)": "refuted"})


# --- 4. ∂F/∂ω with ω defined from ρ: the chain rule through the definition -------------------------

def test_derivative_by_a_new_coordinate(tmp_path):
    v = _verdicts(tmp_path, (
        "For $\\rho > 0$ let $F = \\rho^2 - 2\\log\\rho$ and use the coordinate $\\omega = \\log\\rho$.\n\n"
        "$$\\frac{\\partial F}{\\partial \\omega} = 2\\rho^2 - 2$$\n\n"
        "$$\\frac{\\partial F}{\\partial \\omega} = 2\\rho - \\frac{2}{\\rho}$$\n"))
    # dF/dρ = 2ρ - 2/ρ and dω/dρ = 1/ρ, so dF/dω = ρ (2ρ - 2/ρ) = 2ρ² - 2; the second is dF/dρ
    _assert(v, {"\\frac{\\partial F}{\\partial \\omega} = 2\\rho^2 - 2": TRUE,
                "\\frac{\\partial F}{\\partial \\omega} = 2\\rho - \\frac{2}{\\rho}": "refuted"})


# --- 5. ∇f at an iterate, and x^* as a name ----------------------------------------------------------

def test_gradient_at_an_iterate_of_a_recurrence(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $Q \\in \\mathbb{R}^{k \\times k}$, $\\mathbf{c} \\in \\mathbb{R}^k$ and "
        "$$f(\\mathbf{z}) = \\frac{1}{2}\\mathbf{z}^\\top Q \\mathbf{z} - \\mathbf{c}^\\top \\mathbf{z}.$$\n"
        "The iteration is $\\mathbf{z}_{n+1} = \\mathbf{z}_n - \\gamma \\nabla f(\\mathbf{z}_n)$ for $n \\ge 0$. Then\n"
        "$$\\mathbf{z}_{n+1} = \\mathbf{z}_n - \\frac{\\gamma}{2}(Q + Q^\\top)\\mathbf{z}_n + \\gamma \\mathbf{c}$$\n\n"
        "$$\\mathbf{z}_{n+1} = \\mathbf{z}_n - \\gamma Q^\\top Q\\mathbf{z}_n + \\gamma \\mathbf{c}$$\n"))
    # ∇f(z) = (Q + Qᵀ)z/2 - c
    _assert(v, {
        "\\mathbf{z}_{n+1} = \\mathbf{z}_n - \\frac{\\gamma}{2}(Q + Q^\\top)\\mathbf{z}_n + \\gamma \\mathbf{c}": TRUE,
        "\\mathbf{z}_{n+1} = \\mathbf{z}_n - \\gamma Q^\\top Q\\mathbf{z}_n + \\gamma \\mathbf{c}": "refuted"})


def test_star_superscript_is_part_of_the_name():
    from derive.claims.latex_parser import parse, to_text
    assert to_text(parse("y^*")) == "y^*"
    assert to_text(parse("y^{*}")) == "y^*"
    assert to_text(parse("e_n = y_n - y^*")) == "chain((e_{n},sub(y_{n},y^*)),(=))"


# --- 6. ∂z_n/∂z_{n-1}: one step of the recurrence from a held member --------------------------------

def test_derivative_by_the_previous_member_of_a_recurrence(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $B \\in \\mathbb{R}^{p \\times p}$, $\\mathbf{c} \\in \\mathbb{R}^p$ and $\\mathbf{z}_0$ given; for $n \\ge 1$\n"
        "$$\\mathbf{z}_n = \\tanh(B\\mathbf{z}_{n-1} + \\mathbf{c}).$$\n\n"
        "$$\\frac{\\partial \\mathbf{z}_n}{\\partial \\mathbf{z}_{n-1}} = "
        "\\operatorname{diag}(1 - \\mathbf{z}_n \\odot \\mathbf{z}_n) B$$\n\n"
        "$$\\frac{\\partial \\mathbf{z}_n}{\\partial \\mathbf{z}_{n-1}} = "
        "B\\operatorname{diag}(1 - \\mathbf{z}_n \\odot \\mathbf{z}_n)$$\n"))
    # tanh' = 1 - tanh²: the Jacobian is diag(1 - z_n ⊙ z_n) B, and B diag(·) ≠ diag(·) B in general
    _assert(v, {
        "\\frac{\\partial \\mathbf{z}_n}{\\partial \\mathbf{z}_{n-1}} = "
        "\\operatorname{diag}(1 - \\mathbf{z}_n \\odot \\mathbf{z}_n) B": TRUE,
        "\\frac{\\partial \\mathbf{z}_n}{\\partial \\mathbf{z}_{n-1}} = "
        "B\\operatorname{diag}(1 - \\mathbf{z}_n \\odot \\mathbf{z}_n)": "refuted"})


# --- 7. ∇_θ J for a function the document defines as J(θ) = …, with a bracketed summand ----------

def test_gradient_of_a_defined_function_written_bare(tmp_path):
    v = _verdicts(tmp_path, (
        "We have $m$ pairs $\\mathbf{a}_j \\in \\mathbb{R}^k$ with weights $c_j$ and a parameter "
        "$\\boldsymbol\\theta \\in \\mathbb{R}^k$. Let\n"
        "$$J(\\boldsymbol\\theta) = \\frac{1}{m}\\sum_{j=1}^m \\Big[c_j (\\boldsymbol\\theta^\\top \\mathbf{a}_j)^2"
        " + \\boldsymbol\\theta^\\top \\mathbf{a}_j\\Big].$$\n"
        "Then\n"
        "$$\\nabla_{\\boldsymbol\\theta} J = \\frac{1}{m}\\sum_{j=1}^m \\left(2 c_j \\boldsymbol\\theta^\\top"
        " \\mathbf{a}_j + 1\\right)\\mathbf{a}_j$$\n\n"
        "$$\\nabla_{\\boldsymbol\\theta} J = \\frac{1}{m}\\sum_{j=1}^m \\left(c_j \\boldsymbol\\theta^\\top"
        " \\mathbf{a}_j + 1\\right)\\mathbf{a}_j$$\n"))
    # d/dθ [c (θᵀa)² + θᵀa] = (2c θᵀa + 1) a; the second drops the 2
    _assert(v, {
        "\\nabla_{\\boldsymbol\\theta} J = \\frac{1}{m}\\sum_{j=1}^m \\left(2 c_j \\boldsymbol\\theta^\\top"
        " \\mathbf{a}_j + 1\\right)\\mathbf{a}_j": TRUE,
        "\\nabla_{\\boldsymbol\\theta} J = \\frac{1}{m}\\sum_{j=1}^m \\left(c_j \\boldsymbol\\theta^\\top"
        " \\mathbf{a}_j + 1\\right)\\mathbf{a}_j": "refuted"})


def test_bracket_after_a_sum_is_its_summand():
    from derive.claims.latex_parser import parse, to_text
    assert to_text(parse("\\sum_{j=1}^m \\Big[u_j + 1\\Big]")) == "sum(paren[[](add(u_{j},1)),j,1,m)"
    assert to_text(parse("\\sum_{j=1}^m [u_j + 1] v_j")) == "sum(mul[juxt](paren[[](add(u_{j},1)),v_{j}),j,1,m)"


# --- 8. entries defined over a family make a vector as long as the statement makes it --------------

def test_entries_over_a_family_take_their_length_from_the_statement(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $\\boldsymbol\\theta \\in \\mathbb{R}^k$, vectors $\\mathbf{a}_j \\in \\mathbb{R}^k$ and "
        "$\\mathbf{b} \\in \\mathbb{R}^m$. Define $u_j = \\tanh(\\boldsymbol\\theta^\\top \\mathbf{a}_j)$.\n\n"
        "$$\\mathbf{b}^\\top \\mathbf{u} = \\sum_{j=1}^m b_j \\tanh(\\boldsymbol\\theta^\\top \\mathbf{a}_j)$$\n\n"
        "$$\\mathbf{b}^\\top \\mathbf{u} = 2\\,\\mathbf{u}^\\top \\mathbf{b}$$\n"))
    # bᵀu = Σ_j b_j u_j with u_j = tanh(θᵀa_j); bᵀu = 2 uᵀb only where bᵀu = 0
    _assert(v, {
        "\\mathbf{b}^\\top \\mathbf{u} = \\sum_{j=1}^m b_j \\tanh(\\boldsymbol\\theta^\\top \\mathbf{a}_j)": TRUE,
        "\\mathbf{b}^\\top \\mathbf{u} = 2\\,\\mathbf{u}^\\top \\mathbf{b}": "refuted"})


# --- 9. "write $q$ for its density" after a normal variable: the density, differentiated ------------

def test_density_named_in_prose_is_the_normal_density(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $\\mathbf{y} \\in \\mathbb{R}^k$ and $\\mathbf{y} \\sim \\mathcal{N}(\\mathbf{m}, S)$ with $S$ symmetric "
        "positive definite, and write $q$ for its density. Then\n"
        "$$\\nabla_{\\mathbf{m}} \\log q(\\mathbf{y}) = S^{-1}(\\mathbf{y} - \\mathbf{m})$$\n\n"
        "$$\\nabla_{\\mathbf{m}} \\log q(\\mathbf{y}) = S^{-1}(\\mathbf{m} - \\mathbf{y})$$\n"))
    # log q(y) = -½(y - m)ᵀS⁻¹(y - m) - ½ log det(2πS): its gradient in m is S⁻¹(y - m) for symmetric S
    _assert(v, {"\\nabla_{\\mathbf{m}} \\log q(\\mathbf{y}) = S^{-1}(\\mathbf{y} - \\mathbf{m})": TRUE,
                "\\nabla_{\\mathbf{m}} \\log q(\\mathbf{y}) = S^{-1}(\\mathbf{m} - \\mathbf{y})": "refuted"})


def test_density_of_a_scalar_normal(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $t \\in \\mathbb{R}$ with $t \\sim \\mathcal{N}(a, b)$, $b > 0$, and let $g$ denote its density.\n\n"
        "$$\\log g(t) = -\\frac{(t - a)^2}{2b} - \\frac{1}{2}\\log(2\\pi b)$$\n\n"
        "$$\\log g(t) = -\\frac{(t - a)^2}{2b} - \\log(2\\pi b)$$\n"))
    # the N(a, b) density is (2πb)^{-1/2} exp(-(t - a)²/(2b))
    _assert(v, {"\\log g(t) = -\\frac{(t - a)^2}{2b} - \\frac{1}{2}\\log(2\\pi b)": TRUE,
                "\\log g(t) = -\\frac{(t - a)^2}{2b} - \\log(2\\pi b)": "refuted"})


# --- 10. a reading that makes c_{1} a scalar reads the family c_i of a sum the same way ------------

def test_member_reading_covers_the_family_a_sum_reads(tmp_path):
    v = _verdicts(tmp_path, (
        "For weights $c_i$ and vectors $\\mathbf{u}_i$,\n\n"
        "$$\\sum_{i=1}^2 c_i \\mathbf{u}_i = c_1\\mathbf{u}_1 + c_2\\mathbf{u}_2$$\n\n"
        "$$\\sum_{i=1}^2 c_i \\mathbf{u}_i = c_1\\mathbf{u}_2 + c_2\\mathbf{u}_1$$\n"))
    _assert(v, {"\\sum_{i=1}^2 c_i \\mathbf{u}_i = c_1\\mathbf{u}_1 + c_2\\mathbf{u}_2": TRUE,
                "\\sum_{i=1}^2 c_i \\mathbf{u}_i = c_1\\mathbf{u}_2 + c_2\\mathbf{u}_1": "refuted"})
    # the weights are scalars and the u_i vectors (not everything scalar)
    assert "except scalar c_{" in v["\\sum_{i=1}^2 c_i \\mathbf{u}_i = c_1\\mathbf{u}_2 + c_2\\mathbf{u}_1"]["scope"]


def test_entries_over_a_family_without_a_length_stay_undecided(tmp_path):
    v = _verdicts(tmp_path, (
        "Let $\\boldsymbol\\theta \\in \\mathbb{R}^k$ and vectors $\\mathbf{a}_j \\in \\mathbb{R}^k$. "
        "Define $u_j = \\tanh(\\boldsymbol\\theta^\\top \\mathbf{a}_j)$ and assume $m \\ge 1$.\n\n"
        "$$\\sum_{j=1}^m u_j = \\mathbf{1}^\\top \\mathbf{u}$$\n"))
    # true when u has the m entries u_1..u_m, but nothing says u has m entries: not refuted
    assert v["\\sum_{j=1}^m u_j = \\mathbf{1}^\\top \\mathbf{u}"]["status"] in ("undecided",) + TRUE
