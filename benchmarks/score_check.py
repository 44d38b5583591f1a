"""Score `derive check` on a document against an answer key written before the checker ran.

    python benchmarks/score_check.py ../shared/seeds/000_80f9949d48b7a298.txt tests/keys/seed000_p1.json \
        tests/keys/seed000_p34.json

Prints the table of docs/notes/issue12-check-documents.md: judged statements in the key,
how many the tool decided, false accepts (a false statement verified, proved, or filed
under an unjudged role), false rejects (a true statement refuted), definitions and
hypotheses refuted, and the false statements refuted with a counterexample.

A key entry is matched to the tool's statement on the same line whose text, without
white space, equals the key's (or contains it, or is contained in it); where a line states the
same text several times and the tool reads as many, they are paired in order.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

JUDGED_ROLES = ("claim", "step", "solution", "answer")
UNJUDGED_STATUSES = ("defined", "assumed")


def _squash(text: str) -> str:
    """The text without white space and alignment marks (a key may copy an aligned block whole)."""
    for mark in ("\\begin{aligned}", "\\end{aligned}", "&", "\\\\"):
        text = text.replace(mark, " ")
    return "".join(text.split())


def load_key(paths: list[str | Path]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in paths:
        out.extend(json.loads(Path(p).read_text(encoding="utf-8"))["statements"])
    # a line may state the same text more than once (`D = \delta` given, then restated twice): the
    # k-th such entry of the key is the k-th such statement of the document
    seen: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for e in out:
        seen.setdefault((e["line"], _squash(e["latex"])), []).append(e)
    for same in seen.values():
        for k, e in enumerate(same):
            e["_occurrence"], e["_copies"] = k, len(same)
    return out


def match(entry: dict[str, Any], claims: list[dict[str, Any]]) -> dict[str, Any] | None:
    want = _squash(entry["latex"])
    same_line = [c for c in claims if c["line"] == entry["line"]]
    exact = [c for c in same_line if _squash(c["latex"]) == want]
    if entry.get("_copies", 1) > 1 and len(exact) == entry["_copies"]:
        return exact[entry["_occurrence"]]
    for test in (lambda t: t == want, lambda t: want in t or t in want):
        for c in same_line:
            if test(_squash(c["latex"])):
                return c
    return None


def score(report: dict[str, Any], key: list[dict[str, Any]]) -> dict[str, Any]:
    claims = report["claims"]
    judged = [e for e in key if e["role"] in JUDGED_ROLES and e["truth"] is not None]
    decided = false_accepts = false_rejects = wrong_refuted = wrong_total = 0
    unmatched: list[str] = []
    rejects: list[str] = []
    accepts: list[str] = []
    for e in judged:
        c = match(e, claims)
        if c is None:
            unmatched.append(f"{e['line']}: {e['latex'][:60]}")
            if e["truth"] is False:
                wrong_total += 1
            continue
        status = c["status"]
        if status in ("proved", "verified", "refuted", "inconsistent"):
            decided += 1
        if e["truth"] is False:
            wrong_total += 1
            if status in ("proved", "verified") or status in UNJUDGED_STATUSES:
                false_accepts += 1
                accepts.append(f"{e['line']}: {e['latex'][:60]} -> {status}")
            elif status == "refuted" and c.get("counterexample"):
                wrong_refuted += 1
        elif status in ("refuted", "inconsistent"):
            false_rejects += 1
            rejects.append(f"{e['line']}: {e['latex'][:60]} ({(c.get('reason') or c['scope'])[:120]})")
    unjudged_refuted = []
    for e in key:
        if e["role"] in ("definition", "hypothesis"):
            c = match(e, claims)
            if c is not None and c["status"] in ("refuted",):
                unjudged_refuted.append(f"{e['line']}: {e['latex'][:60]}")
    return {"judged": len(judged), "decided": decided, "false_accepts": false_accepts,
            "false_rejects": false_rejects, "wrong": wrong_total, "wrong_refuted": wrong_refuted,
            "definitions_or_hypotheses_refuted": len(unjudged_refuted), "unmatched": unmatched,
            "rejects": rejects, "accepts": accepts, "unjudged_refuted": unjudged_refuted}


def run(document: str | Path, keys: list[str | Path], seed: int = 0) -> tuple[dict[str, Any], float]:
    from derive.commands.check import check_paths

    t0 = time.perf_counter()
    report = check_paths([str(document)], seed=seed, progress=False)
    return score(report, load_key(keys)), time.perf_counter() - t0


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    result, seconds = run(argv[0], argv[1:])
    pct = 100.0 * result["decided"] / max(1, result["judged"])
    print(f"judged statements in the key: {result['judged']}")
    print(f"decided: {result['decided']} ({pct:.1f} %)")
    print(f"false accepts: {result['false_accepts']}")
    print(f"false rejects: {result['false_rejects']}")
    print(f"false statements refuted with a counterexample: {result['wrong_refuted']} of {result['wrong']}")
    print(f"definitions or hypotheses refuted: {result['definitions_or_hypotheses_refuted']}")
    print(f"seconds: {seconds:.1f}")
    for title in ("rejects", "accepts", "unjudged_refuted", "unmatched"):
        if result[title]:
            print(f"\n{title}:")
            for line in result[title]:
                print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
