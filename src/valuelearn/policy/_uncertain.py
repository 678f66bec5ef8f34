"""Acting under value uncertainty: planning from a posterior (or an ensemble) of rewards.

Three ways to act on draws ``R_1 .. R_n`` of what a person values:

* **the mean**: returns are linear in the reward, so the policy optimal for the posterior-mean
  reward maximises the posterior *expected* return (plan with ``posterior.mean_reward()``);
* **pessimism**: maximise the conditional value at risk of the return over the draws,
  ``CVaR_alpha`` (the mean of the worst ``1 - alpha`` fraction; ``alpha = 1`` is the worst case),
  optionally blended with the mean (BROIL, Brown, Niekum & Petrik 2020). The return of every draw
  is linear in the policy's occupancy measure, so this is one exact linear program
  (:func:`cvar_plan`), whose optimum may randomise;
* **a conservative prior**: stay close to a default or habitual policy ``pi_0`` where the values
  do not say clearly that something else is better, by maximising
  ``E[sum_t discount**t (r - strength * KL(pi(.|s_t) || pi_0(.|s_t)))]``
  (:func:`kl_regularized_plan`, KL control; Todorov 2007, Jaques et al. 2019).

:func:`posterior_outcomes` scores a policy the way the comparison needs: its return under the
true reward, its expected and worst-case return under the draws, and its visits to bad states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog

from valuelearn.data import MDP, Demonstrations, action_counts, check_discount
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._constraints import action_mask
from valuelearn.policy._occupancy import occupancy
from valuelearn.policy._occupancy_lp import flat_rewards, flow_constraints, policy_from_occupancy
from valuelearn.policy._planning import (
    PlanningResult,
    check_horizon,
    soft_value_iteration,
    value_iteration,
)
from valuelearn.policy._rewards import expected_reward

if TYPE_CHECKING:  # inference imports policy; import it lazily to keep the package acyclic
    from valuelearn.inference import RewardPosterior


@dataclass(frozen=True, eq=False)
class RiskAversePlan:
    """The policy that maximises ``(1 - mean_weight) * CVaR_alpha + mean_weight * mean`` of return.

    Attributes
    ----------
    policy : array, shape (n_states, n_actions)
    occupancy : array, shape (n_states, n_actions)
    returns : array, shape (n_samples,)
        ``J_{R_i}(policy)`` under every draw.
    cvar : float
        ``CVaR_alpha`` of ``returns`` (the worst case when ``alpha == 1``).
    mean : float
        Posterior expected return.
    value_at_risk : float
        The optimal threshold ``sigma`` of the CVaR program (the ``1 - alpha`` quantile of the
        returns); ``nan`` when ``alpha == 1``.
    alpha, mean_weight : float
    """

    policy: NDArray[np.float64]
    occupancy: NDArray[np.float64]
    returns: NDArray[np.float64]
    cvar: float
    mean: float
    value_at_risk: float
    alpha: float
    mean_weight: float


def conditional_value_at_risk(
    values: ArrayLike, *, alpha: float, weights: ArrayLike | None = None
) -> float:
    """``CVaR_alpha`` of a discrete distribution: the mean of its worst ``1 - alpha`` tail.

    ``CVaR_alpha(X) = max_sigma sigma - E[(sigma - X)_+] / (1 - alpha)`` (Rockafellar & Uryasev
    2000) for ``alpha`` in ``[0, 1)``: ``alpha = 0`` gives the mean; ``alpha = 1`` gives the
    minimum. Large values are good (returns, not losses).

    Examples
    --------
    >>> conditional_value_at_risk([1.0, 2.0, 3.0, 4.0], alpha=0.5)  # mean of the worst half
    1.5
    >>> round(conditional_value_at_risk([1.0, 2.0, 3.0], alpha=0.5), 6)  # (1 + 2 / 2) / 1.5
    1.333333
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    p = _weights(weights, x.size)
    level = _check_alpha(alpha)
    if level == 1.0:
        return float(x[p > 0].min())
    order = np.argsort(x, kind="stable")
    tail = 1.0 - level
    taken = np.minimum(p[order], np.maximum(tail - (np.cumsum(p[order]) - p[order]), 0.0))
    return float(taken @ x[order] / tail)


def cvar_plan(
    mdp: MDP,
    rewards: ArrayLike | RewardPosterior,
    *,
    discount: float,
    alpha: float = 0.9,
    mean_weight: float = 0.0,
    weights: ArrayLike | None = None,
    allowed: ArrayLike | None = None,
    initial: ArrayLike | None = None,
) -> RiskAversePlan:
    """The policy with the best ``CVaR_alpha`` of return over reward draws (exact LP).

    Solves ``max_{x, sigma, z} (1 - w) (sigma - sum_i p_i z_i / (1 - alpha)) + w sum_i p_i R_i.x``
    subject to ``z_i >= sigma - R_i . x``, ``z >= 0`` and the Bellman flow constraints on the
    occupancy ``x`` (``w = mean_weight``; with ``alpha = 1``: ``max sigma`` s.t.
    ``sigma <= R_i . x``, the max-min policy). Discounted, infinite horizon.

    Parameters
    ----------
    mdp : MDP
    rewards : array, shape (n_samples, n_states), (n_samples, n_states, n_actions) or
        (n_samples, n_states, n_actions, n_states); or a RewardPosterior
    discount : float in [0, 1)
    alpha : float in [0, 1]
        Risk aversion: 0 is the posterior mean, 1 the worst draw.
    mean_weight : float in [0, 1]
        Weight of the expected return in the objective (BROIL's ``lambda``).
    weights : array, shape (n_samples,), optional
        Probability of each draw (default: equal, as for MCMC draws).
    allowed : array of bool, shape (n_states, n_actions), optional
        Hard rules as well (see :func:`~valuelearn.policy._constraints.allowed_actions`).
    initial : array, shape (n_states,), optional

    Returns
    -------
    RiskAversePlan

    References
    ----------
    Brown, Niekum & Petrik (2020), "Bayesian robust optimization for imitation learning",
    NeurIPS, eq. 9-11 (BROIL). Rockafellar & Uryasev (2000), "Optimization of conditional
    value-at-risk", J. Risk 2(3). Hadfield-Menell et al. (2017), "Inverse reward design", NeurIPS
    (risk-averse planning in situations the data did not cover).

    Examples
    --------
    Two equally likely rewards that disagree about which of two actions is good: the max-min
    policy hedges with a fair coin, the mean policy (either action) can lose everything.

    >>> mdp = MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])
    >>> plan = cvar_plan(mdp, [[[1.0, 0.0]], [[0.0, 1.0]]], discount=0.5, alpha=1.0)
    >>> plan.policy.round(6).tolist(), plan.returns.round(6).tolist(), round(plan.cvar, 6)
    ([[0.5, 0.5]], [1.0, 1.0], 1.0)
    """
    discount = check_discount(discount)
    matrix, start = flow_constraints(mdp, discount=discount, initial=initial)
    draws = flat_rewards(mdp, _draws(rewards), "rewards")
    n = draws.shape[0]
    p = _weights(weights, n)
    level = _check_alpha(alpha)
    if not (isinstance(mean_weight, int | float) and 0.0 <= mean_weight <= 1.0):
        raise ValueLearnInputError(
            f"The 'mean_weight' parameter of cvar_plan must be in [0, 1]; got {mean_weight!r} "
            "instead."
        )
    size = draws.shape[1]
    mean_reward = p @ draws
    worst_case = level == 1.0
    n_tail = 0 if worst_case else n
    # variables: x (size), sigma (1), z (n_tail)
    objective = np.concatenate(
        [
            -mean_weight * mean_reward,
            [-(1.0 - mean_weight)],
            (1.0 - mean_weight) * p / (1.0 - level) if not worst_case else np.zeros(0),
        ]
    )
    a_ub = sp.hstack(
        [
            sp.csr_array(-draws),
            sp.csr_array(np.ones((n, 1))),
            -sp.identity(n, format="csr") if not worst_case else sp.csr_array((n, 0)),
        ],
        format="csr",
    )
    a_eq = sp.hstack([matrix, sp.csr_array((mdp.n_states, 1 + n_tail))], format="csr")
    upper = np.full(size, np.inf)
    if allowed is not None:
        mask = action_mask(allowed, mdp, "allowed", "cvar_plan")
        upper = np.where(mask.ravel(), np.inf, 0.0)
    bounds = np.column_stack(
        [
            np.concatenate([np.zeros(size), [-np.inf], np.zeros(n_tail)]),
            np.concatenate([upper, [np.inf], np.full(n_tail, np.inf)]),
        ]
    )
    result = linprog(
        objective, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=start, bounds=bounds, method="highs"
    )
    if result.status != 0:
        raise ValueLearnInputError(f"the CVaR linear program failed: {result.message}")
    x = np.maximum(result.x[:size], 0.0).reshape(mdp.n_states, mdp.n_actions)
    fallback = value_iteration(
        mdp, mean_reward.reshape(mdp.n_states, mdp.n_actions), horizon=None, discount=discount
    ).policy
    returns = draws @ x.ravel()
    return RiskAversePlan(
        policy_from_occupancy(x, np.asarray(fallback)),
        x,
        returns,
        conditional_value_at_risk(returns, alpha=level, weights=p),
        float(p @ returns),
        float("nan") if worst_case else float(result.x[size]),
        level,
        float(mean_weight),
    )


def kl_regularized_plan(
    mdp: MDP,
    reward: ArrayLike,
    default_policy: ArrayLike,
    *,
    strength: float,
    horizon: int | None,
    discount: float,
) -> PlanningResult:
    """Plan for ``reward`` while staying close to ``default_policy`` (KL-regularised planning).

    Maximises ``E[sum_t discount**t (r(s_t, a_t) - strength * KL(pi(.|s_t) || pi_0(.|s_t)))]``.
    The optimum is ``pi(a|s) = pi_0(a|s) exp((Q(s, a) - V(s)) / strength)`` with
    ``V(s) = strength * log sum_a pi_0(a|s) exp(Q(s, a) / strength)``: soft value iteration at
    temperature ``strength`` on the reward ``r + strength * log pi_0`` (actions the default never
    takes are never taken). As ``strength`` grows the policy tends to ``pi_0``; as it shrinks, to
    the best policy among the actions ``pi_0`` allows. ``values`` are the regularised values.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    default_policy : array, shape (n_states, n_actions)
        The habitual or default behaviour ``pi_0``; every row must have a positive entry.
    strength : float > 0
    horizon : int or None
    discount : float

    Returns
    -------
    PlanningResult

    References
    ----------
    Todorov (2007), "Linearly-solvable Markov decision problems", NeurIPS. Jaques et al. (2019),
    "Way off-policy batch deep reinforcement learning of implicit human preferences in dialog",
    arXiv:1907.00456 (KL control toward a prior learned from human behaviour).

    Examples
    --------
    One decision: ``pi = pi_0 exp(r / strength) / Z`` and ``V = strength * log Z``.

    >>> mdp = MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])
    >>> plan = kl_regularized_plan(
    ...     mdp, [[np.log(3.0), 0.0]], [[0.25, 0.75]], strength=1.0, horizon=1, discount=1.0
    ... )
    >>> plan.policy[0].round(6).tolist(), round(float(plan.values[0, 0]), 6)
    ([[0.5, 0.5]], 0.405465)
    """
    if not (isinstance(strength, int | float) and np.isfinite(strength) and strength > 0):
        raise ValueLearnInputError(
            f"The 'strength' parameter of kl_regularized_plan must be a positive number; got "
            f"{strength!r} instead."
        )
    prior = np.asarray(default_policy, dtype=np.float64)
    if prior.shape != (mdp.n_states, mdp.n_actions):
        raise ValueLearnInputError(
            f"The 'default_policy' parameter of kl_regularized_plan must have shape "
            f"({mdp.n_states}, {mdp.n_actions}); got {prior.shape} instead."
        )
    sums = prior.sum(axis=1)
    if not np.all(np.isfinite(prior)) or prior.min() < 0 or np.any(np.abs(sums - 1.0) > 1e-6):
        raise ValueLearnInputError(
            "The 'default_policy' parameter of kl_regularized_plan must hold probabilities with "
            "every row summing to 1."
        )
    r = expected_reward(mdp, reward)
    positive = prior > 0
    log_prior = np.log(np.where(positive, prior, 1.0))
    gamma = check_discount(discount)
    horizon = check_horizon(horizon, gamma)
    steps = horizon if horizon is not None else 1.0 / (1.0 - gamma)
    span = (float(np.max(np.abs(r))) + strength * float(np.max(-log_prior))) * float(steps)
    never = 4.0 * span + 800.0 * strength + 1.0  # far below any return and exp(-800) == 0
    shifted = r + strength * log_prior - np.where(positive, 0.0, never)
    return soft_value_iteration(
        mdp, shifted, horizon=horizon, discount=discount, temperature=float(strength)
    )


def habitual_policy(
    mdp: MDP,
    demonstrations: Demonstrations,
    *,
    prior_strength: float = 1.0,
    default_policy: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """What the person habitually does: smoothed action frequencies of their demonstrations.

    ``pi_0(a|s) = (count(s, a) + k * default(a|s)) / (count(s) + k)`` with ``k`` the
    ``prior_strength``: the person's own choices where they were seen often, the default
    (uniform unless given) where they were not.

    Examples
    --------
    >>> from valuelearn.data import Trajectory
    >>> mdp = MDP.from_dense(np.ones((2, 2, 2)) / 2, initial=[1.0, 0.0])
    >>> demos = Demonstrations([Trajectory([0, 0, 0, 1], [1, 1, 1])])
    >>> habitual_policy(mdp, demos).tolist()
    [[0.125, 0.875], [0.5, 0.5]]
    """
    if not (isinstance(prior_strength, int | float) and prior_strength > 0):
        raise ValueLearnInputError(
            f"The 'prior_strength' parameter of habitual_policy must be a positive number; got "
            f"{prior_strength!r} instead."
        )
    demonstrations.check_against(mdp.n_states, mdp.n_actions, "demonstrations")
    default = np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)
    if default_policy is not None:
        default = np.asarray(default_policy, dtype=np.float64)
        if default.shape != (mdp.n_states, mdp.n_actions):
            raise ValueLearnInputError(
                f"The 'default_policy' parameter of habitual_policy must have shape "
                f"({mdp.n_states}, {mdp.n_actions}); got {default.shape} instead."
            )
    counts = action_counts(demonstrations, mdp.n_states, mdp.n_actions)
    smoothed = counts + prior_strength * default
    policy: NDArray[np.float64] = smoothed / smoothed.sum(axis=1, keepdims=True)
    return policy


def posterior_outcomes(
    mdp: MDP,
    policy: ArrayLike | PlanningResult,
    rewards: ArrayLike | RewardPosterior,
    *,
    true_reward: ArrayLike,
    bad_states: ArrayLike,
    discount: float,
    alpha: float = 0.9,
    initial: ArrayLike | None = None,
) -> dict[str, float]:
    """How a stationary policy fares: under the truth, under the draws, and in bad states.

    Returns
    -------
    dict
        ``true_return`` (``J_R(policy)`` for the true reward), ``mean_return`` and ``cvar_return``
        (the posterior mean and ``CVaR_alpha`` of ``J_{R_i}(policy)``), ``worst_return`` (the
        worst draw), and ``bad_visits``: the discounted share of time spent in ``bad_states``,
        ``(1 - discount) * sum_{s bad} occupancy(s)`` in ``[0, 1]``.

    Examples
    --------
    >>> mdp = MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])
    >>> out = posterior_outcomes(mdp, [[0.5, 0.5]], [[[1.0, 0.0]], [[0.0, 1.0]]],
    ...     true_reward=[[1.0, 0.0]], bad_states=[False], discount=0.5)
    >>> out["true_return"], out["worst_return"], out["bad_visits"]
    (1.0, 1.0, 0.0)
    """
    discount = check_discount(discount)
    array = policy.policy if isinstance(policy, PlanningResult) else policy
    plan = np.asarray(array, dtype=np.float64)
    start = mdp.initial if initial is None else initial
    visits = occupancy(mdp, plan, horizon=None, discount=discount, initial=start).total
    x = (visits[:, None] * plan).ravel()
    draws = flat_rewards(mdp, _draws(rewards), "rewards") @ x
    bad = np.asarray(bad_states, dtype=bool)
    if bad.shape != (mdp.n_states,):
        raise ValueLearnInputError(
            f"The 'bad_states' parameter must be a boolean mask over {mdp.n_states} states; got "
            f"shape {bad.shape} instead."
        )
    return {
        "true_return": float(expected_reward(mdp, true_reward).ravel() @ x),
        "mean_return": float(draws.mean()),
        "cvar_return": conditional_value_at_risk(draws, alpha=alpha),
        "worst_return": float(draws.min()),
        "bad_visits": float((1.0 - discount) * visits[bad].sum()),
    }


# ---------------------------------------------------------------------- helpers
def _draws(rewards: ArrayLike | RewardPosterior) -> NDArray[np.float64]:
    # A RewardPosterior (or anything else with reward draws) is read through its `rewards`;
    # checking its attribute rather than its class keeps policy/ free of inference/ imports.
    draws = getattr(rewards, "rewards", None)
    if isinstance(draws, np.ndarray) and draws.ndim == 2:
        return np.asarray(draws, dtype=np.float64)
    array = np.asarray(rewards, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueLearnInputError("The 'rewards' parameter must hold finite numbers only.")
    return array


def _weights(weights: ArrayLike | None, n: int) -> NDArray[np.float64]:
    if n < 1:
        raise ValueLearnInputError("at least one value (reward draw) is needed.")
    if weights is None:
        return np.full(n, 1.0 / n)
    p = np.asarray(weights, dtype=np.float64)
    if p.shape != (n,) or not np.all(np.isfinite(p)) or p.min() < 0 or p.sum() <= 0:
        raise ValueLearnInputError(
            f"The 'weights' parameter must hold {n} non-negative numbers with a positive sum; "
            f"got shape {p.shape} instead."
        )
    normalized: NDArray[np.float64] = p / p.sum()
    return normalized


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0.0 <= alpha <= 1.0:
        raise ValueLearnInputError(
            f"The 'alpha' parameter (risk aversion) must be in [0, 1]; got {alpha!r} instead."
        )
    return float(alpha)
