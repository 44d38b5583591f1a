"""Declarations and definitions in the forms real notes use (issue 12).

* ``\\bm{a}_1, \\ldots, \\bm{a}_m \\in \\mathbb{R}^p``, ``u^{(1)}, \\ldots, u^{(k)} \\in \\mathbb{R}^q`` and
  ``\\{\\mathbf{z}_t\\}_{t=1}^{N} \\subset \\mathbb{R}^r`` declare a family: every member has that shape and
  the last index is the family's length (a dimension);
* ``h \\colon \\mathbb{R}^p \\to \\mathbb{R}``, ``\\phi : \\mathbb{R} \\to (0, 1)`` declare a function's domain
  and codomain (assumed, never judged);
* ``G = B^\\mathsf{T} B \\in \\mathbb{R}^{k \\times k}`` is a definition with its shape annotated; a shape
  that contradicts the definition's makes the line inconsistent (never a refuted claim);
* ``y \\in \\{0,1\\}^K`` and ``\\bm{p} \\in \\Delta^{K-1}`` give a shape, and values the sampler cannot draw:
  an identity that holds for binary vectors only is never refuted on real-valued draws.

Every expected verdict was computed from the mathematics before the checker ran (the reasons are
in the comments); the documents use letters and notation the fixtures do not."""

from __future__ import annotations

from derive.claims.latex_parser import parse, to_text
from derive.commands.check import check_paths

OK = ("proved", "verified")


def _by_line(tmp_path, text: str, name: str = "doc.md") -> dict[int, list[dict]]:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    out: dict[int, list[dict]] = {}
    for c in check_paths([str(f)], progress=False)["claims"]:
        out.setdefault(c["line"], []).append(c)
    return out


def _status(v: dict[int, list[dict]], line: int, index: int = 0) -> str:
    return v[line][index]["status"]


def test_family_lists_parse_as_one_declaration():
    assert to_text(parse(r"x_1, \dots, x_n \in \mathbb{R}^d")) == \
        "chain((tuple[members](x_{1},ellipsis,x_{n}),pow(field[R](),d)),(in))"
    assert to_text(parse(r"u^{(1)}, \ldots, u^{(k)} \in \mathbb{R}^q")) == \
        "chain((tuple[members](u^{(1)},ellipsis,u^{(k)}),pow(field[R](),q)),(in))"
    # the indexed-set spelling is the same declaration
    assert to_text(parse(r"\{\mathbf{z}_t\}_{t=1}^{N} \subset \mathbb{R}^r")) == \
        "chain((tuple[members](z_{1},ellipsis,z_{N}),pow(field[R](),r)),(in))"
    assert to_text(parse(r"\{ c_j \}_{j=1}^{m} \subseteq \mathbb{R}^{2}")) == \
        "chain((tuple[members](c_{1},ellipsis,c_{m}),pow(field[R](),2)),(in))"


def test_signatures_parse_as_declarations_of_a_map():
    assert to_text(parse(r"h \colon \mathbb{R}^{p} \to \mathbb{R}")) == \
        "chain((h,maps(pow(field[R](),p),field[R]())),(in))"
    assert to_text(parse(r"\phi : \mathbb{R} \rightarrow (0, 1)")) == \
        r"chain((\phi,maps(field[R](),tuple[()](0,1))),(in))"


def test_bold_family_declared_with_an_ellipsis(tmp_path):
    v = _by_line(tmp_path, (
        "Let $\\bm{a}_1, \\ldots, \\bm{a}_m \\in \\mathbb{R}^p$ and $\\boldsymbol{w} \\in \\mathbb{R}^p$, "
        "and let $\\bm{s} = \\sum_{j=1}^m \\bm{a}_j$.\n\n"
        # w^T s = w^T (a_1 + ... + a_m) = sum_j w^T a_j: linearity
        "Then $\\boldsymbol{w}^\\mathsf{T} \\bm{s} = \\sum_{j=1}^m \\boldsymbol{w}^\\mathsf{T} \\bm{a}_j$.\n\n"
        # m w^T a_1 equals it only when every w^T a_j equals w^T a_1: false for independent a_j
        "Then $\\boldsymbol{w}^\\mathsf{T} \\bm{s} = m \\, \\boldsymbol{w}^\\mathsf{T} \\bm{a}_1$.\n"))
    assert v[1][0]["status"] == "assumed" and v[1][0]["role"] == "hypothesis"
    assert _status(v, 3) in OK
    assert _status(v, 5) == "refuted"


def test_labelled_family_with_inner_products(tmp_path):
    v = _by_line(tmp_path, (
        "Let $u^{(1)}, \\ldots, u^{(k)} \\in \\mathbb{R}^q$.\n\n"
        # |a - b|^2 = |a|^2 - 2<a, b> + |b|^2
        "Then $\\|u^{(1)} - u^{(2)}\\|_2^2 = \\|u^{(1)}\\|_2^2 - 2\\langle u^{(1)}, u^{(2)} \\rangle"
        " + \\|u^{(2)}\\|_2^2$.\n\n"
        # with +2<a, b> it is off by 4<a, b>, nonzero for generic vectors
        "Then $\\|u^{(1)} - u^{(2)}\\|_2^2 = \\|u^{(1)}\\|_2^2 + 2\\langle u^{(1)}, u^{(2)} \\rangle"
        " + \\|u^{(2)}\\|_2^2$.\n"))
    assert _status(v, 1) == "assumed"
    assert _status(v, 3) in OK
    assert _status(v, 5) == "refuted"


def test_indexed_set_declares_the_family(tmp_path):
    v = _by_line(tmp_path, (
        "Let $\\{\\mathbf{z}_t\\}_{t=1}^{N} \\subset \\mathbb{R}^r$ and "
        "$M = \\sum_{t=1}^N \\mathbf{z}_t \\mathbf{z}_t^\\top$.\n\n"
        # tr(z z^T) = z^T z, summed over t
        "Then $\\operatorname{tr}(M) = \\sum_{t=1}^N \\|\\mathbf{z}_t\\|^2$.\n\n"
        # |sum z_t|^2 adds the cross terms 2 sum_{s<t} z_s^T z_t: not the trace for generic z
        "Then $\\operatorname{tr}(M) = \\|\\sum_{t=1}^N \\mathbf{z}_t\\|^2$.\n"))
    assert v[1][0]["status"] == "assumed" and v[1][0]["role"] == "hypothesis"
    assert _status(v, 3) in OK
    assert _status(v, 5) == "refuted"


def test_signature_is_assumed_and_the_function_still_judged(tmp_path):
    v = _by_line(tmp_path, (
        "Let $h \\colon \\mathbb{R}^{p} \\to \\mathbb{R}$ be $h(\\bm{v}) = \\frac{1}{2}\\|\\bm{v}\\|_2^2$.\n\n"
        "Let $\\phi : \\mathbb{R} \\to (0,1)$ be $\\phi(t) = \\frac{1}{1 + e^{-t}}$.\n\n"
        # grad of |v|^2 / 2 is v
        "Then $\\nabla_{\\bm{v}} h(\\bm{v}) = \\bm{v}$.\n\n"
        # 2v differs from v for v != 0
        "Then $\\nabla_{\\bm{v}} h(\\bm{v}) = 2\\bm{v}$.\n\n"
        # phi(t) + phi(-t) = 1/(1+e^-t) + e^-t/(1+e^-t) = 1
        "Then $\\phi(t) + \\phi(-t) = 1$.\n"))
    assert v[1][0]["status"] == "assumed" and v[1][0]["role"] == "hypothesis"
    assert v[3][0]["status"] == "assumed"
    assert _status(v, 5) in OK
    assert _status(v, 7) == "refuted"
    assert _status(v, 9) in OK


def test_definition_with_its_shape_annotated(tmp_path):
    v = _by_line(tmp_path, (
        "Let $B \\in \\mathbb{R}^{m \\times k}$ and $G = B^\\mathsf{T} B \\in \\mathbb{R}^{k \\times k}$.\n\n"
        # tr(B^T B) = sum_ij B_ij^2 = |B|_F^2
        "Then $\\operatorname{tr}(G) = \\|B\\|_F^2$.\n\n"
        # |B|_F differs from its square unless |B|_F is 0 or 1
        "Then $\\operatorname{tr}(G) = \\|B\\|_F$.\n\n"
        # B B^T is m x m, declared k x k: the notation contradicts itself (unless m = k)
        "Let $H = B B^\\mathsf{T} \\in \\mathbb{R}^{k \\times k}$.\n"))
    assert v[1][1]["status"] == "defined"
    assert _status(v, 3) in OK
    assert _status(v, 5) == "refuted"
    assert _status(v, 7) == "inconsistent"


def test_stacked_family_with_its_shape(tmp_path):
    v = _by_line(tmp_path, (
        "Let $e_1, \\dots, e_r \\in \\mathbb{R}^q$ and $E = [e_1^\\top; \\dots; e_r^\\top] \\in "
        "\\mathbb{R}^{r \\times q}$.\n\n"
        # E^T E = sum of the rows' outer products
        "Then $E^\\top E = \\sum_{i=1}^r e_i e_i^\\top$.\n\n"
        # E E^T is r x r, the sum q x q: not the same matrix
        "Then $E E^\\top = \\sum_{i=1}^r e_i e_i^\\top$.\n\n"
        # the stack is r x q, declared q x r
        "Let $F = [e_1^\\top; \\dots; e_r^\\top] \\in \\mathbb{R}^{q \\times r}$.\n"))
    assert [c["status"] for c in v[1]] == ["assumed", "defined"]
    assert _status(v, 3) in OK
    assert _status(v, 5) != "verified"
    assert _status(v, 7) == "inconsistent"


def test_softmax_onto_the_simplex(tmp_path):
    v = _by_line(tmp_path, (
        "Let $\\bm{z} \\in \\mathbb{R}^K$ and $\\bm{p} = \\operatorname{softmax}(\\bm{z}) \\in \\Delta^{K-1}$.\n\n"
        # softmax entries sum to one
        "Then $\\mathbf{1}^\\top \\bm{p} = 1$.\n\n"
        "Then $\\mathbf{1}^\\top \\bm{p} = K$.\n\n"
        "Let $J = \\operatorname{diag}(\\bm{p}) - \\bm{p}\\bm{p}^\\top \\in \\mathbb{R}^{K \\times K}$.\n\n"
        # J 1 = p - p (p^T 1) = p - p = 0
        "Then $J \\mathbf{1} = 0$.\n\n"
        "Then $J \\mathbf{1} = \\bm{p}$.\n"))
    assert v[1][1]["status"] == "defined"
    assert _status(v, 3) in OK
    assert _status(v, 5) == "refuted"
    assert _status(v, 7) == "defined"
    assert _status(v, 9) in OK
    assert _status(v, 11) == "refuted"


def test_binary_and_simplex_values_are_never_refuted_on_real_draws(tmp_path):
    v = _by_line(tmp_path, (
        "Let $\\bm{b} \\in \\{0,1\\}^K$ and $\\bm{q} \\in \\Delta^{K-1}$.\n\n"
        # b_k^2 = b_k for b_k in {0, 1}: true, though false for real-valued b
        "Then $\\bm{b}^\\top \\bm{b} = \\mathbf{1}^\\top \\bm{b}$.\n\n"
        # a point of the simplex sums to one: true, false for a real-valued q
        "Then $\\mathbf{1}^\\top \\bm{q} = 1$.\n"))
    assert [c["status"] for c in v[1]] == ["assumed", "assumed"]
    assert _status(v, 3) != "refuted"
    assert _status(v, 5) != "refuted"


def test_signed_reals_declare_a_scalar_sampled_with_its_sign(tmp_path):
    assert to_text(parse(r"c \in \mathbb{R}_{+}")) == "chain((c,signed[>=](field[R]())),(in))"
    assert to_text(parse(r"\beta \in \mathbb{R}_{>0}")) == r"chain((\beta,signed[>](field[R]())),(in))"
    # the sign before or after the power: a vector of nonnegative entries
    assert to_text(parse(r"w \in \mathbb{R}^{n}_{\ge 0}")) == to_text(parse(r"w \in \mathbb{R}_{+}^{n}")) == \
        "chain((w,pow(signed[>=](field[R]()),n)),(in))"
    v = _by_line(tmp_path, (
        "Let $\\kappa \\in \\mathbb{R}_{>0}$ and $a, b \\in \\mathbb{R}_{++}$ and $h \\in \\mathbb{R}_{\\ge 0}$.\n\n"
        # log(kappa^2) = 2 log kappa needs kappa > 0 (for kappa < 0 the right side is undefined)
        "Then $\\log(\\kappa^2) = 2 \\log \\kappa$.\n\n"
        # sqrt(h^2) = |h| = h for h >= 0: false for negative h, so it holds only under the sign
        "Then $\\sqrt{h^2} = h$.\n\n"
        "Then $\\log(a b) = \\log a + \\log b$.\n\n"
        # log(a + b) = log a + log b only where a + b = ab: false at a = b = 1
        "Then $\\log(a + b) = \\log a + \\log b$.\n"))
    assert [c["status"] for c in v[1]] == ["assumed", "assumed", "assumed"]
    assert _status(v, 3) in OK
    assert _status(v, 5) in OK
    assert _status(v, 7) in OK
    assert _status(v, 9) == "refuted"
