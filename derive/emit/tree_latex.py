"""Print a parse tree of :mod:`derive.claims.latex_parser` back to LaTeX.

Pages that show what someone wrote (the grading view, the annotated report) must not pass
the writer's TeX through: only what the parser understood goes out, spelled by this
printer, so a stray ``\\href`` or ``</math><script>`` cannot reach the output.  Parentheses
are added from operator precedence, so a tree built by hand prints correctly too.
"""

from __future__ import annotations

import re

from ..claims.latex_parser import Node, ParseError, parse

# the parser's internal relation spellings -> LaTeX
_RELATIONS = {"=": "=", "!=": r"\ne", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "~": r"\approx", "sim": r"\sim",
              "<=>": r"\iff", "in": r"\in", "<-": r"\leftarrow", ":=": ":=", "=>": r"\Rightarrow",
              "->": r"\to", "propto": r"\propto", "subset": r"\subseteq"}
_MUL = {"juxt": " ", "cdot": r" \cdot ", "times": r" \times ", "odot": r" \odot ", "circ": r" \circ ",
        "star": r" \ast ", "kron": r" \otimes "}
# functions LaTeX knows as commands; the parser's other function names (\softmax, \tr, ...)
# are printed as \operatorname{..}
_TEX_FUNCTIONS = {r"\tanh", r"\sinh", r"\cosh", r"\exp", r"\log", r"\ln", r"\sin", r"\cos", r"\tan", r"\det",
                  r"\max", r"\min", r"\arctan", r"\sigma"}
_OPEN = {"(": r"\left(", "[": r"\left["}
_CLOSE = {")": r"\right)", "]": r"\right]"}
_SAFE_TEXT = re.compile(r"[^A-Za-z0-9 ,.;:!?'()-]")

# precedence: a child printed inside a parent of higher precedence gets parentheses
_REL, _ADD, _MULP, _NEG, _POW, _ATOM = range(6)


def math_latex(src: str) -> str | None:
    """The LaTeX of ``src`` as the parser read it, or None when it does not parse."""
    try:
        return tree_latex(parse(src))
    except (ParseError, RecursionError):
        return None


def tree_latex(node: Node) -> str:
    """LaTeX for a parse tree (every node kind of :class:`Node`'s docstring)."""
    return _print(node)[0]


def _wrap(node: Node, least: int) -> str:
    text, prec = _print(node)
    return text if prec >= least else rf"\left({text}\right)"


def _group(node: Node | None) -> str:
    return "" if node is None else _print(node)[0]


def _name(node: Node) -> str:
    sub, time = node.args
    out = node.value or ""
    if sub is not None:
        out += "_{" + _group(sub) + "}"
    if time is not None:
        out += "^{(" + _group(time) + ")}"
    return out


def _func(node: Node) -> str:
    v = node.value or ""
    if v == "factorial":
        return "!"
    base = v if v in _TEX_FUNCTIONS or v == r"\sqrt" else r"\operatorname{" + v.lstrip("\\") + "}"
    if node.args and node.args[0] is not None:  # \max_{i}
        base += "_{" + _group(node.args[0]) + "}"
    return base


def _call(node: Node) -> str:
    fn, *args = node.args
    if fn.kind == "func" and fn.value == "factorial":
        return _wrap(args[0], _ATOM) + "!"
    if fn.kind == "func" and fn.value == r"\sqrt":
        return r"\sqrt{" + _group(args[0]) + "}"
    if fn.kind == "func" and fn.value == r"\binom" and len(args) == 2:
        return r"\binom{" + _group(args[0]) + "}{" + _group(args[1]) + "}"
    head = _func(fn) if fn.kind == "func" else _wrap(fn, _POW)
    return head + r"\left(" + ", ".join(_group(a) for a in args) + r"\right)"


def _items(items: tuple) -> str:
    return ", ".join(_group(x) for x in items)


def _brackets(value: str | None, inner: str) -> str:
    if not value or len(value) != 2:
        return inner
    return _OPEN.get(value[0], r"\left(") + inner + _CLOSE.get(value[1], r"\right)")


def _matrix(node: Node) -> str:
    env = node.value or "pmatrix"
    rows = r" \\ ".join(" & ".join(_group(c) for c in row) for row in node.args)
    if env == "array":
        width = max((len(r) for r in node.args), default=1)
        return r"\left(\begin{array}{" + "c" * width + "}" + rows + r"\end{array}\right)"
    return rf"\begin{{{env}}}{rows}\end{{{env}}}"


def _big(node: Node) -> str:
    body, var, lo, hi = node.args
    out = r"\sum" if node.kind == "sum" else r"\prod"
    if var is not None:
        out += "_{" + _group(var) + ("=" + _group(lo) if lo is not None else "") + "}"
    if hi is not None:
        out += "^{" + _group(hi) + "}"
    return out + " " + (_big(body) if body.kind in ("sum", "prod") else _wrap(body, _MULP))


def _order(order: object) -> str:
    text = order.value if isinstance(order, Node) else str(order or "1")
    return "" if text in ("1", "?", "") else "^{" + str(text) + "}"


def _partial(node: Node) -> str:
    top, var, order = node.args
    o = _order(order)
    return rf"\frac{{\partial{o} {_group(top)}}}{{\partial {_wrap(var, _POW)}{o}}}"


def _ddx(node: Node) -> str:
    var, body, order = node.args
    d = r"\partial" if node.value == "partial" else r"\mathrm{d}"
    o = _order(order)
    out = rf"\frac{{{d}{o}}}{{{d} {_wrap(var, _POW)}{o}}}"
    return out if body is None else out + " " + _wrap(body, _MULP)


def _nabla(node: Node) -> str:
    order, fn, *rest = node.args
    sub = rest[0] if rest else None
    out = r"\nabla" + _order(order)
    if sub is not None:
        out += "_{" + _group(sub) + "}"
    return out + " " + _wrap(fn, _POW)


def _chain(node: Node) -> str:
    items, ops = node.args
    out = _wrap(items[0], _ADD)
    for op, item in zip(ops, items[1:]):
        out += f" {_RELATIONS.get(op, '=')} {_wrap(item, _ADD)}"
    return out


def _text(node: Node) -> str:
    return r"\text{" + _SAFE_TEXT.sub("", node.value or "") + "}"


def _expect(n: Node) -> str:
    """E / Var / Cov with its subscript and conditioning bar, in square brackets."""
    items, given, sub = n.args
    head = {"E": r"\mathbb{E}", "Var": r"\operatorname{Var}", "Cov": r"\operatorname{Cov}"}.get(n.value or "E",
                                                                                            r"\mathbb{E}")
    if sub is not None:
        head += "_{" + _group(sub) + "}"
    inner = ", ".join(_group(x) for x in items)
    if given is not None:
        inner += r" \mid " + _group(given)
    return head + r"\left[" + inner + r"\right]"


def _print(n: Node) -> tuple[str, int]:  # noqa: C901 - one branch per node kind
    k = n.kind
    if k == "num":
        return n.value or "0", _ATOM
    if k == "name":
        return _name(n), _ATOM
    if k == "const":
        return (r"\pi" if n.value == "pi" else rf"\mathrm{{{_SAFE_TEXT.sub('', n.value or '')}}}"), _ATOM
    if k == "field":
        return r"\mathbb{" + _SAFE_TEXT.sub("", n.value or "R").lstrip("\\") + "}", _ATOM
    if k in ("ellipsis", "infinity"):
        return (r"\dots" if k == "ellipsis" else r"\infty"), _ATOM
    if k == "text":
        return _text(n), _ATOM
    if k == "paren":
        inner = _group(n.args[0])
        if n.value == "{":
            return "{" + inner + "}", _ATOM
        return (r"\left[" + inner + r"\right]" if n.value == "[" else r"\left(" + inner + r"\right)"), _ATOM
    if k in ("add", "sub"):
        op = " + " if k == "add" else " - "
        return _wrap(n.args[0], _ADD) + op + _wrap(n.args[1], _MULP if k == "sub" else _ADD), _ADD
    if k == "neg":
        return "-" + _wrap(n.args[0], _MULP), _NEG
    if k == "mul":
        # A \otimes B C: the factors side by side after \otimes are its operand (latex_parser.parse_term)
        rhs_least = _MULP if n.value == "kron" and n.args[1].kind == "mul" and n.args[1].value == "juxt" else _NEG + 1
        left = n.args[0]
        lhs_least = _POW if left.kind == "mul" and left.value == "kron" and n.value != "kron" else _MULP
        return _wrap(left, lhs_least) + _MUL.get(n.value or "juxt", " ") + _wrap(n.args[1], rhs_least), _MULP
    if k == "div":
        if n.value == "frac":
            return rf"\frac{{{_group(n.args[0])}}}{{{_group(n.args[1])}}}", _ATOM
        return _wrap(n.args[0], _MULP) + " / " + _wrap(n.args[1], _POW), _MULP
    if k == "pow":
        return _wrap(n.args[0], _ATOM) + "^{" + _group(n.args[1]) + "}", _POW
    if k == "transpose":
        return _wrap(n.args[0], _ATOM) + r"^{\top}", _POW
    if k == "inverse_transpose":
        return _wrap(n.args[0], _ATOM) + r"^{-\top}", _POW
    if k == "prime":
        return _wrap(n.args[0], _ATOM) + "'", _POW
    if k in ("call", "apply"):
        return _call(n), _ATOM
    if k == "func":
        return _func(n), _ATOM
    if k == "norm":
        sub = "" if not n.value else "_{" + (r"\infty" if n.value == "infty" else _SAFE_TEXT.sub("", n.value)) + "}"
        return r"\left\|" + _group(n.args[0]) + r"\right\|" + sub, _ATOM
    if k == "extremum":
        body, var, lo, hi = n.args
        sub = _group(var) if lo is None or hi is None else _group(lo) + r" \le " + _group(var) + r" \le " + _group(hi)
        return _func(Node("func", n.value, (), n.col)) + "_{" + sub + "} " + _wrap(body, _POW), _ATOM
    if k == "blank":
        return "", _ATOM
    if k == "element":
        return r"\left(" + _group(n.args[0]) + r"\right)_{" + _group(n.args[1]) + "}", _ATOM
    if k == "indicator":
        rel = _RELATIONS.get(n.value or "=", "=")
        return r"\left[" + _group(n.args[0]) + f" {rel} " + _group(n.args[1]) + r"\right]", _ATOM
    if k == "bound":
        return _RELATIONS.get(n.value or "<=", r"\le") + " " + _group(n.args[0]), _ATOM
    if k == "limit":
        body, var, point = n.args
        return r"\lim_{" + _group(var) + r" \to " + _group(point) + "} " + _wrap(body, _MULP), _ADD
    if k == "inner":
        return r"\left\langle " + _group(n.args[0]) + ", " + _group(n.args[1]) + r" \right\rangle", _ATOM
    if k == "abs":
        return r"\left|" + _group(n.args[0]) + r"\right|", _ATOM
    if k == "matrix":
        return _matrix(n), _ATOM
    if k in ("sum", "prod"):
        return _big(n), _ADD
    if k == "partial":
        return _partial(n), _ATOM
    if k == "ddx":
        return _ddx(n), _MULP
    if k == "differential":
        return r"\mathrm{d}" + _wrap(n.args[0], _ATOM), _ATOM
    if k == "nabla":
        return _nabla(n), _MULP
    if k == "rel":
        return f"{_wrap(n.args[0], _ADD)} {_RELATIONS.get(n.value or '=', '=')} {_wrap(n.args[1], _ADD)}", _REL
    if k == "chain":
        return _chain(n), _REL
    if k == "interval":
        return _brackets(n.value, _items(n.args)), _ATOM
    if k == "tuple":
        return _brackets(n.value, _items(n.args)), (_ATOM if n.value else _REL)
    if k == "set":
        return r"\left\{" + _items(n.args) + r"\right\}", _ATOM
    if k == "expect":
        return _expect(n), _ATOM
    if k == "density":
        fn, args, given = n.args
        return _wrap(fn, _ATOM) + r"\left(" + _items(args) + r" \mid " + _items(given) + r"\right)", _ATOM
    if k == "collection":
        member, var, lo, hi = n.args
        return _wrap(member, _ATOM) + "_{" + _group(var) + " = " + _group(lo) + "}^{" + _group(hi) + "}", _ATOM
    if k == "dmark":  # a derivative mark outside its fraction: d or ∂ and what follows it
        d = r"\partial" if len(n.args) > 1 and n.args[1] == "partial" else r"\mathrm{d}"
        return d + _order(n.value) + ("" if not n.args or n.args[0] is None else " " + _group(n.args[0])), _MULP
    raise ValueError(f"no LaTeX for a {k!r} node")
