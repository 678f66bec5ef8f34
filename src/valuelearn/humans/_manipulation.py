"""Manipulation: values switched after an observable event (a confounder, not a value)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike
from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel, trajectory_log_likelihood
from valuelearn.humans._context import check_person, plan_person, state_array
from valuelearn.policy import sample_trajectories


@dataclass(frozen=True, eq=False)
class Manipulated(HumanModel):
    """A person whose values are switched once they reach an observable event.

    Before any of the ``event_states`` has been visited the person plans on their own values
    ``R``, not anticipating the switch; from the step at which the trajectory first enters an event
    state (that step's action included) they plan on ``switched_reward``. The behaviour depends on
    an "event happened" bit, which :meth:`simulate` and :meth:`log_likelihood` track along each
    trajectory (the bit is a function of the states seen so far, so it is observable).

    Parameters
    ----------
    event_states : set of int
        States whose visit triggers the switch.
    switched_reward : array, shape (n_states,)
        The values the person acts on after the event.
    temperature : float > 0
        Temperature of the soft-optimal planner (ignored when ``base`` is given).
    base : HumanModel, optional
        The person's planner; default soft-optimal at ``temperature``.

    Notes
    -----
    :meth:`policy` returns the behaviour before the event (the person's own values);
    :meth:`event_policies` returns both halves and :func:`event_augmented_mdp` the world with the
    bit in the state, in which the behaviour is Markov.

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> person = Manipulated(event_states={1}, switched_reward=[5.0, 0.0])
    >>> demos = person.simulate(mdp, [0.0, 1.0], n=200, horizon=3, discount=1.0, rng=0)
    >>> bool(np.mean([t.states[-1] == 1 for t in demos]) < 0.5)
    True
    """

    event_states: frozenset[int]
    switched_reward: ArrayLike
    temperature: float = 1.0
    base: HumanModel | None = None
    name: str = field(default="manipulated", init=False, repr=False)

    def __post_init__(self) -> None:
        owner = "Manipulated"
        try:
            events = frozenset(int(s) for s in self.event_states)
            valid = all(
                not isinstance(s, bool) and float(s) == int(s) and int(s) >= 0
                for s in self.event_states
            )
        except (TypeError, ValueError):
            valid, events = False, frozenset()
        if not valid or not events:
            raise ValueLearnInputError(
                f"The 'event_states' parameter of {owner} must be a non-empty set of state "
                f"indices; got {self.event_states!r} instead."
            )
        object.__setattr__(self, "event_states", events)
        switched = state_array(self.switched_reward, owner, "switched_reward")
        object.__setattr__(self, "switched_reward", switched)
        check_person(owner, self.temperature, self.base)

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float
    ) -> NDArray[np.float64]:
        """Behaviour before the event, ``pi[t, s, a]`` (shape (horizon, n_states, n_actions))."""
        return plan_person(
            self.base, self.temperature, mdp, reward, horizon=horizon, discount=discount
        )

    def event_policies(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float
    ) -> NDArray[np.float64]:
        """Behaviour without and with the switch, shape (horizon, 2, n_states, n_actions)."""
        self._check_events(mdp)
        before = self.policy(mdp, reward, horizon=horizon, discount=discount)
        switched = np.asarray(self.switched_reward, dtype=np.float64)
        after = plan_person(
            self.base, self.temperature, mdp, switched, horizon=horizon, discount=discount
        )
        return np.stack([before, after], axis=1)

    def _check_events(self, mdp: MDP) -> None:
        largest = max(self.event_states)
        if largest >= mdp.n_states:
            raise ValueLearnInputError(
                f"Manipulated.event_states holds state {largest}, but the MDP has {mdp.n_states} "
                "states."
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
        """``n`` trajectories of the true world; the switch happens inside each trajectory."""
        policies = self.event_policies(mdp, reward, horizon=horizon, discount=discount)
        augmented = event_augmented_mdp(mdp, self.event_states)
        behaviour = policies.reshape(horizon, 2 * mdp.n_states, mdp.n_actions)
        sampled = sample_trajectories(augmented, behaviour, n=n, rng=rng)
        states, actions = sampled.as_arrays()
        return Demonstrations.from_arrays(states % mdp.n_states, actions)

    def log_likelihood(
        self,
        mdp: MDP,
        reward: ArrayLike,
        demonstrations: Demonstrations,
        *,
        horizon: int,
        discount: float,
    ) -> float:
        """``sum_i sum_t log pi_t(a_t | s_t, event bit_t)``, the bit tracked per trajectory."""
        policies = self.event_policies(mdp, reward, horizon=horizon, discount=discount)
        behaviour = policies.reshape(horizon, 2 * mdp.n_states, mdp.n_actions)
        events = np.zeros(mdp.n_states, dtype=bool)
        events[list(self.event_states)] = True
        lifted = []
        for trajectory in demonstrations:
            if trajectory.states.max() >= mdp.n_states:
                raise ValueLearnInputError(
                    f"a demonstration visits state {trajectory.states.max()}, but the MDP has "
                    f"{mdp.n_states} states."
                )
            happened = np.logical_or.accumulate(events[trajectory.states])
            lifted.append(
                Trajectory(happened * mdp.n_states + trajectory.states, trajectory.actions)
            )
        return trajectory_log_likelihood(behaviour, Demonstrations(lifted))


def event_augmented_mdp(mdp: MDP, event_states: frozenset[int] | set[int]) -> MDP:
    """The world with an "event happened" bit: state ``e * n_states + s``.

    The bit is 1 from the first visit to an event state on (it is set on arrival, so the action
    taken in the event state already sees it) and never resets.

    Parameters
    ----------
    mdp : MDP
    event_states : set of int

    Returns
    -------
    MDP
        ``2 * n_states`` states, the same actions; features and names are not carried over.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 1, 2)); T[:, 0, 1] = 1.0
    >>> lifted = event_augmented_mdp(MDP.from_dense(T, initial=[1.0, 0.0]), {1})
    >>> lifted.n_states, lifted.dense_transitions()[0, 0].tolist()
    (4, [0.0, 0.0, 0.0, 1.0])
    """
    n_states = mdp.n_states
    events = np.zeros(n_states, dtype=bool)
    events[list(event_states)] = True
    matrix = mdp.transitions.tocoo()
    rows = np.concatenate([matrix.row, matrix.row + n_states * mdp.n_actions])
    columns = np.concatenate([matrix.col + n_states * events[matrix.col], matrix.col + n_states])
    data = np.concatenate([matrix.data, matrix.data])
    transitions = sp.csr_array(
        (data, (rows, columns)), shape=(2 * n_states * mdp.n_actions, 2 * n_states)
    )
    initial = np.concatenate([mdp.initial * ~events, mdp.initial * events])
    return MDP(transitions, n_actions=mdp.n_actions, initial=initial)
