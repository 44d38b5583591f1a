"""Stage 5, *model*: what the document itself says its names mean, section by section.

The document is read in order.  Definitions (``Let s = p^\\top p``, ``n = 1`` after "Given",
a fresh name on the left) and hypotheses (``0 < \\alpha < 1``, ``x \\in \\mathbb{R}^n``,
"for k ≥ 1") are recorded with the section they were made in; a statement sees the
bindings of its own section and of the sections that enclose it, so ``L = 4`` in "(b) i."
and ``L = 3`` in "(b) ii." do not collide, and a later section may rebind a name.  The stacked
data an earlier sibling part sets up (``K = [k_1^\\top; \\dots; k_n^\\top]``) reaches the later parts
of its problem where they do not bind the name themselves (:meth:`DocumentModel.inherited`).

A registered problem gives names a meaning only where the document has not taken them
over: when a visible definition rebinds one of the problem's inputs (``A = \\alpha = 0.8``
in the scalar example of the SSM problem), the problem's own computed quantities (its
kernel, its states) no longer describe this section, and the statement is read without it
(its names then come from the document, or the statement is not refuted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from . import probability
from .inference import primed_name
from .indexing import ellipsis_lengths, family_key
from .latex_parser import Node, ParseError, to_text
from .roles import family, label_subscript, summed_members
from .scope import BindError, Scope, name_key

Section = tuple[tuple[int, str, int], ...]


_PART_HEADING = re.compile(r"(?:problem|question|exercise|part|task|section|q)\s*\.?\s*\(?[0-9a-z]{1,4}\b"
                           r"|\(?[a-h]\)|\(?(?:i{1,3}|iv|v|vi{1,3}|ix|x)[.)]|[0-9]{1,2}\s*[.)(]|[a-h][.]\s",
                           re.IGNORECASE)


def parts(section: Section) -> Section:
    """The headings that delimit parts of a problem ("Problem 3", "(b)", "ii.", "2(a)");
    descriptive headings ("Backward pass") continue the derivation and do not end a scope."""
    return tuple(h for h in section if _PART_HEADING.match(h[1].lstrip("*_# ")))


def visible(made_in: Section, used_in: Section) -> bool:
    """A binding made in a part holds in it and in the parts it encloses."""
    made, used = parts(made_in), parts(used_in)
    return used[:len(made)] == made


def earlier_sibling(made_in: Section, used_in: Section) -> bool:
    """Whether a binding made in ``made_in`` was made directly in a part that is an earlier
    sibling of a heading enclosing ``used_in`` ((c) of the same problem, read in (f) or in the
    problem's summary): same parent headings, same level, an earlier line."""
    made = parts(made_in)
    if not made:
        return False
    head = made[-1]
    at = made_in.index(head)
    if made_in[at + 1:] and parts(made_in[at + 1:]):
        return False  # made in a sub-part of the sibling ("(b) i."): that example's own setup
    parent = made_in[:at]
    if used_in[:at] != parent or len(used_in) <= at:
        return False
    other = used_in[at]
    return other != head and other[0] == head[0] and other[2] > head[2]


# the binding kinds that come with stacked data: the length of the family, names for the entries
_SETUP_KINDS = ("dimension", "entries")


def is_setup(b: "Binding") -> bool:
    """A matrix or vector stacked from a family written with an ellipsis (``K = [k_1^\\top; \\dots;
    k_n^\\top]``, ``y = [y_1, \\dots, y_n]^\\top``), its length, names for its entries: the data a
    problem's setup gives its later parts.  A derived quantity (``M = (K^\\top K + \\lambda I)^{-1}``),
    an example's value, or a bare declaration ("given vectors $u, v \\in \\mathbb{R}^d$" for one
    part's lemma, whose v is not the v_i of the values) is that part's own and does not travel."""
    if b.kind in _SETUP_KINDS:
        return True
    if b.kind != "define" or b.own_part:
        return False
    return any(n.kind in ("matrix", "tuple") and any(c.kind == "ellipsis" for c in n.walk()) for n in b.rhs.walk())


@dataclass
class Binding:
    section: Section
    kind: str  # "define" | "declare" | "dimension" | "entries" | "range" | "band" | "free" | "retracted"
    lhs: Node
    rhs: Node
    latex: str
    line: int
    family: str | None
    scalar: bool = False  # a dimension binding: the family's members are numbers
    claimed: bool = False  # a value a claim gave (a minimiser's closed form): a case stated later overrides it
    own_part: bool = False  # never a setup that later parts inherit (a vector's members named in words)


@dataclass
class Hypothesis:
    section: Section
    tree: Node
    latex: str
    line: int
    names: frozenset[str]
    local: bool = False  # a case condition: it holds on its own line only
    condition: Node | None = None  # the range it is stated for ("u_k = 0 for k > 3")


@dataclass
class DocumentModel:
    """Bindings and hypotheses in document order; scopes are built per statement."""

    base: Scope
    bindings: list[Binding] = field(default_factory=list)
    hypotheses: list[Hypothesis] = field(default_factory=list)
    seen: list[tuple[Section, frozenset[str]]] = field(default_factory=list)
    # (section, families used only as summed coefficients, families used otherwise, judged role)
    uses: list[tuple[Section, frozenset[str], frozenset[str], bool]] = field(default_factory=list)
    entry_names: set[str] = field(default_factory=set)
    _cache: dict[tuple[int, ...], Scope] = field(default_factory=dict)
    _inherited: dict[tuple[Section, int], list[int]] = field(default_factory=dict)

    def use(self, names: set[str], section: Section) -> None:
        """Record that a statement in ``section`` used these name families."""
        if names:
            self.seen.append((section, frozenset(names)))

    def was_seen(self, fam: str, section: Section) -> bool:
        """Whether an earlier statement of the document used ``fam`` (a name used before is
        not introduced by a later equation: it is restated)."""
        del section
        return any(fam in names for _sec, names in self.seen)

    def note_uses(self, tree: Node, section: Section, judged: bool) -> None:
        """Record how a statement used its names (see :meth:`left_open`); ``judged``: a judged
        statement or a definition (``r = \\sum_i h_i \\beta_i``), which leaves its coefficients open,
        unlike a hypothesis that constrains them."""
        member, whole = summed_members(tree)
        if member or whole:
            self.uses.append((section, frozenset(member), frozenset(whole), judged))

    def left_open(self, fam: str, section: Section) -> bool:
        """Whether the statements of ``section`` (and the parts enclosing it) used ``fam`` only as
        coefficients inside sums over its index, and only in judged statements or definitions: an expansion with
        unknown coefficients (``o = \\sum_i v_i \\alpha_i``) that nothing has determined yet."""
        here = [u for u in self.uses if visible(u[0], section) and (fam in u[1] or fam in u[2])]
        return bool(here) and all(fam in member and judged for _s, member, _w, judged in here)

    def was_seen_in_scope(self, fam: str, section: Section) -> bool:
        """Whether a statement of ``section`` or of a part enclosing it used ``fam``: a name an
        earlier sibling part used (and whose binding does not reach here) is this part's to define."""
        return any(fam in names and visible(sec, section) for sec, names in self.seen)

    def defined_out_of_reach(self, fam: str, section: Section) -> bool:
        """Whether an earlier sibling part of the same problem ((c), read in (f)) defined ``fam`` with a
        binding that does not reach ``section``: a formula for it here may be this part's own meaning
        (a later part may rebind a name)."""
        return any(b.kind == "define" and b.family == fam and not visible(b.section, section)
                   and earlier_sibling(b.section, section) for b in self.bindings)

    def visible_bindings(self, section: Section) -> list[Binding]:
        return [b for b in self.bindings if visible(b.section, section)]

    def inherited(self, section: Section) -> list[int]:
        """The setup bindings (:func:`is_setup`) of earlier sibling parts that ``section`` falls back
        on: only names it does not bind itself (a later part may rebind), and only where the earlier
        parts agree (two siblings that set a name up differently leave it unbound here)."""
        memo = (section, len(self.bindings))
        if memo in self._inherited:
            return self._inherited[memo]
        own = {_key(b) for b in self.bindings if visible(b.section, section)}
        found: dict[str, list[int]] = {}
        for i, b in enumerate(self.bindings):
            if is_setup(b) and earlier_sibling(b.section, section) and _key(b) not in own:
                found.setdefault(_key(b), []).append(i)
        out: list[int] = []
        for idx in found.values():
            bs = [self.bindings[i] for i in idx]
            meanings = {(b.kind, to_text(b.rhs) if b.kind == "define" else "", b.family or "") for b in bs}
            if len(meanings) == len({(m[0], m[2]) for m in meanings}) or len({parts(b.section)[-1] for b in bs}) == 1:
                out.extend(idx)  # one meaning of each kind (or all from one part): no disagreement
        if len(self._inherited) < 2048:
            self._inherited[memo] = sorted(out)
        return sorted(out)

    def definition_of(self, fam: str, section: Section) -> Binding | None:
        for b in reversed(self.bindings):
            if b.kind in ("define", "free") and b.family == fam and visible(b.section, section):
                return b if b.kind == "define" else None
        return None

    def is_defined(self, fam: str, section: Section) -> bool:
        if self.definition_of(fam, section) is not None:
            return True
        return fam in self.base.def_families or fam.removesuffix("(·)") in self.base.funcs

    def members_only(self, fam: str, section: Section) -> bool:
        """Whether the document gave only numbered members of ``fam`` so far (``m_0 = 0``):
        a rule for the whole family (``m_t = \\beta m_{t-1} + …``) is then still new."""
        found = [b for b in self.bindings if b.kind == "define" and b.family == fam and visible(b.section, section)]
        quantities = self.vector_names(section)
        return bool(found) and fam not in self.base.def_families and all(
            b.lhs.kind == "name" and any(isinstance(a, Node) and a.kind == "num" for a in b.lhs.args)
            or label_subscript(b.lhs, b.rhs, quantities) for b in found)

    def vector_names(self, section: Section) -> frozenset[str]:
        """Plain names declared in scope with a vector or matrix shape (``q \\in \\mathbb{R}^n``)."""
        return frozenset(b.lhs.value for b in self.bindings if b.kind == "declare" and visible(b.section, section)
                         and b.lhs.kind == "name" and b.lhs.args == (None, None) and b.rhs.kind == "pow")

    def member_defined(self, key: str, section: Section) -> bool:
        """Whether the document defines exactly this member (``x_{0}``) in scope."""
        return any(b.kind == "define" and visible(b.section, section) and name_key(b.lhs) == key
                   for b in self.bindings)

    def has_member(self, fam: str, section: Section) -> bool:
        """Whether a numbered member of ``fam`` (``x_0 = 1``) is given in scope."""
        return any(b.kind == "define" and b.family == fam and visible(b.section, section) and b.lhs.kind == "name"
                   and any(isinstance(a, Node) and a.kind == "num" for a in b.lhs.args) for b in self.bindings)

    def define(self, lhs: Node, rhs: Node, latex: str, line: int, section: Section, claimed: bool = False,
               own_part: bool = False) -> None:
        if lhs.kind == "transpose":  # W^\top = M defines W = M^\top
            lhs, rhs = lhs.args[0], Node("transpose", None, (rhs,), rhs.col)
        if lhs.kind == "prime":  # m' = ...: a name of its own
            lhs = primed_name(lhs.args[0])
        self.bindings.append(Binding(section, "define", lhs, rhs, latex, line, family(lhs), claimed=claimed,
                                     own_part=own_part))

    def free(self, lhs: Node, latex: str, line: int, section: Section) -> None:
        """``lhs`` is an unknown again from here on (a new objective is stated for a name an
        earlier closed form gave a value): its earlier definition no longer holds."""
        self.bindings.append(Binding(section, "free", lhs, lhs, latex, line, family(lhs)))

    def stack_family(self, fam: str, section: Section) -> bool:
        """The family ``fam`` (``x_•``, declared ``x_i \\in \\mathbb{R}^d``) becomes the rows of a matrix
        stacked from it: its declarations made in this part are retracted, because a declared
        ``x_i`` is one vector while the stack's rows x_1, …, x_n are as many.  False (nothing
        changed) where a declaration of it made in an enclosing part would stay in force."""
        decls = [b for b in self.bindings if b.kind == "declare" and b.lhs.kind == "name"
                 and family(b.lhs) == fam and visible(b.section, section)]
        if any(b.section != section for b in decls):
            return False
        for b in decls:
            b.kind = "retracted"
        self._cache.clear()
        self._inherited.clear()
        return True

    def declare(self, lhs: Node, rhs: Node, latex: str, line: int, section: Section) -> None:
        if lhs.kind == "tuple" and lhs.value == "members" and probability.distribution(rhs) is None:
            # x_1, \\dots, x_n \\in \\mathbb{R}^d: one declaration for the family x (its length n is noted
            # by note_dimensions); members that make no family are not declared
            key = family_key([a for a in lhs.args if isinstance(a, Node)])
            if key is None:
                return
            lhs = Node("family", key, (), lhs.col)
        self.bindings.append(Binding(section, "declare", lhs, rhs, latex, line, None))

    def assume(self, tree: Node, latex: str, line: int, section: Section, names: set[str],
               local: bool = False, condition: Node | None = None) -> None:
        self.hypotheses.append(Hypothesis(section, tree, latex, line, frozenset(names), local, condition))

    def scope_for(self, section: Section, base: Scope | None = None) -> Scope:
        """``base`` (the document's front matter, or a problem's scope) plus the visible
        bindings, replayed in order (a later definition of a name wins)."""
        base = base if base is not None else self.base
        chosen = tuple(sorted(set(self.inherited(section))
                              | {i for i, b in enumerate(self.bindings) if visible(b.section, section)}))
        key = (id(base), len(self.entry_names)) + chosen
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        scope = base.copy()
        for i in chosen:
            b = self.bindings[i]
            try:
                if b.kind == "define":
                    _forget(scope, b.lhs)
                    scope.define(b.lhs, b.rhs, b.latex)
                elif b.kind == "free":
                    _forget(scope, b.lhs)
                elif b.kind == "band":
                    var, lo, hi = b.rhs.args[1].args
                    scope.add_band(b.lhs, b.rhs.args[0], to_text(var), lo, hi)
                elif b.kind == "range":
                    scope.def_ranges[b.lhs.value] = (to_text(b.lhs.args[0]), b.rhs.args[0], b.rhs.args[1])
                elif b.kind == "entries":
                    scope.add_entry_names(to_text(b.lhs), b.family or "")
                elif b.kind == "dimension":
                    scope.add_dimension(to_text(b.lhs), b.family, b.scalar)
                elif b.kind == "retracted":
                    continue
                else:
                    scope.declare(b.lhs, b.rhs)
            except (BindError, ParseError):
                continue
        scope.entry_names |= self.entry_names
        if len(self._cache) < 2048:
            self._cache[key] = scope
        return scope

    def note_entries(self, tree: Node, section: Section) -> None:
        """``\\sum_{i=1}^{n} x_i`` with ``x \\in \\mathbb{R}^n`` declared: the document means x_i as
        the entries of x (the other reading, x_i as the i-th vector of a family, fits
        ``\\sum_{i=1}^{3} z_i z_i^\\top`` with z in R^d)."""
        scope = self.scope_for(section)
        for node in tree.walk():
            if node.kind not in ("sum", "prod") or not isinstance(node.args[1], Node) or node.args[3] is None:
                continue
            var, hi = to_text(node.args[1]), to_text(node.args[3])
            for x in node.args[0].walk():
                if x.kind == "name" and x.args[0] is not None and to_text(x.args[0]) == var:
                    d = scope.declared.get(x.value)
                    if d is not None and d.cols == 1 and str(d.rows) == hi.lstrip("\\"):
                        self.entry_names.add(x.value)

    def note_dimensions(self, tree: Node, latex: str, line: int, section: Section) -> None:
        """``\\operatorname{diag}(a_1, \\dots, a_n)``, ``[y_1, \\dots, y_n]`` with n given no meaning: n is the
        length of a family, a dimension (sampled at several sizes) in this part from here on, and
        every other use of n in the part reads the same positive integer."""
        for name, fams in sorted(ellipsis_lengths(tree).items()):
            for fam, scalar in sorted(fams) or [("", False)]:
                if not any(b.kind == "dimension" and to_text(b.lhs) == name and b.family == fam
                           and visible(b.section, section) for b in self.bindings):
                    self.bindings.append(Binding(section, "dimension", Node("name", name, (None, None), 0), tree,
                                                 latex, line, fam, scalar))

    def note_range(self, lhs: Node, lo: Node, hi: Node, latex: str, line: int, section: Section) -> None:
        """``y_i = ...`` for ``i = lo, \\dots, hi``: the stated range of the definition's index."""
        self.bindings.append(Binding(section, "range", lhs, Node("tuple", "", (lo, hi), lhs.col), latex, line,
                                     family(lhs)))

    def note_band(self, lhs: Node, rhs: Node, var: Node, lo: Node, hi: Node, latex: str, line: int,
                  section: Section) -> None:
        """``T_{i,i+j-1} = w_j`` for ``j = lo, \\dots, hi`` with zeros elsewhere (said in the prose)."""
        self.bindings.append(Binding(section, "band", lhs, Node("tuple", "", (rhs, Node("tuple", "", (var, lo, hi),
                                                                                          rhs.col)), rhs.col),
                                     latex, line, family(lhs)))

    def name_entries(self, matrix: Node, family: str, latex: str, line: int, section: Section) -> None:
        """``X = [x_{ij}]``: x_ij is entry (i, j) of X in this part from here on."""
        self.bindings.append(Binding(section, "entries", matrix, matrix, latex, line, family))

    def hypotheses_for(self, section: Section, names: set[str], line: int | None = None) -> list[Hypothesis]:
        """Visible hypotheses about any of ``names`` (a name's hypotheses travel with it); a case
        condition ("for j > m") only on its own line, so that "for j \\le m" and "for j > m"
        do not meet.  An index range that a later range of the same index replaces ("the first
        half: j = 0, ..., m - 1", then "the second half: j = m, ..., 2m - 1") is dropped: the
        index runs over the newer one, and two disjoint ranges never meet in one sample."""
        seen = [h for h in self.hypotheses if visible(h.section, section) and h.names & names
                and (not h.local or h.line == line)]
        ranged = [(h.line, ranged_name(h.tree)) for h in seen]
        return [h for h, (ln, name) in zip(seen, ranged)
                if name is None or not any(o_ln > ln and o_name == name for o_ln, o_name in ranged)]

    def stated_names(self, section: Section, line: int) -> set[str]:
        """Names that the hypotheses visible at ``line`` speak of (the sizes of ``q > p``)."""
        return {x for h in self.hypotheses if visible(h.section, section) and (not h.local or h.line == line)
                for x in h.names}

    def rebinds_input(self, section: Section, problem_scope: Scope, uses: set[str] | None = None) -> str | None:
        """The first visible definition that takes over one of the problem's inputs.  A
        re-indexing (``j = k - 1 - \\ell``) of one of the problem's index letters counts only
        for a statement that uses that letter freely (a sum over j binds its own j)."""
        if problem_scope.problem is None:
            return None
        inputs = {p.latex for p in problem_scope.patterns if isinstance(p.expr, (sp.Symbol, sp.MatrixSymbol))}
        inputs |= {to_text(p.tree) for p in problem_scope.patterns if isinstance(p.expr, (sp.Symbol, sp.MatrixSymbol))}
        for b in self.visible_bindings(section):
            if b.kind == "define" and b.lhs.kind == "name" and to_text(b.lhs) in inputs:
                key = to_text(b.lhs)
                if uses is not None and key in problem_scope.index_symbols and key not in uses:
                    continue
                return key
        return None


def ranged_name(tree: Node) -> str | None:
    """The index an index range gives values (``j`` of ``j = 2^{N-1}, \\dots, 2^N - 1``); None
    for anything else."""
    if tree.kind != "chain" or tree.value != "range" or len(tree.args[0]) != 3:
        return None
    mid = tree.args[0][1]
    return to_text(mid) if mid.kind == "name" and mid.args == (None, None) else None


def _forget(scope: Scope, lhs: Node) -> None:
    """A rebinding replaces the earlier meaning (including an indexed definition of it)."""
    key = name_key(lhs) if lhs.kind != "apply" else None
    if key is not None:
        scope.defs.pop(key, None)
        scope.def_text.pop(key, None)
    numeric_member = lhs.kind == "name" and any(isinstance(a, Node) and a.kind == "num" for a in lhs.args)
    fam = family(lhs)
    if fam is not None and not numeric_member:
        scope.def_families.pop(fam, None)
        scope.def_index_vars.pop(fam, None)
    if lhs.kind == "name" and not numeric_member:
        scope.def_ranges.pop(lhs.value, None)  # a new rule for y_i drops the range stated for the old one
        scope.matrix_rules.pop(lhs.value, None)
    if lhs.kind == "name" and not numeric_member:  # m_0 = 0 sets a member; m_t = ... replaces the family
        scope.def_patterns[:] = [p for p in scope.def_patterns if p[0].value != lhs.value]


def _key(b: Binding) -> str:
    """The name a binding is about (``K``, ``k_•``, ``n``), for rebinding and agreement."""
    return family(b.lhs) or to_text(b.lhs)
