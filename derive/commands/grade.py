"""``derive grade SUBMISSIONS --reference SOLUTION.md -o OUT [--rubric R.toml] [--format ...]
[--jobs N] [--executor local|dask --scheduler ADDRESS]``.

Judges every student's documents line by line against a reference solution and writes
Gradescope / PrairieLearn results, a class CSV and JSON, and HTML pages (derive/grade/).

Exit codes (shared/CONVENTIONS.md, "Grading"): 0 every submission graded, whatever the
scores; 3 a submission was cut by its budget or its worker died (named on stderr); 2 usage
or input error; 4 a required tool is missing (dask for --executor dask, latex2mathml for html).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..grade.run import FORMATS, Settings, grade_class


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "grade", help="grade a class's submissions against a reference solution",
        description="Check each submission's statements, compare each part's final answer with the reference's, "
                    "score with the rubric and write Gradescope/PrairieLearn/CSV/JSON/HTML results.")
    p.add_argument("submissions", metavar="SUBMISSIONS",
                   help="a directory: one file or one folder per student (the name is the student id); "
                        "or one student's file")
    p.add_argument("--reference", required=True, metavar="SOLUTION.md", help="the reference solution")
    p.add_argument("--rubric", metavar="RUBRIC.toml", help="points per part (default: one per part, for the answer)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output directory")
    p.add_argument("--format", action="append", choices=FORMATS, metavar="FORMAT",
                   help=f"one of {', '.join(FORMATS)} (repeatable; default: all)")
    p.add_argument("--overrides", metavar="FILE", help="a TA's overrides (default OUT/overrides.toml)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="worker processes (default: all cores)")
    p.add_argument("--executor", default="local", choices=("local", "dask"), help="where to judge (default local)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="with --executor dask: the scheduler, e.g. tcp://host:8786")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="time limit per claim (default 10 s)")
    p.add_argument("--instances", type=int, default=10, metavar="K", help="random instances per claim (default 10)")
    p.add_argument("--budget", type=float, default=600.0, metavar="S",
                   help="time limit per submission (default 600 s); one over it is reported, the others go on")
    p.add_argument("--student", metavar="ID", help="SUBMISSIONS is this one student's file or folder "
                                                    "(an autograder grading one submission)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    settings = Settings(submissions=args.submissions, reference=args.reference, out=args.output,
                        rubric=args.rubric, overrides=args.overrides, formats=tuple(args.format or FORMATS),
                        jobs=args.jobs, executor=args.executor, scheduler=args.scheduler, timeout=args.timeout,
                        instances=args.instances, budget=args.budget, quiet=args.quiet,
                        student=args.student)
    return grade_class(settings)
