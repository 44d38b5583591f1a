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
