"""Lowering of a cell's derived adjoints to a full BPTT pass (forward, then backward).

``BPTTPlan`` reads the engine's output (the collected adjoint expressions, the linear
edges, the weight edges) and hands the templates printed pieces:

* every sequence element ``v(t + k)`` becomes an array element: ``v[t + k, j]`` (Numba,
  a loop over the hidden index j) or the row ``v[t + k]`` (NumPy, vectorised over j);
  the pre-activations share one stacked array so the linear edges of one quantity are
  one GEMV per step and the weight gradients of one (input, lag) pair one GEMM;
* ``σ'(a_x) → x (1 − x)`` and ``f(a) → v`` where the cell defines ``v = f(a)``, so the
  backward pass reads stored activations instead of recomputing them;
* the weight gradients Σ_t ā^{(t)} v^{(t−k)⊤} become GEMMs after the loop.

The formulas come from the derivation and are printed by the backend's printer; the
templates hold only the loop structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from ..emit.code_printers import NumbaCodePrinter
from ..errors import DeriveError
from .cell import Elementwise, Linear, t
from .engine import Reverse, adjoint_order, bar
from .functions import sigma, sigma_prime

J = sp.Symbol("j", integer=True)
HS = sp.Symbol("H", integer=True)


def _sigma_code(self: sigma, printer: Any) -> str:
    return f"1.0 / (1.0 + {printer._module_format(printer._module + '.exp')}(-({printer._print(self.args[0])})))"


sigma._numpycode = _sigma_code  # type: ignore[attr-defined]
sigma._cupycode = _sigma_code  # type: ignore[attr-defined]


@dataclass(frozen=True)
class BPTTPlan:
    """Forward and backward pass of ``rev.cell`` over a sequence (``template="bptt"``)."""

    rev: Reverse
    template: str = "bptt"

    # --- layout --------------------------------------------------------------------------------
    @property
    def cell(self):
        return self.rev.cell

    @property
    def linear(self) -> list[str]:
        return [e.name for e in self.cell.equations if isinstance(e, Linear)]

    @property
    def hidden(self) -> list[str]:
        return [e.name for e in self.cell.equations if isinstance(e, Elementwise)]

    def _slot(self, name: str) -> int:
        return self.linear.index(name)

    def _element(self, name: str, shift: sp.Expr, vector: bool, adjoint: bool,
                 local: frozenset[str] | set[str] = frozenset(),
                 rolling: frozenset[str] | set[str] = frozenset()) -> sp.Basic:
        """The array element holding (the adjoint of) sequence ``name`` at t + shift; an
        adjoint in ``local`` lives in a loop variable (only read in the same step), one in
        ``rolling`` in a two-row buffer (only read in the same and the next step)."""
        if adjoint and name in local:
            return sp.Symbol(f"bar_{name}_")
        if adjoint and name in rolling:
            row = sp.Symbol("row_t" if shift == 0 else "row_next")  # t % 2 and (t + 1) % 2, set per step
            return sp.Indexed(sp.IndexedBase(f"bar_{name}"), *([row] if vector else [row, J]))
        idx: list[sp.Expr] = [t + shift]
        if name in self.linear:
            base = "Abar" if adjoint else "A"
            if vector:
                return sp.Indexed(sp.IndexedBase(base), t + shift, sp.Symbol(f"sl{self._slot(name)}"))
            return sp.Indexed(sp.IndexedBase(base), t + shift, J + self._slot(name) * HS)
        base = (f"bar_{name}" if adjoint else f"v_{name}")
        if not vector:
            idx.append(J)
        return sp.Indexed(sp.IndexedBase(base), *idx)

    def _lower(self, expr: sp.Expr, vector: bool, use_stored: bool = True,
               local: frozenset[str] | set[str] = frozenset(),
               rolling: frozenset[str] | set[str] = frozenset()) -> sp.Expr:
        """Stored activations for σ(a), σ'(a), f(a) (backward pass only); sequence
        elements to array elements."""
        defs = {}
        for e in self.cell.equations:
            if isinstance(e, Elementwise) and len(e.expr.args) == 1 and isinstance(e.expr.args[0], AppliedUndef) \
                    and e.expr.args[0].args == (t,):
                defs[(type(e.expr), type(e.expr.args[0]).__name__)] = e.name

        def stored(node: sp.Basic) -> sp.Basic:
            if isinstance(node, sp.Function) and len(node.args) == 1 and isinstance(node.args[0], AppliedUndef):
                inner = node.args[0]
                shift = inner.args[0] - t
                key = (type(node), type(inner).__name__)
                if key in defs:
                    return sp.Function(defs[key])(t + shift)
                if isinstance(node, sigma_prime) and (sigma, type(inner).__name__) in defs:
                    s = sp.Function(defs[(sigma, type(inner).__name__)])(t + shift)
                    return s * (1 - s)
            return node

        if use_stored:
            expr = expr.replace(lambda n: isinstance(n, (sigma, sigma_prime, sp.tanh)), stored)

        def place(node: AppliedUndef) -> sp.Basic:
            name = type(node).__name__
            shift = node.args[0] - t
            if name.startswith("bar_"):
                return self._element(name[4:], shift, vector, True, local, rolling)
            if name in self.cell.inputs or name == self.cell.target:
                return sp.Indexed(sp.IndexedBase(f"v_{name}"), *([t + shift] if vector else [t + shift, J]))
            return self._element(name, shift, vector, False)

        return expr.replace(lambda n: isinstance(n, AppliedUndef), place)

    # --- what the templates need ----------------------------------------------------------------
    @property
    def expression(self) -> sp.Basic:
        return sp.Tuple(*[sp.Eq(sp.Function(bar(n))(t), self.rev.adjoint_scalar(n)) for n in adjoint_order(self.cell)])

    def printer_settings(self) -> dict[str, Any]:
        return {}

    def _store(self, val: sp.Expr, forward: list[dict[str, Any]], stored: list[str], vector: bool) -> sp.Expr:
        """A backward common subexpression that the forward pass also computes (tanh c^{(t)}
        in the LSTM) is stored there once and read back: returns what the backward pass
        uses for ``val`` (a stored array element, or ``val`` itself), and edits ``forward``."""
        forward_arrays = {"A", *(f"v_{n}" for n in self.hidden), *(f"v_{n}" for n in self.cell.inputs)}
        indexed = val.atoms(sp.Indexed)
        rest = val.replace(lambda n: isinstance(n, sp.Indexed), lambda n: sp.Integer(1))
        if not indexed or rest.free_symbols - {t, J, HS} \
                or any(str(x.base.label) not in forward_arrays for x in indexed) or val.is_Atom:
            return val
        for step in forward:
            if step["kind"] != "elementwise":
                continue
            uses = [k for k, (_, value) in enumerate(step["lines"]) if value.has(val)]
            if not uses:
                continue
            name = f"stored{len(stored)}"
            stored.append(name)
            elem = sp.Indexed(sp.IndexedBase(f"v_{name}"), *([t] if vector else [t, J]))
            lines = step["lines"]
            step["lines"] = lines[:uses[0]] + [(elem, val)] + [
                (a, b.xreplace({val: elem}) if k >= uses[0] else b) for k, (a, b) in enumerate(lines) if k >= uses[0]]
            return elem
        return val

    def _groups(self, items: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
        """Split (slot, weight) pairs into runs of consecutive slots."""
        items = sorted(items)
        runs: list[list[tuple[int, str]]] = []
        for slot, w in items:
            if runs and runs[-1][-1][0] == slot - 1:
                runs[-1].append((slot, w))
            else:
                runs.append([(slot, w)])
        return runs

    def context(self, printer: Any) -> dict[str, Any]:
        vector = not isinstance(printer, NumbaCodePrinter)
        cell = self.cell
        # forward: per equation, in order; consecutive elementwise equations share one j loop
        forward: list[dict[str, Any]] = []
        input_terms: list[dict[str, Any]] = []
        for e in cell.equations:
            if isinstance(e, Linear):
                k = self._slot(e.name)
                terms = []
                for term in e.terms:
                    if term.var in cell.inputs:
                        input_terms.append({"w": term.weight, "k": k, "src": term.var})
                    else:
                        terms.append({"w": term.weight, "src": f"v_{term.var}", "lag": term.lag})
                forward.append({"kind": "linear", "k": k, "terms": terms})
            else:
                line = (self._element(e.name, 0, vector, False), self._lower(e.expr, vector, use_stored=False))
                if forward and forward[-1]["kind"] == "elementwise":
                    forward[-1]["lines"].append(line)
                else:
                    forward.append({"kind": "elementwise", "lines": [line]})
        # backward: phases; a quantity whose linear edges read same-step adjoints starts a new one
        gemv_id = 0
        transposed: list[dict[str, Any]] = []
        plan: list[dict[str, Any]] = []
        for n in adjoint_order(cell):
            entry = [c for c in self.rev.consumers(n) if c.weight is not None]
            gemvs = []
            for lag in sorted({c.lag for c in entry}):
                pairs = [(self._slot(c.consumer), c.weight) for c in entry if c.lag == lag]
                for run in self._groups(pairs):
                    name = f"WT{gemv_id}"
                    gemv_id += 1
                    transposed.append({"name": name, "weights": [w for _, w in run]})
                    gemvs.append({"name": name, "lo": run[0][0], "hi": run[-1][0] + 1, "lag": lag,
                                  "var": f"gemv{gemv_id - 1}", "weights": [w for _, w in run]})
            elementwise = sp.Add(*([self.rev.loss_partial] if n == cell.output else []),
                                 *[sp.Function(bar(c.consumer))(t + c.lag) * c.partial.subs(t, t + c.lag)
                                   for c in self.rev.consumers(n) if c.weight is None])
            same_step = any(g["lag"] == 0 for g in gemvs)
            phase = (plan[-1]["phase"] + (1 if same_step else 0)) if plan else 0
            plan.append({"name": n, "gemvs": gemvs, "expr": elementwise, "phase": phase})
        # an adjoint needs an array only if it is read at another step or in another phase
        phase_of = {item["name"]: item["phase"] for item in plan}
        needs_array = set(self.linear)
        for item in plan:
            for node in item["expr"].atoms(AppliedUndef):
                name = type(node).__name__
                if name.startswith("bar_"):
                    src = name[4:]
                    if node.args[0] != t or phase_of[src] != item["phase"]:
                        needs_array.add(src)
        local = {n for n in self.hidden if n not in needs_array}
        # an adjoint read only in its own step and the next one needs two rows, not T + 2: the
        # loop then streams one array fewer through memory (c̄ in the LSTM)
        reads: dict[str, set[sp.Expr]] = {}
        for item in plan:
            for node in item["expr"].atoms(AppliedUndef):
                if type(node).__name__.startswith("bar_"):
                    reads.setdefault(type(node).__name__[4:], set()).add(node.args[0] - t)
        rolling = frozenset(n for n in self.hidden if n not in local and reads.get(n, set()) <= {0, 1})
        # the backward buffers are reused across calls without zeroing: sound only because
        # every adjoint array is assigned (not accumulated) at every step t = 1..T
        if not needs_array <= {item["name"] for item in plan}:
            raise DeriveError(f"adjoints without an assignment: {sorted(needs_array - {i['name'] for i in plan})}")
        phases: list[dict[str, Any]] = []
        stored: list[str] = []
        tmp = sp.numbered_symbols("tmp")
        for ph in sorted(set(phase_of.values())):
            items = [item for item in plan if item["phase"] == ph]
            targets, values = [], []
            for item in items:
                value = self._lower(item["expr"], vector, local=local, rolling=rolling)
                for g in item["gemvs"]:
                    value += sp.Symbol(g["var"]) if vector else sp.Indexed(sp.IndexedBase(g["var"]), J)
                targets.append(self._element(item["name"], 0, vector, True, local=local, rolling=rolling))
                values.append(value)
            # common subexpressions (e.g. tanh c^{(t)} in two adjoints), each emitted before its first use
            reps, reduced = sp.cse(values, symbols=tmp, optimizations="basic")
            reps = [(sym, self._store(val, forward, stored, vector)) for sym, val in reps]
            emitted: set[sp.Symbol] = set()
            lines = []

            def emit(expr: sp.Basic) -> None:
                for sym, val in reps:
                    if sym not in emitted and sym in expr.free_symbols:
                        emit(val)
                        emitted.add(sym)
                        lines.append({"target": printer.doprint(sym), "value": printer.doprint(val)})

            for target, value in zip(targets, reduced):
                emit(value)
                lines.append({"target": printer.doprint(target), "value": printer.doprint(value)})
            phases.append({"lines": lines, "gemvs": [g for item in items for g in item["gemvs"]]})
        # weight gradients: one GEMM per (source, lag) run of consecutive slots
        gemms = []
        by_src: dict[tuple[str, int], list[tuple[int, str]]] = {}
        for we in self.rev.weight_edges:
            by_src.setdefault((we.var, we.lag), []).append((self._slot(we.consumer), we.weight))
        for (src, lag), pairs in by_src.items():
            for run in self._groups(pairs):
                gemms.append({"src": f"v_{src}", "lag": lag, "lo": run[0][0], "hi": run[-1][0] + 1,
                              "weights": [(w, slot - run[0][0]) for slot, w in run]})
        for step in forward:
            if step["kind"] == "elementwise":
                step["lines"] = [{"target": printer.doprint(a), "value": printer.doprint(b)} for a, b in step["lines"]]
        return {
            "weights": list(cell.weights), "inputs": list(cell.inputs), "target": cell.target,
            "output": cell.output, "hidden": self.hidden + stored, "nlin": len(self.linear), "states": list(cell.states),
            "forward": forward, "input_terms": input_terms, "phases": phases, "transposed": transposed,
            "gemms": gemms, "vector": vector,
            "rolling": sorted(rolling), "bar_arrays": [n for n in self.hidden if n not in local],
        }
