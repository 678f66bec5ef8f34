"""Tests for valuelearn.evaluation._regret: regret and normalised regret of learned rewards."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from valuelearn.data import MDP, random_mdp
from valuelearn.evaluation import RegretResult, regret
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import policy_evaluation, soft_value_iteration, value_iteration

SETTINGS = [(None, 0.9), (6, 1.0), (6, 0.8)]  # (horizon, discount)


def chain_mdp() -> MDP:
    """States 0-1-2 in a line; action 0 moves left, action 1 right (walls keep you in place)."""
    transitions = np.zeros((3, 2, 3))
    for state in range(3):
        transitions[state, 0, max(state - 1, 0)] = 1.0
        transitions[state, 1, min(state + 1, 2)] = 1.0
    return MDP.from_dense(transitions, initial=[1.0, 0.0, 0.0])


def two_state_mdp() -> MDP:
    """Action ``a`` moves to state ``a`` from anywhere."""
    transitions = np.zeros((2, 2, 2))
    transitions[:, 0, 0] = 1.0
    transitions[:, 1, 1] = 1.0
    return MDP.from_dense(transitions, initial=[1.0, 0.0])


def random_world(seed: int, n_states: int = 8, n_actions: int = 3) -> MDP:
    return random_mdp(n_states, n_actions, branching=3, rng=seed)


# ---------------------------------------------------------------------- hand-computed cases
def test_chain_negated_reward_finite_horizon_by_hand() -> None:
    # Horizon 3, reward 1 in state 2. Optimal: right, right -> visits 0, 1, 2 -> return 1.
    # For -R: stay out of state 2 at t = 2 (step left from 1) -> true return 0.
    # Uniform: P(s_2 = 2) = P(s_1 = 1) * 1/2 = 1/4. Normalised: 1 / (1 - 1/4) = 4/3.
    result = regret(chain_mdp(), [0.0, 0.0, 1.0], [0.0, 0.0, -1.0], horizon=3, discount=1.0)
    assert result.optimal_return == pytest.approx(1.0, abs=1e-15)
    assert result.learned_return == pytest.approx(0.0, abs=1e-15)
    assert result.uniform_return == pytest.approx(0.25, abs=1e-15)
    assert result.regret == pytest.approx(1.0, abs=1e-15)
    assert result.normalized_regret == pytest.approx(4.0 / 3.0, abs=1e-14)


def test_two_state_negated_reward_infinite_horizon_by_hand() -> None:
    # Discount 1/2, reward 1 in state 1, start in state 0. Optimal: go to 1 and stay: 0 + 1/2 /
    # (1 - 1/2) = 1. For -R: stay in 0 -> 0. Uniform: V0 = (V0 + V1) / 4, V1 = 1 + (V0 + V1) / 4
    # -> V0 = 1/2. Normalised: 1 / (1 - 1/2) = 2.
    result = regret(two_state_mdp(), [0.0, 1.0], [0.0, -1.0], horizon=None, discount=0.5)
    assert (result.optimal_return, result.learned_return) == pytest.approx((1.0, 0.0), abs=1e-9)
    assert result.uniform_return == pytest.approx(0.5, abs=1e-12)
    assert result.regret == pytest.approx(1.0, abs=1e-9)
    assert result.normalized_regret == pytest.approx(2.0, abs=1e-8)


def test_result_is_a_frozen_dataclass() -> None:
    result = regret(two_state_mdp(), [0.0, 1.0], [0.0, 1.0], horizon=2, discount=1.0)
    assert isinstance(result, RegretResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.regret = 1.0  # type: ignore[misc]


# ---------------------------------------------------------------------- peers
@pytest.mark.parametrize(("horizon", "discount"), SETTINGS)
def test_returns_agree_with_planner_values(horizon: int | None, discount: float) -> None:
    mdp = random_world(1)
    reward = np.random.default_rng(2).normal(size=(8, 3))
    result = regret(mdp, reward, reward, horizon=horizon, discount=discount)
    planned = value_iteration(mdp, reward, horizon=horizon, discount=discount).values
    start_values = planned if horizon is None else planned[0]
    assert result.optimal_return == pytest.approx(mdp.initial @ start_values, abs=1e-8)
    uniform = np.full((8, 3), 1.0 / 3.0)
    evaluated = policy_evaluation(mdp, reward, uniform, horizon=horizon, discount=discount).values
    start_uniform = evaluated if horizon is None else evaluated[0]
    assert result.uniform_return == pytest.approx(mdp.initial @ start_uniform, abs=1e-10)


def test_soft_uses_the_temperature_one_policy_for_the_learned_reward() -> None:
    mdp = random_world(3)
    reward = np.random.default_rng(4).normal(size=8)
    result = regret(mdp, reward, reward, horizon=5, discount=0.95, soft=True)
    soft_policy = soft_value_iteration(mdp, reward, horizon=5, discount=0.95).policy
    soft_values = policy_evaluation(mdp, reward, soft_policy, horizon=5, discount=0.95).values[0]
    assert result.learned_return == pytest.approx(mdp.initial @ soft_values, abs=1e-12)
    assert result.regret > 1e-3  # a soft-optimal policy is not optimal
    assert result.regret == pytest.approx(result.optimal_return - result.learned_return)
    hard = regret(mdp, reward, reward, horizon=5, discount=0.95)
    assert hard.regret == 0.0


# ---------------------------------------------------------------------- properties
@pytest.mark.parametrize(("horizon", "discount"), SETTINGS)
@pytest.mark.parametrize("shape", [(8,), (8, 3), (8, 3, 8)])
def test_true_reward_has_zero_regret(
    horizon: int | None, discount: float, shape: tuple[int, ...]
) -> None:
    mdp = random_world(5)
    reward = np.random.default_rng(6).normal(size=shape)
    result = regret(mdp, reward, reward, horizon=horizon, discount=discount)
    assert result.regret == 0.0 and result.normalized_regret == 0.0
    assert result.optimal_return == result.learned_return


@pytest.mark.parametrize(("horizon", "discount"), SETTINGS)
def test_positive_scaling_and_constant_shift_keep_zero_regret(
    horizon: int | None, discount: float
) -> None:
    mdp = random_world(7)
    reward = np.random.default_rng(8).normal(size=(8, 3))
    for learned in (4.0 * reward, 0.25 * reward + 3.0, reward - 10.0):
        assert regret(mdp, reward, learned, horizon=horizon, discount=discount).regret == 0.0


def test_potential_shaping_keeps_zero_regret_in_the_discounted_infinite_horizon() -> None:
    mdp = random_world(9)
    rng = np.random.default_rng(10)
    reward, potential = rng.normal(size=(8, 3)), rng.normal(size=8)
    shaped = reward[:, :, None] + 0.9 * potential[None, None, :] - potential[:, None, None]
    result = regret(mdp, reward, 2.0 * shaped, horizon=None, discount=0.9)
    assert result.regret == pytest.approx(0.0, abs=1e-12)


def test_next_state_redistribution_keeps_zero_regret() -> None:
    # Adding delta(s, a, s') with sum_s' T(s' | s, a) delta(s, a, s') = 0 changes no expectation.
    mdp = random_world(11)
    rng = np.random.default_rng(12)
    reward = rng.normal(size=(8, 3))
    transitions = mdp.dense_transitions()
    delta = rng.normal(size=(8, 3, 8)) * (transitions > 0)
    delta -= (transitions * delta).sum(axis=2, keepdims=True)
    delta *= transitions > 0
    assert np.abs((transitions * delta).sum(axis=2)).max() < 1e-12
    learned = reward[:, :, None] + 5.0 * delta
    for horizon, discount in SETTINGS:
        result = regret(mdp, reward, learned, horizon=horizon, discount=discount)
        assert result.regret == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(("horizon", "discount"), SETTINGS)
@pytest.mark.parametrize("soft", [False, True])
def test_regret_is_non_negative_on_random_problems(
    horizon: int | None, discount: float, soft: bool
) -> None:
    rng = np.random.default_rng(13)
    for seed in range(10):
        mdp = random_world(100 + seed)
        true, learned = rng.normal(size=(8, 3)), rng.normal(size=(8, 3, 8))
        result = regret(mdp, true, learned, horizon=horizon, discount=discount, soft=soft)
        # the meaningful check is on the unclipped difference of returns
        assert result.learned_return <= result.optimal_return + 1e-9
        assert result.uniform_return <= result.optimal_return + 1e-9
        assert result.regret >= 0.0 and result.normalized_regret >= 0.0


@pytest.mark.parametrize(("horizon", "discount"), SETTINGS)
def test_negated_reward_has_positive_regret(horizon: int | None, discount: float) -> None:
    mdp = random_world(14)
    reward = np.random.default_rng(15).normal(size=(8, 3))
    result = regret(mdp, reward, -reward, horizon=horizon, discount=discount)
    assert result.regret > 0.1
    assert result.normalized_regret > 1.0  # acting against the truth is worse than random


@pytest.mark.parametrize(("horizon", "discount"), SETTINGS)
def test_constant_learned_reward_is_as_good_as_uniform(
    horizon: int | None, discount: float
) -> None:
    # Every action ties under a constant reward, value iteration splits ties evenly, so the
    # learned policy is the uniform one and the normalised regret is exactly 1.
    mdp = random_world(16)
    reward = np.random.default_rng(17).normal(size=(8, 3))
    for learned in (np.zeros(8), np.full((8, 3), 2.5)):
        result = regret(mdp, reward, learned, horizon=horizon, discount=discount)
        assert result.learned_return == pytest.approx(result.uniform_return, abs=1e-12)
        assert result.normalized_regret == pytest.approx(1.0, abs=1e-10)


def test_normalized_regret_is_zero_when_every_policy_is_optimal() -> None:
    mdp = random_world(18)
    learned = np.random.default_rng(19).normal(size=(8, 3))
    for horizon, discount in SETTINGS:
        result = regret(mdp, np.full(8, 3.0), learned, horizon=horizon, discount=discount)
        assert result.normalized_regret == 0.0
        assert result.regret == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(("horizon", "discount"), [(None, 0.99), (6, 1.0)])
def test_result_does_not_depend_on_the_reward_scale(horizon: int | None, discount: float) -> None:
    mdp = random_world(20)
    rng = np.random.default_rng(21)
    reward, learned = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    base = regret(mdp, reward, learned, horizon=horizon, discount=discount)
    assert base.regret > 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for true_scale, learned_scale in [(1e8, 1e-14), (1e-14, 1e8), (1e-13, 1e-13)]:
            scaled = regret(
                mdp,
                true_scale * reward,
                learned_scale * learned,
                horizon=horizon,
                discount=discount,
            )
            assert scaled.normalized_regret == pytest.approx(base.normalized_regret, rel=1e-9)
            assert scaled.regret == pytest.approx(true_scale * base.regret, rel=1e-9)


def test_initial_distribution_is_used() -> None:
    mdp = chain_mdp()
    reward, learned = [0.0, 0.0, 1.0], [0.0, 0.0, -1.0]
    from_end = regret(mdp, reward, learned, horizon=3, discount=1.0, initial=[0.0, 0.0, 1.0])
    # from state 2: optimal stays (1 + 1 + 1 = 3); -R leaves at once (1 + 0 + 0 = 1)
    assert from_end.optimal_return == pytest.approx(3.0, abs=1e-15)
    assert from_end.regret == pytest.approx(2.0, abs=1e-15)


# ---------------------------------------------------------------------- errors
def test_errors_name_the_argument() -> None:
    mdp = chain_mdp()
    reward = np.zeros(3)
    with pytest.raises(ValueLearnInputError, match=r"`true_reward` must have shape \(3,\)"):
        regret(mdp, np.zeros(4), reward, horizon=3, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="`learned_reward` must be finite"):
        regret(mdp, reward, [0.0, np.nan, 0.0], horizon=3, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="needs `discount` < 1"):
        regret(mdp, reward, reward, horizon=None, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="`horizon` must be a positive integer"):
        regret(mdp, reward, reward, horizon=0, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="`discount` must be in"):
        regret(mdp, reward, reward, horizon=3, discount=-0.1)
    with pytest.raises(ValueLearnInputError, match="`initial` must be a probability distribution"):
        regret(mdp, reward, reward, horizon=3, discount=1.0, initial=[0.5, 0.5])
    with pytest.raises(ValueLearnInputError, match="`soft` must be True or False"):
        regret(mdp, reward, reward, horizon=3, discount=1.0, soft="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="`mdp` must be a valuelearn.data.MDP"):
        regret(None, reward, reward, horizon=3, discount=1.0)  # type: ignore[arg-type]
