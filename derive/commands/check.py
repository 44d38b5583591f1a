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
import sys
from pathlib import Path
from typing import Any

from ..errors import DeriveError, ExitCode, read_text_file
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
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="time limit per claim (default 10 s)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed of the sampled instances")
    p.add_argument("--instances", type=int, default=10, metavar="K", help="random instances per claim (default 10)")
    p.add_argument("--given", action="append", default=[], metavar="LATEX",
                   help="an extra binding or declaration, as a front-matter 'given' item (repeatable), "
                        "e.g. --given 'B = \\beta'")
    p.set_defaults(run=run)
    return p


def _files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            if not found:
                raise DeriveError(f"directory {raw!r} holds no .md/.tex/.txt files")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise DeriveError(f"no such file or directory: {raw!r}")
    return out


def check_paths(paths: list[str], problem: str | None = None, timeout: float = 10.0, seed: int = 0,
                instances: int = 10, progress: bool = True, given: list[str] | None = None) -> dict[str, Any]:
    """Judge every file; returns the JSON report (see docs/claims-schema.md)."""
    from ..claims.judge import Options, judge_document, problem_named
    from ..claims.reader import read_document

    if timeout <= 0:
        raise DeriveError("--timeout must be positive")
    if instances < 1 or instances > 200:
        raise DeriveError("--instances must be in 1..200")
    if problem is not None:
        problem_named(problem)  # unknown names fail before any file is read
    _check_given(given or [], problem)
    files = _files(paths)
    opts = Options(timeout=timeout, seed=seed, instances=instances)
    claims: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    per_file: list[dict[str, Any]] = []

    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    for i, f in enumerate(files, 1):
        say(f"[{i}/{len(files)}] {f}")
        try:
            # a binary file is an input error, not a document without claims
            doc = read_document(f, read_text_file(f, "claim file"))
            if given:
                items = doc.front.get("given") or []
                doc.front["given"] = ([items] if isinstance(items, str) else list(items)) + list(given)
            for e in doc.errors:
                errors.append({"file": str(f), "message": f"line {e['line']}, column {e['column']}: {e['message']}"})
            if not doc.claims:
                if doc.errors:
                    continue
                raise DeriveError(f"{f}: no claims (no display math and no inline math with a relation)")
            results = judge_document(doc, problem, opts, progress=(lambda m: say("  " + m)) if progress else None)
        except DeriveError as exc:
            errors.append({"file": str(f), "message": str(exc)})  # reported once, by the caller
            continue
        items = [r.to_json() for r in results]
        claims.extend(items)
        per_file.append({"file": str(f), "problem": problem or doc.front.get("problem"),
                         "counts": _counts(items)})
    report = {"schema": SCHEMA_ID, "claims": claims, "files": per_file, "errors": errors,
              "summary": _counts(claims), "settings": {"timeout": timeout, "seed": seed, "instances": instances,
                                                       "dps": 50}}
    report["exit_code"] = exit_code(report)
    return report


def _check_given(given: list[str], problem: str | None) -> None:
    """--given items are checked once, before any file, and blamed on --given."""
    from ..claims.binding import BindError, Scope
    from ..claims.judge import problem_named
    from ..claims.latex_parser import ParseError

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
    if counts[UNDECIDED]:
        return int(ExitCode.UNDECIDED)
    return int(ExitCode.OK)


def _short(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _counterexample_text(ce: dict[str, Any] | None) -> str:
    if not ce:
        return ""
    parts = []
    inst = ce.get("instance")
    if inst:
        parts.append("at " + ", ".join(f"{k}={_compact(v)}" for k, v in inst.items()))
    if "lhs" in ce:
        parts.append(f"lhs={_compact(ce['lhs'])} rhs={_compact(ce['rhs'])}")
    return "; ".join(parts)


def _compact(v: Any) -> str:
    if isinstance(v, list):
        if v and isinstance(v[0], list):
            return "[" + "; ".join(" ".join(str(x) for x in row) for row in v) + "]"
        return "[" + " ".join(_compact(x) for x in v) + "]"
    return str(v)


def format_table(report: dict[str, Any]) -> str:
    """The human table: line, claim as written, verdict, reason / counterexample."""
    rows = [("LINE", "STATEMENT", "VERDICT", "WHY")]
    for c in report["claims"]:
        why = c.get("reason") or c.get("scope") or ""
        if c["status"] in (PROVED, VERIFIED):
            why = c["scope"]
        elif c["status"] == REFUTED:
            why = c["scope"] + ("  " + _counterexample_text(c.get("counterexample")) if c.get("counterexample") else "")
        elif c["status"] in (DEFINED, ASSUMED):
            why = f"{c.get('role', '')}: {c.get('role_reason', '')}"
        rows.append((f"{Path(c['file']).name}:{c['line']}", _short(c["latex"], 48), c["status"], _short(why, 160)))
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]}" for r in rows]
    s = report["summary"]
    lines.append("")
    lines.append(f"{len(report['claims'])} statements: {s[PROVED]} proved, {s[VERIFIED]} verified, "
                 f"{s[REFUTED]} refuted, {s[UNDECIDED]} undecided; {s[DEFINED]} defined, {s[ASSUMED]} assumed"
                 + (f", {s[INCONSISTENT]} inconsistent" if s[INCONSISTENT] else ""))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    report = check_paths(args.paths, problem=args.problem, timeout=args.timeout, seed=args.seed,
                         instances=getattr(args, "instances", 10), given=getattr(args, "given", None),
                         progress=not getattr(args, "quiet", False))
    sys.stdout.write(dumps(report) if args.json else format_table(report))
    for e in report["errors"]:
        print(f"derive: error: {e['message']}", file=sys.stderr)
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
        print(f"derive: error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
