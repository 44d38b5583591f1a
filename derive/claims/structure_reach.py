"""Stage 7, *judge* (structure reach): which stated structure a statement reaches — entries of SVD
factors, coordinates in orthonormal eigenvectors, eigenvalues of a written matrix, blocks of a
structured matrix — and the facts (structure.py) sampling must honour for it.
"""

from __future__ import annotations

import re
from typing import Any

import mpmath

from . import roles as R, structure as S
from ..verdict import REFUTED, VERIFIED
from .discipline import expanded_names
from .indexing import ENTRY_INDICES
from .latex_parser import Node, ParseError, parse, to_text
from .model import DocumentModel, visible
from .scope import BindError, Scope, substitute_name


def svd_factor_entry(n: Node, facts: list, section: Any, model: DocumentModel) -> bool:
    """``\\Sigma_{ii}`` (two index letters) where Σ is the middle factor of an SVD the prose states
    (visible here) and a declared matrix: the decomposition gives Σ whole, so an equation for its
    entries is a claim about it (sampled as the rectangular diagonal factor), not a definition."""
    if n.kind != "name" or n.args[1] is not None or n.args[0] is None:
        return False
    if not _entry_pair(n.args[0]) or not any(f.kind == "svd" and f.get("S") == n.value
                                             and visible(f.section, section) for f in facts):
        return False
    shape = model.scope_for(section).declared.get(n.value)
    return shape is not None and shape.rows != 1 and shape.cols != 1


def entries_reach(tree: Node, reach: set[str], scope: Any) -> set[str]:
    """``\\Sigma_{kj}`` or ``(\\tilde W \\Sigma)_{ij}`` with Σ a declared m x n matrix: entries of Σ
    (inference._entry reads two index letters so), so a claim that reaches the entries reaches the
    matrix, and Σ's stated structure (an SVD factor) and hypotheses are honoured when it is sampled.
    Not where the statement also writes Σ with another subscript (Σ_t: a family of its own)."""
    out = set()
    for n in reach:
        base = n.removesuffix(R.INDEXED)
        shape = scope.declared.get(base) if n != base else None
        if shape is None or shape.rows == 1 or shape.cols == 1:
            continue
        # p^{(t)} with no subscript is p itself at a time, not an entry
        if all(x.args[0] is not None and _entry_pair(x.args[0]) for x in tree.walk()
               if x.kind == "name" and x.value == base and (x.args[0] is not None or x.args[1] is not None)):
            out.add(base)
    return out


def _entry_pair(sub: Node) -> bool:
    """``ij``, ``kj``, ``i,j``: a subscript of two plain index letters."""
    idx = list(sub.args) if sub.kind == "tuple" or (sub.kind == "mul" and sub.value == "juxt") else [sub]
    return len(idx) == 2 and all(x.kind == "name" and x.args == (None, None) and x.value in ENTRY_INDICES
                                 for x in idx)


STRUCTURE_WORDS = ("orthogonal", "orthonormal", "svd", "singular value decomposition", "eigendecomposition",
                    "eigen-decomposition", "diagonal", "symmetric", "positive definite", "unitary", "triangular",
                    "idempotent", "projection") + ("eigenvalue", "eigenvector", "eigenbasis", "spectral",
                                                   "positive semidefinite", "psd", "spd", "orthonormal basis",
                                                   "covariance")


_SVD_WORDS = ("svd", "singular value decomposition")


_EIGEN_USE = ("eigenvalue", "eigenvector", "eigenbasis", "spectral", "eigendecomposition", "eigen-decomposition",
              "orthonormal basis")


def structure_for(facts: list, told: Any, stated: set[str], reach: set[str], section: Any,
                   model: DocumentModel) -> tuple[list, list[str], set[str]]:
    """The stated structure a claim's sampling honours, the structure about its names that it
    cannot honour, and the structure words of its sections no rule attached to names."""
    here = [f for f in facts if visible(f.section, section)]
    applied, blocked = [], []
    for f in here:
        if f.kind in ("roots", "joint_gaussian"):
            # roots: judged through the equations q(z_1) = 0, ... (see root_equations); a joint
            # Gaussian declaration: read by the probability model (E[x | y]), it constrains no value
            continue
        # L = -\sum_k y_k \log p_k reaches a one-hot y through its entries: the binding says whether
        # they are y's entries (sampled one-hot) or a family of free scalars (not honoured, see
        # _structure_unread)
        entries = f.kind == "onehot" and {n + R.INDEXED for n in f.names} & reach
        grid = _block_grid(f, section, model)
        if not set(f.names) & reach and not entries and not (grid and set().union(*grid) & reach):
            parts_reached = _unsampled_blocks(f, section, model) & reach
            if parts_reached:  # [[A, B], [B^T, D]] stated spd: A, B, D constrained, not drawn as one
                blocked.append(f"{f.names[0]} {f.word} ({', '.join(sorted(parts_reached))} in its definition, "
                               "not sampled as the blocks of one such matrix)")
            continue
        if _names_a_defined_spectrum(f, reach, section, model):
            continue
        blocks = _stated_of_blocks(f, reach, section, model)
        if blocks is not None:
            applied.append(blocks)
            continue
        own = [n for n in f.names if model.is_defined(n, section)]
        if f.kind == "svd" or f.get("Q"):  # X = U Sigma V^T itself may be recorded as X's definition
            whole = f.get("X") or f.get("matrix")
            b = model.definition_of(whole, section)
            if b is None or b.line == f.line:
                own = [n for n in own if n != whole]
        if f.kind in S.SAMPLED and not own:
            applied.append(f)
        else:
            why = f" ({', '.join(own)} defined by an expression)" if own and f.kind in S.SAMPLED else ""
            blocked.append(f"{', '.join(f.names)} {f.word}{why}")
    words = set().union(*(ws for sec, ws in told.unattached.items() if visible(sec, section))) \
        if told.unattached else set()
    vocabulary = {p for p, _k in S._WORDS} | {"eigenvalue", "eigenvalues", "eigenvector", "eigenvectors"}
    kinds = {f.kind for f in here}
    left = set()
    for w in stated:
        if w in vocabulary or any(w in v for v in vocabulary):
            continue  # the extractor read it: attached, or in ``words`` below
        if w in _SVD_WORDS and "svd" in kinds:
            continue
        if w in _EIGEN_USE and "eigen" in kinds:
            continue
        left.add(w)
    for w in words:
        if any(w.startswith(e) for e in ("eigenvalue", "eigenvector")) and "eigen" in kinds:
            continue  # "the eigenvalue estimate" beside the stated eigendecomposition
        if not any(old in w for old in STRUCTURE_WORDS):
            continue  # invertible, nonsingular: a random matrix is one already
        left.add(w)
    return applied, blocked, left


def eigen_expansion(tree: Node, facts: list, section: Any, model: DocumentModel
                     ) -> tuple[str, Node, Node, str] | None:
    """``x = \\sum_{i=1}^n c_i u_i`` with u_i the orthonormal eigenvectors a visible fact names
    and c new: the coordinates c_i = u_i^T x (family, left side, right side, text)."""
    if tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    v, total = tree.args[0]
    if v.kind != "name" or total.kind != "sum" or total.args[1] is None or model.is_defined(R.family(v) or "", section):
        return None
    body, var, lo, hi = total.args[:4]
    if body.kind != "mul" or len(body.args) != 2 or var.kind != "name":
        return None
    # the whole basis (i = 1..n, n a declared size): a partial sum would be a hypothesis on x
    dims = model.scope_for(section).dim_symbols
    if lo is None or to_text(lo) != "1" or hi is None or hi.kind != "name" or to_text(hi) not in dims:
        return None
    c, u = body.args
    vectors = {f.get("vectors") for f in facts if f.kind == "eigen" and visible(f.section, section)} - {None}
    fam_c, fam_u = R.family(c) or "", R.family(u) or ""
    if fam_u not in vectors or not fam_c or fam_c == fam_u or model.is_defined(fam_c, section):
        return None
    for n in (c, u):
        if n.kind != "name" or n.args[1] is not None or n.args[0] is None or to_text(n.args[0]) != to_text(var):
            return None
    lhs = c
    rhs = Node("mul", "juxt", (Node("transpose", None, (u,), u.col), v), u.col)
    return fam_c, lhs, rhs, f"{to_text(c)} = {to_text(u)}^T {to_text(v)}"


_WITH_BEFORE = re.compile(r"\$([^$]{1,80})\$\s*(?:with|where|such that)\s*$")


def expansion_restarted(tree: Node, context: str, expansions: dict, section: Any) -> None:
    """"Starting from $x_0$ with $c_1 \\ne 0$": a condition on a coordinate stated of another vector
    makes the coordinates that vector's (c_i = u_i^T x_0) from here on."""
    hit = _WITH_BEFORE.search(context[-200:])
    if hit is None:
        return
    fams = {R.family(n) for n in tree.walk() if n.kind == "name"} & set(expansions)
    if len(fams) != 1:
        return
    try:
        v = parse(hit.group(1).strip())
    except ParseError:
        return
    if v.kind != "name":
        return
    fam = fams.pop()
    lhs, rhs, _text, _sec = expansions[fam]
    u = rhs.args[0]
    rhs2 = Node("mul", "juxt", (u, v), rhs.col)
    expansions[fam] = (lhs, rhs2, f"{to_text(lhs)} = {to_text(u.args[0])}^T {to_text(v)}", section)


def with_expansions(scope: Scope, tree: Node, names: set[str], expansions: dict, section: Any) -> Scope:
    """The coordinates of an expansion defined for a claim that names them and reaches their vector
    (x of c_i = u_i^T x): one that reaches only the coordinates may mean another vector's."""
    if not expansions:
        return scope
    reach = names | expanded_names(tree, scope)
    out = scope
    for fam, (lhs, rhs, text, sec) in expansions.items():
        vector = R.family(rhs.args[1])
        if fam in reach and vector in reach and visible(sec, section) and fam not in scope.def_families:
            if out is scope:
                out = scope.copy()
            try:
                out.define(lhs, rhs, text)
            except (BindError, ParseError):
                continue
    return out


def _number(n: Node) -> Any:
    """The value of a written number (2, -1, 0.5, \\frac{1}{2}); None for anything else."""
    if n.kind == "num":
        try:
            return mpmath.mpf(n.value)
        except (ValueError, TypeError):
            return None
    if n.kind == "neg" and len(n.args) == 1:
        v = _number(n.args[0])
        return None if v is None else -v
    if n.kind == "div" and len(n.args) == 2:
        a, b = _number(n.args[0]), _number(n.args[1])
        return None if a is None or b is None or b == 0 else a / b
    return None


def eigenvalue_of_given_matrix(tree: Node, facts: list, model: DocumentModel, line: int, section: Any
                                ) -> tuple[str, str] | None:
    """``\\lambda_1 = 3`` beside ``A = \\begin{pmatrix} 2 & 1 \\\\ 1 & 2 \\end{pmatrix}`` on the same line,
    with "$A$ symmetric with eigenvalues $\\lambda_1 > \\lambda_2 \\ge \\dots$" stated: the member is
    determined (the eigenvalues of the numbers written, in the stated order), so the line is a
    claim, checked exactly (VERIFIED or REFUTED, with why); None where anything is missing."""
    if tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    lhs, rhs = tree.args[0]
    value = _number(rhs)
    if lhs.kind != "name" or value is None or lhs.args[1] is not None or lhs.args[0] is None \
            or lhs.args[0].kind != "num":
        return None
    fam, k = R.family(lhs), int(lhs.args[0].value) if lhs.args[0].value.isdigit() else 0
    for f in facts:
        if f.kind != "eigen" or f.get("values") != fam or f.get("order") not in ("desc", "asc") \
                or not visible(f.section, section) or f.get("Q"):
            continue
        given = [h for h in model.hypotheses if h.line == line and h.tree.kind == "chain" and h.tree.args[1] == ("=",)
                 and to_text(h.tree.args[0][0]) == f.get("matrix") and h.tree.args[0][1].kind == "matrix"]
        if len(given) != 1:
            return None
        rows = given[0].tree.args[0][1].args
        n = len(rows)
        if n == 0 or n > 8 or any(len(r) != n for r in rows):
            return None
        entries = [[_number(x) for x in r] for r in rows]
        if any(x is None for r in entries for x in r) or any(entries[i][j] != entries[j][i]
                                                            for i in range(n) for j in range(i)):
            return None  # symmetric numbers only: their eigenvalues are real
        if not 1 <= k <= n:
            return None
        with mpmath.workdps(50):
            ev = sorted(mpmath.eigsy(mpmath.matrix(entries), eigvals_only=True), reverse=f.get("order") == "desc")
            true = ev[k - 1]
            ok = abs(true - value) <= mpmath.mpf(10) ** -40 * max(1, abs(true))
        shown = ", ".join(mpmath.nstr(x, 12) for x in ev)
        order = "largest first" if f.get("order") == "desc" else "smallest first"
        text = (f"the eigenvalues of ${given[0].latex}$ are {shown} ({order}, as stated), "
                f"so {to_text(lhs)} = {mpmath.nstr(true, 12)}")
        return (VERIFIED, text) if ok else (REFUTED, text + f", not {mpmath.nstr(value, 12)}")
    return None


_BLOCK_KINDS = ("spd", "psd", "symmetric")


def _block_grid(f: Any, section: Any, model: DocumentModel) -> tuple[tuple[str, ...], ...] | None:
    """The blocks of a matrix the document defines as a square grid of names it leaves free
    (``\\Sigma = \\begin{pmatrix} \\Sigma_{xx} & \\Sigma_{xy} \\\\ \\Sigma_{yx} & \\Sigma_{yy} \\end{pmatrix}``),
    when the structure stated of it is one the sampler can build whole (spd, psd, symmetric)."""
    if f.kind not in _BLOCK_KINDS or len(f.names) != 1:
        return None
    b = model.definition_of(f.names[0], section)
    if b is None or b.rhs is None or b.rhs.kind != "matrix":
        return None
    rows = b.rhs.args
    if len(rows) < 2 or any(len(r) != len(rows) for r in rows):
        return None
    grid = tuple(tuple(R.family(e) if e.kind == "name" else "" for e in r) for r in rows)
    for i, r in enumerate(rows):  # B^T below B: the mirror of a named block, which a symmetric draw gives
        for j, e in enumerate(r):
            if e.kind == "transpose" and e.args[0].kind == "name" and i != j and grid[j][i] \
                    and R.family(e.args[0]) == grid[j][i]:
                grid = grid[:i] + (grid[i][:j] + ("",) + grid[i][j + 1:],) + grid[i + 1:]
            elif not grid[i][j]:
                return None
    flat = [n for r in grid for n in r if n]
    if len(set(flat)) != len(flat) or any(model.is_defined(n, section) for n in flat):
        return None
    return grid


def _unsampled_blocks(f: Any, section: Any, model: DocumentModel) -> set[str]:
    """The names in a matrix the document writes entry by entry or block by block and states
    structured (spd, symmetric, orthogonal, diagonal ...) when :func:`_block_grid` cannot draw them
    as one such matrix: the structure constrains them, so a claim that reaches them is not refuted."""
    if f.kind not in S.SAMPLED or len(f.names) != 1:
        return set()
    b = model.definition_of(f.names[0], section)
    if b is None or b.rhs is None or b.rhs.kind != "matrix":
        return set()
    return R.free_names(b.rhs)


def _stated_of_blocks(f: Any, reach: set[str], section: Any, model: DocumentModel) -> Any:
    """"where $\\Sigma$ is symmetric positive definite", Σ defined by its blocks: the blocks a claim
    reaches are sampled as the blocks of one such matrix (sampling.StructurePlan), so the
    structure constrains them even where the claim never names Σ."""
    grid = _block_grid(f, section, model)
    if grid is None:
        return None
    names = tuple(n for r in grid for n in r if n)  # a transposed mirror ("") is no name of its own
    return S.Fact("blocks", names, f.line, f.section, f.word,
                  (("kind", f.kind), ("grid", grid), ("whole", f.names[0])))


def _names_a_defined_spectrum(f: Any, reach: set[str], section: Any, model: DocumentModel) -> bool:
    """"Let $H = \\frac1n X^T X$, with extreme eigenvalues $\\lambda_{\\min}$ and $\\lambda_{\\max}$":
    the sentence names the eigenvalues of a matrix its definition fixes; with no sign stated in
    the math (λ_i > 0 would constrain X) it says nothing of the definition's inputs, so a claim
    that reaches the matrix but none of the names it gives is sampled as if it were not there."""
    if f.kind not in ("eigen", "unmodelled") or not f.word.startswith("eigen") or f.get("Q"):
        return False
    matrix = f.get("matrix")
    if matrix is None or f.get("sign") is not None or f.get("prose_sign") or not model.is_defined(matrix, section):
        return False
    if f.get("values") is None:  # "with positive eigenvalues": nothing named, a property of the inputs
        return False
    return not ({f.get("values"), f.get("vectors")} - {None}) & reach


_EXTREMES = {"\\min": min, "\\max": max}


def extreme_eigenvalues(facts: list, reach: set[str], section: Any, model: DocumentModel, line: int
                         ) -> tuple[list[tuple[Node, str]], list[str]] | None:
    """"$H$ ... with extreme eigenvalues $\\lambda_{\\min}$ and $\\lambda_{\\max}$", then "Suppose $H =
    \\operatorname{diag}(4, 1)$": in that part the extreme eigenvalues are the written numbers' least
    and greatest, equations assumed for a claim that reaches them (the verdict names them; like
    the roots of a stated polynomial they leave a failing claim undecided).  Also the fact's
    entry in the blocked list, which the equations now honour."""
    out: list[tuple[Node, str]] = []
    honoured: list[str] = []
    for f in facts:
        if f.kind not in ("eigen", "unmodelled") or not f.word.startswith("eigen") or not visible(f.section, section):
            continue
        matrix, values = f.get("matrix"), f.get("values")
        if not matrix or not values:
            continue
        base = values.split("_")[0]
        wanted = {n: _EXTREMES[n[len(base) + 2:-1]] for n in reach
                  if n.startswith(base + "_{") and n[len(base) + 2:-1] in _EXTREMES}
        numbers = _numeric_spectrum(matrix, section, model, line) if wanted else None
        if not numbers:
            continue
        for name, pick in sorted(wanted.items()):
            if any(to_text(e.args[0][0]) == name for e, _t in out):
                continue  # named by two sentences ("extreme eigenvalues", "every eigenvalue")
            value = pick(numbers)
            eq = Node("chain", "", ((parse(name), Node("num", mpmath.nstr(value, 40), (), 0)), ("=",)), 0)
            out.append((eq, f"{name} = {mpmath.nstr(value, 12)} (an extreme eigenvalue of the {matrix} given as "
                            "numbers in this part)"))
        honoured.append(f"{', '.join(f.names)} {f.word}")
    return (out, honoured) if out else None


def with_spectra(scope: Scope, facts: list, reach: set[str], section: Any, model: DocumentModel
                  ) -> tuple[Scope, list[str]] | None:
    """"Let $H = \\frac1n X^T X$, with extreme eigenvalues $\\lambda_{\\min}$ and $\\lambda_{\\max}$", "for
    every eigenvalue $\\lambda$ of $H$": in a claim that reaches them, λ_min and λ_max are the least
    and greatest eigenvalue of H computed on each instance, and λ_i its i-th smallest (i over H's
    size), when H is defined (symmetric on every instance, else the instance is not evaluated) and
    the math states no sign or order of its own.  Also the blocked-list entries this honours: those
    whose claim uses only the extremes (an order of the λ_i is not stated, so a claim naming one
    member is still not refuted)."""
    out, honoured = None, []
    for f in facts:
        if f.kind not in ("eigen", "unmodelled") or not f.word.startswith("eigen") or not visible(f.section, section):
            continue
        matrix, values = f.get("matrix"), f.get("values")
        if not matrix or not values or f.get("Q") or f.get("order") or f.get("sign") or f.get("prose_sign") \
                or not model.is_defined(matrix, section):  # a sign stated of them may constrain H's inputs
            continue
        base = values.split("_")[0]
        try:
            m_node = parse(matrix)
        except ParseError:
            continue
        used_member = False
        for name in sorted(reach):
            if scope.defs.get(name) is not None or name in scope.def_families:
                continue
            label = name[len(base) + 2:-1] if name.startswith(base + "_{") else None
            if label in ("\\min", "\\max"):
                rhs = Node("spectrum", label.lstrip("\\"), (m_node,), 0)
                lhs = parse(name)
            elif name == base + R.INDEXED:
                var = Node("name", "\\mathrm{eig}", (None, None), 0)
                rhs = Node("spectrum", "at", (m_node, var), 0)
                lhs = Node("name", base, (var, None), 0)
                used_member = True
            else:
                continue
            out = out if out is not None else scope.copy()
            try:
                out.define(lhs, rhs, f"{name} = an eigenvalue of {matrix} (named in the prose)")
            except (BindError, ParseError):
                continue
        if out is not None and not used_member:
            honoured.append(f"{', '.join(f.names)} {f.word}")
    return (out, honoured) if out is not None else None


def _numeric_spectrum(matrix: str, section: Any, model: DocumentModel, line: int) -> list[Any] | None:
    """The eigenvalues of ``matrix`` where a visible hypothesis before ``line`` gives it as numbers:
    ``\\operatorname{diag}(4, 1)`` or a symmetric matrix of numbers (at most 8 x 8)."""
    for h in reversed(model.hypotheses):
        t = h.tree
        if h.line > line or not visible(h.section, section) or t.kind != "chain" or t.args[1] != ("=",) \
                or to_text(t.args[0][0]) != matrix:
            continue
        return _eigenvalues_written(t.args[0][1])
    return None


def _eigenvalues_written(rhs: Node) -> list[Any] | None:
    """The eigenvalues of ``\\operatorname{diag}(4, 1)`` or of a symmetric matrix of numbers (at most 8 x 8)."""
    if rhs.kind == "call" and rhs.args and isinstance(rhs.args[0], Node) and rhs.args[0].kind == "func" \
            and rhs.args[0].value in ("\\diag", "\\operatorname{diag}", "diag") and 1 < len(rhs.args) <= 9:
        nums = [_number(a) for a in rhs.args[1:]]
        return nums if all(x is not None for x in nums) else None
    if rhs.kind == "matrix":
        rows = rhs.args
        k = len(rows)
        if not 0 < k <= 8 or any(len(r) != k for r in rows):
            return None
        entries = [[_number(x) for x in r] for r in rows]
        if any(x is None for r in entries for x in r) or any(entries[i][j] != entries[j][i]
                                                            for i in range(k) for j in range(i)):
            return None
        with mpmath.workdps(50):
            return list(mpmath.eigsy(mpmath.matrix(entries), eigvals_only=True))
    return None


def stated_extremes(tree: Node, facts: list, section: Any) -> list[tuple[str, Node]]:
    """"Suppose $H = \\operatorname{diag}(4, 1)$" with "$H$ ... extreme eigenvalues $\\lambda_{\\min}$ and
    $\\lambda_{\\max}$" stated: the values λ_min = 1, λ_max = 4, as values an equation of the part states
    (substituted into the conditions a later solution set solves)."""
    if tree.kind != "chain" or tree.args[1] != ("=",) or tree.args[0][0].kind != "name":
        return []
    matrix = to_text(tree.args[0][0])
    bases = {f.get("values").split("_")[0] for f in facts
             if f.kind in ("eigen", "unmodelled") and f.word.startswith("eigen") and f.get("matrix") == matrix
             and f.get("values") and visible(f.section, section)}
    numbers = _eigenvalues_written(tree.args[0][1]) if bases else None
    if not numbers:
        return []
    return [(f"{b}_{{{label}}}", Node("num", mpmath.nstr(pick(numbers), 40), (), 0))
            for b in sorted(bases) for label, pick in (("\\min", min), ("\\max", max))]


ROOT_TEXT = "is a root of"


def root_equations(facts: list, reach: set[str], section: Any) -> list[tuple[Node, str]]:
    """"Its two roots $z_1, z_2$" of a polynomial the prose writes: q(z_1) = 0, q(z_2) = 0, as
    equations assumed for a claim that reaches the family (solved when sampling, see equations.py)."""
    out = []
    for f in facts:
        if f.kind != "roots" or not visible(f.section, section) or f.names[0] not in reach:
            continue
        try:
            poly = parse(f.get("poly"))
        except ParseError:
            continue
        for m in f.get("members"):
            member = parse(m)
            eq = Node("chain", "", ((substitute_name(poly, f.get("var"), member), Node("num", "0", (), 0)), ("=",)), 0)
            out.append((eq, f"{m} {ROOT_TEXT} {f.get('poly')} (stated in the prose)"))
    return out


_CHECKABLE = ("symmetric", "diagonal", "orthogonal", "spd", "psd")


def defined_structure_checks(facts: list, reach: set[str], section: Any, model: DocumentModel
                      ) -> list[tuple[str, str, str]]:
    """Structure stated about a name the document defines by an expression (kind, name, the text
    the blocked list gives it): a consequence of the definition where it holds on every instance,
    a constraint on the definition's inputs where it does not (the instance is then drawn again)."""
    out = []
    for f in facts:
        if f.kind not in _CHECKABLE or not visible(f.section, section) or not set(f.names) & reach:
            continue
        own = [n for n in f.names if model.is_defined(n, section)]
        if own and len(own) == len(f.names):
            text = f"{', '.join(f.names)} {f.word} ({', '.join(own)} defined by an expression)"
            out.extend((f.kind, n, text) for n in own)
    return out


def matrix_like(name: str) -> bool:
    base = name.split("_")[0].split("^")[0]
    for pre in ("\\mathbf{", "\\bar{", "\\hat{", "\\tilde{", "\\widehat{", "\\mathcal{"):
        base = base.replace(pre, "")
    base = base.strip("{}")
    return (len(base) == 1 and base.isupper()) or base in ("\\Sigma", "\\Lambda", "\\Phi", "\\Psi", "\\Omega")


def structured_names(facts: list) -> set[str]:
    """Every name a stated structure mentions (its names, and the names its details give)."""
    out: set[str] = set()
    for f in facts:
        out |= {n.removesuffix(R.INDEXED) for n in f.names}
        for _k, v in f.extra:
            for item in (v if isinstance(v, (tuple, list)) else (v,)):
                if isinstance(item, str):
                    out.add(item)
                    out.add(item.split("_")[0])  # u_1 of "eigenvectors u_1, ..., u_n": the family u
    return out


def reaches_any(names: frozenset, reach: set[str]) -> bool:
    """Whether a claim reaches one of ``names`` (p_• and the vector p are one quantity here)."""
    return any(n in reach or n.removesuffix(R.INDEXED) in reach or n + R.INDEXED in reach for n in names)
