"""Per-person values with a shared prior: ordinal probit ratings, one parameter block per rater.

Rater ``r`` rates item ``i`` on ``J`` ordered levels by the ordinal probit
``P(level j) = Phi(b_rj - x_i . w_r) - Phi(b_r(j-1) - x_i . w_r)``. Each rater's block
``theta_r = (w_r, a_r, l_r)`` holds the feature weights, the first threshold ``b_r1 = a_r`` and the
log gaps ``b_r(j+1) - b_rj = exp(l_rj)`` (so the thresholds stay ordered without constraints).
The hierarchical model writes ``theta_r = theta + delta_r`` with a shared block
``theta ~ N(0, diag(prior_scales^2))`` and individual offsets ``delta_r ~ N(0,
diag(offset_scales^2))``. A scale of zero fixes that part at zero, so the same log posterior
also gives the two extremes: one model for everyone (all offsets fixed: complete pooling) and
independent models per rater (the shared block fixed: no pooling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference._ranking_models import ordinal_log_likelihood, ordinal_probabilities

Array = NDArray[np.float64]


def thresholds_from_block(block: ArrayLike, n_weights: int) -> Array:
    """Thresholds ``b_1 = a``, ``b_(j+1) = b_j + exp(l_j)`` from a block ``(w, a, l)``.

    Parameters
    ----------
    block : array, shape (..., n_weights + n_levels - 1)
    n_weights : int

    Returns
    -------
    array, shape (..., n_levels - 1)

    Examples
    --------
    >>> thresholds_from_block([0.5, -1.0, 0.0, np.log(2.0)], 1)
    array([-1.,  0.,  2.])
    """
    values = np.asarray(block, dtype=np.float64)
    first, log_gaps = values[..., n_weights : n_weights + 1], values[..., n_weights + 1 :]
    return np.concatenate([first, first + np.cumsum(np.exp(log_gaps), axis=-1)], axis=-1)


def block_from_thresholds(weights: ArrayLike, thresholds: ArrayLike) -> Array:
    """The block ``(w, a, l)`` of weights and strictly increasing thresholds (inverse of above).

    Examples
    --------
    >>> block_from_thresholds([0.5], [-1.0, 0.0, 2.0]).round(4).tolist()
    [0.5, -1.0, 0.0, 0.6931]
    """
    b = np.asarray(thresholds, dtype=np.float64).ravel()
    if np.any(np.diff(b) <= 0):
        raise ValueLearnInputError(f"`thresholds` must be strictly increasing; got {b.tolist()}.")
    w = np.asarray(weights, dtype=np.float64).ravel()
    return np.concatenate([w, b[:1], np.log(np.diff(b))])


@dataclass(frozen=True)
class RaterData:
    """Ratings grouped by rater, in the form the log posterior takes.

    Attributes
    ----------
    features : array or scipy.sparse.csr_array, shape (n_items, n_weights)
    items : tuple of int arrays, one per rater
        Positions of the rated items.
    levels : tuple of int arrays, one per rater
        The ratings as classes ``0 .. n_levels - 1``.
    n_levels : int
    """

    features: Array | sp.csr_array
    items: tuple[NDArray[np.int64], ...]
    levels: tuple[NDArray[np.int64], ...]
    n_levels: int

    @property
    def n_raters(self) -> int:
        return len(self.items)

    @property
    def n_ratings(self) -> int:
        return int(sum(item.size for item in self.items))


def rater_log_likelihood(blocks: ArrayLike, data: RaterData) -> tuple[float, Array]:
    """Log-likelihood of every rater's ratings under their own block, and its exact gradient.

    Parameters
    ----------
    blocks : array, shape (n_raters, n_weights + n_levels - 1)
        Row ``r`` is ``theta_r = (w_r, a_r, l_r)``.
    data : RaterData

    Returns
    -------
    value : float
    gradient : array, shape (n_raters, n_weights + n_levels - 1)

    References
    ----------
    Chu & Ghahramani (2005), "Gaussian processes for ordinal regression", JMLR 6, eq. 4-5 (the
    likelihood and its derivatives in the latent values and thresholds).

    Examples
    --------
    >>> data = RaterData(np.eye(2), (np.array([0]), np.array([1])),
    ...                  (np.array([1]), np.array([0])), n_levels=3)
    >>> value, gradient = rater_log_likelihood([[0, 0, -1, np.log(2)]] * 2, data)
    >>> round(float(np.exp(value)), 5)  # P(level 1 | u=0) P(level 0 | u=0) = .68269 * .15866
    0.10831
    """
    theta = np.asarray(blocks, dtype=np.float64)
    p = data.features.shape[1]
    utilities = data.features @ theta[:, :p].T  # (n_items, n_raters)
    b = thresholds_from_block(theta, p)
    value, gradient = 0.0, np.zeros_like(theta)
    g_utilities = np.zeros_like(utilities)
    for r, (item, level) in enumerate(zip(data.items, data.levels, strict=True)):
        if not item.size:
            continue
        ll = ordinal_log_likelihood(utilities[item, r], b[r], np.arange(item.size), level)
        g_b = ll.gradient[item.size :]
        value += ll.value
        g_utilities[:, r] = np.bincount(item, ll.gradient[: item.size], minlength=len(utilities))
        gradient[r, p] = g_b.sum()  # every threshold moves with a
        tail = np.cumsum(g_b[::-1])[::-1][1:]  # gap j moves thresholds j+1 .. J-1
        gradient[r, p + 1 :] = np.exp(theta[r, p + 1 :]) * tail
    gradient[:, :p] = (data.features.T @ g_utilities).T
    return value, gradient


def hierarchical_log_posterior(
    shared: ArrayLike,
    offsets: ArrayLike,
    data: RaterData,
    *,
    prior_scales: ArrayLike,
    offset_scales: ArrayLike,
) -> tuple[float, Array, Array]:
    """Log posterior (up to a constant) of ``theta_r = theta + delta_r`` and its exact gradient.

    ``sum_r log p(ratings_r | theta + delta_r) - sum_k theta_k^2 / (2 s_k^2) -
    sum_r sum_k delta_rk^2 / (2 tau_k^2)``. Where a scale is zero that parameter is fixed at
    zero: its prior term is dropped and its gradient is zero.

    Parameters
    ----------
    shared : array, shape (block_size,)
    offsets : array, shape (n_raters, block_size)
    data : RaterData
    prior_scales : array, shape (block_size,)
        ``s``: prior standard deviations of the shared block.
    offset_scales : array, shape (block_size,)
        ``tau``: prior standard deviations of the individual offsets.

    Returns
    -------
    value : float
    grad_shared : array, shape (block_size,)
    grad_offsets : array, shape (n_raters, block_size)

    References
    ----------
    Gelman et al. (2013), *Bayesian Data Analysis*, 3rd ed., section 5.4 (the hierarchical normal
    model: partial pooling between the separate and the pooled estimates, eq. 5.17).

    Examples
    --------
    >>> data = RaterData(np.ones((1, 1)), (np.array([0]),), (np.array([1]),), n_levels=2)
    >>> value, g_shared, g_offsets = hierarchical_log_posterior(
    ...     [1.0, 0.0], [[0.5, 0.0]], data, prior_scales=[1.0, 10.0], offset_scales=[0.5, 0.0])
    >>> round(value, 4)  # log Phi(1.5) - 1/2 - 1/2
    -1.0691
    """
    theta = np.asarray(shared, dtype=np.float64)
    delta = np.asarray(offsets, dtype=np.float64)
    value, gradient = rater_log_likelihood(theta[None, :] + delta, data)
    value += _gaussian(theta, prior_scales)[0] + _gaussian(delta, offset_scales)[0]
    grad_shared = gradient.sum(axis=0) + _gaussian(theta, prior_scales)[1]
    grad_offsets = gradient + _gaussian(delta, offset_scales)[1]
    grad_shared[np.asarray(prior_scales) == 0] = 0.0
    grad_offsets[:, np.asarray(offset_scales) == 0] = 0.0
    return value, grad_shared, grad_offsets


def _gaussian(values: Array, scales: ArrayLike) -> tuple[float, Array]:
    """``-sum x^2 / (2 s^2)`` and its gradient, skipping entries whose scale is 0."""
    s = np.asarray(scales, dtype=np.float64)
    precision = np.divide(1.0, s**2, out=np.zeros_like(s), where=s > 0)
    return -0.5 * float(np.sum(values**2 * precision)), -values * precision


def initial_thresholds(levels: Sequence[NDArray[np.int64]], n_levels: int) -> Array:
    """Probit thresholds matching the pooled level frequencies (the MLE when utilities are 0).

    ``b_j = Phi^-1(F_j)`` for the cumulative frequencies ``F_j`` (add-one smoothed, so unused
    levels keep finite, increasing thresholds).

    Examples
    --------
    >>> initial_thresholds([np.array([0, 1, 1, 2])], 3).round(4).tolist()  # Phi^-1(2/7), (5/7)
    [-0.5659, 0.5659]
    """
    counts = np.ones(n_levels)
    for level in levels:
        counts += np.bincount(level, minlength=n_levels)
    return np.asarray(ndtri(np.cumsum(counts)[:-1] / counts.sum()), dtype=np.float64)


def level_probabilities(
    blocks: Array, features: Array | sp.csr_array, items: NDArray[np.int64], rater: ArrayLike
) -> Array:
    """``P(level | item, rater)`` for each (item, rater) pair, shape (n_pairs, n_levels)."""
    which = np.asarray(rater, dtype=np.int64)
    p = features.shape[1]
    b = thresholds_from_block(blocks, p)
    out = np.zeros((items.size, b.shape[1] + 1))
    for r in np.unique(which):
        pick = which == r
        out[pick] = ordinal_probabilities(features[items[pick]] @ blocks[r, :p], b[r])
    return out
