"""Independent reference for adjoints: an unrolled mpmath forward pass and central
finite differences of the loss.

A proof module supplies a hand-written forward pass ``forward(params, xs, init, steps,
hook)`` that returns the intermediates per step; ``hook(name, t, value)`` may change an
intermediate right after it is computed, and every later quantity is recomputed from the
changed value.  The adjoint \\bar{v}^{(t)} is then dL/dε for v^{(t)} ← v^{(t)} + ε e_k, by a
central difference at twice the working precision with h = 10^{-0.6·dps}: the O(h²)
truncation and the O(10^{-2·dps}/h) rounding are both far below 10^{-dps/2}.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import mpmath
import sympy as sp

Forward = Callable[[dict[str, Any], list[Any], dict[str, Any], int, Callable[[str, int, Any], Any]],
                   dict[str, dict[int, Any]]]

_CACHE: dict[tuple, dict[str, Any]] = {}
_CACHE_LIMIT = 64


def loss(seqs: Mapping[str, Mapping[int, Any]], ys: list[Any], steps: int, output: str = "h") -> Any:
    """L = Σ_{t=1}^{T} ½‖h^{(t)} − y^{(t)}‖² (ys[t] is y^{(t)}, ys[0] unused)."""
    total = mpmath.mpf(0)
    for tt in range(1, steps + 1):
        d = seqs[output][tt] - ys[tt]
        total += sum(d[k] ** 2 for k in range(d.rows)) / 2
    return total


def _key(values: Mapping[Any, Any]) -> tuple:
    return tuple(sorted((str(k), str(v)) for k, v in values.items()))


def make_reference(name: str, forward: Forward, *, intermediates: tuple[str, ...], weights: tuple[str, ...],
                   init: tuple[str, ...], scalar: bool, steps_key: str = "T") -> Callable[[dict, int], dict]:
    """A ``Problem.reference`` function: forward values and finite-difference adjoints.

    ``values`` holds the weights (keyed by Symbol / MatrixSymbol named like the weight),
    ``"x"`` and ``"y"`` (lists indexed by t, entry 0 unused) and the initial states
    ``init_<name>``.  The forward pass runs past T, to the last sampled input (so expressions at t + 1, t + 2 evaluate for
    t = T); the loss sums t = 1..T, so \\bar{v}^{(T+1)} = 0.
    """

    def reference(values: dict[Any, Any], dps: int) -> dict[str, Callable[..., Any]]:
        key = (name, scalar, dps, _key(values))
        if key in _CACHE:
            return _CACHE[key]
        steps = int(values[sp.Symbol("T", integer=True, positive=True)])
        params = {str(k): v if isinstance(v, mpmath.matrix) else mpmath.matrix([[v]])
                  for k, v in values.items() if str(k) in weights}
        xs, ys = values["x"], values["y"]
        inits = {n: values[f"init_{n}"] for n in init}

        def run(hook: Callable[[str, int, Any], Any] = lambda n, tt, val: val,
                p: dict[str, Any] | None = None) -> dict[str, dict[int, Any]]:
            return forward(p or params, xs, inits, len(xs) - 1, hook)

        base = run()
        out: dict[str, Callable[..., Any]] = {}

        def as_out(m: Any) -> Any:
            return m[0, 0] if scalar and m.rows == 1 and m.cols == 1 else m

        def forward_seq(n: str) -> Callable[[int], Any]:
            def at(tt: int) -> Any:
                if tt == 0 and n in inits:
                    return as_out(inits[n])
                if n == "x":
                    return as_out(xs[tt])
                if n == "y":
                    return as_out(ys[tt])
                return as_out(base[n][tt])
            return at

        for n in intermediates + ("x", "y"):
            out[n] = forward_seq(n)

        def adjoint(n: str) -> Callable[[int], Any]:
            def at(tt: int) -> Any:
                rows = base[n][1].rows
                g = mpmath.matrix(rows, 1)
                if tt > steps:
                    return as_out(g)  # the loss does not depend on steps after T
                with mpmath.workdps(2 * dps):
                    h = mpmath.mpf(10) ** (-(3 * dps) // 5)
                    for k in range(rows):
                        def bumped(eps: Any, k=k) -> Any:
                            def hook(name_: str, t_: int, val: Any) -> Any:
                                if name_ == n and t_ == tt:
                                    val = val.copy()
                                    val[k] += eps
                                return val
                            return loss(run(hook), ys, steps)
                        g[k] = (bumped(h) - bumped(-h)) / (2 * h)
                return as_out(g)
            return at

        for n in intermediates:
            out[f"bar_{n}"] = adjoint(n)

        def weight_grad(w: str) -> Callable[..., Any]:
            def at(*_: int) -> Any:
                W = params[w]
                G = mpmath.matrix(W.rows, W.cols)
                with mpmath.workdps(2 * dps):
                    h = mpmath.mpf(10) ** (-(3 * dps) // 5)
                    for r in range(W.rows):
                        for c in range(W.cols):
                            vals = []
                            for eps in (h, -h):
                                p = dict(params)
                                p[w] = W.copy()
                                p[w][r, c] += eps
                                vals.append(loss(run(p=p), ys, steps))
                            G[r, c] = (vals[0] - vals[1]) / (2 * h)
                return as_out(G)
            return at

        for w in weights:
            out[f"bar_{w}"] = weight_grad(w)
        out = {n: _memo(fn) for n, fn in out.items()}
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = out
        return out

    return reference


def _memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    cache: dict[tuple, Any] = {}

    def lookup(*args: int) -> Any:
        if args not in cache:
            cache[args] = fn(*args)
        return cache[args]

    return lookup


def fd_weight_gradients(forward: Forward, weights: Mapping[str, Any], x: Any, y: Any, init: Mapping[str, Any],
                        order: tuple[str, ...], dps: int = 30) -> list[Any]:
    """∂L/∂W for float64 inputs (NumPy arrays), by central differences of the mpmath forward
    pass at ``2·dps`` digits; returned as float64 arrays in ``order``.  The reference for
    generated code: it never runs the code under test."""
    import numpy as np

    with mpmath.workdps(dps):
        params = {k: mpmath.matrix(np.asarray(v, dtype=float).tolist()) for k, v in weights.items()}
        steps = len(x)
        xs = [None] + [mpmath.matrix([[float(z)] for z in row]) for row in x]
        ys = [None] + [mpmath.matrix([[float(z)] for z in row]) for row in y]
        inits = {k: mpmath.matrix([[float(z)] for z in np.asarray(v).ravel()]) for k, v in init.items()}
        out = []
        with mpmath.workdps(2 * dps):
            h = mpmath.mpf(10) ** (-(3 * dps) // 5)
            for w in order:
                W = params[w]
                G = np.zeros((W.rows, W.cols))
                for r in range(W.rows):
                    for c in range(W.cols):
                        vals = []
                        for eps in (h, -h):
                            p = dict(params)
                            p[w] = W.copy()
                            p[w][r, c] += eps
                            seqs = forward(p, xs, inits, steps, lambda n, t_, val: val)
                            vals.append(loss(seqs, ys, steps))
                        G[r, c] = float((vals[0] - vals[1]) / (2 * h))
                out.append(G)
        return out
