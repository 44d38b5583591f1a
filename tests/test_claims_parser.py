"""The claim parser, reader and statement splitter (no numerics).

Inputs are hand-written LaTeX strings; expected trees are spelled out here by hand.
"""

from __future__ import annotations

import pytest

from derive.claims.latex_parser import MAX_DEPTH, ParseError, parse, to_text
from derive.claims.reader import read_document
from derive.claims.statements import split_statements


def t(src: str) -> str:
    return to_text(parse(src))


def test_time_index_is_a_name_not_a_power():
    assert t(r"\bar{h}^{(t+1)}") == r"\bar{h}^{(add(t,1))}"
    assert t(r"x^{(t)}") == "x^{(t)}"
    assert t(r"x^2") == "pow(x,2)"
    assert t(r"A^{\ell-1}") == r"pow(A,sub(\ell,1))"


def test_transposes_and_inverses():
    assert t(r"A^\top") == "transpose(A)"
    assert t(r"A^T") == "transpose(A)"
    assert t(r"A^{\top}") == "transpose(A)"
    assert t(r"A^{-1}") == "pow(A,neg(1))"
    assert t(r"A^{-\top}") == "inverse_transpose(A)"


def test_subscripted_names_keep_their_subscript():
    assert t(r"W_{ix}") == "W_{ix}"
    assert t(r"x_{k+1}") == "x_{k+1}"


def test_frac_sum_and_functions():
    assert t(r"\frac{a}{b}") == "div[frac](a,b)"
    assert t(r"\sum_{i=1}^{n} x_i y_i") == "sum(mul[juxt](x_{i},y_{i}),i,1,n)"
    assert t(r"\tanh^2(x)") == r"pow(call(func[\tanh](),x),2)"
    assert t(r"\sigma'(z)") == r"call(prime(func[\sigma]()),z)"
    assert t(r"\operatorname{softmax}(Wx)") == r"call(func[\softmax](),mul[juxt](W,x))"
    assert t(r"\log \operatorname{softmax}(Wx)") == r"call(func[\log](),call(func[\softmax](),mul[juxt](W,x)))"


def test_norms_matrices_derivatives():
    assert t(r"\|x\|^2") == "pow(norm(x),2)"
    assert t(r"\|X\|_F") == "norm[F](X)"
    assert t(r"\begin{pmatrix} I & 0 \\ A & I \end{pmatrix}") == "matrix[pmatrix]((I,0),(A,I))"
    assert t(r"\frac{\partial y}{\partial x}") == "partial(y,x,1)"
    assert t(r"\frac{d}{dx} \tanh(x)").startswith(r"ddx[d](x,call(func[\tanh]")
    assert t(r"d(X^{-1})") == "differential(paren(pow(X,neg(1))))"
    assert t(r"\nabla F(\theta)") == r"nabla(1,apply(F,\theta),None)"


def test_relations_and_chains():
    assert t(r"a = b = c") == "chain((a,b,c),(=,=))"
    assert t(r"a \le b") == "chain((a,b),(<=))"
    assert t(r"\lambda \in [1, 4]") == r"chain((\lambda,tuple[[]](1,4)),(in))"
    assert t(r"p \leftarrow Bp") == "chain((p,mul[juxt](B,p)),(<-))"


def test_annotations_and_text():
    assert t(r"\overset{D}{I} = I") == "chain((I,I),(=))"


@pytest.mark.parametrize("src, col", [
    (r"a = b +", 8),
    (r"\frac{a}{", 10),
    (r"a = \foo b", 5),
    (r"x @ y", 3),
    (r"\begin{pmatrix} 1 & 2", 1),
])
def test_parse_errors_have_columns(src, col):
    with pytest.raises(ParseError) as err:
        parse(src)
    assert err.value.column == col
    assert f"at column {col}" in str(err.value)


def test_nesting_and_size_limits():
    with pytest.raises(ParseError, match="nesting"):
        parse("{" * 10_000 + "x" + "}" * 10_000)
    with pytest.raises(ParseError, match="nesting"):
        parse("(" * (MAX_DEPTH + 5) + "x" + ")" * (MAX_DEPTH + 5))
    big = r"\begin{pmatrix}" + r"\\".join(" & ".join("1" for _ in range(60)) for _ in range(2)) + r"\end{pmatrix}"
    with pytest.raises(ParseError, match="matrix larger"):
        parse(big)
    with pytest.raises(ParseError, match="longer than"):
        parse("x+" * 30_000 + "x")


def test_statement_splitting_and_conditions():
    sts = split_statements(r"K_\ell = C A^{\ell-1} B \quad (\ell \ge 1)")
    assert len(sts) == 1 and sts[0].condition_text == r"\ell \ge 1"
    sts = split_statements(r"K_\ell = C A^{\ell-1} B, \ell \ge 1")
    assert len(sts) == 1 and sts[0].condition_text.strip() == r"\ell \ge 1"
    sts = split_statements(r"x_{k+1} = Ax_k + Bu_k, \quad y_k = Cx_k + Du_k")
    assert [s.latex for s in sts] == ["x_{k+1} = Ax_k + Bu_k", "y_k = Cx_k + Du_k"]
    sts = split_statements(r"\therefore a = b \Rightarrow c = d")
    assert [s.latex for s in sts] == ["a = b", "c = d"]
    sts = split_statements(r"o^{(t)} \approx 0 \quad \forall t")
    assert [s.latex for s in sts] == [r"o^{(t)} \approx 0"]
    sts = split_statements(r"K_\ell = CA^{\ell-1}B \text{ for } \ell \ge 1")
    assert len(sts) == 1 and sts[0].condition is not None


def test_reader_front_matter_continuations_and_bindings(tmp_path):
    doc = tmp_path / "d.md"
    doc.write_text("---\nproblem: ssm-kernel  # a comment\ngiven:\n  - A = 1\n  - x \\in \\mathbb{R}^{n}\n---\n"
                   "Prose $x$ without a relation.\n\n$$a = b$$\n\n$$+ c$$\n\nLet $s = p^\\top p$ and $u = v$.\n"
                   "```\n$$ignored = code$$\n```\n")
    d = read_document(doc)
    assert d.front["problem"] == "ssm-kernel"
    assert d.front["given"] == ["A = 1", r"x \in \mathbb{R}^{n}"]
    assert [(c.line, c.latex, c.binding) for c in d.claims] == [
        (9, "a = b + c", False), (13, r"s = p^\top p", True), (13, "u = v", False)]


def test_tex_environments_and_align_chains(tmp_path):
    doc = tmp_path / "d.tex"
    doc.write_text("\\section{x}\nText.\n\\begin{align}\n(AB)^\\top &= B^\\top A^\\top \\label{e1} \\\\\n"
                   "&= B^\\top A^\\top I\n\\end{align}\nand \\[ a \\le b \\] and $5 > 3$.\n")
    d = read_document(doc)
    assert [(c.line, " ".join(c.latex.split())) for c in d.claims] == [
        (4, "(AB)^\\top = B^\\top A^\\top = B^\\top A^\\top I"), (7, "a \\le b"), (7, "5 > 3")]
