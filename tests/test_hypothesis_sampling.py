"""Hypotheses that are equations are honoured exactly when sampling: an assumed equation is
solved for one of its names and that name is set from the others' values (derive.claims.equations);
the equation a derivation solves ("= 0" and the lines that rearrange it) is the premise of the
next line.  An equation that cannot be solved safely (an entry read as a scalar of its own beside
its matrix) stays unapplied, so a failing claim is undecided, never refuted.

Expected verdicts were written from the mathematics before the checker ran; the documents use
notation of their own (not the fixtures')."""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from derive.claims.equations import solve_for_one
from derive.claims.judge import Options, judge_document
from derive.claims.reader import read_document


def _verdicts(text: str, tmp_path: Path) -> dict[str, tuple[str, str]]:
    f = tmp_path / "doc.md"
    f.write_text(text)
    out = {}
    for r in judge_document(read_document(f), opts=Options(timeout=20, seed=0, instances=8)):
        out[" ".join(r.latex.split())] = (r.status, r.scope)
    return out


def test_an_assumed_equation_is_solved_and_honoured(tmp_path):
    # with s = t^2 + 1, (s - 1)/t^2 = 1 for every t != 0
    v = _verdicts("# Rescaling\n\nWe work with real numbers $s > 1$ and $t \\ne 0$.\n\n"
                  "Assume $s = t^2 + 1$. Then\n$$\\frac{s - 1}{t^2} = 1.$$\n", tmp_path)
    status, scope = v["\\frac{s - 1}{t^2} = 1"]
    assert status in ("verified", "proved"), scope
    assert "solved for s" in scope


def test_an_equation_on_a_name_the_claim_does_not_use_does_not_block(tmp_path):
    # m = 2^r holds for every r once m is chosen: it says nothing about a claim in r alone.
    # 2^{r+1} = 2^r + 2^r is true; 2^{r+1} = 2^r + 2 fails at r = 2 (8 vs 6)
    v = _verdicts("# Counting levels\n\nThe tree has $m \\ge 1$ leaves and depth $r \\ge 0$. Assume $m = 2^r$.\n\n"
                  "One more level: $2^{r+1} = 2^r + 2^r$.\nA slip: $2^{r+1} = 2^r + 2$.\n", tmp_path)
    assert v["2^{r+1} = 2^r + 2^r"][0] in ("verified", "proved")
    status, scope = v["2^{r+1} = 2^r + 2"]
    assert status == "refuted", scope
    assert "solved for m" in scope


def test_a_stationarity_condition_and_its_rearrangements(tmp_path):
    # -2(a - u) + 2 mu u = 0  <=>  u (1 + mu) = a  <=>  u = a / (1 + mu)  (mu > 0)
    v = _verdicts("# A one-dimensional ridge\n\nWe minimise $(a - u)^2 + \\mu u^2$ over $u$, with $\\mu > 0$. "
                  "At the minimiser assume\n$$-2(a - u) + 2\\mu u = 0.$$\nThen\n$$u(1 + \\mu) = a,$$\nso\n"
                  "$$u = \\frac{a}{1 + \\mu}.$$\nA slip would be\n$$u = \\frac{a}{1 - \\mu}.$$\n", tmp_path)
    assert v["u(1 + \\mu) = a"][0] in ("verified", "proved"), v["u(1 + \\mu) = a"][1]
    assert v["u = \\frac{a}{1 + \\mu}"][0] in ("verified", "proved"), v["u = \\frac{a}{1 + \\mu}"][1]
    # a / (1 - mu) differs from a / (1 + mu) for mu > 0, a != 0: never verified
    assert v["u = \\frac{a}{1 - \\mu}"][0] not in ("verified", "proved")


def test_the_line_before_is_the_premise_of_a_rearrangement(tmp_path):
    # each line is no identity, but follows from the "= 0" line that starts the chain
    v = _verdicts("# Ridge, rearranged\n\nWe minimise $(c - x)^2 + \\nu x^2$ over $x$. Setting the derivative "
                  "to zero,\n$$-2(c - x) + 2\\nu x = 0$$\n$$x + \\nu x = c$$\n$$x(1 + \\nu) = c$$\n"
                  "$$x = \\frac{c}{1 + \\nu}$$\n", tmp_path)
    for latex in ("x + \\nu x = c", "x(1 + \\nu) = c", "x = \\frac{c}{1 + \\nu}"):
        status, scope = v[latex]
        assert status in ("verified", "proved"), (latex, scope)
        assert "the line before" in scope


def test_a_wrong_rearrangement_is_not_verified(tmp_path):
    # x = c / (1 - nu) does not follow from x (1 + nu) = c
    v = _verdicts("# Ridge, with a slip\n\nWe minimise $(c - x)^2 + \\nu x^2$ over $x$. Setting the derivative "
                  "to zero,\n$$-2(c - x) + 2\\nu x = 0$$\n$$x(1 + \\nu) = c$$\n$$x = \\frac{c}{1 - \\nu}$$\n",
                  tmp_path)
    assert v["x(1 + \\nu) = c"][0] in ("verified", "proved")
    assert v["x = \\frac{c}{1 - \\nu}"][0] not in ("verified", "proved")


def test_an_entry_equation_beside_its_matrix_is_not_applied(tmp_path):
    # q_{ij} = 0 read as a scalar of its own says nothing about Q in the claim: never refuted
    # (with Q diagonal, tr(Q^T Q) = sum_i q_ii^2 is true)
    v = _verdicts("# Entries\n\nLet $Q \\in \\mathbb{R}^{n \\times n}$ with $n \\ge 2$ and entries $q_{ij}$. "
                  "For $i \\ne j$ suppose $q_{ij} = 0$.\n\nThen $\\operatorname{tr}(Q^\\top Q) = \\sum_{i=1}^n q_{ii}^2$.\n",
                  tmp_path)
    status, scope = v["\\operatorname{tr}(Q^\\top Q) = \\sum_{i=1}^n q_{ii}^2"]
    assert status != "refuted", scope


def test_solve_for_one_prefers_a_name_the_claim_does_not_use():
    m, r, x = sp.symbols("m r x")
    assert solve_for_one(m, 2**r, {r}, {m, r}) == (m, 2**r)
    # linear once the fraction is cleared: x = c/(1 + nu) for nu
    c, nu = sp.symbols("c nu")
    sym, value = solve_for_one(x, c / (1 + nu), {x, c}, {x, c, nu})
    assert sym == nu and sp.simplify(value - (c - x) / x) == 0
    # a name that is not allowed is never solved for; a square is not linear
    assert solve_for_one(x**2, c, {x, c}, {x}) is None


def test_a_one_hot_vector_is_sampled_one_hot(tmp_path):
    # t one-hot: 1^T t = 1 and t^T t = 1; (t^T t) t = 2 t is false for every one-hot t (t != 0)
    v = _verdicts("# A one-hot target\n\nLet $\\mathbf{g} \\in \\mathbb{R}^n$. Given a one-hot target $\\mathbf{t}$, "
                  "its entries sum to one, $\\mathbf{1}^\\top \\mathbf{t} = 1$, and $\\mathbf{t}^\\top \\mathbf{t} = 1$.\n\n"
                  "A slip: $(\\mathbf{t}^\\top \\mathbf{t})\\,\\mathbf{t} = 2\\mathbf{t}$.\n", tmp_path)
    for latex in ("\\mathbf{1}^\\top \\mathbf{t} = 1", "\\mathbf{t}^\\top \\mathbf{t} = 1"):
        status, scope = v[latex]
        assert status in ("verified", "proved"), (latex, scope)
        assert "onehot" in scope
    assert v["(\\mathbf{t}^\\top \\mathbf{t})\\,\\mathbf{t} = 2\\mathbf{t}"][0] == "refuted"


def test_structure_a_definition_gives_does_not_block(tmp_path):
    # "It is symmetric" after G := a a^T + I: true of every a, so sampling the definition honours it.
    # G B = B G fails for a general B (a = e_1, B = e_1 e_2^T: G B = 2 e_1 e_2^T, B G = e_1 e_2^T)
    v = _verdicts("# Gram plus identity\n\nLet $\\mathbf{a} \\in \\mathbb{R}^n$ and $B \\in \\mathbb{R}^{n \\times n}$. "
                  "Define $G := \\mathbf{a}\\mathbf{a}^\\top + I_n$. It is symmetric.\n\n"
                  "Then $\\operatorname{tr}(G B) = \\operatorname{tr}(B G)$.\n\nA slip: $G B = B G$.\n", tmp_path)
    assert v["\\operatorname{tr}(G B) = \\operatorname{tr}(B G)"][0] in ("verified", "proved")
    status, scope = v["G B = B G"]
    assert status == "refuted", scope


def test_structure_a_definition_does_not_give_stays_unapplied(tmp_path):
    # "H := B + I. It is symmetric" constrains B (B symmetric): H^T = H holds under it, so a
    # failure for a general B is no refutation
    v = _verdicts("# Shifted\n\nLet $B \\in \\mathbb{R}^{n \\times n}$. Define $H := B + I_n$. It is symmetric.\n\n"
                  "Then $H^\\top = H$.\n", tmp_path)
    assert v["H^\\top = H"][0] != "refuted", v["H^\\top = H"][1]


def test_the_roots_of_a_stated_polynomial(tmp_path):
    # w^2 - s w + c = (w - w_1)(w - w_2): w_1 w_2 = c and w_1 + w_2 = s (Vieta); w_1 + w_2 = -s is false
    # for s != 0; w_1 = (s + sqrt(s^2 - 4c))/2 names one root in an order the text does not fix
    v = _verdicts("# A quadratic\n\nLet $s$ and $c$ be real numbers and consider the quadratic $w^2 - s w + c$. "
                  "Its roots $w_1, w_2$ satisfy\n$$w_1 w_2 = c, \\qquad w_1 + w_2 = s.$$\n"
                  "A slip: $w_1 + w_2 = -s$. Another: $w_1 = \\frac{s + \\sqrt{s^2 - 4c}}{2}$.\n", tmp_path)
    for latex in ("w_1 w_2 = c", "w_1 + w_2 = s"):
        status, scope = v[latex]
        assert status in ("verified", "proved"), (latex, scope)
        assert "is a root of" in scope
    assert v["w_1 + w_2 = -s"][0] == "refuted"
    status, scope = v["w_1 = \\frac{s + \\sqrt{s^2 - 4c}}{2}"]
    assert status != "refuted" and "which root is which" in scope, scope
