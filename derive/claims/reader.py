"""Stage 1, *read*: a Markdown or .tex document into math spans with their prose and section.

Front matter (optional, between ``---`` lines at the top) is a tiny YAML subset read by
hand: ``key: value`` pairs and ``- item`` lists (``problem``, ``part``, ``given``,
``hidden``, ``seed``, ``roles``).  Every display-math block (``$$..$$``, ``\\[..\\]``,
equation/align environments) and every inline ``$..$`` that holds a relation becomes a
span; a display block that starts with ``+`` or ``-`` and holds no relation continues the
previous span (hand-written solutions break long right-hand sides over several blocks).

Each span keeps the prose just before it (the *roles* stage reads "Let", "hence", "for"
there), the section it sits in (Markdown headings, ``\\section``, "Problem N", "(a)": the
*model* stage scopes bindings by it) and an author's role mark (``% derive: claim`` or
``<!-- derive: definition -->`` on the line before).

The scanner is linear in the size of the text: no regular expression with nested or
overlapping quantifiers runs on the document, and line numbers are counted as the scan
advances.  A delimiter that is never closed ends the scan there: the spans before it are
kept and the break is reported (``Document.errors``) with its line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DeriveError
from ..safe_io import read_text_bounded
from .latex_parser import ANNOTATED, annotated_relation

MAX_FILE_BYTES = 2_000_000
PROSE_KEPT = 240  # characters of prose kept before a span
CONTEXT_KEPT = 4000  # characters of context kept before a span (structure words: "U orthogonal")
ROLES = ("definition", "hypothesis", "claim", "step", "solution", "answer", "approximation", "asymptotic")


@dataclass
class Claim:
    """One piece of math from a document: where it is, its text, how it was written."""

    line: int
    latex: str
    display: bool
    binding: bool = False  # introduced as a definition in prose ("Let s = ...")
    continued: list[int] = field(default_factory=list)  # lines of merged continuation blocks
    prose: str = ""  # the prose just before the span (same paragraph, at most PROSE_KEPT characters)
    section: tuple[tuple[int, str, int], ...] = ()  # enclosing headings: (level, title, line)
    role: str | None = None  # set by the author (% derive: ROLE)
    after: str = ""  # prose right after the span on its line (", for all k", " (hypothesis)")
    context: str = ""  # all prose (and relation-free math) since the previous span, at most CONTEXT_KEPT


@dataclass
class Document:
    path: str
    front: dict[str, object]
    claims: list[Claim]
    front_lines: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, object]] = field(default_factory=list)  # {line, column, message}


_ENVS = ("equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
         "eqnarray", "eqnarray*", "displaymath", "aligned", "split", "alignat", "alignat*", "flalign", "flalign*")
_MULTI_ROW = ("align", "eqnarray", "gather", "alignat", "flalign", "aligned", "split")
_REL_CMDS = {"ne", "neq", "le", "leq", "ge", "geq", "approx", "equiv", "in", "leftarrow", "gets", "iff", "coloneqq",
             "triangleq", "Leftrightarrow", "simeq", "leqslant", "geqslant", "sim", "ll", "gg", "to", "propto",
             "notin", "subseteq", "subset", "eqqcolon", "doteq", "cong", "lesssim", "gtrsim", "asymp"}
_REL_CHARS = set("=<>≤≥≠≈≡∈←∼≪≫")
_BINDING_WORDS = ("let", "define", "where", "set", "denote", "given", "with", "defining", "write", "call")
_CONDITION_WORDS = ("for", "for all", "when", "whenever", "if", "provided", "provided that", "where", "assuming")


def has_relation(latex: str) -> bool:
    """Whether the math has a relation outside braces (``a=b``, ``\\alpha\\le 2``, ``x ∈ S``):
    a character scan, linear in the text."""
    depth = 0
    i, n = 0, len(latex)
    while i < n:
        c = latex[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c == "\\":
            j = i + 1
            while j < n and latex[j].isalpha():
                j += 1
            if j == i + 1:
                i += 2  # an escaped character: \{, \|, \,
                continue
            if depth == 0 and latex[i + 1:j] in _REL_CMDS:
                return True
            if depth == 0 and latex[i:j] in ANNOTATED and annotated_relation(latex, j) is not None:
                return True  # x_i \overset{\text{iid}}{\sim} p
            i = j
            continue
        elif depth == 0 and (c in _REL_CHARS or (c == ":" and latex.startswith(":=", i))):
            return True
        i += 1
    return False


def read_front_matter(text: str) -> tuple[dict[str, object], dict[str, int], str, int]:
    """Split off the front matter; returns (data, line of each key, body, body start line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, {}, text, 1
    data: dict[str, object] = {}
    where: dict[str, int] = {}
    key: str | None = None
    for i in range(1, min(len(lines), 2000)):
        raw = lines[i]
        if raw.strip() == "---":
            body = "\n".join([""] * (i + 1) + lines[i + 1:])  # keep line numbers
            return data, where, body, i + 2
        stripped = _strip_comment(raw)
        if not stripped.strip():
            continue
        m = re.match(r"([A-Za-z_][A-Za-z0-9_-]{0,40}):(.*)\Z", stripped)
        if m and not raw.startswith((" ", "\t", "-")):
            key = m.group(1)
            value = m.group(2).strip()
            where[key] = i + 1
            data[key] = _scalar(value) if value else []
            continue
        item = stripped.lstrip()
        if item.startswith("- ") and key is not None:
            items = data.get(key)
            if not isinstance(items, list):
                items = []
                data[key] = items
            items.append(_scalar(item[2:].strip()))
            where.setdefault(f"{key}[{len(items) - 1}]", i + 1)
            continue
        raise DeriveError(f"front matter line {i + 1}: cannot read {raw.strip()[:60]!r}")
    raise DeriveError("front matter starts with --- but never ends")


def _strip_comment(s: str) -> str:
    # "# comment" after a value (a # inside LaTeX is rare; \# is kept)
    k = s.find(" #")
    while k >= 0:
        if k + 2 >= len(s) or s[k + 2] in " \t":
            return s[:k].rstrip()
        k = s.find(" #", k + 1)
    return s.rstrip()


def _scalar(v: str) -> object:
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    if v.lstrip("-").isdigit() and len(v) < 12:
        return int(v)
    return v


# --- headings --------------------------------------------------------------------------------------

_TEX_SECTIONS = {"\\part": 0, "\\section": 1, "\\subsection": 2, "\\subsubsection": 3, "\\paragraph": 4}
_WORD_HEADING = re.compile(r"(?:\*\*|__)?\s*(?:Problem|Question|Exercise|Part|Task)\s+\(?[0-9A-Za-z]{1,4}\b",
                           re.IGNORECASE)
_NUMBERED_HEADING = re.compile(r"(\d{1,2}(?:\.\d{1,2}){1,3})\s+[A-Z][A-Za-z]")
_LETTER_HEADING = re.compile(r"(?:\*\*|__)?\s*\(?(?:[a-h]|[0-9]{1,2}\s*\(?[a-h]|i{1,3}|iv|v|vi{1,3})[).]\s*(?:\*\*|__)?")


def _heading(line: str) -> tuple[int, str] | None:
    """(level, title) when ``line`` is a heading; Markdown levels, TeX sections, short lines that
    start "Problem 3", "**(b)**", "1(b)" (level 2 and 3), and numbered titles "2.4 Singular value
    decomposition" (level by the depth of the number)."""
    s = line.strip()
    if not s or len(s) > 200:
        return None
    if s.startswith("#"):
        level = len(s) - len(s.lstrip("#"))
        if level <= 6 and (len(s) == level or s[level] == " "):
            return level, s[level:].strip()
        return None
    for cmd, level in _TEX_SECTIONS.items():
        if s.startswith(cmd) and s[len(cmd):len(cmd) + 1] in ("{", "*"):
            return level + 1, s[len(cmd):].strip("*{} ")
    if "$" in s:
        return None
    if _WORD_HEADING.match(s) and len(s) <= 80:
        return 2, s.strip("*_ ")
    m = _NUMBERED_HEADING.match(s)
    if m and len(s) <= 80 and not s.endswith((".", ":", ",", ";")):
        return m.group(1).count(".") + 1, s  # "2.4 Singular value decomposition": a numbered section
    m = _LETTER_HEADING.match(s)
    if m and (len(s) <= 60 or s.startswith(("**", "__"))):
        return 3, s.strip("*_ ")
    return None


_ROMAN_ITEM = re.compile(r"\(?(?:i{1,3}|iv|v|vi{1,3}|ix|x)[.)]\s", re.IGNORECASE)
_LETTER_ITEM = re.compile(r"\(?[a-h]\)|[a-h][.]\s")


def _nested_level(level: int, title: str, section: list[tuple[int, str, int]]) -> int:
    """Documents number their headings loosely ("### (a)" then "### i." or "## ii."): a roman
    item after a letter item belongs inside it, whatever its Markdown level."""
    sibling = _sibling_level(title, section)
    if sibling is not None:
        # "### (c)" then "## (d)": (d) stays in the problem (c) belongs to, a later sibling of (c)
        return sibling
    if not _ROMAN_ITEM.match(title + " "):
        return level
    for lvl, head, _line in reversed(section):
        if _LETTER_ITEM.match(head + " "):
            return max(level, lvl + 1)
        if not _ROMAN_ITEM.match(head + " "):
            break
    return level


def _shifted_level(wrote: int, section: list[tuple[int, str, int]], written: list[int]) -> int:
    """A heading the writer put under a part that was moved to another level ("## (g)" read as
    the sibling of "### (f)") moves with it: "### Summary" under "## (g)" stays inside (g)."""
    for (lvl, _title, _line), w in zip(reversed(section), reversed(written)):
        if w < wrote:
            return wrote + (lvl - w) if lvl != w else wrote
    return wrote


_ROMAN_VALUES = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def _item_label(title: str) -> tuple[str, int] | None:
    """("letter", 3) for "(c) ..." / "c. ...", ("roman", 2) for "ii. ..." / "(ii) ...": a part's label."""
    t = title + " "
    m = _ROMAN_ITEM.match(t)
    if m:
        return "roman", _ROMAN_VALUES[m.group(0).strip("(). \t").lower()]
    m = _LETTER_ITEM.match(t)
    if m:
        return "letter", ord(m.group(0).strip("(). \t").lower()) - ord("a") + 1
    return None


def _sibling_level(title: str, section: list[tuple[int, str, int]]) -> int | None:
    """"## (c)" then "### (d)": the label that follows an open part's label in sequence makes a
    sibling of that part (its level), where the writer gave it a deeper Markdown level."""
    label = _item_label(title)
    if label is None or label[1] < 2:
        return None
    for lvl, head, _line in reversed(section):
        if _item_label(head) == (label[0], label[1] - 1):
            return lvl
    return None


# --- the scan --------------------------------------------------------------------------------------

def _close_of(body: str, i: int) -> tuple[str, int, str] | None:
    """The opening delimiter at ``i``: (closing text, length of the opening, kind)."""
    if body.startswith("$$", i):
        return "$$", 2, "display"
    if body.startswith("\\[", i):
        return "\\]", 2, "display"
    if body.startswith("\\begin{", i):
        j = body.find("}", i + 7, i + 30)
        env = body[i + 7:j] if j > 0 else ""
        if env in _ENVS:
            return f"\\end{{{env}}}", j + 1 - i, env
    return None


def _role_mark(line: str) -> str | None:
    s = line.strip()
    for lead, tail in (("%", ""), ("<!--", "-->")):
        if s.startswith(lead) and s.endswith(tail):
            inner = s[len(lead):len(s) - len(tail)].strip()
            if inner.startswith("derive:"):
                word = inner[7:].strip().lower()
                return word if word in ROLES else None
    return None


def extract_math(body: str, errors: list[dict[str, object]] | None = None
                 ) -> list[tuple[int, str, bool, str, tuple, str | None, str]]:
    """Every math span: (line, latex, display, prose before, section, role mark, prose after).

    Linear in ``len(body)``.  A display delimiter that never closes stops the scan: what
    came before is kept and the break goes to ``errors``."""
    out: list[tuple[int, str, bool, str, tuple, str | None, str]] = []
    n = len(body)
    i = 0
    line = 1
    line_start = 0
    counted_to = 0  # line is the number of the line that holds position counted_to
    prose_from = 0  # where the prose before the next span starts (paragraph start or previous span end)
    in_code = False
    section: list[tuple[int, str, int]] = []
    written: list[int] = []  # the Markdown level each open heading was written at
    mark: str | None = None
    is_tex = "\\begin{document}" in body[:20000] or "\\documentclass" in body[:2000]

    def advance(to: int) -> None:
        nonlocal line, counted_to, line_start
        if to > counted_to:
            k = body.count("\n", counted_to, to)
            if k:
                line += k
                line_start = body.rfind("\n", counted_to, to) + 1
            counted_to = to

    def prose(a: int, b: int) -> str:
        a = max(a, b - PROSE_KEPT)
        return body[a:b].replace("\n", " ")

    def add(start: int, latex: str, display: bool, end: int) -> None:
        advance(start)
        nl = body.find("\n", end)
        after = body[end:nl if nl >= 0 and nl - end < PROSE_KEPT else min(n, end + PROSE_KEPT)]
        out.append((line, latex, display, prose(prose_from, start), tuple(section), mark, after.replace("\n", " ")))

    while i < n:
        c = body[i]
        if i == line_start or (c == "\n"):
            if c == "\n":
                i += 1
                advance(i)
                continue
            # at the start of a line: code fences, headings, role marks, TeX comments
            eol = body.find("\n", i)
            eol = n if eol < 0 else eol
            text = body[i:eol]
            if text.lstrip().startswith("```"):
                in_code = not in_code
                i = eol
                continue
            if in_code:
                i = eol
                continue
            r = _role_mark(text)
            if r is not None or text.strip().startswith("<!-- derive:"):
                mark = r
                i = eol
                continue
            if is_tex and text.lstrip().startswith("%"):
                i = eol
                continue
            h = _heading(text)
            if h is not None:
                wrote, title = h
                level = _nested_level(wrote, title, section)
                if level == wrote and _sibling_level(title, section) is None:
                    level = _shifted_level(wrote, section, written)
                while section and section[-1][0] >= level:
                    section.pop()
                    written.pop()
                section.append((level, title[:120], line))
                written.append(wrote)
                prose_from = eol
                i = eol
                continue
        if in_code:
            i += 1
            continue
        if c == "%" and is_tex and (i == 0 or body[i - 1] != "\\"):
            eol = body.find("\n", i)
            i = n if eol < 0 else eol
            continue
        if c == "\\" and i + 1 < n and body[i + 1] == "$":
            i += 2
            continue
        opened = _close_of(body, i) if c in "$\\" else None
        if opened is not None:
            close, width, kind = opened
            end = body.find(close, i + width)
            if end < 0:
                advance(i)
                if errors is not None:
                    errors.append({"line": line, "column": i - line_start + 1,
                                   "message": f"{body[i:i + width]} opened here is never closed; "
                                              "the rest of the file is not read"})
                    return out
                raise DeriveError(f"line {line}: {body[i:i + width]} is never closed")
            inner = body[i + width:end]
            rows = _inner_rows(inner) if kind == "display" else None
            if rows is not None:  # $$\begin{aligned} a &= b \\ &= c \end{aligned}$$: rows, as an align
                advance(i)
                for ln, row in _split_rows(rows[1], line + rows[0], True):
                    out.append((ln, row, True, prose(prose_from, i), tuple(section), mark, ""))
            elif kind == "display":
                add(i, inner, True, end + len(close))
            else:
                advance(i)
                start_line = line
                inner = _strip_labels(inner)
                for ln, row in _split_rows(inner, start_line, kind.startswith(_MULTI_ROW)):
                    out.append((ln, row, True, prose(prose_from, i), tuple(section), mark, ""))
            mark = None
            i = end + len(close)
            prose_from = i
            continue
        if c == "$":
            end = i + 1
            while end < n and body[end] != "$":
                if body[end] == "\\":
                    end += 1
                elif body[end] == "\n" and body[end + 1:end + 2] == "\n":
                    break  # an unmatched $ does not swallow paragraphs
                end += 1
            if end < n and body[end] == "$":
                add(i, body[i + 1:end], False, end + 1)
                mark = None
                i = end + 1
                prose_from = i
                continue
        i += 1
    return out


_INNER_ENVS = ("aligned", "split", "gathered", "alignedat", "align", "align*", "gather", "gather*")


def _inner_rows(inner: str) -> tuple[int, str] | None:
    """``(newlines before it, body)`` when a display block is one multi-row environment."""
    t = inner.strip()
    for env in _INNER_ENVS:
        head, tail = f"\\begin{{{env}}}", f"\\end{{{env}}}"
        if t.startswith(head) and t.endswith(tail) and t.count("\\begin{") == 1 + t[len(head):].count("\\begin{"):
            lead = inner[:inner.index(head)].count("\n")
            body = t[len(head):len(t) - len(tail)]
            if env == "alignedat" and body.startswith("{"):
                body = body[body.index("}") + 1:]
            return lead, _strip_labels(body)
    return None


def _strip_labels(inner: str) -> str:
    out, k = [], 0
    while True:
        j = inner.find("\\label{", k)
        if j < 0:
            out.append(inner[k:])
            return "".join(out)
        e = inner.find("}", j)
        if e < 0:
            out.append(inner[k:])
            return "".join(out)
        out.append(inner[k:j])
        k = e + 1


def _split_rows(inner: str, line: int, multi: bool) -> list[tuple[int, str]]:
    """An align environment: rows continuing a chain (starting with &=) are joined."""
    if not multi:
        return [(line, inner)]
    out: list[tuple[int, str]] = []
    ln = line
    for part in _rows(inner):
        row_line = ln + part[:len(part) - len(part.lstrip())].count("\n")  # where its text starts
        ln += part.count("\n")
        text = part.strip()
        if text.startswith("[") and "]" in text[:12]:  # \\[2pt]
            text = text[text.index("]") + 1:].strip()
        if not text:
            continue
        bare = text.replace("&", "").strip()
        if out and (bare.startswith(("=", "\\le", "\\ge", "\\approx", "<", ">", "\\equiv", "+", "-"))):
            prev = out[-1]
            out[-1] = (prev[0], prev[1] + " " + bare)
        else:
            out.append((row_line, bare))
    return out


def _rows(inner: str) -> list[str]:
    """Rows of an environment, cut at ``\\\\`` outside braces (matrices inside stay whole)."""
    rows, depth, start, k = [], 0, 0, 0
    env_depth = 0
    while k < len(inner):
        if inner.startswith("\\begin{", k):
            env_depth += 1
        elif inner.startswith("\\end{", k):
            env_depth = max(0, env_depth - 1)
        c = inner[k]
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c == "\\" and inner.startswith("\\\\", k):
            if depth == 0 and env_depth == 0:
                rows.append(inner[start:k])
                start = k + 2
            k += 2
            continue
        k += 1
    rows.append(inner[start:])
    return rows


def clean_math(latex: str) -> str:
    """Drop item labels such as "3. a)" that hand-written notes put inside math."""
    text = latex.strip()
    m = re.match(r"(?:\d{1,3}\s*\.\s*)?\(?[a-z]\)\s*", text[:16])
    if m and m.end() > 0 and re.match(r"(?:\d{1,3}\s*\.|\(?[a-z]\))", text[:8]):
        text = text[m.end():]
    return text


def ends_with_word(prose: str, words: tuple[str, ...]) -> str | None:
    """The word of ``words`` that ``prose`` (already stripped) ends with as a whole word, the
    longest first; None when there is none.  (The roles stage reads prose with it too.)"""
    low = prose.lower()
    for w in sorted(words, key=len, reverse=True):
        if low.endswith(w) and (len(low) == len(w) or not low[-len(w) - 1].isalpha()):
            return w
    return None


def _is_condition_join(between: str) -> bool:
    """``$..$ for $..$``, ``$..$, when $..$``: the prose between two spans makes the second
    one the first one's condition."""
    t = between.strip()
    if t.startswith(","):
        t = t[1:].strip()
    return t.lower() in _CONDITION_WORDS


def _is_range(latex: str) -> bool:
    r"""``\ell = 1, \dots, L`` / ``t = 1, 2, \ldots, T``: an index running over a range."""
    from .statements import is_condition_text

    t = latex.strip()
    return ("\\dots" in t or "\\ldots" in t or "\\cdots" in t) and t.count("=") == 1 \
        and is_condition_text(t.replace("\\ldots", "\\dots").replace("\\cdots", "\\dots"), allow_eq=True)


def looks_like_condition(latex: str) -> bool:
    r"""An index range such as ``\ell \ge 1``, ``t = 1, \dots, T`` or ``1 \le k \le n``."""
    from .statements import is_condition_text

    return is_condition_text(latex.strip())


def read_document(path: str | Path, text: str | None = None) -> Document:
    """Read a document into front matter and spans (no math is interpreted here)."""
    if text is None:
        text = read_text_bounded(path, MAX_FILE_BYTES)
    text = text.replace("\r\n", "\n")
    front, where, body, _ = read_front_matter(text)
    claims: list[Claim] = []
    errors: list[dict[str, object]] = []
    carry = ""  # prose and relation-free math since the last span kept
    for line, latex, display, before, section, mark, after in extract_math(body, errors):
        latex = clean_math(latex)
        if not latex:
            continue
        context = (carry + before)[-CONTEXT_KEPT:]
        before = context[-PROSE_KEPT:]
        rel = has_relation(latex)
        if display and not rel and claims and latex.lstrip().startswith(("+", "-", "−")) and claims[-1].display:
            claims[-1].latex += " " + latex
            claims[-1].continued.append(line)
            continue
        if not rel:
            carry = (context + " $" + latex[:200] + "$ ")[-CONTEXT_KEPT:]
            continue
        carry = ""
        if (not display and claims and claims[-1].line == line and _is_condition_join(before[-40:])
                and (looks_like_condition(latex) or _is_range(latex))):
            # "$K_\ell = C A^{\ell-1} B$ for $\ell \ge 1$": the second span is the first one's
            # condition, in the same form split_statements reads inside one span
            claims[-1].latex += r" \quad \text{for } " + latex
            continue
        stripped = before.rstrip()
        binding = (not display) and ends_with_word(stripped, _BINDING_WORDS) is not None
        claims.append(Claim(line=line, latex=latex, display=display, binding=binding, prose=before,
                            section=section, role=mark, after=after, context=context))
    return Document(path=str(path), front=front, claims=claims, front_lines=where, errors=errors)
