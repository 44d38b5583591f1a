"""``derive grad EXPR --wrt VAR``: the gradient of a matrix expression by differentials.

The expression is read by the safe expression language of :mod:`derive.matcalc.language`
(never eval / sympify); the engine records every step (differential rules, trace moves,
rewrites), every step is checked numerically on random instances, the gradient entry by
entry against mpmath central differences of f.  ``--code numpy`` (or numba / cupy) also
emits the gradient as code and prints it only once it has been verified against mpmath
central differences on random inputs.

Exit codes: 0 everything verified, 1 a step refuted or the code not verified, 2 bad input,
3 some step undecided (including checks that ran past ``--timeout``).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from typing import Any

import sympy as sp

from .. import options
from ..check import CheckSettings
from ..check.worker import Timeout, run_bounded
from ..derivation import CheckedDerivation, Derivation, StepResult
from ..errors import DeriveError, ExitCode
from ..problem import Index
from ..verdict import PROVED, UNDECIDED, VERIFIED, Verdict

EXAMPLES = """examples:
  derive grad "-y^T log(softmax(W x))" --wrt W --assume "y one-hot"
  derive grad "norm(A x - b)^2 + lambda norm(x)^2" --wrt x --code numpy
  derive grad "logdet(X)" --wrt X --latex
  derive grad "tr(A^l)" --wrt A          (l: a symbolic integer, checked for l = 2..6)
  derive grad "-y^T log(softmax(W x))" --wrt W --assume "y one-hot" --hvp V   (∇²f[V] too)
language: products by juxtaposition or *, .* or ⊙ (Hadamard), ^T or ' (transpose), ^-1 or inv(),
  ^k / ^l (powers), tr, det, logdet, norm, sum, log, exp, sigmoid, tanh (elementwise), softmax;
  lower-case names are column vectors, upper-case names matrices, Greek words positive scalars."""


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "grad", help="gradient of a matrix expression by differentials, with checked steps",
        description=__doc__.split("\n\n")[0], epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("expression", help="a scalar expression, e.g. \"-y^T log(softmax(W x))\"")
    p.add_argument("--wrt", required=True, metavar="VAR", help="the vector or matrix to differentiate by")
    p.add_argument("--assume", action="append", default=[], metavar="TEXT",
                   help="'NAME one-hot' or 'NAME symmetric' (repeatable)")
    p.add_argument("--shape", action="append", default=[], metavar="NAME=RxC",
                   help="declare a shape, e.g. W=3x4 or lambda=scalar (repeatable); others are inferred")
    p.add_argument("--hvp", metavar="V", help="also derive the Hessian-vector product ∇²f[V] (V: a new name, "
                   "shaped like the variable)")
    p.add_argument("--code", choices=("numpy", "numba", "cupy"),
                   help="also print verified code for the gradient (and the Hessian-vector product)")
    p.add_argument("--latex", action="store_true", help="print the steps as LaTeX")
    p.add_argument("--seed", type=int, default=0, help="seed for the random instances (default 0)")
    p.add_argument("--instances", type=int, default=12, help="random instances per step (default 12, at most 50)")
    p.add_argument("--timeout", type=float, default=300.0,
                   help="seconds for all the checks (default 300); past it every step is undecided (exit 3)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..emit.latex import derivation_latex, latex
    from ..emit.text import text
    from ..matcalc import derive_gradient, derive_hessian_vector
    from ..matcalc.language import parse

    args.instances = options.count(args.instances, "--instances", 1, 50)
    args.timeout = options.seconds(args.timeout, "--timeout", cap=3600)
    parsed = parse(args.expression, shapes=args.shape, assume=args.assume)
    X = parsed.symbol(args.wrt)
    if not isinstance(X, sp.MatrixSymbol):
        raise DeriveError(f"--wrt {args.wrt}: differentiate with respect to a vector or a matrix, not a scalar")
    f = parsed.expr
    indices = tuple(Index(i, 2, 6) for i in parsed.indices)
    hv = None
    if args.hvp:
        if args.hvp in parsed.symbols or not args.hvp.isidentifier():
            raise DeriveError(f"--hvp {args.hvp!r}: give a new name for the direction (not one in the expression)")
        V = sp.MatrixSymbol(args.hvp, *X.shape)
        result, hv, derivation = derive_hessian_vector(f, X, V, assumptions=parsed.assumptions, kinds=parsed.kinds,
                                                       indices=indices)
    else:
        result, derivation = derive_gradient(f, X, assumptions=parsed.assumptions, kinds=parsed.kinds,
                                             indices=indices)
    checked = _check_bounded(derivation, CheckSettings(instances=args.instances, seed=args.seed), args.timeout)
    G = result.gradient

    if args.latex:
        print(derivation_latex(derivation))
        print(rf"\boxed{{\frac{{\partial f}}{{\partial {latex(X)}}} = {latex(G)}}}")
    else:
        _print_steps(checked, f, X, parsed, indices)
    lead = "% " if args.latex else ""
    print(f"{lead}∂f/∂{X.name} = {text(G)}")
    if hv is not None:
        print(f"{lead}∇²f[{args.hvp}] = {text(hv.gradient)}")
    status = checked.status
    code = {"proved": ExitCode.OK, "verified": ExitCode.OK, "refuted": ExitCode.FAILED,
            "undecided": ExitCode.UNDECIDED}[status]
    if args.code and code == ExitCode.OK:
        code = _emit_code(args, f, X, G, parsed, hv.gradient if hv is not None else None)
    return int(code)


def _check_bounded(derivation: Derivation, settings: CheckSettings, timeout: float) -> CheckedDerivation:
    """Check every step in a worker process killed at ``timeout`` seconds (CONVENTIONS:
    a check never hangs); on timeout or a worker failure every step is undecided."""
    # the worker is a daemon process, which may not fork the symbolic provers' own workers:
    # inside it the steps are checked numerically only
    numeric_only = dataclasses.replace(derivation, steps=tuple(dataclasses.replace(s, prover=None)
                                                               for s in derivation.steps))

    def verdicts() -> list[Verdict]:
        return [r.verdict for r in numeric_only.check(settings).steps]

    deadline = time.monotonic() + timeout
    try:
        found = run_bounded(verdicts, timeout=timeout)
    except Timeout:
        reason = f"the checks did not finish within {timeout:g} s"
        found = [Verdict(UNDECIDED, f"undecided: {reason}", reason=reason) for _ in derivation.steps]
    except RuntimeError as exc:
        reason = f"the check failed: {exc}"
        found = [Verdict(UNDECIDED, f"undecided: {reason}", reason=reason) for _ in derivation.steps]
    return CheckedDerivation(derivation, tuple(StepResult(s, v) for s, v in
                                              zip(derivation.steps, _prove(derivation, found, settings, deadline))), ())


def _prove(derivation: Derivation, found: list[Verdict], settings: CheckSettings, deadline: float) -> list[Verdict]:
    """The symbolic attempts check_equal would make, here in the parent (each in its own
    bounded worker), for the numerically verified steps that have a prover, until the deadline."""
    out = []
    for step, v in zip(derivation.steps, found):
        left = deadline - time.monotonic()
        if step.prover is None or v.status != VERIFIED or left <= 0:
            out.append(v)
            continue
        try:
            method = run_bounded(step.prover, step.lhs, step.rhs, timeout=min(settings.symbolic_timeout, left))
        except (Timeout, RuntimeError):
            method = None
        out.append(dataclasses.replace(v, status=PROVED, scope=f"proved symbolically ({method}); also {v.scope}",
                                       method=method) if method else v)
    return out


def _print_steps(checked: CheckedDerivation, f: sp.Basic, X: sp.MatrixSymbol, parsed: Any,
                 indices: tuple[Index, ...]) -> None:
    from ..emit.text import text

    print(f"f = {text(f)}")
    if parsed.assumptions:
        print("assuming: " + "; ".join(parsed.assumptions.describe()))
    print(f"∂f/∂{X.name} by differentials; every step checked on random instances:")
    for i, r in enumerate(checked.steps, 1):
        v = r.verdict
        mark = {"proved": "proved", "verified": "ok"}.get(v.status, v.status.upper())
        print(f"  {i:2d}. {text(r.step.lhs)} = {text(r.step.rhs)}")
        detail = (f"{v.instances} instances, max rel diff {v.max_rel_diff:.0e}"
                  if v.ok and v.max_rel_diff is not None else v.scope)
        if v.status == PROVED:
            detail = f"{v.method}; also {detail}"
        print(f"      [{mark}] {r.step.reason} ({detail})")
    dims = sorted({str(d) for s in parsed.symbols.values() if isinstance(s, sp.MatrixSymbol)
                   for d in s.shape if not d.is_Integer})
    sizes = f"sizes {', '.join(dims)} drawn from 2..5" if dims else "declared sizes"
    extra = f"; {', '.join(str(i.symbol) for i in indices)} from 2..6" if indices else ""
    proved = sum(r.verdict.status == PROVED for r in checked.steps)
    print(f"status: {checked.status} ({len(checked.steps)} steps checked at 50 digits, {proved} of them also proved "
          f"symbolically; {sizes}{extra})")


def _emit_code(args: argparse.Namespace, f: sp.Basic, X: sp.MatrixSymbol, G: sp.Basic, parsed: Any,
               H: sp.Basic | None) -> int:
    from ..emit import codegen
    from ..matcalc.emit import ascii_text, formula_check, formula_function, function_arguments
    from ..verify import verify_code

    arguments = function_arguments(f, X, G)
    name = f"grad_{X.name}"
    functions = [formula_function(name, G, arguments, f"∂f/∂{X.name}.")]
    checks = [formula_check(f"{name} #{k + 1}", name, f, X, arguments, kinds=parsed.kinds, backends=(args.code,))
              for k in range(3)]
    if H is not None:
        V = sp.MatrixSymbol(args.hvp, *X.shape)
        h_args = function_arguments(f, X, H, [V])
        functions.append(formula_function(f"hvp_{X.name}", H, h_args, f"∇²f[{V.name}] (Hessian-vector product)."))
        checks += [formula_check(f"hvp_{X.name} #{k + 1}", f"hvp_{X.name}", f, X, h_args, kinds=parsed.kinds,
                                 hvp=V, backends=(args.code,)) for k in range(3)]
    spec = codegen.ModuleSpec(name=f"grad_{X.name}", source="grad",
                              doc=ascii_text(f"Gradient of f = {' '.join(args.expression.split())} "
                                             f"with respect to {X.name}."),
                              functions=tuple(functions))
    results = verify_code(spec, checks, args.seed, backends=(args.code,))
    res = results[0]
    if "skipped" in res or not res["passed"]:
        why = res.get("skipped") or "; ".join(f"{c['label']}: error {c['max_rel_error']:.1e}"
                                              f"{' ' + c['error'] if 'error' in c else ''}"
                                              for c in res["checks"] if not c["passed"])
        print(f"derive: error: the generated {args.code} code was not verified: {why}", file=sys.stderr)
        return int(ExitCode.FAILED)
    worst = max(c["max_rel_error"] for c in res["checks"])
    cert = (f"verified ({res['ran_on']}): {len(res['checks'])} random inputs, {checks[0].inputs_text}; "
            f"reference {'; '.join(dict.fromkeys(c.reference_kind for c in checks))}; "
            f"max relative error {worst:.1e} <= {checks[0].tol:.0e}")
    sys.stdout.write("\n" + codegen.render_module(spec, args.code, ascii_text(cert)))
    return int(ExitCode.OK)
