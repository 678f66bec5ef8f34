"""Exact and soft (maximum causal entropy) planning on tabular MDPs.

Time convention (finite horizon ``H``), used by every function in valuelearn:

* there are ``H`` decisions, at times ``t = 0 .. H-1``; a trajectory visits ``s_0 .. s_H``;
* the reward of decision ``t`` is ``R(s_t, a_t, s_{t+1})`` (or its state / state-action form),
  discounted by ``discount**t``; ``s_H`` earns nothing unless ``terminal_values`` says so;
* ``values[t] = V_t`` and ``policy[t] = pi_t`` for ``t = 0 .. H-1``;
* the backup is ``Q_t = r + discount * P V_{t+1}`` with ``V_H = terminal_values`` (default 0).

With ``horizon=None`` the problem is discounted and infinite-horizon, and policies are stationary.

All arrays are computed in an action-major layout ``(n_actions, n_states)`` so that reductions over
actions are element-wise operations on contiguous rows; ``policy`` and ``q_values`` are exposed as
zero-copy transposed views with the public index order ``pi[t, s, a]``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, check_discount
from valuelearn.exceptions import ConvergenceWarning, ValueLearnInputError
from valuelearn.policy._kernels import transition_operator
from valuelearn.policy._rewards import action_major_reward

Backup = Literal["causal", "noncausal"]


@dataclass(frozen=True, eq=False)
class PlanningResult:
    """Policy and values from a planner.

    Attributes
    ----------
    policy : array, shape (horizon, n_states, n_actions) or (n_states, n_actions)
        ``policy[t, s, a]`` (finite horizon) or ``policy[s, a]`` (stationary).
    values : array, shape (horizon, n_states) or (n_states,)
        ``V_t(s)`` or ``V(s)``.
    q_values : array, same leading shape as ``policy``, or None
        ``Q_t(s, a)``; ``None`` when the planner was asked not to keep it (``return_q=False``).
    horizon : int or None
        ``None`` for a stationary (discounted, infinite-horizon) policy.
    discount, temperature : float
        ``temperature == 0`` marks a hard (argmax) planner.
    n_iter : int
        Backups performed.
    """

    policy: NDArray[np.float64]
    values: NDArray[np.float64]
    q_values: NDArray[np.float64] | None
    horizon: int | None
    discount: float
    temperature: float
    n_iter: int


# ---------------------------------------------------------------------- public planners
def soft_value_iteration(
    mdp: MDP,
    reward: ArrayLike,
    *,
    horizon: int | None,
    discount: float,
    temperature: float = 1.0,
    backup: Backup = "causal",
    terminal_values: ArrayLike | None = None,
    initial_values: ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 100_000,
    return_q: bool = True,
) -> PlanningResult:
    """Soft (maximum causal entropy) value iteration.

    ``V_t(s) = temperature * log sum_a exp(Q_t(s, a) / temperature)`` and
    ``pi_t(a | s) = exp((Q_t(s, a) - V_t(s)) / temperature)``, with the causal backup
    ``Q_t = r + discount * sum_s' P(s' | s, a) V_{t+1}(s')`` (Ziebart 2010, recurrences 9.1-9.3).
    The time convention is in the module docstring.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    horizon : int or None
        Number of decisions; ``None`` solves the discounted infinite-horizon fixed point.
    discount : float in [0, 1]
        Must be ``< 1`` when ``horizon`` is ``None``.
    temperature : float > 0
        Boltzmann temperature; as it tends to 0 the result tends to :func:`value_iteration`.
    backup : {"causal", "noncausal"}
        ``"noncausal"`` is the MaxEnt IRL (Ziebart et al. 2008) backup
        ``Q = r + temperature * log sum_s' P exp(discount * V / temperature)``, which behaves as if
        the agent could choose its own luck. It is a **diagnostic baseline only**: on stochastic
        worlds it is wrong (see the RiskyPath test).
    terminal_values : array, shape (n_states,), optional
        ``V_H`` for a finite horizon (default 0).
    initial_values : array, shape (n_states,), optional
        Starting point of the infinite-horizon iteration (warm start).
    tol : float
        Infinite horizon: stop once the bound ``discount / (1 - discount) * max|V_k+1 - V_k|`` on
        the distance to the fixed point is below ``tol``.
    max_iter : int
        Infinite horizon: most backups before a :class:`ConvergenceWarning`.
    return_q : bool
        Keep ``Q`` (another ``horizon x n_states x n_actions`` array); learners that only need the
        policy pass ``False``.

    Returns
    -------
    PlanningResult

    References
    ----------
    Ziebart (2010), *Modeling purposeful adaptive behavior with the principle of maximum causal
    entropy*, PhD thesis, ch. 9. Ziebart et al. (2008), *Maximum entropy inverse reinforcement
    learning*, AAAI, Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> result = soft_value_iteration(mdp, [0.0, 1.0], horizon=3, discount=1.0)
    >>> result.policy.shape, bool(result.policy[0, 0, 1] > result.policy[0, 0, 0])
    ((3, 2, 2), True)
    """
    if not (isinstance(temperature, int | float) and np.isfinite(temperature) and temperature > 0):
        raise ValueLearnInputError(f"`temperature` must be a positive number; got {temperature!r}.")
    if backup not in ("causal", "noncausal"):
        raise ValueLearnInputError(f"`backup` must be 'causal' or 'noncausal'; got {backup!r}.")
    return _plan(
        mdp,
        reward,
        horizon=horizon,
        discount=discount,
        temperature=float(temperature),
        backup=backup,
        terminal_values=terminal_values,
        initial_values=initial_values,
        tol=tol,
        max_iter=max_iter,
        return_q=return_q,
    )


def value_iteration(
    mdp: MDP,
    reward: ArrayLike,
    *,
    horizon: int | None,
    discount: float,
    terminal_values: ArrayLike | None = None,
    initial_values: ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 100_000,
) -> PlanningResult:
    """Exact (hard) value iteration: ``V_t(s) = max_a Q_t(s, a)``.

    The returned policy is greedy and splits its probability evenly among actions whose values tie
    to within ``1e-12`` times the largest ``|Q|`` of the step (so scaling the reward by any positive
    factor leaves the policy unchanged). Arguments and time convention as in
    :func:`soft_value_iteration`; the result has ``temperature == 0``.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> value_iteration(mdp, [0.0, 1.0], horizon=None, discount=0.5).values.round(6).tolist()
    [1.0, 2.0]
    """
    return _plan(
        mdp,
        reward,
        horizon=horizon,
        discount=discount,
        temperature=0.0,
        backup="causal",
        terminal_values=terminal_values,
        initial_values=initial_values,
        tol=tol,
        max_iter=max_iter,
        return_q=True,
    )


# ---------------------------------------------------------------------- the engine
def _plan(
    mdp: MDP,
    reward: ArrayLike,
    *,
    horizon: int | None,
    discount: float,
    temperature: float,
    backup: Backup,
    terminal_values: ArrayLike | None,
    initial_values: ArrayLike | None,
    tol: float,
    max_iter: int,
    return_q: bool,
) -> PlanningResult:
    discount = check_discount(discount)
    horizon = check_horizon(horizon, discount)
    r = action_major_reward(mdp, reward)
    n_actions, n_states = r.shape
    step = _Backup(mdp, r, discount, temperature, backup)
    if horizon is not None:
        next_values = _state_vector(terminal_values, n_states, "terminal_values")
        policy = np.empty((horizon, n_actions, n_states))
        q_values = np.empty((horizon, n_actions, n_states)) if return_q else None
        values = np.empty((horizon, n_states))
        scratch = np.empty((n_actions, n_states)) if q_values is None else None
        for t in range(horizon - 1, -1, -1):
            q = step.q(next_values, out=scratch if q_values is None else q_values[t])
            values[t] = _soft_max(q, temperature, out_policy=policy[t])
            next_values = values[t]
        return PlanningResult(
            policy.transpose(0, 2, 1),
            values,
            None if q_values is None else q_values.transpose(0, 2, 1),
            horizon,
            discount,
            temperature,
            horizon,
        )
    current = _state_vector(initial_values, n_states, "initial_values")
    policy_am = np.empty((n_actions, n_states))
    bound = discount / (1.0 - discount) if discount > 0 else 0.0
    n_iter = 0
    while True:
        q = step.q(current)
        updated = _soft_max(q, temperature, out_policy=policy_am)
        n_iter += 1
        change = float(np.max(np.abs(updated - current)))
        current = updated
        if bound * change <= tol:
            break
        if n_iter >= max_iter:
            warnings.warn(
                f"value iteration stopped after max_iter={max_iter} backups with the bound on the "
                f"distance to the fixed point at {bound * change:.3g} > tol={tol:g}.",
                ConvergenceWarning,
                stacklevel=3,
            )
            break
    final_q = step.q(current).T if return_q else None
    return PlanningResult(policy_am.T, current, final_q, None, discount, temperature, n_iter)


class _Backup:
    """One Bellman backup ``V_{t+1} -> Q_t`` in the action-major layout."""

    def __init__(
        self, mdp: MDP, r: NDArray[np.float64], discount: float, temperature: float, kind: Backup
    ) -> None:
        self.r, self.discount, self.temperature, self.kind = r, discount, temperature, kind
        self.matrix = mdp.action_major
        self.operator = transition_operator(mdp)
        if kind == "noncausal":
            m = self.matrix
            with np.errstate(divide="ignore"):
                self.log_p = np.log(m.data)
            self.starts = m.indptr[:-1]

    def q(
        self, next_values: NDArray[np.float64], out: NDArray[np.float64] | None = None
    ) -> NDArray[np.float64]:
        shape = self.r.shape
        if out is None:
            out = np.empty(shape)
        if self.kind == "causal":
            # One pass: the reward copied in, then ``discount * P V`` accumulated onto it.
            np.copyto(out, self.r)
            self.operator.backward_add(next_values, out.reshape(-1), self.discount)
            return out
        # MaxEnt (2008): soft maximum over next states, an optimistic "choose your luck" backup.
        tau = self.temperature
        scaled = self.log_p + self.discount * next_values[self.matrix.indices] / tau
        peak = np.maximum.reduceat(scaled, self.starts)
        counts = np.diff(self.matrix.indptr)
        sums = np.add.reduceat(np.exp(scaled - np.repeat(peak, counts)), self.starts)
        np.multiply((peak + np.log(sums)).reshape(shape), tau, out=out)
        out += self.r
        return out


def _soft_max(
    q: NDArray[np.float64], temperature: float, *, out_policy: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Return ``V`` and write ``pi`` into ``out_policy``; ``q`` has shape (n_actions, n_states).

    Computed with the max subtracted first, so it is exact for temperatures down to 1e-300 and
    rewards up to 1e300 in magnitude.
    """
    peak = q.max(axis=0)
    np.subtract(q, peak, out=out_policy)
    if temperature == 0.0:
        # Ties: within 1e-12 of the largest |Q| at this step, so the policy is invariant to
        # positive scaling of the reward at any magnitude.
        scale = 1e-12 * max(float(np.max(np.abs(q))), np.finfo(np.float64).tiny)
        np.greater_equal(out_policy, -scale, out=out_policy)
        out_policy /= out_policy.sum(axis=0)
        hard: NDArray[np.float64] = peak
        return hard
    if temperature != 1.0:
        out_policy *= 1.0 / temperature
    _exp_in_place(out_policy)
    total: NDArray[np.float64] = out_policy.sum(axis=0)
    out_policy /= total
    np.log(total, out=total)
    if temperature != 1.0:
        total *= temperature
    total += peak
    return total


#: Near and below ``exp(-708)`` (the subnormal range) NumPy's vectorised ``exp`` falls back to a
#: scalar loop for every block of lanes holding such an argument: a backup at temperature 0.01
#: took several times as long as the same backup at temperature 1. Arguments below this bound
#: are therefore flushed to zero instead of evaluated.
EXP_FLUSH_BELOW = -700.0


def _exp_in_place(x: NDArray[np.float64]) -> None:
    """``x = exp(x)``, with results below ``exp(EXP_FLUSH_BELOW)`` (about 1e-304) set to zero.

    Only a policy's vanishing probabilities are affected, and ``V`` not at all: every sum it
    enters also holds ``exp(0) = 1``.
    """
    if x.min() >= EXP_FLUSH_BELOW:
        np.exp(x, out=x)
        return
    keep = x >= EXP_FLUSH_BELOW
    np.maximum(x, EXP_FLUSH_BELOW, out=x)
    np.exp(x, out=x)
    x *= keep


# ---------------------------------------------------------------------- argument checks
def check_horizon(horizon: object, discount: float) -> int | None:
    """Validate a ``horizon`` argument against ``discount``; return it as int or None."""
    if horizon is None:
        if discount >= 1.0:
            raise ValueLearnInputError(
                "an infinite horizon (`horizon=None`) needs `discount` < 1; got discount=1. Pass "
                "a finite horizon or a discount below 1."
            )
        return None
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueLearnInputError(
            f"`horizon` must be a positive integer or None; got {horizon!r}."
        )
    return int(horizon)


def _state_vector(values: ArrayLike | None, n_states: int, name: str) -> NDArray[np.float64]:
    if values is None:
        return np.zeros(n_states)
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (n_states,) or not np.all(np.isfinite(array)):
        raise ValueLearnInputError(
            f"`{name}` must be a finite array of shape ({n_states},); got shape {array.shape}."
        )
    return array
