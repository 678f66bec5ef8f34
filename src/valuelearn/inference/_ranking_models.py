"""Ranking and rating likelihoods: Plackett–Luce rankings and ordinal probit ratings.

Pure functions with exact gradients and Hessians in the utilities (and, for ratings, the
thresholds), returned as :class:`~valuelearn.inference.LogLikelihood`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.special import log_ndtr, logsumexp

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference._preference_models import LogLikelihood

Array = NDArray[np.float64]
_FAR = 1e10  # stands in for the infinite outer thresholds b_0 = -inf, b_J = +inf


def _padded(rankings: Sequence[ArrayLike]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Rankings as a rectangular (n_rankings, longest) index array and its validity mask."""
    orders = [np.asarray(order, dtype=np.int64).ravel() for order in rankings]
    longest = max((order.size for order in orders), default=0)
    index = np.zeros((len(orders), longest), dtype=np.int64)
    mask = np.zeros((len(orders), longest), dtype=bool)
    for row, order in enumerate(orders):
        index[row, : order.size] = order
        mask[row, : order.size] = True
    return index, mask


def plackett_luce_log_likelihood(
    utilities: ArrayLike, rankings: Sequence[ArrayLike], *, hessian: bool = False
) -> LogLikelihood:
    """Log-likelihood of rankings (best first) under Plackett–Luce, derivatives in utilities.

    ``log P(sigma) = sum_i [u_sigma(i) - log sum_{j >= i} exp u_sigma(j)]``: the best item is
    chosen from all, the second from the rest, and so on. A ranking may cover any subset of the
    items; a ranking of two is a Bradley–Terry comparison.

    Parameters
    ----------
    utilities : array, shape (n_items,)
    rankings : sequence of int arrays
        Item positions, best first, each of length >= 2 without repeats.
    hessian : bool
        Also return the sparse Hessian ``-sum_stages (diag(p) - p p^T)``.

    References
    ----------
    Plackett (1975), "The analysis of permutations", Applied Statistics 24, eq. 2; Luce (1959),
    "Individual choice behavior"; APReL ``aprel/learning/user_models.py`` (full ranking).

    Examples
    --------
    >>> ll = plackett_luce_log_likelihood(np.log([3.0, 2.0, 1.0]), [[0, 1, 2]])
    >>> round(float(np.exp(ll.value)), 6)  # 3/6 * 2/3
    0.333333
    """
    u = np.asarray(utilities, dtype=np.float64)
    n = u.size
    index, mask = _padded(rankings)
    longest = index.shape[1]
    # stage i chooses among positions j >= i of the same ranking
    remaining = mask[:, None, :] & (np.arange(longest)[None, :] >= np.arange(longest)[:, None])
    stage = mask  # stage i exists where position i exists (the last stage contributes 0)
    logits = np.where(remaining, u[index][:, None, :], -np.inf)  # (R, stage, j)
    live = np.where(stage, 0.0, -np.inf)[..., None]
    log_norm = logsumexp(np.where(stage[..., None], logits, 0.0), axis=-1)
    chosen = np.where(stage, u[index], 0.0)
    value = float(np.sum(np.where(stage, chosen - log_norm, 0.0)))
    p = np.exp(logits - log_norm[..., None] + live)  # softmax per stage, 0 elsewhere
    share = p.sum(axis=1)  # (R, j): total probability each position had over the stages
    gradient = np.bincount(index[mask], minlength=n) - np.bincount(
        index.ravel(), share.ravel(), minlength=n
    )
    matrix = None
    if hessian:
        outer = np.einsum("rij,rik->rjk", p, p)  # sum over stages of p p^T
        rows = np.broadcast_to(index[:, :, None], outer.shape)
        cols = np.broadcast_to(index[:, None, :], outer.shape)
        pair = mask[:, :, None] & mask[:, None, :]
        matrix = sp.csr_array(
            (
                np.concatenate([outer[pair], -share[mask]]),
                (
                    np.concatenate([rows[pair], index[mask]]),
                    np.concatenate([cols[pair], index[mask]]),
                ),
            ),
            shape=(n, n),
        )
    return LogLikelihood(value, gradient.astype(np.float64), matrix)


def check_thresholds(thresholds: ArrayLike, owner: str = "the ordinal model") -> Array:
    """Return ``thresholds`` as a strictly increasing finite float array (at least one)."""
    b = np.asarray(thresholds, dtype=np.float64).ravel()
    if b.size == 0 or not np.all(np.isfinite(b)) or np.any(np.diff(b) <= 0):
        raise ValueLearnInputError(
            f"The 'thresholds' of {owner} must be finite and strictly increasing; got "
            f"{b.tolist()} instead."
        )
    return b


def ordinal_probabilities(
    utilities: ArrayLike, thresholds: ArrayLike, *, sigma: float = 1.0
) -> Array:
    """Ordinal probit: ``P(level j | f) = Phi((b_j - f) / sigma) - Phi((b_(j-1) - f) / sigma)``.

    Parameters
    ----------
    utilities : array, shape (n,)
    thresholds : array, shape (n_levels - 1,)
        Strictly increasing cut points ``b_1 < ... < b_(J-1)`` (``b_0 = -inf``, ``b_J = +inf``).
    sigma : float
        Rating noise.

    Returns
    -------
    array, shape (n, n_levels)

    References
    ----------
    Chu & Ghahramani (2005), "Gaussian processes for ordinal regression", JMLR 6, eq. 4-5.

    Examples
    --------
    >>> ordinal_probabilities([0.0], [-1.0, 1.0]).round(5).tolist()
    [[0.15866, 0.68269, 0.15866]]
    """
    f = np.asarray(utilities, dtype=np.float64).ravel()
    b = check_thresholds(thresholds)
    levels = np.arange(b.size + 1)
    log_p = _log_level(f[:, None], b, np.broadcast_to(levels, (f.size, levels.size)), sigma)[0]
    return np.exp(log_p)


def _log_level(
    f: Array, b: Array, level: NDArray[np.int64], sigma: float
) -> tuple[Array, Array, Array]:
    """``log P(level | f)`` and the scaled cut distances ``x = (b_j - f) / s``, ``y``."""
    cuts = np.concatenate([[-_FAR], b, [_FAR]])
    x, y = (cuts[level + 1] - f) / sigma, (cuts[level] - f) / sigma
    flip = x + y > 0  # use the symmetric lower tails Phi(-y) - Phi(-x) for accuracy
    hi, lo = np.where(flip, -y, x), np.where(flip, -x, y)
    log_hi, log_lo = log_ndtr(hi), log_ndtr(lo)
    return log_hi + np.log1p(-np.exp(log_lo - log_hi)), x, y


def ordinal_log_likelihood(
    utilities: ArrayLike,
    thresholds: ArrayLike,
    items: ArrayLike,
    levels: ArrayLike,
    *,
    sigma: float = 1.0,
    hessian: bool = False,
) -> LogLikelihood:
    """Log-likelihood of ratings under the ordinal probit, derivatives in utilities and thresholds.

    Parameters
    ----------
    utilities : array, shape (n_items,)
    thresholds : array, shape (n_levels - 1,)
    items : array of int, shape (n_ratings,)
        Position of the rated item.
    levels : array of int, shape (n_ratings,)
        The rating as a class ``0 .. n_levels - 1``.
    sigma : float
    hessian : bool

    Returns
    -------
    LogLikelihood
        Derivatives with respect to the concatenation ``(utilities, thresholds)``, length
        ``n_items + n_levels - 1``.

    References
    ----------
    Chu & Ghahramani (2005), JMLR 6, eq. 4-5 and the derivatives of section 3.1.

    Examples
    --------
    >>> ll = ordinal_log_likelihood([0.0], [-1.0, 1.0], [0], [1])
    >>> round(float(np.exp(ll.value)), 5), ll.gradient.round(6).tolist()
    (0.68269, [0.0, -0.354437, 0.354437])
    """
    u = np.asarray(utilities, dtype=np.float64).ravel()
    b = check_thresholds(thresholds)
    item = np.asarray(items, dtype=np.int64).ravel()
    level = np.asarray(levels, dtype=np.int64).ravel()
    if level.size and (level.min() < 0 or level.max() > b.size):
        raise ValueLearnInputError(f"`levels` must be in [0, {b.size}]; got {level.max()}.")
    n, size = u.size, u.size + b.size
    log_p, x, y = _log_level(u[item], b, level, sigma)
    big_a = np.exp(-0.5 * x**2 - 0.5 * np.log(2 * np.pi) - log_p)  # phi(x) / P
    big_b = np.exp(-0.5 * y**2 - 0.5 * np.log(2 * np.pi) - log_p)  # phi(y) / P
    upper, lower = n + level, n + level - 1  # positions of b_j and b_(j-1) in the vector
    has_up, has_low = level < b.size, level > 0
    gradient = np.bincount(item, -(big_a - big_b) / sigma, minlength=size)
    gradient += np.bincount(upper[has_up], big_a[has_up] / sigma, minlength=size)
    gradient -= np.bincount(lower[has_low], big_b[has_low] / sigma, minlength=size)
    matrix = None
    if hessian:
        lxx, lyy, lxy = -x * big_a - big_a**2, y * big_b - big_b**2, big_a * big_b
        blocks = [  # (row, column, second derivative, where it exists)
            (item, item, lxx + 2 * lxy + lyy, np.ones_like(has_up)),
            (upper, upper, lxx, has_up),
            (lower, lower, lyy, has_low),
            (item, upper, -(lxx + lxy), has_up),
            (item, lower, -(lxy + lyy), has_low),
            (upper, lower, lxy, has_up & has_low),
        ]
        rows, cols, values = [], [], []
        for k, (r, c, v, keep) in enumerate(blocks):
            mirror = [(r, c), (c, r)] if k >= 3 else [(r, c)]  # off-diagonal blocks twice
            for one, two in mirror:
                rows.append(one[keep])
                cols.append(two[keep])
                values.append(v[keep])
        matrix = sp.csr_array(
            (np.concatenate(values) / sigma**2, (np.concatenate(rows), np.concatenate(cols))),
            shape=(size, size),
        )
    return LogLikelihood(float(log_p.sum()), gradient.astype(np.float64), matrix)
