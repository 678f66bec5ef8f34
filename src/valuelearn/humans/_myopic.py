"""A myopic person: plans only a few steps ahead, again at every step (receding horizon)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel
from valuelearn.humans._rational import check_name, check_positive
from valuelearn.humans._risk import check_finite_horizon
from valuelearn.policy import soft_value_iteration


def receding_horizon_policy(
    mdp: MDP,
    reward: ArrayLike,
    *,
    horizon: int,
    discount: float,
    planning_horizon: int,
    temperature: float = 1.0,
) -> NDArray[np.float64]:
    """Time-indexed policy of a person who looks only ``planning_horizon`` decisions ahead.

    At time ``t`` the person solves the soft-optimal problem with ``L_t = min(planning_horizon,
    horizon - t)`` decisions left (the plan is cut at the end of the episode as well) and takes
    its first-step soft policy. A ``planning_horizon``-step soft value iteration has, at its step
    ``j``, exactly ``planning_horizon - j`` decisions left, so one planning pass gives every
    ``pi_t = pi^{plan}_{planning_horizon - L_t}``. Rewards beyond the look-ahead are ignored (their
    value is 0, as for the ``MyopicAgent`` of learning_biases); ``discount`` weighs the steps inside
    the look-ahead, counted from the present.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    horizon : int
        Decisions in the episode.
    discount : float in [0, 1]
    planning_horizon : int >= 1
        Look-ahead, in decisions (1: only the immediate reward counts).
    temperature : float > 0

    Returns
    -------
    array, shape (horizon, n_states, n_actions)
        With ``planning_horizon >= horizon`` it equals the soft-optimal policy.

    References
    ----------
    Shah, Gundotra, Abbeel & Dragan (2019), ICML: the myopic demonstrator (``MyopicAgent`` in
    HumanCompatibleAI/learning_biases); Evans, Stuhlmüller & Goodman (2016), AAAI (reward-myopic
    agents with cutoff C).

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> pi = receding_horizon_policy(mdp, [0.0, 1.0], horizon=4, discount=1.0, planning_horizon=1)
    >>> pi[0, 0].tolist()  # looking one step ahead, the reward of state 1 is out of sight
    [0.5, 0.5]
    """
    horizon = check_finite_horizon(horizon)
    if (
        isinstance(planning_horizon, bool)
        or not isinstance(planning_horizon, int | np.integer)
        or planning_horizon < 1
    ):
        raise ValueLearnInputError(
            f"`planning_horizon` must be a positive integer; got {planning_horizon!r} instead."
        )
    look_ahead = min(int(planning_horizon), horizon)
    plan = soft_value_iteration(
        mdp,
        reward,
        horizon=look_ahead,
        discount=discount,
        temperature=temperature,
        return_q=False,
    ).policy
    steps_left = np.minimum(look_ahead, horizon - np.arange(horizon))
    policy: NDArray[np.float64] = np.ascontiguousarray(plan[look_ahead - steps_left])
    return policy


@dataclass(frozen=True)
class Myopic(HumanModel):
    """A soft-optimal person with a short look-ahead, replanned at every step.

    Parameters
    ----------
    planning_horizon : int >= 1
        Decisions the person looks ahead (see :func:`receding_horizon_policy`).
    temperature : float > 0
    name : str

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> Myopic(planning_horizon=2).policy(mdp, [0.0, 1.0], horizon=5, discount=1.0).shape
    (5, 2, 2)
    """

    planning_horizon: int
    temperature: float = 1.0
    name: str = field(default="myopic", kw_only=True)

    def __post_init__(self) -> None:
        value = self.planning_horizon
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueLearnInputError(
                "The 'planning_horizon' parameter of Myopic must be a positive integer; got "
                f"{value!r} instead."
            )
        object.__setattr__(self, "planning_horizon", int(value))
        object.__setattr__(
            self, "temperature", check_positive(self.temperature, "temperature", "Myopic")
        )
        check_name(self.name, "Myopic")

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float
    ) -> NDArray[np.float64]:
        """Receding-horizon soft policy, shape (horizon, n_states, n_actions)."""
        return receding_horizon_policy(
            mdp,
            reward,
            horizon=horizon,
            discount=discount,
            planning_horizon=self.planning_horizon,
            temperature=self.temperature,
        )
