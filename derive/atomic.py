"""Atomic output: a file or a whole directory of outputs appears complete or not at all.

A failed or interrupted run must leave earlier outputs intact, so everything is written
to a temporary sibling first and moved into place with os.replace (atomic on POSIX).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import DeriveError


def _check_dir_writable(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise DeriveError(f"cannot write into {str(directory)!r}: it is not a directory")
    probe = directory
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise DeriveError(f"cannot write into {str(directory)!r}: permission denied")


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically (temp file in the same directory + rename)."""
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    target = Path(path)
    _check_dir_writable(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise DeriveError(f"cannot write {str(target)!r}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def _remove_stale_stages(target: Path) -> None:
    """Staging directories left by a killed run (its process is gone) are removed."""
    for stale in target.glob(".derive-stage-*"):
        try:
            pid = int(stale.name.split("-")[2])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(stale, ignore_errors=True)
        except (ValueError, IndexError, PermissionError, OSError):
            continue


@contextlib.contextmanager
def staged_directory(out_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh staging directory; on success its files replace those in ``out_dir``.

    Each file is moved into place with os.replace, after everything was produced; if the
    body raises (or the process is killed) the staging directory is discarded and
    ``out_dir`` keeps what it had.
    """
    target = Path(out_dir)
    _check_dir_writable(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        _remove_stale_stages(target)
        stage = Path(tempfile.mkdtemp(prefix=f".derive-stage-{os.getpid()}-", dir=target))
    except OSError as exc:
        raise DeriveError(f"cannot write into {str(target)!r}: {exc.strerror}") from None
    try:
        yield stage
        for src in sorted(stage.rglob("*")):
            if src.is_file():
                dest = target / src.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
