"""Confounders that move behaviour but are not values: social norms and manipulation.

Both models wrap a planner for the person (by default soft-optimal, maximum causal entropy, at a
temperature; any :class:`HumanModel` can be given as ``base``) and change what it plans on:

* :class:`SocialNorms`: in context ``c`` the person acts on ``R + weight * norm_rewards[c]``; the
  values ``R`` are the same in every context, the norms are not values.
* :class:`Manipulated`: once a trajectory has visited one of the ``event_states`` the person acts
  on ``switched_reward`` instead of their own values, without having anticipated the switch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel, trajectory_log_likelihood
from valuelearn.policy import expected_reward, sample_trajectories, soft_value_iteration


# ---------------------------------------------------------------------- shared helpers
def plan_person(
    base: HumanModel | None,
    temperature: float,
    mdp: MDP,
    reward: ArrayLike,
    *,
    horizon: int,
    discount: float,
) -> NDArray[np.float64]:
    """Policy of the wrapped planner: ``base``, or soft-optimal at ``temperature`` when None."""
    if base is not None:
        return base.policy(mdp, reward, horizon=horizon, discount=discount)
    result = soft_value_iteration(
        mdp, reward, horizon=horizon, discount=discount, temperature=temperature, return_q=False
    )
    return result.policy


def check_person(owner: str, temperature: object, base: object) -> None:
    """Validate the ``temperature`` and ``base`` fields shared by the wrapping models."""
    if not (
        isinstance(temperature, int | float)
        and not isinstance(temperature, bool)
        and np.isfinite(temperature)
        and temperature > 0
    ):
        raise ValueLearnInputError(
            f"The 'temperature' parameter of {owner} must be a positive number; got "
            f"{temperature!r} instead."
        )
    if base is not None and not isinstance(base, HumanModel):
        raise ValueLearnInputError(
            f"The 'base' parameter of {owner} must be a HumanModel or None; got "
            f"{type(base).__name__} instead."
        )


def add_state_term(mdp: MDP, reward: ArrayLike, term: NDArray[np.float64]) -> NDArray[np.float64]:
    """``reward + term`` for a state term ``term`` (shape (n_states,)), any reward form."""
    values = np.asarray(reward, dtype=np.float64)
    if term.shape != (mdp.n_states,):
        raise ValueLearnInputError(
            f"a state reward term must have shape ({mdp.n_states},); got {term.shape} instead."
        )
    if values.shape == (mdp.n_states,):
        return values + term
    return expected_reward(mdp, values) + term[:, None]


def state_array(values: object, owner: str, name: str) -> NDArray[np.float64]:
    """A finite, read-only, one-dimensional float array (a state reward)."""
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be an array of numbers; got "
            f"{type(values).__name__} instead."
        ) from None
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be a finite state reward of shape "
            f"(n_states,); got shape {array.shape} instead."
        )
    array.setflags(write=False)
    return array


# ---------------------------------------------------------------------- social norms
@dataclass(frozen=True, eq=False)
class SocialNorms(HumanModel):
    """A person whose behaviour follows context-dependent social norms on top of their values.

    In context ``c`` the person plans on ``R + weight * norm_rewards[c]``. Each demonstration
    carries its ``context``; :meth:`simulate` draws one per trajectory and
    :meth:`log_likelihood` scores each trajectory under its own context.

    Parameters
    ----------
    norm_rewards : mapping of str to array, shape (n_states,)
        The norm in force in each context (a context with no norm maps to zeros).
    weight : float
        How strongly norms move behaviour (0: they do not).
    context_probabilities : mapping of str to float, optional
        How often :meth:`simulate` draws each context; default uniform over ``norm_rewards``.
    temperature : float > 0
        Temperature of the soft-optimal planner (ignored when ``base`` is given).
    base : HumanModel, optional
        The person's planner; default soft-optimal at ``temperature``.

    References
    ----------
    Seed document 002 (sec. 3, "acting against values"); Evans et al. (2016) on explaining
    deviations from optimality by structure rather than by values.

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> person = SocialNorms({"home": [0.0, 0.0], "church": [0.0, -3.0]}, weight=1.0)
    >>> demos = person.simulate(mdp, [0.0, 1.0], n=4, horizon=2, discount=1.0, rng=0)
    >>> sorted({t.context for t in demos})
    ['church', 'home']
    """

    norm_rewards: Mapping[str, ArrayLike]
    weight: float = 1.0
    context_probabilities: Mapping[str, float] | None = None
    temperature: float = 1.0
    base: HumanModel | None = None
    name: str = field(default="social-norms", init=False, repr=False)

    def __post_init__(self) -> None:
        owner = "SocialNorms"
        norms = self.norm_rewards
        if not isinstance(norms, Mapping) or not norms:
            raise ValueLearnInputError(
                f"The 'norm_rewards' parameter of {owner} must be a non-empty mapping from "
                f"context names to state rewards; got {norms!r} instead."
            )
        checked = {}
        for context, values in norms.items():
            if not isinstance(context, str) or not context:
                raise ValueLearnInputError(
                    f"The 'norm_rewards' parameter of {owner} must be keyed by non-empty context "
                    f"names; got the key {context!r}."
                )
            checked[context] = state_array(values, owner, f"norm_rewards['{context}']")
        shapes = {array.shape for array in checked.values()}
        if len(shapes) > 1:
            raise ValueLearnInputError(
                f"The 'norm_rewards' parameter of {owner} must hold arrays of one shape; got "
                f"shapes {sorted(shapes)}."
            )
        object.__setattr__(self, "norm_rewards", checked)
        if not (isinstance(self.weight, int | float) and np.isfinite(self.weight)):
            raise ValueLearnInputError(
                f"The 'weight' parameter of {owner} must be a finite number; got "
                f"{self.weight!r} instead."
            )
        object.__setattr__(self, "context_probabilities", self._probabilities())
        check_person(owner, self.temperature, self.base)

    def _probabilities(self) -> dict[str, float]:
        contexts = list(self.norm_rewards)
        given = self.context_probabilities
        if given is None:
            return dict.fromkeys(contexts, 1.0 / len(contexts))
        unknown = sorted(set(given) - set(contexts))
        values = np.array([given.get(c, 0.0) for c in contexts], dtype=np.float64)
        if unknown or not np.all(np.isfinite(values)) or values.min() < 0 or values.sum() <= 0:
            raise ValueLearnInputError(
                "The 'context_probabilities' parameter of SocialNorms must give non-negative "
                f"weights to contexts among {contexts}; got {dict(given)!r} instead."
            )
        return dict(zip(contexts, (values / values.sum()).tolist(), strict=True))

    @property
    def contexts(self) -> tuple[str, ...]:
        """The context names, in the order of ``norm_rewards``."""
        return tuple(self.norm_rewards)

    def acting_reward(self, mdp: MDP, reward: ArrayLike, context: str) -> NDArray[np.float64]:
        """What the person plans on in ``context``: ``reward + weight * norm_rewards[context]``."""
        if context not in self.norm_rewards:
            raise ValueLearnInputError(
                f"context {context!r} is not one of SocialNorms.norm_rewards {list(self.contexts)}."
            )
        norm = np.asarray(self.norm_rewards[context], dtype=np.float64)
        return add_state_term(mdp, reward, self.weight * norm)

    def policy(
        self,
        mdp: MDP,
        reward: ArrayLike,
        *,
        horizon: int,
        discount: float,
        context: str | None = None,
    ) -> NDArray[np.float64]:
        """Behaviour ``pi[t, s, a]`` in ``context``; ``None`` gives the norm-free behaviour."""
        acting = reward if context is None else self.acting_reward(mdp, reward, context)
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
        """``n`` demonstrations, each in a context drawn from ``context_probabilities``."""
        generator = as_generator(rng)
        probabilities = self.context_probabilities or {}
        names = list(probabilities)
        drawn = generator.choice(len(names), size=n, p=list(probabilities.values()))
        trajectories: list[Trajectory | None] = [None] * n
        for index, context in enumerate(names):
            where = np.flatnonzero(drawn == index)
            if where.size == 0:
                continue
            behaviour = self.policy(
                mdp, reward, horizon=horizon, discount=discount, context=context
            )
            sampled = sample_trajectories(mdp, behaviour, n=where.size, rng=generator)
            for position, trajectory in zip(where, sampled, strict=True):
                trajectories[position] = replace(trajectory, context=context)
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
        """``sum_i log P(trajectory_i | context_i)``; every trajectory needs a known context."""
        groups: dict[str, list[Trajectory]] = {}
        for index, trajectory in enumerate(demonstrations):
            if trajectory.context is None or trajectory.context not in self.norm_rewards:
                raise ValueLearnInputError(
                    f"demonstration {index} has context {trajectory.context!r}; SocialNorms needs "
                    f"every demonstration's `context` to be one of {list(self.contexts)}."
                )
            groups.setdefault(trajectory.context, []).append(trajectory)
        total = 0.0
        for context, members in groups.items():
            behaviour = self.policy(
                mdp, reward, horizon=horizon, discount=discount, context=context
            )
            total += trajectory_log_likelihood(behaviour, Demonstrations(members))
        return total


# ---------------------------------------------------------------------- manipulation
