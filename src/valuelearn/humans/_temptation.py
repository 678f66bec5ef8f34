"""Temptation: a pull that moves behaviour but is not a value.

The person acts soft-optimally on ``reward + weight * bonus``, where ``bonus`` marks tempting
states (a candy cell, a phone within reach). The person's values are ``reward`` alone; a learner
that takes the behaviour at face value learns the bonus as if it were valued.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel
from valuelearn.humans._rational import check_name, check_positive
from valuelearn.policy import expected_reward, soft_value_iteration


def tempted_reward(
    mdp: MDP, reward: ArrayLike, *, bonus: int | ArrayLike, weight: float
) -> NDArray[np.float64]:
    """The reward a tempted person acts on: ``r(s, a) + weight * bonus(s)``.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
        The person's true values.
    bonus : int or array of shape (n_states,)
        The temptation of each state, received like a state reward (in the state where an action
        is taken); an int selects that column of ``mdp.features``.
    weight : float
        Strength of the pull (0: no temptation).

    Returns
    -------
    array, shape (n_states, n_actions)
        Expected acting reward (``expected_reward(mdp, reward)`` plus the bonus).

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 1, 2)); T[:, 0, 1] = 1.0
    >>> mdp = MDP.from_dense(T, features=[[0.0], [1.0]])
    >>> tempted_reward(mdp, [1.0, 0.0], bonus=0, weight=2.0).tolist()
    [[1.0], [2.0]]
    """
    values = bonus_vector(mdp, bonus)
    if isinstance(weight, bool) or not isinstance(weight, int | float | np.integer | np.floating):
        raise ValueLearnInputError(f"`weight` must be a finite number; got {weight!r} instead.")
    if not np.isfinite(weight):
        raise ValueLearnInputError(f"`weight` must be a finite number; got {weight!r} instead.")
    acting: NDArray[np.float64] = expected_reward(mdp, reward) + float(weight) * values[:, None]
    return acting


def bonus_vector(mdp: MDP, bonus: int | ArrayLike) -> NDArray[np.float64]:
    """Resolve ``bonus`` (a feature index or a per-state array) to shape (n_states,)."""
    if isinstance(bonus, int | np.integer) and not isinstance(bonus, bool):
        n_features = mdp.n_features
        if mdp.features is None or n_features is None or not 0 <= bonus < n_features:
            raise ValueLearnInputError(
                f"`bonus` feature index {bonus} is out of range; the MDP has "
                f"{n_features or 0} features."
            )
        column: NDArray[np.float64] = mdp.features[:, int(bonus)]
        return column
    values = np.asarray(bonus, dtype=np.float64)
    if values.shape != (mdp.n_states,) or not np.all(np.isfinite(values)):
        raise ValueLearnInputError(
            f"`bonus` must be a feature index or a finite array of shape ({mdp.n_states},); got "
            f"shape {values.shape}."
        )
    return values


@dataclass(frozen=True)
class Temptation(HumanModel):
    """A soft-optimal person pulled by a short-term bonus that is not among their values.

    The policy is the soft-optimal policy of :func:`tempted_reward`; the ``reward`` passed to
    :meth:`policy`, :meth:`simulate` and :meth:`log_likelihood` is the person's *values*, without
    the bonus. ``weight=0`` is :class:`~valuelearn.humans.SoftOptimal`.

    Parameters
    ----------
    bonus : int or sequence of float
        A column of the MDP's features, or one number per state. Stored as an int or a tuple so
        the model stays hashable.
    weight : float
        Strength of the pull.
    temperature : float > 0
    name : str

    References
    ----------
    Evans, Stuhlmüller & Goodman (2016), "Learning the preferences of ignorant, inconsistent
    agents", AAAI (the tempting Donut shop); the confounders of valuelearn issue 3.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> candy = Temptation(bonus=[0.0, 3.0], weight=1.0)
    >>> pi = candy.policy(mdp, [1.0, 0.0], horizon=3, discount=1.0)
    >>> bool(pi[0, 0, 1] > 0.5)  # walks to the candy although it values state 0 more
    True
    """

    bonus: int | Sequence[float]
    weight: float
    temperature: float = 1.0
    name: str = field(default="temptation", kw_only=True)

    def __post_init__(self) -> None:
        bonus = self.bonus
        if isinstance(bonus, int | np.integer) and not isinstance(bonus, bool):
            if bonus < 0:
                raise ValueLearnInputError(
                    "The 'bonus' parameter of Temptation must be a feature index >= 0 or one "
                    f"number per state; got {bonus!r} instead."
                )
            object.__setattr__(self, "bonus", int(bonus))
        else:
            values = np.asarray(bonus, dtype=np.float64)
            if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
                raise ValueLearnInputError(
                    "The 'bonus' parameter of Temptation must be a feature index or a flat, "
                    f"finite array with one number per state; got shape {values.shape} instead."
                )
            object.__setattr__(self, "bonus", tuple(values.tolist()))
        weight = self.weight
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float | np.integer | np.floating)
            or not np.isfinite(weight)
        ):
            raise ValueLearnInputError(
                f"The 'weight' parameter of Temptation must be a finite number; got {weight!r} "
                "instead."
            )
        object.__setattr__(self, "weight", float(weight))
        object.__setattr__(
            self, "temperature", check_positive(self.temperature, "temperature", "Temptation")
        )
        check_name(self.name, "Temptation")

    def acting_reward(self, mdp: MDP, reward: ArrayLike) -> NDArray[np.float64]:
        """Reward the person acts on, shape (n_states, n_actions); see :func:`tempted_reward`."""
        return tempted_reward(mdp, reward, bonus=self.bonus, weight=self.weight)

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int | None, discount: float
    ) -> NDArray[np.float64]:
        """Soft-optimal policy of the tempted reward, shape (horizon, n_states, n_actions)."""
        return soft_value_iteration(
            mdp,
            self.acting_reward(mdp, reward),
            horizon=horizon,
            discount=discount,
            temperature=self.temperature,
            return_q=False,
        ).policy
