"""Trajectory sampling from a policy, vectorised over trajectories."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import MDP, Demonstrations
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._occupancy import _policy_array, _start, policy_action_major
from valuelearn.policy._planning import PlanningResult


def sample_trajectories(
    mdp: MDP,
    policy: ArrayLike | PlanningResult,
    *,
    n: int,
    horizon: int | None = None,
    rng: RandomLike,
    initial: ArrayLike | None = None,
) -> Demonstrations:
    """Sample ``n`` trajectories of ``horizon`` actions by following ``policy``.

    Parameters
    ----------
    mdp : MDP
    policy : array, shape (horizon, n_states, n_actions) or (n_states, n_actions), or PlanningResult
    n : int
        Number of trajectories.
    horizon : int, optional
        Number of actions per trajectory; defaults to the policy's horizon for a time-indexed
        policy and is required for a stationary one.
    rng : Generator, int or None
        Source of randomness (explicit: same seed, same trajectories).
    initial : array, shape (n_states,), optional
        Start distribution (default ``mdp.initial``).

    Returns
    -------
    Demonstrations
        Each with ``horizon + 1`` states and ``horizon`` actions.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 1, 2)); T[:, 0, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> demos = sample_trajectories(mdp, np.ones((2, 1)), n=2, horizon=2, rng=0)
    >>> demos[0].states.tolist()
    [0, 1, 1]
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueLearnInputError(f"`n` must be a positive integer; got {n!r}.")
    array = _policy_array(policy)
    if horizon is None:
        if array.ndim != 3:
            raise ValueLearnInputError("a stationary policy needs an explicit `horizon`.")
        horizon = int(array.shape[0])
    pi = policy_action_major(
        policy if isinstance(policy, PlanningResult) else array,
        mdp,
        horizon if array.ndim == 3 else None,
    )
    generator = as_generator(rng)
    start = mdp.initial if initial is None else _start(initial, mdp.n_states)
    states = np.empty((n, horizon + 1), dtype=np.int64)
    actions = np.empty((n, horizon), dtype=np.int64)
    states[:, 0] = _draw(np.cumsum(start)[None, :], generator.random(n))
    keys = _transition_keys(mdp)
    matrix = mdp.transitions
    for t in range(horizon):
        pi_t = pi[t] if pi.ndim == 3 else pi
        cumulative = np.cumsum(pi_t[:, states[:, t]].T, axis=1)
        actions[:, t] = _draw(cumulative, generator.random(n))
        rows = states[:, t] * mdp.n_actions + actions[:, t]
        position = np.searchsorted(keys, rows + generator.random(n), side="right")
        position = np.clip(position, matrix.indptr[rows], matrix.indptr[rows + 1] - 1)
        states[:, t + 1] = matrix.indices[position]
    return Demonstrations.from_arrays(states, actions)


def _draw(cumulative: NDArray[np.float64], uniforms: NDArray[np.float64]) -> NDArray[np.int64]:
    """Inverse-CDF draw per row of ``cumulative`` (shape (n, k) or (1, k))."""
    scaled = uniforms * cumulative[:, -1]
    index = (scaled[:, None] >= cumulative).sum(axis=1)
    drawn: NDArray[np.int64] = np.minimum(index, cumulative.shape[1] - 1).astype(np.int64)
    return drawn


def _transition_keys(mdp: MDP) -> NDArray[np.float64]:
    """Monotone keys ``row + (cumulative probability within the row)`` for every stored entry.

    A draw ``row + u`` with ``u ~ U[0, 1)`` lands, by binary search, on the successor whose
    cumulative probability first exceeds ``u``.
    """
    matrix = mdp.transitions
    counts = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), counts)
    cumulative = np.cumsum(matrix.data)
    before = np.concatenate([[0.0], cumulative])[matrix.indptr[:-1]]
    keys: NDArray[np.float64] = rows + (cumulative - np.repeat(before, counts))
    return keys
