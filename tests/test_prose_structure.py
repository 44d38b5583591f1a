"""Structure stated in the prose, honoured when sampling: orthogonal and covariance matrices, a
matrix given by its blocks and stated positive definite, the entries of a one-hot vector summed
in a definition, the spectrum of a symmetric matrix, and the eigenvalues named of a matrix a
definition fixes.  Each document uses its own letters; the expected verdicts were worked out by
hand from the mathematics (the comment beside each says why)."""

from __future__ import annotations

from pathlib import Path

from derive.claims.judge import Options, judge_document
from derive.claims.reader import read_document


def _verdicts(text: str, tmp_path: Path) -> dict[str, tuple[str, str]]:
    f = tmp_path / "doc.md"
    f.write_text(text)
    out = {}
    for r in judge_document(read_document(f), opts=Options(timeout=20, seed=0, instances=8)):
        out[" ".join(r.latex.split())] = (r.status, r.scope)
    return out


ORTHOGONAL = r"""Let $Q \in \mathbb{R}^{m \times m}$ be orthogonal. Then
$$Q^\top Q = I,$$
and a careless student writes
$$Q Q^\top = 2I.$$
"""


def test_orthogonal_stated_in_prose(tmp_path):
    v = _verdicts(ORTHOGONAL, tmp_path)
    assert v["Q^\\top Q = I"][0] == "verified", v["Q^\\top Q = I"]
    # Q Q^T = I for a square orthogonal Q, never 2I
    assert v["Q Q^\\top = 2I"][0] == "refuted", v["Q Q^\\top = 2I"]


COVARIANCE = r"""Let $S \in \mathbb{R}^{k \times k}$ be a covariance matrix and $\mathbf{a} \in \mathbb{R}^k$. Then
$$\mathbf{a}^\top S \mathbf{a} \ge 0,$$
and, wrongly,
$$\mathbf{a}^\top S \mathbf{a} \le -\|\mathbf{a}\|^2.$$
"""


def test_covariance_matrix_is_sampled_positive_semidefinite(tmp_path):
    v = _verdicts(COVARIANCE, tmp_path)
    # a covariance matrix is symmetric positive semidefinite: a^T S a >= 0 for every a
    assert v["\\mathbf{a}^\\top S \\mathbf{a} \\ge 0"][0] == "verified", v["\\mathbf{a}^\\top S \\mathbf{a} \\ge 0"]
    # a^T S a >= 0 > -|a|^2 for every a != 0
    key = "\\mathbf{a}^\\top S \\mathbf{a} \\le -\\|\\mathbf{a}\\|^2"
    assert v[key][0] == "refuted", v[key]


BLOCKS = r"""Partition the joint covariance as
$$K = \begin{pmatrix} K_{aa} & K_{ab} \\ K_{ba} & K_{bb} \end{pmatrix},$$
where $K$ is symmetric positive definite. Then $K_{ba} = K_{ab}^\top$ and the Schur complement
$T := K_{aa} - K_{ab} K_{bb}^{-1} K_{ba}$ satisfies
$$\operatorname{tr}(T) \le \operatorname{tr}(K_{aa}).$$
We also claim
$$\operatorname{tr}(K_{bb}) \le -\operatorname{tr}(K_{aa}).$$
"""


def test_blocks_of_a_positive_definite_matrix(tmp_path):
    v = _verdicts(BLOCKS, tmp_path)
    # K symmetric: its off-diagonal blocks are transposes of each other
    assert v["K_{ba} = K_{ab}^\\top"][0] == "verified", v["K_{ba} = K_{ab}^\\top"]
    # K_ab K_bb^{-1} K_ba is psd (K_bb is pd), so tr T <= tr K_aa
    key = "\\operatorname{tr}(T) \\le \\operatorname{tr}(K_{aa})"
    assert v[key][0] == "verified", v[key]
    # the diagonal blocks of a positive definite matrix are positive definite: tr K_aa + tr K_bb > 0
    key = "\\operatorname{tr}(K_{bb}) \\le -\\operatorname{tr}(K_{aa})"
    assert v[key][0] == "refuted", v[key]


BLOCKS_UNSTRUCTURED = r"""Write
$$M = \begin{pmatrix} M_{11} & M_{12} \\ M_{21} & M_{22} \end{pmatrix}.$$
Then $M_{21} = M_{12}^\top$.
"""


def test_blocks_with_no_structure_stated_stay_free(tmp_path):
    # nothing says M is symmetric: the claim is not confirmed (it fails on a general M)
    v = _verdicts(BLOCKS_UNSTRUCTURED, tmp_path)
    assert v["M_{21} = M_{12}^\\top"][0] not in ("verified", "proved")


ONEHOT = r"""Let $\mathbf{q} \in \mathbb{R}^C$ hold class probabilities. For a one-hot target $\mathbf{t}$ the loss is
$$E = -\sum_{c=1}^C t_c \log q_c.$$
Since the target has a single one,
$$\sum_{c=1}^C t_c = 1, \qquad \sum_{c=1}^C t_c^2 = 1,$$
while the claim
$$\sum_{c=1}^C t_c^2 = \sum_{c=1}^C t_c + 1$$
is false.
"""


def test_entries_of_a_one_hot_vector_in_a_sum(tmp_path):
    v = _verdicts(ONEHOT, tmp_path)
    # one entry is 1, the others 0: the entries sum to 1, and so do their squares
    assert v["\\sum_{c=1}^C t_c = 1"][0] == "verified", v["\\sum_{c=1}^C t_c = 1"]
    assert v["\\sum_{c=1}^C t_c^2 = 1"][0] == "verified", v["\\sum_{c=1}^C t_c^2 = 1"]
    # 1 = 1 + 1 is false
    key = "\\sum_{c=1}^C t_c^2 = \\sum_{c=1}^C t_c + 1"
    assert v[key][0] == "refuted", v[key]


SPECTRUM = r"""Let $G \in \mathbb{R}^{n \times n}$ be symmetric with eigenvalues $\mu_1 \ge \mu_2 \ge \dots \ge \mu_n$.
Then
$$\operatorname{tr}(G) = \sum_{i=1}^n \mu_i, \qquad \operatorname{tr}(G^2) = \sum_{i=1}^n \mu_i^2,$$
but not
$$\operatorname{tr}(G^2) = \sum_{i=1}^n \mu_i.$$
"""


def test_spectrum_of_a_symmetric_matrix(tmp_path):
    v = _verdicts(SPECTRUM, tmp_path)
    # the trace is the sum of the eigenvalues; G^2 has eigenvalues mu_i^2
    assert v["\\operatorname{tr}(G) = \\sum_{i=1}^n \\mu_i"][0] in ("verified", "proved")
    assert v["\\operatorname{tr}(G^2) = \\sum_{i=1}^n \\mu_i^2"][0] in ("verified", "proved")
    assert v["\\operatorname{tr}(G^2) = \\sum_{i=1}^n \\mu_i"][0] == "refuted"


DEFINED_SPECTRUM = r"""Let $Z \in \mathbb{R}^{m \times p}$ and $M = \frac{1}{m} Z^\top Z$, with extreme eigenvalues
$\nu_{\min}$ and $\nu_{\max}$. Then
$$M^\top = M,$$
and the step $\mathbf{r}_{s+1} = (I - \alpha M)\mathbf{r}_s$ gives, wrongly,
$$\mathbf{r}_s = (I - \alpha M)^{s+1}\mathbf{r}_0.$$
"""


def test_eigenvalues_named_of_a_defined_matrix_do_not_block_other_claims(tmp_path):
    v = _verdicts(DEFINED_SPECTRUM, tmp_path)
    assert v["M^\\top = M"][0] in ("verified", "proved"), v["M^\\top = M"]
    # unrolling r_{s+1} = (I - alpha M) r_s gives the power s, not s + 1 (s = 0: r_0 != (I - alpha M) r_0)
    key = "\\mathbf{r}_s = (I - \\alpha M)^{s+1}\\mathbf{r}_0"
    assert v[key][0] == "refuted", v[key]


EXPANSION = r"""Let $S \in \mathbb{R}^{m \times m}$ be symmetric with eigenvalues $\theta_1 \ge \theta_2 \ge \dots \ge \theta_m$
and orthonormal eigenvectors $q_1, \dots, q_m$. Write $v = \sum_{j=1}^m a_j q_j$. Then
$$v^\top S v = \sum_{j=1}^m \theta_j a_j^2,$$
whereas
$$\|v\|_2^2 = \sum_{j=1}^m a_j$$
is a slip.

Next, begin at $w_0$ with $a_1 \ne 0$ and apply $S$ twice:
$$S^2 w_0 = \sum_{j=1}^m a_j \theta_j^2 q_j,$$
and, wrongly,
$$\|S w_0\|_2^2 = \sum_{j=1}^m a_j^2 \theta_j.$$
"""


def test_coordinates_in_orthonormal_eigenvectors(tmp_path):
    v = _verdicts(EXPANSION, tmp_path)
    # a_j = q_j^T v: v^T S v = sum theta_j a_j^2 and |v|^2 = sum a_j^2 (not sum a_j)
    assert v["v = \\sum_{j=1}^m a_j q_j"][0] == "defined", v["v = \\sum_{j=1}^m a_j q_j"]
    key = "v^\\top S v = \\sum_{j=1}^m \\theta_j a_j^2"
    assert v[key][0] in ("verified", "proved"), v[key]
    key = "\\|v\\|_2^2 = \\sum_{j=1}^m a_j"
    assert v[key][0] == "refuted", v[key]
    # "begin at w_0 with a_1 != 0": now a_j = q_j^T w_0, so S^2 w_0 = sum a_j theta_j^2 q_j ...
    key = "S^2 w_0 = \\sum_{j=1}^m a_j \\theta_j^2 q_j"
    assert v[key][0] in ("verified", "proved"), v[key]
    # ... and |S w_0|^2 = sum a_j^2 theta_j^2, not sum a_j^2 theta_j
    key = "\\|S w_0\\|_2^2 = \\sum_{j=1}^m a_j^2 \\theta_j"
    assert v[key][0] == "refuted", v[key]


EXPANSION_OTHER_VECTOR = r"""Let $S \in \mathbb{R}^{m \times m}$ be symmetric with eigenvalues $\theta_1 \ge \dots \ge \theta_m$
and orthonormal eigenvectors $q_1, \dots, q_m$. Write $v = \sum_{j=1}^m a_j q_j$.

For another vector $z$,
$$S z = \sum_{j=1}^m a_j \theta_j q_j.$$
"""


def test_coordinates_are_not_forced_on_another_vector(tmp_path):
    # the claim never names v: its a_j may be z's coordinates (then it holds), so no refutation
    v = _verdicts(EXPANSION_OTHER_VECTOR, tmp_path)
    key = "S z = \\sum_{j=1}^m a_j \\theta_j q_j"
    assert v[key][0] != "refuted", v[key]


DEFINED_SPECTRUM_SIGNED = r"""Let $B \in \mathbb{R}^{p \times p}$ and $M = B + B^\top$, with eigenvalues $\nu_1, \dots, \nu_p$,
all positive. Then for every $\mathbf{h} \in \mathbb{R}^p$,
$$\mathbf{h}^\top M \mathbf{h} \ge 0.$$
"""


def test_eigenvalues_stated_positive_of_a_defined_matrix_still_constrain_it(tmp_path):
    # "all positive" restricts B (M positive definite): a random B would fail a true claim
    v = _verdicts(DEFINED_SPECTRUM_SIGNED, tmp_path)
    key = "\\mathbf{h}^\\top M \\mathbf{h} \\ge 0"
    assert v[key][0] != "refuted", v[key]


SPECTRUM_EXAMPLE = r"""Let $G \in \mathbb{R}^{n \times n}$ be symmetric with eigenvalues $\mu_1 \ge \mu_2 \ge \dots \ge \mu_n$.
Then $\operatorname{tr}(G) = \sum_{i=1}^n \mu_i$.

For $G = \begin{pmatrix} 1 & 2 \\ 2 & -2 \end{pmatrix}$ the eigenvalues are $\mu_1 = 2$ and $\mu_2 = -3$.

For $G = \begin{pmatrix} 0 & 1 \\ 1 & 0 \end{pmatrix}$ the eigenvalues are $\mu_1 = 1$ and $\mu_2 = 1$.
"""


def test_eigenvalues_of_a_matrix_the_line_gives(tmp_path):
    # [[1, 2], [2, -2]]: trace -1, determinant -6, so the eigenvalues are 2 and -3 (largest first)
    f = tmp_path / "doc.md"
    f.write_text(SPECTRUM_EXAMPLE)
    res = judge_document(read_document(f), opts=Options(timeout=20, seed=0, instances=8))
    by = {(r.line, r.latex): r.status for r in res}
    assert by[(4, "\\mu_1 = 2")] == "verified", by
    assert by[(4, "\\mu_2 = -3")] == "verified", by
    # [[0, 1], [1, 0]] has eigenvalues 1 and -1: mu_2 = 1 is wrong
    assert by[(6, "\\mu_1 = 1")] == "verified", by
    assert by[(6, "\\mu_2 = 1")] == "refuted", by


BLOCKS_WITH_A_TRANSPOSE = r"""Let
$$M = \begin{pmatrix} A & B \\ B^\top & D \end{pmatrix},$$
where $M$ is symmetric positive definite.

We claim
$$\operatorname{tr}(A) \ge -\operatorname{tr}(D).$$
"""


def test_blocks_not_drawn_as_one_matrix_are_not_refuted(tmp_path):
    # true (tr A > 0 and tr D > 0); the blocks B, B^T are not a grid of free names, so the sampler
    # cannot draw M whole: a random A, D would fail the claim, which must stay undecided
    v = _verdicts(BLOCKS_WITH_A_TRANSPOSE, tmp_path)
    key = "\\operatorname{tr}(A) \\ge -\\operatorname{tr}(D)"
    assert v[key][0] != "refuted", v[key]
