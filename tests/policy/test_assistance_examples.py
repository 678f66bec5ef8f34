"""The worked examples: the exact robot asks, waits and (with the joint optimum) is taught,
exactly when the closed forms say it should."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._assistance import boltzmann_human
from valuelearn.policy._assistance_examples import ask_game, teach_game, truthful_human, wait_game
from valuelearn.policy._assistance_solver import solve_assistance, solve_cirl

UNIFORM = [0.5, 0.5]


@pytest.mark.parametrize("cost", [0.0, 0.1, 0.25, 0.45])
@pytest.mark.parametrize("accuracy", [0.6, 0.8, 1.0])
def test_robot_asks_iff_the_answer_is_worth_its_cost(cost: float, accuracy: float) -> None:
    game = ask_game(cost=cost)
    solution = solve_assistance(game, truthful_human(game, accuracy=accuracy))
    assert solution.value == pytest.approx(max(accuracy - cost, 0.5))
    first = game.robot_action_names[solution.action(0, 0, UNIFORM)]  # type: ignore[index]
    if abs(accuracy - cost - 0.5) > 1e-9:  # (a tie may go either way)
        assert (first == "ask") == (accuracy - cost > 0.5)
    if first == "ask":  # then it serves what it was told
        told = [accuracy, 1 - accuracy]
        assert solution.action(1, 1, told) == 1 and solution.action(1, 1, told[::-1]) == 2


def test_asking_with_a_confident_prior() -> None:
    game = ask_game(cost=0.05, prior=(0.8, 0.2))
    solution = solve_assistance(game, truthful_human(game, accuracy=0.9))
    # not asking: 0.8; asking: -c + max(0.72, 0.02) + max(0.08, 0.18) = 0.85
    assert solution.value == pytest.approx(0.85)
    assert solution.action(0, 0, [0.8, 0.2]) == 0
    costly = ask_game(cost=0.15, prior=(0.8, 0.2))
    assert solve_assistance(costly, truthful_human(costly, accuracy=0.9)).value == 0.8


@pytest.mark.parametrize("rationality", [None, 2.0, 10.0, 40.0])
@pytest.mark.parametrize("discount", [0.5, 0.7, 0.95])
def test_robot_waits_to_watch_the_human_iff_it_pays(
    rationality: float | None, discount: float
) -> None:
    game = wait_game(progress=0.1, discount=discount)
    human = boltzmann_human(game, rationality=rationality)
    p = 1.0 if rationality is None else 1 / (1 + np.exp(-rationality * 0.1))
    assert human[0, 0, 0, 0, 0] == pytest.approx(p)  # walks towards its goal
    fetch_now, wait = 0.5 + 0.1 * p, 0.1 * p + discount * p * 1.1
    solution = solve_assistance(game, human)
    assert solution.value == pytest.approx(max(fetch_now, wait))
    waits = solution.action(0, 0, UNIFORM) == 0
    assert waits == (wait > fetch_now + 1e-9)
    if waits:  # having watched, it fetches the tool of the goal the human walked towards
        assert solution.action(1, 0, [p, 1 - p]) == 1
        assert solution.action(1, 0, [1 - p, p]) == 2


@pytest.mark.parametrize("work", [0.0, 0.2, 0.6, 0.95])
def test_human_teaches_in_the_joint_optimum(work: float) -> None:
    game = teach_game(work=work)
    literal = boltzmann_human(game)
    if work > 0:  # acting as if understood, it just works (with nothing to gain, anything)
        assert np.all(literal[0, :, 0, 0, 0] == 1.0)
    assert solve_assistance(game, literal).value == pytest.approx(0.5 + 2 * work)
    joint = solve_cirl(game)
    assert joint.value == pytest.approx(1 + 1.5 * work)
    assert joint.action(0, 0, UNIFORM) == 0  # the robot waits to be shown
    shown = joint.prescription(0, 0, UNIFORM, 0)
    names = [game.human_action_names[a] for a in shown]  # type: ignore[index]
    assert shown[0] != shown[1]  # what the human does tells the robot what it wants
    if work > 0:  # and only one of the two gives up its work to do so
        assert names.count("work") == 1
    # the robot then fetches what it was shown
    assert joint.action(1, 0, [1.0, 0.0]) == 1 and joint.action(1, 0, [0.0, 1.0]) == 2


def test_no_teaching_when_own_work_is_worth_more() -> None:
    game = teach_game(work=1.2)
    joint = solve_cirl(game)
    assert joint.value == pytest.approx(0.5 + 2 * 1.2)
    assert joint.value == pytest.approx(solve_assistance(game, boltzmann_human(game)).value)


def test_errors() -> None:
    with pytest.raises(ValueLearnInputError, match="'prior' parameter must hold two"):
        ask_game(prior=(1.0,))
    with pytest.raises(ValueLearnInputError, match="'accuracy' parameter of truthful_human"):
        truthful_human(ask_game(), accuracy=1.5)
