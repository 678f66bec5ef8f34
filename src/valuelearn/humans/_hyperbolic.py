"""Hyperbolic (time-inconsistent) discounting: naive and sophisticated planners.

The agent runs value iteration over augmented states ``(s, d)``, where ``d`` is the delay (how many
steps ahead of "now" the agent is imagining itself); a reward ``d`` steps ahead is scaled by
``1 / (1 + k d)``, and ``d`` is capped at ``max_delay`` (the simulated demonstrators of Shah et al.
2019, ``learning_biases/agents.py``; Evans et al. 2016). The person always acts from "now", so the
behaviour in the true world at every step is the action distribution at delay 0.

Finite horizon: ``Q_t(s, d, a) = w(d) r(s, a) + discount * sum_s' P(s' | s, a) V_{t+1}(s', d+1)``
with ``w(d) = 1 / (1 + k d)``, ``d + 1`` capped at ``max_delay``, ``V_H = 0`` and ``t`` the absolute
time of the imagined step (so an agent at time ``t`` imagining delay ``d`` sees the world at
``t + d``, and the horizon binds as it does for any planner). The two kinds differ only in how a
future self is assumed to act:

* **naive**: at ``(s, d)`` the future self maximises today's delay-indexed ``Q_t(s, d, .)``
  (it wrongly believes future selves share today's preferences);
* **sophisticated**: at ``(s, d)`` the future self takes the action chosen at ``(s, 0)`` (each
  future self re-discounts from its own now), and today's self values it with its own ``w(d)``.

With ``temperature > 0`` the maximum is soft: the whole objective, reward and the entropy bonus
of maximum causal entropy alike, is discounted by ``w(d)``, so a self at delay ``d`` acts with
``softmax(Q_t(s, d, .) / (temperature w(d)))``. With ``k = 0`` both kinds therefore reduce exactly
to :func:`~valuelearn.policy.soft_value_iteration` (``temperature > 0``) or
:func:`~valuelearn.policy.value_iteration` (``temperature = 0``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, check_discount
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel
from valuelearn.policy import expected_reward

Kind = Literal["naive", "sophisticated"]


@dataclass(frozen=True, eq=False)
class HyperbolicPlan:
    """Result of :func:`hyperbolic_value_iteration`.

    Attributes
    ----------
    policy : array, shape (horizon, n_states, n_actions)
        Behaviour in the true world: the action distribution at delay 0.
    q_values : array, shape (horizon, n_states, max_delay + 1, n_actions)
        ``Q_t(s, d, a)``.
    values : array, shape (horizon, n_states, max_delay + 1)
        ``V_t(s, d)``: today's valuation of being in ``s`` ``d`` steps ahead.
    """

    policy: NDArray[np.float64]
    q_values: NDArray[np.float64]
    values: NDArray[np.float64]


def hyperbolic_value_iteration(
    mdp: MDP,
    reward: ArrayLike,
    *,
    horizon: int,
    discount: float,
    k: float,
    max_delay: int,
    kind: Kind = "naive",
    temperature: float = 0.0,
) -> HyperbolicPlan:
    """Plan like a hyperbolic discounter over augmented states ``(s, d)``.

    The recursion and the two kinds are written out in the module docstring.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    horizon : int
        Number of decisions.
    discount : float in [0, 1]
        Exponential discount applied on top of the hyperbolic one (1 in Evans et al.).
    k : float >= 0
        Hyperbolic constant: a reward ``d`` steps ahead counts ``1 / (1 + k d)``.
    max_delay : int >= 0
        Delays beyond this are treated as ``max_delay``.
    kind : {"naive", "sophisticated"}
    temperature : float >= 0
        0 for the hard (argmax) agent, ties split evenly as in
        :func:`~valuelearn.policy.value_iteration`; otherwise Boltzmann with this temperature.

    Returns
    -------
    HyperbolicPlan

    References
    ----------
    Evans, Stuhlmüller & Goodman (2016), *Learning the preferences of ignorant, inconsistent
    agents*, AAAI, sec. "Time inconsistency" (discount ``1 / (1 + k d)``, Naive vs Sophisticated).
    Shah, Gundotra, Abbeel & Dragan (2019), *On the feasibility of learning, rather than assuming,
    human biases for reward inference*, ICML (code: ``TimeDiscountingAgent``,
    ``get_mu_for_planning``).

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> plan = hyperbolic_value_iteration(
    ...     mdp, [0.0, 1.0], horizon=3, discount=1.0, k=1.0, max_delay=2)
    >>> plan.policy[0, 0].tolist(), plan.values[0, 0].round(3).tolist()
    ([0.0, 1.0], [0.833, 0.667, 0.667])
    """
    discount = check_discount(discount)
    _check_hyperbolic(k, max_delay, kind, temperature)
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueLearnInputError(f"`horizon` must be a positive integer; got {horizon!r}.")
    r = np.asarray(expected_reward(mdp, reward), dtype=np.float64)  # (S, A)
    n_states, n_actions = r.shape
    delays = np.arange(max_delay + 1)
    weight = np.asarray(1.0 / (1.0 + float(k) * delays), dtype=np.float64)  # (D+1,)
    next_delay = np.minimum(delays + 1, max_delay)
    q_values = np.empty((horizon, n_states, max_delay + 1, n_actions))
    values = np.empty((horizon, n_states, max_delay + 1))
    policy = np.empty((horizon, n_states, n_actions))
    next_values = np.zeros((n_states, max_delay + 1))
    for t in range(horizon - 1, -1, -1):
        expected = mdp.transitions @ next_values[:, next_delay]  # (S*A, D+1)
        q = discount * expected.reshape(n_states, n_actions, max_delay + 1).transpose(0, 2, 1)
        q += weight[None, :, None] * r[:, None, :]
        q_values[t] = q
        policy[t] = _choice(q[:, 0, :], temperature)
        if kind == "naive":
            values[t] = _naive_values(q, temperature * weight)
        else:
            values[t] = _sophisticated_values(q, policy[t], temperature * weight)
        next_values = values[t]
    return HyperbolicPlan(policy, q_values, values)


def _choice(q: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    """Boltzmann (or tie-splitting argmax) over the last axis of ``q``."""
    peak = q.max(axis=-1, keepdims=True)
    if temperature == 0.0:
        scale = 1e-12 * max(float(np.max(np.abs(q))), np.finfo(np.float64).tiny)
        best = (q - peak >= -scale).astype(np.float64)
        result: NDArray[np.float64] = best / best.sum(axis=-1, keepdims=True)
        return result
    weights = np.exp((q - peak) / temperature)
    soft: NDArray[np.float64] = weights / weights.sum(axis=-1, keepdims=True)
    return soft


def _naive_values(q: NDArray[np.float64], temperatures: NDArray[np.float64]) -> NDArray[np.float64]:
    """``V(s, d) = tau_d log sum_a exp(Q(s, d, a) / tau_d)`` (``max`` where ``tau_d = 0``)."""
    peak: NDArray[np.float64] = q.max(axis=-1)
    if temperatures[0] == 0.0:
        return peak
    tau = temperatures[None, :]
    total = np.exp((q - peak[..., None]) / tau[..., None]).sum(axis=-1)
    soft: NDArray[np.float64] = peak + tau * np.log(total)
    return soft


def _sophisticated_values(
    q: NDArray[np.float64], now_policy: NDArray[np.float64], temperatures: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``V(s, d) = sum_a pi_0(a | s) (Q(s, d, a) - tau_d log pi_0(a | s))``.

    ``pi_0`` is the choice the self at ``(s, 0)`` makes; the entropy term is today's discounted
    valuation of that self's randomness (zero for the hard agent).
    """
    expected = np.einsum("sa,sda->sd", now_policy, q)
    if temperatures[0] == 0.0:
        hard: NDArray[np.float64] = expected
        return hard
    with np.errstate(divide="ignore"):
        log_policy = np.where(now_policy > 0, np.log(now_policy), 0.0)
    entropy = -np.sum(now_policy * log_policy, axis=-1)  # (S,)
    soft: NDArray[np.float64] = expected + temperatures[None, :] * entropy[:, None]
    return soft


def _check_hyperbolic(k: object, max_delay: object, kind: object, temperature: object) -> None:
    if not (isinstance(k, int | float) and not isinstance(k, bool) and np.isfinite(k) and k >= 0):
        raise ValueLearnInputError(
            f"The 'k' parameter of HyperbolicDiscounting must be a finite number >= 0; got {k!r} "
            "instead."
        )
    if isinstance(max_delay, bool) or not isinstance(max_delay, int | np.integer) or max_delay < 0:
        raise ValueLearnInputError(
            "The 'max_delay' parameter of HyperbolicDiscounting must be an integer >= 0; got "
            f"{max_delay!r} instead."
        )
    if kind not in ("naive", "sophisticated"):
        raise ValueLearnInputError(
            "The 'kind' parameter of HyperbolicDiscounting must be 'naive' or 'sophisticated'; "
            f"got {kind!r} instead."
        )
    if not (
        isinstance(temperature, int | float)
        and not isinstance(temperature, bool)
        and np.isfinite(temperature)
        and temperature >= 0
    ):
        raise ValueLearnInputError(
            "The 'temperature' parameter of HyperbolicDiscounting must be a finite number >= 0; "
            f"got {temperature!r} instead."
        )


@dataclass(frozen=True)
class HyperbolicDiscounting(HumanModel):
    """A person who discounts the future hyperbolically, naively or with sophistication.

    Parameters
    ----------
    k : float >= 0
        Hyperbolic constant (``1 / (1 + k d)``); 0 is a time-consistent planner.
    max_delay : int >= 0
        Cap on the delay (10 in Shah et al. 2019).
    kind : {"naive", "sophisticated"}
    temperature : float >= 0
        Boltzmann temperature of every choice; 0 for the deterministic agent. A zero-temperature
        agent gives likelihood 0 (log ``-inf``) to any action it would not take.

    Attributes
    ----------
    name : str
        ``"naive-hyperbolic"`` or ``"sophisticated-hyperbolic"`` (derived, so
        :func:`dataclasses.replace` keeps it right).

    Notes
    -----
    :meth:`policy` is the behaviour in the true world, the delay-0 action distribution at every
    step; :meth:`~HumanModel.simulate` and :meth:`~HumanModel.log_likelihood` follow from it. The
    planning recursion is in :func:`hyperbolic_value_iteration`.

    References
    ----------
    Evans, Stuhlmüller & Goodman (2016), AAAI; Shah et al. (2019), ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> person = HyperbolicDiscounting(k=1.0, max_delay=5, temperature=1.0)
    >>> person.name, person.policy(mdp, [0.0, 1.0], horizon=2, discount=1.0).shape
    ('naive-hyperbolic', (2, 2, 2))
    """

    k: float = 1.0
    max_delay: int = 10
    kind: Kind = "naive"
    temperature: float = 1.0
    name: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_hyperbolic(self.k, self.max_delay, self.kind, self.temperature)
        object.__setattr__(self, "name", f"{self.kind}-hyperbolic")

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float
    ) -> NDArray[np.float64]:
        """Behaviour ``pi[t, s, a]`` (shape (horizon, n_states, n_actions)): delay 0 every step."""
        return self.plan(mdp, reward, horizon=horizon, discount=discount).policy

    def plan(self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float) -> HyperbolicPlan:
        """The full plan, with the delay-indexed values, from :func:`hyperbolic_value_iteration`."""
        return hyperbolic_value_iteration(
            mdp,
            reward,
            horizon=horizon,
            discount=discount,
            k=self.k,
            max_delay=self.max_delay,
            kind=self.kind,
            temperature=self.temperature,
        )
