"""Conditional moments of names the prose declares jointly Gaussian (probability._conditional).

"Let $u$ and $v$ be jointly normal with mean $(a, b)$ and covariance $K = [[A, B], [B^T, D]]$":
E[u | v] and Cov[u | v] are computed from the precision matrix Λ = K^{-1} (E[u | v] = a -
Λ_uu^{-1} Λ_uv (v - b), Cov[u | v] = Λ_uu^{-1}), never from the Schur-complement formula typed
again.  The expectations below are the textbook results, derived by hand:
E[u | v] = a + B D^{-1} (v - b), Cov[u | v] = A - B D^{-1} B^T; for unit variances and
correlation r, E[s | t] = r t and Var[s | t] = 1 - r^2.
"""

from __future__ import annotations

from derive.commands.check import check_paths

TRUE = ("proved", "verified")

VECTORS = r"""# Conditioning

Suppose $\mathbf{u} \in \mathbb{R}^m$ and $\mathbf{v} \in \mathbb{R}^k$ are jointly normal with mean $\begin{pmatrix} \mathbf{a} \\ \mathbf{b} \end{pmatrix}$ and covariance matrix
$$K = \begin{pmatrix} A & B \\ B^\top & D \end{pmatrix},$$
where $K$ is symmetric positive definite.

Then $\mathbb{E}[\mathbf{u} \mid \mathbf{v}] = \mathbf{a} + B D^{-1}(\mathbf{v} - \mathbf{b})$ and $\operatorname{Cov}[\mathbf{u} \mid \mathbf{v}] = A - B D^{-1} B^\top$.

Wrong: $\mathbb{E}[\mathbf{u} \mid \mathbf{v}] = \mathbf{a} + B D^{-1}\mathbf{v}$ and $\operatorname{Cov}[\mathbf{u} \mid \mathbf{v}] = A + B D^{-1} B^\top$.

The other way round, $\mathbb{E}[\mathbf{v} \mid \mathbf{u}] = \mathbf{b} + B^\top A^{-1}(\mathbf{u} - \mathbf{a})$.
"""

SCALARS = r"""# Two scalars

Let $s$ and $t$ be jointly Gaussian with mean $(0, 0)$ and covariance $\begin{pmatrix} 1 & r \\ r & 1 \end{pmatrix}$, where $-1 < r < 1$.
Then $\mathbb{E}[s \mid t] = r t$ and $\operatorname{Var}[s \mid t] = 1 - r^2$.
A slip: $\operatorname{Var}[s \mid t] = 1 - r$.
"""

UNDECLARED = r"""# No joint law

Let $x \sim \mathcal{N}(0, 1)$ and $y \in \mathbb{R}$. Then $\mathbb{E}[x \mid y] = 0$.
"""


def _check(tmp_path, text: str) -> dict[str, dict]:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return {c["latex"]: c for c in check_paths([str(doc)], progress=False)["claims"]}


def test_vector_conditioning_from_the_precision_matrix(tmp_path):
    got = _check(tmp_path, VECTORS)
    assert got[r"\mathbb{E}[\mathbf{u} \mid \mathbf{v}] = \mathbf{a} + B D^{-1}(\mathbf{v} - \mathbf{b})"][
        "status"] in TRUE
    assert got[r"\operatorname{Cov}[\mathbf{u} \mid \mathbf{v}] = A - B D^{-1} B^\top"]["status"] in TRUE
    assert got[r"\mathbb{E}[\mathbf{v} \mid \mathbf{u}] = \mathbf{b} + B^\top A^{-1}(\mathbf{u} - \mathbf{a})"][
        "status"] in TRUE
    # the mean of v dropped, the sign of the correction flipped: wrong for every such K
    assert got[r"\mathbb{E}[\mathbf{u} \mid \mathbf{v}] = \mathbf{a} + B D^{-1}\mathbf{v}"]["status"] == "refuted"
    assert got[r"\operatorname{Cov}[\mathbf{u} \mid \mathbf{v}] = A + B D^{-1} B^\top"]["status"] == "refuted"
    # B^T under B: K is drawn whole (symmetric positive definite) and cut into its blocks
    scope = got[r"\operatorname{Cov}[\mathbf{u} \mid \mathbf{v}] = A - B D^{-1} B^\top"]["scope"]
    assert "precision matrix" in scope and "drawn as the blocks of one such matrix" in scope


def test_scalar_conditioning(tmp_path):
    got = _check(tmp_path, SCALARS)
    assert got[r"\mathbb{E}[s \mid t] = r t"]["status"] in TRUE
    assert got[r"\operatorname{Var}[s \mid t] = 1 - r^2"]["status"] in TRUE
    assert got[r"\operatorname{Var}[s \mid t] = 1 - r"]["status"] == "refuted"  # 1 - r^2 != 1 - r for r != 0, 1


def test_without_a_joint_declaration_it_stays_undecided(tmp_path):
    got = _check(tmp_path, UNDECLARED)
    c = got[r"\mathbb{E}[x \mid y] = 0"]
    assert c["status"] == "undecided" and "jointly Gaussian" in (c.get("reason") or "")
