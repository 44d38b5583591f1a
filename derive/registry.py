"""The one registry of problems and derivations; every command looks names up here.

A catalogue is a directory of proof modules (``proofs/`` in the repository, shipped in
the wheel as ``derive/_catalogue/proofs``; users add their own with ``--proofs DIR`` or
``DERIVE_PROOFS``).  Each module calls :func:`register` at import time with an
:class:`Entry`; deriving is lazy (``Entry.derivation()`` runs the SymPy work once).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .errors import DeriveError, unknown_name

if TYPE_CHECKING:  # pragma: no cover
    from .derivation import Derivation
    from .emit.codegen import ModuleSpec
    from .verify import CodeCheck


@dataclass(frozen=True)
class Entry:
    """A registered derivation: how to derive it, what code to emit, how to verify it."""

    name: str
    title: str
    derive: Callable[[], "Derivation"]
    module: Callable[["Derivation"], "ModuleSpec"] | None = None
    code_checks: Callable[[], list["CodeCheck"]] | None = None
    summary: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    # figures for reports: name -> fn(derivation) returning a matplotlib Figure
    plots: dict[str, Callable[["Derivation"], Any]] = field(default_factory=dict, compare=False)
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def derivation(self) -> "Derivation":
        if "derivation" not in self._cache:
            self._cache["derivation"] = self.derive()
        return self._cache["derivation"]

    def __repr__(self) -> str:
        from .emit.text import rich_plain

        return f"<Entry {self.name}: {rich_plain(self.title)}>"

    def _repr_latex_(self) -> str:
        return self.derivation()._repr_latex_()

    def module_spec(self) -> "ModuleSpec | None":
        if self.module is None:
            return None
        if "module" not in self._cache:
            self._cache["module"] = self.module(self.derivation())
        return self._cache["module"]


class Registry:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._loaded: set[Path] = set()

    def register(self, entry: Entry) -> Entry:
        existing = self._entries.get(entry.name)
        if existing is not None and existing is not entry:
            if existing.derive.__module__ != entry.derive.__module__:
                raise DeriveError(f"two catalogue modules register {entry.name!r}")
        self._entries[entry.name] = entry
        return entry

    def names(self) -> list[str]:
        self.load_default()
        return sorted(self._entries)

    def get(self, name: str) -> Entry:
        self.load_default()
        try:
            return self._entries[name]
        except KeyError:
            raise unknown_name("derivation", name, list(self._entries)) from None

    def entries(self) -> list[Entry]:
        return [self._entries[n] for n in self.names()]

    def load_directory(self, directory: str | os.PathLike[str]) -> None:
        """Import every ``*.py`` in ``directory`` (not starting with ``_``) once."""
        path = Path(directory).resolve()
        if not path.is_dir():
            raise DeriveError(f"proofs directory {str(directory)!r} does not exist")
        if path in self._loaded:
            return
        self._loaded.add(path)
        for file in sorted(path.glob("*.py")):
            if file.name.startswith("_"):
                continue
            mod_name = f"derive_catalogue_{abs(hash(str(path))) % 10**8}_{file.stem}"
            if mod_name in sys.modules:
                continue
            spec = importlib.util.spec_from_file_location(mod_name, file)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[mod_name] = module
            try:
                spec.loader.exec_module(module)
            except DeriveError:
                raise
            except Exception as exc:
                del sys.modules[mod_name]
                raise DeriveError(f"cannot load proof module {str(file)!r}: {type(exc).__name__}: {exc}") from exc

    @cached_property
    def builtin_directory(self) -> Path:
        here = Path(__file__).resolve().parent
        for candidate in (here.parent / "proofs", here / "_catalogue" / "proofs"):
            if candidate.is_dir() and any(candidate.glob("*.py")):
                return candidate
        raise DeriveError("the built-in proofs catalogue is missing from this installation")

    def load_default(self) -> None:
        if self.builtin_directory not in self._loaded:
            self.load_directory(self.builtin_directory)
            for extra in filter(None, os.environ.get("DERIVE_PROOFS", "").split(os.pathsep)):
                self.load_directory(extra)


REGISTRY = Registry()


def register(entry: Entry) -> Entry:
    """Called by proof modules at import time."""
    return REGISTRY.register(entry)


def get(name: str) -> Entry:
    return REGISTRY.get(name)


def names() -> list[str]:
    return REGISTRY.names()
