"""Tests for valuelearn.humans._myopic: receding-horizon (myopic) planning."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory, gridworld
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._myopic import Myopic, receding_horizon_policy
from valuelearn.humans._rational import SoftOptimal

FrequencyCheck = Callable[..., None]


def chain_mdp(n: int) -> MDP:
    """States 0..n-1 in a line; action 0 stays, action 1 moves one step right (last absorbs)."""
    T = np.zeros((n, 2, n))
    for s in range(n):
        T[s, 0, s] = 1.0
        T[s, 1, min(s + 1, n - 1)] = 1.0
    return MDP.from_dense(T)


@pytest.mark.parametrize("planning_horizon", [6, 7, 50])
def test_long_look_ahead_is_soft_optimal(planning_horizon: int) -> None:
    mdp = gridworld(["S...", ".#.G"], absorbing="G", slip=0.2)
    reward = mdp.features @ np.array([-0.1, 1.0, 0.0])
    myopic = Myopic(planning_horizon, temperature=0.5).policy(mdp, reward, horizon=6, discount=0.9)
    soft = SoftOptimal(temperature=0.5).policy(mdp, reward, horizon=6, discount=0.9)
    np.testing.assert_array_equal(myopic, soft)


def test_distant_reward_is_ignored() -> None:
    mdp = chain_mdp(5)
    reward = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    pi = Myopic(planning_horizon=2).policy(mdp, reward, horizon=8, discount=1.0)
    soft = SoftOptimal().policy(mdp, reward, horizon=8, discount=1.0)
    # From state 0 the goal is 4 moves away: out of sight for a 2-step look-ahead.
    np.testing.assert_allclose(pi[:7, 0], 0.5, atol=1e-15)
    assert soft[0, 0, 1] > 0.6
    # From state 3 it is in sight: Q(3, right) = 0 + V^1(4) = 1 + log 2, Q(3, stay) = log 2.
    np.testing.assert_allclose(pi[:7, 3, 1], np.e / (1 + np.e), atol=1e-12)
    # The last decision sees one step only: the current state's reward, equal for both actions.
    np.testing.assert_allclose(pi[7], 0.5, atol=1e-15)


def test_log_likelihood_hand_computed() -> None:
    mdp = chain_mdp(3)
    demo = Demonstrations([Trajectory([0, 1, 2, 2], [1, 1, 0])])
    ll = Myopic(planning_horizon=2).log_likelihood(
        mdp, [0.0, 0.0, 1.0], demo, horizon=3, discount=1.0
    )
    # t=0 in 0: both actions worth log 2; t=1 in 1: e/(1+e); t=2: one step left, uniform.
    assert ll == pytest.approx(2 * np.log(0.5) + np.log(np.e / (1 + np.e)), abs=1e-12)


def test_receding_policy_reuses_the_plan_by_steps_left() -> None:
    mdp = gridworld(["S..", "..G"], absorbing="G", slip=0.1)
    reward = mdp.features @ np.array([0.0, 1.0, 0.0])
    pi = receding_horizon_policy(mdp, reward, horizon=7, discount=0.95, planning_horizon=3)
    plan = SoftOptimal().policy(mdp, reward, horizon=3, discount=0.95)
    for t in range(7):
        np.testing.assert_array_equal(pi[t], plan[3 - min(3, 7 - t)])


def test_simulate_matches_policy(assert_frequencies_match: FrequencyCheck) -> None:
    mdp = gridworld(["S...", "...G"], absorbing="G", slip=0.2)
    reward = mdp.features @ np.array([0.0, 1.0, 0.0])
    assert_frequencies_match(Myopic(planning_horizon=2), mdp, reward, horizon=5)


def test_dataclass_contract_and_errors() -> None:
    model = Myopic(planning_horizon=3)
    assert dataclasses.replace(model, planning_horizon=1).planning_horizon == 1
    assert model.name == "myopic"
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueLearnInputError, match="'planning_horizon' parameter of Myopic"):
            Myopic(planning_horizon=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="planning_horizon"):
        receding_horizon_policy(
            chain_mdp(2), [0.0, 1.0], horizon=2, discount=1.0, planning_horizon=0
        )
    with pytest.raises(ValueLearnInputError, match="horizon"):
        Myopic(planning_horizon=2).policy(chain_mdp(2), [0.0, 1.0], horizon=0, discount=1.0)
