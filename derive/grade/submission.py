"""One student's submission judged against the reference (runs in a worker).

Everything a worker needs travels in the task (file contents, the reference's answers and
givens), so the same function runs in a local process or on a Dask worker elsewhere.  The
result holds no timings and no temporary paths: equal inputs give byte-equal results.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from ..claims.latex_parser import parse
from ..claims.reader import read_front_matter
from ..commands.check import SUFFIXES, check_paths
from ..errors import DeriveError
from .parts import split_parts
from .statements import answer_value, assign

_DROP = ("seconds", "links")  # timings; links repeat the statement's verdict per relation


def read_submission(path: Path) -> list[tuple[str, str]]:
    """(name, text) of a submission's documents: one file, or a folder's files in order."""
    files = [path] if path.is_file() else sorted(f for f in path.rglob("*")
                                                 if f.is_file() and f.suffix.lower() in SUFFIXES)
    if not files:
        raise DeriveError(f"{str(path)!r} holds no .md/.tex/.txt documents")
    out = []
    for f in files:
        try:
            out.append((f.name if path.is_file() else str(f.relative_to(path)), f.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise DeriveError(f"cannot read {str(f)!r}: {exc}") from None
    return out


def content_seed(reference: dict[str, Any], files: list[tuple[str, str]]) -> int:
    h = hashlib.sha256(reference["sha256"].encode())
    for name, text in files:
        h.update(name.encode() + b"\0" + text.encode() + b"\0")
    return int(h.hexdigest()[:8], 16) % (2**31)


def judge_submission(task: dict[str, Any]) -> dict[str, Any]:
    """Check every statement of the submission and compare its answers with the reference's."""
    reference = task["reference"]
    files: list[tuple[str, str]] = [tuple(f) for f in task["files"]]
    seed = content_seed(reference, files)
    settings = {"timeout": task["timeout"], "instances": task["instances"], "seed": seed, "progress": False,
                "given": reference["given"]}
    statements: list[dict[str, Any]] = []
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="derive-grade-") as tmp:
        for k, (name, text) in enumerate(files):
            path = Path(tmp) / f"{k}{Path(name).suffix or '.md'}"
            path.write_text(text, encoding="utf-8")
            report = check_paths([str(path)], **settings)
            errors += [f"{name}: {e['message'].split(': ', 1)[-1]}" for e in report["errors"]]
            items = [{**{k2: v for k2, v in c.items() if k2 not in _DROP}, "file": name} for c in report["claims"]]
            front = read_front_matter(text)[0] if text.startswith("---") else {}
            assign(items, split_parts(text, front.get("section")), text.split("\n"))
            statements += items
        answers = _compare_answers(reference, statements, Path(tmp), settings)
    return {"student": task["student"], "files": [n for n, _ in files], "statements": statements,
            "answers": answers, "errors": errors, "seed": seed}


def _same_tree(a: str, b: str) -> bool:
    def strip(n: Any) -> Any:
        if hasattr(n, "kind"):
            return (n.kind, n.value, tuple(strip(x) for x in n.args))
        return tuple(strip(x) for x in n) if isinstance(n, tuple) else n
    return strip(parse(a)) == strip(parse(b))


def _compare_answers(reference: dict[str, Any], statements: list[dict[str, Any]], tmp: Path,
                     settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each part's answer against the reference's, judged by the checker as `ref = submitted`."""
    out: dict[str, dict[str, Any]] = {}
    pending: list[tuple[str, str, str]] = []
    for label in reference["parts"]:
        expected = reference["answers"][label]["value"]
        mine = [s for s in statements if s["part"] == label and s["answer"]]
        if not mine:
            out[label] = {"status": "missing", "expected": expected}
            continue
        s = mine[-1]
        value = answer_value(s["latex"])
        entry = {"file": s["file"], "line": s["line"], "latex": s["latex"], "value": value, "expected": expected}
        out[label] = entry
        if value is None:
            entry.update(status="undecided", reason="the answer does not parse")
        elif _same_tree(value, expected):
            entry.update(status="correct", reason="the same expression as the reference's")
        else:
            pending.append((label, expected, value))
    if pending:
        # one display block per answer, two lines apart, so verdicts map back by line
        doc = "\n".join(f"$${expected} = {value}$$\n" for _, expected, value in pending)
        path = tmp / "answers.md"
        path.write_text(doc, encoding="utf-8")
        report = check_paths([str(path)], **settings)
        by_line = {c["line"]: c for c in report["claims"]}
        for k, (label, _, _) in enumerate(pending):
            c = by_line.get(2 * k + 1)
            status = c["status"] if c else "undecided"
            verdict = {"proved": "correct", "verified": "correct", "refuted": "wrong"}.get(status, "undecided")
            out[label].update(status=verdict, reason=(c or {}).get("reason") or (c or {}).get("scope") or
                              "the comparison could not be read", counterexample=(c or {}).get("counterexample"))
    return out


def dumps(result: dict[str, Any]) -> str:
    return json.dumps(result, sort_keys=True, ensure_ascii=False, indent=1)
