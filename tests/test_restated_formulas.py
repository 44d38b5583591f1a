"""Formulas a document states again, functions written with fixed parameters, and requirements.

``J(V; Z, \\mu) = ...`` defines J as a function of V with Z and \\mu held fixed (the document's
names): a later ``J(P) = ...`` is a claim about that function, and ``J(V) = ...`` restating the
same formula is verified.  "We want a > b" states a requirement the derivation solves, not an
assertion.

Every expected verdict was computed by hand from the mathematics before the checker ran:
Z = [[1, 2], [3, 4]], so with V = P = I_2, ||Z - P Z||_F^2 = 0 and ||P||_F^2 = 2, J(P) = 2 mu;
with V = Q = diag(1, 0), Z - Q Z = [[0, 0], [3, 4]], whose squared norm is 9 + 16 = 25, and
||Q||_F^2 = 1, so J(Q) = 25 + mu (26 + mu is wrong for every mu).
"""

from derive.claims.latex_parser import parse, to_text
from derive.commands.check import check_paths

FIXED_DOC = r"""# A penalised reconstruction

Data: $Z = \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}$ and a weight $\mu > 0$. The objective is

$$J(V; Z, \mu) = \|Z - VZ\|_F^2 + \mu \|V\|_F^2$$

Let $P = I_2$. Let $Q = \begin{bmatrix} 1 & 0 \\ 0 & 0 \end{bmatrix}$.

$$J(P) = 0 + 2\mu$$

$$J(Q) = 25 + \mu$$

$$J(Q) = 26 + \mu$$

## The same objective again

We minimise over $V \in \mathbb{R}^{2 \times 2}$

$$J(V) = \|Z - VZ\|_F^2 + \mu \|V\|_F^2$$

We want $J(P) > J(Q)$:

$$2\mu > 25 + \mu$$
"""


def _verdicts(tmp_path, text, name="doc.md"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    report = check_paths([str(f)], progress=False)
    return {c["latex"]: c for c in report["claims"]}


def test_a_semicolon_separates_fixed_parameters():
    tree = parse(r"J(V; Z, \mu)")
    assert tree.kind == "apply" and len(tree.args) == 2  # one argument; Z and \mu held fixed
    assert to_text(tree) == r"apply[fixed:Z,\mu](J,V)"
    assert to_text(parse(r"J(V)")) == "apply(J,V)"


def test_a_function_with_fixed_parameters_is_evaluated_at_its_argument(tmp_path):
    v = _verdicts(tmp_path, FIXED_DOC)
    assert v[r"J(V; Z, \mu) = \|Z - VZ\|_F^2 + \mu \|V\|_F^2"]["status"] == "defined"
    assert v[r"J(P) = 0 + 2\mu"]["status"] in ("verified", "proved")
    assert v[r"J(Q) = 25 + \mu"]["status"] in ("verified", "proved")
    assert v[r"J(Q) = 26 + \mu"]["status"] == "refuted"
    # the same formula stated again for the same function is a claim, and it holds
    assert v[r"J(V) = \|Z - VZ\|_F^2 + \mu \|V\|_F^2"]["status"] in ("verified", "proved")


def test_a_requirement_is_not_asserted(tmp_path):
    v = _verdicts(tmp_path, FIXED_DOC)
    # 2 mu > 25 + mu fails for mu < 25: stated after "We want", it is what the text solves for
    assert v[r"J(P) > J(Q)"]["status"] == "assumed"


def test_other_fixed_parameters_are_not_read_as_the_definition(tmp_path):
    v = _verdicts(tmp_path, FIXED_DOC.replace(r"$$J(Q) = 26 + \mu$$", r"$$J(Q; Y, \nu) = 26 + \nu$$"))
    # J at other data Y, nu: nothing says what that is, so it is never refuted
    assert v[r"J(Q; Y, \nu) = 26 + \nu"]["status"] != "refuted"


RESTATED_DOC = r"""# A score in several parts

## (a) The score

For a weight $\beta$ and an offset $c$, let $g_j = \beta h_j + c$.

## (b) Again

Define $g_j = c + \beta h_j$.

## (c) Rescaled

Define $g_j = 2c + \beta h_j$.

$$g_1 = 2c + \beta h_1$$

## (d) Written out once more

Let $g_j = 2c + \beta h_j$.
"""


def test_a_definition_restating_an_earlier_part_is_verified(tmp_path):
    # (b): c + beta h_j is beta h_j + c, the meaning g_j has from part (a): a restatement, true
    v = _verdicts(tmp_path, RESTATED_DOC)
    again = v[r"g_j = c + \beta h_j"]
    assert again["status"] in ("verified", "proved")
    assert again["role"] == "claim" and "line 5" in again["role_reason"]


def test_a_definition_that_differs_from_the_earlier_one_rebinds_the_name(tmp_path):
    # (c): 2c + beta h_j differs from beta h_j + c whenever c != 0; a later part may rebind a name,
    # so it is a definition (never refuted), and the part's claims use the new meaning
    v = _verdicts(tmp_path, RESTATED_DOC)
    rebound = v[r"g_j = 2c + \beta h_j"]
    assert rebound["status"] == "defined" and rebound["role"] == "definition"
    assert v[r"g_1 = 2c + \beta h_1"]["status"] in ("verified", "proved")


def test_the_same_formula_in_a_later_part_stays_a_definition(tmp_path):
    # (d) writes (c)'s formula again, character for character: the part's own definition
    text = RESTATED_DOC.replace(r"Let $g_j = 2c + \beta h_j$.", r"Let $g_j = 2c + \beta h_j$, as before.")
    f = tmp_path / "doc.md"
    f.write_text(text, encoding="utf-8")
    rows = [c for c in check_paths([str(f)], progress=False)["claims"] if c["latex"] == r"g_j = 2c + \beta h_j"]
    assert [c["status"] for c in rows] == ["defined", "defined"]
    assert "the same formula as line 13" in rows[1]["scope"]


SUMMARY_DOC = r"""# Running totals

## (a) The total

Let $s = \sum_{i=1}^{N} a_i$. With one more term, $s^+ = \sum_{i=1}^{N+1} a_i$.

## (b) A numeric case

Let $N = 3$.

## (c) Summary

The update is $s^+ = s + a_{N+1}$, not $s^+ = s + a_{N}$.
"""


def test_a_later_part_may_use_an_earlier_parts_definitions_to_verify(tmp_path):
    # s^+ - s = a_{N+1} by the definitions of part (a): true for every N.  "The update is s^+ = ..."
    # names s^+ in the summary, checked against part (a)'s meaning (a restatement, verified); with
    # that meaning written in the summary itself, s^+ = s + a_N fails (a_N != a_{N+1} in general)
    v = _verdicts(tmp_path, SUMMARY_DOC)
    right = v["s^+ = s + a_{N+1}"]
    assert right["status"] in ("verified", "proved")
    assert "an earlier part" in right["scope"] or "defined on line 5" in right.get("role_reason", "")
    assert v["s^+ = s + a_{N}"]["status"] == "refuted"


def test_a_function_used_without_its_argument_is_not_refuted(tmp_path):
    # with r = W x, d/dr of -t^T log softmax(r) is softmax(r) - t for a one-hot t: correct work, but
    # "\partial h / \partial r" names the function h of x with no argument; read alone h would be a
    # free scalar (derivative 0), which is not the document's h: never a refutation
    doc = (
        "# Loss\n\nWe define the loss as\n\n"
        "$$h(\\mathbf{x}) = -\\mathbf{t}^T \\log \\text{softmax}(W \\mathbf{x})$$\n\n"
        "View $W\\mathbf{x}$ as a new variable $\\mathbf{r}$. Therefore,\n\n"
        "$$\\frac{\\partial h}{\\partial \\mathbf{r}} = \\text{softmax}(\\mathbf{r}) - \\mathbf{t}$$\n")
    v = _verdicts(tmp_path, doc)
    claim = v[r"\frac{\partial h}{\partial \mathbf{r}} = \text{softmax}(\mathbf{r}) - \mathbf{t}"]
    assert claim["status"] == "undecided" and "without an argument" in claim["reason"]


def test_a_density_written_with_a_semicolon_is_not_a_definition(tmp_path):
    # N(y; c, v) is the Gaussian density, whose normalisation is 1/sqrt(2 pi v): the first formula
    # written for it is a claim about the standard density, not a definition that a correct later
    # formula could be refuted against (the density itself is not evaluated here)
    doc = ("# Density\n\nWith $v > 0$,\n\n"
           "$$\\mathcal{N}(y; c, v) = \\frac{1}{\\sqrt{2\\pi}} e^{-(y-c)^2/(2v)}$$\n\n"
           "$$\\mathcal{N}(y; c, v) = \\frac{1}{\\sqrt{2\\pi v}} e^{-(y-c)^2/(2v)}$$\n")
    v = _verdicts(tmp_path, doc)
    wrong = v[r"\mathcal{N}(y; c, v) = \frac{1}{\sqrt{2\pi}} e^{-(y-c)^2/(2v)}"]
    right = v[r"\mathcal{N}(y; c, v) = \frac{1}{\sqrt{2\pi v}} e^{-(y-c)^2/(2v)}"]
    assert wrong["role"] == "claim" and wrong["status"] != "defined"
    assert right["status"] != "refuted"
