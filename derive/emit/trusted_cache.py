"""The generated-code cache runs only what it checked.

An attacker (or a disk-full event) can leave a forged or truncated ``__pycache__/*.pyc``
with the real file's timestamp and size, or a pickle in Numba's cache index; Python and
Numba would load either.  So:

* a generated module is compiled from bytes whose SHA-256 matched the text this process
  rendered (``write_checked`` records it); ``__pycache__`` bytecode is neither read nor
  written for it;
* Numba's cache files of a module (``__pycache__/<stem>.*.nbi|nbc``, Numba's in-tree
  layout) are used only if they match ``numba-manifest.json``, written when this process
  made them (sealed at exit); any other file there is discarded before Numba can read it;
* a corrupt entry is discarded and rebuilt with one warning on stderr.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from .. import atomic
from ..errors import DeriveError
from ..safe_io import read_bytes_bounded

MAX_MODULE_BYTES = 20_000_000
MANIFEST = "numba-manifest.json"
_EXPECTED: dict[str, str] = {}  # resolved module path -> the text this process rendered for it
_SEALING: set[str] = set()
_WARNED: set[str] = set()


def _key(path: Path) -> str:
    return os.path.realpath(path)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def warn_once(what: str, message: str) -> None:
    if what not in _WARNED:
        _WARNED.add(what)
        print(f"derive: warning: {message}", file=sys.stderr, flush=True)


def _current(path: Path) -> bytes | None:
    try:
        return read_bytes_bounded(path, MAX_MODULE_BYTES)
    except DeriveError:
        return None


def write_checked(path: Path, text: str) -> None:
    """Remember ``text`` as what ``path`` must hold, and write it unless it already does."""
    _EXPECTED[_key(path)] = text
    if _current(path) != text.encode("utf-8"):
        atomic.write_text(path, text, make_parents=True)


def checked_source(path: Path) -> str:
    """The source to compile for ``path``: its bytes if they hash to what was rendered for it;
    a file that does not (truncated, forged) is rewritten from the rendered text, with one
    warning.  A path this process did not render is refused."""
    expected = _EXPECTED.get(_key(path))
    if expected is None:
        raise DeriveError(f"{str(path)!r} was not generated in this run; generate it with write_module first")
    data = _current(path)
    want = expected.encode("utf-8")
    if data is None or _sha(data) != _sha(want):
        warn_once(str(path), f"generated module {path.name} did not match its source "
                             "(corrupt or changed): discarded and rebuilt")
        atomic.write_text(path, expected, make_parents=True)
        _discard_numba_entries(path)
    return expected


def _numba_files(path: Path) -> list[Path]:
    folder = path.parent / "__pycache__"
    if not folder.is_dir():
        return []
    prefix = f"{path.stem}."
    return sorted(p for p in folder.iterdir() if p.name.startswith(prefix) and p.suffix in (".nbi", ".nbc"))


def _manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads(read_bytes_bounded(folder / MANIFEST, 5_000_000))
    except (DeriveError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _discard_numba_entries(path: Path) -> None:
    for f in _numba_files(path):
        try:
            f.unlink()
        except OSError:
            pass


def check_numba_cache(path: Path) -> None:
    """Before Numba may read the cache of ``path``: every cache file of it must be in the
    manifest with its hash; otherwise the module's entries are discarded (one warning).
    What Numba writes while this process runs is sealed into the manifest at exit."""
    files = _numba_files(path)
    if files:
        known = _manifest(path.parent)
        bad = [f for f in files if known.get(f.name) != _sha(f.read_bytes())]
        if bad:
            warn_once(f"numba:{path}", f"Numba cache of {path.name} did not match its manifest "
                                       f"({bad[0].name}): discarded and rebuilt")
            _discard_numba_entries(path)
    key = _key(path)
    if key not in _SEALING:
        _SEALING.add(key)
        atexit.register(seal_numba_cache, path)


def seal_numba_cache(path: Path) -> None:
    """Record the hashes of the Numba cache files of ``path`` (they were made by this process)."""
    files = _numba_files(path)
    if not files:
        return
    known = _manifest(path.parent)
    known.update({f.name: _sha(f.read_bytes()) for f in files})
    known = {k: v for k, v in known.items() if (path.parent / "__pycache__" / k).exists()}
    try:
        atomic.write_text(path.parent / MANIFEST, json.dumps(known, indent=1, sort_keys=True))
    except (DeriveError, OSError):
        pass  # a read-only cache: the entries stay unsealed and are rebuilt next time


MIN_FREE_BYTES = 20 << 20  # a verification writes modules, Numba objects and certificates: a few MB


def require_writable(directory: Path) -> None:
    """Fail before the work, with the reason, if ``directory`` (the cache) cannot take writes:
    read-only, not a folder, or on a (nearly) full disk."""
    probe = directory
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    where = repr(str(directory))
    if not probe.is_dir():
        raise DeriveError(f"the cache {where} cannot be used: {str(probe)!r} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise DeriveError(f"the cache {where} is read-only (no write permission on {str(probe)!r}); "
                          "set DERIVE_CACHE to a writable folder")
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return
    if free < MIN_FREE_BYTES:
        raise DeriveError(f"the cache {where} is on a full disk ({free >> 20} MB free, "
                          f"{MIN_FREE_BYTES >> 20} MB needed); free space or set DERIVE_CACHE")
