"""Three tiny assistance games in which the exact solution asks, waits or teaches.

Each has two reward parameters, a uniform prior by default and a closed-form value, so the
solvers of :mod:`valuelearn.policy._assistance_solver` can be checked by hand:

* :func:`ask_game`: a question costs ``cost``; an answer of accuracy ``q`` is worth asking iff
  ``q - cost > max(prior)``.
* :func:`wait_game`: the human walks towards their goal (noisily, right with probability
  ``p``); with a uniform prior, waiting one step to watch is worth it iff
  ``discount * p * (1 + progress) > 0.5``.
* :func:`teach_game`: a human acting "optimally in isolation" never points; in the joint optimum
  the robot waits and one kind of human gives up a little reward to point, which makes the
  other kind's ordinary work a signal too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._assistance import AssistanceGame


def _prior(prior: Sequence[float]) -> NDArray[np.float64]:
    values = np.asarray(prior, dtype=np.float64)
    if values.shape != (2,):
        raise ValueLearnInputError(
            f"The 'prior' parameter must hold two probabilities; got shape {values.shape} instead."
        )
    return values


def ask_game(
    *, cost: float = 0.1, prior: Sequence[float] = (0.5, 0.5), horizon: int = 2
) -> AssistanceGame:
    """The robot serves one of two dishes; it may first ask which one the human wants.

    States ``start, asked, done``; robot actions ``ask`` (reward ``-cost``), ``serve-0``,
    ``serve-1`` (reward 1 if it is the wanted dish, then ``done``); human actions ``say-0``,
    ``say-1``, ``quiet`` (they do not move the state or pay: their only use is to inform).

    Examples
    --------
    >>> ask_game().robot_action_names
    ('ask', 'serve-0', 'serve-1')
    """
    n_states, n_robot, n_human = 3, 3, 3
    transitions = np.zeros((n_states, n_robot, n_human, n_states))
    rewards = np.zeros((2, n_states, n_robot, n_human))
    for s in (0, 1):
        transitions[s, 0, :, 1] = 1.0
        transitions[s, 1:, :, 2] = 1.0
        rewards[:, s, 0, :] = -cost
        for theta in (0, 1):
            rewards[theta, s, 1 + theta, :] = 1.0
    transitions[2, :, :, 2] = 1.0
    return AssistanceGame(
        transitions,
        rewards,
        _prior(prior),
        [1.0, 0.0, 0.0],
        horizon=horizon,
        param_names=("wants-0", "wants-1"),
        state_names=("start", "asked", "done"),
        robot_action_names=("ask", "serve-0", "serve-1"),
        human_action_names=("say-0", "say-1", "quiet"),
    )


def truthful_human(game: AssistanceGame, *, accuracy: float = 1.0) -> NDArray[np.float64]:
    """A human of :func:`ask_game` who answers a question correctly with probability ``accuracy``.

    Returns
    -------
    array, shape (n_params, n_states, n_robot_actions, n_human_actions)
        Stationary: after ``ask`` in ``start`` or ``asked``, ``say-theta`` with probability
        ``accuracy`` and the other answer otherwise; ``quiet`` after anything else.
    """
    if not 0.0 <= accuracy <= 1.0:
        raise ValueLearnInputError(
            f"The 'accuracy' parameter of truthful_human must be in [0, 1]; got {accuracy!r} "
            "instead."
        )
    policy = np.zeros((2, game.n_states, game.n_robot_actions, game.n_human_actions))
    policy[..., 2] = 1.0
    for theta in (0, 1):
        for s in (0, 1):
            policy[theta, s, 0] = 0.0
            policy[theta, s, 0, theta] = accuracy
            policy[theta, s, 0, 1 - theta] = 1.0 - accuracy
    return policy


def _wait_or_fetch(*, n_human_actions: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """States ``start, done``; the robot waits (stays) or fetches item 0 or 1 (reward 1 in
    ``start`` for the item ``theta``, then ``done``, absorbing)."""
    transitions = np.zeros((2, 3, n_human_actions, 2))
    transitions[0, 0, :, 0] = 1.0
    transitions[0, 1:, :, 1] = 1.0
    transitions[1, :, :, 1] = 1.0
    rewards = np.zeros((2, 2, 3, n_human_actions))
    for theta in (0, 1):
        rewards[theta, 0, 1 + theta, :] = 1.0
    return transitions, rewards


def wait_game(
    *,
    progress: float = 0.1,
    discount: float = 0.9,
    prior: Sequence[float] = (0.5, 0.5),
    horizon: int = 2,
) -> AssistanceGame:
    """The robot fetches the tool for the human's goal; the human walks towards that goal.

    States ``start, done``; robot actions ``wait``, ``fetch-left``, ``fetch-right`` (reward 1
    for the tool of the goal, then ``done``); human actions ``walk-left``, ``walk-right``
    (reward ``progress`` in ``start`` for walking towards the goal). With a Boltzmann human who
    walks the right way with probability ``p`` (uniform prior), fetching at once is worth
    ``0.5 + progress p`` and waiting one step ``progress p + discount p (1 + progress)``.

    Examples
    --------
    >>> wait_game().human_action_names
    ('walk-left', 'walk-right')
    """
    transitions, rewards = _wait_or_fetch(n_human_actions=2)
    for theta in (0, 1):
        rewards[theta, 0, :, theta] += progress
    return AssistanceGame(
        transitions,
        rewards,
        _prior(prior),
        [1.0, 0.0],
        horizon=horizon,
        discount=discount,
        param_names=("goal-left", "goal-right"),
        state_names=("start", "done"),
        robot_action_names=("wait", "fetch-left", "fetch-right"),
        human_action_names=("walk-left", "walk-right"),
    )


def teach_game(
    *, work: float = 0.2, prior: Sequence[float] = (0.5, 0.5), horizon: int = 2
) -> AssistanceGame:
    """The human may point at what they want instead of doing their own work.

    States ``start, done``; robot actions ``wait``, ``fetch-0``, ``fetch-1`` (reward 1 for the
    wanted item, in ``start`` only, then ``done``); human actions ``work`` (reward ``work`` in
    every state), ``point-0``, ``point-1`` (no reward). With two steps and a uniform prior, a
    human acting as if the robot knew ``theta`` always works, and the robot can only guess
    (value ``0.5 + 2 work``). In the joint optimum the robot waits, the human who wants item 1
    points at it and the one who wants item 0 works, which tells the robot just as well
    (value ``1 + 1.5 work``, better whenever ``work < 1``).

    Examples
    --------
    >>> teach_game().human_action_names
    ('work', 'point-0', 'point-1')
    """
    transitions, rewards = _wait_or_fetch(n_human_actions=3)
    rewards[:, :, :, 0] += work
    return AssistanceGame(
        transitions,
        rewards,
        _prior(prior),
        [1.0, 0.0],
        horizon=horizon,
        param_names=("wants-0", "wants-1"),
        state_names=("start", "done"),
        robot_action_names=("wait", "fetch-0", "fetch-1"),
        human_action_names=("work", "point-0", "point-1"),
    )
