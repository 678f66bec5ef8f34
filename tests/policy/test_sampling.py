"""Tests for valuelearn.policy._sampling."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import occupancy, sample_trajectories, soft_value_iteration


def small_mdp() -> MDP:
    rng = np.random.default_rng(0)
    transitions = rng.dirichlet(np.ones(4), size=(4, 3))
    transitions[2, 1] = [0.0, 0.0, 0.0, 1.0]
    return MDP.from_dense(transitions, initial=[0.25, 0.25, 0.5, 0.0])


def test_same_seed_same_trajectories_and_generators_advance() -> None:
    mdp = small_mdp()
    pi = soft_value_iteration(mdp, np.arange(4.0), horizon=6, discount=1.0).policy
    a = sample_trajectories(mdp, pi, n=50, rng=3)
    b = sample_trajectories(mdp, pi, n=50, rng=3)
    c = sample_trajectories(mdp, pi, n=50, rng=4)
    np.testing.assert_array_equal(a.as_arrays()[0], b.as_arrays()[0])
    assert not np.array_equal(a.as_arrays()[0], c.as_arrays()[0])
    generator = np.random.default_rng(0)
    first = sample_trajectories(mdp, pi, n=5, rng=generator)
    second = sample_trajectories(mdp, pi, n=5, rng=generator)
    assert not np.array_equal(first.as_arrays()[1], second.as_arrays()[1])


def test_empirical_visits_match_occupancy() -> None:
    mdp = small_mdp()
    pi = soft_value_iteration(mdp, np.array([0.0, 1.0, -1.0, 2.0]), horizon=5, discount=1.0)
    demos = sample_trajectories(mdp, pi.policy, n=40_000, rng=1)
    states, actions = demos.as_arrays()
    occ = occupancy(mdp, pi.policy, horizon=5, discount=1.0)
    for t in range(5):
        frequencies = np.bincount(states[:, t], minlength=4) / 40_000
        np.testing.assert_allclose(frequencies, occ.per_step[t], atol=0.012)
    np.testing.assert_allclose(
        np.bincount(states[:, 5], minlength=4) / 40_000, occ.final, atol=0.012
    )
    # actions follow the policy at t = 0 in state 2
    in_two = actions[states[:, 0] == 2, 0]
    np.testing.assert_allclose(
        np.bincount(in_two, minlength=3) / in_two.size, pi.policy[0, 2], atol=0.02
    )


def test_impossible_transitions_never_happen() -> None:
    mdp = small_mdp()
    demos = sample_trajectories(mdp, np.full((4, 3), 1 / 3), n=2000, horizon=4, rng=2)
    states, actions = demos.as_arrays()
    taken = (states[:, :-1] == 2) & (actions == 1)
    assert taken.any()
    assert np.all(states[:, 1:][taken] == 3)
    assert np.all(states[:, 0] != 3)


def test_sampling_arguments_are_checked() -> None:
    mdp = small_mdp()
    with pytest.raises(ValueLearnInputError, match="explicit `horizon`"):
        sample_trajectories(mdp, np.full((4, 3), 1 / 3), n=2, rng=0)
    with pytest.raises(ValueLearnInputError, match="`n` must be a positive integer"):
        sample_trajectories(mdp, np.full((4, 3), 1 / 3), n=0, horizon=2, rng=0)
    with pytest.raises(TypeError, match="'rng' parameter"):
        sample_trajectories(mdp, np.full((4, 3), 1 / 3), n=1, horizon=2, rng="seed")  # type: ignore[arg-type]


def test_a_planner_result_is_sampled_like_its_policy_array() -> None:
    mdp = small_mdp()
    plan = soft_value_iteration(mdp, [0.0, 1.0, -1.0, 2.0], horizon=5, discount=1.0)
    from_result = sample_trajectories(mdp, plan, n=50, rng=3)
    from_array = sample_trajectories(mdp, plan.policy, n=50, rng=3)
    assert len(from_result) == 50 and from_result[0].actions.size == 5  # horizon from the plan
    for a, b in zip(from_result, from_array, strict=True):
        assert a.states.tolist() == b.states.tolist() and a.actions.tolist() == b.actions.tolist()


@pytest.mark.parametrize("policy", [[["a", "b", "c"]] * 4, {"not": "a policy"}])
def test_a_policy_that_is_not_numbers_is_named(policy: object) -> None:
    with pytest.raises(ValueLearnInputError, match="`policy` must be an array of probabilities"):
        sample_trajectories(small_mdp(), policy, n=1, horizon=2, rng=0)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="`policy` must be an array of probabilities"):
        occupancy(small_mdp(), policy, horizon=2, discount=1.0)  # type: ignore[arg-type]
