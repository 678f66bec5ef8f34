"""Exploration and generalisation metrics on hand-computed runs."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.evaluation import exploration_metrics, generalisation_metrics
from valuelearn.exceptions import ValueLearnInputError


def test_hand_computed_runs() -> None:
    values = np.array([[10.0, 90.0, 60.0, 40.0, 95.0]] * 3)  # action 4 is held out
    actions = np.array(
        [
            [0, 3, 1, 1, 1, 1],  # settles on the best at step 3
            [2, 2, 2, 2, 2, 2],  # never switches: converged at step 1
            [1, 1, 1, 1, 1, 0],  # switches at the last step: T
        ]
    )
    m = exploration_metrics(actions, values, n_personal=4)
    np.testing.assert_allclose(m["mean_reward"], [(10 + 40 + 4 * 90) / 6, 60, (5 * 90 + 10) / 6])
    np.testing.assert_array_equal(m["unique_actions"], [3, 1, 2])
    np.testing.assert_array_equal(m["non_optimal_actions"], [2, 6, 1])  # optimum over 0..3 is 90
    np.testing.assert_array_equal(m["bad_actions"], [2, 0, 1])
    np.testing.assert_array_equal(m["iterations_to_convergence"], [3, 1, 6])
    strict = exploration_metrics(actions, values, n_personal=4, bad_threshold=60.0)
    np.testing.assert_array_equal(strict["bad_actions"], [2, 0, 1])
    # with the agent's estimated best action, convergence is when that estimate settles
    best = np.array([[0, 1, 1, 1, 1, 1], [2, 2, 1, 2, 2, 2], [0, 1, 1, 1, 0, 1]])
    settled = exploration_metrics(actions, values, n_personal=4, best=best)
    np.testing.assert_array_equal(settled["iterations_to_convergence"], [2, 4, 6])
    np.testing.assert_array_equal(settled["bad_actions"], m["bad_actions"])
    with pytest.raises(ValueLearnInputError, match="`best` must have the shape of `actions`"):
        exploration_metrics(actions, values, n_personal=4, best=best[:, :2])
    with pytest.raises(ValueLearnInputError, match="`actions` must be indices from 0 to 3"):
        exploration_metrics(np.array([[4]]), values[:1], n_personal=4)


def test_generalisation_metrics_on_the_held_out_block() -> None:
    values = np.array([[0.0, 0.0, 20.0, 80.0, 70.0], [0.0, 0.0, 20.0, 80.0, 70.0]])
    predictions = np.array([[99.0, 99.0, 30.0, 60.0, 70.0], [0.0, 0.0, 50.0, 50.0, 50.0]])
    m = generalisation_metrics(predictions, values, n_personal=2)
    np.testing.assert_allclose(m["generalisation_rmse"], [np.sqrt(500 / 3), np.sqrt(2200 / 3)])
    assert m["generalisation_spearman"][0] == pytest.approx(0.5)
    assert np.isnan(m["generalisation_spearman"][1])  # constant predictions
    np.testing.assert_array_equal(m["generalisation_reward"], [70.0, 20.0])
    with pytest.raises(ValueLearnInputError, match="'n_personal' parameter"):
        generalisation_metrics(predictions, values, n_personal=5)
