"""Tests for valuelearn.policy._occupancy_lp: flow constraints, policies from occupancies, and
the enumeration of deterministic policies."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import expected_return, occupancy
from valuelearn.policy._occupancy_lp import (
    deterministic_occupancies,
    flow_constraints,
    policy_from_occupancy,
)


def random_world(seed: int, n_states: int = 4, n_actions: int = 3) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states) * 0.5, size=(n_states, n_actions))
    return MDP.from_dense(transitions, initial=rng.dirichlet(np.ones(n_states)))


def test_flow_constraints_hold_for_any_policy_and_give_it_back() -> None:
    mdp = random_world(3)
    policy = np.random.default_rng(3).dirichlet(np.ones(mdp.n_actions), size=mdp.n_states)
    visits = occupancy(mdp, policy, horizon=None, discount=0.7).total
    x = visits[:, None] * policy
    matrix, start = flow_constraints(mdp, discount=0.7)
    np.testing.assert_allclose(matrix @ x.ravel(), start, atol=1e-12)
    np.testing.assert_allclose(policy_from_occupancy(x, np.zeros_like(x)), policy, rtol=1e-12)


def test_deterministic_occupancies_match_policy_evaluation() -> None:
    mdp = random_world(4)
    reward = np.random.default_rng(4).normal(size=(mdp.n_states, mdp.n_actions))
    actions, x = deterministic_occupancies(mdp, discount=0.8, chunk=7)  # several chunks
    assert actions.shape == (3**4, 4) and len({tuple(a) for a in actions}) == 81
    eye = np.eye(mdp.n_actions)
    for i in (0, 17, 80):
        expected = expected_return(mdp, reward, eye[actions[i]], horizon=None, discount=0.8)
        assert float(x[i] @ reward.ravel()) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(x.sum(axis=1), 1.0 / (1.0 - 0.8), rtol=1e-12)


def test_errors() -> None:
    mdp = random_world(5)
    with pytest.raises(ValueLearnInputError, match="max_policies"):
        deterministic_occupancies(mdp, discount=0.5, max_policies=10)
    with pytest.raises(ValueLearnInputError, match="below 1"):
        flow_constraints(mdp, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="initial"):
        flow_constraints(mdp, discount=0.5, initial=[1.0, 0.0])
