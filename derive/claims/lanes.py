"""Stage 7, *judge* (lanes): a document's judgements in forked worker processes, one lane per core.

Every job (a statement and its scope) is judged in a worker process, never in the caller: a
job past ``opts.timeout`` has its worker killed (CONVENTIONS) and its lane continues in a
fresh fork, which holds the jobs already, since they were built before the first fork.

Jobs are independent except for one thing: a statement may use an earlier statement's closed
form as a rule once that statement was proved or verified (``Statement.rules``).  The parent
therefore hands a job out only when the verdicts it uses are in, and sends them with it.  A
verdict thus depends on the job and those verdicts alone, never on which lane judged it or on
the order the lanes finished: one lane or four give the same report (a test holds that).

Why lanes at all: a document is judged on a 2-core machine in the issue's budget, and mpmath
arithmetic is pure Python, so the second core is the largest saving there is.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable

from ..budget import unjudged
from ..check.worker import Worker, die_with_parent, start_worker
from ..verdict import UNDECIDED

MAX_LANES = 4  # more lanes than this buy little: the prover children of each lane need cores too
# jobs per lane before another lane pays: each lane's claims share the cores with every other
# lane's prover, so a short document judged in parallel gains little and each of its claims
# comes nearer its time limit (a 3-claim document of slow quadratures timed out that way)
JOBS_PER_LANE = 8

# (statement, scope, verdicts it uses {job: status}, answers, options) -> the verdict as a dict
JudgeFn = Callable[[Any, Any, dict, list, Any], dict]
ResultFn = Callable[[int, dict, float], None]


def lane_count(jobs: int, requested: int | None = None) -> int:
    """``requested`` if given, else DERIVE_CHECK_LANES, else one lane per core (at most
    :data:`MAX_LANES`) and per :data:`JOBS_PER_LANE` jobs; never more lanes than jobs."""
    if requested is None:
        env = os.environ.get("DERIVE_CHECK_LANES", "").strip()
        if env.isdigit() and int(env) > 0:
            requested = int(env)
        else:
            try:
                cores = len(os.sched_getaffinity(0))
            except AttributeError:  # not Linux
                cores = os.cpu_count() or 1
            requested = min(MAX_LANES, cores, jobs // JOBS_PER_LANE)
    return max(1, min(int(requested), jobs))


def internal_error(exc: BaseException) -> dict[str, Any]:
    """The verdict of a job that raised: undecided, naming the error (never a crash)."""
    msg = f"{type(exc).__name__}: {str(exc)[:200]}"
    return {"status": UNDECIDED, "scope": f"undecided: internal error ({msg})", "reason": f"internal error: {msg}",
            "links": []}


def _serve(conn: Any, jobs: list, answers: list, opts: Any, judge: JudgeFn) -> None:
    """The worker of one lane: judge each job the parent sends, until the parent stops it."""
    die_with_parent()
    try:
        while True:
            k, used = conn.recv()
            st, scope = jobs[k]
            res = _on_fresh_stack(judge, st, scope, used, answers, opts)
            try:
                conn.send((k, res))
            except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable value
                conn.send((k, internal_error(exc)))
    except (EOFError, OSError):  # the parent went away
        pass
    finally:
        conn.close()
        os._exit(0)


def _on_fresh_stack(judge: JudgeFn, *args: Any) -> dict[str, Any]:
    """``judge(*args)`` in a new thread, joined at once: its frames start at the bottom of a fresh
    interpreter stack, whatever called the checker (a CLI, a test runner, a notebook).

    Why: CPython 3.11 frees a 16 KB frame-stack chunk as soon as the frame that opened it returns,
    so a hot call that crosses a chunk boundary maps and unmaps memory on every call.  Where the
    boundaries fall depends on the caller's depth: the same document cost 1 s of CPU under the CLI
    and 7 s under pytest (740,000 page faults).  A fixed starting depth makes the cost the same in
    every caller (and the same as the benchmarks measure)."""
    import threading

    out: list[dict[str, Any]] = []

    def run() -> None:
        try:
            out.append(judge(*args))
        except BaseException as exc:  # noqa: BLE001 - a verdict, never a crash
            out.append(internal_error(exc))

    t = threading.Thread(target=run, name="derive-judge", daemon=True)
    t.start()
    t.join()
    return out[0] if out else internal_error(RuntimeError("the judging thread returned nothing"))


@dataclass
class _Lane:
    worker: Worker | None = None
    conn: Any = None
    job: int | None = None  # the job it is judging
    started: float = 0.0  # time.perf_counter() when that job was sent

    def stop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
        if self.worker is not None:
            self.worker.stop()
        self.worker, self.conn, self.job = None, None, None


def run_jobs(jobs: list, answers: list, opts: Any, on_result: ResultFn, judge: JudgeFn,
             lanes: int | None = None) -> None:
    """Judge ``jobs`` (``(statement, scope)`` pairs) in worker lanes; ``on_result(k, verdict,
    seconds)`` is called once per job, in the order the verdicts arrive."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    # only earlier jobs can be waited for: the first job that waits is then always ready once
    # every lane is idle, so the loop below cannot stall
    uses = [sorted({j for j, *_rest in getattr(st, "rules", ()) if 0 <= j < k}) for k, (st, _scope) in enumerate(jobs)]
    statuses: dict[int, str] = {}
    pending = list(range(len(jobs)))
    pool = [_Lane() for _ in range(lane_count(len(jobs), lanes))]

    def finish(lane: _Lane, res: dict[str, Any]) -> None:
        k = lane.job
        assert k is not None
        statuses[k] = res.get("status", UNDECIDED)
        lane.job = None
        on_result(k, res, time.perf_counter() - lane.started)

    def dispatch(lane: _Lane) -> None:
        for pos, k in enumerate(pending):
            if all(j in statuses for j in uses[k]):
                break
        else:
            return
        del pending[pos]
        if lane.worker is None:
            parent, child = ctx.Pipe(duplex=True)
            lane.worker = start_worker(_serve, (child, jobs, answers, opts, judge))
            child.close()
            lane.conn = parent
        lane.job, lane.started = k, time.perf_counter()
        lane.conn.send((k, {j: statuses[j] for j in uses[k]}))

    try:
        while pending or any(lane.job is not None for lane in pool):
            for lane in pool:
                if lane.job is None and pending:
                    dispatch(lane)
            busy = [lane for lane in pool if lane.job is not None]
            now = time.perf_counter()
            waits = [opts.timeout - (now - lane.started) for lane in busy]
            if opts.deadline is not None:
                waits.append(opts.deadline - time.monotonic())
            ready = wait([lane.conn for lane in busy], timeout=max(0.0, min(waits)))
            if opts.deadline is not None and time.monotonic() >= opts.deadline and not ready:
                # the file's budget is spent: what is running and what waits are not judged
                for k in sorted([lane.job for lane in busy if lane.job is not None] + pending):
                    on_result(k, unjudged("the file budget was spent"), 0.0)
                return
            for lane in busy:
                if lane.conn in ready:
                    try:
                        _k, res = lane.conn.recv()
                    except (EOFError, OSError):
                        finish(lane, internal_error(RuntimeError("the worker died")))
                        lane.stop()
                        continue
                    finish(lane, res)
                elif time.perf_counter() - lane.started >= opts.timeout:
                    finish(lane, {"status": UNDECIDED,
                                  "scope": f"undecided: no verdict within the {opts.timeout:g} s limit",
                                  "reason": f"time limit {opts.timeout:g} s", "links": []})
                    lane.stop()  # the next job of this lane starts in a fresh fork
    finally:
        for lane in pool:
            lane.stop()
