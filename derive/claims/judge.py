"""Stage 7, *judge*: the statements of a document, one verdict each, in document order.

:func:`judge_document` walks the document once: each statement gets its role (roles.py), the
document model (model.py) takes its definitions and hypotheses, and every statement to judge
becomes a job with the scope, hypotheses and structure it is judged under; the jobs run in worker
lanes (lanes.py), each killed at its time limit, and the verdicts are settled once all are in.
The stage is split by what each part holds:

* ``statement_judge.py``: one statement under its readings (binding, the equivalence checker,
  layouts, inequalities, solution sets, readings that disagree);
* ``context.py``: what the prose and layout say (part labels, sentences, names defined in words);
* ``cases.py``: conditions attached to statements (index ranges, cases, pinned values);
* ``structure_reach.py``: the stated structure a statement reaches (SVD and eigen facts, spectra);
* ``restatements.py``: statements that say again what the document said before;
* ``settle.py``: verdicts adjusted once all are in; ``results.py``: what judging returns.

Sampling is in ``sampling.py``, the refutation discipline in ``discipline.py``, answers to a
problem's parts in ``answers.py``, what the document model records in ``recording.py``.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable

import sympy as sp

from . import lanes as LANES, named_variances as NV, roles as R, solutions as SOL, structure as S
from ..errors import DeriveError
from ..problem import Dim, Problem
from ..verdict import ASSUMED, DEFINED, INCONSISTENT, PROVED, UNDECIDED, VERIFIED
from .answers import judge_part_answer, part_answers, problem_named
from .cases import (INDEX_NAMES, about_declared, all_bound, case_definition, case_parts, declared_run, index_bound,
    index_case, index_equation, numeric_constraint, off_diagonal_zero, penalty_signs, pinned_case,
    ranges_without_unknown_ends, restated_condition, restated_hypothesis, sequence_case_bounded, sized_identities,
    superseded_cases, trailing_conditions, without_negated, without_unknown_ends, zero_equation)
from .context import (equation_premise, introduced_in_words, is_implication_step, labelled_section, line_statements,
    list_join, members_of_list, opening_labels, prose_defined, recurrence_lines, ruled_before, samplable, section_text,
    single_equation, unread_definition, written_in_definitions)
from .declarations import shape_disagreement, space_tail
from .discipline import expanded_names
from .horizon import describe as describe_horizon, horizon_names, unlimited_index_sums, with_horizon
from .indexing import entry_notation
from .latex_parser import Node, ParseError, parse, to_text
from .minimisers import (Objective, named_objective, objective_of_statement, objectives_in_prose,
    stated_penalty_weights, stationarity_of)
from .model import DocumentModel, Hypothesis, parts, visible
from .named_variances import define_named
from .probability import declaration, density_definition, density_name, joint_records, moments_scope, vector_length
from .reader import Document
from .recording import matches_computed, matches_input, record_definition, unifies
from .restatements import (DERIVABLE, earlier_meaning, earlier_part_definitions, function_restated, minimiser_claim,
    note_relation, note_solution_set, repeated_claim, restated_solution, same_relation, solution_premises,
    supersedes_unevaluable, unevaluable_rhs, usable_rules)
from .results import ClaimResult, LinkResult, Options
from .sampling import CachedProblem
from .scope import BindError, Scope, name_key, substitute_name
from .settle import (assumed_unless_derived, refuted_only_from_sound_lines, take_repeated_verdicts,
    take_restated_verdicts, void_refuted_premises, void_unsound_minimisers)
from .stacks import define_first_rows, prose_first_rows, rows_in_prose, rows_named, vectors_in_prose
from .statement_judge import (CONSEQUENCE_CACHE, generic_scope, judge_statement, problem_names_used, stated_layout,
    states_gradient_shape)
from .statements import Statement, split_statements
from .structure_reach import (STRUCTURE_WORDS, defined_structure_checks, eigen_expansion, eigenvalue_of_given_matrix,
    entries_reach, expansion_restarted, extreme_eigenvalues, matrix_like, reaches_any, root_equations, stated_extremes,
    structure_for, structured_names, svd_factor_entry, with_expansions, with_spectra)


HIDDEN_NAMES = ("H", "h", "n_h", "hidden", "n_hidden")  # a problem dimension that is a hidden size


# --- judging -----------------------------------------------------------------------------------------


def _specificity(tree: Node, scope: Scope) -> int:
    """How well the problem's notation explains ``tree``: 0 unless every name in it is the
    problem's (or one of its indices and dimensions); else the distinct notation rows it
    uses, weighted by their length beyond one glyph (a bare ``A`` or ``\\ell`` says little
    about which problem is meant; ``\\bar{c}^{(t)}`` or ``K_\\ell`` says a lot)."""
    from .inference import Inference

    inf = Inference(scope, 0, set())
    matched: set[str] = set()
    bound = {to_text(n.args[1]) for n in tree.walk() if n.kind in ("sum", "prod") and isinstance(n.args[1], Node)}
    horizon = horizon_names(tree)
    stack = [tree]
    while stack:
        n = stack.pop()
        if n.kind == "name" and n.args == (None, None) and n.value in bound:
            continue  # a summation variable (C A^j B inside \sum_j) is the sum's, not a quantity
        if n.kind == "name" and n.args == (None, None) and n.value in horizon:
            continue  # a sum's upper end only (\sum_{\ell=0}^{L}): the sequences' length (horizon.py)
        if n.kind in ("name", "partial", "nabla", "apply"):
            pat = next((p for p in scope.patterns if unifies(inf, p.tree, n)), None)
            if pat is not None:
                matched.add(pat.latex)
                continue  # its indices belong to the pattern
            if n.kind == "name" and n.args == (None, None) and (
                    n.value in scope.index_symbols or n.value in scope.dim_symbols or n.value in scope.defs):
                continue
            if n.kind == "name":
                return 0  # a name the problem does not know: not this problem
        args = n.args
        if n.kind == "ddx":  # d/dx f: x is bound here, not a quantity of any problem
            args = n.args[1:]
        elif n.kind in ("sum", "prod"):  # the summation variable is bound too
            args = (n.args[0],) + tuple(n.args[2:])
        for a in args:
            if isinstance(a, Node):
                stack.append(a)
            elif isinstance(a, (tuple, list)):  # chain items, matrix rows
                stack.extend(x for x in a if isinstance(x, Node))
    glyphs = (re.sub(r"\\[A-Za-z]+", "x", re.sub(r"[\s{}]", "", m)) for m in matched)
    return sum(max(0, len(g) - 1) for g in glyphs)


_GENERIC_NAME_WORDS = {"kernel", "power", "map", "matrix", "grid"}  # too common to name a topic


def topic_named(entry: Any, prose: str) -> bool:
    """Whether the document's prose names the problem's topic: one of its tags, or a telling
    part of its name (``ssm``, ``purification``, ``lstm``), as a whole word."""
    words = set(entry.tags) | {w for w in entry.name.split("-") if len(w) >= 3 and w not in _GENERIC_NAME_WORDS}
    return any(re.search(r"(?<![a-z0-9])" + re.escape(w.lower()) + r"(?![a-z0-9])", prose) for w in words)


NOTATION_ALONE = 4  # specificity that picks a problem the prose does not name (\bar{g}^{(t+1)}, not y_k)


def _auto_scopes(doc: Document) -> list[tuple[str, Scope, bool]]:
    """A scope for every registered problem (with the document's own given bindings), and
    whether the document's prose names its topic.  Short notation is weak evidence: ``y_k``,
    ``x_k``, ``K_\\ell`` are in every other set of notes, so a problem the prose does not name
    is chosen only for notation as telling as ``\\bar{c}^{(t+1)}`` (:data:`NOTATION_ALONE`)."""
    from ..registry import REGISTRY

    prose = " ".join([c.context for c in doc.claims] + [t for c in doc.claims for _l, t, _n in c.section]).lower()
    out = []
    for name in REGISTRY.names():
        named = topic_named(REGISTRY.get(name), prose)
        try:
            scope = build_scope(doc, name)
        except Exception:  # noqa: BLE001 - a problem that cannot be bound here is just not a candidate
            continue
        if scope.problem is not None:
            scope.problem = CachedProblem.wrap(scope.problem)
        out.append((name, scope, named))
    return out


def _declaration(tree: Node | None) -> bool:
    """``x \\in \\mathbb{R}^n``, ``A, B \\in \\mathbb{R}^{n \\times n}``: a shape declared, no condition."""
    return tree is not None and tree.kind == "chain" and tuple(tree.args[1]) == ("in",) \
        and tree.args[0][1].kind in ("pow", "field")


def _define_density(model: DocumentModel, claim: Any, declared: tuple[str, Node]) -> bool:
    """Prose "write $\\phi$ for its density" after ``x \\sim \\mathcal{N}(\\mu, C)``: φ is defined as the
    normal density (of a vector or a scalar, as x is declared; nothing for an undeclared x)."""
    name = density_name(claim.context)
    if name is None:
        return False
    latex, var = declared
    shape = model.scope_for(claim.section).declared.get(name_key(var) or "")
    if shape is None:
        return False
    text = density_definition(name, latex, vector=not (shape.rows == 1 and shape.cols == 1))
    if text is None or (shape.cols != 1):
        return False
    try:
        tree = parse(text)
    except ParseError:
        return False
    lhs, rhs = tree.args[0]
    if lhs.kind == "apply" and lhs.args[0].kind == "name":
        model.define(lhs, rhs, text, claim.line, claim.section)
        return True
    return False


# --- documents ---------------------------------------------------------------------------------------

def build_scope(doc: Document, problem_name: str | None) -> Scope:
    name = problem_name or doc.front.get("problem")
    problem = problem_named(str(name)) if name else None
    if problem is not None and any(str(d.symbol) in HIDDEN_NAMES for d in problem.dims):
        # seed-style scalar notation for recurrent cells: hidden size 1 unless the front
        # matter says otherwise (issue 8, Meaning)
        problem = _with_hidden(problem, doc.front.get("hidden", 1))
    scope = Scope.for_problem(problem)
    given = doc.front.get("given", [])
    if isinstance(given, str):
        given = [given]
    for i, item in enumerate(given or []):
        line = doc.front_lines.get(f"given[{i}]", doc.front_lines.get("given", 1))
        try:
            scope.add_given(str(item))
        except (ParseError, BindError) as exc:
            raise DeriveError(f"{doc.path}:{line}: front matter given item {str(item)!r}: {exc}") from None
    return scope


def _with_hidden(problem: Problem, hidden: Any) -> Problem:
    """Seed-style scalar notation: pin the problem's hidden size (front matter ``hidden``)."""
    try:
        h = int(hidden)
    except (TypeError, ValueError):
        raise DeriveError(f"front matter hidden: {hidden!r} is not an integer") from None
    if h < 1 or h > 64:
        raise DeriveError(f"front matter hidden: {h} is outside 1..64")
    dims = tuple(Dim(d.symbol, (h,)) if str(d.symbol) in HIDDEN_NAMES else d for d in problem.dims)
    return dataclasses.replace(problem, dims=dims)


def _try_define(st: Statement, scope: Scope) -> bool:
    """A statement ``name := expr`` / ``name \\leftarrow expr`` (or a prose "Let") whose left
    side the problem does not already bind defines the name for later claims."""
    tree = st.tree
    if tree is None or tree.kind != "chain" or len(tree.args[1]) != 1:
        return False
    (lhs, rhs), (op,) = tree.args
    if op not in ("=", ":=", "<-"):
        return False
    key = name_key(lhs)
    if key is None and not (lhs.kind == "apply" and lhs.args[0].kind == "name"):
        return False
    if scope.problem is not None and key is not None:
        if problem_names_used(lhs, scope):
            return False  # a problem quantity: this is a claim about it
    scope.define(lhs, rhs, st.latex)
    return True


def _with_rules(st: Statement, scope: Scope, statuses: dict[int, str]) -> Scope:
    """The scope with the document's own results that this statement may use: an earlier
    claim about a problem's quantity (K_0 = D, K_\\ell = C A^{\\ell-1} B for \\ell >= 1), once it
    was proved or verified for all inputs, holds in a part that gives the inputs values."""
    usable = [(lhs, rhs) for j, lhs, rhs in st.rules if statuses.get(j) in (PROVED, VERIFIED)]
    if not usable:
        return scope
    scope = scope.copy()
    for lhs, rhs in usable:
        try:
            scope.define(lhs, rhs, to_text(lhs))
        except BindError:
            continue
    return scope


def _judge_job(st: Statement, scope: Scope, used: dict[int, str], answers: list, opts: Options) -> dict[str, Any]:
    """One job in a lane's worker (:mod:`derive.claims.lanes`): a part's answer, else the
    statement under the rules its earlier, verified statements give it."""
    CONSEQUENCE_CACHE.clear()
    res = judge_part_answer(st, answers) if answers else None
    return res if res is not None else judge_statement(st, _with_rules(st, scope, used), opts)


def run_jobs(jobs: list, answers: list, opts: Options,
             on_result: Callable[[int, dict[str, Any], float], None]) -> None:
    """Judge ``jobs`` in worker lanes (one per core); a job past ``opts.timeout`` gets its
    worker killed (CONVENTIONS) and its lane continues in a fresh one."""
    LANES.run_jobs(jobs, answers, opts, on_result, _judge_job, lanes=opts.lanes)


def judge_document(doc: Document, problem_name: str | None = None, opts: Options = Options(),
                   progress: Callable[[str], None] | None = None) -> list[ClaimResult]:
    """Verdicts for every statement of ``doc``: roles first, the document's own model (its
    definitions and hypotheses, scoped by section), then a judgement per judged role."""

    base = build_scope(doc, problem_name)
    if opts.layout is None:
        opts = dataclasses.replace(opts, layout=stated_layout(doc), gradient_shaped=states_gradient_shape(doc))
    if base.problem is not None:
        base.problem = CachedProblem.wrap(base.problem)
    name = problem_name or doc.front.get("problem")
    part = doc.front.get("part")
    answers = part_answers(str(name), str(part)) if name and part else []
    model = DocumentModel(base)
    slots: list[ClaimResult | None] = []
    jobs: list[tuple[Statement, Scope]] = []
    where: list[tuple[int, int, Statement, Any, str | None]] = []  # job -> (slot, line, statement, role, problem)
    auto = _auto_scopes(doc) if name is None and opts.auto_problem else []
    previous: Any = None  # (statement, role, section, line) of the statement before, for steps
    premised: Any = None  # the judged equation a next line may rearrange ("= 0" and what follows it)
    subjects: set[str] = set()  # names stated as the left side of an equation but never defined
    candidate_rules: list[tuple[int, Node, Node, Node | None]] = []  # (job, lhs, rhs, condition) about a problem
    given_rhs = list(base.defs.values()) + [r for *_x, r in base.def_patterns] + [b for _p, b in base.funcs.values()]
    stated_ranges: dict[str, tuple[Any, str, list]] = {}  # formula -> its stated range and the parts it was written in
    line_ranges: dict[int, list[tuple[Node, str, set[str]]]] = {}  # line -> index ranges stated on it
    unread_defs: dict[str, tuple[int, Any]] = {}  # family -> (line, part) of a definition the parser could not read
    # family -> (line, part, left side, reason) of a definition whose right side cannot be bound (D := KL(q || p))
    unevaluable: dict[str, tuple[int, Any, str, str]] = {}
    restated: dict[int, tuple[Any, str, Any]] = {}  # job -> (status, text, role) of a definition judged as a restatement
    reasons_free: dict[int, Any] = {}  # job -> role of a reason about names the document leaves free
    judged_texts: dict[str, list[tuple[int, int, Any]]] = {}  # statement text -> (slot, line, part) of its jobs
    repeats: dict[int, tuple[int, int, str]] = {}  # slot of a condition -> (slot, line, latex) of the claim it repeats
    relations: list[tuple[Node, str, int, Any]] = []  # earlier inequalities: (tree, latex, line, part) (solutions)
    stated_values: list[tuple] = []  # f(a) = ... = 2\lambda: (text of f(a), 2\lambda, part, line, latex)
    unparsed: list[tuple[str, Any]] = []  # statements the parser could not read, with their part
    solution_sets: list[tuple[str, Any, int, str, Any]] = []  # judged solutions: (name, set, line, latex, part)
    restates: dict[int, tuple[int, str]] = {}  # slot -> (line, latex) of the solution it restates
    converted: dict[int, Any] = {}  # slot -> the hypothesis role of a condition judged as derived
    # coefficient family -> (its definition's left and right side, its text, the part): x = \sum_i c_i u_i
    # in orthonormal eigenvectors u_i gives c_i = u_i^T x (see eigen_expansion)
    expansions: dict[str, tuple[Node, Node, str, Any]] = {}
    objectives: list[Objective] = []  # what the document minimises, in order (minimisers.py)
    provisional: dict[str, tuple[int, int]] = {}  # family -> (slot, order) of the closed form claimed for its
    # minimiser, held as its value until an objective stated later frees it
    order = 0  # statements read so far (orders objectives and closed forms)
    minimiser_slots: dict[int, bool] = {}  # slot of a minimiser claim -> whether it read as a definition
    depends: dict[int, set[int]] = {}  # slot -> the minimiser claims whose value it was judged with
    last_display: Any = None  # (tree, part, line, prose) of the statement read last (what a derivative differentiates)
    penalties: list[tuple[Node, int, Any]] = []  # (weight, line, part): \lambda of a loss's \lambda\|W\|^2 (>= 0)

    def plain(line: int, st: Statement, status: str, role: Any, scope_text: str, reason: str | None = None,
              section: Any = ()) -> None:
        slots.append(ClaimResult(doc.path, line, st.latex, status, scope_text, reason=reason, role=role.role,
                                 role_reason=role.why, section=section_text(section),
                                 condition=st.condition_text or None))

    structure: dict[Any, set[str]] = {}  # section -> structure words its prose states (orthogonal, SVD)
    told = S.extract(doc.claims)  # the same words attached to names ("$U$ orthogonal"), see structure.py
    facts = list(told.facts)
    real = parse(r"\mathbb{R}")
    last_normal: tuple[str, Node] | None = None  # the normal variable the previous span declared
    sentence: set[int] = set()  # lines of the sentence the current span belongs to
    sentence_prose = ""  # the prose of that sentence up to the current span
    contested: dict[str, tuple[int, Any]] = {}  # a sequence's rule stated again without a step word: line, section
    constraints: list[tuple[frozenset, int, Any, str]] = []  # sum_k p_k = 1 on names nothing defines
    restated_fns: dict[str, tuple[int, Any, str]] = {}  # a function written again with a new formula: line, section
    sentence_section: Any = None
    sentence_ended = False  # the span before ended with a full stop ("$$s_n = c.$$")
    seen_sections: list[Any] = []  # section paths in document order (for "(b) i. $K = …$" in a summary)
    last_labelled: Any = None
    first_rows = prose_first_rows(doc.claims)  # "K_t is the matrix of the first t keys", per part
    spans = [(claim, split_statements(claim.latex)) for claim in doc.claims]  # each span split once
    rules_at = recurrence_lines(spans)  # family -> (line, part) of each recurrence the document writes
    trailing = trailing_conditions(doc.claims)
    gauss_roles = NV.Roles()
    for claim, statements in spans:
        if claim.section and claim.section not in seen_sections:
            seen_sections.append(claim.section)
        if first_rows.get(claim.section):
            define_first_rows(model, first_rows[claim.section], claim.section)
        section = labelled_section(claim.context, seen_sections, claim.section, last_labelled)
        if section != claim.section:
            last_labelled = section
        else:
            opened = opening_labels(claim.context)
            if opened is not None:
                # "(a) i. Reconstruction losses: $…$" in a summary: the line's own statements stay where
                # they are, but a bare "ii." on the next line is that part's sibling ((a) ii.)
                labelled = labelled_section(opened, seen_sections, claim.section, last_labelled)
                if labelled != claim.section:
                    last_labelled = labelled
        if section != sentence_section or sentence_ended or _SENTENCE_END.search(claim.context):
            sentence = set()  # "If $g_t = g$, then ... so: $$...$$": a case reaches the sentence's end
            sentence_prose = ""
        sentence.add(claim.line)
        sentence_prose = (sentence_prose + " " + claim.context)[-400:]  # its words so far (for a worded condition)
        sentence_section = section
        sentence_ended = claim.latex.rstrip().rstrip("\\,;: ").endswith(".")
        for name, stack, member in rows_in_prose(claim.context, model, claim.section):
            if not model.is_defined(R.family(name) or "", claim.section) \
                    and model.stack_family(R.family(member) or "", claim.section):
                # "$X$ is the $n \times d$ design matrix with rows $x_i^\top$": X = [x_1^T; ...; x_n^T]
                model.note_dimensions(stack, to_text(stack), claim.line, claim.section)
                model.define(name, stack, f"{to_text(name)} = {to_text(stack)}", claim.line, claim.section)
        for name, vector, text in vectors_in_prose(claim.context):
            if not model.is_defined(R.family(name) or "", claim.section):
                # "Let $B$ be column vector $[b_1, \dots, b_n]^T$": B's members, named in words
                model.define(name, vector, text, claim.line, claim.section, own_part=True)  # the part's own
        for fam in prose_defined(claim.context):
            if not model.is_defined(fam, section):
                # "where $K_t$ is the t x d matrix of the first t keys, $V_t$ similarly": defined in
                # words the checker does not read, so an instance of K_t is not the document's
                unread_defs.setdefault(fam, (claim.line, section))
        for name in S.scalars_stated(claim.context):  # "a scalar bias $b_2$": b_2 is declared real
            model.declare(name, real, to_text(name) + r" \in \mathbb{R}", claim.line, section)
        if last_normal is not None and _define_density(model, claim, last_normal):
            last_normal = None
        low = claim.context.lower()
        low = low.replace("spectral norm", "").replace("spectral radius", "")  # norms, not structure
        found = {w for w in STRUCTURE_WORDS if w in low}
        if found:
            structure.setdefault(section, set()).update(found)
        order += 1
        objectives.extend(objectives_in_prose(claim.context, claim.line, section, order))
        gauss_roles.read(claim.context, claim.latex)  # "the noise $v \sim N(0, R)$": R is the noise's
        for pos, st in enumerate(statements):
            if st.error is None and pos == 0:
                # "prior variance $p > 0$" in a case: P = p in this part (named_variances.py)
                define_named(gauss_roles, model, claim.context, st.tree, claim.line, section)
            if st.error is not None:
                fm = S.from_math(st.latex, None)  # A \succ 0 (the parser does not read \succ)
                if fm is not None:
                    facts.append(S.Fact(fm[0], (fm[1],), claim.line, section, "$" + st.latex + "$"))
                unread = unread_definition(st.latex)
                if unread is not None and not (len(unread.lstrip("\\")) <= 3 and unread.lstrip("\\") in INDEX_NAMES):
                    # q_k = (1 - \varepsilon)[k = c] + ...: q is the document's, but unread
                    unread_defs.setdefault(unread, (claim.line, section))
                unparsed.append((st.latex, section))
                msg = f"cannot parse: {st.error.message} at column {st.error.column}"
                slots.append(ClaimResult(doc.path, claim.line, st.latex, UNDECIDED, f"undecided: {msg}", reason=msg,
                                         column=st.error.column, role=R.CLAIM, role_reason="not read",
                                         section=section_text(section)))
                previous = None
                continue
            sized = sized_identities(st.tree)
            if sized is not None:
                st = dataclasses.replace(st, tree=sized, note=(st.note + "; " if st.note else "")
                                         + "the I written without a size read as the identity it writes with one")
            tree = st.tree
            before_display = last_display
            last_display = (tree, section, claim.line, claim.context if pos == 0 else "")
            if pos == 0:
                penalties.extend((w, claim.line, section) for w in stated_penalty_weights(claim.context, tree))
            problem_scope = None
            chosen = None
            own = any(model.is_defined(f, section) for f in R.free_names(tree))
            if auto and not own:  # names the document defines are the document's, not a problem's
                best = max(((_specificity(tree, sc), n, sc, named) for n, sc, named in auto), key=lambda x: x[0])
                if best[0] >= (2 if best[3] else NOTATION_ALONE):
                    problem_scope, chosen = best[2], best[1]
            elif base.problem is not None:
                problem_scope = base

            def computed(n: Node, ps=problem_scope) -> bool:
                if ps is None or ps.problem is None:
                    return False
                return matches_computed(n, ps)

            def is_input(n: Node, ps=problem_scope) -> bool:
                if ps is None or ps.problem is None or n.kind != "name":
                    return False
                return matches_input(n, ps)

            listed = pos == 0 and list_join(claim.prose) and previous is not None \
                and previous[3] == claim.line
            mark = claim.role
            # (a chain whose first link defined a name, K = [k_1^T; ...] \in R^{n x d}, counts as a definition)
            mark_binding = bool(mark is None and previous is not None and (previous[1].role == R.DEFINITION or (
                                previous[1].role == R.CLAIM and previous[1].defines))
                                and (listed or (pos > 0 and st.lead in ("quad", "comma") and previous[3] == claim.line)))
            ctx = R.Context(prose=claim.prose if pos == 0 else "", lead=st.lead,
                            binding_prose=(claim.binding and pos == 0) or mark_binding,
                            mark=mark, first_in_span=pos == 0, part_answers=bool(answers),
                            is_defined=lambda f, sec=section: model.is_defined(f, sec),
                            problem_input=is_input, problem_computed=computed, seen=lambda f, sec=section: model.was_seen(f, sec),
                            seen_here=lambda f, sec=section: model.was_seen_in_scope(f, sec),
                            defined_elsewhere=lambda f, sec=section: model.defined_out_of_reach(f, sec),
                            left_open=lambda f, sec=section: model.left_open(f, sec),
                            members_only=lambda f, sec=section: model.members_only(f, sec),
                            has_member=lambda f, sec=section: model.has_member(f, sec),
                            determined_entry=lambda n, sec=section: svd_factor_entry(n, facts, sec, model),
                            member_defined=lambda n, sec=section: model.member_defined(name_key(n) or "", sec),
                            rule_ahead=lambda f, line=claim.line, sec=claim.section: any(
                                sec == s_ and line <= at <= line + _RULE_AHEAD for at, s_ in rules_at.get(f, ())))
            model.note_entries(tree, section)
            model.note_dimensions(tree, st.latex, claim.line, section)
            diagonal = off_diagonal_zero(tree, st.condition, model, section)
            if diagonal is not None:  # x_{ij} = 0 for i \ne j: X is sampled diagonal where claims reach X
                facts.append(S.Fact("diagonal", (diagonal,), claim.line, section,
                                    f"${st.latex}$ for ${st.condition_text}$"))
            entries = entry_notation(tree)
            if entries is not None and mark is None:
                # X = [x_{ij}]_{m \times n}: notation for X's entries, not an equation to judge
                model.name_entries(entries[0], entries[1], st.latex, claim.line, section)
                role = R.Role(R.DEFINITION, f"names the entries of {to_text(entries[0])}")
                plain(claim.line, st, DEFINED, role, f"defined: {entries[1]}_(ij) is entry (i, j) of "
                      f"{to_text(entries[0])}", section=section)
                previous = (st, role, section, claim.line)
                continue
            expansion = eigen_expansion(tree, facts, section, model) if mark is None else None
            if expansion is not None:
                fam_c, lhs_c, rhs_c, text_c = expansion
                expansions[fam_c] = (lhs_c, rhs_c, text_c, section)
                role = R.Role(R.DEFINITION, f"the coordinates {text_c} in the orthonormal eigenvectors")
                plain(claim.line, st, DEFINED, role, f"defined: the expansion in orthonormal eigenvectors gives "
                      f"the coordinates {text_c}", section=section)
                previous = (st, role, section, claim.line)
                continue
            role = R.assign(tree, ctx)
            model.note_uses(tree, section, role.role in R.JUDGED or role.role == R.DEFINITION)
            annotated = space_tail(tree) if mark is None else None
            if annotated is not None:
                # X = [x_1^T; ...] \in R^{n x d}: a definition with its shape declared at the end
                head_role = R.assign(annotated[0], ctx)
                if head_role.role == R.DEFINITION:
                    disagree = shape_disagreement(model.scope_for(section), annotated[1], annotated[0].args[0][1],
                                                  annotated[2])
                    if disagree is not None:
                        model.use(R.free_names(tree), section)
                        plain(claim.line, st, INCONSISTENT, head_role, f"inconsistent: {disagree}",
                              reason=disagree, section=section)
                        previous = (st, head_role, section, claim.line)
                        continue
                    model.declare(Node("annotation", to_text(annotated[1]), (), annotated[1].col), annotated[2],
                                  st.latex, claim.line, section)
                    tree, role = annotated[0], R.Role(R.DEFINITION, head_role.why + "; the membership at its end "
                                                      "declares its shape", defines=head_role.defines)
                    st = dataclasses.replace(st, tree=tree)
            if listed and previous[1].role == R.HYPOTHESIS and role.role in (R.CLAIM,) and tree.kind == "chain" \
                    and all(o in ("<", "<=", ">", ">=", "!=", "=") for o in tree.args[1]) and mark is None \
                    and not R.is_identity(tree, ctx) and not _declaration(previous[0].tree) \
                    and not role.why.startswith("the formula of the standard function"):
                # "for k >= 1, (pp^T)^k = ...": asserted under it; but after "x \in R^n and" a
                # formula for the logistic sigma is checked against its meaning, not assumed
                role = R.Role(R.HYPOTHESIS, "listed with the condition before it")
            if listed and previous[1].role == R.HYPOTHESIS and role.role == R.CLAIM and mark is None \
                    and about_declared(tree, previous[0].tree, lambda f, sec=section: model.is_defined(f, sec)):
                # "with $U \in \mathbb{R}^{m \times n}$, $U^\top U = I$": a condition on the name just declared
                role = R.Role(R.HYPOTHESIS, "listed with the declaration before it: a condition on the name it declares")
            if listed and previous[1].reason and role.role == R.HYPOTHESIS and mark is None and tree.kind == "chain":
                # "because a_i > 0 and 1^T a = 1": the second fact of the reason is one as well
                role = R.Role(R.CLAIM, f"listed with the reason before it; {_ASSERTED_REASON}", reason=R.KEPT)
            as_assumed = None  # the hypothesis a restatement reads as, when it does not agree with the meaning
            if role.role == R.HYPOTHESIS and mark is None:
                role, as_assumed = restated_condition(tree, role, model, section, claim.line, computed)
            repeated = repeated_claim(tree, role, judged_texts, model, section, claim.line) \
                if role.role == R.HYPOTHESIS and mark is None else None
            listed_members = members_of_list(tree, lambda f, sec=section: model.is_defined(f, sec) or any(
                R.family(lhs) == f for _j, lhs, _r, _c in candidate_rules), lambda f, sec=section: model.has_member(
                f, sec) or any(R.family(lhs) == f and to_text(lhs).endswith("_{0}") for _j, lhs, _r, _c in candidate_rules))
            if role.role in (R.ANSWER, R.CLAIM) and listed_members is not None:
                tree, first, last = listed_members  # K = [\delta, 1.5, ...]: K_0, K_1, ... in order
                st = dataclasses.replace(st, tree=tree, note=(st.note + "; " if st.note else "")
                                         + f"the list read as the members {first}, …, {last} in order")
            names = R.free_names(tree)
            if role.role == R.DEFINITION and role.defines and not role.defines.endswith(R.INDEXED) \
                    and tree.kind == "chain" and role.defines in expanded_names(tree.args[0][1],
                                                                              model.scope_for(section)):
                # j = k - 1 - \ell after \ell = k - 1 - j: a relation between defined names, not a new one
                role = R.Role(R.CLAIM, f"{role.defines} is already determined by the names on the right")
            superseding = supersedes_unevaluable(tree, role, unevaluable, model, section)
            if superseding is not None:
                role = superseding
            deferred = None  # (definition role, earlier meaning): judged first as a restatement
            same_as = None
            if role.role == R.DEFINITION and superseding is None:
                earlier = earlier_meaning(tree, role, model, section, claim.line, candidate_rules)
                if earlier is not None and earlier[0] == "same":
                    same_as = earlier[2]
                elif earlier is not None:
                    # the name already has a meaning (an earlier part's definition, or a verified
                    # formula for a problem's quantity): judged against it, a restatement when it agrees
                    deferred = (role, earlier)
                    role = R.Role(R.CLAIM, f"restates {role.defines}, {earlier[2]}")
            solve = solution_premises(tree, role, previous, section, relations, stated_values, model)
            again = same_relation(tree, role, section, relations, model) if mark is None else None
            note_relation(tree, st.latex, claim.line, section, relations, stated_values)
            stated_values += [(name_, value_, section, claim.line, st.latex)  # H = diag(4, 1): λ_max = 4
                              for name_, value_ in stated_extremes(tree, facts, section)]
            same_set = restated_solution(tree, role, solve, section, solution_sets, claim.prose if pos == 0 else "") \
                if mark is None else None
            if same_set is None and again is not None:
                same_set = (*again, True)  # "we need λ ≥ σ_i^2 for each": the relation of line N again
            if same_set is not None:
                # "(c) \lambda \in [1, 4]" in a summary: the set a solution of another part found
                if role.role == R.HYPOTHESIS:
                    model.assume(tree, st.latex, claim.line, section, names, local=False)
                role = R.Role(R.SOLUTION, f"restates the set of line {same_set[0]}" + (
                    "" if again is not None else " (another part)"))
                model.use(names, section)
                why = f"restates the set of line {same_set[0]} (${same_set[1]}$), whose verdict it takes"
                if same_set[2]:
                    restates[len(slots)] = same_set[:2]
                else:
                    why = (f"the part it names found another set for this name on line {same_set[0]} "
                           f"(${same_set[1]}$)")
                plain(claim.line, st, UNDECIDED, role, f"undecided: {why}", reason=why, section=section)
                note_solution_set(tree, st.latex, claim.line, section, solution_sets)
                previous = (st, role, section, claim.line)
                continue
            if solve is not None and role.role == R.HYPOTHESIS and role.why.startswith(DERIVABLE):
                # 2\lambda > 0.001 + \lambda after "we want L(a) > L(b)": derived from the relation
                # before it, so judged; it still holds for what follows (assumed as well), and it
                # stays an assumption unless its set is proved to be that of an earlier line
                model.assume(tree, st.latex, claim.line, section, names, local=False)
                if section == claim.section:
                    # a summary line its part label moved here ("(a) w >= 2" under "Summary") restates
                    # an answer: never an assumption, whatever its verdict
                    converted[len(slots)] = role
                role = R.Role(R.SOLUTION, f"a set of values of {solve[2]} derived from line {solve[0][0].line} "
                                          f"(not an assumption: {role.why})")
                solve = (solve[0], solve[1], solve[2], True)  # judged only as a solution (it is its own hypothesis)
            order += 1
            stated_objective = objective_of_statement(
                tree, st.latex, claim.prose if pos == 0 else "", claim.line, section,
                role.role == R.DEFINITION and mark is None, order)
            minimiser = None
            if mark is None and stated_objective is None and role.role in (R.CLAIM, R.STEP, R.DEFINITION):
                minimiser = minimiser_claim(tree, role, objectives, model, section, claim.line,
                                             claim.prose if pos == 0 else "", provisional, order)
                if minimiser is not None and deferred is not None:
                    role, deferred = deferred[0], None  # its earlier meaning was a template or an argmin
                if minimiser is not None and superseding is not None:
                    unevaluable.pop(role.defines or "", None)  # the closed form is its value from here on
                    superseding = None
            if stated_objective is not None:
                objectives.append(stated_objective)
            if minimiser is not None:
                # a closed form for the point an objective minimises: judged against the objective
                was_definition = role.role == R.DEFINITION
                role = R.Role(R.STEP if role.role == R.STEP else R.CLAIM,
                              f"a closed form for the minimiser of the objective on line {minimiser[2][0].line}")
                written = tree.args[0][0].args[0] if tree.args[0][0].kind == "transpose" else tree.args[0][0]
                if model.definition_of(R.family(written) or "", section) is not None:
                    model.free(written, st.latex, claim.line, section)  # an unknown again, under this objective
            if role.role == R.DEFINITION:
                status, text = record_definition(model, st, tree, claim.line, section, role,
                                                 zeros_elsewhere=_ZEROS_ELSEWHERE.search(
                                                     claim.after.lower().split(".")[0]) is not None)
                if superseding is not None:
                    unevaluable.pop(role.defines or "", None)
                elif status == DEFINED:
                    why_not = unevaluable_rhs(tree, role, model, section)
                    if why_not is not None:
                        # the name stays defined, but a later explicit formula for it is its working definition
                        unevaluable[role.defines or ""] = (claim.line, section, to_text(tree.args[0][0]), why_not)
                        text += (f"; its right side cannot be evaluated ({why_not}): an explicit formula "
                                 f"given for {to_text(tree.args[0][0])} later is read as its definition")
                if status == DEFINED and same_as is not None:
                    text += f" (the same formula as line {same_as}, in an earlier part)"
                model.use(names, section)
                if status is not None:
                    plain(claim.line, st, status, role, text, section=section)
                    previous = (st, role, section, claim.line)
                    continue
                # a chain whose first link defines a name: the rest is judged as claims
                role = R.Role(R.CLAIM, f"{role.why}; the links after the first are claims", defines=role.defines)
            elif role.role == R.HYPOTHESIS:
                expansion_restarted(tree, claim.context if pos == 0 else "", expansions, section)
                fm = S.from_math(st.latex, tree)  # U^T U = I, A = A^T: structure stated in math
                if fm is not None:
                    facts.append(S.Fact(fm[0], (fm[1],), claim.line, section, "$" + st.latex + "$"))
                items, ops = tree.args if tree.kind == "chain" else ((tree,), ())
                if ops and (ops[0] == "in" and items[1].kind in ("field", "pow", "maps", "signed") or declaration(tree)):
                    try:
                        model.declare(items[0], items[1], st.latex, claim.line, section)
                        run = declared_run(items[0], st.condition)
                        if run is not None:  # x_i \in R^d for i = 1, \dots, n: the family x_1, \dots, x_n
                            model.declare(run, items[1], st.latex, claim.line, section)
                            model.note_dimensions(run, st.latex, claim.line, section)
                    except BindError:
                        pass
                    if items[1].kind == "signed":
                        # c \in \mathbb{R}_{>0}: a scalar, and the sign it is sampled with (c > 0)
                        for n_ in (items[0].args if items[0].kind == "tuple" else (items[0],)):
                            zero = Node("num", "0", (), n_.col)
                            sign = Node("chain", "", ((n_, zero), (items[1].value,)), n_.col)
                            model.assume(sign, f"{to_text(n_)} {items[1].value} 0", claim.line, section,
                                         R.free_names(n_), local=False)
                    elif items[1].kind == "field" and items[1].value == "N":
                        # k \in \mathbb{N}: sampled from 1 (whether N holds 0 is a convention; a claim
                        # that fails only at 0 is never refuted for it)
                        for n_ in (items[0].args if items[0].kind == "tuple" else (items[0],)):
                            one = Node("num", "1", (), n_.col)
                            sign = Node("chain", "", ((n_, one), (">=",)), n_.col)
                            model.assume(sign, f"{to_text(n_)} >= 1", claim.line, section, R.free_names(n_), local=False)
                    elif items[1].kind == "pow" and items[1].args[0].kind != "field":
                        # y \in \{0,1\}^K, p \in \Delta^{K-1}, x \in \mathbb{R}^n_{+}: a shape, and values
                        # sampling cannot draw; the membership stays a hypothesis, so a failure on
                        # real-valued draws refutes nothing
                        model.assume(tree, st.latex, claim.line, section, names, local=False)
                    stacked = rows_named(claim.context if pos == 0 else "",
                                         claim.after if pos == len(statements) - 1 else "", tree, model, section)
                    if stacked is not None and not model.is_defined(R.family(stacked[0]) or "", section) \
                            and model.stack_family(R.family(stacked[2]) or "", section):
                        # "stacked as the rows of $X \in \mathbb{R}^{n \times d}$": X = [x_1^T; ...; x_n^T]
                        model.define(stacked[0], stacked[1], f"{to_text(stacked[0])} = {to_text(stacked[1])}",
                                     claim.line, section)
                    if declaration(tree) and items[0].kind == "name":
                        last_normal = (st.latex, items[0])  # "write $\phi$ for its density" may follow
                        length = vector_length(declaration(tree)[0][1])
                        if length is not None and not model.is_defined(R.family(items[0]) or "", section):
                            # \epsilon \sim \mathcal{N}(0, \sigma^2 I_d): a vector of length d, Greek or not
                            space = Node("pow", None, (Node("field", "R", (), length.col), length), length.col)
                            model.declare(items[0], space, st.latex, claim.line, section)
                    # a declared shape gives no value: the first equation for W may still define it
                elif not R.draws_data(tree):  # (x_i, y_i) \sim p: no value to sample under
                    model.assume(tree, st.latex, claim.line, section, names, local=role.local,
                                 condition=st.condition)
                    model.use(names, section)
                if repeated is not None:  # verified if the claim it repeats is (after the judging)
                    repeats[len(slots)] = repeated
                spectral = eigenvalue_of_given_matrix(tree, facts, model, claim.line, section)
                if spectral is not None:  # "the eigenvalues are $\lambda_1 = 3$" of the A this line gives
                    status_e, why_e = spectral
                    role = R.Role(R.CLAIM, "names an eigenvalue of a matrix the line gives (assumed as well)")
                    plain(claim.line, st, status_e, role, f"{status_e}: {why_e}",
                          reason=None if status_e == VERIFIED else why_e, section=section)
                else:
                    plain(claim.line, st, ASSUMED, role, f"assumed: {role.why}; later statements are sampled under it",
                          section=section)
                previous = (st, role, section, claim.line)
                continue
            if role.role == R.SOLUTION and role.local:
                # "Thus for λ > 0.001, ...": the set found, and the condition of its own line as well
                model.assume(tree, st.latex, claim.line, section, names, local=True)
                if solve is not None:
                    solve = (solve[0], solve[1], solve[2], True)
            if role.role == R.SOLUTION and not answers and not is_implication_step(role, previous, section, tree) \
                    and solve is None:
                model.use(names, section)
                why = ("a solution set: the condition it solves is not identified in the document and no "
                       "problem part gives the derived answer (name one with front matter part:)")
                plain(claim.line, st, UNDECIDED, role, f"undecided: {why}", reason=why, section=section)
                previous = (st, role, section, claim.line)
                continue
            if role.role in (R.APPROXIMATION, R.ASYMPTOTIC):
                model.use(names, section)
                why = ("approximations are judged only where the document states the regime; none is stated here"
                       if role.role == R.APPROXIMATION else "a complexity statement is not evaluated as a number")
                plain(claim.line, st, UNDECIDED, role, f"undecided: {why}", reason=why, section=section)
                previous = (st, role, section, claim.line)
                continue
            model.use(names, section)
            free_reason = role.reason and not all_bound(tree, model, section, computed, is_input)
            if as_assumed is not None or role.reason == R.KEPT:
                # what it stated still holds for what follows, whatever its verdict (as before)
                kept = as_assumed or role
                model.assume(tree, st.latex, claim.line, section, names, local=kept.local, condition=st.condition)
            restated_hyp = restated_hypothesis(tree, model, section, claim.line)
            if restated_hyp is not None and role.role in (R.CLAIM, R.STEP):
                # "- $x_0 = 0$" after "with $x_0 = 0$": the assumption repeated, true under it
                why = f"restates the hypothesis on line {restated_hyp.line} (${restated_hyp.latex}$), assumed there"
                plain(claim.line, st, VERIFIED, role, f"verified: {why}", section=section)
                previous = (st, role, section, claim.line)
                continue
            ruled = R.rule_form(tree)
            if role.role == R.CLAIM and ruled is not None and ruled_before(model, ruled, section) \
                    and introduced_in_words(claim.context) \
                    and not (problem_scope is not None and problem_scope.problem is not None):
                # "Nesterov evaluates the gradient at the look-ahead point: $v_{t+1} = \beta v_t - ...$" after
                # heavy-ball's $v_{t+1} = \beta v_t + g_t$: a sequence's rule stated again with no step word may
                # be a new method's rule; from here on an instance drawn from the earlier rule refutes nothing
                contested.setdefault(ruled, (claim.line, section))
            restated_fn = function_restated(tree, model, section)
            if role.role == R.CLAIM and restated_fn is not None and introduced_in_words(claim.context) \
                    and not _CONSEQUENCE.search(claim.context[-160:]) \
                    and not (problem_scope is not None and problem_scope.problem is not None):
                # "Bernoulli: $A(\eta) = \log(1 + e^\eta)$ ... Poisson: $A(\eta) = e^\eta$": a function written
                # again at bare arguments with a new formula, introduced by prose of its own, may be a new
                # function under the old name; from here on an instance of the old one refutes nothing
                for key in (restated_fn, restated_fn + "'", restated_fn + "''", restated_fn + "(·)"):
                    restated_fns.setdefault(key, (claim.line, section, restated_fn))
            if tree.kind == "chain" and tree.args[1][0] == "=" and deferred is None:
                fam0 = R.family(tree.args[0][0])
                if fam0 is not None and not model.is_defined(fam0, section):
                    subjects.add(fam0)  # the left side of an equation the model does not define
            cases_after = trailing.get(id(claim), []) if pos == len(statements) - 1 else []
            bound_vars = {to_text(x.args[1]) for x in tree.walk() if x.kind in ("sum", "prod")
                          and isinstance(x.args[1], Node)}
            cases_after = [(t_, l_) for t_, l_ in cases_after  # a summation index is no case's
                           if not (index_equation(t_) and to_text(t_.args[0][0]) in bound_vars)]
            for t_, l_ in cases_after:  # "if $i = j \le m$": the statement read with i replaced by j
                if index_equation(t_):
                    tree = substitute_name(tree, to_text(t_.args[0][0]), t_.args[0][1])
                    st = dataclasses.replace(st, tree=tree, note=(st.note + "; " if st.note else "")
                                             + f"read with {l_} (the case after it)")
            # a judged statement: its scope, its hypotheses, and (for a step) the line before
            job_scope = model.scope_for(section, problem_scope if problem_scope is not None else None)
            note = None
            rules: list = []
            if problem_scope is not None and problem_scope is not base:
                rebound = model.rebinds_input(section, problem_scope, names)
                if rebound is not None:
                    job_scope = model.scope_for(section, generic_scope(problem_scope))
                    note = f"{rebound} is rebound in this section, so the problem {chosen!r} does not apply"
                    rules = usable_rules(candidate_rules)
                    chosen = None
            elif problem_scope is base and base.problem is not None:
                rebound = model.rebinds_input(section, base, names)
                if rebound is not None:
                    job_scope = model.scope_for(section, generic_scope(base))
                    note = f"{rebound} is rebound in this section, so the problem does not apply"
            horizon = horizon_names(tree) if chosen else set()
            unlimited = bool(chosen) and job_scope.problem is not None and unlimited_index_sums(tree, job_scope)
            widened = with_horizon(job_scope, horizon, unlimited) if horizon or unlimited else None
            if widened is not None:
                # \sum_{\ell=0}^{L} with L the sequence length, no quantity of the problem: verified with
                # L drawn at least every index; a failure under that reading is no refutation
                job_scope = widened
                st = dataclasses.replace(st, note=(st.note + "; " if st.note else "") + describe_horizon(horizon, job_scope))
                horizon_unapplied = [f"{', '.join(sorted(horizon)) or 'the range of a sum without limits'} read "
                                     "as the sequences' length (another meaning of it may hold)"]
            else:
                horizon_unapplied = []
            # E[z_i] = \mu_i: declared vectors' x_i are entries; E[x | y]: the names declared jointly Gaussian
            job_scope = moments_scope(job_scope, tree, joint_records(facts, section, model.definition_of, visible))
            if deferred is not None and deferred[1][0]:
                job_scope = job_scope.copy()  # the earlier part's meaning, to judge the restatement against
                for lhs_e, rhs_e, latex_e in deferred[1][0]:
                    try:
                        job_scope.define(lhs_e, rhs_e, latex_e)
                    except (BindError, ParseError):
                        continue
            job_scope = with_expansions(job_scope, tree, names, expansions, section)
            reach = names | expanded_names(tree, job_scope)
            reach |= entries_reach(tree, reach, job_scope)
            if minimiser is not None:  # the objective's names: their hypotheses and structure hold as well
                reach |= {f for o in minimiser[2] for f in R.free_names(o.tree) | expanded_names(o.tree, job_scope)}
                reach |= {str(d) for shape in job_scope.declared.values() for d in (shape.rows, shape.cols)
                          if isinstance(d, sp.Symbol)}  # n > p: the sizes of the data (a full-rank design)
            # \sum_i without limits: a range stated for i (i = 1, \dots, n) gives them (indexing.py)
            reach |= {to_text(x.args[1]) for x in tree.walk() if x.kind in ("sum", "prod") and x.args[1] is not None
                      and x.args[2] is None and x.args[3] is None}
            visible_hyps = superseded_cases(model.hypotheses_for(section, reach, claim.line), st, claim.line)
            # "$\Sigma_{kj} = \sigma_j$ if $k = j \le m$": the conditions after it (k = j substituted above)
            visible_hyps += [Hypothesis(section, t_, l_, claim.line, frozenset(R.free_names(t_)), True)
                             for t_, l_ in cases_after if l_ not in {h.latex for h in visible_hyps}
                             and not index_equation(t_)]
            # "for |p| != 0 ... If |p| = 0, then A = I": the newer of two contradictory conditions governs
            unpinned = without_negated(visible_hyps)
            visible_hyps = [pinned_case(h) for h in unpinned]
            # a pinned vector is set to the zero of its shape when sampling (an equation solved for it),
            # never read as a case definition (that would make it the scalar 0)
            pinned = {h.latex for h, o in zip(visible_hyps, unpinned) if h is not o}
            # a derived condition assumed for what follows is never sampled under itself
            visible_hyps = [h for h in visible_hyps if not (h.line == claim.line and h.latex == st.latex)]
            # a case equation stated earlier in the same sentence ("If $g_t = g$ for all $t$, then ..., so
            # every step has the same size: $$...$$") governs the rest of the sentence
            visible_hyps += [h for h in model.hypotheses if visible(h.section, section) and h.names & reach
                             and h.local and h.line != claim.line and h.line in sentence and h not in visible_hyps
                             and not samplable(h.tree) and not index_case(h.tree)
                             and case_definition(h.tree, model, section) is not None]
            hyps = [h.tree for h in visible_hyps if samplable(h.tree)]
            hyp_texts = [h.latex for h in visible_hyps if samplable(h.tree)]
            implication = False
            unapplied = []
            if chosen is not None and job_scope.problem is not None:
                # "for \ell = 1, \dots, L" in scope with no L in the problem: sampled for \ell \ge 1 (the
                # claim is checked on more than the range; its upper end is not applied, so no refutation)
                hyps, hyp_texts, ends = ranges_without_unknown_ends(hyps, hyp_texts, job_scope)
                unapplied += [f"the upper end {e} of a range in scope (not a quantity of the problem)" for e in ends]
            case_defs: list[tuple[str, str]] = []  # x_0 = 0 in scope: set when sampling (a case-local definition)
            # only a case stated on the claim's own line ("For $A = ..$ and $x_0 = ..$, ... $R(x_1) = ..$"):
            # an earlier "For $\ell = 0$" is not known to govern a later line
            # A value a part gives a quantity that is no index ("Problem 2. A scalar example: $A = 1$,
            # $\alpha = \frac{1}{2}$, $x_0 = 1$") holds for the rest of that part.
            cases = {h.latex: case_definition(h.tree, model, section)
                     if problem_scope is None and h.latex not in pinned and (h.line == claim.line or h.section == section
                                                   and not index_case(h.tree, job_scope))
                     and not sequence_case_bounded(h, visible_hyps) else None
                     for h in visible_hyps if not samplable(h.tree)}
            case_trees = {h.latex: h.tree for h in visible_hyps}
            once = [c[1] for c in cases.values() if c is not None]
            trees = {h.latex: h.tree for h in visible_hyps}
            lines = {h.latex: h.line for h in visible_hyps}
            equations: list[tuple[Node, str]] = []
            for text, c in cases.items():
                if c is not None and once.count(c[1]) == 1:  # x = 3 and x = 2 on one line: neither is set
                    equation, also = case_parts(case_trees[text], text)
                    case_defs.append((c[0], text if equation is None else equation))
                    for cond, cond_text in also:  # g_t = g \neq 0: g \neq 0 is sampled for
                        hyps.append(cond)
                        hyp_texts.append(cond_text)
                else:
                    unapplied.append(text)
                    # solved for one name where it binds; an index's case (\ell = 0) from an earlier line
                    # is not known to govern this one: it stays unapplied (a failure is undecided)
                    if single_equation(trees[text]) and not (index_case(trees[text]) and lines[text] != claim.line
                                                              and trees[text].args[0][1].kind == "num"):
                        equations.append((trees[text], text))
            unapplied += horizon_unapplied
            for lim in sorted({x.value for x in tree.walk() if x.kind == "name" and x.args[0] is not None
                               and x.args[0].kind == "infinity"}):
                if not model.has_member(lim + R.INDEXED, section):
                    # p_\infty run from a sampled start: where the map has several attracting points the
                    # limit depends on the start, so a failure is no refutation
                    unapplied.append(f"{lim}_\\infty is the limit of the recurrence from a start the document "
                                     "does not give (another start may reach another fixed point)")
            for fam_c, (line_c, sec_c) in contested.items():
                if fam_c in reach and visible(sec_c, section):
                    unapplied.append(f"the rule for {fam_c} stated again on line {line_c} with no step word "
                                     "(perhaps a new method's rule; instances follow the earlier one)")
            for names_c, line_c, sec_c, latex_c in constraints:
                if line_c != claim.line and visible(sec_c, section) and reaches_any(names_c, reach):
                    # "so that $\sum_k p_k = 1$" judged undecided there (it may determine p): an instance with
                    # any p is not the document's
                    unapplied.append(f"${latex_c}$ on line {line_c}, which may constrain "
                                     f"{', '.join(sorted(n.removesuffix(R.INDEXED) for n in names_c))}")
                    break
            for fn_c, (line_c, sec_c, base_c) in restated_fns.items():
                if fn_c in reach and visible(sec_c, section):
                    unapplied.append(f"{base_c} is written again with a new formula on line {line_c} "
                                     "(perhaps a new function under the same name; instances follow the first)")
                    break
            worded = R.worded_condition(sentence_prose)
            if worded is None and not (tree.kind == "chain" and tree.args[0][0].kind == "name"):
                # Φ^T Φ θ = Φ^T t after "setting it to zero gives": holds at the stationary point only
                # (a bare name on the left, θ̂ = ..., is a closed form, judged as a minimiser)
                worded = R.stationary_condition(sentence_prose)
            if worded is not None and not any(h.line == claim.line or h.line in sentence for h in visible_hyps):
                # "If every reward equals $1$, then $G_t = 1/(1-\gamma)$": asserted only under that condition
                unapplied.append(f"the condition written in words before it (“{worded}”)")
            if st.condition is not None and samplable(st.condition):
                hyps.append(st.condition)  # i \ne j, 0 < x < 1: a condition the index ranges cannot carry
                hyp_texts.append(st.condition_text)
            if problem_scope is not None and problem_scope.problem is not None and st.condition is not None:
                # K_\ell = C A^{\ell-1} B for \ell = 1, \dots, L with no L in the problem: the range's
                # lower end is kept, the upper end is not applied (so a failure is no refutation)
                weaker, dropped = without_unknown_ends(st.condition, problem_scope)
                if dropped:
                    st = dataclasses.replace(st, condition=weaker, condition_text=(
                                             f"{to_text(weaker.args[0][0])} \\ge {to_text(weaker.args[0][1])}"),
                                             note=(st.note + "; " if st.note else "") + "sampled for "
                                             + f"{to_text(weaker.args[0][0])} \\ge {to_text(weaker.args[0][1])}: "
                                             f"the range's upper end {', '.join(dropped)} is not a quantity of the problem")
                    unapplied.append(f"the upper end {', '.join(dropped)} of the range (not a quantity of the problem)")
            formula = to_text(tree)
            if st.condition is not None and not index_bound(st.condition):
                formula = ""  # only an index range (ell >= 1, k = 1..n) travels with a restated formula
            if st.condition is None and formula in stated_ranges and not any(
                    parts(sec) == parts(section) for sec in stated_ranges[formula][2]):
                cond, text, _ = stated_ranges[formula]
                st = dataclasses.replace(st, condition=cond, condition_text=text,
                                         note=(st.note + "; " if st.note else "")
                                         + f"restated from an earlier part, with its range {text}")
            elif st.condition is not None:
                stated_ranges.setdefault(formula, (st.condition, st.condition_text, []))[2].append(section)
            elif formula in stated_ranges:
                stated_ranges[formula][2].append(section)
            stated = set().union(*(ws for sec, ws in structure.items() if visible(sec, section))) \
                if structure else set()
            # the names the claim reaches through definitions (B = A - \lambda_1 u_1 u_1^T hides A)
            # a name given its value by a case is not sampled: its value is the document's
            fixed = {f for f, _t in case_defs}
            applied, blocked, stated = structure_for(facts, told, stated, reach - fixed, section, model)
            # "J := diag(p) - pp^T. It is symmetric": checked on each instance of J's definition
            checks = defined_structure_checks(facts, reach - fixed, section, model)
            applied = [f for f in applied if not fixed & set(f.names)]
            # eigenvalues named one by one (lambda_1, lambda_2) in an order the document does not state:
            # sampled in any order, so a claim that needs one (largest first) is not refuted on it
            blocked += [f"the order of the eigenvalues {f.get('values')} is not stated" for f in applied
                        if f.kind == "eigen" and f.get("values") and not f.get("order") and f.get("values") in reach]
            if blocked:
                unapplied.extend("structure stated in the prose: " + b for b in blocked)
            # the names the claim reaches through definitions (B = A - \lambda_1 u_1 u_1^T hides A)
            roots = root_equations(facts, reach, section)
            extremes = extreme_eigenvalues(facts, reach, section, model, claim.line)
            if extremes:  # \lambda_{\min} of an H the worked example gives as numbers: its value, not a free name
                roots += extremes[0]
                blocked_now = set(extremes[1])
                unapplied = [u for u in unapplied if not any(u.endswith(": " + b) for b in blocked_now)]
            else:  # \lambda_{\min}, \lambda_i of H = \frac1n X^T X: computed from H on each instance
                spectra = with_spectra(job_scope, facts, reach, section, model)
                if spectra is not None:
                    job_scope = spectra[0]
                    unapplied = [u for u in unapplied if not any(u.endswith(": " + b) for b in spectra[1])]
                    if spectra[1]:  # "the average eigenvalue": the spectrum computed is the one the prose means
                        stated = {w for w in stated if not w.startswith("eigen")}
            equations += [(tree_, text_) for tree_, text_ in roots]
            unapplied += [text_ for _t, text_ in roots]
            root_families = {f.names[0] for f in facts if f.kind == "roots"}
            # "covariance" in the prose: a matrix sampled positive (semi)definite honours it
            covered = {n for f in applied for n in f.names
                       if f.kind in ("spd", "psd") or f.kind == "blocks" and f.get("kind") in ("spd", "psd")} \
                if stated <= {"covariance"} else set()
            covered |= {f.get("whole") + R.INDEXED for f in applied if f.kind == "blocks"} if covered else set()
            if stated and any((matrix_like(n) or (stated & set(_EIGEN_WORDS) and n.endswith(R.INDEXED)
                                                   and n not in root_families))
                              and not model.is_defined(n, section) for n in reach - fixed - covered):
                unapplied.append("structure stated in the prose: " + ", ".join(sorted(stated)))
            stationary = None
            if pos == 0 and before_display is not None and parts(before_display[1]) == parts(section):
                found = stationarity_of(claim.context, tree, before_display[0])
                stationary = (found[0], found[1], before_display[2], named_objective(before_display[3])) \
                    if found is not None else None
            premise = None
            if equation_premise(previous, section, tree, premised):
                premise = (previous[0].tree, previous[0].latex)
            # the next line may rearrange this one
            premised = st if premise is not None or zero_equation(tree) else None
            if role.role in (R.CLAIM, R.STEP) and premise is None:
                # (an equation solved for the weight sets it: no sign to honour beside it)
                solved = set().union(*(R.free_names(t_) for t_, _x in equations)) if equations else set()
                hyps, hyp_texts = penalty_signs(penalties, reach - solved, hyps, hyp_texts, section)
            if is_implication_step(role, previous, section, tree):
                hyps = hyps + [previous[0].tree]  # an inequality step: judged as an implication
                hyp_texts = hyp_texts + [previous[0].latex]
                implication = True
            if implication:
                unapplied = unapplied + ["the line before, as the premise of this step (a step may also use earlier lines)"]
            unique = dict(zip(hyp_texts, hyps))  # the line before may also be a hypothesis in scope
            hyp_texts, hyps = list(unique), list(unique.values())
            near = [(c, t) for c, t, names_c in line_ranges.get(claim.line, []) if names_c & names
                    and st.condition is None and t not in hyp_texts]
            if st.condition is not None and index_bound(st.condition):
                line_ranges.setdefault(claim.line, []).append(
                    (st.condition, st.condition_text, R.free_names(st.condition)))
            if solve is not None and role.role in (R.SOLUTION, R.STEP):
                st = dataclasses.replace(st, solves=solve[0], solve_strict=solve[1] and not any(
                    solve[2] in u for u, sec in unparsed if parts(sec) == parts(section)),
                    solve_index=SOL.index_values(*line_statements(doc, claim.line)),
                    solve_only=role.role == R.SOLUTION and (not implication or len(solve) > 3))
            st_job = dataclasses.replace(st, hypotheses=hyps, hypothesis_texts=hyp_texts, unapplied=unapplied,
                                         nearby_ranges=near, equations=equations, premise=premise,
                                         stated_names=model.stated_names(section, claim.line),
                                         structure_checks=checks,
                                         unread_defs=[f"{f} (line {ln})" for f, (ln, sec) in unread_defs.items()
                                                      if f in reach and visible(sec, section)
                                                      and not model.is_defined(f, section)],
                                         structure=[(f.kind, f.names, dict(f.extra)) for f in applied],
                                         local_defs=st.local_defs + [t for _f, t in case_defs],
                                         structure_texts=[f.describe() for f in applied],
                                         given_rhs=given_rhs, subjects=set(subjects),
                                         objectives=[(o, minimiser[1]) for o in minimiser[2]] if minimiser else [],
                                         stationary=stationary,
                                         role=role.role, defines=role.defines,
                                         note=(st.note + "; " if st.note else "") + note if note else st.note)
            if role.role in (R.CLAIM, R.STEP) and st.condition is None:  # "(MD)_{ij} = 0 for j > p": a case, no constraint
                names_c = numeric_constraint(tree, model, section, structured_names(facts))
                if names_c:
                    constraints.append((names_c, claim.line, section, st.latex))
            earlier_defs = earlier_part_definitions(reach, job_scope, model, section, claim.line)
            if not rules and chosen is None and candidate_rules:
                # a statement read without a problem that names a problem's quantity an earlier,
                # verified claim gave a formula for (K_1 = \gamma \alpha^0 \beta after K_\ell = C A^{\ell-1} B)
                wanted = {R.family(lhs) for _j, lhs, _r, _c in candidate_rules}
                own_members = written_in_definitions(model, section)
                own_members |= {f for _l, rhs_e, _t, _n in earlier_defs for f in R.free_names(rhs_e)}
                others = [x for x in tree.walk() if x.kind == "name" and R.family(x) not in wanted
                          and not model.is_defined(R.family(x) or "", section) and R.family(x) not in own_members
                          and any(matches_computed(x, sc) for _n, sc, _named in auto)]
                if wanted & names and not others:  # y_k beside K_\ell: the problem's y is not the rule's
                    rules = usable_rules(candidate_rules)
            st_job.rules = rules + (deferred[1][1] if deferred is not None else [])
            st_job.earlier_defs = earlier_defs
            own_index = {to_text(x) for a in (tree.args[0][0].args if tree.kind == "chain" else ())
                         if isinstance(a, Node) for x in a.walk() if x.kind == "name"}
            bounds = [h for h in hyps if index_bound(h) and {to_text(x) for x in h.walk() if x.kind == "name"
                                                             and x.args == (None, None)} & own_index]
            if chosen and role.role in (R.CLAIM, R.STEP) and tree.kind == "chain" and tree.args[1] == ("=",) \
                    and tree.args[0][0].kind == "name" and computed(tree.args[0][0]) and not st.local_defs \
                    and len(bounds) == len(hyps) <= 1 and not unapplied \
                    and not any(computed(x) for x in tree.args[0][1].walk() if x.kind == "name"):
                # a closed form of a problem's quantity in its inputs, claimed with no hypothesis but
                # the range of its own index (K_\ell = C A^{\ell-1} B for \ell \ge 1)
                candidate_rules.append((len(jobs), tree.args[0][0], tree.args[0][1],
                                        st.condition if st.condition is not None else (bounds[0] if bounds else None)))
            if role.role == R.SOLUTION:
                note_solution_set(tree, st.latex, claim.line, section, solution_sets)
            uses_minimiser = {provisional[f][0] for f in reach if f in provisional}
            if uses_minimiser:
                depends[len(slots)] = uses_minimiser
            if minimiser is not None:
                # the claimed closed form is the name's value for what follows (a later objective frees it)
                model.define(tree.args[0][0], tree.args[0][1], st.latex, claim.line, section, claimed=True)
                provisional[R.family(written) or ""] = (len(slots), order)
                minimiser_slots[len(slots)] = was_definition
            if st.condition is None and not any(h.local and h.line == claim.line for h in model.hypotheses):
                judged_texts.setdefault(to_text(tree), []).append((len(slots), claim.line, section))
            where.append((len(slots), claim.line, st, role, chosen, section))
            jobs.append((st_job, job_scope))
            slots.append(None)
            previous = (st, role, section, claim.line)
            if as_assumed is not None:  # it does not agree with the meaning: the condition it read as
                restated[len(jobs) - 1] = (ASSUMED, f"assumed: {as_assumed.why}; later statements are sampled "
                                                    "under it", as_assumed)
                previous = (st, as_assumed, section, claim.line)  # a condition listed after it is one too
            if free_reason:
                reasons_free[len(jobs) - 1] = role
            if as_assumed is not None or role.reason == R.KEPT:
                # W^T = W: structure stated in math holds for later lines, as for any condition (not for
                # its own judging, which would sample it under itself)
                fm = S.from_math(st.latex, tree)
                if fm is not None:
                    facts.append(S.Fact(fm[0], (fm[1],), claim.line, section, "$" + st.latex + "$"))
            if deferred is not None:  # the definition holds for what follows, whatever the verdict
                status, text = record_definition(model, st, tree, claim.line, section, deferred[0])
                restated[len(jobs) - 1] = (status, text, deferred[0])
                previous = (st, deferred[0], section, claim.line)

    def record(k: int, res: dict[str, Any], dt: float) -> None:
        slot, line, st, role, chosen, section = where[k]
        if k in restated and res.get("status") not in (PROVED, VERIFIED):
            # it does not agree with the earlier meaning: a later part may rebind a name, so it
            # stays the definition it reads as (never refuted)
            status, text, def_role = restated[k]
            slots[slot] = ClaimResult(doc.path, line, st.latex, status or DEFINED, text, role=def_role.role,
                                      role_reason=def_role.why, section=section_text(section), seconds=dt)
            return
        if k in reasons_free and res.get("status") not in (PROVED, VERIFIED, UNDECIDED):
            # "since p > 3" with p free: asserted of a value the document does not fix, so a failure
            # on sampled values is no refutation
            why = ("a reason about names the document does not fix (" + res.get("status", "") + " on sampled "
                   "values, which need not be the author's)")
            slots[slot] = ClaimResult(doc.path, line, st.latex, UNDECIDED, f"undecided: {why}", reason=why,
                                      role=role.role, role_reason=role.why, section=section_text(section),
                                      seconds=dt)
            return
        links = [LinkResult(**l) for l in res.get("links", [])]
        if chosen:
            res = {**res, "scope": f"{res['scope']} [problem: {chosen}, chosen by its notation]"}
        slots[slot] = ClaimResult(doc.path, line, st.latex, res["status"], res["scope"], res.get("counterexample"),
                                  res.get("reason"), links=links, condition=st.condition_text or None, seconds=dt,
                                  role=role.role, role_reason=role.why, section=section_text(section))
        if res.get("uses"):
            rests_on[slot] = list(res["uses"])
        if res.get("premise"):
            refuted_from[slot] = list(res["premise"])
        if progress is not None:
            progress(f"{doc.path}:{line}: {res['status']} ({dt:.2f} s)")

    # a document that defines or assumes anything reads its free names as its own (the
    # one-side rule); a bare list of identities keeps the universal generic reading
    if model.bindings or model.hypotheses or base.defs or base.funcs or base.declared:
        for st_job, _scope in jobs:
            st_job.in_document_model = True
    rests_on: dict[int, list] = {}  # slot -> the (line, latex) of the relations its solution set was compared with
    refuted_from: dict[int, list] = {}  # slot -> the (line, latex) of the line before a refuted solution
    if jobs:
        run_jobs(jobs, answers, opts, record)
    void_refuted_premises(slots, rests_on)
    void_unsound_minimisers(slots, depends, minimiser_slots)
    refuted_only_from_sound_lines(slots, refuted_from)
    take_restated_verdicts(slots, restates)
    take_repeated_verdicts(slots, repeats)
    assumed_unless_derived(slots, converted)
    return [r for r in slots if r is not None]


_RULE_AHEAD = 3  # lines after a start value within which the recurrence it starts may follow


_EIGEN_WORDS = ("eigenvalue", "eigenvector", "eigenbasis", "spectral", "orthonormal", "eigendecomposition",
                "eigen-decomposition", "svd", "singular value decomposition")


# "T_{i,i+j-1} = w_j for j = 1..k and zeros elsewhere": the entries the rule does not reach are 0
_ZEROS_ELSEWHERE = re.compile(r"\b(zeros?|0) (elsewhere|everywhere else|otherwise)\b|\botherwise (zero|0)\b"
                              r"|\b(all )?other entries (are )?(zero|0)\b")


_SENTENCE_END = re.compile(r"[.!?](\s|$)")


_ASSERTED_REASON = "asserted, so judged; assumed for what follows"


# "so $f(x) = ...$", "hence": a formula the derivation reaches is a claim about the same function
_CONSEQUENCE = re.compile(r"\b(so|hence|thus|therefore|consequently|it follows that|which gives|this gives)\b[^.!?]*$",
                          re.IGNORECASE)


