"""PrairieLearn external-grader ``results.json`` ("Externally graded questions", grading results;
schemas/prairielearn-results.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ... import atomic
from . import part_markdown, part_title


def results(graded: dict[str, Any]) -> dict[str, Any]:
    if graded.get("failure"):
        return {"gradable": False, "score": 0.0, "message": f"not graded: {graded['failure']}", "tests": []}
    tests = [{"name": part_title(p), "points": p["points"], "max_points": p["max_points"],
              "message": f"answer {p['answer']['status']}",
              "output": part_markdown(p, p["undecided_visibility"] != "hidden")} for p in graded["parts"]]
    total = graded["max_score"]
    look = sum(p["needs_human_look"] for p in graded["parts"])
    message = f"{graded['score']:g} of {total:g} points" + (f"; {look} line(s) need a human look" if look else "")
    if graded["errors"]:
        message += "; " + "; ".join(graded["errors"])
    return {"gradable": True, "score": round(graded["score"] / total, 6) if total else 0.0,
            "message": message, "tests": tests}


def write(out_dir: Path, student_dir: str, graded: dict[str, Any]) -> Path:
    text = json.dumps(results(graded), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return atomic.write_text(out_dir / "prairielearn" / student_dir / "results.json", text, make_parents=True)
