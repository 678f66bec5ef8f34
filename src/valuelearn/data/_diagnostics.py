"""Small diagnostic worlds with known answers, used by tests and the benchmark.

Each function returns the MDP and its true state reward.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from valuelearn.data._mdp import MDP


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
