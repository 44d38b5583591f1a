"""Stage 4, *roles*: what each statement of a document is doing.

A relation in a document is not always a claim.  ``Let $s = p^\\top p$`` introduces a
name, ``for $k \\ge 1$`` states a condition, ``$A = \\alpha = 0.8$`` after "Given" sets data,
``$\\lambda > 0.001$`` after "so" is a step, ``\\approx`` is an approximation and
``O(n d^2)`` a complexity.  Judging a definition or a hypothesis as if it were an identity
is how a checker ends up calling correct work wrong, so every statement gets a role here,
with the reason, before anything is evaluated.

Roles (docs/claims-schema.md): ``definition``, ``hypothesis`` (never judged: ``defined`` /
``assumed``), ``claim``, ``step``, ``solution``, ``answer`` (judged), ``approximation`` and
``asymptotic`` (judged only where the document states the regime; otherwise undecided).

The decision uses only the statement's tree, the prose before it, what separated it from
the previous statement of its span, and what the *model* stage already knows (which names
the document defined, which ones a registered problem determines).  It is a table of
small rules, tried in order; the first that fires gives the role and its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .latex_parser import Node, to_text
from .nodes import FUNCTION_ALIASES, SCALAR_FUNCS
from .latex_parser import FIXED
from .probability import declaration, distribution
from .reader import ends_with_word

DEFINITION, HYPOTHESIS, CLAIM, STEP = "definition", "hypothesis", "claim", "step"
SOLUTION, ANSWER, APPROXIMATION, ASYMPTOTIC = "solution", "answer", "approximation", "asymptotic"
JUDGED = (CLAIM, STEP, SOLUTION, ANSWER)
KEPT = "kept"  # Role.reason: a reason judged (guarded) and still assumed for what follows

_APPROX_OPS = {"~": "\\approx", "sim": "\\sim", "->": "\\to", "<<": "\\ll", ">>": "\\gg"}
_INEQ_OPS = {"<", "<=", ">", ">=", "!="}
_ASYMPTOTIC_HEADS = {"O", "\\mathcal{O}", "\\Theta", "\\Omega", "o", "\\mathcal{o}", "\\omega"}
_DEF_WORDS = ("let", "say", "define", "defining", "denote", "set", "where", "given", "with", "write", "call", "put",
              "compute", "computing", "calculate", "precompute", "form", "build", "take",
              "substitute", "introduce", "consider", "model", "input", "defined as", "defined by", "is defined as",
              "started from", "starting from", "started at", "starting at", "initialised with", "initialized with",
              "initialised at", "initialized at", "initial value", "initial condition", "initially")
_HYP_WORDS = ("for", "for all", "for every", "for each", "if", "assume", "assuming", "suppose", "provided",
              "provided that", "when", "whenever", "such that", "since", "because", "as long as", "given that", "unless",
              "except", "and assume", "with the assumption", "under")
_REBIND_WORDS = ("let", "define", "model", "linear model", "instead", "now let", "redefine")
# functions with a fixed meaning: the binder's scalar functions (nodes.SCALAR_FUNCS) and the ones
# it reads itself (inference._call, indexing._call_more) or that name an operation, not a function
_STANDARD_FUNCTIONS = set(SCALAR_FUNCS) | set(FUNCTION_ALIASES) | {
    "softmax", "det", "tr", "trace", "Tr", "diag", "max", "min", "abs", "dim", "mod", "KL", "kl", "binom",
    "factorial", "rank", "vec", "sgn", "erf", "Pr", "E", "Var", "Cov", "lim", "sup", "inf", "argmax", "argmin",
    "log2", "exp2", "arcsin", "arccos", "sec", "csc", "cot", "coth", "sech", "gcd", "lcm", "deg", "ker", "Re", "Im"}
# "the coefficient for value $v_i$ is", "Prediction for query $q_t$ is": a noun phrase naming what follows
_NAMED_BY_PROSE = re.compile(r"(?:\b[a-z]{4,}|\$[^$]{1,40}\$)\s+(?:is|are)\s*$", re.IGNORECASE)
# "the solution is $W = ...$": the unknown of a problem, not a name given a meaning
_RESULT_NOUNS = re.compile(r"solution|minimi[sz]er|maximi[sz]er|optim|answer|result|estimate|closed form",
                           re.IGNORECASE)
_GOAL_WORDS = ("we want", "want", "we need", "we require", "we wish", "we would like", "we seek", "we demand")
_REASON_WORDS = ("since", "because", "as")  # a reason: what follows is asserted, not assumed
_FACT_WORDS = ("since", "because")  # a reason whatever its form ("as" also opens "as long as", "such as")
# words that make a later formula of a sentence a condition ("... holds unless $P = I$")
_LATE_CASE_WORDS = ("unless", "only if", "if and only if", "iff", "whenever", "provided", "provided that")
_CASE_WORDS = ("for", "for all", "for every", "for each", "if", "when", "whenever", "unless", "except")
_STEP_WORDS = ("so", "hence", "thus", "therefore", "then", "we get", "which gives", "gives", "giving", "yields",
               "it follows that", "consequently", "i.e.", "that is", "this means", "implies", "we obtain",
               "obtain", "simplifies to", "becomes", "we have", "so that", "leading to", "which is", "rearranging",
               "rearranged", "solving", "equivalently", "⇒", "∴", "get")
_RESULT_WORDS = ("is", "are", "equals", "becomes", "gives", "yields", "comes out as", "we get", "we obtain",
                 "evaluates to", "turns out to be", "was", "will be")
_ANSWER_WORDS = ("answer", "final", "result", "in summary", "summary", "the kernel is")


@dataclass(frozen=True)
class Role:
    role: str
    why: str
    defines: str | None = None  # the name a definition (or a chain's first link) introduces
    local: bool = False  # a case condition ("for j > m: ...") that holds for its own line only (also of a solution)
    # a fact given as a reason ("since z > 0", read as a condition before): judged, refuted only where its
    # names have the document's meaning; KEPT: also still assumed for what follows
    reason: str = ""


@dataclass
class Context:
    """What the roles stage may ask about the document so far."""

    prose: str  # prose right before the span (same paragraph)
    lead: str  # what separated the statement from the previous one in its span
    binding_prose: bool  # the reader saw "Let/define/where/set/..." right before the span
    mark: str | None  # the author's own role mark (% derive: ROLE)
    first_in_span: bool
    is_defined: Callable[[str], bool]  # a document definition in scope
    problem_input: Callable[[Node], bool]  # a registered problem's input (A, B, C, D of ssm-kernel)
    problem_computed: Callable[[Node], bool]  # a quantity the problem computes (K_\ell, x_k)
    seen: Callable[[str], bool]  # the name family was used by an earlier statement
    previous_judged: bool = False  # the statement before it in the document was judged (for steps)
    part_answers: bool = False  # the document names a problem part whose answers are sets of values
    members_only: Callable[[str], bool] = lambda fam: False  # only numbered members given so far (m_0 = 0)
    has_member: Callable[[str], bool] = lambda fam: False  # a numbered member is given (x_0 = 1)
    # an entry (\Sigma_{ii}) of a matrix the document's stated structure determines whole (the Σ of
    # an SVD it states): an equation for it is a claim about that matrix, never its definition
    determined_entry: Callable[[Node], bool] = lambda n: False
    # a family the document defines by a recurrence a little further on, in the same part
    # ("$$m_0 = 0, \\quad m_t = \\beta m_{t-1} + \\dots$$"): its member at 0 or 1 is the start
    rule_ahead: Callable[[str], bool] = lambda fam: False
    member_defined: Callable[[Node], bool] = lambda n: False  # this very member (x_{0}) is given in scope
    # the name family was used by an earlier statement of this part or of a part enclosing it (None:
    # read as ``seen``); a name only an earlier sibling part used is this part's to define
    seen_here: Callable[[str], bool] | None = None
    # another part defined the family, and that binding does not reach this statement's part
    defined_elsewhere: Callable[[str], bool] = lambda fam: False
    # the part used the family before only in judged statements, as coefficients inside sums over their
    # index (o = \sum_i v_i \alpha_i): left open, nothing determines it yet
    left_open: Callable[[str], bool] = lambda fam: False

    def used_here(self, fam: str) -> bool:
        return self.seen(fam) if self.seen_here is None else self.seen_here(fam)


def _tail_words(prose: str) -> str:
    """The end of the prose, lower case, markdown and punctuation trimmed."""
    t = prose[-120:].lower()
    for ch in "*_`#>|":
        t = t.replace(ch, " ")
    return " ".join(t.split()).rstrip(" :,;(")


def _last_clause(text: str) -> str:
    """The prose after the last sentence end: "The kernel. So, we get" -> "so, we get"."""
    cut = max(text.rfind(". "), text.rfind("? "), text.rfind("! "))
    return text[cut + 2:] if cut >= 0 else text


def _step_word(prose_tail: str, lead: str) -> str | None:
    if lead == "therefore":
        return "⇒ / ∴"
    if lead.startswith("text:"):
        w = ends_with_word(" ".join(lead[5:].replace(",", " ").split()), _STEP_WORDS)
        if w:
            return w
        first = lead[5:].strip().split(" ")[0].rstrip(",")
        if first in _STEP_WORDS:
            return first
    clause = _last_clause(prose_tail)
    words = clause.replace(",", " ").split()
    for w in _STEP_WORDS:
        if " " in w:
            if w in clause:
                return w
        elif w in words[:4] or (words and words[-1] == w):
            return w
    return None


INDEXED = "_•"  # marks a family of indexed names: S_t, S_{t-1}, S_0 are all S_•


def family(n: Node) -> str | None:
    """The name a definition introduces, without its running index: ``S_t``, ``S_{t-1}`` and
    ``S_0`` are all ``S_•`` (and differ from a bare ``S``); ``W_{ix}`` keeps its subscript (it
    is part of the name)."""
    if n.kind == "transpose":
        return family(n.args[0])
    if n.kind == "pow" and n.args[0].kind == "name" and n.args[1].kind == "num":
        return family(n.args[0])  # s^2 defined: s is what it determines
    if n.kind == "prime" and n.args[0].kind == "name":  # m' is a name of its own
        return family(Node("name", n.args[0].value + "'", n.args[0].args, n.args[0].col))
    if n.kind == "call" and _called_function(n) is not None and _called_function(n).lstrip("\\") not in _STANDARD_FUNCTIONS:
        return _called_function(n) + "(·)"  # \operatorname{lse}(z): the document's own function
    if n.kind == "apply" and n.args and isinstance(n.args[0], Node) and n.args[0].kind == "name":
        return to_text(n.args[0]) + "(·)"
    if n.kind != "name":
        return None
    sub, time = n.args
    indexed = (time is not None and _index_like(time)) or (sub is not None and _index_like(sub))
    if sub is not None and _index_like(sub):
        sub = None
    if time is not None and _index_like(time):
        time = None  # W^{(t)}: a running index; W^{(\alpha)}: a label, part of the name
    return to_text(Node("name", n.value, (sub, time), n.col)) + (INDEXED if indexed else "")


_INDEX_LETTERS = set("ijklmnpqrst")


def _index_like(n: Node) -> bool:
    if n.kind == "mul" and n.value == "juxt" and all(
            x.kind == "name" and x.args == (None, None) and x.value in _INDEX_LETTERS for x in n.args):
        return True  # Sigma_{ij}, A_{jk}: two running indices (W_{ix} keeps x as part of its name)
    kinds = {x.kind for x in n.walk()}
    if not kinds <= {"name", "num", "add", "sub", "neg", "paren", "tuple"}:
        return False
    names = [x for x in n.walk() if x.kind == "name"]
    return all(x.args == (None, None) and (len(x.value) == 1 or x.value in ("\\ell", "\\tau")) for x in names) \
        and (bool(names) or n.kind == "num")


def label_subscript(lhs: Node, rhs: Node, quantities: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether ``lhs = rhs`` defines one labelled name, not a rule for every member: ``c_b = CB``
    (b is no index letter and the right side does not use it) or ``d_q = Cq`` with q a vector of
    the document (``quantities``: names declared with a vector or matrix shape) that the right side
    uses as that vector.  A rule keeps its index: ``x_i = a_i + 1``, ``g_t = g``, ``K_\\ell = C A^{\\ell-1} B``."""
    if lhs.kind != "name" or lhs.args[1] is not None:
        return False
    sub = lhs.args[0]
    if sub is None or sub.kind != "name" or sub.args != (None, None):
        return False
    letter = sub.value
    in_rhs = [x for x in rhs.walk() if x.kind == "name" and x.value == letter]
    if letter not in _INDEX_LETTERS and letter not in ("\\ell", "\\tau"):
        return not in_rhs
    if letter not in quantities or not in_rhs:
        return False
    # q used as the vector only: never inside a subscript or an exponent (x_q, a^q keep q an index)
    for x in rhs.walk():
        slots = list(x.args[:2]) if x.kind == "name" else ([x.args[1]] if x.kind == "pow" else [])
        if any(isinstance(s, Node) and any(y.kind == "name" and y.value == letter for y in s.walk()) for s in slots):
            return False
    return True


def recurrence_family(tree: Node) -> str | None:
    """The family ``x_•`` that ``x_t = f(x_{t-1}, …)`` (or ``x_{t+1} = f(x_t)``) defines by a
    recurrence: a member at a running index on the left, the family again on the right."""
    if tree.kind != "chain" or tuple(tree.args[1]) != ("=",):
        return None
    lhs, rhs = tree.args[0]
    if lhs.kind != "name" or not isinstance(lhs.args[0], Node) or lhs.args[0].kind == "num":
        return None
    fam = family(lhs)
    return fam if fam is not None and fam.endswith(INDEXED) and fam in free_names(rhs) else None


def free_names(n: Node) -> set[str]:
    """Name families a tree uses, without variables it binds itself (sum indices, d/dx)."""
    out: set[str] = set()
    bound: set[str] = set()
    stack = [n]
    while stack:
        x = stack.pop()
        if x.kind == "prime" and x.args[0].kind == "name":
            x = Node("name", x.args[0].value + "'", x.args[0].args, x.col)
        if x.kind == "name":
            f = family(x)
            if f is not None:
                out.add(f)
            for idx in x.args:
                if isinstance(idx, Node) and _index_like(idx):
                    stack.append(idx)
            continue
        if x.kind == "element":  # (A^T A)_{jk} uses the entries of A, and the indices j, k
            out |= {f if f.endswith((INDEXED, "(·)")) else f + INDEXED for f in free_names(x.args[0])}
            if _index_like(x.args[1]):
                stack.append(x.args[1])
            continue
        if x.kind in ("sum", "prod", "extremum", "limit") and isinstance(x.args[1], Node):
            bound.add(to_text(x.args[1]))
        if x.kind == "ddx" and isinstance(x.args[0], Node):
            pass  # d/dx f(x): x stays free (the derivative is a function of it)
        if x.kind in ("call", "apply") and x.args and isinstance(x.args[0], Node) and x.args[0].kind in ("func",):
            stack.extend(a for a in x.args[1:] if isinstance(a, Node))
            continue
        stack.extend(x.children())
    return out - bound


def summed_members(tree: Node) -> tuple[set[str], set[str]]:
    """The families a statement uses only as members at the index of a sum around them (the
    ``\\alpha_i`` of ``o = \\sum_i v_i \\alpha_i``: coefficients of an expansion, which one equation does
    not determine), and the families it uses otherwise (whole, or at another index)."""
    member: set[str] = set()
    whole: set[str] = set()
    stack: list[tuple[Node, frozenset[str]]] = [(tree, frozenset())]
    while stack:
        x, bound = stack.pop()
        if x.kind == "name":
            f = family(x)
            sub = x.args[0]
            if f is not None:
                at_bound = isinstance(sub, Node) and sub.kind == "name" and sub.args == (None, None) \
                    and sub.value in bound and x.args[1] is None
                (member if at_bound else whole).add(f)
            continue
        inner = bound
        if x.kind in ("sum", "prod") and isinstance(x.args[1], Node) and x.args[1].kind == "name":
            inner = bound | {x.args[1].value}
        stack.extend((c, inner) for c in x.children())
    return member - whole, whole


def _is_asymptotic(tree: Node) -> bool:
    for x in tree.walk():
        if x.kind == "apply" and x.args and isinstance(x.args[0], Node) and x.args[0].kind == "name" \
                and x.args[0].args == (None, None) and x.args[0].value in _ASYMPTOTIC_HEADS:
            return True
    return False


def _is_declaration(rhs: Node) -> bool:
    return is_space(rhs) or rhs.kind == "maps"


def is_space(n: Node) -> bool:
    """A space a name is declared in: ``\\mathbb{R}``, ``\\mathbb{R}^{n \\times d}``, ``\\{0,1\\}^K`` (binary
    vectors) or the simplex ``\\Delta^{K-1}`` (probability vectors of length K)."""
    if n.kind in ("field", "signed"):
        return True
    if n.kind != "pow":
        return False
    base = n.args[0]
    return base.kind in ("field", "signed") or (base.kind == "set" and bool(base.args) and all(
        isinstance(a, Node) and a.kind == "num" for a in base.args)) or (
        base.kind == "name" and base.value == "\\Delta" and base.args == (None, None))


def _called_function(lhs: Node) -> str | None:
    """``\\operatorname{lse}(\\mathbf z)``, ``\\sigma(z)``: the function's command when the left side
    applies a function command to plain names (a definition's shape), else None."""
    if lhs.kind == "call" and lhs.args and isinstance(lhs.args[0], Node) and lhs.args[0].kind == "func" \
            and len(lhs.args) > 1 and all(isinstance(a, Node) and a.kind == "name" for a in lhs.args[1:]):
        return lhs.args[0].value
    return None


def as_function_definition(lhs: Node) -> Node:
    """``\\operatorname{lse}(z)`` as ``lse(z)`` with a name for the function (how the model keeps it)."""
    fn = lhs.args[0]
    return Node("apply", None, (Node("name", fn.value, (None, None), fn.col), *lhs.args[1:]), lhs.col)


def _defined_head(lhs: Node) -> bool:
    """A left side that can be defined: a name, an indexed name, ``W^\\top`` or ``F(x)``."""
    if lhs.kind == "name":
        return True
    if lhs.kind in ("transpose", "prime") and lhs.args[0].kind == "name":
        return True
    if lhs.kind == "pow" and lhs.args[0].kind == "name" and lhs.args[1].kind == "num":
        return True  # s^2 = \frac{1}{n}\sum (x_i - \mu)^2: a variance named by its square
    return lhs.kind == "apply" and lhs.args[0].kind == "name" and all(
        isinstance(a, Node) and a.kind == "name" for a in lhs.args[1:]) and not _density(lhs)


def _density(lhs: Node) -> bool:
    """``\\mathcal{N}(x; \\mu, s)``: the density of a standard distribution at x, not a name to define."""
    if not (lhs.value or "").startswith(FIXED):
        return False
    fixed = [Node("name", "θ", (None, None), lhs.col) for _p in lhs.value[len(FIXED):].split(",")]
    return distribution(Node("apply", None, (lhs.args[0], *fixed), lhs.col)) is not None


def _constant_member(lhs: Node, rhs: Node) -> bool:
    """``g_k = g``: a member with a plain index on the left and a right side without that index
    or the family (the sequence is the same at every index)."""
    if lhs.kind != "name" or lhs.args[1] is not None or lhs.args[0] is None:
        return False
    idx = lhs.args[0]
    if idx.kind != "name" or idx.args != (None, None):
        return False
    used = free_names(rhs)
    return to_text(idx) not in used and (family(lhs) or "") not in used


def _numeric(n: Node) -> bool:
    return n.kind == "num" or (n.kind == "neg" and n.args[0].kind == "num")


def draws_data(tree: Node) -> bool:
    """``(x_i, y_i)_{i=1}^n \\sim p`` (a data set drawn from a distribution not modelled): a hypothesis
    that gives no value to sample under (judge.py records it without assuming anything)."""
    if tree.kind != "chain" or tree.value or tree.args[1] != ("sim",) or declaration(tree) is not None:
        return False
    lhs = tree.args[0][0]
    return lhs.kind == "collection" or _sampled_members(lhs)


def _sampled_members(lhs: Node) -> bool:
    """``x_1, \\dots, x_n`` or ``(x_i, y_i)``: members of a data set (the left side of \\sim p)."""
    return lhs.kind == "tuple" and (lhs.value == "members" or lhs.value == "()" and all(
        x.kind == "name" and x.args[0] is not None for x in lhs.args))


def assign(tree: Node, ctx: Context) -> Role:
    """The role of one statement, with the reason (the rules of the module docstring)."""
    if ctx.mark is not None:
        return Role(ctx.mark, "set by the author (% derive: " + ctx.mark + ")",
                    defines=_defines(tree) if ctx.mark == DEFINITION else None)
    if tree.kind != "chain":
        return Role(CLAIM, "no relation")
    if tree.value == "range":
        return Role(HYPOTHESIS, "an index range (k = 1, …, K)")
    items, ops = tree.args
    tail = _tail_words(ctx.prose)
    if declaration(tree) is not None:
        return Role(HYPOTHESIS, "declares a random variable's distribution (\\sim)")
    if len(items) == 2 and ops == ("=",) and items[0].kind == "name" and isinstance(items[0].args[0], Node) \
            and items[0].args[0].kind == "bound" and _numeric(items[1]):
        # u_{\le 0} = 0: zero padding of a sequence (its members below the bound are that value)
        sub = items[0].args[0]
        rel = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}.get(sub.value or "", sub.value)
        return Role(HYPOTHESIS, f"the members of {items[0].value} at indices {rel} {to_text(sub.args[0])} "
                                f"are {to_text(items[1])} (padding)")
    if draws_data(tree):
        # (x_i, y_i)_{i=1}^n \sim p, x_1, \dots, x_n \sim p: how the data were drawn (p not modelled)
        return Role(HYPOTHESIS, "states how a data set is drawn (\\sim a distribution that is not modelled)")
    approx = [o for o in ops if o in _APPROX_OPS]
    if approx:
        return Role(APPROXIMATION, f"written with {_APPROX_OPS[approx[0]]}")
    if _is_asymptotic(tree):
        return Role(ASYMPTOTIC, "a complexity statement (O, Θ, Ω)")
    lhs = items[0]
    called = _called_function(lhs)
    if called is not None and ops[0] in ("=", ":=") and len(items) == 2:
        if called.lstrip("\\") in _STANDARD_FUNCTIONS:
            # "Let σ(z) = 1/(1 + e^{-z})": a standard function's formula, checked against its usual meaning
            return Role(CLAIM, f"the formula of the standard function {called}: checked against its usual meaning")
        if not ctx.is_defined(called + "(·)"):
            return Role(DEFINITION, f"defines the function {called}", defines=called + "(·)")
    if ops[0] == "in" and len(items) == 2 and items[1].kind == "maps":
        return Role(HYPOTHESIS, "declares a function's domain and codomain (f : A → B)")
    if ops[0] == "in" and len(items) == 2 and lhs.kind == "tuple" and lhs.value == "members" and is_space(items[1]):
        return Role(HYPOTHESIS, "declares the members of a family (x_1, …, x_n) with a type or shape")
    if ops[0] == "in" and _is_declaration(items[1]):
        return Role(HYPOTHESIS, "declares a name's type or shape")
    if ops[0] in (":=", "<-"):
        if _defined_head(lhs) and not ctx.problem_computed(lhs) and not ctx.is_defined(family(lhs) or ""):
            return Role(DEFINITION, "written with := / \\leftarrow", defines=family(lhs))
    step = _step_word(tail, ctx.lead)
    hyp_word = ends_with_word(tail, _HYP_WORDS) if ctx.first_in_span or ctx.lead in ("comma", "quad") else None
    clause = _last_clause(tail)
    if hyp_word is None and ctx.first_in_span and (clause.startswith(("if ", "suppose ", "assume ", "when "))
                                                   or " if " in clause) and " then" not in clause:
        hyp_word = "if"
    if ctx.lead.startswith("text:"):
        lead_words = " ".join(ctx.lead[5:].split())
        hyp_word = ends_with_word(lead_words, _HYP_WORDS) or (lead_words.split(" ")[0] if lead_words.split(" ")[0]
                                                          in ("for", "if", "when", "assume", "assuming") else None)
    def_word = ctx.binding_prose or (ctx.first_in_span and ends_with_word(tail, _DEF_WORDS) is not None)
    if ctx.lead.startswith("text:") and ends_with_word(" ".join(ctx.lead[5:].split()), _DEF_WORDS):
        def_word = True
    # m_0 = 0 (or "with S_0 = \lambda I") after m_t = \beta m_{t-1} + ...: the recurrence's initial value
    if all(o == "=" for o in ops) and lhs.kind == "name" and (_numeric(items[-1]) or def_word) \
            and any(isinstance(a, Node) and a.kind == "num" and a.value in ("0", "1") for a in lhs.args) \
            and ctx.is_defined(family(lhs) or "") and not ctx.has_member(family(lhs) or "") \
            and not ctx.problem_computed(lhs):
        # (x_{10} = 2047 after x_0 = 1 is a value the recurrence determines: a claim)
        return Role(DEFINITION, "an initial value of a recurrence defined before", defines=family(lhs))
    if len(ops) == 1 and ops[0] == "=" and lhs.kind == "name" and lhs.args[1] is None \
            and isinstance(lhs.args[0], Node) and lhs.args[0].kind == "num" and lhs.args[0].value in ("0", "1") \
            and not ctx.is_defined(family(lhs) or "") and ctx.rule_ahead(family(lhs) or "") \
            and family(lhs) not in free_names(items[1]) and not ctx.problem_computed(lhs):
        return Role(DEFINITION, "the initial value of the recurrence stated right after it", defines=family(lhs))
    all_ineq = all(o in _INEQ_OPS for o in ops)
    in_interval = len(ops) == 1 and ops[0] == "in"
    if ops[0] in _INEQ_OPS and ops[0] != "!=" and _unknown_form(items, ctx) and not all_ineq:
        # \lambda \le 0.25 \cdot 4^2 = 4: a bound on one name, then arithmetic
        return Role(SOLUTION, "a set of values of one name, with the arithmetic of its bound")
    if ops[0] == "=" and len(items) == 2 and items[1].kind == "tuple" and items[1].value in ("[]", "()") \
            and _defined_head(lhs):
        return Role(ANSWER, "a list of values given as the result")
    if ops[0] == "=" and ends_with_word(tail, ("answer", "final answer", "answer is", "result")):
        return Role(ANSWER, "stated as the answer")
    # x = 3 for a variable used before (k = 1, i = 3): a case, not an identity
    if len(ops) == 1 and ops[0] == "=" and lhs.kind == "name" and _numeric(items[1]) \
            and (lhs.args[0] is None or _index_like(lhs.args[0])) and lhs.args[1] is None \
            and not ctx.determined_entry(lhs):
        fam = family(lhs)
        if fam is not None and not ctx.is_defined(fam) and not ctx.problem_computed(lhs) \
                and not (lhs.args == (None, None) and ctx.is_defined(fam + "(·)")):  # Q for Q(z) the document defines
            if ctx.seen(fam) and not def_word:
                return Role(HYPOTHESIS, f"fixes a value of {fam}, a variable used before (a case)")
            if not def_word and ends_with_word(tail, _RESULT_WORDS):
                return Role(ANSWER, f"a computed value stated as a result (“{ends_with_word(tail, _RESULT_WORDS)}”)")
            return Role(DEFINITION, f"gives {fam} a value", defines=fam)
    # definitions: a name introduced by prose, or a fresh name on the left
    if ops[0] == "=" and _defined_head(lhs) and not ctx.determined_entry(lhs):
        fam = family(lhs)
        rule = lhs.kind == "name" and any(isinstance(a, Node) and a.kind != "num" for a in lhs.args)
        # z^{(2)} = W^{(2)} a^{(1)} after z^{(1)} = W^{(1)} x: members given one by one (layers), each new
        numbered = lhs.kind == "name" and not rule and any(isinstance(a, Node) for a in lhs.args)
        restated = fam is not None and (ctx.is_defined(fam) and not ((rule or numbered and not ctx.member_defined(lhs))
                                                                     and ctx.members_only(fam))
                                        or ctx.problem_computed(lhs))
        if def_word and not restated:
            word = "prose before it introduces a name"
            return Role(DEFINITION, word, defines=fam)
        if not restated and fam is not None and ctx.seen(fam) and ctx.first_in_span and lhs.kind == "name" \
                and (not ctx.used_here(fam) or ctx.left_open(fam)) and _NAMED_BY_PROSE.search(tail[-80:]) and not _RESULT_NOUNS.search(_last_clause(tail)) \
                and all(o == "=" for o in ops) \
                and fam not in free_names(Node("tuple", "", tuple(items[1:]), 0)) and not ctx.problem_input(lhs):
            # "So the coefficient of v_i is $\alpha_i = k_i^\top a$" after "$o = \sum_i v_i \alpha_i$ where the
            # \alpha_i are some coefficients": a name used before, with no meaning in scope, gets one here
            return Role(DEFINITION, "the prose names what it is (“… is”) and nothing in scope defines it",
                        defines=fam)
        if def_word and restated and not ctx.problem_computed(lhs) and ends_with_word(tail, _REBIND_WORDS):
            # "Let ...", "using the model o = W q": the document rebinds its own name here
            return Role(DEFINITION, "prose before it gives the name a new meaning", defines=fam)
        if (def_word or hyp_word) and restated and _numeric(items[1]) and len(ops) == 1:
            return Role(HYPOTHESIS, f"sets a case of {fam} (“{hyp_word or 'given'}” before it)")
        if not restated and fam is not None and ctx.left_open(fam) and len(ops) == 1 and lhs.kind == "name" \
                and fam not in free_names(items[1]) and not ctx.problem_input(lhs):
            # "o = \sum_i v_i \alpha_i, where \alpha_i are some coefficients ... so \alpha_i = k_i^T a": the
            # first formula for coefficients the document left open is what defines them
            return Role(DEFINITION, f"gives {fam} its formula: earlier lines used it only as coefficients in a "
                                    "sum, which does not determine them", defines=fam)
        recurrence = fam is not None and fam.endswith(INDEXED) and fam in free_names(
            Node("tuple", "", tuple(items[1:2]), 0))
        if not restated and recurrence and not ctx.problem_input(lhs) and len(ops) == 1:
            return Role(DEFINITION, f"a recurrence for {fam} (nothing earlier defines it)", defines=fam)
        # a name an earlier sibling part defined (that binding does not reach here) and this part has not
        # used yet is this part's to define, unless a step word makes the line a consequence ("so o_t = ...")
        fresh = fam is not None and not ctx.seen(fam) or (
            fam is not None and ctx.defined_elsewhere(fam) and not ctx.used_here(fam) and step is None)
        if not restated and fresh and not ctx.problem_input(lhs) \
                and not (hyp_word and _numeric(items[1]) and lhs.kind == "name" and lhs.args == (None, None)
                         and len(lhs.value) == 1 and lhs.value in "ijklmnt"):
            if fam not in free_names(Node("tuple", "", tuple(items[1:]), 0)) or lhs.kind == "name" and \
                    lhs.args[0] is not None:
                why = "it is new here and nothing earlier defines it" if not ctx.seen(fam) else \
                    "an earlier part defined it, that binding does not reach this part, and this part has not used it"
                return Role(DEFINITION, f"introduces {fam}: {why}", defines=fam)
    if all_ineq and ctx.first_in_span and not _solution_form(items) and ends_with_word(tail, _GOAL_WORDS):
        # "We want L(W_a) > L(W_b):": the requirement the derivation then solves, not an assertion
        return Role(HYPOTHESIS, f"a requirement to be solved for (“{ends_with_word(tail, _GOAL_WORDS)}”)")
    if len(ops) == 1 and ops[0] == "=" and _constant_member(lhs, items[1]) and "constant" in _last_clause(tail) \
            and not ctx.problem_computed(lhs):
        # "a constant sequence $g_k = g$ gives ...", "for constant gradients $g_t = c$": assumed in the sentence
        return Role(HYPOTHESIS, "a constant sequence (“constant” before it); it holds for its own sentence",
                    local=True)
    late_case = ends_with_word(tail, _LATE_CASE_WORDS)
    if late_case and (all_ineq or in_interval or ops[0] == "="):
        # "... which is not the decoupled step unless $P = I$": a case the sentence names, not an assertion
        return Role(HYPOTHESIS, f"a condition (after “{late_case}”); it holds for its own line", local=True)
    if hyp_word in _REASON_WORDS and all(o == "=" for o in ops) and not any(_numeric(i) for i in items) \
            and not (lhs.kind == "name" and lhs.args == (None, None)):
        # "since (pp^T)^k = ||p||^{2(k-1)} pp^T": a reason is asserted to hold, so it is judged
        return Role(CLAIM, f"a reason given with “{hyp_word}”: asserted, so judged")
    if hyp_word in _FACT_WORDS and (all_ineq or in_interval or all(o == "=" for o in ops)):
        # "because a_i > 0", "since u - log u - 1 >= 0": the author asserts a fact as the reason
        # for what follows; it is judged (refuted only where every name has the document's value)
        return Role(CLAIM, f"a reason given with “{hyp_word}”: asserted, so judged; assumed for what follows",
                    reason=KEPT)
    if hyp_word in _CASE_WORDS and step is not None and (all_ineq or in_interval) \
            and _unknown_form(items, ctx) and clause.endswith(f"{step} {hyp_word}"):
        # "Thus for λ > 0.001, the identity has the higher loss": the set the derivation found
        return Role(SOLUTION, f"the set of values the derivation found (“{step} {hyp_word}”); a condition of its "
                              "own line as well", local=True)
    if hyp_word and (all_ineq or in_interval or ops[0] == "=" and step is None):
        case = hyp_word in _CASE_WORDS
        return Role(HYPOTHESIS, f"a condition (after “{hyp_word}”)" + ("; it holds for its own line" if case else ""),
                    local=case)
    if def_word and not (ops[0] == "=" and _defined_head(lhs)) and not is_identity(tree, ctx) and (
            all_ineq or in_interval or ops[0] == "=" and _only_free(tree, ctx)):
        # an equation between the document's quantities after "where/with" is still asserted
        return Role(HYPOTHESIS, "a condition stated where names are introduced")
    if all_ineq or in_interval:
        one_name = _unknown_form(items, ctx)
        if step is not None:
            return Role(SOLUTION if (in_interval or one_name) else STEP, f"follows from the line before (“{step}”)")
        if ctx.part_answers and lhs.kind == "name" and len(ops) == 1:
            return Role(SOLUTION, "a set of values of one name, compared with the part's derived answer")
        if one_name and ends_with_word(tail, _ANSWER_WORDS + ("so", "thus", "hence", "therefore", "need", "requires")) \
                or one_name and in_interval:
            return Role(SOLUTION, "a set of values of one name, stated as a result")
        if _only_free(tree, ctx) and all(_simple(i) for i in items) and "!=" not in ops:
            return Role(HYPOTHESIS, "a condition on free quantities (k ≥ 1, d < n), not derived from anything before it")
        return Role(CLAIM, "an inequality between defined quantities")
    if ops[0] == "=" and len(items) == 2 and items[1].kind == "tuple" and items[1].value in ("[]", "()") \
            and _defined_head(lhs):
        return Role(ANSWER, "a list of values given as the result")
    if ends_with_word(tail, _ANSWER_WORDS):
        return Role(ANSWER, "stated as the answer")
    if step is not None:
        return Role(STEP, f"a consequence (“{step}”)")
    return Role(CLAIM, "an identity asserted under the definitions in scope")


def _recurs_symbolically(rhs: Node, fam: str) -> bool:
    """The right side uses the family at an index with a name in it (v_t in v_{t+1} = \\beta v_t + g_t),
    not only at a fixed member (w^{(0)} in the closed form w^{(k)} = 0.5^k w^{(0)})."""
    return any(x.kind == "name" and family(x) == fam and isinstance(x.args[0], Node)
               and any(y.kind == "name" for y in x.args[0].walk()) for x in rhs.walk())


def rule_form(tree: Node) -> str | None:
    """The family whose rule ``tree`` states: ``v_{t+1} = \\beta v_t - \\eta g_t`` (one equation, a member
    at an index with a name on the left, the family again at such an index on the right); else None."""
    if tree.kind != "chain" or tuple(tree.args[1]) != ("=",):
        return None
    lhs, rhs = tree.args[0]
    if lhs.kind != "name" or not isinstance(lhs.args[0], Node) or not any(y.kind == "name" for y in lhs.args[0].walk()):
        return None
    fam = family(lhs)
    return fam if fam is not None and _recurs_symbolically(rhs, fam) else None


def _defines(tree: Node) -> str | None:
    if tree.kind == "chain" and _defined_head(tree.args[0][0]):
        return family(tree.args[0][0])
    return None


def _solution_form(items: tuple) -> bool:
    """``\\lambda > 0.001``, ``1 \\le \\lambda \\le 4``, ``\\lambda \\in [1, 4]``: one bare name against numbers."""
    names = [i for i in items if i.kind == "name"]
    others = [i for i in items if i.kind != "name"]
    return len(names) == 1 and names[0].args == (None, None) and all(
        all(x.kind in ("num", "neg", "tuple", "frac", "pow", "mul", "div", "add", "sub", "paren") for x in o.walk())
        for o in others)


def _unknown_form(items: tuple, ctx: Context) -> bool:
    """The solution form, for a name the document has not defined: ``D \\ge 0`` for a defined D
    is a claim about D (a bound it satisfies), not a set of values of an unknown."""
    name = next((i for i in items if i.kind == "name"), None)
    return _solution_form(items) and name is not None and not ctx.is_defined(family(name) or "")


def _simple(n: Node) -> bool:
    """A side a condition is made of: a name, a number, or a sum/difference/scaling of them, or
    the min/max of those (``r \\le \\min(n, m)``: the rank bound, stated, not derived)."""
    return all(x.kind in ("name", "num", "neg", "add", "sub", "paren", "infinity") or
               x.kind == "mul" and x.value == "juxt" and len(x.args) == 2 and x.args[0].kind == "num"
               or x.kind == "call" or x.kind == "func" and x.value in (r"\min", r"\max")
               for x in n.walk()) and all(x.args[0].kind == "func" and x.args[0].value in (r"\min", r"\max")
                                          for x in n.walk() if x.kind == "call")


def is_identity(tree: Node, ctx: Context) -> bool:
    """An identity between names already in use: ``(pp^T)^k = |p|^{2(k-1)} pp^T``, ``a^{n-1} = a^{-1} a^n``.

    Its left side is an expression (not a name or member that an equation could set), every side
    holds a name, and no name is fresh: it introduces nothing and sets no value, so whatever prose
    or condition comes before it, it is asserted (judged under the conditions in scope), not assumed."""
    if tree.kind != "chain" or not all(o == "=" for o in tree.args[1]):
        return False
    items = list(tree.args[0])
    if _defined_head(items[0]) or any(_numeric(i) for i in items):
        return False
    if not all(any(x.kind == "name" for x in i.walk()) for i in items):
        return False
    names = free_names(tree)
    return bool(names) and all(ctx.seen(f) or ctx.is_defined(f) for f in names)


def _only_free(tree: Node, ctx: Context) -> bool:
    for x in tree.walk():
        if x.kind == "name" and (ctx.is_defined(family(x) or "") or ctx.problem_computed(x)):
            return False
    return True


_WORDED_IF = re.compile(r"\b(if|when|whenever|suppose|supposing|assuming|assume|provided|provided that|given that|for)\b"
                        r"(?P<cond>[^.;:]*)$")
# "Where the loss is flat the weights shrink: $w_k = ...$": a sentence opened by "where" states the
# case its claim holds in (inside a sentence, "where" introduces the definitions of a formula's names)
_WORDED_WHERE = re.compile(r"^(where|wherever)\b(?P<cond>[^.;:]*)$")
_THEN_TAIL = re.compile(r"[\s,]*(then|we get|we have|so|this gives|it follows that)?[\s,]*$")


# "for one feature and one example", "for a scalar input", "for constant rewards": after "for", a
# special case of the general formula (its other uses name a topic: "for the input", "for the gain")
_SPECIAL_CASE_WORDS = frozenset({"one", "single", "scalar", "one-dimensional", "1d", "1-d",
                                 "constant", "equal", "identical",
                                 # "for uniform logits", "for zero noise", "for a flat loss": a degenerate case
                                 "uniform", "zero", "vanishing", "flat", "noiseless", "noise-free"})


# "setting it to zero gives the normal equations $X^\top X w = X^\top y$", "at the optimum": an
# equation that holds where a derivative vanishes, not for every value of its variable
_STATIONARY = re.compile(r"\b(?:setting|set|equating|equate)\b[^.;:]{0,80}?\b(?:to|equal to)\s+(?:zero|0|\$\s*0\s*\$)"
                         r"|\bat (?:the|a|its|this) (?:minimum|minimiser|minimizer|optimum|stationary point|critical point)\b")


def stationary_condition(prose: str) -> str | None:
    """The clause of "setting the gradient to zero gives $...$" (or "at the optimum"), in the claim's
    own sentence before it, or None."""
    sentence = _last_clause(" ".join(prose.split()))
    m = _STATIONARY.search(sentence.lower())
    return m.group(0)[:80] if m else None


def worded_condition(prose: str) -> str | None:
    """The condition of "If every reward equals $1$, then $G_t = ...$": an if-clause of the
    claim's own sentence written in words. ``prose`` is that sentence's prose up to the claim,
    without its relations (those are spans of their own, read as hypotheses or definitions), so
    the clause's words are what sampling cannot honour: a failure under it is no refutation.
    Returns the clause's words, or None when the sentence has no such clause."""
    sentence = _last_clause(" ".join(prose.split())).rstrip(" :;,")  # "..., with $x = 2$ and $w = 0$: $H = ...$"
    m = _WORDED_IF.search(sentence.lower()) or _WORDED_WHERE.search(sentence.lower().lstrip())
    if m is None:
        return None
    cond = _THEN_TAIL.sub("", m.group("cond")).strip(" ,")
    words = [w for w in cond.replace("$", " ").split() if any(ch.isalpha() for ch in w)]
    if len(words) < 2:  # "if $x > 0$" is a span of its own: "if" right before the claim is no worded condition
        return None
    if words[0] in ("we", "you"):  # "if we differentiate, we get": a procedure, not a condition
        return None
    if m.group(1) == "for" and not _SPECIAL_CASE_WORDS & set(words):
        return None  # "for the input", "for all", "for example": a topic or a quantifier, no case of the claim
    return (m.group(1) + " " + cond)[:80]
