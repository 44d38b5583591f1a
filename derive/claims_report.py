"""``derive report FILE --check``: a hand derivation annotated line by line.

The claims are judged by ``derive check``; the report shows each line *as written* (the
user's LaTeX is escaped into ``\\texttt``, never run as TeX), its verdict and reason, the
counterexample of a refuted line, and, where the file names a registered problem, the
derivation's own expression for the same left-hand side.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .emit.latex import latex, tex_escape
from .errors import DeriveError
from .registry import REGISTRY
from .report import render, write_report

_STATUS = {"proved": r"\textbf{proved}", "verified": "verified", "refuted": r"\textbf{refuted}",
           "undecided": r"\textit{undecided}", "defined": "defined", "assumed": "assumed",
           "inconsistent": r"\textbf{inconsistent}"}


def _norm(tex: str) -> str:
    """A comparison key for a left-hand side: no spaces or braces, time indices blanked."""
    tex = re.sub(r"\^\{?\(([^()]*)\)\}?", "^()", tex)
    return re.sub(r"[\s{}]|\\left|\\right", "", tex)


def _derivation_lhs_table(problem: str | None) -> dict[str, tuple[str, str]]:
    if not problem or problem not in REGISTRY.names():
        return {}
    d = REGISTRY.get(problem).derivation()
    table: dict[str, tuple[str, str]] = {}
    for s in d.steps:
        settings = {"seq_style": dict((s.problem or d.problem).latex_names)}
        lhs = latex(s.lhs, **settings)
        # the first step wins: the general form (later parts specialise it, e.g. a limit)
        table.setdefault(_norm(lhs), (problem, f"{lhs} = {latex(s.rhs, **settings)}"))
    return table


def _breakable(text: str, chunk: int = 12) -> str:
    """User LaTeX for ``\\texttt``: escaped, with break points inside long tokens so a
    narrow table column can wrap it."""
    pieces = re.findall(r"\s+|[^\s]{1,%d}" % chunk, text)
    return r"\allowbreak{}".join(tex_escape(p) for p in pieces)


def _fmt(v: Any) -> str:
    """Counterexample values as a person writes them: [a, b; c, d] for matrices."""
    if isinstance(v, list):
        if v and all(isinstance(r, list) for r in v):
            if all(len(r) == 1 for r in v):
                return "[" + ", ".join(_fmt(r[0]) for r in v) + "]"
            return "[" + "; ".join(", ".join(_fmt(x) for x in r) for r in v) + "]"
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


def _short_value(v: Any, width: int = 70) -> str:
    text = re.sub(r"\s+", " ", _fmt(v))
    return text if len(text) <= width else text[: width - 3] + "..."


def _details(ce: dict[str, Any] | None) -> str:
    if not ce:
        return ""
    parts = []
    inst = ce.get("instance") or {}
    if inst:
        parts.append("Instance: " + "; ".join(f"{k} = {_short_value(v, 60)}" for k, v in inst.items()))
    for side in ("lhs", "rhs"):
        if side in ce:
            parts.append(f"{'Left' if side == 'lhs' else 'Right'} side: {_short_value(ce[side])}")
    if "relative_difference" in ce:
        parts.append(f"relative difference {ce['relative_difference']}")
    return _breakable(". ".join(parts) + ".", 40)


def build_check_report(path: str, out_dir: str, *, pdf: bool = False,
                       problem: str | None = None) -> tuple[list[Path], int]:
    """The annotated report of one claim file, and `derive check`'s exit code for it (a file
    with no claims is an input error: nothing is written)."""
    from .claims.reader import read_document
    from .commands.check import check_paths
    from .emit.tree_latex import math_latex

    source = Path(path)
    if not source.is_file():
        raise DeriveError(f"no such claim file: {path!r}")
    report = check_paths([str(source)], problem=problem, progress=True)
    if report["errors"] and not report["claims"]:
        raise DeriveError(report["errors"][0]["message"])
    if problem is None:
        try:
            problem = read_document(source).front.get("problem")  # type: ignore[assignment]
        except Exception:  # noqa: BLE001 - the name is only used to look up correct expressions
            problem = None
    tables: dict[str | None, dict[str, tuple[str, str]]] = {}
    claims, refuted = [], []
    for c in report["claims"]:
        links = c.get("links") or []
        ce = next((ln.get("counterexample") for ln in links if ln.get("status") == "refuted"), None)
        correct = None
        if c["status"] == "refuted":
            # the problem named for the file, or the one derive check chose for this claim
            chosen = re.search(r"\[problem: ([\w/-]+), chosen", c.get("scope") or "")
            name = problem or (chosen.group(1) if chosen else None)
            if name not in tables:
                tables[name] = _derivation_lhs_table(name)
            for ln in links:
                hit = tables[name].get(_norm(ln.get("lhs") or ""))
                if hit:
                    correct = {"name": tex_escape(hit[0]), "latex": hit[1]}
                    break
        # the statement typeset from the parse tree (never the user's raw TeX); what did not
        # parse is shown as escaped source
        math = math_latex(c["latex"])
        why = c.get("reason") or c.get("scope") or ""
        if c["status"] in ("defined", "assumed"):
            why = c.get("role_reason") or why
        row = {"line": c["line"], "math": math, "latex": _breakable(c["latex"]),
               "status": _STATUS.get(c["status"], tex_escape(c["status"])), "role": tex_escape(c.get("role", "")),
               "reason": tex_escape(_short_value(why, 400)), "correct": correct, "details": _details(ce)}
        claims.append(row)
        if c["status"] == "refuted":
            refuted.append(row)
    counts = report.get("summary", {})
    summary = tex_escape(", ".join(f"{v} {k}" for k, v in sorted(counts.items()) if isinstance(v, int))
                         + f" (seed {report.get('settings', {}).get('seed', 0)}; every judged statement checked on random "
                           "instances at 50 digits; definitions and hypotheses are recorded, not judged; a refuted "
                           "statement has a counterexample below)")
    tex = render("annotated.tex.j2", source=tex_escape(source.name), summary=summary, claims=claims,
                 refuted=refuted)
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", source.stem) + "-checked"
    return write_report(out_dir, stem, tex, pdf=pdf), report["exit_code"]
