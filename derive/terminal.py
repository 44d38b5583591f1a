"""Untrusted text (file names, claim text, error messages quoting either) made safe for a terminal.

A submission may hold escape sequences that erase rows, hide later output (ESC[8m) or set
the window title of the grader's terminal.  Everything shown on a terminal goes through
:func:`safe_text`; JSON output is not escaped (its encoder already quotes control
characters, and it must stay exact).
"""

from __future__ import annotations

import unicodedata

# C0 and C1 controls, DEL, and the format characters that reorder or hide text (bidi
# overrides, zero-width joiners): each is shown as a visible escape instead.
_KEEP = {"\n", "\t"}


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _unsafe(ch: str, keep_newlines: bool) -> bool:
    if ch in _KEEP:
        return not keep_newlines if ch == "\n" else False
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def safe_text(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every control or format character written as ``\\xNN`` / ``\\uNNNN``
    (newlines too, unless ``keep_newlines``; tabs stay).  A backslash is left alone: the
    result is for reading, not for parsing back."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(_escape(ch) if _unsafe(ch, keep_newlines) else ch for ch in s)
