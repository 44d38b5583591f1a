"""Stage 7, *judge* (sampling): the problem a claim is checked on where no registered problem
applies, built from the claim's free symbols (random sizes, non-symmetric matrices, scalars drawn
wide and at probe values, integer indices including their boundary, bounds read off the
hypotheses); a problem that samples under a claim's hypotheses (rejection); a problem that
caches its instances.
"""

from __future__ import annotations

import dataclasses
import random
import zlib
from typing import Any, Callable

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.core.sympify import _sympify  # strict: never parses a string
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..numeric import EvaluationError, as_scalar, evaluate, is_matrix
from ..problem import Dim, Index, Problem, Sampler, SizesRejected
from ..symbols import MatSeq
from .nodes import Elementwise
from .scope import Bound


INDEX_HIGH = 6  # generic integer indices are sampled in low..6
WIDE_INDEX_HIGH = 40  # ... and in low..40 when a claim is checked across its whole domain (see _wide_scalar)
WIDE_DIMS = (2, 3, 5, 9)
WIDE_EXPONENT = 4  # wide scalars reach 10^±4 in identities (cancellation stays far inside 50 digits)


# --- a problem built on the fly for generic identities ---------------------------------------------

_PROBES = (2.5, -2.5, 10, -10, 0.5, -0.5, 1000, -1000, 0.001, -0.001, 1, -1, 0, 37, -37)


def _wide_scalar(sampler: Sampler, interval: tuple[Any, bool, Any, bool] | None, exponent: int = 6,
                 draw: int = -1) -> Any:
    """A scalar across many orders of magnitude, both signs and near the ends of its allowed
    interval (the hypotheses'), so that an inequality that holds only on a narrow range fails.
    The first draws are fixed probes (the same for every seed, so a verdict cannot depend on
    the seed's luck); later ones are random.  Deterministic in the generator."""
    rng = sampler.rng
    lo, lo_open, hi, hi_open = interval if interval is not None else (None, True, None, True)

    def allowed(x: Any) -> bool:
        return (lo is None or x > lo or (x == lo and not lo_open)) and (hi is None or x < hi or (x == hi and not hi_open))

    if 0 <= draw < len(_PROBES):
        probe = mpmath.mpf(_PROBES[draw])
        if lo is not None and hi is not None:
            probe = lo + (hi - lo) * mpmath.mpf((draw * 7 % 11) + 0.5) / 12  # spread inside a bounded interval
        if allowed(probe):
            return probe
    for _ in range(50):
        kind = rng.random()
        if lo is not None and hi is not None:
            width = hi - lo
            if kind < 0.5:
                x = lo + width * mpmath.mpf(rng.random())
            else:  # near an end: 10^-1 .. 10^-6 of the width away
                gap = width * mpmath.mpf(10) ** (-rng.randint(1, 6))
                x = lo + gap if kind < 0.75 else hi - gap
        elif lo is not None or hi is not None:
            end, sign = (lo, 1) if lo is not None else (hi, -1)
            x = end + sign * mpmath.mpf(10) ** mpmath.mpf(rng.uniform(-exponent, exponent))
        elif kind < 0.35:
            x = mpmath.mpf(rng.uniform(-1, 1))
        else:
            x = (1 if rng.random() < 0.5 else -1) * mpmath.mpf(10) ** mpmath.mpf(rng.uniform(-exponent, exponent))
        if allowed(x):
            return x
    return sampler.scalar(-1, 1)


def scalar_intervals(relations: list[tuple[sp.Basic, str, sp.Basic]]) -> dict[sp.Basic, tuple[Any, bool, Any, bool]]:
    """Bounds ``x > 0``, ``0 < \\beta < 1`` on single scalar symbols, read off the hypotheses."""
    out: dict[sp.Basic, list] = {}
    for lhs, op, rhs in relations:
        if op == "!=":
            continue
        if isinstance(rhs, sp.Symbol) and lhs.is_number:
            lhs, rhs, op = rhs, lhs, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
        if not (isinstance(lhs, sp.Symbol) and rhs.is_number and rhs.is_real):
            continue
        b = out.setdefault(lhs, [None, True, None, True])
        v = mpmath.mpf(str(sp.N(rhs, 30)))
        if op in (">", ">=") and (b[0] is None or v >= b[0]):
            b[0], b[1] = v, op == ">"
        elif op in ("<", "<=") and (b[2] is None or v <= b[2]):
            b[2], b[3] = v, op == "<"
    return {k: tuple(v) for k, v in out.items()}


def shape_symbols(items: list) -> set:
    """The symbols that size a matrix anywhere in ``items`` (None entries skipped)."""
    out: set = set()
    for e in items:
        if e is None:
            continue
        for node in sp.preorder_traversal(e):
            if isinstance(node, MatrixExpr):
                for d in node.shape:
                    out |= _sympify(d).free_symbols
    return out


def generic_problem(bound: Bound, intervals: dict[sp.Basic, tuple[Any, bool, Any, bool]] | None = None,
                    wide: bool = False, exponent: int = 6, structure: list | None = None) -> Problem:
    """A Problem over the claim's free symbols: dims 2..4, indices 0..6, random values.

    ``intervals`` (from the hypotheses) bound scalars; ``wide`` draws scalars across many
    orders of magnitude (for inequalities, whose failures hide outside (-1, 1)); ``structure``
    (the document's stated structure, :mod:`derive.claims.structure`) gives matrices their kind
    (orthogonal, symmetric, spd, psd, diagonal, invertible), an SVD or an eigendecomposition."""
    intervals = intervals or {}
    entry_ranges = bound.extra.get("entry_ranges", [])
    dim_syms: set[sp.Symbol] = set(bound.dims)
    for info in bound.symbols.values():
        s = info.sympy
        if s is not None and isinstance(s, MatrixExpr):
            for d in s.shape:
                dim_syms |= {x for x in _sympify(d).free_symbols}
    dim_syms |= {x for x in shape_symbols(bound.items) if x.is_positive}
    for e in bound.items:  # a declared dimension used as a number (a sum's limit K)
        if e is not None:
            dim_syms |= {x for x in e.free_symbols
                         if isinstance(x, sp.Symbol) and x.is_integer and x.is_positive and x not in bound.indices}
    seqs = {k: i for k, i in bound.symbols.items() if i.kind == "seq"}
    entry_idx = {i for i, _d in bound.extra.get("entry_ranges", [])}
    index_syms = [s for s in bound.indices if s not in dim_syms and s not in entry_idx]
    dims = tuple(Dim(s, WIDE_DIMS if wide else (2, 3, 4)) for s in sorted(dim_syms, key=str))
    indices = tuple(Index(s, 0, WIDE_INDEX_HIGH if wide else INDEX_HIGH) for s in sorted(index_syms, key=str))
    infos = [i for i in bound.symbols.values() if i.kind in ("scalar", "matrix") and i.sympy is not None]
    seq_shapes: dict[str, tuple[Any, Any]] = {}
    for key, info in seqs.items():
        seq_shapes[key] = _seq_shape(bound, key)

    calls = [0]  # instances drawn so far: the first ones take the fixed probes
    plan = StructurePlan(structure or [], bound, seq_shapes)
    # max(s, 2) or [s > 3] of a vector compares its entries with a threshold: across magnitudes the
    # entries are drawn across magnitudes too (min(s, 2) = s holds for entries in (-1, 1))
    entrywise = wide and any(isinstance(x, Elementwise) for e in bound.items if e is not None
                             for x in sp.preorder_traversal(e))

    def sample(sampler: Sampler, sizes) -> dict[Any, Any]:
        vals: dict[Any, Any] = {}
        draw = calls[0]
        calls[0] += 1
        sizes = plan.tie(sizes, vals)
        for pos, info in enumerate(infos):
            s = info.sympy
            if isinstance(s, MatrixExpr):
                r, c = (int(_sympify(d).xreplace(sizes)) for d in s.shape)
                kind = "invertible" if info.invertible and r == c else "general"
                if plan.kinds.get(info.key):
                    m = plan.matrix(sampler, plan.kinds[info.key], r, c)
                    vals[s] = m
                    continue
                m = sampler.matrix(r, c, kind)
                if info.positive:
                    m = m.apply(lambda x: abs(x) + mpmath.mpf(1) / 4)
                if entrywise and not sampler.small:
                    m = m * mpmath.mpf(10) ** sampler.rng.randint(-exponent, exponent)
                vals[s] = m
            elif s in intervals or wide:
                iv = intervals.get(s)
                if info.positive and iv is None:
                    iv = (mpmath.mpf(0), True, None, True)
                vals[s] = _wide_scalar(sampler, iv, exponent, (draw + 5 * pos) % 64 if draw < 64 else -1) \
                    if not sampler.small else sampler.positive(0.25, 2) if info.positive else sampler.scalar(-1, 1)
            else:
                vals[s] = sampler.positive(0.25, 2) if info.positive else sampler.scalar(-1, 1)
        if seqs:
            vals["sequence seed"] = sampler.rng.randrange(2**31)
            vals["sequence small"] = int(sampler.small)
        for idx, dim in entry_ranges:  # an entry's index runs over 1..dim
            size = int(_sympify(dim).xreplace(sizes)) if not isinstance(dim, int) else dim
            vals[idx] = sampler.rng.randint(1, max(1, size))
        plan.composite(sampler, sizes, vals)
        return vals

    def reference(values: dict[Any, Any], dps: int) -> dict[str, Callable[..., Any]]:
        out: dict[str, Callable[..., Any]] = {}
        for key in seqs:
            rows, cols = seq_shapes[key]
            if key in plan.members:
                out[key] = plan.member(key, values)
                continue
            if key in plan.onehot:
                out[key] = plan.onehot_member(key, values)
                continue

            def element(*idx: int, key=key, rows=rows, cols=cols) -> Any:
                tag = f"{values['sequence seed']}|{key}|{idx}".encode()
                rng = random.Random(zlib.crc32(tag))
                s = Sampler(rng, dps, small=bool(values["sequence small"]))
                r = int(_sympify(rows).xreplace(values)) if rows is not None else 1
                c = int(_sympify(cols).xreplace(values)) if cols is not None else 1
                if r == 1 and c == 1 and rows is None:
                    # a family the binder marked positive (the standard deviations \tau_k of a KL of Gaussians)
                    return s.positive(0.25, 2) if seqs[key].positive else s.scalar(-1, 1)
                return s.matrix(r, c)

            out[key] = element
        return out

    return Problem(name="generic", title="generic identity", statement="", dims=dims, indices=indices,
                   sample_values=sample, reference=reference)


class StructurePlan:
    """How one claim's symbols are sampled under the document's stated structure.

    ``kinds``: matrix key -> orthogonal | symmetric | spd | psd | diagonal | invertible;
    ``ties``: dimension symbols that must be equal (a square orthogonal U); eigen and SVD facts
    are sampled as their factors (Q, λ; U, Σ, V) and the composite is built from them, with the
    members of the families (u_i the columns of Q, λ_i, σ_i) read off the same instance."""

    def __init__(self, structure: list, bound: Bound, seq_shapes: dict[str, tuple[Any, Any]]):
        self.kinds: dict[str, str] = {}
        self.eigen: list[dict] = []
        self.svd: list[dict] = []
        self.members: dict[str, tuple[str, int, str]] = {}  # seq key -> (slot, which, what)
        self.onehot: dict[str, Any] = {}  # seq key of a one-hot vector's entries y_k -> its length
        self.blocks: list[dict] = []  # a structured matrix given by its blocks (see _blocks)
        self.parent: dict[sp.Symbol, sp.Symbol] = {}
        syms = bound.symbols
        mats = {k: i.sympy for k, i in syms.items() if i.kind == "matrix" and isinstance(i.sympy, MatrixExpr)}
        seqkeys = {k + "_•": k for k, i in syms.items() if i.kind == "seq"}
        for kind, names, extra in structure:
            if kind in ("orthogonal", "symmetric", "spd", "psd", "diagonal", "invertible", "onehot"):
                for n in names:
                    if kind == "onehot" and n in syms and syms[n].kind == "seq":
                        length = onehot_length(bound, n)  # y_k, the entries of a one-hot y
                        if length is not None:
                            self.onehot[n] = length
                    # the strongest stated kind wins: "covariance" (psd), then "positive definite"
                    if n in mats and (self.kinds.get(n) in (None, "symmetric", "invertible")
                                      or (kind == "spd" and self.kinds.get(n) == "psd")):
                        self.kinds[n] = kind
                        if kind != "onehot":  # a one-hot vector is a column, not a square matrix
                            self._tie(*mats[n].shape)
            elif kind == "blocks":
                self._blocks(extra, mats)
            elif kind == "eigen":
                a, lam, vec = extra.get("matrix"), extra.get("values"), extra.get("vectors")
                slot = f"structure eigen {a}"
                e = {"slot": slot, "matrix": mats.get(a), "order": extra.get("order"), "sign": extra.get("sign"),
                     "size": mats[a].shape[0] if a in mats else None,
                     "Q": mats.get(extra.get("Q")), "L": mats.get(extra.get("L"))}
                for m in (mats.get(a), e["Q"], e["L"]):
                    if m is not None:
                        self._tie(*m.shape)
                        if e["size"] is None:
                            e["size"] = m.shape[0]
                        else:
                            self._tie(e["size"], m.shape[0])
                for k in (extra.get("Q"), extra.get("L")):
                    self.kinds.pop(k, None)
                for fam, what in ((lam, "value"), (vec, "vector")):
                    if fam in seqkeys:
                        key = seqkeys[fam]
                        self.members[key] = (slot, len(self.eigen), what)
                        rows = seq_shapes.get(key, (None, None))[0]
                        if what == "vector" and rows is not None:
                            if e["size"] is None:
                                e["size"] = rows
                            else:
                                self._tie(e["size"], rows)
                if e["size"] is not None:
                    self.eigen.append(e)
                    self.kinds.pop(a, None)
            elif kind == "svd":
                x, u, s_, v = (extra.get(k) for k in ("X", "U", "S", "V"))
                slot = f"structure svd {x}"
                e = {"slot": slot, "X": mats.get(x), "U": mats.get(u), "S": mats.get(s_), "V": mats.get(v)}
                rows = [m.shape[0] for m in (e["X"], e["U"], e["S"]) if m is not None] + \
                    ([e["U"].shape[1]] if e["U"] is not None else [])
                cols = [m.shape[1] for m in (e["X"], e["S"]) if m is not None] + \
                    ([d for d in e["V"].shape] if e["V"] is not None else [])
                for group in (rows, cols):
                    for d in group[1:]:
                        self._tie(group[0], d)
                e["rows"], e["cols"] = (rows[0] if rows else None), (cols[0] if cols else None)
                if e["rows"] is None or e["cols"] is None:
                    continue  # no factor fixes a size: nothing to build
                small = svd_values_family(s_)
                if small and small + "_•" in seqkeys:  # \sigma_i beside \Sigma (d_i beside D): its diagonal
                    self.members[seqkeys[small + "_•"]] = (slot, len(self.svd), "sigma")
                self.svd.append(e)
                for k in (x, u, s_, v):
                    self.kinds.pop(k, None)

    _STRENGTH = {"symmetric": 0, "psd": 1, "spd": 2}

    def _blocks(self, extra: dict, mats: dict[str, Any]) -> None:
        """A matrix stated spd / psd / symmetric and defined by a grid of blocks: block (i, j) is
        s_i x s_j, so the present blocks tie the sizes of their block row and column."""
        grid, kind = extra.get("grid"), extra.get("kind")
        if not grid or kind not in self._STRENGTH:
            return
        for e in self.blocks:
            if e["grid"] == grid:  # "covariance" (psd) and "positive definite": the stronger wins
                if self._STRENGTH[kind] > self._STRENGTH[e["kind"]]:
                    e["kind"] = kind
                return
        k = len(grid)
        sizes: list[Any] = []
        for i in range(k):
            group = [mats[grid[i][j]].shape[0] for j in range(k) if grid[i][j] in mats] + \
                [mats[grid[j][i]].shape[1] for j in range(k) if grid[j][i] in mats]
            for d in group[1:]:
                self._tie(group[0], d)
            sizes.append(group[0] if group else 2)  # a block row no block here fixes: any size
        self.blocks.append({"grid": grid, "kind": kind, "sizes": sizes,
                            "mats": {n: mats[n] for r in grid for n in r if n in mats}})
        for r in grid:
            for n in r:
                self.kinds.pop(n, None)

    # dimensions ------------------------------------------------------------------------------
    def _find(self, d: Any) -> Any:
        while d in self.parent:
            d = self.parent[d]
        return d

    def _tie(self, a: Any, b: Any) -> None:
        a, b = self._find(_sympify(a)), self._find(_sympify(b))
        if a == b:
            return
        if isinstance(b, sp.Symbol):
            self.parent[b] = a
        elif isinstance(a, sp.Symbol):
            self.parent[a] = b

    def tie(self, sizes: Any, vals: dict[Any, Any]) -> Any:
        if not self.parent:
            return sizes
        out = dict(sizes)
        for d in self.parent:
            root = self._find(d)
            value = int(_sympify(root).xreplace(out)) if not isinstance(root, int) else root
            out[d] = value
            vals[d] = value
        return out

    # values ----------------------------------------------------------------------------------
    @staticmethod
    def matrix(sampler: Sampler, kind: str, r: int, c: int) -> Any:
        if kind == "onehot":  # a standard basis vector: entries 0 or 1, summing to one
            if min(r, c) != 1:
                raise EvaluationError(f"a one-hot vector has one row or one column; the shape here is {r} x {c}")
            v = mpmath.zeros(r, c)
            v[sampler.rng.randrange(max(r, c))] = 1
            return v
        if r != c:
            raise EvaluationError(f"a {kind} matrix must be square; the shapes here are {r} x {c}")
        if kind == "psd":
            k = sampler.rng.randint(1, r)  # rank k: singular half the time or so
            b = sampler.matrix(r, k)
            return b * b.T
        if kind == "diagonal":
            return mpmath.diag([sampler.scalar(-2, 2) for _ in range(r)])
        return sampler.matrix(r, c, kind)

    def composite(self, sampler: Sampler, sizes: Any, vals: dict[Any, Any]) -> None:
        for e in self.blocks:  # the whole matrix drawn with its structure, then cut into blocks
            ns = [int(_sympify(d).xreplace(sizes)) for d in e["sizes"]]
            whole = self.matrix(sampler, e["kind"], sum(ns), sum(ns))
            starts = [sum(ns[:i]) for i in range(len(ns))]
            for i, row in enumerate(e["grid"]):
                for j, name in enumerate(row):
                    if name in e["mats"]:
                        block = mpmath.matrix(ns[i], ns[j])
                        for a in range(ns[i]):
                            for b in range(ns[j]):
                                block[a, b] = whole[starts[i] + a, starts[j] + b]
                        vals[e["mats"][name]] = block
        for key, length in self.onehot.items():  # which entry of the one-hot vector is 1
            try:
                n = int(_sympify(length).xreplace(sizes))
            except TypeError:
                raise EvaluationError(f"the length of the one-hot {key} is not a size of this instance") from None
            vals[f"structure onehot {key}"] = (sampler.rng.randint(1, max(1, n)), n)
        for e in self.eigen:
            n = int(_sympify(e["size"]).xreplace(sizes))
            q = sampler.matrix(n, n, "orthogonal")
            lam = _ordered(sampler, n, e["order"], e["sign"])
            vals[e["slot"]] = [q, lam]
            if e["matrix"] is not None:
                vals[e["matrix"]] = q * mpmath.diag(lam) * q.T
            if e["Q"] is not None:
                vals[e["Q"]] = q
            if e["L"] is not None:
                vals[e["L"]] = mpmath.diag(lam)
        for e in self.svd:
            m, n = (int(_sympify(e[k]).xreplace(sizes)) for k in ("rows", "cols"))
            u, v = sampler.matrix(m, m, "orthogonal"), sampler.matrix(n, n, "orthogonal")
            sig = _ordered(sampler, min(m, n), "desc", "pos")
            s = mpmath.matrix(m, n)
            for i, x in enumerate(sig):
                s[i, i] = x
            vals[e["slot"]] = [sig]
            for k, val in (("U", u), ("V", v), ("S", s), ("X", u * s * v.T)):
                if e[k] is not None:
                    vals[e[k]] = val

    @staticmethod
    def onehot_member(key: str, values: dict[Any, Any]) -> Callable[..., Any]:
        hot, n = values[f"structure onehot {key}"]

        def element(*idx: int) -> Any:
            if len(idx) != 1:
                raise EvaluationError(f"{key} takes one index")
            i = int(idx[0])
            if not 1 <= i <= n:
                raise EvaluationError(f"{key}_{i} is outside 1..{n}")
            return mpmath.mpf(1 if i == hot else 0)

        return element

    def member(self, key: str, values: dict[Any, Any]) -> Callable[..., Any]:
        slot, _which, what = self.members[key]

        def element(*idx: int) -> Any:
            data = values[slot]
            if len(idx) != 1:
                raise EvaluationError(f"{key} takes one index")
            i = int(idx[0])
            seq = data[0] if what == "sigma" else data[1] if what == "value" else None
            n = len(seq) if seq is not None else data[0].cols
            if not 1 <= i <= n:
                raise EvaluationError(f"{key}_{i} is outside 1..{n}")
            if what == "vector":
                q = data[0]
                return mpmath.matrix([[q[r, i - 1]] for r in range(q.rows)])
            return seq[i - 1]

        return element


def svd_values_family(s: str | None) -> str | None:
    """The family that names the diagonal of an SVD's middle factor: \\sigma_i beside \\Sigma, d_i
    beside D (the lower-case letter of the factor's name); None where there is none."""
    if not s:
        return None
    if s.startswith("\\"):
        small = "\\" + s[1:].lower()
    else:
        small = s.lower()
    return small if small != s and small.lstrip("\\").isalpha() else None


def onehot_length(bound: Bound, key: str) -> Any:
    """The length of a one-hot vector read through its entries (``L = -\\sum_{k=1}^K y_k \\log p_k``):
    the upper limit of the sums that run over ``y_k`` from 1, when they all agree and it is a size
    of the statement; None otherwise (the structure is then not sampled, see statement_judge._structure_unread)."""
    ends: set[Any] = set()
    for e in bound.items:
        if e is None:
            continue
        for node in sp.preorder_traversal(e):
            if not isinstance(node, sp.Sum) or len(node.limits) != 1:
                continue
            var, lo, hi = node.limits[0]
            if any(isinstance(f, AppliedUndef) and type(f).__name__ == key and f.args == (var,)
                   for f in sp.preorder_traversal(node.function)):
                if lo != 1:
                    return None
                ends.add(hi)
    if len(ends) != 1:
        return None
    (end,) = ends
    if not all(isinstance(x, sp.Symbol) and x.is_integer and x.is_positive for x in _sympify(end).free_symbols):
        return None
    return end


def _ordered(sampler: Sampler, n: int, order: str | None, sign: str | None) -> list:
    """n values, distinct; descending or ascending when stated, positive (or ≥ 0) when stated."""
    if sign == "pos":
        xs = [sampler.scalar(0.25, 3) for _ in range(n)]
    elif sign == "nonneg":
        xs = [sampler.scalar(0.25, 3) for _ in range(n)]
        if n > 1 and sampler.rng.random() < 0.5:
            xs[sampler.rng.randrange(n)] = mpmath.mpf(0)
    else:
        xs = [sampler.scalar(-3, 3) for _ in range(n)]
    if order == "desc":  # unstated: any order (a claim that needs one is undecided, see the judge)
        xs.sort(reverse=True)
    elif order == "asc":
        xs.sort()
    return xs


def _seq_shape(bound: Bound, key: str) -> tuple[Any, Any]:
    for e in bound.items:
        if e is None:
            continue
        for node in sp.preorder_traversal(e):
            if isinstance(node, MatSeq) and node.seq_name == key:
                return node.shape
    return (None, None)


def has_structure(m: Any, kind: str, dps: int) -> bool:
    """Whether a matrix value is symmetric / diagonal / orthogonal / spd / psd, to within the
    working precision."""
    if not is_matrix(m) or m.rows != m.cols:
        return False
    n = m.rows
    tol = mpmath.mpf(10) ** (10 - dps) * max([mpmath.mpf(1)] + [abs(m[i, j]) for i in range(n) for j in range(n)])
    if kind == "diagonal":
        return all(abs(m[i, j]) <= tol for i in range(n) for j in range(n) if i != j)
    if kind == "orthogonal":
        p = m.T * m
        return all(abs(p[i, j] - (1 if i == j else 0)) <= tol for i in range(n) for j in range(n))
    if not all(abs(m[i, j] - m[j, i]) <= tol for i in range(n) for j in range(i)):
        return False
    if kind == "symmetric":
        return True
    low = min(mpmath.eigsy(m, eigvals_only=True))
    return low > tol if kind == "spd" else low >= -tol


class HypothesisProblem(Problem):
    """A problem whose instances satisfy the document's hypotheses in scope (rejection
    sampling: an instance that violates one is drawn again, a bounded number of times)."""

    TRIES = 64

    @classmethod
    def wrap(cls, problem: Problem, relations: list[tuple[sp.Basic, str, sp.Basic]],
             assign: list[tuple[sp.Symbol, sp.Basic]] | None = None) -> "HypothesisProblem":
        """``assign``: equality hypotheses solved for one name each (``L = 2^N`` as L := 2^N); the
        name is set from the others' values after each draw, and the equation is checked again."""
        obj = cls(**{f.name: getattr(problem, f.name) for f in dataclasses.fields(problem)})
        object.__setattr__(obj, "_inner", problem)
        object.__setattr__(obj, "_relations", relations)
        object.__setattr__(obj, "_assign", list(assign or []))
        return obj

    def _apply_assignments(self, inst: Any) -> bool:
        """Set each solved name from the rest of the instance; False where a value is not a finite
        real (an integer for an integer name): such an instance does not satisfy the hypothesis."""
        # a later equation was solved with the earlier names substituted: its name comes first
        for sym, expr in reversed(self._assign):
            v = evaluate(expr, inst.values, inst.sequences, inst.dps)
            if is_matrix(v):  # a vector or matrix alone on one side (a = u + \mu u)
                if not all(mpmath.isfinite(v[i, j]) and not isinstance(v[i, j], mpmath.mpc)
                           for i in range(v.rows) for j in range(v.cols)):
                    return False
                inst.values[sym] = v
                continue
            v = as_scalar(v)
            if isinstance(v, mpmath.mpc) or not mpmath.isfinite(v):
                return False
            if isinstance(inst.values.get(sym), int) or sym.is_integer:
                if v != mpmath.nint(v):
                    return False
                v = int(mpmath.nint(v))
            inst.values[sym] = v
        return True

    def _holds(self, inst: Any) -> bool:
        for lhs, op, rhs in self._relations:
            left = evaluate(lhs, inst.values, inst.sequences, inst.dps)
            right = evaluate(rhs, inst.values, inst.sequences, inst.dps)
            if op == "=" and is_matrix(left) and is_matrix(right):
                if (left.rows, left.cols) != (right.rows, right.cols) or any(
                        abs(left[i, j] - right[i, j]) > mpmath.mpf(10) ** (10 - inst.dps) * max(
                            1, abs(left[i, j]), abs(right[i, j])) for i in range(left.rows) for j in range(left.cols)):
                    return False
                continue
            left, right = as_scalar(left), as_scalar(right)
            if isinstance(left, mpmath.mpc) or isinstance(right, mpmath.mpc):
                return False
            if op == "=":  # a solved equation, checked again at the instance's precision
                ok = abs(left - right) <= mpmath.mpf(10) ** (10 - inst.dps) * max(1, abs(left), abs(right))
            else:
                ok = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
                      "!=": left != right}[op]
            if not ok:
                return False
        return True

    def _sizes_hold(self, sizes: dict) -> bool:
        """The relations among dimensions and indices alone (n > m, j \\le m), checked on the drawn
        sizes before any matrix is drawn; a relation that cannot be evaluated there is left to
        :meth:`_holds`."""
        try:
            for lhs, op, rhs in self._size_relations:
                left = as_scalar(evaluate(lhs, sizes, {}, 30))
                right = as_scalar(evaluate(rhs, sizes, {}, 30))
                if isinstance(left, mpmath.mpc) or isinstance(right, mpmath.mpc):
                    return True
                if not {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
                        "!=": left != right}[op]:
                    return False
        except (EvaluationError, TypeError, ValueError, KeyError):
            return True
        return True

    def sample(self, rng, dps=50, *, small=False, fixed=None, ranges=None, accept=None):  # type: ignore[override]
        if not hasattr(self, "_size_relations"):
            sized = {d.symbol for d in self.dims} | {i.symbol for i in self.indices}
            object.__setattr__(self, "_size_relations", [
                (lhs, op, rhs) for lhs, op, rhs in self._relations
                if (_sympify(lhs).free_symbols | _sympify(rhs).free_symbols) <= sized])
        for k in range(self.TRIES):
            try:
                inst = self._inner.sample(rng, dps, small=small, fixed=fixed if k == 0 else None, ranges=ranges,
                                          accept=self._sizes_hold if self._size_relations else None)
            except SizesRejected:
                continue
            try:
                if self._apply_assignments(inst) and self._holds(inst):
                    return inst
            except EvaluationError:
                continue
        raise EvaluationError(f"no instance in {self.TRIES} draws satisfies the hypotheses in scope")


class CachedProblem(Problem):
    """A problem whose instances are remembered for the claims of one document.

    ``check_equal`` draws the same instances for every claim (a fresh ``Random(seed)``), so a
    problem with an expensive reference (a minimiser, adjoints by differentiation of the loss)
    would recompute them per claim.  The key is the generator's state and the sampling
    arguments, so results are exactly those of an uncached problem."""

    @classmethod
    def wrap(cls, problem: Problem) -> "CachedProblem":
        obj = cls(**{f.name: getattr(problem, f.name) for f in dataclasses.fields(problem)})
        object.__setattr__(obj, "_cache", {})
        return obj

    def sample(self, rng, dps=50, *, small=False, fixed=None, ranges=None, accept=None):  # type: ignore[override]
        key = (rng.getstate(), dps, small, tuple(sorted((str(k), v) for k, v in (fixed or {}).items())),
               tuple(sorted((str(k), v) for k, v in (ranges or {}).items())))
        hit = self._cache.get(key)
        if hit is not None:
            rng.setstate(hit[1])
            return hit[0]
        inst = super().sample(rng, dps, small=small, fixed=fixed, ranges=ranges, accept=accept)
        if len(self._cache) < 4096:
            self._cache[key] = (inst, rng.getstate())
        return inst
