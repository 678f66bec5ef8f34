"""The bias scenarios: each breaks the naive learner and the right human model mends it."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.bench._scenarios_biases import (
    key_chest_world,
    run_missing_features,
    run_wrong_beliefs,
    shortcut_world,
)
from valuelearn.policy import value_iteration


def test_shortcut_world_true_optimum_takes_the_door_and_belief_shuts_it() -> None:
    world, believed, reward = shortcut_world()
    start = int(np.argmax(world.initial))
    # True world: S -> 6 steps along the bottom road; the goal pays 2 per step for the
    # remaining 20 - 6 decisions = 28. The long road takes 12 steps: 2 * 8 = 16.
    true_plan = value_iteration(world, reward, horizon=20, discount=1.0)
    assert true_plan.values[0, start] == pytest.approx(28.0)
    believed_plan = value_iteration(believed, reward, horizon=20, discount=1.0)
    assert believed_plan.values[0, start] == pytest.approx(16.0)


def test_wrong_beliefs_metrics_tell_the_story() -> None:
    naive = run_wrong_beliefs("naive", 100, 0)
    aware = run_wrong_beliefs("aware", 100, 0)
    # Naive: learns a strongly negative door weight and avoids the door -> loses 6 of the 14
    # goal steps: regret 2 * 6 = 12.
    assert naive["door_weight"] < -2.0
    assert naive["uses_shortcut"] == 0.0 and aware["uses_shortcut"] == 1.0
    assert naive["regret"] == pytest.approx(12.0)
    assert aware["regret"] == pytest.approx(0.0, abs=1e-9)
    assert naive["epic"] > 0.5 > aware["epic"]


def test_key_chest_world_structure() -> None:
    mdp, reward = key_chest_world()
    start = int(np.argmax(mdp.initial))
    # Left 4 to the key, right 8 to the chest = 12 steps, then 20 - 12 = 8 open steps of 3.
    plan = value_iteration(mdp, reward, horizon=20, discount=1.0)
    assert plan.values[0, start] == pytest.approx(24.0)
    opened = int(np.argmax(reward))
    assert mdp.dense_transitions()[opened, :, opened].tolist() == [1.0] * mdp.n_actions


def test_missing_features_naive_goes_to_the_locked_chest() -> None:
    naive = run_missing_features("naive", 100, 1)
    aware = run_missing_features("aware", 100, 1)
    assert naive["opens_chest"] == 0.0 and aware["opens_chest"] == 1.0
    assert naive["regret"] == pytest.approx(24.0)  # never opens the chest: all 24 lost
    assert aware["regret"] == pytest.approx(0.0, abs=1e-9)
