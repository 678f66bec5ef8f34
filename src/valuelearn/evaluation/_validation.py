"""Argument checks shared by the evaluation functions (rewards and sampling distributions)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.exceptions import ValueLearnInputError

#: Largest deviation of a distribution's sum from 1 that is accepted as rounding.
DISTRIBUTION_TOLERANCE = 1e-6


def as_float_array(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``values`` as a float64 array or raise an error naming ``name``."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueLearnInputError(
            f"`{name}` must be an array of numbers; got {type(values).__name__} ({error})."
        ) from error


def reward_array(
    reward: ArrayLike, *, n_states: int, n_actions: int, name: str
) -> NDArray[np.float64]:
    """Validate a reward of shape ``(S,)``, ``(S, A)`` or ``(S, A, S)`` and return it as floats."""
    array = as_float_array(reward, name)
    shapes = ((n_states,), (n_states, n_actions), (n_states, n_actions, n_states))
    if array.shape not in shapes:
        raise ValueLearnInputError(
            f"`{name}` must have shape ({n_states},), ({n_states}, {n_actions}) or "
            f"({n_states}, {n_actions}, {n_states}) for {n_states} states and {n_actions} "
            f"actions; got {array.shape} instead."
        )
    if not np.all(np.isfinite(array)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueLearnInputError(
            f"`{name}` must be finite; found {array[index]} at index {index}."
        )
    return array


def distribution(
    values: ArrayLike | None, size: int, *, name: str, what: str
) -> NDArray[np.float64]:
    """Validate a probability vector of length ``size`` (uniform when ``values`` is None).

    ``what`` names the elements in messages, e.g. ``"state"``.
    """
    if values is None:
        return np.full(size, 1.0 / size)
    array = as_float_array(values, name)
    if array.shape != (size,):
        raise ValueLearnInputError(
            f"`{name}` must have one probability per {what} (shape ({size},)); got shape "
            f"{array.shape} instead."
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        index = int(np.flatnonzero(~np.isfinite(array) | (array < 0))[0])
        raise ValueLearnInputError(
            f"`{name}` must hold finite, non-negative probabilities; got {array[index]} for "
            f"{what} {index}."
        )
    total = float(array.sum())
    if abs(total - 1.0) > DISTRIBUTION_TOLERANCE:
        raise ValueLearnInputError(f"`{name}` must sum to 1; it sums to {total:.6g}.")
    normalized: NDArray[np.float64] = array / total
    return normalized


def positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int >= 1 or raise an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueLearnInputError(f"`{name}` must be a positive integer; got {value!r} instead.")
    return int(value)
