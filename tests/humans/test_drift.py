"""Tests for valuelearn.humans._drift: values that change over time."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import trajectory_log_likelihood
from valuelearn.humans._drift import DriftingValues
from valuelearn.policy import soft_value_iteration


def log_sigmoid(x: float) -> float:
    return float(-np.log1p(np.exp(-x)))


def two_state_mdp() -> MDP:
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=[1.0, 0.0])


START, NOW = np.array([1.0, 0.0]), np.array([0.0, 1.0])


def test_hand_computed_likelihood_uses_each_trajectory_time() -> None:
    # H = 2: at time tau the person acts on [1 - tau, tau], so pi_0(1 | 0) = sigmoid(2 tau - 1);
    # the last step is uniform.
    person = DriftingValues(start_reward=START)
    demos = Demonstrations([Trajectory([0, 1, 1], [1, 0], time=tau) for tau in (0.0, 0.5, 1.0)])
    expected = log_sigmoid(-1.0) + log_sigmoid(0.0) + log_sigmoid(1.0) + 3 * np.log(0.5)
    got = person.log_likelihood(two_state_mdp(), NOW, demos, horizon=2, discount=1.0)
    assert got == pytest.approx(expected, abs=1e-12)


def test_no_drift_is_the_soft_optimal_person_at_every_time() -> None:
    rng = np.random.default_rng(0)
    mdp = MDP.from_dense(rng.dirichlet(np.ones(4), size=(4, 2)), initial=np.full(4, 0.25))
    reward = rng.normal(size=4)
    person = DriftingValues(start_reward=reward, n_periods=4, temperature=0.5)
    demos = person.simulate(mdp, reward, n=20, horizon=3, discount=1.0, rng=1)
    soft = soft_value_iteration(mdp, reward, horizon=3, discount=1.0, temperature=0.5).policy
    got = person.log_likelihood(mdp, reward, demos, horizon=3, discount=1.0)
    assert got == pytest.approx(trajectory_log_likelihood(soft, demos), abs=1e-10)


def test_simulation_is_in_time_order_and_matches_the_policy_at_each_time() -> None:
    person = DriftingValues(start_reward=START, n_periods=3)
    demos = person.simulate(two_state_mdp(), NOW, n=9000, horizon=2, discount=1.0, rng=2)
    times = np.array([t.time for t in demos])
    assert np.all(np.diff(times) >= 0) and sorted(set(times.tolist())) == [0.0, 0.5, 1.0]
    for tau in (0.0, 0.5, 1.0):
        moved = np.array([t.actions[0] == 1 for t in demos if t.time == tau])
        p = np.exp(log_sigmoid(2 * tau - 1))
        assert moved.size == 3000
        assert abs(moved.mean() - p) < 4 * np.sqrt(p * (1 - p) / moved.size)
    policy = person.policy(two_state_mdp(), NOW, horizon=2, discount=1.0, time=0.0)
    assert policy[0, 0, 1] == pytest.approx(np.exp(log_sigmoid(-1.0)))


def test_reward_at_and_replace() -> None:
    person = DriftingValues(start_reward=START, n_periods=1)
    assert person.times.tolist() == [1.0]
    assert person.reward_at(NOW, 0.75).tolist() == [0.25, 0.75]
    later = dataclasses.replace(person, n_periods=2)
    assert later.times.tolist() == [0.0, 1.0] and later.name == "drifting-values"


@pytest.mark.parametrize(
    ("time", "match"),
    [(None, "demonstration 0 has time None"), (1.5, "demonstration 0 has time 1.5")],
)
def test_likelihood_needs_times_in_unit_interval(time: float | None, match: str) -> None:
    demos = Demonstrations([Trajectory([0, 1], [1], time=time)])
    with pytest.raises(ValueLearnInputError, match=match):
        DriftingValues(START).log_likelihood(two_state_mdp(), NOW, demos, horizon=1, discount=1.0)


def test_bad_parameters() -> None:
    with pytest.raises(ValueLearnInputError, match="'n_periods' parameter of DriftingValues"):
        DriftingValues(START, n_periods=0)
    with pytest.raises(ValueLearnInputError, match="'start_reward' parameter of DriftingValues"):
        DriftingValues([[1.0]])
    with pytest.raises(ValueLearnInputError, match=r"shape of DriftingValues.start_reward \(2,\)"):
        DriftingValues(START).reward_at([1.0, 2.0, 3.0], 0.5)
