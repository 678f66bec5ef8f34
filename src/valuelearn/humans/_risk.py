"""A risk-sensitive person: exponential utility (entropic risk) over the outcomes of each action.

The person evaluates the uncertain continuation of an action by its *certainty equivalent* under
exponential utility ``u(x) = exp(alpha * x)``: ``CE = (1 / alpha) log E[exp(alpha * X)]``. With
``alpha < 0`` the certainty equivalent lies below the mean (risk-averse; it tends to the worst
outcome as ``alpha -> -inf``), with ``alpha > 0`` above it (risk-seeking), and ``alpha -> 0``
recovers the expectation, i.e. the ordinary soft-optimal person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, check_discount
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel
from valuelearn.humans._rational import check_name, check_positive
from valuelearn.policy import PlanningResult, expected_reward


def risk_sensitive_value_iteration(
    mdp: MDP,
    reward: ArrayLike,
    *,
    horizon: int,
    discount: float,
    alpha: float,
    temperature: float = 1.0,
    terminal_values: ArrayLike | None = None,
) -> PlanningResult:
    """Soft value iteration with an exponential-utility (entropic risk) backup over outcomes.

    ``Q_t(s, a) = (1 / alpha) log sum_s' P(s' | s, a) exp(alpha * (R(s, a, s') +
    discount * V_{t+1}(s')))``, ``V_t(s) = temperature * log sum_a exp(Q_t(s, a) / temperature)``
    and ``pi_t(a | s) = exp((Q_t(s, a) - V_t(s)) / temperature)``, with ``V_H = terminal_values``
    (default 0). For a state or state-action reward the reward leaves the certainty equivalent
    unchanged: ``Q_t = r(s, a) + (1 / alpha) log sum_s' P exp(alpha * discount * V_{t+1})``.
    ``alpha = 0`` is the risk-neutral (expected-value) backup of
    :func:`valuelearn.policy.soft_value_iteration`. The log-sum-exp over outcomes is computed on
    the sparse transition rows with the maximum subtracted, so it is stable for any ``alpha``.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    horizon : int
        Number of decisions (time convention of :mod:`valuelearn.policy`).
    discount : float in [0, 1]
    alpha : float
        Risk parameter: ``< 0`` risk-averse, ``> 0`` risk-seeking, ``0`` risk-neutral.
    temperature : float > 0
        Boltzmann temperature of the choice among actions.
    terminal_values : array, shape (n_states,), optional

    Returns
    -------
    PlanningResult
        ``policy`` and ``q_values`` of shape (horizon, n_states, n_actions), ``values`` of shape
        (horizon, n_states).

    References
    ----------
    Howard & Matheson (1972), "Risk-sensitive Markov decision processes", Management Science 18(7),
    eq. for the certainty equivalent under exponential utility. Majumdar, Singh, Mandlekar & Pavone
    (2017), "Risk-sensitive inverse reinforcement learning via coherent risk models", RSS
    (risk-sensitive demonstrators).

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((3, 2, 3)); T[0, 0, 0] = 1.0; T[0, 1, 1:] = 0.5; T[1:, :, 0] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0, 0.0])
    >>> R = [0.0, 2.0, -2.0]  # action 1 from state 0 is a fair coin flip between +2 and -2
    >>> q = risk_sensitive_value_iteration(mdp, R, horizon=2, discount=1.0, alpha=-1.0).q_values
    >>> bool(q[0, 0, 1] < q[0, 0, 0])  # the risk-averse person prefers the sure 0
    True
    """
    temperature = check_positive(temperature, "temperature", "risk_sensitive_value_iteration")
    alpha = _check_alpha(alpha, "risk_sensitive_value_iteration")
    discount = check_discount(discount)
    horizon = check_finite_horizon(horizon)
    n_states, n_actions = mdp.n_states, mdp.n_actions
    next_values = _terminal(terminal_values, n_states)
    backup = _EntropicBackup(mdp, reward, discount, alpha)
    policy = np.empty((horizon, n_states, n_actions))
    q_values = np.empty((horizon, n_states, n_actions))
    values = np.empty((horizon, n_states))
    for t in range(horizon - 1, -1, -1):
        q = backup.q(next_values)
        scaled = q / temperature
        peak = scaled.max(axis=1, keepdims=True)
        weights = np.exp(scaled - peak)
        total = weights.sum(axis=1, keepdims=True)
        policy[t] = weights / total
        values[t] = temperature * (peak + np.log(total))[:, 0]
        q_values[t] = q
        next_values = values[t]
    return PlanningResult(policy, values, q_values, horizon, discount, temperature, horizon)


class _EntropicBackup:
    """``V_{t+1} -> Q_t`` with the certainty equivalent taken over each sparse transition row."""

    def __init__(self, mdp: MDP, reward: ArrayLike, discount: float, alpha: float) -> None:
        matrix = mdp.transitions  # row s * n_actions + a
        self.shape = (mdp.n_states, mdp.n_actions)
        self.discount, self.alpha = discount, alpha
        self.indices = matrix.indices
        self.starts = matrix.indptr[:-1]
        self.counts = np.diff(matrix.indptr)
        values = np.asarray(reward, dtype=np.float64)
        transition_reward = values.ndim == 3 and values.shape == (*self.shape, mdp.n_states)
        if transition_reward and not np.all(np.isfinite(values)):
            raise ValueLearnInputError("`reward` must be finite; found NaN or inf.")
        # Per stored entry: the reward of that outcome (transition rewards) or 0 (the expected
        # reward, which is then certain, is added outside the certainty equivalent).
        rows = np.repeat(np.arange(matrix.shape[0]), self.counts)
        self.entry_reward = (
            values.reshape(matrix.shape[0], -1)[rows, self.indices]
            if transition_reward
            else np.zeros(matrix.nnz)
        )
        self.certain = np.zeros(self.shape) if transition_reward else expected_reward(mdp, reward)
        self.probs = matrix.data
        with np.errstate(divide="ignore"):
            self.log_p = np.log(matrix.data)

    def q(self, next_values: NDArray[np.float64]) -> NDArray[np.float64]:
        outcome = self.entry_reward + self.discount * next_values[self.indices]
        if self.alpha == 0.0:
            expected = np.add.reduceat(self.probs * outcome, self.starts)
            return self.certain + expected.reshape(self.shape)
        scaled = self.log_p + self.alpha * outcome
        peak = np.maximum.reduceat(scaled, self.starts)
        sums = np.add.reduceat(np.exp(scaled - np.repeat(peak, self.counts)), self.starts)
        equivalent = (peak + np.log(sums)) / self.alpha
        return self.certain + equivalent.reshape(self.shape)


def _check_alpha(alpha: object, owner: str) -> float:
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, int | float | np.integer | np.floating)
        or not np.isfinite(alpha)
    ):
        raise ValueLearnInputError(
            f"The 'alpha' parameter of {owner} must be a finite number (< 0 risk-averse, > 0 "
            f"risk-seeking); got {alpha!r} instead."
        )
    return float(alpha)


def check_finite_horizon(horizon: object) -> int:
    """Return ``horizon`` as a positive int, or raise naming the argument."""
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueLearnInputError(f"`horizon` must be a positive integer; got {horizon!r}.")
    return int(horizon)


def _terminal(values: ArrayLike | None, n_states: int) -> NDArray[np.float64]:
    if values is None:
        return np.zeros(n_states)
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (n_states,) or not np.all(np.isfinite(array)):
        raise ValueLearnInputError(
            f"`terminal_values` must be a finite array of shape ({n_states},); got shape "
            f"{array.shape}."
        )
    return array


@dataclass(frozen=True)
class RiskSensitive(HumanModel):
    """A person with exponential utility over outcomes, soft (Boltzmann) over actions.

    Plans with :func:`risk_sensitive_value_iteration`; ``alpha < 0`` avoids gambles whose mean
    is good but whose bad outcome is bad (the risk-averse demonstrator of the benchmark).

    Parameters
    ----------
    alpha : float
        Risk parameter (``< 0`` averse, ``> 0`` seeking, ``0`` neutral = :class:`SoftOptimal`).
    temperature : float > 0
    name : str

    References
    ----------
    Howard & Matheson (1972); Majumdar et al. (2017), see :func:`risk_sensitive_value_iteration`.

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((3, 2, 3)); T[0, 0, 0] = 1.0; T[0, 1, 1:] = 0.5; T[1:, :, 0] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0, 0.0])
    >>> averse, seeking = RiskSensitive(alpha=-2.0), RiskSensitive(alpha=2.0)
    >>> p = [m.policy(mdp, [0.0, 2.0, -2.0], horizon=2, discount=1.0)[0, 0, 1]
    ...      for m in (averse, seeking)]
    >>> bool(p[0] < 0.5 < p[1])
    True
    """

    alpha: float
    temperature: float = 1.0
    name: str = field(default="risk-sensitive", kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "alpha", _check_alpha(self.alpha, "RiskSensitive"))
        object.__setattr__(
            self, "temperature", check_positive(self.temperature, "temperature", "RiskSensitive")
        )
        check_name(self.name, "RiskSensitive")

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float
    ) -> NDArray[np.float64]:
        """Risk-sensitive soft policy, shape (horizon, n_states, n_actions)."""
        return risk_sensitive_value_iteration(
            mdp,
            reward,
            horizon=horizon,
            discount=discount,
            alpha=self.alpha,
            temperature=self.temperature,
        ).policy
