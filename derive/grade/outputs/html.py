"""An HTML page per submission and a class index, readable offline.

Math goes out only as the parser read it: the statement is parsed, printed back by
:func:`derive.emit.tree_latex.math_latex`, converted by latex2mathml, and the MathML is
rebuilt through an allow-list of MathML elements and attributes.  What does not parse is
shown as escaped source.  Everything else a student wrote (prose, file names, the
checker's reasons) is escaped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path
from typing import Any

from ... import atomic
from ...emit.tree_latex import math_latex
from ...errors import DeriveError, ExitCode
from ..statements import unbox
from . import ANSWER_WORDS, counterexample_text, part_title

_TAGS = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt",
         "mroot", "mtable", "mtr", "mtd", "mstyle", "munder", "mover", "munderover", "mpadded", "mphantom",
         "menclose", "mfenced"}
_ATTRS = {"display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "columnalign",
          "rowspacing", "columnspacing", "linethickness", "accent", "accentunder", "movablelimits", "form",
          "width", "displaystyle", "scriptlevel", "symmetric", "minsize", "maxsize", "largeop", "notation",
          "columnlines", "rowlines", "frame", "framespacing", "equalrows", "equalcolumns", "align", "rowalign",
          "open", "close", "separators"}
_NS = "{http://www.w3.org/1998/Math/MathML}"
_BADGE_OF_ANSWER = {"correct": "verified", "wrong": "refuted", "undecided": "undecided", "missing": "undecided"}
_DISPLAY_OPEN = re.compile(r"\\begin\{(equation|align|gather|multline|eqnarray|displaymath)\*?\}")
_DISPLAY_CLOSE = re.compile(r"\\end\{(equation|align|gather|multline|eqnarray|displaymath)\*?\}")
_INLINE = re.compile(r"\$([^$]+)\$")

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}
.stmt{display:grid;grid-template-columns:3rem 1fr 8rem;gap:.5rem;align-items:baseline;padding:.3rem 0;
border-bottom:1px dotted #ddd}.ln{color:#888;font-size:.8rem}.prose{margin:.3rem 0 .3rem 3.5rem}
.badge{font-size:.75rem;padding:.1rem .4rem;border-radius:.6rem;color:#fff;text-align:center}
.badge.proved,.badge.verified{background:#2a7a2a}.badge.refuted,.badge.inconsistent{background:#b22}
.badge.undecided{background:#a87000}.badge.defined,.badge.assumed{background:#557}
.counterexample,.reason{grid-column:2/4;font-size:.85rem}.counterexample{color:#b22}
.math-source{background:#f4f4f4;padding:0 .2rem}math{font-size:1.1rem}
"""


def _require() -> Any:
    try:
        from latex2mathml.converter import convert
    except ImportError:
        raise DeriveError("--format html needs latex2mathml: pip install 'derive[grade]'",
                          ExitCode.MISSING_TOOL) from None
    return convert


def _clean(node: ET.Element) -> ET.Element | None:
    tag = node.tag.removeprefix(_NS)
    if tag not in _TAGS:
        return None
    out = ET.Element(tag, {k: v for k, v in node.attrib.items() if k in _ATTRS})
    out.text = node.text
    for child in node:
        c = _clean(child)
        if c is None:
            return None
        c.tail = child.tail
        out.append(c)
    return out


def math_html(latex: str) -> str:
    """MathML for what the parser read of ``latex``, else the escaped source."""
    printed = math_latex(latex)
    if printed is not None:
        try:
            tree = _clean(ET.fromstring(_require()(printed)))
        except (ET.ParseError, ValueError, IndexError, KeyError, TypeError, AttributeError):
            tree = None
        if tree is not None:
            tree.set("xmlns", "http://www.w3.org/1998/Math/MathML")
            return ET.tostring(tree, encoding="unicode", method="xml")
    return f'<code class="math-source">{escape(latex)}</code>'


def _prose(line: str) -> str:
    out, pos = [], 0
    for m in _INLINE.finditer(line):
        out.append(escape(line[pos:m.start()]))
        out.append(math_html(m.group(1)))
        pos = m.end()
    out.append(escape(line[pos:]))
    return "".join(out)


def _statement(s: dict[str, Any], answer: dict[str, Any] | None) -> str:
    status = s["status"]
    label = status
    ce, reason = s.get("counterexample"), s.get("reason")
    if answer is not None:  # the part's answer: its verdict is the comparison with the reference
        status = _BADGE_OF_ANSWER.get(answer["status"], "undecided")
        label = "answer " + ANSWER_WORDS.get(answer["status"], answer["status"])
        ce, reason = answer.get("counterexample"), answer.get("reason")
    rows = [f'<div class="stmt {escape(status)}" data-line="{int(s["line"])}">',
            f'<span class="ln">{int(s["line"])}</span><span class="math">{math_html(unbox(s["latex"]))}</span>',
            f'<span class="badge {escape(status)}">{escape(label)}</span>']
    if status == "refuted":
        rows.append(f'<div class="counterexample">counterexample: {escape(counterexample_text(ce) or "—")}</div>')
    elif status not in ("proved", "verified") and reason:
        rows.append(f'<div class="reason">{escape(str(reason))}</div>')
    rows.append("</div>")
    return "".join(rows)


def _document(name: str, text: str, statements: list[dict[str, Any]], answers: dict[str, Any]) -> str:
    by_line: dict[int, list[dict[str, Any]]] = {}
    for s in statements:
        by_line.setdefault(int(s["line"]), []).append(s)
    out = [f"<section><h2>{escape(name)}</h2>"]
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    in_display = False
    for i in range(start, len(lines)):
        raw, n = lines[i], i + 1
        if n in by_line:
            before = raw.split("$", 1)[0].split("\\[", 1)[0]
            if before.strip():
                out.append(f'<p class="prose">{escape(before)}</p>')
            for s in by_line[n]:
                a = answers.get(s["part"]) if s.get("answer") else None
                out.append(_statement(s, a))
        elif not in_display and raw.strip() and "$$" not in raw and not _DISPLAY_OPEN.search(raw):
            out.append(f'<p class="prose">{_prose(raw)}</p>')
        # a display block spread over several lines is shown once, as its statements
        odd = raw.count("$$") % 2 == 1
        env_open, env_close = bool(_DISPLAY_OPEN.search(raw)), bool(_DISPLAY_CLOSE.search(raw))
        opens = odd or ("\\[" in raw and "\\]" not in raw) or (env_open and not env_close)
        closes = odd or ("\\]" in raw and "\\[" not in raw) or (env_close and not env_open)
        in_display = not closes if in_display else opens
    out.append("</section>")
    return "\n".join(out)


def page(graded: dict[str, Any], files: list[tuple[str, str]], answers: dict[str, Any]) -> str:
    title = escape(graded["student"])
    rows = "".join(
        f"<tr><td>{escape(part_title(p))}</td><td>{p['points']:g} / {p['max_points']:g}</td>"
        f"<td>{escape(ANSWER_WORDS.get(p['answer']['status'], p['answer']['status']))}</td>"
        f"<td>{len(p['refuted'])}</td><td>{p['needs_human_look']}</td></tr>" for p in graded["parts"])
    head = (f"<h1>{title}: {graded['score']:g} / {graded['max_score']:g}</h1>"
            "<table class=\"parts\"><tr><th>part</th><th>points</th><th>answer</th><th>refuted</th>"
            f"<th>needs a human look</th></tr>{rows}</table>")
    notes = "".join(f'<p class="error">{escape(e)}</p>' for e in graded["errors"])
    docs = [_document(name, text, [s for s in graded["statements"] if s["file"] == name], answers)
            for name, text in files]
    return _wrap(title, head + notes + "\n".join(docs))


def _wrap(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">'
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def write(out_dir: Path, student_dir: str, graded: dict[str, Any], files: list[tuple[str, str]],
          answers: dict[str, Any]) -> Path:
    return atomic.write_text(out_dir / "html" / f"{student_dir}.html", page(graded, files, answers),
                             make_parents=True)


def write_index(out_dir: Path, graded: list[dict[str, Any]], names: dict[str, str]) -> Path:
    rows = []
    for g in graded:
        link = f'<a href="{escape(names[g["student"]])}.html">{escape(g["student"])}</a>'
        if g.get("failure"):
            rows.append(f"<tr><td>{escape(g['student'])}</td><td colspan=\"2\">not graded: "
                        f"{escape(g['failure'])}</td></tr>")
            continue
        look = sum(p["needs_human_look"] for p in g["parts"])
        rows.append(f"<tr><td>{link}</td><td>{g['score']:g} / {g['max_score']:g}</td><td>{look}</td></tr>")
    body = ("<h1>Grades</h1><table><tr><th>student</th><th>score</th><th>lines that need a human look</th></tr>"
            + "".join(rows) + "</table>")
    return atomic.write_text(out_dir / "html" / "index.html", _wrap("Grades", body), make_parents=True)
