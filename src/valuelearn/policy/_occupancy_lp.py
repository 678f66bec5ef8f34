"""The linear-programming view of a discounted MDP: state-action occupancy measures.

Every stationary policy ``pi`` of a discounted MDP has the state-action occupancy
``x(s, a) = sum_t discount**t P(s_t = s, a_t = a)``, and the set of occupancies is the polytope

    sum_a x(s', a) - discount * sum_{s, a} P(s' | s, a) x(s, a) = initial(s'),   x >= 0

(the Bellman flow constraints). Every return is linear in ``x`` (``J_R(pi) = sum r(s, a) x(s, a)``),
so objectives and constraints that are linear, piecewise linear or concave in the returns are
linear programs over this polytope; the policy is recovered as ``pi(a | s) = x(s, a) / sum_a x``.
Variables are ordered ``s * n_actions + a``, the row order of :attr:`MDP.transitions`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, check_discount
from valuelearn.data._mdp import _distribution
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._rewards import expected_reward


def flow_constraints(
    mdp: MDP, *, discount: float, initial: ArrayLike | None = None
) -> tuple[sp.csr_array, NDArray[np.float64]]:
    """The Bellman flow constraints ``A x = b`` of the occupancy polytope.

    Parameters
    ----------
    mdp : MDP
    discount : float in [0, 1)
    initial : array, shape (n_states,), optional
        Start distribution (default ``mdp.initial``).

    Returns
    -------
    matrix : sparse array, shape (n_states, n_states * n_actions)
    initial : array, shape (n_states,)

    References
    ----------
    Puterman (1994), *Markov Decision Processes*, section 6.9.1 (the dual linear program);
    Altman (1999), *Constrained Markov Decision Processes*, ch. 3.

    Examples
    --------
    >>> T = np.zeros((2, 1, 2)); T[:, 0, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> matrix, b = flow_constraints(mdp, discount=0.5)
    >>> matrix.toarray().tolist(), b.tolist()
    ([[1.0, 0.0], [-0.5, 0.5]], [1.0, 0.0])
    """
    discount = check_discount(discount)
    if discount >= 1.0:
        raise ValueLearnInputError(
            f"The 'discount' parameter of an occupancy linear program must be below 1; got "
            f"{discount!r} instead."
        )
    start = mdp.initial if initial is None else _distribution(initial, mdp.n_states, "initial")
    n_states, n_actions = mdp.n_states, mdp.n_actions
    own = sp.csr_array(
        (
            np.ones(n_states * n_actions),
            (np.repeat(np.arange(n_states), n_actions), np.arange(n_states * n_actions)),
        ),
        shape=(n_states, n_states * n_actions),
    )
    matrix = sp.csr_array(own - discount * mdp.transitions.T.tocsr())
    return matrix, np.asarray(start, dtype=np.float64)


def flat_rewards(mdp: MDP, rewards: ArrayLike, name: str) -> NDArray[np.float64]:
    """Rows ``r_k(s, a)`` flattened to ``s * n_actions + a``, shape (n_rows, n_states * n_actions).

    ``rewards`` stacks state, state-action or transition rewards along a first axis; each is
    reduced to its expected reward :math:`r(s, a)` (:func:`~valuelearn.policy.expected_reward`).
    """
    array = np.asarray(rewards, dtype=np.float64)
    if array.ndim < 2 or array.shape[0] < 1:
        raise ValueLearnInputError(
            f"The '{name}' parameter must stack one or more rewards along its first axis; got "
            f"shape {array.shape} instead."
        )
    try:
        rows = [expected_reward(mdp, row).ravel() for row in array]
    except ValueLearnInputError as error:
        raise ValueLearnInputError(f"The '{name}' parameter: {error}") from None
    return np.vstack(rows)


def policy_from_occupancy(
    occupancy: NDArray[np.float64],
    fallback: NDArray[np.float64],
    *,
    tol: float = 1e-12,
) -> NDArray[np.float64]:
    """``pi(a | s) = x(s, a) / sum_a x(s, a)``, or ``fallback[s]`` where ``s`` is never visited.

    Parameters
    ----------
    occupancy : array, shape (n_states, n_actions)
        Non-negative up to rounding (negative rounding is clipped).
    fallback : array, shape (n_states, n_actions)
        The policy used in states whose occupancy is at most ``tol`` times the largest one.

    Examples
    --------
    >>> x = np.array([[1.0, 3.0], [0.0, 0.0]])
    >>> policy_from_occupancy(x, np.full((2, 2), 0.5)).tolist()
    [[0.25, 0.75], [0.5, 0.5]]
    """
    clipped = np.maximum(occupancy, 0.0)
    visits = clipped.sum(axis=1, keepdims=True)
    visited = visits > tol * max(float(visits.max()), np.finfo(np.float64).tiny)
    safe = np.where(visited, visits, 1.0)
    policy: NDArray[np.float64] = np.where(visited, clipped / safe, fallback)
    return policy


def deterministic_occupancies(
    mdp: MDP,
    *,
    discount: float,
    initial: ArrayLike | None = None,
    max_policies: int = 65_536,
    chunk: int = 4096,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Every deterministic stationary policy and its state-action occupancy measure.

    There are ``n_actions ** n_states`` of them, enumerated in lexicographic order of
    ``actions[i] = (a(s_0), .., a(s_{n-1}))`` (the last state's action changes fastest). The
    returns of all of them under any reward ``r`` are ``occupancies @ r.ravel()``.

    Parameters
    ----------
    mdp : MDP
    discount : float in [0, 1)
    initial : array, shape (n_states,), optional
    max_policies : int
        Refuse worlds with more deterministic policies than this.
    chunk : int
        Policies solved per batched dense solve (memory ``chunk * n_states**2`` floats).

    Returns
    -------
    actions : int array, shape (n_policies, n_states)
    occupancies : array, shape (n_policies, n_states * n_actions)

    Examples
    --------
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0  # action a goes to state a
    >>> actions, x = deterministic_occupancies(MDP.from_dense(T), discount=0.5)
    >>> actions.tolist()
    [[0, 0], [0, 1], [1, 0], [1, 1]]
    >>> (x @ np.array([0.0, 0.0, 1.0, 1.0])).round(4).tolist()  # discounted time in state 1
    [0.0, 0.0, 0.6667, 1.0]
    """
    _, start = flow_constraints(mdp, discount=discount, initial=initial)
    n_states, n_actions = mdp.n_states, mdp.n_actions
    if n_actions**n_states > max_policies:
        raise ValueLearnInputError(
            f"the MDP has {n_actions}**{n_states} deterministic policies, more than "
            f"max_policies={max_policies}; enumerate a smaller world or raise max_policies."
        )
    grids = np.indices((n_actions,) * n_states).reshape(n_states, -1).T
    actions = np.ascontiguousarray(grids, dtype=np.int64)
    dense = mdp.dense_transitions()
    states = np.arange(n_states)
    occupancies = np.zeros((actions.shape[0], n_states * n_actions))
    for begin in range(0, actions.shape[0], chunk):
        block = actions[begin : begin + chunk]
        system = np.eye(n_states) - discount * dense[states, block]  # (k, S, S)
        rhs = np.broadcast_to(start, (block.shape[0], n_states))[..., None]
        visits = np.linalg.solve(np.swapaxes(system, 1, 2), rhs)[..., 0]
        rows = np.arange(block.shape[0])[:, None]
        occupancies[begin + rows, states * n_actions + block] = visits
    return actions, occupancies
