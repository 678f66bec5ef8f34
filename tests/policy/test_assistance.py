"""Assistance games: validation, the team's full-information values, the human models and the
reduction to the robot's POMDP (checked against the direct belief-over-theta solver)."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._assistance import (
    AssistanceGame,
    assistance_pomdp,
    boltzmann_human,
    full_information_q,
)
from valuelearn.policy._assistance_examples import ask_game, teach_game
from valuelearn.policy._assistance_solver import solve_assistance, solve_pomdp


def random_game(rng: np.random.Generator, *, horizon: int = 3) -> AssistanceGame:
    n_params, n_states, n_robot, n_human = 3, 2, 2, 2
    transitions = rng.dirichlet(np.ones(n_states), size=(n_states, n_robot, n_human))
    rewards = rng.normal(size=(n_params, n_states, n_robot, n_human))
    return AssistanceGame(
        transitions,
        rewards,
        rng.dirichlet(np.ones(n_params)),
        rng.dirichlet(np.ones(n_states)),
        horizon=horizon,
        discount=0.9,
    )


def test_full_information_q_is_each_thetas_team_mdp() -> None:
    game = random_game(np.random.default_rng(1))
    q = full_information_q(game)
    for theta in range(game.n_params):
        future = np.zeros(game.n_states)
        for t in range(game.horizon - 1, -1, -1):
            joint = game.rewards[theta] + 0.9 * game.transitions @ future
            np.testing.assert_allclose(q[t, theta], joint)
            future = joint.max(axis=(1, 2))


def test_boltzmann_human_probabilities() -> None:
    game = random_game(np.random.default_rng(2))
    q = full_information_q(game)
    human = boltzmann_human(game, rationality=2.0)
    expected = np.exp(2.0 * q[1, 0, 1, 0]) / np.exp(2.0 * q[1, 0, 1, 0]).sum()
    np.testing.assert_allclose(human[1, 0, 1, 0], expected)
    rational = boltzmann_human(game)
    assert np.all(rational.argmax(axis=-1) == q.argmax(axis=-1))
    # a literal human never signals: in the teach game it works whatever it wants
    literal = boltzmann_human(teach_game())
    assert np.all(literal[0, :, 0, 0, 0] == 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_reduction_solved_as_a_pomdp_equals_the_direct_solver(seed: int) -> None:
    rng = np.random.default_rng(seed)
    game = random_game(rng)
    human = rng.dirichlet(np.ones(2), size=(3, 3, 2, 2))  # time-dependent and noisy
    pomdp = assistance_pomdp(game, human)
    assert pomdp.transitions.shape == (3, 2, 18, 18)
    np.testing.assert_allclose(pomdp.transitions.sum(axis=-1), 1.0)
    direct = solve_assistance(game, human)
    via_pomdp = solve_pomdp(pomdp)
    assert via_pomdp.value == pytest.approx(direct.value, abs=1e-10)


def test_reduction_layout() -> None:
    game = ask_game(cost=0.1)
    human = np.zeros((2, 3, 3, 3))
    human[..., 2] = 1.0
    human[:, 0, 0, :] = [[0.8, 0.2, 0.0], [0.2, 0.8, 0.0]]
    pomdp = assistance_pomdp(game, human)
    n_params, n_h1 = 2, 4
    start, asked = 0, 1

    def index(s: int, h: int, theta: int) -> int:
        return (s * n_h1 + h) * n_params + theta

    # asking in start, human wanting dish 1: says 1 with 0.8, 0 with 0.2, state -> asked
    row = pomdp.transitions[0, 0, index(start, 0, 1)]
    assert row[index(asked, 2, 1)] == pytest.approx(0.8)
    assert row[index(asked, 1, 1)] == pytest.approx(0.2)
    assert pomdp.rewards[0, index(start, 0, 1), 2] == 1.0  # serve-1 to a human who wants it
    assert pomdp.rewards[0, index(start, 0, 1), 0] == pytest.approx(-0.1)
    assert pomdp.initial[index(start, 0, 0)] == 0.5 == pomdp.initial[index(start, 0, 1)]
    assert pomdp.observations[index(asked, 2, 0)].argmax() == asked * n_h1 + 2


def test_errors() -> None:
    T = np.ones((1, 1, 1, 1))
    with pytest.raises(ValueLearnInputError, match="'transitions' parameter of AssistanceGame"):
        AssistanceGame(np.ones((1, 1, 1)), [[[[1.0]]]], [1.0], [1.0], horizon=1)
    with pytest.raises(ValueLearnInputError, match="'rewards'.*shape"):
        AssistanceGame(T, [[[1.0]]], [1.0], [1.0], horizon=1)
    with pytest.raises(ValueLearnInputError, match="'prior'.*shape \\(2,\\)"):
        AssistanceGame(T, np.zeros((2, 1, 1, 1)), [1.0], [1.0], horizon=1)
    with pytest.raises(ValueLearnInputError, match="'prior'.*sums to 0.9"):
        AssistanceGame(T, np.zeros((2, 1, 1, 1)), [0.5, 0.4], [1.0], horizon=1)
    with pytest.raises(ValueLearnInputError, match="'transitions'.*\\(0, 0, 0\\) sums to 2"):
        AssistanceGame(np.full((1, 1, 1, 1), 2.0), [[[[1.0]]]], [1.0], [1.0], horizon=1)
    with pytest.raises(ValueLearnInputError, match="'horizon'.*>= 1"):
        AssistanceGame(T, [[[[1.0]]]], [1.0], [1.0], horizon=0)
    with pytest.raises(ValueLearnInputError, match="'discount'.*\\[0, 1\\]"):
        AssistanceGame(T, [[[[1.0]]]], [1.0], [1.0], horizon=1, discount=1.5)
    with pytest.raises(ValueLearnInputError, match="'state_names'.*1 entries"):
        AssistanceGame(T, [[[[1.0]]]], [1.0], [1.0], horizon=1, state_names=("a", "b"))
    game = ask_game()
    with pytest.raises(ValueLearnInputError, match="'human_policy'.*shape"):
        solve_assistance(game, np.ones((2, 3, 3)))
    with pytest.raises(ValueLearnInputError, match="'human_policy'.*sum to 1"):
        solve_assistance(game, np.ones((2, 3, 3, 3)))
    with pytest.raises(ValueLearnInputError, match="'rationality' parameter of boltzmann_human"):
        boltzmann_human(game, rationality=-1.0)
