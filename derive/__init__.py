"""derive: derive, check and ship the mathematics of machine learning.

SymPy derives closed forms with checked steps; the same expressions print as LaTeX and
as NumPy / Numba / CuPy code that is verified against independent references.
"""

from .check import CheckSettings, check_equal
from .derivation import Answer, Builder, CheckedDerivation, Derivation, Step
from .errors import DeriveError, ExitCode
from .problem import Dim, Index, Instance, Notation, Part, Problem, Sampler
from .registry import REGISTRY, Entry, get, names, register
from .verdict import Verdict

__all__ = [
    "Answer", "Builder", "CheckSettings", "CheckedDerivation", "Derivation", "DeriveError", "Dim", "Entry",
    "ExitCode", "Index", "Instance", "Notation", "Part", "Problem", "REGISTRY", "Sampler", "Step", "Verdict",
    "check_equal", "get", "names", "register",
]
__version__ = "0.1.0"
