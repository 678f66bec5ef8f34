"""Tests for valuelearn.humans._population: shared and individual values."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._population import Population


def log_sigmoid(x: float) -> float:
    return float(-np.log1p(np.exp(-x)))


def two_state_mdp(features: list[list[float]] | None = None) -> MDP:
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=[1.0, 0.0], features=features)


SHARED = np.array([0.0, 1.0])


def test_individual_rewards_follow_the_feature_model() -> None:
    features = [[1.0, 0.0], [0.5, 2.0]]
    mdp = two_state_mdp(features)
    people = Population(individual_scale=0.3, n_people=4, seed=7)
    eps = np.random.default_rng(7).standard_normal((4, 2))
    expected = SHARED + 0.3 * eps @ np.array(features).T
    np.testing.assert_allclose(people.individual_rewards(mdp, SHARED), expected, atol=1e-12)
    np.testing.assert_allclose(people.person_reward(mdp, SHARED, "person-2"), expected[2])
    same = dataclasses.replace(people, individual_scale=0.0)
    np.testing.assert_array_equal(same.individual_rewards(mdp, SHARED), np.tile(SHARED, (4, 1)))


def test_offsets_have_the_requested_spread() -> None:
    offsets = Population(individual_scale=2.0, n_people=4000).offsets(two_state_mdp())
    assert offsets.shape == (4000, 2)  # tabular: one weight per state
    assert abs(offsets.std() - 2.0) < 0.05 and abs(offsets.mean()) < 0.05


def test_hand_computed_likelihood_uses_each_demonstrator() -> None:
    # H = 2, person i acts on R_i: pi_0(1 | 0) = sigmoid(R_i[1] - R_i[0]), the last step uniform.
    mdp = two_state_mdp()
    people = Population(individual_scale=1.5, n_people=3, seed=1)
    rewards = people.individual_rewards(mdp, SHARED)
    demos = Demonstrations(
        [
            Trajectory([0, 1, 1], [1, 0], demonstrator="person-0"),
            Trajectory([0, 0, 0], [0, 1], demonstrator="person-2"),
        ]
    )
    expected = (
        log_sigmoid(rewards[0, 1] - rewards[0, 0])
        + log_sigmoid(rewards[2, 0] - rewards[2, 1])
        + 2 * np.log(0.5)
    )
    got = people.log_likelihood(mdp, SHARED, demos, horizon=2, discount=1.0)
    assert got == pytest.approx(expected, abs=1e-12)


def test_simulation_labels_people_and_matches_their_policies() -> None:
    mdp = two_state_mdp()
    people = Population(individual_scale=1.0, n_people=2, seed=3)
    demos = people.simulate(mdp, SHARED, n=8000, horizon=2, discount=1.0, rng=0)
    assert [t.demonstrator for t in demos[:3]] == ["person-0", "person-1", "person-0"]
    for name in people.people:
        policy = people.policy(mdp, SHARED, horizon=2, discount=1.0, demonstrator=name)
        moved = np.array([t.actions[0] == 1 for t in demos if t.demonstrator == name])
        p = policy[0, 0, 1]
        assert moved.size == 4000
        assert abs(moved.mean() - p) < 4 * np.sqrt(p * (1 - p) / moved.size)
    shared_policy = people.policy(mdp, SHARED, horizon=2, discount=1.0)
    assert shared_policy[0, 0, 1] == pytest.approx(np.exp(log_sigmoid(1.0)))


@pytest.mark.parametrize(
    ("demonstrator", "match"),
    [(None, "demonstration 0's `demonstrator` is None"), ("alice", "is 'alice'; expected one of")],
)
def test_likelihood_needs_known_demonstrators(demonstrator: str | None, match: str) -> None:
    demos = Demonstrations([Trajectory([0, 1], [1], demonstrator=demonstrator)])
    with pytest.raises(ValueLearnInputError, match=match):
        Population(n_people=2).log_likelihood(
            two_state_mdp(), SHARED, demos, horizon=1, discount=1.0
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"individual_scale": -1.0}, "'individual_scale' parameter of Population"),
        ({"n_people": 0}, "'n_people' parameter of Population must be an integer >= 1"),
        ({"seed": -3}, "'seed' parameter"),
        ({"temperature": -1.0}, "'temperature' parameter of Population"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueLearnInputError, match=match):
        Population(**kwargs)  # type: ignore[arg-type]


def test_shared_reward_must_be_a_state_reward() -> None:
    with pytest.raises(ValueLearnInputError, match=r"shape \(2,\); got shape \(3,\)"):
        Population().individual_rewards(two_state_mdp(), [0.0, 1.0, 2.0])
