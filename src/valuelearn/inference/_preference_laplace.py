"""The Laplace approximation of the posterior over utilities (mean = MAP, exact Hessian)."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import Comparisons, Items, Rankings, Ratings
from valuelearn.exceptions import ConvergenceWarning
from valuelearn.inference._preferences import PreferenceMAP

Array = NDArray[np.float64]


class PreferenceLaplace(PreferenceMAP):
    """Laplace approximation of the posterior over utilities: Gaussian at the MAP.

    Takes the parameters of :class:`PreferenceMAP`. The covariance is the inverse of the negative
    Hessian of the log-posterior at the MAP, computed exactly. Predictions average over the
    posterior: exactly for the probit link, with MacKay's approximation for the logistic one.

    Attributes
    ----------
    covariance_ : array, shape (n_parameters, n_parameters)
        Posterior covariance of ``(weights_, thresholds_)``.
    utility_std_ : array, shape (n_items,)
        Posterior standard deviation of each item's utility.
    (and every attribute of :class:`PreferenceMAP`)

    References
    ----------
    MacKay (1992), Neural Computation 4(3), section 4 (Laplace); Chu & Ghahramani (2005), ICML,
    section 3 (Laplace approximation for preference learning).

    Examples
    --------
    >>> c = Comparisons(["x", "x", "y"], ["y", "z", "z"], ["a", "a", "a"])
    >>> model = PreferenceLaplace().fit(c)
    >>> bool(np.all(model.utility_std_ < 1.0)), model.covariance_.shape
    (True, (3, 3))
    """

    def fit(
        self,
        comparisons: Comparisons | None = None,
        *,
        rankings: Rankings | None = None,
        ratings: Ratings | None = None,
        items: Items | None = None,
    ) -> PreferenceLaplace:
        """Fit the MAP, then the Laplace covariance; return ``self``."""
        super().fit(comparisons, rankings=rankings, ratings=ratings, items=items)
        params = np.concatenate([self.weights_, self.thresholds_])
        precision = -self.problem_.log_posterior(params, hessian=True).hessian
        self.covariance_ = _inverse(0.5 * (precision + precision.T), type(self).__name__)
        k = self.problem_.n_weights
        block = self.covariance_[:k, :k]
        design = self.problem_.design
        variance = (
            np.diag(block) if design is None else np.einsum("ij,jk,ik->i", design, block, design)
        )
        self.utility_std_ = np.sqrt(np.clip(variance, 0.0, None))
        return self

    def utility_covariance(self) -> Array:
        """Posterior covariance of the utilities, shape (n_items, n_items)."""
        self._check_fitted()
        k, design = self.problem_.n_weights, self.problem_.design
        block = self.covariance_[:k, :k]
        return block.copy() if design is None else np.asarray(design @ block @ design.T)

    def predict_proba(self, pairs: ArrayLike) -> Array:
        """Posterior predictive probabilities of "a", "b", "equal", shape (n_pairs, 3)."""
        a, b = self.pair_indices(pairs)
        k, design = self.problem_.n_weights, self.problem_.design
        block = self.covariance_[:k, :k]
        if design is None:
            variance = block[a, a] + block[b, b] - 2.0 * block[a, b]
        else:
            rows = design[a] - design[b]
            variance = np.einsum("ij,jk,ik->i", rows, block, rows)
        diff = self.utilities_[a] - self.utilities_[b]
        return self.pairwise_model_.probabilities(diff, variance=np.clip(variance, 0.0, None))

    def sample_utilities(self, n_samples: int, rng: RandomLike = None) -> Array:
        """Draws of the utilities from the Laplace posterior, shape (n_samples, n_items)."""
        self._check_fitted()
        k = self.problem_.n_weights
        draws = as_generator(rng).multivariate_normal(
            self.weights_, self.covariance_[:k, :k], size=n_samples, method="eigh"
        )
        design = self.problem_.design
        return np.asarray(draws if design is None else draws @ design.T, dtype=np.float64)


def _inverse(precision: Array, owner: str) -> Array:
    """Inverse of a symmetric positive definite precision (eigenvalues floored, with a warning)."""
    values, vectors = np.linalg.eigh(precision)
    floor = 1e-10 * max(float(np.max(np.abs(values))), 1.0)
    if values[0] <= floor:
        warnings.warn(
            f"{owner}: the negative Hessian of the log-posterior is not positive definite "
            f"(smallest eigenvalue {values[0]:.3g}); eigenvalues are floored at {floor:.3g}, so "
            "flat directions get a huge variance (set a prior_scale).",
            ConvergenceWarning,
            stacklevel=3,
        )
        values = np.maximum(values, floor)
    return np.asarray((vectors / values) @ vectors.T)
