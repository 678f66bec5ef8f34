"""What the elicitation page learns from the answers, and which question it asks next.

The utility of item ``i`` is ``u_i = features_i @ w + residual_scale * e_i``: linear in the
item's features (what the person seems to care about, learned from every answer) plus a deviation
of its own (how this action differs from what its features say). With a standard normal prior on
``(w, e)`` this is :class:`~valuelearn.inference.PreferenceLaplace` with a linear utility on the
augmented features ``[features, residual_scale * I]``. Items without features get a free utility
each (``u_i = e_i``).

The next question is the pair whose answer is expected to tell most about the utilities: the
mutual information between the answer and the utilities (BALD). Under the Laplace posterior the
answer depends on the utilities only through ``d = u_a - u_b``, which is Gaussian, so the mutual
information of each pair is a one-dimensional integral, computed by Gauss–Hermite quadrature
(deterministic, no sampling). The generic query strategies of :mod:`valuelearn.inference` are not
used: this selection is small, exact for the page's own model and has no random draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from valuelearn.data import Comparisons, Items
from valuelearn.inference import PairwiseModel, PreferenceLaplace, weak_comparison

Array = NDArray[np.float64]
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(40)  # for E[f(z)], z ~ N(0, 1)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


@dataclass(frozen=True)
class ValueEstimate:
    """The learned values: posterior mean and uncertainty of each utility and feature weight.

    Attributes
    ----------
    mean : array, shape (n_items,)
        Posterior mean utility of each item (the prior mean, 0, before any answer).
    covariance : array, shape (n_items, n_items)
        Posterior covariance of the utilities.
    weight_mean, weight_std : array, shape (n_features,)
        Posterior mean and standard deviation of the feature weights (empty without features).
    """

    mean: Array
    covariance: Array
    weight_mean: Array
    weight_std: Array

    @property
    def std(self) -> Array:
        """Posterior standard deviation of each utility, shape (n_items,)."""
        return np.sqrt(np.clip(np.diag(self.covariance), 0.0, None))

    @property
    def order(self) -> NDArray[np.int64]:
        """Item positions from the highest mean utility to the lowest (ties keep item order)."""
        return np.argsort(-self.mean, kind="stable").astype(np.int64)


def elicitation_model(width: float = 0.5) -> PairwiseModel:
    """The page's answer model: weak comparisons, so "about equal" is an answer of its own."""
    return weak_comparison(width)


def augmented_items(items: Items, residual_scale: float) -> Items:
    """Items whose features are ``[features, residual_scale * I]`` (see the module docstring)."""
    if items.features is None:
        return Items(items.ids, features=np.eye(items.n_items), texts=items.texts)
    own = residual_scale * np.eye(items.n_items)
    return Items(items.ids, features=np.hstack([items.features, own]), texts=items.texts)


def estimate_values(
    items: Items,
    answers: Comparisons,
    *,
    residual_scale: float = 0.5,
    model: PairwiseModel | None = None,
) -> ValueEstimate:
    """Laplace posterior of the utilities given the answers so far (the prior when none).

    Parameters
    ----------
    items : Items
        ``n_items`` items with ``n_features`` features (or none).
    answers : Comparisons
        The answers, naming items of ``items``.
    residual_scale : float
        Prior standard deviation of each item's own deviation from its features' utility.
    model : PairwiseModel, optional
        The answer model (default :func:`elicitation_model`).

    Returns
    -------
    ValueEstimate

    References
    ----------
    MacKay (1992), Neural Computation 4(3), section 4 (Laplace approximation); Chu & Ghahramani
    (2005), ICML, section 3 (Laplace for preference learning).

    Examples
    --------
    >>> items = Items(["help", "harm"], features=[[1.0], [-1.0]])
    >>> estimate = estimate_values(items, Comparisons(["help"], ["harm"], ["a"]))
    >>> estimate.order.tolist(), bool(estimate.weight_mean[0] > 0)
    ([0, 1], True)
    """
    augmented = augmented_items(items, residual_scale)
    design = np.asarray(augmented.features)
    n_features = items.n_features or 0
    if len(answers) == 0:
        weights, weight_cov = np.zeros(design.shape[1]), np.eye(design.shape[1])
    else:
        fit = PreferenceLaplace(
            comparison_model=model or elicitation_model(), utility="linear", prior_scale=1.0
        ).fit(answers, items=augmented)
        k = fit.problem_.n_weights
        weights, weight_cov = fit.weights_, fit.covariance_[:k, :k]
    return ValueEstimate(
        mean=design @ weights,
        covariance=design @ weight_cov @ design.T,
        weight_mean=weights[:n_features].copy(),
        weight_std=np.sqrt(np.diag(weight_cov)[:n_features]),
    )


def pair_information(mean_diff: Array, var_diff: Array, model: PairwiseModel) -> Array:
    """Mutual information (nats) between the answer and ``d = u_a - u_b ~ N(mean, var)``.

    ``I = H(E_d p(y | d)) - E_d H(p(y | d))``: the expected drop in the entropy of the utilities
    from hearing the answer (BALD), with the expectations over ``d`` by Gauss–Hermite quadrature.

    Parameters
    ----------
    mean_diff, var_diff : array, shape (n_pairs,)
    model : PairwiseModel

    Returns
    -------
    array, shape (n_pairs,)

    References
    ----------
    Houlsby, Huszár, Ghahramani & Lengyel (2011), "Bayesian active learning for classification
    and preference learning", arXiv:1112.5745, eq. 2.

    Examples
    --------
    >>> from valuelearn.inference import bradley_terry
    >>> info = pair_information(np.array([0.0, 0.0]), np.array([0.0, 1e6]), bradley_terry())
    >>> info.round(3).tolist()  # a known difference teaches nothing; a wholly unknown one ln 2
    [0.0, 0.693]
    """
    d = mean_diff[:, None] + np.sqrt(np.clip(var_diff, 0.0, None))[:, None] * _NODES[None, :]
    p = model.probabilities(d)  # (n_pairs, n_nodes, 3)
    expected = np.einsum("pnk,n->pk", p, _WEIGHTS)
    return np.asarray(_entropy(expected) - _entropy(p) @ _WEIGHTS, dtype=np.float64)


def _entropy(p: Array) -> Array:
    safe = np.where(p > 0, p, 1.0)
    return np.asarray(-np.sum(p * np.log(safe), axis=-1), dtype=np.float64)


def next_question(
    estimate: ValueEstimate, model: PairwiseModel, asked: set[frozenset[int]]
) -> tuple[int, int]:
    """The pair of item positions with the most informative answer (see :func:`pair_information`).

    Pairs in ``asked`` are skipped until every pair has been asked; ties go to the first pair in
    row-major order ``(0, 1), (0, 2), ..., (1, 2), ...``.

    Examples
    --------
    >>> items = Items(["a", "b", "c"], features=[[0.0], [1.0], [3.0]])
    >>> prior = estimate_values(items, Comparisons([], [], []))
    >>> next_question(prior, elicitation_model(), set())  # the most different features
    (0, 2)
    >>> next_question(prior, elicitation_model(), {frozenset((0, 2))})
    (1, 2)
    """
    first, second = np.triu_indices(estimate.mean.size, k=1)
    cov = estimate.covariance
    var = cov[first, first] + cov[second, second] - 2.0 * cov[first, second]
    info = pair_information(estimate.mean[first] - estimate.mean[second], var, model)
    fresh = np.array([frozenset((i, j)) not in asked for i, j in zip(first, second, strict=True)])
    if fresh.any():
        info = np.where(fresh, info, -np.inf)
    best = int(np.argmax(info))
    return int(first[best]), int(second[best])
