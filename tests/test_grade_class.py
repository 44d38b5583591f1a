"""The CI slice of the grading benchmark: 20 synthetic submissions (benchmarks/make_class.py,
true scores by construction) graded with --jobs 2; accuracy only, no timing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from derive.cli import main

pytest.importorskip("latex2mathml")
BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.slow
def test_synthetic_class_slice(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    from make_class import accuracy, make_class

    key = make_class(tmp_path / "class", 20, seed=0)
    cls, out = tmp_path / "class", tmp_path / "out"
    assert main(["grade", str(cls / "submissions"), "--reference", str(cls / "reference.md"), "--rubric",
                 str(cls / "rubric.toml"), "-o", str(out), "--jobs", "2", "--quiet", "--format", "json"]) == 0
    acc = accuracy(cls, out, key)
    assert acc["planted"] > 20 and not acc["missed"]
    assert not acc["false_refuted"]
    assert acc["undecided"] <= 0.05 * acc["statements"]
    assert not acc["wrong_scores"]
    sys.modules.pop("make_class", None)
