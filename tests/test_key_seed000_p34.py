"""The answer key of seed 000, lines 456-909 (Problems 3 and 4): well formed, faithful, complete, checked.

The key (tests/keys/seed000_p34.json) was written from the mathematics before the document
checker ran on it; its numeric checks live in tests/keys/verify_seed000_p34.py and never
import derive.  These tests run every check, and hold the key to the source text: each
statement's LaTeX is copied from its line, and every math span there that holds a relation
is covered by at least one statement.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
KEY = HERE / "keys" / "seed000_p34.json"
VERIFY = HERE / "keys" / "verify_seed000_p34.py"
FIRST, LAST = 456, 909
SEED = next((p / "shared" / "seeds" / "000_80f9949d48b7a298.txt" for p in HERE.parents
             if (p / "shared" / "seeds" / "000_80f9949d48b7a298.txt").exists()), HERE / "missing")

JUDGED = {"claim", "step", "solution", "answer"}
UNJUDGED = {"definition", "hypothesis", "approximation", "asymptotic"}
# relation symbols a statement can hang on; \top and \to differ by the letter after \to
_RELATION = re.compile(r"=|<|>|\\(?:ne|neq|le|leq|ge|geq|approx|in|equiv|to|sim|leftarrow|rightarrow|Rightarrow)(?![a-zA-Z])")
_LIMIT = re.compile(r"[_^]\{[^{}]*\}")  # sum limits and set indices: \sum_{i=1}^m, \{..\}_{i=1}^t


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _key() -> dict:
    return json.loads(KEY.read_text(encoding="utf-8"))


def _verify_module():
    spec = importlib.util.spec_from_file_location("verify_seed000_p34", VERIFY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _checks(module) -> dict:
    return {name: fn for name, fn in inspect.getmembers(module, inspect.isfunction)
            if not name.startswith("_") and fn.__module__ == module.__name__}


def test_key_is_well_formed():
    key = _key()
    assert key["written_before_checker"] is True
    assert key["document"].endswith("000_80f9949d48b7a298.txt")
    lines = [st["line"] for st in key["statements"]]
    assert lines == sorted(lines) and FIRST <= lines[0] and lines[-1] <= LAST
    for st in key["statements"]:
        assert set(st) == {"line", "latex", "role", "truth", "why", "check"}, st
        assert st["role"] in JUDGED | UNJUDGED, st
        if st["role"] in JUDGED:
            assert isinstance(st["truth"], bool), st
        else:
            assert st["truth"] is None, st
        assert st["why"].strip() and st["check"].strip(), st


def test_every_check_exists_and_false_ones_are_numeric():
    names = set(_checks(_verify_module()))
    for st in _key()["statements"]:
        if st["check"].startswith("hand:"):
            assert st["truth"] is not False, f"a false statement needs a numeric check: {st}"
        else:
            assert st["check"] in names, st["check"]
    assert any(st["truth"] is False for st in _key()["statements"])


def test_verify_module_is_independent_of_derive():
    source = VERIFY.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+derive\b", source, re.M)


@pytest.mark.parametrize("name", sorted(_checks(_verify_module())))
def test_check_confirms_the_key(name):
    assert _checks(_verify_module())[name]() is True


def _spans(text: str):
    for m in re.finditer(r"\$\$(.+?)\$\$|\$(.+?)\$", text):
        yield (m.group(1) or m.group(2)).strip()


@pytest.mark.skipif(not SEED.exists(), reason="shared seeds not present")
def test_key_is_faithful_and_complete():
    source = SEED.read_text(encoding="utf-8").split("\n")
    by_line: dict[int, list[str]] = {}
    for st in _key()["statements"]:
        by_line.setdefault(st["line"], []).append(_squash(st["latex"]))
    for line, latexes in by_line.items():
        spans = [_squash(s) for s in _spans(source[line - 1])]
        for latex in latexes:
            assert any(latex in span for span in spans), f"line {line}: {latex!r} not in the source"
    missing = []
    for line in range(FIRST, LAST + 1):
        unused = list(by_line.get(line, []))
        for span in _spans(source[line - 1]):
            if not _RELATION.search(_LIMIT.sub("", span)):
                continue
            whole = _squash(span)
            hit = whole if whole in unused else next((x for x in unused if x in whole), None)
            if hit is None:
                missing.append((line, span))
            else:
                unused.remove(hit)  # a span repeated on one line needs its own entry
    assert not missing, missing
