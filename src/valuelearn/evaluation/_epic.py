"""EPIC: the Equivalent-Policy Invariant Comparison pseudometric between reward functions.

EPIC (Gleave et al. 2021) compares two rewards without planning. Each reward is first mapped to
its *canonically shaped* form, which removes potential shaping, and the two canonical rewards are
then compared with the Pearson distance, which removes positive affine transformations:

    C(R)(s, a, s') = R(s, a, s') + E[discount * R(s', A, S') - R(s, A, S') - discount * R(S, A, S')]
    D_EPIC(R_a, R_b) = D_rho(C(R_a)(S, A, S'), C(R_b)(S, A, S')),   D_rho = sqrt((1 - rho) / 2),

with ``S, S' ~ D_S`` and ``A ~ D_A`` independent. Here the coverage distribution of the Pearson
distance is the same product ``D_S x D_A x D_S`` (uniform unless given). To compare under another
coverage, call :func:`canonicalize` and :func:`pearson_distance` with your own ``weights``.

Tabular form (``m(s) = E_{A, S'} R(s, A, S')``, ``m_bar = E_S m(S)``):

    C(R)(s, a, s') = R(s, a, s') + discount * m(s') - m(s) - discount * m_bar.

For a state reward ``R(s)`` (received in the state where the action is taken) or a state-action
reward ``R(s, a)``, ``C(R)(s, a, s') = X(s, a) + Y(s')`` with ``X = R - m`` and
``Y = discount * (m - m_bar)`` (up to a constant), and under the product coverage ``(s, a)`` and
``s'`` are independent, so variances and covariances split into an ``(S, A)`` and an ``(S,)`` part.
:func:`epic_distance` uses this closed form and never builds an ``S x A x S`` array for such
rewards: it runs in ``O(S * A)`` time and memory (10^6 states are fine).

**Rewards equivalent to zero.** The canonical form of a reward that is a potential shaping (of a
constant, say) is 0 on the coverage support: every policy is optimal for it and the Pearson
correlation is undefined. :func:`~valuelearn.evaluation.pearson_distance` standardises such a
variable to 0 (STARC's convention, Skalse et al. 2024; also ``canonical_reward_distance`` in the
EPIC authors' code), so two such rewards are at distance 0 and one of them is at distance 1/2 from
every other reward. EPIC stays a pseudometric and never returns NaN. A canonical reward counts as
zero when its standard deviation is at most ``ZERO_RELATIVE_STD`` (1e-10) times the largest ``|R|``
on the coverage support, which is far above the rounding of the canonicalisation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, check_discount
from valuelearn.evaluation._pearson import (
    clip_distance,
    half_norm_of_difference,
    inverse_std,
    standardise,
)
from valuelearn.evaluation._validation import distribution, positive_int, reward_array
from valuelearn.exceptions import ValueLearnInputError


# ---------------------------------------------------------------------- public functions
def canonicalize(
    reward: ArrayLike,
    *,
    n_states: int,
    n_actions: int,
    discount: float,
    state_distribution: ArrayLike | None = None,
    action_distribution: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Canonically shaped reward ``C(R)(s, a, s')`` as a dense array (small problems only).

    ``C(R)(s, a, s') = R(s, a, s') + E[discount * R(s', A, S') - R(s, A, S')
    - discount * R(S, A, S')]`` with ``S, S' ~ state_distribution`` and
    ``A ~ action_distribution`` independent. ``C(R)`` is unchanged by potential shaping
    ``R + discount * Phi(s') - Phi(s)`` (so by adding a constant too) and has mean zero under the
    product distribution.

    Parameters
    ----------
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
        ``R[s]`` is received in the state where the action is taken (``R(s, a, s') = R(s)``),
        ``R[s, a]`` for taking ``a`` there, ``R[s, a, s']`` on the transition.
    n_states, n_actions : int
        Sizes of the state and action spaces.
    discount : float in [0, 1]
        ``1`` is the undiscounted finite-horizon case (same formula).
    state_distribution : array, shape (n_states,), optional
        ``D_S`` (default uniform).
    action_distribution : array, shape (n_actions,), optional
        ``D_A`` (default uniform).

    Returns
    -------
    array, shape (n_states, n_actions, n_states)
        ``C(R)[s, a, s']``; it needs ``n_states**2 * n_actions`` floats.

    Raises
    ------
    ValueLearnInputError
        If a size is not a positive integer, ``discount`` is outside [0, 1], ``reward`` has none
        of the three shapes or is not finite, or a distribution has the wrong length, a negative
        entry or does not sum to 1.

    References
    ----------
    Gleave, Dennis, Legg, Russell & Leike (2021), "Quantifying differences in reward functions",
    ICLR 2021, arXiv:2006.13900, section 4 (definition of the canonically shaped reward).

    Examples
    --------
    >>> C = canonicalize([0.0, 1.0], n_states=2, n_actions=1, discount=0.5)
    >>> C[:, 0, :].tolist()
    [[-0.25, 0.25], [-0.25, 0.25]]
    """
    n_states = positive_int(n_states, "n_states")
    n_actions = positive_int(n_actions, "n_actions")
    discount = check_discount(discount)
    array = reward_array(reward, n_states=n_states, n_actions=n_actions, name="reward")
    state_dist = distribution(state_distribution, n_states, name="state_distribution", what="state")
    action_dist = distribution(
        action_distribution, n_actions, name="action_distribution", what="action"
    )
    return _canonical_dense(
        _transition_view(array, n_states, n_actions), state_dist, action_dist, discount
    )


def epic_distance(
    mdp: MDP,
    reward_a: ArrayLike,
    reward_b: ArrayLike,
    *,
    discount: float,
    state_distribution: ArrayLike | None = None,
    action_distribution: ArrayLike | None = None,
) -> float:
    """EPIC distance between two rewards on the state and action spaces of ``mdp``.

    ``D_EPIC(R_a, R_b) = D_rho(C(R_a)(S, A, S'), C(R_b)(S, A, S'))`` with canonicalisation and
    coverage both over ``S, S' ~ state_distribution``, ``A ~ action_distribution`` (independent;
    uniform by default). It is 0 when ``R_b`` is a potential shaping of a positive multiple of
    ``R_a`` (e.g. ``3 * (R_a + discount * Phi(s') - Phi(s)) + 5``), 1 for ``R_b = -R_a``, and about
    ``sqrt(1/2) ~ 0.71`` for independent random rewards; it satisfies the triangle inequality.

    Only the sizes of ``mdp`` are used: EPIC deliberately ignores the dynamics (and so also
    evaluates transitions the MDP cannot make). State and state-action rewards go through an
    ``O(n_states * n_actions)`` closed form; a transition reward ``(S, A, S)`` is canonicalised
    densely (its own size). A reward that is equivalent to zero is at distance 0 from another such
    reward and 1/2 from every other reward (module docstring).

    Parameters
    ----------
    mdp : MDP
        Supplies ``n_states`` and ``n_actions``.
    reward_a, reward_b : array, shape (n_states,), (n_states, n_actions) or \
(n_states, n_actions, n_states)
        The two rewards, in any mix of forms. ``R[s]`` is received in the state where the action
        is taken.
    discount : float in [0, 1]
        The discount of the potential shaping to be ignored.
    state_distribution : array, shape (n_states,), optional
        ``D_S`` (default uniform).
    action_distribution : array, shape (n_actions,), optional
        ``D_A`` (default uniform).

    Returns
    -------
    float
        The distance, in [0, 1].

    Raises
    ------
    ValueLearnInputError
        If ``mdp`` is not an :class:`~valuelearn.data.MDP`, ``discount`` is outside [0, 1], a
        reward has none of the three shapes or is not finite, or a distribution has the wrong
        length, a negative entry or does not sum to 1.

    References
    ----------
    Gleave, Dennis, Legg, Russell & Leike (2021), "Quantifying differences in reward functions",
    ICLR 2021, arXiv:2006.13900, section 4 (EPIC, its invariance and pseudometric results, and
    its regret bound). Skalse et al. (2024), "STARC", arXiv:2309.15257 (the
    zero-reward convention).

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import random_mdp
    >>> mdp = random_mdp(5, 3, branching=2, rng=0)
    >>> rng = np.random.default_rng(1)
    >>> R, phi = rng.normal(size=(5, 3, 5)), rng.normal(size=5)
    >>> shaped = 3.0 * (R + 0.9 * phi[None, None, :] - phi[:, None, None]) + 5.0
    >>> round(epic_distance(mdp, R, shaped, discount=0.9), 12)
    0.0
    >>> round(epic_distance(mdp, R, -R, discount=0.9), 12)
    1.0
    """
    if not isinstance(mdp, MDP):
        raise ValueLearnInputError(
            f"`mdp` must be a valuelearn.data.MDP; got {type(mdp).__name__} instead."
        )
    n_states, n_actions = mdp.n_states, mdp.n_actions
    discount = check_discount(discount)
    first = reward_array(reward_a, n_states=n_states, n_actions=n_actions, name="reward_a")
    second = reward_array(reward_b, n_states=n_states, n_actions=n_actions, name="reward_b")
    state_dist = distribution(state_distribution, n_states, name="state_distribution", what="state")
    action_dist = distribution(
        action_distribution, n_actions, name="action_distribution", what="action"
    )
    if first.ndim < 3 and second.ndim < 3:
        return _epic_separable(first, second, state_dist, action_dist, discount)
    return _epic_dense(first, second, state_dist, action_dist, discount)


# ---------------------------------------------------------------------- dense path
def _transition_view(
    reward: NDArray[np.float64], n_states: int, n_actions: int
) -> NDArray[np.float64]:
    """``R[s, a, s']`` as a broadcast view (no copy) of a reward in any of the three forms."""
    shape = (n_states, n_actions, n_states)
    if reward.ndim == 1:
        return np.broadcast_to(reward[:, None, None], shape)
    if reward.ndim == 2:
        return np.broadcast_to(reward[:, :, None], shape)
    return reward


def _canonical_dense(
    reward: NDArray[np.float64],
    state_dist: NDArray[np.float64],
    action_dist: NDArray[np.float64],
    discount: float,
) -> NDArray[np.float64]:
    """``C(R) = R + discount * m(s') - m(s) - discount * m_bar`` for ``R`` of shape (S, A, S)."""
    mean_s = (reward @ state_dist) @ action_dist  # m(s) = E_{A, S'} R(s, A, S')
    mean_all = float(state_dist @ mean_s)  # m_bar = E_S m(S)
    canonical: NDArray[np.float64] = (
        reward + discount * mean_s[None, None, :] - mean_s[:, None, None] - discount * mean_all
    )
    return canonical


def _epic_dense(
    first: NDArray[np.float64],
    second: NDArray[np.float64],
    state_dist: NDArray[np.float64],
    action_dist: NDArray[np.float64],
    discount: float,
) -> float:
    n_states, n_actions = state_dist.size, action_dist.size
    weights = state_dist[:, None, None] * action_dist[None, :, None] * state_dist[None, None, :]
    standardised = []
    for reward in (first, second):
        canonical = _canonical_dense(
            _transition_view(reward, n_states, n_actions), state_dist, action_dist, discount
        )
        scale = _reward_scale(reward, state_dist, action_dist)
        standardised.append(standardise(canonical, weights, scale))
    return half_norm_of_difference(standardised[0], standardised[1], weights)


# ---------------------------------------------------------------------- closed form (S,), (S, A)
def _epic_separable(
    first: NDArray[np.float64],
    second: NDArray[np.float64],
    state_dist: NDArray[np.float64],
    action_dist: NDArray[np.float64],
    discount: float,
) -> float:
    """EPIC for rewards whose canonical form is ``X(s, a) + Y(s')``, in ``O(S * A)``.

    Under the product coverage ``(s, a)`` and ``s'`` are independent and ``X``, ``Y`` are centred,
    so ``E[(X + Y)^2] = E[X^2] + E[Y^2]`` and likewise for the difference of two standardised
    canonical rewards.
    """
    (x_a, y_a), (x_b, y_b) = (
        _separable_parts(r, state_dist, action_dist, discount) for r in (first, second)
    )
    scratch = np.empty_like(x_a)  # one (S, A) work array; everything else is done in place

    def second_moment(x_part: NDArray[np.float64], y_part: NDArray[np.float64]) -> float:
        np.multiply(x_part, x_part, out=scratch)
        return _x_moment(scratch, state_dist, action_dist) + float(state_dist @ (y_part * y_part))

    factor_a = inverse_std(second_moment(x_a, y_a), _reward_scale(first, state_dist, action_dist))
    factor_b = inverse_std(second_moment(x_b, y_b), _reward_scale(second, state_dist, action_dist))
    # x_a <- factor_a * x_a - factor_b * x_b, the X part of the difference of standardised rewards
    x_a *= factor_a
    np.multiply(x_b, factor_b, out=scratch)
    x_a -= scratch
    squared = second_moment(x_a, factor_a * y_a - factor_b * y_b)
    return clip_distance(0.5 * np.sqrt(max(squared, 0.0)))


def _separable_parts(
    reward: NDArray[np.float64],
    state_dist: NDArray[np.float64],
    action_dist: NDArray[np.float64],
    discount: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centred ``X(s, a) = R(s, a) - m(s)`` and ``Y(s') = discount * (m(s') - m_bar)``."""
    if reward.ndim == 1:
        mean_s = reward  # a state reward does not depend on the action: m(s) = R(s) exactly
        x_part = np.zeros((reward.size, action_dist.size))
    else:
        mean_s = reward @ action_dist
        x_part = reward - mean_s[:, None]
    y_part = discount * (mean_s - float(state_dist @ mean_s))
    return x_part, y_part


def _x_moment(
    values: NDArray[np.float64], state_dist: NDArray[np.float64], action_dist: NDArray[np.float64]
) -> float:
    """``E_{S ~ D_S, A ~ D_A}[values(S, A)]``."""
    return float(state_dist @ (values @ action_dist))


# ---------------------------------------------------------------------- shared helpers
def _reward_scale(
    reward: NDArray[np.float64], state_dist: NDArray[np.float64], action_dist: NDArray[np.float64]
) -> float:
    """Largest ``|R|`` on the support of the coverage distribution (the rounding scale)."""
    states, actions = state_dist > 0, action_dist > 0
    if states.all() and actions.all():
        support = reward
    elif reward.ndim == 1:
        support = reward[states]
    elif reward.ndim == 2:
        support = reward[np.ix_(states, actions)]
    else:
        support = reward[np.ix_(states, actions, states)]
    return float(max(support.max(), -support.min())) if support.size else 0.0
