"""lstm-bptt: backpropagation through time for the seed's LSTM (seed 004, part 1).

i, p, o = σ(W_{·x} x^{(t)} + W_{·h} h^{(t−1)}), g = tanh(W_{gx} x^{(t)} + W_{gh} h^{(t−1)}),
c^{(t)} = p^{(t)} c^{(t−1)} + i^{(t)} g^{(t)}, h^{(t)} = o^{(t)} tanh(c^{(t)}),
L = Σ_t ½‖h^{(t)} − y^{(t)}‖² (CONVENTIONS).  The forget gate is named p, as in the seed.

The reverse-mode engine (derive.adjoint) differentiates each equation (sp.diff, one step
per edge, each checked against mpmath.diff), collects every adjoint over its consumers
in the same step and the next one, and sums the weight gradients over t.  Every adjoint
and weight gradient is checked against central finite differences of the loss of an
unrolled mpmath forward pass (hand-written below, not generated from the equations).
"""

from __future__ import annotations

from typing import Any, Callable

import mpmath
import sympy as sp

from derive import Builder, Part
from derive.adjoint import (CONVENTION, Cell, Elementwise, Linear, LinearTerm, inline, make_problem,
                            record_adjoints, record_edges, record_weight_gradients, reverse, sigma,
                            sigma_prime, t, v)
from derive.adjoint.catalogue import register_cell
from derive.adjoint.cell import T
from derive.adjoint.partial import LocalPartial

SOURCE = "shared/seeds/004_4d5bdb14b6230772.txt, part 1"
GATES = ("i", "p", "o", "g")


def _linear(name: str, gate: str) -> Linear:
    return Linear(name, (LinearTerm(f"W_{gate}x", "x"), LinearTerm(f"W_{gate}h", "h", 1)))


CELL = Cell("lstm-bptt", (
    *(_linear(f"a_{g}", g) for g in GATES),
    Elementwise("i", sigma(v("a_i"))),
    Elementwise("p", sigma(v("a_p"))),
    Elementwise("o", sigma(v("a_o"))),
    Elementwise("g", sp.tanh(v("a_g"))),
    Elementwise("c", v("p") * v("c", 1) + v("i") * v("g")),
    Elementwise("h", v("o") * sp.tanh(v("c"))),
))


# --- the independent reference: a hand-written unrolled forward pass in mpmath ---------------

def _sig(m: Any) -> Any:
    return m.apply(lambda z: 1 / (1 + mpmath.exp(-z)))


def _had(a: Any, b: Any) -> Any:
    return mpmath.matrix([[a[k, 0] * b[k, 0]] for k in range(a.rows)])


def forward(W: dict[str, Any], xs: list, init: dict[str, Any], steps: int,
            hook: Callable[[str, int, Any], Any], limit: bool = False) -> dict[str, dict[int, Any]]:
    """Run the LSTM for t = 1..steps; ``limit`` forces p = 1, i = 0, o = 0 (part (c))."""
    out: dict[str, dict[int, Any]] = {n: {} for n in CELL.intermediates}
    h, c = init["h"], init["c"]
    for tt in range(1, steps + 1):
        x = xs[tt]
        a = {g: hook(f"a_{g}", tt, W[f"W_{g}x"] * x + W[f"W_{g}h"] * h) for g in GATES}
        i, p, o = _sig(a["i"]), _sig(a["p"]), _sig(a["o"])
        if limit:
            n = i.rows
            i, p, o = mpmath.zeros(n, 1), mpmath.ones(n, 1), mpmath.zeros(n, 1)
        i, p, o = hook("i", tt, i), hook("p", tt, p), hook("o", tt, o)
        g = hook("g", tt, a["g"].apply(mpmath.tanh))
        c = hook("c", tt, _had(p, c) + _had(i, g))
        h = hook("h", tt, _had(o, c.apply(mpmath.tanh)))
        for name, val in (("i", i), ("p", p), ("o", o), ("g", g), ("c", c), ("h", h)):
            out[name][tt] = val
        for gname in GATES:
            out[f"a_{gname}"][tt] = a[gname]
    return out


def _limit_forward(W, xs, init, steps, hook):
    return forward(W, xs, init, steps, hook, limit=True)


STATEMENT = ("LSTM with forget gate $p$: $i, p, o = \\sigma(W_{\\cdot x} x^{(t)} + W_{\\cdot h} h^{(t-1)})$, "
             "$g = \\tanh(W_{gx} x^{(t)} + W_{gh} h^{(t-1)})$, $c^{(t)} = p^{(t)} c^{(t-1)} + i^{(t)} g^{(t)}$, "
             "$h^{(t)} = o^{(t)} \\tanh(c^{(t)})$, loss $L = \\sum_t \\frac12 \\|h^{(t)} - y^{(t)}\\|^2$.")
PARTS = (
    Part("a", "Derive the adjoints $\\bar{h}^{(t)}, \\bar{c}^{(t)}, \\bar{i}^{(t)}, \\bar{p}^{(t)}, \\bar{o}^{(t)}, "
              "\\bar{g}^{(t)}$."),
    Part("b", "Derive $\\bar{W}_{ix}$ (and every other weight gradient)."),
    Part("c", "Gradient flow when $p^{(t)} \\approx 1$, $i^{(t)} \\approx 0$, $o^{(t)} \\approx 0$."),
)
# the seed (004) writes X for x and w for W (CONVENTIONS: models the seeds leave open)
SEED_ALIASES = (("X", "x"), ("w", "W"))
SCALAR = make_problem(CELL, forward, scalar=True, title="LSTM BPTT (scalar, H = D = 1)", statement=STATEMENT,
                      source=SOURCE, init=("h", "c"), aliases=SEED_ALIASES)
VECTOR = make_problem(CELL, forward, scalar=False, title="LSTM BPTT (vector, H in {1, 3}, D = 2)",
                      statement=STATEMENT, source=SOURCE, init=("h", "c"), aliases=SEED_ALIASES)
LIMIT = make_problem(Cell("lstm-bptt-limit", CELL.equations), _limit_forward, scalar=True,
                     title="LSTM in the limit p = 1, i = 0, o = 0 (scalar)", statement=STATEMENT, source=SOURCE,
                     init=("h", "c"))
SCALAR = SCALAR.__class__(**{**SCALAR.__dict__, "parts": PARTS})


def seed_forms(b: Builder, rev, adj: dict[str, sp.Basic], grads: dict[str, sp.Basic]) -> None:
    """The seed's way of writing \\bar{h} and \\bar{W}_{ix}: pre-activation adjoints inlined."""
    defs = {f"bar_a_{g}": adj[f"bar_a_{g}"] for g in GATES}
    pre = {f"a_{g}": sp.Symbol(f"W_{g}x") * v("x") + sp.Symbol(f"W_{g}h") * v("h", 1) for g in GATES}
    hbar = inline(inline(adj["bar_h"], rev, tuple(defs), defs), rev, tuple(pre), pre)
    b.result("bar_h_seed", hbar)
    b.step(sp.Function("bar_h")(t), hbar, "substitute $\\bar{a}_\\cdot^{(t+1)} = \\bar{\\cdot}^{(t+1)} "
           "\\sigma'(a_\\cdot^{(t+1)})$ and the pre-activations (the seed's form of $\\bar{h}^{(t)}$)",
           problem=SCALAR, prover=None, how="subs")
    wix = inline(inline(grads["bar_W_ix"], rev, ("bar_a_i",), defs), rev, tuple(pre), pre)
    b.result("bar_W_ix_seed", wix)
    b.step(sp.Function("bar_W_ix")(), wix, "substitute $\\bar{a}_i^{(t)} = \\bar{i}^{(t)} \\sigma'(a_i^{(t)})$: "
           "the seed's part (b)", problem=SCALAR, prover=None, how="subs")


def _tex_bar(n: str) -> str:
    """bar_c -> \\bar{c}, bar_a_o -> \\bar{a}_{o}."""
    base, _, sub = n[len("bar_"):].partition("_")
    return f"\\bar{{{base}}}" + (f"_{{{sub}}}" if sub else "")


def part_c(b: Builder, adj: dict[str, sp.Basic]) -> None:
    b.part = "c"
    a = sp.Symbol("a")
    # σ'(a) = σ(a)(1 − σ(a)), from the definition of σ by differentiation
    d = sp.diff(1 / (1 + sp.exp(-a)), a)
    ident = sp.simplify(d - sigma(a).rewrite(sp.exp) * (1 - sigma(a).rewrite(sp.exp)))
    if ident != 0:
        raise RuntimeError("σ' = σ(1 − σ) did not simplify")
    gate_of = {f"a_{g}": sp.Function(g) for g in ("i", "p", "o")}

    def gate_form(e: sp.Expr) -> sp.Expr:
        return e.replace(lambda z: isinstance(z, sigma_prime) and type(z.args[0]).__name__ in gate_of,
                         lambda z: gate_of[type(z.args[0]).__name__](*z.args[0].args)
                         * (1 - gate_of[type(z.args[0]).__name__](*z.args[0].args)))

    c_rhs = CELL.equation("c").expr
    dc = b.step(LocalPartial(c_rhs, v("c", 1), v("c")), sp.diff(c_rhs, v("c", 1)),
                "$\\partial c^{(t)}/\\partial c^{(t-1)}$ by sp.diff of $c$'s equation", problem=SCALAR,
                prover=None, how="diff")
    b.result("dc_dcprev", dc)
    # every gate adjoint written through \\bar{h}, \\bar{c} (inline the pre-activation and gate adjoints)
    gate_adj = {k: adj[k] for k in ("bar_a_i", "bar_a_p", "bar_a_o", "bar_a_g", "bar_i", "bar_p", "bar_o", "bar_g")}
    h_rec = gate_form(inline(adj["bar_h"], None, tuple(gate_adj), gate_adj))
    b.step(sp.Function("bar_h")(t), h_rec, "inline the gate adjoints at $t+1$ and write $\\sigma'(a) = "
           "\\sigma(a)(1-\\sigma(a))$ for the gates: $\\bar{h}^{(t)}$ through $\\bar{h}^{(t+1)}, "
           "\\bar{c}^{(t+1)}$", problem=SCALAR, prover=None, how="subs")
    b.result("bar_h_recursion", h_rec)
    limits = {sp.Function("p")(t + k): 1 for k in (0, 1)}
    limits.update({sp.Function(g)(t + k): 0 for g in ("i", "o") for k in (0, 1)})
    out = {}
    for n in ("bar_c", "bar_h", "bar_p", "bar_i", "bar_g", "bar_o", "bar_a_o"):
        expr = h_rec if n == "bar_h" else gate_form(adj[n])
        lim = sp.expand(expr.xreplace(limits))
        out[n] = lim
        b.step(sp.Function(n)(t), lim, f"${_tex_bar(n)}$ with $p = 1$, $i = 0$, $o = 0$ substituted "
               "(checked on the LSTM with those gates forced)", problem=LIMIT, prover=None, how="subs")
    b.result("limit_bar_c", out["bar_c"])
    b.result("limit_bar_h", out["bar_h"])
    # the recursion \\bar c^{(t)} = \\bar c^{(t+1)}: rsolve, then the terminal condition \\bar c^{(T+1)} = 0
    f = sp.Function("f")
    sol = sp.rsolve(f(t + 1) - f(t), f(t))
    (const,) = sol.free_symbols - {t}
    (c0,) = sp.solve(sp.Eq(sol.subs(t, T + 1), 0), const)
    cbar = sol.subs(const, c0)
    b.step(sp.Function("bar_c")(t), cbar, "rsolve: $\\bar{c}^{(t)} = \\bar{c}^{(t+1)}$ is constant in t; "
           "$\\bar{c}^{(T+1)} = 0$ fixes the constant", problem=LIMIT, prover=None, how="rsolve, solve")
    hlim = out["bar_h"].subs(sp.Function("h")(t), sp.Function("o")(t) * sp.tanh(sp.Function("c")(t))).xreplace(limits)
    b.step(sp.Function("bar_h")(t), hlim, "$h^{(t)} = o^{(t)} \\tanh c^{(t)} = 0$ in the limit",
           problem=LIMIT, prover=None, how="subs")
    b.result("limit_bar_h_closed", hlim)
    b.note("(c) What actually happens: $\\partial c^{(t)}/\\partial c^{(t-1)} = p^{(t)} \\approx 1$, so the cell "
           "state carries an adjoint back through time without decay or growth (the product of these Jacobians "
           "over many steps stays near 1). But with $o \\approx 0$ nothing enters that path: "
           "$\\bar{c}^{(t)} = \\bar{h}^{(t)} o^{(t)}(1 - \\tanh^2 c^{(t)}) + \\bar{c}^{(t+1)} p^{(t+1)} \\to "
           "\\bar{c}^{(t+1)}$, and with $\\bar{c}^{(T+1)} = 0$ (rsolve) $\\bar{c}^{(t)} = 0$, so "
           "$\\bar{p}, \\bar{i}, \\bar{g} \\to 0$. The seed is right there. It is wrong about $\\bar{h}$: the "
           "cross-time term is $W_{oh}\\,\\sigma'(a_o^{(t+1)})\\,\\tanh(c^{(t+1)})\\,\\bar{h}^{(t+1)}$ and "
           "$\\sigma'(a_o) = o(1-o) \\to 0$, so it vanishes (the seed drops $\\sigma'$ and $W_{oh}$ and keeps "
           "$\\bar{h}^{(t)} \\approx \\bar{h}^{(t+1)} \\tanh c$); it also omits the loss term. The limit is "
           "$\\bar{h}^{(t)} = h^{(t)} - y^{(t)} = -y^{(t)}$: no gradient crosses time steps through $h$, and "
           "every weight gradient tends to 0 (each has a factor $\\sigma'(a)$ of a saturated gate or "
           "$\\bar{c} = 0$). Nothing explodes, but the gradient to earlier steps vanishes rather than being "
           "preserved: learning stalls until the gates move.")


def derive() -> Any:
    b = Builder("lstm-bptt", SCALAR)
    b.note(CONVENTION)
    rev = reverse(CELL)
    b.part = "a"
    record_edges(b, rev, SCALAR)
    adj = record_adjoints(b, rev, SCALAR, VECTOR)
    for k, val in adj.items():
        b.result(k, val)
    b.part = "b"
    grads = record_weight_gradients(b, rev, SCALAR, VECTOR)
    for k, val in grads.items():
        b.result(k, val)
    seed_forms(b, rev, adj, grads)
    part_c(b, adj)
    b.note("Seed slips (each checked in tests/test_adjoint_lstm.py): in 1(a) the gate pre-activations at t+1 "
           "read $x^{(t+1)}$, not $X^{(t)}$; $\\bar{c}^{(t)} = \\bar{h}^{(t)} o^{(t)}(1 - \\tanh^2 c^{(t)}) + "
           "\\bar{c}^{(t+1)} p^{(t+1)}$ (the seed writes $\\sigma'$ for $o$ and $\\bar{c}^{(t+1)}$ on both sides); "
           "$\\bar{p}^{(t)} = \\bar{c}^{(t)} c^{(t-1)}$ (the seed multiplies by $c^{(t)}$); and $\\bar{h}^{(t)}$ "
           "also has the loss term $h^{(t)} - y^{(t)}$. Part (b) is right.")
    return b.build()


register_cell(
    name="lstm-bptt",
    title="LSTM backpropagation through time (adjoints, weight gradients, gradient flow)",
    summary="Reverse-mode adjoints of the seed's LSTM (forget gate p), scalar and vector form, "
            "weight gradients as sums over t, and the p ≈ 1, i ≈ 0, o ≈ 0 limit.",
    source=SOURCE, cell=CELL, forward=forward, derive=derive,
    module_name="lstm_bptt", doc="Backpropagation through time for the seed's LSTM (forget gate p).",
    init=("h", "c"),
)
