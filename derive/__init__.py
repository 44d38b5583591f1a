"""derive: derive, check and ship the mathematics of machine learning.

SymPy derives closed forms with checked steps; the same expressions print as LaTeX and
as NumPy / Numba / CuPy code that is verified against independent references.

The Python API (each result shows itself in Jupyter)::

    derive.names()                                  # the registered derivations
    derive.get("ssm-kernel").derivation()           # steps, answers; .check() checks them
    derive.derive_gradient("tr(A X)", wrt="X")      # ∂f/∂X = A^T, every step checked
    derive.check_text("$$(A B)^\\top = B^\\top A^\\top$$")   # a hand derivation, judged

The building blocks of proof modules (Builder, Problem, Entry, register, ...) are
importable from here too; see README.md, "Adding a derivation".
"""

from .api import CheckReport, Gradient, check_text, derive_gradient, get, names
from .check import CheckSettings, check_equal
from .derivation import Answer, Builder, CheckedDerivation, Derivation, Step
from .errors import DeriveError, ExitCode
from .problem import Dim, Index, Instance, Notation, Part, Problem, Sampler
from .registry import REGISTRY, Entry, register
from .verdict import Verdict

# help(derive) shows the API; the proof-module building blocks stay importable
__all__ = ["check_text", "derive_gradient", "get", "names"]
__version__ = "0.1.0"
