"""Benchmark scenarios where a wrong model of *how* the person acts corrupts *what* they value.

Each scenario fixes a small world and true values, lets a person with a known bias produce
demonstrations, and fits two learners:

- ``"naive"``: :class:`~valuelearn.inference.MCEIRL`, which assumes a soft-optimal person who
  knows the world and whose values depend only on the features it is given;
- ``"aware"``: the learner whose model of the person is right (the bias is *known*, not estimated:
  these scenarios measure what the right model buys, not whether the model can be found).

Scenarios (registered on import):

``wrong-beliefs``
    A person who does not know that a door is open takes the long road round; assuming they know,
    the naive learner concludes they hate doors. Aware learner:
    :class:`~valuelearn.inference._aware.ModelAwareIRL` with
    :class:`~valuelearn.humans.FalseBeliefs` (the person's believed world, door shut).
``missing-features``
    The chest is worth something only once the key is held (state = (cell, has key)); with
    cell-only features the naive learner cannot express "key, then chest" and its optimal policy
    walks straight to the locked chest. Aware learner: MCE IRL with the full features (including
    "chest opened", the conjunction).

Every ``run`` returns ``epic`` (:func:`~valuelearn.evaluation.epic_distance` of learned and true
reward), ``normalized_regret`` (:func:`~valuelearn.evaluation.regret`: the hard-optimal policy for
the learned reward, scored under the true one) and scenario-specific metrics of that policy.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from valuelearn.bench._scenario_tools import (
    cell_index,
    check_learner,
    register_challenge,
    score,
    state_features,
)
from valuelearn.data import MDP, Demonstrations, gridworld
from valuelearn.humans import FalseBeliefs, SoftOptimal, with_transitions
from valuelearn.inference import MCEIRL, ModelAwareIRL
from valuelearn.policy import Occupancy, occupancy, value_iteration

_SIZES: Final = (10, 30, 100, 300)
_SEEDS: Final = (0, 1, 2)
_QUICK_SIZES: Final = (10, 100)
_QUICK_SEEDS: Final = (0, 1)
_L2: Final = 1e-2  # same ridge for both learners: keeps never-visited features' weights finite

# ---------------------------------------------------------------------- wrong beliefs (shortcut)
#: The shortcut world: a bottom road S..D..G through a door ``D`` (6 steps) and a long road round
#: the wall (12 steps). The person believes the door is shut.
SHORTCUT_MAP: Final = (
    "#########",
    "#.......#",
    "#.#####.#",
    "#.#####.#",
    "#S..D..G#",
)
SHORTCUT_WEIGHTS: Final = (2.0, 0.0)  # (goal per step, door): doors are neither good nor bad
SHORTCUT_HORIZON: Final = 20


def shortcut_world() -> tuple[MDP, MDP, NDArray[np.float64]]:
    """The true world, the person's believed world (door shut) and the true state reward.

    Deterministic 4-action gridworld with features ``(goal, door)``; the goal is absorbing and
    pays ``2`` per step. In the believed world every move into the door cell leaves the person
    where they are (a wall), built with :func:`~valuelearn.humans.with_transitions`.

    Examples
    --------
    >>> world, believed, reward = shortcut_world()
    >>> world.n_states, world.feature_names, float(reward.max())
    (18, ('goal', 'door'), 2.0)
    """
    world = gridworld(
        list(SHORTCUT_MAP),
        cell_features={".": [0.0, 0.0], "S": [0.0, 0.0], "G": [1.0, 0.0], "D": [0.0, 1.0]},
        feature_names=["goal", "door"],
        absorbing="G",
        horizon=SHORTCUT_HORIZON,
        discount=1.0,
    )
    door = cell_index(world, "D")
    changes: dict[tuple[int, int], dict[int, float]] = {}
    for state in range(world.n_states):
        for action in range(world.n_actions):
            successors, probabilities = world.successors(state, action)
            if state != door and door in successors.tolist():
                row: dict[int, float] = {}
                for successor, probability in zip(
                    successors.tolist(), probabilities.tolist(), strict=True
                ):
                    target = state if successor == door else successor
                    row[target] = row.get(target, 0.0) + probability
                changes[(state, action)] = row
    believed = with_transitions(world, changes)
    reward = world.features @ np.asarray(SHORTCUT_WEIGHTS) if world.features is not None else None
    if reward is None:  # pragma: no cover - gridworld always has features
        raise RuntimeError("the shortcut world has no features.")
    return world, believed, reward


def run_wrong_beliefs(learner: str, n: int, seed: int) -> dict[str, float]:
    """Score ``learner`` on ``n`` demonstrations of a person unaware of the shortcut.

    Extra metrics: ``uses_shortcut`` (probability that the policy optimal for the learned reward
    walks through the door; the true optimum does, with probability 1) and ``door_weight`` (the
    learned weight of the door feature; truly 0).

    Examples
    --------
    >>> naive, aware = (run_wrong_beliefs(name, 30, 0) for name in ("naive", "aware"))
    >>> naive["normalized_regret"] > 0.4, aware["normalized_regret"] < 0.01
    (True, True)
    >>> naive["uses_shortcut"], aware["uses_shortcut"]
    (0.0, 1.0)
    """
    check_learner(learner, "wrong-beliefs")
    world, believed, reward = shortcut_world()
    person = FalseBeliefs(believed)
    demos = person.simulate(world, reward, n=n, horizon=SHORTCUT_HORIZON, discount=1.0, rng=seed)
    if learner == "naive":
        weights = _mce(world, demos, SHORTCUT_HORIZON).weights_
    else:
        aware = ModelAwareIRL(person, horizon=SHORTCUT_HORIZON, discount=1.0, l2=_L2)
        weights = aware.fit(world, demos).weights_
    features = state_features(world)
    learned = features @ weights
    visits = _optimal_occupancy(world, learned, SHORTCUT_HORIZON).total
    scores = score(world, reward, learned, horizon=SHORTCUT_HORIZON)
    scores["uses_shortcut"] = float(min(visits[cell_index(world, "D")], 1.0))
    scores["door_weight"] = float(weights[1])
    return scores


# ---------------------------------------------------------------------- missing features
#: The key-and-chest corridor: the key 4 cells left of the start, the chest 4 cells right.
KEY_CHEST_MAP: Final = ("###########", "#K...S...C#", "###########")
KEY_CHEST_VALUE: Final = 3.0  # per step with the chest open
KEY_CHEST_HORIZON: Final = 20


def key_chest_world() -> tuple[MDP, NDArray[np.float64]]:
    """The key-and-chest world with full features, and the true state reward.

    States are ``cell + n_cells * has_key`` over the cells of :data:`KEY_CHEST_MAP`
    (deterministic moves). Entering the key cell picks the key up; the chest cell with the key
    held is absorbing ("chest opened"). Features: ``key`` (on the key cell), ``chest`` (on the chest
    cell, key or not) and ``open_chest`` (on the chest cell with the key). Only ``open_chest`` is
    valued (3 per step). Dropping the last feature gives the naive learner's cell-only view.

    Examples
    --------
    >>> mdp, reward = key_chest_world()
    >>> mdp.n_states, mdp.feature_names, float(reward.sum())
    (18, ('key', 'chest', 'open_chest'), 3.0)
    """
    cells = gridworld(list(KEY_CHEST_MAP))
    n_cells, n_actions = cells.n_states, cells.n_actions
    key, chest, start = cell_index(cells, "K"), cell_index(cells, "C"), cell_index(cells, "S")
    transitions = np.zeros((2 * n_cells, n_actions, 2 * n_cells))
    for held in (0, 1):
        for cell in range(n_cells):
            state = cell + n_cells * held
            if held and cell == chest:
                transitions[state, :, state] = 1.0
                continue
            for action in range(n_actions):
                successors, probabilities = cells.successors(cell, action)
                for successor, probability in zip(
                    successors.tolist(), probabilities.tolist(), strict=True
                ):
                    now_held = int(held or successor == key)
                    transitions[state, action, successor + n_cells * now_held] += probability
    features = np.zeros((2 * n_cells, 3))
    features[[key, key + n_cells], 0] = 1.0
    features[[chest, chest + n_cells], 1] = 1.0
    features[chest + n_cells, 2] = 1.0
    cell_names = cells.state_names or tuple(str(cell) for cell in range(n_cells))
    names = tuple(f"{name}{'+key' if held else ''}" for held in (0, 1) for name in cell_names)
    mdp = MDP.from_dense(
        transitions,
        initial=np.eye(2 * n_cells)[start],
        features=features,
        feature_names=("key", "chest", "open_chest"),
        state_names=names,
        horizon=KEY_CHEST_HORIZON,
        discount=1.0,
    )
    return mdp, KEY_CHEST_VALUE * features[:, 2]


def run_missing_features(learner: str, n: int, seed: int) -> dict[str, float]:
    """Score ``learner`` on ``n`` demonstrations of a soft-optimal key-then-chest person.

    The naive learner is MCE IRL on the cell-only features ``(key, chest)``; the aware one is MCE
    IRL on all three. Extra metric: ``opens_chest``, the probability that the policy optimal for
    the learned reward ends the episode with the chest open (1 for the true optimum).

    Examples
    --------
    >>> naive, aware = (run_missing_features(name, 30, 0) for name in ("naive", "aware"))
    >>> round(naive["normalized_regret"], 3), round(aware["normalized_regret"], 3)
    (1.0, 0.0)
    >>> naive["opens_chest"], aware["opens_chest"]
    (0.0, 1.0)
    """
    check_learner(learner, "missing-features")
    mdp, reward = key_chest_world()
    demos = SoftOptimal().simulate(
        mdp, reward, n=n, horizon=KEY_CHEST_HORIZON, discount=1.0, rng=seed
    )
    full = state_features(mdp)
    view = full[:, :2] if learner == "naive" else full
    names = mdp.feature_names[: view.shape[1]] if mdp.feature_names is not None else None
    learned = _mce(mdp.with_defaults(features=view, feature_names=names), demos, KEY_CHEST_HORIZON)
    final = _optimal_occupancy(mdp, learned.reward_, KEY_CHEST_HORIZON).final
    scores = score(mdp, reward, learned.reward_, horizon=KEY_CHEST_HORIZON)
    opened = int(np.argmax(full[:, 2]))
    scores["opens_chest"] = float(final[opened]) if final is not None else 0.0
    return scores


# ---------------------------------------------------------------------- shared pieces
def _mce(mdp: MDP, demos: Demonstrations, horizon: int) -> MCEIRL:
    return MCEIRL(horizon=horizon, discount=1.0, reward="linear", l2=_L2).fit(mdp, demos)


def _optimal_occupancy(mdp: MDP, reward: NDArray[np.float64], horizon: int) -> Occupancy:
    plan = value_iteration(mdp, reward, horizon=horizon, discount=1.0)
    return occupancy(mdp, plan.policy, horizon=horizon, discount=1.0)


WRONG_BELIEFS = register_challenge(
    "wrong-beliefs",
    (
        "A person who does not know a door is open takes the long road; assuming they know, "
        "naive IRL concludes they hate doors, and the belief-aware learner does not."
    ),
    run_wrong_beliefs,
    sizes=_SIZES,
    quick_sizes=_QUICK_SIZES,
    config={
        "world": "shortcut",
        "map": list(SHORTCUT_MAP),
        "weights": list(SHORTCUT_WEIGHTS),
        "horizon": SHORTCUT_HORIZON,
        "l2": _L2,
        "aware": "ModelAwareIRL(FalseBeliefs(door shut)), belief known",
        "version": 1,
    },
    seeds=_SEEDS,
    quick_seeds=_QUICK_SEEDS,
)

MISSING_FEATURES = register_challenge(
    "missing-features",
    (
        "The chest is valuable only once the key is held; with cell-only features naive IRL "
        "cannot say 'key, then chest' and walks to the locked chest, full features mend it."
    ),
    run_missing_features,
    sizes=_SIZES,
    quick_sizes=_QUICK_SIZES,
    config={
        "world": "key-chest",
        "map": list(KEY_CHEST_MAP),
        "value": KEY_CHEST_VALUE,
        "horizon": KEY_CHEST_HORIZON,
        "l2": _L2,
        "aware": "MCEIRL with the open_chest feature",
        "version": 1,
    },
    seeds=_SEEDS,
    quick_seeds=_QUICK_SEEDS,
)
