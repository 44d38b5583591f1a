"""Ridge derivations read whole (issue 12): a stationarity condition judged as the derivative of the
expression before it set to zero, the sign of a penalty weight, a name the prose names with "... is",
and a display whose final "=" is continued in the prose.

Every expected verdict was worked out by hand before the checker ran, in letters of our own:

* E(b) = rho^2 (1 - b)^2 + mu b^2 has dE/db = -2 rho^2 (1 - b) + 2 mu b: that set to zero is right;
  "-2 rho^2 (1 - c) + mu c = 0" (half the penalty term) vanishes at c = 2 rho^2 / (2 rho^2 + mu), not at
  the stationary point rho^2 / (rho^2 + mu), so it is wrong for rho, mu > 0; "rho^2 (a - 1) + mu a = 0" is
  half the derivative: right;
* mu weighting ||B||_F^2 in a loss is >= 0; then rho^2/(rho^2 + mu) <= 1/3 gives rho^2 <= (rho^2 + mu)/3
  (multiply by rho^2 + mu > 0) and so 2 rho^2 <= mu; (rho^2 + mu)/4 in place of a third does not follow
  (rho^2 = 1, mu = 2.5: ratio 0.286 <= 1/3 but 1 > 0.875); with no loss stating mu, a negative mu
  (rho^2 = 1, mu = -4: ratio -1/3 <= 1/3 but 1 > -1) breaks even the right step;
* c = (G^T G + mu I)^{-1} z and beta_i = g_i^T c give beta_i = g_i^T (G^T G + mu I)^{-1} z; with
  (G^T G)^{-1} the value differs for mu > 0;
* M_t = Q_t^T P_t^{-1} gives M_t z_t = Q_t^T P_t^{-1} z_t, and Q_t P_t^{-1} z_t differs for a
  non-symmetric Q_t;
* (a + b)^2 = a^2 + 2ab + b^2 is right, (a - b)^2 = a^2 + b^2 is wrong (ab != 0);
* the ridge solution of ||Y - Z A||_F^2 + mu ||Z||_F^2 is Z = Y A^T (A A^T + mu I)^{-1}: "the solution
  is $Z = ...$" names the unknown of that loss, not a new meaning of Z.
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


STATIONARY = r"""# Shrinkage of one coefficient

Fix $\mu > 0$ and $\rho_k \geq 0$. For the $k$-th coordinate the penalised error is
$$E = (\rho_k - b_k \rho_k)^2 + \mu b_k^2 = \rho_k^2 (1 - b_k)^2 + \mu b_k^2.$$

Differentiating with respect to $b_k$:

$$-2\rho_k^2(1 - b_k) + 2\mu b_k = 0$$

Second attempt at the same error $$G = \rho_k^2 (1 - c_k)^2 + \mu c_k^2.$$

Take the derivative w.r.t. $c_k$:

$$-2\rho_k^2(1 - c_k) + \mu c_k = 0$$

A third error $$H = \rho_k^2 (1 - a_k)^2 + \mu a_k^2.$$

Take the derivative w.r.t. $a_k$ and set it to zero:

$$\rho_k^2 (a_k - 1) + \mu a_k = 0$$
"""


def test_a_stationarity_condition_is_the_derivative_of_the_line_before_set_to_zero(tmp_path):
    v = _verdicts(tmp_path, STATIONARY)
    assert _status(v, 8, r"-2\rho_k^2(1 - b_k) + 2\mu b_k = 0") == "proved"
    assert _status(v, 14, r"-2\rho_k^2(1 - c_k) + \mu c_k = 0") == "refuted"
    assert _status(v, 20, r"\rho_k^2 (a_k - 1) + \mu a_k = 0") == "proved"


SIGN = r"""# Shrinking one direction

## (a)

The penalised loss is
$$J(B) = \|Y - B Y\|_F^2 + \mu \|B\|_F^2$$

## (b)

To attenuate a direction with strength $\rho$ by at least a third:
$$\frac{\rho^2}{\rho^2 + \mu} \leq \frac{1}{3} \Rightarrow \rho^2 \leq \frac{1}{3}(\rho^2 + \mu) \Rightarrow 2\rho^2 \leq \mu$$

## (c)

A slip in the same bound:
$$\frac{\rho^2}{\rho^2 + \mu} \leq \frac{1}{3} \Rightarrow \rho^2 \leq \frac{1}{4}(\rho^2 + \mu)$$
"""

NO_LOSS = r"""# A bound with no loss

To keep a ratio small with strength $\rho$ and shift $\mu$:
$$\frac{\rho^2}{\rho^2 + \mu} \leq \frac{1}{3} \Rightarrow \rho^2 \leq \frac{1}{3}(\rho^2 + \mu)$$
"""


def test_a_penalty_weight_of_a_stated_loss_is_nonnegative_in_later_steps(tmp_path):
    v = _verdicts(tmp_path, SIGN)
    assert _status(v, 11, r"\rho^2 \leq \frac{1}{3}(\rho^2 + \mu)") == "verified"
    assert _status(v, 11, r"2\rho^2 \leq \mu") == "verified"
    assert _status(v, 16, r"\rho^2 \leq \frac{1}{4}(\rho^2 + \mu)") not in ("verified", "proved")


def test_without_a_loss_the_weight_keeps_its_sign_open(tmp_path):
    v = _verdicts(tmp_path, NO_LOSS)
    assert _status(v, 4, r"\rho^2 \leq \frac{1}{3}(\rho^2 + \mu)") not in ("verified", "proved")


READOUT = r"""# Readout weights

Let $G = [\mathbf{g}_1^\top; \dots; \mathbf{g}_n^\top] \in \mathbb{R}^{n \times d}$ and $H = [\mathbf{h}_1^\top; \dots; \mathbf{h}_n^\top] \in \mathbb{R}^{n \times d}$, $\mu > 0$, and a query $\mathbf{z} \in \mathbb{R}^d$.
The readout can be written as $\mathbf{r} = \sum_{i=1}^n \mathbf{h}_i \beta_i$ where $\beta_i$ are some scalars.

Let $\mathbf{c} = (G^\top G + \mu I)^{-1} \mathbf{z}$. So the weight of row $\mathbf{h}_i$ is $\beta_i = \mathbf{g}_i^\top \mathbf{c}$.

Thus $\beta_i = \mathbf{g}_i^\top (G^\top G + \mu I)^{-1} \mathbf{z}$.

A slip: $\beta_i = \mathbf{g}_i^\top (G^\top G)^{-1} \mathbf{z}$.
"""


def test_a_coefficient_left_open_is_defined_where_the_prose_names_it(tmp_path):
    v = _verdicts(tmp_path, READOUT)
    assert _status(v, 6, r"\beta_i = \mathbf{g}_i^\top \mathbf{c}") == "defined"
    assert _status(v, 8, r"\beta_i = \mathbf{g}_i^\top (G^\top G + \mu I)^{-1} \mathbf{z}") in ("verified", "proved")
    assert _status(v, 10, r"\beta_i = \mathbf{g}_i^\top (G^\top G)^{-1} \mathbf{z}") == "refuted"


CAUSAL = r"""# Streaming readout

## (a)

For a query $\mathbf{z}_t \in \mathbb{R}^d$ the output $\mathbf{y}_t \in \mathbb{R}^d$ is a linear readout.

## (b)

Let $P_t, Q_t \in \mathbb{R}^{d \times d}$ with $P_t$ invertible, and let $M_t = Q_t^\top P_t^{-1}$.
The output for query $\mathbf{z}_t$ is $\mathbf{y}_t = M_t \mathbf{z}_t = Q_t^\top P_t^{-1} \mathbf{z}_t$.

## (c)

Let $P_t, Q_t \in \mathbb{R}^{d \times d}$ with $P_t$ invertible, and let $N_t = Q_t^\top P_t^{-1}$.
The output for query $\mathbf{z}_t$ is $\mathbf{y}_t = N_t \mathbf{z}_t = Q_t P_t^{-1} \mathbf{z}_t$.
"""


def test_a_chain_named_by_the_prose_defines_its_first_link_and_judges_the_rest(tmp_path):
    v = _verdicts(tmp_path, CAUSAL)
    assert _status(v, 10, r"\mathbf{y}_t = M_t \mathbf{z}_t = Q_t^\top P_t^{-1} \mathbf{z}_t") in ("verified", "proved")
    assert _status(v, 15, r"\mathbf{y}_t = N_t \mathbf{z}_t = Q_t P_t^{-1} \mathbf{z}_t") == "refuted"


SOLUTION = r"""# Ridge for a linear encoder

Let $A \in \mathbb{R}^{p \times n}$ and $Y \in \mathbb{R}^{p \times n}$ be data and $\mu > 0$. The loss is $\|Y - ZA\|_F^2 + \mu \|Z\|_F^2$ and we minimize it over $Z \in \mathbb{R}^{p \times p}$.

For this regression of $Y$ on $A$ the solution is $Z = YA^\top (AA^\top + \mu I)^{-1}$.

## A slip

The loss is $\|Y - ZA\|_F^2 + \mu \|Z\|_F^2$ and we minimize it over $Z \in \mathbb{R}^{p \times p}$.
For this regression the solution is $Z = YA^\top (AA^\top)^{-1}$.
"""


def test_the_solution_named_in_prose_is_judged_as_the_minimiser_not_defined(tmp_path):
    v = _verdicts(tmp_path, SOLUTION)
    assert _status(v, 5, r"Z = YA^\top (AA^\top + \mu I)^{-1}") == "verified"
    assert _status(v, 10, r"Z = YA^\top (AA^\top)^{-1}") not in ("verified", "proved", "defined")


TRAILING = r"""# Expanding a square

Let $a$ and $b$ be real numbers. Expanding, $(a + b)^2 = a^2 + 2ab + b^2 =$ the sum of the squares plus twice the product.

A slip: $(a - b)^2 = a^2 + b^2 =$ the sum of the squares.
"""


def test_a_final_equals_sign_continued_in_prose_is_read_without_it(tmp_path):
    v = _verdicts(tmp_path, TRAILING)
    assert _status(v, 3, r"(a + b)^2 = a^2 + 2ab + b^2") == "proved"
    assert _status(v, 5, r"(a - b)^2 = a^2 + b^2") == "refuted"


IDENTITY = r"""# Sizes of an identity

Take the $3 \times 3$ identity $I_3$. Its penalty is $\|I\|_F^2 = \text{tr}(II^\top) = \text{tr}(I_3) = 3$.

A slip: $\|I\|_F = \text{tr}(I_3) = 3$.
"""


def test_a_bare_identity_beside_a_sized_one_is_that_identity(tmp_path):
    # ||I_3||_F^2 = tr(I_3) = 3 is right; ||I_3||_F = sqrt(3) is not 3
    v = _verdicts(tmp_path, IDENTITY)
    assert _status(v, 3, r"\|I\|_F^2 = \text{tr}(II^\top) = \text{tr}(I_3) = 3") in ("verified", "proved")
    assert _status(v, 5, r"\|I\|_F = \text{tr}(I_3) = 3") == "refuted"


SUMMARY = r"""# Homework

## Problem 1

### (b) Scalars

#### i. A value

Let $c = 3$. Then $c^2 = 9$.

## Problem 2

### (b) Squares

Let $q = 5$ and $r = 2$.

i. The square is $q^2 + r = 27$.

### Summary of answers

(a) Nothing to report.

(b) i. $q^2 + r = 27$.

(b) i. $q^2 + r = 26$.
"""


def test_a_summary_label_names_a_part_of_its_own_problem(tmp_path):
    # "(b) i." in Problem 2's summary is Problem 2's (b), where q = 5 and r = 2: 25 + 2 = 27, not 26
    # (Problem 1's "(b) / i." headings are another problem, where q means nothing)
    v = _verdicts(tmp_path, SUMMARY)
    assert _status(v, 23, r"q^2 + r = 27") in ("verified", "proved")
    assert _status(v, 25, r"q^2 + r = 26") == "refuted"


UNNAMED = r"""# A display the prose does not call a loss

Write $$V = (3 - b)^2 + 2b^2$$

Take the derivative w.r.t. $b$:

$$-2(3 - b) + 4b = 0$$

Write again $$Z = (3 - c)^2 + 2c^2$$

Take the derivative w.r.t. $c$:

$$-2(3 - c) + 2c = 0$$
"""


def test_a_display_not_called_a_loss_proves_but_never_refutes(tmp_path):
    # dV/db = -2(3 - b) + 4b: right; -2(3 - c) + 2c misses the factor 2 of 2c^2, but the prose does not
    # say the display before is what the author differentiates, so it is not refuted
    v = _verdicts(tmp_path, UNNAMED)
    assert _status(v, 7, r"-2(3 - b) + 4b = 0") == "proved"
    assert _status(v, 13, r"-2(3 - c) + 2c = 0") not in ("verified", "proved", "refuted")
