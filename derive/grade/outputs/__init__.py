"""Writers of the graded results: one module per format, each writing files atomically."""

from __future__ import annotations

from typing import Any

from ...commands.check import counterexample_text

ANSWER_WORDS = {"correct": "correct", "wrong": "wrong", "missing": "missing",
                "undecided": "needs a human look"}


def part_title(part: dict[str, Any]) -> str:
    return f"Part {part['part']}" if part["part"] else "Untitled part"


def part_markdown(part: dict[str, Any], include_undecided: bool = True) -> str:
    """What a student reads about one part: the answer, refuted lines and their counterexamples."""
    a = part["answer"]
    lines = [f"Answer: {ANSWER_WORDS.get(a['status'], a['status'])}"
             + (f" (expected `{a['expected']}`)" if a["status"] == "wrong" and a.get("expected") else "")]
    if a["status"] == "wrong" and a.get("counterexample"):
        lines.append(f"  counterexample: {counterexample_text(a['counterexample'])}")
    for r in part["refuted"]:
        lines.append(f"- refuted, {r['file']} line {r['line']}: `{r['latex']}`")
        if r.get("counterexample"):
            lines.append(f"  counterexample: {counterexample_text(r['counterexample'])}")
    if include_undecided and part["needs_human_look"]:
        lines.append(f"- {part['needs_human_look']} line(s) need a human look (undecided; no points taken)")
    if part["overridden"]:
        lines.append("- points set by a TA override")
    return "\n".join(lines)


__all__ = ["ANSWER_WORDS", "counterexample_text", "part_markdown", "part_title"]
