"""Stage 6, *bind*: give parsed LaTeX a meaning (the entry points).

:func:`bind_chain` binds a statement's items under the readings tried in order
(:data:`HYPOTHESES`): the scope is in ``scope.py``, naming and shape inference in
``inference.py``, the tree -> SymPy step in ``builder.py``; a statement's condition and the
index names it uses are bound here.
"""

from __future__ import annotations

import sympy as sp

from . import probability
from .builder import Builder
from .indexing import condition_ranges, stated_limits
from .inference import Inference, names_in
from .latex_parser import GREEK, Node, to_text
from .scope import BindError, Bound, Scope, ShapeError


HYPOTHESES = ("matrices, vectors and scalars by letter case",
              "upper case matrices, lower case (Latin and Greek) vectors",
              "upper case matrices, everything else scalar",
              "all scalars")


# --- statements -----------------------------------------------------------------------------------

def collect_index_names(trees: list[Node], scope: Scope) -> set[str]:
    """Names used as integers: in exponents, sum limits, time indices, index subscripts."""
    out: set[str] = set(scope.index_symbols) | scope.integer_names  # k \in \mathbb{N}: an integer
    out |= _reached_sum_limits(trees, scope)
    for tree in trees:
        for n in tree.walk():
            if n.kind == "pow" and not (n.args[0].kind == "name" and n.args[0].value == "e"
                                        and n.args[0].args == (None, None)):  # e^{-z}: z is real
                exp = n.args[1]
                for x in exp.walk():
                    if x.kind == "name" and x.args == (None, None) and (len(x.value) == 1 or x.value == "\\ell") \
                            and x.value.isascii() and (x.value.islower() or x.value == "\\ell"):
                        out.add(to_text(x))
            elif n.kind in ("sum", "prod"):
                limits = stated_limits(n, scope) if n.args[2] is None and n.args[3] is None else None
                for part in list(n.args[1:]) + list(limits or ()):  # \sum_\ell restating a defined sum: its limits
                    if part is not None:
                        for x in part.walk():
                            if x.kind == "name" and x.args == (None, None):
                                out.add(to_text(x))
            elif n.kind == "name":
                sub, time = n.args
                if time is not None:
                    out.update(to_text(x) for x in time.walk() if x.kind == "name")
                if sub is not None and any(x.kind in ("add", "sub", "num") for x in sub.walk()):
                    out.update(to_text(x) for x in sub.walk() if x.kind == "name")
    return out


MAX_REACHED_DEFS = 40  # definitions walked for the limits of their sums


def _reached_sum_limits(trees: list[Node], scope: Scope) -> set[str]:
    """The upper limits of the sums in the definitions a statement reaches (n of L(w) = 1/n \\sum_{i=1}^n
    ...): the same n in the statement is that integer, not a real number."""
    out: set[str] = set()
    seen: set[str] = set()
    stack = [n for tree in trees for n in tree.walk() if n.kind in ("name", "func", "apply")]
    while stack and len(seen) < MAX_REACHED_DEFS:
        n = stack.pop()
        key = to_text(n.args[0]) if n.kind == "apply" else (n.value if n.kind == "func" else to_text(n))
        body = scope.defs.get(key)
        if body is None and key in scope.funcs:
            body = scope.funcs[key][1]
        if body is None or key in seen:
            continue
        seen.add(key)
        limits, uses = _limits_and_uses(body)
        out |= {k for k in limits if k not in scope.defs}
        stack.extend(uses)
    return out


_LIMITS_SEEN: dict[int, tuple[Node, set[str], list[Node]]] = {}  # id(body) -> (body, its limits, names it uses)


def _limits_and_uses(body: Node) -> tuple[set[str], list[Node]]:
    """The plain-name upper limits of ``body``'s sums and the names it uses (cached: the definitions of a
    document are walked once, not once per statement)."""
    hit = _LIMITS_SEEN.get(id(body))
    if hit is not None and hit[0] is body:
        return hit[1], hit[2]
    limits: set[str] = set()
    uses: list[Node] = []
    for x in body.walk():
        if x.kind in ("sum", "prod") and x.args[3] is not None and x.args[3].kind == "name" \
                and x.args[3].args == (None, None):
            limits.add(to_text(x.args[3]))
        elif x.kind in ("name", "func", "apply"):
            uses.append(x)
    if len(_LIMITS_SEEN) > 4096:
        _LIMITS_SEEN.clear()
    _LIMITS_SEEN[id(body)] = (body, limits, uses)
    return limits, uses


def bind_chain(items: list[Node], ops: list[str], scope: Scope, condition: Node | None = None,
               hypotheses: tuple[int, ...] = (0, 1, 2, 3), pairs: list[tuple[int, int]] | None = None,
               scalar_items: set[int] | None = None, index_extra: set[str] | None = None,
               index_ranges: list[Node] | None = None) -> Bound:
    """Bind a relation chain under the first hypothesis whose shapes fit.

    ``pairs`` says which items are compared (default: neighbours of the chain); ``index_ranges``
    are hypotheses in scope that may state an index's range (``i = 1, \\dots, n``): a ``\\sum_i``
    without limits runs over it (the statement's own condition first)."""
    if pairs is None:
        pairs = [(i, i + 1) for i in range(len(items) - 1)]
    probability.check_relation(items, ops, scalar_items)  # an inequality between moments: not judged
    index_names = collect_index_names(items + ([condition] if condition else []), scope) | (index_extra or set())
    last: BindError | None = None
    fallback: Bound | None = None
    clashes: set[frozenset | None] = set()
    # names the statement uses whole (y in p - y): their y_k in a definition are its entries
    whole = {to_text(x) for it in items for x in names_used_whole(it)}
    for h, override, label in _hypotheses(items, scope, index_names, hypotheses):
        if scope.problem is not None and (h > 0 or override):
            break
        inf = Inference(scope, h, index_names, override)
        for h in index_ranges or ():
            inf.hypothesis_ranges.update(condition_ranges(h))
        inf.condition_ranges.update(condition_ranges(condition))
        inf.whole_names = whole
        inf.varied = _varied_names(items)
        inf.hold_derivative_members(items)
        try:
            used = {i for pair in pairs for i in pair} if pairs or len(items) > 1 else {0}
            ts = [inf.infer(it) if i in used else None for i, it in enumerate(items)]
            for i in scalar_items or ():
                if ts[i] is not None:
                    inf.make_scalar(ts[i].shape, "an inequality needs scalars", items[i].col)
            mismatch = False
            for a, b in ((ts[i], ts[j]) for i, j in pairs):
                # tie the sides' shapes only where that forces nothing (a shape mismatch
                # between the sides is a refutation, not a reason to shrink dimensions)
                if inf.dims.compatible(a.shape[0], b.shape[0]) and inf.dims.compatible(a.shape[1], b.shape[1]):
                    inf.dims.unify(a.shape[0], b.shape[0])
                    inf.dims.unify(a.shape[1], b.shape[1])
                else:
                    mismatch = True
            for d, why, col in inf.unfixed:  # q_k = ... with no length of its own, and nothing here gives one
                if inf.dims.value[inf.dims.find(d)] is None:
                    raise BindError(why, col)
            for name, d in inf.family_lengths:
                if inf.dims.value[inf.dims.find(d)] is None:
                    # u_j = tanh(θᵀa_j) over a family: nothing in the statement says how many entries u has
                    raise BindError(f"the length of {name} is not fixed by the statement (its entries are "
                                    "defined over a family)")
            cond_t = None
            if condition is not None:
                cond_t = _condition(inf, condition)
            builder = Builder(inf)
            exprs = [builder.value(t) if t is not None else None for t in ts]
            cond = cond_t(builder) if cond_t is not None else None
        except ShapeError as exc:
            last = exc
            clash = inf.dims.clash
            if clash is not None and f"({clash[0]} vs {clash[1]})" in str(exc):
                clashes.add(frozenset(clash))
            else:
                clashes.add(None)
            continue
        except RecursionError:
            raise BindError("the formula is nested too deeply to give it a meaning") from None
        except (TypeError, ValueError, AttributeError, IndexError, sp.ShapeError, ArithmeticError,
                NotImplementedError) as exc:
            # SymPy's constructors validate shapes and arguments; what they reject has no meaning here
            last = ShapeError(f"cannot build the expression ({type(exc).__name__}: {str(exc)[:100]})")
            clashes.add(None)
            continue
        for info in list(inf.syms.values()):
            if info.sympy is None and info.kind in ("scalar", "matrix", "index"):
                builder.sym(info)
        entries = []
        for key, d in inf.entry_ranges:
            info = inf.syms.get(key)
            if info is not None and info.kind == "index" and info.sympy is not None:
                entries.append((info.sympy, builder.dim(d)))
        result = Bound(items=exprs, ops=list(ops), condition=cond, symbols=dict(inf.syms),
                       dims={s: None for s in builder.dim_symbols.values()},
                       indices=[i.sympy for i in inf.syms.values() if i.kind == "index" and i.sympy is not None],
                       hypothesis=label, extra={"entry_ranges": entries, "model": probability.notes_of(inf),
                                                "bare_identity": {builder.dim(d) for d in inf.bare_identity},
                                                "free_recurrences": set(inf.free_recurrences)})
        if not mismatch:
            return result
        if inf.tuples_read:
            # (1, 2) read as a column where the other side is a row or a number: the author may mean
            # another reading of the tuple, so the mismatch is no refutation
            last = ShapeError("the sides' shapes differ where a tuple is read as a column vector or a function "
                              "written without its argument is read at its own argument")
            continue
        # the sides' shapes differ under this reading: prefer a later reading under which the
        # claim is well-typed; if there is none, this one stands (and is refuted on shapes)
        if not (inf.h == 0 and "vector" in override.values()):
            # a Greek name made a vector only to type a sum: no reading to refute on shapes
            fallback = fallback or result
    if fallback is not None:
        return fallback
    assert last is not None
    if len(clashes) == 1 and None not in clashes:
        # every reading failed where the same two fixed sizes meet (n vs m)
        last.clash = tuple(sorted(next(iter(clashes)), key=str))
    raise last


MAX_HYPOTHESES = 160
_LOOP_INDICES = {"i", "j", "k", "t", "n", "m", "\\ell"}  # y_i in a sum inside a definition: y is a sequence


def _hypotheses(items: list[Node], scope: Scope, index_names: set[str], allowed: tuple[int, ...]):
    """Readings to try, in order: letter case (H0); then lower-case Latin names made scalar a
    few at a time (the fewest first: ``c`` in ``z + c\\mathbf{1}``); then Greek names made
    vectors; then the global fallbacks.  Bounded by :data:`MAX_HYPOTHESES`."""
    import itertools

    names: list[str] = []
    # the names the statement reaches: its own, the definitions' and the bodies of the functions it
    # may call (L(w) = -1/n sum_i y_i log p_i read for \nabla_w L)
    stack = list(items) + list(scope.defs.values()) + [body for _params, body in scope.funcs.values()]
    seen: set[str] = set()
    while stack:
        n = stack.pop()
        for key in sorted(names_in(n)):
            if key in seen or key in index_names or key in scope.declared or key in scope.defs:
                continue
            seen.add(key)
            base = key.split("_{")[0].split("^{(")[0]
            for pre in ("\\bar{", "\\hat{", "\\tilde{", "\\mathcal{", "\\dot{", "\\check{"):
                if base.startswith(pre):
                    base = base[len(pre):].rstrip("}")
            if len(base) == 1 and base.islower():
                names.append(key)
                sub = key[len(base) + 2:-1] if key.startswith(base + "_{") and key.endswith("}") else None
                if sub is not None and (sub in index_names or sub in _LOOP_INDICES) and base not in seen \
                        and base not in scope.declared \
                        and base not in scope.defs:
                    seen.add(base)  # b_i under \sum_i: the sequence b is read whole (its key is b)
                    names.append(base)
    # a transposed name is a vector or matrix in every reading (x x^T is not a scalar square)
    transposed = {to_text(n.args[0]) for tree in items for n in tree.walk()
                  if n.kind in ("transpose", "inverse_transpose") and n.args[0].kind == "name"}
    names = [k for k in names if k not in transposed]
    keep = {k: "vector" for k in transposed if not k.startswith("\\") and k[:1].islower()}
    count = 0
    if 0 in allowed:
        yield 0, {}, HYPOTHESES[0]
        count += 1
        for size in range(1, len(names) + 1):
            for combo in itertools.combinations(names, size):
                if count >= MAX_HYPOTHESES:
                    break
                count += 1
                yield 0, {k: "scalar" for k in combo}, (f"{HYPOTHESES[0]}, except scalar "
                                                        + ", ".join(combo))
        for key in _greek_terms(items, scope, index_names):
            if count >= MAX_HYPOTHESES:
                break
            count += 1
            yield 0, {key: "vector"}, f"{HYPOTHESES[0]}, except {key} a vector"
    for h in (1, 2, 3):
        if h in allowed:
            note = " (transposed names stay vectors)" if keep and h >= 2 else ""
            yield h, (keep if h >= 2 else {}), HYPOTHESES[h] + note


def _greek_terms(items: list[Node], scope: Scope, index_names: set[str]) -> list[str]:
    """Lower-case Greek names added to or subtracted from something (the mean in ``x - \\mu``):
    in a reading where only they are vectors, the rest of the statement keeps its letter-case
    kinds (the density φ in φ(x) stays a function, σ a scalar)."""
    out: list[str] = []
    for tree in items:
        for n in tree.walk():
            if n.kind not in ("add", "sub"):
                continue
            for term in n.args[:2]:
                while term is not None and term.kind in ("paren", "neg"):
                    term = term.args[0]
                if term is None or term.kind != "name" or term.args[1] is not None:
                    continue
                key = to_text(term)
                letter = term.value
                for pre in ("\\boldsymbol", "\\bm"):
                    letter = letter.replace(pre, "")
                if not (letter.startswith("\\") and letter[1:] in GREEK and letter[1:2].islower()):
                    continue
                if key in index_names or key in scope.declared or key in scope.defs or key in out:
                    continue
                out.append(key)
    return out


def _condition(inf: Inference, cond: Node):
    """A trailing condition (ℓ ≥ 1, 1 ≤ k ≤ n): relations between integer expressions."""
    parts = []
    for rel in _relations(cond):
        lhs, op, rhs = rel
        a, b = inf.infer(lhs), inf.infer(rhs)
        parts.append((a, op, b))

    def build(b: Builder):
        rels = []
        for a, op, c in parts:
            x, y = b.scalar(a), b.scalar(c)
            rels.append({"=": sp.Eq, ">=": sp.Ge, "<=": sp.Le, ">": sp.Gt, "<": sp.Lt, "!=": sp.Ne}[op](x, y))
        return sp.And(*rels) if len(rels) > 1 else (rels[0] if rels else None)

    return build


def _relations(cond: Node):
    if cond.kind == "chain":
        items, ops = cond.args
        for a, op, b in zip(items, ops, items[1:]):
            if op not in ("=", ">=", "<=", ">", "<", "!="):
                raise BindError(f"a condition with {op} is not understood", cond.col)
            yield (a, op, b)
    else:
        raise BindError("a condition must be a relation", cond.col)


def names_used_whole(n: Node):
    """Bare names of a tree outside subscripts (the y of ``p - y``, not the k of ``y_k``)."""
    stack = [n]
    while stack:
        x = stack.pop()
        if x.kind == "name":
            if x.args == (None, None):
                yield x
            continue
        stack.extend(x.children())


def _varied_names(items: list[Node]) -> set[str]:
    """The names whose own differential the statement writes (dZ in ``d(Z^T C Z) = dZ^T C Z +
    Z^T C dZ``): the variables of its differentials; the other names are held constant."""
    out: set[str] = set()
    for it in items:
        for x in it.walk():
            if x.kind == "differential":
                arg = x.args[0].args[0] if x.args[0].kind == "paren" else x.args[0]
                if arg.kind == "name":
                    out.add(to_text(arg))
    return out
