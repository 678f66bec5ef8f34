"""Identifiability check: distinct (human model, reward) explanations the data cannot separate.

Armstrong & Mindermann (2018) show that behaviour alone never pins down a (planner, reward) pair:
for every compatible pair ``(p, R)`` the pair ``(-p, -R)`` with ``(-p)(R) := p(-R)`` produces the
same policy. :func:`equivalent_explanations` scores candidate pairs on the data and warns
(:class:`IdentifiabilityWarning`) when pairs that mean different things fit equally well.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, Demonstrations
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel

RewardDistance = Callable[[NDArray[np.float64], NDArray[np.float64]], float]


class IdentifiabilityWarning(UserWarning):
    """The data cannot tell apart explanations (human model, reward) that differ in meaning."""


@dataclass(frozen=True)
class NegatedPlanner(HumanModel):
    """The Armstrong–Mindermann anti-planner ``-p``: ``(-p)(R) = p(-R)``.

    Paired with ``-R`` it reproduces exactly the behaviour of ``p`` with ``R``, so the two pairs
    have equal likelihood on any data.

    Parameters
    ----------
    base : HumanModel
        The planner ``p``.

    References
    ----------
    Armstrong & Mindermann (2018), "Occam's razor is insufficient to infer the preferences of
    irrational agents", NeurIPS, section 4 (the pair (-p, -R)).

    Examples
    --------
    >>> from valuelearn.humans._rational import SoftOptimal
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> p, anti = SoftOptimal(), NegatedPlanner(SoftOptimal())
    >>> bool(np.allclose(anti.policy(mdp, [1.0, -1.0], horizon=3, discount=1.0),
    ...                  p.policy(mdp, [-1.0, 1.0], horizon=3, discount=1.0)))
    True
    """

    base: HumanModel
    name: str = field(default="negated", kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.base, HumanModel):
            raise ValueLearnInputError(
                "The 'base' parameter of NegatedPlanner must be a HumanModel; got "
                f"{type(self.base).__name__} instead."
            )

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int, discount: float
    ) -> NDArray[np.float64]:
        """``base.policy(mdp, -reward)``, shape (horizon, n_states, n_actions)."""
        negated = -np.asarray(reward, dtype=np.float64)
        return self.base.policy(mdp, negated, horizon=horizon, discount=discount)

    def log_likelihood(
        self,
        mdp: MDP,
        reward: ArrayLike,
        demonstrations: Demonstrations,
        *,
        horizon: int,
        discount: float,
    ) -> float:
        """``base.log_likelihood(mdp, -reward, ...)`` (keeps the base model's own likelihood)."""
        negated = -np.asarray(reward, dtype=np.float64)
        return self.base.log_likelihood(
            mdp, negated, demonstrations, horizon=horizon, discount=discount
        )


def negated_planner(model: HumanModel) -> HumanModel:
    """The anti-planner ``-p`` of ``model`` (see :class:`NegatedPlanner`); ``-(-p)`` is ``p``.

    Examples
    --------
    >>> from valuelearn.humans._rational import SoftOptimal
    >>> negated_planner(negated_planner(SoftOptimal())) == SoftOptimal()
    True
    """
    if isinstance(model, NegatedPlanner):
        return model.base
    return NegatedPlanner(model, name=f"-{model.name}")


def pearson_reward_distance(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """``sqrt((1 - rho) / 2)`` for the Pearson correlation ``rho`` of two state rewards.

    0 for rewards equal up to a positive affine map, 1 for ``b = -a``. A constant reward has no
    direction: it is at distance 0 from another constant and 0.5 from anything else.

    Examples
    --------
    >>> round(pearson_reward_distance(np.array([0.0, 1.0, 2.0]), np.array([2.0, 1.0, 0.0])), 6)
    1.0
    """
    x, y = a.ravel() - a.mean(), b.ravel() - b.mean()
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    if nx < 1e-12 or ny < 1e-12:
        return 0.0 if (nx < 1e-12 and ny < 1e-12) else 0.5
    rho = float(np.clip(x @ y / (nx * ny), -1.0, 1.0))
    return float(np.sqrt((1.0 - rho) / 2.0))


@dataclass(frozen=True)
class IdentifiabilityReport:
    """Result of :func:`equivalent_explanations`.

    Attributes
    ----------
    log_likelihoods : array, shape (n_candidates,)
        Total log-likelihood of the data under each (human model, reward) pair.
    reward_distances : array, shape (n_candidates, n_candidates)
    groups : tuple of tuple of int
        Sets of candidates with equal likelihood (within ``tol``) that differ in reward or model;
        each group has at least two members.
    best : int
        Index of the candidate of highest likelihood.
    """

    log_likelihoods: NDArray[np.float64]
    reward_distances: NDArray[np.float64]
    groups: tuple[tuple[int, ...], ...]
    best: int

    @property
    def identifiable(self) -> bool:
        """``True`` when no group of indistinguishable explanations was found."""
        return not self.groups


def equivalent_explanations(
    mdp: MDP,
    demonstrations: Demonstrations,
    candidates: Sequence[tuple[HumanModel, ArrayLike]],
    *,
    horizon: int,
    discount: float,
    tol: float = 1e-6,
    reward_tol: float = 1e-3,
    distance: RewardDistance | None = None,
    warn: bool = True,
) -> IdentifiabilityReport:
    """Find distinct (human model, reward) pairs the data cannot tell apart, and warn.

    Every candidate's log-likelihood is ``model.log_likelihood(mdp, reward, demonstrations)``.
    Candidates ``i`` and ``j`` are *equivalent* when ``|ll_i - ll_j| <= tol * max(1, |ll_i|)``;
    they *differ in meaning* when ``distance(R_i, R_j) > reward_tol`` or ``model_i != model_j``.
    Equivalent candidates are grouped (connected components) and every group containing a pair
    that differs in meaning is reported, with an :class:`IdentifiabilityWarning` if ``warn``.

    Parameters
    ----------
    mdp : MDP
    demonstrations : Demonstrations
    candidates : sequence of (HumanModel, array (n_states,))
    horizon : int
    discount : float
    tol : float
        Relative tolerance on equal log-likelihoods.
    reward_tol : float
        Rewards closer than this (in ``distance``) count as the same reward.
    distance : callable (reward, reward) -> float, optional
        Default :func:`pearson_reward_distance` (invariant to positive affine maps). Pass
        ``lambda a, b: valuelearn.evaluation.epic_distance(mdp, a, b, discount=...)`` to also
        treat potential-shaped rewards as equal (evaluation sits to the right of inference, so it
        is not the default).
    warn : bool

    Returns
    -------
    IdentifiabilityReport

    Raises
    ------
    ValueLearnInputError
        If fewer than two candidates are given or a reward has the wrong shape.

    References
    ----------
    Armstrong & Mindermann (2018), NeurIPS, Theorem 1 (no free lunch) and section 4 (compatible
    pairs (p, R), (-p, -R) and the indifferent planner); ``reference/algorithms.md`` section 3.2.

    Examples
    --------
    >>> import warnings
    >>> from valuelearn.data import Trajectory
    >>> from valuelearn.humans._rational import SoftOptimal
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> demos = Demonstrations([Trajectory([0, 1, 1], [1, 1])])
    >>> p, R = SoftOptimal(), np.array([0.0, 1.0])
    >>> with warnings.catch_warnings(record=True):
    ...     report = equivalent_explanations(mdp, demos, [(p, R), (negated_planner(p), -R)],
    ...                                      horizon=2, discount=1.0)
    >>> report.groups, report.identifiable
    (((0, 1),), False)
    """
    if len(candidates) < 2:
        raise ValueLearnInputError(
            "`candidates` must hold at least two (human model, reward) pairs; got "
            f"{len(candidates)}."
        )
    rewards: list[NDArray[np.float64]] = []
    for index, (model, reward) in enumerate(candidates):
        array = np.asarray(reward, dtype=np.float64)
        if not isinstance(model, HumanModel):
            raise ValueLearnInputError(
                f"`candidates[{index}]` must start with a HumanModel; got {type(model).__name__}."
            )
        if array.shape != (mdp.n_states,):
            raise ValueLearnInputError(
                f"`candidates[{index}]` reward must have shape ({mdp.n_states},); got "
                f"{array.shape}."
            )
        rewards.append(array)
    measure = pearson_reward_distance if distance is None else distance
    ll = np.array(
        [
            model.log_likelihood(mdp, r, demonstrations, horizon=horizon, discount=discount)
            for (model, _), r in zip(candidates, rewards, strict=True)
        ],
        dtype=np.float64,
    )
    n = len(candidates)
    distances = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            distances[i, j] = distances[j, i] = measure(rewards[i], rewards[j])
    groups = _groups(ll, distances, [m for m, _ in candidates], tol=tol, reward_tol=reward_tol)
    finite = np.where(np.isfinite(ll), ll, -np.inf)
    report = IdentifiabilityReport(ll, distances, groups, int(np.argmax(finite)))
    if warn and groups:
        names = "; ".join(
            " vs ".join(f"#{i} ({candidates[i][0].name})" for i in group) for group in groups
        )
        warnings.warn(
            f"the data cannot tell apart these explanations, which differ in reward or human "
            f"model but have equal likelihood: {names}. Pin down the human model (a normative "
            "assumption) before trusting the learned reward (Armstrong & Mindermann 2018).",
            IdentifiabilityWarning,
            stacklevel=2,
        )
    return report


def _groups(
    ll: NDArray[np.float64],
    distances: NDArray[np.float64],
    models: Sequence[HumanModel],
    *,
    tol: float,
    reward_tol: float,
) -> tuple[tuple[int, ...], ...]:
    """Connected components of 'equal likelihood' that contain a pair differing in meaning."""
    n = ll.size
    label = list(range(n))

    def root(i: int) -> int:
        while label[i] != i:
            i = label[i]
        return i

    def equal(i: int, j: int) -> bool:
        if not (np.isfinite(ll[i]) and np.isfinite(ll[j])):
            return bool(ll[i] == ll[j])
        return bool(abs(ll[i] - ll[j]) <= tol * max(1.0, abs(ll[i])))

    for i in range(n):
        for j in range(i + 1, n):
            if equal(i, j):
                label[root(j)] = root(i)
    components: dict[int, list[int]] = {}
    for i in range(n):
        components.setdefault(root(i), []).append(i)
    found = []
    for members in components.values():
        differ = any(
            distances[i, j] > reward_tol or models[i] != models[j]
            for a, i in enumerate(members)
            for j in members[a + 1 :]
        )
        if len(members) > 1 and differ:
            found.append(tuple(members))
    return tuple(found)
