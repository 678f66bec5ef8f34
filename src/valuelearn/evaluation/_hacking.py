"""Reward hacking on a finite set of policies (Skalse et al. 2022), and over-optimisation curves.

Given the returns of a set of policies ``Pi`` under the true reward (``J``) and under a proxy
(``J~``), Skalse, Howe, Krasheninnikov & Krueger (2022) call the pair

* **hackable** if some ``pi, pi'`` in ``Pi`` have ``J(pi) < J(pi')`` but ``J~(pi) > J~(pi')``:
  raising the proxy return can lower the true return; **unhackable** otherwise;
* **equivalent** if they order ``Pi`` identically (``J(pi) <= J(pi') <=> J~(pi) <= J~(pi')``);
* **trivial** (one reward) if it gives every policy in ``Pi`` the same return;
* a **simplification** (proxy of true) if the proxy never reverses the true order, only merges
  some distinctions into ties, and splits none.

Returns are linear in occupancy measures, so on the set of *all* stochastic policies unhackability
forces equivalence or triviality; on finite sets (deterministic policies) non-trivial unhackable
pairs exist. :func:`hackability` counts reversed, merged and split pairs exactly in
``O(n log n)``. :func:`temperature_curve` measures over-optimisation: proxy and true return, and
the KL divergence from a base policy, as the inverse temperature of the proxy-optimal policy grows.
Best-of-n selection from a policy pool is :func:`~valuelearn.evaluation.best_of_n_outcomes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import kendalltau

from valuelearn.data import MDP
from valuelearn.evaluation._validation import as_float_array
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import expected_reward, occupancy
from valuelearn.policy._uncertain import kl_regularized_plan


@dataclass(frozen=True)
class Hackability:
    """How a proxy's order of a finite policy set relates to the true order.

    Attributes
    ----------
    n_policies, n_pairs : int
        Policies, and unordered pairs of them.
    n_reversed : int
        Pairs the two rewards order strictly oppositely (hacking opportunities).
    n_merged : int
        Pairs the true reward distinguishes and the proxy ties.
    n_split : int
        Pairs the proxy distinguishes and the true reward ties.
    true_trivial, proxy_trivial : bool
        Every policy gets the same return.
    worst_loss : float
        The most true return lost by a move the proxy calls an improvement:
        ``max J(pi) - J(pi')`` over pairs with ``J~(pi') > J~(pi)`` (0 when unhackable).
    """

    n_policies: int
    n_pairs: int
    n_reversed: int
    n_merged: int
    n_split: int
    true_trivial: bool
    proxy_trivial: bool
    worst_loss: float

    @property
    def hackable(self) -> bool:
        """Some proxy improvement lowers the true return."""
        return self.n_reversed > 0

    @property
    def equivalent(self) -> bool:
        """Both rewards order the policies identically, ties included."""
        return self.n_reversed == 0 and self.n_merged == 0 and self.n_split == 0

    @property
    def simplification(self) -> bool:
        """The proxy only merges distinctions of the true reward (and merges at least one)."""
        return self.n_reversed == 0 and self.n_split == 0 and self.n_merged > 0

    @property
    def relation(self) -> str:
        """``"equivalent"``, ``"simplification"``, ``"refinement"`` (the true reward is a
        simplification of the proxy), ``"unhackable"`` (merges and splits) or ``"hackable"``."""
        if self.hackable:
            return "hackable"
        if self.equivalent:
            return "equivalent"
        if self.simplification:
            return "simplification"
        return "refinement" if self.n_merged == 0 else "unhackable"


def hackability(
    true_returns: ArrayLike, proxy_returns: ArrayLike, *, tol: float = 1e-9
) -> Hackability:
    """Compare the orders two rewards induce on a finite set of policies.

    Parameters
    ----------
    true_returns, proxy_returns : array, shape (n_policies,)
        ``J(pi)`` and ``J~(pi)`` for each policy of the set (e.g. ``occupancies @ reward`` with
        :func:`~valuelearn.policy._occupancy_lp.deterministic_occupancies`).
    tol : float
        Returns closer than ``tol * (1 + max |J|)`` (after sorting, chained) count as ties, so
        rounding never creates a reversal.

    Returns
    -------
    Hackability

    References
    ----------
    Skalse, Howe, Krasheninnikov & Krueger (2022), "Defining and characterizing reward hacking",
    NeurIPS, Definitions 1-3 and Theorems 1-3. Knight (1966), "A computer method for
    calculating Kendall's tau with ungrouped data", JASA 61 (discordant pairs in O(n log n)).

    Examples
    --------
    >>> hackability([1.0, 2.0, 3.0], [10.0, 20.0, 30.0]).relation
    'equivalent'
    >>> hackability([1.0, 2.0, 3.0], [0.0, 0.0, 1.0]).relation  # merges the two worst
    'simplification'
    >>> result = hackability([1.0, 2.0, 3.0], [0.0, 2.0, 1.0])
    >>> result.relation, result.n_reversed, result.worst_loss
    ('hackable', 1, 1.0)
    """
    j = _returns(true_returns, "true_returns")
    k = _returns(proxy_returns, "proxy_returns")
    if j.shape != k.shape:
        raise ValueLearnInputError(
            f"The 'true_returns' and 'proxy_returns' parameters of hackability must have the same "
            f"shape; got {j.shape} and {k.shape} instead."
        )
    u, v = _ranks(j, tol), _ranks(k, tol)
    n = j.size
    n_pairs = n * (n - 1) // 2
    tied_u, tied_v = _tied_pairs(u), _tied_pairs(v)
    tied_both = _tied_pairs(u * (int(v.max()) + 1) + v)
    untied = n_pairs - tied_u - tied_v + tied_both  # strictly ordered by both
    if untied == 0 or n_pairs - tied_u == 0 or n_pairs - tied_v == 0:
        reversed_pairs = 0
    else:
        tau = float(kendalltau(u, v).statistic)  # tau-b = (C - D) / sqrt(...)
        difference = tau * np.sqrt(float(n_pairs - tied_u) * float(n_pairs - tied_v))
        reversed_pairs = round((untied - difference) / 2.0)
    return Hackability(
        n_policies=n,
        n_pairs=n_pairs,
        n_reversed=reversed_pairs,
        n_merged=tied_v - tied_both,
        n_split=tied_u - tied_both,
        true_trivial=bool(u.max() == 0),
        proxy_trivial=bool(v.max() == 0),
        worst_loss=_worst_loss(j, v) if reversed_pairs else 0.0,
    )


@dataclass(frozen=True)
class OptimizationCurve:
    """Returns of proxy-optimal soft policies as optimisation pressure grows.

    Attributes
    ----------
    inverse_temperatures : array, shape (n_points,)
    proxy_return, true_return : array, shape (n_points,)
        ``J~`` and ``J`` of the policy at each inverse temperature.
    kl : array, shape (n_points,)
        Its KL divergence from the base policy: over trajectories for a finite horizon
        (``sum_t E[KL(pi_t(.|s_t) || pi_0(.|s_t))]``), discounted the same way as the returns
        for an infinite one.
    """

    inverse_temperatures: NDArray[np.float64]
    proxy_return: NDArray[np.float64]
    true_return: NDArray[np.float64]
    kl: NDArray[np.float64]

    @property
    def peak(self) -> int:
        """Index of the point with the highest true return (the first on ties)."""
        return int(np.argmax(self.true_return))


def temperature_curve(
    mdp: MDP,
    true_reward: ArrayLike,
    proxy_reward: ArrayLike,
    *,
    inverse_temperatures: ArrayLike,
    horizon: int | None,
    discount: float,
    base_policy: ArrayLike | None = None,
) -> OptimizationCurve:
    """Proxy and true return of ``pi_beta`` for growing inverse temperature ``beta``.

    ``pi_beta`` maximises ``J~(pi) - KL(pi || pi_0) / beta`` (soft-optimal for the proxy, toward
    ``base_policy``, uniform by default, :func:`~valuelearn.policy._uncertain.kl_regularized_plan`):
    ``beta = 0`` is the base policy, and ``beta -> inf`` the proxy-optimal one. Where the proxy
    is wrong, true return first rises with ``beta`` and then falls (Goodhart's law).

    Examples
    --------
    >>> from valuelearn.data import gridworld
    >>> mdp = gridworld(["S.G"], absorbing="G")
    >>> curve = temperature_curve(mdp, [0.0, 0.0, 1.0], [0.0, 0.0, 1.0],
    ...     inverse_temperatures=[0.0, 1.0, 100.0], horizon=4, discount=1.0)
    >>> bool(np.all(np.diff(curve.true_return) > 0)), round(float(curve.true_return[-1]), 3)
    (True, 2.0)
    """
    betas = as_float_array(inverse_temperatures, "inverse_temperatures").reshape(-1)
    if betas.size == 0 or not np.all(np.isfinite(betas)) or np.any(betas < 0):
        raise ValueLearnInputError(
            "The 'inverse_temperatures' parameter of temperature_curve must hold finite "
            f"non-negative numbers; got {betas.tolist()!r} instead."
        )
    truth, proxy = expected_reward(mdp, true_reward), expected_reward(mdp, proxy_reward)
    base = (
        np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)
        if base_policy is None
        else np.asarray(base_policy, dtype=np.float64)
    )
    out = np.empty((3, betas.size))
    for i, beta in enumerate(betas):
        if beta == 0.0:
            policy = np.broadcast_to(base, (horizon, *base.shape)) if horizon else base
        else:
            plan = kl_regularized_plan(
                mdp, proxy, base, strength=1.0 / beta, horizon=horizon, discount=discount
            )
            policy = plan.policy
        out[:, i] = _policy_scores(mdp, np.asarray(policy), base, truth, proxy, horizon, discount)
    return OptimizationCurve(betas, out[1], out[0], out[2])


# ---------------------------------------------------------------------- helpers
def _policy_scores(
    mdp: MDP,
    policy: NDArray[np.float64],
    base: NDArray[np.float64],
    truth: NDArray[np.float64],
    proxy: NDArray[np.float64],
    horizon: int | None,
    discount: float,
) -> tuple[float, float, float]:
    """True return, proxy return and KL from ``base`` of a (time-indexed) policy."""
    visits = occupancy(mdp, policy, horizon=horizon, discount=discount)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(policy > 0, np.log(policy / base), 0.0)
    kl_per_state = np.sum(policy * ratio, axis=-1)  # (H, S) or (S,)
    if visits.per_step is None:
        state_action = visits.total[:, None] * policy
        return (
            float(np.sum(state_action * truth)),
            float(np.sum(state_action * proxy)),
            float(visits.total @ kl_per_state),
        )
    weights = discount ** np.arange(visits.per_step.shape[0], dtype=np.float64)
    per_step = visits.per_step[..., None] * policy  # (H, S, A), undiscounted
    return (
        float(np.einsum("t,tsa,sa->", weights, per_step, truth)),
        float(np.einsum("t,tsa,sa->", weights, per_step, proxy)),
        float(np.sum(visits.per_step * kl_per_state)),
    )


def _returns(values: ArrayLike, name: str) -> NDArray[np.float64]:
    array = as_float_array(values, name)
    if array.ndim != 1 or array.size < 1 or not np.all(np.isfinite(array)):
        raise ValueLearnInputError(
            f"The '{name}' parameter of hackability must be a non-empty 1-d array of finite "
            f"returns; got shape {array.shape} instead."
        )
    return array


def _ranks(values: NDArray[np.float64], tol: float) -> NDArray[np.int64]:
    """Dense ranks 0, 1, .. with values closer than the tolerance (chained) sharing a rank."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    gap = tol * (1.0 + float(np.max(np.abs(values))))
    new_rank = np.r_[0, (np.diff(ordered) > gap).astype(np.int64)]
    ranks = np.empty(values.size, dtype=np.int64)
    ranks[order] = np.cumsum(new_rank)
    return ranks


def _tied_pairs(ranks: NDArray[np.int64]) -> int:
    counts = np.unique(ranks, return_counts=True)[1].astype(np.int64)
    return int(np.sum(counts * (counts - 1) // 2))


def _worst_loss(truth: NDArray[np.float64], proxy_ranks: NDArray[np.int64]) -> float:
    """``max J(pi) - J(pi')`` over pairs the proxy ranks ``pi'`` strictly above ``pi``."""
    n_groups = int(proxy_ranks.max()) + 1
    best = np.full(n_groups, -np.inf)
    worst = np.full(n_groups, np.inf)
    np.maximum.at(best, proxy_ranks, truth)
    np.minimum.at(worst, proxy_ranks, truth)
    below = np.maximum.accumulate(np.r_[-np.inf, best[:-1]])  # best true return ranked lower
    with np.errstate(invalid="ignore"):
        loss = below - worst
    return float(max(np.max(np.where(np.isfinite(loss), loss, -np.inf)), 0.0))
