"""Binding is driven by a problem's notation table, not by names hard-wired in the checker.

A small scalar RNN problem is defined here (hidden size 1, T = 5):
    h^{(0)} = 0,  h^{(t)} = tanh(W_{hh} h^{(t-1)} + W_{hx} x^{(t)}),  L = Σ_t ½ (h^{(t)} − y^{(t)})²,
with inputs x, y ~ U(-1, 1), weights ~ U(-1, 1).  Its reference computes the adjoints
\\bar{h}^{(t)} = ∂L/∂h^{(t)} and \\bar{W}_{hh} = ∂L/∂W_{hh} from the definition, by
mpmath differentiation of the loss (a perturbation injected at step t), never from a
recursion.  The expected verdicts are a hand-written key (adjoint algebra done on paper).
"""

from __future__ import annotations

from pathlib import Path

import mpmath
import sympy as sp

from derive import Index, Notation, Problem
from derive.claims.judge import Options, judge_document
from derive.claims.reader import read_document
from derive.claims.scope import Scope

T_STEPS = 5
t = sp.Symbol("t", integer=True)
W_hh, W_hx = sp.Symbol("W_hh", real=True), sp.Symbol("W_hx", real=True)


def _seq(name: str):
    return sp.Function(name)(t)


def _sample(s, sizes):
    return {W_hh: s.scalar(-1, 1), W_hx: s.scalar(-1, 1),
            "x": [s.scalar(-1, 1) for _ in range(T_STEPS + 1)], "y": [s.scalar(-1, 1) for _ in range(T_STEPS + 1)]}


def _forward(whh, whx, xs, ys, inject_at=None, eps=0):
    h = [mpmath.mpf(0)]
    loss = mpmath.mpf(0)
    for k in range(1, T_STEPS + 1):
        hk = mpmath.tanh(whh * h[-1] + whx * xs[k])
        if k == inject_at:
            hk += eps
        h.append(hk)
        loss += (hk - ys[k]) ** 2 / 2
    return h, loss


def _reference(vals, dps):
    whh, whx, xs, ys = vals[W_hh], vals[W_hx], vals["x"], vals["y"]
    h, _ = _forward(whh, whx, xs, ys)
    return {
        "h": lambda k: h[k],
        "x": lambda k: xs[k],
        "y": lambda k: ys[k],
        "hbar": lambda k: mpmath.diff(lambda e: _forward(whh, whx, xs, ys, k, e)[1], 0),
        "Wbar": lambda: mpmath.diff(lambda w: _forward(w, whx, xs, ys)[1], whh),
    }


RNN = Problem(
    name="test-rnn", title="scalar RNN", statement="", indices=(Index(t, 1, T_STEPS - 1),),
    sample_values=_sample, reference=_reference,
    notation=(
        Notation("h^{(t)}", _seq("h"), "hidden state"),
        Notation("x^{(t)}", _seq("x"), "input"),
        Notation("y^{(t)}", _seq("y"), "target"),
        Notation(r"\bar{h}^{(t)}", _seq("hbar"), "∂L/∂h^{(t)} (mpmath.diff of the loss)"),
        Notation(r"\bar{W}_{hh}", sp.Function("Wbar")(), "∂L/∂W_{hh} (mpmath.diff of the loss)"),
        Notation("W_{hh}", W_hh, "recurrent weight"),
        Notation("W_{hx}", W_hx, "input weight"),
    ),
)

CLAIMS = r"""
$$h^{(t)} = \tanh(W_{hh} h^{(t-1)} + W_{hx} x^{(t)})$$ <!-- ok -->

$$\bar{h}^{(t)} = (h^{(t)} - y^{(t)}) + \bar{h}^{(t+1)} (1 - \tanh^2(W_{hh} h^{(t)} + W_{hx} x^{(t+1)})) W_{hh}$$ <!-- ok -->

$$\bar{h}^{(t)} = (h^{(t)} - y^{(t)}) + \bar{h}^{(t+1)} (1 - (h^{(t+1)})^2) W_{hh}$$ <!-- ok -->

$$\bar{h}^{(t)} = (h^{(t)} - y^{(t)}) + \bar{h}^{(t+1)} \sigma'(W_{hh} h^{(t)} + W_{hx} x^{(t+1)}) W_{hh}$$ <!-- refuted -->

$$\bar{h}^{(t)} = \bar{h}^{(t+1)} (1 - (h^{(t+1)})^2) W_{hh}$$ <!-- refuted -->

$$\bar{h}^{(t)} = (h^{(t)} - y^{(t)}) + \bar{h}^{(t+1)} (1 - (h^{(t)})^2) W_{hh}$$ <!-- refuted -->

$$\bar{W}_{hh} = \sum_{t=1}^{5} \bar{h}^{(t)} (1 - (h^{(t)})^2) h^{(t-1)}$$ <!-- ok -->

$$\bar{W}_{hh} = \sum_{t=1}^{5} \bar{h}^{(t)} (1 - (h^{(t)})^2) h^{(t)}$$ <!-- refuted -->

$$\bar{h}^{(t)} = \bar{g}^{(t)}$$ <!-- undecided -->
"""


def test_notation_table_drives_binding(tmp_path: Path, monkeypatch):
    f = tmp_path / "rnn.md"
    f.write_text(CLAIMS)
    doc = read_document(f)
    import derive.claims.judge as judge

    monkeypatch.setattr(judge, "build_scope", lambda d, name: Scope.for_problem(RNN))
    results = judge_document(doc, opts=Options(seed=1, instances=6))
    key = {}
    for i, line in enumerate(CLAIMS.splitlines(), 1):
        for word in ("ok", "refuted", "undecided"):
            if f"<!-- {word} -->" in line:
                key[i] = word
    got = {r.line: ("ok" if r.status in ("proved", "verified") else r.status) for r in results}
    assert got == key, [(r.line, r.status, r.scope, r.reason) for r in results if got[r.line] != key[r.line]]
    unknown = next(r for r in results if r.status == "undecided")
    assert r"\bar{g}^{(t)}" in unknown.reason and r"\bar{h}^{(t)}" in unknown.reason  # lists the known names
