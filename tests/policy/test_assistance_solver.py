"""Exact solvers against brute force (every deterministic robot policy of a two-step game),
closed forms, and the bounds of the cooperative optimum."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from valuelearn.policy._assistance import (
    POMDP,
    AssistanceGame,
    boltzmann_human,
    full_information_q,
)
from valuelearn.policy._assistance_examples import ask_game, truthful_human
from valuelearn.policy._assistance_solver import solve_assistance, solve_cirl, solve_pomdp


def two_step_game(seed: int) -> tuple[AssistanceGame, np.ndarray]:
    rng = np.random.default_rng(seed)
    game = AssistanceGame(
        rng.dirichlet(np.ones(2), size=(2, 2, 2)),
        rng.normal(size=(2, 2, 2, 2)),
        rng.dirichlet(np.ones(2)),
        rng.dirichlet(np.ones(2)),
        horizon=2,
        discount=0.8,
    )
    return game, rng.dirichlet(np.ones(2), size=(2, 2, 2, 2))


def brute_force_value(game: AssistanceGame, human: np.ndarray) -> float:
    """Best expected return over every deterministic map from the robot's history to actions.

    The robot acts on s0 first, then on (s0, aH0, s1); 2^2 * 2^8 policies, each evaluated by
    summing over theta and both steps' outcomes.
    """
    histories = list(itertools.product(range(2), repeat=3))  # (s0, aH0, s1)
    best = -np.inf
    for first in itertools.product(range(2), repeat=2):
        for second in itertools.product(range(2), repeat=len(histories)):
            plan = dict(zip(histories, second, strict=True))
            total = 0.0
            for theta, s0, a_h0 in itertools.product(range(2), repeat=3):
                a0 = first[s0]
                p = game.prior[theta] * game.initial[s0] * human[0, theta, s0, a0, a_h0]
                total += p * game.rewards[theta, s0, a0, a_h0]
                for s1, a_h1 in itertools.product(range(2), repeat=2):
                    a1 = plan[(s0, a_h0, s1)]
                    p1 = p * game.transitions[s0, a0, a_h0, s1] * human[1, theta, s1, a1, a_h1]
                    total += 0.8 * p1 * game.rewards[theta, s1, a1, a_h1]
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_response_equals_brute_force(seed: int) -> None:
    game, human = two_step_game(seed)
    assert solve_assistance(game, human).value == pytest.approx(
        brute_force_value(game, human), abs=1e-10
    )


def test_cirl_lies_between_any_fixed_human_and_full_information() -> None:
    for seed in range(3):
        game, human = two_step_game(seed)
        joint = solve_cirl(game).value
        informed = float(game.prior @ (full_information_q(game)[0].max(axis=(2, 3)) @ game.initial))
        assert joint <= informed + 1e-12
        for policy in (human, boltzmann_human(game), boltzmann_human(game, rationality=1.0)):
            assert joint >= solve_assistance(game, policy).value - 1e-12
        # deterministic human policies are among the coordinator's choices: brute force them
        best_fixed = -np.inf
        for choice in itertools.product(range(2), repeat=2 * 2 * 2):  # stationary ones
            fixed = np.eye(2)[np.array(choice).reshape(2, 2, 2)]
            best_fixed = max(best_fixed, solve_assistance(game, fixed).value)
        assert joint >= best_fixed - 1e-12


def test_free_questions_reach_full_information() -> None:
    game = ask_game(cost=0.0)
    assert solve_cirl(game).value == pytest.approx(1.0)
    # a literal human (acting as if the robot knew) answers at random: asking is worthless
    assert solve_assistance(game, boltzmann_human(game)).value == pytest.approx(0.5)
    assert solve_assistance(game, truthful_human(game, accuracy=1.0)).value == pytest.approx(1.0)


def test_pomdp_closed_form_listen_then_act() -> None:
    """Tiger-style: listen (cost 0.1, 85% accurate) then open a door (then done)."""
    transitions = np.zeros((2, 3, 3, 3))
    transitions[:, 0] = np.eye(3)
    transitions[:, 1:, :, 2] = 1.0
    rewards = np.zeros((2, 3, 3))
    rewards[:, :2, 0] = -0.1
    rewards[:, 0, 1] = rewards[:, 1, 2] = 1.0
    observations = np.array([[0.85, 0.15, 0.0], [0.15, 0.85, 0.0], [0.0, 0.0, 1.0]])
    prior = np.array([0.5, 0.5, 0.0])
    solution = solve_pomdp(POMDP(transitions, rewards, observations, prior, 1.0))
    assert solution.value == pytest.approx(0.75)  # -0.1 + 0.85
    assert solution.actions == [0]
    np.testing.assert_allclose(solution.q_values, [[0.75, 0.5, 0.5]])
    # three steps: a second listen after two disagreeing answers is worth it only if cheap
    three = POMDP(
        np.concatenate([transitions, transitions[:1]]),
        np.concatenate([rewards, rewards[:1]]),
        observations,
        prior,
        1.0,
    )
    p_agree = 0.85**2 + 0.15**2
    expected = -0.2 + p_agree * (0.85**2 / p_agree) + (1 - p_agree) * 0.5
    assert solve_pomdp(three).value == pytest.approx(max(expected, 0.75))
    # the robot sees the first state when asked to: then it opens the right door at once
    seen = POMDP(transitions, rewards, np.eye(3), prior, 1.0, observe_initial=True)
    assert solve_pomdp(seen).value == pytest.approx(1.0)
    assert solve_pomdp(seen).actions == [1, 2, None]
