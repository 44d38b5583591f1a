"""Verification of generated code against independent references -> a Certificate.

A :class:`CodeCheck` is data: which function, how to draw its inputs (seeded, with a
stated distribution), an independent reference (simulation, forward pass, mpmath at
high precision) and a tolerance.  :func:`verify_entry` checks every derivation step,
every answer, and every check on every backend, and returns a :class:`Certificate`
whose JSON is identical for the same seed (no timings, no timestamps).
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .check import CheckSettings
from .emit import codegen
from .verdict import combine_statuses, dumps

Array = Any


@dataclass(frozen=True)
class CodeCheck:
    """One verification of a generated function.

    ``make_inputs(rng)`` returns the keyword arguments (rng is ``numpy.random.Generator``
    seeded from the certificate seed); ``reference(inputs)`` computes the expected value
    independently; ``observe(output, inputs)`` turns the function's output into what the
    reference computes (e.g. convolve the kernel with an input sequence); errors are
    normwise relative, max|x - ref| / max|ref|, computed in float64 unless the reference
    returns mpmath values (then at the reference's precision).
    """

    label: str
    function: str
    make_inputs: Callable[[np.random.Generator], dict[str, Any]]
    reference: Callable[[dict[str, Any]], Any]
    tol: float
    reference_kind: str  # e.g. "simulation (float64)", "mpmath simulation, 50 digits"
    inputs_text: str  # the stated input distribution and sizes
    observe: Callable[[Any, dict[str, Any]], Any] | None = None
    backends: tuple[str, ...] = ("numpy", "numba", "cupy")
    # how to measure the error, error(got, ref, inputs) -> float (default: normwise relative_error)
    error: Callable[[Any, Any, Any], float] | None = None


def relative_error(got: Any, ref: Any) -> float:
    """Normwise relative error; mpmath references are compared at their own precision."""
    if isinstance(ref, (list, tuple)) and ref and not isinstance(ref[0], (float, int, np.floating)):
        import mpmath

        g = [mpmath.mpf(float(x)) for x in np.asarray(got, dtype=np.float64).ravel()]
        r = [mpmath.mpf(x) for x in ref]
        if len(g) != len(r):
            return float("inf")
        den = max(abs(x) for x in r) or mpmath.mpf(1)
        return float(max(abs(a - b) for a, b in zip(g, r)) / den)
    g = np.asarray(got, dtype=np.float64)
    r = np.asarray(ref, dtype=np.float64)
    if g.shape != r.shape:
        return float("inf")
    den = np.max(np.abs(r)) if r.size else 1.0
    if not np.all(np.isfinite(g)) and not np.array_equal(np.isfinite(g), np.isfinite(r)):
        return float("inf")
    mask = np.isfinite(r)
    if den == 0 or not np.isfinite(den):
        den = np.max(np.abs(r[mask])) if mask.any() else 1.0
    return float(np.max(np.abs(g[mask] - r[mask])) / (den or 1.0)) if mask.any() else 0.0


def elementwise_relative_error(got: Any, ref: Any, inputs: Any = None) -> float:
    """max_i |x_i - ref_i| / |ref_i| (CONVENTIONS: scalar closed forms are judged elementwise).

    ``ref`` may hold mpmath values beyond the float64 range: there the output must be inf of
    the same sign, and a finite reference must give a finite output; both are exact
    requirements (any mismatch is an infinite error).  A zero reference needs an exact zero.
    """
    import mpmath

    big = mpmath.mpf("1.7976931348623157e308")
    g = np.asarray(got, dtype=np.float64).ravel()
    r = list(ref) if isinstance(ref, (list, tuple)) else list(np.asarray(ref, dtype=np.float64).ravel())
    if len(g) != len(r):
        return float("inf")
    worst = mpmath.mpf(0)
    for x, y in zip(g, r):
        y = mpmath.mpf(y)
        if abs(y) > big or mpmath.isinf(y):
            if not (np.isinf(x) and (x > 0) == (y > 0)):
                return float("inf")
            continue
        if not np.isfinite(x):
            return float("inf")
        if y == 0:
            if x != 0:
                return float("inf")
            continue
        worst = max(worst, abs(mpmath.mpf(float(x)) - y) / abs(y))
    return float(worst)


@dataclass
class Certificate:
    """What was verified, at which sizes, seeds and precision, with the errors measured."""

    derivation: str
    seed: int
    source_hash: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    code: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (all(s["status"] in ("proved", "verified") for s in self.steps)
                and all(a["status"] in ("proved", "verified") for a in self.answers)
                and all(c["passed"] for c in self.code))

    @property
    def status(self) -> str:
        statuses = [s["status"] for s in self.steps] + [a["status"] for a in self.answers]
        status = combine_statuses(statuses) if statuses else "verified"
        if status in ("proved", "verified") and not all(c["passed"] for c in self.code):
            return "failed"  # every step held, but some generated code did not verify
        return status

    def to_json(self) -> dict[str, Any]:
        import mpmath
        import sympy

        return {
            "derivation": self.derivation,
            "seed": self.seed,
            "source_sha256": self.source_hash,
            "passed": self.passed,
            "status": self.status,
            "steps": self.steps,
            "answers": self.answers,
            "code": self.code,
            "notes": self.notes,
            "versions": {"python": platform.python_version(), "sympy": sympy.__version__,
                         "numpy": np.__version__, "mpmath": mpmath.__version__, **_optional_versions()},
        }

    def dumps(self) -> str:
        return dumps(self.to_json())

    def digest(self) -> str:
        return hashlib.sha256(self.dumps().encode()).hexdigest()


def _optional_versions() -> dict[str, str]:
    out = {}
    for name in ("numba", "cupy"):
        try:
            mod = __import__(name)
            out[name] = getattr(mod, "__version__", "?")
        except Exception:  # noqa: BLE001 - an optional backend that does not import
            continue
    return out


def run_code_check(check: CodeCheck, module: Any, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    inputs = check.make_inputs(rng)
    fn = getattr(module, check.function)
    try:
        out = fn(**inputs)
        if hasattr(out, "get") and not isinstance(out, np.ndarray):  # a real cupy array
            out = out.get()
        got = check.observe(out, inputs) if check.observe else out
        ref = check.reference(inputs)
        err = check.error(got, ref, inputs) if check.error else relative_error(got, ref)
        problem = None
    except Exception as exc:  # noqa: BLE001 - a crashing kernel is a failed check, not a crash
        err, problem = float("inf"), f"{type(exc).__name__}: {exc}"
    rec = {"label": check.label, "function": check.function, "inputs": check.inputs_text,
           "reference": check.reference_kind, "tolerance": check.tol,
           "max_rel_error": err, "passed": bool(err <= check.tol)}
    if problem:
        rec["error"] = problem
    return rec


def verify_code(spec: codegen.ModuleSpec, checks: list[CodeCheck], seed: int,
                backends: tuple[str, ...] = ("numpy", "numba", "cupy"),
                progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    results = []
    for be in backends:
        stand_in = be == "cupy" and not codegen.backend_available("cupy")
        if be == "numba" and not codegen.backend_available("numba"):
            results.append({"backend": be, "skipped": "numba is not installed", "passed": False, "checks": []})
            continue
        try:
            path = codegen.write_module(spec, be)
            module = codegen.load_module(path, stand_in=stand_in)
        except Exception as exc:  # noqa: BLE001 - code that cannot be generated is not verified
            results.append({"backend": be, "error": f"{type(exc).__name__}: {exc}", "passed": False, "checks": []})
            continue
        recs = []
        for k, check in enumerate(checks):
            if be not in check.backends:
                continue
            if progress:
                progress(f"{be}: {check.label}")
            recs.append(run_code_check(check, module, seed * 1000 + k))
        results.append({
            "backend": be,
            "module": path.name,
            "ran_on": "numpy stand-in for cupy (no GPU here)" if stand_in else ("gpu" if be == "cupy" else "cpu"),
            "checks": recs,
            "passed": all(r["passed"] for r in recs),
        })
    return results


def verify_entry(entry: Any, *, seed: int = 0, settings: CheckSettings | None = None,
                 code: bool = True, progress: Callable[[str], None] | None = None) -> Certificate:
    """Check a registered derivation's steps and answers, and verify its generated code."""
    settings = settings or CheckSettings(seed=seed)
    derivation = entry.derivation()
    spec = entry.module_spec()
    cert = Certificate(entry.name, seed, source_hash(entry))
    checked = derivation.check(settings, progress=progress)
    from .emit.latex import latex

    for i, r in enumerate(checked.steps):
        cert.steps.append({"step": i + 1, "part": r.step.part, "reason": r.step.reason,
                           "claim": f"{latex(r.step.lhs)} {r.step.relation} {latex(r.step.rhs)}",
                           **r.verdict.to_json()})
    for ans, v in checked.answers:
        cert.answers.append({"part": ans.part, "label": ans.label, "value": ans.text, **v.to_json()})
    cert.notes.extend(derivation.notes)
    if code and spec is not None and entry.code_checks is not None:
        cert.code = verify_code(spec, entry.code_checks(), seed, progress=progress)
    return cert


def source_hash(entry: Any) -> str:
    """What a certificate certifies: the generated module's source expressions, or the
    derivation's steps for an entry without code."""
    spec = entry.module_spec()
    return spec.source_hash() if spec is not None else _derivation_hash(entry.derivation())


def certificate_path(name: str) -> Path:
    """Where ``derive verify`` keeps the certificate of a derivation (beside the generated code)."""
    return codegen.cache_directory().parent / "certificates" / f"{name}.json"


def cached_certificate(entry: Any, seed: int | None = None) -> dict[str, Any] | None:
    """The stored certificate if it certifies the current source (and ``seed``, if given)."""
    try:
        data = json.loads(certificate_path(entry.name).read_text())
    except (OSError, ValueError):
        return None
    if data.get("source_sha256") != source_hash(entry) or (seed is not None and data.get("seed") != seed):
        return None
    return data


def store_certificate(cert: Certificate) -> Path:
    from . import atomic

    return atomic.write_text(certificate_path(cert.derivation), cert.dumps(), make_parents=True)


def _derivation_hash(derivation: Any) -> str:
    import sympy as sp

    h = hashlib.sha256()
    for s in derivation.steps:
        h.update(sp.srepr(s.lhs).encode())
        h.update(sp.srepr(s.rhs).encode())
    return h.hexdigest()
