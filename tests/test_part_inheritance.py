"""A problem's setup reaches its later parts; matrices the prose defines from their rows.

A stacked data matrix an earlier part of a problem writes (``Z = [z_1^T; ...; z_m^T]``) holds in
the later parts of the same problem unless a part binds the name itself; two earlier parts that
stack it differently leave it open.  "where $G_s$ is the matrix of the first $s$ samples, $H_s$
similarly", "stacked as the rows of $B$", "$A$ with rows $u_i^\\top$" define stacks too.

Every expected verdict below was written from the mathematics before the checker ran."""
from derive.claims.reader import read_document
from derive.commands.check import check_paths


def _report(tmp_path, text, name="doc.md"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return check_paths([str(f)], progress=False)["claims"]


def _verdicts(tmp_path, text, name="doc.md"):
    return {c["latex"]: c for c in _report(tmp_path, text, name)}


GRAM = "Z^\\top Z = \\sum_{j=1}^m \\mathbf{z}_j \\mathbf{z}_j^\\top"
GRAM2 = "Z^\\top Z = 2 \\sum_{j=1}^m \\mathbf{z}_j \\mathbf{z}_j^\\top"
GRAM_W = "Z^\\top Z = \\sum_{j=1}^m \\mathbf{w}_j \\mathbf{w}_j^\\top"


def test_a_later_part_uses_the_stack_an_earlier_part_set_up(tmp_path):
    # Z^T Z = sum_j z_j z_j^T for Z with rows z_j^T (true); twice that is false for any Z != 0.
    # (c) is written one Markdown level up ("## (c)" after "### (b)"): still part of Problem 2.
    # (d) rebinds Z to the stack of the w_j: there Z^T Z = sum w_j w_j^T (true), while the z_j
    # are nothing (d) defines, so the z form is not decided.
    claims = _report(tmp_path, (
        "## Problem 2\n\n### (a) Data\n\n"
        "Let $Z = [\\mathbf{z}_1^\\top; \\dots; \\mathbf{z}_m^\\top] \\in \\mathbb{R}^{m \\times p}$ be the data.\n\n"
        "### (b) A constant\n\nLet $c = 3$.\n\n## (c) Scatter\n\n"
        f"$${GRAM}$$\n\n$${GRAM2}$$\n\n"
        "### (d) Other data\n\nLet $Z = [\\mathbf{w}_1^\\top; \\dots; \\mathbf{w}_m^\\top]$.\n\n"
        f"$${GRAM_W}$$\n\nAgain:\n\n$${GRAM}$$\n"))
    status = {}
    for c in claims:
        status.setdefault(c["latex"], []).append(c["status"])
    assert status[GRAM2] == ["refuted"]
    assert status[GRAM_W][0] in ("verified", "proved")
    in_c, in_d = status[GRAM]
    assert in_c in ("verified", "proved")
    assert in_d == "undecided"


def test_two_earlier_parts_that_disagree_leave_the_name_open(tmp_path):
    # (a) stacks the u_j into B, (b) the s_j: in (c) B is either, so neither claim is decided
    # (B^T B = sum u_j u_j^T is true for (a)'s B and false for (b)'s).
    v = _verdicts(tmp_path, (
        "## Problem 7\n\n### (a) First basis\n\nLet $B = [\\mathbf{u}_1^\\top; \\dots; \\mathbf{u}_r^\\top]$.\n\n"
        "### (b) Second basis\n\nLet $B = [\\mathbf{s}_1^\\top; \\dots; \\mathbf{s}_r^\\top]$.\n\n"
        "### (c) Which one\n\n$$B^\\top B = \\sum_{j=1}^r \\mathbf{u}_j \\mathbf{u}_j^\\top$$\n\n"
        "$$B^\\top B = 3 \\sum_{j=1}^r \\mathbf{s}_j \\mathbf{s}_j^\\top$$\n"))
    assert v["B^\\top B = \\sum_{j=1}^r \\mathbf{u}_j \\mathbf{u}_j^\\top"]["status"] == "undecided"
    assert v["B^\\top B = 3 \\sum_{j=1}^r \\mathbf{s}_j \\mathbf{s}_j^\\top"]["status"] == "undecided"


def test_a_lemma_of_one_part_does_not_travel(tmp_path):
    # (a) works with a general P (its own lemma); (b) names another P it never defines: the
    # claim in (b) is about that P, so (a)'s formula gives it no value (not refuted)
    v = _verdicts(tmp_path, (
        "## Problem 3\n\n### (a) Lemma\n\nLet $P = (Q^\\top Q + I)^{-1}$.\n\n"
        "### (b) Use\n\n$$P \\mathbf{e} = \\mathbf{e}$$\n"))
    assert v["P \\mathbf{e} = \\mathbf{e}"]["status"] == "undecided"


def test_first_rows_and_similarly_define_growing_stacks(tmp_path):
    # G_s, H_s = the first s rows of G, H: G_s^T H_s = sum_{j<=s} g_j h_j^T (true) and its
    # transpose sum h_j g_j^T (false in general); P_s = G_s^T H_s grows by g_s h_s^T (true),
    # not by h_s g_s^T (false)
    v = _verdicts(tmp_path, (
        "## Problem 1\n\n### (a) Setup\n\n"
        "Let $G = [\\mathbf{g}_1^\\top; \\dots; \\mathbf{g}_m^\\top] \\in \\mathbb{R}^{m \\times p}$ and "
        "$H = [\\mathbf{h}_1^\\top; \\dots; \\mathbf{h}_m^\\top] \\in \\mathbb{R}^{m \\times p}$.\n\n"
        "### (b) Streaming\n\nFor each $s = 1, \\dots, m$:\n\n"
        "$$G_s^\\top H_s = \\sum_{j=1}^s \\mathbf{g}_j \\mathbf{h}_j^\\top$$\n\n"
        "$$G_s^\\top H_s = \\sum_{j=1}^s \\mathbf{h}_j \\mathbf{g}_j^\\top$$\n\n"
        "where $G_s$ is the $s \\times p$ matrix of the first $s$ samples, $H_s$ similarly. "
        "Let $P_s = G_s^\\top H_s$, with $P_0 = 0$.\n\n"
        "$$P_s = P_{s-1} + \\mathbf{g}_s \\mathbf{h}_s^\\top$$\n\n"
        "$$P_s = P_{s-1} + \\mathbf{h}_s \\mathbf{g}_s^\\top$$\n"))
    assert v["G_s^\\top H_s = \\sum_{j=1}^s \\mathbf{g}_j \\mathbf{h}_j^\\top"]["status"] in ("verified", "proved")
    assert v["G_s^\\top H_s = \\sum_{j=1}^s \\mathbf{h}_j \\mathbf{g}_j^\\top"]["status"] == "refuted"
    assert v["P_s = P_{s-1} + \\mathbf{g}_s \\mathbf{h}_s^\\top"]["status"] in ("verified", "proved")
    assert v["P_s = P_{s-1} + \\mathbf{h}_s \\mathbf{g}_s^\\top"]["status"] == "refuted"


def test_a_growing_stack_the_checker_cannot_read_is_not_refuted(tmp_path):
    # G_t is defined in words the checker does not read as a stack (no G to take rows of): the
    # recursion is true for the document's G_t, so it must not be refuted with G_t free
    v = _verdicts(tmp_path, (
        "Let $\\mathbf{g}_1, \\mathbf{g}_2, \\dots$ be vectors in $\\mathbb{R}^p$, and $G_t$ the matrix whose "
        "rows are the first $t$ of them. Let $\\mathbf{g}_t$ be fixed; where $G_t$ is the $t \\times p$ matrix "
        "of the first $t$ vectors, let $S_t = G_t^\\top G_t$, with $S_0 = 0$.\n\n"
        "$$S_t = S_{t-1} + \\mathbf{g}_t \\mathbf{g}_t^\\top$$\n"))
    assert v["S_t = S_{t-1} + \\mathbf{g}_t \\mathbf{g}_t^\\top"]["status"] != "refuted"


def test_stacked_as_the_rows_of_and_with_rows(tmp_path):
    # B has rows a_j^T: B^T B = sum a_j a_j^T (true), twice it (false); A has rows u_i^T:
    # A^T A = sum u_i u_i^T (true), plus the identity (false)
    v = _verdicts(tmp_path, (
        "# Weighted samples\n\nWe have $m$ samples $\\mathbf{a}_j \\in \\mathbb{R}^p$ with weights $c_j > 0$, "
        "stacked as the rows of $B \\in \\mathbb{R}^{m \\times p}$.\n\n"
        "$$B^\\top B = \\sum_{j=1}^m \\mathbf{a}_j \\mathbf{a}_j^\\top$$\n\n"
        "$$B^\\top B = 2 \\sum_{j=1}^m \\mathbf{a}_j \\mathbf{a}_j^\\top$$\n\n"
        "Let $A \\in \\mathbb{R}^{r \\times q}$ with rows $\\mathbf{u}_i^\\top$.\n\n"
        "$$A^\\top A = \\sum_{i=1}^r \\mathbf{u}_i \\mathbf{u}_i^\\top$$\n\n"
        "$$A^\\top A = \\sum_{i=1}^r \\mathbf{u}_i \\mathbf{u}_i^\\top + I$$\n"))
    assert v["B^\\top B = \\sum_{j=1}^m \\mathbf{a}_j \\mathbf{a}_j^\\top"]["status"] in ("verified", "proved")
    assert v["B^\\top B = 2 \\sum_{j=1}^m \\mathbf{a}_j \\mathbf{a}_j^\\top"]["status"] == "refuted"
    assert v["A^\\top A = \\sum_{i=1}^r \\mathbf{u}_i \\mathbf{u}_i^\\top"]["status"] in ("verified", "proved")
    assert v["A^\\top A = \\sum_{i=1}^r \\mathbf{u}_i \\mathbf{u}_i^\\top + I"]["status"] == "refuted"


def test_a_matrix_said_to_have_rows(tmp_path):
    # F (r x q) with rows b_j^T: F^T F = sum b_j b_j^T (true), plus I (false); E declared s x q
    # with rows c_k^T: E^T E = sum c_k c_k^T (true)
    v = _verdicts(tmp_path, (
        "# Least squares\n\nHere $F$ is the $r \\times q$ design matrix with rows $\\mathbf{b}_j^\\top$.\n\n"
        "$$F^\\top F = \\sum_{j=1}^r \\mathbf{b}_j \\mathbf{b}_j^\\top$$\n\n"
        "$$F^\\top F = \\sum_{j=1}^r \\mathbf{b}_j \\mathbf{b}_j^\\top + I$$\n\n"
        "Let $E \\in \\mathbb{R}^{s \\times q}$. The matrix $E$ has rows $\\mathbf{c}_k^\\top$, so\n\n"
        "$$E^\\top E = \\sum_{k=1}^s \\mathbf{c}_k \\mathbf{c}_k^\\top$$\n"))
    assert v["F^\\top F = \\sum_{j=1}^r \\mathbf{b}_j \\mathbf{b}_j^\\top"]["status"] in ("verified", "proved")
    assert v["F^\\top F = \\sum_{j=1}^r \\mathbf{b}_j \\mathbf{b}_j^\\top + I"]["status"] == "refuted"
    assert v["E^\\top E = \\sum_{k=1}^s \\mathbf{c}_k \\mathbf{c}_k^\\top"]["status"] in ("verified", "proved")


def test_a_part_written_one_level_up_stays_in_its_problem(tmp_path):
    # "### (c)" then "## (d)": (d) is (c)'s sibling inside the problem; "### Summary" written
    # under "## (d)" stays inside (d)
    f = tmp_path / "h.md"
    f.write_text("## Problem 4\n\n### (c) One\n\n$x = 1$\n\n## (d) Two\n\n$y = 2$\n\n### Summary\n\n$z = 3$\n",
                 encoding="utf-8")
    sections = {c.latex: [t for _l, t, _n in c.section] for c in read_document(str(f)).claims}
    assert sections["y = 2"] == ["Problem 4", "(d) Two"]
    assert sections["z = 3"] == ["Problem 4", "(d) Two", "Summary"]
