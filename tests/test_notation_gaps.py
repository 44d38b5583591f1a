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
