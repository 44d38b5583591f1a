"""rnn-bptt: backpropagation through time for h^{(t)} = tanh(W_x x^{(t)} + W_h h^{(t−1)}).

Same engine and reference as lstm-bptt: adjoints from the reverse-mode engine
(derive.adjoint), checked against central finite differences of the loss
L = Σ_t ½‖h^{(t)} − y^{(t)}‖² of a hand-written unrolled mpmath forward pass.
"""

from __future__ import annotations

from typing import Any, Callable

import mpmath
import sympy as sp

from derive import Builder, Part
from derive.adjoint import CONVENTION, Cell, Elementwise, Linear, LinearTerm, make_problem, v
from derive.adjoint.catalogue import record_cell, register_cell

SOURCE = "issue 6 (the vanilla RNN next to the seed 004 LSTM)"

CELL = Cell("rnn-bptt", (
    Linear("a", (LinearTerm("W_x", "x"), LinearTerm("W_h", "h", 1))),
    Elementwise("h", sp.tanh(v("a"))),
))


def forward(W: dict[str, Any], xs: list, init: dict[str, Any], steps: int,
            hook: Callable[[str, int, Any], Any]) -> dict[str, dict[int, Any]]:
    """Unrolled forward pass in mpmath (hand-written, independent of the SymPy cell)."""
    out: dict[str, dict[int, Any]] = {"a": {}, "h": {}}
    h = init["h"]
    for tt in range(1, steps + 1):
        a = hook("a", tt, W["W_x"] * xs[tt] + W["W_h"] * h)
        h = hook("h", tt, a.apply(mpmath.tanh))
        out["a"][tt], out["h"][tt] = a, h
    return out


STATEMENT = ("$h^{(t)} = \\tanh(W_x x^{(t)} + W_h h^{(t-1)})$, loss "
             "$L = \\sum_t \\frac12 \\|h^{(t)} - y^{(t)}\\|^2$: derive the adjoints and weight gradients.")
PARTS = (Part("a", "Adjoints $\\bar{h}^{(t)}$, $\\bar{a}^{(t)}$."), Part("b", "Weight gradients $\\bar{W}_x, \\bar{W}_h$."))
SCALAR = make_problem(CELL, forward, scalar=True, title="RNN BPTT (scalar)", statement=STATEMENT, source=SOURCE,
                      init=("h",))
SCALAR = SCALAR.__class__(**{**SCALAR.__dict__, "parts": PARTS})
VECTOR = make_problem(CELL, forward, scalar=False, title="RNN BPTT (vector)", statement=STATEMENT, source=SOURCE,
                      init=("h",))


def derive() -> Any:
    b = Builder("rnn-bptt", SCALAR)
    b.note(CONVENTION.replace("the gate inputs", "the pre-activation"))
    record_cell(b, CELL, SCALAR, VECTOR)
    return b.build()


register_cell(
    name="rnn-bptt",
    title="Vanilla RNN backpropagation through time",
    summary="Reverse-mode adjoints and weight gradients of h = tanh(W_x x + W_h h_prev), scalar and vector form.",
    source=SOURCE, cell=CELL, forward=forward, derive=derive,
    module_name="rnn_bptt", doc="Backpropagation through time for h = tanh(W_x x + W_h h_prev).", init=("h",),
)
