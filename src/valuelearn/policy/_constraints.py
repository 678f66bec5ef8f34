"""Explicit rules: hard constraints (forbidden states and actions) and cost constraints (CMDPs).

Learned values say what is better; rules say what is not allowed. Two kinds of rule:

* **hard** rules forbid states (never be there) and actions (never take them). A state is kept
  only if some allowed action leads, with probability 1, to a kept state, forever: the largest
  such set is a greatest fixed point (:func:`allowed_actions`). Planning then chooses among the
  allowed actions only (:func:`plan_with_rules`).
* **cost** rules bound expected discounted costs, ``J_{c_k}(pi) <= limit_k``: a constrained MDP
  (Altman 1999). Its optimum may have to randomise, and is found exactly either by a linear
  program over occupancy measures (:func:`constrained_plan` with ``method="lp"``, SciPy's HiGHS) or
  by Lagrangian relaxation (``method="lagrangian"``): the multipliers minimise the dual function
  ``g(lam) = max_pi J_{r - lam . c}(pi) + lam . limits``, which is convex and piecewise linear;
  every evaluation of ``g`` is one value-iteration solve of the relaxed, unconstrained MDP, the
  multipliers come from Kelley's cutting-plane method (the dual of a small master problem over
  the policies found so far), and the answer mixes the occupancies of those policies.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog

from valuelearn.data import MDP, check_discount
from valuelearn.exceptions import ConvergenceWarning, ValueLearnInputError
from valuelearn.policy._occupancy import occupancy
from valuelearn.policy._occupancy_lp import flat_rewards, flow_constraints, policy_from_occupancy
from valuelearn.policy._planning import (
    PlanningResult,
    check_horizon,
    soft_value_iteration,
    value_iteration,
)
from valuelearn.policy._rewards import expected_reward

Method = Literal["lp", "lagrangian"]


@dataclass(frozen=True, eq=False)
class ConstrainedPlan:
    """The best policy that keeps expected costs within their limits.

    Attributes
    ----------
    policy : array, shape (n_states, n_actions)
        Stationary, possibly randomised (at most one randomised state per binding constraint at
        a vertex of the occupancy polytope).
    occupancy : array, shape (n_states, n_actions)
        ``x(s, a) = sum_t discount**t P(s_t = s, a_t = a)``.
    value : float
        ``J_r(policy)``.
    costs : array, shape (n_constraints,)
        ``J_{c_k}(policy)``.
    limits : array, shape (n_constraints,)
    multipliers : array, shape (n_constraints,)
        Lagrange multipliers ``lam_k >= 0`` (the shadow price of each limit: the return lost per
        unit the limit is tightened).
    method : {"lp", "lagrangian"}
    n_iter : int
        Relaxed MDPs solved (``"lagrangian"``) or simplex iterations (``"lp"``).
    """

    policy: NDArray[np.float64]
    occupancy: NDArray[np.float64]
    value: float
    costs: NDArray[np.float64]
    limits: NDArray[np.float64]
    multipliers: NDArray[np.float64]
    method: Method
    n_iter: int


def allowed_actions(
    mdp: MDP,
    *,
    forbidden_states: ArrayLike | None = None,
    forbidden_actions: ArrayLike | None = None,
) -> NDArray[np.bool_]:
    """Actions that keep to hard rules forever: ``allowed[s, a]``.

    A state is *safe* if it is not forbidden and some allowed action from it reaches only safe
    states; an action is allowed in a safe state if it is not forbidden and all its successors
    (with positive probability) are safe. The safe set is the greatest fixed point of these
    conditions, computed by removing states until nothing changes. States that are not safe
    have no allowed action: from them every policy breaks a rule with positive probability.

    Parameters
    ----------
    mdp : MDP
    forbidden_states : array of bool, shape (n_states,), or of int indices, optional
    forbidden_actions : array of bool, shape (n_states, n_actions), optional

    Returns
    -------
    array of bool, shape (n_states, n_actions)

    Examples
    --------
    >>> from valuelearn.data import gridworld
    >>> mdp = gridworld(["S.L"], absorbing="L")  # actions: up, down, left, right
    >>> allowed_actions(mdp, forbidden_states=[2]).astype(int).tolist()
    [[1, 1, 1, 1], [1, 1, 1, 0], [0, 0, 0, 0]]
    """
    states = _state_mask(forbidden_states, mdp.n_states)
    actions = np.zeros((mdp.n_states, mdp.n_actions), dtype=bool)
    if forbidden_actions is not None:
        actions = action_mask(forbidden_actions, mdp, "forbidden_actions", "allowed_actions")
    safe = ~states
    while True:
        unsafe_mass = mdp.transitions @ (~safe).astype(np.float64)
        allowed = (~actions) & safe[:, None] & (unsafe_mass.reshape(actions.shape) <= 0.0)
        still = safe & allowed.any(axis=1)
        if np.array_equal(still, safe):
            result: NDArray[np.bool_] = allowed
            return result
        safe = still


def plan_with_rules(
    mdp: MDP,
    reward: ArrayLike,
    *,
    allowed: ArrayLike,
    horizon: int | None,
    discount: float,
    temperature: float = 0.0,
) -> PlanningResult:
    """Plan for ``reward`` choosing only among ``allowed`` actions (hard rules).

    Disallowed actions get a penalty larger than any difference of returns the reward can make,
    so the planner (:func:`value_iteration`, or :func:`soft_value_iteration` when
    ``temperature > 0``) never prefers them where an allowed action exists; afterwards their
    probability is set to exactly 0, their ``Q`` to ``-inf``, and the value of states without an
    allowed action to ``-inf``.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    allowed : array of bool, shape (n_states, n_actions)
        Usually from :func:`allowed_actions` (which makes sure allowed actions lead only to states
        that have allowed actions).
    horizon : int or None
    discount : float
    temperature : float >= 0
        0 for the hard (argmax) planner.

    Returns
    -------
    PlanningResult

    Raises
    ------
    ValueLearnInputError
        If the initial distribution puts mass on a state without an allowed action.

    Examples
    --------
    >>> from valuelearn.data import gridworld
    >>> mdp = gridworld(["S.L", "..G"], absorbing="LG")
    >>> reward = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0]  # L is as good as G to this reward
    >>> allowed = allowed_actions(mdp, forbidden_states=[2])
    >>> plan = plan_with_rules(mdp, reward, allowed=allowed, horizon=None, discount=0.9)
    >>> plan.policy[1].tolist()  # from r0c1: down, not right into L
    [0.0, 1.0, 0.0, 0.0]
    """
    mask = action_mask(allowed, mdp, "allowed", "plan_with_rules")
    hopeless = ~mask.any(axis=1)
    if np.any(hopeless & (mdp.initial > 0)):
        state = int(np.flatnonzero(hopeless & (mdp.initial > 0))[0])
        raise ValueLearnInputError(
            f"no policy keeps to the rules from start state {_state_name(mdp, state)}: every "
            "action there is forbidden or may lead to a forbidden state."
        )
    r = expected_reward(mdp, reward)
    discount = check_discount(discount)
    steps = check_horizon(horizon, discount)
    span = float(np.max(np.abs(r))) + temperature * np.log(mdp.n_actions)
    bound = span * (steps if steps is not None else 1.0 / (1.0 - discount))
    penalized = np.where(mask, r, r - (4.0 * bound + 800.0 * temperature + 1.0))
    if temperature > 0:
        result = soft_value_iteration(
            mdp, penalized, horizon=steps, discount=discount, temperature=temperature
        )
    else:
        result = value_iteration(mdp, penalized, horizon=steps, discount=discount)
    policy = np.where(mask, result.policy, 0.0)
    totals = policy.sum(axis=-1, keepdims=True)
    policy = np.where(totals > 0, policy / np.where(totals > 0, totals, 1.0), result.policy)
    q_values = None if result.q_values is None else np.where(mask, result.q_values, -np.inf)
    values = np.where(hopeless, -np.inf, result.values)
    return PlanningResult(
        policy, values, q_values, steps, discount, result.temperature, result.n_iter
    )


def constrained_plan(
    mdp: MDP,
    reward: ArrayLike,
    costs: ArrayLike,
    limits: ArrayLike,
    *,
    discount: float,
    method: Method = "lp",
    allowed: ArrayLike | None = None,
    initial: ArrayLike | None = None,
    max_iter: int = 200,
) -> ConstrainedPlan:
    """Maximise ``J_r(pi)`` subject to ``J_{c_k}(pi) <= limits[k]`` (a constrained MDP).

    Discounted, infinite horizon; ``J`` as in :func:`~valuelearn.policy.expected_return`.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    costs : array, shape (n_constraints, ...) with each row shaped like a reward
    limits : array, shape (n_constraints,)
    discount : float in [0, 1)
    method : {"lp", "lagrangian"}
        ``"lp"``: the primal linear program over occupancy measures, solved by HiGHS; the
        multipliers are its duals. ``"lagrangian"``: Lagrangian relaxation with multipliers from
        Kelley's cutting-plane method on the dual function; each step solves the relaxed MDP
        with reward ``r - lam . c`` by value iteration.
    allowed : array of bool, shape (n_states, n_actions), optional
        Hard rules as well (see :func:`allowed_actions`).
    initial : array, shape (n_states,), optional
    max_iter : int
        ``"lagrangian"``: most relaxed MDPs solved before a :class:`ConvergenceWarning`.

    Returns
    -------
    ConstrainedPlan

    Raises
    ------
    ValueLearnInputError
        On bad shapes, a discount of 1, or constraints no policy can meet (the message gives the
        smallest achievable cost when there is one constraint).

    References
    ----------
    Altman (1999), *Constrained Markov Decision Processes*, ch. 3 (the occupancy LP) and ch. 9
    (Lagrangian approach). Kelley (1960), "The cutting-plane method for solving convex programs",
    J. SIAM 8(4).

    Examples
    --------
    A single state with a safe action (reward 0, cost 0) and a risky one (reward 1, cost 1):
    with ``J_c <= 4`` at discount 0.9 the best policy takes the risky action 40% of the time.

    >>> T = np.ones((1, 2, 1))
    >>> mdp = MDP.from_dense(T, initial=[1.0])
    >>> plan = constrained_plan(mdp, [[0.0, 1.0]], [[[0.0, 1.0]]], [4.0], discount=0.9)
    >>> plan.policy.round(6).tolist(), round(plan.value, 6), plan.multipliers.round(6).tolist()
    ([[0.6, 0.4]], 4.0, [1.0])
    >>> lagrange = constrained_plan(
    ...     mdp, [[0.0, 1.0]], [[[0.0, 1.0]]], [4.0], discount=0.9, method="lagrangian"
    ... )
    >>> lagrange.policy.round(6).tolist()
    [[0.6, 0.4]]
    """
    discount = check_discount(discount)
    matrix, start = flow_constraints(mdp, discount=discount, initial=initial)
    r = expected_reward(mdp, reward).ravel()
    c = flat_rewards(mdp, costs, "costs")
    bounds = np.asarray(limits, dtype=np.float64).reshape(-1)
    if bounds.shape != (c.shape[0],) or not np.all(np.isfinite(bounds)):
        raise ValueLearnInputError(
            f"The 'limits' parameter of constrained_plan must hold one finite number per cost "
            f"({c.shape[0]}); got {np.asarray(limits).tolist()!r} instead."
        )
    mask = None if allowed is None else action_mask(allowed, mdp, "allowed", "constrained_plan")
    if method == "lp":
        x, multipliers, n_iter = _solve_lp(matrix, start, r, c, bounds, mask)
    elif method == "lagrangian":
        x, multipliers, n_iter = _solve_lagrangian(
            mdp, r, c, bounds, mask, discount, start, max_iter
        )
    else:
        raise ValueLearnInputError(
            f"The 'method' parameter of constrained_plan must be 'lp' or 'lagrangian'; got "
            f"{method!r} instead."
        )
    shaped = np.maximum(x, 0.0).reshape(mdp.n_states, mdp.n_actions)
    fallback = _fallback(mdp, r, mask, discount)
    return ConstrainedPlan(
        policy_from_occupancy(shaped, fallback),
        shaped,
        float(r @ shaped.ravel()),
        c @ shaped.ravel(),
        bounds,
        multipliers,
        method,
        n_iter,
    )


# ---------------------------------------------------------------------- solvers
def _solve_lp(
    matrix: object,
    start: NDArray[np.float64],
    r: NDArray[np.float64],
    c: NDArray[np.float64],
    limits: NDArray[np.float64],
    mask: NDArray[np.bool_] | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    n = r.size
    upper = np.where(mask.ravel(), np.inf, 0.0) if mask is not None else np.full(n, np.inf)
    result = linprog(
        -r,
        A_ub=c,
        b_ub=limits,
        A_eq=matrix,
        b_eq=start,
        bounds=np.column_stack([np.zeros(n), upper]),
        method="highs",
    )
    if result.status == 2:
        _infeasible(c, limits, matrix, start, upper)
    if result.status != 0:
        raise ValueLearnInputError(f"the constrained-MDP linear program failed: {result.message}")
    multipliers = np.maximum(-np.asarray(result.ineqlin.marginals, dtype=np.float64), 0.0)
    return np.asarray(result.x, dtype=np.float64), multipliers, int(result.nit)


def _infeasible(
    c: NDArray[np.float64],
    limits: NDArray[np.float64],
    matrix: object,
    start: NDArray[np.float64],
    upper: NDArray[np.float64],
) -> None:
    bounds = np.column_stack([np.zeros(c.shape[1]), upper])
    if c.shape[0] == 1:
        least = linprog(c[0], A_eq=matrix, b_eq=start, bounds=bounds, method="highs")
        if least.status == 0:
            raise ValueLearnInputError(
                f"no policy meets the cost limit {limits[0]:g}: the smallest achievable expected "
                f"cost is {least.fun:.6g}."
            )
    raise ValueLearnInputError(
        "no policy meets the cost limits together with the hard rules; loosen a limit or a rule."
    )


def _solve_lagrangian(
    mdp: MDP,
    r: NDArray[np.float64],
    c: NDArray[np.float64],
    limits: NDArray[np.float64],
    mask: NDArray[np.bool_] | None,
    discount: float,
    start: NDArray[np.float64],
    max_iter: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Kelley's cutting planes on the dual: a master LP over found policies, a VI oracle."""
    world = mdp if np.array_equal(start, mdp.initial) else mdp.with_defaults(initial=start)
    n_constraints = c.shape[0]
    scale = 1.0 + (float(np.max(np.abs(r))) + float(np.max(np.abs(c)))) / (1.0 - discount)
    tol = 1e-9 * scale
    penalty = 1e3 * scale * (1.0 + float(np.max(np.abs(limits))))
    columns: list[NDArray[np.float64]] = []
    multipliers = np.zeros(n_constraints)
    convexity = np.inf
    weights, slack = np.zeros(0), np.zeros(n_constraints)
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        relaxed = r - multipliers @ c
        x = _best_occupancy(world, relaxed.reshape(mdp.n_states, mdp.n_actions), mask, discount)
        if columns and float(relaxed @ x) <= convexity + tol:  # nothing improves the master
            break
        columns.append(x)
        stack = np.vstack(columns)
        weights, multipliers, convexity, slack = _master(stack @ r, stack @ c.T, limits, penalty)
    else:
        warnings.warn(
            f"Lagrangian relaxation stopped after max_iter={max_iter} relaxed problems before "
            "the dual gap closed; the policy may be suboptimal.",
            ConvergenceWarning,
            stacklevel=3,
        )
    if np.any(slack > tol):
        raise ValueLearnInputError(
            "no policy meets the cost limits"
            + (" together with the hard rules" if mask is not None else "")
            + f": the limits are exceeded by at least {float(slack.max()):.6g}."
        )
    return weights @ np.vstack(columns), multipliers, n_iter


def _best_occupancy(
    mdp: MDP,
    relaxed: NDArray[np.float64],
    mask: NDArray[np.bool_] | None,
    discount: float,
) -> NDArray[np.float64]:
    """State-action occupancy of an optimal policy of the relaxed (unconstrained) problem."""
    if mask is None:
        plan = value_iteration(mdp, relaxed, horizon=None, discount=discount)
    else:
        plan = plan_with_rules(mdp, relaxed, allowed=mask, horizon=None, discount=discount)
    visits = occupancy(mdp, plan.policy, horizon=None, discount=discount).total
    flat: NDArray[np.float64] = (visits[:, None] * plan.policy).ravel()
    return flat


def _master(
    returns: NDArray[np.float64],
    costs: NDArray[np.float64],
    limits: NDArray[np.float64],
    penalty: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], float, NDArray[np.float64]]:
    """Best mixture of the policies found: weights, multipliers, convexity dual, slack.

    ``max sum_j w_j R_j - penalty * sum_k s_k`` s.t. ``sum_j w_j C_jk - s_k <= limit_k``,
    ``sum_j w_j = 1``, ``w, s >= 0``; the slack ``s`` keeps it feasible before a feasible mixture
    is found.
    """
    n_columns, n_constraints = costs.shape
    objective = np.concatenate([-returns, np.full(n_constraints, penalty)])
    a_ub = np.hstack([costs.T, -np.eye(n_constraints)])
    a_eq = np.concatenate([np.ones(n_columns), np.zeros(n_constraints)])[None]
    result = linprog(objective, A_ub=a_ub, b_ub=limits, A_eq=a_eq, b_eq=[1.0], method="highs")
    if result.status != 0:  # pragma: no cover - the slack makes it always feasible and bounded
        raise ValueLearnInputError(f"the Lagrangian master problem failed: {result.message}")
    multipliers = np.maximum(-np.asarray(result.ineqlin.marginals, dtype=np.float64), 0.0)
    convexity = -float(result.eqlin.marginals[0])
    weights = np.maximum(np.asarray(result.x[:n_columns], dtype=np.float64), 0.0)
    return weights / weights.sum(), multipliers, convexity, result.x[n_columns:]


# ---------------------------------------------------------------------- helpers
def _fallback(
    mdp: MDP, r: NDArray[np.float64], mask: NDArray[np.bool_] | None, discount: float
) -> NDArray[np.float64]:
    """Behaviour in unvisited states: optimal for the reward, within the hard rules if any."""
    reward = r.reshape(mdp.n_states, mdp.n_actions)
    if mask is None:
        return np.asarray(value_iteration(mdp, reward, horizon=None, discount=discount).policy)
    hopeful = mask.any(axis=1)
    policy = np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)
    if hopeful.any():
        world = mdp.with_defaults(initial=hopeful / hopeful.sum())
        plan = plan_with_rules(world, reward, allowed=mask, horizon=None, discount=discount)
        policy = np.asarray(plan.policy)
    return policy


def action_mask(values: ArrayLike, mdp: MDP, name: str, owner: str) -> NDArray[np.bool_]:
    """Check that ``values`` is a boolean ``(n_states, n_actions)`` array and return it."""
    mask = np.asarray(values)
    if mask.shape != (mdp.n_states, mdp.n_actions) or mask.dtype != np.bool_:
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be a boolean array of shape "
            f"({mdp.n_states}, {mdp.n_actions}); got {mask.dtype} of shape {mask.shape} instead."
        )
    return mask


def _state_mask(states: ArrayLike | None, n_states: int) -> NDArray[np.bool_]:
    if states is None:
        return np.zeros(n_states, dtype=bool)
    array = np.asarray(states)
    if array.dtype == np.bool_:
        if array.shape != (n_states,):
            raise ValueLearnInputError(
                f"The 'forbidden_states' parameter must have one entry per state ({n_states}); "
                f"got shape {array.shape} instead."
            )
        return array
    if array.size == 0:
        return np.zeros(n_states, dtype=bool)
    if (
        array.ndim != 1
        or not np.issubdtype(array.dtype, np.integer)
        or array.min() < 0
        or array.max() >= n_states
    ):
        raise ValueLearnInputError(
            f"The 'forbidden_states' parameter must be state indices in [0, {n_states}) or a "
            f"boolean mask; got {array.tolist()!r} instead."
        )
    mask = np.zeros(n_states, dtype=bool)
    mask[array] = True
    return mask


def _state_name(mdp: MDP, state: int) -> str:
    names = mdp.state_names
    return f"{state} ({names[state]})" if names else str(state)
