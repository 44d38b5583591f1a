"""Stage 7, *judge* (the refutation discipline): what gives a failed check the force of a
refutation and what leaves the claim undecided: names used on one side only that nothing in
scope binds, a bare ``I`` whose size nothing fixes, transcendental functions, sequences and
custom functions, shapes that are all declared.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.sympify import _sympify  # strict: never parses a string
from sympy.matrices.expressions.matexpr import MatrixExpr

from . import roles as R
from .indexing import ENTRY_INDICES, implicit_diag_indices
from .latex_parser import Node, to_text
from .nodes import (AtM, AtS, DerivM, DerivS, DifferentialM, DifferentialS, Elementwise, EntryMatrix, EntryVector,
                    FamilyMatrix, Indicator, Kron, MatFn, Norm, ScalarFn, Softmax, Vec)
from .probability import random_families
from .sampling import svd_values_family
from .roles import family, free_names
from .scope import Bound, Scope, name_key
from .statements import Statement


# nodes the symbolic prover cannot open (a family or entry-by-entry matrix of a sampled size among them)
_CUSTOM = (ScalarFn, MatFn, DerivS, DerivM, DifferentialS, DifferentialM, AtS, AtM, Norm, Softmax, EntryVector,
           EntryMatrix, FamilyMatrix, Elementwise, Kron, Vec)


def free_identity(bare: set, *exprs: sp.Basic) -> bool:
    """An ``I`` written without a size whose size no matrix of the statement fixes
    (``\\|I\\|_F^2`` beside ``\\operatorname{tr}(I_2)``: the two may be of different sizes)."""
    if not bare:
        return False
    others: set = set()
    for e in exprs:
        for x in sp.preorder_traversal(e):
            if isinstance(x, MatrixExpr) and not isinstance(x, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix)) \
                    and not any(isinstance(a, MatrixExpr) for a in x.args):
                for d in x.shape:
                    others |= _sympify(d).free_symbols
    return any(not (_sympify(d).free_symbols <= others) for d in bare if not _sympify(d).is_number)


# custom nodes that are algebraic (entrywise max/min and comparisons, Kronecker products, vec): their
# values at large arguments are exact, so the checks across magnitudes apply to them
_ALGEBRAIC_CUSTOM = (Elementwise, Kron, Vec)
_PIECEWISE_LINEAR = ("relu", "sign")  # ScalarFn / MatFn names that are exact at any magnitude
# derivatives (central differences at doubled precision) stay accurate at large arguments: in a claim
# with a kink they do not keep it from the checks across magnitudes, since small draws may never cross
# the kink (max(0, 1 - y w^T x) with |y w^T x| < 1 on every draw in (-1, 1))
_DERIVATIVES = (DerivS, DerivM, AtS, AtM, DifferentialS, DifferentialM)
_PIECEWISE = (sp.Max, sp.Min, Elementwise, Indicator)


def _algebraic_custom(x: sp.Basic, piecewise: bool) -> bool:
    if isinstance(x, _ALGEBRAIC_CUSTOM) or piecewise and isinstance(x, _DERIVATIVES):
        return True
    return isinstance(x, (ScalarFn, MatFn)) and x.args[0].name in _PIECEWISE_LINEAR


def transcendental(e: sp.Basic) -> bool:
    nodes = list(sp.preorder_traversal(e))
    piecewise = any(isinstance(x, _PIECEWISE) or isinstance(x, (ScalarFn, MatFn)) and x.args[0].name == "relu"
                    for x in nodes)
    return any(isinstance(x, (sp.exp, sp.log, sp.Pow)) and not (isinstance(x, sp.Pow) and x.exp.is_Integer)
               or isinstance(x, _CUSTOM) and not _algebraic_custom(x, piecewise)
               or isinstance(x, (sp.tanh, sp.sin, sp.cos, sp.Function))
               and not isinstance(x, (sp.Min, sp.Max, sp.Abs, sp.KroneckerDelta, sp.factorial))
               for x in nodes)


def has_sequences(bound: Bound) -> bool:
    return any(i.kind == "seq" for i in bound.symbols.values())


def has_custom(e: sp.Basic) -> bool:
    return any(isinstance(x, _CUSTOM) for x in sp.preorder_traversal(e))


def all_declared(tree: Node, scope: Scope) -> bool:
    """Every name the statement reaches (through definitions) has a declared shape."""
    names = expanded_names(tree, scope) - _derivative_variables(tree)
    names -= {"I", "\\mathbf{1}", "e", "\\pi"}
    if scope.problem is not None or not names:
        return False
    return all(n in scope.declared for n in names)


def declared_text(tree: Node, scope: Scope) -> dict[str, str]:
    out = {}
    for n in sorted(expanded_names(tree, scope)):
        d = scope.declared.get(n)
        if d is not None:
            out[n] = f"{d.rows} x {d.cols}"
    return out


_CONSTANTS = {"I", "I" + R.INDEXED, "\\mathbf{1}", "e", "\\pi"}


def unbound_one_side(left: Node, right: Node, scope: Scope, st: Statement) -> set[str]:
    r"""Names that give a refutation no force: not defined, declared or assumed anywhere in
    scope, and used on one side only (``\tilde w_{jj}(\sigma_j^2 + \lambda) = \sigma_j^2``
    determines w; it is no identity in w).  With a problem, every name is bound already."""
    if scope.problem is not None:
        return set()
    if not st.in_document_model:
        return set()  # a bare list of identities: the generic reading is the universal one
    known = {f + "(·)" for f in scope.funcs} | _CONSTANTS
    # f'(u), f''(u) of a function f(u) the document defines: its derivatives (inference._primed_apply)
    known |= {f + "'" for f, (params, _body) in scope.funcs.items() if len(params) == 1}
    # the model's parameters (names its definitions use) and the variables its hypotheses
    # constrain are universal: a term that drops one of them is a slip, not an unknown
    for rhs in st.given_rhs:
        known |= free_names(rhs)
    # the model's inputs: names its definitions are made of (x in mu = 1/n sum x_i) are universal
    for fam, rhss in scope.def_families.items():
        if fam == st.defines:
            continue  # the statement's own first link does not make its names universal
        bound_vars = scope.def_index_vars.get(fam, set())
        for rhs in rhss:
            known |= free_names(rhs) - bound_vars - st.subjects  # M = ... stated (not understood): an unknown
    for kind, names, extra in st.structure:  # "Let $Q$ be orthogonal": sampled as stated, no unknown
        known |= set(names) | {n + R.INDEXED for n in names}  # y one-hot: its entries y_k too
        values = svd_values_family(extra.get("S")) if kind == "svd" else None
        if values:  # \sigma_i beside an SVD's \Sigma: the sampled diagonal of Σ
            known.add(values + R.INDEXED)
    assumed_only: set[str] = set()
    for h in st.hypotheses:
        assumed_only |= free_names(h) - known
        known |= free_names(h)
    randoms = random_families(scope)
    known |= randoms  # E[k^2]: the random k is integrated out, not a free name
    for rv in getattr(scope, "random", {}).values():  # x ~ N(μ, C): μ and C are the model's parameters
        for p in rv.dist.params:
            known |= free_names(p)
    for rec in getattr(scope, "joint", None) or ():  # "x and y jointly Gaussian with mean .. and covariance .."
        known |= set(rec.names)
        for part in (*rec.means, *(blk for row in rec.blocks for blk in row)):
            known |= free_names(part)
    a, b = expanded_names(left, scope), expanded_names(right, scope)
    bound_by_diag = implicit_diag_indices(left, scope) | implicit_diag_indices(right, scope)
    a, b = a - bound_by_diag, b - bound_by_diag  # diag(\rho_k^2) over \rho_1, \dots, \rho_r binds k
    alias = {f + R.INDEXED: m for f, m in getattr(scope, "entry_alias", {}).items()}
    alias |= _declared_entries(left, right, scope)  # A_{ij} of a declared m x n matrix A: A's entry
    if alias:  # X = [x_{ij}] was written: x_ij is X's entry, one name with X
        a, b = {alias.get(x, x) for x in a}, {alias.get(x, x) for x in b}
    if getattr(scope, "entries_of_defined", False):  # beside E[·]: h_i is an entry of the vector h
        a, b = ({x.removesuffix(R.INDEXED) for x in a}, {x.removesuffix(R.INDEXED) for x in b})
        known |= set(scope.dim_symbols)  # n of a declared h \in R^n: the length the sum runs to
    wrt = _derivative_variables(left) | _derivative_variables(right)
    out: set[str] = set()
    valued = _valued_names(st.hypotheses)  # \lambda_{\max} = 4 assumed (an equation honoured): given a value
    for side, other_names in ((left, b), (right, a)):
        if not free_names(side):
            # eta^* = 0.4 with eta^* = 2/(lambda_max + lambda_min): a number claimed for an
            # expression of quantities the document gives no values states what they are
            out |= {n for n in other_names if n not in scope.def_families and n not in wrt
                    and n.removesuffix("(·)") not in scope.funcs and n not in _CONSTANTS
                    and n not in randoms and n not in valued}
    defined_left = any(n in scope.def_families for n in free_names(left))
    defined_right = any(n in scope.def_families for n in free_names(right))
    # p used as a vector while only its entries p_k are defined, or Σ_{ij} where only Σ_{ii} is:
    # the rest of it is not the document's
    out |= {n for n in a | b if n + R.INDEXED in scope.def_families and n not in scope.def_families
            and not getattr(scope, "entries_of_defined", False)  # E[w^T h~]: h~ is the vector of its entries
            and not _entry_rule(n, scope) and not _ruled_matrix(n, scope)
            and n + R.INDEXED not in scope.label_families}  # q beside q_b = q^T B: a label, no entry
    for side in (left, right):  # a member the document did not give (Sigma_{ij} beside Sigma_{ii} = sigma_i)
        for x in side.walk():
            if x.kind == "name" and (family(x) or "") in scope.partial_families and to_text(x) not in scope.defs:
                out.add(family(x) or "")
    # l in ∂l/∂a where the document defines the function l(x): the bare name is not the
    # function's value at any point the statement names (read alone it is a free scalar)
    out |= {n for n in free_names(left) | free_names(right) if n in scope.funcs and n not in wrt
            and not _applied(n, left, right) and not _differentiated_in_own_parameter(n, scope, left, right)
            and not _own_arguments_given(n, scope)}
    labels = _label_letters(left, scope) | _label_letters(right, scope)
    for name in a ^ b:
        if name in labels:
            continue  # b of q_b = q^T B (a labelled name the document defines): a label, not a quantity
        if name in assumed_only and (defined_right if name in a else defined_left):
            # K = p/(p + r) with K defined from P and R, p and r only assumed positive: the
            # statement may be naming them (the scalar case of P and R), not a universal identity
            out.add(name)
            continue
        if name.endswith(R.INDEXED) and name not in scope.def_families \
                and _row_stack_family(name.removesuffix(R.INDEXED), scope) and _one_index_written(name, left, right):
            out.add(name)  # K_t beside K = [k_1^T; ...; k_n^T]: another matrix, which nothing defines
            continue
        if name in known or name in wrt or name.removesuffix("(·)") in scope.funcs:
            continue
        # y beside its entries y_k: one name (the vector and its entries)
        if name + R.INDEXED in known or (name.endswith(R.INDEXED) and name.removesuffix(R.INDEXED) in known):
            continue
        if name.endswith(R.INDEXED) and name.removesuffix(R.INDEXED) in scope.def_families:
            continue  # z_i of a vector the document defines whole (z = mu + sigma * eps)
        if name + R.INDEXED in scope.def_families and _entry_rule(name, scope):
            continue  # p where every entry p_k is defined: the vector of them
        if _ruled_matrix(name, scope):
            continue  # X where X_{ij} = ... gives every entry (or a band, zeros elsewhere)
        if name in scope.dim_symbols:
            continue  # a declared dimension (m of A in R^{m x n}) is no unknown
        if name == "\\delta" + R.INDEXED and name not in scope.def_families and "\\delta" not in scope.defs:
            continue  # the Kronecker delta δ_ij where the document does not define δ
        if name in scope.def_families:
            continue
        out.add(name)
    return out


def _declared_entries(left: Node, right: Node, scope: Scope) -> dict[str, str]:
    """``A_{ij}``, ``(AB)_{ij}`` (two index letters) of a matrix declared m x n, or named by its entries
    (``A = [a_{ij}]``), is an entry of A (the binder reads it so, inference._entry): A_• and A are one
    name, not an unknown beside a known.  Not where the statement writes A_t (a family of its own)."""
    mats = {k for k, d in scope.declared.items() if d.rows != 1 and d.cols != 1}
    mats |= set(getattr(scope, "entry_alias", {}).values())
    out: dict[str, str] = {}
    for base in mats:
        subs = [x.args[0] for side in (left, right) for x in side.walk()
                if x.kind == "name" and x.value == base and (x.args[0] is not None or x.args[1] is not None)]
        if all(sub is not None and _entry_pair(sub) for sub in subs):
            out[base + R.INDEXED] = base
    return out


def _entry_pair(sub: Node) -> bool:
    idx = list(sub.args) if sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt") else [sub]
    return len(idx) == 2 and all(i.kind == "name" and i.args == (None, None) and i.value in ENTRY_INDICES
                                 for i in idx)


def _label_letters(side: Node, scope: Scope) -> set[str]:
    """Letters used in ``side`` only as the subscript of a name the document defines exactly
    (``q_b`` with ``q_b = q^\\top B``): labels, never quantities of the statement."""
    labels: set[int] = set()
    for x in side.walk():
        if x.kind == "name" and isinstance(x.args[0], Node) and x.args[0].kind == "name" \
                and x.args[0].args == (None, None) and name_key(x) in scope.defs:
            labels.add(id(x.args[0]))
    as_label = {x.value for x in side.walk() if id(x) in labels}
    elsewhere = {x.value for x in side.walk() if x.kind == "name" and x.args == (None, None) and id(x) not in labels}
    return as_label - elsewhere


def _own_arguments_given(fn: str, scope: Scope) -> bool:
    """Whether the part gives every parameter of ``fn`` a value (``Q`` after "take z = 0" for the
    document's ``Q(z)``): bare, it is the function there, with nothing left to read otherwise."""
    params = scope.funcs.get(fn, ((), None))[0]
    return bool(params) and all(name_key(p) in scope.defs for p in params)


def _differentiated_in_own_parameter(fn: str, scope: Scope, *trees: Node) -> bool:
    """Whether bare ``fn`` is differentiated with respect to one of its own parameters
    (``\\nabla_\\theta J`` with ``J(\\theta)`` defined): then it is the function at its own argument."""
    params = {to_text(p) for p in scope.funcs.get(fn, ((), None))[0]}
    for t in trees:
        for x in t.walk():
            if x.kind == "nabla" and len(x.args) > 2:
                body, var = x.args[1], x.args[2]
            elif x.kind == "partial":
                body, var = x.args[0], x.args[1]
            else:
                continue
            if isinstance(body, Node) and body.kind == "name" and to_text(body) == fn and isinstance(var, Node) \
                    and to_text(var) in params:
                return True
    return False


def _applied(fn: str, *trees: Node) -> bool:
    """Whether ``fn`` is applied to an argument somewhere in ``trees`` (``l(x)``, not bare ``l``)."""
    return any(x.kind == "apply" and x.args and isinstance(x.args[0], Node) and to_text(x.args[0]) == fn
               for t in trees for x in t.walk())


def _row_stack(rhs: Node) -> bool:
    """``[k_1^\\top; \\dots; k_n^\\top]``: a matrix stacked from a family of row vectors, whose rows
    are the k_i; a K_t beside it is another matrix (the first t of them), not an entry of K."""
    return rhs.kind == "matrix" and all(len(r) == 1 for r in rhs.args) \
        and any(r[0].kind == "ellipsis" for r in rhs.args) and any(r[0].kind == "transpose" for r in rhs.args)


def _one_index_written(fam: str, *trees: Node) -> bool:
    """``K_t`` or ``K_{t-1}`` written in the statement: one index, a member of a family of matrices;
    ``G_{sj}`` (or an entry only the expansion of ``(G^\top t)_j`` reaches) is an entry of G."""
    return any(x.kind == "name" and family(x) == fam and x.args[0] is not None
               and x.args[0].kind not in ("tuple", "mul") for t in trees for x in t.walk())


def _row_stack_family(fam: str, scope: Scope) -> bool:
    """Whether every definition of ``fam`` is a stack of rows (:func:`_row_stack`)."""
    rhss = scope.def_families.get(fam)
    return bool(rhss) and all(_row_stack(r) for r in rhss)


def _entry_rule(name: str, scope: Scope) -> bool:
    """The document gives every entry of ``name`` by one rule (``p_k = ...``): the checker
    reads ``name`` as the vector of those entries."""
    return name + R.INDEXED not in scope.partial_families and any(
        to_text(Node("name", lhs.value, (None, None), lhs.col)) == name and slot == 0 and lhs.args[1] is None
        for lhs, slot, _v, _r in scope.def_patterns)


def _ruled_matrix(name: str, scope: Scope) -> bool:
    """A declared matrix whose every entry the document gives (``X_{ij} = x_{i+j-1}``; a band with
    zeros elsewhere): the checker builds it whole (inference._ruled_matrix)."""
    return name in scope.matrix_rules and name in scope.declared and name not in scope.defs


def expanded_names(n: Node, scope: Scope, depth: int = 0) -> set[str]:
    """Free names of ``n`` with the document's definitions replaced by what they use."""
    out: set[str] = set()
    for name in free_names(n):
        if name in scope.funcs and depth < 8:  # F(x) = ...: what its body uses, less its parameters
            params, body = scope.funcs[name]
            out |= expanded_names(body, scope, depth + 1) - {family(p) or "" for p in params}
            if name in _bare_uses(n):
                out |= {family(p) or "" for p in params}  # F alone is F(u) at its own u (inference.py)
            continue
        if name.endswith("_{infinity}") and name[:-len("_{infinity}")] + R.INDEXED in scope.def_families:
            name = name[:-len("_{infinity}")] + R.INDEXED  # p_\infty: the limit of the recurrence for p_t
        rhss = scope.def_families.get(name)
        if rhss is None and name.endswith(R.INDEXED) and getattr(scope, "entries_of_defined", False) \
                and name.removesuffix(R.INDEXED) in scope.def_families:
            rhss = scope.def_families[name.removesuffix(R.INDEXED)]  # z_i of a defined vector z: its entry
        elif rhss is None and getattr(scope, "entries_of_defined", False) and name + R.INDEXED in scope.def_families:
            # h~ with h~_i defined: the vector of those entries
            for rhs in scope.def_families[name + R.INDEXED]:
                out |= expanded_names(rhs, scope, depth + 1) - scope.def_index_vars.get(name + R.INDEXED, set())
            continue
        if rhss and depth < 8:
            for rhs in rhss:
                out |= expanded_names(rhs, scope, depth + 1) - {name} - scope.def_index_vars.get(name, set())
        else:
            out.add(name)
            for rec in getattr(scope, "joint", None) or ():
                if name in rec.names and depth < 8:  # E[x | y]: the pair's means and covariance blocks
                    for part in (*rec.means, *(blk for row in rec.blocks for blk in row)):
                        out |= expanded_names(part, scope, depth + 1)
            rv = _random_named(scope, name)
            if rv is not None and depth < 8:
                # x ~ N(μ, C): a moment of x (Cov[x] = C) uses its distribution's parameters
                for p in rv.dist.params:
                    out |= expanded_names(p, scope, depth + 1)
            if depth < 8 and name not in scope.declared:
                # a loss known only through g = ∂L/∂y: the checker differentiates ⟨g, y⟩, so L uses y
                for rhs in scope.defs.values():
                    if rhs.kind == "partial" and rhs.args[0].kind == "name" and to_text(rhs.args[0]) == name:
                        out |= expanded_names(rhs.args[1], scope, depth + 1)
    return out


def _valued_names(hypotheses: list[Node]) -> set[str]:
    """Names a hypothesis in scope sets to a written number (``\\lambda_{\\max} = 4``)."""
    out = set()
    for h in hypotheses:
        if h.kind == "chain" and h.args[1] == ("=",) and h.args[0][0].kind == "name" \
                and h.args[0][1].kind == "num":
            out.add(to_text(h.args[0][0]))
    return out


def _random_named(scope: Scope, name: str) -> Any:
    """The declared random variable a free name (as free_names spells it) stands for, if any."""
    for rv in getattr(scope, "random", {}).values():
        if rv.index is None and to_text(rv.node) == name:
            return rv
    return None


def _bare_uses(n: Node) -> set[str]:
    r"""Plain names of ``n`` that are not the head of an application (``F`` in ``\nabla_u F``, not
    in ``F(u)``)."""
    heads = {id(x.args[0]) for x in n.walk() if x.kind == "apply"}
    return {to_text(x) for x in n.walk() if x.kind == "name" and x.args == (None, None) and id(x) not in heads}


def _derivative_variables(n: Node) -> set[str]:
    """Names a derivative is taken with respect to (∂/∂x, d/dx, ∇_x): on one side only by nature."""
    out: set[str] = set()
    for x in n.walk():
        var = None
        if x.kind == "partial":
            var = x.args[1]
        elif x.kind == "ddx":
            var = x.args[0]
        elif x.kind == "nabla" and len(x.args) > 2:
            var = x.args[2]
        if isinstance(var, Node):
            out |= {family(v) or "" for v in var.walk() if v.kind == "name"}
    return out



def _family_member(x: Node, scope: Scope) -> bool:
    """``x_1``, ``x_i``, ``x^{(2)}`` of a family declared ``x_1, \\dots, x_n \\in \\mathbb{R}^d``."""
    shapes = getattr(scope, "family_shapes", {})
    if x.args[1] is not None:
        return to_text(Node("name", x.value, (x.args[0], None), x.col)) in shapes
    return x.args[0] is not None and x.value in shapes


def shapes_fixed(tree: Node, scope: Scope, limit: int = 400) -> bool:
    """Every name the statement reaches (through the document's definitions) has a shape the
    document fixes: declared (``x \\in \\mathbb{R}^n``, "a scalar bias $b$"), a dimension or a
    bound index, or a constant (I, 1, e, π); nothing is left to a guess by letter case."""
    if scope.problem is not None:
        return False
    stack, seen, found = [tree], set(), False
    while stack and limit > 0:
        n = stack.pop()
        limit -= 1
        bound = {to_text(x.args[1]) for x in n.walk() if x.kind in ("sum", "prod") and isinstance(x.args[1], Node)}
        for x in n.walk():
            if x.kind != "name":
                continue
            key = to_text(x)
            if key in seen or key in bound or key in scope.dim_symbols or key in _CONSTANTS or x.value in ("I", "\\mathbf{1}"):
                continue
            seen.add(key)
            found = True
            if key in scope.declared or _family_member(x, scope):
                continue
            rhs = scope.defs.get(key) if key in scope.defs else scope.defs.get(x.value)
            if rhs is None:
                return False  # a name nothing defines or declares: its shape is a guess
            stack.append(rhs)
    return found and not stack
