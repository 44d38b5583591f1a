"""Run a function in a forked worker process that is killed at a time limit.

Symbolic simplification can run for minutes (or forever) on adversarial input; an alarm
in the main thread cannot interrupt SymPy's C-level loops reliably, so bounded work runs
in a child process (CONVENTIONS: killed at the limit).  Fork shares the parent's memory,
so the arguments need not be picklable; only the result travels back.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import traceback
from typing import Any, Callable

_CTX = mp.get_context("fork")


class Timeout(Exception):
    """The bounded call ran past its limit and was killed."""


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies (no orphaned SymPy loops when a
    worker that itself runs bounded work is killed at its own limit)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the parent's kill in run_bounded still applies
        pass


def _child(conn: Any, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    _die_with_parent()
    try:
        result = ("ok", fn(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        result = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=3))
    try:
        conn.send(result)
    except Exception as exc:  # unpicklable result
        conn.send(("error", f"result could not be sent back: {exc}", ""))
    finally:
        conn.close()
        os._exit(0)


def run_bounded(fn: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
    """Return ``fn(*args, **kwargs)`` computed in a child; raise :class:`Timeout` past
    ``timeout`` seconds, or ``RuntimeError`` with the child's error message."""
    parent, child = _CTX.Pipe(duplex=False)
    # not a daemon: bounded work may itself run bounded work (a claim check that runs the
    # symbolic prover); the child is killed in ``finally`` and dies with its parent
    proc = _CTX.Process(target=_child, args=(child, fn, args, kwargs), daemon=False)
    proc.start()
    child.close()
    try:
        if parent.poll(timeout):
            try:
                message = parent.recv()
            except EOFError:
                message = ("error", "worker died without an answer", "")
        else:
            raise Timeout(f"no answer within {timeout:g} s")
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1.0)
        parent.close()
    if message[0] == "ok":
        return message[1]
    raise RuntimeError(message[1])
