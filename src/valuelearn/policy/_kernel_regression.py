"""Value regression over a precomputed similarity kernel, batched over many independent problems.

Kernel agents learn the value of a finite set of actions from noisy rewards, seeing each action
only through its row of a similarity kernel ``K`` (shape ``(m, m)``). Every function here works on
a *batch* of ``B`` problems at once (arrays with a leading axis of length ``B``), so a whole
sweep over seeds and alignment levels is a handful of NumPy calls per step:

- :func:`gp_posterior_update` is the exact Gaussian-process posterior after one more
  observation per problem, as a rank-one update of the posterior mean and covariance over the
  ``m`` actions (Rasmussen & Williams 2006, eq. 2.19 in sequential form). Kernel ridge regression
  without intercept is the same mean with ``prior_variance = 1`` and ``noise_variance = alpha``.
- :func:`svr_fit_precomputed` is epsilon-support vector regression over the precomputed kernel,
  solved by SMO with second-order working-set selection (the libsvm algorithm behind
  scikit-learn's ``SVR``), with per-sample ``C`` and warm starts.

The tests check both against scikit-learn (``KernelRidge(kernel="precomputed")``,
``GaussianProcessRegressor``, ``SVR(kernel="precomputed")``). The kernel agents of
:mod:`valuelearn.policy` act on these estimates, so the maths lives here (policy/ comes before
representation/ in the import order); :mod:`valuelearn.representation` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from valuelearn.exceptions import ValueLearnInputError

_TAU = 1e-12  # libsvm's floor on the curvature of a working pair


def gp_posterior_update(
    mean: NDArray[np.float64],
    covariance: NDArray[np.float64],
    actions: NDArray[np.intp],
    observations: NDArray[np.float64],
    *,
    noise_variance: float,
) -> None:
    """Condition ``B`` Gaussian posteriors over action values on one noisy observation each.

    With ``c = Sigma[:, a]`` and ``d = noise_variance + Sigma[a, a]``, the posterior after seeing
    ``y`` for action ``a`` is ``mu + c (y - mu[a]) / d`` and ``Sigma - c c^T / d``. Starting from
    ``mu = prior mean``, ``Sigma = prior_variance * K`` and applying it once per observation gives
    exactly the batch GP posterior (observations may repeat an action).

    Parameters
    ----------
    mean : array, shape (B, m)
        Posterior means, updated in place.
    covariance : array, shape (B, m, m)
        Posterior covariances, updated in place.
    actions : int array, shape (B,)
        The observed action of each problem.
    observations : array, shape (B,)
        The observed (noisy) value of that action.
    noise_variance : float
        Variance of the observation noise (> 0).

    References
    ----------
    Rasmussen & Williams (2006), *Gaussian Processes for Machine Learning*, MIT Press, eqs. 2.19
    and A.6 (the predictive equations; the rank-one form is the Kalman update of the joint).

    Examples
    --------
    >>> mean, cov = np.zeros((1, 2)), np.array([[[1.0, 0.5], [0.5, 1.0]]])
    >>> gp_posterior_update(mean, cov, np.array([0]), np.array([2.0]), noise_variance=1.0)
    >>> mean.round(3).tolist(), cov[0].round(3).tolist()
    ([[1.0, 0.5]], [[0.5, 0.25], [0.25, 0.875]])
    """
    if not noise_variance > 0:
        raise ValueLearnInputError(
            "The 'noise_variance' parameter of gp_posterior_update must be > 0; got "
            f"{noise_variance!r} instead."
        )
    rows = np.arange(mean.shape[0])
    column = covariance[rows, :, actions]  # (B, m)
    gain = column / (noise_variance + column[rows, actions])[:, None]
    mean += gain * (observations - mean[rows, actions])[:, None]
    covariance -= gain[:, :, None] * column[:, None, :]


@dataclass(frozen=True, eq=False)
class SVRSolution:
    """A batch of fitted support vector regressions.

    Attributes
    ----------
    dual_coef : array, shape (B, m)
        ``alpha_plus - alpha_minus`` per action (0 for actions without weight).
    intercept : array, shape (B,)
        Predictions are ``kernel_rows @ dual_coef + intercept``.
    alpha : array, shape (B, 2m)
        The SMO variables ``[alpha_plus, alpha_minus]`` (pass back as ``warm_start``).
    n_iter : int
        SMO iterations of the slowest problem.
    """

    dual_coef: NDArray[np.float64]
    intercept: NDArray[np.float64]
    alpha: NDArray[np.float64]
    n_iter: int


def svr_fit_precomputed(
    kernel: NDArray[np.float64],
    targets: NDArray[np.float64],
    weights: NDArray[np.float64],
    *,
    C: float,
    epsilon: float,
    tol: float = 1e-3,
    max_iter: int = 100_000,
    warm_start: NDArray[np.float64] | None = None,
) -> SVRSolution:
    """Epsilon-SVR over precomputed kernels for ``B`` problems at once (SMO, libsvm's rules).

    Solves, for each problem, the dual ``min 1/2 (a+ - a-)^T K (a+ - a-) + eps sum(a+ + a-)
    - z^T (a+ - a-)`` subject to ``sum(a+ - a-) = 0`` and ``0 <= a+, a- <= C * w``: the same
    problem scikit-learn's ``SVR(kernel="precomputed", C=C, epsilon=eps).fit(K, z,
    sample_weight=w)`` solves, restricted to the samples with ``w > 0``. Samples with weight 0
    take no part (their dual coefficients stay 0). The intercept follows libsvm's rule (mean of
    ``y_t G_t`` over free variables, else the midpoint of the bounds).

    Parameters
    ----------
    kernel : array, shape (B, m, m)
    targets : array, shape (B, m)
    weights : array, shape (B, m)
        Non-negative sample weights (``C`` is multiplied by them, as in scikit-learn).
    C, epsilon : float
        Box constraint (> 0) and width of the insensitive tube (>= 0).
    tol : float
        Stop when the maximal KKT violation ``m(a) - M(a)`` is below ``tol`` (libsvm's rule).
    max_iter : int
        Iteration cap (counted for the slowest problem).
    warm_start : array, shape (B, 2m), optional
        Feasible starting variables, e.g. the previous solution after weights grew. It must
        satisfy the equality constraint and the new bounds; it is clipped to the bounds.

    Returns
    -------
    SVRSolution

    References
    ----------
    Fan, Chen & Lin (2005), "Working set selection using second order information for training
    support vector machines", JMLR 6:1889-1918, Algorithm 1 and WSS 2 (eq. 16); Chang & Lin
    (2011), "LIBSVM", ACM TIST 2(3), sections 4.1 and 4.1.5 (the intercept).

    Examples
    --------
    >>> K = np.eye(2)[None]
    >>> fit = svr_fit_precomputed(K, np.array([[1.0, -1.0]]), np.ones((1, 2)), C=10.0,
    ...                           epsilon=0.0, tol=1e-9)
    >>> fit.dual_coef.round(6).tolist(), abs(float(fit.intercept[0])) < 1e-9
    ([[1.0, -1.0]], True)
    """
    if not C > 0 or not epsilon >= 0 or not tol > 0:
        raise ValueLearnInputError(
            "The 'C', 'epsilon' and 'tol' parameters of svr_fit_precomputed must be > 0, >= 0 "
            f"and > 0; got {C!r}, {epsilon!r} and {tol!r} instead."
        )
    n_problems, m = targets.shape
    sign = np.concatenate([np.ones(m), -np.ones(m)])
    action = np.concatenate([np.arange(m), np.arange(m)])
    upper = np.tile(C * np.asarray(weights, dtype=np.float64), 2)
    linear = np.concatenate([epsilon - targets, epsilon + targets], axis=1)
    if warm_start is None:
        alpha = np.zeros((n_problems, 2 * m))
    else:
        alpha = np.clip(np.array(warm_start, dtype=np.float64), 0.0, upper)
    beta = alpha[:, :m] - alpha[:, m:]
    gradient = sign * np.einsum("bij,bj->bi", kernel, beta)[:, action] + linear
    diagonal = np.diagonal(kernel, axis1=1, axis2=2)[:, action]  # (B, 2m)
    active = np.arange(n_problems)
    n_iter = 0
    while active.size and n_iter < max_iter:
        a, g, c = alpha[active], gradient[active], upper[active]
        rows = np.arange(active.size)
        score = -sign * g
        up = np.where(sign > 0, a < c, a > 0)
        low = np.where(sign > 0, a > 0, a < c)
        s_up = np.where(up, score, -np.inf)
        i = np.argmax(s_up, axis=1)
        top = s_up[rows, i]
        going = top - np.where(low, score, np.inf).min(axis=1) >= tol
        if not going.all():
            if not going.any():
                break
            active, a, g, c, score, low, i, top = (
                x[going] for x in (active, a, g, c, score, low, i, top)
            )
            rows = np.arange(active.size)
        k_i = kernel[active, action[i]][:, action]  # (b, 2m): K(a_i, a_t)
        b_it = top[:, None] - score
        a_it = diagonal[active, i][:, None] + diagonal[active] - 2.0 * k_i
        a_it = np.where(a_it > 0, a_it, _TAU)
        j = np.argmin(np.where(low & (b_it > 0), -(b_it**2) / a_it, np.inf), axis=1)
        bound_i = np.where(sign[i] > 0, c[rows, i] - a[rows, i], a[rows, i])
        bound_j = np.where(sign[j] > 0, a[rows, j], c[rows, j] - a[rows, j])
        step = np.minimum(b_it[rows, j] / a_it[rows, j], np.minimum(bound_i, bound_j))
        alpha[active, i] = np.clip(a[rows, i] + sign[i] * step, 0.0, c[rows, i])
        alpha[active, j] = np.clip(a[rows, j] - sign[j] * step, 0.0, c[rows, j])
        k_j = kernel[active, action[j]][:, action]
        gradient[active] = g + step[:, None] * sign * (k_i - k_j)
        n_iter += 1
    dual_coef = alpha[:, :m] - alpha[:, m:]
    return SVRSolution(dual_coef, -_rho(alpha, gradient, upper, sign), alpha, n_iter)


def _rho(
    alpha: NDArray[np.float64],
    gradient: NDArray[np.float64],
    upper: NDArray[np.float64],
    sign: NDArray[np.float64],
) -> NDArray[np.float64]:
    """libsvm's ``calculate_rho``: mean ``y G`` over free variables, else mid-bounds."""
    y_g = sign * gradient
    present = upper > 0
    at_upper = present & (alpha >= upper)
    at_lower = present & (alpha <= 0) & ~at_upper
    free = present & ~at_upper & ~at_lower
    # upper bound from (at upper, y = -1) and (at lower, y = +1); lower bound from the others
    to_ub = (at_upper & (sign < 0)) | (at_lower & (sign > 0))
    to_lb = (at_upper & (sign > 0)) | (at_lower & (sign < 0))
    ub = np.where(to_ub, y_g, np.inf).min(axis=1)
    lb = np.where(to_lb, y_g, -np.inf).max(axis=1)
    n_free = free.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_free = np.where(free, y_g, 0.0).sum(axis=1) / n_free
        middle = (ub + lb) / 2.0
    rho = np.where(n_free > 0, mean_free, middle)
    return np.where(np.isfinite(rho), rho, 0.0)
