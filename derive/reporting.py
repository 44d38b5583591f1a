"""``derive report``: what goes into a report and in which order (the LaTeX is templated).

For one registered derivation: its statement, each part's aligned steps with reasons,
boxed answers, stated facts, and the verification table from a fresh check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .check import CheckSettings
from .emit.latex import derivation_latex, tex_escape
from .errors import DeriveError
from .registry import REGISTRY
from .report import render, write_report


def derivation_context(name: str, settings: CheckSettings | None = None) -> dict[str, Any]:
    entry = REGISTRY.get(name)
    d = entry.derivation()
    checked = d.check(settings or CheckSettings(instances=6))
    names = list(dict.fromkeys([p.name for p in d.problem.parts] + [s.part for s in d.steps if s.part]))
    questions = {p.name: p.question for p in d.problem.parts}
    parts = []
    for part in names:
        steps = derivation_latex(d, part).removeprefix("\\begin{aligned}\n").removesuffix("\n\\end{aligned}") \
            if d.steps_for(part) else ""
        parts.append({
            "name": part,
            "question": tex_escape(questions.get(part, "")),
            "steps": steps,
            "answers": [a.latex for a in d.answers_for(part)],
            "notes": [tex_escape(n.split(" ", 1)[1]) for n in d.notes if n.startswith(f"({part})")],
        })
    rows = [{"step": i + 1, "status": r.verdict.status, "instances": r.verdict.instances,
             "err": f"{r.verdict.max_rel_diff:.1e}" if r.verdict.max_rel_diff is not None else "--"}
            for i, r in enumerate(checked.steps)]
    return {"name": name, "title": tex_escape(entry.title), "statement": tex_escape(d.problem.statement),
            "parts": parts, "verification": rows}


def build_report(target: str, out_dir: str, *, pdf: bool = False, check: bool = False) -> list[Path]:
    if check:
        raise DeriveError("annotated reports of claim files (--check) are not available yet")
    if target not in REGISTRY.names():
        REGISTRY.get(target)  # raises with the list of known names
    tex = render("derivation.tex.j2", **derivation_context(target))
    stem = target.replace("/", "-")
    return write_report(out_dir, stem, tex, pdf=pdf)
