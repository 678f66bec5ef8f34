"""Regret (expected value difference) of acting on a learned reward, measured with the true one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, check_discount
from valuelearn.evaluation._validation import reward_array
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import (
    expected_return,
    expected_reward,
    soft_value_iteration,
    value_iteration,
)

#: Relative precision, as a fraction of the largest possible ``|return|``, of the returns compared
#: here: the infinite-horizon planners are run to this tolerance and a normalising denominator
#: below it counts as zero.
RELATIVE_TOLERANCE = 1e-10


@dataclass(frozen=True)
class RegretResult:
    """Regret of the policy optimal for a learned reward, evaluated with the true reward.

    Attributes
    ----------
    regret : float
        ``optimal_return - learned_return``, >= 0 (clipped at 0: a negative value could only be
        the planner's rounding).
    normalized_regret : float
        ``regret / (optimal_return - uniform_return)``: 0 for a learned reward as good as the true
        one, 1 for one no better than acting uniformly at random, above 1 for one that is worse.
        Defined as 0.0 when the denominator is zero (up to rounding): then the uniform policy is
        optimal, so every policy is optimal and there is nothing to lose.
    optimal_return : float
        ``J_true(pi*_true)``.
    learned_return : float
        ``J_true(pi*_learned)``.
    uniform_return : float
        ``J_true(pi_uniform)``, with ``pi_uniform(a | s) = 1 / n_actions``.
    """

    regret: float
    normalized_regret: float
    optimal_return: float
    learned_return: float
    uniform_return: float


def regret(
    mdp: MDP,
    true_reward: ArrayLike,
    learned_reward: ArrayLike,
    *,
    horizon: int | None,
    discount: float,
    initial: ArrayLike | None = None,
    soft: bool = False,
) -> RegretResult:
    """Regret ``J_true(pi*_true) - J_true(pi*_learned)`` of optimising a learned reward.

    ``pi*_learned`` is the optimal policy for ``learned_reward`` (:func:`value_iteration`, which
    splits ties evenly), or with ``soft=True`` the soft-optimal (maximum causal entropy) policy at
    temperature 1 (:func:`soft_value_iteration`). The optimal policy for the true reward is always
    the hard optimum, so ``soft=True`` reports a positive regret even for the true reward. All
    three returns are computed with :func:`expected_return` under the *true* reward from
    ``initial``, so identical policies give exactly zero regret. Hard planning runs on each reward
    rescaled to ``max |r(s, a)| = 1``, which leaves its optimal policies unchanged and makes the
    result independent of the reward's scale (the planner's tie tolerance has an absolute floor of
    ``1e-12``, so a reward of size ``1e-13`` would otherwise look constant).

    Normalised regret divides by ``J_true(pi*_true) - J_true(pi_uniform)``; when that is zero (up
    to ``RELATIVE_TOLERANCE`` of the largest possible ``|return|``) the uniform policy is optimal,
    hence so is every policy, and the normalised regret is defined as 0.0.

    Parameters
    ----------
    mdp : MDP
    true_reward, learned_reward : array, shape (n_states,), (n_states, n_actions) or \
(n_states, n_actions, n_states)
        ``R[s]`` is received in the state where the action is taken.
    horizon : int or None
        Number of decisions (time convention of :mod:`valuelearn.policy._planning`); ``None`` for
        the discounted infinite horizon.
    discount : float in [0, 1]
        Must be ``< 1`` when ``horizon`` is None.
    initial : array, shape (n_states,), optional
        Start distribution (default ``mdp.initial``).
    soft : bool
        Use the soft-optimal (temperature 1) policy for the learned reward.

    Returns
    -------
    RegretResult

    Raises
    ------
    ValueLearnInputError
        If ``mdp`` is not an MDP, a reward has none of the three shapes or is not finite,
        ``discount`` is outside [0, 1], ``horizon`` is not a positive integer or None (or is None
        with ``discount == 1``), or ``initial`` is not a distribution over the states.

    References
    ----------
    Levine, Popović & Koltun (2011), "Nonlinear inverse reinforcement learning with Gaussian
    processes", NeurIPS (expected value difference). Gleave, Dennis, Legg, Russell & Leike (2021),
    "Quantifying differences in reward functions", ICLR 2021, arXiv:2006.13900 (regret of the
    optimal policy of a learned reward, bounded by EPIC).

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0  # action a goes to state a
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> result = regret(mdp, [0.0, 1.0], [1.0, 0.0], horizon=None, discount=0.5)
    >>> result.regret, result.normalized_regret, result.uniform_return
    (1.0, 2.0, 0.5)
    """
    if not isinstance(mdp, MDP):
        raise ValueLearnInputError(
            f"`mdp` must be a valuelearn.data.MDP; got {type(mdp).__name__} instead."
        )
    if not isinstance(soft, bool | np.bool_):
        raise ValueLearnInputError(f"`soft` must be True or False; got {soft!r} instead.")
    n_states, n_actions = mdp.n_states, mdp.n_actions
    true = reward_array(true_reward, n_states=n_states, n_actions=n_actions, name="true_reward")
    learned = reward_array(
        learned_reward, n_states=n_states, n_actions=n_actions, name="learned_reward"
    )
    discount = check_discount(discount)
    reach = _return_bound(horizon, discount)
    true_size = _largest_expected_reward(mdp, true)
    optimal_policy = _optimal_policy(mdp, true, true_size, horizon=horizon, discount=discount)
    if soft:
        learned_size = _largest_expected_reward(mdp, learned)
        learned_policy = soft_value_iteration(
            mdp,
            learned,
            horizon=horizon,
            discount=discount,
            temperature=1.0,
            tol=_planner_tol((learned_size + np.log(n_actions)) * reach),
            return_q=False,
        ).policy
    else:
        learned_policy = _optimal_policy(
            mdp,
            learned,
            _largest_expected_reward(mdp, learned),
            horizon=horizon,
            discount=discount,
        )
    uniform_policy = np.full((n_states, n_actions), 1.0 / n_actions)
    optimal, learned_return, uniform = (
        expected_return(mdp, true, policy, horizon=horizon, discount=discount, initial=initial)
        for policy in (optimal_policy, learned_policy, uniform_policy)
    )
    loss = max(optimal - learned_return, 0.0)
    denominator = optimal - uniform
    if denominator <= RELATIVE_TOLERANCE * true_size * reach or denominator <= 0.0:
        normalized = 0.0
    else:
        normalized = loss / denominator
    return RegretResult(
        regret=loss,
        normalized_regret=normalized,
        optimal_return=optimal,
        learned_return=learned_return,
        uniform_return=uniform,
    )


def _return_bound(horizon: int | None, discount: float) -> float:
    """``sum_t discount**t`` over the decisions: the largest ``|return|`` per unit of reward."""
    if horizon is None:
        if discount >= 1.0:  # the planner raises the proper error
            return 1.0
        return 1.0 / (1.0 - discount)
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        return 1.0  # the planner raises the proper error
    if discount == 1.0:
        return float(horizon)
    return float((1.0 - discount ** int(horizon)) / (1.0 - discount))


def _optimal_policy(
    mdp: MDP,
    reward: NDArray[np.float64],
    size: float,
    *,
    horizon: int | None,
    discount: float,
) -> NDArray[np.float64]:
    """Value-iteration policy of ``reward / size`` (same optimal policy, scale-free ties).

    Planning on the reward rescaled to ``max |r(s, a)| = 1`` makes the planner's tie tolerance
    and convergence tolerance relative to the reward, so ``c * R`` gives the policy of ``R`` for
    every ``c > 0`` however small or large.
    """
    scaled = reward / size if size > 0.0 else reward
    result = value_iteration(
        mdp,
        scaled,
        horizon=horizon,
        discount=discount,
        tol=_planner_tol(_return_bound(horizon, discount)),
    )
    return result.policy


def _largest_expected_reward(mdp: MDP, reward: NDArray[np.float64]) -> float:
    return float(np.max(np.abs(expected_reward(mdp, reward))))


def _planner_tol(scale: float) -> float:
    """Planner tolerance relative to the size of the values, so any reward scale converges."""
    return max(RELATIVE_TOLERANCE * scale, 1e-300)
