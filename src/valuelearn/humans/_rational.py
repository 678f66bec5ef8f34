"""Noisy-rational people: soft-optimal (maximum causal entropy) and Boltzmann over optimal Q.

Both choose actions with probabilities that grow exponentially with an action value; they differ
in *which* value. The soft-optimal person scores actions by the soft Q of soft value iteration
(what MCE IRL assumes); the Boltzmann-rational person scores them by the optimal (hard) Q of exact
value iteration (what Bayesian IRL assumes). The two agree only as the noise vanishes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import log_softmax

from valuelearn.data import MDP
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel
from valuelearn.policy import soft_value_iteration, value_iteration


def check_positive(value: object, name: str, owner: str) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise (sklearn wording)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not np.isfinite(value)
        or value <= 0
    ):
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be a positive finite number; got {value!r} "
            "instead."
        )
    return float(value)


def check_name(value: object, owner: str) -> str:
    """Return ``value`` if it is a non-empty string, else raise."""
    if not isinstance(value, str) or not value:
        raise ValueLearnInputError(
            f"The 'name' parameter of {owner} must be a non-empty string; got {value!r} instead."
        )
    return value


def boltzmann_policy(q_values: ArrayLike, *, beta: float) -> NDArray[np.float64]:
    """Boltzmann (softmax) choice over the last axis: ``pi(a | s) ∝ exp(beta * Q(s, a))``.

    Computed as ``exp(log_softmax(beta * Q))``, so it is exact for any finite ``beta * Q``.

    Parameters
    ----------
    q_values : array, shape (..., n_actions)
        Action values, e.g. ``Q_t(s, a)`` of shape (horizon, n_states, n_actions).
    beta : float > 0
        Rationality (inverse temperature); large ``beta`` approaches the argmax.

    Returns
    -------
    array, same shape as ``q_values``
        Rows sum to 1.

    References
    ----------
    Ramachandran & Amir (2007), "Bayesian inverse reinforcement learning", IJCAI, eq. (2): the
    likelihood ``exp(alpha Q*(s, a)) / Z``, normalised per state as in common implementations.

    Examples
    --------
    >>> boltzmann_policy([[0.0, np.log(3.0)]], beta=1.0).round(6).tolist()
    [[0.25, 0.75]]
    """
    beta = check_positive(beta, "beta", "boltzmann_policy")
    q = np.asarray(q_values, dtype=np.float64)
    if q.ndim < 1 or q.shape[-1] < 1 or not np.all(np.isfinite(q)):
        raise ValueLearnInputError(
            f"`q_values` must be a finite array with actions on the last axis; got shape {q.shape}."
        )
    policy: NDArray[np.float64] = np.exp(log_softmax(beta * q, axis=-1))
    return policy


@dataclass(frozen=True)
class SoftOptimal(HumanModel):
    """A soft-optimal (maximum causal entropy) person: the human model MCE IRL assumes.

    ``pi_t(a | s) = exp((Q_t(s, a) - V_t(s)) / temperature)`` with the soft Bellman backup of
    :func:`valuelearn.policy.soft_value_iteration` (finite horizon, or discounted and stationary
    for ``horizon=None``).

    Parameters
    ----------
    temperature : float > 0
        Boltzmann temperature; smaller is more nearly optimal.
    name : str
        Label used in benchmark tables.

    References
    ----------
    Ziebart (2010), *Modeling purposeful adaptive behavior with the principle of maximum causal
    entropy*, PhD thesis, recurrences 9.1-9.3.

    Examples
    --------
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> pi = SoftOptimal().policy(mdp, [0.0, 1.0], horizon=1, discount=1.0)
    >>> pi[0, 0].round(4).tolist()  # one step left: the reward of the current state only
    [0.5, 0.5]
    """

    temperature: float = 1.0
    name: str = field(default="soft-optimal", kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "temperature", check_positive(self.temperature, "temperature", "SoftOptimal")
        )
        check_name(self.name, "SoftOptimal")

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int | None, discount: float
    ) -> NDArray[np.float64]:
        """Soft-optimal policy, shape (horizon, n_states, n_actions) or (n_states, n_actions)."""
        return soft_value_iteration(
            mdp,
            reward,
            horizon=horizon,
            discount=discount,
            temperature=self.temperature,
            return_q=False,
        ).policy


@dataclass(frozen=True)
class BoltzmannRational(HumanModel):
    """A Boltzmann-rational person over the *optimal* Q: ``pi_t(a | s) ∝ exp(beta * Q*_t(s, a))``.

    ``Q*`` comes from exact value iteration (:func:`valuelearn.policy.value_iteration`), finite
    horizon or (``horizon=None``) discounted infinite horizon; unlike :class:`SoftOptimal`, the
    person plans as if their future selves will act optimally, and only the present choice is
    noisy.

    Parameters
    ----------
    beta : float > 0
        Rationality (inverse temperature).
    name : str
        Label used in benchmark tables.

    Notes
    -----
    The Bayesian IRL test anchor of dsbrown1331/birl_homework (a 3x3 grid whose terminal state 0
    has no outgoing transitions, Russell & Norvig value iteration) is reproduced exactly by sending
    the terminal state to an extra absorbing, zero-reward sink state: the terminal state then earns
    its reward once and nothing after, as in that code. Making state 0 itself absorbing would
    instead pay its reward forever (see ``tests/humans/test_rational.py``).

    References
    ----------
    Ramachandran & Amir (2007), "Bayesian inverse reinforcement learning", IJCAI, section 3.

    Examples
    --------
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> pi = BoltzmannRational(beta=np.log(3.0)).policy(mdp, [0.0, 1.0], horizon=2, discount=1.0)
    >>> pi[0, 0].round(4).tolist()  # Q*_0(0, .) = (0, 1)
    [0.25, 0.75]
    """

    beta: float = 1.0
    name: str = field(default="boltzmann", kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "beta", check_positive(self.beta, "beta", "BoltzmannRational"))
        check_name(self.name, "BoltzmannRational")

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int | None, discount: float
    ) -> NDArray[np.float64]:
        """Boltzmann policy over optimal Q, shape (horizon, n_states, n_actions) or stationary."""
        q_values = value_iteration(mdp, reward, horizon=horizon, discount=discount).q_values
        if q_values is None:  # pragma: no cover - value_iteration always keeps Q
            raise RuntimeError("value_iteration returned no Q-values.")
        return boltzmann_policy(q_values, beta=self.beta)
