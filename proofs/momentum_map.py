"""momentum-map: the heavy-ball update as a map of the state s = (θ, p) (seed 004, part 3).

p^{(k+1)} = β p^{(k)} − α ∇F(θ^{(k)}),   θ^{(k+1)} = θ^{(k)} + p^{(k+1)},   s = (θ, p) ∈ R^{2D}.

(a) The inverse map, by solving the two update equations (linear in the unknowns) for
    θ^{(k)} and p^{(k)}: θ^{(k)} = θ^{(k+1)} − p^{(k+1)},
    p^{(k)} = (p^{(k+1)} + α∇F(θ^{(k+1)} − p^{(k+1)}))/β.
(b) The Jacobian ∂s^{(k+1)}/∂s^{(k)} in D x D blocks from the differentials of the map,
    with d∇F(θ) = H dθ, H = ∇²F(θ^{(k)}).  Because θ^{(k+1)} depends on p^{(k+1)},
    J = [[I − αH, βI], [−αH, βI]] (the seed's [[I, 0], [−αH, βI]] is wrong).
(c) det J = β^D by the Schur-complement rule det[[P, Q], [R, S]] = det S · det(P − Q S⁻¹ R)
    for invertible S (here S = βI, β > 0), for symbolic D.

The independent reference iterates the map in mpmath for a random smooth F (a sum of
log cosh ridges plus a quadratic) and differentiates it with ``mpmath.diff``.
"""

from __future__ import annotations

import random
from typing import Any

import mpmath
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from derive import Builder, Dim, Entry, Index, Notation, Part, Problem, register
from derive.numeric import EvaluationError, evaluator, is_matrix
from derive.symbols import MatSeq
from derive.tracediff import differential, linear_terms, solve_linear
from derive.verdict import REFUTED, VERIFIED, Verdict

SOURCE = "shared/seeds/004_4d5bdb14b6230772.txt, part 3 (the seed writes B for β)"

# --- symbols -------------------------------------------------------------------------------------
D = sp.Symbol("D", integer=True, positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
alpha, beta = sp.symbols("alpha beta", positive=True)
dtheta = sp.MatrixSymbol(r"\mathrm{d}\theta", D, 1)
dp = sp.MatrixSymbol(r"\mathrm{d}p", D, 1)


def theta(i: sp.Expr) -> MatSeq:
    return MatSeq("theta", i, D, 1)


def p(i: sp.Expr) -> MatSeq:
    return MatSeq("p", i, D, 1)


class Grad(MatrixExpr):
    """∇F(x) for the problem's smooth F (D x 1); its differential is H(x) dx."""

    def __new__(cls, x: sp.Basic):
        return super().__new__(cls, x)

    @property
    def arg(self) -> sp.Basic:
        return self.args[0]

    @property
    def shape(self):
        return (self.arg.shape[0], sp.Integer(1))

    def _eval_differential(self, var: Any, dvar: Any) -> sp.Basic:
        inner = differential(self.arg, var, dvar)
        if isinstance(inner, sp.ZeroMatrix):
            return sp.ZeroMatrix(*self.shape)
        return sp.MatMul(Hess(self.arg), inner)

    def _eval_transpose(self):
        return None

    def doit(self, **hints):
        return Grad(self.arg.doit(**hints)) if hints.get("deep", True) else self

    def _house_latex(self, printer) -> str:
        return rf"\nabla F\left({printer._print(self.arg)}\right)"

    def _sympystr(self, printer) -> str:
        return f"grad F({printer._print(self.arg)})"

    def _pythoncode(self, printer) -> str:
        # generated code takes the gradient as a callable argument ``grad``
        return f"grad({printer._print(self.arg)})"

    _numpycode = _cupycode = _pythoncode


class Hess(MatrixExpr):
    """H(x) = ∇²F(x) (D x D, symmetric)."""

    def __new__(cls, x: sp.Basic):
        return super().__new__(cls, x)

    @property
    def arg(self) -> sp.Basic:
        return self.args[0]

    @property
    def shape(self):
        return (self.arg.shape[0], self.arg.shape[0])

    def _eval_transpose(self):
        return self  # the Hessian of a smooth F is symmetric

    def doit(self, **hints):
        return Hess(self.arg.doit(**hints)) if hints.get("deep", True) else self

    def _house_latex(self, printer) -> str:
        return rf"H\left({printer._print(self.arg)}\right)"

    def _sympystr(self, printer) -> str:
        return f"H({printer._print(self.arg)})"

    def _pythoncode(self, printer) -> str:
        return f"hess({printer._print(self.arg)})"

    _numpycode = _cupycode = _pythoncode


# --- a random smooth F and the reference -----------------------------------------------------------

class SmoothF:
    """F(θ) = Σ_j c_j log cosh(w_jᵀθ + b_j) + ½ θᵀAθ + gᵀθ, with its gradient and Hessian
    (the model's definition; the Jacobian reference differentiates the map numerically)."""

    def __init__(self, Wr: Any, b: list, c: list, A: Any, g: Any):
        self.W, self.b, self.c, self.A, self.g = Wr, b, c, A, g

    def _z(self, x: Any) -> list:
        return [mpmath.fsum(self.W[j, i] * x[i] for i in range(x.rows)) + self.b[j] for j in range(self.W.rows)]

    def value(self, x: Any) -> Any:
        quad = (x.T * self.A * x)[0, 0] / 2 + (self.g.T * x)[0, 0]
        return mpmath.fsum(cj * mpmath.log(mpmath.cosh(z)) for cj, z in zip(self.c, self._z(x))) + quad

    def grad(self, x: Any) -> Any:
        out = self.A * x + self.g
        for j, z in enumerate(self._z(x)):
            t = self.c[j] * mpmath.tanh(z)
            for i in range(x.rows):
                out[i] += t * self.W[j, i]
        return out

    def hess(self, x: Any) -> Any:
        out = self.A.copy()
        for j, z in enumerate(self._z(x)):
            s = self.c[j] / mpmath.cosh(z) ** 2
            for i in range(x.rows):
                for l in range(x.rows):
                    out[i, l] += s * self.W[j, i] * self.W[j, l]
        return out


def random_F(s: Any, dim: int, ridges: int = 3) -> SmoothF:
    return SmoothF(s.matrix(ridges, dim), [s.scalar(-1, 1) for _ in range(ridges)],
                   [s.scalar(-2, 2) for _ in range(ridges)], s.matrix(dim, dim, "symmetric"), s.vector(dim))


def forward(F: SmoothF, a: Any, b: Any, th: Any, pp: Any) -> tuple[Any, Any]:
    """One heavy-ball step, as defined: p' = βp − α∇F(θ), θ' = θ + p'."""
    p_next = b * pp - a * F.grad(th)
    return th + p_next, p_next


def numeric_jacobian(F: SmoothF, a: Any, b: Any, th: Any, pp: Any) -> Any:
    """∂s'/∂s by mpmath.diff of every component of the forward map."""
    dim = th.rows
    J = mpmath.matrix(2 * dim, 2 * dim)
    for col in range(2 * dim):
        def moved(t: Any, col: int = col) -> tuple[Any, Any]:
            th2, p2 = th.copy(), pp.copy()
            if col < dim:
                th2[col] += t
            else:
                p2[col - dim] += t
            return forward(F, a, b, th2, p2)

        for row in range(2 * dim):
            J[row, col] = mpmath.diff(lambda t, row=row: _component(moved(t), row, dim), 0)
    return J


def _component(state: tuple[Any, Any], row: int, dim: int) -> Any:
    return state[0][row] if row < dim else state[1][row - dim]


STEPS = 4


def _sample(s, sizes) -> dict[Any, Any]:
    dim = sizes[D]
    return {alpha: s.positive(0.05, 0.5), beta: s.positive(0.3, 0.99), "F": random_F(s, dim),
            "theta0": s.vector(dim), "p0": s.vector(dim), dtheta: s.vector(dim), dp: s.vector(dim)}


def _reference(vals, dps) -> dict[str, Any]:
    F, a, b = vals["F"], vals[alpha], vals[beta]
    states = [(vals["theta0"], vals["p0"])]

    def state(i: int) -> tuple[Any, Any]:
        if i < 0 or i > 50:
            raise EvaluationError(f"step {i} is outside 0..50")
        while len(states) <= i:
            states.append(forward(F, a, b, *states[-1]))
        return states[i]

    def directional(i: int, which: int) -> Any:
        th, pp = state(i)
        dim = th.rows
        out = mpmath.matrix(dim, 1)
        for r in range(dim):
            out[r] = mpmath.diff(lambda t: forward(F, a, b, th + t * vals[dtheta], pp + t * vals[dp])[which][r], 0)
        return out

    return {
        "theta": lambda i: state(i)[0],
        "p": lambda i: state(i)[1],
        "dthetanext": lambda i: directional(i, 0),
        "dpnext": lambda i: directional(i, 1),
        "J": lambda i: numeric_jacobian(F, a, b, *state(i)),
        "detJ": lambda i: mpmath.det(numeric_jacobian(F, a, b, *state(i))),
    }


@evaluator(Grad)
def _grad(ev: Any, e: Grad) -> Any:
    x = ev(e.arg)
    if not is_matrix(x):
        x = mpmath.matrix([[x]])
    return ev.lookup("F").grad(x)


@evaluator(Hess)
def _hess(ev: Any, e: Hess) -> Any:
    x = ev(e.arg)
    if not is_matrix(x):
        x = mpmath.matrix([[x]])
    return ev.lookup("F").hess(x)


PROBLEM = Problem(
    name="momentum-map",
    title="The momentum (heavy-ball) update as a map of s = (θ, p)",
    statement=("p^{(k+1)} = βp^{(k)} − α∇F(θ^{(k)}), θ^{(k+1)} = θ^{(k)} + p^{(k+1)}; find the inverse map, "
               "the Jacobian ∂s^{(k+1)}/∂s^{(k)} and its determinant."),
    dims=(Dim(D, (1, 2, 3, 4)),),
    indices=(Index(k, 0, 3),),
    sample_values=_sample,
    reference=_reference,
    notation=(
        Notation(r"\theta^{(k)}", theta(k), "parameters at step k (iterated in mpmath)"),
        Notation("p^{(k)}", p(k), "momentum at step k (iterated in mpmath)"),
        Notation(r"\alpha", alpha, "step size, U(0.05, 0.5)"),
        Notation(r"\beta", beta, "momentum coefficient, U(0.3, 0.99) (the seed's B)"),
        Notation(r"\nabla F", Grad(theta(k)), "gradient of a random smooth F: 3 log cosh ridges + a quadratic"),
        Notation("H", Hess(theta(k)), "Hessian ∇²F(θ^{(k)})"),
        Notation(r"\frac{\partial s^{(k+1)}}{\partial s^{(k)}}", MatSeq("J", k, 2 * D, 2 * D),
                 "Jacobian of the map (mpmath.diff of the iterated map)"),
    ),
    assumptions=("β > 0 (β ≠ 0 for the inverse)", "F twice continuously differentiable", "s = (θ, p) ∈ R^{2D}"),
    parts=(
        Part("a", "The inverse map f⁻¹(s^{(k+1)}) = s^{(k)}."),
        Part("b", "The Jacobian ∂s^{(k+1)}/∂s^{(k)} in D x D blocks."),
        Part("c", "Its determinant."),
    ),
    source=SOURCE,
    latex_names=(("theta", "paren"), ("p", "paren"),
                 ("J", r"\frac{{\partial s^{{({0} + 1)}}}}{{\partial s^{{({0})}}}}"),
                 ("detJ", r"\det\frac{{\partial s^{{({0} + 1)}}}}{{\partial s^{{({0})}}}}"),
                 ("dthetanext", r"\mathrm{{d}}\theta^{{({0} + 1)}}"), ("dpnext", r"\mathrm{{d}}p^{{({0} + 1)}}")),
    aliases=(("B", r"\beta"),),  # the seed (004) writes B for β
)

# the block rule is checked on its own problem: random P, Q, R and an invertible S
P_, Q_, R_, S_ = (sp.MatrixSymbol(s, D, D) for s in ("P", "Q", "R", "S"))


def _block_sample(s, sizes) -> dict[Any, Any]:
    dim = sizes[D]
    return {P_: s.matrix(dim, dim), Q_: s.matrix(dim, dim), R_: s.matrix(dim, dim),
            S_: s.matrix(dim, dim, "invertible")}


BLOCK_PROBLEM = Problem(name="momentum-map/block-determinant", title="determinant of a 2 x 2 block matrix",
                        statement="det [[P, Q], [R, S]] for invertible S", dims=(Dim(D, (1, 2, 3, 4, 5)),),
                        sample_values=_block_sample)


# --- the derivation -------------------------------------------------------------------------------------

def _coefficient(expr: sp.Basic, var: sp.MatrixSymbol, size: sp.Expr) -> sp.Basic:
    """The matrix C with expr = C·var + (terms free of var); terms must be left-linear."""
    lin, _ = linear_terms(expr, var)
    if any(t.right is not None for t in lin):
        raise ValueError("a term is not of the form C·var")
    if not lin:
        return sp.ZeroMatrix(size, size)
    return sp.MatAdd(*[t.coeff * (t.left if t.left is not None else sp.Identity(size)) for t in lin]).doit()


def derive_inverse(b: Builder) -> dict[str, sp.Basic]:
    b.part = "a"
    p_next = beta * p(k) - alpha * Grad(theta(k))
    b.step(p(k + 1), p_next, "definition of the momentum update", prover=None)
    b.step(theta(k + 1), theta(k) + p(k + 1), "definition of the parameter update", prover=None)
    theta_k = solve_linear(theta(k) + p(k + 1) - theta(k + 1), theta(k))
    b.step(theta(k), theta_k, "solve the parameter update for θ(k)", prover=None, how="derive.tracediff.solve_linear")
    p_k = solve_linear(p_next - p(k + 1), p(k)).expand().doit()
    b.step(p(k), p_k, "solve the momentum update for p(k) (β ≠ 0)", prover=None, how="derive.tracediff.solve_linear")
    p_k2 = p_k.xreplace({theta(k): theta_k})
    b.step(p(k), p_k2, "substitute θ(k) = θ(k+1) − p(k+1): the inverse needs only s(k+1)", prover=None,
           how="xreplace")
    b.result("forward_p", p_next)
    b.result("inverse_p_given_theta", p_k)
    b.result("inverse_theta", theta_k)
    b.result("inverse_p", p_k2)
    from derive.emit.latex import latex

    b.answer("inverse map f⁻¹(s^(k+1))", (theta_k, p_k2),
             rf"\theta^{{(k)}} = {latex(theta_k, seq_style={'theta': 'paren', 'p': 'paren'})},\quad "
             rf"p^{{(k)}} = {latex(p_k2, seq_style={'theta': 'paren', 'p': 'paren'})}",
             "θ^(k) = θ^(k+1) − p^(k+1),  p^(k) = (p^(k+1) + α∇F(θ^(k+1) − p^(k+1)))/β  (the seed's inverse agrees)")
    return {"p_next": p_next}


def derive_jacobian(b: Builder, p_next: sp.Basic) -> sp.BlockMatrix:
    b.part = "b"
    theta_next = theta(k) + p_next
    b.step(theta(k + 1), theta_next, "θ(k+1) = θ(k) + p(k+1) depends on p(k+1): substitute the momentum update",
           prover=None, how="subs")
    # total differential = sum of the partial differentials in θ^(k) and in p^(k)
    dth = (differential(theta_next, theta(k), dtheta) + differential(theta_next, p(k), dp)).doit()
    dpp = (differential(p_next, theta(k), dtheta) + differential(p_next, p(k), dp)).doit()
    dnext = lambda name: sp.Function(name)(k)  # noqa: E731 - reference directional derivatives
    b.step(dnext("dthetanext"), dth, "differential of θ(k+1), with d∇F(θ) = H dθ (chain rule)", prover=None,
           how="derive.tracediff.differential")
    b.step(dnext("dpnext"), dpp, "differential of p(k+1)", prover=None, how="derive.tracediff.differential")
    blocks = [[_coefficient(dth, dtheta, D), _coefficient(dth, dp, D)],
              [_coefficient(dpp, dtheta, D), _coefficient(dpp, dp, D)]]
    J = sp.BlockMatrix(blocks)
    b.result("jacobian", J)
    b.step(MatSeq("J", k, 2 * D, 2 * D), J, "read the D x D blocks off the differentials: ds' = J ds",
           prover=None, how="derive.tracediff.linear_terms")
    from derive.emit.latex import latex

    style = {"seq_style": dict(PROBLEM.latex_names)}
    b.answer("Jacobian ∂s^(k+1)/∂s^(k)", J,
             rf"\frac{{\partial s^{{(k+1)}}}}{{\partial s^{{(k)}}}} = {latex(J, **style)}",
             "[[I − αH, βI], [−αH, βI]] with H = ∇²F(θ^(k))  (the seed's [[I, 0], [−αH, βI]] is wrong)",
             check=lambda: _check_jacobian_concrete(J))
    b.note("The seed's Jacobian [[I, 0], [−αH, βI]] treats θ^(k+1) as independent of p^(k+1); it is wrong "
           "(its top blocks should be I − αH and βI).  Its determinant β^D is right by coincidence: its matrix "
           "is block lower triangular with the same diagonal determinant product.")
    return J


def derive_determinant(b: Builder, J: sp.BlockMatrix) -> sp.Expr:
    b.part = "c"
    P, Q = J.blocks[0, 0], J.blocks[0, 1]
    R, S = J.blocks[1, 0], J.blocks[1, 1]
    block = sp.BlockMatrix([[P_, Q_], [R_, S_]])
    I_, Z_ = sp.Identity(D), sp.ZeroMatrix(D, D)
    schur_ = P_ - Q_ * sp.Inverse(S_) * R_
    factors = sp.MatMul(sp.BlockMatrix([[I_, Q_ * sp.Inverse(S_)], [Z_, I_]]),
                        sp.BlockMatrix([[schur_, Z_], [R_, S_]]))
    b.step(block, factors, "block elimination (S invertible): a unit upper block-triangular factor times a lower "
           "block-triangular one", problem=BLOCK_PROBLEM, prover=None, how="block product, checked numerically")
    rule = sp.Determinant(S_) * sp.Determinant(P_ - Q_ * sp.Inverse(S_) * R_)
    b.step(sp.Determinant(block), rule,
           "det of a product is the product of dets; a block-triangular det is the product of its diagonal "
           "blocks' dets: det = det S · det(P − Q S⁻¹ R) (Schur complement rule)", problem=BLOCK_PROBLEM, prover=None,
           how="stated rule, checked numerically")
    qsr_unevaluated = sp.MatMul(Q, sp.Inverse(S), R, evaluate=False)
    qsr = qsr_unevaluated.doit()
    b.step(qsr_unevaluated, qsr, "Schur complement with S = βI (invertible for β > 0): Q S⁻¹ R = −αH", how="doit")
    schur_unevaluated = sp.MatAdd(P, sp.MatMul(-1, qsr).doit(), evaluate=False)
    schur = schur_unevaluated.doit()
    b.step(schur_unevaluated, schur, "P − Q S⁻¹ R: the αH terms cancel", how="doit")
    detS = sp.Determinant(S).doit().doit()
    b.step(sp.Determinant(S), detS, "det(βI) = β to the power D (D x D identity)", how="Determinant.doit")
    det_schur = sp.Determinant(schur).doit()
    b.step(sp.Determinant(schur), det_schur, "det I = 1", how="Determinant.doit")
    detJ = sp.simplify(detS * det_schur)
    b.result("det", detJ)
    b.step(sp.Determinant(MatSeq("J", k, 2 * D, 2 * D)), detJ, "det J = det(βI) · det(I)", prover=None)
    b.step(sp.Function("detJ")(k), detJ, "the same, against the determinant of the numerically differentiated map",
           prover=None)
    from derive.emit.latex import latex

    b.answer("det ∂s^(k+1)/∂s^(k)", detJ, latex(detJ), f"det J = {detJ}  (the seed's β^D, written B^D, is right)",
             check=_check_det_concrete)
    return detJ


def _check_jacobian_concrete(J: sp.BlockMatrix, seed: int = 19) -> Verdict:
    """D = 1..4: the derived blocks (H from the model's Hessian) against mpmath.diff of the map."""
    from derive.numeric import evaluate, relative_difference

    rng = random.Random(seed)
    worst = mpmath.mpf(0)
    with mpmath.workdps(30):
        for dim in (1, 2, 3, 4):
            inst = PROBLEM.sample(rng, 30, fixed={D: dim})
            for step in (0, 2):
                got = evaluate(J.subs(k, step), inst.values, inst.sequences, 30)
                worst = max(worst, relative_difference(got, inst.sequences["J"](step)))
    if worst > mpmath.mpf(10) ** -15:
        return Verdict(REFUTED, f"the blocks differ from the differentiated map by {float(worst):.1e}",
                       max_rel_diff=float(worst))
    return Verdict(VERIFIED, f"equal to mpmath.diff of the map for D = 1, 2, 3, 4 at steps k = 0, 2 (random smooth F, "
                   f"30 digits, max relative difference {float(worst):.1e})", instances=8, dps=30,
                   max_rel_diff=float(worst), method="mpmath.diff")


def _check_det_concrete(seed: int = 17) -> Verdict:
    """D = 1..4: the determinant of the mpmath-differentiated map equals β^D (random F);
    D = 1, 2: SymPy's determinant of the explicit Jacobian with an undefined F is β^D."""
    rng = random.Random(seed)
    worst = mpmath.mpf(0)
    with mpmath.workdps(30):
        for dim in (1, 2, 3, 4):
            inst = PROBLEM.sample(rng, 30, fixed={D: dim})
            det_num = inst.sequences["detJ"](1)
            bv = inst.values[beta]
            worst = max(worst, abs(det_num - bv**dim) / bv**dim)
    if worst > mpmath.mpf(10) ** -15:
        return Verdict(REFUTED, f"det differs from β^D by {float(worst):.1e}", max_rel_diff=float(worst))
    for dim in (1, 2):
        th = sp.symbols(f"t1:{dim + 1}")
        ps = sp.symbols(f"q1:{dim + 1}")
        F = sp.Function("F")(*th)
        grad = [sp.diff(F, t) for t in th]
        p_next = [beta * q - alpha * g for q, g in zip(ps, grad)]
        th_next = [t + pn for t, pn in zip(th, p_next)]
        Jx = sp.Matrix(th_next + p_next).jacobian(sp.Matrix(list(th) + list(ps)))
        if sp.simplify(Jx.det() - beta**dim) != 0:
            return Verdict(REFUTED, f"SymPy's explicit determinant for D = {dim} is not β^D")
    return Verdict(VERIFIED, f"det of the mpmath-differentiated map equals β^D for D = 1, 2, 3, 4 (random smooth F, "
                   f"30 digits, max relative difference {float(worst):.1e}); SymPy's exact determinant of the "
                   "explicit Jacobian with an undefined F is β^D for D = 1, 2", instances=4, dps=30,
                   max_rel_diff=float(worst), method="mpmath.diff + exact SymPy det")


def derive() -> Any:
    b = Builder("momentum-map", PROBLEM)
    parts = derive_inverse(b)
    J = derive_jacobian(b, parts["p_next"])
    derive_determinant(b, J)
    return b.build()


def seed_jacobian() -> sp.BlockMatrix:
    """The seed's claimed Jacobian [[I, 0], [−αH, βI]] (for tests and reports)."""
    H = Hess(theta(k))
    return sp.BlockMatrix([[sp.Identity(D), sp.ZeroMatrix(D, D)], [-alpha * H, beta * sp.Identity(D)]])


# --- generated code and its verification ----------------------------------------------------------------
TH, PP = sp.MatrixSymbol("theta", D, 1), sp.MatrixSymbol("p", D, 1)
TH1, PP1 = sp.MatrixSymbol("theta_next", D, 1), sp.MatrixSymbol("p_next", D, 1)
RENAMES = ((theta(k), TH), (p(k), PP), (theta(k + 1), TH1), (p(k + 1), PP1))


def module(derivation: Any) -> Any:
    from derive.emit.codegen import Arg, FunctionSpec, ModuleSpec
    from derive.emit.recursions import ExplicitMap

    vec = lambda name: Arg(name, "vector")  # noqa: E731
    scal = lambda name: Arg(name, "scalar")  # noqa: E731
    fwd = ExplicitMap((("p_next", derivation.result("forward_p")), ("theta_next", theta(k) + p(k + 1))),
                      ("theta_next", "p_next"), RENAMES)
    inv = ExplicitMap((("theta", derivation.result("inverse_theta")),
                       ("p", derivation.result("inverse_p_given_theta"))), ("theta", "p"), RENAMES)
    # the Hessian is evaluated once: H = hess(theta), then the blocks are assembled from it
    Hsym = sp.MatrixSymbol("H", D, D)
    J = derivation.result("jacobian").xreplace({Hess(theta(k)): Hsym})
    if J.has(Hess):
        raise RuntimeError("the Jacobian has a Hessian at a point other than θ^(k)")
    jac = ExplicitMap((("H", Hess(theta(k))), ("J", J)), ("J",), RENAMES, sizes=(("D", "theta.shape[0]"),))
    return ModuleSpec(
        name="momentum_map",
        source="momentum-map",
        doc="Heavy-ball map s = (theta, p): p' = beta p - alpha grad F(theta), theta' = theta + p'.",
        functions=(
            FunctionSpec("forward", (vec("theta"), vec("p"), scal("alpha"), scal("beta"), Arg("grad", "callable")),
                         fwd, "One step: returns (theta_next, p_next); grad(theta) is the gradient of F."),
            FunctionSpec("inverse", (vec("theta_next"), vec("p_next"), scal("alpha"), scal("beta"),
                                     Arg("grad", "callable")),
                         inv, "The inverse step: returns (theta, p) with forward(theta, p) = (theta_next, p_next)."),
            FunctionSpec("jacobian", (vec("theta"), vec("p"), scal("alpha"), scal("beta"), Arg("hess", "callable")),
                         jac, "d s_next / d s as a 2D x 2D array; hess(theta) is the Hessian of F."),
        ),
    )


class _FloatF:
    """A float64 gradient / Hessian of the log-cosh-plus-quadratic F, carrying its
    parameters so the mpmath reference can rebuild the same F."""

    def __init__(self, params: dict[str, Any], which: str):
        self.params, self.which = params, which

    def __call__(self, x: Any) -> Any:
        import numpy as np

        Wr, b, c, A, g = (self.params[n_] for n_ in ("W", "b", "c", "A", "g"))
        z = Wr @ x + b
        if self.which == "grad":
            return Wr.T @ (c * np.tanh(z)) + A @ x + g
        return (Wr.T * (c / np.cosh(z) ** 2)) @ Wr + A


def _mp_F(params: dict[str, Any]) -> SmoothF:
    m = lambda a: mpmath.matrix(a.tolist())  # noqa: E731
    return SmoothF(m(params["W"]), [mpmath.mpf(x) for x in params["b"]], [mpmath.mpf(x) for x in params["c"]],
                   m(params["A"]), m(params["g"].reshape(-1, 1)))


def _map_inputs(dim: int, which: str, next_state: bool = False):
    def make(rng: Any) -> dict[str, Any]:
        M = rng.uniform(-1, 1, (dim, dim))
        params = {"W": rng.standard_normal((3, dim)), "b": rng.standard_normal(3), "c": rng.uniform(-2, 2, 3),
                  "A": (M + M.T) / 2, "g": rng.uniform(-1, 1, dim)}
        x, y = rng.uniform(-1, 1, dim), rng.uniform(-1, 1, dim)
        names = ("theta_next", "p_next") if next_state else ("theta", "p")
        return {names[0]: x, names[1]: y, "alpha": float(rng.uniform(0.05, 0.5)),
                "beta": float(rng.uniform(0.3, 0.99)), which: _FloatF(params, which)}

    return make


def _mp_state(inp: dict[str, Any], names: tuple[str, str]) -> tuple[Any, Any]:
    return tuple(mpmath.matrix([float(v) for v in inp[n_]]) for n_ in names)


def _ref_forward(inp: dict[str, Any], dps: int = 40) -> list:
    with mpmath.workdps(dps):
        F = _mp_F(inp["grad"].params)
        th1, p1 = forward(F, mpmath.mpf(inp["alpha"]), mpmath.mpf(inp["beta"]), *_mp_state(inp, ("theta", "p")))
        return [th1[i] for i in range(th1.rows)] + [p1[i] for i in range(p1.rows)]


def _ref_inverse(inp: dict[str, Any], dps: int = 40) -> list:
    """Solve forward(θ, p) = (θ', p') for (θ, p) with mpmath.findroot (no inverse formula)."""
    with mpmath.workdps(dps):
        F = _mp_F(inp["grad"].params)
        a, b = mpmath.mpf(inp["alpha"]), mpmath.mpf(inp["beta"])
        th1, p1 = _mp_state(inp, ("theta_next", "p_next"))
        dim = th1.rows

        def residual(*z: Any) -> list:
            th, pp = mpmath.matrix(z[:dim]), mpmath.matrix(z[dim:])
            f_th, f_p = forward(F, a, b, th, pp)
            return [f_th[i] - th1[i] for i in range(dim)] + [f_p[i] - p1[i] for i in range(dim)]

        start = [th1[i] for i in range(dim)] + [p1[i] for i in range(dim)]
        sol = mpmath.findroot(residual, start)
        return [sol[i] for i in range(2 * dim)]


def _ref_jacobian(inp: dict[str, Any], dps: int = 30) -> list:
    with mpmath.workdps(dps):
        F = _mp_F(inp["hess"].params)
        J = numeric_jacobian(F, mpmath.mpf(inp["alpha"]), mpmath.mpf(inp["beta"]), *_mp_state(inp, ("theta", "p")))
        return [J[i, j] for i in range(J.rows) for j in range(J.cols)]


def _host(x: Any) -> Any:
    """A generated result as a flat NumPy array (CuPy arrays are copied to the host)."""
    import numpy as np

    return np.ravel(x.get() if hasattr(x, "get") and not isinstance(x, np.ndarray) else np.asarray(x))


def code_checks() -> list:
    import numpy as np

    from derive.verify import CodeCheck

    dist = ("θ, p ~ U(-1, 1)^D; α ~ U(0.05, 0.5), β ~ U(0.3, 0.99); F = Σ_j c_j log cosh(w_jᵀθ + b_j) + ½θᵀAθ + gᵀθ "
            "with w_j, b_j ~ N(0, 1), c_j ~ U(-2, 2), A = sym(U(-1, 1)), g ~ U(-1, 1), D = {D}")
    checks = []
    for dim in (1, 3):
        checks.append(CodeCheck(
            label=f"forward vs the map iterated in mpmath, D={dim}", function="forward",
            make_inputs=_map_inputs(dim, "grad"), tol=1e-13, backends=("numpy", "numba", "cupy"),
            observe=lambda out, inp: np.concatenate([_host(out[0]), _host(out[1])]),
            reference=_ref_forward, reference_kind="the update rule evaluated in mpmath at 40 digits",
            inputs_text=dist.format(D=dim)))
        checks.append(CodeCheck(
            label=f"inverse vs mpmath.findroot of forward(s) = s', D={dim}", function="inverse",
            make_inputs=_map_inputs(dim, "grad", next_state=True), tol=1e-12, backends=("numpy", "numba", "cupy"),
            observe=lambda out, inp: np.concatenate([_host(out[0]), _host(out[1])]),
            reference=_ref_inverse, reference_kind="root of the forward map found by mpmath.findroot at 40 digits",
            inputs_text=dist.format(D=dim)))
    for dim in (1, 2, 4):
        checks.append(CodeCheck(
            label=f"jacobian vs mpmath.diff of the map, D={dim}", function="jacobian",
            make_inputs=_map_inputs(dim, "hess"), tol=1e-12, backends=("numpy", "numba", "cupy"),
            observe=lambda out, inp: _host(out), reference=_ref_jacobian,
            reference_kind="every entry of ∂s'/∂s by mpmath.diff of the map at 30 digits",
            inputs_text=dist.format(D=dim)))
    return checks


register(Entry(
    name="momentum-map",
    tags=("momentum",),
    title="Momentum map s = (θ, p): inverse, block Jacobian [[I − αH, βI], [−αH, βI]], det = β^D",
    derive=derive,
    module=module,
    code_checks=code_checks,
    summary="Solve the heavy-ball update for s^(k); differentials give the D x D blocks; Schur complement gives β^D.",
    source=SOURCE,
))
