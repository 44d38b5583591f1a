"""Printers and code generation: LaTeX and NumPy / Numba / CuPy from one SymPy expression."""

from .latex import HouseLatexPrinter, latex, tex_escape

__all__ = ["HouseLatexPrinter", "latex", "tex_escape"]
