"""The safe expression language of `derive grad`: structure, shapes, errors, bounds, fuzz.

Expected trees are written by hand (SymPy constructors); the fuzz inputs are seeded
mutations (random.Random(1234)) of the documented examples plus random printable noise.
"""

from __future__ import annotations

import random
import time

import pytest
import sympy as sp

from derive.errors import DeriveError
from derive.matcalc import Log, Norm, Softmax
from derive.matcalc.language import MAX_CHARS, parse

EXAMPLES = [
    "-y^T log(softmax(W x))", "tr(A X)", "logdet(X)", "norm(A x - b)^2", "x^T A x", "tr(inv(X) A)",
    "tr(X' A)", "tr(A^l)", "norm(X - W X)^2 + lambda norm(W)^2", "det(X)", "tr(X .* X A)", "sigmoid(w' x)",
    "x' A x + λ x^T x", "tr(X^-1 A)", "tr(A^3)", "log(x' A x)", "x^T y / 2",
]


def test_logistic_loss_tree():
    p = parse("-y^T log(softmax(W x))")
    W, x, y = p.symbols["W"], p.symbols["x"], p.symbols["y"]
    assert W.shape == (y.shape[0], x.shape[0]) and x.shape[1] == 1 and y.shape[1] == 1
    assert p.expr == sp.MatMul(-1, y.T, Log(Softmax(W * x)))


def test_shapes_declared_and_inferred():
    p = parse("norm(A x - b)^2", shapes=["A=3x2"])
    assert p.symbols["A"].shape == (3, 2) and p.symbols["x"].shape == (2, 1) and p.symbols["b"].shape == (3, 1)
    assert p.expr.doit() == sp.Pow(Norm(p.symbols["A"] * p.symbols["x"] - p.symbols["b"]), 2).doit()
    with pytest.raises(DeriveError, match="column 6: the factors of a product do not conform"):
        parse("tr(A X)", shapes=["A=3x4", "X=3x3"])
    p = parse("tr(A^l)")
    assert p.indices == (p.symbols["l"],) and p.symbols["l"].is_integer


@pytest.mark.parametrize("text, column", [("tr(A X", 7), ("x @ y", 3), ("2^^3", 3), ("tr(A, B)", 5),
                                          ("log x", 5), (")", 1)])
def test_errors_name_the_column(text, column):
    with pytest.raises(DeriveError) as info:
        parse(text)
    assert f"column {column}:" in str(info.value)
    assert info.value.exit_code == 2


def test_bounds():
    with pytest.raises(DeriveError, match="characters"):
        parse("x" * (MAX_CHARS + 1))
    with pytest.raises(DeriveError, match="nested"):
        parse("(" * 60 + "x' x" + ")" * 60)
    with pytest.raises(DeriveError, match="integer exponents"):
        parse("tr(A^99)")
    with pytest.raises(DeriveError, match="sizes must be"):
        parse("tr(A)", shapes=["A=100x100"])
    with pytest.raises(DeriveError, match="must be a scalar"):
        parse("W x")


def test_assumptions():
    p = parse("-y^T log(softmax(W x))", assume=["y one-hot"])
    assert p.assumptions.one_hot == frozenset({p.symbols["y"]})
    with pytest.raises(DeriveError, match="expected 'NAME one-hot'"):
        parse("x' x", assume=["x is nice"])
    with pytest.raises(DeriveError, match="not square"):
        parse("x' x", assume=["x symmetric"])


def test_user_text_never_reaches_eval_or_sympify(monkeypatch):
    """Parsing must not hand the user's string to eval / sympify / parse_expr.

    sympify(str) imports parse_expr at call time, so replacing it catches sympify too."""
    import builtins

    import sympy.parsing.sympy_parser as parser_mod

    def no(*args, **kw):
        raise AssertionError("forbidden call")

    for text in EXAMPLES:  # import what SymPy imports lazily (imports use exec legitimately)
        parse(text)
    monkeypatch.setattr(parser_mod, "parse_expr", no)
    monkeypatch.setattr(builtins, "eval", no)
    for text in EXAMPLES + ["__import__('os').system('true')", "exec(x)"]:
        try:
            parse(text)
        except DeriveError:
            pass


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        pos = rng.randrange(len(chars) + 1)
        if op < 0.4 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op < 0.8:
            chars.insert(pos, rng.choice("()^'*+-xAW T.12,⊙ᵀλ"))
        elif chars:
            i = min(pos, len(chars) - 1)
            chars[i], chars[pos // 2] = chars[pos // 2], chars[i]
    return "".join(chars)


def test_fuzz_only_derive_errors_and_fast():
    rng = random.Random(1234)
    parsed = 0
    total = 0
    start = time.monotonic()
    for _ in range(400):
        if rng.random() < 0.85:
            text = _mutate(rng, rng.choice(EXAMPLES))
        else:
            text = "".join(chr(rng.randint(32, 126)) for _ in range(rng.randint(0, 40)))
        total += 1
        try:
            parse(text)
            parsed += 1
        except DeriveError as exc:
            assert str(exc) and "\n" not in str(exc)
    assert time.monotonic() - start < 60  # a sanity bound for 400 inputs, not a speed claim
    assert parsed >= total // 10  # mutations of real expressions: a fair share still parses
