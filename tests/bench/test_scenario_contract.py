"""The contract every challenge scenario keeps (issue 3's acceptance criterion among it).

Scenario-specific stories (hand-computed optima, what each learner ends up doing) live in the
test file of each scenario module; this file holds what is common to all of them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pytest

from valuelearn.bench._registry import get, scenarios
from valuelearn.exceptions import ValueLearnInputError

#: The challenges the issue lists, by registered name.
ISSUE_CHALLENGES = {
    "risk-averse",
    "wrong-beliefs",
    "short-trajectories",
    "missing-features",
    "context-values",
    "drifting-values",
    "temptation",
    "social-norms",
    "manipulation",
    "shared-values",
    "diverse-values",
}
#: Scenarios comparing other learners than naive and aware; each states its own criterion in its
#: test file and keeps the rest of the contract below.
COMPARISONS = {"bayes-unvisited"}
CHALLENGES = sorted(
    s.name for s in scenarios("default") if s.name not in {"baseline", *COMPARISONS}
)
#: Metric of the acceptance criterion where it is not the normalised regret: a newcomer's
#: choice is easy to get right from a few demonstrations, what they miss is the values' shape.
CRITERION_METRIC = {"shared-values": "epic"}


@functools.cache
def _scores(name: str, learner: str, n: int, seed: int) -> Mapping[str, float]:
    return get(name).run(learner, n, seed)


def test_every_challenge_of_the_issue_is_registered() -> None:
    assert set(CHALLENGES) == ISSUE_CHALLENGES
    assert COMPARISONS <= {s.name for s in scenarios("default")}


@pytest.mark.parametrize("name", CHALLENGES)
def test_naive_breaks_and_aware_at_most_halves_it(name: str) -> None:
    # At the largest quick size, averaged over the quick seeds: naive >= 0.2, aware <= naive / 2.
    sizes, seeds = get(name).sweep(quick=True)
    metric = CRITERION_METRIC.get(name, "normalized_regret")
    naive = np.mean([_scores(name, "naive", max(sizes), seed)[metric] for seed in seeds])
    aware = np.mean([_scores(name, "aware", max(sizes), seed)[metric] for seed in seeds])
    assert naive >= 0.2
    assert aware <= naive / 2


@pytest.mark.parametrize("name", CHALLENGES)
def test_registration_and_sweeps(name: str) -> None:
    scenario = get(name)
    assert {"default", "quick"} <= set(scenario.suites)
    assert scenario.learners == ("naive", "aware")
    sizes, seeds = scenario.sweep(quick=True)
    assert set(sizes) <= set(scenario.sizes) and set(seeds) <= set(scenario.seeds)


@pytest.mark.parametrize("name", CHALLENGES)
def test_scores_are_finite_and_in_range(name: str) -> None:
    sizes, seeds = get(name).sweep(quick=True)
    for learner in ("naive", "aware"):
        scores = _scores(name, learner, max(sizes), seeds[0])
        assert {"epic", "normalized_regret", "regret"} < set(scores)  # plus a specific metric
        assert all(isinstance(v, float) and np.isfinite(v) for v in scores.values())
        assert 0.0 <= scores["epic"] <= 1.0 and scores["normalized_regret"] >= 0.0


@pytest.mark.parametrize("name", CHALLENGES)
def test_same_arguments_same_numbers(name: str) -> None:
    scenario = get(name)
    n = min(scenario.sweep(quick=True)[0])
    assert scenario.run("aware", n, 3) == scenario.run("aware", n, 3)


@pytest.mark.parametrize("name", CHALLENGES + sorted(COMPARISONS))
def test_unknown_learner_is_refused(name: str) -> None:
    with pytest.raises(ValueLearnInputError, match="'learner' parameter.*got 'oracle'"):
        get(name).run("oracle", 5, 0)
