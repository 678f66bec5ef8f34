"""Per-person values with a shared prior: the estimator over :mod:`._rater_ordinal`.

:class:`HierarchicalOrdinalRegression` fits each rater's ordinal probit weights and thresholds as
a shared block plus an individual offset (``pooling="partial"``), one block for everyone
(``"complete"``) or a separate block per rater (``"none"``), by maximum a posteriori with
L-BFGS on the exact gradient.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from valuelearn.data import Items, Ratings
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.inference._fitting import check_nonnegative, maximise
from valuelearn.inference._rater_ordinal import (
    RaterData,
    block_from_thresholds,
    hierarchical_log_posterior,
    initial_thresholds,
    level_probabilities,
    thresholds_from_block,
)

Array = NDArray[np.float64]
Pooling = Literal["partial", "none", "complete"]
_OWNER = "HierarchicalOrdinalRegression"
_SPARSE = 0.25  # features with fewer non-zeros than this share are multiplied as a sparse matrix


def group_by_rater(
    ratings: Ratings, items: Items, raters: tuple[str, ...] | None = None
) -> tuple[RaterData, tuple[str, ...], NDArray[np.int64]]:
    """Ratings as :class:`RaterData`, the rater ids (first seen first) and each rating's rater.

    With ``raters`` given, those define the groups (a rater not among them gets index -1 and no
    group). A rating without a rater (``None``) counts as rater ``""``. Mostly-zero features
    (hashed n-grams) are kept as a sparse matrix, which makes each likelihood evaluation cheap.
    """
    if items.features is None:
        raise ValueLearnInputError(f"{_OWNER} needs items with `features`.")
    features: Array | sp.csr_array = items.features
    if np.count_nonzero(features) < _SPARSE * features.size:  # hashed n-grams: ~5% non-zero
        features = sp.csr_array(features)
    names = tuple("" if r is None else r for r in ratings.rater)
    if raters is None:
        raters = tuple(dict.fromkeys(names))
    position = {name: index for index, name in enumerate(raters)}
    which = np.array([position.get(name, -1) for name in names], dtype=np.int64)
    item, level = ratings.indices(items), ratings.levels
    data = RaterData(
        features,
        tuple(item[which == r] for r in range(len(raters))),
        tuple(level[which == r] for r in range(len(raters))),
        n_levels=ratings.n_levels,
    )
    return data, raters, which


def _scale(ratings: Ratings) -> tuple[int, int]:
    """The ratings' scale (always set once a :class:`Ratings` exists)."""
    if ratings.scale is None:  # pragma: no cover - Ratings.__post_init__ sets it
        raise ValueLearnInputError("`ratings` have no scale.")
    return ratings.scale


class HierarchicalOrdinalRegression:
    """Ordinal probit ratings with per-rater weights and thresholds drawn around shared ones.

    Rater ``r`` has weights ``w_r = w + delta_r`` and thresholds from ``(a + e_r, l + f_r)``
    (first threshold, log gaps: see :func:`~valuelearn.inference._rater_ordinal.
    thresholds_from_block`); ``w ~ N(0, prior_scale^2)``, ``delta_r ~ N(0, tau^2)``, the
    threshold offsets ``~ N(0, threshold_tau^2)`` and the shared threshold parameters
    ``~ N(0, threshold_prior_scale^2)``. The noise of the probit is 1 (the weights carry the
    scale). ``pooling="complete"`` fixes every offset at zero (one model for all raters);
    ``pooling="none"`` fixes the shared block at zero and gives each rater the shared prior
    instead (independent models).

    Parameters
    ----------
    pooling : {"partial", "none", "complete"}
    prior_scale : float > 0
        Prior standard deviation of the shared weights (of each rater's, for ``"none"``).
    tau : float >= 0
        Prior standard deviation of the individual weight offsets (``"partial"`` only; 0 shares
        the weights and keeps only the thresholds individual).
    threshold_tau : float >= 0
        Prior standard deviation of the individual threshold offsets (``"partial"`` only).
    threshold_prior_scale : float > 0
    warm_start : bool
        Start a refit from the current solution (same raters and sizes), e.g. along a grid.
    gtol : float
        Convergence tolerance on the largest gradient entry, per rating.
    max_iter : int

    Attributes
    ----------
    raters_ : tuple of str
    weights_ : array, shape (n_raters, n_features)
    thresholds_ : array, shape (n_raters, n_levels - 1)
    shared_weights_ : array, shape (n_features,)
    shared_thresholds_ : array, shape (n_levels - 1,)
        The population block, used for raters not seen in ``fit`` (all zeros for ``"none"``).
    scale_ : (int, int)
    log_posterior_ : float
        Per rating, at the optimum.
    converged_ : bool
    n_iter_ : int

    References
    ----------
    Gelman et al. (2013), *Bayesian Data Analysis*, 3rd ed., section 5.4 (partial pooling);
    Chu & Ghahramani (2005), JMLR 6, eq. 4-5 (ordinal probit).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> items = Items([f"w{i}" for i in range(40)], features=rng.normal(size=(40, 2)))
    >>> raters = [str(r) for r in range(3)] * 40
    >>> words = np.repeat(items.ids, 3)
    >>> truth = items.features @ [1.5, -1.0]
    >>> scores = np.clip(np.round(np.repeat(truth, 3) + rng.normal(size=120)), -2, 2)
    >>> ratings = Ratings(words, scores.astype(int), rater=raters, scale=(-2, 2))
    >>> model = HierarchicalOrdinalRegression(tau=0.1).fit(ratings, items)
    >>> model.weights_.shape, bool(model.shared_weights_[0] > 0 > model.shared_weights_[1])
    ((3, 2), True)
    """

    def __init__(
        self,
        pooling: Pooling = "partial",
        *,
        prior_scale: float = 1.0,
        tau: float = 0.1,
        threshold_tau: float = 0.3,
        threshold_prior_scale: float = 10.0,
        warm_start: bool = False,
        gtol: float = 1e-6,
        max_iter: int = 5000,
    ) -> None:
        self.pooling = pooling
        self.prior_scale = prior_scale
        self.tau = tau
        self.threshold_tau = threshold_tau
        self.threshold_prior_scale = threshold_prior_scale
        self.warm_start = warm_start
        self.gtol = gtol
        self.max_iter = max_iter

    def _scales(self, n_weights: int, n_thresholds: int) -> tuple[Array, Array]:
        """Prior scales of the shared block and of the offsets (0: fixed at zero)."""
        if self.pooling not in ("partial", "none", "complete"):
            raise ValueLearnInputError(
                f"The 'pooling' parameter of {_OWNER} must be 'partial', 'none' or 'complete'; "
                f"got {self.pooling!r} instead."
            )
        scale = check_nonnegative(self.prior_scale, "prior_scale", _OWNER, strict=True)
        edge = check_nonnegative(
            self.threshold_prior_scale, "threshold_prior_scale", _OWNER, strict=True
        )
        tau = check_nonnegative(self.tau, "tau", _OWNER)
        edge_tau = check_nonnegative(self.threshold_tau, "threshold_tau", _OWNER)
        population = np.concatenate([np.full(n_weights, scale), np.full(n_thresholds, edge)])
        if self.pooling == "none":
            return np.zeros_like(population), population
        if self.pooling == "complete":
            return population, np.zeros_like(population)
        return population, np.concatenate(
            [np.full(n_weights, tau), np.full(n_thresholds, edge_tau)]
        )

    def fit(self, ratings: Ratings, items: Items) -> HierarchicalOrdinalRegression:
        """Fit the shared block and every rater's offset to ``ratings``; return ``self``.

        Parameters
        ----------
        ratings : Ratings
            With a rater on every rating (unless ``pooling="complete"``).
        items : Items
            With ``features``; every rated item must be among them.
        """
        if self.pooling != "complete" and any(r is None for r in ratings.rater):
            raise ValueLearnInputError(
                f"{_OWNER} with pooling={self.pooling!r} needs a rater on every rating."
            )
        data, raters, _ = group_by_rater(ratings, items)
        p, m, k = data.features.shape[1], data.n_levels - 1, len(raters)
        prior, spread = self._scales(p, m)
        free = np.concatenate([prior > 0, np.tile(spread > 0, k)])
        full = np.where(free, self._start(data, raters), 0.0)  # fixed parts sit at zero
        per = 1.0 / max(data.n_ratings, 1)

        def unpack(x: Array) -> Array:
            values = full.copy()
            values[free] = x
            return values

        def objective(x: Array) -> tuple[float, Array]:
            values = unpack(x)
            value, g_shared, g_offsets = hierarchical_log_posterior(
                values[: p + m], values[p + m :].reshape(k, p + m), data,
                prior_scales=prior, offset_scales=spread,
            )  # fmt: skip
            return value * per, np.concatenate([g_shared, g_offsets.ravel()])[free] * per

        x, converged, n_iter = maximise(
            objective, full[free], gtol=self.gtol, max_iter=self.max_iter, owner=_OWNER
        )
        values = unpack(x)
        shared, offsets = values[: p + m], values[p + m :].reshape(k, p + m)
        blocks = shared[None, :] + offsets
        self.raters_, self.scale_ = raters, _scale(ratings)
        self.shared_block_, self.offsets_ = shared, offsets
        self.weights_, self.thresholds_ = blocks[:, :p], thresholds_from_block(blocks, p)
        self.shared_weights_ = shared[:p]
        self.shared_thresholds_ = thresholds_from_block(shared, p)
        self.log_posterior_, self.converged_, self.n_iter_ = objective(x)[0], converged, n_iter
        return self

    def _start(self, data: RaterData, raters: tuple[str, ...]) -> Array:
        """Starting values: the previous fit (warm start) or zero weights, frequency thresholds."""
        p, m, k = data.features.shape[1], data.n_levels - 1, len(raters)
        previous: Array = getattr(self, "offsets_", np.zeros((0, 0)))
        if self.warm_start and previous.shape == (k, p + m) and self.raters_ == raters:
            return np.concatenate([self.shared_block_, previous.ravel()])
        block = block_from_thresholds(np.zeros(p), initial_thresholds(data.levels, data.n_levels))
        if self.pooling == "none":
            return np.concatenate([np.zeros(p + m), np.tile(block, k)])
        return np.concatenate([block, np.zeros(k * (p + m))])

    def _blocks_for(self, ratings: Ratings, items: Items) -> tuple[Array, Array, NDArray[np.int64]]:
        """Each rating's (weights, thresholds) block, as rows of a table and an index into it."""
        if not hasattr(self, "offsets_"):
            raise NotFittedError(f"This {_OWNER} instance is not fitted yet; call fit().")
        if _scale(ratings) != self.scale_:
            raise ValueLearnInputError(
                f"`ratings` use the scale {ratings.scale}, but the model was fitted on "
                f"{self.scale_}."
            )
        data, _, which = group_by_rater(ratings, items, self.raters_)
        unknown = which < 0
        if self.pooling == "none" and unknown.any():
            name = ratings.rater[int(np.argmax(unknown))]
            raise ValueLearnInputError(
                f"rater {name!r} was not in the fitted ratings; pooling='none' has no model for "
                "new raters."
            )
        table = np.vstack([self.shared_block_[None, :] + self.offsets_, self.shared_block_])
        return table, data.features, np.where(unknown, len(self.raters_), which)

    def predict_proba(self, ratings: Ratings, items: Items) -> Array:
        """``P(score = s)`` for each rating's (item, rater), shape (n_ratings, n_levels).

        Raters not seen in ``fit`` get the shared block (the population's prior mean).
        """
        table, features, which = self._blocks_for(ratings, items)
        return level_probabilities(table, features, ratings.indices(items), which)

    def log_likelihood(self, ratings: Ratings, items: Items) -> Array:
        """Log-probability of each observed score, shape (n_ratings,)."""
        probabilities = self.predict_proba(ratings, items)
        chosen = probabilities[np.arange(len(ratings)), ratings.levels]
        return np.log(np.maximum(chosen, np.finfo(np.float64).tiny))

    def score(self, ratings: Ratings, items: Items) -> float:
        """Mean log-likelihood per rating (higher is better)."""
        return float(np.mean(self.log_likelihood(ratings, items)))

    def expected_rating(self, ratings: Ratings, items: Items) -> Array:
        """Expected score ``sum_s s P(s)`` on the rating scale, shape (n_ratings,)."""
        probabilities = self.predict_proba(ratings, items)
        low, high = self.scale_
        return probabilities @ np.arange(low, high + 1, dtype=np.float64)
