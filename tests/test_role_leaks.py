"""Role leaks: an identity listed after a condition is asserted (judged under it), not a new
hypothesis; a case value beside a range on one line does not govern the range's claim; part
labels in sequence are sibling sections whatever their heading levels.

Each document is written here in its own notation; the expected verdicts are computed from the
mathematics in the comments (not copied from the checker's output)."""

from __future__ import annotations

from pathlib import Path

from derive.commands.check import check_paths
from derive.claims.reader import read_document

GOOD = ("proved", "verified")


def _check(tmp_path: Path, text: str) -> dict[tuple[int, str], dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text)
    claims = check_paths([str(doc)], seed=0, progress=False)["claims"]
    return {(c["line"], c["latex"]): c for c in claims}


_INTRO = "# Powers\n\nTake a real number $r > 0$ and an integer $m \\geq 0$.\n\n"


def test_an_identity_listed_after_a_condition_is_judged(tmp_path):
    # r^m r^{-1} = r^{m-1} for every m (m >= 1 or not): true; r^m r^{-1} = r^{m+1} needs r^2 = 1: false
    claims = _check(tmp_path, _INTRO + r"For $m \geq 1$, $r^{m} r^{-1} = r^{m-1}$." "\n\n"
                    r"For $m \geq 1$, $r^{m} r^{-1} = r^{m+1}$." "\n")
    assert claims[(5, r"r^{m} r^{-1} = r^{m-1}")]["status"] in GOOD
    assert claims[(5, r"r^{m} r^{-1} = r^{m-1}")]["role"] == "claim"
    assert claims[(7, r"r^{m} r^{-1} = r^{m+1}")]["status"] == "refuted"


def test_an_identity_after_write_is_asserted(tmp_path):
    # r^{2m} = r^m r^m always; r^{2m} = r^m + r^m = 2 r^m fails for r = 3, m = 1 (9 != 6)
    claims = _check(tmp_path, _INTRO + r"Write $r^{2m} = r^{m} r^{m}$ for $r \neq 0$." "\n\n"
                    r"Write $r^{2m} = r^{m} + r^{m}$ for $r \neq 0$." "\n")
    assert claims[(5, r"r^{2m} = r^{m} r^{m}")]["status"] in GOOD
    assert claims[(7, r"r^{2m} = r^{m} + r^{m}")]["status"] not in GOOD
    assert claims[(7, r"r^{2m} = r^{m} + r^{m}")]["role"] == "claim"


def test_a_case_beside_a_range_on_one_line_does_not_govern_it(tmp_path):
    # "for m = 0 ... For m >= 1, r^m = r r^{m-1}": both cannot hold, so the claim is judged for m >= 1
    # (true for every m); r^m = r^{m-1} fails for r = 2, m = 1 (2 != 1)
    claims = _check(tmp_path, _INTRO + r"For $m = 0$ the power is one. For $m \geq 1$, $r^{m} = r \cdot r^{m-1}$."
                    "\n\n" r"For $m = 0$ the power is one. For $m \geq 1$, $r^{m} = r^{m-1}$." "\n")
    assert claims[(5, r"r^{m} = r \cdot r^{m-1}")]["status"] in GOOD
    assert claims[(7, r"r^{m} = r^{m-1}")]["status"] == "refuted"


def test_labelled_parts_written_deeper_are_siblings():
    doc = read_document("doc.md", "# Sheet\n\n## (a) One\n\nText $x = 1$.\n\n### (b) Two\n\nText $y = 2$.\n\n"
                    "#### (c) Three\n\nText $z = 3$.\n\n## Notes\n\n### i. First\n\nText $u = 1$.\n\n"
                    "#### ii. Second\n\nText $v = 2$.\n")
    sections = {c.latex: [t for _l, t, _n in c.section] for c in doc.claims}
    assert sections["y = 2"] == ["Sheet", "(b) Two"]
    assert sections["z = 3"] == ["Sheet", "(c) Three"]
    assert sections["v = 2"] == ["Sheet", "Notes", "ii. Second"]


def test_a_sibling_part_does_not_see_the_parts_before_it(tmp_path):
    # (a) sets h = c + 1; in (b), written one level deeper, h = 2^c: c = log_2 h holds there
    # (with (a)'s h = c + 1 in scope too, no c satisfies both for every draw); c = log_2 h + 1 is false
    claims = _check(tmp_path, "# Sizes\n\n## (a) Linear\n\nLet $h = c + 1$ for an integer $c > 0$.\n\n"
                    "### (b) Doubling\n\nNow let $h = 2^c$ for an integer $c > 0$. Then $c = \\log_2 h$.\n\n"
                    "Also $c = \\log_2 h + 1$.\n")
    assert claims[(9, r"c = \log_2 h")]["status"] in GOOD
    assert claims[(11, r"c = \log_2 h + 1")]["status"] == "refuted"
