"""A condition written in its own inline span after "for" belongs to the claim before it."""

from derive.claims.reader import read_document
from derive.commands.check import check_paths


def test_trailing_condition_span_attaches_to_the_previous_claim(tmp_path):
    f = tmp_path / "k.md"
    f.write_text("---\nproblem: ssm-kernel\n---\n"
                 "The kernel is $K_\\ell = C A^{\\ell - 1} B$ for $\\ell \\ge 1$.\n\n"
                 "Off by one: $K_\\ell = C A^{\\ell} B$ for $\\ell \\ge 1$.\n")
    doc = read_document(f)
    assert len(doc.claims) == 2  # the conditions are not claims of their own
    report = check_paths([str(f)], progress=False)
    right, wrong = report["claims"]
    # K_l = C A^{l-1} B holds for l >= 1 only (at l = 0, K_0 = D): verified means the condition was used
    assert right["status"] in ("verified", "proved") and "1.." in right["scope"]
    assert wrong["status"] == "refuted"


def test_seed_spellings_are_read_as_aliases(tmp_path):
    # CONVENTIONS: seed 004 writes X for x and w for W. Key, written from the LSTM equations
    # before running the checker: the h-bar adjoint (wrong time index, no loss term), the
    # c-bar line (sigma' misplaced, c-bar on both sides) and p-bar (c^{(t+1)} for c^{(t)}) are
    # wrong; g-bar, i-bar, o-bar and the weight gradient written with w are right.
    f = tmp_path / "lstm.md"
    f.write_text(
        "$$\\bar{h}^{(t+1)} = \\bar{i}^{(t+1)} \\sigma'(W_{ix} X^{(t)} + W_{ih} h^{(t)}) W_{ih}$$\n\n"
        "$$\\bar{p}^{(t+1)} = \\bar{c}^{(t+1)} c^{(t+1)}$$\n\n"
        "$$\\bar{g}^{(t+1)} = \\bar{c}^{(t+1)} i^{(t+1)}$$\n\n"
        "b) $\\bar{w}_{ix} = \\sum_t \\bar{i}^{(t)} \\sigma'(W_{ix} X^{(t)} + W_{ih} h^{(t-1)}) X^{(t)}$\n")
    report = check_paths([str(f)], problem="lstm-bptt", progress=False)
    statuses = [c["status"] for c in report["claims"]]
    assert statuses[0] == "refuted" and statuses[1] == "refuted"
    assert statuses[2] in ("verified", "proved") and statuses[3] in ("verified", "proved")
