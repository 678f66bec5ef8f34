"""Tests for valuelearn.policy._constraints: hard rules and constrained MDPs (LP and Lagrangian)."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP, gridworld
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import expected_return, value_iteration
from valuelearn.policy._constraints import allowed_actions, constrained_plan, plan_with_rules
from valuelearn.policy._occupancy_lp import deterministic_occupancies

METHODS = ("lp", "lagrangian")


def random_world(seed: int, n_states: int = 5, n_actions: int = 3) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states) * 0.4, size=(n_states, n_actions))
    return MDP.from_dense(transitions, initial=rng.dirichlet(np.ones(n_states)))


def deterministic_returns(mdp: MDP, reward: np.ndarray, discount: float) -> np.ndarray:
    """Returns of every deterministic stationary policy (brute force)."""
    _, occupancies = deterministic_occupancies(mdp, discount=discount)
    return occupancies @ np.broadcast_to(reward, (mdp.n_states, mdp.n_actions)).ravel()


@pytest.mark.parametrize("method", METHODS)
def test_hand_solved_bandit_with_two_budgets(method: str) -> None:
    # One state; action 0 earns 0, action 1 earns 1 at cost c1 = 1, action 2 earns 2 at c2 = 1.
    # Total occupancy 1 / (1 - 0.9) = 10; x1 <= 2, x2 <= 3 -> x = (5, 2, 3), J = 2 + 6 = 8,
    # and the shadow prices are the rewards given up per unit of budget: 1 and 2.
    mdp = MDP.from_dense(np.ones((1, 3, 1)), initial=[1.0])
    reward = [[0.0, 1.0, 2.0]]
    costs = [[[0.0, 1.0, 0.0]], [[0.0, 0.0, 1.0]]]
    plan = constrained_plan(mdp, reward, costs, [2.0, 3.0], discount=0.9, method=method)
    np.testing.assert_allclose(plan.policy, [[0.5, 0.2, 0.3]], atol=1e-9)
    assert plan.value == pytest.approx(8.0, abs=1e-9)
    np.testing.assert_allclose(plan.costs, [2.0, 3.0], atol=1e-9)
    np.testing.assert_allclose(plan.multipliers, [1.0, 2.0], atol=1e-7)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_constraints", [1, 2])
def test_lp_and_lagrangian_agree_and_meet_the_limits(seed: int, n_constraints: int) -> None:
    discount = 0.9
    mdp = random_world(seed)
    rng = np.random.default_rng(100 + seed)
    reward = rng.normal(size=(mdp.n_states, mdp.n_actions))
    costs = rng.uniform(0, 1, size=(n_constraints, mdp.n_states, mdp.n_actions))
    # Limits spent by a random policy: feasible by construction, and binding unless that
    # policy happens to beat the unconstrained optimum's costs.
    spender = rng.dirichlet(np.ones(mdp.n_actions), size=mdp.n_states)
    limits = [expected_return(mdp, c, spender, horizon=None, discount=discount) for c in costs]
    if n_constraints == 1:  # halfway between the cheapest policy and the unconstrained optimum
        free = value_iteration(mdp, reward, horizon=None, discount=discount).policy
        spent = expected_return(mdp, costs[0], free, horizon=None, discount=discount)
        least = -value_iteration(mdp, -costs[0], horizon=None, discount=discount).values
        limits = [0.5 * (spent + float(least @ mdp.initial))]
    plans = {
        m: constrained_plan(mdp, reward, costs, limits, discount=discount, method=m)
        for m in METHODS
    }
    lp, lagrange = plans["lp"], plans["lagrangian"]
    assert lagrange.value == pytest.approx(lp.value, rel=1e-7, abs=1e-7)
    for plan in plans.values():
        assert np.all(plan.costs <= np.asarray(limits) + 1e-7)
        # The extracted policy really earns what the occupancy says, and spends the costs.
        assert expected_return(
            mdp, reward, plan.policy, horizon=None, discount=discount
        ) == pytest.approx(plan.value, rel=1e-8, abs=1e-8)
        for k, cost in enumerate(costs):
            assert expected_return(
                mdp, cost, plan.policy, horizon=None, discount=discount
            ) == pytest.approx(plan.costs[k], rel=1e-7, abs=1e-8)
        # Strong duality: the primal value equals the dual function at the multipliers.
        relaxed = reward - np.tensordot(plan.multipliers, costs, axes=1)
        dual = value_iteration(mdp, relaxed, horizon=None, discount=discount).values
        assert float(dual @ mdp.initial + plan.multipliers @ limits) == pytest.approx(
            plan.value, rel=1e-6, abs=1e-6
        )
    np.testing.assert_allclose(lagrange.multipliers, lp.multipliers, rtol=1e-5, atol=1e-6)
    if n_constraints == 1:
        assert lp.multipliers[0] > 0.01  # the limit binds
    # Randomising beats every deterministic policy that meets the limits, and never the
    # unconstrained optimum.
    returns = deterministic_returns(mdp, reward, discount)
    feasible = np.all(
        np.stack([deterministic_returns(mdp, c, discount) for c in costs]) <= np.c_[limits],
        axis=0,
    )
    assert lp.value >= returns[feasible].max() - 1e-9 if feasible.any() else True
    assert lp.value <= returns.max() + 1e-9


def test_slack_limit_gives_the_unconstrained_optimum_with_zero_multiplier() -> None:
    mdp = random_world(7)
    reward = np.random.default_rng(7).normal(size=(mdp.n_states, mdp.n_actions))
    costs = np.ones((1, mdp.n_states, mdp.n_actions))
    for method in METHODS:
        plan = constrained_plan(mdp, reward, costs, [100.0], discount=0.8, method=method)
        best = value_iteration(mdp, reward, horizon=None, discount=0.8).values @ mdp.initial
        assert plan.value == pytest.approx(best, rel=1e-9)
        assert plan.multipliers.tolist() == [0.0]


def test_allowed_actions_is_the_greatest_fixed_point() -> None:
    # Deterministic: only the step into L is forbidden. With slip every action from r0c1 may slide
    # into L, so r0c1 is unsafe, and then so is S (it may slide into r0c1): nothing is allowed.
    exact = gridworld(["S.L"], absorbing="L")
    allowed = allowed_actions(exact, forbidden_states=np.array([False, False, True]))
    assert allowed.astype(int).tolist() == [[1, 1, 1, 1], [1, 1, 1, 0], [0, 0, 0, 0]]
    slippery = gridworld(["S.L"], absorbing="L", slip=0.2)
    assert not allowed_actions(slippery, forbidden_states=[2]).any()
    with pytest.raises(ValueLearnInputError, match="no policy keeps to the rules from start state"):
        plan_with_rules(
            slippery,
            [0.0, 0.0, 1.0],
            allowed=allowed_actions(slippery, forbidden_states=[2]),
            horizon=None,
            discount=0.9,
        )
    # A forbidden action propagates too: forbidding "left" and "up"/"down" (self-loops) in r0c1
    # leaves only "right" (into L), so r0c1 becomes unsafe and S may not step right.
    forbid = np.zeros((3, 4), dtype=bool)
    forbid[1, :3] = True
    allowed = allowed_actions(exact, forbidden_states=[2], forbidden_actions=forbid)
    assert allowed.astype(int).tolist() == [[1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]


@pytest.mark.parametrize("horizon", [None, 6])
def test_hard_rules_equal_a_zero_cost_budget(horizon: int | None) -> None:
    # A grid where the reward lures the planner through "L" cells; forbidding them must equal the
    # constrained MDP "expected time in L <= 0" (deterministic moves), and the rule-following
    # value must equal value iteration on the reward with L made a wall-like dead end.
    mdp = gridworld(["S.L.G", "....."], absorbing="G")
    lava = np.array([name.endswith(":L") for name in mdp.state_names or ()])
    reward = np.where(lava, 0.5, 0.0) + np.array(
        [name.endswith(":G") for name in mdp.state_names or ()], dtype=float
    )
    allowed = allowed_actions(mdp, forbidden_states=lava)
    ruled = plan_with_rules(mdp, reward, allowed=allowed, horizon=horizon, discount=0.9)
    visits_lava = expected_return(mdp, lava.astype(float), ruled, horizon=horizon, discount=0.9)
    assert visits_lava == 0.0
    free = value_iteration(mdp, reward, horizon=horizon, discount=0.9)
    assert expected_return(mdp, lava.astype(float), free, horizon=horizon, discount=0.9) > 0
    if horizon is None:
        budget = constrained_plan(mdp, reward, lava[None].astype(float), [0.0], discount=0.9)
        ruled_value = expected_return(mdp, reward, ruled, horizon=None, discount=0.9)
        assert ruled_value == pytest.approx(budget.value, rel=1e-9)
        assert float(ruled.values[0]) == pytest.approx(ruled_value, rel=1e-9)  # S is state 0
        # the detour: S r0c1 down r1c1 r1c2 r1c3 up G -> G first occupied at t = 6
        assert ruled_value == pytest.approx(0.9**6 / 0.1, rel=1e-12)
    assert np.all(ruled.policy[..., lava, :] >= 0)
    assert np.isneginf(ruled.values[..., lava]).all()


def test_soft_planning_with_rules_renormalises_over_allowed_actions() -> None:
    mdp = gridworld(["S.L", "..G"], absorbing="LG")
    reward = [0.0, 0.0, 2.0, 0.0, 0.0, 1.0]
    allowed = allowed_actions(mdp, forbidden_states=[2])
    plan = plan_with_rules(
        mdp, reward, allowed=allowed, horizon=None, discount=0.9, temperature=0.5
    )
    assert plan.policy[1, 3] == 0.0  # never right into L
    q = plan.q_values[1]
    expected = np.exp((q[allowed[1]] - q[allowed[1]].max()) / 0.5)
    np.testing.assert_allclose(plan.policy[1, allowed[1]], expected / expected.sum(), rtol=1e-9)
    assert np.isneginf(q[3])


def test_errors_are_one_line_and_name_the_problem() -> None:
    mdp = MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])
    reward, costs = [[0.0, 1.0]], [[[1.0, 1.0]]]
    with pytest.raises(ValueLearnInputError, match="smallest achievable expected cost is 10"):
        constrained_plan(mdp, reward, costs, [5.0], discount=0.9)
    with pytest.raises(ValueLearnInputError, match="no policy meets the cost limits"):
        constrained_plan(mdp, reward, costs, [5.0], discount=0.9, method="lagrangian")
    with pytest.raises(ValueLearnInputError, match="'limits' parameter"):
        constrained_plan(mdp, reward, costs, [5.0, 1.0], discount=0.9)
    with pytest.raises(ValueLearnInputError, match="'method' parameter"):
        constrained_plan(mdp, reward, costs, [50.0], discount=0.9, method="dual")  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="below 1"):
        constrained_plan(mdp, reward, costs, [50.0], discount=1.0)
    with pytest.raises(ValueLearnInputError, match="'costs' parameter"):
        constrained_plan(mdp, reward, [[1.0, 2.0, 3.0]], [50.0], discount=0.9)
    with pytest.raises(ValueLearnInputError, match="'forbidden_states' parameter"):
        allowed_actions(mdp, forbidden_states=[3])
    with pytest.raises(ValueLearnInputError, match="'allowed' parameter"):
        plan_with_rules(mdp, reward, allowed=[[1, 1]], horizon=None, discount=0.9)
