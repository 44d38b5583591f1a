"""Split a document into parts by its headings ("Problem 1", "(a)", "1(b)", front matter ``section:``).

A part's label is the problem number followed by the sub-part letter ("1", "1b", or "b"
when no problem number was seen); statements are assigned to parts by their line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PROBLEM = re.compile(r"(?i)^(?:problem|question|exercise|task|q)\s*\.?\s*(\d+)\s*\.?\s*(?:\(?([a-z])\))?")
_NUMBERED = re.compile(r"^(\d+)\s*\.?\s*(?:\(([a-z])\)|([a-z])\))?(?=[\s.:)]|$)")
_LETTER = re.compile(r"^(?:part\s*)?\(([a-z])\)|^([a-z])\)", re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_TEX_HEADING = re.compile(r"^\\(?:sub)*section\*?\{(.*)\}\s*$|^\\item\[(.*)\]")
_DECORATION = re.compile(r"^[*_\s]+")


@dataclass(frozen=True)
class Part:
    label: str
    first: int  # first line (1-based) of the part
    last: int  # last line, inclusive


def _heading_label(text: str, problem: str | None, heading: bool) -> tuple[str | None, str | None] | None:
    """(problem, letter) a line opens, or None when it opens no part."""
    text = _DECORATION.sub("", text).strip()
    m = _PROBLEM.match(text)
    if m:
        return m.group(1), (m.group(2) or "").lower() or None
    if heading:  # "## 2", "## 2(b)", "## Part (a)"
        m = _NUMBERED.match(text)
        if m:
            return m.group(1), (m.group(2) or m.group(3) or "").lower() or None
    else:
        m = re.match(r"^(\d+)\s*\.?\s*\(([a-z])\)", text)  # "1(b) ..." at the start of a line
        if m:
            return m.group(1), m.group(2)
    m = _LETTER.match(text)
    if m:
        return problem, (m.group(1) or m.group(2)).lower()
    return None


def split_parts(text: str, section: object = None) -> list[Part]:
    """The parts of a document, in order; lines before the first heading belong to ``section``
    (front matter ``section:``) or to the part labelled ""."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = _body_start(lines)
    label = _normal(section) if section not in (None, "", []) else ""
    problem: str | None = re.match(r"\d+", label).group(0) if re.match(r"\d+", label) else None
    parts: list[Part] = []
    first = 1
    in_code = False
    for i in range(start, len(lines)):
        raw = lines[i]
        if raw.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        md = _MD_HEADING.match(raw.strip())
        tex = _TEX_HEADING.match(raw.strip())
        heading_text = md.group(1) if md else (tex.group(1) or tex.group(2)) if tex else raw
        found = _heading_label(heading_text, problem, bool(md or tex))
        if found is None:
            continue
        new_problem, letter = found
        if new_problem is None and letter is None:
            continue
        parts.append(Part(label, first, i))
        problem = new_problem
        label = (problem or "") + (letter or "")
        first = i + 1
    parts.append(Part(label, first, len(lines)))
    return [p for p in parts if p.last >= p.first]


def _body_start(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return i + 1
    return 0


def _normal(label: object) -> str:
    return re.sub(r"[\s().]", "", str(label)).lower()


def part_of(parts: list[Part], line: int) -> str:
    """The label of the part that holds ``line`` ("" when none does)."""
    for p in parts:
        if p.first <= line <= p.last:
            return p.label
    return ""
