"""The small Python API: what the commands do, as functions that return displayable results.

* :func:`derive_gradient` - ``derive grad`` from Python (the same expression language);
* :func:`check_text` - ``derive check`` on a string of Markdown/LaTeX;
* :func:`get` / :func:`names` - the registered derivations (``derive show`` / ``derive list``).

Every result has a short ``repr`` and shows itself in Jupyter (``_repr_latex_`` for
mathematics, ``_repr_html_`` for check tables, with every user string escaped).
"""

from __future__ import annotations

import html
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Iterable

import sympy as sp

from .registry import Entry, REGISTRY


def get(name: str) -> Entry:
    """The registered derivation called ``name`` (raises DeriveError naming the known ones).

    >>> import derive
    >>> entry = derive.get("ssm-kernel")
    >>> entry.name
    'ssm-kernel'
    >>> derive.get("no-such").name
    Traceback (most recent call last):
    ...
    derive.errors.DeriveError: unknown derivation 'no-such'; known: ...
    """
    return REGISTRY.get(name)


def names() -> list[str]:
    """The names of every registered derivation, sorted.

    >>> import derive
    >>> "ssm-kernel" in derive.names()
    True
    """
    return REGISTRY.names()


@dataclass(frozen=True)
class Gradient:
    """A derived gradient: ``expr`` (SymPy), its checked steps (``checked``) and ``status``."""

    f: sp.Basic
    wrt: sp.MatrixSymbol
    expr: sp.Basic
    derivation: Any
    checked: Any | None = None

    @property
    def status(self) -> str:
        """proved / verified / refuted / undecided (``not checked`` with check=False)."""
        return self.checked.status if self.checked is not None else "not checked"

    @property
    def text(self) -> str:
        from .emit.text import text

        return text(self.expr)

    def latex(self) -> str:
        from .emit.latex import latex

        return rf"\frac{{\partial f}}{{\partial {latex(self.wrt)}}} = {latex(self.expr)}"

    def __str__(self) -> str:
        return f"∂f/∂{self.wrt.name} = {self.text}"

    def __repr__(self) -> str:
        return f"<Gradient ∂f/∂{self.wrt.name} = {self.text} ({self.status})>"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


def derive_gradient(f: str, wrt: str, *, assume: Iterable[str] = (), shape: Iterable[str] = (),
                    check: bool = True, instances: int = 6, seed: int = 0) -> Gradient:
    """∂f/∂wrt of a scalar expression written in ``derive grad``'s language (never eval'd).

    ``assume``: e.g. ``["y one-hot"]``; ``shape``: e.g. ``["W=3x4"]``.  With ``check`` every
    step is checked on ``instances`` random instances (the last against finite differences).

    >>> import derive
    >>> g = derive.derive_gradient("tr(A X)", wrt="X")
    >>> print(g)
    ∂f/∂X = A^T
    >>> g.status in ("proved", "verified")
    True
    >>> derive.derive_gradient("sum(sin(x))", wrt="x").text
    'cos(x)'
    """
    from .check import CheckSettings
    from .errors import DeriveError
    from .matcalc import engine
    from .matcalc.language import parse
    from .problem import Index

    if not isinstance(f, str) or not isinstance(wrt, str):
        raise DeriveError("derive_gradient takes the expression and the variable as text, e.g. "
                          "derive_gradient(\"tr(A X)\", wrt=\"X\"); for SymPy objects use "
                          "derive.matcalc.derive_gradient(f, X)")
    parsed = parse(f, shapes=shape, assume=assume)
    X = parsed.symbol(wrt)
    if not isinstance(X, sp.MatrixSymbol):
        raise DeriveError(f"differentiate with respect to a vector or a matrix, not the scalar {wrt}")
    result, derivation = engine.derive_gradient(parsed.expr, X, assumptions=parsed.assumptions, kinds=parsed.kinds,
                                                indices=tuple(Index(i, 2, 6) for i in parsed.indices))
    checked = derivation.check(CheckSettings(instances=instances, seed=seed)) if check else None
    return Gradient(parsed.expr, X, result.gradient, derivation, checked)


_COLOURS = {"proved": "#1a7f37", "verified": "#2da44e", "refuted": "#cf222e", "undecided": "#9a6700"}


@dataclass(frozen=True)
class CheckReport:
    """The result of :func:`check_text` (the JSON report of docs/claims-schema.md as ``data``)."""

    data: dict[str, Any] = field(repr=False)

    @property
    def claims(self) -> list[dict[str, Any]]:
        return self.data["claims"]

    @property
    def exit_code(self) -> int:
        """What `derive check` would exit with: 0 all hold, 1 refuted, 2 input error, 3 undecided."""
        return int(self.data["exit_code"])

    @property
    def status(self) -> str:
        from .verdict import combine_statuses

        return combine_statuses(c["status"] for c in self.claims) if self.claims else "no claims"

    def __repr__(self) -> str:
        s = self.data["summary"]
        counts = ", ".join(f"{v} {k}" for k, v in s.items() if v)
        return f"<CheckReport {len(self.claims)} claims: {counts or 'none'} (exit {self.exit_code})>"

    def _repr_html_(self) -> str:
        from .commands.check import counterexample_text

        esc = html.escape
        rows = []
        for c in self.claims:
            colour = _COLOURS.get(c["status"], "#57606a")
            why = c.get("scope") or c.get("reason") or ""
            ce = c.get("counterexample")
            if ce is None:
                ce = next((ln.get("counterexample") for ln in c.get("links") or [] if ln.get("counterexample")), None)
            detail = f"<br><small>counterexample: {esc(counterexample_text(ce))}</small>" if ce else ""
            rows.append(f"<tr><td>{esc(str(c.get('line', '')))}</td><td><code>{esc(str(c.get('latex', '')))}</code></td>"
                        f"<td style=\"color:{colour};font-weight:bold\">{esc(str(c['status']))}</td>"
                        f"<td>{esc(str(why))}{detail}</td></tr>")
        errors = "".join(f"<p style=\"color:#cf222e\">error: {esc(str(e.get('message', '')))}</p>"
                         for e in self.data.get("errors", []))
        return ("<table><thead><tr><th>line</th><th>claim</th><th>verdict</th><th>why</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>{errors}<p>{esc(repr(self))}</p>")


def check_text(text: str, *, problem: str | None = None, timeout: float = 10.0, seed: int = 0,
               instances: int = 10, given: Iterable[str] = ()) -> CheckReport:
    """``derive check`` on ``text`` (Markdown or LaTeX with math), judged line by line.

    >>> import derive
    >>> r = derive.check_text("$$(A B)^\\\\top = B^\\\\top A^\\\\top$$")
    >>> r.exit_code, r.claims[0]["status"] in ("proved", "verified")
    (0, True)
    >>> derive.check_text("$$(A B)^\\\\top = A^\\\\top B^\\\\top$$").claims[0]["status"]
    'refuted'
    """
    from .commands.check import check_paths

    fd, path = tempfile.mkstemp(prefix="derive-check-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        data = check_paths([path], problem=problem, timeout=timeout, seed=seed, instances=instances,
                           progress=False, given=list(given))
    finally:
        os.unlink(path)
    return CheckReport(data)
