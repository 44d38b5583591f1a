"""What every recurrent-cell proof module does the same way: record the reverse-mode steps
(parts a and b) and register the entry with its generated BPTT module and code checks."""

from __future__ import annotations

from typing import Any, Callable

from ..derivation import Builder
from ..problem import Problem
from ..registry import Entry, register
from .cell import Cell
from .engine import reverse
from .steps import record_adjoints, record_edges, record_weight_gradients


def record_cell(b: Builder, cell: Cell, scalar: Problem, vector: Problem) -> None:
    """Part (a): chain rule per edge and every adjoint; part (b): every weight gradient."""
    rev = reverse(cell)
    b.part = "a"
    record_edges(b, rev, scalar)
    for key, value in record_adjoints(b, rev, scalar, vector).items():
        b.result(key, value)
    b.part = "b"
    for key, value in record_weight_gradients(b, rev, scalar, vector).items():
        b.result(key, value)


def register_cell(*, name: str, title: str, summary: str, source: str, cell: Cell, forward: Callable[..., Any],
                  derive: Callable[[], Any], module_name: str, doc: str, init: tuple[str, ...],
                  tags: tuple[str, ...] = ("bptt", "adjoint")) -> Entry:
    """Register a cell's derivation with its generated backward pass (NumPy/Numba/CuPy)
    and the finite-difference code checks."""

    def module(derivation: Any) -> Any:
        from .checks import bptt_module

        return bptt_module(derivation, cell, module_name, doc)

    def code_checks() -> list:
        from .checks import bptt_code_checks

        return bptt_code_checks(cell, forward, module_name, init)

    return register(Entry(name=name, title=title, derive=derive, module=module, code_checks=code_checks,
                          summary=summary, source=source, tags=tags))
