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


def os_error_message(exc: OSError, what: str, verb: str = "write") -> str:
    """One line for a failed write: disk full and read-only file systems named as such."""
    import errno

    why = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
           errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied"}.get(
        exc.errno or 0, exc.strerror or str(exc))
    return f"cannot {verb} {what}: {why}"


def _mode_for(target: Path) -> int:
    """An existing file keeps its mode; a new one gets 0666 less the umask (mkstemp's 0600
    would hide a report from the rest of a course's staff)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


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
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise DeriveError(os_error_message(exc, repr(str(target)))) from None
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
def staged_directory(out_dir: str | os.PathLike[str], stale: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a fresh staging directory; on success its files replace those in ``out_dir``.

    Each file is moved into place with os.replace, after everything was produced; if the
    body raises (or the process is killed) the staging directory is discarded and
    ``out_dir`` keeps what it had.  Files of ``out_dir`` named in ``stale`` that the new
    run did not produce (last run's PDF beside a new .tex) are removed in the same move.
    Files get their mode from the umask (or keep the mode of the file they replace).
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
        try:
            _move_into(stage, target, stale)
        except OSError as exc:
            raise DeriveError(os_error_message(exc, f"into {str(target)!r}")) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _move_into(stage: Path, target: Path, stale: tuple[str, ...]) -> None:
    produced = set()
    for src in sorted(stage.rglob("*")):
        if src.is_file():
            dest = target / src.relative_to(stage)
            produced.add(dest.name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(src, _mode_for(dest))
            os.replace(src, dest)
    for name in stale:
        if name not in produced:
            with contextlib.suppress(FileNotFoundError):
                (target / name).unlink()
