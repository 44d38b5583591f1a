"""The hand-derivation sets and their answer keys: the development corpus
(tests/fixtures/documents/) and the held-out set (tests/fixtures/heldout/H1..H6).

The held-out documents were written after the corpus, on models it does not cover, and measure
the checker on text it was not tuned for (benchmarks/score_check.py). Every key was written from
the mathematics and committed before `derive check` ran on its documents; the functions in
tests/keys/verify_documents.py and verify_heldout.py confirm every judged verdict numerically
and independently (they never import derive). This test runs them and checks that the keys are
well-formed and point at the text they describe."""
import importlib.util
import inspect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent
JUDGED = {"claim", "step", "solution", "answer"}
UNJUDGED = {"definition", "hypothesis", "approximation", "asymptotic"}


@dataclass(frozen=True)
class KeySet:
    name: str
    documents: Path
    verify_path: Path

    @property
    def verify(self) -> ModuleType:
        return _VERIFY[self.name]

    @property
    def keys(self) -> dict:
        return {p.name[: -len(".key.json")]: json.loads(p.read_text()) for p in sorted(self.documents.glob("*.key.json"))}


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORPUS = KeySet("corpus", ROOT / "fixtures" / "documents", ROOT / "keys" / "verify_documents.py")
HELDOUT = KeySet("heldout", ROOT / "fixtures" / "heldout", ROOT / "keys" / "verify_heldout.py")
SETS = (CORPUS, HELDOUT)
_VERIFY = {s.name: _load(s.verify_path) for s in SETS}
DOCS = [(s, name) for s in SETS for name in sorted(s.keys)]
NUMERIC = sorted({(s.name, check, st["truth"]) for s in SETS for key in s.keys.values() for st in key["statements"]
                  for check in [st["check"]] if not check.startswith("hand:")})
BY_NAME = {s.name: s for s in SETS}


def _squeeze(text):
    return re.sub(r"\s+", "", text)


def _ids(pairs):
    return [f"{s.name}-{name}" for s, name in pairs]


def test_corpus_has_enough_documents_each_with_its_key():
    documents = sorted(p.stem for p in CORPUS.documents.glob("*.md"))
    assert len(documents) >= 10
    assert documents == sorted(CORPUS.keys)
    for name in documents:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+", name), name


def test_heldout_set_has_six_documents_each_with_its_key():
    documents = sorted(p.stem for p in HELDOUT.documents.glob("*.md"))
    assert len(documents) == 6
    assert documents == sorted(HELDOUT.keys)
    for number, name in enumerate(documents, start=1):
        assert re.fullmatch(rf"H{number}_[a-z0-9_]+", name), name


@pytest.mark.parametrize("keyset,name", DOCS, ids=_ids(DOCS))
def test_key_is_well_formed(keyset, name):
    key = keyset.keys[name]
    assert key["written_before_checker"] is True
    assert (ROOT.parent / key["document"]).resolve() == (keyset.documents / f"{name}.md").resolve()
    statements = key["statements"]
    judged = [s for s in statements if s["role"] in JUDGED]
    if keyset is CORPUS:
        assert len(statements) >= 6
        assert len(judged) >= 6, "each document makes at least six judged statements"
    else:
        assert 8 <= len(judged) <= 15, "each document makes 8 to 15 judged statements"
        assert sum(s["truth"] is True for s in judged) > sum(s["truth"] is False for s in judged)
    assert sum(s["truth"] is False for s in judged) >= 2, "each document plants at least two errors"
    lines = [s["line"] for s in statements]
    assert lines == sorted(lines), "statements are listed in document order"
    for s in statements:
        assert set(s) == {"line", "latex", "role", "truth", "why", "check"}, s
        assert s["role"] in JUDGED | UNJUDGED, s
        assert s["why"].strip(), s
        if s["role"] in JUDGED:
            assert isinstance(s["truth"], bool), s
            # every judged verdict, true or false, is backed by a numeric check
            assert callable(getattr(keyset.verify, s["check"], None)), s
        else:
            assert s["truth"] is None, s
            if keyset is HELDOUT:
                assert s["check"].startswith("hand:"), s


@pytest.mark.parametrize("keyset,name", DOCS, ids=_ids(DOCS))
def test_key_statements_occur_at_their_lines(keyset, name):
    lines = (keyset.documents / f"{name}.md").read_text().splitlines()
    for s in keyset.keys[name]["statements"]:
        assert 1 <= s["line"] <= len(lines), s
        assert _squeeze(s["latex"]) in _squeeze(lines[s["line"] - 1]), s


@pytest.mark.parametrize("keyset", SETS, ids=[s.name for s in SETS])
def test_checks_are_one_per_judged_statement_and_none_is_orphaned(keyset):
    names = [check for set_name, check, _ in NUMERIC if set_name == keyset.name]
    assert len(names) == len(set(names)), "a check function serves exactly one statement"
    defined = {n for n, f in inspect.getmembers(keyset.verify, inspect.isfunction)
               if not n.startswith("_") and n != "verdict" and f.__module__ == keyset.verify.__name__}
    assert defined == set(names)


@pytest.mark.parametrize("keyset", SETS, ids=[s.name for s in SETS])
def test_verification_is_independent_of_derive(keyset):
    source = keyset.verify_path.read_text()
    assert not re.search(r"^\s*(import|from)\s+derive\b", source, re.MULTILINE)


@pytest.mark.parametrize("set_name,check,truth", NUMERIC, ids=[f"{s}-{c}" for s, c, _ in NUMERIC])
def test_check_confirms_key_verdict(set_name, check, truth):
    # Each function returns True exactly when the verdict it records is confirmed, and
    # that verdict must be the key's: flipping a truth in a key fails here.
    function = getattr(BY_NAME[set_name].verify, check)
    assert function.verdict is truth
    assert function() is True
