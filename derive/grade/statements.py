"""What grading needs to know of one checked statement: its part, its kind, whether it is the answer.

Works with the checker's report before and after roles exist: a missing ``role`` is read
as "claim", and a status this module does not know counts like undecided (never refuted).
"""

from __future__ import annotations

import re
from typing import Any

from ..claims.latex_parser import ParseError, parse
from ..emit.tree_latex import tree_latex
from .parts import Part, part_of

GOOD = ("proved", "verified")
NEUTRAL = ("defined", "assumed")  # bindings and hypotheses: not judged
NOT_STEPS = ("definition", "hypothesis")
_ANSWER_MARK = re.compile(r"(?i)\b(?:final\s+)?answer\s*:")
_BOXED = re.compile(r"\\boxed\s*\{")


def kind_of(status: str) -> str:
    """good / refuted / neutral / undecided for any status the checker may report."""
    if status in GOOD:
        return "good"
    if status == "refuted":
        return "refuted"
    if status in NEUTRAL:
        return "neutral"
    return "undecided"


def role_of(item: dict[str, Any]) -> str:
    return str(item.get("role") or "claim")


def unbox(latex: str) -> str:
    """``\\boxed{X}`` -> ``X`` (brace-matched; the text is only re-read by the parser)."""
    m = _BOXED.search(latex)
    while m:
        depth, j = 1, m.end()
        while j < len(latex) and depth:
            depth += {"{": 1, "}": -1}.get(latex[j], 0) if latex[j - 1] != "\\" else 0
            j += 1
        if depth:
            return latex
        latex = latex[:m.start()] + latex[m.end():j - 1] + latex[j:]
        m = _BOXED.search(latex)
    return latex


def answer_value(latex: str) -> str | None:
    """The right side of an answer statement as the parser read it (None when it does not parse)."""
    try:
        tree = parse(unbox(latex))
    except (ParseError, RecursionError):
        return None
    if tree.kind == "chain":
        tree = tree.args[0][-1]
    return tree_latex(tree)


def is_marked(item: dict[str, Any], lines: list[str]) -> bool:
    """Boxed, or the word "answer:" in the prose of its line or of the line above."""
    if _BOXED.search(item["latex"]) or role_of(item) == "answer":
        return True
    n = int(item["line"])
    here = lines[n - 1] if 0 < n <= len(lines) else ""
    before = here.split("$", 1)[0]
    above = lines[n - 2] if n >= 2 else ""
    return bool(_ANSWER_MARK.search(before) or ("$" not in above and _ANSWER_MARK.search(above)))


def assign(items: list[dict[str, Any]], parts: list[Part], lines: list[str]) -> None:
    """Label each statement of one file with its part and mark one answer per part."""
    last: dict[str, dict[str, Any]] = {}
    marked: dict[str, dict[str, Any]] = {}
    for item in items:
        item["part"] = part_of(parts, int(item["line"]))
        item["answer"] = False
        # a definition can be the answer ("$$g = A^\top A x - A^\top b$$" as a part's last line
        # introduces g with its value); a hypothesis cannot
        if role_of(item) != "definition" and (role_of(item) in NOT_STEPS or kind_of(item["status"]) == "neutral"):
            continue
        last[item["part"]] = item
        if is_marked(item, lines):
            marked[item["part"]] = item
    for label, item in last.items():
        (marked.get(label) or item)["answer"] = True
