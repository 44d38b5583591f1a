"""Equivalence checking: numeric sampling at high precision plus a bounded symbolic try."""

from .equivalence import CheckSettings, check_equal, index_ranges
from .symbolic import prove_equal
from .worker import Timeout, run_bounded

__all__ = ["CheckSettings", "check_equal", "index_ranges", "prove_equal", "run_bounded", "Timeout"]
