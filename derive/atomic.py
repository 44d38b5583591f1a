"""Atomic output: a file or a whole directory of outputs appears complete or not at all.

A failed or interrupted run must leave earlier outputs intact, so everything is written
to a temporary sibling first and moved into place with os.replace (atomic on POSIX).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import DeriveError


def os_error_message(exc: OSError, what: str, verb: str = "write") -> str:
    """One line for a failed write: disk full and read-only file systems named as such."""
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


def check_output_dir(directory: str | os.PathLike[str]) -> Path:
    """Refuse a bad output directory before any work starts: it must be a directory (or not
    exist yet, inside an existing directory: a mistyped deep path is not created silently)
    and writable."""
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise DeriveError(f"cannot write into {str(target)!r}: it is not a directory")
    probe = target if target.exists() else target.parent
    if not probe.is_dir():
        raise DeriveError(f"cannot write into {str(target)!r}: {str(probe)!r} does not exist")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise DeriveError(f"cannot write into {str(target)!r}: permission denied")
    return target


def check_output_file(path: str | os.PathLike[str]) -> Path:
    """Refuse a bad output file before any work starts (a directory, a missing or read-only parent)."""
    target = Path(path)
    if target.is_dir():
        raise DeriveError(f"cannot write {str(target)!r}: it is a directory (give a file name)")
    if not target.parent.is_dir():
        raise DeriveError(f"cannot write {str(target)!r}: {str(target.parent)!r} does not exist")
    if not os.access(target.parent, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise DeriveError(f"cannot write {str(target)!r}: permission denied")
    return target


def write_text(path: str | os.PathLike[str], text: str, *, make_parents: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically (temp file in the same directory + rename).

    A user's target must be in an existing directory; the tool's own cache passes
    ``make_parents`` to create its folders."""
    return write_bytes(path, text.encode("utf-8"), make_parents=make_parents)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, make_parents: bool = False) -> Path:
    if make_parents:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeriveError(f"cannot create {str(Path(path).parent)!r}: {exc.strerror}") from None
    target = check_output_file(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise DeriveError(os_error_message(exc, repr(str(target)))) from None
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
    """
    with OutputWriter(out_dir).step(stale) as stage:
        yield stage


def publish(stage: Path, target: Path, stale: tuple[str, ...] = ()) -> list[Path]:
    """Move every file of ``stage`` into ``target`` (each by an atomic rename, with its mode
    from the umask or the file it replaces); returns them.  ``stale`` names not produced are
    removed."""
    moved = []
    try:
        for src in sorted(stage.rglob("*")):
            if src.is_file():
                dest = target / src.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(src, _mode_for(dest))
                os.replace(src, dest)
                moved.append(dest)
        produced = {p.name for p in moved}
        for name in stale:
            if name not in produced:
                with contextlib.suppress(FileNotFoundError):
                    (target / name).unlink()
    except OSError as exc:
        raise DeriveError(os_error_message(exc, f"into {str(target)!r}")) from None
    return moved


class OutputWriter:
    """The one way a command writes a set of outputs: the target is checked when the writer
    is made (before the work), each ``step()`` is staged and published when it succeeds, so
    what finished stays when a later step fails (the .tex and answers.json when the PDF step
    fails), and an interrupted step leaves the previous outputs intact."""

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.target = check_output_dir(out_dir)
        self.written: list[Path] = []

    @contextlib.contextmanager
    def step(self, stale: tuple[str, ...] = ()) -> Iterator[Path]:
        try:
            self.target.mkdir(exist_ok=True)
            _remove_stale_stages(self.target)
            stage = Path(tempfile.mkdtemp(prefix=f".derive-stage-{os.getpid()}-", dir=self.target))
        except OSError as exc:
            raise DeriveError(os_error_message(exc, f"into {str(self.target)!r}")) from None
        try:
            yield stage
            self.written = sorted(set(self.written) | set(publish(stage, self.target, stale)))
        finally:
            shutil.rmtree(stage, ignore_errors=True)
