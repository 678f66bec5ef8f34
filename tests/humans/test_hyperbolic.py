"""Tests for valuelearn.humans._hyperbolic: naive and sophisticated hyperbolic discounting."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._hyperbolic import HyperbolicDiscounting, hyperbolic_value_iteration
from valuelearn.policy import soft_value_iteration, value_iteration

# ---------------------------------------------------------------- the Donut world
START, FORK, DONUT, VEG, DONE = 0, 1, 16, 17, 18
VEG_REWARD, DONUT_REWARD = 100.0, 27.5


def donut_world() -> MDP:
    """Two roads from START to the vegetarian restaurant (VEG, reward 100).

    Road A (action 0 at START) reaches VEG at step 8 and passes FORK at step 1, where action 1
    leads to DONUT (reward 27.5) one step later. Road B (action 1 at START, states 8..15) reaches
    VEG at step 9 and passes no donut. With k = 1 (w(d) = 1/(1 + d)) a naive agent plans road A
    to VEG (100/9 > 100/10 > 27.5/3) but at FORK prefers the donut (27.5/2 > 100/8); a
    sophisticated agent foresees that and takes road B (100/10 > 27.5/3); a time-consistent one
    takes road A to VEG.
    """
    n_states = 19
    nxt = np.zeros((n_states, 2), dtype=int)
    nxt[START] = [FORK, 8]
    nxt[FORK] = [2, DONUT]
    for s in range(2, 7):
        nxt[s] = s + 1
    nxt[7] = VEG
    for s in range(8, 15):
        nxt[s] = s + 1
    nxt[15] = VEG
    nxt[DONUT] = nxt[VEG] = nxt[DONE] = DONE
    T = np.zeros((n_states, 2, n_states))
    T[np.arange(n_states)[:, None], np.arange(2)[None, :], nxt] = 1.0
    initial = np.zeros(n_states)
    initial[START] = 1.0
    return MDP.from_dense(T, initial=initial)


def donut_reward(donut: float = DONUT_REWARD) -> np.ndarray:
    reward = np.zeros(19)
    reward[VEG], reward[DONUT] = VEG_REWARD, donut
    return reward


def walk(person: HyperbolicDiscounting, reward: np.ndarray) -> list[int]:
    demos = person.simulate(donut_world(), reward, n=1, horizon=10, discount=1.0, rng=0)
    return demos[0].states.tolist()


def test_time_consistent_agent_takes_the_short_road_to_veg() -> None:
    states = walk(HyperbolicDiscounting(k=0.0, temperature=0.0), donut_reward())
    assert states[:10] == [START, FORK, 2, 3, 4, 5, 6, 7, VEG, DONE]


def test_naive_agent_is_tempted_by_the_donut() -> None:
    person = HyperbolicDiscounting(k=1.0, max_delay=10, kind="naive", temperature=0.0)
    assert walk(person, donut_reward())[:4] == [START, FORK, DONUT, DONE]
    # At START it plans road A to VEG: Q = 100 / (1 + 8), better than road B (100 / 10) ...
    plan = person.plan(donut_world(), donut_reward(), horizon=10, discount=1.0)
    np.testing.assert_allclose(plan.q_values[0, START, 0], [100 / 9, 100 / 10])
    # ... but at FORK, one step later, the donut one step away beats VEG seven steps away.
    np.testing.assert_allclose(plan.q_values[1, FORK, 0], [100 / 8, 27.5 / 2])


def test_sophisticated_agent_avoids_the_donut_road() -> None:
    person = HyperbolicDiscounting(k=1.0, max_delay=10, kind="sophisticated", temperature=0.0)
    assert walk(person, donut_reward()) == [START, *range(8, 16), VEG, DONE]
    # It values road A by what its future self will do there: eat the donut two steps ahead.
    plan = person.plan(donut_world(), donut_reward(), horizon=10, discount=1.0)
    np.testing.assert_allclose(plan.q_values[0, START, 0], [27.5 / 3, 100 / 10])


def test_naive_and_sophisticated_coincide_without_temptation() -> None:
    # Without the donut every self, at every delay, prefers the same actions, so the hard agents
    # agree everywhere (values included), whatever k.
    mdp, reward = donut_world(), donut_reward(donut=0.0)
    for k in (0.5, 1.0, 4.0):
        naive = HyperbolicDiscounting(k=k, kind="naive", temperature=0.0)
        sophisticated = dataclasses.replace(naive, kind="sophisticated")
        a = naive.plan(mdp, reward, horizon=10, discount=1.0)
        b = sophisticated.plan(mdp, reward, horizon=10, discount=1.0)
        np.testing.assert_allclose(a.policy, b.policy, atol=1e-12)
        np.testing.assert_allclose(a.values, b.values, atol=1e-12)
        assert walk(sophisticated, reward)[:9] == [START, FORK, 2, 3, 4, 5, 6, 7, VEG]
    # With the donut they disagree at START (the classic result above).
    tempted = donut_reward()
    naive = HyperbolicDiscounting(k=1.0, kind="naive", temperature=0.0)
    a_policy = naive.policy(mdp, tempted, horizon=10, discount=1.0)
    b_policy = dataclasses.replace(naive, kind="sophisticated").policy(
        mdp, tempted, horizon=10, discount=1.0
    )
    assert a_policy[0, START, 0] == 1.0 and b_policy[0, START, 1] == 1.0


def random_dense_mdp(n_states: int, n_actions: int, seed: int) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states), size=(n_states, n_actions))
    return MDP.from_dense(transitions, initial=rng.dirichlet(np.ones(n_states)))


@pytest.mark.parametrize("kind", ["naive", "sophisticated"])
def test_k_zero_is_soft_value_iteration(kind: str) -> None:
    mdp = random_dense_mdp(7, 3, seed=0)
    reward = np.random.default_rng(1).normal(size=(7, 3))
    plan = hyperbolic_value_iteration(
        mdp, reward, horizon=6, discount=0.9, k=0.0, max_delay=3, kind=kind, temperature=0.7
    )  # type: ignore[arg-type]
    soft = soft_value_iteration(mdp, reward, horizon=6, discount=0.9, temperature=0.7)
    np.testing.assert_allclose(plan.policy, soft.policy, atol=1e-12)
    for d in range(4):
        np.testing.assert_allclose(plan.values[:, :, d], soft.values, atol=1e-10)


@pytest.mark.parametrize("kind", ["naive", "sophisticated"])
def test_k_zero_at_zero_temperature_is_value_iteration(kind: str) -> None:
    mdp = random_dense_mdp(7, 3, seed=2)
    reward = np.random.default_rng(3).normal(size=7)
    plan = hyperbolic_value_iteration(
        mdp, reward, horizon=5, discount=1.0, k=0.0, max_delay=2, kind=kind, temperature=0.0
    )  # type: ignore[arg-type]
    exact = value_iteration(mdp, reward, horizon=5, discount=1.0)
    np.testing.assert_allclose(plan.policy, exact.policy, atol=1e-12)
    np.testing.assert_allclose(plan.values[:, :, 0], exact.values, atol=1e-12)


def two_state_mdp() -> MDP:
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=[1.0, 0.0])


def test_hand_computed_likelihood() -> None:
    # H = 2, R = [0, 1], k = 1, temperature 1. At t = 1 state 1 pays w(d) for both actions and
    # the naive self at delay 1 values it w(1) (1 + log 2) = (1 + log 2) / 2; staying in state 0
    # is worth w(1) log 2. So pi_0(1 | 0) = sigmoid(1/2), and pi_1(. | 1) is uniform.
    person = HyperbolicDiscounting(k=1.0, max_delay=3, temperature=1.0)
    demos = Demonstrations([Trajectory([0, 1, 1], [1, 1])])
    expected = -np.log1p(np.exp(-0.5)) + np.log(0.5)
    got = person.log_likelihood(two_state_mdp(), [0.0, 1.0], demos, horizon=2, discount=1.0)
    assert got == pytest.approx(expected, abs=1e-12)
    # A time-consistent person would prefer moving more strongly: sigmoid(1).
    consistent = dataclasses.replace(person, k=0.0)
    got_k0 = consistent.log_likelihood(two_state_mdp(), [0.0, 1.0], demos, horizon=2, discount=1.0)
    assert got_k0 == pytest.approx(-np.log1p(np.exp(-1.0)) + np.log(0.5), abs=1e-12)


def test_simulated_action_frequencies_match_the_policy() -> None:
    mdp = random_dense_mdp(5, 3, seed=4)
    reward = np.random.default_rng(5).normal(size=5) * 3
    person = HyperbolicDiscounting(k=2.0, max_delay=4, kind="sophisticated", temperature=1.0)
    policy = person.policy(mdp, reward, horizon=4, discount=1.0)
    demos = person.simulate(mdp, reward, n=6000, horizon=4, discount=1.0, rng=7)
    states, actions = demos.as_arrays()
    for t in (0, 2):
        for s in range(5):
            mask = states[:, t] == s
            if mask.sum() < 500:
                continue
            freq = np.bincount(actions[mask, t], minlength=3) / mask.sum()
            sigma = np.sqrt(policy[t, s] * (1 - policy[t, s]) / mask.sum())
            assert np.all(np.abs(freq - policy[t, s]) <= 4 * sigma + 1e-9)


def test_name_follows_kind_under_replace() -> None:
    naive = HyperbolicDiscounting(k=1.0)
    assert naive.name == "naive-hyperbolic"
    assert dataclasses.replace(naive, kind="sophisticated").name == "sophisticated-hyperbolic"
    assert dataclasses.replace(naive, k=2.5).k == 2.5


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"k": -1.0}, "'k' parameter of HyperbolicDiscounting must be a finite number >= 0"),
        ({"max_delay": -2}, "'max_delay' parameter .* integer >= 0; got -2"),
        ({"max_delay": 1.5}, "'max_delay' parameter"),
        ({"kind": "lazy"}, "'naive' or 'sophisticated'; got 'lazy'"),
        ({"temperature": float("nan")}, "'temperature' parameter"),
    ],
)
def test_bad_parameters_are_named(changes: dict[str, object], match: str) -> None:
    with pytest.raises(ValueLearnInputError, match=match):
        HyperbolicDiscounting(**changes)  # type: ignore[arg-type]


def test_bad_horizon_is_named() -> None:
    with pytest.raises(ValueLearnInputError, match="`horizon` must be a positive integer"):
        hyperbolic_value_iteration(
            two_state_mdp(), [0.0, 1.0], horizon=0, discount=1.0, k=1.0, max_delay=2
        )
