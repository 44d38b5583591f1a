"""The class CSV (one row per student and part) and the class JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from ... import atomic

COLUMNS = ("student", "part", "points", "max_points", "answer", "refuted", "undecided", "overridden", "status")


def write_csv(out_dir: Path, graded: list[dict[str, Any]]) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for g in graded:
        if g.get("failure"):
            w.writerow((g["student"], "", "", "", "", "", "", "", f"not graded: {g['failure']}"))
            continue
        for p in g["parts"]:
            w.writerow((g["student"], p["part"], f"{p['points']:g}", f"{p['max_points']:g}", p["answer"]["status"],
                        len(p["refuted"]), p["needs_human_look"], "yes" if p["overridden"] else "", "graded"))
    return atomic.write_text(out_dir / "grades.csv", buf.getvalue(), make_parents=True)


def write_json(out_dir: Path, graded: list[dict[str, Any]], reference: dict[str, Any]) -> Path:
    payload = {"schema": "derive-grade/1", "reference": {"parts": reference["parts"]},
               "submissions": [{k: v for k, v in g.items() if k != "statements"} for g in graded]}
    return atomic.write_text(out_dir / "grades.json", json.dumps(payload, indent=1, sort_keys=True,
                                                                ensure_ascii=False) + "\n", make_parents=True)
