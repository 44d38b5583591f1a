"""Declarations written inside other statements.

``Let $X = [x_1^\\top; \\dots; x_n^\\top] \\in \\mathbb{R}^{n \\times d}$`` defines X and states its
shape in one chain.  The membership that ends the chain is a type annotation, not a claim to be
judged: the chain is read as the definition ``X = [...]`` plus the declaration
``X \\in \\mathbb{R}^{n \\times d}``.  The declared shape must agree with the definition's; where
both are fixed by the document and they disagree, the line is inconsistent (never a refuted
claim: the author's notation contradicts itself, nothing was asserted about values).
"""

from __future__ import annotations

from typing import Any

from . import roles as R
from .discipline import shapes_fixed
from .inference import Inference
from .latex_parser import Node, to_text
from .scope import BindError, Scope, ShapeError


def space_tail(tree: Node) -> tuple[Node, Node, Node] | None:
    """``X = M \\in S`` (any number of ``=`` links, then one membership in a space S): the chain
    without its last link, the name it declares (X) and S; None for anything else."""
    if tree.kind != "chain" or tree.value:
        return None
    items, ops = tree.args
    if len(items) < 3 or ops[-1] != "in" or not all(o in ("=", ":=") for o in ops[:-1]):
        return None
    if not R.is_space(items[-1]) or items[0].kind != "name":
        return None
    head = Node("chain", "", (tuple(items[:-1]), tuple(ops[:-1])), tree.col)
    return head, items[0], items[-1]


def shape_disagreement(scope: Scope, name: Node, rhs: Node, space: Node) -> str | None:
    """Why the definition ``name = rhs`` cannot have the shape ``space`` declares for it, where
    every name the right side reaches has a shape the document fixes; None where they agree
    or where nothing fixed can tell (a shape left to a guess never makes a line inconsistent)."""
    if not shapes_fixed(rhs, scope):
        return None
    probe = scope.copy()
    declared = None
    try:
        probe.declare(name, space)
        declared = probe.declared.get(to_text(name))
        if declared is None:
            return None
        inf = Inference(scope, 0, set())
        t = inf.infer(rhs)
        want = inf.declared_dims(declared)
        inf.unify_shape(t.shape, want, "the declared shape")
    except ShapeError as exc:
        clash = getattr(exc, "clash", None)
        unless = f"; the two agree only where {clash[0]} = {clash[1]}" if clash and all(
            getattr(c, "is_Symbol", False) for c in clash) else ""
        return (f"{to_text(name)} is declared {_shape_text(declared)} but its definition has another shape "
                f"({str(exc).split(' at column')[0]}){unless}")
    except (BindError, ValueError, TypeError, RecursionError):
        return None
    return None


def _shape_text(d: Any) -> str:
    return f"{d.rows} x {d.cols}"
