"""Gradescope ``results.json`` (Autograder Specifications, "Output Format"; schemas/gradescope-results.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ... import atomic
from . import part_markdown, part_title


def results(graded: dict[str, Any]) -> dict[str, Any]:
    tests = []
    for k, part in enumerate(graded["parts"], 1):
        hidden = part["undecided_visibility"] == "hidden"
        tests.append({"name": part_title(part), "number": str(k), "score": part["points"],
                      "max_score": part["max_points"], "output": part_markdown(part, not hidden),
                      "output_format": "md", "visibility": "visible",
                      "status": "passed" if part["points"] >= part["max_points"] else "failed"})
    out: dict[str, Any] = {"score": graded["score"], "output_format": "md", "visibility": "visible", "tests": tests}
    notes = [f"unreadable: {e}" for e in graded["errors"]]
    if graded.get("failure"):
        notes.append(f"not graded: {graded['failure']}")
    if notes:
        out["output"] = "\n".join(notes)
    return out


def write(out_dir: Path, student_dir: str, graded: dict[str, Any]) -> Path:
    text = json.dumps(results(graded), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return atomic.write_text(out_dir / "gradescope" / student_dir / "results.json", text, make_parents=True)
