"""Benchmark of `derive check`: seconds per claim over the claim fixtures.

Runs every claim file in tests/fixtures/claims/ (seed 0, 10 instances at 50 digits, the
default 10 s limit) and prints the median and 99th percentile of the wall time per claim,
each claim timed from its start in the document's worker process (one per document, restarted
after a claim is killed at its limit), against the targets
of issue 8: median <= 0.5 s, p99 <= 3 s.  A miss is printed with its ratio, never hidden.

    PYTHONPATH=. python3 benchmarks/bench_check.py [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from derive import names
from derive.claims.judge import Options, judge_document
from derive.claims.reader import read_document

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "claims"
TARGET_MEDIAN = 0.5
TARGET_P99 = 3.0


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))
    return xs[k]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1, help="passes over the fixtures")
    args = ap.parse_args()
    times: list[float] = []
    slowest: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for f in sorted(FIXTURES.glob("*.md")):
            doc = read_document(f)
            if doc.front.get("problem") and doc.front["problem"] not in names():
                print(f"  (skipping {f.name}: problem {doc.front['problem']!r} is not registered)")
                continue
            for r in judge_document(doc, opts=Options(seed=0)):
                times.append(r.seconds)
                slowest.append((r.seconds, f"{f.name}:{r.line} {r.latex[:60]}"))
    total = time.perf_counter() - t0
    med, p99 = statistics.median(times), percentile(times, 0.99)
    print(f"derive check over {len(times)} claims ({total:.1f} s in all)")
    for name, value, target in (("median", med, TARGET_MEDIAN), ("p99", p99, TARGET_P99)):
        ratio = value / target
        mark = "ok" if value <= target else "MISS"
        print(f"  {name:6s} {value:7.3f} s per claim   target {target:.1f} s   ratio {ratio:.2f}  {mark}")
    print("  slowest:")
    for s, what in sorted(slowest, reverse=True)[:5]:
        print(f"    {s:6.3f} s  {what}")


if __name__ == "__main__":
    main()
