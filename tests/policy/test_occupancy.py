"""Tests for valuelearn.policy._occupancy: forward pass, policy evaluation, returns."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP
from valuelearn.data._diagnostics import reasonable_mdp
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import (
    expected_return,
    occupancy,
    policy_evaluation,
    soft_value_iteration,
)


def random_dense_mdp(n_states: int, n_actions: int, seed: int) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states) * 0.5, size=(n_states, n_actions))
    return MDP.from_dense(transitions, initial=rng.dirichlet(np.ones(n_states)))


@pytest.mark.parametrize("discount", [0.0, 0.5, 0.9, 0.99, 1.0])
def test_finite_occupancy_totals(discount: float) -> None:
    mdp, reward = reasonable_mdp()
    pi = soft_value_iteration(mdp, reward, horizon=20, discount=discount).policy
    occ = occupancy(mdp, pi, horizon=20, discount=discount)
    expected = 20.0 if discount == 1.0 else (1 - discount**20) / (1 - discount)
    assert occ.total.sum() == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(occ.per_step[0], mdp.initial)
    np.testing.assert_allclose(occ.per_step.sum(axis=1), 1.0)
    # imitation's convention keeps H + 1 rows and sums to (1 - g^(H+1)) / (1 - g)
    D, Dcum = occ.imitation()
    assert D.shape == (21, 5)
    expected_imitation = 21.0 if discount == 1.0 else (1 - discount**21) / (1 - discount)
    assert Dcum.sum() == pytest.approx(expected_imitation, rel=1e-12)


def test_finite_occupancy_matches_dense_forward_pass() -> None:
    mdp = random_dense_mdp(6, 3, seed=0)
    rng = np.random.default_rng(1)
    pi = rng.dirichlet(np.ones(3), size=(5, 6))
    T = mdp.dense_transitions()
    D = [mdp.initial]
    for t in range(5):
        D.append(np.einsum("s,sa,sax->x", D[-1], pi[t], T))
    occ = occupancy(mdp, pi, horizon=5, discount=0.7)
    np.testing.assert_allclose(occ.per_step, np.array(D[:5]), atol=1e-14)
    np.testing.assert_allclose(occ.final, D[5], atol=1e-14)
    np.testing.assert_allclose(occ.total, sum(0.7**t * D[t] for t in range(5)), atol=1e-14)


def test_infinite_occupancy_is_the_linear_solve_and_sums_to_effective_horizon() -> None:
    mdp = random_dense_mdp(7, 2, seed=2)
    pi = np.random.default_rng(3).dirichlet(np.ones(2), size=7)
    occ = occupancy(mdp, pi, horizon=None, discount=0.9)
    P_pi = np.einsum("sa,sax->sx", pi, mdp.dense_transitions())
    direct = np.linalg.solve(np.eye(7) - 0.9 * P_pi.T, mdp.initial)
    np.testing.assert_allclose(occ.total, direct, atol=1e-12)
    assert occ.total.sum() == pytest.approx(10.0)
    # the long finite horizon converges to it
    long = occupancy(mdp, pi, horizon=400, discount=0.9)
    np.testing.assert_allclose(long.total, occ.total, atol=1e-12)


def test_occupancy_is_the_gradient_of_the_soft_value() -> None:
    # d/dR(s) of sum_s0 rho(s0) V_0(s0) equals the discounted occupancy of the soft policy.
    mdp = random_dense_mdp(5, 3, seed=4)
    reward = np.random.default_rng(5).normal(size=5)
    for horizon, discount in ((6, 1.0), (6, 0.8), (None, 0.8)):
        plan = soft_value_iteration(mdp, reward, horizon=horizon, discount=discount)
        occ = occupancy(mdp, plan.policy, horizon=horizon, discount=discount)
        numeric = np.empty(5)
        for s in range(5):
            bump = np.zeros(5)
            bump[s] = 1e-6
            hi = soft_value_iteration(mdp, reward + bump, horizon=horizon, discount=discount)
            lo = soft_value_iteration(mdp, reward - bump, horizon=horizon, discount=discount)
            v_hi = hi.values[0] if hi.values.ndim == 2 else hi.values
            v_lo = lo.values[0] if lo.values.ndim == 2 else lo.values
            numeric[s] = mdp.initial @ (v_hi - v_lo) / 2e-6
        np.testing.assert_allclose(occ.total, numeric, rtol=1e-6, atol=1e-8)


def test_expected_return_equals_initial_value() -> None:
    mdp = random_dense_mdp(6, 3, seed=6)
    reward = np.random.default_rng(7).normal(size=(6, 3, 6))
    for horizon, discount in ((7, 1.0), (7, 0.9), (None, 0.9)):
        pi = soft_value_iteration(mdp, reward, horizon=horizon, discount=discount).policy
        values = policy_evaluation(mdp, reward, pi, horizon=horizon, discount=discount).values
        first = values[0] if values.ndim == 2 else values
        J = expected_return(mdp, reward, pi, horizon=horizon, discount=discount)
        assert J == pytest.approx(float(mdp.initial @ first), rel=1e-10)


def test_stationary_policy_in_finite_horizon() -> None:
    mdp = random_dense_mdp(4, 2, seed=8)
    pi = np.full((4, 2), 0.5)
    a = occupancy(mdp, pi, horizon=6, discount=0.9)
    b = occupancy(mdp, np.broadcast_to(pi, (6, 4, 2)), horizon=6, discount=0.9)
    np.testing.assert_allclose(a.total, b.total)


def test_bad_policies_are_rejected_with_their_problem() -> None:
    mdp = random_dense_mdp(3, 2, seed=9)
    with pytest.raises(ValueLearnInputError, match="sums to 0.9"):
        occupancy(mdp, np.full((3, 2), 0.45), horizon=2, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="shape"):
        occupancy(mdp, np.full((3, 3), 1 / 3), horizon=2, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="covers 4 time steps"):
        occupancy(mdp, np.full((4, 3, 2), 0.5), horizon=2, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="finite `horizon`"):
        occupancy(mdp, np.full((4, 3, 2), 0.5), horizon=None, discount=0.9)
    with pytest.raises(ValueLearnInputError, match="initial"):
        occupancy(mdp, np.full((3, 2), 0.5), horizon=2, discount=1.0, initial=[1.0, 1.0, 0.0])
    with pytest.raises(ValueLearnInputError, match="finite horizon"):
        occupancy(mdp, np.full((3, 2), 0.5), horizon=None, discount=0.5).imitation()
