"""Notation gaps closed in the document checker (parser level; verdicts are in
tests/fixtures/claims/generic_notation_gaps.md, keyed by hand before the checker ran)."""

from __future__ import annotations

import pytest

from derive.claims.latex_parser import ParseError, parse, to_text


def t(src: str) -> str:
    return to_text(parse(src))


def test_subscript_on_a_bracketed_expression_is_an_entry_of_it():
    assert t(r"(A^\top A)_{jk}") == "element(mul[juxt](transpose(A),A),mul[juxt](j,k))"
    assert t(r"(A^\top \mathbf{y})_j") == "element(mul[juxt](transpose(A),y),j)"
    assert t(r"[A x]_{i}") == "element(mul[juxt](A,x),i)"
    assert t(r"(\Sigma^{-1})_{xx}") == r"element(pow(\Sigma,neg(1)),mul[juxt](x,x))"
    assert t(r"{x}_i") == "x_{i}"  # a braced name: the subscript is the name's


def test_a_subscript_on_other_expressions_is_still_refused():
    with pytest.raises(ParseError, match="subscript"):
        parse(r"\|x\|^2_{i}")


def test_sigma_without_an_argument_is_a_name():
    assert t(r"\frac{(1+\sigma)^{\ell-1} - 1}{\sigma}") == \
        r"div[frac](sub(pow(paren(add(1,\sigma)),sub(\ell,1)),1),\sigma)"
    assert t(r"\sigma^2 + 1") == r"add(pow(\sigma,2),1)"
    # applied, it stays the logistic function
    assert t(r"\sigma(x)") == r"call(func[\sigma](),x)"
    assert t(r"\sigma'(x)") == r"call(prime(func[\sigma]()),x)"
    assert t(r"\sigma^2(x)") == r"pow(call(func[\sigma](),x),2)"


def test_log_with_a_base_is_a_quotient_of_logs():
    assert t(r"\log_2 L") == r"div[frac](call(func[\log](),L),call(func[\log](),2))"
    assert t(r"\log_{b}(x y)") == r"div[frac](call(func[\log](),mul[juxt](x,y)),call(func[\log](),b))"


def test_mod_and_congruence():
    assert t(r"a \bmod b + 1") == r"add(call(func[\mod](),a,b),1)"
    assert t(r"a \equiv b \pmod{n}") == r"chain((call(func[\mod](),a,n),call(func[\mod](),b,n)),(=))"
    with pytest.raises(ParseError):
        parse(r"\pmod{n}")


def test_max_and_min_over_an_index_range():
    assert t(r"\max_{i=4..8} i") == r"extremum[\max](i,i,4,8)"
    assert t(r"\max_{4 \le i \le 8} i^2") == r"extremum[\max](pow(i,2),i,4,8)"
    assert t(r"\min_{1 < k < n} a_k") == r"extremum[\min](a_{k},k,add(1,1),sub(n,1))"
    assert t(r"\max_{i = 1, \dots, n} (x_i)") == r"extremum[\max](x_{i},i,1,n)"
    assert t(r"\max_i x_i + 1") == r"add(extremum[\max](x_{i},i,None,None),1)"
    assert t(r"\max(a, b)") == r"call(func[\max](),a,b)"
    assert t(r"\lambda_{\max}") == r"\lambda_{\max}"


def test_divergence_dim_and_infinity_label():
    assert t(r"\mathrm{KL}(p \,\|\, q)") == r"call(func[\KL](),p,q)"
    assert t(r"\dim \mathbf{y}") == r"call(func[\dim](),y)"
    assert t(r"p_\infty") == "p_{infinity}"


def test_every_command_is_one_row_of_the_table():
    from derive.claims.latex_parser import COMMANDS, FUNCTIONS, GREEK, Parser

    assert COMMANDS[r"\frac"] is Parser._c_frac
    assert COMMANDS[r"\sqrt"] is Parser._c_sqrt  # its own row, not the generic function's
    assert all(COMMANDS[f] is Parser._c_function for f in FUNCTIONS - {r"\sqrt"})
    assert all(COMMANDS["\\" + g] is Parser._c_greek for g in GREEK)
    with pytest.raises(ParseError, match=r"unknown command \\foo"):
        parse(r"\foo x")


def test_a_sum_over_two_indices_is_a_double_sum():
    assert t(r"\sum_{i,j} A_{ij}^2") == "sum(sum(pow(A_{ij},2),j,None,None),i,None,None)"
    assert t(r"\sum_{i,j=1}^{n} a_{ij}") == "sum(sum(a_{ij},j,1,n),i,1,n)"


def test_blank_matrix_cells_are_kept_in_place():
    assert t(r"\begin{bmatrix} a_1 & & \\ & \ddots & \\ & & a_n \end{bmatrix}") == \
        "matrix[bmatrix]((a_{1},blank(),blank()),(blank(),ellipsis,blank()),(blank(),blank(),a_{n}))"
    assert t(r"\begin{bmatrix} a & & b \\ c & d & \end{bmatrix}") == "matrix[bmatrix]((a,blank(),b),(c,d,blank()))"
    assert t(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}") == "matrix[pmatrix]((1,2),(3,4))"


def test_a_family_run_is_read_from_its_first_and_last_members():
    from derive.claims.indexing import _FAMILY_INDEX, _family_run

    def run(src):
        items = parse(src).args
        got = _family_run(list(items))
        return None if got is None else (to_text(got[0]), to_text(got[1]), to_text(got[2]))

    f = _FAMILY_INDEX
    assert run(r"(a_1, \dots, a_n)") == (f"a_{{{f}}}", "1", "n")
    assert run(r"(a_1, a_2, \dots, a_n)") == (f"a_{{{f}}}", "1", "n")
    assert run(r"(k_1^\top q, \dots, k_n^\top q)") == (f"mul[juxt](transpose(k_{{{f}}}),q)", "1", "n")
    assert run(r"(a_1, a_3, \dots, a_n)") is None  # not consecutive
    assert run(r"(a_n, \dots, a_1)") is None  # runs downwards
    assert run(r"(a_1, \dots, b_n)") is None  # two families
    assert run(r"(a_1, \dots, a_n, 0)") is None  # something after the last member


def test_inner_product_brackets():
    assert t(r"\langle x, y \rangle") == "inner(x,y)"
    assert t(r"\left\langle A, B \right\rangle + 1") == "add(inner(A,B),1)"
    assert t(r"\langle A, B \rangle_F") == "inner(A,B)"
    with pytest.raises(ParseError):
        parse(r"\langle x \rangle")


def test_iverson_brackets_and_indicators():
    assert t(r"[k = c]") == "indicator[=](k,c)"
    assert t(r"(1 - \varepsilon)\,[k = c] + \frac{\varepsilon}{K}") == \
        r"add(mul[juxt](paren(sub(1,\varepsilon)),indicator[=](k,c)),div[frac](\varepsilon,K))"
    assert t(r"[i \ne j]") == "indicator[!=](i,j)"
    assert t(r"\mathbb{1}[k = c]") == "indicator[=](k,c)"
    assert t(r"\mathbb{1}_{k = c}") == "indicator[=](k,c)"
    assert t(r"\mathbf{1}\{x > 0\}") == "indicator[>](x,0)"
    # intervals, entries and the ones vector keep their meaning
    assert t(r"[a, b]") == "tuple[[]](a,b)"
    assert t(r"[x]_i") == "element(x,i)"
    assert t(r"\mathbf{1}_n") == r"\mathbf{1}_{n}"


def test_argmin_and_argmax():
    assert t(r"\arg\min_{\theta} L(\theta)") == r"extremum[\argmin](apply(L,\theta),\theta,None,None)"
    assert t(r"\operatorname*{argmin}_x f(x)") == r"extremum[\argmin](apply(f,x),x,None,None)"
    assert t(r"\operatorname{arg\,max}_{k} p_k") == r"extremum[\argmax](p_{k},k,None,None)"
    with pytest.raises(ParseError):
        parse(r"\arg z")


def test_limits():
    assert t(r"\lim_{n \to \infty} \left(1 + \frac{1}{n}\right)^n") == \
        "limit(pow(paren(add(1,div[frac](1,n))),n),n,infinity)"
    assert t(r"\lim_{x \to 0} \frac{\sin x}{x} + 1") == r"add(limit(div[frac](call(func[\sin](),x),x),x,0),1)"
    with pytest.raises(ParseError):
        parse(r"\lim f(x)")


def test_uniform_on_a_closed_interval():
    assert t(r"x \sim \mathrm{Uniform}[a, b]") == r"chain((x,call(func[\Uniform](),a,b)),(sim))"
    assert t(r"x \sim \mathcal{U}[0, 1]") == r"chain((x,apply(\mathcal{U},0,1)),(sim))"


def test_zero_padding_subscripts():
    assert t(r"u_{\le 0} = 0") == "chain((u_{bound[<=](0)},0),(=))"
    assert t(r"u_{<0} = 0") == "chain((u_{bound[<](0)},0),(=))"


def test_zero_padding_is_a_hypothesis():
    from derive.claims.roles import HYPOTHESIS, Context, assign

    no = lambda *_: False  # noqa: E731
    ctx = Context(prose="", lead="", binding_prose=False, mark=None, first_in_span=True, is_defined=no,
                  problem_input=no, problem_computed=no, seen=no)
    role = assign(parse(r"u_{\le 0} = 0"), ctx)
    assert role.role == HYPOTHESIS and "padding" in role.why
