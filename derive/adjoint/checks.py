"""Code checks and module specs for generated BPTT passes.

``bptt_module`` builds the ModuleSpec from a derivation (after confirming that the plan's
adjoints are the derivation's recorded results); ``bptt_code_checks`` verifies the
generated ``<name>(weights…, x, y, states0…)`` against central finite differences of the
hand-written mpmath forward pass (``fd_weight_gradients``), in float64 at 1e-9 relative.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from ..errors import DeriveError
from .cell import Cell
from .codegen import BPTTPlan
from .engine import adjoint_order, reverse
from .reference import Forward, fd_weight_gradients


def bptt_module(derivation: Any, cell: Cell, name: str, doc: str) -> Any:
    from ..emit.codegen import FunctionSpec, ModuleSpec

    rev = reverse(cell)
    for n in adjoint_order(cell):
        if sp.expand(rev.adjoint_scalar(n) - derivation.result(f"bar_{n}")) != 0:
            raise DeriveError(f"the plan's adjoint of {n} is not the derivation's")
    for w in cell.weights:
        if rev.weight_gradient_scalar(w) != derivation.result(f"bar_{w}"):
            raise DeriveError(f"the plan's gradient of {w} is not the derivation's")
    return ModuleSpec(name=name, source=derivation.name, doc=doc,
                      functions=(FunctionSpec(name, (), BPTTPlan(rev),
                                              f"{doc} Returns the gradients of {', '.join(cell.weights)}."),))


def bptt_code_checks(cell: Cell, forward: Forward, name: str, init: tuple[str, ...],
                     sizes: tuple[tuple[int, int, int], ...] = ((5, 3, 2), (5, 1, 2))) -> list[Any]:
    from ..verify import CodeCheck

    checks = []
    for T, H, D in sizes:
        def make(rng: np.random.Generator, T=T, H=H, D=D) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for w in cell.weights:
                cols = D if cell.weight_shape(w)[1] == sp.Symbol("D", integer=True, positive=True) else H
                out[w] = rng.uniform(-1.0, 1.0, (H, cols))
            out.update({v: rng.uniform(-1.0, 1.0, (T, D)) for v in cell.inputs})
            out[cell.target] = rng.uniform(-1.0, 1.0, (T, H))
            out.update({f"{s}0": rng.uniform(-1.0, 1.0, H) for s in init})
            return out

        def reference(inp: dict[str, Any]) -> Any:
            grads = fd_weight_gradients(forward, {w: inp[w] for w in cell.weights}, inp[cell.inputs[0]],
                                        inp[cell.target], {s: inp[f"{s}0"] for s in init}, cell.weights)
            return np.concatenate([g.ravel() for g in grads])

        checks.append(CodeCheck(
            label=f"{name} gradients vs finite differences, T={T}, H={H}, D={D}", function=name,
            make_inputs=make, reference=reference, tol=1e-9,
            observe=lambda out, inp: np.concatenate([np.asarray(g.get() if hasattr(g, "get") else g).ravel()
                                                     for g in out]),
            reference_kind="central differences of the loss of a hand-written mpmath forward pass at 60 digits",
            inputs_text="weights, x, y and initial states ~ U(-1, 1)", backends=("numpy", "numba", "cupy")))
    return checks
