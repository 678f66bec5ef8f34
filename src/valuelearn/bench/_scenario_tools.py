"""Helpers shared by the scenario modules: learner names, scoring, world lookups, registration."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from valuelearn.bench._registry import Scenario, register
from valuelearn.data import MDP, gridworld
from valuelearn.evaluation import epic_distance, regret
from valuelearn.exceptions import ValueLearnInputError

#: The two learners every challenge scenario compares.
LEARNERS: Final = ("naive", "aware")


def check_learner(learner: str, scenario: str) -> None:
    """Raise unless ``learner`` is one of :data:`LEARNERS`."""
    if learner not in LEARNERS:
        raise ValueLearnInputError(
            f"The 'learner' parameter of the {scenario} scenario must be one of "
            f"{list(LEARNERS)}; got {learner!r} instead."
        )


def score(
    mdp: MDP, true: NDArray[np.float64], learned: NDArray[np.float64], *, horizon: int
) -> dict[str, float]:
    """EPIC distance and (normalised) regret of ``learned`` under ``true`` (undiscounted).

    Examples
    --------
    >>> from valuelearn.data import gridworld
    >>> mdp = gridworld(["S.G"], absorbing="G")
    >>> r = np.array([0.0, 0.0, 1.0])
    >>> s = score(mdp, r, 3.0 * r, horizon=4)
    >>> s["normalized_regret"], round(s["epic"], 6)
    (0.0, 0.0)
    """
    result = regret(mdp, true, learned, horizon=horizon, discount=1.0)
    return {
        "epic": float(epic_distance(mdp, learned, true, discount=1.0)),
        "normalized_regret": float(result.normalized_regret),
        "regret": float(result.regret),
    }


def state_features(mdp: MDP) -> NDArray[np.float64]:
    """The world's state features (every scenario world has them)."""
    if mdp.features is None:  # pragma: no cover - every scenario world has features
        raise ValueLearnInputError("a scenario world needs state features.")
    return np.asarray(mdp.features, dtype=np.float64)


def linear_reward(mdp: MDP, weights: Sequence[float] | NDArray[np.float64]) -> NDArray[np.float64]:
    """``features @ weights``."""
    return state_features(mdp) @ np.asarray(weights, dtype=np.float64)


def goal_lava_world(
    rows: Sequence[str],
    weights: Sequence[float],
    *,
    start: str,
    discount: float,
) -> tuple[MDP, NDArray[np.float64]]:
    """A gridworld with features ``goal`` (``G``, absorbing) and ``lava`` (``L``), starts drawn
    with the characters of ``start``, and its true reward ``features @ weights``."""
    cells = {"G": [1.0, 0.0], "L": [0.0, 1.0], ".": [0.0, 0.0], "S": [0.0, 0.0], "T": [0.0, 0.0]}
    mdp = gridworld(
        list(rows),
        cell_features=cells,
        feature_names=["goal", "lava"],
        start=start,
        absorbing="G",
        discount=discount,
    )
    return mdp, linear_reward(mdp, weights)


def cell_index(mdp: MDP, char: str) -> int:
    """Index of the (single) cell drawn with ``char`` in a gridworld's state names."""
    names = mdp.state_names or ()
    return next(i for i, name in enumerate(names) if name.endswith(f":{char}"))


def register_challenge(
    name: str,
    description: str,
    run: Callable[[str, int, int], Mapping[str, float]],
    *,
    sizes: tuple[int, ...],
    quick_sizes: tuple[int, ...],
    config: Mapping[str, Any],
    seeds: tuple[int, ...] = (0, 1, 2),
    quick_seeds: tuple[int, ...] = (0, 1),
) -> Scenario:
    """Register a naive-versus-aware scenario in the default and quick suites."""
    return register(
        Scenario(
            name=name,
            description=description,
            run=run,
            learners=LEARNERS,
            sizes=sizes,
            seeds=seeds,
            quick_sizes=quick_sizes,
            quick_seeds=quick_seeds,
            suites=("default", "quick"),
            config=dict(config),
        )
    )
