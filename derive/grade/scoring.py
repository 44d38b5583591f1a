"""Points from judged statements: the rubric, then the TA's overrides.

Undecided lines never take points away: they are counted per part as needing a human look.
"""

from __future__ import annotations

from typing import Any

from .overrides import StudentOverrides
from .rubric import Rubric
from .statements import NOT_STEPS, kind_of, role_of

_ANSWER_OF_VERDICT = {"proved": "correct", "verified": "correct", "refuted": "wrong", "undecided": "undecided"}


def _round(x: float) -> float:
    return round(x + 0.0, 4)


def score_submission(raw: dict[str, Any], reference: dict[str, Any], rubric: Rubric,
                     overrides: StudentOverrides | None = None) -> dict[str, Any]:
    ov = overrides or StudentOverrides()
    statements = []
    for s in raw["statements"]:
        forced = ov.line_status(s["file"], s["line"])
        statements.append({**s, "status": forced, "overridden": True} if forced else s)
    parts = []
    for label in reference["parts"]:
        r = rubric.for_part(label)
        mine = [s for s in statements if s["part"] == label]
        answer = dict(raw["answers"].get(label) or {"status": "missing"})
        answer_stmt = next((s for s in mine if s["answer"]), None)
        if answer_stmt is not None and answer_stmt.get("overridden"):
            answer["status"] = _ANSWER_OF_VERDICT.get(answer_stmt["status"], "undecided")
            answer["overridden"] = True
        steps = [s for s in mine if not s["answer"] and role_of(s) not in NOT_STEPS]
        refuted = [s for s in steps if kind_of(s["status"]) == "refuted"]
        undecided = [s for s in steps if kind_of(s["status"]) == "undecided"]
        # an undecided answer keeps its points: a person looks at it
        answer_points = r.answer if answer["status"] in ("correct", "undecided") else 0.0
        step_points = 0.0 if not mine else max(0.0, r.steps - min(r.max_deduction, r.deduction * len(refuted)))
        points = answer_points + step_points
        overridden = label in ov.points
        if overridden:
            points = ov.points[label]
        look = len(undecided) + (answer["status"] == "undecided")
        parts.append({
            "part": label, "points": _round(points), "max_points": _round(r.points), "answer": answer,
            "refuted": [_line(s) for s in refuted], "undecided": [_line(s) for s in undecided],
            "needs_human_look": look, "overridden": overridden, "undecided_visibility": r.undecided,
        })
    known = set(reference["parts"])
    other = [_line(s) for s in statements if s["part"] not in known and kind_of(s["status"]) != "neutral"]
    return {"student": raw["student"], "score": _round(sum(p["points"] for p in parts)),
            "max_score": _round(sum(p["max_points"] for p in parts)), "parts": parts,
            "unmatched": other, "errors": list(raw.get("errors", [])), "statements": statements}


def _line(s: dict[str, Any]) -> dict[str, Any]:
    return {"file": s["file"], "line": s["line"], "latex": s["latex"], "status": s["status"],
            "counterexample": s.get("counterexample"), "reason": s.get("reason")}
