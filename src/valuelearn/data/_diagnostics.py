"""Small diagnostic worlds with known answers, used by tests and the benchmark.

``risky_path`` and ``reasonable_mdp`` return the MDP and its true state reward; ``fork_world``
returns the MDP (the reward is the user's to choose).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data._mdp import MDP
from valuelearn.exceptions import ValueLearnInputError


def risky_path() -> tuple[MDP, NDArray[np.float64]]:
    """RiskyPath: the world that separates causal from non-causal maximum entropy.

    Four states, two actions, horizon 5. From ``s0`` action 0 goes safely to ``s1`` and action 1
    ("risky") lands in ``s2`` (+1) or ``s3`` (-100) with probability 0.5 each; from ``s1`` action 0
    goes to ``s2`` and action 1 stays. ``s2`` and ``s3`` are absorbing. A soft-optimal agent avoids
    the risky action; the MaxEnt (2008) backup takes it with probability about 0.689.

    References
    ----------
    Gleave & Toyer (2022), *A primer on maximum causal entropy IRL*, arXiv 2203.11409; the
    ``RiskyPath`` environment of the DERAIL suite (Freire et al. 2020).

    Examples
    --------
    >>> mdp, reward = risky_path()
    >>> mdp.n_states, mdp.n_actions, reward.tolist()
    (4, 2, [0.0, 0.0, 1.0, -100.0])
    """
    transitions = np.zeros((4, 2, 4))
    transitions[0, 0, 1] = 1.0
    transitions[0, 1, [2, 3]] = 0.5
    transitions[1, 0, 2] = 1.0
    transitions[1, 1, 1] = 1.0
    transitions[2, :, 2] = 1.0
    transitions[3, :, 3] = 1.0
    mdp = MDP.from_dense(
        transitions,
        initial=[1.0, 0.0, 0.0, 0.0],
        horizon=5,
        discount=1.0,
        state_names=("start", "safe", "goal", "pit"),
        action_names=("safe", "risky"),
    )
    return mdp, np.array([0.0, 0.0, 1.0, -100.0])


def reasonable_mdp() -> tuple[MDP, NDArray[np.float64]]:
    """A five-state, three-action MDP with 8 features whose soft policy has known properties.

    States 1 and 2 are equivalent; state 3 is very bad (-20); state 4 is good (+3) and returns to
    state 0. Horizon 20, start in state 0 or 4 with probability 1/2 each. The features are those
    of imitation's ``ReasonablePOMDP`` test world, so results can be compared one to one.

    Examples
    --------
    >>> mdp, reward = reasonable_mdp()
    >>> mdp.n_states, mdp.n_actions, mdp.n_features
    (5, 3, 8)
    """
    features = np.array(
        [
            [3, -5, -1, -1, -4, 5, 3, 0],
            [4, -4, 2, 2, -4, -1, -2, -2],
            [3, -1, 5, -1, 0, 2, -5, 2],
            [-5, -1, 4, 1, 4, 1, 5, 3],
            [2, -5, 1, -5, 1, 4, 4, -3],
        ],
        dtype=np.float64,
    )
    transitions = np.zeros((5, 3, 5))
    transitions[0, 0, [1, 2]] = [0.9, 0.1]
    transitions[0, 1, 3] = 1.0
    transitions[0, 2, [1, 2]] = [0.1, 0.9]
    for state in (1, 2):
        transitions[state, 0, [3, 4]] = [0.05, 0.95]
        transitions[state, 1, 3] = 1.0
        transitions[state, 2, 4] = 1.0
    transitions[3, :, 4] = 1.0
    transitions[4, :, 0] = 1.0
    mdp = MDP.from_dense(
        transitions,
        initial=[0.5, 0.0, 0.0, 0.0, 0.5],
        features=features,
        horizon=20,
        discount=1.0,
    )
    return mdp, np.array([1.0, 2.0, 2.0, -20.0, 3.0])


def fork_world(
    n_forks: int, n_idle: int, *, n_features: int = 2, discount: float = 0.9, rng: RandomLike = None
) -> MDP:
    """Forks between two absorbing outcomes among idle states: few states are worth asking about.

    States ``0 .. n_forks - 1`` are forks: action 0 leads to outcome ``n_forks + 2 k`` and
    action 1 to ``n_forks + 2 k + 1``, both absorbing. The ``n_idle`` states after the outcomes
    are absorbing too, so a person's action there says nothing about their values (every reward
    predicts the uniform choice). Features are standard normal per state (zero at the forks, so a
    linear reward is decided at the outcomes); the initial distribution is uniform over the forks.
    The world where choosing *which* state to ask about matters most (Lopes et al. 2009).

    Parameters
    ----------
    n_forks : int
        At least 1.
    n_idle : int
        At least 0.
    n_features : int
    discount : float
    rng : int, Generator or None
        Draws the features.

    Examples
    --------
    >>> mdp = fork_world(2, 3, rng=0)
    >>> mdp.n_states, mdp.n_actions, mdp.features.shape
    (9, 2, (9, 2))
    >>> mdp.transitions[[0, 1]].nonzero()[1].tolist()  # fork 0, actions 0 and 1
    [2, 3]
    """
    for name, value, least in (("n_forks", n_forks, 1), ("n_idle", n_idle, 0),
                               ("n_features", n_features, 1)):  # fmt: skip
        if not isinstance(value, int | np.integer) or value < least:
            raise ValueLearnInputError(
                f"The '{name}' parameter of fork_world must be an integer >= {least}; got "
                f"{value!r} instead."
            )
    n_states = 3 * n_forks + n_idle
    transitions = np.zeros((n_states, 2, n_states))
    for fork in range(n_forks):
        transitions[fork, 0, n_forks + 2 * fork] = 1.0
        transitions[fork, 1, n_forks + 2 * fork + 1] = 1.0
    for state in range(n_forks, n_states):
        transitions[state, :, state] = 1.0
    features = as_generator(rng).standard_normal((n_states, n_features))
    features[:n_forks] = 0.0
    initial = np.zeros(n_states)
    initial[:n_forks] = 1.0 / n_forks
    return MDP.from_dense(transitions, initial=initial, discount=discount, features=features)
