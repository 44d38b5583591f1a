"""Names defined by what they minimise: an objective recorded for a name, and a closed form
claimed for it judged against that objective.

Documents define a quantity as the minimiser of an objective ("$W$ that minimizes
$\\|V - KW\\|_F^2 + \\lambda\\|W\\|_F^2$", "$w^\\star = \\arg\\min_w L(w)$", "minimise $f(x) = ...$",
"the minimiser $x^*$ of $f$") and then state a closed form for it (``W = (K^\\top K + \\lambda
I)^{-1} K^\\top V``).  Such a claim is no identity in its free names: it is true when the
claimed point is where the objective is smallest.  This module

* reads objectives from the document (:func:`objectives_in_prose`, :func:`objective_of_statement`)
  and matches a claim's left side to the one in force (:func:`match`);
* judges the claim numerically (:func:`judge_minimiser`): on a few sampled instances the
  claimed point is evaluated, the objective's directional derivatives there (central
  differences at 30 digits, exact up to rounding for quadratics) must vanish along random
  directions, and the objective must not decrease along them (positive curvature).

"Verified" needs every instance to pass.  "Refuted" needs an objective stated with the word
minimise (or an argmin), the claimed point clearly off the stationary point (by more than
10^-3 of its size along a direction) on every instance, and the same under every other
objective the part gives that name; otherwise the verdict is undecided.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..numeric import EvaluationError, evaluate, is_matrix
from ..verdict import PROVED, REFUTED, UNDECIDED, VERIFIED
from .binding import bind_chain
from .latex_parser import Node, ParseError, parse, to_text
from .sampling import HypothesisProblem, generic_problem, scalar_intervals
from .scope import BindError, Scope

__all__ = ["Objective", "objectives_in_prose", "objective_of_statement", "match", "judge_minimiser",
           "starred_base", "stationarity_of", "judge_stationary", "stated_penalty_weights", "named_objective"]

# "that minimizes $...$", "minimise $$f(x) = ...$$", "Loss $...$"; the math must follow the word closely
_WORD = r"(?:minimi[sz](?:e|es|ed|ing)\b|argmin\b|\bloss\b|\bobjective\b)"
_PROSE_OBJECTIVE = re.compile(_WORD + r"[^$.;]{0,40}?\$\$?([^$]{1,400})\$\$?", re.IGNORECASE)
_STRONG = re.compile(r"minimi[sz]|argmin", re.IGNORECASE)
_ENDS_WITH_WORD = re.compile(r"(minimi[sz](?:e|es|ed|ing))\b[^$.;]{0,40}$", re.IGNORECASE)
_LOSS_BEFORE = re.compile(r"(minimi[sz]|\bloss\b|\bobjective\b|\brisk\b)[^$.;]{0,40}$", re.IGNORECASE)
_STAR = re.compile(r"^(.*?)\^(?:\*|\{\*\}|\\star|\{\\star\})$")
_HAT = re.compile(r"^\\(?:hat|widehat)\{(.+)\}$")

INSTANCES = 3
DPS = 30
_STEP = mpmath.mpf(10) ** -10  # central differences: exact for quadratics up to 10^-30 / 10^-10 rounding
_CURVE = mpmath.mpf(10) ** -3
_STATIONARY = mpmath.mpf(10) ** -8  # relative distance to the line minimum accepted as stationary
_OFF = mpmath.mpf(10) ** -3  # ... and the distance that is clearly off


@dataclass(frozen=True)
class Objective:
    """An expression a document minimises, where it was stated, and how firmly."""

    tree: Node
    var: str | None  # the variable, when the document names it (f(x), \\arg\\min_w); else read off a claim
    latex: str
    line: int
    section: Any
    strong: bool  # stated with "minimise" or argmin: a claimed point off its minimum may be refuted
    name: str | None = None  # the name an argmin defines (w^\\star = \\arg\\min_w L(w))
    order: int = 0  # the number of statements read before it (objectives and closed forms in document order)
    loss: bool = True  # called a loss or objective, or minimised (a hatted name may be its minimiser)


def starred_base(text: str) -> str | None:
    """``w^\\star``, ``x^*``, ``\\hat{\\beta}``: the variable an optimum's name is written from."""
    m = _STAR.match(text) or _HAT.match(text)
    return m.group(1) if m else None


def _hatted(text: str) -> bool:
    return _HAT.match(text) is not None


def _free_texts(tree: Node) -> set[str]:
    return {to_text(x) for x in tree.walk() if x.kind == "name" and x.args == (None, None)} | {
        x.value for x in tree.walk() if x.kind == "name"}


def objectives_in_prose(prose: str, line: int, section: Any, order: int = 0) -> list[Objective]:
    """Relation-free math the prose introduces as what is minimised ("that minimizes $...$",
    "Loss $...$"), in order."""
    out = []
    for m in _PROSE_OBJECTIVE.finditer(prose):
        text = m.group(1).strip()
        try:
            tree = parse(text)
        except (ParseError, RecursionError):
            continue
        if tree.kind in ("chain", "rel"):
            continue
        word = m.group(0)[:m.group(0).find("$")]
        out.append(Objective(tree, None, text, line, section, bool(_STRONG.search(word)), order=order))
    return out


def objective_of_statement(tree: Node, latex: str, prose: str, line: int, section: Any,
                           is_function_definition: bool, order: int = 0) -> Objective | None:
    """``w^\\star = \\arg\\min_w L(w)`` (the objective of the name it defines), and a function
    defined right after "minimise" (``f(x) = \\frac12 x^\\top A x - b^\\top x``, variable x); a
    function defined without that word is recorded too, weakly (its starred argument may be
    verified as its stationary point, never refuted)."""
    if tree.kind != "chain" or len(tree.args[0]) < 2 or tree.args[1][0] != "=":
        return None
    lhs, rhs = tree.args[0][0], tree.args[0][1]
    if rhs.kind == "extremum" and rhs.value == r"\argmin" and lhs.kind == "name":
        var = rhs.args[1]
        if var.kind != "name" or var.args != (None, None):
            return None
        return Objective(rhs.args[0], to_text(var), latex, line, section, True, to_text(lhs), order)
    if is_function_definition and lhs.kind == "apply" and len(lhs.args) == 2 and lhs.args[1].kind == "name" \
            and lhs.args[1].args == (None, None) and len(tree.args[0]) == 2:
        return Objective(rhs, to_text(lhs.args[1]), latex, line, section,
                         bool(_ENDS_WITH_WORD.search(prose)), order=order, loss=bool(_LOSS_BEFORE.search(prose)))
    return None


def match(lhs: Node, objectives: list[Objective], defined: Any) -> tuple[str, str, list[Objective]] | None:
    """The claim's left side (``W``, ``W^\\top``, ``w^\\star``) read as the point an objective in
    force minimises: (the name as written, the objective's variable, the objectives for it, most
    recent first); None where no objective speaks of it.  ``defined(name)`` says whether the
    document gives a plain name a meaning of its own (then it is no unknown of an objective)."""
    node = lhs.args[0] if lhs.kind == "transpose" else lhs
    if node.kind != "name" or node.args != (None, None):
        return None
    text = to_text(node)
    base = starred_base(text)
    found: list[tuple[str, Objective]] = []
    for obj in reversed(objectives):
        if obj.name is not None:
            if obj.name == text and obj.var is not None:
                found.append((obj.var, obj))
            continue
        if obj.var is not None:
            # a function's own argument is its unknown only where the document says it minimises it
            # a hat marks estimates and predictions as well: the minimiser only of what is called a loss
            if (base == obj.var and (obj.loss or not _hatted(text))) \
                    or (text == obj.var and obj.strong and not defined(text)):
                found.append((obj.var, obj))
        elif text in _free_texts(obj.tree) and not defined(text) and base is None:
            found.append((text, obj))
    if not found:
        return None
    var = found[0][0]
    return text, var, [o for v, o in found if v == var]


# --- the numeric judgement (in the worker) -------------------------------------------------------

def _penalty_weights(tree: Node) -> list[Node]:
    """``\\lambda\\|W\\|_F^2``: a scalar name multiplying a squared norm is a regularisation weight;
    the objective is bounded below (has a minimiser) only for a nonnegative one."""
    out = []
    for n in tree.walk():
        if n.kind != "mul":
            continue
        names = [a for a in n.args if isinstance(a, Node) and a.kind == "name" and a.args == (None, None)]
        squares = [a for a in n.args if isinstance(a, Node) and a.kind == "pow" and a.args[0].kind == "norm"
                   and to_text(a.args[1]) == "2"]
        if len(names) == 1 and squares and len(n.args) == 2:
            out.append(names[0])
    return out


_KINKED = ("max", "min", "relu", "abs", "sign", "sgn", "hinge", "clip", "round", "floor", "ceil")


def _kinks(tree: Node) -> str | None:
    """What makes the objective non-differentiable somewhere (an unsquared norm, |x|, a max, relu):
    a minimiser may sit at a kink, where central differences see no zero slope."""
    def walk(n: Node, squared: bool) -> str | None:
        if n.kind == "norm" and not squared:
            return "a norm that is not squared"
        if n.kind in ("abs", "extremum", "indicator"):
            return "an absolute value, extremum or indicator"
        if n.kind == "func" and any(w in str(n.value).lower() for w in _KINKED):
            return f"the function {n.value}"
        for i, a in enumerate(n.args):
            if isinstance(a, Node):
                inner = n.kind == "pow" and i == 0 and isinstance(n.args[1], Node) and to_text(n.args[1]) == "2"
                found = walk(a, inner)
                if found:
                    return found
        return None
    return walk(tree, False)


def _inequalities(hyps: list[Node]) -> list[tuple[list[Node], list[tuple[int, str, int]]]]:
    out = []
    for h in hyps:
        if h.kind == "chain" and all(op in ("<", "<=", ">", ">=") for op in h.args[1]):
            items = list(h.args[0])
            out.append((items, [(i, op, i + 1) for i, op in enumerate(h.args[1])]))
    return out


def _bind(claim_lhs: Node, rhs: Node, obj: Node, var: Node, weights: list[Node], hyps: list, scope: Scope):
    nodes = [claim_lhs, rhs, obj, var] + weights
    pairs = [(0, 1), (2, 2), (3, 3)] + [(4 + i, 4 + i) for i in range(len(weights))]
    links = []
    for items, hl in hyps:
        off = len(nodes)
        nodes.extend(items)
        links.extend((a + off, op, b + off) for a, op, b in hl)
    pairs += [(a, b) for a, _op, b in links]
    scalars = {i for a, _op, b in links for i in (a, b)} | {2} | {4 + i for i in range(len(weights))}
    bound = bind_chain(nodes, [], scope, pairs=pairs, scalar_items=scalars)
    return bound, [(bound.items[a], op, bound.items[b]) for a, op, b in links]


def _norm(m: Any) -> Any:
    if is_matrix(m):
        return mpmath.sqrt(sum(abs(m[i, j]) ** 2 for i in range(m.rows) for j in range(m.cols)))
    return abs(m)


def _direction(rng: random.Random, like: Any) -> Any:
    if is_matrix(like):
        return mpmath.matrix([[mpmath.mpf(rng.gauss(0, 1)) for _j in range(like.cols)] for _i in range(like.rows)])
    return mpmath.mpf(rng.gauss(0, 1))


def _value(e: Any) -> Any:
    if is_matrix(e):
        if e.rows == 1 and e.cols == 1:
            return e[0, 0]
        raise EvaluationError("the objective is not a number")
    return e


def _offsets(f: Any, sym: Any, point: Any, inst: Any, rng: random.Random) -> list[tuple[Any, Any]]:
    """(relative distance from the point to the minimum along a random direction, curvature)
    for two directions scaled to the point's size."""
    size = _norm(point)
    scale = size if size > mpmath.mpf(10) ** -12 else mpmath.mpf(1)

    def at(x: Any) -> Any:
        return _value(evaluate(f, {**inst.values, sym: x}, inst.sequences, dps=DPS))

    out = []
    f0 = at(point)
    for _ in range(2):
        d = _direction(rng, point)
        d = d * (scale / _norm(d))
        g = (at(point + d * _STEP) - at(point - d * _STEP)) / (2 * _STEP)
        c = (at(point + d * _CURVE) + at(point - d * _CURVE) - 2 * f0) / _CURVE ** 2
        if c > 0:
            out.append((abs(g / c), c))  # the line minimum lies g/c (in units of the point's size) away
        else:
            out.append((mpmath.inf if abs(g) > _STATIONARY * (abs(f0) + 1) else mpmath.mpf(0), c))
    return out


def _one(st: Any, scope: Scope, obj: Objective, var_text: str, seed: int) -> tuple[str, str]:
    """('stationary' | 'off' | 'unknown', detail) for the claim under one objective."""
    lhs, rhs = st.tree.args[0][0], st.tree.args[0][-1]
    written = lhs.args[0] if lhs.kind == "transpose" else lhs
    obj_tree = obj.tree
    kink = _kinks(obj_tree)
    if kink is not None:
        return "unknown", f"the objective is not smooth ({kink}): its minimiser may sit where it has no slope"
    weights = [w for w in _penalty_weights(obj_tree) if to_text(w) != var_text]
    try:
        # the claim's x^\star (or the name an argmin defines) stands for the objective's variable
        var_node = Node("name", var_text, (None, None), written.col) if written.value == var_text \
            else parse(var_text)
        claim_lhs = var_node if lhs.kind != "transpose" else Node("transpose", None, (var_node,), lhs.col)
        try:
            bound, relations = _bind(claim_lhs, rhs, obj_tree, var_node, weights, _inequalities(st.hypotheses), scope)
        except BindError:
            bound, relations = _bind(claim_lhs, rhs, obj_tree, var_node, weights, [], scope)
    except (BindError, ParseError, RecursionError) as exc:
        return "unknown", f"the objective cannot be read with the claim ({str(exc)[:120]})"
    f, sym = bound.items[2], bound.items[3]
    if isinstance(f, MatrixExpr) and f.shape != (1, 1):
        return "unknown", "the objective is not a number"
    if not isinstance(sym, (sp.Symbol, sp.MatrixSymbol)):
        return "unknown", f"{var_text} is not a free variable of the objective"
    intervals = scalar_intervals(relations)
    for i in range(len(weights)):
        w = bound.items[4 + i]
        if isinstance(w, sp.Symbol) and w not in intervals:
            intervals[w] = (mpmath.mpf(0), True, None, True)
    problem = generic_problem(bound, intervals, structure=st.structure if scope.problem is None else [])
    if relations:
        problem = HypothesisProblem.wrap(problem, relations, [])
    rng = random.Random(seed)
    transposed = lhs.kind == "transpose"
    worst = mpmath.mpf(0)
    least = mpmath.inf
    done, errors = 0, []
    for _ in range(3 * INSTANCES):  # instances where the closed form is undefined (a singular matrix) are skipped
        if done == INSTANCES:
            break
        try:
            inst = problem.sample(rng, DPS)
            with mpmath.workdps(DPS):
                point = evaluate(bound.items[1], inst.values, inst.sequences, dps=DPS)
                if transposed and is_matrix(point):
                    point = point.T
                offs = _offsets(f, sym, point, inst, rng)
        except (EvaluationError, ArithmeticError, ValueError, TypeError, AttributeError, IndexError,
                KeyError) as exc:  # an instance the closed form or the objective is not defined on
            errors.append(str(exc)[:120])
            continue
        done += 1
        off = max(o for o, _c in offs)
        if any(c <= 0 for _o, c in offs) and off <= _STATIONARY:
            return "unknown", "the objective does not curve upwards there (no minimum along a direction probed)"
        worst = max(worst, off)
        least = min(least, off)
    if done < INSTANCES:
        return "unknown", f"too few instances could be evaluated ({'; '.join(errors[:1])})"
    if worst <= _STATIONARY:
        return "stationary", f"{float(worst):.1e}"
    if least > _OFF:
        return "off", f"{mpmath.nstr(least, 3)}"
    return "unknown", "stationary on some instances only"


def judge_minimiser(st: Any, scope: Scope, seed: int) -> dict[str, Any] | None:
    """The verdict on ``name = closed form`` against the objectives recorded for the name
    (``st.objectives``: (objective, variable), most recent first); None where the claim is no
    single equation."""
    tree = st.tree
    if tree is None or tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    objectives: list[tuple[Objective, str]] = st.objectives
    first, var = objectives[0]
    status, detail = _one(st, scope, first, var, seed)
    where = f"the objective on line {first.line} (${' '.join(first.latex.split())[:120]}$)"
    if status == "stationary":
        what = "the minimiser of" if first.strong else "a stationary point (no lower along the directions probed) of"
        text = (f"verified as {what} {where} on {INSTANCES} random instances at {DPS} digits: its directional "
                f"derivatives there vanish along random directions (largest relative offset {detail}) and "
                "the objective curves upwards along them")
        return {"status": VERIFIED, "scope": text, "reason": None, "counterexample": None, "links": []}
    blocked = list(st.unapplied) + list(st.unread_defs)
    if status == "off" and first.strong and blocked:
        why = (f"it is not the minimiser of {where} on the instances drawn, but what the document states in "
               f"scope ({'; '.join(blocked)[:200]}) was not applied when sampling, so it is not refuted")
        return {"status": UNDECIDED, "scope": f"undecided: {why}", "reason": why, "counterexample": None, "links": []}
    if status == "off" and first.strong:
        others = [(o, v) for o, v in objectives[1:]]
        agree = [_one(st, scope, o, v, seed)[0] for o, v in others]
        if all(a == "off" for a in agree):
            why = (f"it is not the minimiser of {where}: on each of {INSTANCES} random instances the objective "
                   f"still decreases from the claimed point (it lies at least {detail} of its size from the "
                   "minimum along a random direction)")
            if others:
                why += f", nor of the other objectives the part states for it (lines {', '.join(str(o.line) for o, _v in others)})"
            return {"status": REFUTED, "scope": f"refuted: {why}", "reason": why, "counterexample": None, "links": []}
        why = (f"it is not the minimiser of {where}, but it is stationary for another objective stated for it "
               f"in this part: the readings disagree")
        return {"status": UNDECIDED, "scope": f"undecided: {why}", "reason": why, "counterexample": None, "links": []}
    if status == "off":
        why = (f"it is not a stationary point of {where}, but the document does not say it minimises that "
               "function, so it is not refuted")
    else:
        why = f"judged against {where}: {detail}"
    return {"status": UNDECIDED, "scope": f"undecided: {why}", "reason": why, "counterexample": None, "links": []}


# --- a stationarity condition: the derivative of the expression before it, set to zero -----------

# "Take derivative w.r.t $w$:", "differentiating with respect to $b$ and setting it to zero:"
_WRT = re.compile(r"(?:derivative|differentiat\w*)\b[^$.;]{0,40}?(?:w\.?\s?r\.?\s?t\.?|with\s+respect\s+to)\s*"
                  r"\$([^$]{1,80})\$[^$.;]{0,40}$", re.IGNORECASE)
_FRESH = "\\upsilon"  # the variable differentiated in, renamed (an entry such as w_{jj} would bind to its matrix)


def stationarity_variable(prose: str) -> Node | None:
    """The name the prose right before a display differentiates in ("derivative w.r.t $w_{jj}$:")."""
    m = _WRT.search(prose[-200:])
    if m is None:
        return None
    try:
        var = parse(m.group(1).strip())
    except (ParseError, RecursionError):
        return None
    return var if var.kind == "name" else None


def stationarity_of(prose: str, tree: Node, before: Node | None) -> tuple[Node, Node] | None:
    """(expression, variable) where ``tree`` is ``E = 0`` right after prose that differentiates the
    expression the display before it ends with (``loss = ... = \\sigma^2(1 - w)^2 + \\lambda w^2``)
    in a variable both contain: the equation claims E is that derivative set to zero."""
    if before is None or tree.kind != "chain" or tree.args[1] != ("=",):
        return None
    if not any(x.kind == "num" and x.value == "0" for x in tree.args[0]):
        return None
    var = stationarity_variable(prose)
    if var is None:
        return None
    if before.kind == "chain":
        if any(op != "=" for op in before.args[1]):
            return None
        before = before.args[0][-1]
    text = to_text(var)
    if not any(to_text(x) == text for x in before.walk()) or not any(to_text(x) == text for x in tree.walk()):
        return None
    if any(x.kind == "name" and x.value == _FRESH for t in (tree, before) for x in t.walk()):
        return None
    return before, var


# what the display a derivative differentiates is called ("loss =", "the penalised error is")
_OBJECTIVE_NOUNS = re.compile(r"\b(?:loss|error|objective|cost|risk|energy|penalt\w*|likelihood|minimi[sz]\w*)\b"
                              r"[^$.;]{0,60}$", re.IGNORECASE)


def named_objective(prose: str) -> bool:
    """Whether the prose right before a display calls it a loss (what a later "derivative w.r.t"
    differentiates); a display the prose does not name may not be what the author differentiates."""
    return _OBJECTIVE_NOUNS.search(prose[-200:]) is not None


def _value_names(tree: Node) -> set[str]:
    """The names a tree uses as values (``\\sigma_j`` gives ``\\sigma_•``, not its index ``j``)."""
    from .roles import family

    out: set[str] = set()

    def walk(n: Node) -> None:
        if n.kind == "name":
            out.add(family(n) or to_text(n))
            return
        for a in n.args:
            if isinstance(a, Node):
                walk(a)
            elif isinstance(a, tuple):
                for b in a:
                    if isinstance(b, Node):
                        walk(b)
    walk(tree)
    return out


def _stationary_result(status: str, why: str) -> dict[str, Any]:
    return {"status": status, "scope": f"{status}: {why}" if status != UNDECIDED else f"undecided: {why}",
            "reason": why if status in (REFUTED, UNDECIDED) else None, "counterexample": None, "links": []}


def judge_stationary(st: Any, scope: Scope) -> dict[str, Any]:
    """``E = 0`` claimed as the derivative of the expression before it set to zero (``st.stationary``:
    (expression, variable, its line)).  Proved where E is a constant multiple of that derivative
    (exact, SymPy); proved too where E vanishes at the single stationary point (a derivative linear
    in the variable); refuted where it does not, on random values, with no equation in scope about
    its other names; otherwise undecided."""
    from .solutions import substitute

    expr, var, line, named = st.stationary
    fresh = Node("name", _FRESH, (None, None), var.col)
    sub = {to_text(var): fresh}
    lhs, rhs = (substitute(x, sub) for x in st.tree.args[0])
    obj = substitute(expr, sub)
    where = f"the derivative in ${to_text(var)}$ of the expression on line {line}"
    try:
        bound = bind_chain([lhs, rhs, obj, fresh], [], scope, pairs=[(0, 1), (2, 2), (3, 3)],
                           scalar_items={0, 1, 2, 3})
        e, f, sym = bound.items[0] - bound.items[1], bound.items[2], bound.items[3]
        if not isinstance(sym, sp.Symbol) or any(isinstance(x, MatrixExpr) for x in (e, f)):
            return _stationary_result(UNDECIDED, f"judged as {where} set to zero: the expressions are not numbers")
        d = sp.diff(f, sym)
        if d == 0 or sym not in e.free_symbols:
            return _stationary_result(UNDECIDED, f"judged as {where} set to zero: that derivative does not "
                                                 "involve the variable")
        ratio = sp.cancel(sp.together(e / d))
        if ratio.is_number and ratio != 0:
            return _stationary_result(PROVED, f"it is {where}, times {ratio}, set to zero (exact, SymPy)")
        slope = sp.cancel(sp.diff(d, sym))
        if sym in slope.free_symbols or slope == 0:
            return _stationary_result(UNDECIDED, f"judged as {where} set to zero: it is no constant multiple of "
                                                 "it, and the derivative is not linear in the variable")
        point = sp.cancel(-d.subs(sym, 0) / slope)
        rest = sp.cancel(sp.together(e.subs(sym, point)))
    except (BindError, ParseError, RecursionError, TypeError, ValueError, AttributeError, ZeroDivisionError) as exc:
        return _stationary_result(UNDECIDED, f"judged as {where} set to zero: {str(exc)[:120]}")
    if rest == 0:
        return _stationary_result(PROVED, f"it holds at the one stationary point ({to_text(var)} = "
                                          f"{sp.sstr(point)[:80]}) of {where} set to zero (exact, SymPy)")
    names = _value_names(lhs) | _value_names(rhs)
    pinned = [t for h, t in zip(st.hypotheses, st.hypothesis_texts)
              if _value_names(h) & names and not (h.kind == "chain" and all(
                  op in ("<", "<=", ">", ">=", "!=") for op in h.args[1]))]
    if not named:
        return _stationary_result(UNDECIDED, f"it does not vanish where {where} does, but the prose does not call "
                                             "that expression a loss or objective: the author may differentiate another")
    if pinned or not _nonzero_somewhere(rest):
        why = (f"it does not vanish where {where} does, but the hypotheses in scope ({'; '.join(pinned)[:160]}) "
               "may fix its values" if pinned else f"judged as {where} set to zero: not decided")
        return _stationary_result(UNDECIDED, why)
    return _stationary_result(REFUTED, f"{where} is zero only at {to_text(var)} = {sp.sstr(point)[:80]}, "
                                       f"where this equation's sides differ by {sp.sstr(rest)[:80]} (exact, SymPy)")


def _nonzero_somewhere(expr: Any) -> bool:
    """Whether a rational expression is nonzero at random positive values of its symbols (three draws)."""
    rng = random.Random(7)
    atoms = sorted(expr.free_symbols, key=str)
    for _ in range(3):
        vals = {a: sp.Rational(rng.randint(11, 97), rng.randint(7, 13)) for a in atoms}
        try:
            v = expr.xreplace(vals)
            if not v.is_number or v == 0 or v.has(sp.zoo, sp.nan):
                return False
        except (TypeError, ValueError, ZeroDivisionError):
            return False
    return True


# "Loss: $$L(W) = \|X - WX\|_F^2 + \lambda\|W\|_F^2$$", "we minimise ...", "the objective ..."
_LOSS_PROSE = re.compile(r"(?:\bloss\b|\bobjective\b|minimi[sz]\w*|\bcost\b)[^$.;]{0,40}$", re.IGNORECASE)


def stated_penalty_weights(prose: str, tree: Node) -> list[Node]:
    """The regularisation weights of a loss the prose introduces (``\\lambda`` in ``\\lambda\\|W\\|_F^2``):
    a weight on a squared norm is nonnegative, or the loss has no minimiser."""
    if not _LOSS_PROSE.search(prose[-160:]):
        return []
    if tree.kind == "chain":
        if any(op != "=" for op in tree.args[1]):
            return []
        tree = tree.args[0][-1]
    return _penalty_weights(tree)
