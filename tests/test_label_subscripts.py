"""A subscript that labels one name (``d_b = CB``) is not the running index of a rule.

Reading ``d_b = CB`` as a rule for every member ``d_•`` made the next definition,
``d_q = Cq``, a restatement of that rule, and it was refuted: a definition refuted, the worst
verdict the checker can give.  Expected verdicts below follow from the mathematics: with
C a row, q and B columns, ``d_q q_b = (Cq)(q^T B) = C q q^T B`` for every instance, while
``C B q^T q`` differs from it (take q orthogonal to B with Cq ≠ 0).
"""

from __future__ import annotations

from derive.claims.latex_parser import parse
from derive.claims.roles import label_subscript
from derive.commands.check import check_paths

DOC = r"""# Labelled scalars

Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n}$, $C \in \mathbb{R}^{1 \times n}$ and $q \in \mathbb{R}^n$.

Let $d_b = CB$, and $d_q = Cq$, $q_b = q^\top B$. Then

$$d_q q_b = C q q^\top B$$

$$d_q q_b = C B q^\top q$$

$$d_b = C B$$
"""


def _verdicts(tmp_path, text: str) -> dict[str, dict]:
    f = tmp_path / "doc.md"
    f.write_text(text, encoding="utf-8")
    return {c["latex"]: c for c in check_paths([str(f)], progress=False)["claims"]}


def test_labelled_definitions_are_definitions_and_claims_use_them(tmp_path):
    v = _verdicts(tmp_path, DOC)
    for name in ("d_b = CB", "d_q = Cq", r"q_b = q^\top B"):
        assert v[name]["status"] == "defined", (name, v[name])
    assert v[r"d_q q_b = C q q^\top B"]["status"] in ("proved", "verified")
    assert v[r"d_q q_b = C B q^\top q"]["status"] == "refuted"
    assert v["d_b = C B"]["status"] in ("proved", "verified")


def test_label_or_running_index():
    def lab(lhs: str, rhs: str, vectors=frozenset()) -> bool:
        return label_subscript(parse(lhs), parse(rhs), vectors)

    assert lab("c_b", "CB")                      # b: no index letter, unused on the right
    assert lab("d_q", "Cq", {"q"})               # q: the document's vector, used as it
    assert not lab("d_q", "Cq")                  # q undeclared: may be an index (kept a rule)
    assert not lab("x_i", "a_i + 1")             # a rule for every member
    assert not lab("g_t", "g")                   # a constant sequence
    assert not lab(r"K_\ell", r"C A^{\ell-1} B")  # the index in an exponent
    assert not lab("y_q", "x_q + q", {"q"})      # q used as an index on the right
    assert not lab("w_b", "2b")                  # b used on the right: not a bare label
