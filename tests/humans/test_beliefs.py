"""Tests for valuelearn.humans._beliefs: planning in a subjective world."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory, gridworld
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._beliefs import (
    FalseBeliefs,
    calibrated,
    with_transitions,
    without_transition,
)
from valuelearn.humans._rational import SoftOptimal

FrequencyCheck = Callable[..., None]


def switch_mdp() -> MDP:
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=[1.0, 0.0])


@pytest.mark.parametrize("factor", [5.0, 0.5, 1.0])
def test_calibrated_scales_the_odds_of_the_modal_outcome(factor: float) -> None:
    world = gridworld(["S..", ".#G"], absorbing="G", slip=0.2)
    T = world.dense_transitions()
    believed = calibrated(world, factor).dense_transitions()
    np.testing.assert_allclose(believed.sum(axis=2), 1.0, atol=1e-12)
    for s in range(world.n_states):
        for a in range(world.n_actions):
            row = T[s, a]
            m = int(np.argmax(row))  # first among ties
            z = factor * row[m] + 1.0 - row[m]
            expected = row / z
            expected[m] = factor * row[m] / z
            np.testing.assert_allclose(believed[s, a], expected, atol=1e-12)
    if factor == 1.0:
        np.testing.assert_allclose(believed, T, atol=1e-15)


def test_calibrated_hand_computed_row_and_ties() -> None:
    T = np.zeros((3, 1, 3))
    T[0, 0] = [0.0, 0.8, 0.2]
    T[1, 0] = [0.5, 0.5, 0.0]  # a tie: the first state is the modal one
    T[2, 0, 2] = 1.0
    believed = calibrated(MDP.from_dense(T), 5.0).dense_transitions()
    np.testing.assert_allclose(believed[0, 0], [0.0, 4.0 / 4.2, 0.2 / 4.2], atol=1e-12)
    np.testing.assert_allclose(believed[1, 0], [5 / 6, 1 / 6, 0.0], atol=1e-12)
    np.testing.assert_allclose(believed[2, 0], [0.0, 0.0, 1.0])


def test_without_transition_and_with_transitions() -> None:
    T = np.zeros((3, 2, 3))
    T[0, 0] = [0.0, 0.6, 0.4]
    T[0, 1, 2] = 1.0
    T[1:, :, 0] = 1.0
    world = MDP.from_dense(T)
    np.testing.assert_allclose(
        without_transition(world, 0, 0, 2).dense_transitions()[0, 0], [0.0, 1.0, 0.0]
    )
    # The only outcome removed: the person believes the action does nothing.
    np.testing.assert_allclose(
        without_transition(world, 0, 1, 2).dense_transitions()[0, 1], [1.0, 0.0, 0.0]
    )
    changed = with_transitions(world, {(2, 1): {1: 0.25, 2: 0.75}})
    np.testing.assert_allclose(changed.dense_transitions()[2, 1], [0.0, 0.25, 0.75])
    np.testing.assert_allclose(changed.dense_transitions()[:2], T[:2])
    with pytest.raises(ValueLearnInputError, match="sums to 0.5"):
        with_transitions(world, {(0, 0): {1: 0.5}})
    with pytest.raises(ValueLearnInputError, match="not reachable"):
        without_transition(world, 0, 1, 1)
    with pytest.raises(
        ValueLearnInputError, match=r"`state` must be an integer in \[0, 3\); got 7"
    ):
        without_transition(world, 7, 0, 1)


def test_true_world_as_belief_is_soft_optimal() -> None:
    world = gridworld(["S...", ".#.G"], absorbing="G", slip=0.2)
    reward = world.features @ np.array([-0.1, 1.0, 0.0])
    belief = FalseBeliefs(world, temperature=0.7).policy(world, reward, horizon=6, discount=0.9)
    truth = SoftOptimal(temperature=0.7).policy(world, reward, horizon=6, discount=0.9)
    np.testing.assert_array_equal(belief, truth)


def test_unknown_shortcut_log_likelihood_hand_computed() -> None:
    world = switch_mdp()
    believed = without_transition(world, 0, 1, 1)  # believes action 1 in state 0 stays put
    demo = Demonstrations([Trajectory([0, 1, 1], [1, 0])])
    model = FalseBeliefs(believed)
    ll = model.log_likelihood(world, [0.0, 1.0], demo, horizon=2, discount=1.0)
    # In the believed world both actions from 0 lead to 0: pi_0(. | 0) = 1/2; pi_1 uniform.
    assert ll == pytest.approx(2 * np.log(0.5), abs=1e-12)
    aware = SoftOptimal().log_likelihood(world, [0.0, 1.0], demo, horizon=2, discount=1.0)
    assert aware == pytest.approx(np.log(np.e / (1 + np.e)) + np.log(0.5), abs=1e-12)


def test_overconfident_person_takes_risky_path_more() -> None:
    world = gridworld(["S..", "LLG"], absorbing="LG", slip=0.4)
    reward = world.features @ np.array([-5.0, 1.0, -0.05, 0.0])
    kwargs = {"horizon": 6, "discount": 1.0}
    start = int(np.argmax(world.initial))
    over = FalseBeliefs(calibrated(world, 20.0)).policy(world, reward, **kwargs)[0, start]
    under = FalseBeliefs(calibrated(world, 0.2)).policy(world, reward, **kwargs)[0, start]
    down = 1  # stepping down onto lava
    assert over[down] > under[down]


def test_simulate_matches_policy(assert_frequencies_match: FrequencyCheck) -> None:
    world = gridworld(["S..", "..G"], absorbing="G", slip=0.3)
    reward = world.features @ np.array([-0.1, 1.0, 0.0])
    assert_frequencies_match(FalseBeliefs(calibrated(world, 5.0)), world, reward, horizon=4)


def test_dataclass_contract_and_errors() -> None:
    world = switch_mdp()
    model = FalseBeliefs(world)
    assert dataclasses.replace(model, temperature=2.0).temperature == 2.0
    assert model.name == "false-beliefs"
    with pytest.raises(ValueLearnInputError, match="'subjective' parameter of FalseBeliefs"):
        FalseBeliefs("world")  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'calibration' parameter of calibrated"):
        calibrated(world, 0.0)
    other = gridworld(["S.G"])
    with pytest.raises(ValueLearnInputError, match="subjective MDP has 3 states"):
        FalseBeliefs(other).policy(world, [0.0, 1.0], horizon=2, discount=1.0)
