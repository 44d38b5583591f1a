"""Generated kernels against the shared perf anchors (../shared/anchors/perf_anchors.py).

Run from the repository root:
    python benchmarks/bench_anchors.py [--anchors PATH] [--runs 3] [--only diag,dplr] [-o FILE]
(or: derive bench anchors --anchors PATH).

The anchor file is imported by path, never copied: its kernels are the best hand-written
ones for each piece of work (each checked there against a slow reference), and its input
makers give the inputs.  Per row, the generated Numba kernel and the anchor's kernel(s)
for the same work are called alternately (gen, anchor, gen, anchor, ...; calls under 20 ms
batched), after a warm-up that includes Numba compilation.  Each of ``--runs`` runs gives
the ratio of minima min(gen)/min(anchor) and the ratio of medians; the table prints the
median over runs of the ratio of minima, the spread of it over runs, the ratio of medians,
and the normwise agreement error between the two outputs.  Single thread (benchmarks/_setup).
The accuracy table checks the generated kernels against mpmath (or the anchor's slow
reference) with the tolerance of shared/CONVENTIONS.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

import _setup  # noqa: F401,E402  (single thread, repository on sys.path)

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

from _timing import rel_err as nrel  # noqa: E402  (normwise max|x - ref| / max|ref|)
from derive import get  # noqa: E402
from derive.atomic import write_text  # noqa: E402
from derive.emit import codegen  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ANCHORS = REPO.parent / "shared" / "anchors" / "perf_anchors.py"
TARGET = 1.1
U = 2.0 ** -53
DBL_MAX = np.finfo(np.float64).max


def load_anchors(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("perf_anchors", path)
    mod = importlib.util.module_from_spec(spec)
    # registered before it runs: Numba's on-disk cache re-imports a function's module by name
    sys.modules["perf_anchors"] = mod
    spec.loader.exec_module(mod)
    return mod


# --- timing: alternate the generated kernel with the anchor's ---------------------------------------

def _batch(fn: Callable[[], Any], number: int) -> tuple[float, float]:
    """Per-call wall time and this thread's CPU time (the kernels are single-threaded, so the
    CPU time leaves out the time the shared machine's other processes hold the core)."""
    t0, c0 = time.perf_counter(), time.thread_time()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number, (time.thread_time() - c0) / number


def alternate(fns: dict[str, Callable[[], Any]], rounds: int,
              target_s: float = 0.02) -> dict[str, list[tuple[float, float]]]:
    """Per-call (wall, CPU) times of each function over ``rounds`` rounds, every round calling each one
    (batched to ~20 ms) in turn, so drifting machine load hits all of them alike."""
    number = {}
    for k, f in fns.items():
        f()  # warm-up: Numba compilation or cache load, first-touch page faults
        number[k] = max(1, int(target_s / max(_batch(f, 1)[0], 1e-7)))
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in fns}
    gc_on = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for k, f in fns.items():
                times[k].append(_batch(f, number[k]))
    finally:
        if gc_on:
            gc.enable()
    return times


class Row:
    def __init__(self, name: str, gen: Callable[[], Any], anchors: dict[str, Callable[[], Any]],
                 agree: Callable[[], float], note: str = "",
                 parts: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] | None = None) -> None:
        self.name, self.gen, self.anchors, self.agree, self.note = name, gen, anchors, agree, note
        self.parts = parts or {}  # profile: the same piece of work in each, (generated, anchor)
        self.ratio_min: list[float] = []  # CPU time
        self.ratio_med: list[float] = []  # CPU time
        self.ratio_wall: list[float] = []  # wall time, ratio of minima
        self.gen_ms: list[float] = []
        self.anchor_ms: list[float] = []
        self.best_anchor = ""

    def profile(self, rounds: int) -> list[str]:
        """Minimum CPU time of each part, generated beside anchor, alternating."""
        out = []
        for part, (g, a) in self.parts.items():
            t = alternate({"gen": g, "anchor": a}, rounds)
            tg, ta = (min(c for _, c in t[k]) * 1e3 for k in ("gen", "anchor"))
            out.append(f"| {self.name} | {part} | {tg:.4g} | {ta:.4g} | {tg / ta:.2f} |")
        return out

    def run(self, rounds: int) -> None:
        t = alternate({"gen": self.gen, **self.anchors}, rounds)
        cpu = {k: [c for _, c in v] for k, v in t.items()}
        wall = {k: [w for w, _ in v] for k, v in t.items()}
        best = min(self.anchors, key=lambda k: min(cpu[k]))
        self.best_anchor = best
        self.ratio_min.append(min(cpu["gen"]) / min(cpu[best]))
        self.ratio_med.append(float(np.median(cpu["gen"]) / np.median(cpu[best])))
        self.ratio_wall.append(min(wall["gen"]) / min(wall[best]))
        self.gen_ms.append(min(cpu["gen"]) * 1e3)
        self.anchor_ms.append(min(cpu[best]) * 1e3)


# --- rows ----------------------------------------------------------------------------------------------

def _gen(name: str) -> Any:
    return codegen.load_module(codegen.write_module(get(name).module_spec(), "numba"))


def rows_ssm(pa: Any, quick: bool) -> list[Row]:
    L = 131072 // (8 if quick else 1)
    gen = _gen("ssm-kernel")
    out = []
    A, B, C, D = pa.make_ssm_general(64)
    out.append(Row(f"SSM kernel, general A, N=64, L={L}", lambda: gen.kernel(A, B, C, D, L),
                   {"numba v<-Av": lambda: pa.ssm_numba_rec(A, B, C, D, L),
                    "numpy blocked Krylov": lambda: pa.ssm_numpy_blocked(A, B, C, D, L)},
                   lambda: nrel(gen.kernel(A, B, C, D, L), pa.ssm_numba_rec(A, B, C, D, L))))

    def diag_row(title: str, a: Any, b: Any, c: Any, note: str = "") -> Row:
        cb = c * b
        # the anchor's K_n (n = 0..L-1) is the derivation's K_ℓ at ℓ = n + 1
        return Row(title, lambda: gen.kernel_diag(a, b, c, 0.0, L + 1),
                   {"numba fused running powers": lambda: pa.diag_fused(a, cb, L)},
                   lambda: nrel(gen.kernel_diag(a, b, c, 0.0, L + 1)[1:], pa.diag_fused(a, cb, L)), note)

    a, b, c = diag_inputs(64)
    out.append(diag_row(f"diagonal, complex modes, N=64, L={L}", a, b, c))
    h = 32  # S4D-style: 32 conjugate pairs; the anchor sums all 64 modes, the plan each pair once
    ap, bp, cp = (np.concatenate([x[:h], x[:h].conj()]) for x in (a, b, c))
    out.append(diag_row(f"diagonal, 32 conjugate pairs, L={L}", ap, bp, cp,
                        "plan computes each pair once (Re(t + conj t) = 2 Re t); anchor all 64 modes"))
    a_slow = 0.9999 * a / np.abs(a)
    out.append(diag_row(f"diagonal, |a| = 0.9999 (off default), L={L}", a_slow, b, c,
                        "no mode decays out: every mode runs the full L"))
    ar = np.random.default_rng(21).uniform(0.5, 0.999, 64)
    out.append(diag_row(f"diagonal, real modes (fast path), L={L}", ar, b.real.copy(), c.real.copy()))
    return out


def diag_inputs(N: int, seed: int = 2) -> tuple[Any, Any, Any]:
    """The anchor's make_diag inputs with b and c kept apart (same generator calls)."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 0.999, N) * np.exp(1j * rng.uniform(-np.pi, np.pi, N))
    b = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    c = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    return a, b, c


def dplr_inputs(pa: Any, s: float, N: int = 64, seed: int = 3) -> tuple[Any, Any, Any]:
    """Vectors p, b, c whose scalars are the anchor's make_dplr1(s) (same generator calls)."""
    rng = np.random.default_rng(seed)
    B, C, u = rng.standard_normal(N), rng.standard_normal(N), rng.standard_normal(N)
    p = math.sqrt(s) * u / np.linalg.norm(u)
    assert (float(C @ B), float(C @ p), float(p @ B), float(p @ p)) == pa.make_dplr1(s, N, seed)
    return p, B, C


def rows_dplr(pa: Any, quick: bool) -> list[Row]:
    L = 131072 // (8 if quick else 1)
    gen = _gen("ssm-kernel-dplr")
    out = []
    for s, note in ((0.3, "overflows from l ~ 2714 on"), (1e-9, ""), (1e-6, "off default"),
                    (3.0, "off default; overflows from l ~ 510 on")):
        p, b, c = dplr_inputs(pa, s)
        sc = pa.make_dplr1(s)

        def agree(p=p, b=b, c=c, sc=sc) -> float:
            with np.errstate(over="ignore", invalid="ignore"):
                g = gen.kernel_dplr(p, b, c, 0.5, L + 1)[1:]
                a = pa.dplr1_numba_blocked(*sc, L)
            fin = np.isfinite(a) & np.isfinite(g)
            return nrel(g[fin], a[fin])

        def anchor(sc=sc):
            with np.errstate(over="ignore", invalid="ignore"):
                return pa.dplr1_numba_blocked(*sc, L)

        out.append(Row(f"DPLR rank-1, s={s:g}, L={L}", lambda p=p, b=b, c=c: gen.kernel_dplr(p, b, c, 0.5, L + 1),
                       {"numba blocked expm1": anchor}, agree, note))
    return out


def rows_s4(pa: Any, quick: bool) -> list[Row]:
    L = 4096 // (8 if quick else 1)
    gen = _gen("s4-kernel")
    args = pa.make_s4(64, L)
    return [Row(f"S4 generating function, N=64, L={L}", lambda: gen.kbar(*args, L),
                {"numba fused Cauchy half + irfft": lambda: pa.s4_numba_half(*args, L)},
                lambda: nrel(gen.kbar(*args, L), pa.s4_numba_half(*args, L)))]


def rows_ridge(pa: Any, quick: bool) -> list[Row]:
    n = 4096 // (8 if quick else 1)
    gen = _gen("ridge-attention")
    Q, K, V, lam = pa.make_ridge(n, 64)
    return [Row(f"causal ridge attention, n={n}, d=64", lambda: gen.causal_ridge_attention(Q, K, V, lam),
                {"numba Sherman-Morrison": lambda: pa.ridge_sm_numba(Q, K, V, lam)},
                lambda: nrel(gen.causal_ridge_attention(Q, K, V, lam), pa.ridge_sm_numba(Q, K, V, lam)))]


LSTM_GATES = "ipgo"  # the anchor's row order of W and U


def lstm_case(pa: Any, T: int, H: int = 64, D: int = 32) -> tuple:
    """The anchor's LSTM (bias 0, h0 = c0 = 0) with dLoss/dh_t = h_t - y_t of the derivation's loss."""
    X, W, Um, _, _ = pa.make_lstm(T, H, D)
    Ws = {}
    for k, g in enumerate(LSTM_GATES):
        Ws[f"W_{g}x"], Ws[f"W_{g}h"] = W[k * H:(k + 1) * H], Um[k * H:(k + 1) * H]
    fw = pa.lstm_forward(X, W, Um, np.zeros(4 * H))
    y = np.random.default_rng(60).standard_normal((T, H))
    G = fw[0][1:] - y
    return X, Um, fw, G, Ws, y


def rows_lstm(pa: Any, quick: bool) -> list[Row]:
    T = 512 // (8 if quick else 1)
    mod = _gen("lstm-bptt")
    X, Um, fw, G, Ws, y = lstm_case(pa, T)
    order = [w for w in ("W_ix", "W_ih", "W_px", "W_ph", "W_ox", "W_oh", "W_gx", "W_gh")]
    args = [Ws[w] for w in order]
    state = mod.lstm_bptt_forward(*args, X, np.zeros(64), np.zeros(64))

    def agree() -> float:
        g = dict(zip(order, mod.lstm_bptt_backward(state, *args, y)))
        dW, dU, _ = pa.lstm_backward_numba(X, Um, *fw, G)
        mine = np.concatenate([np.vstack([g[f"W_{q}x"] for q in LSTM_GATES]).ravel(),
                               np.vstack([g[f"W_{q}h"] for q in LSTM_GATES]).ravel()])
        return nrel(mine, np.concatenate([dW.ravel(), dU.ravel()]))

    # profile parts: the sequential loop (adjoints) and the weight-gradient GEMMs of each
    A, *acts, T_, H_, (Abar, *bars), (_, ops) = state
    UT = np.ascontiguousarray(Um.T)
    dZ = pa._lstm_bptt_loop(UT, *fw[1:], G)
    v_h = acts[5]  # the stored arrays follow the cell's equations: i, p, o, g, c, h, ...
    assert nrel(v_h[1:T + 1], fw[0][1:]) < 1e-12
    parts = {
        "sequential loop (adjoints, W^T abar per step)": (
            lambda: mod._lstm_bptt_backward_loop(Abar, *bars[:-1], A, *acts, bars[-1], *ops, T_, H_),
            lambda: pa._lstm_bptt_loop(UT, *fw[1:], G)),
        "weight-gradient GEMMs": (
            lambda: (Abar[1:T + 1].T @ acts[-1][1:T + 1], Abar[1:T + 1].T @ v_h[:T]),
            lambda: (dZ.T @ X, dZ.T @ fw[0][:-1], dZ.sum(axis=0))),
    }
    return [Row(f"LSTM BPTT backward, H=64, D=32, T={T}", lambda: mod.lstm_bptt_backward(state, *args, y),
                {"numba loop + numpy GEMMs": lambda: pa.lstm_backward_numba(X, Um, *fw, G)}, agree,
                "anchor also returns db (one column sum)", parts)]


GROUPS = {"ssm": rows_ssm, "dplr": rows_dplr, "s4": rows_s4, "ridge": rows_ridge, "lstm": rows_lstm}


# --- accuracy ------------------------------------------------------------------------------------------

def accuracy(pa: Any) -> list[str]:
    """Generated kernels against mpmath (independent of both the generated code and the anchors)."""
    lines = ["| kernel | check | error | bound | ok |", "|---|---|---|---|---|"]
    gen = _gen("ssm-kernel")

    def add(kernel: str, check: str, err: float, bound: float) -> None:
        lines.append(f"| {kernel} | {check} | {err:.1e} | {bound:.1e} | {'yes' if err <= bound else 'NO'} |")

    # diagonal: the anchor's mpmath running powers (30 digits), N=16 incl. |a| = 0.5, 0.999
    for label, a, b, c in (("complex modes", *diag_inputs(16, seed=20)),
                           ("|a| = 0.9999", *diag_inputs(16, seed=20))):
        if label.startswith("|a|"):
            a = 0.9999 * a / np.abs(a)
        else:
            a[0], a[1] = 0.5 * np.exp(0.3j), 0.999 * np.exp(-2.0j)
        Ls = 2048
        ref = pa.diag_ref_mp(a, c * b, Ls)
        k = gen.kernel_diag(a, b, c, 0.0, Ls + 1)[1:]
        # condition number of K_n in the inputs (a_i, c_i b_i): a relative change δ in a_i moves
        # term i by n δ |term|, so κ = max_n Σ_i (1 + n)|c_i b_i||a_i|^n / max|K| (normwise)
        n = np.arange(Ls)
        terms = (1 + n)[None, :] * np.abs(c * b)[:, None] * np.abs(a)[:, None] ** n[None, :]
        kappa = float(np.max(terms.sum(axis=0)) / np.max(np.abs(ref)))
        add(f"diagonal, {label}, N=16, L={Ls}", "normwise vs mpmath running powers (30 digits)", nrel(k, ref),
            4 * U * (1 + kappa))
    # DPLR kernel, elementwise vs mpmath (50 digits) on 200 l, and inf exactly past the true overflow
    dgen = _gen("ssm-kernel-dplr")
    L = 131072
    for s in (0.3, 1e-9, 1e-6, 3.0):
        p, b, c = dplr_inputs(pa, s)
        sc = pa.make_dplr1(s)
        with np.errstate(over="ignore", invalid="ignore"):
            K = dgen.kernel_dplr(p, b, c, 0.5, L + 1)[1:]
        ns = np.unique(np.linspace(0, L - 1, 200).round().astype(int))
        ref = pa.dplr1_mp(*sc, ns)
        worst, worst_bound, worst_ratio = 0.0, 0.0, -1.0
        cb = sc[0]
        for n, r in zip(ns, ref):
            if abs(r) > DBL_MAX:
                continue
            with mpmath.workdps(50):
                # κ of K = CB + c(s, n) w in CB, w and s: (|CB| + |c w| (1 + |s c'(s)/c(s)|)) / |K|
                sm = mpmath.mpf(sc[3])
                coef = lambda x, n=int(n): ((1 + x) ** n - 1) / x if n else mpmath.mpf(0)
                kappa_s = abs(sm * mpmath.diff(coef, sm) / coef(sm)) if n else 0.0
                kappa = float((abs(mpmath.mpf(cb)) + abs(r - cb) * (1 + kappa_s)) / abs(r))
            e = float(abs(mpmath.mpf(float(K[n])) - r) / abs(r)) if np.isfinite(K[n]) else math.inf
            bound = 4 * U * (1 + kappa)
            if e / bound > worst_ratio:
                worst, worst_bound, worst_ratio = e, bound, e / bound
        add(f"DPLR rank-1, s={s:g}, L={L}", "elementwise vs mpmath (50 digits), 200 l: the point of "
            "largest error/bound", worst, worst_bound)
        first = overflow_start(pa, sc, L)
        early = int(np.sum(~np.isfinite(K[:first])))
        late = int(np.sum(np.isfinite(K[first:])))
        lines.append(f"| DPLR rank-1, s={s:g}, L={L} | inf exactly where the true K overflows "
                     f"(first n = {first if first < L else 'none'}) | {early} early inf, {late} finite after "
                     f"| 0 | {'yes' if early == 0 and late == 0 else 'NO'} |")
    return lines


def overflow_start(pa: Any, sc: tuple, L: int) -> int:
    """First n (0-based, anchor indexing) whose true |K_n| exceeds DBL_MAX, by bisection in mpmath."""
    big = lambda n: abs(pa.dplr1_mp(*sc, [n])[0]) > DBL_MAX
    if not big(L - 1):
        return L
    lo, hi = 0, L - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if big(mid) else (mid, hi)
    return hi


# --- report ----------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--anchors", type=Path, default=Path(os.environ.get("DERIVE_ANCHORS", DEFAULT_ANCHORS)))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=15, help="alternating rounds per run")
    ap.add_argument("--only", help="comma-separated groups: " + ",".join(GROUPS))
    ap.add_argument("--quick", action="store_true", help="sizes / 8 (smoke run)")
    ap.add_argument("-o", "--output", type=Path, help="also write the Markdown report here")
    args = ap.parse_args(argv)
    if not args.anchors.is_file():
        print(f"bench_anchors: anchor file not found: {args.anchors}", file=sys.stderr)
        return 4
    pa = load_anchors(args.anchors)
    groups = args.only.split(",") if args.only else list(GROUPS)
    rows = [r for g in groups for r in GROUPS[g](pa, args.quick)]
    loads = [os.getloadavg()[0]]
    t0 = time.perf_counter()
    for run in range(args.runs):
        for r in rows:
            r.run(args.rounds)
            print(f"  run {run + 1}: {r.name}: x{r.ratio_min[-1]:.2f} (min CPU), x{r.ratio_med[-1]:.2f} (median CPU), "
                  f"x{r.ratio_wall[-1]:.2f} (min wall) "
                  f"vs {r.best_anchor}", flush=True)
        loads.append(os.getloadavg()[0])
    wall = time.perf_counter() - t0
    table = ["| kernel | anchor (best) | generated ms | anchor ms | ratio of minima (CPU), median of runs "
             "| spread over runs | ratio of medians (CPU) | ratio of minima (wall), median; spread | agreement | note |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        med = float(np.median(r.ratio_min))
        flag = "" if med <= TARGET else " (above 1.1)"
        table.append(f"| {r.name} | {r.best_anchor} | {np.median(r.gen_ms):.4g} | {np.median(r.anchor_ms):.4g} "
                     f"| **{med:.2f}x**{flag} | {min(r.ratio_min):.2f}-{max(r.ratio_min):.2f} "
                     f"| {np.median(r.ratio_med):.2f} | {np.median(r.ratio_wall):.2f}; "
                     f"{min(r.ratio_wall):.2f}-{max(r.ratio_wall):.2f} | {r.agree():.1e} | {r.note} |")
    prof = [p for r in rows for p in r.profile(args.rounds)]
    if prof:
        prof = ["Profile (CPU time, minimum over alternating rounds): the parts of a row's work, generated "
                "beside anchor.", "", "| kernel | part | generated ms | anchor ms | ratio |", "|---|---|---|---|---|",
                *prof, ""]
    acc = accuracy(pa) if "ssm" in groups and "dplr" in groups else []
    head = [f"Command: `python benchmarks/bench_anchors.py --runs {args.runs} --rounds {args.rounds}"
            f"{' --only ' + args.only if args.only else ''}{' --quick' if args.quick else ''}`, "
            f"anchors: `{args.anchors}`",
            f"Date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; cpu: {pa.cpu_model()} x {os.cpu_count()}; "
            f"python {platform.python_version()}, numpy {np.__version__}, numba {__import__('numba').__version__}; "
            f"single thread; {args.runs} runs x {args.rounds} alternating rounds, {wall:.0f} s",
            f"1-minute load average during the runs: {', '.join(f'{x:.2f}' for x in loads)} "
            f"(sampled before the first and after each run)", "",
            "Each run alternates the generated Numba kernel with the anchor's kernel(s) for the same work "
            f"({args.rounds} rounds, calls batched to ~20 ms, after a warm-up that includes Numba compilation); "
            "a run's ratio is min(generated)/min(anchor). The bold column is the median over the runs of that "
            "ratio in thread CPU time (single-threaded kernels: the time other processes hold the core is left "
            "out); the wall-time ratio is beside it. Agreement: normwise max|gen - anchor|/max|anchor| "
            "(finite entries). Target: <= 1.1x on every row.", ""]
    text = "\n".join(head + table + [""] + prof + acc) + "\n"
    print("\n" + text)
    if args.output:
        write_text(args.output, text)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
