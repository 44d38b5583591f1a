"""Variances named in words: "a prior $\\mathcal{N}(\\mathbf{m}, P)$", "the noise $\\mathbf{v} \\sim
\\mathcal{N}(\\mathbf{0}, R)$", and later, in a case ("Take $n = 1$, $H = 1$, prior variance $p > 0$
and noise variance $r > 0$"), "<word> variance $p$": the covariance the word was attached to is
p in that sentence (P = p, R = r, a case like "$H = 1$"), as the prose says.

A word is attached to a covariance only where it stands right before the math that writes the
Gaussian, and the covariance is one plain name; the later phrase names a new plain name.  Where
anything is ambiguous (a word attached to two different covariances) nothing is defined.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from .latex_parser import Node, ParseError, parse, to_text
from .probability import distribution

# words that only link the phrase ("the noise", "has prior", "with the prior"): never a role
_LINKS = {"the", "a", "an", "with", "and", "has", "have", "is", "are", "of", "be", "let", "where", "as", "by",
          "its", "from", "that", "which", "we", "then", "so", "for", "in", "on", "to", "under", "given", "if",
          "gaussian", "normal", "distribution", "distributed", "random", "variable", "vector"}
_LAST_WORDS = re.compile(r"((?:[A-Za-z][A-Za-z\-]*\s+){0,1}[A-Za-z][A-Za-z\-]*)[\s,]*$")
_INLINE = re.compile(r"((?:[A-Za-z][A-Za-z\-]*\s+){0,1}[A-Za-z][A-Za-z\-]*)[\s,]*\$([^$]{1,300})\$")
_NAMED = re.compile(r"\b([A-Za-z][A-Za-z\-]*)\s+(?:co)?variance\s*(?:matrix\s*)?$")


class Roles:
    """The words the prose has attached to Gaussian covariances so far (word -> name), in order."""

    def __init__(self) -> None:
        self.named: dict[str, str | None] = {}  # None: the word named two covariances (ambiguous)

    def read(self, context: str, latex: str) -> None:
        """Record "<word> $... \\mathcal{N}(μ, C)$" (C a plain name) from one span and the prose before
        it, and from the inline math of that prose ("has prior $\\mathcal{N}(\\mathbf{m}, P)$ with ...")."""
        for m in _INLINE.finditer(context[-2000:]):
            self._attach(m.group(1), m.group(2))
        m = _LAST_WORDS.search(context[-80:])
        if m is not None:
            self._attach(m.group(1), latex)

    def _attach(self, words: str, latex: str) -> None:
        """Up to two words right before the math ("the sensor error $e \\sim ...$": error, sensor),
        up to the first linking word."""
        if "mathcal{N}" not in latex and "Normal" not in latex:
            return
        cov = _covariance(latex)
        if cov is None:
            return
        for word in reversed(words.lower().split()[-2:]):
            if word in _LINKS:
                break
            before = self.named.get(word, cov)
            self.named[word] = cov if before == cov else None

    def named_here(self, context: str, tree: Node) -> tuple[Node, Node] | None:
        """"prior variance $p > 0$": (the covariance's name, p) where the word names one covariance
        and the span's first item is a plain name other than it."""
        m = _NAMED.search(context[-80:])
        if m is None:
            return None
        cov = self.named.get(m.group(1).lower())
        if cov is None:
            return None
        first = tree.args[0][0] if tree.kind == "chain" else tree
        if first.kind != "name" or to_text(first) == cov:
            return None
        try:
            return parse(cov), first
        except ParseError:
            return None


@functools.lru_cache(maxsize=1024)
def _covariance(latex: str) -> str | None:
    """The one plain-name covariance of the Gaussians a span writes (``\\mathcal{N}(\\mu, C)``: C)."""
    try:
        tree = parse(latex.strip().rstrip(",.;"))
    except (ParseError, RecursionError, ValueError):
        return None
    found = set()
    for n in tree.walk():
        dist = distribution(n) if n.kind in ("call", "apply") else None
        if dist is not None and dist.family == "normal" and dist.params[1].kind == "name":
            found.add(to_text(dist.params[1]))
    return found.pop() if len(found) == 1 else None


def define_named(roles: Roles, model: Any, context: str, tree: Node, line: int, section: Any) -> str | None:
    """The covariance a worded variance names is that name (P = p) as a case of its sentence
    (a local hypothesis, like "Take $H = 1$"): later parts, back in the general setting, do not
    read P as p.  Its text, or None."""
    hit = roles.named_here(context, tree)
    if hit is None:
        return None
    cov, value = hit
    if model.is_defined(to_text(cov), section):
        return None
    text = f"{to_text(cov)} = {to_text(value)}"
    eq = Node("chain", "", ((cov, value), ("=",)), value.col)
    model.assume(eq, text, line, section, {to_text(cov), to_text(value)}, local=True)
    return text
