"""The limits scenarios: a risk-averse person and short observation windows."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.bench._scenarios_limits import (
    corridor_world,
    gamble_world,
    run_risk_averse,
    run_short_trajectories,
)
from valuelearn.humans import RiskSensitive
from valuelearn.policy import value_iteration


def test_gamble_world_true_optimum_gambles_and_risk_averse_person_does_not() -> None:
    mdp, reward = gamble_world()
    # Five decisions: gambling earns 5 in expectation each time, the sure option 4.
    plan = value_iteration(mdp, reward, horizon=10, discount=1.0)
    assert plan.values[0, 0] == pytest.approx(25.0)
    assert plan.policy[0, 0].tolist() == [0.0, 1.0, 0.0]
    # Last decision (t = 8, outcome collected at t = 9): certainty equivalent of the coin flip at
    # alpha = -0.4 is -2.5 log((e^-4 + 1) / 2) = 1.6875..., so the choice probabilities are
    # proportional to (e^4, e^1.6875, e^0).
    policy = RiskSensitive(alpha=-0.4).policy(mdp, reward, horizon=10, discount=1.0)
    ce = -2.5 * np.log((np.exp(-4.0) + 1.0) / 2.0)
    expected = np.exp([4.0, ce, 0.0]) / np.exp([4.0, ce, 0.0]).sum()
    np.testing.assert_allclose(policy[8, 0], expected, rtol=1e-10)
    assert policy[0, 0, 0] > 0.85


def test_risk_averse_metrics_tell_the_story() -> None:
    naive = run_risk_averse("naive", 100, 1)
    aware = run_risk_averse("aware", 100, 1)
    # Naive credits certainty (sure weight > 1) and always takes the sure 4: regret 5 x (5 - 4),
    # normalised by optimal 25 minus uniform 5 x 3 = 15 -> 0.5.
    assert naive["sure_weight"] > 1.0
    assert naive["gambles"] == 0.0 and aware["gambles"] == 1.0
    assert naive["regret"] == pytest.approx(5.0)
    assert naive["normalized_regret"] == pytest.approx(0.5)
    assert aware["regret"] == pytest.approx(0.0, abs=1e-9)
    assert aware["epic"] < 0.1 < naive["epic"]


def test_corridor_world_true_optimum_walks_to_the_feast() -> None:
    mdp, reward = corridor_world()
    start = int(np.argmax(mdp.initial))
    # Feast: 6 moves, then 16 - 6 = 10 steps at 4 = 40; the snack would give (16 - 2) * 2 = 28.
    plan = value_iteration(mdp, reward, horizon=16, discount=1.0)
    assert plan.values[0, start] == pytest.approx(40.0)


def test_short_trajectories_windows_are_three_steps_and_metrics_tell_the_story() -> None:
    naive = run_short_trajectories("naive", 100, 0)
    aware = run_short_trajectories("aware", 100, 0)
    # Naive: the feast is out of reach of a 3-step episode (weight stays 0 under the ridge) and
    # walking away from the snack makes its weight negative; its optimum wanders off the feast.
    assert naive["feast_weight"] == pytest.approx(0.0, abs=1e-6)
    assert naive["snack_weight"] < -1.0
    assert naive["reaches_feast"] < 0.1 and aware["reaches_feast"] == 1.0
    assert naive["normalized_regret"] > 1.0  # worse than acting at random
    assert aware["regret"] == pytest.approx(0.0, abs=1e-9)
    assert aware["feast_weight"] > 2.0
    assert aware["epic"] < 0.5 < naive["epic"]
