"""A synthetic class for ``derive grade``: submissions written from a reference solution by
the mutations a student makes, each with its true score known by construction.

    python benchmarks/make_class.py OUT [--n 500] [--seed 0]

writes OUT/reference.md, OUT/rubric.toml, OUT/submissions/NNN.md and OUT/key.json (per
submission: the points of each part, the planted errors with their part and line, and the
lines that are correct).  Every variant below was written by hand as right (an equivalent
form, a renamed index) or wrong (a sign slip, a dropped transpose or factor, an off-by-one
exponent); nothing here asks the checker what is true.

Rubric: per part 2 points for the answer, 1 for the working, 0.5 off per wrong step (at most 1).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

GIVEN = ["A \\in \\mathbb{R}^{4 \\times 3}", "b \\in \\mathbb{R}^{4}", "x \\in \\mathbb{R}^{3}"]
RUBRIC = "[default]\nanswer = 2\nsteps = 1\ndeduction = 0.5\ncap = 1\n"

# each step: (lhs, right rhs, [equivalent rhs], [(wrong rhs, kind)]); each answer: (name, right, [equiv], [wrong])
PARTS = [
    ("least squares", [
        ("(Ax - b)^\\top (Ax - b)", "x^\\top A^\\top A x - 2 b^\\top A x + b^\\top b",
         ["x^\\top A^\\top A x - 2 x^\\top A^\\top b + b^\\top b"],
         [("x^\\top A^\\top A x + 2 b^\\top A x + b^\\top b", "sign slip"),
          ("x^\\top A^\\top A x - b^\\top A x + b^\\top b", "dropped factor")]),
        ("(A x)^\\top (A x)", "x^\\top A^\\top A x", [], [("2 x^\\top A^\\top A x", "stray factor")]),
        ("\\frac{\\partial}{\\partial x} x^\\top A^\\top A x", "2 A^\\top A x", [],
         [("A^\\top A x", "dropped factor")]),
        ("\\frac{\\partial}{\\partial x} b^\\top A x", "A^\\top b", [], [("-A^\\top b", "sign slip")]),
        ("\\frac{\\partial}{\\partial x} \\frac{1}{2} (Ax - b)^\\top (Ax - b)", "A^\\top A x - A^\\top b",
         ["A^\\top (A x - b)"], [("A^\\top A x + A^\\top b", "sign slip")]),
    ], ("g", "A^\\top (A x - b)", ["A^\\top A x - A^\\top b"],
        [("A^\\top (A x + b)", "wrong answer"), ("2 A^\\top (A x - b)", "wrong answer")])),
    ("the logistic function", [
        ("\\frac{d}{dz} \\log(1 + e^{z})", "\\frac{e^{z}}{1 + e^{z}}", ["\\frac{1}{1 + e^{-z}}"],
         [("\\frac{1}{1 + e^{z}}", "sign slip")]),
        ("1 - \\frac{1}{1 + e^{-z}}", "\\frac{1}{1 + e^{z}}", [], [("\\frac{1}{1 + e^{-z}}", "sign slip")]),
        ("\\frac{d}{dz} \\frac{1}{1 + e^{-z}}", "\\frac{e^{-z}}{(1 + e^{-z})^{2}}", [],
         [("\\frac{e^{-z}}{(1 + e^{-z})^{3}}", "off-by-one exponent")]),
        ("\\frac{e^{-z}}{(1 + e^{-z})^{2}}", "\\frac{1}{1 + e^{-z}} \\cdot \\frac{e^{-z}}{1 + e^{-z}}",
         ["\\frac{e^{z}}{(1 + e^{z})^{2}}"], [("\\frac{1}{1 + e^{-z}} \\cdot \\frac{e^{z}}{1 + e^{-z}}", "sign slip")]),
        ("\\frac{e^{z}}{1 + e^{z}}", "\\frac{1}{1 + e^{-z}}", [], [("\\frac{1}{1 + e^{z}}", "sign slip")]),
    ], ("q", "\\frac{e^{-z}}{(1 + e^{-z})^{2}}", ["\\frac{e^{z}}{(1 + e^{z})^{2}}"],
        [("\\frac{e^{-z}}{1 + e^{-z}}", "wrong answer")])),
    ("a geometric recurrence", [
        ("\\sum_{k=0}^{n-1} \\alpha^{k}", "\\frac{1 - \\alpha^{n}}{1 - \\alpha}",
         ["\\frac{\\alpha^{n} - 1}{\\alpha - 1}"],
         [("\\frac{1 - \\alpha^{n+1}}{1 - \\alpha}", "off-by-one exponent")]),
        ("\\sum_{k=0}^{n} k", "\\frac{n(n+1)}{2}", [], [("\\frac{n(n-1)}{2}", "sign slip")]),
        ("\\sum_{k=0}^{n} \\alpha^{k}", "\\frac{1 - \\alpha^{n+1}}{1 - \\alpha}", [],
         [("\\frac{1 - \\alpha^{n}}{1 - \\alpha}", "off-by-one exponent")]),
        ("\\sum_{k=1}^{n} (2k - 1)", "n^{2}", [], [("n^{2} - 1", "off by one")]),
        ("\\prod_{k=1}^{n} \\alpha", "\\alpha^{n}", [], [("\\alpha^{n+1}", "off-by-one exponent")]),
    ], ("s", "\\frac{1 - \\alpha^{n}}{1 - \\alpha}", ["\\frac{\\alpha^{n} - 1}{\\alpha - 1}"],
        [("\\frac{1 - \\alpha^{n+1}}{1 - \\alpha}", "wrong answer")])),
    ("transposes and traces", [
        ("(P Q)^\\top", "Q^\\top P^\\top", [],
         [("P^\\top Q^\\top", "factors swapped"), ("Q P^\\top", "dropped transpose")]),
        ("(P Q R)^\\top", "R^\\top Q^\\top P^\\top", [], [("R^\\top Q P^\\top", "dropped transpose")]),
        ("\\operatorname{tr}(P Q)", "\\operatorname{tr}(Q P)", [],
         [("\\operatorname{tr}(P^\\top Q)", "stray transpose")]),
        ("\\operatorname{tr}(P^\\top)", "\\operatorname{tr}(P)", [], [("-\\operatorname{tr}(P)", "sign slip")]),
        ("(P^{-1})^\\top", "(P^\\top)^{-1}", [], [("P^{-1}", "dropped transpose")]),
    ], ("T", "Q^\\top P^\\top", ["(P Q)^\\top"], [("P^\\top Q^\\top", "wrong answer")])),
]
HEADINGS = ["# Problem {k}: {title}", "## {k}.", "**Problem {k}**"]
# renamed symbols: another summation index is the same statement
# (the bound index k is renamed everywhere it occurs; no right side uses k)
RENAMES = [("_{k=", "_{j="), ("^{k}", "^{j}"), ("(2k - 1)", "(2j - 1)"), ("} k =", "} j =")]


def reference() -> str:
    lines = ["---", "given:", *[f"  - {g}" for g in GIVEN], "---"]
    for k, (title, steps, (name, right, _, _)) in enumerate(PARTS, 1):
        lines += ["", f"# Problem {k}: {title}", ""]
        for lhs, rhs, _, _ in steps:
            lines += [f"$${lhs} = {rhs}$$", ""]
        lines += [f"answer: ${name} = {right}$"]
    return "\n".join(lines) + "\n"


def submission(rng: random.Random) -> tuple[str, dict]:
    lines: list[str] = []
    points: list[float] = []
    planted: list[dict] = []
    correct: list[int] = []
    style = rng.choice(HEADINGS)
    intro = rng.choice(["", "My solutions.", "Homework 3"])
    if intro:
        lines += [intro, ""]
    for k, (title, steps, (name, right, equivalent, wrong_answers)) in enumerate(PARTS, 1):
        if rng.random() < 0.03:  # the part left out
            points.append(0.0)
            continue
        lines += [style.format(k=k, title=title), ""]
        wrong = 0
        for lhs, rhs, equiv, wrongs in steps:
            r = rng.random()
            if r < 0.08:  # a skipped step costs nothing
                continue
            if r < 0.20:
                rhs_w, kind = rng.choice(wrongs)
                wrong += 1
                planted.append({"part": str(k), "line": len(lines) + 1, "kind": kind})
                text = f"$${lhs} = {rhs_w}$$"
            else:
                text = f"$${lhs} = {rng.choice(equiv) if equiv and r < 0.35 else rhs}$$"
                if rng.random() < 0.3:
                    for a, b in RENAMES:
                        text = text.replace(a, b)
                correct.append(len(lines) + 1)
            lines += [text, ""]
        r = rng.random()
        if r < 0.15:
            value, kind = rng.choice(wrong_answers)
            answer_ok = False
            planted.append({"part": str(k), "line": len(lines) + 1, "kind": kind})
        else:
            value = rng.choice(equivalent) if r < 0.35 and equivalent else right
            answer_ok = True
        lines += [f"answer: ${name} = {value}$", ""]
        points.append((2.0 if answer_ok else 0.0) + max(0.0, 1.0 - min(1.0, 0.5 * wrong)))
    return "\n".join(lines), {"parts": points, "planted": planted, "correct_lines": correct}


def make_class(out: Path, n: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    (out / "submissions").mkdir(parents=True, exist_ok=True)
    (out / "reference.md").write_text(reference())
    (out / "rubric.toml").write_text(RUBRIC)
    key = {}
    for i in range(n):
        text, truth = submission(rng)
        sid = f"{i:03d}"
        (out / "submissions" / f"{sid}.md").write_text(text)
        key[sid] = truth
    (out / "key.json").write_text(json.dumps(key, indent=1, sort_keys=True))
    return key


def accuracy(cls: Path, out: Path, key: dict) -> dict:
    """How `derive grade` output in OUT compares with the key of the class in CLS."""
    graded = {s["student"]: s for s in json.loads((out / "grades.json").read_text())["submissions"]}
    statements = sum(sum(1 for line in (cls / "submissions" / f"{sid}.md").read_text().splitlines()
                         if line.startswith("$$") or line.startswith("answer:")) for sid in key)
    missed, false_refuted, wrong_scores, undecided, flagged_diffs = [], [], [], 0, 0
    for sid, truth in key.items():
        g = graded[sid]
        parts = {p["part"]: p for p in g["parts"]}
        refuted_at = {(p["part"], r["line"]) for p in g["parts"] for r in p["refuted"]}
        for e in truth["planted"]:
            p = parts[e["part"]]
            found = ((e["part"], e["line"]) in refuted_at if e["kind"] != "wrong answer"
                     else p["answer"]["status"] == "wrong")
            if not found:
                missed.append((sid, e))
        all_refuted = {r["line"] for p in g["parts"] for r in p["refuted"]}
        false_refuted += [(sid, line) for line in truth["correct_lines"] if line in all_refuted]
        undecided += sum(p["needs_human_look"] for p in g["parts"])
        points = [p["points"] for p in g["parts"]]
        if points != truth["parts"]:
            if any(p["needs_human_look"] for p in g["parts"]):
                flagged_diffs += 1
            else:
                wrong_scores.append((sid, truth["parts"], points))
    return {"statements": statements, "planted": sum(len(t["planted"]) for t in key.values()), "missed": missed,
            "false_refuted": false_refuted, "undecided": undecided, "wrong_scores": wrong_scores,
            "flagged_score_differences": flagged_diffs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    key = make_class(Path(args.out), args.n, args.seed)
    planted = sum(len(v["planted"]) for v in key.values())
    print(f"wrote {len(key)} submissions with {planted} planted errors to {args.out}")


if __name__ == "__main__":
    main()
