"""gru-bptt: backpropagation through time for the GRU of CONVENTIONS.md:

z = σ(W_z x^{(t)} + U_z h^{(t−1)}), r = σ(W_r x^{(t)} + U_r h^{(t−1)}),
h̃ = tanh(W x^{(t)} + U (r ⊙ h^{(t−1)})), h^{(t)} = (1 − z) ⊙ h^{(t−1)} + z ⊙ h̃.

In A-normal form the reset product m = r ⊙ h^{(t−1)} and the pre-activations are their own
intermediates; h̃ is the sequence ``n`` (printed \\tilde{h}).  Checked like lstm-bptt.
"""

from __future__ import annotations

from typing import Any, Callable

import mpmath
import sympy as sp

from derive import Builder, Part
from derive.adjoint import CONVENTION, Cell, Elementwise, Linear, LinearTerm, make_problem, sigma, v
from derive.adjoint.catalogue import record_cell, register_cell

SOURCE = "CONVENTIONS.md (GRU model)"

CELL = Cell("gru-bptt", (
    Linear("a_z", (LinearTerm("W_z", "x"), LinearTerm("U_z", "h", 1))),
    Linear("a_r", (LinearTerm("W_r", "x"), LinearTerm("U_r", "h", 1))),
    Elementwise("z", sigma(v("a_z"))),
    Elementwise("r", sigma(v("a_r"))),
    Elementwise("m", v("r") * v("h", 1)),
    Linear("a_n", (LinearTerm("W", "x"), LinearTerm("U", "m"))),
    Elementwise("n", sp.tanh(v("a_n"))),
    Elementwise("h", (1 - v("z")) * v("h", 1) + v("z") * v("n")),
))
DISPLAY = {"n": r"\tilde{h}", "a_n": r"\tilde{a}"}


def _had(a: Any, b: Any) -> Any:
    return mpmath.matrix([[a[k, 0] * b[k, 0]] for k in range(a.rows)])


def forward(W: dict[str, Any], xs: list, init: dict[str, Any], steps: int,
            hook: Callable[[str, int, Any], Any]) -> dict[str, dict[int, Any]]:
    """Unrolled GRU forward pass in mpmath (hand-written from the CONVENTIONS model)."""
    sig = lambda m: m.apply(lambda q: 1 / (1 + mpmath.exp(-q)))  # noqa: E731
    out: dict[str, dict[int, Any]] = {n: {} for n in CELL.intermediates}
    h = init["h"]
    for tt in range(1, steps + 1):
        x = xs[tt]
        a_z = hook("a_z", tt, W["W_z"] * x + W["U_z"] * h)
        a_r = hook("a_r", tt, W["W_r"] * x + W["U_r"] * h)
        z = hook("z", tt, sig(a_z))
        r = hook("r", tt, sig(a_r))
        m = hook("m", tt, _had(r, h))
        a_n = hook("a_n", tt, W["W"] * x + W["U"] * m)
        n = hook("n", tt, a_n.apply(mpmath.tanh))
        ones = mpmath.ones(h.rows, 1)
        h = hook("h", tt, _had(ones - z, h) + _had(z, n))
        for name, val in (("a_z", a_z), ("a_r", a_r), ("z", z), ("r", r), ("m", m), ("a_n", a_n), ("n", n),
                          ("h", h)):
            out[name][tt] = val
    return out


STATEMENT = ("GRU: $z = \\sigma(W_z x^{(t)} + U_z h^{(t-1)})$, $r = \\sigma(W_r x^{(t)} + U_r h^{(t-1)})$, "
             "$\\tilde{h} = \\tanh(W x^{(t)} + U(r \\odot h^{(t-1)}))$, "
             "$h^{(t)} = (1 - z) \\odot h^{(t-1)} + z \\odot \\tilde{h}$; loss $L = \\sum_t \\frac12 \\|h^{(t)} - y^{(t)}\\|^2$.")
PARTS = (Part("a", "Adjoints of every intermediate."), Part("b", "Weight gradients."))
SCALAR = make_problem(CELL, forward, scalar=True, title="GRU BPTT (scalar)", statement=STATEMENT, source=SOURCE,
                      init=("h",), display=DISPLAY)
SCALAR = SCALAR.__class__(**{**SCALAR.__dict__, "parts": PARTS})
VECTOR = make_problem(CELL, forward, scalar=False, title="GRU BPTT (vector)", statement=STATEMENT, source=SOURCE,
                      init=("h",), display=DISPLAY)


def derive() -> Any:
    b = Builder("gru-bptt", SCALAR)
    b.note(CONVENTION.replace("the gate inputs", "the gate and candidate inputs"))
    b.note("$m^{(t)} = r^{(t)} \\odot h^{(t-1)}$ and the pre-activations $a_z, a_r, \\tilde{a}$ are intermediates of "
           "their own, so every weight enters through one linear map.")
    record_cell(b, CELL, SCALAR, VECTOR)
    return b.build()


register_cell(
    name="gru-bptt",
    title="GRU backpropagation through time",
    summary="Reverse-mode adjoints and weight gradients of the CONVENTIONS GRU, scalar and vector form.",
    source=SOURCE, cell=CELL, forward=forward, derive=derive,
    module_name="gru_bptt", doc="Backpropagation through time for the CONVENTIONS GRU.", init=("h",),
)
