"""Tests for valuelearn.humans._temptation: a short-term pull that is not a value."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory, gridworld
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._rational import SoftOptimal
from valuelearn.humans._temptation import Temptation, tempted_reward
from valuelearn.policy import occupancy

FrequencyCheck = Callable[..., None]


def switch_mdp() -> MDP:
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=[1.0, 0.0], features=[[0.0], [1.0]])


def candy_world() -> MDP:
    return gridworld(["S.C", "...", "..G"], absorbing="G")


def test_zero_weight_is_soft_optimal() -> None:
    mdp = candy_world()
    reward = mdp.features @ np.array([0.0, 0.0, 1.0, 0.0])
    candy = mdp.features[:, 0]
    tempted = Temptation(bonus=candy, weight=0.0).policy(mdp, reward, horizon=6, discount=0.9)
    np.testing.assert_array_equal(
        tempted, SoftOptimal().policy(mdp, reward, horizon=6, discount=0.9)
    )


def test_temptation_changes_behaviour_toward_the_bonus() -> None:
    mdp = candy_world()
    assert mdp.feature_names == (".", "C", "G", "S")
    reward = mdp.features @ np.array([0.0, 0.0, 1.0, 0.0])  # values: the goal only
    kwargs = {"horizon": 6, "discount": 1.0}
    honest = SoftOptimal().policy(mdp, reward, **kwargs)
    tempted = Temptation(bonus=1, weight=2.0).policy(mdp, reward, **kwargs)
    candy = mdp.features[:, 1] == 1
    visits_honest = occupancy(mdp, honest, **kwargs).total[candy].sum()
    visits_tempted = occupancy(mdp, tempted, **kwargs).total[candy].sum()
    assert visits_tempted > 2 * visits_honest
    # A feature index and the same column as an array are one and the same bonus.
    by_array = Temptation(bonus=mdp.features[:, 1], weight=2.0).policy(mdp, reward, **kwargs)
    np.testing.assert_array_equal(tempted, by_array)


def test_log_likelihood_hand_computed() -> None:
    mdp = switch_mdp()
    demo = Demonstrations([Trajectory([0, 1, 1], [1, 0])])
    model = Temptation(bonus=[0.0, 3.0], weight=1.0)
    ll = model.log_likelihood(mdp, [1.0, 0.0], demo, horizon=2, discount=1.0)
    # Acting reward (1, 3): Q_0(0, a) = 1 + V_1(a), V_1(s) = acting(s) + log 2.
    assert ll == pytest.approx(np.log(1 / (1 + np.exp(-2.0))) + np.log(0.5), abs=1e-12)
    np.testing.assert_allclose(
        tempted_reward(mdp, [1.0, 0.0], bonus=0, weight=3.0), [[1, 1], [3, 3]]
    )


def test_simulate_matches_policy(assert_frequencies_match: FrequencyCheck) -> None:
    mdp = candy_world()
    reward = mdp.features @ np.array([0.0, 0.0, 1.0, 0.0])
    assert_frequencies_match(Temptation(bonus=1, weight=1.0), mdp, reward, horizon=4)


def test_dataclass_contract_and_errors() -> None:
    model = Temptation(bonus=np.array([0.0, 1.0]), weight=1.0)
    assert model.bonus == (0.0, 1.0) and isinstance(hash(model), int)
    assert dataclasses.replace(model, weight=0.5).weight == 0.5
    assert model.name == "temptation"
    with pytest.raises(ValueLearnInputError, match="'weight' parameter of Temptation"):
        Temptation(bonus=0, weight=float("nan"))
    with pytest.raises(ValueLearnInputError, match="'bonus' parameter of Temptation"):
        Temptation(bonus=[[1.0]], weight=1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'bonus' parameter of Temptation"):
        Temptation(bonus=-1, weight=1.0)
    mdp = switch_mdp()
    with pytest.raises(ValueLearnInputError, match="feature index 3 is out of range"):
        Temptation(bonus=3, weight=1.0).policy(mdp, [0.0, 1.0], horizon=2, discount=1.0)
    with pytest.raises(ValueLearnInputError, match=r"shape \(2,\)"):
        Temptation(bonus=[1.0, 2.0, 3.0], weight=1.0).policy(
            mdp, [0.0, 1.0], horizon=2, discount=1.0
        )
