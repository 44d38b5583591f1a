"""Code generation: a module spec, one config per backend, Jinja2 templates for the shape.

``ModuleSpec`` (what to generate: functions, each an argument list and a lowering plan)
is rendered for a ``Backend`` (printer class + template family + imports) into Python
source; the module is written atomically to a ``.py`` file (so Numba's ``cache=True``
works and tracebacks show the generated lines) and imported from there.

The cache checks what it runs (:mod:`derive.emit.trusted_cache`): a module is compiled from
the bytes whose hash matched what this process rendered (never from ``__pycache__``), and
Numba's cache files are used only when they match the manifest written when they were made.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import sympy as sp

from .. import atomic
from ..errors import DeriveError, unknown_name
from . import trusted_cache
from .code_printers import CuPyCodePrinter, NumbaCodePrinter, NumPyCodePrinter


@dataclass(frozen=True)
class Arg:
    """A function argument and how a 1-D/0-D input is read: ``matrix``, ``column`` (1-D
    becomes n x 1), ``row`` (1-D becomes 1 x n), ``matrix-or-scalar`` (0-D becomes 1 x 1),
    ``vector``, ``scalar`` (a float) or ``int``."""

    name: str
    role: str = "matrix"


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    args: tuple[Arg, ...]
    plan: Any  # a lowering plan: .template, .context(printer), .printer_settings(), .expression
    doc: str = ""


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    source: str  # the registered derivation it comes from
    doc: str
    functions: tuple[FunctionSpec, ...]

    def source_hash(self) -> str:
        """sha256 over the source expressions of every function (changes when they do)."""
        h = hashlib.sha256()
        for f in self.functions:
            h.update(f.name.encode())
            h.update(sp.srepr(f.plan.expression).encode())
            h.update(type(f.plan).__name__.encode())
        return h.hexdigest()


@dataclass(frozen=True)
class Backend:
    name: str
    printer: type
    family: str  # template family: "array" (NumPy-like module) or "numba"
    array_module: str
    imports: str
    requires: str | None = None  # module that must be importable to run the code


BACKENDS: dict[str, Backend] = {
    "numpy": Backend("numpy", NumPyCodePrinter, "array", "numpy", "import numpy\nimport numpy as np"),
    "numba": Backend("numba", NumbaCodePrinter, "numba", "numpy", "import numba\nimport numpy\nimport numpy as np",
                     requires="numba"),
    "cupy": Backend("cupy", CuPyCodePrinter, "array", "cupy", "import cupy\nimport numpy as np", requires="cupy"),
}


def backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        raise unknown_name("backend", name, list(BACKENDS)) from None


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("derive.emit", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["ndim_is_1"] = lambda name: f"{name}.ndim == 1"
    return env


_ENV = _environment()


def render_function(f: FunctionSpec, be: Backend) -> str:
    printer = be.printer(f.plan.printer_settings())
    ctx = f.plan.context(printer)
    template = _ENV.get_template(f"{f.plan.template}_{be.family}.py.j2")
    xp = "np" if be.array_module == "numpy" else be.array_module
    return template.render(name=f.name, args=f.args, doc=f.doc, xp=xp, **ctx).rstrip() + "\n"


def render_module(spec: ModuleSpec, backend_name: str, certificate: str = "not yet verified") -> str:
    from .. import __version__

    be = backend(backend_name)
    functions = [
        {"name": f.name, "expression": _one_line(f.plan.expression), "code": render_function(f, be).rstrip()}
        for f in spec.functions
    ]
    return _ENV.get_template("module.py.j2").render(
        version=__version__, spec=spec, backend=be, functions=functions,
        source_hash=spec.source_hash(), certificate=certificate,
    )


def _one_line(expr: sp.Basic) -> str:
    return " ".join(str(expr).split())


def cache_directory() -> Path:
    root = os.environ.get("DERIVE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "derive")
    return Path(root) / "generated"


def module_path(spec: ModuleSpec, backend_name: str, directory: Path | None = None) -> Path:
    directory = directory or cache_directory()
    return directory / f"{spec.name}_{backend_name}_{spec.source_hash()[:12]}.py"


def write_module(spec: ModuleSpec, backend_name: str, path: Path | None = None,
                 certificate: str = "not yet verified") -> Path:
    """Render and write the module atomically; returns its path.  The rendered text is
    remembered: :func:`load_module` runs the file only if it still holds exactly that."""
    target = path or module_path(spec, backend_name)
    text = render_module(spec, backend_name, certificate)
    trusted_cache.write_checked(target, text)
    return target


def numpy_standin() -> types.ModuleType:
    """A stand-in ``cupy`` module backed by NumPy, to run CuPy code where there is no GPU."""
    import numpy

    mod = types.ModuleType("cupy")
    mod.__dict__.update({k: getattr(numpy, k) for k in dir(numpy) if not k.startswith("__")})
    mod.asnumpy = numpy.asarray  # type: ignore[attr-defined]
    mod.__derive_standin__ = True  # type: ignore[attr-defined]
    return mod


def load_module(path: Path, *, stand_in: bool = False) -> types.ModuleType:
    """Import a generated module from its file.  ``stand_in`` runs CuPy code on NumPy.

    The source is compiled from the checked bytes (no bytecode is read or written); a file
    that no longer matches what :func:`write_module` wrote is rewritten first, with one warning."""
    name = f"derive_generated_{path.stem}{'_standin' if stand_in else ''}"
    source = trusted_cache.checked_source(path)
    trusted_cache.check_numba_cache(path)
    module = types.ModuleType(name)
    module.__file__ = str(path)
    saved = sys.modules.get("cupy")
    if stand_in:
        sys.modules["cupy"] = numpy_standin()
    sys.modules[name] = module  # Numba's cache locates the module's file through it
    try:
        code = compile(source, str(path), "exec", dont_inherit=True)
        exec(code, module.__dict__)  # noqa: S102 - the source this process rendered and checked
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        if stand_in:
            if saved is None:
                sys.modules.pop("cupy", None)
            else:
                sys.modules["cupy"] = saved
    return module


def backend_available(backend_name: str) -> bool:
    req = backend(backend_name).requires
    if req is None:
        return True
    if importlib.util.find_spec(req) is None:
        return False
    if req == "cupy":
        try:
            import cupy  # type: ignore[import-not-found]

            return cupy.cuda.runtime.getDeviceCount() > 0
        except Exception:  # noqa: BLE001 - no driver / no device
            return False
    return True
