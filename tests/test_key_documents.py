"""The hand-derivation corpus (tests/fixtures/documents/) and its answer keys.

Each key was written from the mathematics before any checker ran on the documents; the
verification functions in tests/keys/verify_documents.py confirm every judged verdict
numerically and independently (they never import derive). This test runs them and checks
that the keys are well-formed and point at the text they describe."""
import importlib.util
import inspect
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
DOCUMENTS = ROOT / "fixtures" / "documents"
VERIFY = ROOT / "keys" / "verify_documents.py"

JUDGED = {"claim", "step", "solution", "answer"}
UNJUDGED = {"definition", "hypothesis", "approximation", "asymptotic"}


def _load_verify():
    spec = importlib.util.spec_from_file_location("verify_documents", VERIFY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verify = _load_verify()
KEYS = {path.name[: -len(".key.json")]: json.loads(path.read_text()) for path in sorted(DOCUMENTS.glob("*.key.json"))}
NUMERIC = sorted({(name, s["check"], s["truth"]) for name, key in KEYS.items() for s in key["statements"]
                  if not s["check"].startswith("hand:")})


def _squeeze(text):
    return re.sub(r"\s+", "", text)


def test_corpus_has_enough_documents_each_with_its_key():
    documents = sorted(p.stem for p in DOCUMENTS.glob("*.md"))
    assert len(documents) >= 10
    assert documents == sorted(KEYS)
    for name in documents:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+", name), name


@pytest.mark.parametrize("name", sorted(KEYS))
def test_key_is_well_formed(name):
    key = KEYS[name]
    assert key["written_before_checker"] is True
    assert (ROOT.parent / key["document"]).resolve() == (DOCUMENTS / f"{name}.md").resolve()
    statements = key["statements"]
    assert len(statements) >= 6
    judged = [s for s in statements if s["role"] in JUDGED]
    assert len(judged) >= 6, "each document makes at least six judged statements"
    assert sum(s["truth"] is False for s in judged) >= 2, "each document plants at least two errors"
    lines = [s["line"] for s in statements]
    assert lines == sorted(lines), "statements are listed in document order"
    for s in statements:
        assert set(s) == {"line", "latex", "role", "truth", "why", "check"}, s
        assert s["role"] in JUDGED | UNJUDGED, s
        assert s["why"].strip(), s
        if s["role"] in JUDGED:
            assert isinstance(s["truth"], bool), s
            # Every judged verdict, true or false, is backed by a numeric check.
            assert hasattr(verify, s["check"]) and callable(getattr(verify, s["check"])), s
        else:
            assert s["truth"] is None, s


@pytest.mark.parametrize("name", sorted(KEYS))
def test_key_statements_occur_at_their_lines(name):
    lines = (DOCUMENTS / f"{name}.md").read_text().splitlines()
    for s in KEYS[name]["statements"]:
        assert 1 <= s["line"] <= len(lines), s
        assert _squeeze(s["latex"]) in _squeeze(lines[s["line"] - 1]), s


def test_checks_are_one_per_judged_statement_and_none_is_orphaned():
    names = [check for _, check, _ in NUMERIC]
    assert len(names) == len(set(names)), "a check function serves exactly one statement"
    defined = {n for n, f in inspect.getmembers(verify, inspect.isfunction)
               if not n.startswith("_") and n != "verdict" and f.__module__ == verify.__name__}
    assert defined == set(names)


def test_verification_is_independent_of_derive():
    source = VERIFY.read_text()
    assert not re.search(r"^\s*(import|from)\s+derive\b", source, re.MULTILINE)


@pytest.mark.parametrize("name,check,truth", NUMERIC, ids=[c for _, c, _ in NUMERIC])
def test_check_confirms_key_verdict(name, check, truth):
    # Each function returns True exactly when the verdict it records is confirmed, and
    # that verdict must be the key's: flipping a truth in a key fails here.
    function = getattr(verify, check)
    assert function.verdict is truth
    assert function() is True
