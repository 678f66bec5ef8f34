"""Tests for valuelearn.humans._risk: the exponential-utility (entropic risk) person."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory, gridworld
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._rational import SoftOptimal
from valuelearn.humans._risk import RiskSensitive, risk_sensitive_value_iteration
from valuelearn.policy import soft_value_iteration

FrequencyCheck = Callable[..., None]


def gamble_mdp() -> MDP:
    """State 0: action 0 is a sure move to 3 (R=1); action 1 a coin flip between 1 (R=4) and 2
    (R=-2). States 1-3 self-loop under both actions."""
    T = np.zeros((4, 2, 4))
    T[0, 0, 3] = 1.0
    T[0, 1, 1] = T[0, 1, 2] = 0.5
    for s in (1, 2, 3):
        T[s, :, s] = 1.0
    return MDP.from_dense(T)


GAMBLE_REWARD = np.array([0.0, 4.0, -2.0, 1.0])


def certainty_equivalent(alpha: float, outcomes: np.ndarray) -> float:
    return float(np.log(np.mean(np.exp(alpha * outcomes))) / alpha)


@pytest.mark.parametrize("alpha", [-1.0, -0.3, 0.5, 1.0])
def test_two_outcome_gamble_hand_computed(alpha: float) -> None:
    mdp = gamble_mdp()
    result = risk_sensitive_value_iteration(
        mdp, GAMBLE_REWARD, horizon=2, discount=1.0, alpha=alpha
    )
    c = np.log(2.0)  # V_1(s) = R(s) + log 2: both actions equal in states 1-3
    q_safe = 1.0 + c
    q_gamble = c + certainty_equivalent(alpha, np.array([4.0, -2.0]))
    np.testing.assert_allclose(result.q_values[0, 0], [q_safe, q_gamble], rtol=0, atol=1e-12)
    p_gamble = 1.0 / (1.0 + np.exp(q_safe - q_gamble))
    assert result.policy[0, 0, 1] == pytest.approx(p_gamble, abs=1e-12)
    demo = Demonstrations([Trajectory([0, 1, 1], [1, 0])])
    ll = RiskSensitive(alpha=alpha).log_likelihood(
        mdp, GAMBLE_REWARD, demo, horizon=2, discount=1.0
    )
    assert ll == pytest.approx(np.log(p_gamble) + np.log(0.5), abs=1e-12)


def test_risk_averse_avoids_and_risk_seeking_takes_a_fair_gamble() -> None:
    mdp = gamble_mdp()
    reward = np.array([0.0, 3.0, -1.0, 1.0])  # the gamble's mean equals the sure 1
    p = {
        alpha: RiskSensitive(alpha=alpha).policy(mdp, reward, horizon=2, discount=1.0)[0, 0, 1]
        for alpha in (-2.0, 0.0, 2.0)
    }
    assert p[0.0] == pytest.approx(0.5, abs=1e-12)
    assert p[-2.0] < 0.2 and p[2.0] > 0.8


def test_transition_reward_enters_the_certainty_equivalent() -> None:
    mdp = gamble_mdp()
    R = np.zeros((4, 2, 4))
    R[0, 1, 1], R[0, 1, 2], R[0, 0, 3] = 4.0, -2.0, 1.0
    q = risk_sensitive_value_iteration(mdp, R, horizon=1, discount=1.0, alpha=-1.0).q_values
    expected = [1.0, certainty_equivalent(-1.0, np.array([4.0, -2.0]))]
    np.testing.assert_allclose(q[0, 0], expected, atol=1e-12)
    # A transition reward that does not depend on s' is the state-action reward.
    rsa = np.arange(8.0).reshape(4, 2)
    dense = np.repeat(rsa[:, :, None], 4, axis=2)
    a = risk_sensitive_value_iteration(mdp, dense, horizon=3, discount=0.9, alpha=-0.7)
    b = risk_sensitive_value_iteration(mdp, rsa, horizon=3, discount=0.9, alpha=-0.7)
    np.testing.assert_allclose(a.q_values, b.q_values, atol=1e-12)


def test_small_alpha_recovers_the_soft_optimal_person() -> None:
    mdp = gridworld(["S...", ".#.G", "...."], absorbing="G", slip=0.3)
    reward = mdp.features @ np.array([-0.2, 2.0, -0.1])
    soft = soft_value_iteration(mdp, reward, horizon=8, discount=0.9, temperature=0.5)
    neutral = risk_sensitive_value_iteration(
        mdp, reward, horizon=8, discount=0.9, alpha=0.0, temperature=0.5
    )
    np.testing.assert_allclose(neutral.q_values, soft.q_values, atol=1e-12)
    np.testing.assert_allclose(neutral.values, soft.values, atol=1e-12)
    for alpha in (-1e-7, 1e-7):
        near = RiskSensitive(alpha=alpha, temperature=0.5).policy(
            mdp, reward, horizon=8, discount=0.9
        )
        np.testing.assert_allclose(near, soft.policy, atol=1e-6)
    np.testing.assert_allclose(
        RiskSensitive(alpha=0.0).policy(mdp, reward, horizon=8, discount=0.9),
        SoftOptimal().policy(mdp, reward, horizon=8, discount=0.9),
        atol=1e-12,
    )


def test_extreme_alpha_is_stable_and_tends_to_worst_and_best_case() -> None:
    mdp = gamble_mdp()
    R = np.zeros((4, 2, 4))
    R[0, 1, 1], R[0, 1, 2] = 400.0, -200.0
    for alpha, target in ((-1e4, -2.0), (1e4, 4.0)):
        q = risk_sensitive_value_iteration(mdp, R, horizon=1, discount=1.0, alpha=alpha).q_values
        assert np.all(np.isfinite(q))
        # CE = target*100 + log(0.5)/alpha
        assert q[0, 0, 1] == pytest.approx(100 * target + np.log(0.5) / alpha, abs=1e-9)


def test_simulate_matches_policy(assert_frequencies_match: FrequencyCheck) -> None:
    mdp = gridworld(["S..", "..G"], absorbing="G", slip=0.3)
    reward = mdp.features @ np.array([-0.1, 1.0, 0.0])
    assert_frequencies_match(RiskSensitive(alpha=-1.5, temperature=0.5), mdp, reward, horizon=4)


def test_dataclass_contract_and_errors() -> None:
    model = RiskSensitive(alpha=-1.0)
    assert dataclasses.replace(model, alpha=2.0).alpha == 2.0
    assert model.name == "risk-sensitive"
    for bad in (float("nan"), "x", True):
        with pytest.raises(ValueLearnInputError, match="'alpha' parameter of RiskSensitive"):
            RiskSensitive(alpha=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'temperature' parameter of RiskSensitive"):
        RiskSensitive(alpha=1.0, temperature=0.0)
    mdp = gamble_mdp()
    with pytest.raises(ValueLearnInputError, match="horizon"):
        risk_sensitive_value_iteration(mdp, GAMBLE_REWARD, horizon=0, discount=1.0, alpha=1.0)
    with pytest.raises(ValueLearnInputError, match="reward"):
        risk_sensitive_value_iteration(mdp, np.ones(3), horizon=1, discount=1.0, alpha=1.0)
    with pytest.raises(ValueLearnInputError, match="terminal_values"):
        risk_sensitive_value_iteration(
            mdp, GAMBLE_REWARD, horizon=1, discount=1.0, alpha=1.0, terminal_values=[1.0]
        )
