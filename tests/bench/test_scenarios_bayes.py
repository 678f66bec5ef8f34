"""The bayes-unvisited scenario: a MAP point estimate against the posterior's policies."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pytest

from valuelearn.bench import _scenarios_bayes as scen
from valuelearn.bench._registry import get
from valuelearn.policy import value_iteration


@functools.cache
def _scores(learner: str, n: int, seed: int) -> Mapping[str, float]:
    return scen.run_unvisited(learner, n, seed)


def test_world_true_values_from_both_starts() -> None:
    mdp, reward = scen.unvisited_world()
    values = value_iteration(mdp, reward, horizon=None, discount=0.9).values
    names = list(mdp.state_names or ())
    start_s, start_t = names.index("r0c7:S"), names.index("r3c0:T")
    # From S: 7 steps left to the goal, then 1 per step: 0.9**7 / (1 - 0.9).
    assert values[start_s] == pytest.approx(0.9**7 * 10)
    # From T the lava shortcut (one step on -1, goal at t = 3) beats the 9-step detour.
    assert values[start_t] == pytest.approx(-0.9 + 0.9**3 * 10)
    assert -0.9 + 0.9**3 * 10 > 0.9**9 * 10


def test_map_chases_an_unconstrained_cell_and_the_posterior_policies_do_not() -> None:
    # The acceptance criterion, at the quick sweep (3 demonstrations, seeds 0-2): the MAP
    # policy's normalised regret averages at least 0.2, the posterior-mean and minimum-VaR
    # policies' at most half of it (they are 0 in every seed, and in 16 of 16 runs over seeds
    # 0-7 and both sizes, against 5 of 8 seeds with a MAP regret at 3 demonstrations).
    sizes, seeds = get("bayes-unvisited").sweep(quick=True)
    n = max(sizes)
    regret = {
        learner: np.mean([_scores(learner, n, seed)["normalized_regret"] for seed in seeds])
        for learner in scen.LEARNERS
    }
    assert regret["map"] >= 0.2
    assert regret["mean"] <= regret["map"] / 2 and regret["robust"] <= regret["map"] / 2


def test_the_posterior_bound_covers_and_flags_the_map_policy() -> None:
    sizes, seeds = get("bayes-unvisited").sweep(quick=True)
    n = max(sizes)
    for seed in seeds:
        scores = {learner: _scores(learner, n, seed) for learner in scen.LEARNERS}
        assert all(scores[learner]["covered"] == 1.0 for learner in scen.LEARNERS)
        # The pessimistic choice has the smallest bound; the MAP policy never a smaller one.
        assert scores["robust"]["var_bound"] <= scores["mean"]["var_bound"] + 1e-12
        assert scores["map"]["var_bound"] >= scores["robust"]["var_bound"]
    bounds = {
        learner: np.mean([_scores(learner, n, seed)["var_bound"] for seed in seeds])
        for learner in ("map", "mean")
    }
    assert bounds["map"] > 2 * bounds["mean"]


def test_registration_and_determinism() -> None:
    scenario = get("bayes-unvisited")
    assert {"default", "quick"} <= set(scenario.suites)
    assert scenario.learners == ("map", "mean", "robust")
    sizes, seeds = scenario.sweep(quick=True)
    assert set(sizes) <= set(scenario.sizes) and set(seeds) <= set(scenario.seeds)
    first = _scores("robust", 3, 0)
    scen._posterior.cache_clear()  # refit: the same seed gives the same chain and numbers
    assert scen.run_unvisited("robust", 3, 0) == first
    assert all(isinstance(v, float) and np.isfinite(v) for v in first.values())
    assert 0.0 <= first["epic"] <= 1.0
