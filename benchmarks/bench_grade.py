"""Benchmark of `derive grade`: throughput with --jobs 2 against --jobs 1, and accuracy on a
synthetic class whose true scores are known by construction (benchmarks/make_class.py).

Checks (issue 16): every planted error found in the right part (a wrong step refuted, a wrong
answer marked wrong), no correct step refuted, at most 5 % of statements undecided, scores
equal the constructed ones except where a line is flagged for a human; throughput target
20,000 statements in 10 minutes on 2 cores, and --jobs 2 at least 1.8x --jobs 1.
A miss is printed with its ratio, never hidden.

    PYTHONPATH=. python3 benchmarks/bench_grade.py [--n 500] [--seed 0] [--skip-serial]
"""

from __future__ import annotations

import _setup  # noqa: F401  (one BLAS thread, repository on sys.path)

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_class import accuracy, make_class

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATE = 20_000 / 600  # statements per second on 2 cores
TARGET_SPEEDUP = 1.8


def grade(cls: Path, out: Path, jobs: int) -> float:
    cmd = [sys.executable, "-m", "derive", "grade", str(cls / "submissions"), "--reference", str(cls / "reference.md"),
           "--rubric", str(cls / "rubric.toml"), "-o", str(out), "--jobs", str(jobs), "--quiet",
           "--format", "json", "--format", "csv"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"derive grade exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    return seconds


def check_only(cls: Path) -> float:
    """The baseline: `derive check` on the same files with the same givens, one process."""
    from make_class import GIVEN

    cmd = [sys.executable, "-m", "derive", "check", str(cls / "submissions"), "--json"]
    for g in GIVEN:
        cmd += ["--given", g]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, text=True)
    return time.perf_counter() - t0


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500, help="submissions (CI runs a 20-submission slice)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-serial", action="store_true", help="only --jobs 2 (no speed-up ratio)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        cls = Path(tmp) / "class"
        key = make_class(cls, args.n, args.seed)
        print(f"class: {args.n} submissions (make_class seed {args.seed}); before: {load()}")
        t2 = grade(cls, Path(tmp) / "jobs2", 2)
        print(f"--jobs 2: {t2:.1f} s; after: {load()}")
        acc = accuracy(cls, Path(tmp) / "jobs2", key)
        t1 = tc = None
        if not args.skip_serial:
            t1 = grade(cls, Path(tmp) / "jobs1", 1)
            print(f"--jobs 1: {t1:.1f} s; after: {load()}")
            tc = check_only(cls)
            print(f"derive check on the same files (one process, no answers compared): {tc:.1f} s; after: {load()}")
    n = acc["statements"]
    rate = n / t2
    print(f"statements: {n} ({n / args.n:.1f} per submission); planted errors: {acc['planted']}")
    verdict = "met" if rate >= TARGET_RATE else f"MISSED, {rate / TARGET_RATE:.2f}x of it"
    print(f"throughput --jobs 2: {rate:.1f} statements/s, {args.n / t2 * 60:.1f} submissions/min "
          f"(target {TARGET_RATE:.1f}/s: {verdict})")
    if t1 is not None:
        print(f"derive grade --jobs 1 per statement: {1000 * t1 / n:.0f} ms; derive check: {1000 * tc / n:.0f} ms "
              f"(ratio {t1 / tc:.2f})")
        speedup = t1 / t2
        print(f"speed-up --jobs 2 over --jobs 1: {speedup:.2f}x "
              f"(target {TARGET_SPEEDUP}x: {'met' if speedup >= TARGET_SPEEDUP else 'MISSED'})")
    print(f"planted errors missed: {len(acc['missed'])} {acc['missed'][:5]}")
    print(f"correct lines refuted: {len(acc['false_refuted'])} {acc['false_refuted'][:5]}")
    share = acc["undecided"] / n
    print(f"undecided: {acc['undecided']} of {n} ({100 * share:.2f} %; "
          f"target <= 5 %: {'met' if share <= 0.05 else 'MISSED'})")
    print(f"scores different from the key without a flag: {len(acc['wrong_scores'])} {acc['wrong_scores'][:5]}; "
          f"with a flag: {acc['flagged_score_differences']}")


if __name__ == "__main__":
    main()
