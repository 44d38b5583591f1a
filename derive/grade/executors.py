"""Where submissions are judged: local worker processes (``--jobs``) or a Dask cluster.

Local: one forked process per submission, at most ``jobs`` at a time; a worker that dies
or outlives the budget is reported and the others go on (a pool would lose every task
of a crashed worker).  The checker keeps its own per-claim time limits inside each worker.
Dask: the same task function submitted to ``dask.distributed`` (no scheduler of our own).
"""

from __future__ import annotations

import multiprocessing as mp
import time
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable

from ..errors import DeriveError, ExitCode

Task = dict[str, Any]
Done = Callable[[Task, dict[str, Any] | None, str | None], None]  # (task, result, failure)


def _child(conn: Any, fn: Callable[[Task], dict[str, Any]], task: Task) -> None:
    try:
        result = fn(task)
    except DeriveError as exc:
        result = {"__error__": str(exc)}
    conn.send(result)
    conn.close()


def run_local(tasks: Iterable[Task], fn: Callable[[Task], dict[str, Any]], jobs: int, budget: float,
              done: Done) -> None:
    ctx = mp.get_context("fork")
    pending = list(tasks)
    running: dict[Any, tuple[Task, Any, float, Any]] = {}  # sentinel/conn -> (task, proc, start, conn)
    while pending or running:
        while pending and len(running) < max(1, jobs):
            task = pending.pop(0)
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(child, fn, task), daemon=False)
            proc.start()
            child.close()
            running[parent] = (task, proc, time.monotonic(), parent)
        ready = wait(list(running), timeout=0.2)
        for conn in ready:
            task, proc, _, _ = running.pop(conn)
            try:
                result = conn.recv()
            except (EOFError, OSError):
                result = None
            conn.close()
            proc.join(5)
            if result is None:
                done(task, None, f"its worker died (exit code {proc.exitcode})")
            elif "__error__" in result:
                done(task, None, result["__error__"])
            else:
                done(task, result, None)
        now = time.monotonic()
        for conn, (task, proc, start, _) in list(running.items()):
            if now - start > budget:
                proc.kill()
                proc.join()
                conn.close()
                del running[conn]
                done(task, None, f"cut by the budget of {budget:g} s per submission")


def _dask_task(fn: Callable[[Task], dict[str, Any]], task: Task) -> dict[str, Any]:
    # Dask starts its worker processes as daemons, and a daemon may not start processes; the
    # checker's per-claim limits need one (a claim that runs over is killed).  The checker
    # joins or kills every process it starts, so none outlives the task.
    config = mp.current_process()._config  # noqa: SLF001 - the flag has no public setter
    daemon = config.get("daemon")
    config["daemon"] = False
    try:
        return fn(task)
    except DeriveError as exc:
        return {"__error__": str(exc)}
    finally:
        if daemon:
            config["daemon"] = daemon


def require_dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise DeriveError("--executor dask needs dask.distributed: pip install 'derive[cluster]'",
                          ExitCode.MISSING_TOOL) from None
    return distributed


def run_dask(tasks: Iterable[Task], fn: Callable[[Task], dict[str, Any]], scheduler: str, budget: float,
             done: Done) -> None:
    distributed = require_dask()
    Client, as_completed = distributed.Client, distributed.as_completed
    try:
        client = Client(scheduler, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise DeriveError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from None
    try:
        tasks = list(tasks)
        futures = {client.submit(_dask_task, fn, t, pure=False, key=f"derive-grade-{t['key'][:24]}-{k}"): t
                   for k, t in enumerate(tasks)}
        waiting = dict(futures)
        try:
            for future in as_completed(futures, timeout=budget * max(1, len(tasks))):
                task = waiting.pop(future)
                _collect(future, task, done)
        except TimeoutError:
            for future, task in waiting.items():
                future.cancel()
                done(task, None, f"cut by the budget of {budget:g} s per submission")
    finally:
        client.close()


def _collect(future: Any, task: Task, done: Done) -> None:
    try:
        result = future.result()
    except Exception as exc:  # noqa: BLE001 - a worker's failure is reported, the others go on
        done(task, None, f"its Dask task failed: {type(exc).__name__}: {exc}")
        return
    if "__error__" in result:
        done(task, None, result["__error__"])
    else:
        done(task, result, None)
