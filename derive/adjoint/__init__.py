"""Reverse mode over recurrent cells written as SymPy equations with a time index.

``Cell`` (forward equations in A-normal form) → ``reverse`` (chain rule per edge with
``sp.diff``) → adjoints collected over consumers, across time, and weight gradients as
sums over t, in scalar and vector form, recorded as checked derivation steps.
"""

from .cell import Cell, D, Elementwise, H, Linear, LinearTerm, T, t, v
from .engine import Edge, Reverse, WeightEdge, adjoint_order, bar, reverse
from .functions import EW, sigma, sigma_prime
from .partial import LocalPartial
from .problems import make_problem
from .steps import CONVENTION, inline, record_adjoints, record_edges, record_weight_gradients

__all__ = ["CONVENTION", "Cell", "D", "EW", "Edge", "Elementwise", "H", "Linear", "LinearTerm", "LocalPartial",
           "Reverse", "T", "WeightEdge", "adjoint_order", "bar", "inline", "make_problem", "record_adjoints",
           "record_edges", "record_weight_gradients", "reverse", "sigma", "sigma_prime", "t", "v"]
