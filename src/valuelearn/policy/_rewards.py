"""Reduction of state, state-action and transition rewards to the expected reward planners use."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP
from valuelearn.exceptions import ValueLearnInputError


def expected_reward(mdp: MDP, reward: ArrayLike) -> NDArray[np.float64]:
    """Return ``r(s, a) = sum_s' P[s, a, s'] R(s, a, s')`` for any reward shape.

    Planning with a soft or hard Bellman backup depends on a reward only through this expectation,
    which is why every planner is invariant to S'-redistribution (Skalse et al. 2023, Thm 3.3).

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
        ``R[s]`` is received in the state where an action is taken, ``R[s, a]`` for taking ``a``
        there, ``R[s, a, s']`` on the transition.

    Returns
    -------
    array, shape (n_states, n_actions)

    Raises
    ------
    ValueLearnInputError
        If the shape matches none of the three forms or a value is NaN or inf.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 1, 2)); T[0, 0] = [0.5, 0.5]; T[1, 0, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> R = np.zeros((2, 1, 2)); R[0, 0, 1] = 4.0
    >>> expected_reward(mdp, R).tolist()
    [[2.0], [0.0]]
    """
    values = np.asarray(reward, dtype=np.float64)
    n_states, n_actions = mdp.n_states, mdp.n_actions
    if not np.all(np.isfinite(values)):
        raise ValueLearnInputError("`reward` must be finite; found NaN or inf.")
    if values.shape == (n_states,):
        return np.broadcast_to(values[:, None], (n_states, n_actions))
    if values.shape == (n_states, n_actions):
        return values
    if values.shape == (n_states, n_actions, n_states):
        flat = values.reshape(n_states * n_actions, n_states)
        matrix = mdp.transitions
        rows = np.repeat(np.arange(n_states * n_actions), np.diff(matrix.indptr))
        per_entry = matrix.data * flat[rows, matrix.indices]
        expected: NDArray[np.float64] = np.bincount(
            rows, weights=per_entry, minlength=n_states * n_actions
        ).astype(np.float64)
        return expected.reshape(n_states, n_actions)
    raise ValueLearnInputError(
        f"`reward` must have shape ({n_states},), ({n_states}, {n_actions}) or "
        f"({n_states}, {n_actions}, {n_states}); got {values.shape} instead."
    )


def action_major_reward(mdp: MDP, reward: ArrayLike) -> NDArray[np.float64]:
    """Expected reward laid out as ``(n_actions, n_states)``, contiguous, for the planners."""
    return np.ascontiguousarray(expected_reward(mdp, reward).T)
