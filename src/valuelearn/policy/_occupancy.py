"""State occupancy measures (the forward pass) and policy evaluation."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, check_discount
from valuelearn.exceptions import ConvergenceWarning, ValueLearnInputError
from valuelearn.policy._kernels import transition_operator
from valuelearn.policy._planning import PlanningResult, check_horizon
from valuelearn.policy._rewards import action_major_reward

#: Largest number of states solved with a direct sparse factorisation in the infinite-horizon case.
DIRECT_SOLVE_MAX_STATES = 50_000


@dataclass(frozen=True, eq=False)
class Occupancy:
    """Discounted state-visitation measure of a policy.

    Attributes
    ----------
    total : array, shape (n_states,)
        ``sum_t discount**t * P(s_t = s)`` over decision times ``t = 0 .. H-1`` (finite horizon) or
        ``t = 0 .. inf``. It sums to ``H`` when ``discount == 1`` and to
        ``(1 - discount**H) / (1 - discount)`` otherwise (``1 / (1 - discount)`` for ``H = inf``).
    per_step : array, shape (horizon, n_states), or None
        ``D_t(s) = P(s_t = s)`` (undiscounted) for ``t = 0 .. H-1``; ``None`` for an infinite
        horizon.
    final : array, shape (n_states,), or None
        ``P(s_H = s)``, the distribution after the last decision; ``None`` for an infinite horizon.
    discount : float
    """

    total: NDArray[np.float64]
    per_step: NDArray[np.float64] | None
    final: NDArray[np.float64] | None
    discount: float

    def imitation(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return ``(D, Dcum)`` in the convention of imitation's ``mce_occupancy_measures``.

        imitation keeps ``H + 1`` rows, the last being the distribution after the final decision:
        ``D = vstack(per_step, final)`` and ``Dcum = sum_{t=0}^{H} discount**t D[t]``, which sums to
        ``H + 1`` when ``discount == 1``.
        """
        if self.per_step is None or self.final is None:
            raise ValueLearnInputError("imitation's convention exists only for a finite horizon.")
        per_step = np.vstack([self.per_step, self.final[None]])
        horizon = self.per_step.shape[0]
        return per_step, self.total + self.discount**horizon * self.final


def occupancy(
    mdp: MDP,
    policy: ArrayLike | PlanningResult,
    *,
    horizon: int | None,
    discount: float,
    initial: ArrayLike | None = None,
    tol: float = 1e-12,
    max_iter: int = 1_000_000,
) -> Occupancy:
    """Forward pass: the (discounted) state occupancy of ``policy`` from ``initial``.

    ``D_0 = initial`` and ``D_{t+1}(s') = sum_{s, a} D_t(s) pi_t(a | s) P(s' | s, a)``; the total
    applies the same ``discount**t`` weights the planners use, so the gradient of a soft value with
    respect to a state reward is exactly ``total`` (see :func:`soft_value_iteration`).

    Parameters
    ----------
    mdp : MDP
    policy : array, shape (horizon, n_states, n_actions) or (n_states, n_actions), or PlanningResult
        A stationary policy is used at every step of a finite horizon. A planner's result is used
        without re-validation (it is a valid policy by construction).
    horizon : int or None
        ``None``: discounted infinite horizon, solved as ``(I - discount P_pi^T) d = initial``.
    discount : float
    initial : array, shape (n_states,), optional
        Start distribution (default ``mdp.initial``).
    tol, max_iter : float, int
        Infinite horizon on more than ``DIRECT_SOLVE_MAX_STATES`` states: fixed-point iteration
        tolerance on the total and iteration cap.

    Returns
    -------
    Occupancy

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 1, 2)); T[:, 0, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> occupancy(mdp, np.ones((2, 1)), horizon=3, discount=0.5).total.tolist()
    [1.0, 0.75]
    """
    discount = check_discount(discount)
    horizon = check_horizon(horizon, discount)
    start = mdp.initial if initial is None else _start(initial, mdp.n_states)
    pi = policy_action_major(policy, mdp, horizon)
    return _occupancy(mdp, pi, horizon, discount, start, tol, max_iter)


def _occupancy(
    mdp: MDP,
    pi: NDArray[np.float64],
    horizon: int | None,
    discount: float,
    start: NDArray[np.float64],
    tol: float = 1e-12,
    max_iter: int = 1_000_000,
) -> Occupancy:
    """Forward pass on a validated action-major policy (see :func:`occupancy`)."""
    operator = transition_operator(mdp)
    if horizon is not None:
        per_step = np.empty((horizon, mdp.n_states))
        per_step[0] = start
        nxt = np.empty(mdp.n_states)
        mass = np.empty(pi.shape[-2:])
        for t in range(horizon):
            np.multiply(pi[t] if pi.ndim == 3 else pi, per_step[t], out=mass)
            operator.forward(mass.reshape(-1), out=per_step[t + 1] if t + 1 < horizon else nxt)
        weights = discount ** np.arange(horizon, dtype=np.float64)
        return Occupancy(weights @ per_step, per_step, nxt, discount)
    if mdp.n_states <= DIRECT_SOLVE_MAX_STATES:
        system = sp.identity(mdp.n_states, format="csc") - discount * _policy_matrix(mdp, pi).T
        total = np.asarray(spla.spsolve(system.tocsc(), start), dtype=np.float64)
        return Occupancy(total, None, None, discount)
    total = start.copy()
    term = start.copy()
    for _ in range(max_iter):
        term = discount * operator.forward((pi * term).ravel())
        total += term
        if term.sum() * 1.0 / (1.0 - discount) <= tol:
            break
    else:
        warnings.warn("occupancy fixed point did not converge", ConvergenceWarning, stacklevel=2)
    return Occupancy(total, None, None, discount)


def policy_evaluation(
    mdp: MDP,
    reward: ArrayLike,
    policy: ArrayLike | PlanningResult,
    *,
    horizon: int | None,
    discount: float,
) -> PlanningResult:
    """Values ``V^pi`` and ``Q^pi`` of a given policy (time convention of the planners).

    Finite horizon: ``Q_t = r + discount * P V_{t+1}``, ``V_t = sum_a pi_t(a|s) Q_t(s, a)``,
    ``V_H = 0``. Infinite horizon: the linear system ``(I - discount P_pi) V = r_pi``.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((1, 1, 1)); T[0, 0, 0] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0])
    >>> float(policy_evaluation(mdp, [1.0], np.ones((1, 1)), horizon=None, discount=0.5).values[0])
    2.0
    """
    discount = check_discount(discount)
    horizon = check_horizon(horizon, discount)
    r = action_major_reward(mdp, reward)
    pi = policy_action_major(policy, mdp, horizon)
    matrix = mdp.action_major
    n_actions, n_states = r.shape
    if horizon is not None:
        q_values = np.empty((horizon, n_actions, n_states))
        values = np.empty((horizon, n_states))
        next_values = np.zeros(n_states)
        for t in range(horizon - 1, -1, -1):
            pi_t = pi[t] if pi.ndim == 3 else pi
            q_values[t] = r + discount * (matrix @ next_values).reshape(r.shape)
            values[t] = (pi_t * q_values[t]).sum(axis=0)
            next_values = values[t]
        return PlanningResult(
            np.broadcast_to(pi, (horizon, n_actions, n_states)).transpose(0, 2, 1),
            values,
            q_values.transpose(0, 2, 1),
            horizon,
            discount,
            float("nan"),
            horizon,
        )
    system = sp.identity(n_states, format="csc") - discount * _policy_matrix(mdp, pi)
    reward_pi = (pi * r).sum(axis=0)
    values_inf = np.asarray(spla.spsolve(system.tocsc(), reward_pi), dtype=np.float64)
    q = r + discount * (matrix @ values_inf).reshape(r.shape)
    return PlanningResult(pi.T, values_inf, q.T, None, discount, float("nan"), 1)


def expected_return(
    mdp: MDP,
    reward: ArrayLike,
    policy: ArrayLike | PlanningResult,
    *,
    horizon: int | None,
    discount: float,
    initial: ArrayLike | None = None,
) -> float:
    """``J(pi) = E[sum_t discount**t r_t]`` from ``initial`` (default ``mdp.initial``).

    Computed as ``sum_s sum_a total_occupancy(s) pi(a|s) r(s, a)`` per time step.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((1, 1, 1)); T[0, 0, 0] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0])
    >>> expected_return(mdp, [1.0], np.ones((1, 1)), horizon=4, discount=1.0)
    4.0
    """
    discount = check_discount(discount)
    horizon = check_horizon(horizon, discount)
    r = action_major_reward(mdp, reward)
    pi = policy_action_major(policy, mdp, horizon)
    start = mdp.initial if initial is None else _start(initial, mdp.n_states)
    occ = _occupancy(mdp, pi, horizon, discount, start)
    reward_pi = (pi * r).sum(axis=-2)  # (horizon, n_states) or (n_states,)
    if occ.per_step is None or reward_pi.ndim == 1:
        return float(occ.total @ reward_pi)
    weights = discount ** np.arange(occ.per_step.shape[0], dtype=np.float64)
    return float(np.sum(weights[:, None] * occ.per_step * reward_pi))


# ---------------------------------------------------------------------- helpers
def policy_action_major(
    policy: ArrayLike | PlanningResult, mdp: MDP, horizon: int | None
) -> NDArray[np.float64]:
    """Validate a policy and return it as ``(horizon, n_actions, n_states)`` or ``(A, S)``.

    Policies produced by the planners are already stored action-major, so this is a zero-copy view
    for them; a :class:`PlanningResult` is trusted and only its shape is checked.
    """
    trusted = isinstance(policy, PlanningResult)
    array = _policy_array(policy)
    n_states, n_actions = mdp.n_states, mdp.n_actions
    if array.shape == (n_states, n_actions):
        pass
    elif array.ndim == 3 and array.shape[1:] == (n_states, n_actions):
        if horizon is None:
            raise ValueLearnInputError(
                "a time-indexed policy (horizon, n_states, n_actions) needs a finite `horizon`."
            )
        if array.shape[0] != horizon:
            raise ValueLearnInputError(
                f"`policy` covers {array.shape[0]} time steps but `horizon` is {horizon}."
            )
    else:
        raise ValueLearnInputError(
            f"`policy` must have shape ({n_states}, {n_actions}) or (horizon, {n_states}, "
            f"{n_actions}); got {array.shape} instead."
        )
    action_major = np.swapaxes(array, -1, -2)
    if trusted:
        return action_major
    # Summing over the action axis of the action-major view adds whole contiguous rows for the
    # planners' policies; NaN or inf anywhere in a row shows up in its sum.
    sums = action_major.sum(axis=-2)
    if not np.all(np.isfinite(sums)) or array.min() < 0:
        raise ValueLearnInputError("`policy` must hold finite, non-negative probabilities.")
    if np.any(np.abs(sums - 1.0) > 1e-6):
        index = np.unravel_index(int(np.argmax(np.abs(sums - 1.0))), sums.shape)
        raise ValueLearnInputError(
            f"`policy` row {tuple(int(i) for i in index)} sums to {sums[index]:.6g}; every row "
            "must sum to 1."
        )
    return action_major


def _policy_array(policy: ArrayLike | PlanningResult) -> NDArray[np.float64]:
    """The probabilities of a policy array or planner result as float64 (not yet validated)."""
    if isinstance(policy, PlanningResult):
        return policy.policy
    try:
        return np.asarray(policy, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueLearnInputError(
            f"`policy` must be an array of probabilities or a PlanningResult; got "
            f"{type(policy).__name__} ({error})."
        ) from None


def _policy_matrix(mdp: MDP, pi: NDArray[np.float64]) -> sp.csr_array:
    """``P_pi[s, s'] = sum_a pi(a|s) P(s'|s, a)`` for a stationary action-major ``pi``."""
    n_states = mdp.n_states
    scaled = sp.diags_array(pi.ravel()) @ mdp.action_major
    stack = sp.hstack([sp.identity(n_states, format="csr")] * mdp.n_actions, format="csr")
    matrix: sp.csr_array = sp.csr_array(stack @ scaled)
    return matrix


def _start(initial: ArrayLike, n_states: int) -> NDArray[np.float64]:
    array = np.asarray(initial, dtype=np.float64)
    if array.shape != (n_states,) or np.any(array < 0) or abs(array.sum() - 1.0) > 1e-6:
        raise ValueLearnInputError(
            f"`initial` must be a probability distribution over {n_states} states."
        )
    return array
