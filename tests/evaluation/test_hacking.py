"""Tests for valuelearn.evaluation._hacking: Skalse et al.'s definitions on finite policy sets,
their theorems, and over-optimisation curves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from valuelearn.data import MDP, gridworld
from valuelearn.evaluation._hacking import hackability, temperature_curve
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import expected_return, expected_reward, occupancy, value_iteration
from valuelearn.policy._occupancy_lp import deterministic_occupancies
from valuelearn.policy._uncertain import kl_regularized_plan


def pairwise(true: np.ndarray, proxy: np.ndarray) -> tuple[int, int, int, float]:
    """Reversed, merged and split pairs and the worst loss, by looping over all pairs."""
    reversed_, merged, split, loss = 0, 0, 0, 0.0
    for i, j in itertools.combinations(range(true.size), 2):
        dt, dp = np.sign(true[j] - true[i]), np.sign(proxy[j] - proxy[i])
        reversed_ += int(dt * dp < 0)
        merged += int(dt != 0 and dp == 0)
        split += int(dt == 0 and dp != 0)
        if dt * dp < 0:
            loss = max(loss, abs(true[j] - true[i]))
    return reversed_, merged, split, loss


def random_world(seed: int, n_states: int = 4, n_actions: int = 2) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states) * 0.5, size=(n_states, n_actions))
    return MDP.from_dense(transitions, initial=rng.dirichlet(np.ones(n_states)))


@pytest.mark.parametrize("seed", range(8))
def test_pair_counts_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    true = rng.integers(0, 6, size=n).astype(float)  # small ranges: many ties
    proxy = (true + rng.integers(-2, 3, size=n)).astype(float) if seed % 2 else rng.normal(size=n)
    got = hackability(true, proxy)
    reversed_, merged, split, loss = pairwise(true, proxy)
    assert (got.n_reversed, got.n_merged, got.n_split) == (reversed_, merged, split)
    assert got.worst_loss == pytest.approx(loss)
    assert got.hackable == (reversed_ > 0)
    assert got.n_pairs == n * (n - 1) // 2


def test_definitions_properties() -> None:
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=(3, 40))
    # Hackability is symmetric; merges and splits swap.
    ab, ba = hackability(a, b), hackability(b, a)
    assert ab.n_reversed == ba.n_reversed and ab.n_merged == ba.n_split
    # A positive affine map of the returns is equivalent; a negative one reverses every pair.
    assert hackability(a, 3.0 * a - 7.0).equivalent
    flipped = hackability(a, -a)
    assert flipped.n_reversed == flipped.n_pairs
    # Equivalence is transitive (through any increasing map).
    assert hackability(a, np.exp(a)).equivalent and hackability(np.exp(a), a**3).equivalent
    assert hackability(a, a**3).equivalent
    # A trivial proxy is unhackable with anything; rounding the true returns is a simplification.
    constant = hackability(a, np.zeros_like(a))
    assert (
        not constant.hackable and constant.proxy_trivial and constant.relation == "simplification"
    )
    coarse = hackability(a, np.round(a))
    assert coarse.relation == "simplification" and not coarse.proxy_trivial
    assert hackability(np.round(a), a).relation == "refinement"
    # Rounding noise is not a reversal.
    assert hackability(a, a + 1e-14 * c).equivalent
    merged_split = hackability(np.r_[0.0, 0.0, 1.0, 2.0], np.r_[0.0, 1.0, 2.0, 2.0])
    assert merged_split.relation == "unhackable"


def test_equivalent_rewards_on_every_deterministic_policy() -> None:
    # Potential shaping and positive scaling (Ng et al. 1999) change no order of policies.
    mdp = random_world(1)
    rng = np.random.default_rng(1)
    reward = rng.normal(size=(mdp.n_states, mdp.n_actions))
    potential = rng.normal(size=mdp.n_states)
    shaped = 2.5 * (reward[:, :, None] + 0.9 * potential[None, None, :] - potential[:, None, None])
    _, x = deterministic_occupancies(mdp, discount=0.9)
    true = x @ reward.ravel()
    proxy = x @ expected_reward(mdp, shaped).ravel()
    assert hackability(true, proxy).equivalent


@pytest.mark.parametrize("seed", range(3))
def test_open_sets_force_hacking_theorem_1(seed: int) -> None:
    # Skalse et al. Thm 1: on a set of policies containing an open set, two non-trivial rewards
    # are unhackable only if equivalent. A dense sample of stochastic policies around one policy
    # finds a reversal for a slightly different reward, and none for an equivalent one.
    mdp = random_world(10 + seed, n_states=3, n_actions=3)
    rng = np.random.default_rng(seed)
    reward = rng.normal(size=(mdp.n_states, mdp.n_actions))
    nearby = reward + 0.05 * rng.normal(size=reward.shape)
    centre = rng.dirichlet(np.ones(mdp.n_actions) * 5, size=mdp.n_states)
    policies = [
        0.9 * centre + 0.1 * rng.dirichlet(np.ones(mdp.n_actions), size=mdp.n_states)
        for _ in range(300)
    ]

    visits = np.array(
        [
            (occupancy(mdp, p, horizon=None, discount=0.8).total[:, None] * p).ravel()
            for p in policies
        ]
    )

    def returns(r: np.ndarray) -> np.ndarray:
        return visits @ r.ravel()

    assert hackability(returns(reward), returns(nearby)).hackable
    assert hackability(returns(reward), returns(4.0 * reward + 1.0)).equivalent


def test_finite_sets_allow_nontrivial_unhackable_proxies_theorem_2() -> None:
    # Skalse et al. Thm 2: on a finite policy set there are non-trivial, non-equivalent
    # unhackable proxies. With linearly independent occupancies any returns are some reward's:
    # ask for the true returns with the two best policies merged, solve for that reward.
    mdp = random_world(2, n_states=4, n_actions=3)
    rng = np.random.default_rng(2)
    _, x = deterministic_occupancies(mdp, discount=0.9)
    chosen = x[rng.choice(x.shape[0], size=6, replace=False)]
    assert np.linalg.matrix_rank(chosen) == 6
    reward = rng.normal(size=mdp.n_states * mdp.n_actions)
    true = chosen @ reward
    target = true.copy()
    top_two = np.argsort(true)[-2:]
    target[top_two] = true[top_two].mean()
    proxy_reward = np.linalg.lstsq(chosen, target, rcond=None)[0]
    result = hackability(true, chosen @ proxy_reward)
    assert result.relation == "simplification" and not result.proxy_trivial
    assert result.n_merged == 1
    # Over all 81 deterministic policies that same proxy does reverse some pairs.
    assert hackability(x @ reward, x @ proxy_reward).hackable


def test_overlooking_a_term_is_hackable_on_deterministic_policies() -> None:
    # Dropping a feature ("narrowing" the reward) reverses some order here: a leave-a-term-out
    # proxy is hackable (the paper's point that natural simplifications rarely are unhackable).
    mdp = gridworld(["SLG", "..."], absorbing="G")
    names = mdp.state_names or ()
    goal = np.array([n.endswith(":G") for n in names], dtype=float)
    lava = np.array([n.endswith(":L") for n in names], dtype=float)
    _, x = deterministic_occupancies(mdp, discount=0.9)
    true = x @ np.repeat(goal - 2.0 * lava, mdp.n_actions)
    proxy = x @ np.repeat(goal, mdp.n_actions)
    result = hackability(true, proxy)
    assert result.hackable
    # The worst move the proxy approves: from the detour (G at t = 4) to the shortcut through L
    # (L at t = 1, G at t = 2), which the proxy scores 0.9**2 / 0.1 against 0.9**4 / 0.1.
    shortcut = -2.0 * 0.9 + 0.9**2 / 0.1
    assert result.worst_loss == pytest.approx(0.9**4 / 0.1 - shortcut, rel=1e-9)


def test_temperature_curve_rises_then_falls_when_the_proxy_has_a_hack() -> None:
    # The proxy likes G as the truth does, but likes the dead end H even more.
    mdp = gridworld(["S..G", "....", "...H"], absorbing="GH")
    names = mdp.state_names or ()
    goal = np.array([n.endswith(":G") for n in names], dtype=float)
    hack = np.array([n.endswith(":H") for n in names], dtype=float)
    betas = [0.0, 0.3, 1.0, 3.0, 10.0, 100.0]
    curve = temperature_curve(
        mdp, goal, goal + 1.5 * hack, inverse_temperatures=betas, horizon=10, discount=1.0
    )
    uniform = np.full((mdp.n_states, 4), 0.25)
    assert curve.true_return[0] == pytest.approx(
        expected_return(mdp, goal, uniform, horizon=10, discount=1.0)
    )
    assert curve.kl[0] == 0.0
    assert np.all(np.diff(curve.kl) > 0) and np.all(np.diff(curve.proxy_return) > 0)
    assert 0 < curve.peak < len(betas) - 1  # Goodhart: better, then worse
    assert curve.true_return[-1] < 0.01 < curve.true_return[curve.peak] - 3.0
    best_proxy = value_iteration(mdp, goal + 1.5 * hack, horizon=10, discount=1.0).values[0]
    assert curve.proxy_return[-1] == pytest.approx(float(best_proxy @ mdp.initial), rel=1e-6)


def test_temperature_curve_kl_is_the_trajectory_kl() -> None:
    # Two steps in a two-state world: KL over trajectories = KL at t=0 + E[KL at t=1].
    mdp = random_world(6, n_states=2, n_actions=2)
    reward = np.array([[1.0, 0.0], [0.0, 2.0]])
    curve = temperature_curve(
        mdp, reward, reward, inverse_temperatures=[0.7], horizon=2, discount=1.0
    )
    uniform = np.full((2, 2), 0.5)
    plan = kl_regularized_plan(mdp, reward, uniform, strength=1 / 0.7, horizon=2, discount=1.0)
    per_step = occupancy(mdp, plan.policy, horizon=2, discount=1.0).per_step
    kl = np.sum(plan.policy * np.log(plan.policy / 0.5), axis=-1)
    assert curve.kl[0] == pytest.approx(float(np.sum(per_step * kl)), rel=1e-12)
    # The regularised value equals proxy return - KL / beta.
    assert float(plan.values[0] @ mdp.initial) == pytest.approx(
        curve.proxy_return[0] - curve.kl[0] / 0.7, rel=1e-9
    )


def test_errors() -> None:
    with pytest.raises(ValueLearnInputError, match="same shape"):
        hackability([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueLearnInputError, match="'true_returns' parameter"):
        hackability([[1.0]], [[1.0]])
    with pytest.raises(ValueLearnInputError, match="'proxy_returns' parameter"):
        hackability([1.0, 2.0], [1.0, np.nan])
    mdp = gridworld(["S.G"], absorbing="G")
    with pytest.raises(ValueLearnInputError, match="'inverse_temperatures' parameter"):
        temperature_curve(
            mdp, [0, 0, 1], [0, 0, 1], inverse_temperatures=[-1.0], horizon=3, discount=1.0
        )
