"""Stage 7, *judge* (restatements): a statement that says again what the document said before —
a repeated claim, a restated solution set, an earlier part's definition, a minimiser's closed
form, a relation a later solution rests on — found, so the judge reuses or checks its verdict.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from . import roles as R, solutions as SOL
from .context import open_unknown
from .discipline import expanded_names
from .latex_parser import Node, to_text
from .minimisers import match as match_objective, starred_base
from .model import DocumentModel, parts, visible
from .scope import BindError, Scope


_SOLUTION_WORDS = re.compile(r"solution|solves|yields|gives|minimi[sz]|optim|closed[- ]form|argmin|given by",
                             re.IGNORECASE)


_PLAIN_REACH = 6  # statements after an objective within which a plain name's closed form is read as its minimiser


_PLAIN_REFUTES = 3  # ... and may be refuted as one (the objective in its own sentence, or a declaration between)


def minimiser_claim(tree: Node, role: Any, objectives: list, model: DocumentModel, section: Any, line: int,
                     prose: str, provisional: dict[str, tuple[int, int]], order: int) -> tuple[str, str, list] | None:
    """``W = (K^\\top K + \\lambda I)^{-1} K^\\top V`` after "W that minimizes ...": (the name as written,
    the objective's variable, the objectives in force for it, most recent first), or None.  A plain
    name (not starred, hatted or defined by an argmin) counts only where the prose before it
    announces a solution ("Solution", "yields", "the minimiser").  Only a name with no value yet
    is judged so, or one whose value came from an earlier closed form when an objective was stated
    after it ("Actually: minimize ..."); otherwise the claim is judged against that value."""
    if tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    lhs, rhs = tree.args[0]
    written = lhs.args[0] if lhs.kind == "transpose" else lhs
    fam = R.family(written) if written.kind == "name" else None
    if fam is None:
        return None
    live = [o for o in objectives if visible(o.section, section) and 0 <= line - o.line <= 60]
    found = match_objective(lhs, live, lambda _t: fam not in provisional and model.is_defined(fam, section))
    if found is None:
        return None
    text, var, objs = found
    if any(x.kind in ("extremum", "blank") or (x.kind == "name" and to_text(x) in (text, var)) for x in rhs.walk()):
        return None  # not a closed form: it uses the unknown itself, is the argmin, or is a template to fill in
    earlier = model.definition_of(fam, section)
    if earlier is not None and not any(x.kind == "blank" or (x.kind == "extremum" and x.value in (r"\argmin", r"\argmax"))
                                       for x in earlier.rhs.walk()) and not (
            fam in provisional and objs[0].order > provisional[fam][1]):
        return None  # the name has a value (not a template, not an argmin): the claim is judged against it
    if starred_base(text) is None and objs[0].name != text:
        if not (_SOLUTION_WORDS.search(prose) and order - objs[0].order <= _PLAIN_REACH):
            return None  # a plain name is the objective's unknown only in the sentences right after it
        if order - objs[0].order > _PLAIN_REFUTES:  # statements between: another reading of the name may
            objs = [dataclasses.replace(o, strong=False) for o in objs]  # hold, so it verifies, never refutes
    return text, var, objs


def repeated_claim(tree: Node, role: Any, judged_texts: dict, model: DocumentModel, section: Any,
                   line: int) -> tuple[int, int, str] | None:
    """A statement written as a condition ("similarly for K_l = C M_l") that repeats, word for
    word, an equation judged earlier in a part it sees, none of whose names (nor the names they
    reach) was bound again since: (slot, line, latex) of that earlier claim.  Its verdict carries
    over only when it is proved or verified there (under no case of its own line)."""
    if tree.kind != "chain" or not all(o == "=" for o in tree.args[1]):
        return None
    earlier = [(slot, ln, sec) for slot, ln, sec in judged_texts.get(to_text(tree), [])
               if ln < line and visible(sec, section)]
    if not earlier:
        return None
    slot, ln, _sec = earlier[-1]
    reach = R.free_names(tree) | expanded_names(tree, model.scope_for(section))
    if any(ln < b.line < line and b.family in reach for b in model.bindings):
        return None
    return slot, ln, to_text(tree)


def same_relation(tree: Node, role: Any, section: Any, relations: list,
                   model: DocumentModel) -> tuple[int, str] | None:
    """The earlier inequality of the same part, in one unknown, that this one writes again
    verbatim: (line, latex), or None."""
    if role.role not in (R.CLAIM, R.SOLUTION, R.STEP) and not (
            role.role == R.HYPOTHESIS and role.why.startswith(DERIVABLE + (_REQUIREMENT,))) or role.local:
        return None
    if tree.kind != "chain" or not all(o in _INEQ for o in tree.args[1]):
        return None
    unknown = open_unknown(tree, model, section)
    if unknown is None or not any(R.family(i) == unknown for i in tree.args[0]):
        return None  # a bound on the unknown itself (\lambda \ge \sigma_i^2), not a condition it enters
    text = to_text(tree)
    for rt, latex, line, sec in reversed(relations):
        if parts(sec) == parts(section) and to_text(rt) == text:
            return line, latex
    return None


def note_solution_set(tree: Node, latex: str, line: int, section: Any, solution_sets: list) -> None:
    got = SOL.simple_set(tree)
    if got is not None:
        solution_sets.append((got[0], got[1], line, latex, section))
        del solution_sets[:-40]


_LABEL_AT_END = re.compile(r"(\([a-z]{1,3}\)|\b[ivx]{1,4}\.|\b[a-z]\))\s*$")  # "(c) $...$" in a summary


def restated_solution(tree: Node, role: Any, solve: Any, section: Any, solution_sets: list,
              prose: str = "") -> tuple[int, str, bool] | None:
    """The earlier solution, in another part, whose set a solution (or a bare condition that is
    not derived in its own part) states again: (line, latex, whether the sets are equal), or None.  A part label right
    before it ("(c) $\\lambda \\in [1, 4]$" in a summary) names the part; otherwise the
    nearest solution for that name is the one it may restate."""
    if not (role.role == R.SOLUTION or role.role == R.HYPOTHESIS and role.why.startswith(DERIVABLE)):
        return None
    got = SOL.simple_set(tree)
    if got is None:
        return None
    if solve is not None and any(SOL.simple_set(p.tree) is not None and SOL.simple_set(p.tree)[1] == got[1]
                                 for p in solve[0]):
        return None  # its own part states the same set: judged there
    m = _LABEL_AT_END.search(prose.strip())
    label = m.group(1) if m else None
    if label is None and solve is not None:
        return None  # its own part has conditions in this unknown: it is judged against them, not another part
    for name, s, line, latex, sec in reversed(solution_sets):
        if label is not None and not any(title.lstrip("*_# ").startswith(label) for _l, title, _ln in sec):
            continue
        if name == got[0] and parts(sec) != parts(section):
            if s == got[1]:
                return line, latex, True
            # the nearest solution for this name states another set: under the part's own label a
            # restatement that differs (judged, undecided); without a label, not a restatement of it
            return (line, latex, False) if label is not None else None
    return None


def earlier_part_definitions(reach: set[str], scope: Scope, model: DocumentModel, section: Any,
                              line: int) -> list[tuple[Node, Node, str, int]]:
    """Definitions made in earlier parts (not visible here) of names the statement reaches that
    this part leaves open, and of the names those use in turn: the latest of each, formulas only
    (a concrete example's numbers, ``L = 4`` or a numeric matrix, do not travel to a later part)."""
    if scope.problem is not None:
        return []  # a registered problem gives the open names their meaning
    open_names = {n for n in reach if n not in scope.def_families and n not in scope.declared
                  and n.removesuffix("(·)") not in scope.funcs}
    out: list[tuple[Node, Node, str, int]] = []
    seen: set[str] = set()
    for _round in range(3):
        more: set[str] = set()
        for fam in sorted(open_names - seen):
            seen.add(fam)
            found = [b for b in model.bindings if b.kind == "define" and b.family == fam and b.line < line
                     and not visible(b.section, section)]
            if not found and fam.endswith(R.INDEXED):
                # a_i with no definition of its own: the members of a matrix an earlier part wrote
                # with them (A = diag(a_1, \dots, a_n), B = [b_1, \dots, b_n]^T)
                found = [b for b in model.bindings if b.kind == "define" and b.line < line and b.lhs.kind == "name"
                         and b.lhs.args == (None, None) and ("dots" in b.latex or "..." in b.latex)  # cheap first
                         and not visible(b.section, section) and any(x.kind == "ellipsis" for x in b.rhs.walk())
                         and fam in R.free_names(b.rhs)
                         and not model.is_defined(b.family or "", section)]  # not a matrix this part binds
            if not found or not R.free_names(found[-1].rhs):
                continue
            b = found[-1]
            out.append((b.lhs, b.rhs, b.latex, b.line))
            more |= {n for n in R.free_names(b.rhs) if n not in scope.def_families and n not in scope.declared}
        open_names = more
        if not open_names:
            break
    return out[:8]


def earlier_meaning(tree: Node, role: Any, model: DocumentModel, section: Any, line: int,
                     candidate_rules: list) -> tuple[Any, list, str] | None:
    """What a name that a one-link definition introduces already meant: the definitions to add to
    the scope to judge the statement against it (an earlier part's binding of the same left side),
    the earlier verified formulas for a problem's quantity (``K_\\ell = C A^{\\ell-1} B``) usable as
    rules, and where that meaning comes from; ``"same"`` for the same formula written again in a
    later part (a definition for that part, nothing to judge); None when the name is new."""
    if tree.kind != "chain" or tree.args[1] != ("=",) or not role.defines:
        return None
    lhs = tree.args[0][0]
    key = to_text(lhs)
    found = [b for b in model.bindings if b.kind == "define" and b.family == role.defines and b.line < line
             and (to_text(b.lhs) == key or role.defines.endswith("(·)"))]
    if found:
        b = found[-1]
        if to_text(b.rhs) == to_text(tree.args[0][1]) and to_text(b.lhs) == key:
            return ("same", [], str(b.line)) if not visible(b.section, section) else None
        adds = [] if visible(b.section, section) else [(b.lhs, b.rhs, b.latex)]
        return adds, [], f"defined on line {b.line}"
    rules = [r for r in usable_rules(candidate_rules) if R.family(r[1]) == role.defines]
    if rules:
        return [], rules, "for which an earlier claim gave this formula (used once it is verified)"
    return None


def unevaluable_rhs(tree: Node, role: Any, model: DocumentModel, section: Any) -> str | None:
    """Why the right side of a whole-statement definition ``NAME := rhs`` cannot be bound, when the
    reason is something the checker does not model (a KL divergence between distributions); None
    when it binds, or fails for another reason."""
    from .inference import Inference

    if tree.kind != "chain" or len(tree.args[1]) != 1 or not role.defines or tree.args[0][0].kind != "name":
        return None
    try:
        Inference(model.scope_for(section), 0, set()).infer(tree.args[0][1])
    except BindError as e:
        msg = str(e)
        return msg if "not modelled" in msg else None
    except Exception:  # noqa: BLE001 - a probe only: any other failure is left to the claims that use it
        return None
    return None


def supersedes_unevaluable(tree: Node, role: Any, unevaluable: dict, model: DocumentModel,
                            section: Any) -> Any | None:
    """``D = \\frac12 \\sum_i (...)`` after ``D := \\mathrm{KL}(q \\| p)`` whose right side cannot be
    bound: the explicit formula is read as D's definition (a role definition), so later claims
    about D (its derivatives) are judged through it; None when the statement is not such a formula."""
    from .inference import Inference

    if role.role == R.DEFINITION or tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    lhs, rhs = tree.args[0]
    fam = R.family(lhs) if lhs.kind == "name" else None
    if fam is None or fam not in unevaluable:
        return None
    line, sec, written, why_not = unevaluable[fam]
    if not visible(sec, section) or to_text(lhs) != written or fam in R.free_names(rhs):
        return None
    try:
        Inference(model.scope_for(section), 0, set()).infer(rhs)
    except Exception:  # noqa: BLE001 - the formula must itself be evaluable to stand in
        return None
    return R.Role(R.DEFINITION, f"the definition of {written} on line {line} cannot be evaluated ({why_not}); "
                                f"this explicit formula for {written} is read as its definition", defines=fam)


def usable_rules(candidates: list[tuple[int, Node, Node, Node | None]]) -> list[tuple[int, Node, Node]]:
    """Earlier claims about a problem's quantities that can stand as definitions: without a
    condition, or with a lower bound ``\\ell \\ge c`` whose members below c are claimed too
    (K_0 = D beside K_\\ell = C A^{\\ell-1} B for \\ell \\ge 1)."""
    members = {to_text(lhs) for _j, lhs, _r, cond in candidates if cond is None}
    out = []
    for j, lhs, rhs, cond in candidates:
        if cond is None:
            out.append((j, lhs, rhs))
            continue
        if cond.kind == "chain" and len(cond.args[1]) == 1 and cond.args[1][0] in (">=", ">") \
                and cond.args[0][1].kind == "num" and cond.args[0][1].value.isdigit() and lhs.args[0] is not None:
            low = int(cond.args[0][1].value) + (1 if cond.args[1][0] == ">" else 0)
            below = [to_text(Node("name", lhs.value, (Node("num", str(k), (), 0), lhs.args[1]), 0)) for k in range(low)]
            if all(b in members for b in below):
                out.append((j, lhs, rhs))
    return out


DERIVABLE = ("a condition on free quantities", "listed with the condition before it")


_REQUIREMENT = "a requirement to be solved for"  # "we need λ ≥ σ_i^2": verbatim, it restates what was found


_INEQ = ("<", "<=", ">", ">=")


def note_relation(tree: Node, latex: str, line: int, section: Any, relations: list, stated_values: list) -> None:
    """Remember an inequality (a condition a later solution may solve) and the value an equation
    chain gives its left side (``\\mathcal{L}(W^{(\\alpha)}) = 0 + 2\\lambda = 2\\lambda``)."""
    if tree.kind != "chain":
        return
    items, ops = tree.args
    if any(o in _INEQ for o in ops) or tuple(ops) == ("in",) and items[1].kind == "tuple":
        relations.append((tree, latex, line, section))
        del relations[:-40]
    elif all(o == "=" for o in ops) and len(items) >= 2 and items[0].kind in ("call", "apply", "name") \
            and not (items[0].kind == "name" and items[0].args == (None, None)):
        stated_values.append((to_text(items[0]), items[-1], section, line, latex))
        del stated_values[:-40]


def solution_premises(tree: Node, role: Any, previous: Any, section: Any, relations: list, stated_values: list,
                       model: DocumentModel) -> tuple[list, bool, str] | None:
    """The relations a solution (or an inequality step, or a condition that may be derived)
    solves: the line before when it shares the unknown (directly or through the values earlier
    equations of the part give), then the part's other inequalities in that unknown, nearest
    first; with whether the line before is joined to it by ⇒ or a step word (it may refute)."""
    if tree.kind != "chain" or role.role not in (R.SOLUTION, R.STEP, R.HYPOTHESIS) \
            or role.role == R.HYPOTHESIS and role.local:
        return None
    items, ops = tree.args
    if not (all(o in _INEQ or o == "=" for o in ops) and any(o in _INEQ for o in ops)
            or tuple(ops) == ("in",) and items[1].kind == "tuple"):
        return None
    if role.role == R.HYPOTHESIS and not role.why.startswith(DERIVABLE):
        return None
    unknown = open_unknown(tree, model, section)
    if unknown is None:
        return None
    values = {t: (v, (ln, lx)) for t, v, sec, ln, lx in stated_values if parts(sec) == parts(section)}
    out: list = []
    for rt, latex, line, sec in reversed(relations):
        if parts(sec) != parts(section) or len(out) >= 16:
            continue
        rests: tuple = ()
        # also a condition in the unknown and an extreme eigenvalue a part gives as numbers (0 < η < 2/λ_max,
        # H = diag(4, 1)): see stated_extremes
        extremes = {t for t in (R.free_names(rt) - {unknown}) & set(values) if t.endswith(("_{\\min}", "_{\\max}"))}
        if values and (unknown not in R.free_names(rt) or extremes):
            texts = {to_text(x) for x in rt.walk()}
            rests = tuple(src for t, (_v, src) in values.items() if t in texts)  # the equations it rests on
            try:
                rt = SOL.substitute(rt, {t: v for t, (v, _src) in values.items()})
            except RecursionError:
                continue
        if unknown in R.free_names(rt):
            out.append(SOL.Premise(rt, latex, line, rests=rests))
    if not out:
        return None
    chain = False
    if previous is not None and previous[0].tree is not None and parts(previous[2]) == parts(section) \
            and to_text(previous[0].tree) in {to_text(r[0]) for r in relations[-1:]} and out[0].line == previous[3]:
        first = out[0]
        out[0] = SOL.Premise(first.tree, first.latex, first.line, chain=True, rests=first.rests)
        chain = role.why.startswith(("follows from the line before", "a consequence"))
    return out, chain, unknown


def function_restated(tree: Node, model: DocumentModel, section: Any) -> str | None:
    """The function ``f`` when ``tree`` is ``f(x) = ...`` at bare arguments (names the document does not
    define: parameters, not values), with a right side other than
    that of the definition of ``f`` in scope (``A(\\eta) = e^\\eta`` after ``A(\\eta) = \\log(1 + e^\\eta)``)."""
    if tree.kind != "chain" or tuple(tree.args[1]) != ("=",):
        return None
    lhs, rhs = tree.args[0]
    if lhs.kind != "apply" or lhs.args[0].kind != "name" or lhs.args[0].args != (None, None) \
            or not all(a.kind == "name" and a.args == (None, None) for a in lhs.args[1:]):
        return None
    if any(model.is_defined(R.family(a) or "", section) for a in lhs.args[1:]):
        return None  # \tilde J(\tilde w) with \tilde w defined: the function at a value, a claim about it
    head = lhs.args[0].value
    for b in model.bindings:
        if b.kind == "define" and b.lhs.kind == "apply" and b.lhs.args[0].kind == "name" \
                and b.lhs.args[0].value == head and visible(b.section, section):
            return head if to_text(b.rhs) != to_text(rhs) else None
    return None
