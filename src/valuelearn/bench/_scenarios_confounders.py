"""Scenarios where behaviour is moved by something other than stable, individual values.

Five challenges, each in a 3x5 gridworld with slip 0.1 and a horizon of 10 steps: a tempting
cell, context-dependent values, drifting values, a newcomer with few demonstrations in a
population, and a group of people whose values differ. Every world has two reward features
("a" and "b": two cells worth staying in) on plain cells worth 0; the true values are fixed. The
naive learner is always MCE IRL taking the data at face value (one soft-optimal person); the
aware learner models what moves the behaviour. Each ``run`` scores the learned reward by EPIC
distance and the normalised regret of its optimal policy under the true reward
(:func:`valuelearn.evaluation.regret`), plus a scenario-specific metric.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final

import numpy as np
from numpy.typing import NDArray

from valuelearn.bench._registry import Scenario
from valuelearn.bench._scenario_tools import (
    check_learner,
    linear_reward,
    register_challenge,
)
from valuelearn.bench._scenario_tools import score as shared_score
from valuelearn.data import MDP, Demonstrations, Trajectory, gridworld
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans import DriftingValues, Population, Temptation
from valuelearn.inference import (
    MCEIRL,
    ContextualMCEIRL,
    HierarchicalMCEIRL,
    ModelAwareIRL,
    TimeWeightedMCEIRL,
)
from valuelearn.policy import sample_trajectories, soft_value_iteration

HORIZON: Final = 10
SLIP: Final = 0.1
L2: Final = 1e-3
#: The world: S start, A and B the two feature cells ("a", "b"), plain cells worth nothing.
WORLD_MAP: Final = ("A...B", "..S..", ".....")
#: Temptation: the person values "a" at 1 and "b" at 2; a pull of 1.5 on "a" makes them go there.
TEMPTATION_VALUES: Final = (1.0, 2.0)
TEMPTATION_WEIGHT: Final = 1.5
#: Context: "a" is worth 2 in the morning, "b" is worth 2 in the evening.
CONTEXT_VALUES: Final = {"morning": (2.0, 0.0), "evening": (0.0, 2.0)}
#: Drift: values move from START to NOW over five periods.
DRIFT_START: Final = (3.0, 0.0)
DRIFT_NOW: Final = (0.0, 1.5)
DRIFT_HALF_LIFE: Final = 0.1
#: Shared values: newcomer = last person of a population around SHARED_VALUES.
SHARED_VALUES: Final = (1.0, 1.6)
SHARED_SCALE: Final = 0.3
SHARED_PEOPLE: Final = 20
SHARED_PER_PERSON: Final = 10
SHARED_TAU: Final = 0.4
#: Diverse values: 60% prefer "a" (weight 2), 40% care more strongly for "b" (weight 5).
DIVERSE_GROUPS: Final = ((2.0, 0.0), (0.0, 5.0))
DIVERSE_SHARE_B: Final = 0.4
DIVERSE_PER_PERSON: Final = 5
DIVERSE_TAU: Final = 3.0


def world() -> MDP:
    """The 3x5 gridworld shared by these scenarios: features "a" and "b" mark cells A and B.

    Examples
    --------
    >>> mdp = world()
    >>> mdp.n_states, mdp.feature_names, mdp.features.sum(axis=0).tolist()
    (15, ('a', 'b'), [1.0, 1.0])
    """
    cells = {"A": (1.0, 0.0), "B": (0.0, 1.0), ".": (0.0, 0.0), "S": (0.0, 0.0)}
    return gridworld(WORLD_MAP, cell_features=cells, feature_names=("a", "b"), slip=SLIP)


def score(mdp: MDP, true: NDArray[np.float64], learned: NDArray[np.float64]) -> dict[str, float]:
    """EPIC distance and (normalised) regret of ``learned`` under ``true`` (state rewards).

    Examples
    --------
    >>> mdp = world()
    >>> r = mdp.features @ np.array([1.0, 2.0])
    >>> score(mdp, r, 3.0 * r)["normalized_regret"], round(score(mdp, r, 3.0 * r)["epic"], 6)
    (0.0, 0.0)
    """
    return shared_score(mdp, true, learned, horizon=HORIZON)


def _naive(mdp: MDP, demos: Demonstrations) -> NDArray[np.float64]:
    model = MCEIRL(horizon=HORIZON, discount=1.0, l2=L2).fit(mdp, demos)
    reward: NDArray[np.float64] = model.reward_
    return reward


def _soft_demos(
    mdp: MDP,
    reward: NDArray[np.float64],
    n: int,
    rng: np.random.Generator,
    *,
    context: str | None = None,
    demonstrator: str | None = None,
) -> list[Trajectory]:
    """``n`` demonstrations of a soft-optimal person with ``reward``, labelled."""
    plan = soft_value_iteration(mdp, reward, horizon=HORIZON, discount=1.0, return_q=False)
    sampled = sample_trajectories(mdp, plan.policy, n=n, rng=rng)
    return [replace(t, context=context, demonstrator=demonstrator) for t in sampled]


def _goes_to(mdp: MDP, reward: NDArray[np.float64], feature: int) -> float:
    """Probability that the hard optimum of ``reward`` takes its last action on ``feature``."""
    assert mdp.features is not None
    policy = soft_value_iteration(
        mdp, reward / max(float(np.abs(reward).max()), 1e-12) * 1e3, horizon=HORIZON,
        discount=1.0, return_q=False,
    ).policy  # fmt: skip
    dense = mdp.dense_transitions()
    state = np.asarray(mdp.initial, dtype=np.float64)
    for t in range(HORIZON - 1):
        state = np.einsum("s,sa,sat->t", state, policy[t], dense)
    return float(state @ mdp.features[:, feature])


# ---------------------------------------------------------------------- temptation
def run_temptation(learner: str, n: int, seed: int) -> dict[str, float]:
    """Temptation: ``n`` demonstrations of a person pulled to cell A by a bonus they do not value.

    The aware learner is :class:`~valuelearn.inference._aware.ModelAwareIRL` with the true
    :class:`~valuelearn.humans.Temptation` model, its bonus and weight *known*: a state bonus and a
    state value enter the likelihood identically, so with the weight unknown the two could not be
    told apart (see the identifiability check). Extra metric ``goes_to_b``: how much of the last
    step the policy optimal for the learned reward spends on B, the cell the person values most.

    Examples
    --------
    >>> scores = run_temptation("naive", 50, 0)
    >>> scores["normalized_regret"] > 0.2
    True
    """
    check_learner(learner, "temptation")
    mdp = world()
    true = linear_reward(mdp, TEMPTATION_VALUES)
    assert mdp.features is not None
    person = Temptation(bonus=mdp.features[:, 0].tolist(), weight=TEMPTATION_WEIGHT)
    demos = person.simulate(mdp, true, n=n, horizon=HORIZON, discount=1.0, rng=seed)
    if learner == "naive":
        learned = _naive(mdp, demos)
    else:
        aware = ModelAwareIRL(person, horizon=HORIZON, discount=1.0, reward="linear", l2=L2)
        learned = aware.fit(mdp, demos).reward_
    return score(mdp, true, learned) | {"goes_to_b": _goes_to(mdp, learned, 1)}


# ---------------------------------------------------------------------- context
def run_context(learner: str, n: int, seed: int) -> dict[str, float]:
    """Context-dependent values: ``n`` demonstrations split between morning and evening.

    Scores are averaged over the two contexts, each context's learned reward against its true one
    (the naive learner has one reward for both). Aware: :class:`ContextualMCEIRL` with a shared
    component and lightly penalised offsets. Extra metric ``worst_context_regret``.

    Examples
    --------
    >>> run_context("naive", 40, 0)["normalized_regret"] > 0.2
    True
    """
    check_learner(learner, "context")
    mdp, rng = world(), np.random.default_rng(seed)
    truths = {c: linear_reward(mdp, w) for c, w in CONTEXT_VALUES.items()}
    trajectories: list[Trajectory] = []
    for index, (context, true) in enumerate(truths.items()):
        count = n // 2 + (n % 2 if index == 0 else 0)
        trajectories += _soft_demos(mdp, true, count, rng, context=context)
    demos = Demonstrations(trajectories)
    if learner == "naive":
        pooled = _naive(mdp, demos)
        learned = dict.fromkeys(truths, pooled)
    else:
        model = ContextualMCEIRL(horizon=HORIZON, discount=1.0, l2_offsets=0.01, l2=L2)
        learned = model.fit(mdp, demos).rewards_
    rows = [score(mdp, truths[c], learned[c]) for c in truths]
    result = {key: float(np.mean([row[key] for row in rows])) for key in rows[0]}
    return result | {"worst_context_regret": max(row["normalized_regret"] for row in rows)}


# ---------------------------------------------------------------------- drift
def run_drift(learner: str, n: int, seed: int) -> dict[str, float]:
    """Drifting values: ``n`` time-stamped demonstrations while values move from A to B.

    Scored against the *current* values (``time = 1``). Aware: :class:`TimeWeightedMCEIRL` with
    half-life 0.1 (recent demonstrations dominate). Extra metric ``goes_to_b`` (where the current
    values lead).

    Examples
    --------
    >>> run_drift("naive", 50, 0)["normalized_regret"] > 0.2
    True
    """
    check_learner(learner, "drift")
    mdp = world()
    now = linear_reward(mdp, DRIFT_NOW)
    person = DriftingValues(start_reward=linear_reward(mdp, DRIFT_START), n_periods=5)
    demos = person.simulate(mdp, now, n=n, horizon=HORIZON, discount=1.0, rng=seed)
    if learner == "naive":
        learned = _naive(mdp, demos)
    else:
        model = TimeWeightedMCEIRL(DRIFT_HALF_LIFE, horizon=HORIZON, discount=1.0, l2=L2)
        learned = model.fit(mdp, demos).reward_
    return score(mdp, now, learned) | {"goes_to_b": _goes_to(mdp, learned, 1)}


# ---------------------------------------------------------------------- shared values
def run_shared(learner: str, n: int, seed: int) -> dict[str, float]:
    """Shared values: a newcomer gives ``n`` demonstrations; 20 others give 10 each.

    The newcomer is the last person of a :class:`~valuelearn.humans.Population` with shared
    values ``SHARED_VALUES`` and individual spread 0.3. Naive: MCE IRL on the newcomer's data
    alone. Aware: :class:`HierarchicalMCEIRL` (prior sd ``tau = 0.4``) fitted to the others, then
    :meth:`~HierarchicalMCEIRL.fit_new_person`. Extra metric ``weight_error``: Euclidean distance
    of the newcomer's learned weights from their true ones.

    Examples
    --------
    >>> run_shared("naive", 2, 0)["epic"] > 0.2
    True
    """
    check_learner(learner, "shared")
    mdp, rng = world(), np.random.default_rng(seed)
    shared = linear_reward(mdp, SHARED_VALUES)
    people = Population(individual_scale=SHARED_SCALE, n_people=SHARED_PEOPLE + 1, seed=seed)
    newcomer = f"person-{SHARED_PEOPLE}"
    true_weights = np.asarray(SHARED_VALUES) + people.offsets(mdp)[SHARED_PEOPLE]
    true = linear_reward(mdp, true_weights)
    own = Demonstrations(_soft_demos(mdp, true, n, rng, demonstrator=newcomer))
    if learner == "naive":
        model = MCEIRL(horizon=HORIZON, discount=1.0, l2=L2).fit(mdp, own)
        weights = model.weights_
    else:
        others = Population(individual_scale=SHARED_SCALE, n_people=SHARED_PEOPLE, seed=seed)
        # the first SHARED_PEOPLE people of ``people`` (same seed, same draws in the same order)
        crowd = others.simulate(
            mdp, shared, n=SHARED_PEOPLE * SHARED_PER_PERSON, horizon=HORIZON, discount=1.0,
            rng=rng,
        )  # fmt: skip
        hierarchy = HierarchicalMCEIRL(SHARED_TAU, horizon=HORIZON, discount=1.0, l2_mean=L2)
        weights = hierarchy.fit(mdp, crowd).fit_new_person(mdp, own)
    learned = linear_reward(mdp, weights)
    error = float(np.linalg.norm(weights - true_weights))
    return score(mdp, true, learned) | {"weight_error": error}


# ---------------------------------------------------------------------- diverse values
def diverse_weights(n_people: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """True weights of ``n_people`` people, each in group B with probability 0.4, else group A.

    Examples
    --------
    >>> diverse_weights(3, np.random.default_rng(0)).shape
    (3, 2)
    """
    groups = np.asarray(DIVERSE_GROUPS, dtype=np.float64)
    return groups[(rng.random(n_people) < DIVERSE_SHARE_B).astype(np.int64)]


def diverse_mean() -> NDArray[np.float64]:
    """The population's mean weights ``0.6 * w_A + 0.4 * w_B`` (the group's welfare weights).

    Examples
    --------
    >>> diverse_mean().tolist()
    [1.2, 2.0]
    """
    groups = np.asarray(DIVERSE_GROUPS, dtype=np.float64)
    result: NDArray[np.float64] = (1.0 - DIVERSE_SHARE_B) * groups[0] + DIVERSE_SHARE_B * groups[1]
    return result


def run_diverse(learner: str, n: int, seed: int) -> dict[str, float]:
    """Diverse values: ``n`` people drawn from the population (5 demonstrations each).

    The group's value of a policy is its mean return over the population (utilitarian welfare),
    which for linear rewards is the return under the population's mean reward; so
    ``normalized_regret`` here is the *welfare regret* of the policy optimal for the learned group
    reward against the best policy for everyone, and ``epic`` compares the learned group reward
    with the mean reward. Naive: one MCE IRL on everyone's pooled data, which counts heads (60% go
    to A) rather than weighing how much each person cares. Aware: :class:`HierarchicalMCEIRL`
    (``tau = 3``), whose population mean ``mu`` estimates the mean values: with few people the
    sample may not be representative, so its regret falls as ``n`` grows. Extra metric
    ``chooses_b``: probability that the chosen policy takes its last action on B, the best cell
    for everyone.

    Examples
    --------
    >>> run_diverse("naive", 10, 0)["normalized_regret"] > 0.2
    True
    """
    check_learner(learner, "diverse")
    if n < 1:
        raise ValueLearnInputError(
            f"The 'n' parameter of the diverse scenario must be >= 1; got {n}."
        )
    mdp, rng = world(), np.random.default_rng(seed)
    trajectories: list[Trajectory] = []
    for i, w in enumerate(diverse_weights(n, rng)):
        trajectories += _soft_demos(
            mdp, linear_reward(mdp, w), DIVERSE_PER_PERSON, rng, demonstrator=f"person-{i}"
        )
    demos = Demonstrations(trajectories)
    if learner == "naive":
        learned = _naive(mdp, demos)
    else:
        model = HierarchicalMCEIRL(DIVERSE_TAU, horizon=HORIZON, discount=1.0, l2_mean=L2)
        learned = model.fit(mdp, demos).mean_reward_
    true = linear_reward(mdp, diverse_mean())
    return score(mdp, true, learned) | {"chooses_b": _goes_to(mdp, learned, 1)}


def _scenario(
    name: str,
    description: str,
    run: Callable[[str, int, int], dict[str, float]],
    sizes: tuple[int, ...],
    quick_sizes: tuple[int, ...],
    config: dict[str, object],
) -> Scenario:
    return register_challenge(
        name,
        description,
        run,
        sizes=sizes,
        quick_sizes=quick_sizes,
        config={"world": list(WORLD_MAP), "horizon": HORIZON, "slip": SLIP, "l2": L2}
        | config
        | {"version": 1},
    )


TEMPTATION = _scenario(
    "temptation",
    "A person values B over A but a tempting bonus on A pulls them there; MCE IRL learns the "
    "bonus as a value, a learner that knows the temptation subtracts it.",
    run_temptation,
    (20, 50, 200),
    (20, 50),
    {"values": list(TEMPTATION_VALUES), "weight": TEMPTATION_WEIGHT},
)
CONTEXT = _scenario(
    "context-values",
    "A is worth most in the morning and B in the evening; one reward for all data averages the "
    "contexts and is wrong in one of them, one reward per context is right in both.",
    run_context,
    (20, 50, 200),
    (20, 50),
    {"values": {c: list(w) for c, w in CONTEXT_VALUES.items()}},
)
DRIFT = _scenario(
    "drifting-values",
    "Values drift from A to B; MCE IRL on all data learns the old average and still picks A, "
    "recency-weighted IRL tracks the current values.",
    run_drift,
    (20, 50, 200),
    (20, 50),
    {"start": list(DRIFT_START), "now": list(DRIFT_NOW), "half_life": DRIFT_HALF_LIFE},
)
SHARED = _scenario(
    "shared-values",
    "A newcomer gives only a few demonstrations; alone they cannot show what the person values, a "
    "population prior learned from 20 others fills in the shared part.",
    run_shared,
    (1, 2, 5, 20),
    (1, 2),
    {
        "values": list(SHARED_VALUES),
        "scale": SHARED_SCALE,
        "people": SHARED_PEOPLE,
        "per_person": SHARED_PER_PERSON,
        "tau": SHARED_TAU,
    },
)
DIVERSE = _scenario(
    "diverse-values",
    "60% prefer A, 40% care more strongly for B, so B is best for the group; pooled IRL counts "
    "heads and picks A, averaging each person's learned values picks B as people are added.",
    run_diverse,
    (5, 10, 20, 40),
    (5, 20),
    {
        "groups": [list(g) for g in DIVERSE_GROUPS],
        "share_b": DIVERSE_SHARE_B,
        "per_person": DIVERSE_PER_PERSON,
        "tau": DIVERSE_TAU,
    },
)
