"""Worker lanes (derive.claims.lanes): a document's judgements in parallel processes give the
report one lane gives, wait for the verdicts a job uses, and survive a job that hangs, raises or
kills its worker."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from derive.claims import lanes
from derive.claims.judge import Options, judge_document
from derive.claims.reader import read_document


@dataclass
class _Job:
    name: str
    rules: list = field(default_factory=list)  # (job, lhs, rhs) as Statement.rules


def _fake_judge(st, _scope, used, _answers, _opts):
    if st.name == "hang":
        time.sleep(30)
    if st.name == "raise":
        raise ValueError("a broken job")
    if st.name == "die":
        os._exit(3)
    if st.name == "slow":
        time.sleep(0.3)
    return {"status": "verified", "scope": st.name, "used": dict(used), "links": []}


def _run(jobs, lanes_n, timeout=5.0, deadline=None):
    got = {}
    opts = Options(timeout=timeout, deadline=deadline)
    lanes.run_jobs([(j, None) for j in jobs], [], opts, lambda k, res, _dt: got.setdefault(k, res),
                   _fake_judge, lanes=lanes_n)
    return got


def test_a_job_gets_the_verdicts_it_uses_from_another_lane():
    # job 0 is slow, so with two lanes job 1 finishes first; job 2 uses job 0's verdict and
    # must not start before it is in, whichever lane runs it
    jobs = [_Job("slow"), _Job("a"), _Job("b", rules=[(0, "lhs", "rhs")])]
    got = _run(jobs, 2)
    assert sorted(got) == [0, 1, 2]
    assert got[2]["used"] == {0: "verified"}
    assert got[1]["used"] == {}


def test_a_hanging_a_raising_and_a_dying_job_leave_the_others_judged():
    jobs = [_Job("a"), _Job("hang"), _Job("raise"), _Job("die"), _Job("b"), _Job("c", rules=[(1, "x", "y")])]
    t0 = time.perf_counter()
    got = _run(jobs, 2, timeout=1.0)
    assert time.perf_counter() - t0 < 20
    assert sorted(got) == list(range(6))
    assert got[0]["status"] == got[4]["status"] == "verified"
    assert got[1]["status"] == "undecided" and "time limit" in got[1]["reason"]
    assert got[2]["status"] == "undecided" and "ValueError" in got[2]["reason"]
    assert got[3]["status"] == "undecided" and "worker died" in got[3]["reason"]
    # the job that used the hanging one's verdict was still judged, and was told it is undecided
    assert got[5]["used"] == {1: "undecided"}


def test_a_spent_file_budget_leaves_every_unjudged_job_named():
    jobs = [_Job("a"), _Job("hang"), _Job("hang"), _Job("b")]
    got = _run(jobs, 2, timeout=30.0, deadline=time.monotonic() + 1.0)
    assert sorted(got) == [0, 1, 2, 3]
    assert all("budget" in got[k]["reason"] for k in (1, 2))


def test_lane_count_follows_the_request_the_environment_and_the_jobs(monkeypatch):
    monkeypatch.setenv("DERIVE_CHECK_LANES", "3")
    assert lanes.lane_count(10) == 3
    assert lanes.lane_count(2) == 2
    assert lanes.lane_count(10, requested=1) == 1
    monkeypatch.setenv("DERIVE_CHECK_LANES", "zero")
    assert 1 <= lanes.lane_count(100) <= lanes.MAX_LANES
    assert lanes.lane_count(lanes.JOBS_PER_LANE - 1) == 1  # a short document: one lane


_DOC = r"""# Notes on a recurrence and a few identities

Let $a_0 = 1$ and $a_{t+1} = \rho a_t$ for $t \ge 0$, with $0 < \rho < 1$.

Then $a_t = \rho^t$ for every $t \ge 0$, and $a_2 = \rho^2$.

For matrices $P, Q \in \mathbb{R}^{n \times n}$: $(PQ)^\top = Q^\top P^\top$ and $(P + Q)^\top = P^\top + Q$.

Also $\sum_{k=1}^{m} k = \frac{m(m+1)}{2}$ and $\sum_{k=1}^{m} k^2 = \frac{m(m+1)}{2}$.

The logistic function $\sigma(x) = \frac{1}{1 + e^{-x}}$ has $\sigma'(x) = \sigma(x)(1 - \sigma(x))$.
"""


def _report(path: Path, n: int) -> list[tuple]:
    doc = read_document(str(path), path.read_text())
    return [(r.line, r.latex, r.status, r.scope, r.counterexample, r.role)
            for r in judge_document(doc, None, Options(lanes=n))]


@pytest.mark.parametrize("n", [2, 3])
def test_the_report_does_not_depend_on_the_number_of_lanes(tmp_path, n):
    path = tmp_path / "notes.md"
    path.write_text(_DOC)
    one = _report(path, 1)
    assert {s for _l, _t, s, *_r in one} >= {"verified", "refuted"}  # the document is judged, not skipped
    assert _report(path, n) == one
