"""Notation of machine-learning notes (derive/claims/mlops.py and the parser rows it needs).

Each document below is written for this test, in letters the fixtures do not use.  The expected
verdicts were worked out by hand from the mathematics before the checker ran: "ok" lines are
identities or inequalities that hold (proved or verified), "refuted" lines fail on generic values,
"undecided" lines cannot be judged honestly (a size nobody declares, a density nobody models).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sympy as sp

from derive.claims.latex_parser import ParseError, parse, to_text
from derive.commands.check import check_paths

OK = ("verified", "proved")


def _check(tmp_path: Path, text: str) -> dict[str, dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return {c["latex"]: c for c in check_paths([str(doc)], progress=False)["claims"]}


def _expect(claims: dict[str, dict], want: dict[str, str]) -> None:
    got = {}
    for latex, verdict in want.items():
        assert latex in claims, (latex, list(claims))
        status = claims[latex]["status"]
        ok = status in OK if verdict == "ok" else status == verdict
        if not ok:
            got[latex] = (verdict, status, claims[latex]["reason"])
    assert not got, got


# --- 1. ReLU, max(0, s) and indicator vectors -------------------------------------------------------

RELU = r"""# A ReLU layer

Let $z \in \mathbb{R}^k$, $V \in \mathbb{R}^{k \times p}$ and $u \in \mathbb{R}^p$.

$$\operatorname{ReLU}(z) - \operatorname{ReLU}(-z) = z$$

$$\mathrm{relu}(z) = \max(0, z)$$

$$\max(z, 0) + \min(z, 0) = z$$

$$\operatorname{ReLU}(z) = \mathbf{1}\{z > 0\} \odot z$$

$$\operatorname{ReLU}(z) = \operatorname{diag}(\mathbb{1}[z > 0])\, z$$

$$\operatorname{ReLU}(z) = z$$

$$\max(0, z) = \min(0, z)$$

Let $g = \operatorname{ReLU}(V u)$ and $J = \mathbf{1}^\top g$.

$$\nabla_u J = V^\top \operatorname{diag}(\mathbb{1}[V u > 0])\, \mathbf{1}$$

$$\nabla_u J = V^\top \operatorname{diag}(\mathbb{1}[V u < 0])\, \mathbf{1}$$
"""


def test_relu_spellings_and_elementwise_max_and_indicators(tmp_path):
    claims = _check(tmp_path, RELU)
    _expect(claims, {
        r"\operatorname{ReLU}(z) - \operatorname{ReLU}(-z) = z": "ok",
        r"\mathrm{relu}(z) = \max(0, z)": "ok",
        r"\max(z, 0) + \min(z, 0) = z": "ok",
        r"\operatorname{ReLU}(z) = \mathbf{1}\{z > 0\} \odot z": "ok",
        r"\operatorname{ReLU}(z) = \operatorname{diag}(\mathbb{1}[z > 0])\, z": "ok",
        r"\operatorname{ReLU}(z) = z": "refuted",  # fails at any negative entry
        r"\max(0, z) = \min(0, z)": "refuted",
        # J = sum_i relu((Vu)_i): its gradient keeps the rows where (Vu)_i > 0
        r"\nabla_u J = V^\top \operatorname{diag}(\mathbb{1}[V u > 0])\, \mathbf{1}": "ok",
        r"\nabla_u J = V^\top \operatorname{diag}(\mathbb{1}[V u < 0])\, \mathbf{1}": "refuted",
    })


def test_an_equality_indicator_of_vectors_is_not_read_entrywise(tmp_path):
    claims = _check(tmp_path, "Let $y \\in \\mathbb{R}^n$.\n\n$$\\mathbb{1}[y = 0] = 0$$\n")
    assert claims[r"\mathbb{1}[y = 0] = 0"]["status"] == "undecided"


# --- 2. Kronecker products and vec ------------------------------------------------------------------

KRON = r"""# Vectorisation

Let $M \in \mathbb{R}^{a \times b}$, $Y \in \mathbb{R}^{b \times c}$ and $N \in \mathbb{R}^{c \times e}$.

$$\operatorname{vec}(M Y N) = (N^\top \otimes M)\,\operatorname{vec}(Y)$$

$$\mathrm{vec}(M Y) = (I_c \otimes M)\,\mathrm{vec}(Y)$$

$$\operatorname{vec}(Y N) = (N^\top \otimes I_b) \operatorname{vec}(Y)$$

$$(M \otimes N)^\top = M^\top \otimes N^\top$$

Let $S, T, Z \in \mathbb{R}^{q \times q}$.

$$\operatorname{tr}(S^\top S \otimes T^\top T) = \lVert S \rVert_F^2 \lVert T \rVert_F^2$$

$$\operatorname{vec}(S Z T) = (S \otimes T^\top) \operatorname{vec}(Z)$$

$$\operatorname{tr}(S \otimes T) = \operatorname{tr}(S) + \operatorname{tr}(T)$$

$$S \otimes T = T \otimes S$$

$$(F \otimes G)^\top = G^\top \otimes F^\top$$
"""


def test_kronecker_products_and_vec(tmp_path):
    claims = _check(tmp_path, KRON)
    _expect(claims, {
        r"\operatorname{vec}(M Y N) = (N^\top \otimes M)\,\operatorname{vec}(Y)": "ok",
        r"\mathrm{vec}(M Y) = (I_c \otimes M)\,\mathrm{vec}(Y)": "ok",
        r"\operatorname{vec}(Y N) = (N^\top \otimes I_b) \operatorname{vec}(Y)": "ok",
        r"(M \otimes N)^\top = M^\top \otimes N^\top": "ok",
        # the factors written side by side are one operand: tr(A ⊗ B) = tr A tr B
        r"\operatorname{tr}(S^\top S \otimes T^\top T) = \lVert S \rVert_F^2 \lVert T \rVert_F^2": "ok",
        r"\operatorname{vec}(S Z T) = (S \otimes T^\top) \operatorname{vec}(Z)": "refuted",  # the factors swapped
        r"\operatorname{tr}(S \otimes T) = \operatorname{tr}(S) + \operatorname{tr}(T)": "refuted",
        r"S \otimes T = T \otimes S": "refuted",
        # no size is declared for F and G: the product's size is not known, nothing is refuted
        r"(F \otimes G)^\top = G^\top \otimes F^\top": "undecided",
    })


def test_otimes_groups_the_factors_written_side_by_side():
    assert to_text(parse(r"A^\top A \otimes B C")) == "mul[kron](mul[juxt](transpose(A),A),mul[juxt](B,C))"
    assert to_text(parse(r"\operatorname{vec}(X)")) == r"call(func[\vec](),X)"
    assert to_text(parse(r"\vec{x}")) == "x"  # the accent keeps its meaning


# --- 3. norms ---------------------------------------------------------------------------------------

NORMS = r"""# Norms

Let $a, b \in \mathbb{R}^m$ and $C \in \mathbb{R}^{m \times m}$.

$$\lVert a - b \rVert^2 = \lVert a \rVert^2 - 2 a^\top b + \lVert b \rVert^2$$

$$\left\lVert a \right\rVert_2^2 = a^\top a$$

$$\Vert C \Vert_F^2 = \operatorname{tr}(C C^\top)$$

$$\lVert a \rVert_\infty \le \lVert a \rVert_1$$

$$\lvert a^\top b \rvert \le \lVert a \rVert \lVert b \rVert$$

$$\lVert a + b \rVert = \lVert a \rVert + \lVert b \rVert$$

$$\lVert a \rVert_1 = \lVert a \rVert_2$$
"""


def test_lvert_rvert_and_vert_norms(tmp_path):
    claims = _check(tmp_path, NORMS)
    _expect(claims, {
        r"\lVert a - b \rVert^2 = \lVert a \rVert^2 - 2 a^\top b + \lVert b \rVert^2": "ok",
        r"\left\lVert a \right\rVert_2^2 = a^\top a": "ok",
        r"\Vert C \Vert_F^2 = \operatorname{tr}(C C^\top)": "ok",
        r"\lVert a \rVert_\infty \le \lVert a \rVert_1": "ok",
        r"\lvert a^\top b \rvert \le \lVert a \rVert \lVert b \rVert": "ok",  # Cauchy-Schwarz
        r"\lVert a + b \rVert = \lVert a \rVert + \lVert b \rVert": "refuted",
        r"\lVert a \rVert_1 = \lVert a \rVert_2": "refuted",
    })


def test_norm_bars_parse():
    assert to_text(parse(r"\lVert x \rVert_\infty")) == "norm[infty](x)"
    assert to_text(parse(r"\left\| x \right\|_2")) == "norm[2](x)"
    assert to_text(parse(r"\lVert x \rVert \lVert y \rVert")) == "mul[juxt](norm(x),norm(y))"
    with pytest.raises(ParseError):
        parse(r"\lVert x")


# --- 4. derivatives by an entry, differentials of functions -----------------------------------------

DERIVATIVES = r"""# Entries and differentials

Let $B \in \mathbb{R}^{p \times p}$, $r \in \mathbb{R}^p$ and $s \in \mathbb{R}^p$. Let $\Theta \in \mathbb{R}^{q \times q}$ be invertible.

Define $h = r^\top B s$.

$$\frac{\partial h}{\partial B_{ij}} = r_i s_j$$

$$\frac{\partial h}{\partial B_{ij}} = r_j s_i$$

$$\mathrm{d}\log\det\Theta = \operatorname{tr}(\Theta^{-1}\,\mathrm{d}\Theta)$$

$$\mathrm{d}\log\det\Theta = \operatorname{tr}(\Theta\,\mathrm{d}\Theta)$$

$$d\operatorname{tr}(\Theta^2) = 2 \operatorname{tr}(\Theta\, d\Theta)$$
"""


def test_derivative_by_a_matrix_entry_and_differentials_of_functions(tmp_path):
    claims = _check(tmp_path, DERIVATIVES)
    _expect(claims, {
        r"\frac{\partial h}{\partial B_{ij}} = r_i s_j": "ok",
        r"\frac{\partial h}{\partial B_{ij}} = r_j s_i": "refuted",
        r"\mathrm{d}\log\det\Theta = \operatorname{tr}(\Theta^{-1}\,\mathrm{d}\Theta)": "ok",
        r"\mathrm{d}\log\det\Theta = \operatorname{tr}(\Theta\,\mathrm{d}\Theta)": "refuted",
        r"d\operatorname{tr}(\Theta^2) = 2 \operatorname{tr}(\Theta\, d\Theta)": "ok",
    })


def test_a_d_before_a_function_is_a_differential():
    assert to_text(parse(r"\mathrm{d}\log\det X")) == r"differential(call(func[\log](),call(func[\det](),X)))"
    # with a space, only where the statement writes another differential
    assert to_text(parse(r"d \log \det X = \operatorname{tr}(X^{-1} dX)")).startswith("chain((differential(")
    assert to_text(parse(r"d \log x")) == r"mul[juxt](d,call(func[\log](),x))"


# --- 5. integer declarations ------------------------------------------------------------------------

INTEGERS = r"""# Integers

Let $j \in \mathbb{Z}_{>0}$ and $q \in \mathbb{N}$.

$$\sin(j \pi) = 0$$

$$\cos(2 \pi q) = 1$$

$$\sum_{r=1}^{q} r^3 = \frac{q^2 (q+1)^2}{4}$$

$$\sum_{r=1}^{q} r^3 = \frac{q^2 (q+1)^2}{2}$$
"""


def test_names_declared_in_n_or_z_are_integers(tmp_path):
    claims = _check(tmp_path, INTEGERS)
    _expect(claims, {
        r"\sin(j \pi) = 0": "ok",
        r"\cos(2 \pi q) = 1": "ok",
        r"\sum_{r=1}^{q} r^3 = \frac{q^2 (q+1)^2}{4}": "ok",
        r"\sum_{r=1}^{q} r^3 = \frac{q^2 (q+1)^2}{2}": "refuted",  # 1 != 2 at q = 1
    })


# --- 6. families of vectors -------------------------------------------------------------------------

FAMILY = r"""# A Gram matrix

Let $v_1, \dots, v_N \in \mathbb{R}^k$, $w \in \mathbb{R}^k$ and $G = \sum_{t=1}^N v_t v_t^\top$.

$$w^\top G w = \sum_{t=1}^N (v_t^\top w)^2$$

$$\operatorname{tr}(G) = \sum_{t=1}^N \lVert v_t \rVert^2$$

$$\operatorname{tr}(G) = N \lVert v_1 \rVert^2$$
"""


def test_members_of_a_family_are_different_vectors(tmp_path):
    claims = _check(tmp_path, FAMILY)
    _expect(claims, {
        r"w^\top G w = \sum_{t=1}^N (v_t^\top w)^2": "ok",
        r"\operatorname{tr}(G) = \sum_{t=1}^N \lVert v_t \rVert^2": "ok",
        r"\operatorname{tr}(G) = N \lVert v_1 \rVert^2": "refuted",  # true only if every v_t had v_1's norm
    })


# --- 7. iid draws and data sets ---------------------------------------------------------------------

DRAWS = r"""# Draws

Let $g_1, \dots, g_K \overset{\text{iid}}{\sim} \mathcal{N}(0, 1)$.

$$\mathbb{E}[g_1^2] = 1$$

$$\mathbb{E}[(g_1 + g_2)^2] = 2$$

$$\mathbb{E}[g_1 g_2] = 1$$

Suppose $(a_i, b_i)_{i=1}^K \stackrel{\text{iid}}{\sim} P$ with $a_i \in \mathbb{R}^k$, $b_i \in \mathbb{R}$ and $\theta \in \mathbb{R}^k$.

The risk is $R(\theta) = \frac{1}{K} \sum_{i=1}^K (b_i - \theta^\top a_i)^2$.

$$\nabla R(\theta) = -\frac{2}{K} \sum_{i=1}^K (b_i - \theta^\top a_i) a_i$$

$$\nabla R(\theta) = \frac{2}{K} \sum_{i=1}^K (b_i - \theta^\top a_i) a_i$$
"""


def test_iid_annotations_and_data_sets(tmp_path):
    claims = _check(tmp_path, DRAWS)
    _expect(claims, {
        r"\mathbb{E}[g_1^2] = 1": "ok",
        r"\mathbb{E}[(g_1 + g_2)^2] = 2": "ok",  # independent members
        r"\mathbb{E}[g_1 g_2] = 1": "refuted",
        r"\nabla R(\theta) = -\frac{2}{K} \sum_{i=1}^K (b_i - \theta^\top a_i) a_i": "ok",
        r"\nabla R(\theta) = \frac{2}{K} \sum_{i=1}^K (b_i - \theta^\top a_i) a_i": "refuted",
    })
    assert claims[r"g_1, \dots, g_K \overset{\text{iid}}{\sim} \mathcal{N}(0, 1)"]["status"] == "assumed"
    assert claims[r"(a_i, b_i)_{i=1}^K \stackrel{\text{iid}}{\sim} P"]["status"] == "assumed"


def test_annotated_relations_are_the_relation():
    assert to_text(parse(r"x \overset{\text{iid}}{\sim} p")) == "chain((x,p),(sim))"
    assert to_text(parse(r"f \stackrel{\mathrm{def}}{=} 1")) == "chain((f,1),(:=))"  # a definition
    assert to_text(parse(r"f \overset{?}{=} 1")) == "chain((f,1),(=))"
    assert to_text(parse(r"\{(x_i, y_i)\}_{i=1}^n")) == "collection(set(tuple[()](x_{i},y_{i})),i,1,n)"


# --- 8. conditional densities -----------------------------------------------------------------------

def test_conditional_densities_parse_and_stay_undecided(tmp_path):
    claims = _check(tmp_path, "# VAE\n\n$$\\log q_\\psi(u \\mid v) = \\log q_\\psi(u, v) - \\log q_\\psi(v)$$\n\n"
                              "$$p(y | x) = 1$$\n")
    first = claims[r"\log q_\psi(u \mid v) = \log q_\psi(u, v) - \log q_\psi(v)"]
    assert first["status"] == "undecided" and "conditional density" in first["reason"]
    assert claims["p(y | x) = 1"]["status"] == "undecided"
    assert to_text(parse(r"p_\theta(x \mid z, w)")) == r"density(p_{\theta},(x),(z,w))"
    assert to_text(parse(r"f(|x|)")) == "apply(f,abs(x))"  # two bars: an absolute value, no conditioning


# --- 9. slowly converging limits are cut short ------------------------------------------------------

def test_a_logarithmic_limit_is_undecided_quickly():
    from derive.claims.nodes import Limit
    from derive.numeric import EvaluationError, evaluate

    m = sp.Symbol("m_lim", integer=True)
    start = time.monotonic()
    with pytest.raises(EvaluationError, match="did not settle"):
        evaluate(Limit(1 / sp.log(m), m, sp.oo), {})
    assert time.monotonic() - start < 5
    assert abs(evaluate(Limit((1 + 1 / m) ** m, m, sp.oo), {}) - sp.E.evalf(30)) < 1e-30


RUN = r"""# Samples

Samples $h_j \in \mathbb{R}^e$ for $j = 1, \dots, M$, and $c \in \mathbb{R}^e$.

$$\sum_j (c^\top h_j)^2 = c^\top \Big(\sum_j h_j h_j^\top\Big) c$$

$$\sum_j (c^\top h_j)^2 = M (c^\top h_1)^2$$
"""


def test_a_member_declared_with_its_index_range_makes_a_family(tmp_path):
    # "h_j ∈ R^e for j = 1, …, M": the family h_1, …, h_M, so a \sum_j without limits runs over it
    claims = _check(tmp_path, RUN)
    _expect(claims, {
        r"\sum_j (c^\top h_j)^2 = c^\top \Big(\sum_j h_j h_j^\top\Big) c": "ok",
        r"\sum_j (c^\top h_j)^2 = M (c^\top h_1)^2": "refuted",
    })


@pytest.mark.parametrize("src", [r"A^\top A \otimes B C", r"\lVert x \rVert_\infty", r"p_\theta(x \mid z, w) = 1",
                                 r"\{(x_i, y_i)\}_{i=1}^n", r"\mathrm{d}\log\det X", r"\operatorname{vec}(X)",
                                 r"x \overset{\text{iid}}{\sim} \mathcal{N}(0, 1)"])
def test_the_new_notation_prints_back(src):
    from derive.emit.tree_latex import tree_latex

    tree = parse(src)
    assert to_text(parse(tree_latex(tree))) == to_text(tree)


HINGE = r"""# Hinge loss

Let $\beta, \phi \in \mathbb{R}^q$ and $\tau \in \mathbb{R}$. Let $\ell = \max(0, 1 - \tau\, \beta^\top \phi)$.

$$\nabla_\beta \ell = -\tau\, \phi\, \mathbb{1}[\tau\, \beta^\top \phi < 1]$$

$$\nabla_\beta \ell = -\tau\, \phi$$
"""


def test_a_kink_that_small_draws_never_cross_is_checked_across_magnitudes(tmp_path):
    # with entries in (-1, 1), |τ βᵀφ| < 1 on every small draw: only larger draws reach the flat part
    claims = _check(tmp_path, HINGE)
    _expect(claims, {
        r"\nabla_\beta \ell = -\tau\, \phi\, \mathbb{1}[\tau\, \beta^\top \phi < 1]": "ok",
        r"\nabla_\beta \ell = -\tau\, \phi": "refuted",
    })
