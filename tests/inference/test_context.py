"""Tests for valuelearn.inference._context: contextual and time-weighted MCE IRL."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from valuelearn.data import MDP, Demonstrations, Trajectory, feature_gridworld
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.humans._rational import SoftOptimal
from valuelearn.inference import MCEIRL
from valuelearn.inference._context import ContextualMCEIRL, TimeWeightedMCEIRL, recency_weights
from valuelearn.inference._fitting import weighted_problem
from valuelearn.inference._mce import mce_objective

H = 8
W = np.array([1.0, -1.0, 0.5])


@pytest.fixture(scope="module")
def world() -> MDP:
    return feature_gridworld(5, n_features=3, kind="gaussian", rng=0)


def labelled(demos: Demonstrations, **labels: object) -> list[Trajectory]:
    return [Trajectory(t.states, t.actions, **labels) for t in demos]  # type: ignore[arg-type]


def simulate(mdp: MDP, weights: NDArray[np.float64], n: int, seed: int) -> Demonstrations:
    return SoftOptimal().simulate(
        mdp, mdp.features @ weights, n=n, horizon=H, discount=1.0, rng=seed
    )


@pytest.fixture(scope="module")
def contextual(world: MDP) -> Demonstrations:
    home = labelled(simulate(world, W, 60, 1), context="home")
    work = labelled(simulate(world, -W, 60, 2), context="work")
    return Demonstrations(home + work)


def cosine(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_opposite_contexts_are_recovered_separately(world: MDP, contextual: Demonstrations) -> None:
    model = ContextualMCEIRL(horizon=H, l2_offsets=0.01).fit(world, contextual)
    assert model.contexts_ == ("home", "work")
    assert cosine(model.weights_["home"], W) > 0.97
    assert cosine(model.weights_["work"], -W) > 0.97
    np.testing.assert_allclose(model.reward_for("work"), world.features @ model.weights_["work"])
    # one reward for everybody averages the two contexts away
    pooled = MCEIRL(horizon=H).fit(world, contextual)
    assert np.linalg.norm(pooled.weights_) < 0.4 * np.linalg.norm(model.weights_["home"])


def test_independent_contexts_equal_separate_mce_fits(
    world: MDP, contextual: Demonstrations
) -> None:
    # sum_c (n_c / n) L_c(w_c) - l2/2 sum_c ||w_c||^2 separates into MCE fits with l2 / share_c.
    model = ContextualMCEIRL(horizon=H, shared=False, l2=0.05, gtol=1e-8).fit(world, contextual)
    for label in ("home", "work"):
        subset = Demonstrations([t for t in contextual if t.context == label])
        alone = MCEIRL(horizon=H, l2=0.1, gtol=1e-8).fit(world, subset)
        np.testing.assert_allclose(model.weights_[label], alone.weights_, atol=1e-5)


def test_huge_offset_penalty_pools_the_contexts(world: MDP, contextual: Demonstrations) -> None:
    # The pooled MCE dual is the share-weighted mean of the per-context duals, so with offsets
    # forced to 0 the shared weights are the pooled MCE IRL fit.
    model = ContextualMCEIRL(horizon=H, l2_offsets=1e4, l2=0.05, gtol=1e-5).fit(world, contextual)
    pooled = MCEIRL(horizon=H, l2=0.05, gtol=1e-6).fit(world, contextual)
    np.testing.assert_allclose(model.shared_weights_, pooled.weights_, atol=1e-3)
    np.testing.assert_allclose(model.weights_["home"], model.weights_["work"], atol=2e-3)


def test_contextual_errors(world: MDP, contextual: Demonstrations) -> None:
    unlabelled = Demonstrations(
        [*contextual, Trajectory(contextual[0].states, contextual[0].actions)]
    )
    with pytest.raises(ValueLearnInputError, match="trajectory 120 has context=None"):
        ContextualMCEIRL(horizon=H).fit(world, unlabelled)
    with pytest.raises(ValueLearnInputError, match="'l2_offsets' parameter of ContextualMCEIRL"):
        ContextualMCEIRL(horizon=H, l2_offsets=-1.0).fit(world, contextual)
    with pytest.raises(ValueLearnInputError, match="'reward' parameter of ContextualMCEIRL"):
        ContextualMCEIRL(reward="deep").fit(world, contextual)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="exactly 3 actions"):
        ContextualMCEIRL(horizon=3).fit(world, contextual)
    with pytest.raises(NotFittedError):
        ContextualMCEIRL().reward_for("home")
    model = ContextualMCEIRL(horizon=H, max_iter=50).fit(world, contextual)
    with pytest.raises(ValueLearnInputError, match="`context` must be one of"):
        model.reward_for("gym")


def test_recency_weights_closed_form() -> None:
    np.testing.assert_allclose(
        recency_weights(np.array([0.0, 2.0, 4.0]), half_life=2.0, reference_time=6.0),
        [0.125, 0.25, 0.5],
    )


def test_weighting_equals_duplicating_trajectories(world: MDP) -> None:
    # times (0, 1), half-life 1: weights (1/2, 1), i.e. the second trajectory counts twice.
    a, b = simulate(world, W, 2, 5)
    stamped = Demonstrations([Trajectory(a.states, a.actions, time=0.0),
                              Trajectory(b.states, b.actions, time=1.0)])  # fmt: skip
    model = TimeWeightedMCEIRL(half_life=1.0, horizon=H, l2=0.1, gtol=1e-9).fit(world, stamped)
    duplicated = MCEIRL(horizon=H, l2=0.1, gtol=1e-9).fit(world, Demonstrations([a, b, b]))
    np.testing.assert_allclose(model.weights_, duplicated.weights_, atol=1e-6)
    np.testing.assert_allclose(model.trajectory_weights_, [1 / 3, 2 / 3])
    assert model.effective_n_ == pytest.approx(1.8)  # 1 / (1/9 + 4/9)
    assert model.objective_ == pytest.approx(duplicated.objective_, abs=1e-8)


def test_weighted_problem_matches_demonstrations_counts(world: MDP) -> None:
    demos = simulate(world, W, 5, 6)
    problem = weighted_problem(world, list(demos), features=world.features, horizon=H, discount=0.9)
    np.testing.assert_allclose(problem.demo_counts, demos.discounted_state_counts(25, 0.9))
    np.testing.assert_allclose(problem.start, demos.initial_distribution(25))
    value, _, _ = mce_objective(problem, W)
    assert np.isfinite(value)


def test_time_weighting_tracks_drifting_values(world: MDP) -> None:
    # values rotate from w_old to w_new over 10 periods; estimate the values at the last period
    w_old, w_new = np.array([1.0, 1.0, 0.0]), np.array([-1.0, 0.0, 1.0])
    trajectories: list[Trajectory] = []
    for period in range(10):
        share = period / 9
        weights = (1 - share) * w_old + share * w_new
        trajectories += labelled(simulate(world, weights, 15, 100 + period), time=float(period))
    demos = Demonstrations(trajectories)
    tracked = TimeWeightedMCEIRL(half_life=1.0, horizon=H).fit(world, demos)
    static = MCEIRL(horizon=H, l2=1e-3).fit(world, demos)
    tracked_error = np.linalg.norm(tracked.weights_ - w_new)
    static_error = np.linalg.norm(static.weights_ - w_new)
    assert tracked_error < 0.5 * static_error
    assert cosine(tracked.weights_, w_new) > 0.95
    assert tracked.reward_ == pytest.approx(world.features @ tracked.weights_)
    assert tracked.policy_.shape == (H, 25, 4)


def test_time_weighted_errors(world: MDP) -> None:
    demos = simulate(world, W, 3, 7)
    with pytest.raises(ValueLearnInputError, match="trajectory 0 has time=None"):
        TimeWeightedMCEIRL(half_life=1.0, horizon=H).fit(world, demos)
    stamped = Demonstrations(labelled(demos, time=1.0))
    with pytest.raises(ValueLearnInputError, match="'half_life' parameter of TimeWeightedMCEIRL"):
        TimeWeightedMCEIRL(half_life=0.0, horizon=H).fit(world, stamped)
    with pytest.raises(ValueLearnInputError, match="`mdp` must be an MDP"):
        TimeWeightedMCEIRL(half_life=1.0).fit("world", stamped)  # type: ignore[arg-type]
