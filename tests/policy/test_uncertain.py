"""Tests for valuelearn.policy._uncertain: CVaR planning, KL-regularised planning, outcomes."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory, gridworld
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import expected_return, policy_evaluation, value_iteration
from valuelearn.policy._occupancy_lp import deterministic_occupancies
from valuelearn.policy._uncertain import (
    conditional_value_at_risk,
    cvar_plan,
    habitual_policy,
    kl_regularized_plan,
    posterior_outcomes,
)


def random_world(seed: int, n_states: int = 4, n_actions: int = 3) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states) * 0.4, size=(n_states, n_actions))
    return MDP.from_dense(transitions, initial=rng.dirichlet(np.ones(n_states)))


def all_deterministic_returns(mdp: MDP, draws: np.ndarray, discount: float) -> np.ndarray:
    """``J_{R_i}(pi)`` for every deterministic policy (rows) and draw (columns)."""
    _, occupancies = deterministic_occupancies(mdp, discount=discount)
    return occupancies @ draws.reshape(draws.shape[0], -1).T


def cvar_by_definition(values: np.ndarray, alpha: float, weights: np.ndarray) -> float:
    # max over sigma of sigma - E[(sigma - X)+] / (1 - alpha); the maximum is at a sample value
    return max(s - float(weights @ np.maximum(s - values, 0.0)) / (1.0 - alpha) for s in values)


@pytest.mark.parametrize("seed", range(3))
def test_cvar_matches_the_rockafellar_uryasev_form(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=9)
    weights = rng.dirichlet(np.ones(9))
    for alpha in (0.0, 0.3, 0.75, 0.95):
        got = conditional_value_at_risk(values, alpha=alpha, weights=weights)
        assert got == pytest.approx(cvar_by_definition(values, alpha, weights), abs=1e-12)
    assert conditional_value_at_risk(values, alpha=0.0, weights=weights) == pytest.approx(
        weights @ values
    )
    assert conditional_value_at_risk(values, alpha=1.0) == values.min()


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("alpha", [0.5, 0.8, 1.0])
def test_cvar_plan_beats_every_deterministic_and_the_mean_policy(seed: int, alpha: float) -> None:
    discount = 0.8
    mdp = random_world(seed)
    rng = np.random.default_rng(50 + seed)
    draws = rng.normal(size=(6, mdp.n_states, mdp.n_actions))
    plan = cvar_plan(mdp, draws, discount=discount, alpha=alpha)
    returns = all_deterministic_returns(mdp, draws, discount)
    best_deterministic = max(conditional_value_at_risk(row, alpha=alpha) for row in returns)
    assert plan.cvar >= best_deterministic - 1e-9
    mean_policy = value_iteration(mdp, draws.mean(axis=0), horizon=None, discount=discount).policy
    mean_returns = [
        expected_return(mdp, d, mean_policy, horizon=None, discount=discount) for d in draws
    ]
    assert plan.cvar >= conditional_value_at_risk(mean_returns, alpha=alpha) - 1e-9
    # The extracted policy earns what the LP says under every draw.
    for d, got in zip(draws, plan.returns, strict=True):
        assert expected_return(mdp, d, plan.policy, horizon=None, discount=discount) == (
            pytest.approx(got, rel=1e-8, abs=1e-9)
        )
    assert plan.mean <= float(np.mean(mean_returns)) + 1e-9  # the mean policy is best on average


def test_cvar_plan_limits_are_the_mean_and_the_max_min() -> None:
    mdp = random_world(11)
    draws = np.random.default_rng(11).normal(size=(5, mdp.n_states, mdp.n_actions))
    best_mean = value_iteration(mdp, draws.mean(axis=0), horizon=None, discount=0.7).values
    neutral = cvar_plan(mdp, draws, discount=0.7, alpha=0.0)
    assert neutral.cvar == pytest.approx(float(best_mean @ mdp.initial), rel=1e-8)
    blended = cvar_plan(mdp, draws, discount=0.7, alpha=0.9, mean_weight=1.0)
    assert blended.mean == pytest.approx(float(best_mean @ mdp.initial), rel=1e-8)
    worst = cvar_plan(mdp, draws, discount=0.7, alpha=1.0)
    tail = cvar_plan(mdp, draws, discount=0.7, alpha=0.95)  # 1 - 0.95 < 1/5: the worst draw
    assert worst.cvar == pytest.approx(tail.cvar, rel=1e-8)
    assert worst.cvar == pytest.approx(worst.returns.min(), rel=1e-12)


def test_cvar_plan_hedges_against_a_value_the_data_never_pinned_down() -> None:
    # S can walk right through "?" (2 steps to G) or around it (4 steps). Half the draws say "?"
    # is harmless, half that it is terrible: the mean policy cuts through, CVaR walks around.
    mdp = gridworld(["S?G", "..."], absorbing="G", discount=0.9)
    names = mdp.state_names or ()
    goal = np.array([n.endswith(":G") for n in names], dtype=float)
    unknown = np.array([n.endswith(":?") for n in names], dtype=float)
    draws = np.array([goal + v * unknown for v in (0.5, 0.5, 0.5, -2.0)])
    mean = value_iteration(mdp, draws.mean(axis=0), horizon=None, discount=0.9).policy
    risky = posterior_outcomes(
        mdp, mean, draws, true_reward=draws[3], bad_states=unknown > 0, discount=0.9, alpha=0.75
    )
    careful = cvar_plan(mdp, draws, discount=0.9, alpha=0.75)
    safe = posterior_outcomes(
        mdp,
        careful.policy,
        draws,
        true_reward=draws[3],
        bad_states=unknown > 0,
        discount=0.9,
        alpha=0.75,
    )
    assert risky["bad_visits"] == pytest.approx(0.1 * 0.9)  # on "?" at t = 1, of 1 / (1 - 0.9)
    assert safe["bad_visits"] == 0.0
    assert safe["true_return"] == pytest.approx(0.9**4 / 0.1)
    assert risky["true_return"] == pytest.approx(-2.0 * 0.9 + 0.9**2 / 0.1)
    assert safe["cvar_return"] == pytest.approx(careful.cvar)
    assert safe["worst_return"] > risky["worst_return"]
    assert risky["mean_return"] > safe["mean_return"]


@pytest.mark.parametrize("horizon", [None, 5])
def test_kl_plan_values_are_the_regularised_returns_and_optimal(horizon: int | None) -> None:
    mdp = random_world(5)
    rng = np.random.default_rng(5)
    reward = rng.normal(size=(mdp.n_states, mdp.n_actions))
    prior = rng.dirichlet(np.ones(mdp.n_actions), size=mdp.n_states)
    strength = 0.7
    plan = kl_regularized_plan(mdp, reward, prior, strength=strength, horizon=horizon, discount=0.9)

    def regularised(policy: np.ndarray) -> np.ndarray:
        kl = np.sum(policy * np.log(policy / prior), axis=-1)
        if policy.ndim == 2:
            penalised = reward - strength * kl[:, None]
            return policy_evaluation(mdp, penalised, policy, horizon=None, discount=0.9).values
        values = np.zeros(mdp.n_states)
        dense = mdp.dense_transitions()
        out = np.empty((policy.shape[0], mdp.n_states))
        for t in range(policy.shape[0] - 1, -1, -1):
            q = reward + 0.9 * dense @ values
            values = np.sum(policy[t] * q, axis=1) - strength * kl[t]
            out[t] = values
        return out

    own = regularised(plan.policy)
    np.testing.assert_allclose(own, plan.values, rtol=1e-8, atol=1e-8)
    for _ in range(5):  # no nearby policy does better anywhere
        noise = rng.dirichlet(np.ones(mdp.n_actions), size=plan.policy.shape[:-1])
        other = 0.9 * plan.policy + 0.1 * noise
        assert np.all(regularised(other) <= own + 1e-10)


def test_kl_plan_moves_between_the_default_and_the_greedy_policy() -> None:
    mdp = random_world(8)
    rng = np.random.default_rng(8)
    reward = rng.normal(size=(mdp.n_states, mdp.n_actions))
    prior = rng.dirichlet(np.ones(mdp.n_actions), size=mdp.n_states)
    loose = kl_regularized_plan(mdp, reward, prior, strength=1e4, horizon=None, discount=0.5)
    np.testing.assert_allclose(loose.policy, prior, atol=1e-3)
    tight = kl_regularized_plan(mdp, reward, prior, strength=1e-4, horizon=None, discount=0.5)
    greedy = value_iteration(mdp, reward, horizon=None, discount=0.5).policy
    np.testing.assert_allclose(tight.policy, greedy, atol=1e-6)
    # Actions the default never takes are never taken, whatever they earn.
    blocked = prior.copy()
    blocked[:, 0] = 0.0
    blocked /= blocked.sum(axis=1, keepdims=True)
    boosted = reward.copy()
    boosted[:, 0] += 100.0
    plan = kl_regularized_plan(mdp, boosted, blocked, strength=0.1, horizon=None, discount=0.5)
    assert np.all(plan.policy[:, 0] == 0.0)


def test_habitual_policy_and_errors() -> None:
    mdp = MDP.from_dense(np.ones((2, 2, 2)) / 2, initial=[1.0, 0.0])
    demos = Demonstrations([Trajectory([0, 0, 1], [0, 1])])
    stay = np.array([[1.0, 0.0], [1.0, 0.0]])
    got = habitual_policy(mdp, demos, prior_strength=2.0, default_policy=stay)
    np.testing.assert_allclose(got, [[0.75, 0.25], [1.0, 0.0]])
    with pytest.raises(ValueLearnInputError, match="'prior_strength' parameter"):
        habitual_policy(mdp, demos, prior_strength=0.0)
    with pytest.raises(ValueLearnInputError, match="'strength' parameter"):
        kl_regularized_plan(mdp, [0.0, 1.0], stay, strength=0.0, horizon=1, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="'default_policy' parameter"):
        kl_regularized_plan(mdp, [0.0, 1.0], stay * 0.5, strength=1.0, horizon=1, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="infinite horizon"):
        kl_regularized_plan(mdp, [0.0, 1.0], stay, strength=1.0, horizon=None, discount=1.0)
    with pytest.raises(ValueLearnInputError, match="'alpha' parameter"):
        cvar_plan(mdp, [[0.0, 1.0]], discount=0.5, alpha=1.5)
    with pytest.raises(ValueLearnInputError, match="'mean_weight' parameter"):
        cvar_plan(mdp, [[0.0, 1.0]], discount=0.5, mean_weight=2.0)
    with pytest.raises(ValueLearnInputError, match="'rewards' parameter"):
        cvar_plan(mdp, [[0.0, 1.0, 2.0]], discount=0.5)
    with pytest.raises(ValueLearnInputError, match="'weights' parameter"):
        cvar_plan(mdp, [[0.0, 1.0]], discount=0.5, weights=[1.0, 1.0])
    with pytest.raises(ValueLearnInputError, match="'bad_states' parameter"):
        posterior_outcomes(
            mdp, stay, [[0.0, 1.0]], true_reward=[0.0, 1.0], bad_states=[True], discount=0.5
        )
