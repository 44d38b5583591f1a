"""Score `derive check` on every document that has an answer key: seed 000, the corpus
(tests/fixtures/documents/) and the held-out set (tests/fixtures/heldout/).

    python benchmarks/score_all.py [--seed N] [--only corpus|heldout|seed]

One row per document (judged, decided, false accepts, false rejects, planted errors refuted,
definitions or hypotheses refuted, seconds) and a total per set.  The keys were written from
the mathematics before the checker ran on the documents (see each key's `written_before_checker`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_check import run  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "seed": [(ROOT.parent / "shared" / "seeds" / "000_80f9949d48b7a298.txt",
              [ROOT / "tests" / "keys" / "seed000_p1.json", ROOT / "tests" / "keys" / "seed000_p34.json"])],
    "corpus": [(p, [p.with_suffix(".key.json")]) for p in sorted((ROOT / "tests" / "fixtures" / "documents").glob("*.md"))],
    "heldout": [(p, [p.with_suffix(".key.json")]) for p in sorted((ROOT / "tests" / "fixtures" / "heldout").glob("*.md"))],
}
COLUMNS = ("judged", "decided", "false_accepts", "false_rejects", "wrong_refuted", "wrong",
           "definitions_or_hypotheses_refuted")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=sorted(SETS))
    ap.add_argument("-v", "--verbose", action="store_true", help="list false verdicts")
    args = ap.parse_args(argv)
    print(f"{'document':34} judged decided  FA  FR  wrong-refuted  defs/hyps-refuted  seconds")
    for name, docs in SETS.items():
        if args.only and name != args.only:
            continue
        total = dict.fromkeys(COLUMNS, 0)
        for doc, keys in docs:
            if not doc.exists():
                print(f"{doc.name[:34]:34} (missing)")
                continue
            r, secs = run(doc, keys, seed=args.seed)
            for c in COLUMNS:
                total[c] += r[c]
            print(f"{doc.name[:34]:34} {r['judged']:6} {r['decided']:7} {r['false_accepts']:3} {r['false_rejects']:3}"
                  f"  {r['wrong_refuted']:5} of {r['wrong']:<5} {r['definitions_or_hypotheses_refuted']:10}"
                  f"         {secs:6.1f}")
            if args.verbose:
                for line in r["rejects"] + r["accepts"] + r["unjudged_refuted"]:
                    print("    ! " + line)
        pct = 100.0 * total["decided"] / max(1, total["judged"])
        print(f"{'= ' + name:34} {total['judged']:6} {total['decided']:7} {total['false_accepts']:3}"
              f" {total['false_rejects']:3}  {total['wrong_refuted']:5} of {total['wrong']:<5}"
              f" {total['definitions_or_hypotheses_refuted']:10}   ({pct:.0f} % decided)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
