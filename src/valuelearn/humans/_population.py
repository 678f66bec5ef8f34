"""A population: people who share a value component and differ individually."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel, trajectory_log_likelihood
from valuelearn.humans._context import check_person, plan_person
from valuelearn.policy import sample_trajectories


@dataclass(frozen=True, eq=False)
class Population(HumanModel):
    """``n_people`` people with values ``w_i = w_shared + individual_scale * eps_i``.

    The ``reward`` passed to the methods is the shared component, a state reward ``R`` (for a
    linear reward, ``features @ w_shared``). Person ``i`` acts on
    ``R_i = R + individual_scale * features @ eps_i`` with ``eps_i ~ N(0, I_d)`` over the MDP's
    ``d`` features (one-hot state features, ``d = n_states``, when the MDP has none). The ``eps_i``
    are drawn once from ``seed``, so a population is a fixed set of people and its likelihood is
    deterministic. People are named ``"person-0"`` .. ``"person-{n_people - 1}"``.

    Parameters
    ----------
    individual_scale : float >= 0
        Spread of individual values around the shared ones (0: everyone is the same).
    n_people : int >= 1
    seed : int
        Seed of the individual components.
    temperature : float > 0
        Temperature of the soft-optimal planner (ignored when ``base`` is given).
    base : HumanModel, optional
        Every person's planner; default soft-optimal at ``temperature``.

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0], features=[[1.0], [0.0]])
    >>> people = Population(individual_scale=0.5, n_people=3, seed=0)
    >>> people.individual_rewards(mdp, [0.0, 1.0]).shape
    (3, 2)
    >>> [t.demonstrator for t in people.simulate(mdp, [0.0, 1.0], n=4, horizon=2,
    ...                                          discount=1.0, rng=0)]
    ['person-0', 'person-1', 'person-2', 'person-0']
    """

    individual_scale: float = 1.0
    n_people: int = 10
    seed: int = 0
    temperature: float = 1.0
    base: HumanModel | None = None
    name: str = field(default="population", init=False, repr=False)

    def __post_init__(self) -> None:
        owner = "Population"
        scale = self.individual_scale
        if not (isinstance(scale, int | float) and np.isfinite(scale) and scale >= 0):
            raise ValueLearnInputError(
                f"The 'individual_scale' parameter of {owner} must be a finite number >= 0; got "
                f"{scale!r} instead."
            )
        for name in ("n_people", "seed"):
            value = getattr(self, name)
            low = 1 if name == "n_people" else 0
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise ValueLearnInputError(
                    f"The '{name}' parameter of {owner} must be an integer >= {low}; got "
                    f"{value!r} instead."
                )
        check_person(owner, self.temperature, self.base)

    @property
    def people(self) -> tuple[str, ...]:
        """The demonstrator names, ``"person-0"`` .. ``"person-{n_people - 1}"``."""
        return tuple(f"person-{i}" for i in range(self.n_people))

    def offsets(self, mdp: MDP) -> NDArray[np.float64]:
        """Individual weight offsets ``individual_scale * eps_i``, shape (n_people, d)."""
        d = mdp.features.shape[1] if mdp.features is not None else mdp.n_states
        eps = as_generator(int(self.seed)).standard_normal((self.n_people, d))
        result: NDArray[np.float64] = self.individual_scale * eps
        return result

    def individual_rewards(self, mdp: MDP, reward: ArrayLike) -> NDArray[np.float64]:
        """Each person's true state reward ``R_i``, shape (n_people, n_states)."""
        shared = np.asarray(reward, dtype=np.float64)
        if shared.shape != (mdp.n_states,) or not np.all(np.isfinite(shared)):
            raise ValueLearnInputError(
                f"`reward` (the shared values) of a Population must be a finite state reward of "
                f"shape ({mdp.n_states},); got shape {shared.shape} instead."
            )
        offsets = self.offsets(mdp)
        individual = offsets if mdp.features is None else offsets @ mdp.features.T
        result: NDArray[np.float64] = shared[None, :] + individual
        return result

    def person_reward(self, mdp: MDP, reward: ArrayLike, demonstrator: str) -> NDArray[np.float64]:
        """The true state reward of one person, by name, shape (n_states,)."""
        rewards = self.individual_rewards(mdp, reward)
        row: NDArray[np.float64] = rewards[self._index(demonstrator, "`demonstrator`")]
        return row

    def _index(self, demonstrator: str | None, where: str) -> int:
        if demonstrator not in self.people:
            raise ValueLearnInputError(
                f"{where} is {demonstrator!r}; expected one of 'person-0' .. "
                f"'person-{self.n_people - 1}'."
            )
        return int(str(demonstrator).removeprefix("person-"))

    def policy(
        self,
        mdp: MDP,
        reward: ArrayLike,
        *,
        horizon: int,
        discount: float,
        demonstrator: str | None = None,
    ) -> NDArray[np.float64]:
        """Behaviour of ``demonstrator``; ``None`` gives a person with exactly the shared values."""
        acting = (
            np.asarray(reward, dtype=np.float64)
            if demonstrator is None
            else self.person_reward(mdp, reward, demonstrator)
        )
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
        """``n`` demonstrations, trajectory ``j`` by person ``j % n_people``, labelled."""
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueLearnInputError(f"`n` must be a positive integer; got {n!r}.")
        generator = as_generator(rng)
        rewards = self.individual_rewards(mdp, reward)
        owner = np.arange(n) % self.n_people
        trajectories: list[Trajectory | None] = [None] * n
        for person in range(min(n, self.n_people)):
            where = np.flatnonzero(owner == person)
            behaviour = plan_person(
                self.base,
                self.temperature,
                mdp,
                rewards[person],
                horizon=horizon,
                discount=discount,
            )
            sampled = sample_trajectories(mdp, behaviour, n=where.size, rng=generator)
            for position, trajectory in zip(where, sampled, strict=True):
                trajectories[position] = replace(trajectory, demonstrator=f"person-{person}")
        return Demonstrations(t for t in trajectories if t is not None)

    def log_likelihood(
        self,
        mdp: MDP,
        reward: ArrayLike,
        demonstrations: Demonstrations,
        *,
        horizon: int,
        discount: float,
    ) -> float:
        """``sum_i log P(trajectory_i | R_{demonstrator_i})`` given the shared values ``reward``."""
        groups: dict[int, list[Trajectory]] = {}
        for index, trajectory in enumerate(demonstrations):
            person = self._index(trajectory.demonstrator, f"demonstration {index}'s `demonstrator`")
            groups.setdefault(person, []).append(trajectory)
        rewards = self.individual_rewards(mdp, reward)
        total = 0.0
        for person, members in groups.items():
            behaviour = plan_person(
                self.base,
                self.temperature,
                mdp,
                rewards[person],
                horizon=horizon,
                discount=discount,
            )
            total += trajectory_log_likelihood(behaviour, Demonstrations(members))
        return total
