"""Tests for valuelearn.inference._aware: IRL under an explicit human model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, Demonstrations, Trajectory, gridworld
from valuelearn.evaluation import regret
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.humans import HumanModel
from valuelearn.humans._beliefs import FalseBeliefs, calibrated
from valuelearn.humans._myopic import Myopic
from valuelearn.humans._rational import SoftOptimal
from valuelearn.inference import MCEIRL
from valuelearn.inference._aware import (
    ModelAwareIRL,
    grid_points,
    grid_posterior,
    human_objective,
    soft_log_likelihood_gradient,
    soft_planning_world,
)
from valuelearn.inference._fitting import weighted_problem
from valuelearn.inference._mce import mce_objective

H = 10


@pytest.fixture(scope="module")
def chain() -> tuple[MDP, NDArray[np.float64]]:
    """A 1x9 corridor: a small reward at the left end, a large one at the right end."""
    mdp = gridworld(
        ["a.......b"],
        cell_features={".": [0, 0], "a": [1, 0], "b": [0, 1]},
        feature_names=["a", "b"],
    )
    return mdp, np.array([1.0, 3.0])


@pytest.fixture(scope="module")
def myopic_demos(chain: tuple[MDP, NDArray[np.float64]]) -> Demonstrations:
    mdp, weights = chain
    human = Myopic(planning_horizon=3, temperature=0.5)
    return human.simulate(mdp, mdp.features @ weights, n=200, horizon=H, discount=1.0, rng=0)


def two_state_mdp() -> MDP:
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=[0.5, 0.5], features=np.array([[1.0, 0.3], [-0.5, 1.0]]))


def test_objective_matches_mce_dual_and_exact_gradient() -> None:
    # Under deterministic dynamics (and discount 1) the MCE dual equals the mean causal
    # log-likelihood of a soft-optimal person, and its exact gradient is the feature-matching
    # residual: the finite-difference gradient must reproduce it.
    mdp = two_state_mdp()
    demos = SoftOptimal().simulate(mdp, [0.2, 1.0], n=7, horizon=4, discount=1.0, rng=3)
    problem = weighted_problem(mdp, list(demos), features=mdp.features, horizon=4, discount=1.0)
    weights = np.array([0.4, -0.7])
    dual, exact, _ = mce_objective(problem, weights)
    for analytic in (True, False):
        value, gradient = human_objective(
            SoftOptimal(), mdp, demos, weights, features=mdp.features, horizon=4, discount=1.0,
            exact=analytic,
        )  # fmt: skip
        assert value == pytest.approx(dual, abs=1e-10)
        np.testing.assert_allclose(gradient, exact, atol=1e-7 if not analytic else 1e-12)


def test_exact_gradient_under_false_beliefs_matches_finite_differences() -> None:
    # stochastic subjective dynamics, discount < 1 and trajectories shorter than the horizon
    world = gridworld(
        ["a..#", "...b", "S..."], slip=0.3,
        cell_features={".": [0, 0], "S": [0, 0], "a": [1, 0], "b": [0, 1]},
    )  # fmt: skip
    human = FalseBeliefs(calibrated(world, 3.0), temperature=0.7)
    reward = np.random.default_rng(0).normal(size=world.n_states)
    demos = human.simulate(world, reward, n=5, horizon=6, discount=0.9, rng=0)
    short = Demonstrations([Trajectory(t.states[:4], t.actions[:3]) for t in demos])
    for data in (demos, short):
        ll, grad = soft_log_likelihood_gradient(
            human.subjective, reward, data, horizon=6, discount=0.9, temperature=0.7
        )
        value, numeric = human_objective(
            human, world, data, reward, features=None, horizon=6, discount=0.9, step=1e-5,
            exact=False,
        )  # fmt: skip
        assert ll / len(data) == pytest.approx(value, rel=1e-12)
        np.testing.assert_allclose(grad / len(data), numeric, atol=1e-8)
    assert soft_planning_world(human, world) == (human.subjective, 0.7)
    assert soft_planning_world(Myopic(planning_horizon=2), world) is None


def test_soft_optimal_model_agrees_with_mce_irl() -> None:
    mdp = two_state_mdp()
    demos = SoftOptimal().simulate(mdp, [0.2, 1.0], n=50, horizon=4, discount=1.0, rng=1)
    aware = ModelAwareIRL(SoftOptimal(), horizon=4, l2=0.1).fit(mdp, demos)
    mce = MCEIRL(horizon=4, l2=0.1).fit(mdp, demos)
    np.testing.assert_allclose(aware.weights_, mce.weights_, atol=1e-4)
    assert aware.log_likelihood_ == pytest.approx(mce.log_likelihood_, abs=1e-6)


def test_grid_recovers_planning_horizon(
    chain: tuple[MDP, NDArray[np.float64]], myopic_demos: Demonstrations
) -> None:
    mdp, weights = chain
    grid = {"planning_horizon": [1, 2, 3, 4, 6]}
    model = ModelAwareIRL(Myopic(planning_horizon=1, temperature=0.5), horizon=H, human_grid=grid)
    model.fit(mdp, myopic_demos)
    assert model.human_ == Myopic(planning_horizon=3, temperature=0.5)
    assert model.grid_points_[int(np.argmax(model.grid_posterior_))] == {"planning_horizon": 3}
    assert model.grid_posterior_[2] > 0.99
    assert model.grid_posterior_.sum() == pytest.approx(1.0)
    # a one-step look-ahead sees only R(s_0): every action is equally likely whatever the reward
    n_actions = sum(len(t) for t in myopic_demos)
    assert model.grid_log_likelihood_[0] == pytest.approx(-n_actions * np.log(4), rel=1e-9)
    np.testing.assert_allclose(model.weights_, weights, atol=0.3)
    np.testing.assert_allclose(model.grid_weights_[2], model.weights_)


def test_correct_model_beats_soft_optimal_assumption(
    chain: tuple[MDP, NDArray[np.float64]], myopic_demos: Demonstrations
) -> None:
    mdp, weights = chain
    true_reward = mdp.features @ weights
    aware = ModelAwareIRL(Myopic(planning_horizon=3, temperature=0.5), horizon=H)
    naive = ModelAwareIRL(SoftOptimal(temperature=0.5), horizon=H)
    aware.fit(mdp, myopic_demos)
    naive.fit(mdp, myopic_demos)
    # The naive learner explains "walks to the near, small reward" by valuing it almost as much
    # as the far one (ratio about 1.6 instead of 3); the aware learner gets the ratio right.
    assert aware.weights_[1] / aware.weights_[0] == pytest.approx(3.0, abs=0.3)
    assert naive.weights_[1] / naive.weights_[0] < 2.0
    aware_regret = regret(mdp, true_reward, aware.reward_, horizon=H, discount=1.0)
    naive_regret = regret(mdp, true_reward, naive.reward_, horizon=H, discount=1.0)
    assert aware_regret.regret == pytest.approx(0.0, abs=1e-9)
    assert naive_regret.regret > 0.4
    assert aware.score(mdp, myopic_demos) > naive.score(mdp, myopic_demos)


@dataclasses.dataclass(frozen=True)
class Stubborn(HumanModel):
    """Takes action 0 with probability ``p`` whatever the reward (an 'indifferent' planner)."""

    p: float = 0.5

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float
    ) -> NDArray[np.float64]:
        pi = np.empty((horizon, mdp.n_states, mdp.n_actions))
        pi[..., 0] = self.p
        pi[..., 1:] = (1.0 - self.p) / (mdp.n_actions - 1)
        return pi


def test_grid_posterior_is_the_exact_bernoulli_posterior() -> None:
    # The reward cannot matter to Stubborn, so the profile likelihood is the Bernoulli likelihood
    # of the action counts: 7 zeros and 1 one.
    mdp = two_state_mdp()
    demos = Demonstrations([Trajectory([0, 0, 0], [0, 0])] * 3 + [Trajectory([0, 0, 1], [0, 1])])
    grid = {"p": [0.25, 0.5, 0.75]}
    model = ModelAwareIRL(Stubborn(), horizon=2, human_grid=grid).fit(mdp, demos)
    ps = np.array(grid["p"])
    exact = ps**7 * (1 - ps)
    np.testing.assert_allclose(model.grid_posterior_, exact / exact.sum(), rtol=1e-9)
    np.testing.assert_allclose(model.grid_log_likelihood_, np.log(exact), rtol=1e-9)
    assert model.human_ == Stubborn(0.75)
    np.testing.assert_allclose(model.weights_, 0.0, atol=1e-12)


def test_impossible_grid_point_gets_zero_posterior() -> None:
    mdp = two_state_mdp()
    demos = Demonstrations([Trajectory([0, 0, 0], [0, 0])])
    model = ModelAwareIRL(Stubborn(), horizon=2, human_grid={"p": [0.0, 0.5]}).fit(mdp, demos)
    assert model.grid_log_likelihood_[0] == -np.inf
    assert model.grid_posterior_.tolist() == [0.0, 1.0]
    assert model.human_ == Stubborn(0.5)


def test_helpers() -> None:
    assert grid_points({"a": [1, 2], "b": ["x", "y"]}) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    np.testing.assert_allclose(grid_posterior(np.array([-1000.0, -1000.0 + np.log(4)])), [0.2, 0.8])
    np.testing.assert_allclose(grid_posterior(np.array([-np.inf, -np.inf])), [0.5, 0.5])


def test_errors() -> None:
    mdp = two_state_mdp()
    demos = Demonstrations([Trajectory([0, 0, 0], [0, 0])])
    with pytest.raises(ValueLearnInputError, match="'human' parameter of ModelAwareIRL"):
        ModelAwareIRL("soft").fit(mdp, demos)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'beta', which is not a field of SoftOptimal"):
        ModelAwareIRL(SoftOptimal(), human_grid={"beta": [1.0]}).fit(mdp, demos)
    with pytest.raises(ValueLearnInputError, match="non-empty sequence"):
        ModelAwareIRL(SoftOptimal(), human_grid={"temperature": []}).fit(mdp, demos)
    with pytest.raises(ValueLearnInputError, match="'reward' parameter of ModelAwareIRL"):
        ModelAwareIRL(SoftOptimal(), reward="neural").fit(mdp, demos)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'l2' parameter of ModelAwareIRL"):
        ModelAwareIRL(SoftOptimal(), l2=-1.0).fit(mdp, demos)
    with pytest.raises(ValueLearnInputError, match="linear reward needs an MDP with `features`"):
        ModelAwareIRL(SoftOptimal(), reward="linear").fit(mdp.with_defaults(features=None), demos)
    with pytest.raises(NotFittedError):
        ModelAwareIRL(SoftOptimal()).score(mdp, demos)


def test_tabular_reward_on_a_tiny_world() -> None:
    mdp = two_state_mdp()
    demos = Demonstrations([Trajectory([0, 1, 1], [1, 1])] * 4 + [Trajectory([1, 0, 0], [0, 0])])
    model = ModelAwareIRL(SoftOptimal(), horizon=2, reward="tabular", l2=0.1).fit(mdp, demos)
    mce = MCEIRL(horizon=2, reward="tabular", l2=0.1).fit(mdp, demos)
    np.testing.assert_allclose(model.reward_, mce.reward_, atol=1e-4)


def test_grid_recovers_overconfidence_about_slips() -> None:
    # A person who thinks slips are 4x rarer than they are walks next to the lava; the aware
    # learner finds the calibration factor and the lava penalty, the naive one under-rates it.
    world = gridworld(
        ["S...G", ".LLL.", "....."], slip=0.2, absorbing="GL",
        cell_features={".": [0, 0], "S": [0, 0], "G": [1, 0], "L": [0, 1]},
    )  # fmt: skip
    weights = np.array([2.0, -2.0])
    human = FalseBeliefs(calibrated(world, 4.0), temperature=0.5)
    demos = human.simulate(world, world.features @ weights, n=150, horizon=8, discount=1.0, rng=0)
    grid = {"subjective": [calibrated(world, c) for c in (0.25, 1.0, 4.0)]}
    aware = ModelAwareIRL(human, horizon=8, human_grid=grid).fit(world, demos)
    naive = ModelAwareIRL(SoftOptimal(temperature=0.5), horizon=8).fit(world, demos)
    assert int(np.argmax(aware.grid_posterior_)) == 2
    assert aware.grid_posterior_[0] < 1e-3
    np.testing.assert_allclose(aware.weights_, weights, atol=0.15)
    assert naive.weights_[1] > -1.5
    assert aware.converged_
