"""The held-out hand-derivation set (tests/fixtures/heldout/H1..H6) and its answer keys.

These documents were written after the development corpus (tests/fixtures/documents/), on
models that corpus does not cover, and their keys were written from the mathematics and
committed before `derive check` ran on them; they measure the checker on text it was not
tuned for (benchmarks/score_check.py). The functions in tests/keys/verify_heldout.py confirm
every judged verdict numerically and independently (they never import derive). This test runs
them and checks that the keys are well-formed and point at the text they describe."""
import importlib.util
import inspect
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
DOCUMENTS = ROOT / "fixtures" / "heldout"
VERIFY = ROOT / "keys" / "verify_heldout.py"

JUDGED = {"claim", "step", "solution", "answer"}
UNJUDGED = {"definition", "hypothesis", "approximation", "asymptotic"}


def _load_verify():
    spec = importlib.util.spec_from_file_location("verify_heldout", VERIFY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verify = _load_verify()
KEYS = {path.name[: -len(".key.json")]: json.loads(path.read_text()) for path in sorted(DOCUMENTS.glob("*.key.json"))}
NUMERIC = sorted({(name, s["check"], s["truth"]) for name, key in KEYS.items() for s in key["statements"]
                  if not s["check"].startswith("hand:")})


def _squeeze(text):
    return re.sub(r"\s+", "", text)


def test_heldout_set_has_six_documents_each_with_its_key():
    documents = sorted(p.stem for p in DOCUMENTS.glob("*.md"))
    assert len(documents) == 6
    assert documents == sorted(KEYS)
    for number, name in enumerate(documents, start=1):
        assert re.fullmatch(rf"H{number}_[a-z0-9_]+", name), name


@pytest.mark.parametrize("name", sorted(KEYS))
def test_key_is_well_formed(name):
    key = KEYS[name]
    assert key["written_before_checker"] is True
    assert (ROOT.parent / key["document"]).resolve() == (DOCUMENTS / f"{name}.md").resolve()
    statements = key["statements"]
    judged = [s for s in statements if s["role"] in JUDGED]
    assert 8 <= len(judged) <= 15, "each document makes 8 to 15 judged statements"
    assert sum(s["truth"] is False for s in judged) >= 2, "each document plants at least two errors"
    assert sum(s["truth"] is True for s in judged) > sum(s["truth"] is False for s in judged)
    lines = [s["line"] for s in statements]
    assert lines == sorted(lines), "statements are listed in document order"
    for s in statements:
        assert set(s) == {"line", "latex", "role", "truth", "why", "check"}, s
        assert s["role"] in JUDGED | UNJUDGED, s
        assert s["why"].strip(), s
        if s["role"] in JUDGED:
            assert isinstance(s["truth"], bool), s
            assert hasattr(verify, s["check"]) and callable(getattr(verify, s["check"])), s
        else:
            assert s["truth"] is None, s
            assert s["check"].startswith("hand:"), s


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
