"""The posterior over utility parameters given comparisons, rankings and ratings of items.

:class:`PreferenceProblem` fixes the items, the judgments (as index arrays) and the models for one
fit and evaluates the log-likelihood, the Gaussian log-prior and the log-posterior with exact
gradients and Hessians in the parameters ``theta = (weights, thresholds)``. Utilities are
``u = design @ weights``: the item features (linear), the identity (one utility per item), or a
square root of the kernel (``K = design design^T``, so the standard normal prior on the weights
is the Gaussian-process prior ``u ~ N(0, prior_scale**2 K)``). The estimators (MAP, Laplace)
optimise it; :meth:`PreferenceProblem.log_density` is the hook for the samplers of
:mod:`valuelearn.inference._mcmc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from valuelearn.data import Comparisons, Items, Rankings, Ratings
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference._preference_models import (
    LogLikelihood,
    PairwiseModel,
    pairwise_log_likelihood,
)
from valuelearn.inference._priors import Prior
from valuelearn.inference._ranking_models import (
    ordinal_log_likelihood,
    plackett_luce_log_likelihood,
)

Array = NDArray[np.float64]
Index = NDArray[np.int64]
UtilityKind = Literal["auto", "linear", "item", "kernel"]


@dataclass(frozen=True, eq=False)
class PreferenceProblem:
    """Everything the preference posterior needs, fixed for one fit.

    Attributes
    ----------
    items : Items
    design : array (n_items, n_weights) or None
        ``u = design @ weights``; ``None`` is the identity (one weight per item).
    pairs : tuple of three int arrays, each shape (n_comparisons,)
        Positions of ``a`` and ``b`` and the outcome codes (0 = a, 1 = b, 2 = equal).
    pairwise : PairwiseModel
    rankings : tuple of int arrays
        Item positions, best first (Plackett–Luce).
    ratings : tuple of two int arrays, each shape (n_ratings,)
        Positions of the rated items and their levels ``0 .. n_levels - 1`` (ordinal probit).
    n_levels : int
        Levels of the rating scale (0 without ratings).
    rating_sigma : float
    prior_scales : array, shape (n_parameters,)
        Standard deviation of the independent zero-mean Gaussian prior on each parameter;
        ``inf`` means a flat prior.
    utility : {"linear", "item", "kernel"}
        How ``design`` was made.
    """

    items: Items
    design: Array | None
    pairs: tuple[Index, Index, Index]
    pairwise: PairwiseModel
    rankings: tuple[Index, ...]
    ratings: tuple[Index, Index]
    n_levels: int
    rating_sigma: float
    prior_scales: Array
    utility: Literal["linear", "item", "kernel"] = "item"

    @property
    def n_items(self) -> int:
        return self.items.n_items

    @property
    def n_weights(self) -> int:
        return self.n_items if self.design is None else int(self.design.shape[1])

    @property
    def n_thresholds(self) -> int:
        return max(self.n_levels - 1, 0)

    @property
    def n_parameters(self) -> int:
        return self.n_weights + self.n_thresholds

    @property
    def n_judgments(self) -> int:
        return int(self.pairs[0].size + len(self.rankings) + self.ratings[0].size)

    def utilities(self, params: Array) -> Array:
        """``u = design @ weights``, shape (n_items,)."""
        weights = params[: self.n_weights]
        return weights.copy() if self.design is None else self.design @ weights

    def thresholds(self, params: Array) -> Array:
        """The rating thresholds, shape (n_levels - 1,)."""
        return params[self.n_weights :]

    def log_likelihood(self, params: Array, *, hessian: bool = False) -> LogLikelihood:
        """Log-likelihood of all judgments with exact derivatives in ``params``.

        The Hessian (when asked for) is a dense (n_parameters, n_parameters) array.
        """
        u = self.utilities(params)
        n, size = self.n_items, self.n_items + self.n_thresholds
        value, gradient = 0.0, np.zeros(size)
        hess = sp.csr_array((size, size)) if hessian else None
        parts: list[LogLikelihood] = []
        if self.pairs[0].size:
            part = pairwise_log_likelihood(u, *self.pairs, self.pairwise, hessian=hessian)
            parts.append(_grow(part, size))
        if self.rankings:
            parts.append(
                _grow(plackett_luce_log_likelihood(u, self.rankings, hessian=hessian), size)
            )
        if self.ratings[0].size:
            b = self.thresholds(params)
            parts.append(
                ordinal_log_likelihood(
                    u, b, *self.ratings, sigma=self.rating_sigma, hessian=hessian
                )
            )
        for part in parts:
            value += part.value
            gradient += part.gradient
            if hess is not None and part.hessian is not None:
                hess = hess + part.hessian
        pulled = self._pull_gradient(gradient, n)
        dense = None if hess is None else self._pull_hessian(sp.csr_array(hess), n)
        return LogLikelihood(value, pulled, dense)

    def log_prior(self, params: Array, *, hessian: bool = False) -> LogLikelihood:
        """Independent Gaussian log-prior (normalised; flat coordinates contribute 0)."""
        return _gaussian(params, self.prior_scales, hessian=hessian)

    def log_posterior(self, params: Array, *, hessian: bool = False) -> LogLikelihood:
        """Unnormalised log-posterior: log-likelihood plus log-prior."""
        ll, lp = (
            self.log_likelihood(params, hessian=hessian),
            self.log_prior(params, hessian=hessian),
        )
        matrix = None if ll.hessian is None else ll.hessian + lp.hessian
        return LogLikelihood(ll.value + lp.value, ll.gradient + lp.gradient, matrix)

    def log_density(self, params: Array, prior: Prior | None = None) -> tuple[float, float, Array]:
        """``(log_likelihood, log_prior, gradient of their sum)``, the sampler interface.

        This is the ``LogDensity`` of :func:`valuelearn.inference._mcmc.hmc`. Thresholds that are
        not strictly increasing lie outside the support (``-inf``). ``prior`` replaces the
        Gaussian prior on the weights (any :class:`~valuelearn.inference.Prior`, e.g. a
        ``LaplacePrior`` for sparse weights); the thresholds keep theirs.
        """
        b = self.thresholds(params)
        if b.size and np.any(np.diff(b) <= 0):
            return -np.inf, -np.inf, np.zeros_like(params)
        ll = self.log_likelihood(params)
        k = self.n_weights
        if prior is None:
            lp = self.log_prior(params)
            return ll.value, lp.value, ll.gradient + lp.gradient
        weights_prior = prior.broadcast(k)
        rest = _gaussian(b, self.prior_scales[k:])
        value = weights_prior.log_density(params[:k]) + rest.value
        gradient = np.concatenate([weights_prior.gradient(params[:k]), rest.gradient])
        return ll.value, value, ll.gradient + gradient

    def _pull_gradient(self, gradient: Array, n: int) -> Array:
        if self.design is None:
            return gradient
        return np.concatenate([self.design.T @ gradient[:n], gradient[n:]])

    def _pull_hessian(self, hess: sp.csr_array, n: int) -> Array:
        if self.design is None:
            return np.asarray(hess.toarray())
        lift = sp.block_diag([sp.csr_array(self.design), sp.eye_array(self.n_thresholds)])
        lift = sp.csr_array(lift)
        return np.asarray((lift.T @ (hess @ lift)).toarray())


def _gaussian(x: Array, scales: Array, *, hessian: bool = False) -> LogLikelihood:
    """``sum_j log N(x_j; 0, scales_j**2)`` over the finite scales, with derivatives."""
    finite = np.isfinite(scales)
    scale = np.where(finite, scales, 1.0)
    z = np.where(finite, x / scale, 0.0)
    value = float(np.sum(np.where(finite, -0.5 * z**2 - np.log(scale), 0.0)))
    value -= 0.5 * np.log(2.0 * np.pi) * int(finite.sum())
    precision = np.where(finite, 1.0 / scale**2, 0.0)
    return LogLikelihood(value, -precision * x, -np.diag(precision) if hessian else None)


def _grow(part: LogLikelihood, size: int) -> LogLikelihood:
    """Pad derivatives in the utilities to the vector ``(utilities, thresholds)``."""
    n = part.gradient.size
    gradient = np.concatenate([part.gradient, np.zeros(size - n)])
    hess = None
    if part.hessian is not None:
        coo = part.hessian.tocoo()
        hess = sp.csr_array((coo.data, (coo.row, coo.col)), shape=(size, size))
    return LogLikelihood(part.value, gradient, hess)


def design_matrix(
    items: Items, utility: UtilityKind, owner: str
) -> tuple[Literal["linear", "item", "kernel"], Array | None]:
    """The resolved ``utility`` kind and its map from weights to utilities (module docstring)."""
    if utility not in ("auto", "linear", "item", "kernel"):
        raise ValueLearnInputError(
            f"The 'utility' parameter of {owner} must be 'auto', 'linear', 'item' or 'kernel'; "
            f"got {utility!r} instead."
        )
    if utility == "auto":
        utility = (
            "kernel"
            if items.kernel is not None
            else ("linear" if items.features is not None else "item")
        )
    if utility == "linear":
        if items.features is None:
            raise ValueLearnInputError(f"{owner}: utility='linear' needs items with features.")
        return "linear", np.asarray(items.features, dtype=np.float64)
    if utility == "kernel":
        if items.kernel is None:
            raise ValueLearnInputError(f"{owner}: utility='kernel' needs items with a kernel.")
        values, vectors = np.linalg.eigh(items.kernel)
        keep = values > 1e-10 * max(float(values[-1]), 1e-300)
        return "kernel", np.asarray(vectors[:, keep] * np.sqrt(values[keep]), dtype=np.float64)
    return "item", None


def judged_items(
    comparisons: Comparisons | None, rankings: Rankings | None, ratings: Ratings | None
) -> Items:
    """Items without features: every id the judgments mention, in order of first appearance."""
    groups: Sequence[tuple[str, ...]] = [
        x.item_ids() for x in (comparisons, rankings, ratings) if x is not None
    ]
    ids = dict.fromkeys(i for group in groups for i in group)
    if not ids:
        raise ValueLearnInputError("there are no judgments, so there are no items to learn about.")
    return Items.from_ids(ids)


def build_problem(
    items: Items | None,
    comparisons: Comparisons | None,
    rankings: Rankings | None,
    ratings: Ratings | None,
    *,
    pairwise: PairwiseModel,
    utility: UtilityKind,
    prior_scale: float | None,
    threshold_prior_scale: float,
    rating_sigma: float,
    owner: str,
) -> PreferenceProblem:
    """Validate the data of a fit and assemble its :class:`PreferenceProblem`.

    Without ``items``, the items are the ids the judgments mention (first appearance first),
    each with its own utility.
    """
    for value, expected, name in (
        (comparisons, Comparisons, "comparisons"),
        (rankings, Rankings, "rankings"),
        (ratings, Ratings, "ratings"),
    ):
        if value is not None and not isinstance(value, expected):
            raise ValueLearnInputError(
                f"`{name}` must be {expected.__name__} or None; got {type(value).__name__}."
            )
    if not any(len(x) for x in (comparisons or (), rankings or (), ratings or ())):
        raise ValueLearnInputError(f"{owner}.fit needs at least one comparison, ranking or rating.")
    if items is None:
        items = judged_items(comparisons, rankings, ratings)
    elif not isinstance(items, Items):
        raise ValueLearnInputError(f"`items` must be Items or None; got {type(items).__name__}.")
    empty = np.zeros(0, dtype=np.int64)
    pairs = (empty, empty, empty)
    if comparisons is not None and len(comparisons):
        pairs = (*comparisons.indices(items), comparisons.outcomes)
    rating_index: tuple[Index, Index] = (empty, empty)
    n_levels = 0
    if ratings is not None and len(ratings):
        rating_index = (ratings.indices(items), ratings.levels)
        n_levels = ratings.n_levels
    kind, design = design_matrix(items, utility, owner)
    n_weights = items.n_items if design is None else design.shape[1]
    scale = np.inf if prior_scale is None else prior_scale
    scales = np.concatenate(
        [np.full(n_weights, scale), np.full(max(n_levels - 1, 0), threshold_prior_scale)]
    )
    return PreferenceProblem(
        items=items,
        design=design,
        pairs=pairs,
        pairwise=pairwise,
        rankings=tuple(rankings.indices(items)) if rankings is not None else (),
        ratings=rating_index,
        n_levels=n_levels,
        rating_sigma=rating_sigma,
        prior_scales=scales,
        utility=kind,
    )
