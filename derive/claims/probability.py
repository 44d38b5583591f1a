"""The document's probability model: random variables it declares, and E / Var / Cov.

A document declares random variables with ``\\sim``: ``m_i \\sim \\operatorname{Bernoulli}(p)``,
``x \\sim \\mathcal{N}(\\mu, \\sigma^2)``, ``\\boldsymbol\\varepsilon \\sim \\mathcal{N}(\\mathbf{0}, I_d)``,
``u \\sim \\mathcal{U}(a, b)``, ``k \\sim \\operatorname{Poisson}(\\lambda)``.  Such a statement is a
hypothesis (never judged); it records the name's distribution in the scope (``Scope.random``).
Names defined from random variables (``\\tilde h_i = m_i h_i / p``) are random through their
definitions: the binder expands them as usual.

``\\mathbb{E}[X]``, ``\\operatorname{Var}[X] = E[X^2] - E[X]^2`` and ``\\operatorname{Cov}[X, Y] =
E[XY] - E[X]E[Y]`` are computed *exactly and symbolically* when X (after the definitions are
expanded) is a polynomial in the random atoms (a scalar random variable, an entry ``m_i`` of an
indexed family, an entry ``\\varepsilon_i`` of a random vector): the polynomial is expanded and
each monomial replaced by the product of the atoms' moments in closed form (Bernoulli: p;
Gaussian: the Hermite moment sum; uniform; Poisson: Touchard polynomials).  Distinct declared
variables, and distinct members of one family, are taken as independent (the assumption is
stated in the verdict).  The result is an ordinary expression in the deterministic names, so
the usual sampling and equivalence checking judge the claim.

Conditional moments ``E[x \\mid y]``, ``Cov[x \\mid y]`` are modelled for names the prose declares
jointly Gaussian (:func:`_conditional`).

Not modelled (the claim is undecided, with the reason): other conditional expectations, E of a non-polynomial function of a random variable, a product of two
members of one family with different symbolic indices (``m_i m_j``: equal or not?), random
terms under a sum with a symbolic number of terms beyond the first moment, whole random
vectors or matrices (``\\operatorname{Cov}[\\mathbf{z}]``), a correlated Gaussian vector's entries,
and a random name outside E[·] unless it is Gaussian (a pathwise identity over the whole real
line is then judged as today; a Bernoulli mask outside E[·] is not a real number to sample).

Bounds: total degree :data:`MAX_DEGREE`, :data:`MAX_TERMS` monomials after expansion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.core.sympify import _sympify  # strict: never parses a string
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from .latex_parser import Node, to_text

MAX_DEGREE = 16  # total degree in the random atoms of one expectation
MAX_TERMS = 4000  # monomials after expansion

# spellings -> family; (parameters accepted)
_FAMILIES = {
    "Bernoulli": "bernoulli", "Bern": "bernoulli", "Ber": "bernoulli",
    "N": "normal", "Normal": "normal", "Gaussian": "normal",
    "U": "uniform", "Uniform": "uniform", "Unif": "uniform",
    "Poisson": "poisson", "Pois": "poisson",
}
_ARITY = {"bernoulli": 1, "normal": 2, "uniform": 2, "poisson": 1}
_SHOWN = {"bernoulli": "Bernoulli", "normal": "N", "uniform": "U", "poisson": "Poisson"}
_FULL_SUPPORT = {"normal"}  # a pathwise claim may be sampled over the reals


class ProbabilityError(Exception):
    """An expectation this module does not model; the message is the verdict's reason."""


@dataclass(frozen=True)
class Dist:
    family: str
    params: tuple[Node, ...]


@dataclass(frozen=True)
class RandomName:
    """A declared random variable: its name node (``m_i``, ``\\varepsilon``, ``x``), the index
    names its declaration runs over (``i`` in ``m_i``), and its distribution."""

    node: Node
    base: str  # the name's spelling without subscript (the binder's symbol / function name)
    index: Node | None  # m_i: i (the family runs over it); None for a single variable
    dist: Dist
    latex: str

    def shown(self) -> str:
        return f"{to_text(self.node)} ~ {_SHOWN[self.dist.family]}"


def distribution(rhs: Node) -> Dist | None:
    """``\\operatorname{Bernoulli}(p)``, ``\\mathcal{N}(\\mu, \\sigma^2)``, ``\\mathcal{U}(a, b)``, ..."""
    if rhs.kind not in ("call", "apply") or not rhs.args or not isinstance(rhs.args[0], Node):
        return None
    head, params = rhs.args[0], tuple(a for a in rhs.args[1:] if isinstance(a, Node))
    if head.kind == "func":
        spelled = (head.value or "").lstrip("\\")
    elif head.kind == "name" and head.args == (None, None):
        spelled = head.value or ""
        for accent in ("\\mathcal{", "\\mathrm{", "\\mathsf{"):
            if spelled.startswith(accent) and spelled.endswith("}"):
                spelled = spelled[len(accent):-1]
        if spelled in ("U", "N") and not (head.value or "").startswith("\\math"):
            return None  # a plain N(a, b) is a function the document may define
    else:
        return None
    family = _FAMILIES.get(spelled)
    if family is None or len(params) != _ARITY[family]:
        return None
    return Dist(family, params)


def ambiguous_scale(dist: Dist) -> str | None:
    """``\\mathcal{N}(\\mu, \\sigma)``: some authors write the standard deviation there; read as
    the variance a correct derivation would be refuted.  Written σ² (or any other name) it is
    the variance."""
    if dist.family != "normal":
        return None
    p = dist.params[1]
    if p.kind == "name" and p.value in ("\\sigma", "\\varsigma") or p.kind == "func" and p.value == "\\sigma":
        return ("N(μ, σ): σ may be the standard deviation or the variance (written σ^2 it is read as the "
                "variance)")
    return None


def declaration(tree: Node) -> list[tuple[Node, Dist]] | None:
    """``x \\sim D`` (or ``x, y \\sim D``): the declared names with their distribution."""
    if tree.kind != "chain":
        return None
    items, ops = tree.args
    if ops != ("sim",):
        return None
    dist = distribution(items[1])
    if dist is None:
        return None
    lhs = items[0]
    names = list(lhs.args) if lhs.kind == "tuple" else [lhs]
    family = _members_family(lhs)
    if family is not None:  # z_1, \dots, z_m \sim D
        names = [family]
    if not names or not all(isinstance(n, Node) and n.kind == "name" and n.args[1] is None for n in names):
        return None
    return [(n, dist) for n in names]


def vector_length(dist: Dist) -> Node | None:
    """The length a Gaussian's covariance gives its vector: d of ``\\mathcal{N}(0, \\sigma^2 I_d)``
    (an identity with its size written); None where the covariance does not say."""
    if dist.family != "normal" or len(dist.params) != 2:
        return None
    for x in dist.params[1].walk():
        if x.kind == "name" and x.value == "I" and x.args[1] is None and isinstance(x.args[0], Node) \
                and x.args[0].kind in ("name", "num"):
            return x.args[0]
    return None


def declare(scope: Any, lhs: Node, rhs: Node, latex: str = "") -> bool:
    """Record ``lhs \\sim rhs`` in ``scope.random`` (keyed by the name's base spelling)."""
    dist = distribution(rhs)
    if dist is None:
        return False
    names = list(lhs.args) if lhs.kind == "tuple" else [lhs]
    family = _members_family(lhs)
    if family is not None:  # z_1, \dots, z_m \sim p: the family z_j, j running to m
        names = [family]
    for n in names:
        if not isinstance(n, Node) or n.kind != "name":
            continue
        sub = n.args[0]
        index = sub if sub is not None and sub.kind == "name" and sub.args == (None, None) else None
        if sub is not None and index is None:
            continue  # x_{ij} ~ ...: not modelled; the name stays deterministic (its E is undecided)
        scope.random[n.value] = RandomName(n, n.value, index, dist, latex)
    return True


def _members_family(lhs: Node) -> Node | None:
    """``z_1, \\dots, z_m`` (a tuple of members): the family ``z_m`` read with its last index as the
    index it runs over, where that index is a plain name; None otherwise."""
    if lhs.kind != "tuple" or lhs.value != "members":
        return None
    members = [n for n in lhs.args if n.kind == "name"]
    last = members[-1] if members else None
    if last is None or last.args[1] is not None or last.args[0] is None or last.args[0].kind != "name" \
            or last.args[0].args != (None, None) or any(n.value != last.value for n in members):
        return None
    return last


def _numbered_apart(members: set) -> bool:
    """Members written with distinct numbers (``g_1``, ``g_2``, or the sequence's g(1), g(2)): different
    variables of the family, independent as the model takes them."""
    numbers = []
    for m in members:
        if isinstance(m, AppliedUndef) and len(m.args) == 1 and m.args[0].is_Integer:
            numbers.append(int(m.args[0]))
        elif isinstance(m, sp.Symbol) and m.name.endswith("}") and "_{" in m.name \
                and m.name.partition("_{")[2][:-1].isdigit():
            numbers.append(int(m.name.partition("_{")[2][:-1]))
        else:
            return False
    return len(set(numbers)) == len(numbers)


def random_families(scope: Any) -> set[str]:
    """The name families (roles.family) of the declared random variables."""
    from .roles import family

    out: set[str] = set()
    for rv in getattr(scope, "random", {}).values():
        out |= {family(rv.node) or rv.base, rv.base}
    return out


def is_random(scope: Any, n: Node) -> RandomName | None:
    rv = getattr(scope, "random", {}).get(n.value) if n.kind == "name" else None
    return rv


# --- binding hooks ------------------------------------------------------------------------------

@dataclass(frozen=True)
class JointGaussian:
    """Names the prose declares jointly Gaussian ("$x$ and $y$ jointly Gaussian with mean
    $(\\mu_x, \\mu_y)$ and covariance $\\Sigma$", Σ written block by block): the names in order, their
    means, and the covariance's blocks (row-major, one row per name)."""

    names: tuple[str, ...]
    means: tuple[Node, ...]
    blocks: tuple[tuple[Node, ...], ...]
    shown: str

    def position(self, n: Node) -> int | None:
        key = to_text(n) if n.kind == "name" else None
        return self.names.index(key) if key in self.names else None


def joint_records(facts: list, section: Any, definition_of: Any, visible: Any) -> list[JointGaussian]:
    """The joint-Gaussian statements of the prose (structure.Fact "joint_gaussian") visible in
    ``section`` whose mean has one entry per name and whose covariance is a square grid of
    blocks, one per pair (written there, or in the definition of the name written there)."""
    from .latex_parser import ParseError, parse

    out = []
    for f in facts:
        if f.kind != "joint_gaussian" or not visible(f.section, section):
            continue
        try:
            mean = parse(f.get("mean").strip().rstrip(",.;"))
            cov = parse(f.get("cov").strip().rstrip(",.;"))
        except (ParseError, RecursionError, ValueError):
            continue
        k = len(f.names)
        means = _stacked(mean, k)
        if cov.kind == "chain" and cov.args[1] == ("=",):
            cov = cov.args[0][1]  # "covariance $\\Sigma = \\begin{pmatrix} .. \\end{pmatrix}$"
        elif cov.kind == "name":
            b = definition_of(to_text(cov), section)
            cov = b.rhs if b is not None and b.rhs is not None else cov
        rows = cov.args if cov.kind == "matrix" else ()
        if means is None or len(rows) != k or any(len(r) != k for r in rows):
            continue
        out.append(JointGaussian(tuple(f.names), means, tuple(tuple(r) for r in rows),
                                 f"{', '.join(f.names)} jointly Gaussian (line {f.line})"))
    return out


def _stacked(mean: Node, k: int) -> tuple[Node, ...] | None:
    """``(\\mu_x, \\mu_y)`` or a column ``\\begin{pmatrix} a \\\\ b \\end{pmatrix}``: one mean per name."""
    if mean.kind == "tuple" and len(mean.args) == k:
        return tuple(mean.args)
    if mean.kind == "matrix" and len(mean.args) == k and all(len(r) == 1 for r in mean.args):
        return tuple(r[0] for r in mean.args)
    return None


def moments_scope(scope: Any, tree: Node, joint: list[JointGaussian] | None = None) -> Any:
    """The scope a statement with E / Var / Cov is judged in: next to a moment of a random
    vector's entries, ``\\mu_i`` of a declared vector \\mu is its entry i (not the i-th vector of
    a family), as in ``\\mathbb{E}[z_i] = \\mu_i``; a conditional moment (E[x | y]) sees the names
    the prose declares jointly Gaussian."""
    if not any(x.kind == "expect" for x in tree.walk()):
        return scope
    if joint and any(x.kind == "expect" and x.args[1] is not None for x in tree.walk()):
        scope = scope.copy()
        scope.joint = list(joint)
    if not getattr(scope, "random", None):
        return scope
    vectors = {k for k, d in scope.declared.items() if d.cols == 1 and d.rows != 1}
    out = scope.copy()
    out.entry_names |= vectors
    out.entries_of_defined = True  # z_i of a defined vector z is its entry (discipline.expanded_names)
    return out


def check_relation(items: list[Node], ops: list[str], compared: set[int] | None = None) -> None:
    """Equalities of moments are polynomial (or rational) identities in the parameters, so they
    hold everywhere once they hold on the parameters' domain; an inequality does not (Var[x] = v
    >= 0 fails for a sampled v < 0), and the parameters' domains (p in [0, 1], a variance > 0) are
    not applied when sampling: such a statement is undecided."""
    ordered = set(compared or ())  # the items an inequality compares (judge passes them, not ops)
    if any(o in ("<", "<=", ">", ">=") for o in ops):
        ordered |= set(range(len(items)))
    if any(x.kind == "expect" for i in ordered if i < len(items) and isinstance(items[i], Node)
           for x in items[i].walk()):
        from .scope import BindError
        raise BindError("an inequality between moments (E, Var, Cov) is not judged: the distributions' parameter "
                        "domains are not applied when sampling")


def notes_of(inf: Any) -> list[str]:
    """What the expectations of one bound statement assumed (for the verdict's scope)."""
    return list(dict.fromkeys(getattr(inf, "model_notes", [])))


def name_hook(inf: Any, n: Node) -> Any:
    """Inside E[·], a vector defined only by its entries from random variables (``\\tilde h_i =
    m_i h_i / p``, used as ``\\tilde{\\mathbf{h}}``) is the vector of those entries; any random name
    outside E[·] goes through :func:`check_outside`."""
    check_outside(inf, n)
    if n.kind != "name" or n.args != (None, None) or not getattr(inf.scope, "random", None):
        return None
    scope = inf.scope
    key = to_text(n)
    if key in scope.defs or key in getattr(inf, "local", {}):
        return None
    for lhs, slot, var, rhs in scope.def_patterns:
        if lhs.value != n.value or slot != 0 or lhs.args[1] is not None:
            continue
        if not any(x.kind == "name" and x.value in scope.random for x in rhs.walk()):
            return None
        if getattr(inf, "moment_depth", 0) <= 0:
            from .scope import BindError
            raise BindError(f"{key} is random (its entries are defined from random variables); outside E[·] a "
                            "statement about it is not judged", n.col)
        return _entrywise_vector(inf, var, rhs, n)
    return None


def _entrywise_vector(inf: Any, var: str, rhs: Node, n: Node) -> Any:
    from .scope import T

    sym = sp.Symbol(var.lstrip("\\") + "_entry", integer=True)
    saved = inf.local_index.get(var)
    inf.local_index[var] = sym
    try:
        entry = inf.infer(rhs)
    finally:
        if saved is None:
            inf.local_index.pop(var, None)
        else:
            inf.local_index[var] = saved
    inf.make_scalar(entry.shape, f"the entries of {to_text(n)} must be scalars", n.col)
    d = inf.dims.new()
    one = inf.scalar()[1]

    def build(b: Any) -> sp.Basic:
        body = b.scalar(entry)
        r, c = sp.Dummy("r", integer=True), sp.Dummy("c", integer=True)
        return sp.FunctionMatrix(b.dim(d), 1, sp.Lambda((r, c), body.xreplace({sym: r + 1})))

    return T((d, one), build)


def check_outside(inf: Any, n: Node) -> None:
    """A random name used outside E[·]: Gaussian names are sampled as reals (a pathwise claim);
    others (a 0/1 mask, a bounded uniform) are not real numbers to sample, so the claim is
    undecided."""
    from .scope import BindError

    rv = is_random(inf.scope, n)
    if rv is None:
        return
    if getattr(inf, "moment_depth", 0) > 0:
        inf.moment_seen = getattr(inf, "moment_seen", set()) | {rv.base}
        return
    if rv.dist.family in _FULL_SUPPORT:
        return
    raise BindError(f"{to_text(n)} is random ({rv.shown()}); outside E[·] a statement about it is not judged",
                    n.col)


def infer_expect(inf: Any, n: Node) -> Any:
    """Type an ``expect`` node: its arguments are typed as scalars; its build computes the moment."""
    from .scope import BindError, T

    items, given, sub = n.args
    op = n.value or "E"
    if given is not None:
        return _conditional(inf, op, items, given, n)
    if sub is not None and sub.kind == "rel" and sub.value == "sim" and distribution(sub.args[1]) is not None \
            and sub.args[0].kind == "name":
        inf.scope = inf.scope.copy()  # E_{x \sim N(0, 1)}[...]: a declaration for this statement
        declare(inf.scope, sub.args[0], sub.args[1])
        sub = sub.args[0]
    randoms = getattr(inf.scope, "random", {})
    if not randoms:
        raise BindError(f"{op}[·] needs random variables the document declares (x \\sim ...); none is declared",
                        n.col)
    if sub is not None:
        subs = sub.args[0] if sub.kind == "rel" and sub.value == "sim" else sub
        names = [x for x in subs.walk() if x.kind == "name"] if isinstance(subs, Node) else []
        if not names or not all(x.value in randoms for x in names):
            raise BindError(f"{op} over a distribution written only in its subscript is not modelled", n.col)
    seen_before = set(getattr(inf, "moment_seen", set()))
    inf.moment_seen = set()
    inf.moment_depth = getattr(inf, "moment_depth", 0) + 1
    try:
        typed = [inf.infer(x) for x in items]
    finally:
        inf.moment_depth -= 1
        seen = set(inf.moment_seen)
        inf.moment_seen = seen_before | seen
    if not seen:
        raise BindError(f"no declared random variable is reached inside {op}[·] (one defined only entrywise, "
                        "or by prose, is not followed); not judged", n.col)
    if len(items) == 1 and op in ("E", "Cov") and not inf.is_scalar(typed[0].shape) \
            and all(randoms[k].index is None and randoms[k].dist.family == "normal" for k in seen):
        return _vector_moment(inf, op, typed[0], seen, randoms, n)
    for t, x in zip(typed, items):
        if not inf.is_scalar(t.shape):
            inf.make_scalar(t.shape, f"{op} of a vector or matrix is not modelled (only scalar moments)", x.col)
    params: dict[str, list[Any]] = {}
    failed: dict[str, str] = {}
    for key, rv in randoms.items():
        if key not in seen:
            continue  # only the variables this expectation reaches (the others' parameters stay out)
        try:
            params[key] = [inf.infer(p) for p in rv.dist.params]
            index = inf.infer(rv.index) if rv.index is not None else None
        except BindError as exc:  # a parameter that does not fit this reading (s^2 with s a vector)
            failed[key] = str(exc).split(" at column")[0]
            continue
        params[key].append(index)
    if op == "Cov" and len(typed) == 1:
        raise BindError("Cov of one argument is a covariance matrix; only scalar Cov[X, Y] is modelled", n.col)
    notes = inf.notes

    def build(b: Any) -> sp.Basic:
        model = _Model(b, randoms, params, failed)
        vals = [b.scalar(t) for t in typed]
        if op == "E":
            out = model.expect(vals[0])
        elif op == "Var":
            m = model.expect(vals[0])
            out = model.expect(vals[0] ** 2) - m ** 2
        else:
            x, y = vals if len(vals) == 2 else (vals[0], vals[0])
            out = model.expect(x * y) - model.expect(x) * model.expect(y)
        if seen - set(model.used) and not _constant_in(vals, seen):
            raise BindError(f"{op}[·]: the random variables {', '.join(sorted(seen - set(model.used)))} could not be "
                            "located in the expression; not judged", n.col)
        note = model.note()
        if note and note not in notes:
            notes.append(note)
            inf.model_notes = getattr(inf, "model_notes", []) + [note]
        return sp.simplify(out) if sp.count_ops(out) < 400 else out

    return T(inf.scalar(), build, True)


def _conditional(inf: Any, op: str, items: tuple, given: Node, n: Node) -> Any:
    """``E[x | y]`` and ``Cov[x | y]`` (``Var`` of a scalar) for x and y the prose declares jointly
    Gaussian: computed from the precision matrix Λ = Σ^{-1} of the pair's joint covariance
    (E[x | y] = μ_x - Λ_xx^{-1} Λ_xy (y - μ_y), Cov[x | y] = Λ_xx^{-1}), not from the Schur-complement
    formula a document writes; the other names of the declaration are marginalised (dropped)."""
    from .scope import BindError, T

    hit = None
    for rec in getattr(inf.scope, "joint", None) or ():
        if len(items) == 1 and isinstance(items[0], Node) and given.kind == "name":
            ix, iy = rec.position(items[0]), rec.position(given)
            if ix is not None and iy is not None and ix != iy:
                hit = (rec, ix, iy)
                break
    if hit is None or op not in ("E", "Cov", "Var"):
        raise BindError("a conditional expectation (E[· | ·]) is modelled only for names the prose declares "
                        "jointly Gaussian (with their mean and covariance)", n.col)
    rec, ix, iy = hit
    tx, ty = inf.infer(items[0]), inf.infer(given)
    mx, my = inf.infer(rec.means[ix]), inf.infer(rec.means[iy])
    grid = [[inf.infer(rec.blocks[r][c]) for c in (ix, iy)] for r in (ix, iy)]
    parts = (tx, ty, mx, my, *grid[0], *grid[1])
    scalar = any(inf.is_scalar(t.shape) for t in (tx, ty, grid[0][0], grid[1][1]))
    if scalar:  # one of them is a number: all of them are (else the reading does not fit)
        for t in parts:
            inf.make_scalar(t.shape, "the names, means and covariance of scalar jointly Gaussian names are scalars",
                            n.col)
    else:
        one = inf.scalar()[1]
        for t in (tx, ty):
            inf.dims.unify(t.shape[1], one, "a conditional moment is modelled for vectors (not matrices)")
        rows = (tx.shape[0], ty.shape[0])
        inf.unify_shape(mx.shape, tx.shape, "the mean of a Gaussian vector has the vector's shape", n.col)
        inf.unify_shape(my.shape, ty.shape, "the mean of a Gaussian vector has the vector's shape", n.col)
        for r in range(2):
            for c in range(2):
                inf.unify_shape(grid[r][c].shape, (rows[r], rows[c]), "a covariance block has the shapes of its pair",
                                n.col)
    if scalar and to_text(rec.blocks[ix][iy]) != to_text(rec.blocks[iy][ix]):
        raise BindError("the covariance written is not symmetric (its off-diagonal entries differ)", n.col)
    if op == "Var" and not scalar:
        raise BindError("Var of a vector: write Cov", n.col)
    note = (f"conditional moments of {rec.shown}: from the precision matrix Λ = Σ^-1 of the pair's covariance, "
            "E[x | y] = μ_x - Λ_xx^-1 Λ_xy (y - μ_y), Cov[x | y] = Λ_xx^-1")
    inf.model_notes = getattr(inf, "model_notes", []) + [note]
    which = sp.Symbol("E" if op == "E" else "Cov")

    def build(b: Any) -> sp.Basic:
        from .nodes import ConditionalGaussian

        blocks = sp.Tuple(*(b.value(grid[r][c]) for r in range(2) for c in range(2)))
        if scalar:
            return _scalar_conditional(which.name, b.value(ty), b.value(mx), b.value(my), blocks)
        return ConditionalGaussian(which, b.value(ty), b.value(mx), b.value(my), blocks)

    shape = (tx.shape[0], tx.shape[0]) if op != "E" else tx.shape
    return T(inf.scalar() if scalar else shape, build)


def _scalar_conditional(op: str, y: sp.Basic, mx: sp.Basic, my: sp.Basic, blocks: sp.Tuple) -> sp.Basic:
    """The scalar case in closed form from the 2×2 precision matrix (exact, so it can be proved)."""
    lam = sp.Matrix(2, 2, list(blocks)).inv()
    if op == "E":
        return mx - lam[0, 1] / lam[0, 0] * (y - my)
    return 1 / lam[0, 0]


def _vector_moment(inf: Any, op: str, t: Any, seen: set[str], randoms: dict[str, RandomName], n: Node) -> Any:
    """``\\mathbb{E}[\\mathbf{z}]`` and ``\\operatorname{Cov}[\\mathbf{z}]`` of a random vector z that is
    an affine function of whole Gaussian vectors the document declares (``\\mathbf{x} \\sim
    \\mathcal{N}(\\boldsymbol\\mu, C)``, z = A x + c after the definitions are expanded): E[z] = z(μ) and
    Cov[z] = Σ_k J_k C_k J_k^T with J_k the (exact) coefficient matrix of x_k; distinct declared
    vectors are taken as independent.  Affinity is checked on every instance (nodes.GaussianMoment):
    a z that is not affine in them is not judged."""
    from .scope import Dims, ShapeError, T

    if not inf.dims.is_one(t.shape[1]):
        raise ShapeError(f"{op} of a random matrix is not modelled (only of a vector)", n.col)
    parts = []
    for key in sorted(seen):  # whole Gaussian names (the caller checked)
        rv = randoms[key]
        x = inf.infer(rv.node)
        if not inf.dims.is_one(x.shape[1]):
            raise ShapeError(f"{op}[·]: the random {to_text(rv.node)} is not a vector", n.col)
        mean, cov = (inf.infer(p) for p in rv.dist.params)
        if not inf.is_scalar(mean.shape):
            inf.unify_shape(mean.shape, x.shape, "the mean of a Gaussian vector has the vector's shape", n.col)
        if not inf.is_scalar(cov.shape):
            inf.unify_shape(cov.shape, (x.shape[0], x.shape[0]), "the covariance of a Gaussian vector is square",
                            n.col)
        parts.append((x, mean, cov))
    note = ("moments of an affine map of the document's Gaussian vectors ("
            + "; ".join(randoms[k].shown() for k in sorted(seen))
            + "): E[z] = z(μ), Cov[z] = J C J^T, distinct vectors taken as independent")
    inf.model_notes = getattr(inf, "model_notes", []) + [note]

    def build(b: Any) -> sp.Basic:
        from .nodes import GaussianMoment

        specs = sp.Tuple(*(sp.Tuple(b.value(x), b.value(m), b.value(c)) for x, m, c in parts))
        return GaussianMoment(sp.Symbol(op), b.value(t), specs)

    shape = (t.shape[0], t.shape[0]) if op == "Cov" else (t.shape[0], Dims.ONE)
    return T(shape, build)


class _Model:
    """The random atoms of one built expression and their moments."""

    def __init__(self, builder: Any, randoms: dict[str, RandomName], params: dict[str, list[Any]],
                 failed: dict[str, str]):
        self.failed = failed
        self.b = builder
        self.randoms = randoms
        self.params = params
        self.used: dict[str, RandomName] = {}

    def _atom_of(self, e: sp.Basic) -> str | None:
        """The random family ``e`` is a member of, if it is an atom."""
        if isinstance(e, sp.Symbol):
            if e.name in self.randoms and self.randoms[e.name].index is None:
                return e.name
            base, sep, rest = e.name.partition("_{")
            if sep and rest.endswith("}") and base in self.randoms and self.randoms[base].index is not None:
                return base  # m_{i}: a member of the family m_i ~ ..., read as a scalar
            return None
        if isinstance(e, AppliedUndef) and e.func.__name__ in self.randoms and len(e.args) == 1:
            return e.func.__name__
        if isinstance(e, MatrixElement) and isinstance(e.parent, sp.MatrixSymbol) and e.parent.name in self.randoms:
            return e.parent.name
        return None

    def atoms(self, e: sp.Basic) -> dict[sp.Basic, str]:
        out: dict[sp.Basic, str] = {}
        stack = [e]
        seen = 0
        while stack:
            x = stack.pop()
            seen += 1
            if seen > 200_000:
                raise ProbabilityError("the expression is too large to take its expectation")
            fam = self._atom_of(x)
            if fam is not None:
                out[x] = fam
                continue
            if isinstance(x, sp.MatrixSymbol) and x.name in self.randoms:
                raise ProbabilityError(f"the random vector {x.name} appears as a whole (not entrywise); "
                                       "only scalar moments of entries are modelled")
            if isinstance(x, sp.Symbol) and x.name in self.randoms:
                raise ProbabilityError(f"{x.name} is declared as a family {self.randoms[x.name].shown()} "
                                       "but used without its index")
            stack.extend(x.args)
        return out

    def expect(self, e: sp.Basic) -> sp.Basic:
        from .scope import BindError

        try:
            return self._expect(e)
        except ProbabilityError as exc:
            raise BindError(str(exc)) from None

    def _expect(self, e: sp.Basic) -> sp.Basic:
        if isinstance(e, MatrixExpr) or getattr(e, "is_Matrix", False):
            raise ProbabilityError("E of a vector or matrix is not modelled (only scalar moments)")
        e = _entrywise(e)
        atoms = self.atoms(e)
        if not atoms:
            return e
        if isinstance(e, sp.Sum):
            return self._sum(e)
        expanded = sp.expand(e)
        gens = list(atoms)
        # sums of random terms: linearity only (E[Σ f(i)] = Σ E[f(i)])
        terms = sp.Add.make_args(expanded)
        if len(terms) > MAX_TERMS:
            raise ProbabilityError(f"more than {MAX_TERMS} terms after expanding the expectation")
        out = sp.Integer(0)
        for term in terms:
            sums: list[sp.Sum] = []
            rest = []
            for f in sp.Mul.make_args(term):
                if isinstance(f, sp.Sum) and self.atoms(f):
                    sums.append(f)
                elif isinstance(f, sp.Pow) and isinstance(f.base, sp.Sum) and f.exp == 2 and self.atoms(f.base):
                    sums.extend([f.base, f.base])
                else:
                    rest.append(f)
            if sums:
                factor = sp.Mul(*rest)
                if self.atoms(factor):
                    raise ProbabilityError("a random factor times a sum of random terms is not modelled")
                if len(sums) == 1:
                    out += factor * self._sum(sums[0])
                elif len(sums) == 2:
                    out += factor * self._sum_pair(sums[0], sums[1])
                else:
                    raise ProbabilityError("a product of more than two sums of random terms with a symbolic number "
                                           "of terms is not modelled")
                continue
            out += self._monomials(term, gens)
        return out

    def _sum(self, s: sp.Sum) -> sp.Basic:
        body, *limits = s.args
        return sp.Sum(self._expect(body), *limits)  # linearity

    def _sum_pair(self, s1: sp.Sum, s2: sp.Sum) -> sp.Basic:
        """E[(Σ_k f(k)) (Σ_l g(l))] = (Σ_k E f)(Σ_l E g) + Σ_k (E[f(k) g(k)] - E[f(k)] E[g(k)]), exact when
        the random atoms of term k are the family members at one index φ(k) (φ injective): terms
        at different k are then independent."""
        why = ("E of a product of sums of random terms is only modelled when each term's random variables are "
               "the members at the term's own index (independent across terms)")
        if len(s1.limits) != 1 or len(s2.limits) != 1:
            raise ProbabilityError(why)
        (k, a, b), (l, c, d) = s1.limits[0], s2.limits[0]
        if sp.simplify(a - c) != 0 or sp.simplify(b - d) != 0:
            raise ProbabilityError(why + " (the sums run over different ranges)")
        f = s1.function
        g_k = s2.function.xreplace({l: k})
        phi = None
        for body in (f, g_k):
            for atom in self.atoms(body):
                at = _member_index(atom)
                if at is None or not at.has(k):
                    raise ProbabilityError(why)
                try:
                    injective = sp.Poly(at, k).degree() == 1
                except sp.PolynomialError:
                    injective = False
                if not injective or (phi is not None and sp.simplify(at - phi) != 0):
                    raise ProbabilityError(why)
                phi = at
        if phi is None:
            raise ProbabilityError(why)
        l2 = sp.Dummy("l", integer=True)
        g_l = s2.function.xreplace({l: l2})
        e_f, e_g = self._expect(f), self._expect(g_k)
        cross = sp.Sum(self._expect(f), (k, a, b)) * sp.Sum(self._expect(g_l), (l2, a, b))
        return cross + sp.Sum(self._expect(f * g_k) - e_f * e_g, (k, a, b))

    def _monomials(self, term: sp.Basic, gens: list[sp.Basic]) -> sp.Basic:
        used = [g for g in gens if term.has(g)]
        if not used:
            return term
        try:
            poly = sp.Poly(term, *used)
        except sp.PolynomialError:
            poly = None
        if poly is None or any(any(g2.has(g) for g in used) for g2 in poly.free_symbols_in_domain) \
                or any(self.atoms(c) for c in poly.coeffs()):
            raise ProbabilityError("E of a non-polynomial function of a random variable is not modelled")
        if poly.total_degree() > MAX_DEGREE:
            raise ProbabilityError(f"a moment of total degree above {MAX_DEGREE} is not computed")
        by_family: dict[str, set[sp.Basic]] = {}
        for g in used:
            by_family.setdefault(self._atom_of(g) or "", set()).add(g)
        for fam, members in by_family.items():
            if len(members) > 1 and not _numbered_apart(members):
                shown = ", ".join(sorted(str(m) for m in members))
                raise ProbabilityError(f"a product of members of {fam} with different symbolic indices ({shown}) "
                                       "is not modelled (they may be the same variable)")
        out = sp.Integer(0)
        for powers, coeff in poly.terms():
            value = coeff
            for g, k in zip(used, powers):
                if k:
                    value *= self._moment(g, k)
            out += value
        return out

    def _moment(self, atom: sp.Basic, k: int) -> sp.Basic:
        fam = self._atom_of(atom)
        assert fam is not None
        rv = self.randoms[fam]
        ambiguous = ambiguous_scale(rv.dist)
        if ambiguous:
            raise ProbabilityError(ambiguous)
        got = self.params.get(fam)
        if got is None:
            from .scope import ShapeError  # under this reading of the shapes; the next one may fit
            raise ShapeError(f"the parameters of {rv.shown()} cannot be read ({self.failed.get(fam, 'unknown')})")
        self.used[fam] = rv
        *typed, index = got
        vals = [self.b.value(t) for t in typed]
        at = None
        if isinstance(atom, AppliedUndef):
            at = atom.args[0]
        elif isinstance(atom, MatrixElement):
            if atom.j != 0:
                raise ProbabilityError("a random matrix's entries are not modelled")
            at = atom.i
        family = rv.dist.family
        if isinstance(atom, MatrixElement):
            vals = self._entry_params(family, vals, at, rv)
        elif index is not None and at is not None:
            idx = self.b.scalar(index)
            vals = [_sympify(v).subs(idx, at) if not isinstance(v, MatrixExpr) else v for v in vals]
        elif isinstance(atom, sp.Symbol) and rv.index is not None:
            written = atom.name.partition("_{")[2][:-1]
            if written != to_text(rv.index) and any(_mentions(p, rv.index) for p in rv.dist.params):
                raise ProbabilityError(f"{atom.name} has another index than its declaration {to_text(rv.node)}, "
                                       "whose parameters depend on the index")
        if any(isinstance(v, MatrixExpr) or getattr(v, "is_Matrix", False) for v in vals):
            from .scope import ShapeError
            raise ShapeError(f"the parameters of {rv.shown()} are not scalars (a vector's distribution under a "
                             "scalar reading)")
        return _raw_moment(family, vals, k)

    def _entry_params(self, family: str, vals: list[sp.Basic], at: sp.Basic, rv: RandomName) -> list[sp.Basic]:
        """The parameters of entry ``at`` (0-based) of a random vector."""
        if family != "normal":
            out = []
            for v in vals:
                out.append(v[at, 0] if isinstance(v, MatrixExpr) and v.shape[1] == 1 else v)
            return out
        mean, cov = vals
        if isinstance(mean, MatrixExpr):
            mean = mean[at, 0]
        if isinstance(cov, MatrixExpr):
            if not _diagonal(cov):
                raise ProbabilityError(f"the entries of {rv.shown()} with a full covariance are correlated; "
                                       "only a diagonal covariance (I, diag(·)) is modelled")
            cov = cov[at, at]
        return [mean, cov]

    def note(self) -> str:
        if not self.used:
            return ""
        shown = "; ".join(rv.shown() for rv in self.used.values())
        return (f"moments computed exactly from the document's model ({shown}; distinct variables and "
                "family members taken as independent)")


def _entrywise(e: sp.Basic) -> sp.Basic:
    """Entries of sums, Hadamard and scalar products of matrices written as entries of their
    parts: (\\mu + \\sigma \\odot \\varepsilon)_i -> \\mu_i + \\sigma_i \\varepsilon_i."""
    def opened(x: sp.Basic) -> sp.Basic:
        if isinstance(x.parent, (sp.MatAdd, sp.HadamardProduct, sp.MatMul, sp.Transpose, sp.FunctionMatrix)):
            try:
                return x.parent[x.i, x.j]
            except Exception:  # noqa: BLE001 - SymPy refuses some entries; the element stays whole
                return x
        return x

    e = e.replace(lambda x: isinstance(x, sp.Trace) and x.arg.shape == (1, 1), lambda x: MatrixElement(x.arg, 0, 0))
    for _ in range(8):
        new = e.replace(lambda x: isinstance(x, MatrixElement) and not isinstance(x.parent, sp.MatrixSymbol), opened)
        if new == e:
            break
        e = new
    return e


def _constant_in(vals: list[sp.Basic], names: set[str]) -> bool:
    """No symbol, function or matrix named after a random family is left (it cancelled)."""
    for v in vals:
        for x in sp.preorder_traversal(v):
            name = getattr(x, "name", None) or (x.func.__name__ if isinstance(x, AppliedUndef) else None)
            if isinstance(name, str) and (name in names or name.partition("_{")[0] in names):
                return False
    return True


def _member_index(atom: sp.Basic) -> sp.Basic | None:
    """Which member of its family an atom is: m(k) -> k, \\varepsilon[k, 0] -> k."""
    if isinstance(atom, AppliedUndef) and len(atom.args) == 1:
        return atom.args[0]
    if isinstance(atom, MatrixElement) and atom.j == 0:
        return atom.i
    return None


def _mentions(n: Node, index: Node) -> bool:
    return any(x.kind == "name" and to_text(x) == to_text(index) for x in n.walk())


def _diagonal(m: Any) -> bool:
    if isinstance(m, sp.Identity):
        return True
    if isinstance(m, sp.MatMul):
        scalars = [a for a in m.args if not isinstance(a, MatrixExpr)]
        mats = [a for a in m.args if isinstance(a, MatrixExpr)]
        return len(mats) == 1 and _diagonal(mats[0]) and all(not isinstance(s, MatrixExpr) for s in scalars)
    return type(m).__name__ in ("DiagMatrix", "DiagonalizeVector", "DiagonalMatrix")


def _raw_moment(family: str, vals: list[sp.Basic], k: int) -> sp.Basic:
    """E[X^k] in closed form."""
    if family == "bernoulli":
        return vals[0]
    if family == "normal":
        mu, var = vals
        total = sp.Integer(0)
        for j in range(0, k + 1, 2):
            total += sp.binomial(k, j) * mu ** (k - j) * var ** sp.Rational(j, 2) * sp.factorial2(j - 1)
        return total
    if family == "uniform":
        a, b = vals
        return (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a))
    if family == "poisson":
        lam = vals[0]
        return sum((sp.functions.combinatorial.numbers.stirling(k, j) * lam ** j for j in range(1, k + 1)),
                   sp.Integer(0))
    raise ProbabilityError(f"no moments for {family}")


# --- "write $\phi$ for its density": the density of the Gaussian just declared ------------------

_DENSITY_NAME = re.compile(
    r"(?:\$([^$]{1,40})\$\s+(?:for|to\s+denote|denote|denotes|is|be)\s+(?:its|the)\s+(?:probability\s+)?density\b)"
    r"|(?:\b(?:its|with|the|of)\s+(?:probability\s+)?density(?:\s+function)?\s+\$([^$]{1,40})\$)")
_PARAMS = ("\\xi", "\\zeta", "\\chi")


def density_name(text: str) -> str | None:
    """The name prose gives a density (``write $\\phi$ for its density``, ``with density $p$``)."""
    found = None
    for m in _DENSITY_NAME.finditer(text[-600:]):
        found = (m.group(1) or m.group(2)).strip()
    return found


def density_definition(name: str, decl_latex: str, vector: bool) -> str | None:
    """``name(ξ) = …``: the normal density of the variable that ``decl_latex`` (``x \\sim
    \\mathcal{N}(\\mu, C)``) declares, in LaTeX — a vector's with covariance C, a scalar's with
    variance v; None when the declaration is not one normal variable with two parameters."""
    from .latex_parser import split_top_commas

    head, sep, dist = decl_latex.partition("\\sim")
    if not sep or "," in split_top_commas(head)[0] or len(split_top_commas(head)) != 1:
        return None
    open_at, close_at = dist.find("("), dist.rfind(")")
    if open_at < 0 or close_at < open_at or "N" not in dist[:open_at]:
        return None
    params = split_top_commas(dist[open_at + 1:close_at])
    if len(params) != 2:
        return None
    mean, cov = (p.strip() for p in params)
    var = next((p for p in _PARAMS if p not in decl_latex), None)
    if var is None:
        return None
    if vector:
        return (f"{name}({var}) = \\det(2\\pi ({cov}))^{{-1/2}} \\exp\\left(-\\frac{{1}}{{2}}({var} - ({mean}))^\\top "
                f"({cov})^{{-1}}({var} - ({mean}))\\right)")
    return f"{name}({var}) = (2\\pi ({cov}))^{{-1/2}} \\exp\\left(-\\frac{{({var} - ({mean}))^2}}{{2({cov})}}\\right)"
