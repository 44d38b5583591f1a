"""Names defined by what they minimise: a closed form claimed for the minimiser of an objective
the document states is judged against that objective (derive.claims.minimisers).

Every expected verdict was written from the mathematics before the checker ran:

* ridge, ||B - A Z||_F^2 + mu ||Z||_F^2 (mu > 0): the gradient 2 A^T (A Z - B) + 2 mu Z vanishes at
  Z = (A^T A + mu I)^{-1} A^T B only; without mu, (A^T A)^{-1} A^T B is off by a nonzero amount for
  mu > 0 and B != 0, so it is no minimiser;
* with the orientation ||B - A U^T||_F^2 + mu ||U||_F^2 the minimiser has U^T = (A^T A + mu I)^{-1} A^T B,
  so U = (A^T A + mu I)^{-1} A^T B (the transpose missing) is wrong for a non-symmetric right side;
* weighted least squares ||S (y - X theta)||^2 with n > p: theta = (X^T S^T S X)^{-1} X^T S^T S y;
* the quadratic 1/2 x^T Q x - c^T x with Q symmetric positive definite: x* = Q^{-1} c; -Q^{-1} c is
  wrong for c != 0;
* an argmin: g(theta) = ||M theta - r||^2 + rho ||theta||^2, theta_hat = (M^T M + rho I)^{-1} M^T r;
  with 2 rho in place of rho it is wrong.
"""
from derive.commands.check import check_paths


def _verdicts(tmp_path, text, name="doc.md"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    report = check_paths([str(f)], progress=False)
    return [(c["line"], c["latex"], c["status"], c.get("scope", "")) for c in report["claims"]]


def _status(verdicts, line, latex):
    found = [s for ln, lx, s, _sc in verdicts if ln == line and lx == latex]
    assert found, (line, latex, verdicts)
    return found[0]


RIDGE = r"""# Ridge with other letters

Let $A \in \mathbb{R}^{m \times p}$ and $B \in \mathbb{R}^{m \times p}$ be data, and $\mu > 0$.
We look for the matrix $Z \in \mathbb{R}^{p \times p}$ that minimizes $\|B - AZ\|_F^2 + \mu\|Z\|_F^2$. The solution is
$$Z = (A^\top A + \mu I)^{-1} A^\top B.$$
A wrong solution forgets the penalty:
$$Z = (A^\top A)^{-1} A^\top B.$$
"""


def test_ridge_closed_form_is_verified_and_the_one_without_penalty_refuted(tmp_path):
    v = _verdicts(tmp_path, RIDGE)
    assert _status(v, 5, r"Z = (A^\top A + \mu I)^{-1} A^\top B") == "verified"
    assert _status(v, 7, r"Z = (A^\top A)^{-1} A^\top B") == "refuted"


ORIENTED = r"""# Transposed weights

Let $A \in \mathbb{R}^{m \times p}$ and $B \in \mathbb{R}^{m \times p}$, and $\mu > 0$.
Take $U \in \mathbb{R}^{p \times p}$ minimizing $\|B - AU^\top\|_F^2 + \mu\|U\|_F^2$. The solution is
$$U^\top = (A^\top A + \mu I)^{-1} A^\top B.$$

## A slip

Again take $U \in \mathbb{R}^{p \times p}$ minimizing $\|B - AU^\top\|_F^2 + \mu\|U\|_F^2$. The solution is
$$U = (A^\top A + \mu I)^{-1} A^\top B.$$
"""


def test_orientation_matters(tmp_path):
    v = _verdicts(tmp_path, ORIENTED)
    assert _status(v, 5, r"U^\top = (A^\top A + \mu I)^{-1} A^\top B") == "verified"
    assert _status(v, 10, r"U = (A^\top A + \mu I)^{-1} A^\top B") == "refuted"


TWO_OBJECTIVES = r"""# Two objectives in a row

Let $A \in \mathbb{R}^{m \times p}$ and $B \in \mathbb{R}^{m \times p}$, and $\mu > 0$.
First we minimize $\|B - AU^\top\|_F^2 + \mu\|U\|_F^2$ over $U \in \mathbb{R}^{p \times p}$. Actually, better: minimize $\|B - AU\|_F^2 + \mu\|U\|_F^2$ instead. Solution:
$$U = (A^\top A + \mu I)^{-1} A^\top B.$$
"""


def test_the_most_recent_objective_is_in_force(tmp_path):
    v = _verdicts(tmp_path, TWO_OBJECTIVES)
    assert _status(v, 5, r"U = (A^\top A + \mu I)^{-1} A^\top B") == "verified"


WRONG_UNDER_LATEST = r"""# Two objectives, the claim fits the first only

Let $A \in \mathbb{R}^{m \times p}$ and $B \in \mathbb{R}^{m \times p}$, and $\mu > 0$.
First we minimize $\|B - AU^\top\|_F^2 + \mu\|U\|_F^2$ over $U \in \mathbb{R}^{p \times p}$. Or rather minimize $\|B - AU\|_F^2 + \mu\|U\|_F^2$. Solution:
$$U^\top = (A^\top A + \mu I)^{-1} A^\top B.$$
"""


def test_a_claim_right_under_an_earlier_objective_is_not_refuted(tmp_path):
    # U^T = (A^T A + mu I)^{-1} A^T B minimises the first objective, not the second: two readings
    v = _verdicts(tmp_path, WRONG_UNDER_LATEST)
    assert _status(v, 5, r"U^\top = (A^\top A + \mu I)^{-1} A^\top B") == "undecided"


WEIGHTED = r"""# Weighted least squares

Let $X \in \mathbb{R}^{n \times p}$ with $n > p$, $S \in \mathbb{R}^{n \times n}$ and $\mathbf{y} \in \mathbb{R}^n$.
The weighted fit minimizes $\|S(\mathbf{y} - X\boldsymbol\theta)\|^2$ over $\boldsymbol\theta$; its solution is
$$\boldsymbol\theta = (X^\top S^\top S X)^{-1} X^\top S^\top S \mathbf{y}.$$
Dropping the weights gives the ordinary fit, which is not the solution:
$$\boldsymbol\theta = (X^\top X)^{-1} X^\top \mathbf{y}.$$
"""


def test_weighted_least_squares(tmp_path):
    v = _verdicts(tmp_path, WEIGHTED)
    assert _status(v, 5, r"\boldsymbol\theta = (X^\top S^\top S X)^{-1} X^\top S^\top S \mathbf{y}") == "verified"
    assert _status(v, 7, r"\boldsymbol\theta = (X^\top X)^{-1} X^\top \mathbf{y}") != "verified"


QUADRATIC = r"""# A quadratic

Let $Q$ be symmetric positive definite and minimise
$$g(\mathbf{u}) = \frac{1}{2}\mathbf{u}^\top Q \mathbf{u} - \mathbf{c}^\top \mathbf{u}.$$
Its minimiser is $\mathbf{u}^\star = Q^{-1}\mathbf{c}$. A sign slip gives $\mathbf{u}^\star = -Q^{-1}\mathbf{c}$.
"""


def test_quadratic_minimiser_starred(tmp_path):
    v = _verdicts(tmp_path, QUADRATIC)
    assert _status(v, 5, r"\mathbf{u}^\star = Q^{-1}\mathbf{c}") == "verified"
    assert _status(v, 5, r"\mathbf{u}^\star = -Q^{-1}\mathbf{c}") == "refuted"


ARGMIN = r"""# An argmin

Let $M \in \mathbb{R}^{m \times k}$, $\mathbf{r} \in \mathbb{R}^m$, $\boldsymbol\phi \in \mathbb{R}^k$ and $\rho > 0$, and let
$$h(\boldsymbol\phi) = \|M\boldsymbol\phi - \mathbf{r}\|^2 + \rho\|\boldsymbol\phi\|^2.$$
Define $\hat{\boldsymbol\phi} = \arg\min_{\boldsymbol\phi} h(\boldsymbol\phi)$. Then
$$\hat{\boldsymbol\phi} = (M^\top M + \rho I)^{-1} M^\top \mathbf{r},$$
and not
$$\hat{\boldsymbol\phi} = (M^\top M + 2\rho I)^{-1} M^\top \mathbf{r}.$$
"""


def test_argmin_defines_the_objective(tmp_path):
    v = _verdicts(tmp_path, ARGMIN)
    assert _status(v, 6, r"\hat{\boldsymbol\phi} = (M^\top M + \rho I)^{-1} M^\top \mathbf{r}") == "verified"
    assert _status(v, 8, r"\hat{\boldsymbol\phi} = (M^\top M + 2\rho I)^{-1} M^\top \mathbf{r}") == "refuted"


WEAK = r"""# A function without the word minimise

Let $P$ be symmetric positive definite and consider
$$q(\mathbf{z}) = \frac{1}{2}\mathbf{z}^\top P \mathbf{z} - \mathbf{d}^\top \mathbf{z}.$$
Setting the gradient to zero, $\mathbf{z}^* = %s$.
"""


def test_a_starred_point_of_a_function_not_said_to_be_minimised_is_verified_but_never_refuted(tmp_path):
    # z* = P^{-1} d is the stationary point of q; 2 P^{-1} d is not, but nothing says z* minimises q
    v = _verdicts(tmp_path, WEAK % r"P^{-1}\mathbf{d}")
    assert _status(v, 5, r"\mathbf{z}^* = P^{-1}\mathbf{d}") == "verified"
    v = _verdicts(tmp_path, WEAK % r"2P^{-1}\mathbf{d}")
    assert _status(v, 5, r"\mathbf{z}^* = 2P^{-1}\mathbf{d}") == "undecided"


USED_LATER = r"""# The fitted weights used later

Let $A \in \mathbb{R}^{m \times p}$, $B \in \mathbb{R}^{m \times p}$, $\mathbf{s} \in \mathbb{R}^p$ and $\mu > 0$.
Take $Z \in \mathbb{R}^{p \times p}$ that minimizes $\|B - AZ\|_F^2 + \mu\|Z\|_F^2$. The solution is
$$Z = (A^\top A + \mu I)^{-1} A^\top B.$$
The prediction is $\mathbf{t} = Z^\top \mathbf{s} = B^\top A (A^\top A + \mu I)^{-1} \mathbf{s}$.
"""


def test_the_verified_minimiser_is_the_names_value_afterwards(tmp_path):
    # Z^T s = B^T A ((A^T A + mu I)^{-1})^T s and the inverse of a symmetric matrix is symmetric
    v = _verdicts(tmp_path, USED_LATER)
    assert _status(v, 5, r"Z = (A^\top A + \mu I)^{-1} A^\top B") == "verified"
    assert _status(v, 6, r"\mathbf{t} = Z^\top \mathbf{s} = B^\top A (A^\top A + \mu I)^{-1} \mathbf{s}") in (
        "verified", "proved")


STALE = r"""# An objective, then another question

Let $A \in \mathbb{R}^{p \times p}$ be invertible, $\mathbf{c}, \mathbf{b} \in \mathbb{R}^p$ and $\mu > 0$.
We minimize $\|\mathbf{x} - \mathbf{c}\|^2 + \mu\|\mathbf{x}\|^2$ over $\mathbf{x}$.
Its value is $\|\mathbf{c}\|^2 \ge 0$ at most, and $\mu \ge 0$, and $p \ge 1$, and $\mathbf{c} \ne 0$.
Now a different question about a linear system $A\mathbf{x} = \mathbf{b}$; its solution is
$$\mathbf{x} = A^{-1}\mathbf{b}.$$
"""


def test_a_plain_name_far_from_the_objective_is_not_read_as_its_minimiser(tmp_path):
    # x = A^{-1} b solves the linear system; it is not the minimiser c / (1 + mu) of the objective above,
    # and the document does not say it is: never refuted as a minimiser
    v = _verdicts(tmp_path, STALE)
    assert _status(v, 7, r"\mathbf{x} = A^{-1}\mathbf{b}") != "refuted"


HAT_PREDICTION = r"""# A hat for a prediction

Let $X \in \mathbb{R}^{n \times p}$, $\mathbf{w} \in \mathbb{R}^p$ and $\mathbf{t} \in \mathbb{R}^n$, and consider
$$g(\mathbf{y}) = \|\mathbf{y} - \mathbf{t}\|^2.$$
The prediction is $\hat{\mathbf{y}} = X\mathbf{w}$.
"""


def test_a_hatted_prediction_is_not_read_as_the_minimiser_of_a_function_of_that_letter(tmp_path):
    # X w is not the minimiser t of g, but nothing says y-hat minimises g: it stays the definition it reads as
    v = _verdicts(tmp_path, HAT_PREDICTION)
    assert _status(v, 5, r"\hat{\mathbf{y}} = X\mathbf{w}") == "defined"


LASSO = r"""# A kinked objective

Let $s$ be a number and $\tau > 0$. The scalar lasso minimizes $\frac{1}{2}(b - s)^2 + \tau |b|$ over $b$. Its solution is
$$b = \operatorname{sign}(s)\max(|s| - \tau, 0).$$
"""


def test_a_non_smooth_objective_is_not_judged_by_slopes(tmp_path):
    # soft thresholding is the true minimiser, but for |s| < tau it sits at the kink b = 0, where the
    # one-sided slopes differ: central differences must not refute it
    v = _verdicts(tmp_path, LASSO)
    assert _status(v, 4, r"b = \operatorname{sign}(s)\max(|s| - \tau, 0)") != "refuted"
