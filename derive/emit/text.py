"""Plain-text printing for the terminal (``derive show`` without ``--latex``)."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ..symbols import MatSeq, MatSum

_GREEK = {"ell": "ℓ", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "lambda": "λ", "sigma": "σ",
          "theta": "θ", "mu": "μ", "Sigma": "Σ", "Lambda": "Λ", "Delta": "Δ", "epsilon": "ε", "kappa": "κ"}


class TextPrinter(StrPrinter):
    """SymPy's str printer with sequences as x_k, ^T for transposes, Greek letters; a problem's
    ``latex_names`` (e.g. Apow(m, i, j) as (A^m)_ij) are honoured as in LaTeX."""

    _default_settings = {**StrPrinter._default_settings, "names": {}}

    def _named(self, name: str, args: tuple) -> str | None:
        template = self._settings["names"].get(name)
        if not template or "{0}" not in template:
            return None
        from .latex import latex

        return rich_plain("$" + template.format(*(latex(a) for a in args)) + "$")

    def _print_Symbol(self, e: sp.Symbol) -> str:
        return _GREEK.get(e.name, e.name)

    def _print_Function(self, e: sp.Function) -> str:
        named = self._named(type(e).__name__, e.args)
        return named if named is not None else super()._print_Function(e)

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, sp.Indexed):  # Indexed's own _sympystr (a[i]) would win over ours
            return self._print_Indexed(expr)
        return super()._print(expr, **kwargs)

    def _print_Indexed(self, e: sp.Indexed) -> str:
        idx = ",".join(self._print(i) for i in e.indices)
        return f"{self._print(e.base.label)}_{idx if len(idx) == 1 else '(' + idx + ')'}"

    def _print_MatSeq(self, e: MatSeq) -> str:
        named = self._named(e.seq_name, (e.index,))
        if named is not None:
            return named
        idx = self._print(e.index)
        return f"{e.seq_name}_{idx}" if len(idx) == 1 else f"{e.seq_name}_({idx})"

    def _print_MatSum(self, e: MatSum) -> str:
        j, a, b = e.limits
        return f"Σ_{{{self._print(j)}={self._print(a)}..{self._print(b)}}} {self._print(e.term)}"

    def _print_Transpose(self, e: sp.Transpose) -> str:
        if isinstance(e.arg, (sp.MatrixSymbol, sp.Symbol, MatSeq)):
            return f"{self._print(e.arg)}^T"
        return f"{self.parenthesize(e.arg, 1000)}^T"

    def _power(self, base: sp.Basic, exp: sp.Basic) -> str:
        e = self._print(exp)
        b = f"({self._print(base)})" if isinstance(base, sp.Transpose) else \
            self.parenthesize(base, PRECEDENCE['Pow'], strict=True)
        return f"{b}^{e if len(e) == 1 else '(' + e + ')'}"

    def _print_MatPow(self, e: sp.MatPow) -> str:
        return self._power(e.base, e.exp)

    def _print_Pow(self, e: sp.Pow, rational: bool = False) -> str:
        if e.exp == sp.S.Half:
            return f"sqrt({self._print(e.base)})"
        if e.exp.is_Integer and e.exp < 0:
            return super()._print_Pow(e, rational)
        return self._power(e.base, e.exp)

    def _print_Add(self, expr: sp.Add, order: Any = None) -> str:
        terms = list(expr.as_ordered_terms())
        terms = [t for t in terms if not t.could_extract_minus_sign()] + \
            [t for t in terms if t.could_extract_minus_sign()]
        out = self._print(terms[0])
        for t in terms[1:]:
            if t.could_extract_minus_sign():
                out += f" - {self.parenthesize(-t, PRECEDENCE['Add'], strict=True)}"
            else:
                out += f" + {self._print(t)}"
        return out

    def _print_Relational(self, e: sp.Basic) -> str:
        op = {"==": "=", ">=": "≥", "<=": "≤", "!=": "≠"}.get(e.rel_op, e.rel_op)
        return f"{self._print(e.lhs)} {op} {self._print(e.rhs)}"

    def _print_MatMul(self, e: sp.MatMul) -> str:
        coeff, mats = e.as_coeff_matrices()
        body = " ".join(self.parenthesize(a, 50) for a in mats)
        if coeff == 1:
            return body
        if coeff == -1:
            return f"-{body}"
        return f"{self._print(coeff) if not isinstance(coeff, sp.Add) else '(' + self._print(coeff) + ')'} {body}"

    def _print_MatAdd(self, e: sp.MatAdd) -> str:
        # print each term as it is (negating a term would re-canonicalise it, e.g. turn
        # (X⁻¹)ᵀ into (Xᵀ)⁻¹), then join by its sign; positive terms first
        texts = [self._print(t) for t in e.args]
        texts = [t for t in texts if not t.startswith("-")] + [t for t in texts if t.startswith("-")]
        out = texts[0]
        for t in texts[1:]:
            out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
        return out

    # matrix-calculus nodes: ⊙, entrywise powers, diag, tr, det, inverse
    def _print_HadamardProduct(self, e: sp.Basic) -> str:
        return " ⊙ ".join(self.parenthesize(a, 50) for a in e.args)

    def _print_HadamardPower(self, e: sp.Basic) -> str:
        return f"{self.parenthesize(e.base, 1000)}^∘{self._print(e.exp)}"

    def _print_DiagMatrix(self, e: sp.Basic) -> str:
        return f"diag({self._print(e.args[0])})"

    def _print_Trace(self, e: sp.Basic) -> str:
        return f"tr({self._print(e.arg)})"

    def _print_Determinant(self, e: sp.Basic) -> str:
        return f"det({self._print(e.arg)})"

    def _print_Inverse(self, e: sp.Basic) -> str:
        if isinstance(e.arg, (sp.MatrixSymbol, sp.Symbol, MatSeq)):
            return f"{self._print(e.arg)}^-1"
        return f"({self._print(e.arg)})^-1"

    def _print_Identity(self, e: sp.Basic) -> str:
        return "I"

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, sp.Indexed):  # Indexed's own _sympystr (a[i]) would win over ours
            return self._print_Indexed(expr)
        return super()._print(expr, **kwargs)

    def _print_Indexed(self, e: sp.Indexed) -> str:
        return f"{self._print(e.base.label)}_{','.join(self._print(i) for i in e.indices)}"

    def _print_Sum(self, e: sp.Sum) -> str:
        lims = ", ".join(f"{self._print(v)}={self._print(a)}..{self._print(b)}" for v, a, b in e.limits)
        return f"Σ_{{{lims}}} {self.parenthesize(e.function, 40)}"

    def _print_KroneckerDelta(self, e: sp.Basic) -> str:
        return f"δ_{self._print(e.args[0])}{self._print(e.args[1])}"


def text(expr: Any, names: dict[str, str] | None = None) -> str:
    """Plain text of ``expr``; ``names``: a problem's latex_names (name -> LaTeX template)."""
    if isinstance(expr, (list, tuple)):
        return "[" + ", ".join(text(x, names) for x in expr) + "]"
    return TextPrinter({"order": "none", "names": dict(names or {})}).doprint(expr)



_TEX_PLAIN = {
    r"\ell": "ℓ", r"\top": "T", r"\sigma": "σ", r"\lambda": "λ", r"\alpha": "α", r"\beta": "β",
    r"\gamma": "γ", r"\delta": "δ", r"\theta": "θ", r"\Sigma": "Σ", r"\sum": "Σ", r"\odot": "⊙",
    r"\cdot": "·", r"\ge": "≥", r"\le": "≤", r"\ne": "≠", r"\to": "→", r"\infty": "∞", r"\nabla": "∇",
    r"\partial": "∂", r"\quad": " ", r"\operatorname": "", r"\mathrm": "", r"\left": "", r"\right": "",
    r"\times": "×", r"\approx": "≈", r"\in": "∈", r"\prod": "Π", r"\mu": "μ", r"\kappa": "κ",
    r"\delta_": "δ_", r"\Lambda": "Λ", r"\Delta": "Δ", r"\log": "log", r"\det": "det", r"\tanh": "tanh",
    r"\exp": "exp", r"\operatorname{diag}": "diag", r"\frac": "", r"\bar": "bar", r"\hat": "hat",
    r"\tilde": "tilde", r"\|": "‖", r"\,": " ", r"\;": " ", r"\!": "", r"\dots": "…", r"\ldots": "…",
    r"\cdots": "⋯", r"\vdots": "⋮",
}


def _plain_matrix(m: Any) -> str:
    """\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix} as [a, b; c, d]."""
    rows = [r.strip() for r in m[1].split("\\\\") if r.strip()]
    return "[" + "; ".join(", ".join(c.strip() for c in r.split("&")) for r in rows) + "]"


def rich_plain(text_: str) -> str:
    """Author text with ``$...$`` math for the terminal: math loses its markup."""
    import re

    from .latex import _split_math

    out = []
    for math, seg in _split_math(text_):
        if math:
            seg = re.sub(r"\\begin\{[pbv]?matrix\}(.*?)\\end\{[pbv]?matrix\}", _plain_matrix, seg, flags=re.S)
            for k in sorted(_TEX_PLAIN, key=len, reverse=True):
                seg = seg.replace(k, _TEX_PLAIN[k])
            seg = re.sub(r"\\([A-Za-z]+)", r"\1", seg)
            seg = re.sub(r"([_^]){([^{}]+)}", lambda m: m[1] + (m[2] if len(m[2]) == 1 else f"({m[2]})"), seg)
            seg = re.sub(r"bar{?(\w)}?", r"\1̄", seg).replace("{", "").replace("}", "")
        out.append(seg)
    return "".join(out)
