"""Scenarios where behaviour acts against values: social norms and manipulation.

Two challenges, each with two reward features ("a" and "b": two cells worth something per step
spent there) and fixed true values under which B is worth more than A. In both the person ends up
at A for a reason that is not a value:

``social-norms``
    In public (80% of the demonstrations) a norm adds ``weight * [cell is A]`` to what the person
    plans on; at home there is no norm. Naive learner: MCE IRL on all data. Aware learner:
    :class:`~valuelearn.inference.ModelAwareIRL` with the true
    :class:`~valuelearn.humans.SocialNorms` model, the norm's *shape* known (where and in which
    context it acts) and its *weight estimated* by profile likelihood over a grid. The weight is
    identified because the norm acts in only one of the two contexts: home behaviour pins the
    values, public behaviour then pins the norm.
``manipulation``
    In a corridor ``A.S.M.B`` the person heads for B; at M, on the way, they are talked into
    wanting A (an observable event) and turn back. Naive learner: MCE IRL on all data. Aware
    learner: :class:`~valuelearn.inference.ModelAwareIRL` with the true
    :class:`~valuelearn.humans.Manipulated` model (event cell and switched values *known*), which
    explains the steps after M by the switch and reads the person's own values from the steps
    before it; the pre-event values are scored as the person's true values.

Each ``run`` returns ``epic`` (:func:`~valuelearn.evaluation.epic_distance` of learned and true
reward), ``normalized_regret`` (:func:`~valuelearn.evaluation.regret`: the hard-optimal policy for
the learned reward, scored under the true one), ``regret``, and scenario-specific metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import NDArray

from valuelearn.bench._registry import Scenario
from valuelearn.bench._scenario_tools import (
    cell_index,
    check_learner,
    linear_reward,
    register_challenge,
    state_features,
)
from valuelearn.bench._scenario_tools import score as shared_score
from valuelearn.data import MDP, Demonstrations, gridworld
from valuelearn.humans import Manipulated, SocialNorms
from valuelearn.inference import MCEIRL, ModelAwareIRL
from valuelearn.policy import occupancy, value_iteration

HORIZON: Final = 10
SLIP: Final = 0.1
L2: Final = 1e-3
_CELLS: Final = {"A": (1.0, 0.0), "B": (0.0, 1.0), ".": (0.0, 0.0), "S": (0.0, 0.0)}

# ---------------------------------------------------------------------- social norms
#: The norms world: S start, A and B three steps away from it on either side.
NORMS_MAP: Final = ("A...B", "..S..", ".....")
#: The person values "a" at 1 and "b" at 2, in every context.
NORMS_VALUES: Final = (1.0, 2.0)
#: In public the norm adds NORMS_WEIGHT per step spent on A; at home nothing.
NORMS_WEIGHT: Final = 2.0
NORMS_PUBLIC_SHARE: Final = 0.8
#: A noisy person (soft-optimal at temperature 3), so that behaviour in either context is not
#: saturated and both the values and the norm's weight leave a trace in the data.
NORMS_TEMPERATURE: Final = 3.0
#: The aware learner's grid of norm weights (0: "there is no norm").
NORMS_WEIGHT_GRID: Final = (0.0, 1.0, 2.0, 3.0, 4.0)

# ---------------------------------------------------------------------- manipulation
#: A corridor: A at the left end, B at the right end, the event cell M between the start and B.
MANIPULATION_MAP: Final = ("A.S.M.B",)
#: The person values "a" at 0.5 and "b" at 2: B is worth the longer walk.
MANIPULATION_VALUES: Final = (0.5, 2.0)
#: After M the person acts as if "a" were worth 3 and "b" nothing.
MANIPULATION_SWITCHED: Final = (3.0, 0.0)


def norms_world() -> MDP:
    """The 3x5 gridworld of the social-norms scenario: features "a" and "b" on cells A and B.

    Examples
    --------
    >>> mdp = norms_world()
    >>> mdp.n_states, mdp.feature_names, mdp.features.sum(axis=0).tolist()
    (15, ('a', 'b'), [1.0, 1.0])
    """
    return gridworld(NORMS_MAP, cell_features=_CELLS, feature_names=("a", "b"), slip=SLIP)


def norms_person(mdp: MDP, weight: float = NORMS_WEIGHT) -> SocialNorms:
    """The person of the social-norms scenario: a norm towards A in public, none at home.

    Examples
    --------
    >>> person = norms_person(norms_world())
    >>> person.contexts, person.weight, person.context_probabilities["public"]
    (('public', 'home'), 2.0, 0.8)
    """
    features = state_features(mdp)
    return SocialNorms(
        {"public": features[:, 0], "home": np.zeros(mdp.n_states)},
        weight=weight,
        context_probabilities={"public": NORMS_PUBLIC_SHARE, "home": 1.0 - NORMS_PUBLIC_SHARE},
        temperature=NORMS_TEMPERATURE,
    )


def manipulation_world() -> tuple[MDP, frozenset[int]]:
    """The corridor ``A.S.M.B`` of the manipulation scenario and its event states ``{M}``.

    Examples
    --------
    >>> mdp, events = manipulation_world()
    >>> mdp.n_states, sorted(events), int(np.flatnonzero(mdp.initial)[0])
    (7, [4], 2)
    """
    cells = _CELLS | {"M": (0.0, 0.0)}
    mdp = gridworld(MANIPULATION_MAP, cell_features=cells, feature_names=("a", "b"), slip=SLIP)
    return mdp, frozenset({cell_index(mdp, "M")})


def score(mdp: MDP, true: NDArray[np.float64], learned: NDArray[np.float64]) -> dict[str, float]:
    """EPIC distance and (normalised) regret of ``learned`` under ``true`` (state rewards).

    Examples
    --------
    >>> mdp = norms_world()
    >>> r = mdp.features @ np.array([1.0, 2.0])
    >>> s = score(mdp, r, 3.0 * r)
    >>> s["normalized_regret"], round(s["epic"], 6)
    (0.0, 0.0)
    """
    return shared_score(mdp, true, learned, horizon=HORIZON)


def goes_to(mdp: MDP, reward: NDArray[np.float64], feature: int) -> float:
    """Probability that the hard-optimal policy for ``reward`` is on ``feature`` at the last step.

    The state at the last decision time ``H - 1`` (the last action earns nothing, so every action
    ties there and the state after it says nothing about the policy).

    Examples
    --------
    >>> mdp = norms_world()
    >>> round(goes_to(mdp, mdp.features @ np.array([1.0, 2.0]), 1), 2)  # < 1: slip 0.1
    0.94
    """
    plan = value_iteration(mdp, reward, horizon=HORIZON, discount=1.0)
    per_step = occupancy(mdp, plan.policy, horizon=HORIZON, discount=1.0).per_step
    assert per_step is not None  # a finite horizon has per-step distributions
    return float(per_step[-1] @ state_features(mdp)[:, feature])


# ---------------------------------------------------------------------- social norms
def run_norms(learner: str, n: int, seed: int) -> dict[str, float]:
    """Social norms: ``n`` demonstrations, 80% in public where a norm pulls the person to A.

    The aware learner is :class:`ModelAwareIRL` with :func:`norms_person`, the norm's weight
    *estimated* over ``NORMS_WEIGHT_GRID`` jointly with the values. Extra metrics: ``goes_to_b``
    (probability that the policy optimal for the learned reward ends on B, which the person values
    most; the true optimum's is 0.94 with slip) and ``norm_weight`` (the aware learner's estimate,
    truly 2; the naive learner assumes no norm, 0).

    Examples
    --------
    >>> naive, aware = (run_norms(name, 50, 0) for name in ("naive", "aware"))
    >>> naive["normalized_regret"] > 0.4, aware["normalized_regret"] < 0.05
    (True, True)
    """
    check_learner(learner, "social-norms")
    mdp = norms_world()
    true = linear_reward(mdp, NORMS_VALUES)
    person = norms_person(mdp)
    demos = person.simulate(mdp, true, n=n, horizon=HORIZON, discount=1.0, rng=seed)
    if learner == "naive":
        learned, weight = _naive(mdp, demos), 0.0
    else:
        aware = ModelAwareIRL(
            person, horizon=HORIZON, discount=1.0, reward="linear", l2=L2,
            human_grid={"weight": list(NORMS_WEIGHT_GRID)},
        ).fit(mdp, demos)  # fmt: skip
        assert isinstance(aware.human_, SocialNorms)
        learned, weight = aware.reward_, float(aware.human_.weight)
    return score(mdp, true, learned) | {
        "goes_to_b": goes_to(mdp, learned, 1),
        "norm_weight": weight,
    }


# ---------------------------------------------------------------------- manipulation
def run_manipulation(learner: str, n: int, seed: int) -> dict[str, float]:
    """Manipulation: ``n`` demonstrations of a person whose values switch at cell M.

    The aware learner is :class:`ModelAwareIRL` with the true :class:`Manipulated` model (event
    cell and switched values known); the learned reward is the person's pre-event values, scored
    against their true ones. Extra metrics: ``goes_to_b`` (as in :func:`run_norms`) and
    ``event_rate`` (share of the demonstrations that reach M: how much of the data is
    manipulated; the same for both learners).

    Examples
    --------
    >>> naive, aware = (run_manipulation(name, 50, 0) for name in ("naive", "aware"))
    >>> naive["normalized_regret"] > 0.4, aware["normalized_regret"] < 0.05
    (True, True)
    """
    check_learner(learner, "manipulation")
    mdp, events = manipulation_world()
    true = linear_reward(mdp, MANIPULATION_VALUES)
    person = Manipulated(events, switched_reward=linear_reward(mdp, MANIPULATION_SWITCHED))
    demos = person.simulate(mdp, true, n=n, horizon=HORIZON, discount=1.0, rng=seed)
    if learner == "naive":
        learned = _naive(mdp, demos)
    else:
        aware = ModelAwareIRL(person, horizon=HORIZON, discount=1.0, reward="linear", l2=L2)
        learned = aware.fit(mdp, demos).reward_
    hits = [bool(np.isin(t.states, list(events)).any()) for t in demos]
    return score(mdp, true, learned) | {
        "goes_to_b": goes_to(mdp, learned, 1),
        "event_rate": float(np.mean(hits)) if hits else 0.0,
    }


# ---------------------------------------------------------------------- shared pieces
def _naive(mdp: MDP, demos: Demonstrations) -> NDArray[np.float64]:
    model = MCEIRL(horizon=HORIZON, discount=1.0, reward="linear", l2=L2).fit(mdp, demos)
    reward: NDArray[np.float64] = model.reward_
    return reward


def _scenario(
    name: str,
    description: str,
    run: Callable[[str, int, int], dict[str, float]],
    world_map: tuple[str, ...],
    config: dict[str, object],
) -> Scenario:
    return register_challenge(
        name,
        description,
        run,
        sizes=(20, 50, 200),
        quick_sizes=(20, 50),
        config={"world": list(world_map), "horizon": HORIZON, "slip": SLIP, "l2": L2}
        | config
        | {"version": 1},
    )


SOCIAL_NORMS = _scenario(
    "social-norms",
    "The person values B over A, but in public (80% of the data) a norm sends them to A; MCE IRL "
    "reads the norm as a value and picks A, a learner that models the norm (its weight estimated "
    "from the contrast with home) picks B.",
    run_norms,
    NORMS_MAP,
    {
        "values": list(NORMS_VALUES),
        "weight": NORMS_WEIGHT,
        "public_share": NORMS_PUBLIC_SHARE,
        "temperature": NORMS_TEMPERATURE,
        "weight_grid": list(NORMS_WEIGHT_GRID),
    },
)
MANIPULATION = _scenario(
    "manipulation",
    "The person heads for B, which they value most, but at M on the way they are talked into "
    "wanting A and turn back; MCE IRL reads the time at A as a value, a learner that knows the "
    "switch reads the values from the steps before M and picks B.",
    run_manipulation,
    MANIPULATION_MAP,
    {"values": list(MANIPULATION_VALUES), "switched": list(MANIPULATION_SWITCHED)},
)
