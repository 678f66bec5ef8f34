"""Values that drift over time: each demonstration is made by the person as they were then."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel, trajectory_log_likelihood
from valuelearn.humans._context import check_person, plan_person, state_array
from valuelearn.policy import sample_trajectories


@dataclass(frozen=True, eq=False)
class DriftingValues(HumanModel):
    """A person whose values move in a straight line from ``start_reward`` to their current values.

    At time ``tau`` in ``[0, 1]`` the person acts on ``R(tau) = (1 - tau) R_0 + tau R_1``, where
    ``R_0 = start_reward`` and ``R_1`` is the ``reward`` passed to :meth:`policy`,
    :meth:`simulate` and :meth:`log_likelihood`: the person's values *now* (``tau = 1``), the ones
    a learner should recover. A straight line (rather than a random walk) keeps the truth at
    every time known in closed form, so a time-aware learner can be scored at any ``tau``.

    Parameters
    ----------
    start_reward : array, shape (n_states,)
        Values at ``tau = 0``.
    n_periods : int >= 1
        :meth:`simulate` spreads the demonstrations evenly over ``n_periods`` times
        ``linspace(0, 1, n_periods)`` (``[1.0]`` when 1), in time order; each demonstration's
        ``time`` field records its ``tau``.
    temperature : float > 0
        Temperature of the soft-optimal planner (ignored when ``base`` is given).
    base : HumanModel, optional
        The person's planner; default soft-optimal at ``temperature``.

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> person = DriftingValues(start_reward=[1.0, 0.0], n_periods=3)
    >>> demos = person.simulate(mdp, [0.0, 1.0], n=6, horizon=2, discount=1.0, rng=0)
    >>> [t.time for t in demos]
    [0.0, 0.0, 0.5, 0.5, 1.0, 1.0]
    >>> person.reward_at([0.0, 1.0], 0.25).tolist()
    [0.75, 0.25]
    """

    start_reward: ArrayLike
    n_periods: int = 5
    temperature: float = 1.0
    base: HumanModel | None = None
    name: str = field(default="drifting-values", init=False, repr=False)

    def __post_init__(self) -> None:
        owner = "DriftingValues"
        object.__setattr__(
            self, "start_reward", state_array(self.start_reward, owner, "start_reward")
        )
        periods = self.n_periods
        if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 1:
            raise ValueLearnInputError(
                f"The 'n_periods' parameter of {owner} must be a positive integer; got "
                f"{periods!r} instead."
            )
        check_person(owner, self.temperature, self.base)

    @property
    def times(self) -> NDArray[np.float64]:
        """The times at which :meth:`simulate` observes the person, shape (n_periods,)."""
        if self.n_periods == 1:
            return np.ones(1)
        return np.linspace(0.0, 1.0, self.n_periods)

    def reward_at(self, reward: ArrayLike, time: float) -> NDArray[np.float64]:
        """``R(time) = (1 - time) * start_reward + time * reward``, shape (n_states,)."""
        current = np.asarray(reward, dtype=np.float64)
        start = np.asarray(self.start_reward, dtype=np.float64)
        if current.shape != start.shape:
            raise ValueLearnInputError(
                f"`reward` must have the shape of DriftingValues.start_reward {start.shape}; got "
                f"{current.shape} instead."
            )
        if not (isinstance(time, int | float) and 0.0 <= time <= 1.0):
            raise ValueLearnInputError(f"`time` must be a number in [0, 1]; got {time!r} instead.")
        result: NDArray[np.float64] = (1.0 - time) * start + time * current
        return result

    def policy(
        self,
        mdp: MDP,
        reward: ArrayLike,
        *,
        horizon: int,
        discount: float,
        time: float = 1.0,
    ) -> NDArray[np.float64]:
        """Behaviour ``pi[t, s, a]`` of the person at ``time`` (default: now, ``time = 1``)."""
        acting = self.reward_at(reward, time)
        return plan_person(
            self.base, self.temperature, mdp, acting, horizon=horizon, discount=discount
        )

    def simulate(
        self,
        mdp: MDP,
        reward: ArrayLike,
        *,
        n: int,
        horizon: int,
        discount: float,
        rng: RandomLike,
    ) -> Demonstrations:
        """``n`` demonstrations in time order, ``time`` set, spread evenly over the periods."""
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueLearnInputError(f"`n` must be a positive integer; got {n!r}.")
        generator = as_generator(rng)
        period = (np.arange(n) * self.n_periods) // n
        trajectories: list[Trajectory] = []
        for index, time in enumerate(self.times.tolist()):
            count = int(np.sum(period == index))
            if count == 0:
                continue
            behaviour = self.policy(mdp, reward, horizon=horizon, discount=discount, time=time)
            sampled = sample_trajectories(mdp, behaviour, n=count, rng=generator)
            trajectories.extend(replace(t, time=time) for t in sampled)
        return Demonstrations(trajectories)

    def log_likelihood(
        self,
        mdp: MDP,
        reward: ArrayLike,
        demonstrations: Demonstrations,
        *,
        horizon: int,
        discount: float,
    ) -> float:
        """``sum_i log P(trajectory_i | R(time_i))``; every trajectory needs a time in [0, 1]."""
        groups: dict[float, list[Trajectory]] = {}
        for index, trajectory in enumerate(demonstrations):
            time = trajectory.time
            if time is None or not 0.0 <= time <= 1.0:
                raise ValueLearnInputError(
                    f"demonstration {index} has time {time!r}; DriftingValues needs every "
                    "demonstration's `time` in [0, 1]."
                )
            groups.setdefault(float(time), []).append(trajectory)
        total = 0.0
        for time, members in groups.items():
            behaviour = self.policy(mdp, reward, horizon=horizon, discount=discount, time=time)
            total += trajectory_log_likelihood(behaviour, Demonstrations(members))
        return total
