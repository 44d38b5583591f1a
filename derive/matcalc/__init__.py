"""Matrix calculus by differentials: gradients of scalar functions of matrices, with steps.

* :mod:`.nodes` - elementwise functions, softmax, norms, differentials and the
  finite-difference references (with mpmath evaluators and printers);
* :mod:`.rules` - the differential rules, one per node kind;
* :mod:`.traceform` - expansion and the pull-back to ``tr(Gᵀ dX)``;
* :mod:`.tidy` - readability rewrites and assumptions (one-hot, symmetric);
* :mod:`.engine` - ``gradient`` / ``hessian_vector`` that record every step;
* :mod:`.problem` - problems that sample the symbols of an expression;
* :mod:`.language` - the safe expression language of ``derive grad``.
"""

from .engine import (GradientResult, derive_gradient, derive_hessian_vector, differential, direction, gradient,
                     hessian_vector)
from .nodes import Elementwise, Exp, FDGradient, FDHessVec, Log, MatDiff, Norm, ScalarDiff, Sigmoid, Softmax, Tanh
from .problem import gradient_problem
from .tidy import Assumptions

__all__ = [
    "Assumptions", "Elementwise", "Exp", "FDGradient", "FDHessVec", "GradientResult", "Log", "MatDiff", "Norm",
    "ScalarDiff", "Sigmoid", "Softmax", "Tanh", "derive_gradient", "derive_hessian_vector", "differential", "direction", "gradient", "gradient_problem",
    "hessian_vector",
]
