"""Partitioned (block) matrices in documents: a joint stated symmetric positive definite and
defined by named blocks is sampled whole, its blocks read off it; ``(E)_{ab}`` of an expression of
the joint is its block (a, b).

Every expected verdict below was written from the mathematics before the checker ran.  For a
partitioned invertible M = [[A, B], [C, D]] with D and T = A - B D^{-1} C invertible (the Schur
complement), the block inverse is
    (M^{-1})_{11} = T^{-1},   (M^{-1})_{12} = -T^{-1} B D^{-1},   (M^{-1})_{21} = -D^{-1} C T^{-1};
(M^{-1})_{11} = A^{-1} holds only when B D^{-1} C = 0 (fails on a generic spd M); for a symmetric M
the off-diagonal blocks are transposes of each other (C = B^T), which a free block pair is not; and
for M spd, tr(T) <= tr(A) since B D^{-1} B^T is positive semidefinite.
"""
from derive.commands.check import check_paths

JOINT = (
    "# A partitioned precision\n\n"
    "Let $\\mathbf{u} \\in \\mathbb{R}^a$ and $\\mathbf{w} \\in \\mathbb{R}^b$, and let\n"
    "$$\\Lambda = \\begin{bmatrix} \\Lambda_{uu} & \\Lambda_{uw} \\\\ \\Lambda_{wu} & \\Lambda_{ww} \\end{bmatrix}$$\n"
    "where $\\Lambda$ is symmetric positive definite. Define $T := \\Lambda_{uu} - \\Lambda_{uw}\\Lambda_{ww}^{-1}"
    "\\Lambda_{wu}$.\n\n"
)
SYMMETRIC = r"\Lambda_{wu} = \Lambda_{uw}^\top"
INVERSE_BLOCK = r"(\Lambda^{-1})_{uu} = T^{-1}"
INVERSE_BLOCK_WRONG = r"(\Lambda^{-1})_{uu} = \Lambda_{uu}^{-1}"
OFF_BLOCK = r"(\Lambda^{-1})_{wu} = -\Lambda_{ww}^{-1}\Lambda_{wu} T^{-1}"
OFF_BLOCK_WRONG = r"(\Lambda^{-1})_{wu} = -T^{-1}\Lambda_{uw}\Lambda_{ww}^{-1}"
TRACE = r"\operatorname{tr}(T) \le \operatorname{tr}(\Lambda_{uu})"
TRACE_WRONG = r"\operatorname{tr}(\Lambda_{uu}) \le \operatorname{tr}(T)"


def _verdicts(tmp_path, text, name="doc.md"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    report = check_paths([str(f)], progress=False)
    return {c["latex"]: c for c in report["claims"]}


def test_blocks_of_an_spd_joint_are_read_off_one_sampled_matrix(tmp_path):
    v = _verdicts(tmp_path, JOINT + "".join(f"Then\n$${s}.$$\n" for s in (SYMMETRIC, TRACE)))
    assert v[SYMMETRIC]["status"] == "verified"  # false for free blocks: only the joint's symmetry gives it
    assert v[TRACE]["status"] == "verified"
    v = _verdicts(tmp_path, JOINT + f"Conditioning adds uncertainty:\n$${TRACE_WRONG}.$$\n", "wrong.md")
    assert v[TRACE_WRONG]["status"] == "refuted"


def test_a_block_of_the_inverse_is_the_schur_complement_inverse(tmp_path):
    v = _verdicts(tmp_path, JOINT + "".join(f"We get\n$${s}.$$\n" for s in (
        INVERSE_BLOCK, INVERSE_BLOCK_WRONG, OFF_BLOCK, OFF_BLOCK_WRONG)))
    assert v[INVERSE_BLOCK]["status"] in ("verified", "proved")
    assert v[OFF_BLOCK]["status"] in ("verified", "proved")
    assert v[INVERSE_BLOCK_WRONG]["status"] == "refuted"
    # -T^{-1} Λ_uw Λ_ww^{-1} is the (u, w) block (a × b), not (w, u) (b × a): wrong however the sizes fall
    assert v[OFF_BLOCK_WRONG]["status"] == "refuted"


def test_blocks_without_stated_structure_are_free_matrices(tmp_path):
    # no structure stated: the block-inverse identity holds for any invertible partitioned matrix,
    # the symmetry of the off-diagonal blocks does not
    text = ("Let $\\mathbf{p} \\in \\mathbb{R}^m$, $\\mathbf{q} \\in \\mathbb{R}^k$ and\n"
            "$$G = \\begin{pmatrix} G_{pp} & G_{pq} \\\\ G_{qp} & G_{qq} \\end{pmatrix}.$$\n"
            "Define $V := G_{pp} - G_{pq}G_{qq}^{-1}G_{qp}$.\n"
            "$$(G^{-1})_{pp} = V^{-1}.$$\n"
            "$$G_{qp} = G_{pq}^\\top.$$\n")
    v = _verdicts(tmp_path, text)
    assert v[r"(G^{-1})_{pp} = V^{-1}"]["status"] in ("verified", "proved")
    assert v[r"G_{qp} = G_{pq}^\top"]["status"] != "verified"


def test_a_block_label_the_partition_does_not_have_is_not_read(tmp_path):
    v = _verdicts(tmp_path, JOINT + "Then\n$$(\\Lambda^{-1})_{uv} = T^{-1}.$$\n")
    assert v[r"(\Lambda^{-1})_{uv} = T^{-1}"]["status"] == "undecided"


# Infinite series: for |r| < 1, sum_{j>=0} r^j = 1/(1-r), sum_{j>=1} j r^j = r/(1-r)^2 (differentiate
# the geometric series and multiply by r), sum_{j>=0} r^j / j! = e^r for every r.  The claim
# sum_{j>=1} j r^j = 1/(1-r)^2 is off by the factor r (wrong for every 0 < r < 1).  Series whose
# terms do not shrink geometrically (1/j^2, 1/j, (-1)^j, 2^j) are not summed: undecided, never
# refuted, even where the claim is false (sum 1/j^2 = pi^2/6 != 1.6; sum 2^j diverges).
SERIES = (
    "# Series\n\nLet $0 < r < 1$.\n\n"
    "The geometric series gives\n$$\\sum_{j=0}^{\\infty} r^j = \\frac{1}{1 - r}.$$\n\n"
    "Differentiating,\n$$\\sum_{j=1}^{\\infty} j\\, r^{j} = \\frac{r}{(1 - r)^2}.$$\n\n"
    "A careless version reads\n$$\\sum_{j=1}^{\\infty} j\\, r^{j} = \\frac{1}{(1 - r)^2}.$$\n\n"
    "The exponential series is\n$$\\sum_{j=0}^{\\infty} \\frac{r^j}{j!} = e^{r}.$$\n\n"
    "Slow ones are\n$$\\sum_{j=1}^{\\infty} \\frac{1}{j^2} = 1.6$$\n\n"
    "and\n$$\\sum_{j=0}^{\\infty} 2^j = -1.$$\n"
)


def test_infinite_series_true_and_wrong(tmp_path):
    v = _verdicts(tmp_path, SERIES)
    assert v[r"\sum_{j=0}^{\infty} r^j = \frac{1}{1 - r}"]["status"] in ("verified", "proved")
    assert v[r"\sum_{j=1}^{\infty} j\, r^{j} = \frac{r}{(1 - r)^2}"]["status"] in ("verified", "proved")
    assert v[r"\sum_{j=1}^{\infty} j\, r^{j} = \frac{1}{(1 - r)^2}"]["status"] == "refuted"
    assert v[r"\sum_{j=0}^{\infty} \frac{r^j}{j!} = e^{r}"]["status"] in ("verified", "proved")


def test_series_that_do_not_converge_geometrically_are_not_summed(tmp_path):
    v = _verdicts(tmp_path, SERIES)
    for latex in (r"\sum_{j=1}^{\infty} \frac{1}{j^2} = 1.6", r"\sum_{j=0}^{\infty} 2^j = -1"):
        assert v[latex]["status"] == "undecided"
        assert "ratio test" in v[latex]["reason"]


# Moments of an affine map of a declared Gaussian vector: for u ~ N(a, Q) and v = B u + d,
# E[v] = B a + d and Cov[v] = B Q B^T (d is constant: it shifts the mean only).  Adding d d^T to
# the covariance is wrong whenever d != 0; Cov of a quadratic map (u u^T) is not an affine one.
GAUSS = (
    "# An affine image\n\n"
    "Let $\\mathbf{u} \\in \\mathbb{R}^m$ with $\\mathbf{u} \\sim \\mathcal{N}(\\mathbf{a}, Q)$, where $Q$ is "
    "symmetric positive definite, and let $B \\in \\mathbb{R}^{s \\times m}$.\n"
    "For $\\mathbf{v} = B\\mathbf{u} + \\mathbf{d}$ we have $\\operatorname{Cov}[\\mathbf{v}] = B Q B^\\top$ and "
    "$\\mathbb{E}[\\mathbf{v}] = B\\mathbf{a} + \\mathbf{d}$.\n\n"
    "A slip would be $\\operatorname{Cov}[\\mathbf{v}] = B Q B^\\top + \\mathbf{d}\\mathbf{d}^\\top$.\n"
)


def test_mean_and_covariance_of_an_affine_gaussian_image(tmp_path):
    v = _verdicts(tmp_path, GAUSS)
    assert v[r"\operatorname{Cov}[\mathbf{v}] = B Q B^\top"]["status"] in ("verified", "proved")
    assert v[r"\mathbb{E}[\mathbf{v}] = B\mathbf{a} + \mathbf{d}"]["status"] in ("verified", "proved")
    assert v[r"\operatorname{Cov}[\mathbf{v}] = B Q B^\top + \mathbf{d}\mathbf{d}^\top"]["status"] == "refuted"


def test_covariance_of_a_non_affine_map_is_not_judged(tmp_path):
    text = ("Let $\\mathbf{u} \\in \\mathbb{R}^m$ with $\\mathbf{u} \\sim \\mathcal{N}(\\mathbf{0}, I)$.\n"
            "Then $\\operatorname{Cov}[\\mathbf{u} \\odot \\mathbf{u}] = 2I$.\n")
    v = _verdicts(tmp_path, text)
    assert v[r"\operatorname{Cov}[\mathbf{u} \odot \mathbf{u}] = 2I"]["status"] == "undecided"
