"""Tests for valuelearn.policy._planning: hard and soft value iteration."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP
from valuelearn.data._diagnostics import reasonable_mdp, risky_path
from valuelearn.exceptions import ConvergenceWarning, ValueLearnInputError
from valuelearn.policy import policy_evaluation, soft_value_iteration, value_iteration


def random_dense_mdp(n_states: int, n_actions: int, seed: int) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states), size=(n_states, n_actions))
    return MDP.from_dense(transitions, initial=rng.dirichlet(np.ones(n_states)))


def brute_force_soft(mdp: MDP, reward: np.ndarray, horizon: int, discount: float) -> np.ndarray:
    """Dense textbook recursion (imitation's recurrences 9.1-9.3 with V_H = 0)."""
    T = mdp.dense_transitions()
    R = reward if reward.ndim == 2 else np.repeat(reward[:, None], mdp.n_actions, axis=1)
    V = np.zeros(mdp.n_states)
    policies = []
    for _ in range(horizon):
        Q = R + discount * T @ V
        V = np.log(np.exp(Q).sum(axis=1))
        policies.append(np.exp(Q - V[:, None]))
    return np.array(policies[::-1])


def test_soft_vi_matches_dense_recursion() -> None:
    mdp = random_dense_mdp(6, 3, seed=0)
    reward = np.random.default_rng(1).normal(size=(6, 3))
    result = soft_value_iteration(mdp, reward, horizon=7, discount=0.9)
    np.testing.assert_allclose(result.policy, brute_force_soft(mdp, reward, 7, 0.9), atol=1e-12)
    assert result.policy.shape == (7, 6, 3) and result.values.shape == (7, 6)


def test_risky_path_causal_avoids_risk_noncausal_takes_it() -> None:
    # algorithms.md 1.3: V_H = R, five backups; P(risky | s0, t=0) ~ 9.7e-110 vs ~0.689.
    mdp, reward = risky_path()
    causal = soft_value_iteration(mdp, reward, horizon=5, discount=1.0, terminal_values=reward)
    noncausal = soft_value_iteration(
        mdp, reward, horizon=5, discount=1.0, terminal_values=reward, backup="noncausal"
    )
    assert causal.policy[0, 0, 1] == pytest.approx(9.7e-110, rel=0.01)
    assert noncausal.policy[0, 0, 1] == pytest.approx(0.689, abs=5e-4)


def test_risky_path_anchor_equals_one_more_step_with_zero_terminal() -> None:
    # A sixth decision in which every action is equal shifts all values by log 2, which leaves
    # the earlier policies unchanged: the anchor holds in the zero-terminal convention too.
    mdp, reward = risky_path()
    six = soft_value_iteration(mdp, reward, horizon=6, discount=1.0)
    five = soft_value_iteration(mdp, reward, horizon=5, discount=1.0, terminal_values=reward)
    np.testing.assert_allclose(six.policy[:5], five.policy, rtol=1e-9)


def test_reasonable_mdp_policy_properties() -> None:
    # imitation's tests/algorithms/test_mce_irl.py::test_policy_om_reasonable_pomdp
    mdp, reward = reasonable_mdp()
    for discount in (0.0, 0.5, 0.9, 0.99, 1.0):
        pi = soft_value_iteration(mdp, reward, horizon=20, discount=discount).policy
        np.testing.assert_allclose(pi[:19, 0, 0], pi[:19, 0, 2])
        np.testing.assert_allclose(pi[:5, 3:5], 1.0 / 3.0)
        np.testing.assert_allclose(pi[:19, 1], pi[:19, 2])
        if discount > 0:
            assert np.all(pi[:19, 0, 0] > 2 * pi[:19, 0, 1])
            assert np.all(pi[:19, 1, 2] > pi[:19, 1, 0])
            assert np.all(pi[:19, 1, 0] > pi[:19, 1, 1])


@pytest.mark.parametrize("horizon", [8, None])
def test_soft_policy_invariant_to_potential_shaping(horizon: int | None) -> None:
    # Skalse et al. (2023) Thm 3.3. For a finite horizon the potential at s_H must be zero, so the
    # shaped reward is R + discount * Phi_{t+1}(s') - Phi_t(s) with Phi_H = 0 -- we test the
    # time-independent potential in the infinite-horizon case and a terminal-aware one otherwise.
    mdp = random_dense_mdp(7, 3, seed=2)
    rng = np.random.default_rng(3)
    reward = rng.normal(size=(7, 3, 7))
    potential = rng.normal(size=7)
    discount = 0.9
    shaped = reward + discount * potential[None, None, :] - potential[:, None, None]
    if horizon is None:
        base = soft_value_iteration(mdp, reward, horizon=None, discount=discount)
        other = soft_value_iteration(mdp, shaped, horizon=None, discount=discount)
        np.testing.assert_allclose(other.values, base.values - potential, atol=1e-8)
    else:
        base = soft_value_iteration(mdp, reward, horizon=horizon, discount=discount)
        other = soft_value_iteration(
            mdp, shaped, horizon=horizon, discount=discount, terminal_values=-potential
        )
    np.testing.assert_allclose(other.policy, base.policy, atol=1e-10)


def test_soft_policy_invariant_to_next_state_redistribution() -> None:
    mdp = random_dense_mdp(6, 2, seed=4)
    rng = np.random.default_rng(5)
    reward = rng.normal(size=(6, 2, 6))
    noise = rng.normal(size=(6, 2, 6))
    T = mdp.dense_transitions()
    noise -= (T * noise).sum(axis=2, keepdims=True)  # E_{s'}[noise] = 0 for every (s, a)
    base = soft_value_iteration(mdp, reward, horizon=6, discount=0.95).policy
    moved = soft_value_iteration(mdp, reward + noise, horizon=6, discount=0.95).policy
    np.testing.assert_allclose(moved, base, atol=1e-12)


def test_soft_policy_changes_under_scaling_unless_temperature_rescaled() -> None:
    mdp = random_dense_mdp(5, 3, seed=6)
    reward = np.random.default_rng(7).normal(size=5)
    base = soft_value_iteration(mdp, reward, horizon=5, discount=1.0).policy
    scaled = soft_value_iteration(mdp, 3 * reward, horizon=5, discount=1.0).policy
    rescaled = soft_value_iteration(mdp, 3 * reward, horizon=5, discount=1.0, temperature=3.0)
    assert np.max(np.abs(scaled - base)) > 1e-3
    np.testing.assert_allclose(rescaled.policy, base, atol=1e-12)


@pytest.mark.parametrize("horizon", [10, None])
def test_soft_vi_tends_to_hard_vi(horizon: int | None) -> None:
    mdp = random_dense_mdp(8, 4, seed=8)
    reward = np.random.default_rng(9).normal(size=(8, 4))
    hard = value_iteration(mdp, reward, horizon=horizon, discount=0.9)
    gaps = []
    for temperature in (1.0, 1e-1, 1e-2, 1e-4, 1e-6):
        soft = soft_value_iteration(
            mdp, reward, horizon=horizon, discount=0.9, temperature=temperature
        )
        gap = np.max(np.abs(soft.values - hard.values))
        # soft values exceed hard ones by at most temperature * log(n_actions) per decision
        steps = horizon if horizon is not None else 1 / (1 - 0.9)
        assert 0 <= np.min(soft.values - hard.values) + 1e-9
        assert gap <= temperature * np.log(4) * steps + 1e-8
        gaps.append(gap)
    assert gaps == sorted(gaps, reverse=True)
    np.testing.assert_allclose(soft.policy, hard.policy, atol=1e-6)


def test_extreme_temperature_and_reward_scale_stay_finite() -> None:
    mdp = random_dense_mdp(6, 3, seed=10)
    reward = 1e6 * np.random.default_rng(11).normal(size=6)
    for temperature in (1e-6, 1.0, 1e6):
        for horizon in (15, None):
            result = soft_value_iteration(
                mdp, reward, horizon=horizon, discount=0.9, temperature=temperature
            )
            assert np.all(np.isfinite(result.policy)) and np.all(np.isfinite(result.values))
            np.testing.assert_allclose(result.policy.sum(axis=-1), 1.0)


def test_hard_vi_matches_policy_evaluation_of_its_policy() -> None:
    mdp = random_dense_mdp(6, 3, seed=12)
    reward = np.random.default_rng(13).normal(size=(6, 3))
    for horizon in (9, None):
        best = value_iteration(mdp, reward, horizon=horizon, discount=0.8)
        evaluated = policy_evaluation(mdp, reward, best.policy, horizon=horizon, discount=0.8)
        np.testing.assert_allclose(evaluated.values, best.values, atol=1e-8)
        np.testing.assert_allclose(evaluated.q_values, best.q_values, atol=1e-8)


def test_hard_vi_on_two_state_chain_hand_computed() -> None:
    # s0 -a0-> s0, s0 -a1-> s1 (absorbing); R = [0, 1]: V(s1) = 1/(1-g), V(s0) = g/(1-g).
    T = np.zeros((2, 2, 2))
    T[0, 0, 0] = T[0, 1, 1] = T[1, :, 1] = 1.0
    mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    result = value_iteration(mdp, [0.0, 1.0], horizon=None, discount=0.5)
    np.testing.assert_allclose(result.values, [1.0, 2.0], atol=1e-9)
    np.testing.assert_allclose(result.policy, [[0.0, 1.0], [0.5, 0.5]])
    finite = value_iteration(mdp, [0.0, 1.0], horizon=3, discount=1.0)
    np.testing.assert_allclose(finite.values[:, 0], [2.0, 1.0, 0.0])


def test_infinite_horizon_needs_discount_below_one() -> None:
    mdp = random_dense_mdp(3, 2, seed=14)
    with pytest.raises(ValueLearnInputError, match="infinite horizon.*discount"):
        soft_value_iteration(mdp, np.zeros(3), horizon=None, discount=1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"temperature": 0.0}, "temperature"),
        ({"temperature": float("nan")}, "temperature"),
        ({"horizon": 0}, "horizon"),
        ({"discount": 1.5}, "discount"),
        ({"backup": "optimistic"}, "backup"),
        ({"terminal_values": np.zeros(2)}, "terminal_values"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], match: str) -> None:
    mdp = random_dense_mdp(3, 2, seed=15)
    arguments: dict[str, object] = {"horizon": 4, "discount": 0.9, **kwargs}
    with pytest.raises(ValueLearnInputError, match=match):
        soft_value_iteration(mdp, np.zeros(3), **arguments)  # type: ignore[arg-type]


def test_bad_reward_shape_is_named() -> None:
    mdp = random_dense_mdp(3, 2, seed=16)
    with pytest.raises(ValueLearnInputError, match=r"`reward` must have shape \(3,\)"):
        value_iteration(mdp, np.zeros(4), horizon=2, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="NaN"):
        value_iteration(mdp, [0.0, np.nan, 0.0], horizon=2, discount=1.0)


def test_max_iter_warns() -> None:
    mdp = random_dense_mdp(4, 2, seed=17)
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        soft_value_iteration(mdp, np.ones(4), horizon=None, discount=0.99, max_iter=3)


def test_hard_policy_is_invariant_to_positive_scaling_at_any_magnitude() -> None:
    mdp = random_dense_mdp(8, 3, seed=20)
    reward = np.random.default_rng(21).normal(size=(8, 3))
    base = value_iteration(mdp, reward, horizon=5, discount=1.0).policy
    for factor in (1e-14, 1e-11, 1e8):
        scaled = value_iteration(mdp, factor * reward, horizon=5, discount=1.0).policy
        np.testing.assert_array_equal(scaled, base)
