"""Tests for valuelearn.inference._birl_model: the Bayesian IRL likelihoods and their solvers."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import action_counts, random_mdp
from valuelearn.humans import BoltzmannRational, SoftOptimal
from valuelearn.inference._birl_model import BIRLModel
from valuelearn.policy import sample_trajectories, soft_value_iteration, value_iteration

GAMMA = 0.9


@pytest.fixture(scope="module", params=[0, 1, 2])
def world(request):
    seed = request.param
    mdp = random_mdp(12, 3, branching=3, rng=seed)
    rng = np.random.default_rng(seed)
    reward = rng.normal(size=12)
    behaviour = SoftOptimal().policy(mdp, reward, horizon=None, discount=GAMMA)
    demos = sample_trajectories(mdp, behaviour, n=6, horizon=8, rng=seed)
    return mdp, reward, demos


def test_policy_iteration_matches_value_iteration(world) -> None:
    mdp, reward, demos = world
    model = BIRLModel(mdp, action_counts(demos, 12, 3), discount=GAMMA)
    exact = value_iteration(mdp, reward, horizon=None, discount=GAMMA, tol=1e-13)
    cold = model.solve_hard(reward)
    warm = model.solve_hard(reward, (cold.actions + 1) % 3)  # a bad warm start still converges
    for solution in (cold, warm):
        np.testing.assert_allclose(solution.q_values, exact.q_values, atol=1e-9)
        np.testing.assert_allclose(solution.values, exact.values, atol=1e-9)


def test_boltzmann_log_likelihood_equals_the_human_model(world) -> None:
    mdp, reward, demos = world
    model = BIRLModel(mdp, action_counts(demos, 12, 3), discount=GAMMA)
    q_values = model.solve_hard(reward).q_values
    expected = BoltzmannRational(beta=2.5).log_likelihood(
        mdp, reward, demos, horizon=None, discount=GAMMA
    )
    assert model.boltzmann_log_likelihood(q_values, 2.5) == pytest.approx(expected, abs=1e-9)


def test_soft_newton_matches_soft_value_iteration_from_any_start(world) -> None:
    mdp, reward, demos = world
    model = BIRLModel(mdp, action_counts(demos, 12, 3), discount=GAMMA)
    beta = 3.0
    exact = soft_value_iteration(
        mdp, beta * reward, horizon=None, discount=GAMMA, tol=1e-13
    )  # temperature 1 on beta * R
    for start in (None, np.full(12, 50.0), -exact.values):
        solution = model.solve_soft(beta * reward, start)
        np.testing.assert_allclose(solution.values, exact.values, atol=1e-9)
        np.testing.assert_allclose(np.exp(solution.log_policy), exact.policy, atol=1e-10)
    # the soft likelihood with beta equals a soft-optimal person with temperature 1 / beta
    expected = SoftOptimal(temperature=1.0 / beta).log_likelihood(
        mdp, reward, demos, horizon=None, discount=GAMMA
    )
    assert model.soft_log_likelihood(model.solve_soft(beta * reward)) == pytest.approx(
        expected, abs=1e-8
    )


def test_soft_gradient_matches_finite_differences(world) -> None:
    mdp, reward, demos = world
    model = BIRLModel(mdp, action_counts(demos, 12, 3), discount=GAMMA)
    gradient = model.soft_gradient(model.solve_soft(reward))
    eps = 1e-6
    numeric = np.empty(12)
    for s in range(12):
        step = np.zeros(12)
        step[s] = eps
        up = model.soft_log_likelihood(model.solve_soft(reward + step))
        down = model.soft_log_likelihood(model.solve_soft(reward - step))
        numeric[s] = (up - down) / (2 * eps)
    np.testing.assert_allclose(gradient, numeric, atol=1e-6)
    assert np.abs(gradient).max() > 1e-2  # not trivially zero


def test_sparse_solvers_agree_with_dense(world, monkeypatch) -> None:
    mdp, reward, demos = world
    counts = action_counts(demos, 12, 3)
    dense = BIRLModel(mdp, counts, discount=GAMMA)
    monkeypatch.setattr("valuelearn.inference._birl_model.DENSE_LIMIT", 5)
    sparse = BIRLModel(mdp, counts, discount=GAMMA)
    np.testing.assert_allclose(
        sparse.solve_hard(reward).q_values, dense.solve_hard(reward).q_values, atol=1e-10
    )
    soft_d, soft_s = dense.solve_soft(reward), sparse.solve_soft(reward)
    np.testing.assert_allclose(soft_s.log_policy, soft_d.log_policy, atol=1e-10)
    np.testing.assert_allclose(
        sparse.soft_gradient(soft_s), dense.soft_gradient(soft_d), atol=1e-10
    )


@pytest.mark.parametrize(
    ("weights", "state", "action", "beta", "expected"),
    [
        ((1.0, 0.0, -1.0), 2, 1, 10.0, -0.7781844091508692),
        ((1.0, 1.0, -1.0), 4, 0, 1.0, -2.952247486594),
    ],
)
def test_reproduces_the_birl_log_likelihood_anchors(
    birl_world, weights, state, action, beta, expected
) -> None:
    mdp, features = birl_world("sink")
    counts = np.zeros((mdp.n_states, 4))
    counts[state, action] = 1.0
    model = BIRLModel(mdp, counts, discount=0.9)
    q_values = model.solve_hard(features @ np.array(weights)).q_values
    assert model.boltzmann_log_likelihood(q_values, beta) == pytest.approx(expected, abs=1e-9)
