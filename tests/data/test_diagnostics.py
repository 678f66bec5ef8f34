"""Diagnostic worlds: the fork world's structure and its errors."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import fork_world
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans import BoltzmannRational


def test_forks_choose_between_their_outcomes_and_idle_states_say_nothing() -> None:
    mdp = fork_world(3, 4, n_features=2, discount=0.8, rng=1)
    assert (mdp.n_states, mdp.n_actions, mdp.discount) == (13, 2, 0.8)
    dense = mdp.transitions.toarray().reshape(13, 2, 13)
    for fork in range(3):
        assert dense[fork, 0, 3 + 2 * fork] == dense[fork, 1, 4 + 2 * fork] == 1.0
    for state in range(3, 13):  # outcomes and idle states are absorbing under both actions
        assert dense[state, 0, state] == dense[state, 1, state] == 1.0
    assert np.all(mdp.features[:3] == 0.0) and np.all(mdp.features[3:] != 0.0)
    np.testing.assert_allclose(mdp.initial, [1 / 3] * 3 + [0.0] * 10)
    # Whatever the reward, a Boltzmann person is indifferent everywhere but at the forks.
    reward = mdp.features @ np.array([1.0, -2.0])
    policy = BoltzmannRational(beta=3.0).policy(mdp, reward, horizon=None, discount=0.8)
    np.testing.assert_allclose(policy[3:], 0.5)
    q_gap = 0.8 * (reward[3::2][:3] - reward[4::2][:3]) / (1 - 0.8)
    np.testing.assert_allclose(policy[:3, 0], 1 / (1 + np.exp(-3.0 * q_gap)), rtol=1e-9)
    np.testing.assert_array_equal(fork_world(3, 4, rng=1).features, mdp.features)


@pytest.mark.parametrize(
    ("arguments", "match"),
    [((0, 3), "'n_forks' parameter of fork_world must be an integer >= 1; got 0"),
     ((2, -1), "'n_idle' parameter .* >= 0; got -1"),
     ((2, 1.5), "'n_idle' parameter .* got 1.5 instead")],
)  # fmt: skip
def test_fork_world_errors(arguments: tuple[int, int], match: str) -> None:
    with pytest.raises(ValueLearnInputError, match=match):
        fork_world(*arguments)
