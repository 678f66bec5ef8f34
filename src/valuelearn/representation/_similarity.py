"""Similarity kernels over items, and kernels of controlled alignment with a person's.

:func:`rbf_similarity` turns any representation (annotation vectors, sentence embeddings, n-gram
counts, lengths) into a positive semi-definite similarity matrix with ones on the diagonal.
:func:`similarity_spearman` is the Spearman correlation between the upper triangles of two
similarity matrices (representational alignment; :mod:`valuelearn.evaluation` has its three
variants). :func:`aligned_kernels` corrupts a person's similarity matrix to a chosen alignment:

``K_w = w * S + (1 - w) * P S P^T``, with ``P`` a uniformly random permutation of the items.

``P S P^T`` is the person's own similarity structure attached to the wrong items: it has the
same spectrum (so it is positive semi-definite), the same diagonal and the same distribution of
entries as ``S``, but no relation to which items the person finds similar (its alignment with
``S`` is near 0). A convex combination of positive semi-definite matrices is positive
semi-definite, so every ``K_w`` is a valid kernel. ``w`` is found by bisection so that the
Spearman alignment of ``K_w`` with ``S`` (over the upper triangle) equals the target, to within
``tol``; at ``w = 1`` it is 1, at ``w = 0`` it is the permutation's chance alignment, so targets
below that return ``w = 0`` and report the realised alignment.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

from valuelearn._random import RandomLike, as_generator
from valuelearn.exceptions import ValueLearnInputError


def rbf_similarity(
    features: NDArray[np.float64], *, length_scale: float | None = None
) -> NDArray[np.float64]:
    """Gaussian (RBF) similarity ``exp(-|x_i - x_j|^2 / (2 l^2))`` between rows of ``features``.

    Parameters
    ----------
    features : array, shape (n, d)
    length_scale : float, optional
        ``l``; by default the median heuristic ``l^2 = median_{i<j} |x_i - x_j|^2 / 2``, so a
        pair at the median distance has similarity ``exp(-1)``.

    Returns
    -------
    array, shape (n, n)
        Symmetric, positive semi-definite, ones on the diagonal.

    References
    ----------
    Schölkopf & Smola (2002), *Learning with Kernels*, MIT Press, section 2.3 (the Gaussian
    kernel); Garreau, Jitkrittum & Kanagawa (2017), "Large sample analysis of the median
    heuristic", arXiv:1707.07269 (the default length scale).

    Examples
    --------
    >>> rbf_similarity(np.array([[0.0], [1.0], [3.0]]), length_scale=1.0).round(3).tolist()
    [[1.0, 0.607, 0.011], [0.607, 1.0, 0.135], [0.011, 0.135, 1.0]]
    """
    x = np.asarray(features, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 2 or not np.all(np.isfinite(x)):
        raise ValueLearnInputError(
            "The 'features' parameter of rbf_similarity must be a finite (n, d) array with n >= 2;"
            f" got shape {x.shape} instead."
        )
    squared = np.sum(x**2, axis=1)
    distances = np.maximum(squared[:, None] + squared[None, :] - 2.0 * x @ x.T, 0.0)
    np.fill_diagonal(distances, 0.0)
    if length_scale is None:
        median = float(np.median(distances[np.triu_indices(x.shape[0], k=1)]))
        scale2 = median / 2.0 if median > 0 else 1.0
    elif length_scale > 0:
        scale2 = float(length_scale) ** 2
    else:
        raise ValueLearnInputError(
            "The 'length_scale' parameter of rbf_similarity must be > 0 or None; got "
            f"{length_scale!r} instead."
        )
    return np.asarray(np.exp(-distances / (2.0 * scale2)))


def spearman_rows(
    x: NDArray[np.float64], y: NDArray[np.float64], *, y_ranked: bool = False
) -> NDArray[np.float64]:
    """Spearman correlation of each row of ``x`` with the same row of ``y`` (average ranks).

    NaN where a row is constant. ``y_ranked=True`` says ``y`` already holds ranks.
    """
    rx = rankdata(x, axis=-1)
    ry = np.array(y, dtype=np.float64) if y_ranked else rankdata(y, axis=-1)
    rx -= rx.mean(axis=-1, keepdims=True)
    ry -= ry.mean(axis=-1, keepdims=True)
    norm = np.sqrt(np.sum(rx**2, axis=-1) * np.sum(ry**2, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(norm > 0, np.sum(rx * ry, axis=-1) / norm, np.nan))


def similarity_spearman(
    first: NDArray[np.float64], second: NDArray[np.float64]
) -> NDArray[np.float64] | float:
    """Spearman correlation of the upper triangles (diagonal excluded) of two similarity matrices.

    Accepts ``(n, n)`` matrices (returns a float) or batches ``(B, n, n)`` (returns ``(B,)``).

    Examples
    --------
    >>> S = rbf_similarity(np.arange(4.0)[:, None])
    >>> float(similarity_spearman(S, S)), float(similarity_spearman(S, 1 - S))
    (1.0, -1.0)
    """
    a, b = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    if a.shape != b.shape or a.ndim not in (2, 3) or a.shape[-1] != a.shape[-2]:
        raise ValueLearnInputError(
            "similarity_spearman needs two square matrices (or batches) of the same shape; got "
            f"{a.shape} and {b.shape}."
        )
    rows, cols = np.triu_indices(a.shape[-1], k=1)
    result = spearman_rows(a[..., rows, cols], b[..., rows, cols])
    return float(result) if a.ndim == 2 else result


def aligned_kernels(
    person: NDArray[np.float64],
    alignment: NDArray[np.float64] | float,
    *,
    rng: RandomLike = None,
    tol: float = 1e-3,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Corrupt the person's similarity matrix to a target Spearman alignment (see module doc).

    Parameters
    ----------
    person : array, shape (n, n) or (B, n, n)
        The person's similarity matrices (symmetric positive semi-definite).
    alignment : float or array, shape (B,)
        Target alignment(s) in [0, 1].
    rng : Generator, int or None
        Draws one permutation per problem.
    tol : float
        Bisection stops when the interval of ``w`` is shorter than ``tol``.

    Returns
    -------
    kernels : array, shape (B, n, n)
    realised : array, shape (B,)
        The Spearman alignment of each kernel with the person's matrix.

    References
    ----------
    Wynn, Sucholutsky & Griffiths (2024), "Learning human-like representations to enable
    learning human values", NeurIPS, section 3 (representational alignment as the correlation of
    similarity matrices); Kriegeskorte, Mur & Bandettini (2008), "Representational similarity
    analysis", Frontiers in Systems Neuroscience 2:4.

    Examples
    --------
    >>> S = rbf_similarity(np.random.default_rng(0).normal(size=(30, 2)))
    >>> kernels, realised = aligned_kernels(S, np.array([0.5, 0.9]), rng=1)
    >>> np.abs(realised - [0.5, 0.9]).max() < 0.02, np.linalg.eigvalsh(kernels).min() > -1e-9
    (np.True_, np.True_)
    """
    matrices = np.asarray(person, dtype=np.float64)
    targets = np.atleast_1d(np.asarray(alignment, dtype=np.float64))
    if matrices.ndim == 2:
        matrices = np.broadcast_to(matrices, (targets.shape[0], *matrices.shape))
    n_problems, n = matrices.shape[0], matrices.shape[-1]
    if targets.shape == (1,):
        targets = np.full(n_problems, targets[0])
    if targets.shape != (n_problems,) or not np.all((targets >= 0) & (targets <= 1)):
        raise ValueLearnInputError(
            "The 'alignment' parameter of aligned_kernels must be in [0, 1], one per problem; got "
            f"{np.asarray(alignment)!r} instead."
        )
    generator = as_generator(rng)
    order = np.argsort(generator.random((n_problems, n)), axis=1)
    shuffled = np.take_along_axis(
        np.take_along_axis(matrices, order[:, :, None], axis=1), order[:, None, :], axis=2
    )
    rows, cols = np.triu_indices(n, k=1)
    s_upper, p_upper = matrices[:, rows, cols], shuffled[:, rows, cols]
    s_ranks = rankdata(s_upper, axis=-1)

    def measured(w: NDArray[np.float64]) -> NDArray[np.float64]:
        mixed = w[:, None] * s_upper + (1 - w[:, None]) * p_upper
        return spearman_rows(mixed, s_ranks, y_ranked=True)

    low, high = np.zeros(n_problems), np.ones(n_problems)
    while np.any(high - low > tol):
        middle = (low + high) / 2.0
        above = measured(middle) >= targets
        high = np.where(above, middle, high)
        low = np.where(above, low, middle)
    weight = np.where(measured(low) >= targets, low, high)
    kernels = weight[:, None, None] * matrices + (1 - weight[:, None, None]) * shuffled
    return kernels, measured(weight)
