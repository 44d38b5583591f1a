"""``derive report``: what goes into a report and in which order (the LaTeX is templated).

A report definition (``reports/<name>.toml``) lists problems and parts; each part names a
registered derivation (and which of its parts) or gives stated text (complexity
arguments), plus optional figures and code listings.  A single derivation gets a report
built from the same pieces.  Outputs (``.tex``, figures, code, ``answers.json``, PDF) are
written through a staging directory, so a failed run leaves the previous report intact.
"""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path
from typing import Any

from .check import CheckSettings
from .emit.latex import latex, rich_tex, tex_escape
from .errors import DeriveError
from .registry import REGISTRY, Entry
from .report import render, reports_directory, write_report
from .verdict import dumps

MATH_WIDTH = 44  # rough glyph count of typeset math that fits beside the reason column


def _visible_width(tex: str) -> int:
    """A rough width of typeset LaTeX: commands count as one glyph, braces as none."""
    text = re.sub(r"\\(left|right|displaystyle|quad|qquad|,|;|!)", "", tex)
    text = re.sub(r"\\(operatorname|mathrm|text){([^{}]*)}", lambda m: m[2], text)
    text = re.sub(r"\\top|\\ast", "", text)  # superscript marks: narrow
    text = re.sub(r"\\[a-zA-Z]+", "x", text)
    text = re.sub(r"(?<=\S)\s*[-+=]\s*", "++", text)  # binary operators come with spacing
    text = re.sub(r"[{}^_]", "", text)
    return len(text.replace(" ", ""))


def _terms(expr: Any) -> list[Any]:
    import sympy as sp

    if isinstance(expr, (sp.Add, sp.MatAdd)):
        return list(expr.args)
    return [expr]


def step_blocks(derivation: Any, part: str | None) -> list[dict[str, Any]]:
    """The steps of a part as display blocks: runs of aligned rows
    (``lhs &= rhs && \\reason{...}``, a long left side on its own row, a long right side broken
    after whole terms), and, for a step with an unbreakable term wider than the page, a
    display of its own scaled to the line width with the reason beneath."""
    blocks: list[dict[str, Any]] = []
    rows: list[str] = []
    rel = {"=": "=", "<=": r"\le", ">=": r"\ge"}

    def flush() -> None:
        if rows:
            blocks.append({"kind": "align", "rows": list(rows)})
            rows.clear()

    # Alignment makes the widths additive across rows (widest left side + widest right
    # side), so left sides wider than LHS_SHARE of the line move onto a row of their own
    # (\MoveEqLeft), and right sides are broken to fit the rest.
    lhs_max = int(MATH_WIDTH * 0.3)
    rhs_max = MATH_WIDTH - lhs_max
    for s in derivation.steps_for(part):
        problem = s.problem or derivation.problem
        settings = {"seq_style": dict(problem.latex_names)}
        lhs = latex(s.lhs, **settings)
        cond = rf",\quad {latex(s.condition, **settings)}" if s.condition is not None else ""
        reason = rf"\reason{{{rich_tex(s.reason)}}}"
        op = rel.get(s.relation, s.relation)
        rhs = latex(s.rhs, **settings)
        terms = [latex(t, **settings) for t in _terms(s.rhs)]
        lines, cur = [], terms[0]
        for t in terms[1:]:
            joined = t if t.startswith("-") else f"+ {t}"
            if _visible_width(cur + joined) > rhs_max - 3:
                lines.append(cur)
                cur = joined
            else:
                cur = f"{cur} {joined}"
        lines.append(cur + cond)
        if any(_visible_width(x) > rhs_max for x in lines) or _visible_width(lhs) > MATH_WIDTH:
            flush()
            blocks.append({"kind": "wide", "math": f"{lhs} {op} {rhs}{cond}", "reason": rich_tex(s.reason)})
            continue
        if _visible_width(lhs) > lhs_max:
            rows.append(rf"\MoveEqLeft[1] {lhs} && {reason}")
            rows.append(f"&{op} {lines[0]} &&")
        else:
            rows.append(f"{lhs} &{op} {lines[0]} && {reason}")
        rows.extend(rf"&\quad {line} &&" for line in lines[1:])
    flush()
    return blocks


# --- certificates, figures, listings ------------------------------------------------------------------

def certificate(entry: Entry, seed: int = 0) -> dict[str, Any]:
    """The entry's certificate: the stored one if it certifies the current source at this
    seed, else a fresh one (stored, as `derive verify` would)."""
    from .verify import cached_certificate, store_certificate, verify_entry

    data = cached_certificate(entry, seed)
    if data is not None:
        return data
    from .emit.codegen import cache_directory
    from .emit.trusted_cache import require_writable

    require_writable(cache_directory().parent)  # a read-only or full cache is said before the work
    cert = verify_entry(entry, seed=seed, settings=CheckSettings(seed=seed))
    store_certificate(cert)
    return cert.to_json()


def verification_context(entry: Entry, cert: dict[str, Any]) -> dict[str, Any]:
    steps = cert["steps"] + cert["answers"]
    counts: dict[str, int] = {}
    for s in steps:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    numeric = [s for s in cert["steps"] if s.get("instances")]
    worst = max((s.get("max_rel_diff") or 0.0 for s in numeric), default=0.0)
    summary = (f"{len(cert['steps'])} steps and {len(cert['answers'])} answers checked (seed {cert['seed']}): "
               + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
               + (f"; numeric checks on {numeric[0]['instances']} random instances per step at "
                  f"{numeric[0]['dps']} digits, largest relative difference {worst:.1e}." if numeric else "."))
    rows = []
    for b in cert.get("code", []):
        if "skipped" in b or "error" in b:
            continue
        stand_in = "stand-in" in b.get("ran_on", "")
        backend = b["backend"] + ("$^\\ast$" if stand_in else "")
        for c in b["checks"]:
            rows.append({"backend": backend, "function": tex_escape(c["function"]),
                         "reference": tex_escape(c["label"].split(" vs ", 1)[-1]),
                         "err": f"{c['max_rel_error']:.1e}", "tol": f"{c['tolerance']:.0e}",
                         "mark": "pass" if c["passed"] else r"\textbf{FAIL}"})
    stand_in = any("stand-in" in b.get("ran_on", "") for b in cert.get("code", []))
    return {"name": tex_escape(entry.name), "summary": tex_escape(summary), "rows": rows, "stand_in": stand_in}


def render_figure(entry: Entry, plot: str, directory: Path) -> str:
    if plot not in entry.plots:
        raise DeriveError(f"{entry.name} has no plot {plot!r}; plots: {', '.join(sorted(entry.plots)) or '(none)'}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise DeriveError("figures need matplotlib: pip install 'derive[report]'") from None
    fig = entry.plots[plot](entry.derivation())
    name = f"fig-{entry.name}-{plot}.pdf".replace("/", "-")
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf", bbox_inches="tight", metadata={"CreationDate": None})
    plt.close(fig)
    (directory / name).write_bytes(buf.getvalue())
    return name


def listing(entry: Entry, backend: str, directory: Path) -> str:
    from .emit.codegen import render_module

    spec = entry.module_spec()
    if spec is None:
        raise DeriveError(f"{entry.name} has no generated code to list")
    name = f"code-{spec.name}-{backend}.py"
    source = render_module(spec, backend, f"see the verification table ({entry.name})")
    (directory / name).write_text(ascii_listing(source))
    return name


_ASCII = {"ℓ": "l", "λ": "lambda", "σ": "sigma", "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta",
          "θ": "theta", "Σ": "Sigma", "⊙": "*", "ᵀ": "^T", "⊤": "^T", "−": "-", "×": "x", "·": "*", "≥": ">=",
          "≤": "<=", "≠": "!=", "→": "->", "²": "^2", "⁻¹": "^-1", "∞": "inf", "…": "...", "–": "-", "—": "-",
          "‖": "||", "√": "sqrt", "∂": "d", "∇": "grad", "π": "pi", "ε": "eps", "μ": "mu", "ω": "omega"}


def ascii_listing(text: str) -> str:
    """Listings cannot typeset UTF-8: Greek and math symbols in generated comments are
    spelled out in ASCII (the code itself is ASCII already)."""
    for k in sorted(_ASCII, key=len, reverse=True):
        text = text.replace(k, _ASCII[k])
    return text.encode("ascii", "replace").decode("ascii")


# --- assembling a report --------------------------------------------------------------------------------

def _plain_delimiters(tex: str) -> str:
    """``\\left[1, 4\\right]`` -> ``[1, 4]`` when nothing tall is inside: the same on the page,
    and text extraction (pdftotext) then keeps the brackets."""
    if re.search(r"\\(frac|begin|sum|prod|int|sqrt)", tex):
        return tex
    return re.sub(r"\\(left|right)(?=[\[\]()|.])", "", tex)


def _answer(a: Any) -> dict[str, Any]:
    return {"label_tex": rich_tex(a.label), "latex": _plain_delimiters(a.latex), "label": a.label, "text": a.text}


def part_context(spec: dict[str, Any], stage: Path, answers: list[dict[str, Any]], problem: str) -> dict[str, Any]:
    """One part: its statement, the derivation's steps and answers, stated text, figures."""
    ctx: dict[str, Any] = {"name": spec["name"], "title": rich_tex(spec.get("title", "")),
                           "statement": rich_tex(spec.get("statement", "")), "blocks": [], "answers": [],
                           "text": [], "figures": []}
    if "derivation" in spec:
        entry = REGISTRY.get(spec["derivation"])
        d = entry.derivation()
        dpart = spec.get("derivation_part", spec["name"])
        parts = dpart if isinstance(dpart, list) else [dpart]
        for dp in parts:
            ctx["blocks"] += step_blocks(d, dp)
            ctx["answers"] += [_answer(a) for a in d.answers_for(dp)]
            ctx["text"] += [r"\stated{} " + rich_tex(n.split(" ", 1)[1].removeprefix("stated: "))
                            for n in d.notes if n.startswith(f"({dp})")]
        for key in spec.get("results", []):
            ctx["answers"].append({"label_tex": rich_tex(key), "latex": latex(d.result(key)), "label": key,
                                   "text": str(d.result(key))})
        for plot in spec.get("plots", []):
            ctx["figures"].append({"path": render_figure(entry, plot, stage),
                                   "caption": rich_tex(spec.get("caption", {}).get(plot, ""))})
    for para in spec.get("stated", []):
        ctx["text"].append(r"\stated{} " + rich_tex(para))
    for para in spec.get("text", []):
        ctx["text"].append(rich_tex(para))
    for a in ctx["answers"]:
        answers.append({"problem": problem, "part": spec["name"], "label": a["label"], "latex": a["latex"],
                        "text": a["text"]})
    return ctx


def load_definition(name: str) -> dict[str, Any]:
    path = reports_directory() / f"{name}.toml"
    try:
        return tomllib.loads(path.read_text())
    except OSError:
        raise DeriveError(f"no report definition {name!r}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DeriveError(f"report definition {path.name} is not valid TOML: {exc}") from None


def definition_names() -> list[str]:
    return sorted(p.stem for p in reports_directory().glob("*.toml"))


def definition_for_derivation(name: str) -> dict[str, Any]:
    """A one-problem report definition covering every part of one derivation."""
    entry = REGISTRY.get(name)
    d = entry.derivation()
    questions = {p.name: p.question for p in d.problem.parts}
    names = d.part_names()
    return {
        "title": entry.title, "author": "Generated by derive", "intro": d.problem.statement,
        "problem": [{
            "number": 1, "title": entry.title, "statement": "",
            "part": [{"name": n, "statement": questions.get(n, ""), "derivation": name} for n in names],
            "listings": [{"derivation": name, "backend": "numpy"}] if entry.module is not None else [],
            "verify": [name],
        }],
    }


def build_from_definition(defn: dict[str, Any], stem: str, out_dir: str, *, pdf: bool, seed: int = 0) -> list[Path]:
    missing = sorted({p["derivation"] for prob in defn.get("problem", []) for p in prob.get("part", [])
                      if "derivation" in p} - set(REGISTRY.names()))
    if missing:
        raise DeriveError(f"report {stem!r} needs derivations that are not registered: {', '.join(missing)}")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="derive-report-") as tmp:
        stage = Path(tmp)
        answers: list[dict[str, Any]] = []
        problems = []
        for prob in defn.get("problem", []):
            number = str(prob["number"])
            parts = [part_context(p, stage, answers, number) for p in prob.get("part", [])]
            listings = []
            for item in prob.get("listings", []):
                entry = REGISTRY.get(item["derivation"])
                listings.append({"path": listing(entry, item.get("backend", "numpy"), stage),
                                 "caption": tex_escape(f"Generated {item.get('backend', 'numpy')} module for "
                                                       f"{entry.name} (from the derived expressions):")})
            verification = [verification_context(REGISTRY.get(n), certificate(REGISTRY.get(n), seed))
                            for n in prob.get("verify", [])]
            problems.append({"number": number, "title": rich_tex(prob.get("title", "")),
                             "statement": rich_tex(prob.get("statement", "")), "parts": parts,
                             "listings": listings, "verification": verification})
        tex = render("solution_set.tex.j2", title=rich_tex(defn.get("title", stem)),
                     author=rich_tex(defn.get("author", "Generated by derive")),
                     intro=rich_tex(defn.get("intro", "")), problems=problems)
        extra = {p.name: p.read_bytes() for p in stage.iterdir() if p.is_file()}
        extra["answers.json"] = dumps({"report": stem, "answers": answers}).encode()
        return write_report(out_dir, stem, tex, pdf=pdf, extra_files=extra)


def build_report(target: str, out_dir: str, *, pdf: bool = False, check: bool = False,
                 problem: str | None = None) -> tuple[list[Path], int]:
    """``derive report TARGET``: a claim file (with --check), a report definition, or a
    derivation.  Returns the files written and the exit code (with --check: the check's, as
    `derive check` would return it).  A bad output directory is refused before any work; a
    missing latexmk (with ``pdf``) is said at once, the .tex, figures and answers.json are
    still written, and the exit code is 4."""
    import sys

    from . import atomic
    from .errors import ExitCode
    from .report import require_latexmk

    atomic.check_output_dir(out_dir)
    missing_tool = 0
    if pdf:
        try:
            require_latexmk()
        except DeriveError as exc:
            print(f"derive: error: {exc}; writing the .tex, figures and answers.json without the PDF",
                  file=sys.stderr, flush=True)
            pdf, missing_tool = False, int(ExitCode.MISSING_TOOL)
    if check:
        from .claims_report import build_check_report

        written, code = build_check_report(target, out_dir, pdf=pdf, problem=problem)
        return written, max(code, missing_tool)
    if problem is not None:
        raise DeriveError("--problem applies to claim files (with --check)")
    if target in definition_names():
        stem, defn = target, load_definition(target)
    elif target in REGISTRY.names():
        stem, defn = target.replace("/", "-"), definition_for_derivation(target)
    else:
        known = definition_names() + REGISTRY.names()
        raise DeriveError(f"unknown report {target!r}; known: {', '.join(known)}")
    return build_from_definition(defn, stem, out_dir, pdf=pdf), missing_tool
