"""Probabilistic bounds on a policy's regret from posterior reward samples, and a robust policy.

Given draws ``R_1 .. R_n`` of a posterior over the person's state reward (Bayesian IRL), the regret
of deploying ``pi`` is uncertain: under draw ``i`` it is the expected value difference
``EVD_i = J_{R_i}(pi*_{R_i}) - J_{R_i}(pi)``. Its ``alpha``-quantile over the draws (the
``alpha``-value at risk) bounds the true regret with posterior probability ``alpha`` (Brown &
Niekum 2018). The optimal returns ``J_{R_i}(pi*_{R_i})`` need one planning problem per draw; they
are solved exactly by policy iteration warm-started from the previous draw's optimal policy (an
MCMC chain moves a little at a time, so that policy is usually still optimal), with each policy's
linear system factorised once and re-used.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import binom

from valuelearn.data import MDP, check_discount
from valuelearn.evaluation._regret import RELATIVE_TOLERANCE, _return_bound
from valuelearn.evaluation._validation import as_float_array, distribution
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference import RewardPosterior
from valuelearn.inference._birl_model import BIRLModel, PolicySystem
from valuelearn.policy import occupancy, value_iteration

#: Memory (bytes) given to cached factorisations of policy systems.
CACHE_BYTES = 64_000_000


@dataclass(frozen=True, eq=False)
class RegretBound:
    """The ``alpha``-value at risk of a policy's regret over posterior reward samples.

    Attributes
    ----------
    bound : float
        The ``alpha``-quantile of ``samples`` (the smallest sample ``v`` with at least a fraction
        ``alpha`` of the samples ``<= v``), or with ``confidence`` the order statistic that bounds
        that quantile from above with that confidence.
    samples : array, shape (n_samples,)
        ``EVD_i = J_{R_i}(pi*_{R_i}) - J_{R_i}(policy) >= 0`` per draw, divided by
        ``J_{R_i}(pi*_{R_i}) - J_{R_i}(pi_uniform)`` when ``normalized`` (0 where that is 0).
    alpha : float
    normalized : bool
    confidence : float or None
    """

    bound: float
    samples: NDArray[np.float64]
    alpha: float
    normalized: bool
    confidence: float | None = None

    @property
    def mean(self) -> float:
        """Posterior expected regret (the mean of ``samples``)."""
        return float(self.samples.mean())


@dataclass(frozen=True, eq=False)
class RobustPolicy:
    """The candidate policy with the smallest regret value at risk (see :func:`robust_policy`).

    Attributes
    ----------
    policy : array, shape (n_states, n_actions)
    value_at_risk : RegretBound
        Its regret bound.
    source : str
        Where it came from: ``"mean"``, ``"lower"`` or ``"draw <i>"``.
    candidates : dict of str to float
        The bound of every candidate, by source.
    """

    policy: NDArray[np.float64]
    value_at_risk: RegretBound
    source: str
    candidates: dict[str, float]


def regret_value_at_risk(
    mdp: MDP,
    rewards: ArrayLike | RewardPosterior,
    policy: ArrayLike,
    *,
    discount: float,
    alpha: float = 0.95,
    normalized: bool = False,
    confidence: float | None = None,
    initial: ArrayLike | None = None,
) -> RegretBound:
    """The ``alpha``-value at risk of ``policy``'s regret under posterior reward samples.

    For every draw ``R_i``, ``EVD_i = J_{R_i}(pi*_{R_i}) - J_{R_i}(policy)`` with
    ``J_R(pi) = E[sum_t discount**t R(s_t)]`` from ``initial`` (discounted, infinite horizon). If
    the draws come from the posterior, the true regret is at most :attr:`RegretBound.bound` with
    posterior probability at least ``alpha``. With ``confidence`` the bound is the order statistic
    ``EVD_(k)`` with the smallest ``k`` such that ``P(Binomial(n, alpha) < k) >= confidence``,
    which is above the posterior's ``alpha``-quantile with that probability for independent draws
    (thin an autocorrelated chain first).

    Parameters
    ----------
    mdp : MDP
    rewards : array, shape (n_samples, n_states), or RewardPosterior
        State rewards of the draws (``posterior.rewards``).
    policy : array, shape (n_states, n_actions)
        The (stationary, possibly stochastic) policy evaluated.
    discount : float in [0, 1)
    alpha : float in (0, 1]
    normalized : bool
        Divide each ``EVD_i`` by ``J_{R_i}(pi*_{R_i}) - J_{R_i}(pi_uniform)`` (0 for a draw under
        which every policy is optimal), as :func:`regret` does.
    confidence : float in (0, 1), optional
    initial : array, shape (n_states,), optional
        Start distribution (default ``mdp.initial``).

    Returns
    -------
    RegretBound

    Raises
    ------
    ValueLearnInputError
        If ``rewards`` is not a non-empty finite ``(n_samples, n_states)`` array, ``policy`` not a
        ``(n_states, n_actions)`` policy, ``discount`` not in [0, 1), ``alpha`` not in (0, 1],
        ``confidence`` not in (0, 1) or too high for ``n_samples``, or ``initial`` not a
        distribution.

    References
    ----------
    Brown & Niekum (2018), "Efficient probabilistic performance bounds for inverse reinforcement
    learning", AAAI, arXiv:1707.00724 (alpha-VaR of the expected value difference over Bayesian
    IRL samples). Wilks (1941), "Determination of sample sizes for setting tolerance limits", Ann.
    Math. Statist. 12 (order statistics as confidence bounds on a quantile).

    Examples
    --------
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0  # action a goes to state a
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> draws = [[0.0, 1.0], [0.0, 2.0], [1.0, 0.0]]  # two say state 1 is better, one state 0
    >>> stay = [[1.0, 0.0], [1.0, 0.0]]  # always go to (stay in) state 0
    >>> result = regret_value_at_risk(mdp, draws, stay, discount=0.5, alpha=0.6)
    >>> result.samples.tolist(), result.bound
    ([1.0, 2.0, 0.0], 1.0)
    """
    start, discount = _check_world(mdp, discount, initial, "regret_value_at_risk")
    draws = _reward_draws(rewards, mdp.n_states)
    alpha = _check_alpha(alpha, "regret_value_at_risk")
    optimal, _ = optimal_returns(mdp, draws, discount=discount, initial=start)
    scale = _Scale(mdp, draws, optimal, discount, start) if normalized else None
    returns = draws @ occupancy(mdp, policy, horizon=None, discount=discount, initial=start).total
    return _bound(optimal - returns, alpha, scale, confidence)


def robust_policy(
    mdp: MDP,
    rewards: ArrayLike | RewardPosterior,
    *,
    discount: float,
    alpha: float = 0.95,
    n_candidates: int = 20,
    normalized: bool = False,
    initial: ArrayLike | None = None,
) -> RobustPolicy:
    """The candidate policy with the smallest ``alpha``-value at risk of regret.

    The candidates are the optimal policies for the posterior-mean reward (``"mean"``), for the
    per-state lower credible reward, the ``(1 - alpha)``-quantile of each state's reward over the
    draws (``"lower"``), and for ``n_candidates`` evenly spaced draws (``"draw <i>"``). The one
    with the smallest bound is the pessimistic choice of a risk-averse user: it gives up some
    expected return for a smaller worst case; ties keep the earlier candidate, so the mean policy
    wins unless another is strictly safer.

    Parameters
    ----------
    mdp : MDP
    rewards : array, shape (n_samples, n_states), or RewardPosterior
    discount : float in [0, 1)
    alpha : float in (0, 1]
    n_candidates : int >= 0
        Posterior draws whose optimal policies are candidates.
    normalized : bool
        Compare normalised bounds (see :func:`regret_value_at_risk`).
    initial : array, shape (n_states,), optional

    Returns
    -------
    RobustPolicy

    Raises
    ------
    ValueLearnInputError
        As :func:`regret_value_at_risk`, or if ``n_candidates`` is not a non-negative integer.

    References
    ----------
    Brown & Niekum (2018), "Efficient probabilistic performance bounds for inverse reinforcement
    learning", AAAI, arXiv:1707.00724 (risk-aware policy selection by the alpha-VaR bound).

    Examples
    --------
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> draws = [[1.0, 0.0]] * 8 + [[-2.0, 0.0]] * 2  # state 0 is good, or (20%) bad
    >>> robust = robust_policy(mdp, draws, discount=0.5, alpha=0.9)
    >>> robust.candidates["mean"], robust.source, robust.value_at_risk.bound
    (2.0, 'lower', 1.0)
    >>> robust.policy.tolist()  # leave state 0 at once
    [[0.0, 1.0], [0.0, 1.0]]
    """
    start, discount = _check_world(mdp, discount, initial, "robust_policy")
    draws = _reward_draws(rewards, mdp.n_states)
    alpha = _check_alpha(alpha, "robust_policy")
    if isinstance(n_candidates, bool) or not isinstance(n_candidates, int) or n_candidates < 0:
        raise ValueLearnInputError(
            "The 'n_candidates' parameter of robust_policy must be a non-negative integer; got "
            f"{n_candidates!r} instead."
        )
    optimal, actions = optimal_returns(mdp, draws, discount=discount, initial=start)
    scale = _Scale(mdp, draws, optimal, discount, start) if normalized else None
    candidates = _candidates(mdp, draws, actions, alpha, n_candidates, discount)
    results = {}
    for source, policy in candidates.items():
        visits = occupancy(mdp, policy, horizon=None, discount=discount, initial=start).total
        results[source] = _bound(optimal - draws @ visits, alpha, scale, None)
    chosen = min(results, key=lambda source: results[source].bound)  # the first on ties
    return RobustPolicy(
        candidates[chosen],
        results[chosen],
        chosen,
        {source: result.bound for source, result in results.items()},
    )


def optimal_returns(
    mdp: MDP, rewards: NDArray[np.float64], *, discount: float, initial: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """``J_{R_i}(pi*_{R_i})`` and an optimal deterministic policy ``actions[i, s]`` per row.

    Identical rows are solved once; the rest in order of first appearance, each by policy
    iteration started from the previous row's optimal policy, or from the best policy optimal for
    an earlier row when that earns more (compared by ``occupancy @ reward``, one dot product each).
    """
    unique, first, inverse = np.unique(rewards, axis=0, return_index=True, return_inverse=True)
    solver = _PolicyIteration(mdp, discount, initial)
    returns = np.empty(unique.shape[0])
    actions = np.zeros((unique.shape[0], mdp.n_states), dtype=np.int64)
    current = np.zeros(mdp.n_states, dtype=np.int64)
    for i in np.argsort(first, kind="stable"):
        current, returns[i] = solver.solve(unique[i], current)
        actions[i] = current
    inverse = inverse.reshape(-1)
    return returns[inverse], actions[inverse]


class _PolicyIteration:
    """Howard's policy iteration on state rewards, sharing factorisations across rewards."""

    def __init__(self, mdp: MDP, discount: float, start: NDArray[np.float64]) -> None:
        self.model = BIRLModel(mdp, np.zeros((mdp.n_states, mdp.n_actions)), discount=discount)
        self.start = start
        self.states = np.arange(mdp.n_states)
        self.systems: OrderedDict[bytes, PolicySystem] = OrderedDict()
        self.capacity = max(8, CACHE_BYTES // (8 * mdp.n_states**2))
        self.pool: list[NDArray[np.int64]] = []  # policies found optimal, and their occupancies
        self.known: set[bytes] = set()
        self.visits = np.empty((16, mdp.n_states))

    def solve(
        self, reward: NDArray[np.float64], actions: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], float]:
        """An optimal policy for ``reward`` and its return, starting from ``actions``."""
        first = True
        while True:
            key, system = self._system(actions)
            values = system.solve(reward)
            q_values = self.model.q_from_values(reward, values)
            chosen = q_values[self.states, actions]
            slack = 1e-12 * (1.0 + float(np.max(np.abs(q_values))))
            worse = chosen < q_values.max(axis=1) - slack
            if not worse.any():
                break
            actions = np.where(worse, q_values.argmax(axis=1), actions)
            if first and self.pool:
                earnings = self.visits[: len(self.pool)] @ reward
                best = int(np.argmax(earnings))
                if earnings[best] > float(self.start @ values):
                    actions = self.pool[best]
            first = False
        if key not in self.known:
            self._remember(key, actions, system)
        return actions, float(self.start @ values)

    def _system(self, actions: NDArray[np.int64]) -> tuple[bytes, PolicySystem]:
        key = actions.tobytes()
        system = self.systems.get(key)
        if system is None:
            system = self.model.policy_system(actions)
            self.systems[key] = system
            if len(self.systems) > self.capacity:
                self.systems.popitem(last=False)
        else:
            self.systems.move_to_end(key)
        return key, system

    def _remember(self, key: bytes, actions: NDArray[np.int64], system: PolicySystem) -> None:
        if len(self.pool) == self.visits.shape[0]:
            self.visits = np.vstack([self.visits, np.empty_like(self.visits)])
        self.visits[len(self.pool)] = system.solve(self.start, transposed=True)
        self.pool.append(actions)
        self.known.add(key)


class _Scale:
    """Per-draw normaliser ``J*(R_i) - J_uniform(R_i)``; 0 marks a draw with nothing to lose."""

    def __init__(
        self,
        mdp: MDP,
        draws: NDArray[np.float64],
        optimal: NDArray[np.float64],
        discount: float,
        start: NDArray[np.float64],
    ) -> None:
        uniform = np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)
        visits = occupancy(mdp, uniform, horizon=None, discount=discount, initial=start).total
        gap = optimal - draws @ visits
        floor = RELATIVE_TOLERANCE * np.max(np.abs(draws), axis=1) * _return_bound(None, discount)
        self.denominator = np.where(gap > floor, gap, 0.0)

    def apply(self, loss: NDArray[np.float64]) -> NDArray[np.float64]:
        safe = np.where(self.denominator > 0.0, self.denominator, 1.0)
        return np.where(self.denominator > 0.0, loss / safe, 0.0)


def _bound(
    difference: NDArray[np.float64], alpha: float, scale: _Scale | None, confidence: float | None
) -> RegretBound:
    """Clip rounding below 0, normalise if asked, and take the quantile (or its upper bound)."""
    loss = np.maximum(difference, 0.0)
    if scale is not None:
        loss = scale.apply(loss)
    ordered = np.sort(loss)
    n = ordered.size
    if confidence is None:
        rank = int(np.ceil(alpha * n - 1e-9))  # inverted empirical CDF
    else:
        if not (isinstance(confidence, int | float) and 0.0 < confidence < 1.0):
            raise ValueLearnInputError(
                "The 'confidence' parameter of regret_value_at_risk must be in (0, 1); got "
                f"{confidence!r} instead."
            )
        rank = int(binom.ppf(confidence, n, alpha)) + 1
        if rank > n:
            raise ValueLearnInputError(
                f"{n} samples cannot bound the {alpha:g}-quantile with confidence {confidence:g}; "
                "pass more samples or a lower confidence."
            )
    value = float(ordered[max(rank, 1) - 1])
    return RegretBound(value, loss, alpha, scale is not None, confidence)


def _candidates(
    mdp: MDP,
    draws: NDArray[np.float64],
    actions: NDArray[np.int64],
    alpha: float,
    n_candidates: int,
    discount: float,
) -> dict[str, NDArray[np.float64]]:
    """Candidate policies by source: mean, lower credible reward, evenly spaced draws."""
    plan = {
        "mean": draws.mean(axis=0),
        "lower": np.quantile(draws, 1.0 - alpha, axis=0),
    }
    candidates = {
        source: np.asarray(value_iteration(mdp, reward, horizon=None, discount=discount).policy)
        for source, reward in plan.items()
    }
    picks = np.unique(np.linspace(0, draws.shape[0] - 1, n_candidates).astype(np.int64))
    for i in picks if n_candidates > 0 else ():
        candidates[f"draw {i}"] = np.eye(mdp.n_actions)[actions[i]]
    return candidates


def _check_world(
    mdp: MDP, discount: float, initial: ArrayLike | None, owner: str
) -> tuple[NDArray[np.float64], float]:
    if not isinstance(mdp, MDP):
        raise ValueLearnInputError(
            f"The 'mdp' parameter of {owner} must be a valuelearn.data.MDP; got "
            f"{type(mdp).__name__} instead."
        )
    value = check_discount(discount)
    if value >= 1.0:
        raise ValueLearnInputError(
            f"The 'discount' parameter of {owner} must be below 1 (discounted infinite "
            f"horizon); got {discount!r} instead."
        )
    start = (
        mdp.initial
        if initial is None
        else distribution(initial, mdp.n_states, name="initial", what="state")
    )
    return np.asarray(start, dtype=np.float64), value


def _reward_draws(rewards: ArrayLike | RewardPosterior, n_states: int) -> NDArray[np.float64]:
    draws = rewards.rewards if isinstance(rewards, RewardPosterior) else rewards
    array = as_float_array(draws, "rewards")
    if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] != n_states:
        raise ValueLearnInputError(
            f"The 'rewards' parameter must have shape (n_samples, {n_states}) with at least one "
            f"sample (one state reward per row); got shape {array.shape} instead."
        )
    if not np.all(np.isfinite(array)):
        raise ValueLearnInputError("The 'rewards' parameter must hold finite numbers only.")
    return array


def _check_alpha(alpha: float, owner: str) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0.0 < alpha <= 1.0:
        raise ValueLearnInputError(
            f"The 'alpha' parameter of {owner} must be in (0, 1]; got {alpha!r} instead."
        )
    return float(alpha)
