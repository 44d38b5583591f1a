"""ssm-kernel-dplr: the SSM kernel when A = I + p p^T (HW8 Problem 1(f)).

The spine's K_ℓ = C A^{ℓ-1} B (ℓ ≥ 1) and dplr-power's (I + p p^T)^ℓ = I + c_ℓ p p^T are
reused through the registry; substituting one into the other and expanding gives
K_ℓ = CB + ((1+s)^{ℓ-1} - 1)/s · (Cp)(p^T B).  The independent reference is simulation of
x_{k+1} = A x_k + B u_k, y_k = C x_k + D u_k on impulses in mpmath.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

import derive
from derive import Builder, Dim, Entry, Index, Notation, Part, Problem, register
from derive.simulate import impulse_response
from derive.symbols import MatSeq

SOURCE = "shared/seeds/000_80f9949d48b7a298.txt, Problem 1(f)"

n = sp.Symbol("n", integer=True, positive=True)
r, q = sp.symbols("r q", integer=True, positive=True)  # output and input widths
ell = sp.Symbol("ell", integer=True, nonnegative=True)
s = sp.Symbol("s", real=True)
p = sp.MatrixSymbol("p", n, 1)
B, C, D = sp.MatrixSymbol("B", n, q), sp.MatrixSymbol("C", r, n), sp.MatrixSymbol("D", r, q)


def K(i: sp.Expr) -> MatSeq:
    return MatSeq("K", i, r, q)


def _sample(smp, sizes) -> dict[Any, Any]:
    pv = smp.vector(sizes[n])
    return {p: pv, s: (pv.T * pv)[0, 0], B: smp.matrix(sizes[n], sizes[q]), C: smp.matrix(sizes[r], sizes[n]),
            D: smp.matrix(sizes[r], sizes[q])}


def _reference(vals, dps) -> dict[str, Any]:
    pv = vals[p]
    Am = mpmath.eye(pv.rows) + pv * pv.T
    return {"K": lambda lag: impulse_response(Am, vals[B], vals[C], vals[D], lag)}


PROBLEM = Problem(
    name="ssm-kernel-dplr",
    title="SSM kernel with A = I + p p^T",
    statement="x_{k+1} = A x_k + B u_k, y_k = C x_k + D u_k, x_0 = 0, A = I + p p^T: find K_ℓ in closed form.",
    dims=(Dim(n, (2, 3, 4, 6)), Dim(r, (1, 2)), Dim(q, (1, 2))),
    indices=(Index(ell, 0, 12),),
    sample_values=_sample,
    reference=_reference,
    notation=(
        Notation("p", p, "rank-one direction (n x 1), A = I + p p^T"),
        Notation("s", s, "s = p^T p"),
        Notation(r"K_\ell", K(ell), "impulse response at lag ℓ (simulated)"),
    ),
    assumptions=("x_0 = 0", "s = p^T p > 0 (s -> 0 by the limit)", "ℓ integer ≥ 0"),
    parts=(Part("f", "The kernel for A = I + p p^T and how to compute it fast."),),
    source=SOURCE,
)


def _spine_kernel() -> sp.Basic:
    """The spine's K_ℓ = C A^{ℓ-1} B with its symbols renamed to this problem's."""
    Kl = derive.get("ssm-kernel").derivation().result("K_ell")
    mats = {m.name: m for m in Kl.atoms(sp.MatrixSymbol)}
    return Kl.xreplace({mats["A"]: sp.MatrixSymbol("A", n, n), mats["B"]: B, mats["C"]: C})


def _group_rank_one(expr: sp.Basic) -> sp.Basic:
    """Regroup each product ... p p^T ... as (... p)(p^T ...) by associativity."""
    terms = []
    for term in sp.MatAdd.make_args(expr):
        coeff, mats = term.as_coeff_mmul()
        mats = list(mats.args) if isinstance(mats, sp.MatMul) else [mats]
        scalars = [a for a in mats if not isinstance(a, sp.MatrixExpr)]
        mats = [a for a in mats if isinstance(a, sp.MatrixExpr)]
        coeff = sp.together(sp.Mul(coeff, *scalars))
        cut = next((i for i in range(len(mats) - 1) if mats[i] == p and mats[i + 1] == p.T), None)
        if cut is None:
            body = sp.MatMul(*mats) if len(mats) > 1 else mats[0]
        else:
            body = sp.MatMul(sp.MatMul(*mats[:cut + 1]), sp.MatMul(*mats[cut + 1:]), evaluate=False)
        terms.append(body if coeff == 1 else sp.MatMul(coeff, body, evaluate=False))
    return sp.MatAdd(*terms, evaluate=False) if len(terms) > 1 else terms[0]


def derive_kernel() -> Any:
    b = Builder("ssm-kernel-dplr", PROBLEM)
    b.part = "f"
    I = sp.Identity(n)
    A = sp.MatAdd(I, sp.MatMul(p, p.T))
    spine = _spine_kernel()
    A_sym = [m for m in spine.atoms(sp.MatrixSymbol) if m.name == "A"][0]
    K1 = spine.xreplace({A_sym: A})
    b.step(K(ell), K1, "the spine's K_ℓ = C A^{ℓ-1} B with A = I + p p^T", condition=sp.Ge(ell, 1), prover=None)
    power = derive.get("dplr-power").derivation()
    c_l = power.result("c_ell")
    ell_p = [x for x in c_l.free_symbols if x.name == "ell"][0]
    s_p = [x for x in c_l.free_symbols if x.name == "s"][0]
    c_shift = c_l.xreplace({ell_p: ell - 1, s_p: s})
    A_pow = sp.MatAdd(I, sp.MatMul(c_shift, p, p.T))
    K2 = sp.MatMul(C, A_pow, B)
    b.step(K1, K2, "dplr-power at exponent ℓ - 1: (I + p p^T)^{ℓ-1} = I + c_{ℓ-1} p p^T",
           condition=sp.Ge(ell, 1), prover=None, how="subs")
    # distribute C and B over the sum (expand), then group each rank-one term as (C p)(p^T B)
    K3 = _group_rank_one(K2.expand())
    b.step(K2, K3, "distribute: C (I + c p p^T) B = CB + c (Cp)(p^T B)", condition=sp.Ge(ell, 1),
           how="MatMul.expand")
    b.step(K(ell), K3, "the DPLR kernel (ℓ ≥ 1): a constant plus a scaled geometric sequence in 1 + s",
           condition=sp.Ge(ell, 1), prover=None)
    b.step(K(0), D, "K_0 = D (spine)", condition=sp.Eq(ell, 0), prover=None)
    b.result("K_ell", K3)
    b.result("K_0", D)
    b.result("coefficient", c_shift)
    b.note("(f) stated: K_ℓ = α + β γ^{ℓ-1}-type: CB and (Cp)(p^T B) are computed once (O(n) each); the "
           "L coefficients need one scalar power each (or one expm1 per block of ℓ), so the kernel costs "
           "O(n + L) work and O(log L) depth by repeated squaring, against O(L n^2) for a general A.")
    return b.build()


def module(derivation):
    from derive.emit.codegen import Arg, FunctionSpec, ModuleSpec
    from derive.emit.careful import DplrKernel

    return ModuleSpec(
        name="ssm_kernel_dplr",
        source="ssm-kernel-dplr",
        doc="Kernel of the SSM with A = I + p p^T: K_0 = d, K_l = CB + c_{l-1} (Cp)(p^T B).",
        functions=(
            FunctionSpec("kernel_dplr", (Arg("p", "column"), Arg("b", "column"), Arg("c", "column"),
                                         Arg("d", "scalar"), Arg("L", "int")),
                         DplrKernel.from_expr(derivation.result("K_ell"), derivation.result("K_0"), s, ell,
                                              p=p, B=B, C=C, D=D),
                         "K_0..K_{L-1} for A = I + p p^T (single input, single output)."),
        ),
    )


def _inputs(nn: int, L: int, scale: float):
    def make(rng):
        pv = rng.standard_normal(nn)
        pv *= scale / float(pv @ pv) ** 0.5  # s = p^T p = scale^2
        inp = _Inputs(p=pv, b=rng.standard_normal(nn), c=rng.standard_normal(nn), d=float(rng.standard_normal()),
                      L=L)
        inp.u = rng.standard_normal(L)
        return inp

    return make


class _Inputs(dict):
    """Keyword arguments of the generated function; the input sequence u rides along."""


def _simulate_mp(inp, dps: int = 50) -> list:
    """y_0..y_{L-1} of x_{k+1} = (I + p p^T) x_k + b u_k, y_k = c^T x_k + d u_k, run in mpmath."""
    with mpmath.workdps(dps):
        pv = mpmath.matrix(list(inp["p"]))
        bv = mpmath.matrix(list(inp["b"]))
        cv = mpmath.matrix(list(inp["c"])).T
        x = mpmath.zeros(pv.rows, 1)
        out = []
        for uk in inp.u:
            uk = mpmath.mpf(float(uk))
            out.append((cv * x)[0] + inp["d"] * uk)
            x = x + pv * (pv.T * x)[0] + bv * uk  # A x = x + p (p^T x), the definition of A
        return out


def _convolve_mp(K, inp, dps: int = 50) -> list:
    """y_k = Σ_l K_l u_{k-l} in mpmath from the float64 kernel (only K's error shows)."""
    import numpy as np

    Kv = [mpmath.mpf(float(x)) for x in np.asarray(K, dtype=np.float64)]
    uv = [mpmath.mpf(float(x)) for x in inp.u]
    with mpmath.workdps(dps):
        return [mpmath.fsum(Kv[j] * uv[k - j] for j in range(k + 1)) for k in range(len(uv))]


def code_checks():
    import numpy as np
    from derive.verify import CodeCheck, elementwise_relative_error

    checks = []
    for nn, L, sc in ((6, 160, 0.05), (5, 160, 1e-5), (8, 120, 1.0)):
        checks.append(CodeCheck(
            label=f"kernel_dplr vs mpmath simulation, n={nn}, L={L}, s={sc * sc:g}",
            function="kernel_dplr", make_inputs=_inputs(nn, L, sc), tol=1e-13,
            reference=_simulate_mp, observe=_convolve_mp,
            reference_kind="recurrence with A = I + p p^T run in mpmath at 50 digits on a random input u; "
                           "y = K * u in mpmath; normwise relative error",
            inputs_text=f"p ~ N(0, I) rescaled to p^T p = {sc * sc:g}; b, c, d, u ~ N(0, 1)"))
    def positive(b_scale: float):
        def make(rng):
            pv = np.abs(rng.standard_normal(4))
            pv *= 0.3 ** 0.5 / float(pv @ pv) ** 0.5  # s = 0.3: K overflows float64 near l = 2700
            return {"p": pv, "b": b_scale * np.abs(rng.standard_normal(4)), "c": np.abs(rng.standard_normal(4)),
                    "d": 0.5, "L": 3000}

        return make

    for b_scale in (1.0, 1e-6):
        checks.append(CodeCheck(
            label=f"kernel_dplr vs mpmath impulse response through the overflow edge, n=4, s=0.3, L=3000, "
                  f"|b| scale {b_scale:g}",
            function="kernel_dplr", make_inputs=positive(b_scale), tol=1e-12, reference=_impulse_mp,
            error=elementwise_relative_error,
            reference_kind="impulse response of the recurrence in mpmath at 50 digits; elementwise relative "
                           "error, inf required exactly where the true K_l exceeds float64",
            inputs_text=f"p, c = |N(0, I)|, b = {b_scale:g} |N(0, I)| (no cancellation; a small b makes the "
                        f"coefficient overflow before K does), p^T p = 0.3, d = 0.5"))
    def long(rng):
        pv = np.abs(rng.standard_normal(3))
        pv *= 1e-2 / float(pv @ pv) ** 0.5  # s = 1e-4: K grows like e^{l s}, to e^10 at l = 1e5
        return {"p": pv, "b": np.abs(rng.standard_normal(3)), "c": np.abs(rng.standard_normal(3)), "d": 0.5,
                "L": 100_000}

    checks.append(CodeCheck(
        label="kernel_dplr vs mpmath impulse response, n=3, s=1e-4, L=100000 (many 256-blocks)",
        function="kernel_dplr", make_inputs=long, tol=1e-13, reference=_impulse_mp,
        error=elementwise_relative_error,
        reference_kind="impulse response of the recurrence in mpmath at 50 digits; elementwise relative error",
        inputs_text="p, b, c = |N(0, I)| (no cancellation), p^T p = 1e-4, d = 0.5"))
    return checks


_IMPULSE_CACHE: dict[bytes, list] = {}


def _impulse_mp(inp, dps: int = 50) -> list:
    """K_0..K_{L-1}: the recurrence x <- (I + p p^T) x + b u run on an impulse in mpmath
    (memoised on the inputs: every backend is checked on the same seeded inputs)."""
    import numpy as np

    key = b"".join(np.asarray(inp[k], dtype=np.float64).tobytes() for k in ("p", "b", "c", "d", "L")) + \
        str(dps).encode()
    if key not in _IMPULSE_CACHE:
        _IMPULSE_CACHE[key] = _impulse_mp_run(inp, dps)
    return _IMPULSE_CACHE[key]


def _impulse_mp_run(inp, dps: int) -> list:
    with mpmath.workdps(dps):
        pv = [mpmath.mpf(float(x)) for x in inp["p"]]
        bv = [mpmath.mpf(float(x)) for x in inp["b"]]
        cv = [mpmath.mpf(float(x)) for x in inp["c"]]
        x = [mpmath.mpf(0)] * len(pv)
        out = [mpmath.mpf(inp["d"])]
        x = bv[:]
        for _ in range(1, inp["L"]):
            out.append(mpmath.fsum(a * b for a, b in zip(cv, x)))
            px = mpmath.fsum(a * b for a, b in zip(pv, x))
            x = [a + b * px for a, b in zip(x, pv)]
        return out


register(Entry(
    name="ssm-kernel-dplr",
    tags=("dplr", "ssm", "state-space", "state space"),
    title="DPLR SSM kernel K_ℓ = CB + ((1+s)^{ℓ-1} - 1)/s (Cp)(p^T B)",
    derive=derive_kernel,
    module=module,
    code_checks=code_checks,
    summary="Substitute dplr-power into the spine's K_ℓ = C A^{ℓ-1} B and expand.",
    source=SOURCE,
))
