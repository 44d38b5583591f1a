"""Restated names are claims; a later part may give a name its own meaning (issue 12).

"Roles are not an escape hatch": a name counts as newly defined only where nothing earlier
defines or determines it.  A name the part already defines, written again with a formula, is a
claim (judged against the definition).  A name that an earlier *sibling* part defined (its
binding does not reach this part) and that this part has not used yet is this part's to define:
"(c) the output is $o = \\dots$", then "(f) the prediction is $o = \\dots = \\dots$" with new data
-- the first link names it for (f), the links after it are judged.  The expectations are computed
from the mathematics of each small document (other letters than the fixtures).
"""

from __future__ import annotations

from pathlib import Path

from derive.commands.check import check_paths

JUDGED_TRUE = ("proved", "verified")


def _claims(tmp_path: Path, text: str) -> list[dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return check_paths([str(doc)], progress=False)["claims"]


def _one(claims: list[dict], latex: str, line: int | None = None) -> dict:
    found = [c for c in claims if c["latex"] == latex and (line is None or c["line"] == line)]
    assert len(found) == 1, [(c["line"], c["latex"], c["status"]) for c in claims]
    return found[0]


# (a) averages three numbers; (b) averages them again from a running sum c_r.  The mean of (b)
# is named anew there (m is (a)'s, whose binding does not reach (b)); c_3 = z_1 + z_2 + z_3.
_TWO_PARTS = ("# Means\n\n## (a) Batch\n\nLet $s = z_1 + z_2 + z_3$ and define $m = s / 3$.\n\n"
              "## (b) Streaming\n\nLet $c_r = c_{{r-1}} + z_r$, with $c_0 = 0$.\n\n"
              "The mean of the first three items is $m = c_3 / 3 = {rhs}$.\n\n"
              "Then $m = {again}$.\n")


def test_a_name_an_earlier_part_defined_is_named_anew_and_its_links_judged(tmp_path):
    claims = _claims(tmp_path, _TWO_PARTS.format(rhs="(z_1 + z_2 + z_3)/3", again="c_3/3"))
    chain = _one(claims, "m = c_3 / 3 = (z_1 + z_2 + z_3)/3")
    assert chain["role"] == "claim" and chain["status"] in JUDGED_TRUE  # c_3/3 = (z_1+z_2+z_3)/3
    # "Then m = c_3/3": m is (b)'s now, so the restatement is judged, and true
    again = _one(claims, "m = c_3/3")
    assert again["role"] in ("claim", "step") and again["status"] in JUDGED_TRUE


def test_a_wrong_link_after_the_new_name_is_refuted(tmp_path):
    # c_3 / 3 = (z_1 + z_2 + z_3)/2 fails whenever the sum is not 0
    claims = _claims(tmp_path, _TWO_PARTS.format(rhs="(z_1 + z_2 + z_3)/2", again="c_3/3"))
    assert _one(claims, "m = c_3 / 3 = (z_1 + z_2 + z_3)/2")["status"] == "refuted"


def test_a_wrong_restatement_of_the_new_name_is_refuted(tmp_path):
    # m = c_3/3 in (b); "Then m = c_3/2" is a claim about m, false unless c_3 = 0
    claims = _claims(tmp_path, _TWO_PARTS.format(rhs="(z_1 + z_2 + z_3)/3", again="c_3/2"))
    wrong = _one(claims, "m = c_3/2")
    assert wrong["role"] in ("claim", "step") and wrong["status"] == "refuted"


def test_a_name_the_part_already_used_is_not_named_anew(tmp_path):
    # (b) uses m in a claim before the formula: the formula is then a claim about it, never a definition
    text = ("# Means\n\n## (a) Batch\n\nLet $s = z_1 + z_2 + z_3$ and define $m = s / 3$.\n\n"
            "## (b) Streaming\n\nWe have $3 m = z_1 + z_2 + z_3$.\n\n"
            "The mean of the first three items is $m = (z_1 + z_2)/3$.\n")
    later = _one(_claims(tmp_path, text), "m = (z_1 + z_2)/3")
    assert later["role"] != "definition" and later["status"] not in JUDGED_TRUE


def test_a_genuinely_new_name_is_still_defined(tmp_path):
    # u_r is new in (b): a definition, never judged; the claim built on it is then verified
    claims = _claims(tmp_path, _TWO_PARTS.format(rhs="(z_1 + z_2 + z_3)/3", again="c_3/3")
                     + "\nLet $u_r = 2 z_r$. Then $u_1 + u_2 = 2 (z_1 + z_2)$.\n")
    new = _one(claims, "u_r = 2 z_r")
    assert new["role"] == "definition" and new["status"] == "defined"
    assert _one(claims, "u_1 + u_2 = 2 (z_1 + z_2)")["status"] in JUDGED_TRUE


def test_a_name_restated_in_its_own_part_is_a_claim(tmp_path):
    # q = a + b is defined; "so q = b + a" restates it (true); "so q = a - b" is wrong (b != 0)
    base = "# Sums\n\nLet $q = a + b$.\n\nSo $q = {rhs}$.\n"
    right = _one(_claims(tmp_path, base.format(rhs="b + a")), "q = b + a")
    assert right["role"] in ("claim", "step") and right["status"] in JUDGED_TRUE
    wrong = _one(_claims(tmp_path, base.format(rhs="a - b")), "q = a - b")
    assert wrong["status"] == "refuted"


def test_the_new_part_may_give_the_name_another_meaning(tmp_path):
    # (b) names m the mean of the first two items: a meaning of its own, not (a)'s m = s/3; what
    # follows is judged against (b)'s meaning (c_2/2 = (z_1 + z_2)/2, and m = c_2/2 restated)
    text = ("# Means\n\n## (a) Batch\n\nLet $s = z_1 + z_2 + z_3$ and define $m = s / 3$.\n\n"
            "## (b) Streaming\n\nLet $c_r = c_{r-1} + z_r$, with $c_0 = 0$.\n\n"
            "The mean of the first two items is $m = c_2 / 2 = (z_1 + z_2)/2$.\n\n"
            "Then $m = c_2/2$, while $m = c_2/3$ would be wrong.\n")
    claims = _claims(tmp_path, text)
    assert _one(claims, "m = c_2 / 2 = (z_1 + z_2)/2")["status"] in JUDGED_TRUE
    assert _one(claims, "m = c_2/2")["status"] in JUDGED_TRUE
    assert _one(claims, "m = c_2/3")["status"] == "refuted"


# y is written as a sum of contributions gamma_k nothing determines (one equation does not fix
# three numbers); the first formula for them names them, and what follows is judged against it.
_OPEN = ("# Contributions\n\nLet $y = a_1 z_1 + a_2 z_2 + a_3 z_3$. We write $y = \\sum_{{k=1}}^{{3}} \\gamma_k$ "
         "with some contributions $\\gamma_k$.\n\n"
         "So the contribution of item $k$ is $\\gamma_k = a_k z_k$.\n\n"
         "Hence $\\gamma_1 + \\gamma_2 = {rhs}$.\n")


def test_coefficients_left_open_are_named_by_their_first_formula(tmp_path):
    claims = _claims(tmp_path, _OPEN.format(rhs="a_1 z_1 + a_2 z_2"))
    named = _one(claims, "\\gamma_k = a_k z_k")
    assert named["role"] == "definition" and named["status"] == "defined"
    assert _one(claims, "\\gamma_1 + \\gamma_2 = a_1 z_1 + a_2 z_2")["status"] in JUDGED_TRUE


def test_a_wrong_consequence_of_the_named_coefficients_is_refuted(tmp_path):
    # gamma_1 + gamma_2 = a_1 z_1 + a_2 z_2, not a_1 z_2 + a_2 z_1
    claims = _claims(tmp_path, _OPEN.format(rhs="a_1 z_2 + a_2 z_1"))
    assert _one(claims, "\\gamma_1 + \\gamma_2 = a_1 z_2 + a_2 z_1")["status"] == "refuted"


def test_coefficients_a_condition_constrains_are_not_left_open(tmp_path):
    # "assume sum_k gamma_k = 1": the condition constrains them, so a formula is a claim about them
    # (judged, never a definition), even though no single value follows
    text = ("# Contributions\n\nAssume $\\sum_{k=1}^{3} \\gamma_k = 1$.\n\n"
            "So the contribution of item $k$ is $\\gamma_k = a_k z_k$.\n")
    later = _one(_claims(tmp_path, text), "\\gamma_k = a_k z_k")
    assert later["role"] != "definition"


# A summary whose first item opens with labels and prose ("(a) i. The costs: ..."), then a bare
# "ii." item: that item is (a) ii., and restating (a) ii.'s set (c > 1, from 3c > c + 2) is judged so.
_SUMMARY = ("# Exercise\n\n## (a) Thresholds\n\n### i. Costs\n\nLet $p = 3c$ and $q = c + 2$.\n\n"
            "### ii. Where p exceeds q\n\nWe want $3c > c + 2$.\n\n$$2c > 2$$\n\nso $c > 1$.\n\n"
            "## (b) Other\n\n### ii. Another\n\nWe want $c + 5 > 2c$, so $c < 5$.\n\n"
            "## Summary\n\n(a) i. The costs: $p = 3c$ and $q = c + 2$.\n\nii. $c {rel}$.\n")


def test_a_bare_label_after_an_opening_label_names_the_sibling_part(tmp_path):
    claims = _claims(tmp_path, _SUMMARY.format(rel="> 1"))
    item = _one(claims, "c > 1", line=max(c["line"] for c in claims))
    assert item["role"] == "solution" and item["status"] in JUDGED_TRUE + ("proved",)


def test_a_summary_item_with_another_set_is_not_accepted(tmp_path):
    # c > 2 is not the set (a) ii. found (c > 1): never verified, never merely assumed
    claims = _claims(tmp_path, _SUMMARY.format(rel="> 2"))
    item = _one(claims, "c > 2")
    assert item["status"] not in ("proved", "verified", "assumed", "defined")


# "(b) i." in Problem 2's summary where Problem 2's (b) has no "i.": Problem 2's (b), never
# Problem 1's (b) i. (where w = 5); under Problem 2's (b), w = 2a.
_TWO_PROBLEMS = ("# Problem 1\n\n## (b) Scalars\n\n### i. Case\n\nLet $w = 5$.\n\n"
                 "# Problem 2\n\n## (b) Weights\n\nLet $w = 2 a$.\n\n"
                 "## Summary\n\n(b) i. $w = {rhs}$.\n")


def test_a_summary_label_stays_in_its_own_problem(tmp_path):
    item = _one(_claims(tmp_path, _TWO_PROBLEMS.format(rhs="2a")), "w = 2a")
    assert item["status"] in JUDGED_TRUE and "Problem 2" in item["section"]


def test_a_wrong_summary_item_is_refuted_in_its_own_problem(tmp_path):
    # w = 2a there, so w = 3a fails for every a != 0
    item = _one(_claims(tmp_path, _TWO_PROBLEMS.format(rhs="3a")), "w = 3a")
    assert item["status"] == "refuted" and "Problem 2" in item["section"]
