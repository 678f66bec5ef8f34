"""Exact solvers for tiny assistance games and finite-horizon POMDPs.

All three solvers run value iteration over the beliefs reachable from the start: with finitely
many actions and observations and a finite horizon that set is finite, so the values are exact
(no discretisation). Beliefs are merged when they agree to 12 decimals.

* :func:`solve_pomdp`: any finite-horizon POMDP (e.g. the reduction :func:`assistance_pomdp`).
* :func:`solve_assistance`: the robot's best response to a fixed human policy, over the state and
  the robot's belief about ``theta`` (the state is observed, so that belief is sufficient).
* :func:`solve_cirl`: the optimal joint policy of the cooperative game. The robot's belief is
  common knowledge, so a coordinator chooses the robot's action and a prescription
  ``theta -> a^H`` for the human at each belief (Hadfield-Menell et al. 2016, section 4;
  Nayyar et al. 2013). The human who follows it teaches when teaching pays.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.policy._assistance import POMDP, AssistanceGame

_DECIMALS = 12
_EPS = 1e-15

BeliefKey = tuple[float, ...]


def _key(belief: NDArray[np.float64]) -> BeliefKey:
    return tuple(np.round(belief, _DECIMALS).tolist())


def _argmax(q: NDArray[np.float64]) -> int:
    """The first action within 1e-12 of the best (stable under rounding noise)."""
    return int(np.flatnonzero(q >= q.max() - 1e-12)[0])


@dataclass(frozen=True)
class POMDPSolution:
    """Exact finite-horizon values of a POMDP at its initial belief.

    Attributes
    ----------
    value : float
    q_values : array, shape (n_first, n_actions)
        Value of each first action (then optimal play); one row per first observation when the
        POMDP observes its first state (NaN for an impossible one), else a single row.
    n_beliefs : int
        Distinct (step, belief) pairs visited.
    """

    value: float
    q_values: NDArray[np.float64]
    n_beliefs: int

    @property
    def actions(self) -> list[int | None]:
        """The best first action for each row of :attr:`q_values` (None for impossible ones)."""
        return [None if np.isnan(q).all() else _argmax(q) for q in self.q_values]


def solve_pomdp(pomdp: POMDP) -> POMDPSolution:
    """Solve a finite-horizon POMDP exactly over its reachable beliefs.

    ``V_t(b) = max_a [ b . R_t(., a) + discount * sum_o P(o | b, a) V_{t+1}(b'_{a,o}) ]`` with
    ``b'_{a,o}(x') ∝ O[x', o] sum_x b(x) T_t[a, x, x']`` and ``V_H = 0``.

    References
    ----------
    Kaelbling, Littman & Cassandra (1998), "Planning and acting in partially observable
    stochastic domains", Artificial Intelligence 101, section 4 (belief MDP).

    Examples
    --------
    A tiger-like POMDP with one step: act on the prior.

    >>> T = np.ones((1, 2, 2, 2)) * np.eye(2)[None, None]
    >>> R = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> solution = solve_pomdp(POMDP(T, R, np.ones((2, 1)), np.array([0.7, 0.3]), 1.0))
    >>> round(solution.value, 6), solution.actions
    (0.7, [0])
    """
    memo: dict[tuple[int, BeliefKey], NDArray[np.float64]] = {}

    def q_values(t: int, belief: NDArray[np.float64]) -> NDArray[np.float64]:
        key = (t, _key(belief))
        if key in memo:
            return memo[key]
        q: NDArray[np.float64] = np.array(belief @ pomdp.rewards[t], dtype=np.float64)
        if t + 1 < pomdp.horizon:
            for action in range(q.size):
                predicted = belief @ pomdp.transitions[t, action]
                joint = predicted[:, None] * pomdp.observations  # (x', o)
                probability = joint.sum(axis=0)
                for o in np.flatnonzero(probability > _EPS):
                    after = joint[:, o] / probability[o]
                    q[action] += pomdp.discount * probability[o] * q_values(t + 1, after).max()
        memo[key] = q
        return q

    initial = np.asarray(pomdp.initial, dtype=np.float64)
    if not pomdp.observe_initial:
        root = q_values(0, initial)
        return POMDPSolution(float(root.max()), root[None, :], len(memo))
    joint = initial[:, None] * pomdp.observations
    probability = joint.sum(axis=0)
    rows = np.full((probability.size, pomdp.rewards.shape[2]), np.nan)
    value = 0.0
    for o in np.flatnonzero(probability > _EPS):
        rows[o] = q_values(0, joint[:, o] / probability[o])
        value += probability[o] * rows[o].max()
    return POMDPSolution(float(value), rows, len(memo))


@dataclass(frozen=True)
class AssistanceSolution:
    """The robot's exact best response (or the team's optimum) in an assistance game.

    Attributes
    ----------
    value : float
        Expected discounted return from the initial distribution and the prior.
    q_values : dict
        ``(t, state, belief) -> array (n_robot_actions,)`` at every reachable decision point
        (``belief`` rounded to 12 decimals, as a tuple over ``theta``).
    prescriptions : dict
        For :func:`solve_cirl` only: ``(t, state, belief, robot_action) -> tuple`` giving the
        human's action for each ``theta`` (``-1`` where the belief rules ``theta`` out).
    """

    value: float
    q_values: dict[tuple[int, int, BeliefKey], NDArray[np.float64]]
    prescriptions: dict[tuple[int, int, BeliefKey, int], tuple[int, ...]] = field(
        default_factory=dict
    )

    def action(self, t: int, state: int, belief: ArrayLike) -> int:
        """The robot's best action at step ``t`` in ``state`` with ``belief`` over ``theta``.

        Raises
        ------
        KeyError
            If that decision point is not reachable under the solved policies.
        """
        return _argmax(self.q_values[(t, state, _key(np.asarray(belief, dtype=np.float64)))])

    def prescription(
        self, t: int, state: int, belief: ArrayLike, robot_action: int
    ) -> tuple[int, ...]:
        """The human's action for each ``theta`` (joint optimum of :func:`solve_cirl`)."""
        key = (t, state, _key(np.asarray(belief, dtype=np.float64)), robot_action)
        return self.prescriptions[key]


def _root_value(
    game: AssistanceGame, value: Callable[[int, int, NDArray[np.float64]], float]
) -> float:
    prior = np.asarray(game.prior, dtype=np.float64)
    return float(sum(p * value(0, s, prior) for s, p in enumerate(game.initial) if p > _EPS))


def solve_assistance(game: AssistanceGame, human_policy: ArrayLike) -> AssistanceSolution:
    """The robot's exact best response to a fixed human policy.

    ``V_t(s, b) = max_{a^R} sum_theta b(theta) sum_{a^H} pi^H_t(a^H | theta, s, a^R)
    [r(theta, s, a^R, a^H) + discount sum_s' T(s' | s, a^R, a^H) V_{t+1}(s', b')]`` with the
    Bayes update ``b'(theta) ∝ b(theta) pi^H_t(a^H | theta, s, a^R)``. Equals the value of
    :func:`solve_pomdp` on :func:`assistance_pomdp` (tested).

    Parameters
    ----------
    game : AssistanceGame
    human_policy : array_like
        Shape ``(horizon, n_params, n_states, n_robot_actions, n_human_actions)`` or without
        the time axis (e.g. :func:`boltzmann_human`).

    Returns
    -------
    AssistanceSolution

    References
    ----------
    Hadfield-Menell et al. (2016), "Cooperative inverse reinforcement learning", NeurIPS,
    theorem 1 (the belief over theta is a sufficient statistic).

    Examples
    --------
    >>> from valuelearn.policy._assistance_examples import ask_game, truthful_human
    >>> game = ask_game(cost=0.1)
    >>> solution = solve_assistance(game, truthful_human(game, accuracy=1.0))
    >>> round(solution.value, 6), game.robot_action_names[solution.action(0, 0, [0.5, 0.5])]
    (0.9, 'ask')
    """
    policy = game.check_human_policy(human_policy)
    memo: dict[tuple[int, int, BeliefKey], NDArray[np.float64]] = {}

    def value(t: int, s: int, belief: NDArray[np.float64]) -> float:
        key = (t, s, _key(belief))
        if key not in memo:
            q = np.zeros(game.n_robot_actions)
            for a_r in range(game.n_robot_actions):
                joint = belief[:, None] * policy[t, :, s, a_r, :]  # (theta, aH)
                q[a_r] = float(np.sum(joint * game.rewards[:, s, a_r, :]))
                q[a_r] += _future(game, t, s, a_r, joint, value)
            memo[key] = q
        return float(memo[key].max())

    return AssistanceSolution(_root_value(game, value), memo)


def _future(
    game: AssistanceGame,
    t: int,
    s: int,
    a_r: int,
    joint: NDArray[np.float64],
    value: Callable[[int, int, NDArray[np.float64]], float],
) -> float:
    """``discount * sum_{a^H, s'} P(a^H) T(s' | s, a^R, a^H) V_{t+1}(s', b'_{a^H})``."""
    if t + 1 >= game.horizon:
        return 0.0
    total = 0.0
    for a_h in range(game.n_human_actions):
        probability = float(joint[:, a_h].sum())
        if probability <= _EPS:
            continue
        after = joint[:, a_h] / probability
        for s_next in np.flatnonzero(game.transitions[s, a_r, a_h] > 0):
            step = game.transitions[s, a_r, a_h, s_next]
            total += probability * step * value(t + 1, int(s_next), after)
    return game.discount * total


def solve_cirl(game: AssistanceGame) -> AssistanceSolution:
    """The optimal joint policy of the cooperative game (both players maximise the human's reward).

    At each reachable ``(t, s, b)`` the coordinator picks the robot's action and a prescription
    ``delta: theta -> a^H`` over the ``theta`` the belief allows (``|A^H|^|support|`` choices);
    the robot updates ``b'(theta) ∝ b(theta) 1[delta(theta) = a^H]``. The prescriptions show
    the human teaching: choosing actions for what they tell the robot.

    Returns
    -------
    AssistanceSolution
        With :attr:`~AssistanceSolution.prescriptions` filled in.

    References
    ----------
    Hadfield-Menell et al. (2016), "Cooperative inverse reinforcement learning", NeurIPS,
    section 4 (reduction to a POMDP over coordinator actions) and section 3 (expert
    demonstration is suboptimal); Nayyar, Mahajan & Teneketzis (2013), "Decentralized stochastic
    control with partial history sharing: a common information approach", IEEE TAC.

    Examples
    --------
    >>> from valuelearn.policy._assistance_examples import teach_game
    >>> round(solve_cirl(teach_game(work=0.2)).value, 6)
    1.3
    """
    memo: dict[tuple[int, int, BeliefKey], NDArray[np.float64]] = {}
    prescriptions: dict[tuple[int, int, BeliefKey, int], tuple[int, ...]] = {}

    def value(t: int, s: int, belief: NDArray[np.float64]) -> float:
        key = (t, s, _key(belief))
        if key not in memo:
            support = np.flatnonzero(belief > _EPS)
            q = np.full(game.n_robot_actions, -np.inf)
            for a_r in range(game.n_robot_actions):
                for choice in itertools.product(range(game.n_human_actions), repeat=support.size):
                    joint = np.zeros((game.n_params, game.n_human_actions))
                    joint[support, choice] = belief[support]
                    total = float(np.sum(joint * game.rewards[:, s, a_r, :]))
                    total += _future(game, t, s, a_r, joint, value)
                    if total > q[a_r] + 1e-12:
                        q[a_r] = total
                        full = np.full(game.n_params, -1)
                        full[support] = choice
                        prescriptions[(*key, a_r)] = tuple(int(a) for a in full)
            memo[key] = q
        return float(memo[key].max())

    return AssistanceSolution(_root_value(game, value), memo, prescriptions)
