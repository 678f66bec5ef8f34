"""Pearson distance with a convention for constant inputs, shared by the reward distances.

``D_rho(X, Y) = sqrt((1 - rho(X, Y)) / 2)`` is computed as ``||U - V|| / 2`` (weighted Euclidean
norm) with ``U, V`` the standardised ``X, Y`` (weighted mean 0, weighted variance 1). The two agree
whenever both variances are positive; the second form is accurate near 0, where ``sqrt(1 - rho)``
loses half the digits, and extends to constant inputs by standardising them to 0, so a constant is
at distance 1/2 from everything non-constant and 0 from another constant (the convention of STARC,
Skalse et al. 2024). It stays a pseudometric: standardised variables lie on the unit sphere or at
its centre.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.evaluation._validation import as_float_array
from valuelearn.exceptions import ValueLearnInputError

#: A variable whose standard deviation is at most this times its largest ``|value|`` (for EPIC: the
#: largest ``|R|`` on the coverage support) is treated as constant; rounding is far smaller.
ZERO_RELATIVE_STD = 1e-10


def pearson_distance(x: ArrayLike, y: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Pearson distance ``sqrt((1 - rho(x, y)) / 2)``, in [0, 1], optionally weighted.

    Computed as ``||u - v|| / 2`` (weighted Euclidean norm) with ``u, v`` the standardised
    ``x, y`` (weighted mean 0, weighted variance 1), which is the same number when both variances
    are positive and is accurate near 0, where ``sqrt(1 - rho)`` loses half the digits. A constant
    input (standard deviation at most ``ZERO_RELATIVE_STD`` times its largest ``|value|`` on the
    support of ``weights``) standardises to 0: two constants are at distance 0 and a constant is at
    distance 1/2 from anything else (see the module docstring). Never NaN.

    Parameters
    ----------
    x, y : array, any shape (the same for both, at least one element)
        Paired samples, e.g. two canonical rewards.
    weights : array, same shape as ``x``, optional
        Non-negative weights with a positive sum (normalised here); default uniform.

    Returns
    -------
    float
        0 for a positive affine relation ``y = c * x + d`` (``c > 0``), 1 for ``c < 0``, and
        ``sqrt(1/2)`` for uncorrelated inputs.

    Raises
    ------
    ValueLearnInputError
        If the shapes differ, an input is empty or not finite, or a weight is negative or all
        weights are zero.

    References
    ----------
    Gleave, Dennis, Legg, Russell & Leike (2021), "Quantifying differences in reward functions",
    ICLR 2021, arXiv:2006.13900, section 4 (Pearson distance; it is a pseudometric).
    Skalse, Farnik, Motwani, Jenner, Gleave & Abate (2024), "STARC: a general framework for
    quantifying differences between reward functions", ICLR 2024, arXiv:2309.15257 (a zero reward
    normalises to zero).

    Examples
    --------
    >>> pearson_distance([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])
    0.0
    >>> round(pearson_distance([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]), 12)
    1.0
    >>> round(pearson_distance([1.0, 2.0, 3.0], [5.0, 5.0, 5.0]), 12)
    0.5
    """
    x_array = as_float_array(x, "x")
    y_array = as_float_array(y, "y")
    if x_array.shape != y_array.shape:
        raise ValueLearnInputError(
            f"`x` and `y` must have the same shape; got {x_array.shape} and {y_array.shape}."
        )
    if x_array.size == 0:
        raise ValueLearnInputError("`x` and `y` must have at least one element; got none.")
    for name, array in (("x", x_array), ("y", y_array)):
        if not np.all(np.isfinite(array)):
            raise ValueLearnInputError(f"`{name}` must be finite; found NaN or inf.")
    w = _weights(weights, x_array.shape)
    u = standardise(x_array, w, largest_on_support(x_array, w > 0))
    v = standardise(y_array, w, largest_on_support(y_array, w > 0))
    return half_norm_of_difference(u, v, w)


def largest_on_support(values: NDArray[np.float64], support: NDArray[np.bool_]) -> float:
    on_support = values[support]
    return float(np.max(np.abs(on_support))) if on_support.size else 0.0


def inverse_std(variance: float, scale: float) -> float:
    """``1 / std``, or 0 when the standard deviation is zero up to rounding at ``scale``."""
    std = float(np.sqrt(max(variance, 0.0)))
    if std <= ZERO_RELATIVE_STD * scale or std == 0.0:
        return 0.0
    return 1.0 / std


def standardise(
    values: NDArray[np.float64], weights: NDArray[np.float64], scale: float
) -> NDArray[np.float64]:
    """``(values - mean) / std`` under ``weights`` (summing to 1), or zeros for a constant."""
    centred = values - float(np.sum(weights * values))
    factor = inverse_std(float(np.sum(weights * centred * centred)), scale)
    standardised: NDArray[np.float64] = factor * centred
    return standardised


def half_norm_of_difference(
    u: NDArray[np.float64], v: NDArray[np.float64], weights: NDArray[np.float64]
) -> float:
    difference = u - v
    return clip_distance(0.5 * np.sqrt(float(np.sum(weights * difference * difference))))


def clip_distance(value: float) -> float:
    """Clip rounding excursions (e.g. 1 + 1e-16) back into [0, 1]."""
    return float(min(max(value, 0.0), 1.0))


def _weights(weights: ArrayLike | None, shape: tuple[int, ...]) -> NDArray[np.float64]:
    size = int(np.prod(shape))
    if weights is None:
        return np.full(shape, 1.0 / size)
    array = as_float_array(weights, "weights")
    if array.shape != shape:
        raise ValueLearnInputError(
            f"`weights` must have the shape of `x` {shape}; got {array.shape} instead."
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueLearnInputError("`weights` must be finite and non-negative.")
    total = float(array.sum())
    if total <= 0.0:
        raise ValueLearnInputError("`weights` must have a positive sum; got all zeros.")
    normalized: NDArray[np.float64] = array / total
    return normalized
