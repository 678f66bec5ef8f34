"""The human-model interface: one object both simulates a person and scores their behaviour.

A human model maps true values (a reward) in a world (an MDP) to a behaviour policy. The same
policy generates demonstrations (:meth:`HumanModel.simulate`) and gives the likelihood inference
uses (:meth:`HumanModel.log_likelihood`), so a learner that assumes the wrong model can be shown to
fail, and the right model to mend it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike
from valuelearn.data import MDP, Demonstrations
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import sample_trajectories


class HumanModel(ABC):
    """How a person's values become behaviour in a world.

    Subclasses implement :meth:`policy`; simulation and likelihood follow from it. Models whose
    observations are not plain trajectories of the true world (a truncated window, an augmented
    state) override :meth:`simulate` and :meth:`log_likelihood` too.
    """

    #: Short name used in benchmark tables.
    name: str = "human"

    @abstractmethod
    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float
    ) -> NDArray[np.float64]:
        """Behaviour policy ``pi[t, s, a]`` (shape (horizon, n_states, n_actions)) in ``mdp``."""

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
        """Sample ``n`` demonstrations of ``horizon`` actions in the true world ``mdp``."""
        behaviour = self.policy(mdp, reward, horizon=horizon, discount=discount)
        return sample_trajectories(mdp, behaviour, n=n, rng=rng)

    def log_likelihood(
        self,
        mdp: MDP,
        reward: ArrayLike,
        demonstrations: Demonstrations,
        *,
        horizon: int,
        discount: float,
    ) -> float:
        """Total ``sum_i sum_t log pi_t(a_t | s_t)`` of ``demonstrations`` under this model."""
        behaviour = self.policy(mdp, reward, horizon=horizon, discount=discount)
        return trajectory_log_likelihood(behaviour, demonstrations)


def trajectory_log_likelihood(policy: NDArray[np.float64], demonstrations: Demonstrations) -> float:
    """``sum_i sum_t log policy[t, s_t, a_t]`` over all demonstrations (``-inf`` if impossible).

    Raises
    ------
    ValueLearnInputError
        If a trajectory is longer than the policy's horizon.
    """
    total = 0.0
    with np.errstate(divide="ignore"):
        for trajectory in demonstrations:
            steps = np.arange(len(trajectory))
            if policy.ndim == 3 and len(trajectory) > policy.shape[0]:
                raise ValueLearnInputError(
                    f"a trajectory has {len(trajectory)} actions but the policy covers only "
                    f"{policy.shape[0]} steps."
                )
            probs = (
                policy[steps, trajectory.states[:-1], trajectory.actions]
                if policy.ndim == 3
                else policy[trajectory.states[:-1], trajectory.actions]
            )
            total += float(np.sum(np.log(probs)))
    return total
