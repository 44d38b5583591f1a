"""Solutions: an inequality solved for an unknown step by step, each line's solution set
compared with the condition it solves (derive/claims/solutions.py).

Every expected verdict below was computed from the mathematics before the checker ran:
* 3h - 1 < 0.5  <=>  3h < 1.5  <=>  h < 0.5; so "h < 0.25" loses the values 0.25 <= h < 0.5
  (a wrong solution: refuted when joined by "so"), and "h < 0.6" is a true consequence that is
  not the solution set (proved as implied by the line before, never refuted);
* S(A) = 4w - 1, S(B) = w + 0.5: S(A) >= S(B)  <=>  3w >= 1.5  <=>  w >= 0.5; "hence w >= 1"
  misses 0.5 <= w < 1 (refuted);
* r_1, r_2, r_3 = 6, 3, 9: r_j / (r_j + mu) >= 0.75  <=>  (mu > -r_j and) mu <= r_j / 3, which is
  mu <= 1 at j = 2; "mu <= 2" is not the set at the index the line names (undecided);
* a summary that restates a part's proved set takes its verdict; one that differs is not filed
  as an assumption;
* "Assume c > 0" stays a hypothesis; D >= 0 for a D the document defines is a claim about D.
"""
from __future__ import annotations

import sympy as sp

from derive.claims.solutions import relation_set, simple_set
from derive.claims.scope import Scope
from derive.claims.statements import split_statements
from derive.commands.check import check_paths


def _claims(tmp_path, text: str, name: str = "doc.md") -> list[dict]:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return check_paths([str(f)], progress=False)["claims"]


def _one(claims: list[dict], latex: str) -> dict:
    hits = [c for c in claims if c["latex"] == latex]
    assert len(hits) == 1, [(c["line"], c["latex"]) for c in claims]
    return hits[0]


def _tree(src: str):
    return split_statements(src)[0].tree


STEP_SIZE = """# Step size for a quadratic

## Stability

The iteration is stable when the step satisfies $3h - 1 < 0.5$, that is

$$3h < 1.5$$

$$h < 0.5$$
"""


def test_a_chain_of_equivalent_bounds_is_proved(tmp_path):
    claims = _claims(tmp_path, STEP_SIZE)
    assert _one(claims, "3h < 1.5")["status"] in ("proved", "verified")
    last = _one(claims, "h < 0.5")
    assert last["role"] == "solution"
    assert last["status"] == "proved", last["scope"]


def test_a_solution_that_loses_values_is_refuted(tmp_path):
    claims = _claims(tmp_path, STEP_SIZE.replace("$$h < 0.5$$", "so\n\n$$h < 0.25$$"))
    bad = _one(claims, "h < 0.25")
    assert bad["status"] == "refuted", bad["scope"]
    # h = 0.25 satisfies 3h < 1.5 but not h < 0.25
    assert sp.Rational(bad["counterexample"]["instance"]["h"]) == sp.Rational(1, 4)


def test_a_weaker_true_consequence_is_not_refuted(tmp_path):
    # h < 0.6 follows from h < 0.5: true as a consequence (proved as implied), never refuted
    claims = _claims(tmp_path, STEP_SIZE.replace("$$h < 0.5$$", "so\n\n$$h < 0.6$$"))
    weaker = _one(claims, "h < 0.6")
    assert weaker["status"] == "proved" and "a consequence" in weaker["scope"], weaker["scope"]


MARGIN = """# Which threshold

## (a) Comparing two scores

The two scores are
$$S(A) = 4w - 1$$
$$S(B) = w + 0.5$$
We need $S(A) \\ge S(B)$:
$$4w - 1 \\ge w + 0.5$$
$$3w \\ge 1.5$$
$$w \\ge 0.5$$

## (b) Another question

Assume $c > 0$. Then $c^2 > 0$.

## Summary

(a) $w \\ge 0.5$
"""


def test_a_condition_rewritten_with_stated_values_is_derived_not_assumed(tmp_path):
    claims = _claims(tmp_path, MARGIN)
    for latex in ("4w - 1 \\ge w + 0.5", "3w \\ge 1.5"):
        c = next(c for c in claims if c["latex"] == latex and c["line"] < 14)
        assert c["role"] == "solution" and c["status"] == "proved", (latex, c["scope"])
    last = next(c for c in claims if c["latex"] == "w \\ge 0.5" and c["line"] < 14)
    assert last["status"] == "proved", last["scope"]
    # a genuine assumption stays one
    assert _one(claims, "c > 0")["status"] == "assumed"
    # the summary restates part (a)'s set: it takes its verdict
    summary = next(c for c in claims if c["latex"] == "w \\ge 0.5" and c["line"] > 14)
    assert summary["status"] == "proved", summary["scope"]


def test_a_wrong_step_in_the_margin_chain_is_refuted(tmp_path):
    claims = _claims(tmp_path, MARGIN.replace("$$w \\ge 0.5$$", "hence\n$$w \\ge 1$$"))
    bad = next(c for c in claims if c["latex"] == "w \\ge 1")
    assert bad["status"] == "refuted", bad["scope"]
    assert sp.Rational(bad["counterexample"]["instance"]["w"]) == sp.Rational(1, 2)


def test_a_summary_that_differs_from_its_part_is_not_assumed(tmp_path):
    claims = _claims(tmp_path, MARGIN.replace("(a) $w \\ge 0.5$", "(a) $w \\ge 2$"))
    summary = _one(claims, "w \\ge 2")
    assert summary["status"] not in ("assumed", "proved", "verified"), summary["scope"]


DAMPING = """# Damping

## (c) Choosing the damping

Given $r_j = \\{6, 3, 9\\}$.

We want, for every $j$,
$$\\frac{r_j}{r_j + \\mu} \\ge 0.75 \\Rightarrow r_j \\ge 0.75(r_j + \\mu) \\Rightarrow \\mu \\le \\frac{r_j}{3}$$

The most restrictive is the smallest: $r_2 = 3$. Then $\\mu \\le 1$.
"""


def test_an_indexed_condition_is_solved_at_the_index_the_line_names(tmp_path):
    claims = _claims(tmp_path, DAMPING)
    c = _one(claims, "\\mu \\le 1")
    assert c["status"] == "proved", c["scope"]
    assert "j = 2" in c["scope"]


def test_a_bound_at_another_index_is_not_accepted(tmp_path):
    claims = _claims(tmp_path, DAMPING.replace("Then $\\mu \\le 1$", "Then $\\mu \\le 2$"))
    c = _one(claims, "\\mu \\le 2")
    assert c["status"] == "undecided", c["scope"]


def test_a_bound_on_a_defined_quantity_is_a_claim_not_a_solution(tmp_path):
    # Q = 1/2 sum (a_i^2 + 1) >= 1/2 > 0 for every a: "so Q > 0" is true, and it is about Q
    claims = _claims(tmp_path, ("# Q\n\nLet $\\mathbf{a} \\in \\mathbb{R}^n$ and\n"
                                "$$Q = \\frac{1}{2}\\sum_{i=1}^n (a_i^2 + 1).$$\nSo we get $Q > 0$.\n"))
    c = _one(claims, "Q > 0")
    assert c["role"] != "solution"
    assert c["status"] in ("verified", "proved"), c["scope"]


def test_solution_sets_are_exact():
    assert simple_set(_tree(r"\eta \in (0, 0.5]")) == ("\\eta", sp.Interval.Lopen(0, sp.Rational(1, 2)))
    assert simple_set(_tree(r"2 \le x \le 3")) == ("x", sp.Interval(2, 3))
    assert simple_set(_tree(r"x < y")) is None
    name, s = relation_set(_tree(r"|1 - 2x| < 1"), Scope())
    assert name == "x" and s == sp.Interval.open(0, 1)
    name, s = relation_set(_tree(r"\frac{4}{4 + x} \ge 0.8"), Scope())
    assert s == sp.Interval.Lopen(-4, 1)  # the denominator's sign counts: x > -4
    assert relation_set(_tree(r"e^x > 2"), Scope()) is None  # not a rational function: not solved here


def test_thus_for_states_the_set_found_and_keeps_its_line_condition(tmp_path):
    # h < 0.5 is the set found above: proved; |x| = x holds for x > 0 (its own line's condition)
    claims = _claims(tmp_path, STEP_SIZE + "\nThus for $h < 0.5$ the iteration is stable.\n\n"
                     "## Signs\n\nHence for $x > 0$ we have $|x| = x$.\n")
    found = [c for c in claims if c["latex"] == "h < 0.5"]
    assert found[-1]["role"] == "solution" and found[-1]["status"] == "proved", found[-1]["scope"]
    assert _one(claims, "|x| = x")["status"] in ("verified", "proved"), _one(claims, "|x| = x")["scope"]


def test_a_bound_written_again_takes_the_verdict_of_the_line_it_repeats(tmp_path):
    # mu <= r_j / 3 is the last step of the chain (verified there); mu <= r_j / 2 is not what it found
    again = DAMPING + "But we need $\\mu \\le \\frac{r_j}{3}$ for each $j$.\n"
    claims = _claims(tmp_path, again)
    repeated = [c for c in claims if c["latex"] == "\\mu \\le \\frac{r_j}{3}"]
    assert repeated[0]["status"] in ("verified", "proved")
    assert repeated[-1]["status"] == repeated[0]["status"], repeated[-1]["scope"]
    other = _claims(tmp_path, again.replace("But we need $\\mu \\le \\frac{r_j}{3}$", "But we need $\\mu \\le \\frac{r_j}{2}$"))
    assert _one(other, "\\mu \\le \\frac{r_j}{2}")["status"] not in ("verified", "proved")


def test_a_count_is_not_refuted_on_its_real_solution_set(tmp_path):
    # n^2 > 3 => n >= 2 holds for integers n (n = 1.8 is no counterexample for a count)
    claims = _claims(tmp_path, "# Count\n\n## Size\n\nWe need $n^2 > 3$, so\n\n$$n \\ge 2$$\n")
    assert _one(claims, "n \\ge 2")["status"] != "refuted"


def test_a_part_with_its_own_condition_is_not_judged_by_another_parts_set(tmp_path):
    # (a): 2g - 2 <= 6 and g >= 1 give g in [1, 4]; (b): g^2 <= 9 and g >= 1 give g in [1, 3],
    # so "g \in [1, 4]" in (b) is wrong even though (a) proved the same set
    text = ("# Two parts\n\n## (a) First\n\nWe need $2g - 2 \\le 6$ and $g \\ge 1$, so $g \\in [1, 4]$.\n\n"
            "## (b) Second\n\nNow we need $g^2 \\le 9$ and $g \\ge 1$, so $g \\in [1, 4]$.\n")
    claims = _claims(tmp_path, text)
    first, second = [c for c in claims if c["latex"] == "g \\in [1, 4]"]
    assert second["status"] not in ("proved", "verified"), second["scope"]


def test_a_refutation_needs_the_line_before_to_stand(tmp_path):
    # h^2 < 1 is -1 < h < 1, so "h < 0.5" does not follow from it (h = 0.5); refuted when the line
    # before is an assumption, undecided when it is an unjudged claim (it may be the wrong line)
    assumed = _claims(tmp_path, "# A\n\n## Bound\n\nAssume $h^2 < 1$. So $h < 0.5$.\n")
    assert _one(assumed, "h < 0.5")["status"] == "refuted", _one(assumed, "h < 0.5")["scope"]
    claimed = _claims(tmp_path, "# A\n\n## Bound\n\nWe have\n$$h^2 < 1$$\nso\n$$h < 0.5$$\n")
    assert _one(claimed, "h^2 < 1")["status"] not in ("proved", "verified", "assumed")
    assert _one(claimed, "h < 0.5")["status"] == "undecided", _one(claimed, "h < 0.5")["scope"]


def test_a_huge_exponent_is_not_solved():
    # 10^{10^{10}} must stay unevaluated: no solution set is computed for it (and nothing hangs)
    assert relation_set(_tree(r"x > 10^{10^{10}}"), Scope()) is None
    assert relation_set(_tree(r"2x > 2^{1.5}"), Scope())[1] == sp.Interval.open(sp.sqrt(2), sp.oo)  # 2^{3/2}
    assert relation_set(_tree(r"x^2 < 2"), Scope())[1] == sp.Interval.open(-sp.sqrt(2), sp.sqrt(2))
