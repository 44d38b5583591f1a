"""Reading user files without trusting them: size checked before reading, special files and
symlinks in a submissions folder skipped and listed.

``read_text_bounded`` stats the file, refuses anything that is not a regular file or is
larger than the limit, then reads at most ``limit + 1`` bytes (the file may grow between
the stat and the read: a sparse 8 GB ``.md`` must never be read whole).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DeriveError
from .terminal import safe_text

MAX_TEXT_BYTES = 2_000_000  # a course submission is a few kB; 2 MB is generous


def _describe(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes_bounded(path: str | os.PathLike[str], limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else :class:`DeriveError`.

    Opened with O_NONBLOCK so that a FIFO cannot block the open; the type is checked on
    the open descriptor (no race between the check and the read)."""
    shown = safe_text(os.fspath(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise DeriveError(f"cannot read {shown!r}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DeriveError(f"{shown!r} is not a text file ({_describe(st.st_mode)})")
        if st.st_size > limit:
            raise DeriveError(f"{shown!r} is too large ({st.st_size} bytes; the limit is {limit})")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise DeriveError(f"cannot read {shown!r}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > limit:
        raise DeriveError(f"{shown!r} is too large (it grew past the limit of {limit} bytes while being read)")
    return b"".join(chunks)


def read_text_bounded(path: str | os.PathLike[str], limit: int = MAX_TEXT_BYTES) -> str:
    """The text of a regular UTF-8 file of at most ``limit`` bytes; :class:`DeriveError`
    "not a text file" or "too large" otherwise (exit 2).  The one reader of users' files."""
    data = read_bytes_bounded(path, limit)
    if b"\x00" in data:
        raise DeriveError(f"{safe_text(os.fspath(path))!r} is not a text file (it holds NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # random bytes, an ELF, a Latin-1 file: not a claim file we can read
        raise DeriveError(f"{safe_text(os.fspath(path))!r} is not a text file (not UTF-8)") from None


@dataclass
class Walk:
    """The files a folder walk found, and what it skipped (path, why) — never a silent drop."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def walk_files(root: Path, suffixes: tuple[str, ...]) -> Walk:
    """Regular files under ``root`` with one of ``suffixes``, in sorted order.

    Symlinks (to files or folders) are not followed: a submission could otherwise pull in a
    staff file.  FIFOs, devices and sockets are skipped.  Both are listed in ``skipped``."""
    out = Walk()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            out.skipped.append((folder, f"cannot list: {exc.strerror or exc}"))
            continue
        subfolders = []
        for e in entries:
            p = Path(e.path)
            try:
                if e.is_symlink():
                    out.skipped.append((p, "a symbolic link (not followed)"))
                elif e.is_dir(follow_symlinks=False):
                    subfolders.append(p)
                elif e.is_file(follow_symlinks=False):
                    if p.suffix.lower() in suffixes:
                        out.files.append(p)
                else:
                    mode = e.stat(follow_symlinks=False).st_mode
                    out.skipped.append((p, _describe(mode)))
            except OSError as exc:
                if exc.errno != errno.ENOENT:  # removed while walking: nothing to list
                    out.skipped.append((p, f"cannot inspect: {exc.strerror or exc}"))
        stack.extend(reversed(subfolders))
    out.files.sort()
    out.skipped.sort()
    return out
