"""grid-rnn: the 2-D grid RNN of seed 004 part 2,
h_{i,j} = tanh(W_in x_{i,j} + W_W h_{i,j−1} + W_N h_{i−1,j}),  x ∈ R^D, h ∈ R^H.

(a) The weight shapes come from ``solve`` on the shape constraints of the definition;
the parameter count and the per-cell operation counts are read off the resulting matrix
expression.  (b) The earliest step at which cell (i, j) can be computed is fitted with
``solve`` and proved by induction (``Max`` of the two dependencies plus one); a G×G grid
takes s(G, G) = 2G − 1 diagonal-wavefront steps.  References: entries of sampled
matrices, an instrumented forward pass that counts arithmetic, a simulated schedule.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from derive import Builder, Dim, Entry, Index, Part, Problem, register

SOURCE = "shared/seeds/004_4d5bdb14b6230772.txt, part 2"
H, D = sp.symbols("H D", integer=True, positive=True)
i, j, G = sp.symbols("i j G", integer=True, positive=True)
WEIGHTS = ("W_in", "W_W", "W_N")


# --- references: counted, never from the formulas ------------------------------------------------

class _Counted:
    """A float that counts the multiplications and additions done with it."""

    counts = {"mul": 0, "add": 0, "tanh": 0}

    def __init__(self, v: float):
        self.v = v

    def __mul__(self, o: "_Counted") -> "_Counted":
        _Counted.counts["mul"] += 1
        return _Counted(self.v * o.v)

    def __add__(self, o: "_Counted") -> "_Counted":
        _Counted.counts["add"] += 1
        return _Counted(self.v + o.v)


def _matvec(M: list[list[_Counted]], x: list[_Counted]) -> list[_Counted]:
    out = []
    for row in M:
        acc = row[0] * x[0]
        for a, b in zip(row[1:], x[1:]):
            acc = acc + a * b
        out.append(acc)
    return out


def count_cell_ops(hh: int, dd: int) -> dict[str, int]:
    """Run one grid cell on counting numbers: multiplications, additions, tanh calls."""
    _Counted.counts = {"mul": 0, "add": 0, "tanh": 0}
    mk = lambda r, c: [[_Counted(0.1 * (a + b)) for b in range(c)] for a in range(r)]  # noqa: E731
    vec = lambda n: [_Counted(0.2 * a) for a in range(n)]  # noqa: E731
    parts = [_matvec(mk(hh, dd), vec(dd)), _matvec(mk(hh, hh), vec(hh)), _matvec(mk(hh, hh), vec(hh))]
    pre = [p0 + p1 + p2 for p0, p1, p2 in zip(*parts)]
    for _ in pre:
        _Counted.counts["tanh"] += 1
    return dict(_Counted.counts)


def schedule(g: int) -> dict[tuple[int, int], int]:
    """Simulate the wavefront: each round computes every cell whose west and north
    neighbours (where they exist) are done; returns the round of each cell."""
    done: dict[tuple[int, int], int] = {}
    rnd = 0
    while len(done) < g * g:
        rnd += 1
        ready = [(a, b) for a in range(1, g + 1) for b in range(1, g + 1) if (a, b) not in done
                 and (b == 1 or (a, b - 1) in done) and (a == 1 or (a - 1, b) in done)]
        for cell in ready:
            done[cell] = rnd
    return done


def _sample(s, sizes) -> dict[Any, Any]:
    hh, dd = sizes[H], sizes[D]
    return {"W_in": s.matrix(hh, dd), "W_W": s.matrix(hh, hh), "W_N": s.matrix(hh, hh)}


def _reference(vals, dps) -> dict[str, Any]:
    hh, dd = vals[H], vals[D]
    ops = count_cell_ops(hh, dd)
    sizes = {w: (vals[w].rows, vals[w].cols) for w in WEIGHTS}
    return {
        "nparams": lambda: mpmath.mpf(sum(vals[w].rows * vals[w].cols for w in WEIGHTS)),
        "nmul": lambda: mpmath.mpf(ops["mul"]),
        "nadd": lambda: mpmath.mpf(ops["add"]),
        "ntanh": lambda: mpmath.mpf(ops["tanh"]),
        "rows": lambda k: mpmath.mpf(sizes[WEIGHTS[k - 1]][0]),
        "cols": lambda k: mpmath.mpf(sizes[WEIGHTS[k - 1]][1]),
        "s": lambda a, b: mpmath.mpf(schedule(max(a, b))[(a, b)]),
        "steps": lambda g: mpmath.mpf(max(schedule(g).values())),
        "width": lambda g: mpmath.mpf(max(list(schedule(g).values()).count(r) for r in range(1, 2 * g))),
    }


PROBLEM = Problem(
    name="grid-rnn",
    title="2-D grid RNN: parameters, operations, wavefront steps",
    statement=("$h_{i,j} = \\tanh(W_{in} x_{i,j} + W_W h_{i,j-1} + W_N h_{i-1,j})$ with $x_{i,j} \\in \\mathbb{R}^D$, "
               "$h_{i,j} \\in \\mathbb{R}^H$ on a $G \\times G$ grid."),
    dims=(Dim(H, (1, 2, 3, 5)), Dim(D, (1, 2, 4))),
    indices=(Index(i, 1, 8), Index(j, 1, 8), Index(G, 1, 12)),
    sample_values=_sample,
    reference=_reference,
    parts=(Part("a", "How many weights does the grid have, and how many operations does one cell take?"),
           Part("b", "How many steps does a diagonal wavefront need for a G x G grid?"),
           Part("c", "Advantages and disadvantages of the grid RNN.", kind="stated")),
    assumptions=("H, D, G positive integers", "a cell needs its west and north neighbours (zero at the border)"),
    source=SOURCE,
    latex_names=(("s", "s({0}, {1})"), ("steps", "N_{{\\text{{steps}}}}({0})"), ("nparams", "N_{{\\text{{params}}}}"),
                 ("nmul", "N_{{\\times}}"), ("nadd", "N_{{+}}"), ("ntanh", "N_{{\\tanh}}"),
                 ("width", "N_{{\\text{{wide}}}}({0})"), ("rows", "\\operatorname{{rows}}_{{{0}}}"),
                 ("cols", "\\operatorname{{cols}}_{{{0}}}")),
)
F = sp.Function


def tex(w: str) -> str:
    base, _, sub = w.partition("_")
    return f"{base}_{{{sub}}}"


def derive_counts(b: Builder) -> None:
    b.part = "a"
    # shapes from the definition: W_in x must be H x 1 for x in R^D, W_W h and W_N h likewise
    r = sp.symbols("r1:4", positive=True, integer=True)
    c = sp.symbols("c1:4", positive=True, integer=True)
    inputs = (D, H, H)
    constraints = [sp.Eq(c[k], inputs[k]) for k in range(3)] + [sp.Eq(r[k], H) for k in range(3)]
    (sol,) = sp.solve(constraints, [*r, *c], dict=True)
    shapes = [(sol[r[k]], sol[c[k]]) for k in range(3)]
    for k, (w, (rr, cc)) in enumerate(zip(WEIGHTS, shapes), start=1):
        b.step(F("rows")(k), rr, f"${tex(w)}$ maps to the hidden size $H$ (solve on the shape constraints)", how="solve",
               prover=None)
        b.step(F("cols")(k), cc, f"${tex(w)}$ multiplies a vector of size {sp.latex(inputs[k - 1])}", how="solve",
               prover=None)
    mats = [sp.MatrixSymbol(w, rr, cc) for w, (rr, cc) in zip(WEIGHTS, shapes)]
    x, hw, hn = sp.MatrixSymbol("x", D, 1), sp.MatrixSymbol("h_W", H, 1), sp.MatrixSymbol("h_N", H, 1)
    pre = sp.MatAdd(mats[0] * x, mats[1] * hw, mats[2] * hn)
    nparams = sp.expand(sum(m.shape[0] * m.shape[1] for m in pre.atoms(sp.MatrixSymbol) if m.name in WEIGHTS))
    b.result("nparams", nparams)
    b.step(F("nparams")(), nparams, "sum of rows × cols over the weight matrices of the definition", how="atoms, expand")
    # operation counts of the pre-activation read off its matrix expression
    muls = adds = sp.Integer(0)
    for term in pre.args:
        (m,) = [a for a in term.args if isinstance(a, sp.MatrixSymbol) and a.name in WEIGHTS]
        rows, cols = m.shape
        muls += rows * cols  # one product per entry
        adds += rows * (cols - 1)  # a row of `cols` products needs cols - 1 additions
    adds += (len(pre.args) - 1) * pre.shape[0]  # adding the terms
    muls, adds = sp.expand(muls), sp.expand(adds)
    b.result("nmul", muls)
    b.result("nadd", adds)
    b.step(F("nmul")(), muls, "multiplications: rows × cols per matrix-vector product", how="expand")
    b.step(F("nadd")(), adds, "additions: rows × (cols − 1) per product, H per added term", how="expand")
    b.step(F("ntanh")(), pre.shape[0], "one tanh per entry of the H-vector", how="shape")
    b.note(f"(a) The grid shares one set of weights: ${sp.latex(nparams)}$ parameters (the seed's count is right). "
           f"A cell takes ${sp.latex(muls)}$ multiplications and ${sp.latex(adds)}$ additions "
           f"(${sp.latex(sp.expand(muls + adds))}$ flops, ${sp.latex(muls)}$ multiply-adds) and $H$ tanh.")


def derive_wavefront(b: Builder) -> None:
    b.part = "b"
    # fit s(i, j) = c0 + c1 i + c2 j from the first cells of the simulated schedule
    sched = schedule(3)
    c0, c1, c2 = sp.symbols("c0:3")
    model = c0 + c1 * i + c2 * j
    eqs = [sp.Eq(model.subs({i: a, j: bb}), sched[(a, bb)]) for a, bb in ((1, 1), (1, 2), (2, 1), (2, 2))]
    (sol,) = sp.solve(eqs, [c0, c1, c2], dict=True)
    s_ij = model.subs(sol)
    b.step(F("s")(i, j), s_ij, "earliest step of cell (i, j): affine law fitted with solve to the first cells",
           how="solve", prover=None)
    # induction: s(1, 1) = 1, and one step after the later of the two neighbours
    base = s_ij.subs({i: 1, j: 1})
    if base != 1:
        raise RuntimeError("the fitted law does not start at step 1")
    step = sp.simplify(sp.Max(s_ij.subs(j, j - 1), s_ij.subs(i, i - 1)) + 1 - s_ij)
    if step != 0:
        raise RuntimeError("the induction step for s(i, j) did not close")
    b.step(sp.Max(F("s")(i, j - 1), F("s")(i - 1, j)) + 1, s_ij,
           "induction step: one step after the later of the west and north neighbours; with the law for both "
           "neighbours $\\max(i + j - 2, i + j - 2) + 1$ simplifies to $i + j - 1$", how="simplify",
           condition=sp.And(sp.Ge(i, 2), sp.Ge(j, 2)))
    steps = s_ij.subs({i: G, j: G})
    b.result("steps", steps)
    b.step(F("steps")(G), steps, "the last cell is (G, G): the number of anti-diagonals $i + j - 1 = 1, \\dots, 2G-1$",
           how="subs", prover=None)
    k = sp.Symbol("k", integer=True, positive=True)
    # anti-diagonal k holds the cells with i + j - 1 = k: i from max(1, k - G + 1) to min(G, k)
    on_diag = sp.Min(G, k) - sp.Max(1, k - G + 1) + 1
    width = sp.simplify(on_diag.subs(k, G))
    b.step(F("width")(G), width, "anti-diagonal $k$ holds $\\min(G, k) - \\max(1, k - G + 1) + 1$ cells, most at "
           "$k = G$: at most G cells run at once",
           how="subs", prover=None)
    b.note("(b) A diagonal wavefront needs exactly $2G - 1$ steps (the seed's \"$\\sim G$\" is the right order but "
           "not the count); at most $G$ cells are independent at once.")
    b.part = "c"
    b.note("(c) stated: the grid sees context from two directions with shared weights (more capacity per "
           "parameter); but every cell waits for two neighbours, so only a wavefront of at most G cells runs in "
           "parallel, and backpropagation runs through both directions of the grid.")


def derive() -> Any:
    b = Builder("grid-rnn", PROBLEM)
    derive_counts(b)
    derive_wavefront(b)
    return b.build()


register(Entry(
    name="grid-rnn",
    title="2-D grid RNN: parameter count, per-cell operations, wavefront steps",
    derive=derive,
    summary="D H + 2H² weights, per-cell operation counts for symbolic D, H, and 2G − 1 wavefront steps.",
    source=SOURCE,
    tags=("rnn", "counting"),
))
