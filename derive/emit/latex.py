"""LaTeX in the house style, printed from the same SymPy expressions as the code.

A subclass of SymPy's ``LatexPrinter`` that adds only the nodes it needs: ``^\\top`` for
transposes, sequence elements ``x_{k}`` / ``x^{(t)}``, matrix sums, ``\\operatorname{diag}``,
``\\odot``, σ.  Derivations print as ``aligned`` blocks with each step's reason.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..symbols import MatSeq, MatSum

_UNICODE_TEX = {
    "ℓ": r"$\ell$", "≥": r"$\ge$", "≤": r"$\le$", "≠": r"$\ne$", "→": r"$\to$", "λ": r"$\lambda$",
    "σ": r"$\sigma$", "α": r"$\alpha$", "β": r"$\beta$", "γ": r"$\gamma$", "δ": r"$\delta$",
    "θ": r"$\theta$", "Σ": r"$\Sigma$", "⊙": r"$\odot$", "×": r"$\times$", "·": r"$\cdot$",
    "∂": r"$\partial$", "∇": r"$\nabla$", "−": r"$-$", "⊤": r"$^\top$", "≈": r"$\approx$", "∈": r"$\in$",
    "²": r"$^2$", "ᵀ": r"$^\top$", "∞": r"$\infty$", "√": r"$\surd$", "π": r"$\pi$", "μ": r"$\mu$",
    "κ": r"$\kappa$", "ε": r"$\varepsilon$", "Δ": r"$\Delta$", "Λ": r"$\Lambda$", "⟺": r"$\iff$",
    "‖": r"$\|$", "½": r"$\frac{1}{2}$", "Ŵ": r"$\widehat{W}$", "⁻": r"$^{-}$", "¹": r"$^{1}$",
    "∘": r"$\circ$", "⟨": r"$\langle$", "⟩": r"$\rangle$", "φ": r"$\varphi$", "⊕": r"$\oplus$",
    "…": r"\dots{}", "–": "--", "—": "---", "’": "'", "“": "``", "”": "''",
}
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def tex_escape(text: str) -> str:
    """Plain text (a reason, a note, user input) made safe for LaTeX text mode."""
    out = []
    for i, ch in enumerate(text):
        if ch == "⁻" and text[i + 1:i + 2] == "¹":
            out.append(r"$^{-1}$")  # one superscript, not $^{-}$$^{1}$
        elif ch == "¹" and text[i - 1:i] == "⁻" and i > 0:
            continue
        elif ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif ch in _UNICODE_TEX:
            out.append(_UNICODE_TEX[ch])
        elif (ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 127:
            # a control character stops pdflatex ("Text line contains an invalid character"):
            # shown as its code, e.g. <1b>
            out.append(rf"\textless{{}}{ord(ch):02x}\textgreater{{}}")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def _split_math(text: str) -> list[tuple[bool, str]]:
    """Split author text at unescaped ``$`` into (is_math, segment) pieces."""
    pieces, buf, math, i = [], [], False, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] == "$":
            buf.append("\\$" if math else "$")
            i += 2
            continue
        if ch == "$":
            pieces.append((math, "".join(buf)))
            buf, math = [], not math
        else:
            buf.append(ch)
        i += 1
    pieces.append((math, "".join(buf)))
    return [(m, seg) for m, seg in pieces if seg]


# a script's body stops before ᵀ ⁻ ¹ (they are \w to the regex): G_iᵀ is G_i then ᵀ, not G_{iᵀ}
_SCRIPT = re.compile(r"(?<=[\w)\]}ℓ])([\^_])(\{[^{}]*\}|\([^()]*\)(?=[\s,.;:]|$)|[-+]?(?:(?![ᵀ⁻¹])[\wℓ⊤])+)")
_ARROWS = {"->": r"$\to$", "<=": r"$\le$", ">=": r"$\ge$", "!=": r"$\ne$", "=>": r"$\Rightarrow$"}


def _prose(seg: str) -> str:
    """Prose outside ``$...$``: escaped, with the ASCII math habits of plain text (``A^{l+1}``,
    ``c_l``, ``p^T``, ``->``) set as super/subscripts and symbols rather than shown raw."""
    out, pos = [], 0
    for m in _SCRIPT.finditer(seg):
        out.append(_arrows(seg[pos:m.start()]))
        body = m[2][1:-1] if m[2][0] in "{(" and m[2][0] == "{" else m[2]
        body_tex = r"$\top$" if body in ("T", "⊤") else _arrows(body)
        out.append((r"\textsuperscript{" if m[1] == "^" else r"\textsubscript{") + body_tex + "}")
        pos = m.end()
    out.append(_arrows(seg[pos:]))
    return "".join(out)


def _arrows(seg: str) -> str:
    parts = re.split(r"(->|<=|>=|!=|=>)", seg)
    return "".join(_ARROWS[p] if p in _ARROWS else tex_escape(p) for p in parts)


_FORMULA_TEX = [
    (re.compile(r"\^∘\s*[−-]\s*1"), r"^{\\circ -1}"), (re.compile(r"⁻¹"), r"^{-1}"),
    (re.compile(r"[ᵀ⊤]"), r"^{\\top}"), (re.compile(r"\^\(([^()]*)\)"), r"^{\1}"),
    (re.compile(r"Σ"), r"\\sum "), (re.compile(r"−"), "-"), (re.compile(r"⊙"), r"\\odot "),
    (re.compile(r"·"), r"\\cdot "), (re.compile(r"‖"), r"\\|"), (re.compile(r"⟨"), r"\\langle "),
    (re.compile(r"⟩"), r"\\rangle "), (re.compile(r"∂"), r"\\partial "), (re.compile(r"∘"), r"\\circ "),
    (re.compile(r"\b(tr|diag|softmax|sigmoid|relu|softplus|step|sign)\b"), r"\\operatorname{\1}"),
    (re.compile(r"\b(det|log|exp|tanh|sin|cos)\b"), r"\\\1"), (re.compile(r" and "), r"\\text{ and }"),
]
_GREEK_TEX = {"λ": r"\lambda ", "σ": r"\sigma ", "α": r"\alpha ", "β": r"\beta ", "γ": r"\gamma ",
              "δ": r"\delta ", "θ": r"\theta ", "φ": r"\varphi ", "μ": r"\mu ", "ℓ": r"\ell "}
_MATH_WORDS = {"tr", "det", "log", "exp", "diag", "softmax", "sigmoid", "tanh", "norm", "relu", "softplus", "sin",
               "cos", "step", "sign", "and", "sqrt", "abs"}


def formula_tex(formula: str) -> str | None:
    """A formula written in plain Unicode (the engine's reasons: ``d(U⁻¹) = −U⁻¹ dU U⁻¹``,
    ``tr(G_iᵀ dX)``, ``(Aᵀ)⁻¹``) as LaTeX math, or None when it reads as prose."""
    words = [w for w in re.findall(r"[A-Za-z]{3,}", formula) if w not in _MATH_WORDS]
    if "=" not in formula or len(words) >= 2 or re.search(r"[&%#$\\]", formula):
        return None
    out = formula
    for pattern, repl in _FORMULA_TEX:
        out = pattern.sub(repl, out)
    out = "".join(_GREEK_TEX.get(ch, ch) for ch in out)
    if any(ord(ch) > 127 for ch in out):
        return None
    return out


def _prose_or_formula(seg: str) -> str:
    """Reasons in the engine's style, ``label: formula; label: formula``: the formulas as math."""
    clauses = []
    for clause in seg.split("; "):
        head, sep, tail = clause.rpartition(": ")
        math = formula_tex(tail) if sep else None
        clauses.append(f"{_prose(head + sep)}${math}$" if math is not None else _prose(clause))
    return "; ".join(clauses)


def rich_tex(text: str) -> str:
    """Author-written text with inline ``$...$`` math (reasons, statements, notes): the
    prose is escaped, the math passes through, and a plain-Unicode formula after a label
    (``inverse: d(U⁻¹) = −U⁻¹ dU U⁻¹``) is set as math.  Never used on user input (claims
    are escaped whole with :func:`tex_escape`)."""
    return "".join(f"${seg}$" if math else _prose_or_formula(seg) for math, seg in _split_math(text))


class HouseLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the project's conventions."""

    printmethod = "_house_latex"
    _default_settings = {**LatexPrinter._default_settings, "seq_style": {}}

    def _seq(self, name: str, *indices: sp.Expr) -> str:
        """A sequence element; ``seq_style`` maps a name to "sub" (x_{k}), "paren"
        (x^{(t)}) or a format string over the printed indices."""
        style = self._settings["seq_style"].get(name, "sub")
        base = self._print(sp.Symbol(name))
        idx = [self._print(i) for i in indices]
        if style == "paren":
            return f"{base}^{{({', '.join(idx)})}}"
        if style == "sub":
            return f"{base}_{{{', '.join(idx)}}}"
        return style.format(*idx)

    def _print_Add(self, expr: sp.Add, order: Any = None) -> str:
        # positive terms first: "k - \ell - 1" rather than "- \ell + k - 1"
        terms = list(expr.as_ordered_terms())
        pos = [t for t in terms if not t.could_extract_minus_sign()]
        neg = [t for t in terms if t.could_extract_minus_sign()]
        if not pos or not neg:
            return super()._print_Add(expr, order)
        out = " + ".join(self._print(t) if not isinstance(t, sp.Add) else rf"\left({self._print(t)}\right)"
                         for t in pos)
        for t in neg:
            inner = -t
            text = self._print(inner)
            if isinstance(inner, sp.Add):
                text = rf"\left({text}\right)"
            out += f" - {text}"
        return out

    # SymPy's oo, -oo, zoo and nan print through their own ``_latex`` methods, which this
    # printer's ``printmethod`` bypasses; spell them out (``\\text{Infinity}`` otherwise).
    def _print_Infinity(self, e: sp.Basic) -> str:
        return r"\infty"

    def _print_NegativeInfinity(self, e: sp.Basic) -> str:
        return r"-\infty"

    def _print_ComplexInfinity(self, e: sp.Basic) -> str:
        return r"\tilde{\infty}"

    def _print_NaN(self, e: sp.Basic) -> str:
        return r"\text{NaN}"

    def _print_ImaginaryUnit(self, e: sp.Basic) -> str:
        return "i"

    def _print_Pi(self, e: sp.Basic) -> str:
        return r"\pi"

    def _print_Exp1(self, e: sp.Basic) -> str:
        return "e"

    def _print_Identity(self, e: sp.Identity) -> str:
        return "I"

    def _print_ZeroMatrix(self, e: sp.ZeroMatrix) -> str:
        return "0"

    def _print_MatSeq(self, e: MatSeq) -> str:
        return self._seq(e.seq_name, e.index)

    def _print_Transpose(self, e: sp.Transpose) -> str:
        arg = e.arg
        inner = self._print(arg)
        if not isinstance(arg, (sp.MatrixSymbol, MatSeq, sp.Symbol)):
            inner = rf"\left({inner}\right)"
        elif isinstance(arg, MatSeq) and "^" in inner:
            inner = f"{{{inner}}}"  # x^{(t)} already has a superscript: {x^{(t)}}^{\top}
        return f"{inner}^{{\\top}}"

    def _print_MatSum(self, e: MatSum) -> str:
        j, a, b = e.limits
        return rf"\sum_{{{self._print(j)}={self._print(a)}}}^{{{self._print(b)}}} {self._print(e.term)}"

    def _print_DiagMatrix(self, e: sp.Basic) -> str:
        return rf"\operatorname{{diag}}\left({self._print(e.args[0])}\right)"

    def _print_DiagonalMatrix(self, e: sp.Basic) -> str:
        return rf"\operatorname{{diag}}\left({self._print(e.args[0])}\right)"

    def _print_HadamardProduct(self, e: sp.Basic) -> str:
        return r" \odot ".join(self.parenthesize(a, 60) for a in e.args)

    def _print_Function(self, e: sp.Function, exp: Any = None) -> str:
        from sympy.core.function import AppliedUndef

        if isinstance(e, AppliedUndef) and all(a.is_integer for a in e.args):
            text = self._seq(type(e).__name__, *e.args)
            return f"{text}^{{{exp}}}" if exp else text
        return super()._print_Function(e, exp)


def latex(expr: Any, **settings: Any) -> str:
    """Print ``expr`` (a SymPy object, a list, or a plain number) in the house style."""
    if isinstance(expr, (list, tuple)):
        return r"\left[" + ", ".join(latex(x, **settings) for x in expr) + r"\right]"
    return HouseLatexPrinter(settings).doprint(expr)


def step_line(lhs: str, rel: str, rhs: str, reason: str) -> str:
    return rf"{lhs} &{rel} {rhs} && \text{{{rich_tex(reason)}}}"


def derivation_latex(derivation: Any, part: str | None = None, **settings: Any) -> str:
    """The steps of a derivation as one ``aligned`` block with reasons."""
    rel = {"=": "=", "<=": r"\le", ">=": r"\ge"}
    lines = []
    for s in derivation.steps_for(part):
        problem = s.problem or derivation.problem
        settings = {"seq_style": dict(problem.latex_names), **settings}
        cond = f"\\quad ({latex(s.condition)})" if s.condition is not None else ""
        lines.append(step_line(latex(s.lhs, **settings), rel.get(s.relation, s.relation),
                               latex(s.rhs, **settings) + cond, s.reason))
        settings.pop("seq_style")
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def verdict_latex(v: Any) -> str:
    return rf"\text{{{tex_escape(str(v))}}}"
