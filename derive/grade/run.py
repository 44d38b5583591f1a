"""Grade a class: find the submissions, reuse cached results, judge the rest, write every output."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..commands.check import SUFFIXES
from ..errors import DeriveError, ExitCode
from . import cache, executors
from .outputs import gradescope, html, prairielearn, tables
from .overrides import load_overrides
from .reference import load_reference
from .rubric import load_rubric
from .scoring import score_submission
from .submission import judge_submission, read_submission

FORMATS = ("gradescope", "prairielearn", "csv", "json", "html")


@dataclass
class Settings:
    submissions: str
    reference: str
    out: str
    rubric: str | None = None
    overrides: str | None = None
    formats: tuple[str, ...] = FORMATS
    jobs: int = 1
    executor: str = "local"
    scheduler: str | None = None
    timeout: float = 10.0
    instances: int = 10
    budget: float = 600.0
    quiet: bool = False
    student: str | None = None  # SUBMISSIONS is this one student's file or folder


def find_submissions(root: Path) -> list[tuple[str, Path]]:
    """(student id, path): a single file is one student; in a folder, each document file or
    sub-folder is one student (the folder name is the id)."""
    if root.is_file():
        return [(root.stem, root)]
    if not root.is_dir():
        raise DeriveError(f"no such file or directory: {str(root)!r}")
    found = []
    for p in sorted(root.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_dir() and any(f.suffix.lower() in SUFFIXES for f in p.rglob("*") if f.is_file()):
            found.append((p.name, p))
        elif p.is_file() and p.suffix.lower() in SUFFIXES:
            found.append((p.stem, p))
    if not found:
        raise DeriveError(f"{str(root)!r} holds no submissions (.md/.tex/.txt files or folders of them)")
    return found


class Progress:
    """submissions done / total, rate and ETA on stderr."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.done, self.start = total, quiet, 0, time.monotonic()

    def step(self, student: str, note: str) -> None:
        self.done += 1
        if self.quiet:
            return
        spent = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / spent
        eta = (self.total - self.done) / rate if rate else 0.0
        print(f"[{self.done}/{self.total}] {student}: {note}  ({rate * 60:.1f}/min, ETA {eta:.0f} s)",
              file=sys.stderr, flush=True)


def grade_class(s: Settings) -> int:
    for f in s.formats:
        if f not in FORMATS:
            raise DeriveError(f"unknown format {f!r}; known: {', '.join(FORMATS)}")
    if "html" in s.formats:
        html._require()
    if s.executor not in ("local", "dask"):
        raise DeriveError(f"unknown executor {s.executor!r}; known: local, dask")
    if s.executor == "dask" and not s.scheduler:
        raise DeriveError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    if s.executor == "dask":
        executors.require_dask()
    if s.jobs < 1:
        raise DeriveError("--jobs must be at least 1")
    out = Path(s.out)
    rubric = load_rubric(s.rubric)
    overrides_path = Path(s.overrides) if s.overrides else out / "overrides.toml"
    overrides = load_overrides(overrides_path)
    if s.student is not None:
        if not Path(s.submissions).exists():
            raise DeriveError(f"no such file or directory: {s.submissions!r}")
        students = [(s.student, Path(s.submissions))]
    else:
        students = find_submissions(Path(s.submissions))
    reference = load_reference(s.reference, timeout=s.timeout, instances=s.instances)
    for r in reference["refuted"]:
        print(f"derive grade: warning: the reference's line {r['line']} is refuted: {r['latex']}", file=sys.stderr)
    settings = {"timeout": s.timeout, "instances": s.instances}
    files = {sid: read_submission(path) for sid, path in students}
    names = {sid: cache.safe_name(sid) for sid, _ in students}
    if len(set(names.values())) != len(names):
        raise DeriveError("two student ids map to the same output name; rename one folder")
    progress = Progress(len(students), s.quiet)
    results: dict[str, dict[str, Any]] = {}
    failures: dict[str, str] = {}

    def finish(student: str, raw: dict[str, Any] | None, failure: str | None) -> None:
        if raw is not None:
            cache.store(out, student, keys[student], raw)
            results[student] = raw
        else:
            failures[student] = failure or "failed"
        _write_one(s, out, student, names[student], raw, failure, reference, rubric, overrides, files[student])
        progress.step(student, "graded" if raw is not None else f"NOT GRADED ({failure})")

    keys = {sid: cache.cache_key(files[sid], reference, rubric.text, settings) for sid, _ in students}
    tasks = []
    for sid, _ in students:
        hit = cache.load(out, sid, keys[sid])
        if hit is not None:
            results[sid] = hit
            _write_one(s, out, sid, names[sid], hit, None, reference, rubric, overrides, files[sid])
            progress.step(sid, "cached")
            continue
        tasks.append({"student": sid, "key": keys[sid], "files": files[sid], "reference": reference, **settings})
    if tasks:
        if s.executor == "dask":
            executors.run_dask(tasks, judge_submission, s.scheduler or "", s.budget,
                               lambda t, r, f: finish(t["student"], r, f))
        else:
            executors.run_local(tasks, judge_submission, s.jobs, s.budget,
                                lambda t, r, f: finish(t["student"], r, f))
    graded = []
    for sid, _ in students:
        if sid in results:
            graded.append(score_submission(results[sid], reference, rubric, overrides.get(sid)))
        else:
            graded.append({"student": sid, "failure": failures.get(sid, "failed")})
    if "csv" in s.formats:
        tables.write_csv(out, graded)
    if "json" in s.formats:
        tables.write_json(out, graded, reference)
    if "html" in s.formats:
        html.write_index(out, graded, names)
    if failures:
        for sid, why in failures.items():
            print(f"derive grade: {sid} not graded: {why}", file=sys.stderr)
        return int(ExitCode.UNDECIDED)
    return int(ExitCode.OK)


def _write_one(s: Settings, out: Path, student: str, name: str, raw: dict[str, Any] | None, failure: str | None,
               reference: dict[str, Any], rubric: Any, overrides: dict[str, Any],
               files: list[tuple[str, str]]) -> None:
    """A submission's own files, written as soon as it is done (a killed run keeps them)."""
    if raw is None:
        graded: dict[str, Any] = {"student": student, "failure": failure, "parts": [], "errors": [],
                                  "score": 0.0, "max_score": 0.0}
    else:
        graded = score_submission(raw, reference, rubric, overrides.get(student))
    if "gradescope" in s.formats:
        gradescope.write(out, name, graded)
    if "prairielearn" in s.formats:
        prairielearn.write(out, name, graded)
    if "html" in s.formats and raw is not None:
        html.write(out, name, graded, files, raw["answers"])
