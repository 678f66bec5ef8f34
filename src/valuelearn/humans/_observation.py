"""Truncated observation: only a window of each trajectory is seen.

Design: the person acts over the whole episode exactly as the ``base`` model says; the observer
sees ``window`` consecutive decisions of each episode. A window is returned as an ordinary
:class:`~valuelearn.data.Trajectory` (``window + 1`` states, ``window`` actions) whose ``time``
field is the episode time ``t0`` of its first decision, so a learner knows where it starts. The
likelihood scores window actions with the base model's time-indexed policy at ``t0 .. t0 +
window - 1`` — conditional on the observed states, like every trajectory likelihood in valuelearn
— and, with ``include_start=True``, adds ``log P(s_{t0} = observed start)`` under the base policy's
forward pass, the part of the evidence carried by *where* the window starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel, trajectory_log_likelihood
from valuelearn.humans._rational import check_name
from valuelearn.policy import occupancy

WindowStart = Literal["first", "last", "random"]


def observation_windows(
    demonstrations: Demonstrations,
    *,
    window: int,
    start: WindowStart = "last",
    rng: RandomLike = None,
) -> Demonstrations:
    """Cut one window of ``window`` decisions out of each trajectory.

    Parameters
    ----------
    demonstrations : Demonstrations
        Full trajectories, each starting at episode time 0.
    window : int >= 1
        Decisions per window; a trajectory no longer than ``window`` is kept whole.
    start : {"first", "last", "random"}
        Where the window starts: at time 0, so that it ends with the trajectory, or uniformly at
        random among the ``len - window + 1`` positions (drawn from ``rng``).
    rng : Generator, int or None
        Used only by ``start="random"``.

    Returns
    -------
    Demonstrations
        ``time`` of each window = episode time of its first decision; ``demonstrator`` and
        ``context`` are kept.

    Examples
    --------
    >>> demos = Demonstrations([Trajectory([0, 1, 2, 3], [1, 1, 0])])
    >>> cut = observation_windows(demos, window=2, start="last")
    >>> cut[0].states.tolist(), cut[0].actions.tolist(), cut[0].time
    ([1, 2, 3], [1, 0], 1.0)
    """
    window = _check_window(window, "observation_windows")
    _check_start(start, "observation_windows")
    generator = as_generator(rng) if start == "random" else None
    windows = []
    for trajectory in demonstrations:
        length = len(trajectory)
        last = max(length - window, 0)
        if start == "first":
            t0 = 0
        elif start == "last":
            t0 = last
        else:
            t0 = int(generator.integers(last + 1)) if generator is not None else 0
        stop = min(t0 + window, length)
        windows.append(
            Trajectory(
                trajectory.states[t0 : stop + 1],
                trajectory.actions[t0:stop],
                demonstrator=trajectory.demonstrator,
                context=trajectory.context,
                time=float(t0),
            )
        )
    return Demonstrations(windows)


@dataclass(frozen=True)
class TruncatedObservation(HumanModel):
    """Wraps a human model so that only a window of each episode is observed.

    Parameters
    ----------
    base : HumanModel
        How the person acts; its observations must be trajectories of its :meth:`policy`.
    window : int >= 1
        Decisions observed per episode.
    start : {"first", "last", "random"}
        Where the window lies in the episode (see :func:`observation_windows`).
    include_start : bool
        Whether :meth:`log_likelihood` also scores the window's first state,
        ``log P(s_{t0})`` under the base policy from ``mdp.initial``.
    name : str

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import MDP
    >>> from valuelearn.humans._rational import SoftOptimal
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> model = TruncatedObservation(SoftOptimal(), window=2)
    >>> demos = model.simulate(mdp, [0.0, 1.0], n=3, horizon=6, discount=1.0, rng=0)
    >>> demos.lengths.tolist(), [t.time for t in demos]
    ([2, 2, 2], [4.0, 4.0, 4.0])
    """

    base: HumanModel
    window: int
    start: WindowStart = "last"
    include_start: bool = False
    name: str = field(default="truncated", kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.base, HumanModel):
            raise ValueLearnInputError(
                "The 'base' parameter of TruncatedObservation must be a HumanModel; got "
                f"{type(self.base).__name__} instead."
            )
        object.__setattr__(self, "window", _check_window(self.window, "TruncatedObservation"))
        _check_start(self.start, "TruncatedObservation")
        if not isinstance(self.include_start, bool):
            raise ValueLearnInputError(
                "The 'include_start' parameter of TruncatedObservation must be a bool; got "
                f"{self.include_start!r} instead."
            )
        check_name(self.name, "TruncatedObservation")

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float
    ) -> NDArray[np.float64]:
        """The base model's policy over the whole episode (observation does not change acting)."""
        return self.base.policy(mdp, reward, horizon=horizon, discount=discount)

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
        """Simulate ``n`` full episodes with the base model and return one window of each."""
        generator = as_generator(rng)
        episodes = self.base.simulate(
            mdp, reward, n=n, horizon=horizon, discount=discount, rng=generator
        )
        return observation_windows(episodes, window=self.window, start=self.start, rng=generator)

    def log_likelihood(
        self,
        mdp: MDP,
        reward: ArrayLike,
        demonstrations: Demonstrations,
        *,
        horizon: int,
        discount: float,
    ) -> float:
        """``sum_i sum_k log pi_{t0_i + k}(a_k | s_k)`` (+ ``log P(s_{t0_i})`` if asked).

        ``t0_i`` is each window's ``time`` (0 when absent).

        Raises
        ------
        ValueLearnInputError
            If a window's ``time`` is not a non-negative integer or it runs past ``horizon``.
        """
        behaviour = self.base.policy(mdp, reward, horizon=horizon, discount=discount)
        if behaviour.ndim == 2:  # a stationary policy acts the same at every step
            behaviour = np.broadcast_to(behaviour, (horizon, *behaviour.shape))
        offsets = [_offset(trajectory, horizon) for trajectory in demonstrations]
        total = 0.0
        for trajectory, t0 in zip(demonstrations, offsets, strict=True):
            shifted = behaviour[t0 : t0 + len(trajectory)]
            total += trajectory_log_likelihood(shifted, Demonstrations([trajectory]))
        if self.include_start:
            per_step = occupancy(mdp, behaviour, horizon=horizon, discount=discount).per_step
            if per_step is None:  # pragma: no cover - a finite horizon always has per-step mass
                raise RuntimeError("occupancy returned no per-step distribution.")
            starts = np.array([trajectory.states[0] for trajectory in demonstrations])
            with np.errstate(divide="ignore"):
                total += float(np.sum(np.log(per_step[np.array(offsets), starts])))
        return total


def _offset(trajectory: Trajectory, horizon: int) -> int:
    time = 0.0 if trajectory.time is None else trajectory.time
    if not float(time).is_integer() or time < 0:
        raise ValueLearnInputError(
            f"a window's `time` must be a non-negative integer episode step; got {time!r}."
        )
    t0 = int(time)
    if t0 + len(trajectory) > horizon:
        raise ValueLearnInputError(
            f"a window starts at time {t0} with {len(trajectory)} actions, which runs past the "
            f"horizon {horizon}."
        )
    return t0


def _check_window(window: object, owner: str) -> int:
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise ValueLearnInputError(
            f"The 'window' parameter of {owner} must be a positive integer; got {window!r} instead."
        )
    return int(window)


def _check_start(start: object, owner: str) -> None:
    if start not in ("first", "last", "random"):
        raise ValueLearnInputError(
            f"The 'start' parameter of {owner} must be 'first', 'last' or 'random'; got "
            f"{start!r} instead."
        )
