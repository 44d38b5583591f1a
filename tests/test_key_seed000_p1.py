"""The answer key for seed 000, Problem 1 (lines 1-455): its numeric checks hold, every check it
names exists, its text is copied from the seed, and no relation in the range is left out."""

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import mpmath as mp
import pytest

HERE = Path(__file__).resolve().parent
KEY = HERE / "keys" / "seed000_p1.json"
LAST_LINE = 455
ROLES = {"definition", "hypothesis", "claim", "step", "solution", "answer", "approximation", "asymptotic"}
JUDGED = {"claim", "step", "solution", "answer"}
SEED = next((p / "shared" / "seeds" / "000_80f9949d48b7a298.txt" for p in HERE.parents
             if (p / "shared" / "seeds" / "000_80f9949d48b7a298.txt").exists()), HERE / "missing")
needs_seed = pytest.mark.skipif(not SEED.exists(), reason="shared seeds not present")


def _verify_module():
    spec = importlib.util.spec_from_file_location("verify_seed000_p1", HERE / "keys" / "verify_seed000_p1.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VERIFY = _verify_module()
STATEMENTS = json.loads(KEY.read_text())["statements"]
CHECKS = sorted(name for name in vars(VERIFY) if name.startswith("p1") and callable(getattr(VERIFY, name)))


def test_key_header():
    key = json.loads(KEY.read_text())
    assert key["written_before_checker"] is True
    assert key["document"].endswith("000_80f9949d48b7a298.txt")


@pytest.mark.parametrize("name", CHECKS)
def test_check_confirms_the_key(name):
    import mpmath

    with mpmath.workdps(VERIFY.DPS):  # other tests may leave the global precision lower
        assert getattr(VERIFY, name)() is True


def test_every_named_check_exists_and_every_check_is_used():
    named = {s["check"] for s in STATEMENTS if not s["check"].startswith("hand: ")}
    assert named <= set(CHECKS), named - set(CHECKS)
    assert set(CHECKS) <= named, set(CHECKS) - named


def test_entries_are_well_formed():
    for s in STATEMENTS:
        assert s["role"] in ROLES, s
        assert 1 <= s["line"] <= LAST_LINE, s
        assert s["why"].strip(), s
        if s["role"] in JUDGED:
            assert s["truth"] in (True, False), s
        else:
            assert s["truth"] is None, s
        if s["truth"] is False:
            assert not s["check"].startswith("hand: "), s


def test_the_known_slip_is_in_the_key_as_false():
    # line 182 writes the first-half entry C A^{j'} B where the second-half entry C M A^{j'} B is meant
    false = [(s["line"], s["latex"]) for s in STATEMENTS if s["truth"] is False]
    assert (182, "CA^{j'}B = (CM)(A^{j'}B)") in false


def test_the_references_can_fail():
    # the convolution reference tells the spine's kernel from the off-by-one C A^l B
    rng, A, B, C, D = VERIFY._system(50)
    L = 5
    us = VERIFY._inputs(rng, L + 1)
    ys, _ = VERIFY._simulate(A, B, C, D, us)
    shifted = [D] + [C * VERIFY._pow(A, ell) * B for ell in range(1, L + 1)]
    conv = [sum((shifted[ell] * us[k - ell] for ell in range(k + 1)), mp.zeros(1, 1)) for k in range(L + 1)]
    assert not all(VERIFY._close(ys[k], conv[k]) for k in range(L + 1))


RELATION = re.compile(r"[=<>]|\\(?:neq?|leq?|geq?|approx|in|equiv|to|sim|ll|gg|leftarrow)(?![a-zA-Z])")


def _relation_spans(text):
    """(line, body) of every $..$ / $$..$$ span in lines 1..LAST_LINE that holds a relation."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    out = []
    for m in re.finditer(r"\$\$(.+?)\$\$|\$(.+?)\$", text, re.S):
        line = next(i for i, s in enumerate(starts) if s > m.start())
        if line > LAST_LINE:
            break
        body = m.group(1) if m.group(1) is not None else m.group(2)
        if RELATION.search(body):
            out.append((line, body))
    return out


def _squash(s):
    return re.sub(r"\s+", "", s)


@needs_seed
def test_latex_is_copied_from_its_line():
    lines = SEED.read_text().split("\n")
    wanted = Counter((s["line"], s["latex"]) for s in STATEMENTS)
    for (line, latex), count in wanted.items():
        assert lines[line - 1].count(latex) >= count, (line, latex)


@needs_seed
def test_no_relation_in_the_range_is_left_out():
    by_line = {}
    for s in STATEMENTS:
        by_line.setdefault(s["line"], []).append(_squash(s["latex"]))
    spans = Counter((line, _squash(body)) for line, body in _relation_spans(SEED.read_text()))
    missing = []
    for (line, body), count in spans.items():
        entries = by_line.get(line, [])
        whole = entries.count(body)
        # a span holding several relations (`a = b, \quad c = d`) is covered by its parts
        rest = body
        for part in (e for e in entries if e != body and e in body):
            rest = rest.replace(part, "", 1)
        if whole < count and (rest == body or RELATION.search(rest)):
            missing.append((line, body, rest))
    assert not missing, missing
    assert len(_relation_spans(SEED.read_text())) >= 180
