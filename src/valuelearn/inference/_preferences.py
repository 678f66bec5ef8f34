"""Learning utilities from comparisons, rankings and ratings: the MAP estimator.

:class:`PreferenceMAP` maximises the log-posterior of :class:`PreferenceProblem` (concave for
Bradley–Terry, Thurstone, weak comparisons, Plackett–Luce and ordinal probit without random-answer
noise) with L-BFGS-B and exact gradients. :class:`~valuelearn.inference.PreferenceLaplace` adds
the Laplace approximation of the posterior.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import scipy.linalg
import scipy.optimize
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import Comparisons, Items, Rankings, Ratings
from valuelearn.exceptions import ConvergenceWarning, NotFittedError, ValueLearnInputError
from valuelearn.inference._fitting import check_nonnegative
from valuelearn.inference._preference_models import (
    PairwiseModel,
    bradley_terry,
    thurstone,
    weak_comparison,
)
from valuelearn.inference._preference_problem import PreferenceProblem, UtilityKind, build_problem

Array = NDArray[np.float64]
ComparisonModel = Literal["bt", "thurstone", "weak"] | PairwiseModel
_MIN_GAP = 1e-6  # smallest gap kept between consecutive rating thresholds


def pairwise_model(
    model: ComparisonModel, *, noise: float, width: float, owner: str
) -> PairwiseModel:
    """The :class:`PairwiseModel` a ``comparison_model`` setting names."""
    if isinstance(model, PairwiseModel):
        return model
    if model == "bt":
        return bradley_terry(noise=noise)
    if model == "thurstone":
        return thurstone(noise=noise)
    if model == "weak":
        return weak_comparison(width, noise=noise)
    raise ValueLearnInputError(
        f"The 'comparison_model' parameter of {owner} must be 'bt', 'thurstone', 'weak' or a "
        f"PairwiseModel; got {model!r} instead."
    )


class PreferenceMAP:
    """Maximum a posteriori utilities of items from comparisons, rankings and ratings.

    Comparisons follow ``comparison_model``, rankings Plackett–Luce and ratings the ordinal
    probit with learned thresholds; all share the items' utilities ``u = design @ weights``
    (features, one per item, or a kernel: see :class:`PreferenceProblem`). The prior is
    ``N(0, prior_scale**2)`` on each weight and ``N(0, threshold_prior_scale**2)`` on each
    threshold. Cyclic or contradictory judgments are fine: they pull the utilities together.

    Parameters
    ----------
    comparison_model : {"bt", "thurstone", "weak"} or PairwiseModel
        Bradley–Terry, Thurstone (``sigma = 1``) or weak comparisons with indifference ``width``.
        Strict models count an "equal" answer half for each side.
    utility : {"auto", "linear", "item", "kernel"}
        ``"auto"``: kernel if the items have one, else linear if they have features, else item.
    prior_scale : float or None
        ``None`` is maximum likelihood (item utilities are then identified only up to a shift,
        and perfectly separable data make the weights diverge).
    noise : float
        Probability of a uniformly random answer (Christiano et al. use 0.1); makes the
        objective non-concave, so the fit is a local optimum.
    width : float
        Indifference width of ``comparison_model="weak"``.
    rating_sigma : float
        Noise of the ordinal probit.
    threshold_prior_scale : float
    gtol : float
        Stop when the largest (projected) gradient entry of the mean log-posterior per judgment
        is below ``gtol``.
    max_iter : int

    Attributes
    ----------
    problem_ : PreferenceProblem
    items_ : Items
    pairwise_model_ : PairwiseModel
    weights_ : array, shape (n_weights,)
        The utility weights (whitened kernel coordinates for ``utility="kernel"``).
    thresholds_ : array, shape (n_levels - 1,)
        Rating thresholds (empty without ratings).
    utilities_ : array, shape (n_items,)
    ranking_ : tuple of str
        Item ids from the highest utility to the lowest.
    log_likelihood_, log_posterior_ : float
        Totals at the estimate.
    converged_ : bool
    n_iter_ : int

    References
    ----------
    Bradley & Terry (1952); Christiano et al. (2017), NeurIPS, section 2.2.3; Plackett (1975);
    Chu & Ghahramani (2005), ICML (Gaussian-process preference learning) and JMLR 6 (ordinal).

    Examples
    --------
    >>> c = Comparisons(["tea", "tea", "coffee"], ["coffee", "water", "water"], ["a", "a", "a"])
    >>> model = PreferenceMAP().fit(c)
    >>> model.ranking_, model.converged_
    (('tea', 'coffee', 'water'), True)
    >>> model.predict_proba([["tea", "water"]]).round(2).tolist()
    [[0.77, 0.23, 0.0]]
    """

    def __init__(
        self,
        *,
        comparison_model: ComparisonModel = "bt",
        utility: UtilityKind = "auto",
        prior_scale: float | None = 1.0,
        noise: float = 0.0,
        width: float = 0.5,
        rating_sigma: float = 1.0,
        threshold_prior_scale: float = 10.0,
        gtol: float = 1e-7,
        max_iter: int = 2000,
    ) -> None:
        self.comparison_model = comparison_model
        self.utility = utility
        self.prior_scale = prior_scale
        self.noise = noise
        self.width = width
        self.rating_sigma = rating_sigma
        self.threshold_prior_scale = threshold_prior_scale
        self.gtol = gtol
        self.max_iter = max_iter

    def fit(
        self,
        comparisons: Comparisons | None = None,
        *,
        rankings: Rankings | None = None,
        ratings: Ratings | None = None,
        items: Items | None = None,
    ) -> PreferenceMAP:
        """Fit utilities to the judgments; return ``self``.

        Without ``items``, the items are the ids the judgments mention, one utility each.
        """
        problem = self.build_problem(comparisons, rankings, ratings, items)
        params, converged, n_iter = maximise_posterior(
            problem, gtol=self.gtol, max_iter=self.max_iter, owner=type(self).__name__
        )
        self._set_estimate(problem, params)
        self.converged_ = converged
        self.n_iter_ = n_iter
        return self

    def build_problem(
        self,
        comparisons: Comparisons | None,
        rankings: Rankings | None,
        ratings: Ratings | None,
        items: Items | None,
    ) -> PreferenceProblem:
        """Validate the settings and data and assemble the problem a fit solves."""
        owner = type(self).__name__
        if self.prior_scale is not None:
            check_nonnegative(self.prior_scale, "prior_scale", owner, strict=True)
        check_nonnegative(self.threshold_prior_scale, "threshold_prior_scale", owner, strict=True)
        sigma = check_nonnegative(self.rating_sigma, "rating_sigma", owner, strict=True)
        model = pairwise_model(
            self.comparison_model, noise=self.noise, width=self.width, owner=owner
        )
        return build_problem(
            items,
            comparisons,
            rankings,
            ratings,
            pairwise=model,
            utility=self.utility,
            prior_scale=self.prior_scale,
            threshold_prior_scale=float(self.threshold_prior_scale),
            rating_sigma=sigma,
            owner=owner,
        )

    def _set_estimate(self, problem: PreferenceProblem, params: Array) -> None:
        self.problem_ = problem
        self.items_ = problem.items
        self.pairwise_model_ = problem.pairwise
        self.weights_ = params[: problem.n_weights].copy()
        self.thresholds_ = problem.thresholds(params).copy()
        self.utilities_ = problem.utilities(params)
        order = np.argsort(-self.utilities_, kind="stable")
        self.ranking_ = tuple(problem.items.ids[i] for i in order)
        self.log_likelihood_ = problem.log_likelihood(params).value
        self.log_posterior_ = self.log_likelihood_ + problem.log_prior(params).value

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "utilities_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call fit() first."
            )

    def pair_indices(self, pairs: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Positions ``(a, b)`` of ``pairs``: an (n, 2) array of item ids or integer positions."""
        self._check_fitted()
        table = np.asarray(pairs)
        if table.ndim == 1:
            table = table.reshape(1, -1)
        if table.ndim != 2 or table.shape[1] != 2:
            raise ValueLearnInputError(f"`pairs` must have shape (n, 2); got {table.shape}.")
        if table.dtype.kind in "iu":
            index = table.astype(np.int64)
            if index.size and (index.min() < 0 or index.max() >= self.items_.n_items):
                raise ValueLearnInputError(
                    f"`pairs` holds positions outside [0, {self.items_.n_items})."
                )
        else:
            index = self.items_.index_of(table.ravel(), what="pairs").reshape(-1, 2)
        return index[:, 0], index[:, 1]

    def predict_proba(self, pairs: ArrayLike) -> Array:
        """Probabilities of the answers "a", "b", "equal" for each pair, shape (n_pairs, 3).

        ``pairs`` is an (n, 2) array of item ids, or of integer positions in ``items_``.
        """
        a, b = self.pair_indices(pairs)
        return self.pairwise_model_.probabilities(self.utilities_[a] - self.utilities_[b])

    def predict_utility(self, features: ArrayLike) -> Array:
        """Utilities ``features @ weights_`` of new items (linear utilities only), shape (n,)."""
        self._check_fitted()
        if self.problem_.utility != "linear":
            raise ValueLearnInputError("predict_utility needs a model with linear utilities.")
        x = np.asarray(features, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.weights_.size:
            raise ValueLearnInputError(
                f"`features` must have shape (n, {self.weights_.size}); got {x.shape}."
            )
        return np.asarray(x @ self.weights_, dtype=np.float64)

    def score(
        self,
        comparisons: Comparisons | None = None,
        *,
        rankings: Rankings | None = None,
        ratings: Ratings | None = None,
    ) -> float:
        """Mean log-likelihood per judgment of held-out judgments about the fitted items."""
        self._check_fitted()
        problem = self.build_problem(comparisons, rankings, ratings, self.items_)
        if problem.n_thresholds and problem.n_thresholds != self.thresholds_.size:
            raise ValueLearnInputError(
                f"the ratings have {problem.n_levels} levels; the model was fitted with "
                f"{self.thresholds_.size + 1}."
            )
        thresholds = self.thresholds_ if problem.n_thresholds else np.zeros(0)
        params = np.concatenate([self.weights_, thresholds])
        return problem.log_likelihood(params).value / problem.n_judgments


def maximise_posterior(
    problem: PreferenceProblem,
    *,
    gtol: float,
    max_iter: int,
    owner: str,
    start: Array | None = None,
) -> tuple[Array, bool, int]:
    """Maximise the log-posterior with L-BFGS-B; return ``(params, converged, n_iter)``.

    Thresholds are optimised through their gaps (bounded below by a small positive number), a
    linear change of variables that keeps the problem concave.
    """
    k, m = problem.n_weights, problem.n_thresholds
    per = 1.0 / max(problem.n_judgments, 1)
    if start is None:
        start = np.concatenate([np.zeros(k), np.arange(m) - (m - 1) / 2.0])

    def to_params(x: Array) -> Array:
        return np.concatenate([x[:k], np.cumsum(x[k:])])

    def ascent(x: Array) -> tuple[float, Array]:
        post = problem.log_posterior(to_params(x))
        gradient = post.gradient
        tail = np.cumsum(gradient[k:][::-1])[::-1]  # d/d(gap j) = sum of d/d(b_i), i >= j
        return post.value * per, np.concatenate([gradient[:k], tail]) * per

    def negative(x: Array) -> tuple[float, Array]:
        value, gradient = ascent(x)
        return -value, -gradient

    x0 = np.concatenate([start[:k], start[k : k + 1], np.diff(start[k:])])
    bounds = [(None, None)] * (k + min(m, 1)) + [(_MIN_GAP, None)] * max(m - 1, 0)
    result = scipy.optimize.minimize(
        negative,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": max_iter, "gtol": gtol, "ftol": 0.0, "maxcor": 20},
    )
    x = np.asarray(result.x, dtype=np.float64)
    _, gradient = ascent(x)
    at_bound = np.zeros(x.size, dtype=bool)
    at_bound[k + 1 :] = x[k + 1 :] <= _MIN_GAP * (1 + 1e-9)
    projected = np.where(at_bound & (gradient < 0), 0.0, gradient)
    largest = float(np.max(np.abs(projected), initial=0.0))
    converged = bool(largest <= gtol)
    if not converged:
        flat = not np.all(np.isfinite(problem.prior_scales[:k]))
        hint = "; without a prior, separable judgments make weights diverge" if flat else ""
        warnings.warn(
            f"{owner} stopped after {result.nit} L-BFGS-B iterations ({result.message}) with max "
            f"|gradient| = {largest:.3g} > gtol = {gtol:g} per judgment{hint}.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return to_params(x), converged, int(result.nit)
