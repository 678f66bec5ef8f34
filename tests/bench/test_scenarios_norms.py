"""Tests of the acting-against-values scenarios: social norms and manipulation."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pytest

from valuelearn.bench import _registry
from valuelearn.bench import _scenarios_norms as scen
from valuelearn.humans import Manipulated
from valuelearn.inference import ModelAwareIRL

# scenario -> (metric of the acceptance criterion, data size it is asserted at)
CRITERION = {
    "social-norms": ("normalized_regret", 50),
    "manipulation": ("normalized_regret", 50),
}


@functools.cache
def _scores(name: str, learner: str, n: int, seed: int) -> Mapping[str, float]:
    return _registry.get(name).run(learner, n, seed)


@pytest.mark.parametrize("name", sorted(CRITERION))
def test_aware_goes_where_the_person_values_most(name: str) -> None:
    # values b > a; the norm / the manipulation sends the person to A
    for seed in (0, 1):
        naive = _scores(name, "naive", 50, seed)["goes_to_b"]
        aware = _scores(name, "aware", 50, seed)["goes_to_b"]
        assert naive < 0.1 < 0.9 < aware


# ---------------------------------------------------------------------- social norms
def test_norms_person_plans_on_values_plus_norm_in_public_only() -> None:
    mdp = scen.norms_world()
    assert mdp.features is not None
    person = scen.norms_person(mdp)
    values = mdp.features @ np.array([1.0, 2.0])
    public = person.acting_reward(mdp, values, "public")
    home = person.acting_reward(mdp, values, "home")
    a_cell, b_cell = (int(np.flatnonzero(mdp.features[:, k])[0]) for k in (0, 1))
    assert (public[a_cell], public[b_cell]) == (3.0, 2.0)  # 1 + 2 * 1 on A: A beats B in public
    assert (home[a_cell], home[b_cell]) == (1.0, 2.0)
    assert np.array_equal(np.delete(public, [a_cell, b_cell]), np.zeros(13))


def test_norms_contexts_are_drawn_with_the_public_share() -> None:
    mdp = scen.norms_world()
    demos = scen.norms_person(mdp).simulate(
        mdp, np.zeros(mdp.n_states), n=2000, horizon=2, discount=1.0, rng=0
    )
    share = np.mean([t.context == "public" for t in demos])
    assert share == pytest.approx(0.8, abs=0.03)


def test_norms_weight_is_identified_with_enough_data() -> None:
    # with 200 demonstrations (40 at home) the profile likelihood picks the true weight 2
    for seed in (0, 1):
        aware = _scores("social-norms", "aware", 200, seed)
        assert aware["norm_weight"] == scen.NORMS_WEIGHT
        assert aware["epic"] < 0.05
    assert _scores("social-norms", "naive", 200, 0)["norm_weight"] == 0.0  # assumes no norm


# ---------------------------------------------------------------------- manipulation
def test_manipulation_world_puts_the_event_between_start_and_b() -> None:
    mdp, events = scen.manipulation_world()
    assert mdp.features is not None and mdp.state_names is not None
    assert [name.split(":")[1] for name in mdp.state_names] == list("A.S.M.B")
    assert sorted(events) == [4] and int(np.flatnonzero(mdp.initial)[0]) == 2
    true = mdp.features @ np.array(scen.MANIPULATION_VALUES)
    # B is worth the walk: 7 steps on B (2 each) beat 8 steps on A (0.5 each)
    assert scen.goes_to(mdp, true, 1) > 0.9


def test_manipulation_naive_policy_is_the_go_to_a_policy() -> None:
    # the naive learner's mistake is exactly "A is what they value": same regret as rewarding A
    mdp, _ = scen.manipulation_world()
    assert mdp.features is not None
    true = mdp.features @ np.array(scen.MANIPULATION_VALUES)
    go_to_a = scen.score(mdp, true, mdp.features @ np.array([1.0, 0.0]))
    for seed in (0, 1):
        naive = _scores("manipulation", "naive", 50, seed)
        assert naive["normalized_regret"] == pytest.approx(go_to_a["normalized_regret"], abs=1e-3)
        assert _scores("manipulation", "aware", 50, seed)["normalized_regret"] < 1e-3
    assert go_to_a["normalized_regret"] > 0.7


def test_manipulation_event_rate_is_data_not_learner() -> None:
    naive = _scores("manipulation", "naive", 50, 0)["event_rate"]
    assert _scores("manipulation", "aware", 50, 0)["event_rate"] == naive
    assert naive > 0.8  # most people head for B and meet M on the way


def test_manipulation_aware_recovers_the_pre_event_values() -> None:
    # the model's temperature is known, so the values' scale is identified, not only their ratio
    mdp, events = scen.manipulation_world()
    assert mdp.features is not None
    true = mdp.features @ np.array(scen.MANIPULATION_VALUES)
    person = Manipulated(events, mdp.features @ np.array(scen.MANIPULATION_SWITCHED))
    demos = person.simulate(mdp, true, n=200, horizon=scen.HORIZON, discount=1.0, rng=0)
    aware = ModelAwareIRL(person, horizon=scen.HORIZON, discount=1.0, l2=scen.L2)
    weights = aware.fit(mdp, demos).weights_
    np.testing.assert_allclose(weights, scen.MANIPULATION_VALUES, atol=0.15)


# ---------------------------------------------------------------------- shared pieces
def test_score_is_zero_for_the_truth_and_invariant_to_positive_scale() -> None:
    mdp = scen.norms_world()
    assert mdp.features is not None
    true = mdp.features @ np.array([1.0, 2.0])
    scores = scen.score(mdp, true, 4.0 * true)
    assert scores["normalized_regret"] == 0.0 and scores["regret"] == 0.0
    assert scores["epic"] == pytest.approx(0.0, abs=1e-6)
    assert scen.score(mdp, true, -true)["epic"] == pytest.approx(1.0, abs=1e-6)
