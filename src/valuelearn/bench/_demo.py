"""End-to-end demonstration of the pipeline: simulate, infer, plan, evaluate.

Until the scenario suite exists this is what ``valuelearn bench`` runs: a soft-optimal person acts
in a 10x10 gridworld with four cell types; MCE IRL (and, as a diagnostic, MaxEnt 2008) recover
the person's reward from growing numbers of demonstrations; each learned reward is scored by
EPIC distance and by the regret of acting on it, under the true reward.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Final

import numpy as np

from valuelearn.data import feature_gridworld
from valuelearn.data._diagnostics import risky_path
from valuelearn.evaluation import epic_distance, regret
from valuelearn.inference import MCEIRL
from valuelearn.policy import sample_trajectories, soft_value_iteration
from valuelearn.policy._planning import Backup

#: The demonstrator's values over the four cell types of the demo world.
DEMO_WEIGHTS = (1.0, -1.0, 0.3, -0.5)

_LEARNERS: Final[tuple[tuple[str, Backup], ...]] = (
    ("MCE IRL (causal)", "causal"),
    ("MaxEnt 2008 (non-causal, diagnostic)", "noncausal"),
)


@dataclass(frozen=True)
class DemoRow:
    """One fit in the demo: a learner, a number of demonstrations, and its scores."""

    learner: str
    n_demonstrations: int
    epic: float
    regret: float
    normalized_regret: float
    log_likelihood: float
    iterations: int
    converged: bool
    seconds: float

    def as_dict(self) -> dict[str, float | int | str | bool]:
        return asdict(self)


def run_demo(
    *,
    sizes: Sequence[int] = (10, 100, 1000),
    size: int = 10,
    horizon: int = 20,
    slip: float = 0.1,
    seed: int = 0,
) -> list[DemoRow]:
    """Run the end-to-end demo and return one row per (learner, number of demonstrations).

    Parameters
    ----------
    sizes : sequence of int
        Numbers of demonstrations to learn from.
    size : int
        Side of the square gridworld.
    horizon : int
        Decisions per demonstration.
    slip : float
        Probability that a move goes in a random direction.
    seed : int
        Seed of the world and of the demonstrations.

    Examples
    --------
    >>> rows = run_demo(sizes=(200,), size=5, horizon=8)
    >>> [row.learner for row in rows]
    ['MCE IRL (causal)', 'MaxEnt 2008 (non-causal, diagnostic)']
    """
    mdp = feature_gridworld(size, n_features=4, kind="one_hot", slip=slip, rng=seed)
    assert mdp.features is not None
    true_reward = mdp.features @ np.asarray(DEMO_WEIGHTS)
    expert = soft_value_iteration(mdp, true_reward, horizon=horizon, discount=1.0).policy
    rows = []
    for n in sizes:
        demos = sample_trajectories(mdp, expert, n=n, rng=seed + n)
        for name, backup in _LEARNERS:
            start = time.perf_counter()
            model = MCEIRL(horizon=horizon, discount=1.0, backup=backup).fit(mdp, demos)
            seconds = time.perf_counter() - start
            scores = regret(mdp, true_reward, model.reward_, horizon=horizon, discount=1.0)
            rows.append(
                DemoRow(
                    learner=name,
                    n_demonstrations=n,
                    epic=epic_distance(mdp, model.reward_, true_reward, discount=1.0),
                    regret=scores.regret,
                    normalized_regret=scores.normalized_regret,
                    log_likelihood=model.log_likelihood_,
                    iterations=model.n_iter_,
                    converged=model.converged_,
                    seconds=seconds,
                )
            )
    return rows


def run_risky_path_demo(*, n: int = 500, seed: int = 0) -> dict[str, float]:
    """Where the non-causal model breaks: fit both learners to safe RiskyPath demonstrations.

    No demonstrator ever takes the risky action; the table reports how often each fitted model
    would take it from the start state.

    Examples
    --------
    >>> result = run_risky_path_demo(n=100)
    >>> result["MCE IRL (causal)"] < 0.01 < 0.3 < result["MaxEnt 2008 (non-causal, diagnostic)"]
    True
    """
    mdp, reward = risky_path()
    expert = soft_value_iteration(mdp, reward, horizon=5, discount=1.0).policy
    demos = sample_trajectories(mdp, expert, n=n, rng=seed)
    result = {"demonstrators": float(np.mean([t.actions[0] == 1 for t in demos]))}
    for name, backup in _LEARNERS:
        model = MCEIRL(reward="tabular", backup=backup).fit(mdp, demos)
        result[name] = float(model.policy_[0, 0, 1])
    return result
