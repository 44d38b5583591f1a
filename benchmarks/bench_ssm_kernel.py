"""SSM kernel benchmark: generated code vs hand-written baselines, ratios in one run.

Run from the repository root:  python benchmarks/bench_ssm_kernel.py   (or: derive bench ssm_kernel)
Inputs (seed 0): N = 64, L = 131072; diagonal a ~ U(0.5, 0.999), b, c ~ N(0, 1);
general A ~ U(-1, 1) scaled to spectral radius 0.95, B, C ~ N(0, 1).  Single thread.
"""

from __future__ import annotations


import _setup  # noqa: F401,E402  (single thread, repository on sys.path)

import numpy as np  # noqa: E402

import baselines_ssm as base  # noqa: E402
from _timing import best_time, rel_err  # noqa: E402
from derive import get  # noqa: E402
from derive.emit import codegen  # noqa: E402


def report(rows: dict, times: dict, ref) -> float:
    """One line per variant: time, ratio to the fastest hand-written baseline, error vs ``ref``;
    returns that baseline's time."""
    best_hand = min(t for k, t in times.items() if k.startswith("hand"))
    for k, t in times.items():
        err = rel_err(rows[k](), ref)
        print(f"  {k:<28} {t * 1e3:9.3f} ms   x{t / best_hand:7.2f} vs best hand-written   rel.err {err:.1e}")
    return best_hand


def main() -> None:
    N, L = 64, 131072
    rng = np.random.default_rng(0)
    a = rng.uniform(0.5, 0.999, N)
    b, c = rng.standard_normal(N), rng.standard_normal(N)
    A = rng.uniform(-1, 1, (N, N))
    A *= 0.95 / np.max(np.abs(np.linalg.eigvals(A)))
    B, C = rng.standard_normal(N), rng.standard_normal(N)

    spec = get("ssm-kernel").module_spec()
    gen = {be: codegen.load_module(codegen.write_module(spec, be)) for be in ("numpy", "numba")}

    print(f"diagonal kernel, N={N}, L={L}")
    ref = base.diag_fused_numba(a, b, c, 0.0, L)
    rows = {
        "generated numba": lambda: gen["numba"].kernel_diag(a, b, c, 0.0, L),
        "generated numpy": lambda: gen["numpy"].kernel_diag(a, b, c, 0.0, L),
        "hand-written fused numba": lambda: base.diag_fused_numba(a, b, c, 0.0, L),
        "numpy exp/log": lambda: base.diag_exp_log(a, b, c, 0.0, L),
        "numpy ** Vandermonde": lambda: base.diag_vandermonde_pow(a, b, c, 0.0, L),
    }
    times = {k: best_time(f, repeats=7 if "generated" in k or "fused" in k else 2) for k, f in rows.items()}
    report(rows, times, ref)

    print(f"general A kernel, n={N}, L={L}")
    ref = base.general_block_krylov(A, B, C, 0.0, L)
    rows = {
        "generated numpy": lambda: gen["numpy"].kernel(A, B, C, 0.0, L),
        "generated numba": lambda: gen["numba"].kernel(A, B, C, 0.0, L),
        "hand-written block Krylov": lambda: base.general_block_krylov(A, B, C, 0.0, L),
        "hand-written numba v<-Av": lambda: base.general_loop_numba(A, B, C, 0.0, L),
        "hand-written numpy v<-Av": lambda: base.general_loop_numpy(A, B, C, 0.0, L),
    }
    times = {k: best_time(f, repeats=5 if "numpy v" not in k else 2) for k, f in rows.items()}
    best_hand = report(rows, times, ref)
    # naive: a matrix power per l, capped at 3 s and extrapolated linearly in l
    import time

    t0 = time.perf_counter()
    _, done = base.general_matrix_power(A, B, C, 0.0, L, budget_s=3.0)
    dt = time.perf_counter() - t0
    est = dt * (L - 1) / max(done, 1) * (1.0 if done == L - 1 else 1.5)  # later powers cost more
    print(f"  {'naive matrix_power per l':<28} {est * 1e3:9.0f} ms   x{est / min(t for k, t in times.items() if k.startswith('hand')):7.0f} "
          f"(extrapolated from l <= {done})")


if __name__ == "__main__":
    main()
