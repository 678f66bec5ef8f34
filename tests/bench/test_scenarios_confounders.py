"""Tests of the confounder scenarios: temptation, context, drift, shared and diverse values."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pytest

from valuelearn.bench import _registry
from valuelearn.bench import _scenarios_confounders as scen


@functools.cache
def _scores(name: str, learner: str, n: int, seed: int) -> Mapping[str, float]:
    return _registry.get(name).run(learner, n, seed)


def test_temptation_aware_goes_where_the_person_values_most() -> None:
    # values a=1 < b=2; the person, pulled by +1.5 on A, mostly goes to A
    naive = _scores("temptation", "naive", 50, 0)["goes_to_b"]
    aware = _scores("temptation", "aware", 50, 0)["goes_to_b"]
    assert naive < 0.1 < 0.9 < aware


def test_drift_aware_tracks_current_values() -> None:
    assert _scores("drifting-values", "naive", 50, 0)["goes_to_b"] < 0.1
    assert _scores("drifting-values", "aware", 50, 0)["goes_to_b"] > 0.9


def test_context_naive_is_wrong_in_one_context_and_aware_in_none() -> None:
    # one reward for both contexts picks one cell: right in one context, ~1 regret in the other
    naive = _scores("context-values", "naive", 50, 0)
    aware = _scores("context-values", "aware", 50, 0)
    assert naive["worst_context_regret"] > 0.9
    assert naive["normalized_regret"] == pytest.approx(naive["worst_context_regret"] / 2, abs=0.05)
    assert aware["worst_context_regret"] < 0.05


def test_shared_population_prior_shrinks_weight_error() -> None:
    for seed in (0, 1):
        naive = _scores("shared-values", "naive", 2, seed)["weight_error"]
        aware = _scores("shared-values", "aware", 2, seed)["weight_error"]
        assert aware < 0.5 < naive


def test_diverse_mean_is_the_population_mean_and_aware_chooses_b() -> None:
    assert scen.diverse_mean().tolist() == [1.2, 2.0]  # 0.6 * (2, 0) + 0.4 * (0, 5)
    # B is best for the group: 2.0 > 1.2, although 60% of people prefer A
    assert _scores("diverse-values", "naive", 20, 0)["chooses_b"] < 0.1
    assert _scores("diverse-values", "aware", 20, 0)["chooses_b"] > 0.85


def test_diverse_weights_share_of_b_converges_to_its_probability() -> None:
    weights = scen.diverse_weights(4000, np.random.default_rng(0))
    share_b = float(np.mean(weights[:, 1] > 0))
    assert share_b == pytest.approx(0.4, abs=0.03)
    assert set(map(tuple, weights.tolist())) == {(2.0, 0.0), (0.0, 5.0)}


def test_score_is_zero_for_the_truth_and_invariant_to_positive_scale() -> None:
    mdp = scen.world()
    assert mdp.features is not None
    true = mdp.features @ np.array([1.0, 2.0])
    scores = scen.score(mdp, true, 4.0 * true)
    assert scores["normalized_regret"] == 0.0 and scores["regret"] == 0.0
    assert scores["epic"] == pytest.approx(0.0, abs=1e-6)
    flipped = scen.score(mdp, true, -true)
    assert flipped["epic"] == pytest.approx(1.0, abs=1e-6)  # EPIC of a negated reward is 1


def test_world_layout_is_symmetric_around_the_start() -> None:
    mdp = scen.world()
    assert mdp.features is not None
    assert (mdp.n_states, mdp.n_actions) == (15, 4)
    a_cell, b_cell = (int(np.flatnonzero(mdp.features[:, k])[0]) for k in (0, 1))
    start = int(np.flatnonzero(mdp.initial)[0])
    assert (a_cell, b_cell, start) == (0, 4, 7)  # r0c0, r0c4, r1c2: three steps from each cell
