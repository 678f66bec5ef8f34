"""Assistance games (cooperative IRL): a human who knows the reward parameter, a robot who does not.

Time convention (finite horizon ``H``; steps ``t = 0 .. H-1``). In step ``t`` both players see the
state ``s_t``; the robot chooses ``a^R_t`` from what it has seen (states and the human's earlier
actions); the human, who knows the reward parameter ``theta``, sees ``a^R_t`` and chooses ``a^H_t``;
both receive ``r(theta, s_t, a^R_t, a^H_t)`` (discounted by ``discount**t``) and the state moves to
``s_{t+1} ~ T(. | s_t, a^R_t, a^H_t)``. The robot then sees ``a^H_t`` and ``s_{t+1}``. A game
with simultaneous moves is the special case of a human policy that ignores ``a^R_t``; alternating
turns are written with a no-op action for the player who waits.

Given the human's policy ``pi^H_t(a^H | theta, s, a^R)`` the robot faces a POMDP over the hidden
state ``(s, a^H_prev, theta)`` (:func:`assistance_pomdp`), solved exactly for tiny games in
:mod:`valuelearn.policy._assistance_solver`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from valuelearn.exceptions import ValueLearnInputError

_TOLERANCE = 1e-9


def _distribution(array: NDArray[np.float64], name: str, owner: str) -> None:
    """Raise unless ``array`` is non-negative and sums to 1 along its last axis."""
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must hold finite non-negative probabilities."
        )
    sums = array.sum(axis=-1)
    if array.ndim == 1 and abs(float(sums) - 1.0) > _TOLERANCE:
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must sum to 1; it sums to {float(sums):.6g}."
        )
    bad = np.argwhere(np.abs(sums - 1.0) > _TOLERANCE)
    if array.ndim > 1 and bad.size:
        where = tuple(int(i) for i in bad[0])
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must sum to 1 over its last axis; the entry at "
            f"{where} sums to {float(sums[where]):.6g} instead."
        )


@dataclass(frozen=True, eq=False)
class AssistanceGame:
    """A two-player assistance game (CIRL game) with a finite parameter set and horizon.

    Parameters
    ----------
    transitions : array, shape (n_states, n_robot_actions, n_human_actions, n_states)
        ``T[s, a^R, a^H, s']``; every ``(s, a^R, a^H)`` sums to 1. ``theta`` does not move the
        state (it is what the human wants, not how the world works).
    rewards : array, shape (n_params, n_states, n_robot_actions, n_human_actions)
        ``r(theta, s, a^R, a^H)``, shared by both players.
    prior : array, shape (n_params,)
        The robot's prior over ``theta`` (the human knows it).
    initial : array, shape (n_states,)
        Distribution of the first state.
    horizon : int >= 1
    discount : float in [0, 1]
    param_names, state_names, robot_action_names, human_action_names : tuple of str, optional

    Raises
    ------
    ValueLearnInputError
        If shapes disagree or a distribution does not sum to 1.

    References
    ----------
    Hadfield-Menell, Dragan, Abbeel & Russell (2016), "Cooperative inverse reinforcement
    learning", NeurIPS, definition 1.

    Examples
    --------
    >>> T = np.ones((1, 1, 1, 1))
    >>> game = AssistanceGame(T, np.array([[[[1.0]]], [[[0.0]]]]), [0.5, 0.5], [1.0], horizon=2)
    >>> game.n_params, game.n_states, game.n_robot_actions, game.n_human_actions
    (2, 1, 1, 1)
    """

    transitions: NDArray[np.float64]
    rewards: NDArray[np.float64]
    prior: NDArray[np.float64]
    initial: NDArray[np.float64]
    horizon: int
    discount: float = 1.0
    param_names: tuple[str, ...] | None = None
    state_names: tuple[str, ...] | None = None
    robot_action_names: tuple[str, ...] | None = None
    human_action_names: tuple[str, ...] | None = None

    def __init__(
        self,
        transitions: ArrayLike,
        rewards: ArrayLike,
        prior: ArrayLike,
        initial: ArrayLike,
        *,
        horizon: int,
        discount: float = 1.0,
        param_names: tuple[str, ...] | None = None,
        state_names: tuple[str, ...] | None = None,
        robot_action_names: tuple[str, ...] | None = None,
        human_action_names: tuple[str, ...] | None = None,
    ) -> None:
        owner = "AssistanceGame"
        values = {
            "transitions": np.array(transitions, dtype=np.float64),
            "rewards": np.array(rewards, dtype=np.float64),
            "prior": np.array(prior, dtype=np.float64),
            "initial": np.array(initial, dtype=np.float64),
        }
        T, R = values["transitions"], values["rewards"]
        if T.ndim != 4 or T.shape[0] != T.shape[3] or 0 in T.shape:
            raise ValueLearnInputError(
                f"The 'transitions' parameter of {owner} must have shape (n_states, "
                f"n_robot_actions, n_human_actions, n_states); got {T.shape} instead."
            )
        n_states, n_robot, n_human = T.shape[:3]
        if R.ndim != 4 or R.shape[1:] != (n_states, n_robot, n_human) or R.shape[0] == 0:
            raise ValueLearnInputError(
                f"The 'rewards' parameter of {owner} must have shape (n_params, {n_states}, "
                f"{n_robot}, {n_human}); got {R.shape} instead."
            )
        if not np.all(np.isfinite(R)):
            raise ValueLearnInputError(f"The 'rewards' parameter of {owner} must be finite.")
        for name, size in (("prior", R.shape[0]), ("initial", n_states)):
            if values[name].shape != (size,):
                raise ValueLearnInputError(
                    f"The '{name}' parameter of {owner} must have shape ({size},); got "
                    f"{values[name].shape} instead."
                )
        for name in ("transitions", "prior", "initial"):
            _distribution(values[name], name, owner)
        if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
            raise ValueLearnInputError(
                f"The 'horizon' parameter of {owner} must be an integer >= 1; got {horizon!r} "
                "instead."
            )
        if not 0.0 <= float(discount) <= 1.0:
            raise ValueLearnInputError(
                f"The 'discount' parameter of {owner} must be in [0, 1]; got {discount!r} instead."
            )
        sizes = {
            "param_names": R.shape[0],
            "state_names": n_states,
            "robot_action_names": n_robot,
            "human_action_names": n_human,
        }
        names = {
            "param_names": param_names,
            "state_names": state_names,
            "robot_action_names": robot_action_names,
            "human_action_names": human_action_names,
        }
        for name, given in names.items():
            if given is not None and len(given) != sizes[name]:
                raise ValueLearnInputError(
                    f"The '{name}' parameter of {owner} must have {sizes[name]} entries; got "
                    f"{len(given)} instead."
                )
            object.__setattr__(self, name, None if given is None else tuple(given))
        for name, array in values.items():
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        object.__setattr__(self, "horizon", int(horizon))
        object.__setattr__(self, "discount", float(discount))

    @property
    def n_params(self) -> int:
        return int(self.rewards.shape[0])

    @property
    def n_states(self) -> int:
        return int(self.transitions.shape[0])

    @property
    def n_robot_actions(self) -> int:
        return int(self.transitions.shape[1])

    @property
    def n_human_actions(self) -> int:
        return int(self.transitions.shape[2])

    def check_human_policy(self, human_policy: ArrayLike) -> NDArray[np.float64]:
        """``human_policy`` as an array of shape ``(horizon, n_params, n_states, n_robot_actions,
        n_human_actions)`` (a stationary policy without the first axis is repeated).

        Raises
        ------
        ValueLearnInputError
            If the shape is wrong or a row is not a distribution.
        """
        policy = np.array(human_policy, dtype=np.float64)
        shape = (self.n_params, self.n_states, self.n_robot_actions, self.n_human_actions)
        if policy.shape == shape:
            policy = np.broadcast_to(policy, (self.horizon, *shape)).copy()
        if policy.shape != (self.horizon, *shape):
            raise ValueLearnInputError(
                f"The 'human_policy' parameter must have shape {(self.horizon, *shape)} or "
                f"{shape}; got {policy.shape} instead."
            )
        _distribution(policy, "human_policy", "the assistance game")
        return policy


def full_information_q(game: AssistanceGame) -> NDArray[np.float64]:
    """The team's optimal Q-values when both players know ``theta``.

    Returns
    -------
    array, shape (horizon, n_params, n_states, n_robot_actions, n_human_actions)
        ``Q_t(theta, s, a^R, a^H) = r + discount * sum_s' T V_{t+1}(theta, s')`` with
        ``V_t = max over joint actions of Q_t`` and ``V_H = 0``.

    Examples
    --------
    >>> game = AssistanceGame(np.ones((1, 2, 1, 1)), [[[[1.0], [0.0]]]], [1.0], [1.0], horizon=3)
    >>> full_information_q(game)[:, 0, 0, :, 0].tolist()
    [[3.0, 2.0], [2.0, 1.0], [1.0, 0.0]]
    """
    q = np.zeros((game.horizon, *game.rewards.shape))
    future = np.zeros((game.n_params, game.n_states))
    for t in range(game.horizon - 1, -1, -1):
        q[t] = game.rewards + game.discount * np.einsum("sabn,pn->psab", game.transitions, future)
        future = q[t].max(axis=(2, 3))
    return q


def boltzmann_human(
    game: AssistanceGame, *, rationality: float | None = None
) -> NDArray[np.float64]:
    """A human who acts as if the robot already knew ``theta`` ("optimal in isolation").

    The human sees the robot's action and picks ``a^H`` with probability proportional to
    ``exp(rationality * Q_t(theta, s, a^R, a^H))`` under :func:`full_information_q`; with
    ``rationality=None`` uniformly among the maximisers. Such a human demonstrates, but never
    teaches: an action that only informs the robot has no value to it.

    Returns
    -------
    array, shape (horizon, n_params, n_states, n_robot_actions, n_human_actions)

    Raises
    ------
    ValueLearnInputError
        If ``rationality`` is not a positive finite number or None.

    References
    ----------
    Hadfield-Menell et al. (2016), "Cooperative inverse reinforcement learning", NeurIPS,
    section 3 (demonstration by expert); Malik et al. (2018), "An efficient, generalized Bellman
    update for cooperative inverse reinforcement learning", ICML (Boltzmann humans).

    Examples
    --------
    >>> game = AssistanceGame(np.ones((1, 1, 2, 1)), [[[[1.0, 0.0]]]], [1.0], [1.0], horizon=1)
    >>> boltzmann_human(game)[0, 0, 0, 0].tolist()
    [1.0, 0.0]
    >>> np.round(boltzmann_human(game, rationality=1.0)[0, 0, 0, 0], 4).tolist()
    [0.7311, 0.2689]
    """
    q = full_information_q(game)
    if rationality is None:
        best = np.isclose(q, q.max(axis=-1, keepdims=True), rtol=0.0, atol=1e-12)
        return np.asarray(best / best.sum(axis=-1, keepdims=True), dtype=np.float64)
    beta = float(rationality)
    if isinstance(rationality, bool) or not np.isfinite(beta) or beta <= 0:
        raise ValueLearnInputError(
            f"The 'rationality' parameter of boltzmann_human must be a finite number > 0 or "
            f"None; got {rationality!r} instead."
        )
    return np.asarray(special.softmax(beta * q, axis=-1), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class POMDP:
    """A finite-horizon POMDP with time-dependent dynamics, as produced by the reduction.

    Attributes
    ----------
    transitions : array, shape (horizon, n_actions, n_states, n_states)
        ``T_t[a, x, x']``.
    rewards : array, shape (horizon, n_states, n_actions)
        ``R_t(x, a)``, expected immediate reward.
    observations : array, shape (n_states, n_observations)
        ``O[x', o]``: probability of observing ``o`` on arriving in ``x'``.
    initial : array, shape (n_states,)
        The distribution of the first state.
    discount : float
    observe_initial : bool
        Whether the first state also emits an observation through ``observations`` before the
        first action (the reduction's robot sees the first state); else the first action is
        chosen on ``initial`` alone.
    """

    transitions: NDArray[np.float64]
    rewards: NDArray[np.float64]
    observations: NDArray[np.float64]
    initial: NDArray[np.float64]
    discount: float
    observe_initial: bool = False

    @property
    def horizon(self) -> int:
        return int(self.transitions.shape[0])


def assistance_pomdp(game: AssistanceGame, human_policy: ArrayLike) -> POMDP:
    """Reduce an assistance game with a fixed human policy to the robot's POMDP.

    Hidden state ``x = (s, h, theta)`` where ``h`` is the human's previous action (``h = 0``
    before the first step, ``h = a^H + 1`` after), so ``n_states = |S| (|A^H| + 1) |Theta|``;
    the robot observes ``(s, h)``. Transitions and rewards:

    * ``T_t((s', a^H + 1, theta) | (s, h, theta), a^R) = pi^H_t(a^H | theta, s, a^R)
      T(s' | s, a^R, a^H)``;
    * ``R_t((s, h, theta), a^R) = sum_{a^H} pi^H_t(a^H | theta, s, a^R) r(theta, s, a^R, a^H)``.

    Parameters
    ----------
    game : AssistanceGame
    human_policy : array_like
        Shape ``(horizon, n_params, n_states, n_robot_actions, n_human_actions)`` or without
        the time axis.

    Returns
    -------
    POMDP
        State index ``((s * (n_human_actions + 1)) + h) * n_params + theta``; observation index
        ``s * (n_human_actions + 1) + h``.

    References
    ----------
    Hadfield-Menell et al. (2016), NeurIPS, theorem 1; Shah et al. (2020), "Benefits of
    assistance over reward learning", the reduction with a fixed human policy
    (HumanCompatibleAI/assistance-games, ``core/reduction.py``).

    Examples
    --------
    >>> game = AssistanceGame(np.ones((1, 1, 2, 1)), [[[[1.0, 0.0]]]], [1.0], [1.0], horizon=1)
    >>> pomdp = assistance_pomdp(game, boltzmann_human(game))
    >>> pomdp.transitions.shape, pomdp.observations.shape
    ((1, 1, 3, 3), (3, 3))
    """
    policy = game.check_human_policy(human_policy)
    n_p, n_s, n_r, n_h = game.n_params, game.n_states, game.n_robot_actions, game.n_human_actions
    n_x = n_s * (n_h + 1) * n_p
    transitions = np.zeros((game.horizon, n_r, n_x, n_x))
    rewards = np.zeros((game.horizon, n_x, n_r))
    index = np.arange(n_x).reshape(n_s, n_h + 1, n_p)
    for t in range(game.horizon):
        expected = np.einsum("psah,psah->psa", policy[t], game.rewards)  # (p, s, aR)
        for s in range(n_s):
            for h in range(n_h + 1):
                rewards[t, index[s, h, :], :] = expected[:, s, :]
                for a_r in range(n_r):
                    # (p, aH, s'): pi(aH | p, s, aR) T(s' | s, aR, aH)
                    moves = policy[t, :, s, a_r, :, None] * game.transitions[None, s, a_r, :, :]
                    for a_h in range(n_h):
                        targets = index[:, a_h + 1, :]  # (s', p)
                        for theta in range(n_p):
                            transitions[t, a_r, index[s, h, theta], targets[:, theta]] = moves[
                                theta, a_h, :
                            ]
    observations = np.zeros((n_x, n_s * (n_h + 1)))
    observations[np.arange(n_x), np.repeat(np.arange(n_s * (n_h + 1)), n_p)] = 1.0
    initial = np.zeros(n_x)
    initial[index[:, 0, :].ravel()] = np.outer(game.initial, game.prior).ravel()
    return POMDP(transitions, rewards, observations, initial, game.discount, observe_initial=True)
