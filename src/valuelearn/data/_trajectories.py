"""Demonstrations: sequences of states and actions, with optional annotations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.exceptions import ValueLearnInputError


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One demonstration: ``states`` has one more entry than ``actions``.

    ``states[t]`` is the state in which ``actions[t]`` was taken; ``states[-1]`` is where the last
    action led.

    Parameters
    ----------
    states : array of int, shape (length + 1,)
    actions : array of int, shape (length,)
    demonstrator, context : str, optional
    time : float, optional
        When the demonstration was recorded (any monotone clock).

    Raises
    ------
    ValueLearnInputError
        If the arrays are empty, ragged, or hold non-integers or negative numbers.
    """

    states: NDArray[np.int64]
    actions: NDArray[np.int64]
    demonstrator: str | None = None
    context: str | None = None
    time: float | None = None

    def __post_init__(self) -> None:
        states = _index_array(self.states, "states")
        actions = _index_array(self.actions, "actions")
        if actions.size == 0:
            raise ValueLearnInputError(
                "a trajectory needs at least one action; `actions` is empty."
            )
        if states.size != actions.size + 1:
            raise ValueLearnInputError(
                f"`states` must have one more entry than `actions`; got {states.size} states and "
                f"{actions.size} actions."
            )
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "actions", actions)

    def __len__(self) -> int:
        """Number of actions."""
        return int(self.actions.size)


def _index_array(values: ArrayLike, name: str) -> NDArray[np.int64]:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueLearnInputError(f"`{name}` must be a flat list of integers.")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
            raise ValueLearnInputError(f"`{name}` must hold integers; got {array.dtype} values.")
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise ValueLearnInputError(f"`{name}` must hold integers; got non-integer values.")
    result = array.astype(np.int64)
    if result.size and result.min() < 0:
        raise ValueLearnInputError(f"`{name}` must be non-negative; got {result.min()}.")
    result.setflags(write=False)
    return result


class Demonstrations(Sequence[Trajectory]):
    """An immutable collection of :class:`Trajectory` objects with vectorised views.

    Examples
    --------
    >>> demos = Demonstrations([Trajectory([0, 1, 1], [1, 0])])
    >>> len(demos), demos.lengths.tolist()
    (1, [2])
    """

    def __init__(self, trajectories: Iterable[Trajectory]) -> None:
        self._trajectories = tuple(trajectories)
        for index, trajectory in enumerate(self._trajectories):
            if not isinstance(trajectory, Trajectory):
                raise ValueLearnInputError(
                    f"demonstration {index} must be a Trajectory; got {type(trajectory).__name__}."
                )

    @classmethod
    def from_arrays(cls, states: ArrayLike, actions: ArrayLike) -> Demonstrations:
        """Build from equal-length arrays ``states (n, L + 1)`` and ``actions (n, L)``."""
        states_array = np.asarray(states)
        actions_array = np.asarray(actions)
        if states_array.ndim != 2 or actions_array.ndim != 2:
            raise ValueLearnInputError("`states` and `actions` must be 2-D arrays (n, length).")
        return cls(Trajectory(s, a) for s, a in zip(states_array, actions_array, strict=True))

    def __len__(self) -> int:
        return len(self._trajectories)

    def __iter__(self) -> Iterator[Trajectory]:
        return iter(self._trajectories)

    def __getitem__(self, index: int) -> Trajectory:  # type: ignore[override]
        return self._trajectories[index]

    def __repr__(self) -> str:
        return f"Demonstrations(n={len(self)}, lengths={sorted(set(self.lengths.tolist()))})"

    @property
    def lengths(self) -> NDArray[np.int64]:
        """Number of actions in each trajectory."""
        return np.fromiter(
            (len(t) for t in self._trajectories), dtype=np.int64, count=len(self._trajectories)
        )

    def as_arrays(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Return ``(states (n, L + 1), actions (n, L))``; all trajectories must share ``L``."""
        lengths = self.lengths
        if lengths.size == 0:
            raise ValueLearnInputError("there are no demonstrations.")
        if np.any(lengths != lengths[0]):
            raise ValueLearnInputError(
                f"trajectories have different lengths ({lengths.min()} to {lengths.max()} actions)."
            )
        return (
            np.stack([t.states for t in self._trajectories]),
            np.stack([t.actions for t in self._trajectories]),
        )

    def check_against(self, n_states: int, n_actions: int, source: str = "demonstrations") -> None:
        """Raise if any state or action index is out of range for the MDP."""
        if len(self) == 0:
            raise ValueLearnInputError(f"{source}: there are no demonstrations.")
        for index, trajectory in enumerate(self._trajectories):
            if trajectory.states.max() >= n_states:
                raise ValueLearnInputError(
                    f"{source}: trajectory {index} visits state {trajectory.states.max()}, but "
                    f"the MDP has {n_states} states (0..{n_states - 1})."
                )
            if trajectory.actions.max() >= n_actions:
                raise ValueLearnInputError(
                    f"{source}: trajectory {index} takes action {trajectory.actions.max()}, but "
                    f"the MDP has {n_actions} actions (0..{n_actions - 1})."
                )

    def discounted_state_counts(self, n_states: int, discount: float) -> NDArray[np.float64]:
        """Mean over trajectories of ``sum_t discount**t * 1[s_t = s]`` for decision steps.

        Only the states in which an action was taken count (``states[:-1]``), matching the
        occupancy convention of :func:`valuelearn.policy.occupancy`.

        Returns
        -------
        array, shape (n_states,)
        """
        counts = np.zeros(n_states)
        for trajectory in self._trajectories:
            weights = discount ** np.arange(len(trajectory), dtype=np.float64)
            np.add.at(counts, trajectory.states[:-1], weights)
        return counts / max(len(self), 1)

    def initial_distribution(self, n_states: int) -> NDArray[np.float64]:
        """Empirical distribution of the first states."""
        starts = np.fromiter((t.states[0] for t in self._trajectories), dtype=np.int64)
        return np.bincount(starts, minlength=n_states) / max(len(self), 1)


def action_counts(
    demonstrations: Demonstrations, n_states: int, n_actions: int
) -> NDArray[np.float64]:
    """``c(s, a)``: how often each action was taken in each state, over all steps of all demos.

    Examples
    --------
    >>> action_counts(Demonstrations([Trajectory([0, 1, 1], [1, 0])]), 2, 2).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    counts = np.zeros((n_states, n_actions))
    for trajectory in demonstrations:
        np.add.at(counts, (trajectory.states[:-1], trajectory.actions), 1.0)
    return counts
