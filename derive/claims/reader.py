"""Read a Markdown or .tex document into claims with line numbers.

Front matter (optional, between ``---`` lines at the top) is a tiny YAML subset read by
hand: ``key: value`` pairs and ``- item`` lists (``problem``, ``part``, ``given``,
``hidden``, ``seed``).  Every display-math block (``$$..$$``, ``\\[..\\]``, equation/align
environments) and every inline ``$..$`` that holds a relation becomes a claim; a display
block that starts with ``+`` or ``-`` and holds no relation continues the previous claim
(hand-written solutions break long right-hand sides over several blocks).  Inline math
introduced by "Let", "define", "where", "set" (``Let $s = p^\\top p$``) is a binding, not a
claim.  Prose is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DeriveError

MAX_FILE_BYTES = 2_000_000


@dataclass
class Claim:
    """One piece of math from a document: where it is, its text, how it was written."""

    line: int
    latex: str
    display: bool
    binding: bool = False  # introduced as a definition in prose ("Let s = ...")
    continued: list[int] = field(default_factory=list)  # lines of merged continuation blocks


@dataclass
class Document:
    path: str
    front: dict[str, object]
    claims: list[Claim]
    front_lines: dict[str, int] = field(default_factory=dict)


_RELATION_RE = re.compile(r"(?<![\\a-zA-Z])(=|<|>)|\\(?:ne|neq|le|leq|ge|geq|approx|equiv|in|leftarrow|gets|iff|"
                          r"coloneqq|triangleq|Leftrightarrow|simeq|leqslant|geqslant)(?![a-zA-Z])|[≤≥≠≈≡∈←]")
_BINDING_WORDS = re.compile(r"(?:^|[\s(])(?:let|Let|define|Define|where|Where|set|Set|denote|Denote)\s*$")
_ITEM_LABEL = re.compile(r"^\s*(?:\d+\s*\.\s*)?(?:\(?[a-z]\)|\(?[ivx]+\))?\s*")
_ENVS = ("equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
         "eqnarray", "eqnarray*", "displaymath")


def has_relation(latex: str) -> bool:
    """Whether the math contains a relation outside braces of \\frac (cheap textual test)."""
    return bool(_RELATION_RE.search(latex))


def read_front_matter(text: str) -> tuple[dict[str, object], dict[str, int], str, int]:
    """Split off the front matter; returns (data, line of each key, body, body start line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, {}, text, 1
    data: dict[str, object] = {}
    where: dict[str, int] = {}
    key: str | None = None
    for i in range(1, len(lines)):
        raw = lines[i]
        if raw.strip() == "---":
            body = "\n".join([""] * (i + 1) + lines[i + 1:])  # keep line numbers
            return data, where, body, i + 2
        stripped = _strip_comment(raw)
        if not stripped.strip():
            continue
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*)$", stripped)
        if m and not raw.startswith((" ", "\t", "-")):
            key = m.group(1).strip()
            value = m.group(2).strip()
            where[key] = i + 1
            data[key] = _scalar(value) if value else []
            continue
        m = re.match(r"^\s*-\s+(.*)$", stripped)
        if m and key is not None:
            items = data.get(key)
            if not isinstance(items, list):
                items = []
                data[key] = items
            items.append(_scalar(m.group(1).strip()))
            where.setdefault(f"{key}[{len(items) - 1}]", i + 1)
            continue
        raise DeriveError(f"front matter line {i + 1}: cannot read {raw.strip()[:60]!r}")
    raise DeriveError("front matter starts with --- but never ends")


def _strip_comment(s: str) -> str:
    # "# comment" after a value (a # inside LaTeX is rare; \# is kept)
    out = re.sub(r"(?<!\\)\s#\s.*$", "", s)
    return out.rstrip()


def _scalar(v: str) -> object:
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    return v


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def extract_math(body: str) -> list[tuple[int, str, bool, str]]:
    """(line, latex, display, prose before it on the same line) for every math span."""
    out: list[tuple[int, str, bool, str]] = []
    i, n = 0, len(body)
    in_code = False
    line_start = 0
    while i < n:
        if body.startswith("```", i) and (i == 0 or body[i - 1] == "\n"):
            in_code = not in_code
            i += 3
            continue
        c = body[i]
        if c == "\n":
            line_start = i + 1
            i += 1
            continue
        if in_code:
            i += 1
            continue
        if c == "\\" and body.startswith("\\$", i):
            i += 2
            continue
        if body.startswith("$$", i):
            end = body.find("$$", i + 2)
            if end < 0:
                raise DeriveError(f"line {_line_of(body, i)}: $$ is never closed")
            out.append((_line_of(body, i), body[i + 2:end], True, ""))
            i = end + 2
            continue
        if body.startswith("\\[", i):
            end = body.find("\\]", i + 2)
            if end < 0:
                raise DeriveError(f"line {_line_of(body, i)}: \\[ is never closed")
            out.append((_line_of(body, i), body[i + 2:end], True, ""))
            i = end + 2
            continue
        if body.startswith("\\begin{", i):
            m = re.match(r"\\begin\{([a-zA-Z*]+)\}", body[i:])
            if m and m.group(1) in _ENVS:
                env = m.group(1)
                close = f"\\end{{{env}}}"
                end = body.find(close, i)
                if end < 0:
                    raise DeriveError(f"line {_line_of(body, i)}: \\begin{{{env}}} is never closed")
                inner = body[i + len(m.group(0)):end]
                inner = re.sub(r"\\label\{[^}]*\}", "", inner)
                out.extend(_split_rows(inner, _line_of(body, i), env.startswith(("align", "eqnarray", "gather"))))
                i = end + len(close)
                continue
        if c == "$":
            end = i + 1
            while end < n and body[end] != "$":
                if body[end] == "\\":
                    end += 1
                if body[end:end + 1] == "\n" and body[end + 1:end + 2] == "\n":
                    break  # an unmatched $ does not swallow paragraphs
                end += 1
            if end < n and body[end] == "$":
                out.append((_line_of(body, i), body[i + 1:end], False, body[line_start:i]))
                i = end + 1
                continue
        i += 1
    return out


def _split_rows(inner: str, line: int, multi: bool) -> list[tuple[int, str, bool, str]]:
    """An align environment: rows continuing a chain (starting with &=) are joined."""
    if not multi:
        return [(line, inner, True, "")]
    rows: list[tuple[int, str]] = []
    pos = 0
    for part in re.split(r"\\\\(?:\[[^\]]*\])?", inner):
        rows.append((line + inner.count("\n", 0, pos), part))
        pos += len(part) + 2
    out: list[tuple[int, str, bool, str]] = []
    for ln, row in rows:
        text = row.strip()
        if not text:
            continue
        bare = text.replace("&", "").strip()
        if out and (re.match(r"^(=|\\le|\\ge|\\approx|<|>|\\equiv)", bare) or bare.startswith(("+", "-"))):
            prev = out[-1]
            out[-1] = (prev[0], prev[1] + " " + bare, True, "")
        else:
            out.append((ln, bare, True, ""))
    return out


def clean_math(latex: str) -> str:
    """Drop item labels such as "3. a)" that hand-written notes put inside math."""
    text = latex.strip()
    m = _ITEM_LABEL.match(text)
    if m and m.end() > 0 and re.match(r"^\s*(\d+\s*\.|\(?[a-z]\))", text):
        text = text[m.end():]
    return text


# prose between two math spans that makes the second a condition of the first
_TRAILING_CONDITION = re.compile(r"\$\s*,?\s*(for|for all|when|whenever|if|provided|where)\s*$", re.IGNORECASE)


def looks_like_condition(latex: str) -> bool:
    r"""An index range such as ``\ell \ge 1``, ``t = 1, \dots, T`` or ``1 \le k \le n``."""
    from .statements import _looks_like_condition

    return _looks_like_condition(latex.strip())


def read_document(path: str | Path, text: str | None = None) -> Document:
    """Read a document into front matter and claims (no math is interpreted here)."""
    p = Path(path)
    if text is None:
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise DeriveError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
        if len(raw) > MAX_FILE_BYTES:
            raise DeriveError(f"{str(path)!r} is larger than {MAX_FILE_BYTES} bytes")
        text = raw.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n")
    front, where, body, _ = read_front_matter(text)
    claims: list[Claim] = []
    for line, latex, display, before in extract_math(body):
        latex = clean_math(latex)
        if not latex:
            continue
        rel = has_relation(latex)
        if display and not rel and claims and latex.lstrip().startswith(("+", "-", "−")) and claims[-1].display:
            claims[-1].latex += " " + latex
            claims[-1].continued.append(line)
            continue
        if not rel:
            continue
        if (not display and claims and claims[-1].line == line and _TRAILING_CONDITION.search(before)
                and looks_like_condition(latex)):
            # "$K_\ell = C A^{\ell-1} B$ for $\ell \ge 1$": the second span is the first one's
            # condition, in the same form split_statements reads inside one span
            claims[-1].latex += r" \quad \text{for } " + latex
            continue
        binding = (not display) and bool(_BINDING_WORDS.search(before))
        claims.append(Claim(line=line, latex=latex, display=display, binding=binding))
    return Document(path=str(path), front=front, claims=claims, front_lines=where)
