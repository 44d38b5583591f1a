"""The ``derive`` command line: list, show, code, verify, report, bench (+ plug-in commands).

Every command looks names up in the one registry; every failure the user can act on is a
one-line message on stderr with the shared exit codes (see :mod:`derive.errors`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Iterator

from . import __version__, atomic, options
from .errors import DeriveError, ExitCode, describe, unknown_name
from .progress import QUIET, Progress, verbosity
from .registry import REGISTRY
from .terminal import safe_text

STATUS_EXIT = {"proved": ExitCode.OK, "verified": ExitCode.OK, "refuted": ExitCode.FAILED,
               "undecided": ExitCode.UNDECIDED, "failed": ExitCode.FAILED}


# --- list / show ------------------------------------------------------------------------------------

def cmd_list(args: argparse.Namespace) -> int:
    from .emit.text import rich_plain

    entries = REGISTRY.entries()
    if args.json:
        print(json.dumps([{"name": e.name, "title": e.title, "summary": e.summary, "source": e.source,
                           "has_code": e.module is not None} for e in entries], indent=2, ensure_ascii=False))
        return 0
    width = max((len(e.name) for e in entries), default=4)
    for e in entries:
        print(f"{e.name:<{width}}  {rich_plain(e.title)}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from .emit.latex import derivation_latex
    from .emit.text import rich_plain, text

    entry = REGISTRY.get(args.name)
    d = entry.derivation()
    parts = {p.name: p for p in d.problem.parts}
    if args.part is not None and args.part not in d.part_names():
        raise DeriveError(f"{entry.name} has no part {args.part!r}; parts: {', '.join(sorted(d.part_names()))}")
    if args.latex:
        if d.steps_for(args.part):  # a part with answers only has no aligned block
            print(derivation_latex(d, args.part))
        for a in d.answers_for(args.part):
            print(f"% {rich_plain(a.label)}\n\\boxed{{{a.latex}}}")
        return 0
    print(f"{entry.name}: {rich_plain(entry.title)}")
    print(rich_plain(d.problem.statement))
    selected = [args.part] if args.part else d.part_names()
    for part in selected:
        question = parts[part].question if part in parts else ""
        print(f"\n({part}) {rich_plain(question)}")
        for s in d.steps_for(part):
            names = dict((s.problem or d.problem).latex_names)
            cond = f"   [{text(s.condition, names)}]" if s.condition is not None else ""
            print(f"    {text(s.lhs, names)} {s.relation} {text(s.rhs, names)}{cond}")
            print(f"        -- {rich_plain(s.reason)}")
        for a in d.answers_for(part):
            print(f"  answer: {rich_plain(a.label)} = {a.text}")
        for note in d.notes:
            if note.startswith(f"({part})"):
                print(f"  {rich_plain(note)}")
    if args.part is None and d.results:
        print("\nresults:")
        for key, expr in d.results.items():
            print(f"    {key} = {text(expr)}")
    return 0


# --- code / verify --------------------------------------------------------------------------------

def cmd_code(args: argparse.Namespace) -> int:
    from .emit import codegen

    entry = REGISTRY.get(args.name)
    codegen.backend(args.backend)
    if args.output:
        atomic.check_output_file(args.output)  # before the work, not after
    spec = entry.module_spec()
    if spec is None:
        with_code = [e.name for e in REGISTRY.entries() if e.module is not None]
        raise DeriveError(f"{entry.name} has no generated code; derivations with code: {', '.join(with_code)}")
    cert = _certificate_note(entry)
    source = codegen.render_module(spec, args.backend, cert)
    if args.output:
        atomic.write_text(args.output, source)
        if verbosity(args):
            print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(source)
    return 0


def _certificate_note(entry: Any) -> str:
    from .verify import cached_certificate, certificate_path

    data = cached_certificate(entry)
    if data is not None:
        return f"{certificate_path(entry.name)} ({data.get('status')}, seed {data.get('seed')})"
    if certificate_path(entry.name).exists():
        return f"stale certificate at {certificate_path(entry.name)} (source changed; run `derive verify {entry.name}`)"
    return f"not yet verified (run `derive verify {entry.name}`)"


def cmd_verify(args: argparse.Namespace) -> int:
    from .check import CheckSettings
    from .verify import store_certificate, verify_entry

    if args.all == bool(args.names):
        raise DeriveError("give derivation names or --all (not both)")
    entries = REGISTRY.entries() if args.all else [REGISTRY.get(n) for n in args.names]
    if not args.no_code:  # a read-only or full cache is reported before the work, not after it
        from .emit.codegen import cache_directory
        from .emit.trusted_cache import require_writable

        require_writable(cache_directory().parent)
    settings = CheckSettings(instances=args.instances, dps=args.dps, seed=args.seed)
    certs = []
    worst = ExitCode.OK
    level = QUIET if args.json else verbosity(args)
    progress = Progress(len(entries), verbosity=level)
    for entry in entries:
        progress.start(f"verifying {entry.name}")
        cert = verify_entry(entry, seed=args.seed, settings=settings, code=not args.no_code,
                            progress=progress.detail)
        certs.append(cert)
        if not args.no_code:
            store_certificate(cert)
        code = ExitCode.OK if cert.passed else STATUS_EXIT.get(cert.status, ExitCode.FAILED)
        if not cert.passed and code == ExitCode.OK:
            code = ExitCode.FAILED  # every step held but some generated code did not verify
        worst = max(worst, code, key=_severity)
        if not args.json:
            progress.clear()
            _print_certificate(cert)
    seconds = progress.finish()
    if args.json:
        payload: Any = certs[0].to_json() if len(certs) == 1 else [c.to_json() for c in certs]
        print(json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False))
    counts: dict[str, int] = {}
    for c in certs:
        key = "verified" if c.passed else c.status if c.status in ("refuted", "undecided") else "failed"
        counts[key] = counts.get(key, 0) + 1
    line = (f"{len(certs)} derivation{'s' if len(certs) != 1 else ''}: "
            + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + f" ({seconds:.0f} s, seed {args.seed})")
    print(line, file=sys.stderr if args.json else sys.stdout)
    return int(worst)


def _severity(code: int) -> int:
    """refuted/failed outranks undecided, which outranks success."""
    return {ExitCode.OK: 0, ExitCode.UNDECIDED: 1, ExitCode.FAILED: 2}.get(code, 3)


def _print_certificate(cert: Any) -> None:
    counts: dict[str, int] = {}
    for s in cert.steps + cert.answers:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    print(f"{cert.derivation}: {cert.status.upper()} — steps and answers: {summary}")
    for s in cert.steps + cert.answers:
        if s["status"] not in ("proved", "verified"):
            print(f"    {s['status']}: {s.get('reason') or s.get('label')}: {s['scope']}")
    for b in cert.code:
        if "skipped" in b or "error" in b:
            print(f"    code [{b['backend']}]: {'skipped' if 'skipped' in b else 'FAILED'} "
                  f"({b.get('skipped') or b.get('error')})")
            continue
        worst = max((c["max_rel_error"] for c in b["checks"]), default=0.0)
        mark = "ok" if b["passed"] else "FAILED"
        print(f"    code [{b['backend']}, {b['ran_on']}]: {mark}, {len(b['checks'])} checks, "
              f"max relative error {worst:.1e}")
        for c in b["checks"]:
            if not c["passed"]:
                print(f"        FAILED {c['label']}: {c['max_rel_error']:.2e} > {c['tolerance']:.0e} "
                      f"{c.get('error', '')}")


# --- report / bench ---------------------------------------------------------------------------------

def cmd_report(args: argparse.Namespace) -> int:
    from .reporting import build_report

    written, code = build_report(args.target, args.output, pdf=args.pdf, check=args.check, problem=args.problem)
    for path in written:
        print(f"wrote {path}")
    return code


def cmd_bench(args: argparse.Namespace) -> int:
    root = Path(__file__).resolve().parent.parent / "benchmarks"
    if not root.is_dir():
        raise DeriveError("benchmarks/ is only in a source checkout of derive")
    scripts = sorted(root.glob("bench_*.py"))
    # bench names are spelled like derivation names (ssm-kernel); bench_ssm_kernel.py also answers to ssm_kernel
    names = {p.stem.removeprefix("bench_").replace("_", "-"): p for p in scripts}
    wanted = [n.replace("_", "-") for n in args.names]
    chosen = [names.get(n) for n in wanted] if wanted else scripts
    if None in chosen:
        bad = [n for n in wanted if n not in names]
        raise unknown_name("benchmark", bad[0], list(names))
    # the anchors benchmark times generated code against ../shared/anchors/perf_anchors.py
    anchors = Path(args.anchors) if args.anchors else root.parent.parent / "shared" / "anchors" / "perf_anchors.py"
    if names.get("anchors") in chosen and not anchors.is_file():
        raise DeriveError(f"anchor file not found: {anchors} (pass --anchors PATH)", ExitCode.MISSING_TOOL)
    status = 0
    for script in chosen:
        if verbosity(args):
            print(f"== {script.name}", flush=True)
        extra = ["--anchors", str(anchors)] if script == names.get("anchors") else []
        status |= subprocess.call([sys.executable, str(script), *extra], cwd=root.parent)
    return 1 if status else 0


# --- wiring -----------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise DeriveError(f"{message} (see `{self.prog} --help`)", ExitCode.USAGE)


def _common_flags(p: argparse.ArgumentParser) -> None:
    """--quiet / --verbose, the same on every command (plug-ins included)."""
    have = {s for a in p._actions for s in a.option_strings}
    group = p.add_mutually_exclusive_group()
    if "--quiet" not in have:
        group.add_argument("-q", "--quiet", action="store_true", help="no progress, only results and errors")
    if "--verbose" not in have:
        group.add_argument("-v", "--verbose", action="store_true", help="progress of every step")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="derive", description="Derive, check and ship the mathematics of machine learning.")
    parser.add_argument("--proofs", action="append", default=[], metavar="DIR",
                        help="an extra directory of proof modules (repeatable)")
    parser.add_argument("--version", action="version", version=f"derive {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("list", help="list the registered derivations")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="show a derivation's steps and answers")
    p.add_argument("name")
    p.add_argument("--part", help="only this part (a, b, ...)")
    p.add_argument("--latex", action="store_true", help="print LaTeX (aligned steps, boxed answers)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("code", help="print or write the generated module")
    p.add_argument("name")
    p.add_argument("--backend", required=True, help="numpy, numba or cupy")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_code)

    p = sub.add_parser("verify", help="check every step and verify the generated code")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--all", action="store_true", help="every registered derivation")
    p.add_argument("--json", action="store_true", help="print the certificate(s) as JSON")
    p.add_argument("--seed", type=int, default=0, help="seed for every random instance (default 0)")
    p.add_argument("--instances", type=options.argtype(options.count, "--instances", 1, 1000), default=12,
                   help="random instances per step (default 12)")
    p.add_argument("--dps", type=options.argtype(options.dps), default=50,
                   help=f"mpmath digits (default 50, at least {options.MIN_DPS})")
    p.add_argument("--no-code", action="store_true", help="check the derivation only")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("report", help="write a LaTeX report (and PDF with --pdf)")
    p.add_argument("target", help="a derivation name, a report definition, or with --check a claim file")
    p.add_argument("-o", "--output", required=True, help="output directory")
    p.add_argument("--pdf", action="store_true", help="also compile the PDF with latexmk")
    p.add_argument("--check", action="store_true", help="annotate a hand derivation (claim file)")
    p.add_argument("--problem", metavar="NAME", help="with --check: judge the claims under this problem")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("bench", help="run the benchmarks (source checkout only)")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--anchors", metavar="PATH",
                   help="the perf anchors file (default ../shared/anchors/perf_anchors.py beside the checkout)")
    p.set_defaults(func=cmd_bench)

    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        before = set(sub.choices)
        module.add_parser(sub)
        for name in set(sub.choices) - before:
            if sub.choices[name].get_default("func") is None:
                sub.choices[name].set_defaults(func=module.run)
    for p in set(sub.choices.values()):
        _common_flags(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        for directory in args.proofs:
            REGISTRY.load_directory(directory)
        with _warnings_as_notes():
            return int(args.func(args))
    except SystemExit:
        raise  # --help / --version
    except (Exception, KeyboardInterrupt) as exc:
        if os.environ.get("DERIVE_DEBUG") and not isinstance(exc, DeriveError):
            raise
        message, code = describe(exc)
        if message is not None:
            message = safe_text(message)  # file names and claim text may carry escape sequences
            print(f"derive: {message}" if code == 130 else f"derive: error: {message}", file=sys.stderr)
        return code


@contextlib.contextmanager
def _warnings_as_notes() -> Iterator[None]:
    """A library warning (NumPy's RuntimeWarning: overflow, ...) is the tool's business: it is
    recorded, not shown raw; with DERIVE_DEBUG=1 it is shown as one line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    if os.environ.get("DERIVE_DEBUG"):
        for w in caught:
            print(f"derive: warning: {w.category.__name__}: {w.message} ({w.filename}:{w.lineno})", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
