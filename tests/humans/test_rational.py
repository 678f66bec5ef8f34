"""Tests for valuelearn.humans._rational: SoftOptimal, BoltzmannRational, boltzmann_policy."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory, gridworld
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel, trajectory_log_likelihood
from valuelearn.humans._rational import BoltzmannRational, SoftOptimal, boltzmann_policy
from valuelearn.policy import soft_value_iteration, value_iteration

FrequencyCheck = Callable[..., None]


def switch_mdp() -> MDP:
    """Two states; action a moves to state a from anywhere."""
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=[1.0, 0.0])


# ------------------------------------------------------------------ Bayesian IRL anchor
@pytest.mark.parametrize(
    ("weights", "state", "action", "beta", "expected"),
    [
        ((1.0, 0.0, -1.0), 2, 1, 10.0, -0.7781844091508692),
        ((1.0, 1.0, -1.0), 4, 0, 1.0, -2.952247486594),
    ],
)
def test_boltzmann_reproduces_birl_anchor(
    birl_world, weights, state, action, beta, expected
) -> None:
    mdp, features = birl_world("sink")
    reward = features @ np.array(weights)
    model = BoltzmannRational(beta=beta)
    policy = model.policy(mdp, reward, horizon=None, discount=0.9)
    demo = Demonstrations([Trajectory([state, state], [action])])
    assert trajectory_log_likelihood(policy, demo) == pytest.approx(expected, abs=1e-9)


def test_birl_anchor_needs_a_zero_reward_sink(birl_world) -> None:
    # Making the terminal state itself absorbing pays its reward forever: a different number.
    mdp, features = birl_world("absorbing")
    reward = features @ np.array([1.0, 0.0, -1.0])
    policy = BoltzmannRational(beta=10.0).policy(mdp, reward, horizon=None, discount=0.9)
    assert abs(np.log(policy[2, 1]) - -0.7781844091508692) > 0.1


# ------------------------------------------------------------------ hand-computed cases
def test_soft_optimal_log_likelihood_hand_computed() -> None:
    mdp = switch_mdp()
    demo = Demonstrations([Trajectory([0, 1, 1], [1, 0])])
    ll = SoftOptimal().log_likelihood(mdp, [0.0, 1.0], demo, horizon=2, discount=1.0)
    # V_1(s) = R(s) + log 2, Q_0(0, a) = V_1(a): pi_0(1 | 0) = e / (1 + e); pi_1 uniform.
    assert ll == pytest.approx(np.log(np.e / (1 + np.e)) + np.log(0.5), abs=1e-12)


def test_soft_optimal_temperature_hand_computed() -> None:
    mdp = switch_mdp()
    demo = Demonstrations([Trajectory([0, 1, 1], [1, 0])])
    ll = SoftOptimal(temperature=0.5).log_likelihood(mdp, [0.0, 1.0], demo, horizon=2, discount=1.0)
    # V_1(s) = R(s) + 0.5 log 2; pi_0(1 | 0) = e^2 / (1 + e^2).
    assert ll == pytest.approx(np.log(np.e**2 / (1 + np.e**2)) + np.log(0.5), abs=1e-12)


def test_boltzmann_log_likelihood_hand_computed() -> None:
    mdp = switch_mdp()
    demo = Demonstrations([Trajectory([0, 1, 1], [1, 0])])
    ll = BoltzmannRational(beta=2.0).log_likelihood(mdp, [0.0, 1.0], demo, horizon=2, discount=1.0)
    # Q*_1(s, a) = R(s), Q*_0(0, a) = R(a) = (0, 1).
    assert ll == pytest.approx(np.log(np.e**2 / (1 + np.e**2)) + np.log(0.5), abs=1e-12)


def test_boltzmann_and_soft_differ_where_options_multiply() -> None:
    # Soft-optimal values count the number of good continuations; Boltzmann over Q* does not.
    T = np.zeros((3, 2, 3))
    T[0, 0, 1] = T[0, 1, 2] = 1.0
    T[1, :, 1] = 1.0
    T[2, 0, 2] = T[2, 1, 0] = 1.0  # in state 2 action 1 leads back to 0: options differ
    mdp = MDP.from_dense(T)
    reward = np.array([0.0, 1.0, 1.0])
    soft = SoftOptimal().policy(mdp, reward, horizon=3, discount=1.0)
    hard = BoltzmannRational().policy(mdp, reward, horizon=3, discount=1.0)
    assert not np.allclose(soft, hard, atol=1e-3)


def test_policies_match_planners_and_large_beta_is_greedy() -> None:
    mdp = gridworld(["S..", ".#G"], absorbing="G", slip=0.2)
    reward = mdp.features @ np.array([-0.1, 1.0, -0.1])
    soft = soft_value_iteration(mdp, reward, horizon=6, discount=0.95, temperature=0.3).policy
    model = SoftOptimal(temperature=0.3)
    np.testing.assert_array_equal(model.policy(mdp, reward, horizon=6, discount=0.95), soft)
    greedy = value_iteration(mdp, reward, horizon=6, discount=0.95).policy
    sharp = BoltzmannRational(beta=1e4).policy(mdp, reward, horizon=6, discount=0.95)
    np.testing.assert_allclose(sharp, greedy, atol=1e-9)


def test_boltzmann_policy_is_stable_and_normalised() -> None:
    q = np.array([[1e300, -1e300, 0.0], [5.0, 5.0, 5.0]])
    pi = boltzmann_policy(q, beta=1e-300)
    np.testing.assert_allclose(pi.sum(axis=1), 1.0)
    np.testing.assert_allclose(pi[1], 1 / 3)
    np.testing.assert_allclose(boltzmann_policy([[0.0, 1000.0]], beta=1.0), [[0.0, 1.0]])


# ------------------------------------------------------------------ simulate vs policy
@pytest.mark.parametrize("model", [SoftOptimal(temperature=0.7), BoltzmannRational(beta=1.5)])
def test_simulate_matches_policy(
    model: HumanModel, assert_frequencies_match: FrequencyCheck
) -> None:
    mdp = gridworld(["S..", "..G"], absorbing="G", slip=0.2)
    reward = mdp.features @ np.array([0.0, 1.0, 0.0])
    assert_frequencies_match(model, mdp, reward, horizon=4)


# ------------------------------------------------------------------ dataclass contract and errors
def test_models_are_frozen_dataclasses_with_names() -> None:
    model = BoltzmannRational(beta=1.0)
    assert dataclasses.replace(model, beta=2.0) == BoltzmannRational(beta=2.0)
    assert model.name == "boltzmann" and SoftOptimal().name == "soft-optimal"
    assert SoftOptimal(name="mce").name == "mce"
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.beta = 3.0  # type: ignore[misc]
    assert hash(model) == hash(BoltzmannRational(beta=1))


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), "1", True])
def test_parameters_are_validated(bad: object) -> None:
    with pytest.raises(ValueLearnInputError, match="'beta' parameter of BoltzmannRational"):
        BoltzmannRational(beta=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'temperature' parameter of SoftOptimal"):
        SoftOptimal(temperature=bad)  # type: ignore[arg-type]


def test_bad_name_and_q_values() -> None:
    with pytest.raises(ValueLearnInputError, match="'name' parameter of SoftOptimal"):
        SoftOptimal(name="")
    with pytest.raises(ValueLearnInputError, match="q_values"):
        boltzmann_policy([[np.nan, 0.0]], beta=1.0)
