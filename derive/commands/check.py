"""``derive check FILE|DIR... [--problem NAME] [--json] [--timeout S] [--seed N]``.

Reads hand-written derivations (Markdown or .tex with LaTeX math), judges every claim
and every link of a chain, and prints a table (or JSON, schema in docs/claims-schema.md).
Directories are searched for ``*.md``, ``*.markdown``, ``*.tex`` and ``*.txt`` (batch
grading); progress goes to stderr.

Exit codes (shared/CONVENTIONS.md): 0 every claim proved or verified; 1 some claim
refuted; 2 usage or input error (unknown problem, unreadable file, a file with no
claims) when nothing was refuted; 3 nothing refuted but something undecided.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .. import options
from ..budget import FILE_CAP, FILE_MULTIPLE, NOT_JUDGED, Budget, Clock, unjudged
from ..errors import DeriveError, ExitCode
from ..safe_io import read_text_bounded, walk_files
from ..terminal import safe_text
from ..verdict import (ASSUMED, DEFINED, INCONSISTENT, PROVED, REFUTED, STATEMENT_STATUSES, UNDECIDED, VERIFIED,
                       dumps)

SCHEMA_ID = "derive-check/2"
ALL_STATUSES = STATEMENT_STATUSES
SUFFIXES = (".md", ".markdown", ".tex", ".txt")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "check", help="check hand-written LaTeX derivations line by line",
        description="Judge every claim (display math, inline math with a relation) of Markdown/.tex files: "
                    "proved, verified (k instances at 50 digits), refuted (with a counterexample) or undecided.")
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="claim files or directories of them")
    p.add_argument("--problem", metavar="NAME", help="judge under this registered problem (else front matter "
                                                      "'problem:', else generic identities)")
    p.add_argument("--json", action="store_true", help="print JSON (docs/claims-schema.md) instead of a table")
    p.add_argument("--timeout", type=options.argtype(options.seconds, "--timeout"), default=10.0, metavar="S",
                   help="time limit per claim (default 10 s)")
    p.add_argument("--file-timeout", type=options.argtype(options.seconds, "--file-timeout"), metavar="S",
                   help=f"time budget per file (default {FILE_MULTIPLE} x --timeout, at most {FILE_CAP:g} s); "
                        "claims it cuts are reported")
    p.add_argument("--run-timeout", type=options.argtype(options.seconds, "--run-timeout"), metavar="S",
                   help="time budget of the whole run (default: none); files it cuts are reported")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed of the sampled instances")
    p.add_argument("--instances", type=options.argtype(options.count, "--instances", 1, 200), default=10,
                   metavar="K", help="random instances per claim (default 10)")
    p.add_argument("--given", action="append", default=[], metavar="LATEX",
                   help="an extra binding or declaration, as a front-matter 'given' item (repeatable), "
                        "e.g. --given 'B = \\beta'")
    p.set_defaults(run=run)
    return p


def _files(paths: list[str], skipped: list[dict[str, str]] | None = None) -> list[Path]:
    """The files to check; in folders symlinks and special files are skipped (and listed in
    ``skipped``), a file named on the command line is taken as given."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            walk = walk_files(p, SUFFIXES)
            if skipped is not None:
                skipped.extend({"file": str(f), "reason": why} for f, why in walk.skipped)
            if not walk.files:
                raise DeriveError(f"directory {safe_text(raw)!r} holds no .md/.tex/.txt files")
            out.extend(walk.files)
        elif p.exists():
            out.append(p)
        else:
            raise DeriveError(f"no such file or directory: {safe_text(raw)!r}")
    return out


def _warm_registry() -> None:
    """Derive every registered problem once, here in the parent: each file is judged in a
    forked worker whose caches die with it, and deriving the catalogue (seconds) must not be
    charged to every file's budget.  Registered derivations are trusted code, not input."""
    from ..registry import REGISTRY

    for name in REGISTRY.names():
        try:
            REGISTRY.get(name).derivation()
        except Exception:  # noqa: BLE001 - a problem that fails here fails the same way in the judge
            continue


def _judge_file(doc: Any, problem: str | None, opts: Any, progress: Any) -> list[dict[str, Any]]:
    """In the file's worker: the verdicts of one document, as JSON (they travel by pipe)."""
    from ..claims.judge import judge_document

    return [r.to_json() for r in judge_document(doc, problem, opts, progress=progress)]


def _unjudged(doc: Any, why: str) -> list[dict[str, Any]]:
    """Every claim of a document a budget cut, as an undecided entry naming the cut."""
    return [{"file": str(doc.path), "line": c.line, "latex": c.latex, **unjudged(why), "seconds": 0.0}
            for c in doc.claims]


def check_paths(paths: list[str], problem: str | None = None, timeout: float = 10.0, seed: int = 0,
                instances: int = 10, progress: bool = True, given: list[str] | None = None,
                budget: Budget | None = None, verbose: bool = False) -> dict[str, Any]:
    """Judge every file; returns the JSON report (see docs/claims-schema.md).

    Each file is judged in a worker (own process group, memory limit) killed when the file's
    budget (``budget.file``, within ``budget.run``) is spent; its claims are then reported as
    not judged, in ``claims`` and in ``cut``.  Files the run budget never reached are cut too."""
    from ..check.worker import Timeout, run_bounded
    from ..claims.answers import problem_named
    from ..claims.judge import Options
    from ..claims.reader import MAX_FILE_BYTES, read_document

    budget = budget or Budget(claim=timeout)
    instances = options.count(instances, "--instances", 1, 200)
    if problem is not None:
        problem_named(problem)  # unknown names fail before any file is read
    _check_given(given or [], problem)
    skipped: list[dict[str, str]] = []
    files = _files(paths, skipped)
    clock = Clock(budget)
    claims: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    per_file: list[dict[str, Any]] = []

    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    for s in skipped:
        say(f"skipped {safe_text(s['file'])}: {s['reason']}")
    if files and problem is None:  # a named problem was derived by problem_named above
        _warm_registry()
    for i, f in enumerate(files, 1):
        say(f"[{i}/{len(files)}] {safe_text(f)}")
        clock.start_file()
        try:
            # a binary file is an input error, not a document without claims
            doc = read_document(f, read_text_bounded(f, MAX_FILE_BYTES))
            if given:
                items = doc.front.get("given") or []
                doc.front["given"] = ([items] if isinstance(items, str) else list(items)) + list(given)
            for e in doc.errors:
                errors.append({"file": str(f), "message": f"line {e['line']}, column {e['column']}: {e['message']}"})
            if not doc.claims:
                if doc.errors:
                    continue
                raise DeriveError(f"{f}: no claims (no display math and no inline math with a relation)")
        except DeriveError as exc:
            errors.append({"file": str(f), "message": str(exc)})  # reported once, by the caller
            continue
        cut = None
        if clock.file_left() <= 0:
            cut = clock.cut(str(f), "run budget", len(doc.claims), len(doc.claims))
            items = _unjudged(doc, f"the run budget of {budget.run:g} s was spent")
        else:
            opts = Options(timeout=clock.claim_limit(), seed=seed, instances=instances)
            cause = clock.binding() + " budget"
            # the judge stops at the deadline itself and keeps what it judged; the file worker's
            # kill, a moment later, stays the bound
            opts.deadline = time.monotonic() + clock.file_left()
            margin = 0.5
            # a line per statement only with --verbose; by default a line per file
            shown = (lambda m: say("  " + safe_text(m))) if progress and verbose else None
            try:
                items = run_bounded(_judge_file, doc, problem, opts, shown, timeout=clock.file_left() + margin)
                n_cut = sum(1 for c in items if str(c.get("reason") or "").startswith(NOT_JUDGED))
                if n_cut:
                    cut = clock.cut(str(f), cause, n_cut, len(items))
            except Timeout:
                cut = clock.cut(str(f), cause, len(doc.claims), len(doc.claims))
                items = _unjudged(doc, f"the {cause} of {cut.detail} was spent")
            except RuntimeError as exc:
                why = "memory limit" if str(exc).startswith("MemoryError") else "worker died"
                cut = clock.cut(str(f), why, len(doc.claims), len(doc.claims), str(exc)[:200])
                items = _unjudged(doc, f"{why}: {str(exc)[:200]}")
        if cut is not None:
            say(f"  cut: {safe_text(cut.message())}")
        claims.extend(items)
        entry = {"file": str(f), "problem": problem or doc.front.get("problem"), "counts": _counts(items)}
        if cut is not None:
            entry["cut"] = cut.to_json()
        per_file.append(entry)
    report = {"schema": SCHEMA_ID, "claims": claims, "files": per_file, "errors": errors,
              "skipped": skipped, "cut": [c.to_json() for c in clock.cuts],
              "summary": _counts(claims), "settings": {"timeout": budget.claim, "seed": seed, "instances": instances,
                                                       "dps": 50, "budget": budget.to_json()}}
    report["exit_code"] = exit_code(report)
    return report


def _check_given(given: list[str], problem: str | None) -> None:
    """--given items are checked once, before any file, and blamed on --given."""
    from ..claims.answers import problem_named
    from ..claims.latex_parser import ParseError
    from ..claims.scope import BindError, Scope

    for item in given:
        try:
            Scope.for_problem(problem_named(problem) if problem else None).add_given(item)
        except (ParseError, BindError) as exc:
            raise DeriveError(f"--given {item!r}: {exc}") from None


def _counts(items: list[dict[str, Any]]) -> dict[str, int]:
    out = {s: 0 for s in ALL_STATUSES}
    for c in items:
        out[c["status"]] += 1
    return out


def exit_code(report: dict[str, Any]) -> int:
    counts = report["summary"]
    if counts[REFUTED] or counts[INCONSISTENT]:
        return int(ExitCode.FAILED)
    if report["errors"]:
        return int(ExitCode.USAGE)
    if counts[UNDECIDED] or report.get("cut"):
        return int(ExitCode.UNDECIDED)
    return int(ExitCode.OK)


def _short(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def counterexample_text(ce: dict[str, Any] | None, each: int | None = None) -> str:
    """The counterexample in one line: both sides' values, then the instance (``each`` cuts
    every value to that many characters, so that a narrow terminal still shows both sides)."""
    if not ce:
        return ""

    def cut(v: Any) -> str:
        return _short(_compact(v), each) if each else _compact(v)

    parts = []
    if ce.get("lhs") is not None:  # both sides' values first: they are what a reader checks
        parts.append(f"lhs={cut(ce['lhs'])} rhs={cut(ce.get('rhs'))}")
    inst = ce.get("instance")
    if inst:
        parts.append("at " + ", ".join(f"{k}={cut(v)}" for k, v in inst.items()))
    return "; ".join(parts)


def _compact(v: Any) -> str:
    if isinstance(v, list):
        if v and isinstance(v[0], list):
            return "[" + "; ".join(" ".join(str(x) for x in row) for row in v) + "]"
        return "[" + " ".join(_compact(x) for x in v) + "]"
    return str(v)


def format_table(report: dict[str, Any], width: int | None = None) -> str:
    """The human table: line, statement, verdict, reason / counterexample.  ``width`` (the
    terminal's) cuts the WHY column to fit; without it (a pipe, a file) nothing is cut."""
    rows = [("LINE", "STATEMENT", "VERDICT", "WHY")]
    for c in report["claims"]:
        why = c.get("reason") or c.get("scope") or ""
        if c["status"] in (PROVED, VERIFIED):
            why = c["scope"]
        elif c["status"] == REFUTED:
            each = max(12, (width - 90) // 3) if width else None
            why = (counterexample_text(c.get("counterexample"), each) + "  " if c.get("counterexample") else "") \
                + (c.get("reason") or c["scope"])
        elif c["status"] in (DEFINED, ASSUMED):
            why = f"{c.get('role', '')}: {c.get('role_reason', '')}"
        rows.append((safe_text(f"{Path(c['file']).name}:{c['line']}"), safe_text(_short(c["latex"], 48)), c["status"],
                     safe_text(" ".join(str(why).split()))))
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    if width is not None:
        room = max(40, width - sum(w) - 6)
        rows = [r[:3] + (_short(r[3], room),) for r in rows]
    lines = [f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]}" for r in rows]
    s = report["summary"]
    lines.append("")
    lines.append(f"{len(report['claims'])} statements: {s[PROVED]} proved, {s[VERIFIED]} verified, "
                 f"{s[REFUTED]} refuted, {s[UNDECIDED]} undecided; {s[DEFINED]} defined, {s[ASSUMED]} assumed"
                 + (f", {s[INCONSISTENT]} inconsistent" if s[INCONSISTENT] else ""))
    for cut in report.get("cut", []):
        lines.append(f"cut: {safe_text(cut['file'])}: {cut['claims_cut']} of {cut['claims_total']} claims not judged "
                     f"({cut['cause']}: {safe_text(cut['detail'])})")
    for skip in report.get("skipped", []):
        lines.append(f"skipped: {safe_text(skip['file'])}: {skip['reason']}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    budget = Budget(claim=args.timeout, file=getattr(args, "file_timeout", None),
                    run=getattr(args, "run_timeout", None))
    report = check_paths(args.paths, problem=args.problem, timeout=args.timeout, seed=args.seed,
                         instances=getattr(args, "instances", 10), given=getattr(args, "given", None),
                         progress=not getattr(args, "quiet", False), budget=budget,
                         verbose=bool(getattr(args, "verbose", False)))
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    sys.stdout.write(dumps(report) if args.json else format_table(report, width))
    for e in report["errors"]:
        print(f"derive: error: {safe_text(e['message'])}", file=sys.stderr)
    return report["exit_code"]


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m derive.commands.check``) until the CLI wires it in."""
    parser = argparse.ArgumentParser(prog="derive")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["check", *(sys.argv[1:] if argv is None else argv)])
    try:
        return args.run(args)
    except DeriveError as exc:
        print(f"derive: error: {safe_text(exc)}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
