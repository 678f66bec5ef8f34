"""Adapters from other libraries' tabular worlds: Gymnasium toy-text, dense arrays, seals.

None of these import the other library: environments are read through their attributes (duck
typing), so Gymnasium and seals stay optional.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from valuelearn.data._mdp import MDP, _positive_int
from valuelearn.exceptions import ValueLearnInputError

#: Name of the absorbing state that :func:`from_gymnasium` adds for terminated transitions.
TERMINAL_STATE = "terminal"

_TOY_TEXT_ACTIONS = {
    "FrozenLakeEnv": ("left", "down", "right", "up"),
    "CliffWalkingEnv": ("up", "right", "down", "left"),
    "TaxiEnv": ("south", "north", "east", "west", "pickup", "dropoff"),
}


def from_gymnasium(
    env_or_P: Any,
    *,
    initial: ArrayLike | None = None,
    n_states: int | None = None,
    n_actions: int | None = None,
    horizon: int | None = None,
    discount: float | None = None,
) -> tuple[MDP, NDArray[np.float64]]:
    """Import a Gymnasium toy-text environment (FrozenLake, CliffWalking, Taxi) exactly.

    The environment's transition table ``P[s][a] = [(prob, next_state, reward, terminated), ...]``
    becomes the MDP's transitions. A terminated transition ends the episode, so it leads to one
    added absorbing state, ``"terminal"`` (index ``n_states``, the last), instead of to its
    ``next_state``; the terminal state is always added, whether or not anything reaches it. The
    import is then exact: the expected return of any policy is the same in both, and states such
    as FrozenLake's holes and goal are entered only by terminated transitions, so they are never
    visited in the MDP.

    Parameters
    ----------
    env_or_P : gymnasium.Env or mapping
        An environment (wrappers are looked through via ``env.unwrapped``) with a transition table
        ``P``, or the table itself.
    initial : array, shape (n_states,), optional
        Initial distribution over the environment's states. Default: the environment's
        ``initial_state_distrib`` (FrozenLake, CliffWalking and Taxi all have one); required
        when that is missing, e.g. when a bare table is given.
    n_states, n_actions : int, optional
        Sizes; default: the environment's ``observation_space.n`` / ``action_space.n``, else the
        size of the table.
    horizon, discount : optional
        Stored as the MDP's defaults (Gymnasium's ``max_episode_steps`` is not read).

    Returns
    -------
    mdp : MDP
        ``n_states + 1`` states named ``"0", "1", ..., "terminal"``; action names for the three
        toy-text environments.
    reward : array, shape (n_states + 1, n_actions)
        Expected reward ``R[s, a] = sum(prob * reward)`` over the table entries; 0 in the
        terminal state.

    Raises
    ------
    ValueLearnInputError
        If there is no table, a state or action is missing from it, an entry is not
        ``(prob, next_state, reward, terminated)`` with ``next_state`` in range, probabilities do
        not sum to 1, or no initial distribution is available.

    Examples
    --------
    >>> P = {0: {0: [(1.0, 1, 0.0, False)]}, 1: {0: [(0.5, 0, 1.0, False), (0.5, 1, 3.0, True)]}}
    >>> mdp, reward = from_gymnasium(P, initial=[1.0, 0.0])
    >>> mdp.dense_transitions()[1, 0].tolist(), reward[:, 0].tolist()
    ([0.5, 0.0, 0.5], [0.0, 2.0, 0.0])
    """
    env = None
    table: Any = env_or_P
    if not isinstance(env_or_P, Mapping):
        env = getattr(env_or_P, "unwrapped", env_or_P)
        table = getattr(env, "P", None)
        if not isinstance(table, Mapping):
            raise ValueLearnInputError(
                f"`env_or_P` must be a toy-text environment with a transition table `P` or the "
                f"table itself; got {type(env_or_P).__name__} without one."
            )
    n_states = _size(n_states, env, "observation_space", len(table), "n_states")
    first = table.get(0)
    n_actions = _size(
        n_actions, env, "action_space", len(first) if isinstance(first, Mapping) else 0, "n_actions"
    )
    rows, columns, probabilities, reward = _read_table(table, n_states, n_actions)
    terminal = n_states
    n_total = n_states + 1
    rows = np.concatenate([rows, terminal * n_actions + np.arange(n_actions)])
    columns = np.concatenate([columns, np.full(n_actions, terminal)])
    probabilities = np.concatenate([probabilities, np.ones(n_actions)])
    matrix = sp.coo_array(
        (probabilities, (rows, columns)), shape=(n_total * n_actions, n_total)
    ).tocsr()
    matrix.sum_duplicates()
    if initial is None:
        initial = getattr(env, "initial_state_distrib", None)
        if initial is None:
            raise ValueLearnInputError(
                "`initial` is required: the environment has no `initial_state_distrib`."
            )
    start = np.asarray(initial, dtype=np.float64)
    if start.shape != (n_states,):
        raise ValueLearnInputError(
            f"`initial` must have one probability per environment state ({n_states}); got shape "
            f"{start.shape}."
        )
    action_names = _TOY_TEXT_ACTIONS.get(type(env).__name__)
    mdp = MDP(
        transitions=matrix,
        n_actions=n_actions,
        initial=np.append(start, 0.0),
        horizon=horizon,
        discount=discount,
        state_names=(*map(str, range(n_states)), TERMINAL_STATE),
        action_names=action_names if action_names and len(action_names) == n_actions else None,
    )
    return mdp, np.vstack([reward, np.zeros((1, n_actions))])


def from_dense_arrays(
    transition_matrix: ArrayLike,
    *,
    initial: ArrayLike | None = None,
    features: ArrayLike | None = None,
    horizon: int | None = None,
    discount: float | None = None,
) -> MDP:
    """Build an MDP from a dense ``T[s, a, s']`` array, the layout of seals and imitation.

    Parameters
    ----------
    transition_matrix : array, shape (n_states, n_actions, n_states)
        Every ``T[s, a, :]`` must sum to 1.
    initial : array, shape (n_states,), optional
        Initial distribution; default: state 0 with probability 1 (as seals assumes).
    features : array, shape (n_states, n_features), optional
    horizon, discount : optional
        Stored as the MDP's defaults.

    Returns
    -------
    MDP

    Raises
    ------
    ValueLearnInputError
        If ``transition_matrix`` is not 3-D with ``shape[0] == shape[2]``, or on any
        :class:`MDP` validation error.

    Examples
    --------
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = from_dense_arrays(T, initial=[0.5, 0.5])
    >>> bool(np.array_equal(mdp.dense_transitions(), T))
    True
    """
    dense = np.asarray(transition_matrix, dtype=np.float64)
    if dense.ndim != 3 or dense.shape[0] != dense.shape[2] or dense.shape[0] == 0:
        raise ValueLearnInputError(
            "`transition_matrix` must have shape (n_states, n_actions, n_states); got "
            f"{dense.shape} instead."
        )
    n_states = dense.shape[0]
    return MDP.from_dense(
        dense,
        initial=np.eye(n_states)[0] if initial is None else initial,
        features=features,
        horizon=horizon,
        discount=discount,
    )


def from_seals(
    env: Any, *, horizon: int | None = None, discount: float | None = None
) -> tuple[MDP, NDArray[np.float64]]:
    """Import a seals tabular environment (``TabularModelPOMDP`` / ``TabularModelMDP``).

    Read by duck typing from the (unwrapped) environment: ``transition_matrix`` (S, A, S),
    ``reward_matrix``, ``initial_state_dist``, ``horizon`` and, when present,
    ``observation_matrix`` (S, d), which becomes the MDP's ``features``. seals is not imported.

    Parameters
    ----------
    env : object
        A seals environment, possibly wrapped (``env.unwrapped`` is used when present).
    horizon : int, optional
        Overrides ``env.horizon`` (seals ends an episode after ``horizon`` actions).
    discount : float, optional
        Stored as the MDP's default (seals has none).

    Returns
    -------
    mdp : MDP
    reward : array
        ``reward_matrix`` as seals stores it: shape ``(n_states,)``, ``(n_states, n_actions)`` or
        ``(n_states, n_actions, n_states)``.

    Raises
    ------
    ValueLearnInputError
        If an attribute is missing or has the wrong shape.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> T = np.zeros((2, 1, 2)); T[:, 0, 1] = 1.0
    >>> env = SimpleNamespace(transition_matrix=T, reward_matrix=np.array([0.0, 1.0]),
    ...                       initial_state_dist=np.array([1.0, 0.0]), horizon=5)
    >>> mdp, reward = from_seals(env)
    >>> mdp.horizon, reward.tolist(), mdp.features is None
    (5, [0.0, 1.0], True)
    """
    inner = getattr(env, "unwrapped", env)
    missing = [
        name
        for name in ("transition_matrix", "reward_matrix", "initial_state_dist")
        if not hasattr(inner, name)
    ]
    if missing:
        raise ValueLearnInputError(
            f"`env` must be a seals tabular environment; it has no {', '.join(missing)}."
        )
    transitions = np.asarray(inner.transition_matrix, dtype=np.float64)
    reward = np.asarray(inner.reward_matrix, dtype=np.float64)
    if transitions.ndim != 3 or reward.shape != transitions.shape[: reward.ndim] or reward.ndim < 1:
        raise ValueLearnInputError(
            f"`env.reward_matrix` must have shape {transitions.shape[:1]}, {transitions.shape[:2]} "
            f"or {transitions.shape}; got {reward.shape}."
        )
    observations = getattr(inner, "observation_matrix", None)
    if horizon is None:
        horizon = getattr(inner, "horizon", None)
    mdp = from_dense_arrays(
        transitions,
        initial=inner.initial_state_dist,
        features=None if observations is None else np.asarray(observations, dtype=np.float64),
        horizon=horizon,
        discount=discount,
    )
    return mdp, reward


# ---------------------------------------------------------------------- helpers
def _size(given: int | None, env: object, space: str, fallback: int, name: str) -> int:
    if given is not None:
        return _positive_int(given, name)
    size = getattr(getattr(env, space, None), "n", None)
    return _positive_int(int(size) if size is not None else fallback, name)


def _read_table(
    table: Mapping[Any, Any], n_states: int, n_actions: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Flatten ``P[s][a]`` into COO rows, terminal-redirected columns, probabilities and R[s, a]."""
    terminal = n_states
    rows: list[int] = []
    columns: list[int] = []
    probabilities: list[float] = []
    reward = np.zeros((n_states, n_actions))
    for state in range(n_states):
        actions = table.get(state)
        if not isinstance(actions, Mapping):
            raise ValueLearnInputError(
                f"`P` has no entry for state {state}; expected P[s][a] for s < {n_states}."
            )
        for action in range(n_actions):
            outcomes = actions.get(action)
            if not isinstance(outcomes, Sequence) or isinstance(outcomes, str):
                raise ValueLearnInputError(
                    f"`P[{state}]` has no outcome list for action {action}; expected P[s][a] for "
                    f"a < {n_actions}."
                )
            for outcome in outcomes:
                if not isinstance(outcome, Sequence) or len(outcome) != 4:
                    raise ValueLearnInputError(
                        f"`P[{state}][{action}]` entries must be (prob, next_state, reward, "
                        f"terminated); got {outcome!r}."
                    )
                prob, nxt, value, terminated = outcome
                if (
                    isinstance(nxt, bool)
                    or not isinstance(nxt, int | np.integer)
                    or not 0 <= nxt < n_states
                ):
                    raise ValueLearnInputError(
                        f"`P[{state}][{action}]` leads to next_state {nxt!r}; expected an integer "
                        f"in [0, {n_states})."
                    )
                rows.append(state * n_actions + action)
                columns.append(terminal if terminated else int(nxt))
                probabilities.append(float(prob))
                reward[state, action] += float(prob) * float(value)
    return (
        np.asarray(rows, dtype=np.int64),
        np.asarray(columns, dtype=np.int64),
        np.asarray(probabilities, dtype=np.float64),
        reward,
    )
