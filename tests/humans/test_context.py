"""Tests for valuelearn.humans._context: social norms (context-dependent behaviour, not values)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import trajectory_log_likelihood
from valuelearn.humans._context import SocialNorms
from valuelearn.policy import soft_value_iteration


def log_sigmoid(x: float) -> float:
    return float(-np.log1p(np.exp(-x)))


def two_state_mdp(initial: tuple[float, float] = (1.0, 0.0)) -> MDP:
    """Action 0 goes to state 0, action 1 to state 1, from anywhere."""
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=list(initial))


def random_dense_mdp(n_states: int, n_actions: int, seed: int) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states), size=(n_states, n_actions))
    return MDP.from_dense(transitions, initial=rng.dirichlet(np.ones(n_states)))


REWARD = np.array([0.0, 1.0])
NORMS = {"home": [0.0, 0.0], "church": [0.0, -3.0]}


# ---------------------------------------------------------------- social norms
def test_norms_hand_computed_likelihood_uses_each_context() -> None:
    # H = 2. Home: R = [0, 1], V_1 = R + log 2, so pi_0(1 | 0) = sigmoid(1). Church: the person
    # acts on [0, 1 - 3] = [0, -2], so pi_0(1 | 0) = sigmoid(-2). The last step is uniform.
    person = SocialNorms(NORMS, weight=1.0)
    demos = Demonstrations(
        [
            Trajectory([0, 1, 1], [1, 0], context="home"),
            Trajectory([0, 1, 1], [1, 0], context="church"),
        ]
    )
    expected = log_sigmoid(1.0) + log_sigmoid(-2.0) + 2 * np.log(0.5)
    got = person.log_likelihood(two_state_mdp(), REWARD, demos, horizon=2, discount=1.0)
    assert got == pytest.approx(expected, abs=1e-12)


def test_norms_with_zero_weight_are_the_soft_optimal_person_in_every_context() -> None:
    mdp = random_dense_mdp(5, 3, seed=0)
    reward = np.random.default_rng(1).normal(size=5)
    norms = {"a": np.random.default_rng(2).normal(size=5), "b": np.zeros(5)}
    person = SocialNorms(norms, weight=0.0, temperature=0.5)
    demos = person.simulate(mdp, reward, n=40, horizon=4, discount=0.9, rng=3)
    soft = soft_value_iteration(mdp, reward, horizon=4, discount=0.9, temperature=0.5).policy
    got = person.log_likelihood(mdp, reward, demos, horizon=4, discount=0.9)
    assert got == pytest.approx(trajectory_log_likelihood(soft, demos), abs=1e-9)


def test_norms_simulation_matches_each_context_policy_and_probabilities() -> None:
    mdp = two_state_mdp()
    person = SocialNorms(NORMS, weight=1.0, context_probabilities={"home": 3.0, "church": 1.0})
    demos = person.simulate(mdp, REWARD, n=8000, horizon=2, discount=1.0, rng=0)
    contexts = np.array([t.context for t in demos])
    share = np.mean(contexts == "home")
    assert abs(share - 0.75) < 4 * np.sqrt(0.75 * 0.25 / 8000)
    for context, p_move in (
        ("home", np.exp(log_sigmoid(1.0))),
        ("church", np.exp(log_sigmoid(-2.0))),
    ):
        moved = np.array([t.actions[0] == 1 for t in demos if t.context == context])
        assert abs(moved.mean() - p_move) < 4 * np.sqrt(p_move * (1 - p_move) / moved.size)
    policy = person.policy(mdp, REWARD, horizon=2, discount=1.0, context="church")
    assert policy[0, 0, 1] == pytest.approx(np.exp(log_sigmoid(-2.0)))


def test_norm_free_policy_and_replace() -> None:
    person = SocialNorms(NORMS, weight=1.0)
    free = person.policy(two_state_mdp(), REWARD, horizon=2, discount=1.0)
    assert free[0, 0, 1] == pytest.approx(np.exp(log_sigmoid(1.0)))
    stronger = dataclasses.replace(person, weight=2.0)
    assert stronger.acting_reward(two_state_mdp(), REWARD, "church").tolist() == [0.0, -5.0]
    assert stronger.name == "social-norms" and stronger.contexts == ("home", "church")


@pytest.mark.parametrize(
    ("context", "match"),
    [(None, "demonstration 0 has context None"), ("work", "has context 'work'")],
)
def test_norms_likelihood_needs_known_contexts(context: str | None, match: str) -> None:
    demos = Demonstrations([Trajectory([0, 1], [1], context=context)])
    with pytest.raises(ValueLearnInputError, match=match):
        SocialNorms(NORMS).log_likelihood(two_state_mdp(), REWARD, demos, horizon=1, discount=1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"norm_rewards": {}}, "'norm_rewards' parameter of SocialNorms must be a non-empty"),
        ({"norm_rewards": {"a": [0.0], "b": [0.0, 1.0]}}, "arrays of one shape"),
        ({"norm_rewards": {"a": [np.nan]}}, r"norm_rewards\['a'\]' parameter"),
        ({"norm_rewards": NORMS, "weight": np.inf}, "'weight' parameter"),
        ({"norm_rewards": NORMS, "context_probabilities": {"pub": 1.0}}, "among"),
        ({"norm_rewards": NORMS, "temperature": 0.0}, "'temperature' parameter of SocialNorms"),
    ],
)
def test_norms_bad_parameters(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueLearnInputError, match=match):
        SocialNorms(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- manipulation
