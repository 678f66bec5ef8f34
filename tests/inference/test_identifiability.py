"""Tests for valuelearn.inference._identifiability (Armstrong & Mindermann 2018)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.typing import NDArray

from valuelearn.data import MDP, Demonstrations, feature_gridworld
from valuelearn.evaluation import epic_distance
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._rational import BoltzmannRational, SoftOptimal
from valuelearn.inference._identifiability import (
    IdentifiabilityWarning,
    NegatedPlanner,
    equivalent_explanations,
    negated_planner,
    pearson_reward_distance,
)

H = 6


@pytest.fixture(scope="module")
def world() -> tuple[MDP, NDArray[np.float64], Demonstrations]:
    mdp = feature_gridworld(4, n_features=3, slip=0.1, rng=0)
    reward = mdp.features @ np.array([1.0, -1.0, 0.2])
    demos = SoftOptimal().simulate(mdp, reward, n=40, horizon=H, discount=0.95, rng=1)
    return mdp, reward, demos


@pytest.mark.parametrize("planner", [SoftOptimal(temperature=0.5), BoltzmannRational(beta=2.0)])
def test_armstrong_mindermann_pair_fires_the_warning(
    world: tuple[MDP, NDArray[np.float64], Demonstrations], planner: SoftOptimal
) -> None:
    mdp, reward, demos = world
    anti = negated_planner(planner)
    np.testing.assert_array_equal(
        anti.policy(mdp, -reward, horizon=H, discount=0.95),
        planner.policy(mdp, reward, horizon=H, discount=0.95),
    )
    candidates = [(planner, reward), (anti, -reward)]
    with pytest.warns(IdentifiabilityWarning, match=r"#0 \(.*\) vs #1 \(-"):
        report = equivalent_explanations(mdp, demos, candidates, horizon=H, discount=0.95)
    assert report.log_likelihoods[0] == report.log_likelihoods[1]
    assert np.isfinite(report.log_likelihoods[0]) and report.log_likelihoods[0] < 0
    assert report.groups == ((0, 1),)
    assert not report.identifiable
    assert report.reward_distances[0, 1] == pytest.approx(1.0)


def test_silent_when_the_human_model_is_pinned_down(
    world: tuple[MDP, NDArray[np.float64], Demonstrations],
) -> None:
    mdp, reward, demos = world
    p = SoftOptimal()
    candidates = [(p, reward), (p, -reward), (p, 0.5 * reward), (p, np.zeros(mdp.n_states))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = equivalent_explanations(mdp, demos, candidates, horizon=H, discount=0.95)
    assert report.identifiable and report.groups == ()
    assert report.best == 0
    # the zero reward gives the uniform policy: log(1/4) per action
    assert report.log_likelihoods[3] == pytest.approx(-len(demos) * H * np.log(4))
    assert len(set(report.log_likelihoods.tolist())) == 4


def test_reward_shift_is_the_same_explanation(
    world: tuple[MDP, NDArray[np.float64], Demonstrations],
) -> None:
    # A constant shift changes no finite-horizon soft policy and has Pearson distance 0: the
    # candidates are equal in likelihood *and* in meaning, so there is nothing to warn about.
    mdp, reward, demos = world
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = equivalent_explanations(
            mdp, demos, [(SoftOptimal(), reward), (SoftOptimal(), reward + 3.0)], horizon=H,
            discount=0.95,
        )  # fmt: skip
    assert report.log_likelihoods[0] == pytest.approx(report.log_likelihoods[1], rel=1e-10)
    assert report.identifiable


def test_rationality_trades_off_against_reward_scale(
    world: tuple[MDP, NDArray[np.float64], Demonstrations],
) -> None:
    # beta * Q*(R) = Q*(beta * R): (beta=2, R) and (beta=1, 2R) are different models, same data fit.
    mdp, reward, demos = world
    candidates = [
        (BoltzmannRational(beta=2.0), reward),
        (BoltzmannRational(beta=1.0), 2.0 * reward),
        (BoltzmannRational(beta=1.0), reward),
    ]
    with pytest.warns(IdentifiabilityWarning):
        report = equivalent_explanations(mdp, demos, candidates, horizon=H, discount=0.95)
    assert report.groups == ((0, 1),)
    assert report.reward_distances[0, 1] == pytest.approx(0.0, abs=1e-12)


def test_custom_distance_and_no_warning_flag(
    world: tuple[MDP, NDArray[np.float64], Demonstrations],
) -> None:
    mdp, reward, demos = world
    p = SoftOptimal()

    def epic(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
        return epic_distance(mdp, a, b, discount=0.95)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = equivalent_explanations(
            mdp, demos, [(p, reward), (negated_planner(p), -reward)], horizon=H, discount=0.95,
            distance=epic, warn=False,
        )  # fmt: skip
    assert report.groups == ((0, 1),)
    assert report.reward_distances[0, 1] == pytest.approx(1.0)


def test_negated_planner_is_an_involution() -> None:
    p = SoftOptimal(temperature=2.0)
    anti = negated_planner(p)
    assert isinstance(anti, NegatedPlanner) and anti.name == "-soft-optimal"
    assert negated_planner(anti) is p


def test_pearson_reward_distance() -> None:
    a = np.array([0.0, 1.0, 3.0])
    assert pearson_reward_distance(a, 2.0 * a + 5.0) == pytest.approx(0.0, abs=1e-6)
    assert pearson_reward_distance(a, -a) == pytest.approx(1.0)
    # orthogonal centred vectors: rho = 0
    assert pearson_reward_distance(np.array([1.0, -1.0, 0.0]), np.array([1.0, 1.0, -2.0])) == (
        pytest.approx(np.sqrt(0.5))
    )
    assert pearson_reward_distance(np.ones(3), np.zeros(3)) == 0.0
    assert pearson_reward_distance(np.ones(3), a) == 0.5


def test_errors(world: tuple[MDP, NDArray[np.float64], Demonstrations]) -> None:
    mdp, reward, demos = world
    with pytest.raises(ValueLearnInputError, match="at least two"):
        equivalent_explanations(mdp, demos, [(SoftOptimal(), reward)], horizon=H, discount=1.0)
    with pytest.raises(ValueLearnInputError, match=r"candidates\[1\]` reward must have shape"):
        equivalent_explanations(
            mdp, demos, [(SoftOptimal(), reward), (SoftOptimal(), reward[:3])], horizon=H,
            discount=1.0,
        )  # fmt: skip
    with pytest.raises(ValueLearnInputError, match=r"candidates\[0\]` must start with a Human"):
        equivalent_explanations(
            mdp, demos, [("p", reward), (SoftOptimal(), reward)], horizon=H, discount=1.0,  # type: ignore[list-item]
        )  # fmt: skip
    with pytest.raises(ValueLearnInputError, match="'base' parameter of NegatedPlanner"):
        NegatedPlanner("p")  # type: ignore[arg-type]
