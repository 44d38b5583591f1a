"""Run a function in a forked worker process that is killed at a time limit.

Symbolic simplification can run for minutes (or forever) on adversarial input; an alarm
in the main thread cannot interrupt SymPy's C-level loops reliably, so bounded work runs
in a child process (CONVENTIONS: killed at the limit).  Fork shares the parent's memory,
so the arguments need not be picklable; only the result travels back.

Each worker leads its own process group and runs under an address-space limit
(``resource.setrlimit(RLIMIT_AS)``), so that a definition bomb ends as a ``MemoryError`` in
the worker instead of swapping the grader's machine, and a kill at the limit takes every
process the worker started with it.  Linux is the supported platform for these limits
(process groups and RLIMIT_AS are POSIX; PR_SET_PDEATHSIG is Linux only); elsewhere the
time limit still holds.

The API the claims judge calls: :func:`start_worker` (a started :class:`Worker` running
``target(*args)`` in a forked child, its own group, limited) and :meth:`Worker.stop` (kill
the whole group, reap the child); :func:`run_bounded` is both for one call, and :class:`BoundedCall` the same started now and
collected later.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import traceback
from typing import Any, Callable

_CTX = mp.get_context("fork")


# Address space of one worker (bytes) unless the caller says otherwise: room for SymPy on
# a large claim, far below what a definition bomb reaches.  DERIVE_WORKER_MEMORY_MB overrides.
DEFAULT_MEMORY_LIMIT = 4 << 30

# Set in a worker: bounded work it starts stays in its process group (one kill takes all).
_IN_WORKER = False


class Timeout(Exception):
    """The bounded call ran past its limit and was killed."""


def memory_limit(limit: int | None = None) -> int:
    """The address-space limit for a new worker: ``limit``, else DERIVE_WORKER_MEMORY_MB,
    else :data:`DEFAULT_MEMORY_LIMIT`; 0 means none."""
    if limit is not None:
        return int(limit)
    env = os.environ.get("DERIVE_WORKER_MEMORY_MB", "").strip()
    return int(env) << 20 if env.isdigit() else DEFAULT_MEMORY_LIMIT


def _limit_self(limit: int) -> None:
    """In the child: own process group (unless nested in a worker) and the memory limit."""
    global _IN_WORKER
    if not _IN_WORKER:
        try:
            os.setpgid(0, 0)
        except OSError:
            pass
    _IN_WORKER = True
    if limit > 0:
        try:
            import resource

            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
            if soft == resource.RLIM_INFINITY or soft > cap:
                resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        except (ImportError, ValueError, OSError):  # not POSIX: the time limit still holds
            pass


class Worker:
    """A started worker process (see :func:`start_worker`)."""

    def __init__(self, proc: Any, own_group: bool) -> None:
        self.proc = proc
        self.own_group = own_group

    @property
    def pid(self) -> int:
        return int(self.proc.pid)

    def is_alive(self) -> bool:
        return bool(self.proc.is_alive())

    def kill_group(self) -> None:
        """SIGKILL the worker and everything in its process group."""
        if self.own_group:
            try:
                os.killpg(self.pid, signal.SIGKILL)
                return
            except (ProcessLookupError, PermissionError):
                pass
        if self.proc.is_alive():
            self.proc.kill()

    def stop(self, wait: float = 1.0) -> None:
        """Kill the group (if anything of it is left) and reap the worker."""
        self.kill_group()
        self.proc.join(wait)

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _start(target: Callable[..., Any], args: tuple, limit: int) -> None:
    _limit_self(limit)
    target(*args)


def start_worker(target: Callable[..., Any], args: tuple = (), *, memory: int | None = None) -> Worker:
    """Fork a worker running ``target(*args)`` in its own process group under an
    address-space limit of ``memory`` bytes (default :func:`memory_limit`); stop it with
    :meth:`Worker.stop`.  A worker started inside a worker shares its group."""
    nested = _IN_WORKER
    # not a daemon: bounded work may itself run bounded work (a claim check that runs the
    # symbolic prover); the child is stopped by its caller and dies with its parent
    proc = _CTX.Process(target=_start, args=(target, args, memory_limit(memory)), daemon=False)
    proc.start()
    if not nested:
        try:  # both sides set the group: a kill right after the start must not miss it
            os.setpgid(proc.pid, proc.pid)
        except OSError:
            pass
    return Worker(proc, own_group=not nested)


def die_with_parent() -> None:
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
    die_with_parent()
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


class BoundedCall:
    """``fn(*args, **kwargs)`` started now in a child (as :func:`run_bounded` runs it), its answer
    collected later with :meth:`result` or dropped with :meth:`cancel`: the caller goes on with
    other work meanwhile (a numeric check while the symbolic prover runs on another core)."""

    def __init__(self, fn: Callable[..., Any], *args: Any, memory: int | None = None, **kwargs: Any) -> None:
        import time

        self.started = time.monotonic()
        self._parent, child = _CTX.Pipe(duplex=False)
        self._worker: Worker | None = start_worker(_child, (child, fn, args, kwargs), memory=memory)
        child.close()

    def result(self, timeout: float) -> Any:
        """The answer, waiting at most until ``timeout`` seconds after the start; raise
        :class:`Timeout` past it, or ``RuntimeError`` with the child's error message."""
        import time

        left = max(0.0, timeout - (time.monotonic() - self.started))
        try:
            if self._worker is None:
                raise RuntimeError("the call was cancelled")
            if self._parent.poll(left):
                try:
                    message = self._parent.recv()
                except EOFError:
                    message = ("error", "worker died without an answer", "")
            else:
                raise Timeout(f"no answer within {timeout:g} s")
        finally:
            self.cancel()
        if message[0] == "ok":
            return message[1]
        raise RuntimeError(message[1])

    def cancel(self) -> None:
        """Kill the child (if it still runs) and close the pipe; idempotent."""
        if self._worker is not None:
            self._worker.stop()
            self._parent.close()
            self._worker = None


def run_bounded(fn: Callable[..., Any], *args: Any, timeout: float, memory: int | None = None,
                **kwargs: Any) -> Any:
    """Return ``fn(*args, **kwargs)`` computed in a child; raise :class:`Timeout` past
    ``timeout`` seconds, or ``RuntimeError`` with the child's error message (a
    ``MemoryError: ...`` one past the address-space limit ``memory``, see :func:`start_worker`)."""
    return BoundedCall(fn, *args, memory=memory, **kwargs).result(timeout)
